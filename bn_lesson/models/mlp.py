"""A small fully connected network in numpy: affine layers, optional batch norm, SGD.

    x -> [affine -> (BatchNorm) -> activation] * L -> affine -> softmax cross-entropy

Written to be read: every hidden layer keeps its pre-activations (the *input* of the activation, what
the paper's Figure 1 tracks), and ``train`` records how they move while the network learns.

Weights start as ``W ~ N(0, (init_scale / sqrt(fan_in))**2)``: ``init_scale = 1`` keeps a unit's input
variance roughly that of its inputs (LeCun/Xavier-style, "careful" initialisation); much smaller
scales make activations shrink layer by layer, much larger ones push sigmoid/tanh units into their flat
parts.
"""
import contextlib
import copy
from typing import NamedTuple

import numpy as np

from .._checks import check_batch
from ..activations import ACTIVATIONS
from ..stats import layer_stats, percentile_band
from ..layer import BatchNorm
from ..inference import fold_bn, population_statistics


def softmax_cross_entropy(scores, y):
    """Mean cross-entropy of softmax(scores) against integer labels, and its gradient.

    Parameters
    ----------
    scores : (N, C) ndarray -- unnormalized class scores
    y : (N,) int ndarray -- labels in [0, C)

    Returns
    -------
    loss : float
    dscores : (N, C) ndarray -- d loss / d scores

    Notes
    -----
    loss = -1/N sum_i log softmax(scores_i)[y_i]; dscores = (softmax(scores) - onehot(y)) / N.
    Computed with the log-sum-exp shift, so large scores do not overflow.
    """
    scores = check_batch(scores, "scores")
    y = np.asarray(y)
    if scores.ndim != 2:
        raise ValueError(f"scores must be (N, C), got shape {scores.shape}")
    if y.shape != (scores.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be (N,) = ({scores.shape[0]},) integer labels, got shape {y.shape}, dtype {y.dtype}")
    if y.min() < 0 or y.max() >= scores.shape[1]:
        raise ValueError(f"y must hold labels in [0, {scores.shape[1]}), got range [{y.min()}, {y.max()}]")
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)                   # (N, C)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, C)
    loss = -log_probs[np.arange(n), y].mean()
    dscores = np.exp(log_probs)                                            # (N, C) softmax
    dscores[np.arange(n), y] -= 1.0
    return float(loss), dscores / n


