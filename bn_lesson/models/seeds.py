"""S independent copies of the numpy MLP trained at once: a seed axis in front of every array.

A training claim is a study over seeds, not one run: train copies s = 0 .. S-1, each with its own initial
weights, data and batch order, report the median and the range, and assert the claim on every copy. The
copies share one set of arrays, so S copies cost little more than one (the networks are small, and most of
a step's time is Python's, which the copies share):

    W[l] : (S, D_l, H_l)      h : (S, N, D_l)      h @ W[l] : (S, N, H_l)   (np.matmul, one product per copy)

Batch norm is per copy: its statistics are taken over each copy's batch axis (axis 1) only, so no copy
ever sees another's examples. Copy s computes what ``MLP(sizes, rngs[s])`` trained by ``train(...,
rng=batch_rngs[s])`` computes, to rounding error (``tests/models/test_seeds.py`` checks it).
"""
from copy import deepcopy
from typing import NamedTuple

import numpy as np

from .. import _checks
from .._checks import validated
from ..activations import ACTIVATIONS
from ..algorithm import batch_norm, normalize, scale_and_shift
from ..constants import DEFAULT_EPS, DEFAULT_MOMENTUM
from .mlp import MLP, Cache, check_generator, check_labels, minibatches, softmax_cross_entropy
from .train import check_training, one_blas_thread


#: each activation's slope written with its output h = f(z), which the forward pass keeps: backward need not
#: compute f again (sigmoid and its slope are most of a step's time). The same numbers as ``ACTIVATIONS``'
#: derivatives of z, bit for bit: sigma'(z) = h (1 - h), tanh'(z) = 1 - h**2, relu'(z) = [h > 0].
SLOPE_FROM_OUTPUT = {
    "sigmoid": lambda h: h * (1.0 - h),
    "tanh": lambda h: 1.0 - h * h,
    "relu": lambda h: (h > 0).astype(float),
}


def check_generators(rngs, name="rngs"):
    """A non-empty sequence of ``np.random.Generator``, one per copy."""
    if isinstance(rngs, np.random.Generator) or not hasattr(rngs, "__len__"):
        raise TypeError(f"{name} must be a sequence of np.random.Generator, one per copy "
                        f"([np.random.default_rng(s) for s in seeds]), got {type(rngs).__name__}")
    if len(rngs) == 0:
        raise ValueError(f"{name} must hold at least one generator")
    return [check_generator(r, f"{name}[{i}]") for i, r in enumerate(rngs)]


def _shared_settings(model):
    """What the copies of a ``SeedMLP`` must share: sizes, activation and the batch-norm set-up."""
    return (model.sizes, model.activation, model.scale, model.center,
            [(layer.momentum, layer.eps) for layer in model.bn if layer is not None])


