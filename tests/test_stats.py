"""The pure statistics: per-layer summaries, percentile bands, one stage's shape; checked against numpy."""
import subprocess
import sys

import numpy as np
import pytest

from bn_lesson.activations import sigmoid
from bn_lesson.stats import (
    activation_histograms, band_drift, histogram_heights, layer_stats, linear_fit_r2, median_and_range,
    percentile_band, percentile_ranges, spread_growth, stage_stats,
)


def test_layer_stats_reference_values():
    z1 = np.array([[0.0, 5.0], [-5.0, 1.0]])       # |z| > 4: two of four
    z2 = np.array([[1.0], [3.0], [5.0]])
    stats = layer_stats([z1, z2], "sigmoid")
    assert np.allclose(stats.mean, [0.25, 3.0])
    assert np.allclose(stats.std, [np.std(z1), np.std(z2)])
    assert np.allclose(stats.example_std, [(2.5 + 2.0) / 2, np.std([1.0, 3.0, 5.0])])
    assert np.allclose(stats.saturated, [0.5, 1 / 3])
    assert np.allclose(layer_stats([z1], "tanh", threshold=0.5).saturated, [0.75])
    assert np.allclose(layer_stats([z1], "relu").saturated, [0.5])  # z <= 0 is a dead relu


def test_example_std_ignores_units_sitting_at_different_levels():
    z = np.array([[0.0, 100.0], [0.0, 100.0], [0.0, 100.0]])  # two units, neither responds to the example
    stats = layer_stats([z])
    assert stats.std[0] == pytest.approx(50.0) and stats.example_std[0] == 0.0


def test_percentile_band_matches_numpy_and_is_ordered():
    z = np.random.default_rng(0).normal(size=(200, 3))
    band = percentile_band(z)
    assert band.shape == (3, 3)
    assert np.allclose(band, np.percentile(z, [15, 50, 85], axis=0).T)
    assert (np.diff(band, axis=1) > 0).all()
    assert np.allclose(percentile_band(z[:, 0], q=(10, 90)), np.percentile(z[:, 0], [10, 90]))
    # a standard normal's 15th/85th percentiles are at about -/+1.04
    big = np.random.default_rng(1).normal(size=100_000)
    assert np.allclose(percentile_band(big), [-1.036, 0.0, 1.036], atol=0.02)


@pytest.mark.parametrize("q", [(50, 15), (-1, 50), (), (10, 101)])
def test_percentile_band_validates_q(q):
    with pytest.raises(ValueError, match="q must"):
        percentile_band(np.ones((3, 2)), q)


def test_band_drift():
    bands = np.array([[0.0, 1.0, 2.0], [5.0, 6.0, 7.0], [1.0, 4.0, 9.0]])  # (R=3, P=3)
    assert band_drift(bands) == pytest.approx((4.0 - 1.0) / 2.0)
    two_units = np.stack([bands, bands * 2], axis=1)  # (R, U=2, P)
    assert np.allclose(band_drift(two_units), [1.5, 1.5])
    with pytest.raises(ValueError, match="zero width"):
        band_drift(np.ones((2, 3)))
    with pytest.raises(ValueError, match="bands must"):
        band_drift(np.ones((2, 2)))


def test_activation_histograms_sum_to_one_and_see_saturation():
    rng = np.random.default_rng(2)
    small, large = rng.normal(0, 0.01, (500, 10)), rng.normal(0, 20, (500, 10))
    counts, edges = activation_histograms([small, large], "tanh", bins=10)
    assert counts.shape == (2, 10) and edges.shape == (11,)
    assert np.allclose(counts.sum(axis=1), 1.0)
    assert counts[0, 4:6].sum() == pytest.approx(1.0)           # tanh(~0) sits in the two middle bins
    assert counts[1, [0, -1]].sum() > 0.9                       # tanh(large) piles up at -1 and +1
    counts, edges = activation_histograms([small], "sigmoid", bins=4)
    assert edges[0] == 0.0 and edges[-1] == 1.0
    with pytest.raises(ValueError, match="activation"):
        activation_histograms([small], "gelu")


def test_percentile_ranges_and_spread_growth():
    p = np.array([[[0.0, 1.0, 2.0]], [[-1.0, 1.5, 2.0]], [[0.5, 1.0, 4.0]]])  # (R=3, U=1, 3)
    np.testing.assert_allclose(percentile_ranges(p), [[1.5, 0.5, 2.0]])
    np.testing.assert_allclose(percentile_ranges(p[:, 0]), [1.5, 0.5, 2.0])
    np.testing.assert_allclose(spread_growth(p), [3.5 / 2.0])  # 85th - 15th: 2.0 first, 3.5 last
    with pytest.raises(ValueError, match="spread"):
        spread_growth(np.ones((2, 1, 3)))
    with pytest.raises(ValueError, match="percentiles must be"):
        percentile_ranges(np.ones((2, 4)))


def test_a_band_of_zero_width_is_judged_relative_to_its_level():
    level = np.full((3, 3), 0.1)          # three equal percentiles: no width, whatever rounding says
    with pytest.raises(ValueError, match="zero width"):
        band_drift(level)
    with pytest.raises(ValueError, match="spread is zero"):
        spread_growth(level)


