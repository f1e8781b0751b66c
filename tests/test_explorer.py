"""The explorer: pure statistics against references, and the widget driven by setting slider values."""
import struct

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bn_lesson.activations import sigmoid
from bn_lesson.algorithm import batch_norm
from bn_lesson.data import DISTRIBUTIONS, sample_distribution
from bn_lesson.widgets.explorer import (
    STAGES, Explorer, build_explorer, explore, explore_setting, format_batch, format_stats, histogram_heights,
    linear_fit_r2, plot_explorer_grid, plot_minibatch_steps, stage_stats,
)

matplotlib.use("Agg")


def reference_skew(v):
    d = v - v.mean()
    return (d ** 3).mean() / (d ** 2).mean() ** 1.5


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# -- pure statistics --------------------------------------------------------------------------------------

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


def test_stage_stats_rejects_empty_and_nan():
    with pytest.raises(ValueError, match="v is an empty batch"):
        stage_stats(np.array([]))
    with pytest.raises(ValueError, match="v contains 1 NaN"):
        stage_stats(np.array([1.0, np.nan]))


def test_explore_agrees_with_batch_norm():
    x = sample_distribution("skewed", 500, np.random.default_rng(3))
    r = explore(x, gamma=1.7, beta=-0.4, eps=1e-2, activation="relu")
    ref = batch_norm(x, 1.7, -0.4, 1e-2)
    np.testing.assert_allclose(r.values["scaled"], ref.y[:, 0])
    np.testing.assert_allclose(r.values["normalized"], ref.x_hat[:, 0])
    np.testing.assert_allclose(r.values["activated"], np.maximum(ref.y[:, 0], 0.0))
    assert (r.mu, r.var) == pytest.approx((ref.mu[0], ref.var[0]))


def test_eps_shrinks_xhat_variance_to_var_over_var_plus_eps():
    x = sample_distribution("tiny-variance", 10_000, np.random.default_rng(0))  # var ~ 1e-4
    for eps in (0.0, 1e-5, 1e-3, 1e-1):
        r = explore(x, eps=eps)
        assert r.stats["normalized"].std ** 2 == pytest.approx(r.var / (r.var + eps), rel=1e-9)
        assert r.xhat_var_predicted == pytest.approx(r.var / (r.var + eps))
    assert explore(x, eps=1e-3).stats["normalized"].std ** 2 < 0.1  # eps visibly matters here
    big = sample_distribution("normal", 10_000, np.random.default_rng(0))
    assert explore(big, eps=1e-3).stats["normalized"].std ** 2 > 0.999  # and hardly at all here


def test_a_batch_of_two_is_normalized_to_plus_minus_sqrt_var_over_var_plus_eps():
    x = np.array([3.0, 3.02])  # var = 1e-4
    r = explore(x, eps=1e-3)
    np.testing.assert_allclose(np.abs(r.values["normalized"]), np.sqrt(1e-4 / 1.1e-3))


@settings(max_examples=40, deadline=None)
@given(gamma=st.floats(0.0, 4.0), beta=st.floats(-6.0, 6.0), log_eps=st.floats(-8.0, 0.0),
       kind=st.sampled_from(DISTRIBUTIONS[:4]), seed=st.integers(0, 10))
def test_output_has_mean_beta_and_std_gamma_times_shrink(gamma, beta, log_eps, kind, seed):
    x = sample_distribution(kind, 300, np.random.default_rng(seed))
    eps = 10.0 ** log_eps
    r = explore(x, gamma, beta, eps)
    y = r.stats["scaled"]
    assert y.mean == pytest.approx(beta, abs=1e-9 * max(1.0, gamma))
    assert y.std == pytest.approx(gamma * np.sqrt(r.var / (r.var + eps)), rel=1e-6, abs=1e-12)
    if gamma > 0.01:  # normalizing and a positive scale keep the shape: skewness unchanged
        assert r.stats["scaled"].skewness == pytest.approx(r.stats["input"].skewness, abs=1e-6)


def test_normalizing_does_not_make_a_skewed_batch_gaussian():
    r = explore_setting("skewed", 10_000)
    assert r.stats["input"].skewness > 1.5 and r.stats["normalized"].skewness > 1.5


