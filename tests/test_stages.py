"""``explore``: one feature's batch through the four steps, checked against batch_norm and the lesson's identities."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bn_lesson.activations import sigmoid
from bn_lesson.algorithm import batch_norm
from bn_lesson.constants import SIGMOID_FLAT
from bn_lesson.data import DISTRIBUTIONS, sample_distribution
from bn_lesson.stages import STAGES, check_stages, explore, explore_setting


def test_explore_agrees_with_batch_norm():
    x = sample_distribution("skewed", 500, np.random.default_rng(3))
    r = explore(x, gamma=1.7, beta=-0.4, eps=1e-2, activation="relu")
    ref = batch_norm(x, 1.7, -0.4, 1e-2)
    np.testing.assert_allclose(r.values["scaled"], ref.y[:, 0])
    np.testing.assert_allclose(r.values["normalized"], ref.x_hat[:, 0])
    np.testing.assert_allclose(r.values["activated"], np.maximum(ref.y[:, 0], 0.0))
    assert (r.mu, r.var) == pytest.approx((ref.mu[0], ref.var[0]))
    assert list(r.values) == list(r.stats) == list(STAGES)


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


def test_the_saturated_share_is_the_share_beyond_the_sigmoids_flat_edge():
    r = explore_setting("normal", 10_000, gamma=3.0, beta=1.0)
    assert r.saturated == np.mean(np.abs(r.values["scaled"]) > SIGMOID_FLAT)
    relu = explore_setting("normal", 10_000, beta=-0.5, activation="relu")
    assert relu.saturated == np.mean(relu.values["scaled"] <= 0)


def test_eps_zero_with_a_constant_batch_reports_instead_of_nan():
    x = np.full((50, 1), 3.0)
    r = explore(x, eps=0.0)
    assert r.error and "0/0" in r.error and set(r.values) == set(r.stats) == {"input"}
    assert np.isnan(r.saturated)
    ok = explore(x, eps=1e-3)  # with eps > 0 a constant batch normalizes to all zeros: y = beta
    assert ok.error is None and ok.stats["normalized"].std == 0.0


def test_a_constant_batch_is_judged_relative_to_its_size():
    """0.1 repeated has a computed variance of ~1e-34, not 0: it is still constant, and eps = 0 still 0/0."""
    r = explore(np.full(7, 0.1), eps=0.0)
    assert r.error and "0/0" in r.error


@pytest.mark.parametrize("kwargs, error, match", [
    ({"x": np.zeros((4, 2))}, ValueError, "one feature"),
    ({"x": "abc"}, TypeError, "x must be a numeric array"),
    ({"activation": "swish"}, ValueError, "activation must be one of"),
    ({"gamma": np.nan}, ValueError, "gamma must be a finite number"),
    ({"beta": [1.0]}, TypeError, "beta must be a number"),
    ({"eps": -1.0}, ValueError, "eps must be a finite number >= 0"),
    ({"x": np.array([1.0, 1e200])}, ValueError, "overflow"),
])
def test_explore_validates_arguments(kwargs, error, match):
    args = {"x": np.arange(5.0)} | kwargs
    with pytest.raises(error, match=match):
        explore(**args)


def test_explore_setting_is_the_same_batch_for_the_same_seed():
    a, b = explore_setting("bimodal", 128, seed=4), explore_setting("bimodal", 128, gamma=2.0, seed=4)
    np.testing.assert_array_equal(a.values["input"], b.values["input"])
    assert explore_setting("bimodal", 128, seed=5).stats["input"] != a.stats["input"]


def test_check_stages():
    assert check_stages(["input", "scaled"]) == ("input", "scaled")
    with pytest.raises(ValueError, match="stages must be a non-empty selection"):
        check_stages(("input", "output"))
    with pytest.raises(ValueError, match="stages must be a non-empty selection"):
        check_stages(())
    with pytest.raises(TypeError, match="stages must be a tuple"):
        check_stages("input")
