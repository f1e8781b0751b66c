"""Checkers: right answers pass, each classic mistake fails with its own hint, never a traceback."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from exercise_checks import run  # noqa: E402


RIGHT = {
    ex.check_zscore: lambda x: (x - x.mean(0)) / x.std(0),
    ex.check_batch_mean: lambda x, axis=0: x.mean(axis=axis),
    ex.check_batch_variance: lambda x, mean, axis=0: x.var(axis=axis),
    ex.check_normalize: lambda x, mean, var, eps: (x - mean) / np.sqrt(var + eps),
    ex.check_scale_and_shift: lambda x_hat, gamma, beta: gamma * x_hat + beta,
    ex.check_batch_norm: lambda x, g, b, e: g * (x - x.mean(0)) / np.sqrt(x.var(0) + e) + b,
}


@pytest.mark.parametrize("checker", RIGHT, ids=lambda c: c.__name__)
def test_right_answers_pass(capsys, checker):
    ok, line = run(capsys, checker, RIGHT[checker])
    assert ok is True and line.startswith("\u2713")


@pytest.mark.parametrize("name", ex.SOLUTION_NAMES)
def test_reference_solutions_pass_their_own_checker(capsys, name):
    ok, _ = run(capsys, getattr(ex, f"check_{name}"), ex._SOLUTIONS[name])
    assert ok


WRONG = [
    (ex.check_zscore, lambda x: (x - x.mean(0)) / x.std(0, ddof=1), "sample* std"),
    (ex.check_zscore, lambda x: (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True), "each row"),
    (ex.check_zscore, lambda x: x / x.std(0), "forgot to subtract the mean"),
    (ex.check_batch_mean, lambda x, axis=0: x.mean(axis=1), "averaged over the features"),
    (ex.check_batch_mean, lambda x, axis=0: x.mean(0), "per channel"),
    (ex.check_batch_mean, lambda x, axis=0: x.sum(axis=axis), "returned the sum"),
    (ex.check_batch_variance, lambda x, mean, axis=0: x.var(axis=axis, ddof=1), "unbiased"),
    (ex.check_batch_variance, lambda x, mean, axis=0: x.std(axis=axis), "standard deviation"),
    (ex.check_batch_variance, lambda x, mean, axis=0: (x ** 2).mean(axis=axis), "subtract the mean"),
    (ex.check_normalize, lambda x, m, v, e: (x - m) / (np.sqrt(v) + e), "inside"),
    (ex.check_normalize, lambda x, m, v, e: (x - m) / np.sqrt(v), "left eps out"),
    (ex.check_normalize, lambda x, m, v, e: (x - m) / (v + e), "divided by the variance"),
    (ex.check_scale_and_shift, lambda x_hat, g, b: b * x_hat + g, "swapped"),
    (ex.check_scale_and_shift, lambda x_hat, g, b: g * (x_hat + b), "shifted before scaling"),
    (ex.check_batch_norm, lambda x, g, b, e: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + e) + b, "unbiased"),
    (ex.check_batch_norm, lambda x, g, b, e: g * (x - x.mean(0)) / (x.std(0) + e) + b, "*inside* the square root"),
    (ex.check_batch_norm,
     lambda x, g, b, e: g * (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + e) + b, "axis=1"),
    (ex.check_batch_norm, lambda x, g, b, e: b * (x - x.mean(0)) / np.sqrt(x.var(0) + e) + g, "swapped"),
    (ex.check_batch_norm, lambda x, g, b, e: (x - x.mean(0)) / np.sqrt(x.var(0) + e), "returned x_hat"),
]


@pytest.mark.parametrize("checker, fn, hint", WRONG, ids=[f"{c.__name__}-{h}" for c, _, h in WRONG])
def test_classic_mistakes_fail_with_their_hint(capsys, checker, fn, hint):
    ok, line = run(capsys, checker, fn)
    assert ok is False and line.startswith("\u2717") and hint in line


def test_an_exception_in_the_learners_code_is_reported_not_raised(capsys):
    def broken(x):
        return x.nonexistent_method()

    ok, line = run(capsys, ex.check_zscore, broken)
    assert not ok and "your function raised AttributeError" in line


def test_an_unwritten_exercise_says_so(capsys):
    def todo(x, gamma, beta, eps):
        raise NotImplementedError

    ok, line = run(capsys, ex.check_batch_norm, todo)
    assert not ok and "not written yet" in line


def test_an_unknown_mistake_gets_the_numbers(capsys):
    ok, line = run(capsys, ex.check_batch_mean, lambda x, axis=0: x.mean(axis=axis) + 0.5)
    assert not ok and "expected" in line and "got" in line


def test_passing_a_call_instead_of_the_function(capsys):
    ok, line = run(capsys, ex.check_zscore, None)
    assert not ok and "pass your function itself" in line


def test_a_returned_tuple_uses_its_first_item(capsys):
    ok, _ = run(capsys, ex.check_batch_norm,
                lambda x, g, b, e: (RIGHT[ex.check_batch_norm](x, g, b, e), "cache"))
    assert ok


def test_solution_prints_code_and_rejects_unknown_names(capsys):
    ex.solution("batch_norm")
    out = capsys.readouterr().out
    assert out.startswith("def batch_norm(x, gamma, beta, eps):") and "np.sqrt(var + eps)" in out
    with pytest.raises(ValueError, match="name must be one of"):
        ex.solution("nope")
