"""The gamma / beta / eps explorer: one batch, followed through every stage of batch normalization.

raw input x  ->  normalized x_hat  ->  scaled and shifted y = gamma * x_hat + beta  ->  activation(y)

Three layers, each usable alone:

* ``explore`` / ``explore_setting`` -- *pure*: the four steps (the ``bn_lesson.algorithm`` step
  functions), the activation, and each stage's mean, std and skewness (``stage_stats``). Tests and
  notebooks check these numbers.
* ``plot_explorer_grid`` -- the same drawing code on ordinary axes: a static figure (a row per
  setting), for the static HTML, which has no kernel.
* ``Explorer`` (built by ``build_explorer``) -- sliders for gamma, beta and eps (log scale, and eps = 0
  only through a separate checkbox), a choice of input distribution, batch size and activation. It
  keeps ONE matplotlib figure (Agg, no pyplot) with few artists, updates them in place and shows the
  picture as PNG bytes in an ``ipywidgets.Image`` of fixed size: no flicker, and the saved widget state
  carries the last picture into the static HTML. An update redraws only the changing artists over a
  cached background (blitting); the background (axes, ticks, titles) is drawn once per combination of
  input distribution and activation, the only controls that change axis limits.
"""
import io
from typing import NamedTuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._checks import check_batch, check_eps
from ..activations import ACTIVATIONS, saturated_fraction
from ..algorithm import DEFAULT_EPS, batch_mean, batch_variance, normalize, scale_and_shift
from ..data import DISTRIBUTIONS, sample_distribution
from ..viz.plots import STAGE_COLORS

#: the stages, in order; also the keys of ``STAGE_COLORS``
STAGES = ("input", "normalized", "scaled", "activated")
#: the activations the explorer offers
EXPLORER_ACTIVATIONS = ("sigmoid", "relu")
#: the batch sizes the explorer offers
BATCH_SIZES = (2, 8, 32, 128, 1000, 10_000)
#: |y| above this is the sigmoid's flat region (its gradient is < 7% of its peak); relu is flat for y <= 0
SIGMOID_FLAT = 4.0

#: fixed x limits of every panel (the input panel's depend on the distribution, the last on the activation)
INPUT_LIMITS = {
    "normal": (-5.0, 11.0),
    "skewed": (0.0, 20.0),
    "bimodal": (-5.0, 9.0),
    "tiny-variance": (2.96, 3.04),
    "constant": (2.5, 3.5),
}
NORMALIZED_LIMITS = (-5.0, 5.0)
SCALED_LIMITS = (-10.0, 10.0)
ERROR_COLOR = "#D55E00"
ACTIVATED_LIMITS = {"sigmoid": (-0.05, 1.05), "relu": (-0.5, 10.0)}

_TITLES = {
    "input": "raw input x",
    "normalized": "normalized x\u0302",
    "scaled": "y = \u03b3x\u0302 + \u03b2",
    "activated": "{activation}(y)",
}


# -- pure computation ------------------------------------------------------------------------------------

class StageStats(NamedTuple):
    """Summary of one stage's values (population statistics, 1/N)."""

    mean: float
    std: float
    skewness: float  #: E[(v - mean)^3] / std^3; 0 for a constant stage


def stage_stats(v):
    """Mean, standard deviation and skewness of the values ``v`` (any shape, flattened).

    Parameters
    ----------
    v : ndarray, at least one finite value

    Returns
    -------
    StageStats(mean, std, skewness)

    Notes
    -----
    skewness = mean((v - mean)^3) / std^3. A stage whose values are all equal (std 0, or so small
    that it is rounding noise) has skewness 0.
    """
    v = check_batch(v, "v").ravel()
    mean = float(v.mean())
    d = v - mean
    var = float((d * d).mean())
    if var <= (1e-12 * max(1.0, abs(mean))) ** 2:
        return StageStats(mean, float(np.sqrt(var)), 0.0)
    return StageStats(mean, float(np.sqrt(var)), float((d * d * d).mean() / var ** 1.5))


