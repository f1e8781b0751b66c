"""Plain gradient descent on least squares: the payoff of standardizing, measured.

The loss is L(w, b) = mean((X w + b - y)^2). Its curvature (Hessian) is H = 2/N [X 1]^T [X 1].
Gradient descent is stable for learning rates below 2 / lambda_max(H), and the number of steps it
needs grows with the condition number lambda_max / lambda_min: features on very different scales
make that number huge, standardized features make it small.
"""
from typing import NamedTuple

import numpy as np

from .._checks import check_batch, as_array, check_finite


def _design(X):
    return np.hstack([X, np.ones((X.shape[0], 1))])  # (N, D + 1): the bias is the last weight


def _check_xy(X, y):
    X = check_batch(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D (N, D) array, got shape {X.shape}")
    y = as_array(y, "y")
    check_finite(y, "y")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y has shape {y.shape}; expected ({X.shape[0]},) to match X's rows")
    return X, y


def curvature(X):
    """Eigenvalues of the least-squares Hessian, ascending.

    Parameters
    ----------
    X : (N, D) ndarray

    Returns
    -------
    eig : (D + 1,) ndarray
    """
    A = _design(check_batch(X, "X"))
    return np.linalg.eigvalsh(2.0 / A.shape[0] * A.T @ A)


def condition_number(X):
    """lambda_max / lambda_min of the least-squares Hessian: how stretched the loss valley is."""
    eig = curvature(X)
    return float(eig[-1] / eig[0])


def best_loss(X, y):
    """The least-squares optimum (what gradient descent is trying to reach)."""
    X, y = _check_xy(X, y)
    A = _design(X)
    w, *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(np.mean((A @ w - y) ** 2))


class DescentResult(NamedTuple):
    losses: np.ndarray  #: (steps + 1,) loss before each step and after the last
    steps: int          #: steps taken
    converged: bool     #: whether the loss came within ``tol`` of the optimum


def gradient_descent(X, y, lr=None, tol=1e-3, max_steps=10_000):
    """Run gradient descent from zero weights until the loss is within ``tol`` (relative) of the optimum.

    Parameters
    ----------
    X : (N, D) ndarray
    y : (N,) ndarray
    lr : float or None
        Learning rate; None picks 1 / lambda_max, the largest rate that is safe for this X.
    tol : float > 0
        Stop when (loss - best) <= tol * best.
    max_steps : int

    Returns
    -------
    DescentResult(losses, steps, converged)
    """
    X, y = _check_xy(X, y)
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a number > 0, got {tol!r}")
    if not (isinstance(max_steps, int) and max_steps >= 1):
        raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
    A = _design(X)                                   # (N, D + 1)
    n = A.shape[0]
    if lr is None:
        lr = 1.0 / curvature(X)[-1]
    elif not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"lr must be a number > 0 or None, got {lr!r}")
    target = best_loss(X, y) * (1 + tol)
    w = np.zeros(A.shape[1])                         # (D + 1,)
    losses = np.empty(max_steps + 1)
    for step in range(max_steps + 1):
        residual = A @ w - y                         # (N,)
        losses[step] = residual @ residual / n
        if losses[step] <= target or not np.isfinite(losses[step]) or step == max_steps:
            break
        w -= lr * (2.0 / n) * (A.T @ residual)       # (D + 1,)
    return DescentResult(losses[: step + 1], step, bool(losses[step] <= target))
