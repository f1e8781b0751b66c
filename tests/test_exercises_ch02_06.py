"""Checkers for chapters 02 and 06: right answers pass, each classic mistake fails with its own hint."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from exercise_checks import run  # noqa: E402


# -- chapter 02 -------------------------------------------------------------------------------------------

def test_saturated_share_right_answers_pass(capsys):
    for fn in (lambda z, t: np.mean(np.abs(z) > t), ex._saturated_share,
               lambda z, t: (np.abs(np.ravel(z)) > t).sum() / np.size(z)):
        ok, line = run(capsys, ex.check_saturated_share, fn)
        assert ok is True and line.startswith("\u2713")


@pytest.mark.parametrize("wrong, hint", [
    (lambda z, t: np.mean(z > t), "positive side"),
    (lambda z, t: np.mean(np.abs(z) >= t), "use >, not >="),
    (lambda z, t: np.mean(np.abs(z) <= t), "*unsaturated*"),
    (lambda z, t: np.mean(np.abs(z) > t, axis=0), "one share per unit"),
    (lambda z, t: np.sum(np.abs(z) > t), "returned a count"),
    (lambda z, t: 0.5, "expected"),
])
def test_saturated_share_mistakes_get_their_hint(capsys, wrong, hint):
    ok, line = run(capsys, ex.check_saturated_share, wrong)
    assert ok is False and line.startswith("\u2717") and hint in line


def test_saturated_share_not_written_and_raising(capsys):
    def not_yet(z, t):
        raise NotImplementedError("your code here")

    ok, line = run(capsys, ex.check_saturated_share, not_yet)
    assert not ok and "not written yet" in line
    ok, line = run(capsys, ex.check_saturated_share, lambda z: 0.0)
    assert not ok and "raised TypeError" in line
    ok, line = run(capsys, ex.check_saturated_share, 0.3)
    assert not ok and "pass your function itself" in line


def test_saturated_share_solution_prints(capsys):
    ex.solution("saturated_share")
    assert capsys.readouterr().out.startswith("def saturated_share(z, threshold):")


# -- chapter 06 -------------------------------------------------------------------------------------------

def ema(values, momentum, start):
    moving = np.array(start, dtype=float)
    for v in values:
        moving = momentum * moving + (1 - momentum) * v
    return moving


def test_moving_average_right_answers_pass(capsys):
    from bn_lesson.inference import moving_average

    for fn in (ema, ex._moving_average, lambda v, m, s: moving_average(v, m, s)[-1]):
        ok, line = run(capsys, ex.check_moving_average, fn)
        assert ok is True and line.startswith("\u2713")


@pytest.mark.parametrize("wrong, hint", [
    (lambda v, m, s: ema(v, 1 - m, s), "swapped"),
    (lambda v, m, s: ema(v[1:], m, v[0]), "first value"),
    (lambda v, m, s: v.mean(axis=0), "plain mean"),
    (lambda v, m, s: ema(v, m, s) / (1 - m ** len(v)), "bias correction"),
    (lambda v, m, s: np.array([ema(v[:k + 1], m, s) for k in range(len(v))]), "whole history"),
    (lambda v, m, s: ema(v, m, 0.0) * 1.01, "expected"),
])
def test_moving_average_mistakes_get_their_hint(capsys, wrong, hint):
    ok, line = run(capsys, ex.check_moving_average, wrong)
    assert ok is False and hint in line


def fold(W, b, g, be, mu, var, eps):
    s = g / np.sqrt(var + eps)
    return W * s, (b - mu) * s + be


def test_fold_bn_right_answers_pass(capsys):
    from bn_lesson.inference import fold_bn
    from bn_lesson.layer import BatchNorm

    def via_layer(W, b, g, be, mu, var, eps):
        layer = BatchNorm(len(g), eps=eps)
        layer.gamma, layer.beta, layer.moving_mean, layer.moving_var = g, be, mu, var
        return fold_bn(W, b, layer)

    for fn in (fold, ex._fold_bn, via_layer, lambda *a: list(fold(*a))):
        ok, line = run(capsys, ex.check_fold_bn, fn)
        assert ok is True and line.startswith("\u2713")


@pytest.mark.parametrize("wrong, hint", [
    (lambda W, b, g, be, mu, v, e: (W * g / (v + e), (b - mu) * g / (v + e) + be), "not by the variance"),
    (lambda W, b, g, be, mu, v, e: (W * g / (np.sqrt(v) + e), (b - mu) * g / (np.sqrt(v) + e) + be), "inside"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), -mu * g / np.sqrt(v + e) + be), "old bias b is lost"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), b * g / np.sqrt(v + e) + be), "moving mean"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), (b - mu) * g / np.sqrt(v + e)), "forgot beta"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), b - mu * g / np.sqrt(v + e) + be), "scaled too"),
    (lambda W, b, g, be, mu, v, e: (W / np.sqrt(v + e), (b - mu) * g / np.sqrt(v + e) + be), "W_folded is wrong"),
    (lambda W, b, g, be, mu, v, e: (W * g / np.sqrt(v + e), b + be), "b_folded is not"),
    (lambda W, b, g, be, mu, v, e: (W.T, b), "expected shapes"),
    (lambda W, b, g, be, mu, v, e: W, "return two arrays"),
])
def test_fold_bn_mistakes_get_their_hint(capsys, wrong, hint):
    ok, line = run(capsys, ex.check_fold_bn, wrong)
    assert ok is False and line.startswith("\u2717") and hint in line


def test_ch06_checkers_not_written_raising_and_not_callable(capsys):
    def not_yet(*args):
        raise NotImplementedError("your code here")

    for checker in (ex.check_moving_average, ex.check_fold_bn):
        ok, line = run(capsys, checker, not_yet)
        assert not ok and "not written yet" in line
        ok, line = run(capsys, checker, lambda *a: 1 / 0)
        assert not ok and "raised ZeroDivisionError" in line
        ok, line = run(capsys, checker, None)
        assert not ok and "pass your function itself" in line


@pytest.mark.parametrize("name", ["moving_average", "fold_bn"])
def test_ch06_solutions_print_and_pass(capsys, name):
    ex.solution(name)
    assert capsys.readouterr().out.startswith(f"def {name}(")
    ok, _ = run(capsys, getattr(ex, f"check_{name}"), ex._SOLUTIONS[name])
    assert ok
