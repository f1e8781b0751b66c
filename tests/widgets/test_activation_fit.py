"""Chapter 04's (γ, β) map widget: the map against the functions it tabulates, the sliders, the redraw.

How fast a control move redraws is measured by ``make bench`` (its widgets part), not by a timed test.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bn_lesson.activations import saturated_fraction  # noqa: E402
from bn_lesson.stats import fit_saturation_map, linear_fit_r2  # noqa: E402
from bn_lesson.viz.fit_map_plots import plot_fit_saturation_map  # noqa: E402
from bn_lesson.widgets.activation_fit import build_activation_fit  # noqa: E402


@pytest.fixture(scope="module")
def x_hat():
    x = np.random.default_rng(0).normal(size=4000)
    return (x - x.mean()) / x.std()


def test_the_map_tabulates_r2_and_the_flat_share(x_hat):
    m = fit_saturation_map(x_hat, [1.0, 4.0], [0.0, 3.0], "tanh")
    assert m.r2.shape == m.saturated.shape == (2, 2)
    assert m.r2[1, 0] == pytest.approx(linear_fit_r2(1.0 * x_hat + 3.0, "tanh"))
    assert m.saturated[0, 1] == pytest.approx(saturated_fraction(4.0 * x_hat, "tanh"))


def test_validation(x_hat):
    with pytest.raises(ValueError, match="gammas"):
        fit_saturation_map(x_hat, [0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="activation"):
        fit_saturation_map(x_hat, [1.0], [0.0], "gelu")
    with pytest.raises(ValueError, match="no spread"):
        fit_saturation_map(np.ones(5), [1.0], [0.0])


def test_setting_the_sliders_recomputes(x_hat):
    view = build_activation_fit(x_hat)
    first = view.image.value
    view.gamma.value = 4.0
    view.beta.value = 1.0
    assert view.last == (linear_fit_r2(4.0 * x_hat + 1.0), saturated_fraction(4.0 * x_hat + 1.0))
    assert view.image.value != first and "flat share" in view._artists.left_title.get_text()
    view.activation.value = "relu"
    assert set(view.maps) == {"sigmoid", "relu"}
    assert view.last[1] == pytest.approx(np.mean(4.0 * x_hat + 1.0 <= 0))


def test_the_static_twin(x_hat):
    m = fit_saturation_map(x_hat, np.arange(0.5, 4.1, 0.5), np.arange(-2.0, 2.1, 1.0))
    axes = plot_fit_saturation_map(m, gamma=4.0, beta=0.0)
    assert "γ = 4, β = 0" in axes[0].get_title()
    plt.close("all")
