"""Plot helpers. Each takes an optional ``ax``, draws, and returns the axes; none changes global style.

The same stage of batch normalization has the same colour in every chapter (``STAGE_COLORS``).
"""
import numpy as np
import matplotlib.pyplot as plt

#: one colour per stage, used by every chapter (colour-blind-safe Okabe-Ito palette)
STAGE_COLORS = {
    "input": "#0072B2",       # blue: raw input x
    "normalized": "#E69F00",  # orange: x_hat
    "scaled": "#009E73",      # green: y = gamma * x_hat + beta
    "activated": "#CC79A7",   # purple: activation(y)
}
#: with vs without batch norm, for comparisons
BN_COLORS = {"without BN": "#7F7F7F", "with BN": "#D55E00"}


def _axes(ax, figsize=(6, 3.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_feature_ranges(X, names, ax=None, title=None, color=STAGE_COLORS["input"], log=False):
    """Box plot of every feature (column) of ``X``, one row per feature.

    Parameters
    ----------
    X : (N, D) ndarray
    names : sequence of D str
    log : bool -- use a log x axis (positive data) so features of very different size all show
    """
    ax = _axes(ax, figsize=(6, 0.3 * X.shape[1] + 1))
    ax.boxplot(X, orientation="horizontal", tick_labels=list(names), widths=0.6,
               patch_artist=True, boxprops={"facecolor": color, "alpha": 0.5},
               medianprops={"color": "black"}, flierprops={"markersize": 3})
    ax.invert_yaxis()
    if log:
        if (np.asarray(X) <= 0).any():
            raise ValueError("log=True needs positive X; use log=False for data with zeros or negatives")
        ax.set_xscale("log")
    if title:
        ax.set_title(title)
    return ax


def plot_loss_curves(curves, ax=None, title=None, colors=None):
    """Loss against step, both axes logarithmic, one line per entry of ``curves``.

    Parameters
    ----------
    curves : dict {label: (steps + 1,) ndarray} -- the loss before step 1, after step 1, ...
    colors : dict {label: colour}, optional

    A log step axis keeps a run that converges in 40 steps visible beside one that takes 5,000.
    """
    ax = _axes(ax)
    for i, (label, losses) in enumerate(curves.items()):
        color = (colors or {}).get(label, f"C{i}")
        ax.plot(np.arange(1, len(losses) + 1), losses, label=label, color=color, lw=2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("gradient-descent step (log scale)")
    ax.set_ylabel("mean squared error")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax
