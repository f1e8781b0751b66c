"""Chapter 10's checker: the shift per step. Right answers pass, each classic mistake gets its hint."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.tf.training import step_to_step_shift


@pytest.mark.parametrize("fn", [
    ex.SOLUTIONS["shift_per_step"],
    step_to_step_shift,                                                     # the chapter's own measure
    lambda m: np.mean([np.abs(m[t + 1] - m[t]) for t in range(len(m) - 1)], axis=0),   # a loop over steps
    lambda m: np.abs(m[1:] - m[:-1]).sum(axis=0) / (len(m) - 1),
], ids=["solution", "tf.training.step_to_step_shift", "loop", "slices"])
def test_shift_per_step_right_answers_pass(run, fn):
    ok, line = run(ex.check_shift_per_step, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn, hint", [
    (lambda m: np.abs(np.diff(m, axis=1)).mean(axis=1), "axis=1"),
    (lambda m: np.diff(m, axis=0).mean(axis=0), "without the absolute value"),
    (lambda m: np.abs(m[-1] - m[0]) / (len(m) - 1), "net change from first to last"),
    (lambda m: (np.diff(m, axis=0) ** 2).mean(axis=0), "squared"),
    (lambda m: np.abs(m - m.mean(axis=0)).mean(axis=0), "spread"),
    (lambda m: np.abs(np.diff(m, axis=0)).sum(axis=0) / len(m), "T - 1 changes"),
    (lambda m: np.abs(np.diff(m, axis=0)).mean(), "shape (U,)"),
    (lambda m: np.abs(np.diff(m, axis=0)).max(axis=0), "expected"),
])
def test_shift_per_step_mistakes(run, fn, hint):
    ok, line = run(ex.check_shift_per_step, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line
