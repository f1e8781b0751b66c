"""A deep network at initialization, looked at layer by layer (chapter 02's widget and its static twin).

``deep_net_probe`` builds a fresh ``MLP`` of a given depth, init scale, activation, with or without batch
norm, pushes a batch through it once, and returns per-layer histograms of the activation *outputs* on
fixed bins (so that two settings compare on one axis) and the per-layer statistics of
``bn_lesson.stats.layer_stats``. Nothing is trained.
"""
from typing import NamedTuple

import numpy as np

from .. import _checks
from .._checks import validated
from ..activations import ACTIVATIONS
from ..stats import layer_stats
from .mlp import MLP
from .train import one_blas_thread

#: the fixed histogram range of each activation's output (ReLU's is cut at 4: larger outputs count in the last bin)
OUTPUT_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 4.0)}


class DeepNetProbe(NamedTuple):
    """One forward pass of a fresh network, layer by layer."""

    counts: np.ndarray   #: (L, bins) share of each layer's outputs in each bin (rows sum to 1)
    edges: np.ndarray    #: (bins + 1,) the bins, over ``OUTPUT_RANGES[activation]``
    stats: object        #: ``bn_lesson.stats.LayerStats`` of the pre-activations (L values each)


def _check_probe(a):
    a["X"] = _checks.check_batch(a["X"], "X")
    if a["X"].ndim != 2:
        raise ValueError(f"X must be (N, D), got shape {a['X'].shape}")
    a["depth"] = _checks.check_positive_int(a["depth"], "depth")
    a["init_scale"] = _checks.check_number(a["init_scale"], "init_scale", low=0.0, low_open=True)
    a["activation"] = _checks.check_choice(a["activation"], "activation", ACTIVATIONS)
    a["batch_norm"] = _checks.check_bool(a["batch_norm"], "batch_norm")
    a["width"] = _checks.check_positive_int(a["width"], "width")
    a["bins"] = _checks.check_positive_int(a["bins"], "bins")
    return a


@validated(_check_probe)
def deep_net_probe(X, depth, init_scale, activation="sigmoid", batch_norm=False, seed=0, width=64, bins=40):
    """Per-layer output histograms and statistics of a fresh ``MLP`` on the batch ``X``.

    Parameters
    ----------
    X : (N, D) ndarray -- the batch pushed through
    depth : int >= 1 -- hidden layers of ``width`` units (then 10 class scores)
    init_scale : float > 0 -- weights ~ N(0, (init_scale / sqrt(fan_in))²), as ``MLP`` draws them
    activation : "sigmoid", "tanh" or "relu"
    batch_norm : bool -- a ``BatchNorm`` before every activation, in training mode (the batch's statistics)
    seed : draws the weights; width : units per hidden layer; bins : histogram bins

    Returns
    -------
    DeepNetProbe
    """
    sizes = [X.shape[1]] + [width] * depth + [10]
    model = MLP(sizes, np.random.default_rng(seed), activation=activation, init_scale=init_scale,
                batch_norm=batch_norm)
    with one_blas_thread():                           # small products: one thread is faster on a busy machine
        _, cache = model.forward(X, training=True)    # a fresh copy: its moving averages do not matter
    act = ACTIVATIONS[activation][0]
    lo, hi = OUTPUT_RANGES[activation]
    edges = np.linspace(lo, hi, bins + 1)                                              # (bins + 1,)
    counts = np.array([np.histogram(np.clip(act(z), lo, hi), bins, range=(lo, hi))[0] / z.size
                       for z in cache.preacts])                                        # (L, bins)
    return DeepNetProbe(counts, edges, layer_stats(cache.preacts, activation))