def test_gamma_and_beta_move_a_sigmoid_in_and_out_of_its_flat_region():
    x = sample_distribution("normal", 10_000, np.random.default_rng(0))
    assert explore(x, 1.0, 0.0).saturated < 0.001
    assert explore(x, 4.0, 0.0).saturated > 0.3
    assert explore(x, 1.0, 5.0).saturated > 0.8
    r = explore(x, 1.0, 0.0)
    np.testing.assert_allclose(r.values["activated"], sigmoid(r.values["scaled"]))


def test_eps_zero_with_a_constant_batch_reports_instead_of_nan():
    x = np.full((50, 1), 3.0)
    r = explore(x, eps=0.0)
    assert r.error and "0/0" in r.error and set(r.values) == {"input"}
    assert "cannot normalize" in format_stats(r)
    ok = explore(x, eps=1e-3)  # with eps > 0 a constant batch normalizes to all zeros: y = beta
    assert ok.error is None and ok.stats["normalized"].std == 0.0


@pytest.mark.parametrize("kwargs, match", [
    ({"x": np.zeros((4, 2))}, "one feature"),
    ({"activation": "swish"}, "activation must be one of"),
    ({"gamma": np.nan}, "gamma must be a finite number"),
    ({"beta": [1.0]}, "beta must be a finite number"),
    ({"eps": -1.0}, "eps must be a finite number >= 0"),
])
def test_explore_validates_arguments(kwargs, match):
    args = {"x": np.arange(5.0)} | kwargs
    with pytest.raises(ValueError, match=match):
        explore(**args)


def test_histogram_heights():
    heights, edges, off = histogram_heights(np.array([0.1, 0.1, 0.6, 5.0]), (0.0, 1.0), bins=4)
    assert heights.tolist() == [1.0, 0.0, 0.5, 0.0] and edges.tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    assert off == 0.25


def test_format_stats_is_rounded_and_has_no_negative_zero():
    text = format_stats(explore_setting("normal", 1000))
    assert text.splitlines()[1].startswith("normalized  mean    0.000 std   1.000")
    assert "-0.000" not in text


# -- the widget ------------------------------------------------------------------------------------------

@pytest.fixture
def w():
    return build_explorer(batch_size=1000)


def test_builder_returns_a_displayable_box_with_labelled_controls(w):
    import ipywidgets as widgets
    assert isinstance(w, (Explorer, widgets.VBox))
    assert (w.gamma.description, w.beta.description, w.eps.description) == ("\u03b3", "\u03b2", "\u03b5")
    assert "bn-gamma" in w.gamma._dom_classes and "bn-eps" in w.eps._dom_classes
    assert "bn-explorer" in w._dom_classes and w.image in w.children
    assert w.n_updates == 1 and w.last_stats is not None


def test_setting_gamma_updates_stats_and_picture_in_place(w):
    before, size, n = w.image.value, png_size(w.image.value), w.n_updates
    w.gamma.value = 2.5
    r = w.last_stats
    assert w.n_updates == n + 1 and w.image.value != before
    assert png_size(w.image.value) == size  # fixed size: no jumping page
    assert r.stats["scaled"].std == pytest.approx(2.5 * np.sqrt(r.var / (r.var + r.eps)))
    assert r.stats["input"] == explore_setting("normal", 1000).stats["input"]  # same batch, not resampled


def test_setting_beta_and_eps(w):
    w.beta.value = -2.0
    assert w.last_stats.stats["scaled"].mean == pytest.approx(-2.0)
    w.dist.value = "tiny-variance"
    w.eps.value = 1e-1
    r = w.last_stats
    assert r.eps == pytest.approx(0.1) and r.stats["normalized"].std ** 2 == pytest.approx(r.var / (r.var + 0.1))
    assert r.stats["normalized"].std < 0.05


def test_eps_zero_is_only_reached_through_the_guard_checkbox(w):
    assert w.eps.min == -8 and w.eps.value > 0  # the log slider itself never reaches 0
    w.dist.value = "constant"
    w.eps_zero.value = True
    assert w.eps.disabled and w.last_stats.error  # a message in the figure, not a traceback or NaN
    png_size(w.image.value)
    w.eps_zero.value = False
    assert not w.eps.disabled and w.last_stats.error is None


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_no_setting_produces_nan_or_an_exception(w, dist):
    w.dist.value = dist
    for eps_zero in (False, True):
        w.eps_zero.value = eps_zero
        for activation in ("sigmoid", "relu"):
            w.activation.value = activation
            for stat in w.last_stats.stats.values():
                assert np.isfinite(stat).all()


