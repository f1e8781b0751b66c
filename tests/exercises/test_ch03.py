"""Chapter 03's checkers: right answers pass, each classic mistake gets its own hint, every argument matters."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.algorithm import batch_mean, batch_norm, batch_variance, normalize, scale_and_shift
from bn_lesson.constants import DEFAULT_EPS

AX = (0, 1, 2)

RIGHT = [
    (ex.check_batch_mean, lambda x, axis=0: x.mean(axis=axis)),
    (ex.check_batch_mean, batch_mean),
    (ex.check_batch_variance, lambda x, mean, axis=0: x.var(axis=axis)),   # mean is x's own: right too
    (ex.check_batch_variance, batch_variance),
    (ex.check_normalize, lambda x, mean, var, eps: (x - mean) / np.sqrt(var + eps)),
    (ex.check_normalize, normalize),
    (ex.check_scale_and_shift, lambda x_hat, gamma, beta: gamma * x_hat + beta),
    (ex.check_scale_and_shift, scale_and_shift),
    (ex.check_batch_norm, lambda x, g, b, e: g * (x - x.mean(0)) / np.sqrt(x.var(0) + e) + b),
    (ex.check_batch_norm, batch_norm),   # a NamedTuple with y first
    (ex.check_batch_norm, lambda x, g, b, e: (g * (x - x.mean(0)) / np.sqrt(x.var(0) + e) + b, "cache")),
]


@pytest.mark.parametrize("checker, fn", RIGHT, ids=lambda v: getattr(v, "__name__", ""))
def test_right_answers_pass(run, checker, fn):
    ok, line = run(checker, fn)
    assert ok and line.startswith(ex.PASS), line


def bn(x, g, b, e, axis=0, ddof=0):
    mu, var = x.mean(axis, keepdims=True), x.var(axis, ddof=ddof, keepdims=True)
    return g * (x - mu) / np.sqrt(var + e) + b


WRONG = [
    (ex.check_batch_mean, lambda x, axis=0: x.mean(axis=1), "averaged over the features"),
    (ex.check_batch_mean, lambda x, axis=0: x.mean(), "returned one number"),
    (ex.check_batch_mean, lambda x, axis=0: x.sum(axis=axis), "returned the sum"),
    (ex.check_batch_mean, lambda x, axis=0: x.mean(0), "use the axis argument"),               # a fixed axis
    (ex.check_batch_mean, lambda x, axis=0: x.mean(axis=axis, keepdims=True), "has shape (1, 3); expected shape (3,)"),
    (ex.check_batch_variance, lambda x, mean, axis=0: x.var(axis=axis, ddof=1), "unbiased"),
    (ex.check_batch_variance, lambda x, mean, axis=0: x.std(axis=axis), "standard deviation"),
    (ex.check_batch_variance, lambda x, mean, axis=0: (x ** 2).mean(axis=axis), "subtract the mean"),
    (ex.check_batch_variance, lambda x, mean, axis=0: ((x - mean) ** 2).mean(0), "use the axis argument"),
    (ex.check_normalize, lambda x, m, v, e: (x - m) / (np.sqrt(v) + e), "inside"),
    (ex.check_normalize, lambda x, m, v, e: (x - m) / np.sqrt(v), "left eps out"),
    (ex.check_normalize, lambda x, m, v, e: (x - m) / (v + e), "divided by the variance"),
    (ex.check_normalize, lambda x, m, v, e: x / np.sqrt(v + e), "forgot to subtract the mean"),
    (ex.check_normalize, lambda x, m, v, e: (x - v) / np.sqrt(m + e), "swapped"),
    (ex.check_scale_and_shift, lambda x_hat, g, b: b * x_hat + g, "swapped"),
    (ex.check_scale_and_shift, lambda x_hat, g, b: g * (x_hat + b), "shifted before scaling"),
    (ex.check_scale_and_shift, lambda x_hat, g, b: x_hat, "unchanged"),
    (ex.check_scale_and_shift, lambda x_hat, g, b: g * x_hat, "forgot beta"),
    (ex.check_scale_and_shift, lambda x_hat, g, b: x_hat + b, "forgot gamma"),
    (ex.check_batch_norm, lambda x, g, b, e: bn(x, g, b, e, ddof=1), "unbiased"),
    (ex.check_batch_norm, lambda x, g, b, e: g * (x - x.mean(0)) / (x.std(0) + e) + b, "*inside* the square root"),
    (ex.check_batch_norm, lambda x, g, b, e: bn(x, g, b, e, axis=1), "axis=1"),
    (ex.check_batch_norm, lambda x, g, b, e: bn(x, b, g, e), "swapped"),
    (ex.check_batch_norm, lambda x, g, b, e: bn(x, 1.0, 0.0, e), "returned x_hat"),
    (ex.check_batch_norm, lambda x, g, b, e: bn(x, g, b, 0.0), "left eps out"),
]


@pytest.mark.parametrize("checker, fn, hint", WRONG, ids=[f"{c.__name__}-{h}" for c, _, h in WRONG])
def test_classic_mistakes_get_their_hint(run, checker, fn, hint):
    ok, line = run(checker, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


# -- every argument matters (issue 10, item 1) ------------------------------------------------------------

@pytest.mark.parametrize("checker, fn", [
    (ex.check_normalize, lambda x, m, v, e: (x - m) / np.sqrt(v + DEFAULT_EPS)),
    (ex.check_batch_norm, lambda x, g, b, e: bn(x, g, b, DEFAULT_EPS)),   # the reproducer of issue 10
], ids=["normalize", "batch_norm"])
def test_a_hard_coded_eps_fails_and_is_named(run, checker, fn):
    ok, line = run(checker, fn)
    assert not ok and "what eps=1e-3 would give" in line and "use the `eps` argument" in line, line


def test_normalize_uses_the_statistics_it_is_given(run):
    """Moving (inference) statistics are not x's own: recomputing them fails, even for a single example."""
    ok, line = run(ex.check_normalize, lambda x, m, v, e: (x - x.mean(0)) / np.sqrt(x.var(0) + e))
    assert not ok and "you recomputed the mean and variance from x" in line and "moving" in line, line


