"""Data standardization, where the course starts: Z-score and min-max scaling.

Both work per feature (column) of a data matrix, like the first three steps of batch
normalization work per feature of a mini-batch.
"""
from . import _checks
from ._checks import validated


def _check_data(a):
    x = _checks.check_squarable(_checks.check_batch(a["x"]))
    axes = _checks.check_axes(a["axis"], x.ndim)
    constant = _checks.constant_features(x, axes)
    if constant.any():
        raise ValueError(f"x has {int(constant.sum())} constant feature(s) (all values equal up to rounding): "
                         "they have no spread (or too little to square in float64) to standardize by")
    return dict(x=x, axis=axes)


@validated(_check_data)
def zscore(x, axis=0):
    """Z-score standardization: each feature gets mean 0 and standard deviation 1.

    Parameters
    ----------
    x : (N, D) ndarray
    axis : int or tuple of int -- the axis (axes) holding the samples

    Returns
    -------
    z : (N, D) ndarray, float64

    Notes
    -----
    z = (x - mean) / std, with the population (1/N) standard deviation. A constant feature
    has std 0 and cannot be standardized: that raises ``ValueError`` rather than returning NaN.
    """
    mean = x.mean(axis=axis, keepdims=True)   # (1, D)
    std = x.std(axis=axis, keepdims=True)     # (1, D)
    return (x - mean) / std


@validated(_check_data)
def min_max(x, axis=0):
    """Min-max scaling: each feature is mapped linearly onto [0, 1].

    Takes the same ``x`` (N, D) and ``axis`` as ``zscore`` and returns s, (N, D) float64, with
    s = (x - min) / (max - min). One outlier squeezes every other value towards one end, which is why
    Z-score is the usual choice and the one batch normalization builds on. A constant feature
    (max == min) raises ``ValueError``.
    """
    lo = x.min(axis=axis, keepdims=True)              # (1, D)
    span = x.max(axis=axis, keepdims=True) - lo       # (1, D)
    return (x - lo) / span