class SeedMLP:
    """S independent ``MLP`` copies in one set of arrays; copy s draws its weights from ``rngs[s]``.

    Parameters
    ----------
    sizes, activation, init_scale, batch_norm, momentum, eps, scale, center : as for ``MLP``
    rngs : sequence of S np.random.Generator -- e.g. ``[np.random.default_rng(s) for s in SEED + np.arange(5)]``

    Attributes
    ----------
    W : list of L + 1 arrays (S, D_l, D_l+1);  b : list of L + 1 arrays (S, D_l+1)
    gamma, beta, moving_mean, moving_var : lists of L arrays (S, H_l) (L ``None`` without batch norm)

    ``SeedMLP.stack(models)`` stacks ready-made ``MLP`` objects instead (e.g. with a different init scale
    per copy); ``copy(s)`` hands copy s back as an ``MLP``.
    """

    def __init__(self, sizes, rngs, activation="sigmoid", init_scale=1.0, batch_norm=False,
                 momentum=DEFAULT_MOMENTUM, eps=DEFAULT_EPS, scale=True, center=True):
        rngs = check_generators(rngs)
        self._take([MLP(sizes, rng, activation, init_scale, batch_norm, momentum, eps, scale, center)
                    for rng in rngs])

    @classmethod
    def stack(cls, models):
        """A ``SeedMLP`` whose copy s is ``models[s]`` (copied): same sizes, activation and batch-norm settings."""
        if isinstance(models, MLP) or not hasattr(models, "__len__") or not models:
            raise TypeError(f"models must be a non-empty sequence of MLP, got {type(models).__name__}")
        for i, m in enumerate(models):
            if not isinstance(m, MLP):
                raise TypeError(f"models[{i}] must be an MLP, got {type(m).__name__}")
        net = cls.__new__(cls)
        net._take(models)
        return net

    def _take(self, models):
        first = models[0]
        for i, m in enumerate(models):
            if _shared_settings(m) != _shared_settings(first):
                raise ValueError(f"models[{i}] differs from models[0] in sizes, activation or batch norm")
        self.sizes, self.activation, self.scale, self.center = first.sizes, first.activation, first.scale, first.center
        bn = first.has_batch_norm
        self.momentum, self.eps = (first.bn[0].momentum, first.bn[0].eps) if bn else (DEFAULT_MOMENTUM, DEFAULT_EPS)
        self.init_scale = np.array([m.init_scale for m in models])                      # (S,)
        self.W = [np.stack(ws) for ws in zip(*(m.W for m in models))]                   # (S, D_l, D_l+1)
        self.b = [np.stack(bs) for bs in zip(*(m.b for m in models))]                   # (S, D_l+1)
        for name in ("gamma", "beta", "moving_mean", "moving_var"):
            setattr(self, name, [np.stack([getattr(m.bn[l], name) for m in models]) if bn else None  # (S, H_l)
                                 for l in range(first.n_hidden)])

    def __repr__(self):
        return (f"SeedMLP({self.n_copies} copies, sizes={self.sizes}, activation={self.activation!r}, "
                f"batch_norm={self.has_batch_norm})")

    @property
    def n_copies(self):
        """S, the number of copies."""
        return len(self.init_scale)

    @property
    def n_hidden(self):
        """L, the number of hidden layers."""
        return len(self.sizes) - 2

    @property
    def has_batch_norm(self):
        return self.gamma[0] is not None if self.gamma else False

    def copy(self, s):
        """Copy s as an ``MLP`` (its own arrays: changing it leaves this stack alone)."""
        s = _checks.check_positive_int(s, "s", minimum=0)
        if s >= self.n_copies:
            raise ValueError(f"s must be a copy in [0, {self.n_copies}), got {s}")
        net = MLP(self.sizes, np.random.default_rng(0), self.activation, float(self.init_scale[s]),
                  self.has_batch_norm, self.momentum, self.eps, self.scale, self.center)   # weights set below
        net.W = [w[s].copy() for w in self.W]
        net.b = [b[s].copy() for b in self.b]
        for l, layer in enumerate(net.bn):
            if layer is not None:
                for name in ("gamma", "beta", "moving_mean", "moving_var"):
                    setattr(layer, name, getattr(self, name)[l][s].copy())
        return net

    def check_input(self, x, name="x"):
        """``x`` as (N, D_in), shared by every copy, or (S, N, D_in), one batch per copy."""
        x = _checks.check_batch(x, name)
        if x.ndim not in (2, 3) or x.shape[-1] != self.sizes[0] or (x.ndim == 3 and len(x) != self.n_copies):
            raise ValueError(f"{name} must be (N, {self.sizes[0]}) or ({self.n_copies}, N, {self.sizes[0]}), "
                             f"got shape {x.shape}")
        return x

    def forward(self, x, training):
        """Class scores of every copy, and the cache ``backward`` needs.

        Parameters
        ----------
        x : (N, D_in) ndarray, the same batch for every copy, or (S, N, D_in), one batch per copy
        training : bool -- batch norm mode; True updates each copy's moving averages

        Returns
        -------
        scores : (S, N, C) ndarray
        cache : ``Cache`` whose arrays have the seed axis in front, (S, N, H_l)
        """
        x = self.check_input(x)
        training = _checks.check_bool(training, "training")
        return self._forward(x, training)

    def _forward(self, x, training):
        act, _ = ACTIVATIONS[self.activation]
        cache = Cache([], [], [], [])
        h = x                                                # (N, D_in) or (S, N, D_in)
        for l in range(self.n_hidden):
            cache.inputs.append(h)
            a = h @ self.W[l] + self.b[l][:, None, :]        # (S, N, H_l)
            cache.affine.append(a)
            bn_cache = None
            if self.has_batch_norm:
                a, bn_cache = self._batch_norm(l, a, training)
            cache.bn_caches.append(bn_cache)
            cache.preacts.append(a)
            h = act(a)                                       # (S, N, H_l)
        cache.inputs.append(h)
        return h @ self.W[-1] + self.b[-1][:, None, :], cache   # (S, N, C)

    def _batch_norm(self, l, a, training):
        """Batch norm of layer l for every copy at once: statistics over axis 1, each copy's batch."""
        gamma, beta = self.gamma[l], self.beta[l]                                    # (S, H)
        if training:
            y, mu, var, x_hat = batch_norm.math(a, gamma, beta, self.eps, 1)         # mu, var: (S, H)
            m = self.momentum
            self.moving_mean[l] = m * self.moving_mean[l] + (1 - m) * mu
            self.moving_var[l] = m * self.moving_var[l] + (1 - m) * var
        else:
            var = self.moving_var[l]                                                 # (S, H)
            x_hat = normalize.math(a, self.moving_mean[l][:, None], var[:, None], self.eps)   # (S, N, H)
            y = scale_and_shift.math(x_hat, gamma[:, None], beta[:, None])
        return y, (x_hat, var, training)

    def _batch_norm_backward(self, l, dy, bn_cache):
        """``BatchNorm.backward``'s formula with the seed axis in front: sums over axis 1 only."""
        x_hat, var, training = bn_cache                                              # (S, N, H), (S, H)
        dbeta = dy.sum(axis=1)                                                       # (S, H)
        dgamma = (dy * x_hat).sum(axis=1)                                            # (S, H)
        scale = (self.gamma[l] / np.sqrt(var + self.eps))[:, None]                   # (S, 1, H)
        if not training:
            return scale * dy, dgamma, dbeta
        m = dy.shape[1]
        return scale / m * (m * dy - dbeta[:, None] - x_hat * dgamma[:, None]), dgamma, dbeta

    def backward(self, dscores, cache):
        """Gradients of each copy's loss: the lists of ``MLP.backward`` with the seed axis in front.

        Parameters
        ----------
        dscores : (S, N, C) ndarray;  cache : what ``forward`` returned

        Returns
        -------
        dict with lists "W" (S, D_l, D_l+1), "b" (S, D_l+1) and, with batch norm, "gamma", "beta" (S, H_l)
        """
        slope = SLOPE_FROM_OUTPUT[self.activation]
        L = self.n_hidden
        grads = {"W": [None] * (L + 1), "b": [None] * (L + 1), "gamma": [None] * L, "beta": [None] * L}
        dh = dscores                                                                 # (S, N, C)
        for l in reversed(range(L + 1)):
            da = dh if l == L else dh * slope(cache.inputs[l + 1])                   # (S, N, H_l)
            if l < L and self.has_batch_norm:
                da, grads["gamma"][l], grads["beta"][l] = self._batch_norm_backward(l, da, cache.bn_caches[l])
            grads["W"][l] = cache.inputs[l].mT @ da                                  # (S, D_l, H_l)
            grads["b"][l] = da.sum(axis=1)                                           # (S, H_l)
            if l > 0:                                                                # x needs no gradient
                dh = da @ self.W[l].mT                                               # (S, N, D_l)
        return grads

    def sgd_step(self, grads, lr):
        """``p -= lr * dp`` for every copy; ``lr`` is a number or (S,), one rate per copy."""
        lr = np.broadcast_to(np.asarray(lr, dtype=float), (self.n_copies,))          # (S,)
        for l in range(len(self.W)):
            self.W[l] -= lr[:, None, None] * grads["W"][l]
            self.b[l] -= lr[:, None] * grads["b"][l]
        for l in range(self.n_hidden if self.has_batch_norm else 0):
            if self.scale:
                self.gamma[l] = self.gamma[l] - lr[:, None] * grads["gamma"][l]
            if self.center:
                self.beta[l] = self.beta[l] - lr[:, None] * grads["beta"][l]

    def _scores_and_labels(self, x, y, training):
        x = self.check_input(x)
        y = np.asarray(y)
        shape = x.shape[:-1] if x.ndim == 3 or y.ndim == 1 else (self.n_copies,) + x.shape[:-1]
        y = check_labels(y, shape, self.sizes[-1])                   # (N,), or (S, N): one set per copy
        model = deepcopy(self) if training else self                 # training mode would move the averages
        return model._forward(x, training)[0], y                     # (S, N, C)

    def accuracy(self, x, y, training=False):
        """(S,): each copy's share of correct predictions on x, (N, D_in) or (S, N, D_in), and labels y."""
        scores, y = self._scores_and_labels(x, y, training)
        return np.mean(scores.argmax(axis=-1) == y, axis=-1)

    def loss(self, x, y, training=False):
        """(S,): each copy's mean cross-entropy on (x, y), in inference mode unless ``training``."""
        scores, y = self._scores_and_labels(x, y, training)
        return softmax_cross_entropy.math(scores, np.broadcast_to(y, scores.shape[:-1]))[0]


