"""Drawing the stages of batch normalization: the explorer's panels, its static twin, a small batch's dots.

* ``StagePanels`` -- one row of histogram panels, one per stage, with few artists updated in place; the
  explorer widget (``bn_lesson.widgets.explorer``) and ``plot_explorer_grid`` share it
* ``plot_explorer_grid`` -- the explorer's static twin: one row per setting, for the static HTML (no kernel)
* ``plot_minibatch_steps`` -- a small batch as dots at each stage (chapter 03)

The numbers come from ``bn_lesson.stages.explore``; this module only draws them.
"""
import inspect

import numpy as np
import matplotlib.pyplot as plt

from .._checks import check_batch
from ..activations import ACTIVATIONS
from ..constants import SIGMOID_FLAT
from ..stages import STAGES, check_stages, explore_setting
from ..stats import histogram_heights
from .plots import STAGE_COLORS
from .text import stage_label

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
ACTIVATED_LIMITS = {"sigmoid": (-0.05, 1.05), "relu": (-0.5, 10.0)}
#: the colour of the eps = 0 message
ERROR_COLOR = "#D55E00"

#: each stage's panel title
STAGE_TITLES = {
    "input": "raw input x",
    "normalized": "normalized x\u0302",
    "scaled": "y = \u03b3x\u0302 + \u03b2",
    "activated": "{activation}(y)",
}

#: the setting ``plot_explorer_grid`` fills in for keys a row leaves out (``explore_setting``'s defaults)
SETTING_DEFAULTS = {name: p.default for name, p in inspect.signature(explore_setting).parameters.items()
                    if name != "seed"}


def stage_limits(stage, dist, activation):
    """The x range of ``stage``'s panel for input distribution ``dist`` and ``activation``."""
    if stage == "input":
        return INPUT_LIMITS[dist]
    if stage == "normalized":
        return NORMALIZED_LIMITS
    if stage == "scaled":
        return SCALED_LIMITS
    return ACTIVATED_LIMITS.get(activation, ACTIVATED_LIMITS["relu"])


class StagePanels:
    """One row of panels, one per stage, drawn with few artists that are updated in place.

    Parameters
    ----------
    axes : sequence of Axes, one per stage
    stages : the stages shown, a selection from ``STAGES``
    bins : histogram bins per panel
    fontsize : tick and statistics text size
    text_artists : draw the statistics as matplotlib Text (True) or only keep them in ``labels`` for a
        faster painter to stamp (the widget does that)
    """

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
        """The artists an update changes (everything else is a fixed background)."""
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
            ax.set_xlim(*stage_limits(stage, dist, activation))
            ax.set_title(STAGE_TITLES[stage].format(activation=activation), fontsize=9, color=STAGE_COLORS[stage])
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
        """Put an ``ExplorerResult``'s histograms and statistics into the artists (no drawing)."""
        for stage in self.stages:
            if stage not in result.values:
                self.stairs[stage].set_data(np.zeros(self.bins))
                text = ""
            else:
                limits = stage_limits(stage, dist, result.activation)
                heights, edges, off = histogram_heights.math(result.values[stage], limits, self.bins)
                self.stairs[stage].set_data(heights, edges)
                text = stage_label(result.stats[stage], off)
            self.labels[stage] = text
            if stage in self.texts:
                self.texts[stage].set_text(text)


def plot_explorer_grid(settings, stages=STAGES, seed=0, axes=None, bins=50):
    """Static twin of the explorer: one row of stage panels per setting.

    Parameters
    ----------
    settings : sequence of dict
        Keyword arguments of ``explore_setting`` (dist, batch_size, gamma, beta, eps, activation).
    stages : the stages to show, a selection from ``STAGES``
    seed : int -- the batch seed (the widget's default is 0 too)
    axes : (len(settings), len(stages)) array of Axes, or None to make a new figure

    Returns
    -------
    axes : (len(settings), len(stages)) ndarray of Axes
    """
    settings = list(settings)
    if not settings:
        raise ValueError("settings must name at least one setting")
    stages = check_stages(stages)
    for setting in settings:
        unknown = set(setting) - set(SETTING_DEFAULTS)
        if unknown:
            raise ValueError(f"settings has unknown key(s) {sorted(unknown)}; choose from {sorted(SETTING_DEFAULTS)}")
    if axes is None:
        _, axes = plt.subplots(len(settings), len(stages), squeeze=False, layout="constrained",
                               figsize=(2.6 * len(stages), 2.1 * len(settings)))
    axes = np.asarray(axes).reshape(len(settings), len(stages))
    for row, setting in zip(axes, settings):
        full = SETTING_DEFAULTS | dict(setting)
        result = explore_setting(**full, seed=seed)
        panels = StagePanels(row, stages, bins)
        panels.set_frame(full["dist"], full["activation"])
        panels.set_result(result, full["dist"])
        row[0].set_ylabel(f"{full['dist']}, n={full['batch_size']}\n\u03b3={full['gamma']:g}, "
                          f"\u03b2={full['beta']:g}, \u03b5={full['eps']:g}", fontsize=8)
        if result.error:
            row[-1].text(0.5, 0.5, "eps = 0 and variance 0:\nx\u0302 = 0/0, not drawn", color=ERROR_COLOR,
                         transform=row[-1].transAxes, ha="center", va="center", fontsize=8)
    return axes


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
        _, axes = plt.subplots(1, len(arrays), figsize=(3.2 * len(arrays), 0.55 * d + 1.4), sharey=True,
                               layout="constrained")
    axes = list(np.atleast_1d(axes))
    for ax, (stage, v) in zip(axes, arrays.items()):
        for j in range(d):
            ax.plot(v[:, j], np.full(m, j), "o", color=STAGE_COLORS[stage], alpha=0.8, ms=7)
            ax.plot([v[:, j].mean()] * 2, [j - 0.3, j + 0.3], color="black", lw=2)
        ax.set_title(STAGE_TITLES[stage].format(activation="activation"), color=STAGE_COLORS[stage])
        ax.set_yticks(range(d), names)
        ax.set_ylim(d - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
    return axes
