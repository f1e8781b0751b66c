"""Chapter 05 checkers: per-channel statistics of (N, H, W, C) maps. Right answers pass, each classic
axis mistake fails with its own hint, in one line, never a traceback."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.algorithm import batch_norm
from bn_lesson.models.conv import channel_stats
from exercise_checks import run  # noqa: E402

AX = (0, 1, 2)


RIGHT = [
    (ex.check_channel_moments, lambda x: (x.mean(axis=AX), x.var(axis=AX))),
    (ex.check_channel_moments, lambda x: [batch_norm(x, axis=AX).mu, batch_norm(x, axis=AX).var]),
    (ex.check_channel_moments, lambda x: (channel_stats(x)[0], channel_stats(x)[1] ** 2)),
    (ex.check_conv_batch_norm, lambda x, g, b, e: g * (x - x.mean(AX)) / np.sqrt(x.var(AX) + e) + b),
    (ex.check_conv_batch_norm, lambda x, g, b, e: batch_norm(x, g, b, e, axis=AX)),  # a NamedTuple: y first
]


@pytest.mark.parametrize("checker, fn", RIGHT)
def test_right_answers_pass(capsys, checker, fn):
    ok, line = run(capsys, checker, fn)
    assert ok is True and line.startswith("\u2713")


@pytest.mark.parametrize("name", ["channel_moments", "conv_batch_norm"])
def test_reference_solutions_pass_and_print(capsys, name):
    ok, _ = run(capsys, getattr(ex, f"check_{name}"), ex._SOLUTIONS[name])
    assert ok
    ex.solution(name)
    assert capsys.readouterr().out.startswith(f"def {name}(")
    assert name in ex.SOLUTION_NAMES


def bn(x, g, b, e, axes=AX, ddof=0):
    return g * (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, ddof=ddof, keepdims=True) + e) + b


WRONG = [
    (ex.check_channel_moments, lambda x: (x.mean(0), x.var(0)), "axis 0 only"),
    (ex.check_channel_moments, lambda x: (x.mean(), x.var()), "all axes"),
    (ex.check_channel_moments, lambda x: (x.mean((1, 2)), x.var((1, 2))), "instance norm"),
    (ex.check_channel_moments, lambda x: (x.mean((0, 2, 3)), x.var((0, 2, 3))), "channels-first"),
    (ex.check_channel_moments, lambda x: (x.mean(AX, keepdims=True), x.var(AX, keepdims=True)), "keepdims"),
    (ex.check_channel_moments, lambda x: (x.mean(AX), x.var(AX, ddof=1)), "unbiased"),
    (ex.check_channel_moments, lambda x: (x.mean(AX), x.std(AX)), "standard deviation"),
    (ex.check_channel_moments, lambda x: (x.mean(AX), x.var(0)), "axis 0 only"),  # mean right, var wrong
    (ex.check_channel_moments, lambda x: x.mean(AX), "return two arrays"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, (0,)), "axis 0 only"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, None), "whole map"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, (1, 2)), "instance norm"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, (1, 2, 3)), "layer norm"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, (0, 2, 3)), "channels-first"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, ddof=1), "unbiased"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, b, g, e), "swapped"),
]


@pytest.mark.parametrize("checker, fn, hint", WRONG, ids=[f"{c.__name__}-{h}" for c, _, h in WRONG])
def test_classic_mistakes_fail_with_their_hint(capsys, checker, fn, hint):
    ok, line = run(capsys, checker, fn)
    assert ok is False and line.startswith("\u2717") and hint in line


def test_an_unwritten_exercise_says_so(capsys):
    def todo(x):
        raise NotImplementedError

    ok, line = run(capsys, ex.check_channel_moments, todo)
    assert not ok and "not written yet" in line


def test_an_exception_is_reported_not_raised(capsys):
    ok, line = run(capsys, ex.check_channel_moments, lambda x: x.no_such_method())
    assert not ok and "your function raised AttributeError" in line
    ok, line = run(capsys, ex.check_conv_batch_norm, lambda x, g, b, e: x.no_such_method())
    assert not ok and "your function raised AttributeError" in line


def test_an_unknown_mistake_gets_the_numbers(capsys):
    ok, line = run(capsys, ex.check_channel_moments, lambda x: (x.mean(AX) + 0.5, x.var(AX)))
    assert not ok and "expected" in line and "got" in line and "(mean)" in line


def test_passing_a_call_instead_of_the_function(capsys):
    ok, line = run(capsys, ex.check_channel_moments, None)
    assert not ok and "pass your function itself" in line
