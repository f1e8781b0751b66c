"""The explorer's static twin and chapter 03's dot plot draw the numbers ``explore`` computes."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle, StepPatch  # noqa: E402

from bn_lesson.constants import SIGMOID_FLAT  # noqa: E402
from bn_lesson.stages import STAGES, explore_setting  # noqa: E402
from bn_lesson.viz.stage_plots import (  # noqa: E402
    SETTING_DEFAULTS, plot_explorer_grid, plot_minibatch_steps, stage_limits,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_static_grid_draws_one_row_per_setting():
    settings = [{"dist": "normal"}, {"dist": "tiny-variance", "eps": 1e-1}, {"dist": "constant", "eps": 0.0}]
    axes = plot_explorer_grid(settings)
    assert axes.shape == (3, len(STAGES))
    texts = [t.get_text() for t in axes[1, 1].texts]
    want = explore_setting("tiny-variance", eps=1e-1).stats["normalized"]
    assert any(f"std  {want.std:.3f}" in t for t in texts)
    assert any("0/0" in t.get_text() for t in axes[2, -1].texts)


def test_static_grid_histograms_are_the_stage_values():
    axes = plot_explorer_grid([{"gamma": 2.0, "beta": 1.0}], stages=("input", "scaled"))
    r = explore_setting(gamma=2.0, beta=1.0)
    (stairs,) = [p for p in axes[0, 1].patches if isinstance(p, StepPatch)]  # the scaled stage's histogram
    heights, edges, _ = stairs.get_data()
    counts, _ = np.histogram(r.values["scaled"], bins=edges)
    np.testing.assert_allclose(heights, counts / counts.max())
    assert axes[0, 1].get_xlim() == stage_limits("scaled", "normal", "sigmoid")
    shade = [p.get_x() for p in axes[0, 1].patches if isinstance(p, Rectangle)]
    assert SIGMOID_FLAT in shade  # the sigmoid's flat region is shaded from SIGMOID_FLAT on


def test_static_grid_validates():
    with pytest.raises(ValueError, match="settings must name"):
        plot_explorer_grid([])
    with pytest.raises(ValueError, match="unknown key"):
        plot_explorer_grid([{"gama": 1.0}])
    with pytest.raises(ValueError, match="stages must be"):
        plot_explorer_grid([{}], stages=("input", "output"))
    assert set(SETTING_DEFAULTS) == {"dist", "batch_size", "gamma", "beta", "eps", "activation"}


def test_plot_minibatch_steps_draws_every_value_and_mean():
    x = np.arange(12.0).reshape(4, 3)
    axes = plot_minibatch_steps({"input": x, "normalized": x / 2}, ["a", "b", "c"])
    assert len(axes) == 2
    dots = [line for line in axes[0].lines if line.get_marker() == "o"]
    np.testing.assert_array_equal(np.concatenate([line.get_xdata() for line in dots]), x.T.ravel())
    with pytest.raises(ValueError, match="same \\(m, D\\) shape"):
        plot_minibatch_steps({"input": x, "normalized": x[:2]})