class ExplorerResult(NamedTuple):
    """What ``explore`` returns: every stage's values and statistics, and what eps did."""

    values: dict              #: stage -> (N,) ndarray (only "input" when ``error`` is set)
    stats: dict               #: stage -> StageStats (only "input" when ``error`` is set)
    mu: float                 #: batch mean (step 1)
    var: float                #: biased batch variance (step 2)
    eps: float
    xhat_var_predicted: float  #: var / (var + eps): what x_hat's variance must be
    saturated: float          #: share of y in the activation's flat region (nan when ``error`` is set)
    activation: str
    error: str = None         #: why the batch could not be normalized (eps = 0 with zero variance)


def explore(x, gamma=1.0, beta=0.0, eps=DEFAULT_EPS, activation="sigmoid"):
    """Run one feature's mini-batch through the four steps and an activation; summarize each stage.

    Parameters
    ----------
    x : (N,) or (N, 1) ndarray -- one feature's mini-batch
    gamma, beta : float -- scale and shift
    eps : float >= 0
    activation : "sigmoid" or "relu" (any name in ``bn_lesson.activations.ACTIVATIONS`` works)

    Returns
    -------
    ExplorerResult
        ``values`` and ``stats`` are keyed by ``STAGES``. With eps = 0 and a constant batch the
        normalization is 0/0: instead of NaN, ``error`` says so and only the input stage is filled.

    Notes
    -----
    mu = mean(x); var = mean((x - mu)^2); x_hat = (x - mu) / sqrt(var + eps); y = gamma * x_hat + beta.
    Then mean(x_hat) = 0, var(x_hat) = var / (var + eps), mean(y) = beta, std(y) = |gamma| * std(x_hat).
    """
    x = check_batch(x)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"x must be one feature's batch, shape (N,) or (N, 1); got shape {x.shape}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    for name, p in (("gamma", gamma), ("beta", beta)):
        if not (np.isscalar(p) and np.isfinite(p)):
            raise ValueError(f"{name} must be a finite number, got {p!r}")
    eps = check_eps(eps)

    mu = batch_mean(x)                   # step 1: scalar (one feature)
    var = batch_variance(x, mu)          # step 2: scalar
    values = {"input": x}
    stats = {"input": stage_stats(x)}
    predicted = float(var / (var + eps)) if var + eps > 0 else float("nan")
    try:
        x_hat = normalize(x, mu, var, eps)  # step 3: (N,)
    except ValueError as err:  # eps = 0 and var = 0: 0 / 0
        return ExplorerResult(values, stats, float(mu), float(var), eps, predicted, float("nan"), activation,
                              f"cannot normalize: {err}")
    y = scale_and_shift(x_hat, gamma, beta)  # step 4: (N,)
    out = ACTIVATIONS[activation][0](y)
    values.update(normalized=x_hat, scaled=y, activated=out)
    for stage in STAGES[1:]:
        stats[stage] = stage_stats(values[stage])
    threshold = SIGMOID_FLAT if activation == "sigmoid" else None
    saturated = saturated_fraction(y, activation, threshold)
    return ExplorerResult(values, stats, float(mu), float(var), eps, predicted, saturated, activation)


def explore_setting(dist="normal", batch_size=10_000, gamma=1.0, beta=0.0, eps=DEFAULT_EPS,
                    activation="sigmoid", seed=0):
    """``explore`` a batch drawn by ``sample_distribution(dist, batch_size, default_rng(seed))``.

    The same (dist, batch_size, seed) always gives the same batch, so the widget and a static figure
    with the same setting show the same numbers.
    """
    x = sample_distribution(dist, batch_size, np.random.default_rng(seed))
    return explore(x, gamma, beta, eps, activation)


