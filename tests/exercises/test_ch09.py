"""Chapter 09's checker (the compact backward pass): right answers pass, a missing term is named."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.constants import DEFAULT_EPS
from bn_lesson.layer import BatchNorm


def backward(mean_term=True, var_term=True, use_gamma=True, over_m=True, with_eps=True, sign=-1, eps=None):
    def fn(dout, x_hat, gamma, var, e):
        e = e if eps is None else eps
        m = dout.shape[0]
        inv_std = 1 / np.sqrt(var + (e if with_eps else 0))
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


def via_layer(dout, x_hat, gamma, var, eps):
    """bn_lesson's own BatchNorm.backward, fed an x that has this x_hat and var."""
    layer = BatchNorm(len(gamma), eps=eps)
    layer.gamma = gamma
    x = x_hat * np.sqrt(var + eps)
    _, cache = layer.forward(x, training=True)
    return layer.backward(dout, cache)[0]


@pytest.mark.parametrize("fn", [backward(), staged_backward, via_layer, ex.SOLUTIONS["bn_backward"]],
                         ids=["compact", "staged", "BatchNorm.backward", "solution"])
def test_right_answers_pass(run, fn):
    ok, line = run(ex.check_bn_backward, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn, hint", [
    (backward(mean_term=False, var_term=False), "inference-mode gradient"),
    (backward(mean_term=False), "batch mean is missing"),
    (backward(var_term=False), "batch variance is missing"),
    (backward(use_gamma=False), "left out gamma"),
    (backward(over_m=False), "divide by m"),
    (backward(with_eps=False), "eps belongs inside"),
    (backward(sign=+1), "signs"),
    (backward(eps=DEFAULT_EPS), "what eps=1e-3 would give"),
    (lambda dout, x_hat, gamma, var, eps: backward()(dout, x_hat, gamma, x_hat.var(0), eps), "recomputed the variance"),
    (lambda dout, x_hat, gamma, var, eps: dout.sum(0), "has shape"),
], ids=["both terms", "mean term", "variance term", "gamma", "1/m", "eps", "sign", "eps 1e-3", "var from x_hat",
        "shape"])
def test_mistakes_get_their_hint(run, fn, hint):
    ok, line = run(ex.check_bn_backward, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line
