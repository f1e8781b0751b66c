"""The course's printed numbers and tables: rounded for reading (and for nbval), never "-0.000".

* ``format_number`` -- one number, with no negative zero and (for figures) a true minus sign
* ``format_median_range`` -- one number per seed as the chapters quote it, "median (smallest–largest)"
* ``format_batch`` -- a small (m, D) batch as a table with its mean and std rows (chapter 03)
* ``format_stats``, ``stage_label``, ``status_line`` -- the explorer's statistics, as chapters 03 and 04
  print them and as the widget and its static twin show them

Plain strings: nothing here imports matplotlib.
"""
import re

import numpy as np

from .._checks import as_array, check_batch
from ..constants import DEFAULT_EPS, SIGMOID_FLAT
from ..stages import STAGES
from ..stats import median_and_range


def format_number(value, spec=".3f", minus="-"):
    """``value`` formatted with ``spec``, without a negative zero ("-0.000" prints as "0.000").

    Parameters
    ----------
    value : real number (a Python or numpy scalar)
    spec : str -- a format spec, e.g. ".3f", ".2g"
    minus : str -- the minus sign to print; figures use the true minus sign "\u2212"

    Returns
    -------
    str

    Notes
    -----
    A fixed-point spec ".Nf" prints ``round(value, N) + 0.0``, the idiom this replaces, digit for digit
    (a numpy scalar rounds as ``np.round`` does: 4.0705 -> "4.070").
    """
    fixed = re.fullmatch(r"\.(\d+)f", spec)
    if fixed:
        value = round(value, int(fixed.group(1))) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = format(float(value), spec)
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", minus)


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
        lines.append(f"{label:<8}" + "".join(f"{format_number(v, f'.{digits}f'):>{width}}" for v in row))
    return "\n".join(lines)


def format_stats(result):
    """One line per stage of an ``ExplorerResult``: ``stage  mean  std  skewness``, rounded for printing."""
    lines = []
    for stage in STAGES:
        if stage in result.stats:
            s = result.stats[stage]
            lines.append(f"{stage:<11s} mean {format_number(s.mean):>8} std {format_number(s.std):>7} "
                         f"skew {format_number(s.skewness, '.2f'):>6}")
    if result.error:
        lines.append(result.error)
    return "\n".join(lines)


def stage_label(stats, off_axis=0.0):
    """The statistics box of one explorer panel: mean, std, skewness, and the share not drawn.

    Parameters
    ----------
    stats : ``bn_lesson.stats.StageStats``
    off_axis : float -- the share of the stage's values outside the panel's x range
    """
    text = (f"mean {format_number(stats.mean)}\nstd  {format_number(stats.std)}\n"
            f"skew {format_number(stats.skewness, '.2f')}")
    if off_axis > 0:
        text += f"\n{100 * off_axis:.1f}% off axis"
    return text


def status_line(result):
    """The line under the explorer's panels: what eps did to x_hat, and how much of y is in the flat region."""
    if result.error:
        return ""
    var_hat = result.stats["normalized"].std ** 2
    flat = f"|y| > {SIGMOID_FLAT:g}" if result.activation == "sigmoid" else "y \u2264 0"
    return (f"\u03c3\u00b2 = {result.var:.3g}, \u03b5 = {result.eps:.0e}:  var(x\u0302) = {var_hat:.4f} "
            f"= \u03c3\u00b2/(\u03c3\u00b2+\u03b5) = {result.xhat_var_predicted:.4f}     "
            f"{result.activation} input in its flat region ({flat}): {100 * result.saturated:.1f}%")


#: what the explorer shows instead of panels when eps = 0 meets a batch of variance 0
ZERO_VARIANCE_MESSAGE = ("\u03b5 = 0 and this batch has variance 0:\n"
                         "(x \u2212 \u03bc) / \u221a(0 + 0) = 0/0 is undefined.\n"
                         f"Untick '\u03b5 = 0 exactly' (Keras uses \u03b5 = {DEFAULT_EPS:g}).")


def format_median_range(values, fmt="{:.2f}"):
    """One number per seed as the chapters print it: ``"median (min–max)"``, e.g. ``"0.95 (0.93–0.96)"``.

    ``inf`` (never reached) prints as "never"; ``fmt`` formats each number (e.g. ``"{:,.0f}"`` for steps).

    Parameters
    ----------
    values : (S,) or any shape -- one number per seed (flattened)
    """
    v = as_array(values, "values").ravel()
    if v.size == 0 or np.isnan(v).any():
        raise ValueError(f"values must be one finite number (or inf) per seed, got {values!r}")
    median, low, high = median_and_range(v)
    return f"{_never_or(median, fmt)} ({_never_or(low, fmt)}\u2013{_never_or(high, fmt)})"


def _never_or(x, fmt):
    return "never" if np.isinf(x) else fmt.format(x)