def linear_fit_r2(z, activation="sigmoid"):
    """How linear the activation is over the inputs ``z`` it actually receives.

    Fits the best straight line a + b * z to activation(z) by least squares and returns R^2, the share
    of activation(z)'s variance that line explains: 1.0 means the layer acts as a linear map on this
    batch (it might as well not have an activation); lower means the nonlinearity is being used.

    Parameters
    ----------
    z : (N,) ndarray -- the activation's inputs (pre-activations), not all equal
    activation : a name in ``bn_lesson.activations.ACTIVATIONS``

    Returns
    -------
    float in [0, 1]
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    z = check_batch(z, "z").ravel()
    out = ACTIVATIONS[activation][0](z)
    dz, dout = z - z.mean(), out - out.mean()
    szz, soo = float(dz @ dz), float(dout @ dout)
    if szz == 0:
        raise ValueError("z has no spread (all values equal): a line through one point is undefined")
    if soo == 0:
        return 1.0  # the output is constant: a flat line fits it exactly
    return float((dz @ dout) ** 2 / (szz * soo))


def format_stats(result):
    """One line per stage: ``stage  mean  std  skewness``, rounded for printing (and for nbval)."""
    lines = []
    for stage in STAGES:
        if stage in result.stats:
            s = result.stats[stage]
            lines.append(f"{stage:<11s} mean {_r(s.mean, 3):>8} std {_r(s.std, 3):>7} skew {_r(s.skewness, 2):>6}")
    if result.error:
        lines.append(result.error)
    return "\n".join(lines)


def _r(value, digits):
    """Round for display without printing -0.000."""
    return f"{round(value, digits) + 0.0:.{digits}f}"


def _limits(stage, dist, activation):
    if stage == "input":
        return INPUT_LIMITS[dist]
    if stage == "normalized":
        return NORMALIZED_LIMITS
    if stage == "scaled":
        return SCALED_LIMITS
    return ACTIVATED_LIMITS.get(activation, ACTIVATED_LIMITS["relu"])


def histogram_heights(v, limits, bins=50):
    """Bin ``v`` over ``limits`` and scale so the tallest bin is 1 (every panel then has a fixed height).

    Returns
    -------
    heights : (bins,) ndarray in [0, 1]
    edges : (bins + 1,) ndarray
    off_axis : float -- the share of ``v`` outside ``limits`` (not drawn)
    """
    counts, edges = np.histogram(v, bins=bins, range=limits)
    top = counts.max()
    heights = counts / top if top > 0 else counts.astype(float)
    off_axis = 1.0 - counts.sum() / max(np.size(v), 1)
    return heights, edges, float(off_axis)


# -- drawing (shared by the widget and the static grid) ----------------------------------------------------

class _StagePanels:
    """One row of panels, one per stage, drawn with few artists that are updated in place."""

    #: where each panel's statistics go, in axes fractions (top-left corner of the text)
    TEXT_AT = (0.03, 0.96)

    def __init__(self, axes, stages=STAGES, bins=50, fontsize=8, text_artists=True):
        self.stages = tuple(stages)
        self.axes = dict(zip(self.stages, axes))
        self.bins = bins
        self.frame = None
        self.stairs, self.texts, self.labels = {}, {}, {}
        for stage, ax in self.axes.items():
            self.stairs[stage] = ax.stairs(np.zeros(bins), np.linspace(0.0, 1.0, bins + 1), fill=True,
                                           color=STAGE_COLORS[stage], alpha=0.75)
            self.labels[stage] = ""
            if text_artists:
                self.texts[stage] = ax.text(*self.TEXT_AT, "", transform=ax.transAxes, va="top", ha="left",
                                            fontsize=fontsize, family="monospace",
                                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
            ax.set_ylim(0.0, 1.6)  # head room for the statistics text
            ax.set_yticks([])
            ax.tick_params(labelsize=fontsize)
            for side in ("top", "right", "left"):
                ax.spines[side].set_visible(False)
        self.shade = None
        self.curve = None

    def animated(self):
        return list(self.stairs.values()) + list(self.texts.values())

    def text_positions(self):
        """stage -> (x, y) display pixels (origin bottom-left) of each statistics text's top-left corner."""
        return {stage: tuple(ax.transAxes.transform(self.TEXT_AT)) for stage, ax in self.axes.items()}

    def set_frame(self, dist, activation):
        """Axis limits, titles and the activation's flat region; returns True if anything changed."""
        if self.frame == (dist, activation):
            return False
        self.frame = (dist, activation)
        for stage, ax in self.axes.items():
            ax.set_xlim(*_limits(stage, dist, activation))
            ax.set_title(_TITLES[stage].format(activation=activation), fontsize=9, color=STAGE_COLORS[stage])
        ax = self.axes.get("scaled")
        if ax is not None:
            for artist in (self.shade or []) + ([self.curve] if self.curve else []):
                artist.remove()
            trans = ax.get_xaxis_transform()  # x in data units, y in axes fractions
            z = np.linspace(*SCALED_LIMITS, 201)
            if activation == "sigmoid":
                self.shade = [ax.axvspan(SCALED_LIMITS[0], -SIGMOID_FLAT, color="0.85", zorder=0),
                              ax.axvspan(SIGMOID_FLAT, SCALED_LIMITS[1], color="0.85", zorder=0)]
                curve = ACTIVATIONS["sigmoid"][0](z) / 1.6
            else:
                self.shade = [ax.axvspan(SCALED_LIMITS[0], 0.0, color="0.85", zorder=0)]
                curve = ACTIVATIONS["relu"][0](z) / SCALED_LIMITS[1] / 1.6
            (self.curve,) = ax.plot(z, curve, color="0.3", lw=1, ls="--", transform=trans, zorder=1)
        return True

    def set_result(self, result, dist):
        """Put ``result``'s histograms and statistics into the artists (no drawing)."""
        for stage in self.stages:
            if stage not in result.values:
                self.stairs[stage].set_data(np.zeros(self.bins))
                self.labels[stage] = ""
                if stage in self.texts:
                    self.texts[stage].set_text("")
                continue
            limits = _limits(stage, dist, result.activation)
            heights, edges, off = histogram_heights(result.values[stage], limits, self.bins)
            self.stairs[stage].set_data(heights, edges)
            s = result.stats[stage]
            text = f"mean {_r(s.mean, 3)}\nstd  {_r(s.std, 3)}\nskew {_r(s.skewness, 2)}"
            if off > 0:
                text += f"\n{100 * off:.1f}% off axis"
            self.labels[stage] = text
            if stage in self.texts:
                self.texts[stage].set_text(text)


