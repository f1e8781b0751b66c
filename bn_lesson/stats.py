"""Pure statistics the lessons compute and then plot. Nothing here draws, and nothing imports matplotlib.

* ``layer_stats``, ``activation_histograms`` -- Karpathy's per-layer "mean / std / saturated" lines and
  histograms of a deep network (chapter 02)
* ``percentile_band``, ``band_drift``, ``percentile_ranges``, ``spread_growth`` -- the 15/50/85th
  percentiles of one unit's input over training, from the batch-norm paper's Figure 1 (chapters 02, 08)
* ``stage_stats``, ``histogram_heights`` -- the mean, std and skewness of one stage of the four steps, and
  its histogram scaled to a fixed height (the explorer, chapters 03 and 04)
* ``linear_fit_r2``, ``fit_saturation_map`` -- how linearly an activation acts on the inputs it receives, and
  that R² with the saturated share over a (gamma, beta) grid (chapter 04)
* ``median_and_range`` -- one number per seed summed up as the chapters quote it: median, smallest, largest
  (``bn_lesson.viz.text.format_median_range`` prints it)

``bn_lesson.viz`` draws these numbers; tests check them.
"""
from typing import NamedTuple

import numpy as np

from ._checks import (check_batch, check_choice, check_number, check_positive_int, constant_features,
                      validated)
from .activations import ACTIVATIONS, saturated_fraction


# -- a deep network, layer by layer -------------------------------------------------------------------

class LayerStats(NamedTuple):
    """One number per hidden layer, each an (L,) ndarray."""

    mean: np.ndarray         #: mean pre-activation (over examples and units)
    std: np.ndarray          #: standard deviation of all the layer's pre-activations
    example_std: np.ndarray  #: each unit's std over the examples, averaged over units
    saturated: np.ndarray    #: share of pre-activations where the activation is flat


def _check_layers(a):
    if len(a["preacts"]) == 0:
        raise ValueError("preacts must hold at least one layer")
    a["preacts"] = [check_batch(z, f"preacts[{i}]") for i, z in enumerate(a["preacts"])]
    a["activation"] = check_choice(a["activation"], "activation", ACTIVATIONS)
    if "bins" in a:
        a["bins"] = check_positive_int(a["bins"], "bins")
    return a


@validated(_check_layers)
def layer_stats(preacts, activation="sigmoid", threshold=None):
    """Mean, standard deviation and saturated share of each layer's pre-activations.

    Parameters
    ----------
    preacts : sequence of L arrays, each (N, H_l) -- the activations' inputs, e.g. ``MLP.forward(...)[1].preacts``
    activation : "sigmoid", "tanh" or "relu" -- what counts as saturated (see ``saturated_fraction``)
    threshold : float or None -- passed to ``saturated_fraction``

    Returns
    -------
    LayerStats of four (L,) arrays

    Notes
    -----
    ``std`` mixes two things: units sitting at different levels, and each unit responding to the
    example. ``example_std`` keeps only the second: if it is near 0, the layer gives (almost) the same
    output whatever image came in, and the layers above cannot tell the examples apart.
    """
    return LayerStats(
        mean=np.array([z.mean() for z in preacts]),                  # (L,)
        std=np.array([z.std() for z in preacts]),                    # (L,)
        example_std=np.array([z.std(axis=0).mean() for z in preacts]),  # (L,)
        saturated=np.array([saturated_fraction(z, activation, threshold) for z in preacts]),
    )


@validated(_check_layers)
def activation_histograms(preacts, activation="tanh", bins=40):
    """Histograms of each layer's activation *outputs* on a common set of bins.

    Parameters
    ----------
    preacts : sequence of L arrays (N, H_l)
    activation : "sigmoid", "tanh" or "relu"
    bins : int -- number of equal bins over the activation's range ([0, 1], [-1, 1], or [0, max])

    Returns
    -------
    counts : (L, bins) ndarray -- share of values in each bin (each row sums to 1)
    edges : (bins + 1,) ndarray
    """
    outs = [ACTIVATIONS[activation][0](z).ravel() for z in preacts]
    if activation == "sigmoid":
        lo, hi = 0.0, 1.0
    elif activation == "tanh":
        lo, hi = -1.0, 1.0
    else:
        lo, hi = 0.0, max(max(o.max() for o in outs), 1e-12)
    edges = np.linspace(lo, hi, bins + 1)                                       # (bins + 1,)
    counts = np.array([np.histogram(o, bins=edges)[0] / o.size for o in outs])  # (L, bins)
    return counts, edges


# -- one unit's input over training ---------------------------------------------------------------------