class SeedHistory(NamedTuple):
    """What ``train_seeds`` recorded. R records (step 0, every ``record_every``, last); S copies.

    A copy that diverged (its loss or weights became NaN/inf) has NaN from then on.
    """

    loss: np.ndarray              #: (steps, S) training loss of each copy's mini-batch
    record_steps: np.ndarray      #: (R,)
    unit_percentiles: np.ndarray  #: (R, S, U, P) percentiles of each tracked unit's pre-activation
    probe_accuracy: np.ndarray    #: (R, S) accuracy on the probe batch (NaN without labels)
    diverged: np.ndarray          #: (S,) bool


def _check_train_seeds(a):
    if not isinstance(a["model"], SeedMLP):
        raise TypeError(f"model must be a SeedMLP, got {type(a['model']).__name__}")
    S = a["model"].n_copies
    a = check_training(a)
    lr = _checks.as_array(a["lr"], "lr")
    if lr.shape not in ((), (S,)) or not (np.isfinite(lr) & (lr > 0)).all():
        raise ValueError(f"lr must be a number > 0 or ({S},) of them, one per copy, got {a['lr']!r}")
    a["lr"] = np.broadcast_to(lr, (S,))
    a["rngs"] = check_generators(a["rngs"])
    if len(a["rngs"]) != S:
        raise ValueError(f"rngs must hold one generator per copy ({S}), got {len(a['rngs'])}")
    return a


