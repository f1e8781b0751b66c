"""Chapter 07's checker (batch norm with tf.nn): right answers pass, each classic slip gets its own hint."""
import pytest

from bn_lesson import exercises as ex
from bn_lesson.constants import DEFAULT_EPS

tf = pytest.importorskip("tensorflow")


def tf_bn(axes=None, swap=False, eps=None, std=False, dtype=None):
    """A learner's tf.nn version, optionally with one mistake."""
    def fn(x, gamma, beta, e):
        if dtype is not None:
            x, gamma, beta = (tf.constant(v, dtype=dtype) for v in (x, gamma, beta))
        ax = list(range(len(x.shape) - 1)) if axes is None else axes(len(x.shape))
        mean, variance = tf.nn.moments(x, axes=ax, keepdims=True)
        if std:
            variance = tf.sqrt(variance)
        offset, scale = (gamma, beta) if swap else (beta, gamma)
        return tf.nn.batch_normalization(x, mean, variance, offset=offset, scale=scale,
                                         variance_epsilon=e if eps is None else eps)
    return fn


@pytest.mark.parametrize("fn", [tf_bn(), tf_bn(dtype=tf.float32), ex.SOLUTIONS["tf_batch_norm"]],
                         ids=["float64", "float32", "solution"])
def test_right_answers_pass(run, fn):
    ok, line = run(ex.check_tf_batch_norm, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn, hint", [
    (tf_bn(swap=True), "offset is beta"),
    (tf_bn(axes=lambda ndim: [0]), "axes=[0, 1, 2]"),
    (tf_bn(axes=lambda ndim: [ndim - 1]), "reduced over the channel axis"),
    (tf_bn(eps=0.0), "variance_epsilon"),
    (tf_bn(std=True), "not the standard deviation"),
    (tf_bn(eps=DEFAULT_EPS), "what eps=1e-3 would give"),
    (tf_bn(eps=DEFAULT_EPS, dtype=tf.float32), "what eps=1e-3 would give"),
], ids=["swapped", "conv axes [0]", "channel axis", "eps 0", "std for variance", "eps 1e-3", "eps 1e-3 float32"])
def test_mistakes_get_their_hint(run, fn, hint):
    ok, line = run(ex.check_tf_batch_norm, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


def test_per_image_statistics_get_their_hint(run):
    def per_image(x, gamma, beta, e):  # instance norm on maps, correct on (N, D)
        axes = [0] if len(x.shape) == 2 else [1, 2]
        mean, variance = tf.nn.moments(x, axes=axes, keepdims=True)
        return tf.nn.batch_normalization(x, mean, variance, beta, gamma, e)
    ok, line = run(ex.check_tf_batch_norm, per_image)
    assert not ok and "per image" in line, line


def test_a_tensorflow_error_is_one_line(run):
    ok, line = run(ex.check_tf_batch_norm, lambda x, g, b, e: tf.nn.moments(x))  # missing axes
    assert not ok and "raised TypeError" in line, line
    ok, line = run(ex.check_tf_batch_norm, lambda x, g, b, e: tf.reshape(x, [-1, 7]))
    assert not ok and "your function raised InvalidArgumentError" in line, line


def test_the_solution_prints_with_keywords(capsys):
    ex.solution("tf_batch_norm")
    out = capsys.readouterr().out
    assert out.startswith("def tf_batch_norm(") and "offset=beta, scale=gamma" in out
