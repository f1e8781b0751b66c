"""The one normalization every checker's right answer and named mistake is computed from.

Batch norm (chapters 03, 05, 07), the z-score (01), layer norm and group norm (10) are one formula with
different axes; a mistake is the same formula with one thing changed (an unbiased variance, eps outside the
root, the wrong axes). The learner-facing reference solutions in ``ch01`` ... ``ch11`` are written out in
full, because they are what a learner reads; the tests check them against this and against
``bn_lesson.algorithm.batch_norm`` and Keras.
"""
import numpy as np


def normalized(x, axes, eps=0.0, gamma=1.0, beta=0.0, *, ddof=0, eps_outside=False):
    """``gamma * (x - mean) / sqrt(var + eps) + beta`` with the statistics over ``axes`` (None: all).

    Parameters
    ----------
    x : ndarray, e.g. (N, D) or (N, H, W, C)
    axes : int, tuple of int or None -- the axes the mean and variance are taken over
    eps : float
    gamma, beta : scalar or ndarray of the feature shape (broadcast on the last axes)
    ddof : 0 for the biased variance (the right one), 1 for the unbiased one (a mistake)
    eps_outside : put eps outside the square root, ``sqrt(var) + eps`` (a mistake)

    Returns
    -------
    ndarray, the shape of x
    """
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, ddof=ddof, keepdims=True)
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    return gamma * (x - mu) / std + beta


def grouped(x, groups, eps, *, interleaved=False, axes=(1, 2, 4)):
    """Group norm of an (N, H, W, C) map: ``normalized`` over each example's groups of C/G channels.

    ``interleaved`` puts channel k in group k % G (a reshape slip); ``axes`` are of the (N, H, W, G, C/G)
    reshaped array, (1, 2, 4) being right.
    """
    n, h, w, c = x.shape
    if interleaved:
        xg = x.reshape(n, h, w, c // groups, groups)
        axes = tuple(3 if a == 4 else a for a in axes)
    else:
        xg = x.reshape(n, h, w, groups, c // groups)
    return normalized(xg, axes, eps).reshape(x.shape)