def _one_blas_thread():
    """Run tiny matrix products on one BLAS thread, restored afterwards (nothing global changes).

    With 64-wide layers and batches of 32, a multi-threaded BLAS spends more time waking and syncing
    its threads than multiplying: on a busy 2-core machine one thread is ~3x faster, and the results
    are bit-for-bit reproducible. ``threadpoolctl`` comes with scikit-learn; without it, nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


class Cache(NamedTuple):
    """What one forward pass keeps, per hidden layer l = 0 .. L-1 (and the output layer's input)."""

    inputs: list     #: L + 1 arrays: the input of each affine layer, (N, D_l)
    affine: list     #: L arrays (N, H_l): x @ W + b, the input of batch norm when there is one
    preacts: list    #: L arrays (N, H_l): the activation's input (after batch norm if any)
    bn_caches: list  #: L entries: BatchNorm caches, or None


class MLP:
    """A multilayer perceptron with an optional batch norm after every hidden affine layer.

    Parameters
    ----------
    sizes : sequence of int, [D_in, H_1, ..., H_L, C] -- input size, L hidden widths, classes
    rng : np.random.Generator -- draws the initial weights
    activation : "sigmoid", "tanh" or "relu"
    init_scale : float > 0 -- weights ~ N(0, (init_scale / sqrt(fan_in))**2); biases start at 0
    batch_norm : bool -- put a ``BatchNorm`` between each hidden affine layer and its activation
    momentum, eps : passed to every ``BatchNorm``

    Attributes
    ----------
    W : list of L + 1 arrays, W[l] of shape (sizes[l], sizes[l + 1])
    b : list of L + 1 arrays, b[l] of shape (sizes[l + 1],)
    bn : list of L ``BatchNorm`` layers, or L ``None`` without batch norm
    """

    def __init__(self, sizes, rng, activation="sigmoid", init_scale=1.0, batch_norm=False,
                 momentum=0.99, eps=1e-3):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least an input and an output size, all >= 1, got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if not (np.isfinite(init_scale) and init_scale > 0):
            raise ValueError(f"init_scale must be a finite number > 0, got {init_scale!r}")
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
        self.sizes = sizes
        self.activation = activation
        self.init_scale = float(init_scale)
        self.W = [rng.normal(0.0, init_scale / np.sqrt(n_in), size=(n_in, n_out))
                  for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros(n_out) for n_out in sizes[1:]]
        hidden = sizes[1:-1]
        self.bn = [BatchNorm(h, momentum=momentum, eps=eps) if batch_norm else None for h in hidden]

    def __repr__(self):
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, init_scale={self.init_scale}, "
                f"batch_norm={self.bn[0] is not None if self.bn else False})")

    @property
    def n_hidden(self):
        """L, the number of hidden layers."""
        return len(self.sizes) - 2

    def forward(self, x, training):
        """Class scores for a batch, and the cache ``backward`` needs.

        Parameters
        ----------
        x : (N, D_in) ndarray
        training : bool -- batch norm mode (ignored without batch norm); True updates moving averages

        Returns
        -------
        scores : (N, C) ndarray
        cache : ``Cache``
        """
        x = check_batch(x)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(f"x must be (N, {self.sizes[0]}), got shape {x.shape}")
        act, _ = ACTIVATIONS[self.activation]
        cache = Cache([], [], [], [])
        h = x
        for l in range(self.n_hidden):
            cache.inputs.append(h)
            a = h @ self.W[l] + self.b[l]                   # (N, H_l)
            cache.affine.append(a)
            bn_cache = None
            if self.bn[l] is not None:
                a, bn_cache = self.bn[l].forward(a, training)
            cache.bn_caches.append(bn_cache)
            cache.preacts.append(a)
            h = act(a)                                      # (N, H_l)
        cache.inputs.append(h)
        scores = h @ self.W[-1] + self.b[-1]                # (N, C)
        return scores, cache

    def backward(self, dscores, cache):
        """Gradients of the loss with respect to every parameter.

        Parameters
        ----------
        dscores : (N, C) ndarray -- d loss / d scores
        cache : what ``forward`` returned

        Returns
        -------
        grads : dict with lists ``"W"``, ``"b"`` (shapes of ``self.W``, ``self.b``) and, with batch norm,
            ``"gamma"``, ``"beta"`` (L arrays of shape (H_l,)); without batch norm those lists hold None.
        """
        _, act_grad = ACTIVATIONS[self.activation]
        L = self.n_hidden
        dW, db = [None] * (L + 1), [None] * (L + 1)
        dgamma, dbeta = [None] * L, [None] * L
        dW[L] = cache.inputs[L].T @ dscores                  # (H_L, C)
        db[L] = dscores.sum(axis=0)                          # (C,)
        dh = dscores @ self.W[L].T                           # (N, H_L)
        for l in reversed(range(L)):
            da = dh * act_grad(cache.preacts[l])             # (N, H_l)
            if self.bn[l] is not None:
                da, dgamma[l], dbeta[l] = self.bn[l].backward(da, cache.bn_caches[l])
            dW[l] = cache.inputs[l].T @ da                   # (D_l, H_l)
            db[l] = da.sum(axis=0)                           # (H_l,)
            dh = da @ self.W[l].T                            # (N, D_l)
        return {"W": dW, "b": db, "gamma": dgamma, "beta": dbeta}

    def sgd_step(self, grads, lr):
        """One plain SGD update, ``p -= lr * dp``, of every parameter (in place)."""
        for l in range(len(self.W)):
            self.W[l] -= lr * grads["W"][l]
            self.b[l] -= lr * grads["b"][l]
        for l, layer in enumerate(self.bn):
            if layer is not None:
                layer.gamma = layer.gamma - lr * grads["gamma"][l]
                layer.beta = layer.beta - lr * grads["beta"][l]

    def predict(self, x, training=False):
        """Predicted labels (N,). ``training=True`` uses batch statistics on a copy: ``self`` is unchanged."""
        model = copy.deepcopy(self) if training else self
        scores, _ = model.forward(x, training)
        return scores.argmax(axis=1)

    def accuracy(self, x, y, training=False):
        """Share of correct predictions on (x, y); see ``predict`` for ``training``."""
        return float(np.mean(self.predict(x, training) == np.asarray(y)))


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
    X = check_batch(X, "X")
    y = np.asarray(y)
    for name, value in (("steps", steps), ("batch_size", batch_size), ("record_every", record_every)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    if batch_size > len(X):
        raise ValueError(f"batch_size={batch_size} is larger than the {len(X)} training examples")
    units = [(int(l), int(u)) for l, u in units]
    for l, u in units:
        if not (0 <= l < model.n_hidden and 0 <= u < model.sizes[l + 1]):
            raise ValueError(f"units: ({l}, {u}) is not a (hidden layer, unit) of this model")
    if X_probe is None:
        X_probe, y_probe = X, y

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
    order, pos = rng.permutation(len(X)), 0
    if not record(0):
        raise ValueError("the network overflows before training: lower init_scale")
    with np.errstate(over="ignore", invalid="ignore"), _one_blas_thread():
        for step in range(1, steps + 1):
            if pos + batch_size > len(X):
                order, pos = rng.permutation(len(X)), 0
            idx = order[pos:pos + batch_size]
            pos += batch_size
            scores, cache = model.forward(X[idx], training=True)
            if not np.isfinite(scores).all():
                diverged = True
                break
            loss, dscores = softmax_cross_entropy(scores, y[idx])
            losses.append(loss)
            model.sgd_step(model.backward(dscores, cache), lr)
            if not all(np.isfinite(w).all() for w in model.W):
                diverged = True
                break
            if (step % record_every == 0 or step == steps) and not record(step):
                diverged = True
                break
    n_units = len(units)
    return History(
        loss=np.array(losses),
        record_steps=np.array(records["step"]),
        layer_mean=np.array(records["mean"]),
        layer_std=np.array(records["std"]),
        layer_saturated=np.array(records["sat"]),
        unit_percentiles=np.array(records["pct"]).reshape(len(records["step"]), n_units, len(percentiles)),
        probe_accuracy=np.array(records["acc"], dtype=float),
        diverged=diverged,
    )


# --- inference: batch norm folded away, or fed Algorithm 2's population statistics ---

def fold_mlp(model):
    """A plain MLP (no batch norm) computing exactly ``model.forward(x, training=False)``.

    Parameters
    ----------
    model : MLP with batch norm

    Returns
    -------
    MLP -- a new model; ``model`` is unchanged
    """
    if not isinstance(model, MLP):
        raise ValueError(f"model must be an MLP, got {type(model).__name__}")
    folded = copy.deepcopy(model)
    for l, layer in enumerate(model.bn):
        if layer is not None:
            folded.W[l], folded.b[l] = fold_bn(model.W[l], model.b[l], layer)
    folded.bn = [None] * len(model.bn)
    return folded


def with_population_statistics(model, X, batch_size, rng, n_batches=None, correct=True):
    """A copy of ``model`` whose batch norms use Algorithm 2's population statistics.

    Parameters
    ----------
    model : MLP with batch norm (trained); unchanged
    X : (N, D_in) ndarray -- training inputs
    batch_size : int >= 2 -- m, the size of the mini-batches the statistics are averaged over
    rng : np.random.Generator -- draws the mini-batches
    n_batches : int or None -- K; default: one pass over X (N // batch_size batches)
    correct : bool -- apply the m / (m - 1) correction (Algorithm 2) or not

    Returns
    -------
    MLP -- a copy whose ``bn[l].moving_mean`` / ``moving_var`` are the population estimates

    Notes
    -----
    The network runs in training mode over each mini-batch, as during training, and for every
    batch-norm layer the inputs it receives are collected; ``population_statistics`` turns them into
    one mean and variance per unit.
    """
    if not isinstance(model, MLP) or all(layer is None for layer in model.bn):
        raise ValueError("model must be an MLP with batch norm")
    X = check_batch(X, "X")
    if not isinstance(batch_size, (int, np.integer)) or not 2 <= batch_size <= len(X):
        raise ValueError(f"batch_size must be an int in [2, {len(X)}], got {batch_size!r}")
    n_batches = len(X) // batch_size if n_batches is None else n_batches
    if not isinstance(n_batches, (int, np.integer)) or n_batches < 1:
        raise ValueError(f"n_batches must be a positive int, got {n_batches!r}")
    scratch = copy.deepcopy(model)          # training mode updates moving averages: keep them off `model`
    inputs = [[] for _ in model.bn]         # per layer: K arrays (m, H_l)
    order, pos = rng.permutation(len(X)), 0
    for _ in range(n_batches):
        if pos + batch_size > len(X):
            order, pos = rng.permutation(len(X)), 0
        _, cache = scratch.forward(X[order[pos:pos + batch_size]], training=True)
        pos += batch_size
        for l, a in enumerate(cache.affine):
            inputs[l].append(a)
    result = copy.deepcopy(model)
    for l, layer in enumerate(result.bn):
        if layer is not None:
            layer.moving_mean, layer.moving_var = population_statistics(np.array(inputs[l]), correct)
    return result
