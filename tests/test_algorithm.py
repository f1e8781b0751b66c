"""The four steps and batch_norm: properties the lesson teaches, and clear errors for bad input."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from bn_lesson import batch_mean, batch_variance, normalize, scale_and_shift, batch_norm, DEFAULT_EPS

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
batches = arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 5)), elements=finite)
eps_values = st.sampled_from([1e-5, 1e-3, 0.1, 1.0])


def spread_out(x):
    """Hypothesis may draw a feature that is constant or nearly so; keep those where a property needs spread."""
    return x.var(axis=0).min() > 1e-6


@settings(max_examples=60, deadline=None)
@given(batches, eps_values)
def test_normalize_gives_mean_zero_and_variance_var_over_var_plus_eps(x, eps):
    mu = batch_mean(x)
    var = batch_variance(x, mu)
    x_hat = normalize(x, mu, var, eps)
    scale = np.abs(x).max() + 1
    np.testing.assert_allclose(x_hat.mean(axis=0), 0, atol=1e-9 * scale)
    np.testing.assert_allclose(x_hat.var(axis=0), var / (var + eps), rtol=1e-7, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(batches, eps_values, st.floats(0.1, 5), st.floats(-5, 5))
def test_scale_and_shift_gives_mean_beta_and_std_gamma_times_shrink(x, eps, gamma, beta):
    y, mu, var, _ = batch_norm(x, gamma, beta, eps)
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-7 * (np.abs(x).max() + 1))
    np.testing.assert_allclose(y.std(axis=0), gamma * np.sqrt(var / (var + eps)), rtol=1e-7, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(batches, eps_values)
def test_gamma_sqrt_var_eps_and_beta_mean_recover_the_input(x, eps):
    mu = batch_mean(x)
    var = batch_variance(x, mu)
    y = batch_norm(x, np.sqrt(var + eps), mu, eps).y
    np.testing.assert_allclose(y, x, rtol=1e-9, atol=1e-9 * (np.abs(x).max() + 1))


def test_variance_is_biased_like_the_paper():
    x = np.array([[1.0], [3.0]])
    assert batch_variance(x, batch_mean(x)).tolist() == [1.0]  # 1/m, not 1/(m-1) = 2


def test_conv_maps_are_normalized_per_channel_over_n_h_w():
    rng = np.random.default_rng(0)
    x = rng.normal([1.0, -3.0, 10.0], [1.0, 0.1, 5.0], size=(4, 5, 5, 3))
    y, mu, var, x_hat = batch_norm(x, axis=(0, 1, 2))
    assert mu.shape == var.shape == (3,)
    np.testing.assert_allclose(mu, x.reshape(-1, 3).mean(0))
    np.testing.assert_allclose(x_hat.reshape(-1, 3).mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(x_hat.reshape(-1, 3).var(0), var / (var + DEFAULT_EPS))


def test_axis_need_not_lead():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6))
    y, mu, var, _ = batch_norm(x, gamma=np.full(4, 2.0), beta=np.arange(4.0), eps=0.0, axis=1)
    assert mu.shape == (4,)
    np.testing.assert_allclose(y.mean(axis=1), np.arange(4.0), atol=1e-12)
    np.testing.assert_allclose(y.std(axis=1), 2.0)


def test_result_unpacks_and_names_every_stage():
    r = batch_norm(np.array([[1.0, 2.0], [3.0, 6.0]]), eps=0.0)
    y, mu, var, x_hat = r
    assert r.mu is mu and r.x_hat is x_hat
    np.testing.assert_allclose(x_hat, [[-1, -1], [1, 1]])


@pytest.mark.parametrize("call, message", [
    (lambda: batch_norm(np.empty((0, 3))), "empty batch"),
    (lambda: batch_norm(np.ones((4, 3)) * [1, 2, 3] + np.arange(4)[:, None], gamma=np.ones(2)), "gamma has shape"),
    (lambda: batch_norm(np.arange(8.0).reshape(4, 2), beta=np.ones((2, 1))), "beta has shape"),
    (lambda: batch_norm(np.arange(8.0).reshape(4, 2), eps=-1e-3), "eps must be"),
    (lambda: batch_norm(np.array([[1.0, np.nan], [2.0, 3.0]])), "x contains 1 NaN or inf"),
    (lambda: batch_norm(np.array([[1.0, np.inf], [2.0, 3.0]])), "NaN or inf"),
    (lambda: batch_norm(np.arange(8.0).reshape(4, 2), axis=2), "axis=2 is out of range"),
    (lambda: batch_norm(np.arange(8.0).reshape(4, 2), axis=(0, 0)), "repeats"),
    (lambda: batch_norm(np.float64(3.0)), "scalar"),
    (lambda: normalize(np.ones((3, 2)), np.ones(3), np.ones(2), 1e-3), "mean has shape"),
    (lambda: normalize(np.ones((3, 2)), np.ones(2), -np.ones(2), 1e-3), "var contains negative"),
    (lambda: batch_variance(np.ones((3, 2)), np.ones(3)), "mean has shape"),
    (lambda: scale_and_shift(np.ones((3, 2)), np.ones(3), 0.0), "gamma has shape"),
])
def test_bad_input_raises_a_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: batch_norm(np.arange(8.0).reshape(4, 2), axis=0.5), "axis must be an int"),
    (lambda: batch_norm([["a", "b"]]), "x must be an array of real numbers"),
    (lambda: batch_norm(None), "x must be a numeric array"),
    (lambda: batch_norm(np.ones((3, 2)), eps="0.1"), "eps must be a number"),
])
def test_a_wrong_kind_of_value_raises_a_type_error_naming_the_argument(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_zero_variance_with_eps_zero_raises_instead_of_nan():
    x = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])  # second feature is constant
    with pytest.raises(ValueError, match="eps=0 and 1 feature"):
        batch_norm(x, eps=0.0)
    y = batch_norm(x, eps=1e-3).y  # with eps the constant feature maps to 0, not NaN
    assert np.isfinite(y).all() and np.all(y[:, 1] == 0)


def test_a_batch_of_one_is_all_zeros_not_nan():
    y = batch_norm(np.array([[3.0, -1.0]])).y
    assert y.tolist() == [[0.0, 0.0]]


def test_inputs_are_not_modified():
    x = np.arange(6.0).reshape(3, 2)
    gamma = np.array([2.0, 3.0])
    batch_norm(x, gamma, 0.5)
    assert x.tolist() == np.arange(6.0).reshape(3, 2).tolist() and gamma.tolist() == [2.0, 3.0]


def test_integer_input_is_accepted():
    np.testing.assert_allclose(batch_norm([[1, 2], [3, 4]], eps=0).y, [[-1, -1], [1, 1]])
