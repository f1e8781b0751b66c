"""Mini-batch SGD for the numpy ``MLP``, recording how the hidden layers' pre-activations move.

``train`` runs one network. ``bn_lesson.models.seeds.train_seeds`` runs S independent copies at once, for
the experiments whose claims must hold on every seed.
"""
import contextlib
from typing import NamedTuple

import numpy as np

from .. import _checks
from .._checks import validated
from ..stats import layer_stats, percentile_band
from .mlp import MLP, check_generator, check_labels, minibatches, softmax_cross_entropy


def one_blas_thread():
    """Run tiny matrix products on one BLAS thread, restored afterwards (nothing global changes).

    With 64-wide layers and batches of 32, a multi-threaded BLAS spends more time waking and syncing
    its threads than multiplying: on a busy 2-core machine one thread is ~3x faster, and the results
    are bit-for-bit reproducible. ``threadpoolctl`` comes with scikit-learn; without it, nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits   # optional: installed with scikit-learn
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


class History(NamedTuple):
    """What ``train`` recorded. R is the number of recording points (step 0, every ``record_every``, last)."""

    loss: np.ndarray              #: (steps_run,) training loss of each mini-batch
    record_steps: np.ndarray      #: (R,) the step at which each record was taken
    layer_mean: np.ndarray        #: (R, L) mean pre-activation of each hidden layer on the probe batch
    layer_std: np.ndarray         #: (R, L) its standard deviation
    layer_saturated: np.ndarray   #: (R, L) share of saturated pre-activations (``saturated_fraction``)
    unit_percentiles: np.ndarray  #: (R, U, P) percentiles of each tracked unit's pre-activation
    probe_accuracy: np.ndarray    #: (R,) accuracy on the probe batch (NaN without labels)
    diverged: bool                #: True if the loss became NaN/inf and training stopped early


def check_training(a):
    """The arguments ``train`` and ``train_seeds`` share: data, schedule, what to record.

    ``model.check_input`` says which shapes X may take: (N, D_in), or for ``SeedMLP`` also (S, N, D_in).
    """
    model = a["model"]
    X = a["X"] = model.check_input(a["X"], "X")
    a["y"] = check_labels(a["y"], X.shape[:-1], model.sizes[-1])
    for name in ("steps", "batch_size", "record_every"):
        a[name] = _checks.check_positive_int(a[name], name)
    if a["batch_size"] > X.shape[-2]:
        raise ValueError(f"batch_size={a['batch_size']} is larger than the {X.shape[-2]} training examples")
    a["units"] = [tuple(_checks.check_positive_int(i, "units", minimum=0) for i in pair) for pair in a["units"]]
    for l, u in a["units"]:
        if not (l < model.n_hidden and u < model.sizes[l + 1]):
            raise ValueError(f"units: ({l}, {u}) is not a (hidden layer, unit) of this model")
    q = np.asarray(a["percentiles"], dtype=float)
    if q.ndim != 1 or q.size == 0 or (q < 0).any() or (q > 100).any() or (np.diff(q) <= 0).any():
        raise ValueError(f"percentiles must be increasing numbers in [0, 100], got {a['percentiles']!r}")
    if a["X_probe"] is None:
        a["X_probe"], a["y_probe"] = X, a["y"]
    else:
        a["X_probe"] = model.check_input(a["X_probe"], "X_probe")
        if a["y_probe"] is not None:
            a["y_probe"] = check_labels(a["y_probe"], a["X_probe"].shape[:-1], model.sizes[-1], "y_probe")
    return a


def _check_train(a):
    if not isinstance(a["model"], MLP):
        raise TypeError(f"model must be an MLP, got {type(a['model']).__name__}")
    a = check_training(a)
    a["lr"] = _checks.check_number(a["lr"], "lr", low=0.0, low_open=True)
    a["rng"] = check_generator(a["rng"])
    return a


@validated(_check_train)
def train(model, X, y, *, lr, steps, batch_size, rng, X_probe=None, y_probe=None, units=(),
          percentiles=(15, 50, 85), record_every=50):
    """Mini-batch SGD on (X, y), recording how the hidden layers' pre-activations move.

    Parameters
    ----------
    model : MLP -- trained in place
    X : (N, D_in) ndarray, y : (N,) int ndarray -- training data
    lr : float > 0, steps : int >= 1, batch_size : int >= 1
    rng : np.random.Generator -- draws the mini-batches (without replacement within an epoch)
    X_probe, y_probe : (M, D_in), (M,) -- a fixed batch the records are measured on, in inference
        mode (defaults to X, y); like the paper's Figure 1, which measures on test data
    units : sequence of (layer, unit) pairs -- whose pre-activation percentiles to record
    percentiles : sequence of P numbers in [0, 100]
    record_every : int >= 1

    Returns
    -------
    History

    Notes
    -----
    If the loss becomes NaN or inf (the learning rate is too large), training stops there and
    ``History.diverged`` is True; overflow inside that failed step is expected and not reported.
    """
    records = {"step": [], "mean": [], "std": [], "sat": [], "pct": [], "acc": []}

    def record(step):
        """Measure on the probe batch; False (nothing recorded) if the network has blown up."""
        scores, cache = model.forward(X_probe, training=False)
        if not all(np.isfinite(z).all() for z in cache.preacts + [scores]):
            return False
        stats = layer_stats(cache.preacts, model.activation)
        records["step"].append(step)
        records["mean"].append(stats.mean)
        records["std"].append(stats.std)
        records["sat"].append(stats.saturated)
        bands = {l: percentile_band(cache.preacts[l], percentiles) for l in {l for l, _ in units}}  # (H_l, P)
        records["pct"].append([bands[l][u] for l, u in units])
        acc = np.mean(scores.argmax(axis=1) == y_probe) if y_probe is not None else np.nan
        records["acc"].append(acc)
        return True

    losses, diverged = [], False
    if not record(0):
        raise ValueError("the network overflows before training: lower init_scale")
    with np.errstate(over="ignore", invalid="ignore"), one_blas_thread():
        for step, idx in zip(range(1, steps + 1), minibatches(rng, len(X), batch_size)):
            scores, cache = model.forward(X[idx], training=True)
            if not np.isfinite(scores).all():
                diverged = True
                break
            loss, dscores = softmax_cross_entropy.math(scores, y[idx])
            losses.append(loss)
            model.sgd_step(model.backward(dscores, cache), lr)
            if not all(np.isfinite(w).all() for w in model.W):
                diverged = True
                break
            if (step % record_every == 0 or step == steps) and not record(step):
                diverged = True
                break
    n_records = len(records["step"])
    return History(
        loss=np.array(losses),
        record_steps=np.array(records["step"]),
        layer_mean=np.array(records["mean"]),
        layer_std=np.array(records["std"]),
        layer_saturated=np.array(records["sat"]),
        unit_percentiles=np.array(records["pct"]).reshape(n_records, len(units), len(percentiles)),
        probe_accuracy=np.array(records["acc"], dtype=float),
        diverged=diverged,
    )
