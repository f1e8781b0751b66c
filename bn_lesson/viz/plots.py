"""Plot helpers. Each takes an optional ``ax``, draws, and returns the axes; none changes global style.

The same stage of batch normalization has the same colour in every chapter (``STAGE_COLORS``).
"""
import numpy as np
import matplotlib.pyplot as plt

from .text import format_number

#: one colour per stage, used by every chapter (colour-blind-safe Okabe-Ito palette)
STAGE_COLORS = {
    "input": "#0072B2",       # blue: raw input x
    "normalized": "#E69F00",  # orange: x_hat
    "scaled": "#009E73",      # green: y = gamma * x_hat + beta
    "activated": "#CC79A7",   # purple: activation(y)
}
#: with vs without batch norm, for comparisons
BN_COLORS = {"without BN": "#7F7F7F", "with BN": "#D55E00"}
#: the minus sign figures print (a true minus, not a hyphen)
MINUS = "\u2212"


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


def plot_layer_histograms(counts, edges, axes=None, color=STAGE_COLORS["activated"], title=None, stats=None):
    """One small histogram per layer, side by side (Karpathy's picture of a deep net's activations).

    Parameters
    ----------
    counts : (L, B) ndarray, edges : (B + 1,) ndarray -- from ``activation_histograms``
    axes : sequence of L axes, or None to make a row of them
    stats : LayerStats or None -- if given, each panel's title shows the layer's per-example spread
        (``example_std``) and saturated share

    Returns
    -------
    axes : array of L axes
    """
    counts = np.asarray(counts)
    n_layers = counts.shape[0]
    if axes is None:
        _, axes = plt.subplots(1, n_layers, figsize=(1.7 * n_layers, 2.2), sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    if len(axes) != n_layers:
        raise ValueError(f"axes must hold {n_layers} axes (one per layer), got {len(axes)}")
    for l, ax in enumerate(axes):
        ax.stairs(counts[l], edges, fill=True, color=color, alpha=0.8)
        label = f"layer {l + 1}"
        if stats is not None:
            label += f"\nspread {stats.example_std[l]:.2g}, sat {stats.saturated[l]:.0%}"
        ax.set_title(label, fontsize=8)
        ax.tick_params(labelsize=7)
    if title:
        axes[0].figure.suptitle(title, fontsize=10)
    return axes


def plot_channel_stats(names, before, after, ax=None, labels=("before BN", "after BN")):
    """Per-channel mean (dot) and +/- one std (bar), before and after batch norm, side by side.

    Parameters
    ----------
    names : sequence of C str -- channel names
    before, after : (mean, std) pairs of (C,) ndarrays, e.g. from ``conv.channel_stats``
    labels : two str for the legend

    Returns
    -------
    ax : the axes drawn on
    """
    ax = _axes(ax, figsize=(7, 3.8))
    pos = np.arange(len(names))
    for (mean, std), label, color, shift in zip((before, after), labels,
                                                (STAGE_COLORS["input"], STAGE_COLORS["normalized"]), (-0.15, 0.15)):
        mean, std = np.asarray(mean, float), np.asarray(std, float)
        if mean.shape != (len(names),) or std.shape != (len(names),):
            raise ValueError(f"before/after must hold (C,) = ({len(names)},) means and stds, "
                             f"got {mean.shape} and {std.shape}")
        ax.errorbar(pos + shift, mean, yerr=std, fmt="o", ms=8, capsize=6, lw=2, color=color, label=label)
    ax.axhline(0, color="#BBBBBB", lw=0.8, zorder=0)
    ax.set_xticks(pos, list(names))
    ax.set_ylabel("channel mean $\\pm$ std")
    ax.legend(loc="best")
    return ax


def plot_maps(maps, titles, axes=None, colors=None, vmax=None, cmap="RdBu_r"):
    """2-D maps side by side -- an image, then one channel at each stage -- on symmetric colour scales.

    Zero is the middle colour (white for the default ``"RdBu_r"``), so the sign of every value shows;
    each title gets the map's value range underneath.

    Parameters
    ----------
    maps : sequence of K (H, W) ndarrays
    titles : sequence of K str
    axes : sequence of K Axes or None (a new row of K panels)
    colors : sequence of K colours for the titles, or None
    vmax : None, float, or sequence of K floats
        The colour scale runs from -vmax to vmax: None gives each map its own (its largest absolute
        value); one float or a repeated value puts maps on a common scale so shifts between them show.

    Returns
    -------
    axes : list of K Axes
    """
    maps = [np.asarray(m, dtype=float) for m in maps]
    if len(titles) != len(maps) or any(m.ndim != 2 for m in maps):
        raise ValueError(f"maps must be K two-dimensional arrays with K titles; got {len(maps)} maps "
                         f"of shapes {[m.shape for m in maps]} and {len(titles)} titles")
    if axes is None:
        _, axes = plt.subplots(1, len(maps), figsize=(2.3 * len(maps), 2.9), layout="constrained")
    axes = list(np.atleast_1d(axes))
    colors = colors or ["black"] * len(maps)
    tops = np.broadcast_to(np.nan if vmax is None else np.asarray(vmax, dtype=float), (len(maps),))
    for ax, m, title, color, top in zip(axes, maps, titles, colors, tops):
        top = (float(np.abs(m).max()) or 1.0) if np.isnan(top) else float(top)
        ax.imshow(m, cmap=cmap, vmin=-top, vmax=top)
        low, high = (format_number(v, ".2f", minus=MINUS) for v in (m.min(), m.max()))
        ax.set_title(f"{title}\n{low} to {high}", color=color, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    return axes


def plot_percentile_bands(steps, bands, ax=None, color=STAGE_COLORS["input"], label=None, title=None):
    """The middle percentile as a line, the outer two as a shaded band, against training step.

    Parameters
    ----------
    steps : (R,) ndarray -- ``History.record_steps``
    bands : (R, P) ndarray, P odd >= 3 -- e.g. the 15th, 50th and 85th percentiles of one unit's input

    Returns
    -------
    ax
    """
    steps, bands = np.asarray(steps), np.asarray(bands)
    if bands.ndim != 2 or bands.shape[0] != steps.shape[0] or bands.shape[1] < 3 or bands.shape[1] % 2 == 0:
        raise ValueError(f"bands must be (R, P) with R = len(steps) = {steps.shape[0]} and P odd >= 3, "
                         f"got shape {bands.shape}")
    ax = _axes(ax)
    mid = bands.shape[1] // 2
    ax.fill_between(steps, bands[:, 0], bands[:, -1], color=color, alpha=0.25, lw=0)
    for j in range(bands.shape[1]):
        ax.plot(steps, bands[:, j], color=color, lw=2 if j == mid else 0.8, label=label if j == mid else None)
    ax.set_xlabel("training step")
    ax.set_ylabel("unit's input (pre-activation)")
    if label:
        ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_median_and_range(x, values, ax=None, colors=None, logx=False, threshold=None, marker=None):
    """One quantity measured on several seeds: the median over seeds as a line, min to max as a band.

    Used for test accuracy against training step and against a swept setting (learning rate, initial scale).

    Parameters
    ----------
    x : (X,) sequence -- training steps, or the settings of a sweep
    values : dict {label: (S, X) array} -- one row per seed
    colors : dict {label: colour}, optional
    logx : bool -- logarithmic x axis (for sweeps over orders of magnitude)
    threshold : float or None -- drawn as a dotted black line (a target accuracy, what counts as "trained")
    marker : str or None -- e.g. "o" to mark the points of a sweep

    Returns
    -------
    ax
    """
    x = np.asarray(x)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.5), layout="constrained")
    for i, (label, v) in enumerate(values.items()):
        v = np.atleast_2d(np.asarray(v, dtype=float))
        if v.shape[1] != x.shape[0]:
            raise ValueError(f"values[{label!r}] has shape {v.shape}; expected (seeds, {x.shape[0]}), one column per x")
        color = (colors or {}).get(label, f"C{i}")
        ax.fill_between(x, v.min(axis=0), v.max(axis=0), color=color, alpha=0.2, lw=0)
        ax.plot(x, np.median(v, axis=0), color=color, lw=2, marker=marker, label=f"{label} (median, range of {len(v)} seeds)")
    if threshold is not None:
        ax.axhline(threshold, color="black", lw=1, ls=":")
    if logx:
        ax.set_xscale("log")
    ax.legend(fontsize="small")
    return ax
