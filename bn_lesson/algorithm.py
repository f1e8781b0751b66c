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

Each function is its math; the ``@validated`` line above it checks the arguments once, at the public
boundary (the checks live at the end of this module). ``batch_norm`` checks its input once and then
calls each step's ``.math`` directly.
"""
from typing import NamedTuple

import numpy as np

from . import _checks
from ._checks import validated
from .constants import DEFAULT_EPS

__all__ = ["batch_mean", "batch_variance", "normalize", "scale_and_shift", "batch_norm", "BatchNormResult",
           "feature_shape", "DEFAULT_EPS"]


def _check_mean(a):
    a["x"] = _checks.check_batch(a["x"])
    a["axis"] = _checks.check_axes(a["axis"], a["x"].ndim)
    return a


def _check_variance(a):
    a = _check_mean(a)
    _checks.check_squarable(a["x"])
    a["mean"] = _check_statistic(a["mean"], "mean", feature_shape(a["x"].shape, a["axis"]), a["axis"])
    return a


def _check_normalize(a):
    x = a["x"] = _checks.check_batch(a["x"])
    a["eps"] = _checks.check_eps(a["eps"])
    for name in ("mean", "var"):
        stat = _checks.check_finite(_checks.as_array(a[name], name), name)
        a[name] = _checks.check_broadcasts(stat, x.shape, name)
    if (a["var"] < 0).any():
        raise ValueError("var contains negative values; a variance is >= 0")
    if a["eps"] == 0:
        _refuse_zero_variance(np.broadcast_to(a["var"] <= _tiny_variance(a["mean"]), a["var"].shape))
    return a


def _check_scale_and_shift(a):
    x_hat = a["x_hat"] = _checks.check_batch(a["x_hat"], "x_hat")
    for name in ("gamma", "beta"):
        p = _checks.check_finite(_checks.as_array(a[name], name), name)
        a[name] = _checks.check_broadcasts(p, x_hat.shape, name, target="x_hat")
    return a


def _check_batch_norm(a):
    a = _check_mean(a)
    _checks.check_squarable(a["x"])
    features = feature_shape(a["x"].shape, a["axis"])
    a["gamma"] = _checks.check_param(a["gamma"], features, "gamma")
    a["beta"] = _checks.check_param(a["beta"], features, "beta")
    a["eps"] = _checks.check_eps(a["eps"])
    if a["eps"] == 0:
        _refuse_zero_variance(_checks.constant_features(a["x"], a["axis"]))
    return a


# --- the four steps -------------------------------------------------------------------------------

@validated(_check_mean)
def batch_mean(x, axis=0):
    """Step 1: the mini-batch mean.

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) ndarray -- the mini-batch
    axis : int or tuple of int -- the axes to average over: 0 for ``(N, D)``, ``(0, 1, 2)`` for maps

    Returns
    -------
    mu : (D,) or (C,) ndarray -- the feature shape

    Notes
    -----
    mu_B = (1/m) * sum_i x_i, with m the number of values averaged per feature.
    """
    return x.mean(axis=axis)                                   # (D,) or (C,)


@validated(_check_variance)
def batch_variance(x, mean, axis=0):
    """Step 2: the mini-batch variance, *biased* (divides by m, as the paper and ``tf.nn.moments``).

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) ndarray
    mean : (D,) or (C,) ndarray -- from ``batch_mean(x, axis)``
    axis : int or tuple of int

    Returns
    -------
    var : (D,) or (C,) ndarray

    Notes
    -----
    sigma^2_B = (1/m) * sum_i (x_i - mu_B)^2
    """
    return ((x - np.expand_dims(mean, axis)) ** 2).mean(axis=axis)   # (D,) or (C,)


@validated(_check_normalize)
def normalize(x, mean, var, eps=DEFAULT_EPS):
    """Step 3: subtract the mean, divide by the standard deviation (with ``eps`` inside the root).

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) ndarray
    mean, var : ndarray broadcastable to ``x`` -- e.g. (D,), or (1, 1, 1, C) for maps. They need not be
        x's own statistics: at inference they are the moving averages.
    eps : float >= 0 -- keeps the denominator away from zero; matters only when var is comparable to it

    Returns
    -------
    x_hat : ndarray, the shape of x

    Notes
    -----
    x_hat = (x - mu) / sqrt(var + eps). With x's own statistics each feature then has mean 0 and variance
    var / (var + eps): just under 1, and much less than 1 when var is tiny.
    """
    return (x - mean) / np.sqrt(var + eps)                     # shape of x


@validated(_check_scale_and_shift)
def scale_and_shift(x_hat, gamma, beta):
    """Step 4: give the layer its freedom back with a learnable scale ``gamma`` and shift ``beta``.

    Parameters
    ----------
    x_hat : ndarray -- the normalized batch
    gamma, beta : scalar or ndarray broadcastable to ``x_hat`` (the feature shape)

    Returns
    -------
    y : ndarray, the shape of x_hat

    Notes
    -----
    y = gamma * x_hat + beta: each feature then has mean beta and std |gamma| * std(x_hat).
    """
    return gamma * x_hat + beta                                # shape of x_hat


# --- Algorithm 1 ----------------------------------------------------------------------------------

class BatchNormResult(NamedTuple):
    """What ``batch_norm`` returns: the output and every intermediate."""

    y: np.ndarray      #: the output, shape of x
    mu: np.ndarray     #: batch mean, feature shape
    var: np.ndarray    #: biased batch variance, feature shape
    x_hat: np.ndarray  #: normalized batch, shape of x


@validated(_check_batch_norm)
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
    mu = batch_mean.math(x, axis)                                         # (D,)
    var = batch_variance.math(x, mu, axis)                                # (D,)
    x_hat = normalize.math(x, _keep(mu, axis), _keep(var, axis), eps)     # shape of x
    y = scale_and_shift.math(x_hat, _keep(gamma, axis), _keep(beta, axis))  # shape of x
    return BatchNormResult(y, mu, var, x_hat)


# --- shapes ----------------------------------------------------------------------------------------

def feature_shape(shape, axes):
    """The shape left after reducing ``axes`` of ``shape``: ``(N, H, W, C)``, (0, 1, 2) -> ``(C,)``."""
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _keep(stat, axes):
    """Put the reduced axes back as size-1 axes so a (C,) statistic broadcasts against (N, H, W, C)."""
    return stat if np.ndim(stat) == 0 else np.expand_dims(stat, axes)


def _check_statistic(stat, name, expected, axis):
    stat = _checks.check_finite(_checks.as_array(stat, name), name)
    if stat.shape != expected:
        raise ValueError(f"{name} has shape {stat.shape}; expected the feature shape {expected} for axis={axis!r}")
    return stat


def _refuse_zero_variance(zero):
    if np.any(zero):
        raise ValueError(f"eps=0 and {int(np.sum(zero))} feature(s) have zero variance: x_hat would be 0/0 = NaN. "
                         f"Use eps > 0 (Keras uses {DEFAULT_EPS:g}).")


def _tiny_variance(mean):
    """A variance this small is rounding noise around ``mean``: (a few ulps of |mean|) squared."""
    return (8 * np.finfo(np.float64).eps * np.abs(mean)) ** 2
