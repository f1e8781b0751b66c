"""Drawing chapter 02's deep network at initialization: every layer's output histogram and its spread.

The numbers come from ``bn_lesson.models.probe.deep_net_probe``; ``DeepNetArtists`` draws the fixed parts
once and updates the curves in place (the widget ``bn_lesson.widgets.deep_net`` and the static figure
``plot_deep_net_probe`` share it).
"""
import numpy as np
import matplotlib.pyplot as plt
from matplotlib import colormaps

#: the most hidden layers the picture has room for
MAX_DEPTH = 10
#: the per-example spread axis (log scale): from a faded signal to a saturating one
SPREAD_LIMITS = (1e-5, 30.0)


class DeepNetArtists:
    """Left: each layer's output histogram, overlaid (light = first, dark = last). Right: spread per layer.

    Parameters
    ----------
    left, right : Axes
    """

    def __init__(self, left, right):
        self.left, self.right = left, right
        cmap = colormaps["viridis_r"]
        self.colors = [cmap(0.15 + 0.85 * l / (MAX_DEPTH - 1)) for l in range(MAX_DEPTH)]
        self.hists = [left.stairs(np.zeros(1), np.array([0.0, 1.0]), color=c, lw=1.6) for c in self.colors]
        left.set_ylim(0, 1.05)
        left.set_yticks([])
        left.set_ylabel("share of outputs (scaled)")
        self.left_title = left.set_title(" ", fontsize="medium")
        (self.spread,) = right.plot([], [], "o-", color="black", lw=1.5, ms=4, label="spread (std over images)")
        (self.saturated,) = right.twinx().plot([], [], "s--", color="#D55E00", lw=1.2, ms=4,
                                               label="saturated share")
        sat_ax = self.saturated.axes
        sat_ax.set_ylim(-0.02, 1.02)
        sat_ax.set_ylabel("saturated share", color="#D55E00")
        right.set_yscale("log")
        right.set_ylim(*SPREAD_LIMITS)
        right.set_xlim(0.5, MAX_DEPTH + 0.5)
        right.set_xticks(range(1, MAX_DEPTH + 1))
        right.set_xlabel("hidden layer")
        right.set_ylabel("spread of a unit's input")
        right.set_title("Per layer: does the signal fade or saturate?", fontsize="medium")

    def animated(self):
        """The artists a control move changes."""
        return self.hists + [self.spread, self.saturated, self.left_title]

    def set(self, probe, title=""):
        """Put a ``DeepNetProbe`` into the artists (no drawing): its layers' histograms and statistics."""
        depth = len(probe.counts)
        top = max(probe.counts.max(), 1e-12)
        for l, hist in enumerate(self.hists):
            hist.set_visible(l < depth)
            if l < depth:
                hist.set_data(probe.counts[l] / top, probe.edges)
        self.left.set_xlim(probe.edges[0], probe.edges[-1])
        self.left.set_xlabel("activation output")
        layers = np.arange(1, depth + 1)
        self.spread.set_data(layers, np.clip(probe.stats.example_std, *SPREAD_LIMITS))
        self.saturated.set_data(layers, probe.stats.saturated)
        self.left_title.set_text(title or f"{depth} layers: last layer's spread {probe.stats.example_std[-1]:.2g}, "
                                          f"saturated {probe.stats.saturated[-1]:.0%}")


def plot_deep_net_probe(probe, title="", axes=None):
    """Each layer's output histogram and each layer's spread and saturated share, for one ``DeepNetProbe``.

    Parameters
    ----------
    probe : ``DeepNetProbe``; title : the left panel's title (default: the last layer's numbers)
    axes : two Axes, or None for a new figure

    Returns
    -------
    axes : the two Axes
    """
    if len(probe.counts) > MAX_DEPTH:
        raise ValueError(f"probe must have at most {MAX_DEPTH} layers, got {len(probe.counts)}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained")
    DeepNetArtists(*axes).set(probe, title)
    return axes
