"""Per-layer statistics, percentile bands and their plots."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bn_lesson.stats import (  # noqa: E402
    activation_histograms, band_drift, layer_stats, percentile_band, percentile_ranges, spread_growth,
)
from bn_lesson.viz.plots import plot_layer_histograms, plot_percentile_bands  # noqa: E402


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


def test_plot_helpers_draw_and_return_axes():
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
    plt.close("all")


def test_percentile_ranges_and_spread_growth():
    p = np.array([[[0.0, 1.0, 2.0]], [[-1.0, 1.5, 2.0]], [[0.5, 1.0, 4.0]]])  # (R=3, U=1, 3)
    np.testing.assert_allclose(percentile_ranges(p), [[1.5, 0.5, 2.0]])
    np.testing.assert_allclose(percentile_ranges(p[:, 0]), [1.5, 0.5, 2.0])
    np.testing.assert_allclose(spread_growth(p), [3.5 / 2.0])  # 85th - 15th: 2.0 first, 3.5 last
    with pytest.raises(ValueError, match="spread"):
        spread_growth(np.ones((2, 1, 3)))
    with pytest.raises(ValueError, match="percentiles must be"):
        percentile_ranges(np.ones((2, 4)))
