"""Batch normalization, Algorithm 1 of Ioffe & Szegedy (2015), in four named steps.

For a mini-batch B = {x_1 ... x_m}:

1. ``batch_mean``      mu     = 1/m * sum_i x_i
2. ``batch_variance``  var    = 1/m * sum_i (x_i - mu)**2          (biased, like tf.nn.moments)
3. ``normalize``       x_hat  = (x_i - mu) / sqrt(var + eps)
4. ``scale_and_shift`` y      = gamma * x_hat + beta

``batch_norm`` composes them and keeps every intermediate so a lesson can plot each stage.

Conventions (the same as TensorFlow's): ``axis`` names the axes that are *reduced*, so
``(N, D)`` activations use ``axis=0`` and channels-last feature maps ``(N, H, W, C)`` use
``axis=(0, 1, 2)``: one mean and variance per channel. The statistics come back with the
reduced axes removed -- ``(D,)`` or ``(C,)`` -- exactly like ``tf.nn.moments``.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_batch, check_eps, check_param, check_axes, as_array, check_finite

DEFAULT_EPS = 1e-3  # Keras' BatchNormalization default


def feature_shape(shape, axes):
    """The shape that is left after reducing ``axes`` of ``shape``: ``(N, H, W, C)``, (0, 1, 2) -> ``(C,)``."""
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _expand(stat, axes):
    """Put the reduced axes back as size-1 axes so ``stat`` broadcasts against the batch."""
    return np.expand_dims(stat, axes)


def batch_mean(x, axis=0):
    """Step 1: the mini-batch mean.

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) ndarray
        The mini-batch.
    axis : int or tuple of int
        The axes to average over: 0 for ``(N, D)``, ``(0, 1, 2)`` for channels-last maps.

    Returns
    -------
    mu : ndarray of the feature shape, e.g. (D,) or (C,)

    Notes
    -----
    mu_B = (1/m) * sum_i x_i, with m the number of values averaged per feature.
    """
    x = check_batch(x)
    axes = check_axes(axis, x.ndim)
    return x.mean(axis=axes)  # (D,) or (C,)


def batch_variance(x, mean, axis=0):
    """Step 2: the mini-batch variance, *biased* (divides by m, as the paper and ``tf.nn.moments``).

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) ndarray
    mean : ndarray of the feature shape, from ``batch_mean(x, axis)``
    axis : int or tuple of int

    Returns
    -------
    var : ndarray of the feature shape

    Notes
    -----
    sigma^2_B = (1/m) * sum_i (x_i - mu_B)^2
    """
    x = check_batch(x)
    axes = check_axes(axis, x.ndim)
    mean = as_array(mean, "mean")
    check_finite(mean, "mean")
    expected = feature_shape(x.shape, axes)
    if mean.shape != expected:
        raise ValueError(f"mean has shape {mean.shape}; expected the feature shape {expected} for axis={axis!r}")
    return ((x - _expand(mean, axes)) ** 2).mean(axis=axes)  # (D,) or (C,)


def normalize(x, mean, var, eps=DEFAULT_EPS):
    """Step 3: subtract the mean, divide by the standard deviation (with ``eps`` inside the root).

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) ndarray
    mean, var : ndarray broadcastable to ``x`` -- the feature shape ``(D,)`` / ``(C,)``
    eps : float >= 0
        Keeps the denominator away from zero; matters only when ``var`` is comparable to it.

    Returns
    -------
    x_hat : ndarray, the shape of ``x``

    Notes
    -----
    x_hat = (x - mu) / sqrt(var + eps). Each feature then has mean 0 and variance var / (var + eps):
    just under 1, and much less than 1 when var is tiny.
    """
    x = check_batch(x)
    eps = check_eps(eps)
    mean = as_array(mean, "mean")
    var = as_array(var, "var")
    for name, stat in (("mean", mean), ("var", var)):
        check_finite(stat, name)
        try:
            ok = np.broadcast_shapes(stat.shape, x.shape) == x.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{name} has shape {stat.shape}; expected a shape that broadcasts to x's {x.shape}")
    if (var < 0).any():
        raise ValueError("var contains negative values; a variance is >= 0")
    if eps == 0 and (var == 0).any():
        raise ValueError(
            f"eps=0 and {int((var == 0).sum())} feature(s) have zero variance: x_hat would be 0/0 = NaN. "
            "Use eps > 0 (Keras uses 1e-3)."
        )
    return (x - mean) / np.sqrt(var + eps)


def scale_and_shift(x_hat, gamma, beta):
    """Step 4: give the layer its freedom back with a learnable scale ``gamma`` and shift ``beta``.

    Parameters
    ----------
    x_hat : ndarray, the normalized batch
    gamma, beta : scalar or ndarray broadcastable to ``x_hat`` (the feature shape)

    Returns
    -------
    y : ndarray, the shape of ``x_hat``

    Notes
    -----
    y = gamma * x_hat + beta: each feature then has mean beta and std |gamma| * std(x_hat).
    """
    x_hat = check_batch(x_hat, "x_hat")
    out = []
    for name, p in (("gamma", gamma), ("beta", beta)):
        p = as_array(p, name)
        check_finite(p, name)
        try:
            ok = np.broadcast_shapes(p.shape, x_hat.shape) == x_hat.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{name} has shape {p.shape}; expected a shape that broadcasts to x_hat's {x_hat.shape}")
        out.append(p)
    gamma, beta = out
    return gamma * x_hat + beta


class BatchNormResult(NamedTuple):
    """What ``batch_norm`` returns: the output and every intermediate."""

    y: np.ndarray      #: the output, shape of x
    mu: np.ndarray     #: batch mean, feature shape
    var: np.ndarray    #: biased batch variance, feature shape
    x_hat: np.ndarray  #: normalized batch, shape of x


def batch_norm(x, gamma=1.0, beta=0.0, eps=DEFAULT_EPS, axis=0):
    """Algorithm 1: the four steps in order, with every intermediate returned.

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) ndarray
    gamma, beta : scalar or ndarray of the feature shape ((D,) or (C,))
    eps : float >= 0
    axis : int or tuple of int -- the axes to reduce (0, or (0, 1, 2) for channels-last maps)

    Returns
    -------
    BatchNormResult(y, mu, var, x_hat)
        ``y`` and ``x_hat`` have the shape of ``x``; ``mu`` and ``var`` the feature shape.

    Examples
    --------
    >>> y, mu, var, x_hat = batch_norm(np.array([[1.0], [3.0]]), eps=0.0)
    >>> y.ravel().tolist(), mu.tolist(), var.tolist()
    ([-1.0, 1.0], [2.0], [1.0])
    """
    x = check_batch(x)
    axes = check_axes(axis, x.ndim)
    features = feature_shape(x.shape, axes)
    gamma = check_param(gamma, features, "gamma")
    beta = check_param(beta, features, "beta")
    eps = check_eps(eps)

    mu = batch_mean(x, axes)                                     # (D,)
    var = batch_variance(x, mu, axes)                            # (D,)
    x_hat = normalize(x, _expand(mu, axes), _expand(var, axes), eps)  # shape of x
    y = scale_and_shift(x_hat, _expand_param(gamma, axes), _expand_param(beta, axes))
    return BatchNormResult(y, mu, var, x_hat)


def _expand_param(p, axes):
    return p if p.ndim == 0 else _expand(p, axes)