def test_batch_size_and_activation_controls(w):
    w.batch_size.value = 8
    assert len(w.last_stats.values["input"]) == 8
    w.activation.value = "relu"
    assert w.last_stats.values["activated"].min() >= 0.0 and w.last_stats.activation == "relu"


def test_identity_button_recovers_the_input():
    w = build_explorer(batch_size=1000, identity_button=True)
    w.identity.click()
    r = w.last_stats
    assert w.gamma.value == pytest.approx(np.sqrt(r.var + r.eps))
    np.testing.assert_allclose(r.values["scaled"], r.values["input"], atol=1e-9)


def test_gamma_and_beta_sliders_saturate_the_sigmoid(w):
    assert w.last_stats.saturated < 0.01
    w.beta.value = 5.0
    assert w.last_stats.saturated > 0.8


def test_builder_does_not_use_pyplot():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    build_explorer(batch_size=1000)
    assert plt.get_fignums() == before


@pytest.mark.parametrize("kwargs, match", [
    ({"dist": "uniform"}, "dist must be one of"),
    ({"activation": "tanh"}, "activation must be one of"),
    ({"batch_size": 7}, "batch_size must be one of"),
    ({"stages": ("input", "output")}, "stages must be"),
    ({"eps": 2.0}, "eps must be in"),
])
def test_builder_validates_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_explorer(**kwargs)


# -- the static twin ----------------------------------------------------------------------------------------

def test_static_grid_draws_one_row_per_setting():
    import matplotlib.pyplot as plt
    settings = [{"dist": "normal"}, {"dist": "tiny-variance", "eps": 1e-1}, {"dist": "constant", "eps": 0.0}]
    axes = plot_explorer_grid(settings)
    assert axes.shape == (3, len(STAGES))
    texts = [t.get_text() for t in axes[1, 1].texts]
    want = explore_setting("tiny-variance", eps=1e-1).stats["normalized"]
    assert any(f"std  {want.std:.3f}" in t for t in texts)
    assert any("0/0" in t.get_text() for t in axes[2, -1].texts)
    plt.close(axes[0, 0].figure)


def test_static_grid_validates():
    with pytest.raises(ValueError, match="settings must name"):
        plot_explorer_grid([])
    with pytest.raises(ValueError, match="unknown key"):
        plot_explorer_grid([{"gama": 1.0}])


# -- the visible mini-batch ---------------------------------------------------------------------------------

def test_format_batch_has_rows_mean_and_std():
    x = np.array([[1.0, 10.0], [3.0, 30.0]])
    lines = format_batch(x, "x", ["a", "b"], digits=1).splitlines()
    assert lines[0].split() == ["x", "a", "b"]
    assert lines[1].split() == ["i=1", "1.0", "10.0"] and lines[4].split() == ["mean", "2.0", "20.0"]
    assert lines[5].split() == ["std", "1.0", "10.0"]
    with pytest.raises(ValueError, match="feature_names has 1 names"):
        format_batch(x, "x", ["a"])
    with pytest.raises(ValueError, match="must be an \\(m, D\\) batch"):
        format_batch(np.ones(3), "x")


def test_plot_minibatch_steps_draws_every_value_and_mean():
    import matplotlib.pyplot as plt
    x = np.arange(12.0).reshape(4, 3)
    axes = plot_minibatch_steps({"input": x, "normalized": x / 2}, ["a", "b", "c"])
    assert len(axes) == 2
    dots = [line for line in axes[0].lines if line.get_marker() == "o"]
    np.testing.assert_array_equal(np.concatenate([line.get_xdata() for line in dots]), x.T.ravel())
    plt.close(axes[0].figure)
    with pytest.raises(ValueError, match="same \\(m, D\\) shape"):
        plot_minibatch_steps({"input": x, "normalized": x[:2]})


# -- how linear the activation acts ---------------------------------------------------------------------------

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
    with pytest.raises(ValueError, match="activation must be one of"):
        linear_fit_r2(z, "swish")
