"""Every bad input of issue 10's list gets an error that names the argument and what was expected.

One table across the package, so a reader sees the convention at work: a wrong *kind* of value is a
TypeError, a value of the right kind but out of range or of the wrong shape a ValueError.
"""
import numpy as np
import pytest

from bn_lesson import BatchNorm, batch_norm
from bn_lesson.inference import fold_bn, moving_average, steps_to_converge
from bn_lesson.models.conv import output_size
from bn_lesson.stages import explore
from bn_lesson.viz.stage_plots import plot_explorer_grid

X = np.arange(12.0).reshape(6, 2) * [1, 3]


def _folded_layer_with_negative_variance():
    layer = BatchNorm(2)
    layer.moving_var = np.array([1.0, -0.5])
    return layer


CASES = [
    (lambda: batch_norm(X, axis=None), TypeError, "axis must be an int or a tuple of ints"),
    (lambda: batch_norm(X, axis=np.array(0)), TypeError, "axis must be an int or a tuple of ints"),
    (lambda: batch_norm(X, gamma=None), TypeError, "gamma must be a numeric array"),
    (lambda: explore(X[:, :1], gamma="1"), TypeError, "gamma must be a number"),
    (lambda: explore(X[:, :1], gamma=1e308), ValueError, "gamma"),
    (lambda: output_size(5, 3, 0), ValueError, "stride must be an int >= 1"),
    (lambda: output_size(5.5, 3), TypeError, "size must be an int"),
    (lambda: BatchNorm(2).backward(np.ones((3, 2)), None), TypeError, "cache must be"),
    (lambda: moving_average(np.ones((4, 2)), start=np.zeros(3)), ValueError, "start has shape"),
    (lambda: BatchNorm(3).forward(np.ones(3), training=True), ValueError, "features on the last axis"),
    (lambda: plot_explorer_grid([{}], stages=()), ValueError, "stages"),
    (lambda: steps_to_converge(0, tol=5), ValueError, "tol must be"),
    (lambda: fold_bn(np.ones((3, 2)), np.zeros(2), _folded_layer_with_negative_variance()), ValueError,
     "moving_var must be finite and >= 0"),
]


@pytest.mark.parametrize("call, error, message", CASES, ids=[c[2] for c in CASES])
def test_bad_input_gets_an_error_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_comparison_tensorflow_cannot_compute_in_float32_is_refused_not_reported_as_a_difference():
    compare = pytest.importorskip("bn_lesson.tf.compare")
    x = np.random.default_rng(0).normal(size=(8, 3)) * 1e20
    with pytest.raises(ValueError, match="float32, where their squares"):
        compare.compare_implementations(x, 1.0, 0.0)
