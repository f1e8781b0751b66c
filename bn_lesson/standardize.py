"""Data standardization, where the course starts: Z-score and min-max scaling.

Both work per feature (column) of a data matrix, like the first three steps of batch
normalization work per feature of a mini-batch.
"""
import numpy as np

from ._checks import check_batch, check_axes


def zscore(x, axis=0):
    """Z-score standardization: each feature gets mean 0 and standard deviation 1.

    Parameters
    ----------
    x : (N, D) ndarray
    axis : int or tuple of int -- the axis (axes) holding the samples

    Returns
    -------
    z : ndarray, the shape of x

    Notes
    -----
    z = (x - mean) / std, with the population (1/N) standard deviation. A constant feature
    has std 0 and cannot be standardized: that raises ``ValueError`` rather than returning NaN.
    """
    x = check_batch(x)
    axes = check_axes(axis, x.ndim)
    mean = x.mean(axis=axes, keepdims=True)
    std = x.std(axis=axes, keepdims=True)
    if (std == 0).any():
        raise ValueError(f"x has {int((std == 0).sum())} constant feature(s) (std 0): z-score is undefined")
    return (x - mean) / std


def min_max(x, axis=0):
    """Min-max scaling: each feature is mapped linearly onto [0, 1].

    Parameters
    ----------
    x : (N, D) ndarray
    axis : int or tuple of int -- the axis (axes) holding the samples

    Returns
    -------
    s : ndarray, the shape of x

    Notes
    -----
    s = (x - min) / (max - min). One outlier squeezes every other value towards one end,
    which is why Z-score is the usual choice and the one batch normalization builds on.
    """
    x = check_batch(x)
    axes = check_axes(axis, x.ndim)
    lo = x.min(axis=axes, keepdims=True)
    span = x.max(axis=axes, keepdims=True) - lo
    if (span == 0).any():
        raise ValueError(f"x has {int((span == 0).sum())} constant feature(s) (max == min): min-max is undefined")
    return (x - lo) / span
