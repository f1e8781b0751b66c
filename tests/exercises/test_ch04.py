"""Chapter 04's checkers: right answers pass, each classic mistake gets its own hint, never a traceback."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.constants import DEFAULT_EPS, SIGMOID_FLAT

RIGHT = [
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + eps), mu)),
    (ex.check_identity_params, lambda mu, var, eps: [(var + eps) ** 0.5, mu.copy()]),  # a list is a pair too
    (ex.check_identity_params, ex.SOLUTIONS["identity_params"]),
    (ex.check_gamma_for_flat_share, lambda x, s: SIGMOID_FLAT / np.quantile(np.abs(x), 1 - s)),
    (ex.check_gamma_for_flat_share, ex.SOLUTIONS["gamma_for_flat_share"]),
    # any gamma that gives the share passes: here the midpoint between two neighbouring |x_hat| values
    (ex.check_gamma_for_flat_share,
     lambda x, s: 8.0 / sum(np.sort(np.abs(x))[::-1][int(round(s * len(x))) - 1:int(round(s * len(x))) + 1])),
]


@pytest.mark.parametrize("checker, fn", RIGHT)
def test_right_answers_pass(run, checker, fn):
    ok, line = run(checker, fn)
    assert ok and line.startswith(ex.PASS), line


def test_identity_solution_really_recovers_the_input():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 2))
    mu, var = x.mean(0), x.var(0)
    gamma, beta = ex.SOLUTIONS["identity_params"](mu, var, DEFAULT_EPS)
    np.testing.assert_allclose(gamma * (x - mu) / np.sqrt(var + DEFAULT_EPS) + beta, x)


WRONG = [
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var), mu), "leaves eps out"),
    (ex.check_identity_params, lambda mu, var, eps: (var + eps, mu), "gamma is the variance"),
    (ex.check_identity_params, lambda mu, var, eps: (mu, np.sqrt(var + eps)), "swapped"),
    (ex.check_identity_params, lambda mu, var, eps: (1 / np.sqrt(var + eps), -mu / np.sqrt(var + eps)),
     "normalization itself"),
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + eps), -mu), "wrong sign"),
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + eps), 0.0), "not 0"),
    (ex.check_identity_params, lambda mu, var, eps: np.sqrt(var + eps), "return 2 values, `return gamma, beta`"),
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + eps), mu + 1), "`beta` is wrong"),
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + DEFAULT_EPS), mu), "what eps=1e-3 would give"),
    (ex.check_gamma_for_flat_share, lambda x, s: SIGMOID_FLAT / np.quantile(x, 1 - s), "abs(x_hat)"),
    (ex.check_gamma_for_flat_share, lambda x, s: SIGMOID_FLAT / np.quantile(np.abs(x), s), "(1 - share) quantile"),
    (ex.check_gamma_for_flat_share, lambda x, s: np.quantile(np.abs(x), 1 - s) / SIGMOID_FLAT, "upside down"),
    (ex.check_gamma_for_flat_share, lambda x, s: 4.0 / 1.96, "of the batch in the flat region, not 50%"),
    (ex.check_gamma_for_flat_share, lambda x, s: SIGMOID_FLAT / np.quantile(np.abs(x), 0.5),
     "use the `share` argument"),
    (ex.check_gamma_for_flat_share, lambda x, s: -1.0, "positive, finite number"),
    (ex.check_gamma_for_flat_share, lambda x, s: [1.0, 2.0], "return one number"),
    (ex.check_gamma_for_flat_share, lambda x, s: np.nan, "NaN"),
    (ex.check_gamma_for_flat_share, lambda x, s: "2.0", "a string"),
]


@pytest.mark.parametrize("checker, fn, hint", WRONG, ids=[f"{c.__name__}-{h}" for c, _, h in WRONG])
def test_classic_mistakes_fail_with_their_hint(run, checker, fn, hint):
    ok, line = run(checker, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


def test_a_forgotten_return_is_named_not_a_nan(run):
    def no_return(x_hat, share):
        SIGMOID_FLAT / np.quantile(np.abs(x_hat), 1 - share)

    ok, line = run(ex.check_gamma_for_flat_share, no_return)
    assert not ok and "forget `return`" in line and "nan" not in line.lower(), line
