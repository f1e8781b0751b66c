"""Chapter 06's checker: right answers pass, each classic mistake gets its own hint, every argument matters."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.constants import DEFAULT_MOMENTUM
from bn_lesson.inference import moving_average


def ema(values, momentum, start):
    moving = np.array(start, dtype=float)
    for v in values:
        moving = momentum * moving + (1 - momentum) * v
    return moving


@pytest.mark.parametrize("fn", [ema, ex.SOLUTIONS["moving_average"], lambda v, m, s: moving_average(v, m, s)[-1]],
                         ids=["loop", "solution", "bn_lesson.inference"])
def test_moving_average_right_answers_pass(run, fn):
    ok, line = run(ex.check_moving_average, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("wrong, hint", [
    (lambda v, m, s: ema(v, 1 - m, s), "swapped"),
    (lambda v, m, s: ema(v[1:], m, v[0]), "first value"),
    (lambda v, m, s: v.mean(axis=0), "plain mean"),
    (lambda v, m, s: ema(v, m, s) / (1 - m ** len(v)), "bias correction"),
    (lambda v, m, s: np.array([ema(v[:k + 1], m, s) for k in range(len(v))]), "whole history"),
    (lambda v, m, s: ema(v, DEFAULT_MOMENTUM, s), "what momentum=0.99 would give"),
    (lambda v, m, s: ema(v, m, np.zeros(v.shape[1])), "what start=0 would give"),
    (lambda v, m, s: ema(v, m, s) * 1.01, "expected"),
])
def test_moving_average_mistakes_get_their_hint(run, wrong, hint):
    ok, line = run(ex.check_moving_average, wrong)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line