def _status(result):
    """The line under the panels: what eps did to x_hat, and how much of y sits in the flat region."""
    if result.error:
        return ""
    var_hat = result.stats["normalized"].std ** 2
    flat = "|y| > 4" if result.activation == "sigmoid" else "y \u2264 0"
    return (f"\u03c3\u00b2 = {result.var:.3g}, \u03b5 = {result.eps:.0e}:  var(x\u0302) = {var_hat:.4f} "
            f"= \u03c3\u00b2/(\u03c3\u00b2+\u03b5) = {result.xhat_var_predicted:.4f}     "
            f"{result.activation} input in its flat region ({flat}): {100 * result.saturated:.1f}%")


def plot_explorer_grid(settings, stages=STAGES, seed=0, axes=None, bins=50):
    """Static twin of the explorer: one row of stage panels per setting.

    Parameters
    ----------
    settings : sequence of dict
        Keyword arguments of ``explore_setting`` (dist, batch_size, gamma, beta, eps, activation).
    stages : the stages to show, a subsequence of ``STAGES``
    seed : int -- the batch seed (the widget's default is 0 too)
    axes : (len(settings), len(stages)) array of Axes, or None to make a new figure

    Returns
    -------
    axes : (len(settings), len(stages)) ndarray of Axes
    """
    settings = list(settings)
    if not settings:
        raise ValueError("settings must name at least one setting")
    if not set(stages) <= set(STAGES):
        raise ValueError(f"stages must be taken from {STAGES}, got {stages!r}")
    if axes is None:
        import matplotlib.pyplot as plt  # only here: the widget itself never touches pyplot

        _, axes = plt.subplots(len(settings), len(stages), squeeze=False, layout="constrained",
                               figsize=(2.6 * len(stages), 2.1 * len(settings)))
    axes = np.asarray(axes).reshape(len(settings), len(stages))
    for row, setting in zip(axes, settings):
        unknown = set(setting) - {"dist", "batch_size", "gamma", "beta", "eps", "activation"}
        if unknown:
            raise ValueError(f"settings has unknown key(s) {sorted(unknown)}")
        full = {"dist": "normal", "batch_size": 10_000, "gamma": 1.0, "beta": 0.0, "eps": DEFAULT_EPS,
                "activation": "sigmoid"} | dict(setting)
        result = explore_setting(**full, seed=seed)
        panels = _StagePanels(row, stages, bins)
        panels.set_frame(full["dist"], full["activation"])
        panels.set_result(result, full["dist"])
        row[0].set_ylabel(f"{full['dist']}, n={full['batch_size']}\n\u03b3={full['gamma']:g}, "
                          f"\u03b2={full['beta']:g}, \u03b5={full['eps']:g}", fontsize=8)
        if result.error:
            row[-1].text(0.5, 0.5, "eps = 0 and variance 0:\nx\u0302 = 0/0, not drawn", color=ERROR_COLOR,
                         transform=row[-1].transAxes, ha="center", va="center", fontsize=8)
    return axes


