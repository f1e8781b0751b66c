"""Drawing chapter 01's outlier: the other values after min-max scaling and after the Z-score.

The numbers come from ``bn_lesson.standardize.outlier_effect``; ``OutlierArtists`` draws the fixed parts once and
updates the histograms, the outlier's mark and the titles in place (the widget ``bn_lesson.widgets.outlier``
and the static figure ``plot_outlier_effect`` share it).
"""
import numpy as np
import matplotlib.pyplot as plt

from .plots import STAGE_COLORS

OUTLIER_COLOR = "#D55E00"


class OutlierArtists:
    """Two panels: min-max scaled values (left), z-scored values (right); the outlier marked in each.

    Parameters
    ----------
    left, right : Axes
    z_limits : (low, high) -- the z-score axis' range, fixed so that a slider move does not rescale it
    """

    MIN_MAX_BINS = np.linspace(0.0, 1.0, 51)

    def __init__(self, left, right, z_limits=(-8.0, 14.0)):
        self.z_bins = np.linspace(*z_limits, 89)
        self.hists, self.marks, self.titles = [], [], []
        for ax, bins, color, xlabel in (
                (left, self.MIN_MAX_BINS, STAGE_COLORS["scaled"], "min–max scaled value (always in [0, 1])"),
                (right, self.z_bins, STAGE_COLORS["normalized"], "z-score (standard deviations from the mean)")):
            self.hists.append(ax.stairs(np.zeros(len(bins) - 1), bins, fill=True, alpha=0.6, color=color,
                                        label="the other values"))
            self.marks.append(ax.axvline(bins[0], color=OUTLIER_COLOR, lw=2.5, label="the outlier"))
            self.titles.append(ax.set_title(" ", fontsize="medium"))
            ax.set_xlim(bins[0] - 0.02 * np.ptp(bins), bins[-1] + 0.02 * np.ptp(bins))
            ax.set_ylim(0, 1.1)
            ax.set_yticks([])
            ax.set_xlabel(xlabel)
        right.legend(loc="upper right", fontsize="small")

    def animated(self):
        """The artists a slider move changes."""
        return self.hists + self.marks + self.titles

    def set(self, effect, index=0):
        """Put an ``OutlierEffect`` into the artists (no drawing); ``index`` is the outlier's position."""
        others = np.arange(effect.zscore.size) != index % effect.zscore.size
        for hist, mark, title, values, bins, squeeze, name in zip(
                self.hists, self.marks, self.titles, (effect.min_max, effect.zscore),
                (self.MIN_MAX_BINS, self.z_bins), (effect.min_max_squeeze, effect.zscore_squeeze),
                ("min–max", "Z-score")):
            counts = np.histogram(np.clip(values[others], bins[0], bins[-1]), bins)[0]
            hist.set_data(counts / max(counts.max(), 1))
            x = float(np.clip(values[index], bins[0], bins[-1]))
            mark.set_xdata([x, x])
            title.set_text(f"{name}: the others squeezed {squeeze:.1f}x")


def plot_outlier_effect(effect, index=0, axes=None):
    """The other values after min-max scaling and after the Z-score, with one outlier.

    Parameters
    ----------
    effect : ``OutlierEffect``; index : the outlier's position
    axes : two Axes, or None for a new figure

    Returns
    -------
    axes : the two Axes
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3), layout="constrained")
    artists = OutlierArtists(*axes)
    artists.set(effect, index)
    axes[0].figure.suptitle(f"One value multiplied by {effect.factor:g}: min–max squeezes the others "
                            f"{effect.min_max_squeeze / effect.zscore_squeeze:.1f}x more than the Z-score",
                            fontsize="medium")
    return axes
