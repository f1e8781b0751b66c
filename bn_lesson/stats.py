"""Looking inside a deep network: per-layer statistics, histograms and percentile bands.

Pure statistics (tests check them; ``bn_lesson.viz.plots`` draws them) --
Karpathy's per-layer "mean / std / saturated" lines and histograms, and the 15/50/85th percentile
bands of one unit's input over training from the batch-norm paper's Figure 1.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_batch
from .activations import ACTIVATIONS, saturated_fraction


class LayerStats(NamedTuple):
    """One number per hidden layer, each an (L,) ndarray."""

    mean: np.ndarray         #: mean pre-activation (over examples and units)
    std: np.ndarray          #: standard deviation of all the layer's pre-activations
    example_std: np.ndarray  #: each unit's std over the examples, averaged over units
    saturated: np.ndarray    #: share of pre-activations where the activation is flat


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
    if len(preacts) == 0:
        raise ValueError("preacts must hold at least one layer")
    zs = [check_batch(z, f"preacts[{i}]") for i, z in enumerate(preacts)]
    return LayerStats(
        mean=np.array([z.mean() for z in zs]),
        std=np.array([z.std() for z in zs]),
        example_std=np.array([z.std(axis=0).mean() for z in zs]),
        saturated=np.array([saturated_fraction(z, activation, threshold) for z in zs]),
    )


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
    z = check_batch(z, "z")
    q = np.asarray(q, dtype=float)
    if q.ndim != 1 or q.size == 0 or (q < 0).any() or (q > 100).any() or (np.diff(q) <= 0).any():
        raise ValueError(f"q must be increasing percentiles in [0, 100], got {q.tolist()}")
    return np.percentile(z, q, axis=0).T  # (P,) or (H, P)


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
    bands = np.asarray(bands, dtype=float)
    if bands.ndim not in (2, 3) or bands.shape[0] < 2 or bands.shape[-1] < 3 or bands.shape[-1] % 2 == 0:
        raise ValueError(f"bands must be (R, P) or (R, U, P) with R >= 2 and P odd >= 3, got shape {bands.shape}")
    mid = bands.shape[-1] // 2
    width0 = bands[0, ..., -1] - bands[0, ..., 0]
    if (width0 <= 0).any():
        raise ValueError("bands: the first record's band has zero width; drift is undefined")
    return (bands[-1, ..., mid] - bands[0, ..., mid]) / width0


def _check_percentile_records(percentiles):
    """(R, U, 3) or (R, 3) records of the 15th/50th/85th percentiles, as an array, or ValueError."""
    p = np.asarray(percentiles, dtype=float)
    if p.ndim not in (2, 3) or p.shape[-1] != 3 or p.shape[0] < 1:
        raise ValueError(f"percentiles must be (R, U, 3) or (R, 3), got shape {p.shape}")
    return p


def percentile_ranges(percentiles):
    """How far each percentile of each unit's input wandered over training: max minus min over records.

    Parameters
    ----------
    percentiles : (R, U, 3) or (R, 3) array -- 15th/50th/85th percentiles at R records (or one unit's slice)

    Returns
    -------
    (U, 3) or (3,) ndarray
    """
    p = _check_percentile_records(percentiles)
    return p.max(axis=0) - p.min(axis=0)


def spread_growth(percentiles):
    """By what factor each unit's 15th-85th percentile spread changed from the first record to the last.

    Parameters
    ----------
    percentiles : (R, U, 3) or (R, 3) array -- 15th/50th/85th percentiles at R records (or one unit's slice)

    Returns
    -------
    (U,) ndarray or float: (85th - 15th at the last record) / (85th - 15th at the first)
    """
    p = _check_percentile_records(percentiles)
    spread = p[..., 2] - p[..., 0]  # (R, U) or (R,)
    if (spread[0] <= 0).any():
        raise ValueError("percentiles: the first record's spread is zero; its growth is undefined")
    return spread[-1] / spread[0]


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
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive int, got {bins!r}")
    act, _ = ACTIVATIONS[activation]
    outs = [act(check_batch(z, f"preacts[{i}]")).ravel() for i, z in enumerate(preacts)]
    if activation == "sigmoid":
        lo, hi = 0.0, 1.0
    elif activation == "tanh":
        lo, hi = -1.0, 1.0
    else:
        lo, hi = 0.0, max(max(o.max() for o in outs), 1e-12)
    edges = np.linspace(lo, hi, bins + 1)
    counts = np.array([np.histogram(o, bins=edges)[0] / o.size for o in outs])  # (L, bins)
    return counts, edges
