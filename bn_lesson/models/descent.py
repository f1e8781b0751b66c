"""Plain gradient descent on least squares: the payoff of standardizing, measured.

The loss is L(w, b) = mean((X w + b - y)^2). Its curvature (Hessian) is H = 2/N [X 1]^T [X 1].
Gradient descent is stable for learning rates below 2 / lambda_max(H), and the number of steps it
needs grows with the condition number lambda_max / lambda_min: features on very different scales
make that number huge, standardized features make it small, and whitened (decorrelated and
standardized) features make it exactly 1.
"""
from typing import NamedTuple

import numpy as np

from .. import _checks
from .._checks import validated


def _design(X):
    return np.hstack([X, np.ones((X.shape[0], 1))])  # (N, D + 1): the bias is the last weight


def _check_X(a):
    X = a["X"] = _checks.check_batch(a["X"], "X")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D (N, D) array, got shape {X.shape}")
    return a


def _check_xy(a):
    X = _check_X(a)["X"]
    y = a["y"] = _checks.check_finite(_checks.as_array(a["y"], "y"), "y")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y has shape {y.shape}; expected ({X.shape[0]},) to match X's rows")
    return a


def _check_descent(a):
    a = _check_xy(a)
    if a["lr"] is not None:
        a["lr"] = _checks.check_number(a["lr"], "lr", low=0.0, low_open=True)
    a["tol"] = _checks.check_number(a["tol"], "tol", low=0.0, low_open=True)
    a["max_steps"] = _checks.check_positive_int(a["max_steps"], "max_steps")
    return a


@validated(_check_X)
def curvature(X):
    """Eigenvalues of the least-squares Hessian, ascending.

    Parameters
    ----------
    X : (N, D) ndarray

    Returns
    -------
    eig : (D + 1,) ndarray
    """
    A = _design(X)                                       # (N, D + 1)
    return np.linalg.eigvalsh(2.0 / A.shape[0] * A.T @ A)


def condition_number(X):
    """lambda_max / lambda_min of the least-squares Hessian: how stretched the loss valley is."""
    eig = curvature(X)
    return float(eig[-1] / eig[0])


@validated(_check_xy)
def best_loss(X, y):
    """The least-squares optimum (what gradient descent is trying to reach)."""
    A = _design(X)                                       # (N, D + 1)
    w, *_ = np.linalg.lstsq(A, y, rcond=None)            # (D + 1,)
    return float(np.mean((A @ w - y) ** 2))


class DescentResult(NamedTuple):
    losses: np.ndarray  #: (steps + 1,) loss before each step and after the last
    steps: int          #: steps taken
    converged: bool     #: whether the loss came within ``tol`` of the optimum


@validated(_check_descent)
def gradient_descent(X, y, lr=None, tol=1e-3, max_steps=10_000):
    """Run gradient descent from zero weights until the loss is within ``tol`` (relative) of the optimum.

    Parameters
    ----------
    X : (N, D) ndarray
    y : (N,) ndarray
    lr : float > 0 or None
        Learning rate. None picks 1 / lambda_max: half the stability limit 2 / lambda_max, the rate at
        which the steepest direction of the valley is solved in one step and no direction oscillates.
    tol : float > 0
        Stop when (loss - best) <= tol * best.
    max_steps : int >= 1

    Returns
    -------
    DescentResult(losses, steps, converged)

    Notes
    -----
    Along an eigenvector of the Hessian with eigenvalue lambda, each step multiplies the error by
    (1 - lr * lambda): it shrinks for 0 < lr < 2 / lambda and grows beyond. With lr = 1 / lambda_max the
    slowest direction shrinks by (1 - lambda_min / lambda_max) per step, hence "steps ~ condition number".
    Stops early (``converged`` False) if the loss stops being finite.
    """
    A = _design(X)                                   # (N, D + 1)
    n = A.shape[0]
    if lr is None:
        lr = 1.0 / curvature.math(X)[-1]
    target = best_loss.math(X, y) * (1 + tol)
    w = np.zeros(A.shape[1])                         # (D + 1,)
    losses = np.empty(max_steps + 1)
    with np.errstate(over="ignore", invalid="ignore"):   # a rate above 2 / lambda_max may overflow: reported below
        for step in range(max_steps + 1):
            residual = A @ w - y                         # (N,)
            losses[step] = residual @ residual / n
            if losses[step] <= target or not np.isfinite(losses[step]) or step == max_steps:
                break
            w -= lr * (2.0 / n) * (A.T @ residual)       # (D + 1,)
    return DescentResult(losses[: step + 1], step, bool(losses[step] <= target))
