"""Degenerate input to the public numpy functions: a clear error or a finite, correct result.

Never a NaN and never a silent wrong answer -- for constant features at every magnitude, a single
example, huge and tiny values, and float16/32/64 input (issue: "inputs that cannot slip through").
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from bn_lesson import BatchNorm, batch_norm, min_max, zscore

DTYPES = st.sampled_from([np.float16, np.float32, np.float64])
MAGNITUDES = st.sampled_from([1e-300, 1e-30, 1e-7, 0.1, 0.3, 1.0, 7.7, 1e7, 1e30, 1e140])


def _finite_or_clear_error(call, messages):
    """Run ``call``: a finite result, or a ValueError whose message says what went wrong."""
    try:
        out = call()
    except ValueError as err:
        assert any(m in str(err) for m in messages), f"unclear error: {err}"
        return None
    arr = out[0] if isinstance(out, tuple) else out
    assert np.isfinite(arr).all(), f"non-finite result without an error: {arr}"
    return out


@settings(max_examples=80, deadline=None)
@given(value=MAGNITUDES, sign=st.sampled_from([1.0, -1.0]), n=st.integers(1, 6), dtype=DTYPES)
def test_a_constant_feature_is_refused_at_every_magnitude(value, sign, n, dtype):
    with np.errstate(over="ignore", under="ignore"):
        column = np.full((n, 1), sign * value).astype(dtype)
    if not np.isfinite(column).all() or (column == 0).all():
        return                                     # float16 cannot hold 1e30 or 1e-30: another test's case
    x = np.hstack([column, np.arange(n, dtype=dtype)[:, None]])
    for fn in (zscore, min_max):
        with pytest.raises(ValueError, match="constant feature"):
            fn(x)
    with pytest.raises(ValueError, match="zero variance"):
        batch_norm(x, eps=0.0)
    layer = BatchNorm(2, eps=0.0)
    with pytest.raises(ValueError, match="constant feature"):
        layer.forward(x, training=True)
    assert layer.moving_mean.tolist() == [0, 0]    # nothing changed by the failed call


@settings(max_examples=80, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 3)),
                elements=st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)),
       dtype=DTYPES, eps=st.sampled_from([0.0, 1e-5, 1e-3, 1.0]))
def test_batch_norm_gives_a_finite_result_or_says_why(x, dtype, eps):
    """Up to |x| ~ 1e10 the result is also correct (mean 0). Beyond, a constant feature's rounding
    noise (ulp(|x|)**2 >= 1e-5) can exceed eps and be normalized up to +-1: float64's limit, not a bug
    of the formula; such values are far outside what a layer's input holds."""
    with np.errstate(over="ignore", under="ignore"):
        x = x.astype(dtype)
    if not np.isfinite(x).all():
        return                                     # float16/32 cannot hold the value: nothing to normalize
    messages = ("constant feature", "zero variance", "overflow", "squares")
    out = _finite_or_clear_error(lambda: batch_norm(x, eps=eps), messages)
    if out is not None:
        assert out.y.dtype == np.float64
        if np.abs(x.astype(np.float64)).max() < 1e10:
            np.testing.assert_allclose(out.y.mean(axis=0), 0, atol=1e-6)


@settings(max_examples=300, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 3)),
                elements=st.floats(-1e200, 1e200, allow_nan=False, allow_infinity=False)))
def test_zscore_and_min_max_give_finite_results_or_say_why(x):
    messages = ("constant feature", "squares")
    with np.errstate(divide="raise", invalid="raise"):
        z = _finite_or_clear_error(lambda: zscore(x), messages)
    if z is not None:
        np.testing.assert_allclose(z.std(axis=0), 1, rtol=1e-6)
    s = _finite_or_clear_error(lambda: min_max(x), messages)
    if s is not None:
        assert s.min() >= 0 and s.max() <= 1


def test_overflow_is_named_as_overflow_not_as_nan():
    with pytest.raises(ValueError, match="squares .* overflow"):
        batch_norm(np.array([[1e155], [2e155]]))
    with pytest.raises(ValueError, match="squares .* overflow"):
        zscore(np.array([[1e155], [2e155]]))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_every_numpy_function_returns_float64(dtype):
    x = (np.arange(12).reshape(6, 2) * [1, 3]).astype(dtype)
    assert zscore(x).dtype == min_max(x).dtype == batch_norm(x).y.dtype == np.float64
    assert BatchNorm(2).forward(x, training=True)[0].dtype == np.float64


def test_float16_extremes_are_computed_in_float64():
    x = np.array([[-300.0], [300.0]], dtype=np.float16)        # float16 squares of 300 overflow
    np.testing.assert_allclose(batch_norm(x, eps=0.0).y.ravel(), [-1, 1])


def test_a_spread_too_small_to_square_is_refused_not_divided_by_zero():
    x = np.array([[1e-200, 1.0], [2e-200, 2.0]])
    with pytest.raises(ValueError, match="constant feature"):
        zscore(x)
