import numpy as np
import pytest

from bn_lesson.gradcheck import numerical_gradient, rel_error


def test_numerical_gradient_of_a_known_function():
    p = np.array([1.0, -2.0, 0.5])
    g = numerical_gradient(lambda: np.sum(p ** 3), p)
    np.testing.assert_allclose(g, 3 * p ** 2, rtol=1e-8)
    assert p.tolist() == [1.0, -2.0, 0.5]  # restored


def test_rel_error_is_scale_free_and_zero_for_equal_arrays():
    a = np.array([1e-9, 2.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(1e6 * a, 1e6 * (a + [0, 1e-3])) == pytest.approx(rel_error(a, a + [0, 1e-3]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="h must be"):
        numerical_gradient(lambda: 0.0, np.ones(2), h=0)
    with pytest.raises(TypeError, match="p must be a float ndarray"):
        numerical_gradient(lambda: 0.0, np.ones(2, dtype=int))
