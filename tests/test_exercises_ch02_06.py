"""Checkers for chapters 02 and 06: right answers pass, each classic mistake fails with its own hint."""
import numpy as np
import pytest

from bn_lesson import exercises as ex


def run(capsys, checker, fn):
    ok = checker(fn)
    line = capsys.readouterr().out.strip()
    assert "\n" not in line, "a checker prints exactly one line"
    return ok, line


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