# -- a visible mini-batch, step by step ---------------------------------------------------------------------

def format_batch(x, name, feature_names=None, digits=3):
    """A small (m, D) batch as a text table: one row per example, then its mean and std rows.

    Parameters
    ----------
    x : (m, D) ndarray
    name : str -- printed in the header, e.g. "x" or "x_hat"
    feature_names : sequence of D str, or None for "feature 0", "feature 1", ...
    digits : int -- decimals printed

    Returns
    -------
    str
    """
    x = check_batch(x, name)
    if x.ndim != 2:
        raise ValueError(f"{name} must be an (m, D) batch, got shape {x.shape}")
    names = list(feature_names) if feature_names is not None else [f"feature {j}" for j in range(x.shape[1])]
    if len(names) != x.shape[1]:
        raise ValueError(f"feature_names has {len(names)} names for {x.shape[1]} features")
    width = max(digits + 7, *(len(n) for n in names))
    lines = [f"{name:<8}" + "".join(f"{n:>{width}}" for n in names)]
    rows = [(f"i={i + 1}", row) for i, row in enumerate(x)]
    rows += [("mean", x.mean(axis=0)), ("std", x.std(axis=0))]
    for k, (label, row) in enumerate(rows):
        if k == len(x):
            lines.append("-" * len(lines[0]))
        lines.append(f"{label:<8}" + "".join(f"{_r(v, digits):>{width}}" for v in row))
    return "\n".join(lines)


