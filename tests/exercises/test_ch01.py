"""Chapter 01's checker: right z-scores pass, each classic mistake gets its own hint."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.standardize import zscore


@pytest.mark.parametrize("fn", [lambda x: (x - x.mean(0)) / x.std(0), zscore, ex.SOLUTIONS["zscore"],
                                lambda x: (x - np.mean(x, axis=0, keepdims=True)) / np.std(x, axis=0)],
                         ids=["formula", "bn_lesson.zscore", "solution", "keepdims"])
def test_right_answers_pass(run, fn):
    ok, line = run(ex.check_zscore, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn, hint", [
    (lambda x: (x - x.mean(0)) / x.std(0, ddof=1), "sample* std"),
    (lambda x: (x - x.mean(0)) / x.var(0), "instead of the standard deviation"),
    (lambda x: (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True), "each row"),
    (lambda x: x / x.std(0), "forgot to subtract the mean"),
    (lambda x: (x - x.mean()) / x.std(), "whole array"),
    (lambda x: (x - x.mean(0)) / x.std(0) + 0.01, "expected"),
    (lambda x: ((x - x.mean(0)) / x.std(0)).mean(0), "has shape (3,); expected shape (6, 3)"),
], ids=["ddof", "variance", "rows", "no mean", "one mean", "numbers", "shape"])
def test_classic_mistakes_get_their_hint(run, fn, hint):
    ok, line = run(ex.check_zscore, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


def test_a_notebook_variable_instead_of_the_argument_fails(run):
    data = np.random.default_rng(0).normal(size=(6, 3))
    ok, line = run(ex.check_zscore, lambda x: (data - data.mean(0)) / data.std(0))
    assert not ok and line.startswith(ex.FAIL), line
