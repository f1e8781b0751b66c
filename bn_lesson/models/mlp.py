"""A small fully connected network in numpy: affine layers, optional batch norm, softmax cross-entropy.

    x -> [affine -> (BatchNorm) -> activation] * L -> affine -> softmax cross-entropy

Written to be read: every hidden layer keeps its pre-activations (the *input* of the activation, what
the paper's Figure 1 tracks). ``bn_lesson.models.train`` trains it and records how they move;
``bn_lesson.models.seeds`` trains S independent copies of it at once, for experiments over seeds.

Weights start as ``W ~ N(0, (init_scale / sqrt(fan_in))**2)``: ``init_scale = 1`` keeps a unit's input
variance roughly that of its inputs (LeCun/Xavier-style, "careful" initialization); much smaller
scales make activations shrink layer by layer, much larger ones push sigmoid/tanh units into their flat
parts.

At inference the batch norms use fixed statistics, so they can be folded into the weights (``fold_mlp``)
or fed Algorithm 2's population statistics (``with_population_statistics``).
"""
import copy
from typing import NamedTuple

import numpy as np

from .. import _checks
from .._checks import validated
from ..activations import ACTIVATIONS
from ..constants import DEFAULT_EPS, DEFAULT_MOMENTUM
from ..inference import fold_bn, population_statistics
from ..layer import BatchNorm


# --- the loss ---------------------------------------------------------------------------------------

def _check_cross_entropy(a):
    scores = a["scores"] = _checks.check_batch(a["scores"], "scores")
    if scores.ndim != 2:
        raise ValueError(f"scores must be (N, C), got shape {scores.shape}")
    a["y"] = check_labels(a["y"], scores.shape[:1], scores.shape[1])
    return a


