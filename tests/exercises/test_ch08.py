"""Chapter 08's checker: steps to reach a target."""
import numpy as np
import pytest

from bn_lesson import exercises as ex


def first(s, a, t):
    hit = np.flatnonzero(a >= t)
    return int(s[hit[0]]) if hit.size else None


@pytest.mark.parametrize("fn", [first, ex.SOLUTIONS["steps_to_reach"],
                                lambda s, a, t: next((int(step) for step, acc in zip(s, a) if acc >= t), None),
                                lambda s, a, t: float(first(s, a, t)) if first(s, a, t) else None],
                         ids=["flatnonzero", "solution", "loop", "a float"])
def test_steps_to_reach_right_answers_pass(run, fn):
    ok, line = run(ex.check_steps_to_reach, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn, hint", [
    (lambda s, a, t: int(np.flatnonzero(a >= t)[0]) if (a >= t).any() else None, "index"),
    (lambda s, a, t: int(s[np.flatnonzero(a > t)[0]]) if (a > t).any() else None, ">="),
    (lambda s, a, t: int(s[np.flatnonzero(a >= t)[-1]]) if (a >= t).any() else None, "last record"),
    (lambda s, a, t: int(s[np.flatnonzero(a >= t)[0]]) if (a >= t).any() else -1, "return None"),
    (lambda s, a, t: first(s, a, 0.9), "use the `target` argument"),
    (lambda s, a, t: 50 * (int(np.flatnonzero(a >= t)[0]) + 1) if (a >= t).any() else None, "`steps`"),
    (lambda s, a, t: s[a >= t], "return one number"),   # the array that used to crash the checker
    (lambda s, a, t: (a >= t).any(), "not True"),
    (lambda s, a, t: first(s, a, t) and first(s, a, t) + 1, "expected step"),
])
def test_steps_to_reach_mistakes(run, fn, hint):
    ok, line = run(ex.check_steps_to_reach, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


def test_steps_to_reach_forgotten_return(run):
    def no_return(steps, accuracy, target):
        first(steps, accuracy, target)
    ok, line = run(ex.check_steps_to_reach, no_return)
    assert not ok and "you returned None, but the accuracy reached" in line and "forget `return`" in line, line
