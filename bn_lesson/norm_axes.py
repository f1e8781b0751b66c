"""Which values share one mean and variance: batch norm, layer norm and group norm on (N, H, W, C).

The picture is the one of Wu & He (2018), *Group Normalization*, Figure 2: the batch drawn as a box
with the examples N going into the page, the channels C across and the positions H, W (flattened)
up; every highlighted cell is pooled into the same mean and variance.

* batch norm -- one statistic per channel, over (N, H, W): ``axis=(0, 1, 2)``
* layer norm -- one per example, over (H, W, C): ``axis=(1, 2, 3)``
* group norm -- one per example and group of C/G consecutive channels, over (H, W) and the group

``shared_statistics_mask`` computes the cells (tests check it); ``draw_norm_axes`` only draws it.
No TensorFlow here, and nothing changes global style.
"""
import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Polygon

from .viz.plots import STAGE_COLORS

#: kinds of normalization drawn here, with what each averages over (for titles and the lesson)
NORMS = {
    "batch": "over (N, H, W):\none mean and variance per channel",
    "layer": "over (H, W, C):\none per example",
    "group": "over (H, W) and C/G channels:\none per example and group",
}
_TITLES = {"batch": "Batch norm", "layer": "Layer norm", "group": "Group norm"}


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
    if kind not in NORMS:
        raise ValueError(f"kind must be one of {tuple(NORMS)}, got {kind!r}")
    shape = tuple(shape)
    if len(shape) != 4 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in shape):
        raise ValueError(f"shape must be (N, H, W, C) of positive ints, got {shape!r}")
    n, _, _, c = shape
    if not (isinstance(example, (int, np.integer)) and 0 <= example < n):
        raise ValueError(f"example must be an int in [0, {n}), got {example!r}")
    if not (isinstance(channel, (int, np.integer)) and 0 <= channel < c):
        raise ValueError(f"channel must be an int in [0, {c}), got {channel!r}")
    if not (isinstance(groups, (int, np.integer)) and groups > 0 and c % groups == 0):
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


def _face(ax, corners, hit, color):
    ax.add_patch(Polygon(corners, closed=True, facecolor=color if hit else "#DCE9F5",
                         edgecolor="white" if not hit else "#8A4B00", lw=0.8, alpha=0.95 if hit else 1.0))


def _arrow(ax, start, end, text, offset, **kw):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color="#555555", lw=1.4))
    ax.text(end[0] + offset[0], end[1] + offset[1], text, fontsize=11, **kw)


def draw_norm_axes(kind, ax=None, shape=(4, 2, 3, 6), example=0, channel=0, groups=3,
                   color=STAGE_COLORS["normalized"]):
    """Draw the batch as a box (N into the page, C across, H·W up) and highlight ``shared_statistics_mask``.

    Parameters
    ----------
    kind, shape, example, channel, groups : as for ``shared_statistics_mask``
    ax : matplotlib Axes or None -- drawn on (a new figure if None)
    color : the highlight colour (default: the "normalized" stage colour)

    Returns
    -------
    ax
    """
    mask = shared_statistics_mask(kind, shape, example, channel, groups)
    n, h, w, c = mask.shape
    s = h * w
    flat = mask.reshape(n, s, c)   # (N, H*W, C): position index p = h_index * W + w_index
    dx, dy = 0.55, 0.45            # oblique offset of one step into the page (along N)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 3.6), layout="constrained")

    def pt(ci, si, ni):            # channel, position (0 = top row), example -> page coordinates
        return (ci + ni * dx, (s - si) + ni * dy)

    for ni in range(n - 1, -1, -1):  # top face: the first position of every example and channel
        for ci in range(c):
            _face(ax, [pt(ci, 0, ni), pt(ci + 1, 0, ni), pt(ci + 1, 0, ni + 1), pt(ci, 0, ni + 1)],
                  flat[ni, 0, ci], color)
    for ni in range(n - 1, -1, -1):  # right face: the last channel of every example and position
        for si in range(s):
            _face(ax, [pt(c, si, ni), pt(c, si + 1, ni), pt(c, si + 1, ni + 1), pt(c, si, ni + 1)],
                  flat[ni, si, c - 1], color)
    for si in range(s):             # front face: the first example
        for ci in range(c):
            _face(ax, [pt(ci, si, 0), pt(ci + 1, si, 0), pt(ci + 1, si + 1, 0), pt(ci, si + 1, 0)],
                  flat[0, si, ci], color)

    _arrow(ax, (0, -0.35), (c, -0.35), "C", (0.15, -0.15), va="center")
    _arrow(ax, (-0.35, s), (-0.35, 0), "H, W", (-0.15, s / 2), ha="right", va="center")
    _arrow(ax, (c + 0.3, -0.1), (c + 0.3 + n * dx, -0.1 + n * dy), "N", (0.1, 0), va="center")
    ax.set_xlim(-1.8, c + n * dx + 1.0)
    ax.set_ylim(-1.2, s + n * dy + 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{_TITLES[kind]}\n{NORMS[kind]}", fontsize=10)
    return ax


def norm_axes_figure(shape=(4, 2, 3, 6), groups=3):
    """Batch, layer and group norm side by side on the same (N, H, W, C) batch.

    Returns
    -------
    matplotlib.figure.Figure with three panels
    """
    fig, axes = plt.subplots(1, 3, figsize=(11, 4), layout="constrained")
    for ax, kind, channel in zip(axes, NORMS, (1, 0, 2)):
        draw_norm_axes(kind, ax=ax, shape=shape, channel=channel, groups=groups)
    return fig
