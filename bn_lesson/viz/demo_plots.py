"""Drawing the demo app's two views (``make demo``): training with and without BN, and train vs inference.

The numbers come from the pure functions of ``bn_lesson.widgets.demo_views`` (``compare_training``,
``train_vs_inference``); these helpers only draw them, for the widgets there and for static figures.
"""
import numpy as np
import matplotlib.pyplot as plt

from .plots import BN_COLORS, STAGE_COLORS, plot_percentile_bands
from .text import format_number


def plot_training_comparison(runs, axes=None, activation="sigmoid"):
    """Test accuracy of both runs, and the percentile band of one unit's input in each.

    Parameters
    ----------
    runs : dict {"without BN": History, "with BN": History} -- from ``compare_training``
    axes : three Axes, or None for a new figure
    activation : the networks' activation, for the titles

    Returns
    -------
    axes : (3,) ndarray of Axes
    """
    if set(runs) != set(BN_COLORS):
        raise ValueError(f"runs must have the keys {sorted(BN_COLORS)}, got {sorted(runs)}")
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
    axes = np.asarray(axes).ravel()
    for label, hist in runs.items():
        end = "diverged" if hist.diverged else f"{hist.probe_accuracy[-1]:.0%}"
        axes[0].plot(hist.record_steps, hist.probe_accuracy, color=BN_COLORS[label], lw=2,
                     label=f"{label}: {end}")
    axes[0].set_ylim(0, 1)
    axes[0].set_xlabel("training step")
    axes[0].set_ylabel("test accuracy")
    axes[0].set_title("Test accuracy")
    axes[0].legend(loc="lower right")
    lows = [h.unit_percentiles[:, 0].min() for h in runs.values() if len(h.record_steps)]
    highs = [h.unit_percentiles[:, 0].max() for h in runs.values() if len(h.record_steps)]
    for ax, (label, hist) in zip(axes[1:], runs.items()):
        plot_percentile_bands(hist.record_steps, hist.unit_percentiles[:, 0], ax=ax, color=BN_COLORS[label],
                              title=f"{label}: one {activation} unit's input, 15/50/85%")
        ax.set_ylim(min(lows) - 0.5, max(highs) + 0.5)  # one scale, so the two bands compare
    return axes


class TrainVsInferenceArtists:
    """The train-vs-inference view's artists, drawn once and updated in place (the widget and the plot).

    Parameters
    ----------
    left, right : Axes -- the moving averages over training; the fresh batch in both modes
    result : ``TrainVsInference`` -- fixes what does not change: the step range, the true mean and variance
    """

    BINS = np.linspace(-6.0, 6.0, 61)

    def __init__(self, left, right, result):
        self.left, self.right = left, right
        k = np.arange(len(result.moving_mean))                   # 0 ... the most steps shown
        (self.mean_line,) = left.plot(k, np.zeros_like(k, dtype=float), color=STAGE_COLORS["input"], lw=2,
                                      label="moving mean")
        (self.var_line,) = left.plot(k, np.zeros_like(k, dtype=float), color=STAGE_COLORS["scaled"], lw=2,
                                     label="moving variance")
        left.axhline(result.true_mean, color=STAGE_COLORS["input"], ls=":", lw=1.5,
                     label=f"true mean {result.true_mean:g}")
        left.axhline(result.true_var, color=STAGE_COLORS["scaled"], ls=":", lw=1.5,
                     label=f"true variance {result.true_var:g}")
        self.now = left.axvline(0, color="black", lw=1.5)
        self.title = left.text(0.5, 1.02, "", transform=left.transAxes, ha="center", va="bottom", fontsize=11)
        left.set_xlim(0, k[-1])
        left.set_ylim(-0.3, 5.5)
        left.set_xlabel(f"training steps (batches of {result.batch_size})")
        left.legend(loc="lower right", fontsize=8, ncols=2)
        self.hists, self.texts = [], []
        for i, (label, color) in enumerate((("training mode (batch statistics)", BN_COLORS["with BN"]),
                                            ("inference mode (moving averages)", STAGE_COLORS["input"]))):
            self.hists.append(right.stairs(np.zeros(len(self.BINS) - 1), self.BINS, fill=True, alpha=0.45,
                                           color=color))
            self.texts.append(right.text(0.02, 0.95 - 0.09 * i, "", transform=right.transAxes, color=color,
                                         fontsize=9, va="top", fontweight="bold"))
            self.texts[-1].label = label
        right.set_xlim(self.BINS[0], self.BINS[-1])
        right.set_ylim(0, 1.35)
        right.set_yticks([])
        right.set_xlabel("batch-norm output (γ = 1, β = 0)")
        right.set_title("The same fresh batch, in both modes")

    def animated(self):
        """The artists a slider move changes (everything else is a fixed background)."""
        return [self.mean_line, self.var_line, self.now, self.title] + self.hists + self.texts

    def set(self, result):
        """Put a ``TrainVsInference`` into the artists (no drawing)."""
        self.mean_line.set_ydata(result.moving_mean)
        self.var_line.set_ydata(result.moving_var)
        self.now.set_xdata([result.steps, result.steps])
        self.title.set_text(f"momentum {result.momentum:g}: after {result.steps} steps the start still "
                            f"weighs {100 * result.start_weight:.0f}%")
        outs = (result.train_out, result.infer_out)
        counts = [np.histogram(np.clip(out, self.BINS[0], self.BINS[-1]), self.BINS)[0] for out in outs]
        top = max(c.max() for c in counts)
        for stairs, text, c, out in zip(self.hists, self.texts, counts, outs):
            stairs.set_data(c / top)
            text.set_text(f"{text.label}: mean {format_number(out.mean(), '.2f')}, std {out.std():.2f}")


def plot_train_vs_inference(result, axes=None):
    """Left: the moving averages over training, and where we stop. Right: the batch in both modes.

    Parameters
    ----------
    result : ``TrainVsInference``
    axes : two Axes, or None for a new figure

    Returns
    -------
    axes : (2,) ndarray of Axes
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained")
    axes = np.asarray(axes).ravel()
    TrainVsInferenceArtists(*axes, result).set(result)
    return axes
