"""Chapter 04's checkers: right answers pass, each classic mistake fails with its own hint, never a traceback."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from exercise_checks import run  # noqa: E402


RIGHT = [
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + eps), mu)),
    (ex.check_identity_params, lambda mu, var, eps: [(var + eps) ** 0.5, mu.copy()]),  # a list is a pair too
    (ex.check_gamma_for_flat_share, lambda x, s: 4.0 / np.quantile(np.abs(x), 1 - s)),
    # any gamma that gives the share passes: here the midpoint between two neighbouring |x_hat| values
    (ex.check_gamma_for_flat_share,
     lambda x, s: 8.0 / sum(np.sort(np.abs(x))[::-1][int(round(s * len(x))) - 1:int(round(s * len(x))) + 1])),
]


@pytest.mark.parametrize("checker, fn", RIGHT)
def test_right_answers_pass(capsys, checker, fn):
    ok, line = run(capsys, checker, fn)
    assert ok is True and line.startswith("\u2713"), line


@pytest.mark.parametrize("name", ["identity_params", "gamma_for_flat_share"])
def test_reference_solutions_pass_their_own_checker_and_print(capsys, name):
    ok, _ = run(capsys, getattr(ex, f"check_{name}"), ex._SOLUTIONS[name])
    assert ok and name in ex.SOLUTION_NAMES
    ex.solution(name)
    assert capsys.readouterr().out.startswith(f"def {name}(")


def test_identity_solution_really_recovers_the_input():
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 2))
    mu, var, eps = x.mean(0), x.var(0), 1e-3
    gamma, beta = ex._identity_params(mu, var, eps)
    np.testing.assert_allclose(gamma * (x - mu) / np.sqrt(var + eps) + beta, x)


WRONG = [
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var), mu), "leaves eps out"),
    (ex.check_identity_params, lambda mu, var, eps: (var + eps, mu), "gamma is the variance"),
    (ex.check_identity_params, lambda mu, var, eps: (mu, np.sqrt(var + eps)), "swapped"),
    (ex.check_identity_params, lambda mu, var, eps: (1 / np.sqrt(var + eps), -mu / np.sqrt(var + eps)),
     "normalization itself"),
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + eps), -mu), "wrong sign"),
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + eps), 0.0), "not 0"),
    (ex.check_identity_params, lambda mu, var, eps: np.sqrt(var + eps), "return the pair"),
    (ex.check_identity_params, lambda mu, var, eps: (np.sqrt(var + eps), mu + 1), "expected"),
    (ex.check_gamma_for_flat_share, lambda x, s: 4.0 / np.quantile(x, 1 - s), "abs(x_hat)"),
    (ex.check_gamma_for_flat_share, lambda x, s: 4.0 / np.quantile(np.abs(x), s), "(1 - share) quantile"),
    (ex.check_gamma_for_flat_share, lambda x, s: np.quantile(np.abs(x), 1 - s) / 4.0, "upside down"),
    (ex.check_gamma_for_flat_share, lambda x, s: 4.0 / 1.96, "of the batch in the flat region, not 50%"),
    (ex.check_gamma_for_flat_share, lambda x, s: -1.0, "positive number"),
    (ex.check_gamma_for_flat_share, lambda x, s: [1.0, 2.0], "return one number"),
]


@pytest.mark.parametrize("checker, fn, hint", WRONG, ids=[f"{c.__name__}-{h}" for c, _, h in WRONG])
def test_classic_mistakes_fail_with_their_hint(capsys, checker, fn, hint):
    ok, line = run(capsys, checker, fn)
    assert ok is False and line.startswith("\u2717") and hint in line, line


@pytest.mark.parametrize("checker", [ex.check_identity_params, ex.check_gamma_for_flat_share])
def test_unwritten_broken_and_uncallable_answers(capsys, checker):
    def todo(*args):
        raise NotImplementedError

    def broken(*args):
        return args[0].nonexistent_method()

    ok, line = run(capsys, checker, todo)
    assert not ok and "not written yet" in line
    ok, line = run(capsys, checker, broken)
    assert not ok and "your function raised AttributeError" in line
    ok, line = run(capsys, checker, 1.0)
    assert not ok and "pass your function itself" in line
