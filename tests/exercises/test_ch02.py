"""Chapter 02's checker: right shares pass, each classic mistake gets its own hint."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.constants import SIGMOID_FLAT


@pytest.mark.parametrize("fn", [lambda z, t: np.mean(np.abs(z) > t), ex.SOLUTIONS["saturated_share"],
                                lambda z, t: (np.abs(np.ravel(z)) > t).sum() / np.size(z)])
def test_right_answers_pass(run, fn):
    ok, line = run(ex.check_saturated_share, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("wrong, hint", [
    (lambda z, t: np.mean(z > t), "positive side"),
    (lambda z, t: np.mean(np.abs(z) >= t), "use >, not >="),
    (lambda z, t: np.mean(np.abs(z) <= t), "*unsaturated*"),
    (lambda z, t: np.mean(np.abs(z) > t, axis=0), "one share per unit"),
    (lambda z, t: np.sum(np.abs(z) > t), "returned a count"),
    (lambda z, t: np.mean(np.abs(z) > SIGMOID_FLAT), "what threshold=4 would give"),   # a hard-coded edge
    (lambda z, t: np.mean(np.abs(z) > t, axis=-1, keepdims=True), "expected one number"),
    (lambda z, t: 0.5, "expected"),
])
def test_mistakes_get_their_hint(run, wrong, hint):
    ok, line = run(ex.check_saturated_share, wrong)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


def test_a_forgotten_return_is_named_not_a_nan(run):
    def no_return(z, threshold):
        np.mean(np.abs(z) > threshold)

    ok, line = run(ex.check_saturated_share, no_return)
    assert not ok and "returned None" in line and "forget `return`" in line and "nan" not in line, line
