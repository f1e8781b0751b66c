import numpy as np
import pytest

from bn_lesson import zscore
from bn_lesson.data import wine_regression
from bn_lesson.models.descent import best_loss, condition_number, curvature, gradient_descent


def test_wine_is_bundled_and_badly_scaled():
    d = wine_regression()
    assert d.X.shape == (178, 12) and d.y.shape == (178,)
    spread = d.X.std(axis=0)
    assert spread.max() / spread.min() > 1000


def test_standardizing_shrinks_the_condition_number_and_the_step_count():
    d = wine_regression()
    assert condition_number(d.X) > 1e6 > 1e2 > condition_number(zscore(d.X))
    raw = gradient_descent(d.X, d.y, max_steps=2000)
    std = gradient_descent(zscore(d.X), d.y, max_steps=2000)
    assert std.converged and std.steps < 200
    assert not raw.converged


def test_descent_reaches_the_least_squares_optimum():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ [1.0, -2.0, 0.5] + 3 + rng.normal(0, 0.1, 50)
    r = gradient_descent(X, y, tol=1e-6)
    assert r.converged and r.losses[-1] <= best_loss(X, y) * (1 + 1e-6)
    assert np.all(np.diff(r.losses) <= 1e-12)  # lr = 1/lambda_max never overshoots


def test_gradient_descent_is_stable_below_two_over_lambda_max_and_diverges_above():
    X = np.random.default_rng(1).normal(size=(40, 3)) * [1.0, 3.0, 0.3]
    y = X @ [0.5, -1.0, 2.0] + 1.0
    lam_max = curvature(X)[-1]
    below = gradient_descent(X, y, lr=1.9 / lam_max, tol=1e-6, max_steps=20_000)
    above = gradient_descent(X, y, lr=2.1 / lam_max, max_steps=300)
    assert below.converged
    assert not above.converged and above.losses[-1] > 1e3 * above.losses[0]


def test_whitened_features_have_condition_number_one_and_converge_in_one_step():
    X = np.random.default_rng(2).normal(size=(100, 4)) @ [[1, 2, 0, 0], [0, 1, 0, 0], [0, 0, 3, 1], [0, 0, 0, 1]]
    Z = X - X.mean(axis=0)
    eigval, eigvec = np.linalg.eigh(Z.T @ Z / len(Z))
    white = Z @ eigvec / np.sqrt(eigval)           # decorrelated, unit variance (PCA whitening)
    y = X @ [1.0, -1.0, 0.5, 2.0] + np.random.default_rng(3).normal(size=100)
    assert condition_number(white) == pytest.approx(1.0)
    assert gradient_descent(white, y, tol=1e-9).steps == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -1.0}, "lr must be"), ({"tol": 0}, "tol must be"), ({"max_steps": 0}, "max_steps must be"),
])
def test_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gradient_descent(np.eye(3), np.ones(3), **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": "fast"}, "lr must be a number"), ({"tol": None}, "tol must be a number"),
    ({"max_steps": 10.0}, "max_steps must be an int"),
])
def test_wrong_kinds_are_type_errors(kwargs, message):
    with pytest.raises(TypeError, match=message):
        gradient_descent(np.eye(3), np.ones(3), **kwargs)


def test_mismatched_y_is_named():
    with pytest.raises(ValueError, match="y has shape"):
        gradient_descent(np.eye(3), np.ones(4))
    with pytest.raises(ValueError, match="X must be a 2-D"):
        condition_number(np.ones(3))


def test_results_are_float64():
    X = np.arange(12, dtype=np.float32).reshape(6, 2) ** 1.5
    y = np.arange(6, dtype=np.int32)
    assert curvature(X).dtype == np.float64
    assert gradient_descent(X, y, max_steps=3).losses.dtype == np.float64