def plot_minibatch_steps(stages, feature_names=None, axes=None):
    """Dot plot of a small batch at each stage: one panel per stage, one row of dots per feature.

    Parameters
    ----------
    stages : dict stage -> (m, D) ndarray, keys from ``STAGES`` (e.g. input, normalized, scaled)
    feature_names : sequence of D str, or None
    axes : sequence of len(stages) Axes, or None to make a new figure

    Returns
    -------
    axes : list of Axes

    Each feature's batch mean is marked with a black bar.
    """
    if not stages or not set(stages) <= set(STAGES):
        raise ValueError(f"stages must map names from {STAGES} to (m, D) arrays, got {list(stages)}")
    arrays = {k: check_batch(v, k) for k, v in stages.items()}
    shapes = {v.shape for v in arrays.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(f"every stage must be the same (m, D) shape, got {sorted(shapes)}")
    m, d = next(iter(shapes))
    names = list(feature_names) if feature_names is not None else [f"feature {j}" for j in range(d)]
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, len(arrays), figsize=(3.2 * len(arrays), 0.55 * d + 1.4), sharey=True,
                               layout="constrained")
    axes = list(np.atleast_1d(axes))
    for ax, (stage, v) in zip(axes, arrays.items()):
        for j in range(d):
            ax.plot(v[:, j], np.full(m, j), "o", color=STAGE_COLORS[stage], alpha=0.8, ms=7)
            ax.plot([v[:, j].mean()] * 2, [j - 0.3, j + 0.3], color="black", lw=2)
        ax.set_title(_TITLES[stage].format(activation="activation"), color=STAGE_COLORS[stage])
        ax.set_yticks(range(d), names)
        ax.set_ylim(d - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
    return axes


# -- the widget ----------------------------------------------------------------------------------------------

class _PillowText:
    """Draws the widget's labels with Pillow onto the rendered canvas and encodes the PNG.

    Why not matplotlib ``Text`` artists: on this machine one 3-line Text costs 12-25 ms to draw (glyph
    layout and rasterization), so four statistics boxes and a status line alone would take ~90 ms --
    more than the whole update budget. Pillow draws the same strings, with matplotlib's own DejaVu fonts,
    in well under a millisecond each. The static figures (``plot_explorer_grid``) keep real Text artists.
    """

    def __init__(self, fontsize, dpi):
        from matplotlib.font_manager import FontProperties, findfont
        from PIL import ImageFont

        px = max(int(round(fontsize * dpi / 72)), 6)
        basic = ImageFont.Layout.BASIC
        self.mono = ImageFont.truetype(findfont(FontProperties(family=["monospace"])), px, layout_engine=basic)
        self.sans = ImageFont.truetype(findfont(FontProperties(family=["sans-serif"])), px, layout_engine=basic)
        self.big = ImageFont.truetype(findfont(FontProperties(family=["sans-serif"])), px + 3,
                                      layout_engine=basic)
        self._stamps = {}
        self._palettes = {}

    def stamp(self, text, font, align="left"):
        """``text`` rendered black on an opaque white tile, cached: most labels repeat between updates."""
        from PIL import Image, ImageDraw

        key = (text, id(font), align)
        tile = self._stamps.get(key)
        if tile is None:
            if len(self._stamps) > 512:
                self._stamps.clear()
            left, top, right, bottom = ImageDraw.Draw(Image.new("RGB", (1, 1))).multiline_textbbox(
                (0, 0), text, font=font, spacing=2, align=align)
            tile = Image.new("RGB", (right + 2, bottom + 2), "white")
            ImageDraw.Draw(tile).multiline_text((1, 1), text, fill="black", font=font, spacing=2, align=align)
            self._stamps[key] = tile
        return tile

    def png(self, canvas, boxes, status, error, palette_key=None, compress_level=1):
        """PNG bytes of ``canvas`` with the labels on top.

        boxes : list of ((x, y), text) -- top-left corners in display pixels (origin bottom-left)
        status : str -- centred along the bottom edge
        error : str -- centred in a framed box when non-empty
        palette_key : hashable or None -- pictures with the same key share one 256-colour palette
        """
        from PIL import Image, ImageDraw

        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
        for (x, y), text in boxes:
            if text:
                image.paste(self.stamp(text, self.mono), (int(x) - 1, int(height - y) - 1))
        if status:
            tile = self.stamp(status, self.sans)
            image.paste(tile, ((width - tile.width) // 2, height - tile.height - 1))
        if error:
            draw = ImageDraw.Draw(image)
            left, top, right, bottom = draw.multiline_textbbox((0, 0), error, font=self.big, spacing=3,
                                                                align="center")
            x, y = (width - (right - left)) / 2, (height - (bottom - top)) / 2
            draw.rectangle((x - 8, y - 6, x + right - left + 8, y + bottom - top + 6), fill="white",
                           outline=ERROR_COLOR, width=2)
            draw.multiline_text((x - left, y - top), error, fill=ERROR_COLOR, font=self.big, spacing=3,
                                align="center")
        # A plot has few colours: a 256-colour palette PNG looks the same (mean error ~1/255 per channel,
        # at most 15/255, measured against the 24-bit picture)
        # and encodes ~5x faster than a 24-bit PNG, whose row filtering alone costs ~10 ms here. Finding a
        # palette costs a few ms more, so a palette is found once per key (the widget's frame: the same
        # axes, colours and shading) and reused; mapping onto a known palette takes ~0.3 ms.
        key = (palette_key, bool(error))
        palette = self._palettes.get(key) if palette_key is not None else None
        if palette is None:
            image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
            if palette_key is not None:
                self._palettes[key] = image
        else:
            image = image.quantize(palette=palette, dither=Image.Dither.NONE)
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=compress_level)
        return buf.getvalue()


try:
    import ipywidgets as widgets
except ImportError:  # pragma: no cover - ipywidgets is a dependency; the pure part works without it
    widgets = None


class Explorer(widgets.VBox if widgets is not None else object):
    """The explorer widget (an ``ipywidgets.VBox``). Build it with ``build_explorer``.

    Attributes
    ----------
    gamma, beta : FloatSlider           (descriptions 'γ', 'β'; CSS classes ``bn-gamma``, ``bn-beta``)
    eps : FloatLogSlider                (description 'ε', 1e-8 ... 1; CSS class ``bn-eps``)
    eps_zero : Checkbox                 sets eps to exactly 0 (the guard: a constant batch shows a message)
    dist : Dropdown of ``DISTRIBUTIONS``, batch_size : Dropdown of batch sizes,
    activation : ToggleButtons ("sigmoid", "relu")
    identity : Button or None           sets γ = √(σ²+ε), β = μ (when built with ``identity_button=True``)
    image : Image                       the picture (fixed size; CSS class ``bn-explorer-figure``)
    figure : matplotlib Figure          the one figure, redrawn in place
    last_stats : ExplorerResult         what the last update computed
    n_updates : int                     how many updates have run (a browser test can wait on it)
    """

    def __init__(self, dist="normal", batch_size=10_000, gamma=1.0, beta=0.0, eps=DEFAULT_EPS,
                 activation="sigmoid", stages=STAGES, seed=0, batch_sizes=BATCH_SIZES,
                 identity_button=False, dpi=80, continuous_update=True):
        if widgets is None:  # pragma: no cover
            raise ImportError("the explorer widget needs ipywidgets")
        if dist not in DISTRIBUTIONS:
            raise ValueError(f"dist must be one of {DISTRIBUTIONS}, got {dist!r}")
        if activation not in EXPLORER_ACTIVATIONS:
            raise ValueError(f"activation must be one of {EXPLORER_ACTIVATIONS}, got {activation!r}")
        batch_sizes = tuple(batch_sizes)
        if batch_size not in batch_sizes:
            raise ValueError(f"batch_size must be one of {batch_sizes}, got {batch_size!r}")
        if not set(stages) <= set(STAGES) or not stages:
            raise ValueError(f"stages must be a non-empty subsequence of {STAGES}, got {stages!r}")
        if not 0 <= eps <= 1:
            raise ValueError(f"eps must be in [0, 1], got {eps!r}")
        self._seed = seed
        self._samples = {}
        self.n_updates = 0
        self.last_stats = None

        slider = {"continuous_update": continuous_update, "style": {"description_width": "1.5em"},
                  "layout": widgets.Layout(width="260px")}
        self.gamma = widgets.FloatSlider(value=gamma, min=0.0, max=4.0, step=0.05, description="\u03b3",
                                         tooltip="gamma: the scale", readout_format=".2f", **slider)
        self.beta = widgets.FloatSlider(value=beta, min=-6.0, max=6.0, step=0.1, description="\u03b2",
                                        tooltip="beta: the shift", readout_format=".2f", **slider)
        self.eps = widgets.FloatLogSlider(value=max(eps, 1e-8), base=10, min=-8, max=0, step=0.25,
                                          description="\u03b5", tooltip="eps, on a log scale",
                                          readout_format=".0e", **slider)
        self.eps_zero = widgets.Checkbox(value=eps == 0, description="\u03b5 = 0 exactly", indent=False,
                                         layout=widgets.Layout(width="130px"))
        self.dist = widgets.Dropdown(options=DISTRIBUTIONS, value=dist, description="input",
                                     layout=widgets.Layout(width="220px"))
        self.batch_size = widgets.Dropdown(options=batch_sizes, value=batch_size, description="batch size",
                                           layout=widgets.Layout(width="200px"))
        self.activation = widgets.ToggleButtons(options=EXPLORER_ACTIVATIONS, value=activation,
                                                style={"button_width": "90px"})
        for control, css in ((self.gamma, "bn-gamma"), (self.beta, "bn-beta"), (self.eps, "bn-eps"),
                             (self.eps_zero, "bn-eps-zero"), (self.dist, "bn-dist"),
                             (self.batch_size, "bn-batch-size"), (self.activation, "bn-activation")):
            control.add_class(css)
            control.observe(self._on_change, names="value")
        self.eps.disabled = self.eps_zero.value

        self.identity = None
        extra = []
        if identity_button:
            self.identity = widgets.Button(description="\u03b3 = \u221a(\u03c3\u00b2+\u03b5), \u03b2 = \u03bc",
                                           tooltip="undo the normalization", layout=widgets.Layout(width="170px"))
            self.identity.add_class("bn-identity")
            self.identity.on_click(self._set_identity)
            extra = [self.identity]

        # one figure, a fixed size, no pyplot: nothing is displayed by matplotlib itself
        n = len(stages)
        self.figure = Figure(figsize=(2.45 * n, 2.55), dpi=dpi)
        self._canvas = FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(1, n, squeeze=False)[0]
        self.figure.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.2, wspace=0.08)
        self._panels = _StagePanels(axes, stages, text_artists=False)
        self._text = _PillowText(fontsize=8, dpi=dpi)
        self._text_at = self._panels.text_positions()
        self._animated = self._panels.animated()
        for artist in self._animated:
            artist.set_animated(True)
        self._backgrounds = {}  # (dist, activation) -> the rendered axes, ticks, titles and shading
        width, height = self.figure.canvas.get_width_height()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class("bn-explorer-figure")

        rows = [widgets.HBox([self.gamma, self.beta, self.eps, self.eps_zero]),
                widgets.HBox([self.dist, self.batch_size, self.activation] + extra)]
        super().__init__(children=rows + [self.image])
        self.add_class("bn-explorer")
        self._updating = False
        self.update()

    # -- state ----------------------------------------------------------------------------------------
    def current_eps(self):
        """The eps in use: 0 when the 'ε = 0' box is ticked, else the slider's value."""
        return 0.0 if self.eps_zero.value else float(self.eps.value)

    def batch(self):
        """The current batch, ``(batch_size, 1)``: the same for the same distribution and size."""
        key = (self.dist.value, self.batch_size.value)
        if key not in self._samples:
            self._samples = {key: sample_distribution(*key, np.random.default_rng(self._seed))}
        return self._samples[key]

    def compute(self):
        """The pure part of an update: ``explore`` with the controls' values."""
        return explore(self.batch(), self.gamma.value, self.beta.value, self.current_eps(),
                       self.activation.value)

    # -- updates ----------------------------------------------------------------------------------------
    def _on_change(self, change):
        if change["owner"] is self.eps_zero:
            self.eps.disabled = self.eps_zero.value
        if not self._updating:
            self.update()

    def _set_identity(self, _button=None):
        """γ = √(σ² + ε), β = μ: y then equals the raw input (within the sliders' ranges)."""
        result = self.last_stats
        self._updating = True
        try:
            self.gamma.value = min(max(np.sqrt(result.var + result.eps), self.gamma.min), self.gamma.max)
            self.beta.value = min(max(result.mu, self.beta.min), self.beta.max)
        finally:
            self._updating = False
        self.update()

    def update(self):
        """Recompute from the controls, update the artists in place, render, show; returns the result."""
        result = self.compute()
        dist = self.dist.value
        self._panels.set_frame(dist, self.activation.value)
        self._panels.set_result(result, dist)
        error = "" if not result.error else (
            "\u03b5 = 0 and this batch has variance 0:\n"
            "(x \u2212 \u03bc) / \u221a(0 + 0) = 0/0 is undefined.\n"
            "Untick '\u03b5 = 0 exactly' (Keras uses \u03b5 = 1e-3).")
        background = self._backgrounds.get(self._panels.frame)
        if background is None:  # a new (input, activation) frame: draw its static parts once and keep them
            self._canvas.draw()
            self._backgrounds[self._panels.frame] = self._canvas.copy_from_bbox(self.figure.bbox)
        else:
            self._canvas.restore_region(background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        boxes = [(self._text_at[stage], self._panels.labels[stage]) for stage in self._panels.stages]
        self.image.value = self._text.png(self._canvas, boxes, _status(result), error, palette_key=self._panels.frame)
        self.last_stats = result
        self.n_updates += 1
        return result


def build_explorer(**kwargs):
    """Build the explorer widget; display it by making it a cell's last expression.

    Keyword arguments (all optional) are ``Explorer``'s: dist, batch_size, gamma, beta, eps, activation,
    stages, seed, batch_sizes, identity_button, dpi, continuous_update.
    """
    return Explorer(**kwargs)