@validated(_check_cross_entropy)
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
    Computed with the log-sum-exp shift, so large scores do not overflow. ``softmax_cross_entropy.math``
    also takes a leading seed axis, (S, N, C) scores and (S, N) labels, and returns (S,) losses.
    """
    n, n_classes = scores.shape[-2:]
    shifted = scores - scores.max(axis=-1, keepdims=True)                        # (N, C)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))   # (N, C)
    onehot = y[..., None] == np.arange(n_classes)                               # (N, C)
    loss = -(log_probs * onehot).sum(axis=-1).mean(axis=-1)                     # scalar, or (S,)
    dscores = (np.exp(log_probs) - onehot) / n                                  # (N, C)
    return loss, dscores


def check_labels(y, shape, n_classes, name="y"):
    """``y`` as integer class labels of the given shape, in [0, n_classes).

    ``TypeError`` if they are not integers, ``ValueError`` for a wrong shape or range.
    """
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if y.shape != tuple(shape):
        raise ValueError(f"{name} must hold one label per example, shape {tuple(shape)}, got shape {y.shape}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"{name} must hold labels in [0, {n_classes}), got range [{y.min()}, {y.max()}]")
    return y


# --- the network ------------------------------------------------------------------------------------

class Cache(NamedTuple):
    """What one forward pass keeps, per hidden layer l = 0 .. L-1 (and the output layer's input)."""

    inputs: list     #: L + 1 arrays: the input of each affine layer, (N, D_l)
    affine: list     #: L arrays (N, H_l): x @ W + b, the input of batch norm when there is one
    preacts: list    #: L arrays (N, H_l): the activation's input (after batch norm if any)
    bn_caches: list  #: L entries: what batch norm's backward needs, or None


def check_sizes(sizes):
    """``[D_in, H_1, ..., H_L, C]`` as a list of ints >= 1, at least an input and an output size."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a sequence of ints [D_in, H_1, ..., C], got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output size, got {list(sizes)}")
    return [_checks.check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]


check_generator = _checks.check_rng   #: ``rng`` is a ``np.random.Generator``: randomness is passed in


def _check_mlp(a):
    a["sizes"] = check_sizes(a["sizes"])
    a["rng"] = check_generator(a["rng"])
    a["activation"] = _checks.check_choice(a["activation"], "activation", ACTIVATIONS)
    a["init_scale"] = _checks.check_number(a["init_scale"], "init_scale", low=0.0, low_open=True)
    for name in ("batch_norm", "scale", "center"):
        a[name] = _checks.check_bool(a[name], name)
    a["momentum"] = _checks.check_momentum(a["momentum"])
    a["eps"] = _checks.check_eps(a["eps"])
    return a


class MLP:
    """A multilayer perceptron with an optional batch norm after every hidden affine layer.

    Parameters
    ----------
    sizes : sequence of int, [D_in, H_1, ..., H_L, C] -- input size, L hidden widths, classes
    rng : np.random.Generator -- draws the initial weights
    activation : "sigmoid", "tanh" or "relu"
    init_scale : float > 0 -- weights ~ N(0, (init_scale / sqrt(fan_in))**2); biases start at 0
    batch_norm : bool -- put a ``BatchNorm`` between each hidden affine layer and its activation
    momentum, eps : passed to every ``BatchNorm`` (Keras' defaults)
    scale, center : bool -- learn batch norm's gamma (scale) and beta (center); False keeps gamma = 1 or
        beta = 0 frozen, like Keras' ``BatchNormalization(scale=False, center=False)``

    Attributes
    ----------
    W : list of L + 1 arrays, W[l] of shape (sizes[l], sizes[l + 1])
    b : list of L + 1 arrays, b[l] of shape (sizes[l + 1],)
    bn : list of L ``BatchNorm`` layers, or L ``None`` without batch norm
    """

    @validated(_check_mlp)
    def __init__(self, sizes, rng, activation="sigmoid", init_scale=1.0, batch_norm=False,
                 momentum=DEFAULT_MOMENTUM, eps=DEFAULT_EPS, scale=True, center=True):
        self.sizes, self.activation, self.init_scale = sizes, activation, init_scale
        self.scale, self.center = scale, center
        self.W = [rng.normal(0.0, init_scale / np.sqrt(n_in), size=(n_in, n_out))   # (D_l, D_l+1)
                  for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros(n_out) for n_out in sizes[1:]]                          # (D_l+1,)
        self.bn = [BatchNorm(h, momentum=momentum, eps=eps) if batch_norm else None for h in sizes[1:-1]]

    def __repr__(self):
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, init_scale={self.init_scale}, "
                f"batch_norm={self.has_batch_norm})")

    @property
    def n_hidden(self):
        """L, the number of hidden layers."""
        return len(self.sizes) - 2

    @property
    def has_batch_norm(self):
        return any(layer is not None for layer in self.bn)

    def check_input(self, x, name="x"):
        """``x`` as a finite float64 batch (N, D_in) for this network, or an error naming ``name``."""
        x = _checks.check_batch(x, name)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(f"{name} must be (N, {self.sizes[0]}), got shape {x.shape}")
        return x

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
        x = self.check_input(x)
        training = _checks.check_bool(training, "training")
        act, _ = ACTIVATIONS[self.activation]
        cache = Cache([], [], [], [])
        h = x                                               # (N, D_in)
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
        """One plain SGD update, ``p -= lr * dp``, of every learned parameter (in place)."""
        for l in range(len(self.W)):
            self.W[l] -= lr * grads["W"][l]
            self.b[l] -= lr * grads["b"][l]
        for l, layer in enumerate(self.bn):
            if layer is not None:
                if self.scale:
                    layer.gamma = layer.gamma - lr * grads["gamma"][l]
                if self.center:
                    layer.beta = layer.beta - lr * grads["beta"][l]

    def predict(self, x, training=False):
        """Predicted labels (N,). ``training=True`` uses batch statistics on a copy: ``self`` is unchanged."""
        model = copy.deepcopy(self) if training else self
        scores, _ = model.forward(x, training)
        return scores.argmax(axis=1)

    def accuracy(self, x, y, training=False):
        """Share of correct predictions on (x, y); see ``predict`` for ``training``."""
        return float(np.mean(self.predict(x, training) == np.asarray(y)))


def minibatches(rng, n, batch_size):
    """Endless mini-batch indices: a fresh permutation of range(n) each epoch, cut into batch_size pieces.

    Every example is seen once per epoch; the last partial batch of an epoch is dropped. ``train``,
    ``with_population_statistics`` and each copy in ``train_seeds`` draw their batches with it, so a run
    is fixed by its generator.
    """
    while True:
        order = rng.permutation(n)                                # (n,)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start:start + batch_size]                 # (batch_size,)


# --- inference: batch norm folded away, or fed Algorithm 2's population statistics ---------------

def _check_model_with_bn(model):
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    if not model.has_batch_norm:
        raise ValueError("model must be an MLP with batch norm")
    return model


def fold_mlp(model):
    """A plain MLP (no batch norm) computing exactly ``model.forward(x, training=False)``.

    Parameters
    ----------
    model : MLP with batch norm

    Returns
    -------
    MLP -- a new model; ``model`` is unchanged
    """
    model = _check_model_with_bn(model)
    folded = copy.deepcopy(model)
    for l, layer in enumerate(model.bn):
        if layer is not None:
            folded.W[l], folded.b[l] = fold_bn(model.W[l], model.b[l], layer)   # (D_l, H_l), (H_l,)
    folded.bn = [None] * len(model.bn)
    return folded


def _check_population(a):
    a["model"] = _check_model_with_bn(a["model"])
    X = a["X"] = a["model"].check_input(a["X"], "X")
    a["batch_size"] = _checks.check_positive_int(a["batch_size"], "batch_size", minimum=2)
    if a["batch_size"] > len(X):
        raise ValueError(f"batch_size must be an int in [2, {len(X)}], got {a['batch_size']!r}")
    a["rng"] = check_generator(a["rng"])
    if a["n_batches"] is None:
        a["n_batches"] = len(X) // a["batch_size"]
    a["n_batches"] = _checks.check_positive_int(a["n_batches"], "n_batches")
    a["correct"] = _checks.check_bool(a["correct"], "correct")
    return a


@validated(_check_population)
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
    scratch = copy.deepcopy(model)          # training mode updates moving averages: keep them off `model`
    inputs = [[] for _ in model.bn]         # per layer: K arrays (m, H_l)
    for _, idx in zip(range(n_batches), minibatches(rng, len(X), batch_size)):
        _, cache = scratch.forward(X[idx], training=True)
        for l, a in enumerate(cache.affine):
            inputs[l].append(a)             # (m, H_l)
    result = copy.deepcopy(model)
    for l, layer in enumerate(result.bn):
        if layer is not None:
            layer.moving_mean, layer.moving_var = population_statistics(np.array(inputs[l]), correct)  # (H_l,)
    return result


# --- the test batch size: a bug only in training mode -----------------------------------------------

def _check_batched(a):
    a["model"] = _check_model_with_bn(a["model"])
    X = a["X"] = a["model"].check_input(a["X"], "X")
    a["y"] = check_labels(a["y"], (len(X),), a["model"].sizes[-1])
    a["batch_size"] = _checks.check_positive_int(a["batch_size"], "batch_size")
    a["training"] = _checks.check_bool(a["training"], "training")
    return a


@validated(_check_batched)
def accuracy_in_batches(model, X, y, batch_size, training):
    """Test accuracy when ``X`` is fed in consecutive batches of ``batch_size`` (the last one may be smaller).

    Parameters
    ----------
    model : MLP with batch norm; unchanged (training mode runs on a copy)
    X : (N, D_in) ndarray, y : (N,) int labels
    batch_size : int >= 1
    training : bool -- False: inference mode, the answer cannot depend on ``batch_size``;
        True: each batch is normalized by its own statistics (the "forgot inference mode" bug)

    Returns
    -------
    float -- share of correct predictions
    """
    net = copy.deepcopy(model) if training else model
    labels = [net.forward(X[i:i + batch_size], training)[0].argmax(axis=1)   # (batch_size,)
              for i in range(0, len(X), batch_size)]
    return float(np.mean(np.concatenate(labels) == y))
