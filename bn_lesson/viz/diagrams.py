"""The course's diagrams, drawn by code (``tools/make_images.py`` writes them to ``images/``).

* ``four_steps_figure`` -- Algorithm 1 on a small batch: input -> mean/variance -> x_hat -> y
* ``draw_where_bn_goes`` -- where BN sits in a fully connected and in a convolutional block
* ``draw_dense_axes``, ``draw_conv_axes``, ``bn_axes_figure`` -- the axes BN reduces for (N, D) and (N, H, W, C)
* ``draw_norm_axes``, ``highlight_norm_axes``, ``norm_axes_figure`` -- the values batch, layer and group norm
  pool (chapters 05 and 13)

Colours are ``STAGE_COLORS``: blue input, orange normalized, green scaled-and-shifted, purple activated.
Helpers that draw on one axes take ``ax=None`` and return it; multi-panel figures return the Figure.
Nothing here changes global style.
"""
import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle

from .._checks import check_batch
from ..algorithm import batch_norm
from ..constants import DEFAULT_EPS
from ..norm_axes import NORMS, shared_statistics_mask
from .plots import MINUS, STAGE_COLORS
from .text import format_number

#: the small batch (one feature, m = 8) the four-step picture normalizes: mean 6, std 2
DEMO_BATCH = np.array([4.0, 8.0, 6.0, 3.0, 9.0, 7.0, 4.0, 7.0])
NEUTRAL = "#555555"
FONT = 13  # readable on a projector at 120 dpi


def _tint(color, amount=0.8):
    """``color`` mixed with white: 0 -> the colour, 1 -> white."""
    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _num(value, fmt=".2f"):
    """A number for a label: a true minus sign, and no "-0.00"."""
    return format_number(value, fmt, minus=MINUS)


def _canvas(ax, width, height, figsize):
    """An axes with data units as drawing units, equal aspect, no frame."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _box(ax, x, y, w, h, text, color, fontsize=FONT, fill=0.8, **kw):
    """A rounded box with its lower-left corner at (x, y), filled with a tint of ``color``."""
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.12",
                                facecolor=_tint(color, fill), edgecolor=color, linewidth=2))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize, **kw)


def _arrow(ax, start, end, color=NEUTRAL, lw=2.2, head=18, shrink=0.0):
    """An arrow from ``start`` to ``end`` (data units); ``head`` is the arrow head's size in points."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=head, color=color, lw=lw,
                                 shrinkA=shrink, shrinkB=shrink))


# -- the four steps ----------------------------------------------------------------------------------