def _check_band(a):
    a["z"] = check_batch(a["z"], "z")
    q = np.asarray(a["q"], dtype=float)
    if q.ndim != 1 or q.size == 0 or (q < 0).any() or (q > 100).any() or (np.diff(q) <= 0).any():
        raise ValueError(f"q must be increasing percentiles in [0, 100], got {q.tolist()}")
    a["q"] = q
    return a


@validated(_check_band)
def percentile_band(z, q=(15, 50, 85)):
    """Percentiles of each unit's values over a batch.

    Parameters
    ----------
    z : (N,) or (N, H) ndarray -- one unit's (or H units') pre-activations on N examples
    q : sequence of P numbers in [0, 100], increasing

    Returns
    -------
    (P,) ndarray for (N,) input, (H, P) for (N, H)
    """
    return np.percentile(z, q, axis=0).T  # (P,) or (H, P)


def _records(p, name, min_records=1, n_percentiles=None):
    """(R, P) or (R, U, P) percentile records as a float array, P odd >= 3 (or exactly ``n_percentiles``)."""
    p = np.asarray(p, dtype=float)
    ok = p.ndim in (2, 3) and p.shape[0] >= min_records
    if ok:
        ok = p.shape[-1] == n_percentiles if n_percentiles else p.shape[-1] >= 3 and p.shape[-1] % 2 == 1
    if not ok:
        raise ValueError(f"{name} must be (R, P) or (R, U, P) with R >= {min_records} and "
                         f"P = {n_percentiles or 'an odd number >= 3'}, got shape {p.shape}")
    return p


def _first_has_width(p, message):
    """``ValueError(message)`` if the first record's percentiles coincide (relative to their level)."""
    if np.any(constant_features(p[0], -1)):
        raise ValueError(message)
    return p


def _check_bands(a):
    a["bands"] = _first_has_width(_records(a["bands"], "bands", min_records=2),
                                  "bands: the first record's band has zero width; drift is undefined")
    return a


def _check_percentiles(a):
    a["percentiles"] = _records(a["percentiles"], "percentiles", n_percentiles=3)
    return a


def _check_spread(a):
    a = _check_percentiles(a)
    _first_has_width(a["percentiles"], "percentiles: the first record's spread is zero; its growth is undefined")
    return a


@validated(_check_bands)
def band_drift(bands):
    """How far the middle percentile moved over training, in units of the starting band's width.

    Parameters
    ----------
    bands : (R, P) or (R, U, P) ndarray, P >= 3 odd -- percentiles over R records (``History.unit_percentiles``)

    Returns
    -------
    float, or (U,) ndarray: (median at the last record - median at the first) / (top - bottom at the first)

    Notes
    -----
    1.0 means the median moved by as much as the whole 15th-85th percentile range was wide at the start.
    """
    mid = bands.shape[-1] // 2
    width0 = bands[0, ..., -1] - bands[0, ..., 0]                # (U,) or ()
    return (bands[-1, ..., mid] - bands[0, ..., mid]) / width0


@validated(_check_percentiles)
def percentile_ranges(percentiles):
    """How far each percentile of each unit's input wandered over training: max minus min over records.

    Parameters
    ----------
    percentiles : (R, U, 3) or (R, 3) array -- 15th/50th/85th percentiles at R records (or one unit's slice)

    Returns
    -------
    (U, 3) or (3,) ndarray
    """
    return percentiles.max(axis=0) - percentiles.min(axis=0)


@validated(_check_spread)
def spread_growth(percentiles):
    """By what factor each unit's 15th-85th percentile spread changed from the first record to the last.

    ``percentiles`` is as for ``percentile_ranges``. Returns an (U,) ndarray, or a float for one unit's
    (R, 3) slice: (85th - 15th at the last record) / (85th - 15th at the first).
    """
    spread = percentiles[..., 2] - percentiles[..., 0]  # (R, U) or (R,)
    return spread[-1] / spread[0]


# -- one stage of the four steps (the explorer) -----------------------------------------------------------

class StageStats(NamedTuple):
    """Summary of one stage's values (population statistics, 1/N)."""

    mean: float
    std: float
    skewness: float  #: E[(v - mean)^3] / std^3; 0 for a constant stage


def _check_values(a):
    a["v"] = check_batch(a["v"], "v").ravel()
    return a


