"""Checkers of chapters 07 (tf.nn batch norm) and 09 (the backward pass): right answers pass, each
classic mistake gets its own hint, nothing raises."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from exercise_checks import run  # noqa: E402


# --- chapter 07: check_tf_batch_norm ---

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


def test_tf_batch_norm_right_answers_pass(capsys):
    for fn in (tf_bn(), tf_bn(dtype=tf.float32), ex._tf_batch_norm):
        ok, line = run(capsys, ex.check_tf_batch_norm, fn)
        assert ok is True and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn, hint", [
    (tf_bn(swap=True), "offset is beta"),
    (tf_bn(axes=lambda ndim: [0]), "axes=[0, 1, 2]"),
    (tf_bn(axes=lambda ndim: [ndim - 1]), "reduced over the channel axis"),
    (tf_bn(eps=0.0), "variance_epsilon"),
    (tf_bn(std=True), "not the standard deviation"),
], ids=["swapped", "conv axes [0]", "channel axis", "eps 0", "std for variance"])
def test_tf_batch_norm_mistakes_get_their_hint(capsys, fn, hint):
    ok, line = run(capsys, ex.check_tf_batch_norm, fn)
    assert ok is False and line.startswith(ex.FAIL) and hint in line, line


def test_tf_batch_norm_per_image_statistics_get_their_hint(capsys):
    def per_image(x, gamma, beta, e):  # instance norm on maps, correct on (N, D)
        axes = [0] if len(x.shape) == 2 else [1, 2]
        mean, variance = tf.nn.moments(x, axes=axes, keepdims=True)
        return tf.nn.batch_normalization(x, mean, variance, beta, gamma, e)
    ok, line = run(capsys, ex.check_tf_batch_norm, per_image)
    assert ok is False and "per image" in line, line


def test_tf_batch_norm_not_written_and_raising(capsys):
    def todo(x, gamma, beta, eps):
        raise NotImplementedError
    assert run(capsys, ex.check_tf_batch_norm, todo)[1].endswith("with your code")
    ok, line = run(capsys, ex.check_tf_batch_norm, lambda x, g, b, e: tf.nn.moments(x))  # missing axes
    assert ok is False and "raised TypeError" in line


# --- chapter 09: check_bn_backward ---

def backward(mean_term=True, var_term=True, use_gamma=True, over_m=True, with_eps=True, sign=-1):
    def fn(dout, x_hat, gamma, var, eps):
        m = dout.shape[0]
        inv_std = 1 / np.sqrt(var + (eps if with_eps else 0))
        inner = m * dout
        if mean_term:
            inner = inner + sign * dout.sum(0)
        if var_term:
            inner = inner + sign * x_hat * (dout * x_hat).sum(0)
        return (gamma if use_gamma else 1) * inv_std / (m if over_m else 1) * inner
    return fn


def staged_backward(dout, x_hat, gamma, var, eps):
    """The paper's chain rule, step by step (x - mu recovered from x_hat): must pass too."""
    m = dout.shape[0]
    std = np.sqrt(var + eps)
    xmu = x_hat * std
    dx_hat = dout * gamma
    dvar = (dx_hat * xmu).sum(0) * -0.5 * std ** -3
    dmu = -(dx_hat / std).sum(0) + dvar * (-2 * xmu).mean(0)
    return dx_hat / std + dvar * 2 * xmu / m + dmu / m


@pytest.mark.parametrize("fn", [backward(), staged_backward, ex._bn_backward], ids=["compact", "staged", "solution"])
def test_bn_backward_right_answers_pass(capsys, fn):
    ok, line = run(capsys, ex.check_bn_backward, fn)
    assert ok is True and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn, hint", [
    (backward(mean_term=False, var_term=False), "inference-mode gradient"),
    (backward(mean_term=False), "batch mean is missing"),
    (backward(var_term=False), "batch variance is missing"),
    (backward(use_gamma=False), "left out gamma"),
    (backward(over_m=False), "divide by m"),
    (backward(with_eps=False), "eps belongs inside"),
    (backward(sign=+1), "signs"),
], ids=["both terms", "mean term", "variance term", "gamma", "1/m", "eps", "sign"])
def test_bn_backward_mistakes_get_their_hint(capsys, fn, hint):
    ok, line = run(capsys, ex.check_bn_backward, fn)
    assert ok is False and line.startswith(ex.FAIL) and hint in line, line


def test_bn_backward_wrong_shape_and_not_written(capsys):
    ok, line = run(capsys, ex.check_bn_backward, lambda dout, x_hat, gamma, var, eps: dout.sum(0))
    assert ok is False and "expected shape" in line

    def todo(dout, x_hat, gamma, var, eps):
        raise NotImplementedError
    assert run(capsys, ex.check_bn_backward, todo)[1].endswith("with your code")


def test_solutions_print_their_code(capsys):
    for name in ("tf_batch_norm", "bn_backward"):
        assert name in ex.SOLUTION_NAMES
        ex.solution(name)
        out = capsys.readouterr().out
        assert out.startswith(f"def {name}(")
    assert "offset=beta, scale=gamma" in ex.inspect.getsource(ex._tf_batch_norm)
