"""Drawing chapter 11's bug lab: test accuracy against the test batch size, in training and inference mode.

The numbers come from ``bn_lesson.models.mlp.accuracy_in_batches``; ``BatchSizeArtists`` draws them once
and moves only the marker of the chosen batch size (the widget ``bn_lesson.widgets.batch_size_bug`` and the
static figure ``plot_batch_size_bug`` share it).
"""
import numpy as np
import matplotlib.pyplot as plt

from .plots import BN_COLORS, STAGE_COLORS

#: the two modes, as the figure names and colours them
MODE_LABELS = {True: "training=True (the bug)", False: "training=False (the fix)"}
MODE_COLORS = {True: BN_COLORS["with BN"], False: STAGE_COLORS["input"]}


class BatchSizeArtists:
    """Both accuracy curves (fixed) and a marker + title for the chosen batch size and mode (updated).

    Parameters
    ----------
    ax : Axes
    sizes : (K,) ints -- the test batch sizes, increasing
    accuracy : dict {True: (K,), False: (K,)} -- accuracy in training / inference mode at each size
    """

    def __init__(self, ax, sizes, accuracy):
        self.ax, self.sizes, self.accuracy = ax, np.asarray(sizes), accuracy
        for training in (True, False):
            ax.plot(self.sizes, accuracy[training], "o-", ms=4, lw=1.5, color=MODE_COLORS[training],
                    label=MODE_LABELS[training])
        ax.set_xscale("log", base=2)
        ax.set_xticks(self.sizes, [str(s) for s in self.sizes])
        ax.minorticks_off()
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("test batch size (the test set fed in consecutive batches)")
        ax.set_ylabel("test accuracy")
        ax.legend(loc="lower right", fontsize="small")
        (self.marker,) = ax.plot([], [], "o", ms=13, mfc="none", mew=2, color="black")
        self.title = ax.set_title(" ", fontsize="medium")

    def animated(self):
        """The artists a control move changes."""
        return [self.marker, self.title]

    def set(self, batch_size, training):
        """Mark ``batch_size`` on the ``training`` curve and say what it shows (no drawing)."""
        k = int(np.flatnonzero(self.sizes == batch_size)[0])
        acc = self.accuracy[training][k]
        self.marker.set_data([batch_size], [acc])
        self.title.set_text(f"batches of {batch_size}, training={training}: accuracy {acc:.2f}"
                            f" (inference mode: {self.accuracy[False][k]:.2f})")


def plot_batch_size_bug(sizes, accuracy, batch_size=None, training=True, ax=None):
    """Test accuracy against the test batch size in both modes; optionally mark one size.

    Parameters
    ----------
    sizes : (K,) ints, accuracy : dict {True: (K,), False: (K,)} -- as ``BatchSizeArtists`` takes them
    batch_size : one of ``sizes`` to mark, or None
    training : which curve the mark sits on
    ax : Axes or None (a new figure)

    Returns
    -------
    ax : Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.3), layout="constrained")
    artists = BatchSizeArtists(ax, sizes, accuracy)
    if batch_size is None:
        artists.title.set_text("Forgetting inference mode: the predictions depend on the test batch size")
    else:
        artists.set(batch_size, training)
    return ax
