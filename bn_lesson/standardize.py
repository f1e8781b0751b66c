"""Data standardization, where the course starts: Z-score and min-max scaling.

Both work per feature (column) of a data matrix, like the first three steps of batch
normalization work per feature of a mini-batch. ``outlier_effect`` measures what one outlier does to
each (chapter 01).
"""
from typing import NamedTuple

import numpy as np

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


# -- one outlier, two scalers (chapter 01) ------------------------------------------------------------------

class OutlierEffect(NamedTuple):
    """What one outlier does to min-max scaling and to the Z-score of one feature."""

    factor: float            #: the outlier is ``values[index] * factor``
    min_max: np.ndarray      #: (N,) min-max scaled values, the outlier included
    zscore: np.ndarray       #: (N,) z-scored values, the outlier included
    min_max_squeeze: float   #: the other N - 1 values' span without the outlier / with it (min-max)
    zscore_squeeze: float    #: the same for the Z-score


def _check_outlier(a):
    v = a["values"] = _checks.check_batch(a["values"], "values")
    if v.ndim != 1 or v.size < 3:
        raise ValueError(f"values must be (N,) with N >= 3, got shape {v.shape}")
    if not isinstance(a["index"], (int, np.integer)) or isinstance(a["index"], bool):
        raise TypeError(f"index must be an int, got {type(a['index']).__name__}")
    if not -v.size <= a["index"] < v.size:
        raise ValueError(f"index must be in [-{v.size}, {v.size}), got {a['index']}")
    a["factor"] = _checks.check_number(a["factor"], "factor", low=0.0, low_open=True)
    others = np.delete(v, a["index"])
    if _checks.constant_features(others, 0):
        raise ValueError("values other than the outlier must not all be equal: they have no span to squeeze")
    return a


@validated(_check_outlier)
def outlier_effect(values, index, factor):
    """Multiply ``values[index]`` by ``factor`` (a typo with extra zeros is 10, 100, ...) and scale both ways.

    Parameters
    ----------
    values : (N,) ndarray, N >= 3 -- one feature, the other values not all equal
    index : int -- which value becomes the outlier
    factor : float > 0

    Returns
    -------
    OutlierEffect

    Notes
    -----
    Both scalers are linear, so each squeezes the other values by a factor; min-max by
    (clean span) / (span with the outlier) of the range, the Z-score by the ratio of the standard deviations.
    """
    spoiled = values.copy()
    spoiled[index] = values[index] * factor
    scaled = {}
    for name, data in (("clean", values), ("spoiled", spoiled)):
        lo, span = data.min(), np.ptp(data)
        scaled[name] = ((data - lo) / span, (data - data.mean()) / data.std())   # (N,) each
    others = np.arange(values.size) != index % values.size
    squeeze = [np.ptp(clean[others]) / np.ptp(spoiled_[others])
               for clean, spoiled_ in zip(scaled["clean"], scaled["spoiled"])]
    return OutlierEffect(float(factor), *scaled["spoiled"], *(float(s) for s in squeeze))