def test_scale_and_shift_takes_gamma_and_beta_as_numbers_or_per_channel(run):
    def per_feature_only(x_hat, gamma, beta):   # indexes gamma, so it breaks on a plain number
        return np.stack([gamma[j] * x_hat[:, j] + beta[j] for j in range(x_hat.shape[1])], axis=1)
    ok, line = run(ex.check_scale_and_shift, per_feature_only)
    assert not ok and line.startswith(ex.FAIL), line


def test_unknown_mistakes_get_the_numbers(run):
    ok, line = run(ex.check_batch_mean, lambda x, axis=0: x.mean(axis=axis) + 0.5)
    assert not ok and "expected" in line and "at index" in line and "got" in line, line


def test_solution_prints_code_and_rejects_unknown_names(capsys):
    ex.solution("batch_norm")
    out = capsys.readouterr().out
    assert out.startswith("def batch_norm(x, gamma, beta, eps):") and "np.sqrt(var + eps)" in out
    with pytest.raises(ValueError, match="name must be one of"):
        ex.solution("nope")
    with pytest.raises(TypeError, match="name must be"):
        ex.solution(ex.SOLUTIONS["batch_norm"])


def test_the_solutions_agree_with_the_package(capsys):
    rng = np.random.default_rng(3)
    x, g, b = rng.normal(2, 3, (7, 4)), rng.uniform(0.5, 2, 4), rng.normal(size=4)
    np.testing.assert_allclose(ex.SOLUTIONS["batch_norm"](x, g, b, DEFAULT_EPS), batch_norm(x, g, b, DEFAULT_EPS).y)
    maps = rng.normal(size=(3, 4, 4, 2))
    mu = ex.SOLUTIONS["batch_mean"](maps, AX)
    np.testing.assert_allclose(mu, batch_mean(maps, AX))
    np.testing.assert_allclose(ex.SOLUTIONS["batch_variance"](maps, mu, AX), batch_variance(maps, mu, AX))
