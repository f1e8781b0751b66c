import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from bn_lesson import zscore, min_max

batches = arrays(np.float64, st.tuples(st.integers(2, 20), st.integers(1, 4)),
                 elements=st.floats(-1e4, 1e4, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(batches)
def test_zscore_gives_mean_zero_std_one(x):
    assume((x.std(axis=0) > 1e-3).all())  # constant features are tested below
    z = zscore(x)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(z.std(axis=0), 1, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(batches)
def test_min_max_maps_each_feature_onto_0_1(x):
    spread, size = np.ptp(x, axis=0), np.abs(x).max(axis=0)
    if ((spread <= 8 * np.finfo(float).eps * size) | (spread < 1e-150)).any():   # constant up to rounding
        with pytest.raises(ValueError, match="constant feature"):
            min_max(x)
        return
    s = min_max(x)
    np.testing.assert_allclose(s.min(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(s.max(axis=0), 1, rtol=1e-12)


def test_zscore_known_values():
    np.testing.assert_allclose(zscore([[1.0], [3.0]]), [[-1.0], [1.0]])


def test_min_max_known_values_and_axis():
    np.testing.assert_allclose(min_max([[0.0, 10.0], [5.0, 20.0]], axis=1), [[0, 1], [0, 1]])


def test_constant_feature_raises_not_nan():
    with pytest.raises(ValueError, match="constant feature"):
        zscore(np.array([[1.0, 2.0], [1.0, 3.0]]))


def test_bad_axis_and_nan_are_named():
    with pytest.raises(ValueError, match="axis=3 is out of range"):
        zscore(np.ones((2, 2)), axis=3)
    with pytest.raises(ValueError, match="x contains"):
        min_max([[np.nan], [1.0]])
