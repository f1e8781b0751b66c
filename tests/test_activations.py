import numpy as np
import pytest

from bn_lesson.activations import ACTIVATIONS, saturated_fraction, sigmoid


def test_sigmoid_is_stable_for_huge_inputs():
    assert sigmoid(np.array([-1000.0, 0.0, 1000.0])).tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_derivatives_match_central_differences(name):
    f, df = ACTIVATIONS[name]
    z = np.linspace(-6, 6, 25) + 0.013  # avoid relu's kink at 0
    numeric = (f(z + 1e-6) - f(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(df(z), numeric, atol=1e-7)


def test_saturated_fraction():
    z = np.array([-10.0, -1.0, 0.0, 1.0, 5.0])
    assert saturated_fraction(z, "sigmoid") == 0.4
    assert saturated_fraction(z, "relu") == 0.6
    with pytest.raises(ValueError, match="activation must be one of"):
        saturated_fraction(z, "swish")
