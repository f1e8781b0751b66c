"""Which values share one mean and variance: batch norm, layer norm and group norm on (N, H, W, C).

The picture is the one of Wu & He (2018), *Group Normalization*, Figure 2: the batch drawn as a box
with the examples N going into the page, the channels C across and the positions H, W (flattened)
up; every highlighted cell is pooled into the same mean and variance.

* batch norm -- one statistic per channel, over (N, H, W): ``axis=(0, 1, 2)``
* layer norm -- one per example, over (H, W, C): ``axis=(1, 2, 3)``
* group norm -- one per example and group of C/G consecutive channels, over (H, W) and the group

``shared_statistics_mask`` computes the cells (tests check it against Keras' layers), ``pooled_statistic``
the mean and variance they give on a real batch;
``bn_lesson.viz.diagrams.draw_norm_axes`` draws them. Pure numpy: no matplotlib, no TensorFlow.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_batch, check_choice, check_positive_int

#: kinds of normalization drawn here, with what each averages over (for titles and the lesson)
NORMS = {
    "batch": "over (N, H, W):\none mean and variance per channel",
    "layer": "over (H, W, C):\none per example",
    "group": "over (H, W) and C/G channels:\none per example and group",
}


def shared_statistics_mask(kind, shape=(4, 2, 3, 6), example=0, channel=0, groups=3):
    """The cells whose values go into the same mean and variance as cell ``(example, h, w, channel)``.

    Parameters
    ----------
    kind : "batch", "layer" or "group"
    shape : (N, H, W, C) tuple of positive ints
    example, channel : int -- the cell (any position) whose statistic is shown
    groups : int -- group norm's number of groups G; must divide C. Group g holds the consecutive
        channels ``[g * C // G, (g + 1) * C // G)`` (as ``keras.layers.GroupNormalization`` does)

    Returns
    -------
    (N, H, W, C) bool ndarray
    """
    kind = check_choice(kind, "kind", NORMS)
    shape = tuple(check_positive_int(s, f"shape[{i}]") for i, s in enumerate(shape))
    if len(shape) != 4:
        raise ValueError(f"shape must be (N, H, W, C), four positive ints, got {shape!r}")
    n, _, _, c = shape
    for name, value, size in (("example", example, n), ("channel", channel, c)):
        if check_positive_int(value, name, minimum=0) >= size:
            raise ValueError(f"{name} must be an int in [0, {size}), got {value!r}")
    if c % check_positive_int(groups, "groups"):
        raise ValueError(f"groups must be a positive int dividing C = {c}, got {groups!r}")
    ex = np.arange(n)[:, None, None, None] == example      # (N, 1, 1, 1)
    ch = np.arange(c)[None, None, None, :] == channel       # (1, 1, 1, C)
    if kind == "batch":
        mask = np.broadcast_to(ch, shape)
    elif kind == "layer":
        mask = np.broadcast_to(ex, shape)
    else:
        size = c // groups
        same_group = (np.arange(c) // size == channel // size)[None, None, None, :]  # (1, 1, 1, C)
        mask = ex & same_group
    return np.broadcast_to(mask, shape).copy()


# -- which values share one statistic (chapter 05's cube) ------------------------------------------------

class PooledStatistic(NamedTuple):
    """The mean and variance that one cell of an (N, H, W, C) batch is normalized with."""

    mean: float
    var: float      #: biased (1/count), as batch norm uses it
    count: int      #: how many values were pooled


def pooled_statistic(x, kind, example=0, channel=0, groups=1):
    """Mean and variance over the cells ``shared_statistics_mask`` marks for cell (example, ., ., channel).

    Parameters
    ----------
    x : (N, H, W, C) ndarray
    kind, example, channel, groups : as ``bn_lesson.norm_axes.shared_statistics_mask`` takes them

    Returns
    -------
    PooledStatistic -- for batch norm, ``batch_norm(x, axis=(0, 1, 2))``'s mu and var of that channel
    """
    x = check_batch(x, "x")
    if x.ndim != 4:
        raise ValueError(f"x must be (N, H, W, C), got shape {x.shape}")
    pooled = x[shared_statistics_mask(kind, x.shape, example, channel, groups)]   # (count,)
    return PooledStatistic(float(pooled.mean()), float(pooled.var()), int(pooled.size))