def test_bad_kinds_are_type_errors():
    with pytest.raises(TypeError, match="bins must be an int"):
        activation_histograms([np.ones((3, 2))], "tanh", bins=2.5)
    with pytest.raises(TypeError, match="preacts\\[0\\] must be a numeric array"):
        layer_stats(["abc"])
    with pytest.raises(ValueError, match="preacts must hold at least one layer"):
        layer_stats([])


# -- one stage (the explorer) -----------------------------------------------------------------------------

def reference_skew(v):
    d = v - v.mean()
    return (d ** 3).mean() / (d ** 2).mean() ** 1.5


def test_stage_stats_matches_numpy():
    v = np.random.default_rng(0).exponential(2.0, 5000)
    s = stage_stats(v)
    assert s.mean == pytest.approx(v.mean()) and s.std == pytest.approx(v.std())
    assert s.skewness == pytest.approx(reference_skew(v))
    assert s.skewness == pytest.approx(2.0, abs=0.3)  # an exponential's skewness is 2


def test_stage_stats_of_a_symmetric_and_a_constant_batch():
    assert stage_stats(np.array([1.0, 2.0, 3.0])).skewness == 0.0
    s = stage_stats(np.full(10, 3.0))
    assert (s.mean, s.std, s.skewness) == (3.0, 0.0, 0.0)
    assert stage_stats(np.full(7, 0.1)).skewness == 0.0  # variance ~1e-34 from rounding: still no shape
    tiny = 1e-9 * np.random.default_rng(1).exponential(size=1000)  # small, but a real (skewed) shape
    assert stage_stats(tiny).skewness == pytest.approx(reference_skew(tiny))


def test_stage_stats_rejects_empty_and_nan():
    with pytest.raises(ValueError, match="v is an empty batch"):
        stage_stats(np.array([]))
    with pytest.raises(ValueError, match="v contains 1 NaN"):
        stage_stats(np.array([1.0, np.nan]))


def test_histogram_heights():
    heights, edges, off = histogram_heights(np.array([0.1, 0.1, 0.6, 5.0]), (0.0, 1.0), bins=4)
    assert heights.tolist() == [1.0, 0.0, 0.5, 0.0] and edges.tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    assert off == 0.25
    heights, _, off = histogram_heights(np.array([7.0, 8.0]), (0.0, 1.0), bins=3)
    assert heights.tolist() == [0.0, 0.0, 0.0] and off == 1.0  # nothing on the axis: flat, not 0/0


@pytest.mark.parametrize("kwargs, error, match", [
    ({"limits": (1.0, 0.0)}, ValueError, "low < high"),
    ({"limits": 3.0}, TypeError, "limits must be a pair"),
    ({"bins": 0}, ValueError, "bins must be an int >= 1"),
])
def test_histogram_heights_validates(kwargs, error, match):
    with pytest.raises(error, match=match):
        histogram_heights(**({"v": np.ones(3), "limits": (0.0, 1.0)} | kwargs))


def test_linear_fit_r2_against_polyfit():
    z = np.random.default_rng(1).normal(0.0, 3.0, 2000)
    slope, intercept = np.polyfit(z, sigmoid(z), 1)
    residual = sigmoid(z) - (slope * z + intercept)
    assert linear_fit_r2(z) == pytest.approx(1 - residual.var() / sigmoid(z).var())


def test_linear_fit_r2_separates_the_middle_from_the_saturated_range():
    z = np.random.default_rng(0).normal(size=10_000)
    assert linear_fit_r2(z) > 0.98           # gamma = 1: the sigmoid's near-linear middle
    assert linear_fit_r2(6 * z) < 0.85       # gamma = 6: its curved, saturating ends
    assert linear_fit_r2(np.abs(z) + 1, "relu") == pytest.approx(1.0)  # relu is linear for positive inputs
    assert linear_fit_r2(-np.abs(z) - 1, "relu") == 1.0                 # ... and constant (0) for negative
    with pytest.raises(ValueError, match="no spread"):
        linear_fit_r2(np.ones(5))
    with pytest.raises(ValueError, match="no spread"):
        linear_fit_r2(np.full(5, 0.1))    # equal values whose computed variance is not exactly 0
    with pytest.raises(ValueError, match="activation must be one of"):
        linear_fit_r2(z, "swish")


# -- layering ---------------------------------------------------------------------------------------------

def test_the_pure_modules_do_not_load_matplotlib_or_widgets():
    code = ("import sys\n"
            "import bn_lesson.stats, bn_lesson.stages, bn_lesson.norm_axes, bn_lesson.viz.text\n"
            "loaded = sorted(m for m in ('matplotlib', 'ipywidgets', 'PIL') if m in sys.modules)\n"
            "print(loaded)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_median_and_range_is_over_the_seed_axis():
    med, lo, hi = median_and_range([[0.2, 0.9, 0.5], [1.0, 2.0, 3.0]])
    assert med.tolist() == [0.5, 2.0] and lo.tolist() == [0.2, 1.0] and hi.tolist() == [0.9, 3.0]
    med, lo, hi = median_and_range([[0.2, 0.9, 0.5], [1.0, 2.0, 3.0]], axis=0)
    assert med.tolist() == [0.6, 1.45, 1.75] and lo.tolist() == [0.2, 0.9, 0.5]
