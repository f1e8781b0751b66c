"""Chapter 01's outlier widget: the pure function against the scalers, the slider, the redraw.

How fast a control move redraws is measured by ``make bench`` (its widgets part), not by a timed test.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bn_lesson import min_max, zscore  # noqa: E402
from bn_lesson.data import wine_regression  # noqa: E402
from bn_lesson.standardize import outlier_effect  # noqa: E402
from bn_lesson.viz.outlier_plots import plot_outlier_effect  # noqa: E402
from bn_lesson.widgets.outlier import build_outlier  # noqa: E402


@pytest.fixture(scope="module")
def magnesium():
    wine = wine_regression()
    return wine.X[:, wine.feature_names.index("magnesium")].copy()


def test_outlier_effect_matches_the_scalers(magnesium):
    effect = outlier_effect(magnesium, 0, 10.0)
    typo = magnesium.copy()
    typo[0] *= 10
    assert np.allclose(effect.min_max, min_max(typo[:, None])[:, 0])
    assert np.allclose(effect.zscore, zscore(typo[:, None])[:, 0])
    squeeze = np.ptp(min_max(magnesium[:, None])[1:]) / np.ptp(min_max(typo[:, None])[1:])
    assert effect.min_max_squeeze == pytest.approx(squeeze)
    assert effect.min_max_squeeze > 2 * effect.zscore_squeeze > 2    # chapter 01's claim
    assert outlier_effect(magnesium, 0, 1.0)[3:] == (1.0, 1.0)        # no outlier, no squeeze
    wine = wine_regression()
    assert np.array_equal(magnesium, wine.X[:, wine.feature_names.index("magnesium")])   # input unchanged


def test_validation(magnesium):
    with pytest.raises(ValueError, match="factor"):
        outlier_effect(magnesium, 0, 0.0)
    with pytest.raises(TypeError, match="index"):
        outlier_effect(magnesium, 1.5, 2.0)
    with pytest.raises(ValueError, match="index"):
        outlier_effect(magnesium, 178, 2.0)
    with pytest.raises(ValueError, match="not all be equal"):
        outlier_effect(np.array([5.0, 1.0, 1.0]), 0, 2.0)


def test_moving_the_slider_recomputes(magnesium):
    view = build_outlier(magnesium, factor=1.0)
    first = view.image.value
    view.factor.value = 20.0
    assert view.last.min_max_squeeze == pytest.approx(outlier_effect(magnesium, 0, 20.0).min_max_squeeze)
    assert view.image.value != first
    assert "squeezed" in view._artists.titles[0].get_text()


def test_the_static_twin(magnesium):
    axes = plot_outlier_effect(outlier_effect(magnesium, 0, 10.0))
    assert "13.0x" in axes[0].get_title()
    plt.close(axes[0].figure)
