import numpy as np
import pytest

from bn_lesson import zscore
from bn_lesson.data import wine_regression
from bn_lesson.models.descent import best_loss, condition_number, gradient_descent


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


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -1.0}, "lr must be"), ({"tol": 0}, "tol must be"), ({"max_steps": 0}, "max_steps must be"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gradient_descent(np.eye(3), np.ones(3), **kwargs)


def test_mismatched_y_is_named():
    with pytest.raises(ValueError, match="y has shape"):
        gradient_descent(np.eye(3), np.ones(4))