@validated(_check_train_seeds)
def train_seeds(model, X, y, *, lr, steps, batch_size, rngs, X_probe=None, y_probe=None, units=(),
                percentiles=(15, 50, 85), record_every=50):
    """Mini-batch SGD of every copy at once: copy s does what ``train`` does with ``rng=rngs[s]``.

    The arguments are ``train``'s, with a seed axis wherever copies may differ:

    * ``model`` is a ``SeedMLP``, and ``rngs`` holds S generators: copy s draws its batch order from rngs[s];
    * ``X``, ``y`` (and ``X_probe``, ``y_probe``) are shared, (N, D_in) and (N,), or one set per copy,
      (S, N, D_in) and (S, N): e.g. a different train/test split per seed;
    * ``lr`` is a number or (S,), one learning rate per copy (a sweep in one run).

    Returns
    -------
    SeedHistory -- a copy that diverges stops counting: NaN from that step on, ``diverged[s]`` True
    """
    S = model.n_copies
    copies = np.arange(S)[:, None]                                  # (S, 1): pairs each copy with its batch
    alive = np.ones(S, dtype=bool)
    losses = np.full((steps, S), np.nan)
    records = {"step": [], "pct": [], "acc": []}
    take = (lambda a, idx: a[idx]) if X.ndim == 2 else (lambda a, idx: a[copies, idx])

    def record(step):
        """Measure every copy on the probe batch; a copy whose network has blown up dies."""
        scores, cache = model._forward(X_probe, False)               # (S, M, C)
        for z in cache.preacts + [scores]:
            alive[:] &= np.isfinite(z).all(axis=(1, 2))
        bands = {l: np.percentile(cache.preacts[l], percentiles, axis=1) for l in {l for l, _ in units}}  # (P, S, H_l)
        pct = [bands[l][:, :, u].T for l, u in units]                                               # (S, P) each
        acc = np.mean(scores.argmax(axis=-1) == y_probe, axis=-1) if y_probe is not None else np.full(S, np.nan)
        records["step"].append(step)
        records["pct"].append(np.where(alive[:, None, None], np.stack(pct, axis=1), np.nan) if units
                              else np.empty((S, 0, len(percentiles))))        # (S, U, P)
        records["acc"].append(np.where(alive, acc, np.nan))                   # (S,)

    with np.errstate(all="ignore"), one_blas_thread():
        record(0)
        if not alive.all():
            raise ValueError("the network overflows before training: lower init_scale")
        batches = zip(*(minibatches(rng, X.shape[-2], batch_size) for rng in rngs))
        for step, idx in zip(range(1, steps + 1), batches):
            idx = np.array(idx)                                                       # (S, batch_size)
            scores, cache = model._forward(take(X, idx), True)                       # (S, B, C)
            alive &= np.isfinite(scores).all(axis=(1, 2))
            loss, dscores = softmax_cross_entropy.math(scores, take(y, idx))         # (S,), (S, B, C)
            losses[step - 1] = np.where(alive, loss, np.nan)
            model.sgd_step(model.backward(dscores, cache), lr)
            for w in model.W:
                alive &= np.isfinite(w).all(axis=(1, 2))
            if step % record_every == 0 or step == steps:
                record(step)
    return SeedHistory(loss=losses, record_steps=np.array(records["step"]),
                       unit_percentiles=np.array(records["pct"]), probe_accuracy=np.array(records["acc"]),
                       diverged=~alive)