@validated(_check_values)
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
    skewness = mean((v - mean)^3) / std^3. A stage whose values are all equal, up to rounding relative
    to their size, has no shape to measure: its skewness is 0.
    """
    mean = v.mean()
    d = v - mean                 # (N,)
    std = np.sqrt((d * d).mean())
    if constant_features(v, 0):
        return StageStats(float(mean), float(std), 0.0)
    z = d / np.abs(d).max()      # (N,) in [-1, 1]: the same skewness, and cubes of tiny values cannot underflow
    skewness = (z * z * z).mean() / (z * z).mean() ** 1.5
    return StageStats(float(mean), float(std), float(skewness))


def _check_histogram(a):
    a = _check_values(a)
    try:
        low, high = a["limits"]
    except (TypeError, ValueError) as err:
        raise TypeError(f"limits must be a pair (low, high), got {a['limits']!r}") from err
    low, high = check_number(low, "limits[0]"), check_number(high, "limits[1]")
    if not low < high:
        raise ValueError(f"limits must have low < high, got {a['limits']!r}")
    a["limits"] = (low, high)
    a["bins"] = check_positive_int(a["bins"], "bins")
    return a


@validated(_check_histogram)
def histogram_heights(v, limits, bins=50):
    """Bin ``v`` over ``limits`` and scale so the tallest bin is 1 (every panel then has a fixed height).

    Parameters
    ----------
    v : ndarray -- the values (flattened)
    limits : (low, high) -- the binned range
    bins : int >= 1

    Returns
    -------
    heights : (bins,) ndarray in [0, 1]
    edges : (bins + 1,) ndarray
    off_axis : float -- the share of ``v`` outside ``limits`` (not drawn)
    """
    counts, edges = np.histogram(v, bins=bins, range=limits)   # (bins,), (bins + 1,)
    top = counts.max()
    heights = counts / top if top > 0 else counts.astype(float)
    return heights, edges, float(1.0 - counts.sum() / v.size)


def _check_fit(a):
    a["activation"] = check_choice(a["activation"], "activation", ACTIVATIONS)
    a["z"] = check_batch(a["z"], "z").ravel()
    if constant_features(a["z"], 0):
        raise ValueError("z has no spread (all values equal): a line through one point is undefined")
    return a


@validated(_check_fit)
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
    out = ACTIVATIONS[activation][0](z)          # (N,)
    if constant_features(out, 0):
        return 1.0  # the output is constant: a flat line fits it exactly
    dz, dout = z - z.mean(), out - out.mean()    # (N,)
    return float((dz @ dout) ** 2 / ((dz @ dz) * (dout @ dout)))


# -- gamma and beta: how nonlinear, how saturated (chapter 04) --------------------------------------------

class FitSaturationMap(NamedTuple):
    """``linear_fit_r2`` and ``saturated_fraction`` of activation(gamma * x_hat + beta) over a grid."""

    gammas: np.ndarray     #: (G,)
    betas: np.ndarray      #: (B,)
    r2: np.ndarray         #: (B, G) R² of the best straight line through the activation's outputs
    saturated: np.ndarray  #: (B, G) share of gamma * x_hat + beta in the activation's flat region


def _check_map(a):
    a["x_hat"] = check_batch(a["x_hat"], "x_hat").ravel()
    if constant_features(a["x_hat"], 0):
        raise ValueError("x_hat has no spread (all values equal)")
    for name in ("gammas", "betas"):
        a[name] = check_batch(a[name], name).ravel()
    if (a["gammas"] <= 0).any():
        raise ValueError("gammas must all be > 0")
    a["activation"] = check_choice(a["activation"], "activation", ACTIVATIONS)
    return a


@validated(_check_map)
def fit_saturation_map(x_hat, gammas, betas, activation="sigmoid"):
    """How linear and how saturated the activation is on gamma * x_hat + beta, at every (gamma, beta).

    Parameters
    ----------
    x_hat : (N,) ndarray -- a normalized batch (not all equal)
    gammas : (G,) ndarray of values > 0; betas : (B,) ndarray
    activation : a name in ``bn_lesson.activations.ACTIVATIONS``

    Returns
    -------
    FitSaturationMap -- rows are betas, columns gammas (as an image with beta up and gamma across)
    """
    r2 = np.empty((len(betas), len(gammas)))                          # (B, G)
    saturated = np.empty_like(r2)
    for i, beta in enumerate(betas):
        for j, gamma in enumerate(gammas):
            z = gamma * x_hat + beta                                   # (N,)
            r2[i, j] = linear_fit_r2.math(z, activation)
            saturated[i, j] = saturated_fraction(z, activation)
    return FitSaturationMap(gammas, betas, r2, saturated)


# -- a study over seeds ------------------------------------------------------------------------------

def median_and_range(values, axis=-1):
    """Median, smallest and largest over the seeds (``axis``), NaN (diverged) copies included as NaN.

    Returns
    -------
    median, low, high : floats, or arrays of the other axes' shape
    """
    values = np.asarray(values, dtype=float)
    return np.median(values, axis=axis), values.min(axis=axis), values.max(axis=axis)
