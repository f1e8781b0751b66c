"""Checking a backward pass the CS231n way: central differences and one relative-error number."""
import numpy as np

from ._checks import check_number


def numerical_gradient(f, p, h=1e-6):
    """Central differences of the scalar ``f()`` with respect to every entry of the array ``p``.

    Parameters
    ----------
    f : callable () -> float, reading ``p``
    p : ndarray (float64), nudged in place entry by entry and restored
    h : float > 0 -- the step; in float64 the error is O(h^2) + O(1e-16 / h), smallest near 1e-5..1e-6

    Returns
    -------
    grad : ndarray, the shape of ``p``

    Notes
    -----
    df/dp_i ~ (f(p + h e_i) - f(p - h e_i)) / (2 h). Two calls of ``f`` per entry: use small arrays.
    """
    h = check_number(h, "h", low=0.0, low_open=True)
    if not (isinstance(p, np.ndarray) and np.issubdtype(p.dtype, np.floating)):
        raise TypeError(f"p must be a float ndarray (it is nudged in place), got {type(p).__name__}")
    grad = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        old = p[i]
        p[i] = old + h
        plus = f()
        p[i] = old - h
        minus = f()
        p[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||): one number for a whole gradient array.

    Element-wise ratios blow up on entries that are nearly zero; this does not. In float64 a correct
    backward pass gives about 1e-9 against central differences with h = 1e-6.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))
