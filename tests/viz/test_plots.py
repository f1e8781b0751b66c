"""Plot helpers draw on a given axes (or make one), return it, and draw what they are given."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from bn_lesson.stats import activation_histograms, layer_stats  # noqa: E402
from bn_lesson.viz.plots import (  # noqa: E402
    STAGE_COLORS, plot_channel_stats, plot_feature_ranges, plot_layer_histograms, plot_loss_curves, plot_maps,
    plot_percentile_bands,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_helpers_draw_on_a_given_axes_and_return_it():
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_feature_ranges(np.arange(1.0, 7.0).reshape(3, 2), ["a", "b"], ax=a, log=True) is a
    assert a.get_xscale() == "log"
    assert plot_loss_curves({"run": np.array([4.0, 2.0, 1.0])}, ax=b) is b
    assert len(b.lines) == 1 and b.lines[0].get_xdata().tolist() == [1, 2, 3]


def test_log_scale_needs_positive_data():
    with pytest.raises(ValueError, match="log=True needs positive X"):
        plot_feature_ranges(np.array([[0.0], [1.0]]), ["a"], log=True)


def test_layer_histograms_and_percentile_bands_draw_and_return_axes():
    rng = np.random.default_rng(3)
    zs = [rng.normal(0, s, (100, 5)) for s in (1.0, 3.0, 9.0)]
    counts, edges = activation_histograms(zs, "sigmoid")
    axes = plot_layer_histograms(counts, edges, stats=layer_stats(zs, "sigmoid"), title="t")
    assert len(axes) == 3 and "sat" in axes[2].get_title()
    fig, given = plt.subplots(1, 3)
    assert list(plot_layer_histograms(counts, edges, axes=given)) == list(given)
    with pytest.raises(ValueError, match="axes"):
        plot_layer_histograms(counts, edges, axes=given[:2])
    ax = plot_percentile_bands(np.arange(4), np.sort(rng.normal(size=(4, 3)), axis=1), label="unit 0", title="t")
    assert len(ax.lines) == 3 and ax.get_legend() is not None
    with pytest.raises(ValueError, match="bands"):
        plot_percentile_bands(np.arange(5), np.ones((4, 3)))


def test_plot_channel_stats_draws_before_and_after_in_stage_colours():
    names = ["a", "b", "c"]
    before = (np.array([1.0, 5.0, -2.0]), np.array([0.5, 2.0, 1.0]))
    after = (np.zeros(3), np.ones(3))
    ax = plot_channel_stats(names, before, after)
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert len(ax.containers) == 2
    colors = [to_rgb(c.lines[0].get_color()) for c in ax.containers]
    assert colors == [to_rgb(STAGE_COLORS["input"]), to_rgb(STAGE_COLORS["normalized"])]
    np.testing.assert_allclose(ax.containers[1].lines[0].get_ydata(), 0)
    with pytest.raises(ValueError, match="before/after"):
        plot_channel_stats(names, (np.zeros(2), np.ones(2)), after)


def test_plot_maps_draws_each_map_on_a_symmetric_scale():
    maps = [np.arange(16.0).reshape(4, 4), -np.ones((2, 3))]
    axes = plot_maps(maps, ["ramp", "flat"], colors=["red", "blue"])
    assert len(axes) == 2
    assert axes[0].images[0].get_clim() == (-15.0, 15.0)
    assert "0.00 to 15.00" in axes[0].get_title() and "\u22121.00" in axes[1].get_title()
    shared = plot_maps(maps, ["ramp", "flat"], vmax=[20.0, 20.0])
    assert [ax.images[0].get_clim() for ax in shared] == [(-20.0, 20.0)] * 2
    with pytest.raises(ValueError, match="maps must be K two-dimensional"):
        plot_maps([np.ones(3)], ["a vector"])
