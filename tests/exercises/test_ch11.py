"""Chapter 11's checker: right answers pass, each classic mistake gets its own hint, every argument matters."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.constants import DEFAULT_EPS
from bn_lesson.inference import fold_bn
from bn_lesson.layer import BatchNorm


def fold(W, b, g, be, mu, var, eps):
    s = g / np.sqrt(var + eps)
    return W * s, (b - mu) * s + be


def via_layer(W, b, g, be, mu, var, eps):
    layer = BatchNorm(len(g), eps=eps)
    layer.gamma, layer.beta, layer.moving_mean, layer.moving_var = g, be, mu, var
    return fold_bn(W, b, layer)


@pytest.mark.parametrize("fn", [fold, ex.SOLUTIONS["fold_bn"], via_layer, lambda *a: list(fold(*a))],
                         ids=["formula", "solution", "bn_lesson.inference", "a list"])
def test_fold_bn_right_answers_pass(run, fn):
    ok, line = run(ex.check_fold_bn, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("wrong, hint", [
    (lambda W, b, g, be, mu, v, e: (W * g / (v + e), (b - mu) * g / (v + e) + be), "not by the variance"),
    (lambda W, b, g, be, mu, v, e: (W * g / (np.sqrt(v) + e), (b - mu) * g / (np.sqrt(v) + e) + be), "inside"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), -mu * g / np.sqrt(v + e) + be), "old bias b is lost"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), b * g / np.sqrt(v + e) + be), "moving mean"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), (b - mu) * g / np.sqrt(v + e)), "forgot beta"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), b - mu * g / np.sqrt(v + e) + be), "scaled too"),
    (lambda W, b, g, be, mu, v, e: (W / np.sqrt(v + e), (b - mu) * g / np.sqrt(v + e) + be),
     "`W_folded` is wrong"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), b + be), "`b_folded` is wrong"),
    (lambda W, b, g, be, mu, v, e: (W.T, b), "`W_folded` has shape (3, 5); expected shape (5, 3)"),
    (lambda W, b, g, be, mu, v, e: W, "return 2 values, `return W_folded, b_folded`"),
    (lambda W, b, g, be, mu, v, e: fold(W, b, g, be, mu, v, DEFAULT_EPS), "what eps=1e-3 would give"),
    (lambda W, b, g, be, mu, v, e: fold(W, b, g, be, v, mu, e), "expected"),   # mean and var swapped
])
def test_fold_bn_mistakes_get_their_hint(run, wrong, hint):
    ok, line = run(ex.check_fold_bn, wrong)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


@pytest.mark.parametrize("answer, hint", [
    (lambda W, b, *rest: (W, "abc"), "`b_folded` is a string"),
    (lambda W, b, *rest: (W, [1.0, "a"]), "`b_folded` is a list of 2, not an array of numbers"),
    (lambda W, b, *rest: (None, b), "`W_folded` is None"),
    (lambda W, b, *rest: (W, [[1.0], [2.0, 3.0]]), "not an array of numbers"),
])
def test_fold_bn_does_not_crash_on_answers_that_are_not_numbers(run, answer, hint):
    ok, line = run(ex.check_fold_bn, answer)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line