def four_steps_figure(x=None, gamma=1.5, beta=-3.0, eps=DEFAULT_EPS):
    """Algorithm 1 on one feature of a small batch, one panel per stage, on a shared value axis.

    Parameters
    ----------
    x : (m,) ndarray or None
        The mini-batch of one feature; None uses ``DEMO_BATCH`` (m = 8, mean 6, std 2).
    gamma, beta : float
        The scale and shift of step 4.
    eps : float >= 0

    Returns
    -------
    matplotlib.figure.Figure
        Four panels -- the batch, its mean and variance, x_hat, y -- each with its formula and the
        computed numbers, joined by arrows.
    """
    x = DEMO_BATCH if x is None else check_batch(x)
    if x.ndim != 1:
        raise ValueError(f"x must be one feature of a batch, shape (m,), got {x.shape}")
    res = batch_norm(x[:, None], gamma, beta, eps=eps)  # one feature: (m, 1)
    mu, var = float(res.mu[0]), float(res.var[0])
    x_hat, y = res.x_hat[:, 0], res.y[:, 0]
    m = len(x)
    idx = np.arange(1, m + 1)

    fig = plt.figure(figsize=(13.0, 6.0))
    width, gap, left = 0.185, 0.062, 0.055
    axes = [fig.add_axes((left + k * (width + gap), 0.31, width, 0.48)) for k in range(4)]
    values = np.concatenate([x, x_hat, y, [mu + np.sqrt(var), mu - np.sqrt(var), beta + gamma, beta - gamma]])
    lo, hi = values.min(), values.max()
    pad = 0.12 * (hi - lo)

    panels = [
        # title, values, colour, centre line, half-width of band, centre label, formula, numbers
        ("the mini-batch  $x$", x, STAGE_COLORS["input"], None, None, None,
         r"$\mathcal{B}=\{x_1,\dots,x_m\}$",
         f"m = {m} examples of one feature"),
        ("steps 1-2:  $\\mu_\\mathcal{B}$,  $\\sigma^2_\\mathcal{B}$", x, STAGE_COLORS["input"], mu,
         np.sqrt(var), r"$\mu_\mathcal{B}$",
         r"$\mu_\mathcal{B}=\frac{1}{m}\sum_{i} x_i$" + "\n"
         + r"$\sigma^2_\mathcal{B}=\frac{1}{m}\sum_{i}(x_i-\mu_\mathcal{B})^2$",
         f"$\\mu_\\mathcal{{B}}$ = {_num(mu)},  $\\sigma^2_\\mathcal{{B}}$ = {_num(var)}"),
        ("step 3:  normalize  $\\hat{x}$", x_hat, STAGE_COLORS["normalized"], 0.0,
         float(np.std(x_hat)), "0",
         r"$\hat{x}_i=\dfrac{x_i-\mu_\mathcal{B}}{\sqrt{\sigma^2_\mathcal{B}+\epsilon}}$",
         f"mean {_num(x_hat.mean())},  std {_num(x_hat.std(), '.3f')}"),
        ("step 4:  scale and shift  $y$", y, STAGE_COLORS["scaled"], beta, float(np.std(y)),
         r"$\beta$",
         r"$y_i=\gamma\,\hat{x}_i+\beta$" + f"\nwith $\\gamma$ = {_num(gamma, 'g')},  $\\beta$ = {_num(beta, 'g')}",
         f"mean {_num(y.mean())} = $\\beta$,  std {_num(y.std())} $\\approx \\gamma$"),
    ]
    for ax, (title, v, color, centre, half, centre_label, formula, numbers) in zip(axes, panels):
        if centre is not None:  # the centre line and a band of +/- one standard deviation
            ax.fill_between([0.5, m + 0.5], centre - half, centre + half, color=color, alpha=0.13, lw=0)
            ax.hlines(centre, 0.5, m + 0.5, color=color, lw=1.8, ls="--")
            ax.text(m + 0.7, centre, centre_label, color=color, fontsize=FONT + 1, va="center", ha="left")
        ax.vlines(idx, 0 if lo < 0 < hi else lo - pad, v, color=_tint(color, 0.55), lw=1.2, zorder=1)
        ax.scatter(idx, v, s=70, color=color, edgecolor="white", lw=1.2, zorder=3)
        ax.hlines(0, 0.5, m + 0.5, color="#BBBBBB", lw=0.8, zorder=0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(0.3, m + 1.6)
        ax.set_xticks(idx)
        ax.spines["bottom"].set_bounds(0.5, m + 0.5)
        ax.tick_params(labelsize=FONT - 3)
        ax.set_xlabel("example  $i$", fontsize=FONT - 2)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(title, fontsize=FONT + 1, color=color, pad=26)
        ax.text(0.5, -0.23, formula, transform=ax.transAxes, ha="center", va="top", fontsize=FONT + 1,
                linespacing=1.8)
        ax.text(0.5, 1.03, numbers, transform=ax.transAxes, ha="center", va="bottom", fontsize=FONT - 2,
                color=NEUTRAL)
    for ax in axes[1:]:
        ax.tick_params(labelleft=False)
    axes[0].set_ylabel("value", fontsize=FONT - 1)
    for a, b in zip(axes[:-1], axes[1:]):
        y0 = a.get_position().y0 + a.get_position().height / 2
        fig.add_artist(FancyArrowPatch((a.get_position().x1 + 0.008, y0), (b.get_position().x0 - 0.008, y0),
                                       transform=fig.transFigure, arrowstyle="-|>", mutation_scale=20,
                                       color=NEUTRAL, lw=2))
    fig.suptitle("Batch normalization of one feature, step by step (Algorithm 1 of Ioffe & Szegedy, 2015)",
                 fontsize=FONT + 3, y=0.975)
    return fig


# -- where BN goes ---------------------------------------------------------------------------------

def draw_where_bn_goes(ax=None):
    """Block diagrams: affine -> BN -> activation, and conv2d -> BN -> ReLU -> max-pool.

    Boxes are tinted by the stage of the data they output (``STAGE_COLORS``); batch norm is drawn as
    its two halves, normalize (orange) then scale and shift (green).

    Returns
    -------
    ax : the axes drawn on (data units: 16 wide, 8.05 high)
    """
    ax = _canvas(ax, 16.0, 8.05, figsize=(13.0, 6.55))
    h = 1.3
    cols = {"in": (0.15, 1.9), "linear": (2.75, 2.1), "bn": (5.55, 3.6), "act": (9.95, 2.0), "pool": (12.75, 2.0)}
    lin_c, act_c, grey = STAGE_COLORS["input"], STAGE_COLORS["activated"], "#999999"
    rows = [
        ("fully connected block:  affine $\\rightarrow$ BN $\\rightarrow$ activation", 5.45,
         [("in", "input\n$(N, D_{in})$", grey), ("linear", "affine\n$z = xW$", lin_c),
          ("bn", None, None), ("act", "activation\ne.g. ReLU", act_c)],
         "(N, D)", "per unit over $N$:  $\\mu, \\sigma^2$ of shape (D,)"),
        ("convolutional block:  conv2d $\\rightarrow$ BN $\\rightarrow$ ReLU $\\rightarrow$ max-pool", 1.95,
         [("in", "input\n$(N, H, W, C_{in})$", grey), ("linear", "conv2d\n$3{\\times}3$, $C$ filters", lin_c),
          ("bn", None, None), ("act", "ReLU", act_c), ("pool", "max-pool\n$2{\\times}2$", act_c)],
         "(N, H, W, C)", "per channel over $N, H, W$:  $\\mu, \\sigma^2$ of shape (C,)"),
    ]
    for title, y, boxes, shape, stats in rows:
        ax.text(0.15, y + h + 0.7, title, fontsize=FONT + 3, fontweight="bold", va="bottom")
        for key, text, color in boxes:
            x0, w = cols[key]
            if key == "bn":
                half = w / 2
                _box(ax, x0, y, half, h, "normalize\n$\\hat{x}$", STAGE_COLORS["normalized"])
                _box(ax, x0 + half, y, half, h, "scale, shift\n$\\gamma\\hat{x}+\\beta$", STAGE_COLORS["scaled"])
                ax.text(x0 + w / 2, y + h + 0.1, f"batch norm on ${shape}$", ha="center", va="bottom",
                        fontsize=FONT)
                ax.text(x0 + w / 2, y - 0.18, stats, ha="center", va="top", fontsize=FONT - 2, color=NEUTRAL)
            else:
                _box(ax, x0, y, w, h, text, color, fill=0.88 if color == grey else 0.8)
        ax.text(cols["linear"][0] + cols["linear"][1] / 2, y - 0.18, "no bias: BN's $\\beta$\nreplaces it",
                ha="center", va="top", fontsize=FONT - 2, color=NEUTRAL)
        keys = [k for k, _, _ in boxes]
        for a, b in zip(keys[:-1], keys[1:]):
            xa, xb = cols[a][0] + cols[a][1], cols[b][0]
            _arrow(ax, (xa + 0.05, y + h / 2), (xb - 0.05, y + h / 2))
        last = cols[keys[-1]]
        _arrow(ax, (last[0] + last[1] + 0.05, y + h / 2), (last[0] + last[1] + 0.6, y + h / 2))
    # legend: what the box colours mean
    legend = [(lin_c, "BN's input $z$"), (STAGE_COLORS["normalized"], "normalized $\\hat{x}$"),
              (STAGE_COLORS["scaled"], "scaled and shifted $y$"), (act_c, "activated")]
    ax.text(0.15, 0.35, "box colour = the data it outputs:", fontsize=FONT - 1, va="center", color=NEUTRAL)
    x = 4.35
    for color, label in legend:
        ax.add_patch(Rectangle((x, 0.17), 0.36, 0.36, facecolor=_tint(color, 0.8), edgecolor=color, lw=2))
        ax.text(x + 0.5, 0.35, label, fontsize=FONT - 1, va="center")
        x += 2.85
    return ax


# -- the axes BN reduces ---------------------------------------------------------------------------

def draw_dense_axes(ax=None, n=6, d=5, feature=1):
    """An (N, D) batch as a grid; batch norm averages each feature (column) over the N rows.

    Returns
    -------
    ax : the axes drawn on
    """
    ax = _canvas(ax, d + 2.4, n + 3.3, figsize=(4.5, 5.5))
    x0, y0 = 1.6, 1.6
    for i in range(n):
        for j in range(d):
            hit = j == feature
            color = STAGE_COLORS["normalized"] if hit else STAGE_COLORS["input"]
            ax.add_patch(Rectangle((x0 + j, y0 + n - 1 - i), 1, 1, facecolor=_tint(color, 0.25 if hit else 0.82),
                                   edgecolor="white", lw=2))
    ax.add_patch(Rectangle((x0 + feature, y0), 1, n, fill=False, edgecolor=STAGE_COLORS["normalized"], lw=3))
    _arrow(ax, (x0 - 0.45, y0 + n), (x0 - 0.45, y0), color=NEUTRAL)
    ax.text(x0 - 0.7, y0 + n / 2, "$N$ examples", rotation=90, ha="right", va="center", fontsize=FONT)
    _arrow(ax, (x0, y0 + n + 0.45), (x0 + d, y0 + n + 0.45), color=NEUTRAL)
    ax.text(x0 + d / 2, y0 + n + 0.7, "$D$ features", ha="center", va="bottom", fontsize=FONT)
    ax.text(x0 + feature + 0.5, y0 - 0.25, "one $\\mu_j, \\sigma^2_j$\nper feature $j$", ha="center", va="top",
            fontsize=FONT - 1, color=STAGE_COLORS["normalized"])
    return ax


def draw_conv_axes(ax=None, n=3, h=4, w=4, c=4):
    """An (N, H, W, C) batch: each example a stack of C sheets of H x W; batch norm averages one
    channel's sheet (the front one, orange) over every example and every position.

    Returns
    -------
    ax : the axes drawn on
    """
    dx, dy = 0.55, 0.45  # offset of each channel sheet behind the previous (oblique depth)
    ex_w = w + (c - 1) * dx + 1.1
    ax = _canvas(ax, n * ex_w + 1.4, h + (c - 1) * dy + 4.3, figsize=(9.0, 5.5))
    x_start, y0 = 1.4, 1.6
    for e in range(n):
        ex0 = x_start + e * ex_w
        for k in reversed(range(c)):  # back sheets first
            hit = k == 0
            color = STAGE_COLORS["normalized"] if hit else STAGE_COLORS["input"]
            sx, sy = ex0 + k * dx, y0 + k * dy
            ax.add_patch(Rectangle((sx, sy), w, h, facecolor=_tint(color, 0.25 if hit else 0.82),
                                   edgecolor=STAGE_COLORS["normalized"] if hit else "white",
                                   lw=2.5 if hit else 1.5, zorder=10 - k))
            for t in range(1, w):
                ax.plot([sx + t, sx + t], [sy, sy + h], color="white", lw=1, zorder=10 - k)
            for t in range(1, h):
                ax.plot([sx, sx + w], [sy + t, sy + t], color="white", lw=1, zorder=10 - k)
        label = f"example {e + 1}" if e < n - 1 else "example $N$"
        ax.text(ex0 + w / 2, y0 - 0.3, label, ha="center", va="top", fontsize=FONT - 1)
    # axis arrows on the first example
    ex0 = x_start
    _arrow(ax, (ex0 - 0.45, y0 + h), (ex0 - 0.45, y0))
    ax.text(ex0 - 0.7, y0 + h / 2, "$H$", ha="right", va="center", fontsize=FONT)
    top = y0 + h + (c - 1) * dy
    _arrow(ax, (ex0 + (c - 1) * dx, top + 0.35), (ex0 + (c - 1) * dx + w, top + 0.35))
    ax.text(ex0 + (c - 1) * dx + w / 2, top + 0.55, "$W$", ha="center", va="bottom", fontsize=FONT)
    _arrow(ax, (ex0 + w + 0.25, y0 + 0.1), (ex0 + w + 0.25 + (c - 1) * dx, y0 + 0.1 + (c - 1) * dy))
    ax.text(ex0 + w + 0.35 + (c - 1) * dx, y0 + 0.1 + (c - 1) * dy, "$C$", ha="left", va="bottom",
            fontsize=FONT)
    ax.text(x_start + (n * ex_w - 1.1) / 2, y0 - 1.0,
            f"one $\\mu_c, \\sigma^2_c$ per channel $c$, from N\u00b7H\u00b7W = {n}\u00b7{h}\u00b7{w} = {n * h * w} values",
            ha="center", va="top", fontsize=FONT - 1, color=STAGE_COLORS["normalized"])
    return ax


def bn_axes_figure():
    """The axes batch norm reduces: ``axis=0`` for (N, D), ``axis=(0, 1, 2)`` for (N, H, W, C).

    Returns
    -------
    matplotlib.figure.Figure with two panels
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(13.0, 5.6), width_ratios=[1.2, 2.25])
    draw_dense_axes(left)
    draw_conv_axes(right)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.78, wspace=0.05)
    titles = ["fully connected: (N, D)\naxis=0  \u2192  $\\mu, \\sigma^2$ of shape (D,)",
              "convolutional, channels-last: (N, H, W, C)\naxis=(0, 1, 2)  \u2192  $\\mu, \\sigma^2$ of shape (C,)"]
    for ax, title in zip((left, right), titles):  # one baseline for both, whatever each panel's aspect
        box = ax.get_position(original=True)
        fig.text((box.x0 + box.x1) / 2, 0.88, title, ha="center", va="top", fontsize=FONT + 1, linespacing=1.5)
    fig.suptitle("What batch norm averages over: every orange cell goes into one mean and one variance",
                 fontsize=FONT + 3)
    return fig


# -- what batch, layer and group norm pool (chapter 13) ------------------------------------------------

_NORM_TITLES = {"batch": "Batch norm", "layer": "Layer norm", "group": "Group norm"}


def _box_faces(n, s, c):
    """The visible faces of an (N, H·W, C) box, back to front: [(corners, (example, position, channel))].

    N goes into the page, C across, H·W up (position 0 on top); each face shows the cell it belongs to.
    """
    dx, dy = 0.55, 0.45            # oblique offset of one step into the page (along N)

    def pt(ci, si, ni):            # channel, position (0 = top row), example -> page coordinates
        return (ci + ni * dx, (s - si) + ni * dy)

    faces = []
    for ni in range(n - 1, -1, -1):  # top face: the first position of every example and channel
        faces += [([pt(ci, 0, ni), pt(ci + 1, 0, ni), pt(ci + 1, 0, ni + 1), pt(ci, 0, ni + 1)], (ni, 0, ci))
                  for ci in range(c)]
    for ni in range(n - 1, -1, -1):  # right face: the last channel of every example and position
        faces += [([pt(c, si, ni), pt(c, si + 1, ni), pt(c, si + 1, ni + 1), pt(c, si, ni + 1)], (ni, si, c - 1))
                  for si in range(s)]
    faces += [([pt(ci, si, 0), pt(ci + 1, si, 0), pt(ci + 1, si + 1, 0), pt(ci, si + 1, 0)], (0, si, ci))
              for si in range(s) for ci in range(c)]   # front face: the first example
    return faces


def draw_norm_axes(kind, ax=None, shape=(4, 2, 3, 6), example=0, channel=0, groups=3,
                   color=STAGE_COLORS["normalized"]):
    """Draw the batch as a box (N into the page, C across, H·W up) and highlight ``shared_statistics_mask``.

    The picture of Wu & He (2018), *Group Normalization*, Figure 2: every highlighted cell is pooled into
    the same mean and variance. ``highlight_norm_axes`` re-colours the box for another setting.

    Parameters
    ----------
    kind, shape, example, channel, groups : as for ``bn_lesson.norm_axes.shared_statistics_mask``
    ax : matplotlib Axes or None -- drawn on (a new figure if None)
    color : the highlight colour (default: the "normalized" stage colour)

    Returns
    -------
    ax
    """
    n, h, w, c = shared_statistics_mask(kind, shape, example, channel, groups).shape  # checks the arguments
    s, (dx, dy) = h * w, (0.55, 0.45)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 3.6), layout="constrained")
    for corners, _ in _box_faces(n, s, c):
        # add_artist, not add_patch: the limits are set below, so no data-limit update per face (~1 ms each)
        ax.add_artist(Polygon(corners, closed=True, lw=0.8))
    for start, end, label, at, align in (
            ((0, -0.35), (c, -0.35), "C", (c + 0.15, -0.5), {"va": "center"}),
            ((-0.35, s), (-0.35, 0), "H, W", (-0.5, s / 2), {"ha": "right", "va": "center"}),
            ((c + 0.3, -0.1), (c + 0.3 + n * dx, -0.1 + n * dy), "N", (c + 0.4 + n * dx, -0.1 + n * dy),
             {"va": "center"})):
        _arrow(ax, start, end, lw=1.4, head=12, shrink=2.0)
        ax.text(*at, label, fontsize=11, **align)
    ax.set_xlim(-1.8, c + n * dx + 1.0)
    ax.set_ylim(-1.2, s + n * dy + 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return highlight_norm_axes(kind, ax, shape, example, channel, groups, color)


def highlight_norm_axes(kind, ax, shape=(4, 2, 3, 6), example=0, channel=0, groups=3,
                        color=STAGE_COLORS["normalized"]):
    """Re-colour the box ``draw_norm_axes`` drew on ``ax`` (same ``shape``) for another setting, and retitle it.

    Cheaper than drawing the box again (the chapter 05 widget's first visit to a setting comes here).

    Returns
    -------
    ax
    """
    mask = shared_statistics_mask(kind, shape, example, channel, groups)
    n, h, w, c = mask.shape
    flat = mask.reshape(n, h * w, c)   # (N, H*W, C): position index p = h_index * W + w_index
    faces = (p for p in ax.patches if isinstance(p, Polygon))   # in the order draw_norm_axes added them
    for face, (_, cell) in zip(faces, _box_faces(n, h * w, c)):
        hit = flat[cell]
        face.set(facecolor=color if hit else "#DCE9F5", edgecolor="#8A4B00" if hit else "white",
                 alpha=0.95 if hit else 1.0)
    # y given: the title sits where matplotlib would put it (no ticks above) without measuring the hidden axes
    ax.set_title(f"{_NORM_TITLES[kind]}\n{NORMS[kind]}", fontsize=10, y=1.0)
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
