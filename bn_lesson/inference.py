"""Batch norm at inference time: population statistics, moving averages, batch coupling, folding.

In training mode a batch-norm layer normalizes with the statistics of the mini-batch in front of it; at
inference it must not (the answer for one image would depend on which other images share its batch),
so it uses fixed estimates of the population mean and variance. Two ways to get them:

* **Algorithm 2** of Ioffe & Szegedy (2015), after training: average the batch means and batch variances
  of many training mini-batches of size m, and correct the variance by m / (m - 1)
  (``population_statistics``);
* **moving averages** during training, as Keras does: ``moving = momentum * moving + (1 - momentum) * batch``
  with momentum 0.99, averaging the *biased* batch variance, no correction (``moving_average``).

Once the statistics are fixed, batch norm is an affine map, so it can be folded into the weights of the
layer before it (``fold_bn``, ``fold_mlp``).
"""
import copy

import numpy as np

from . import _checks
from ._checks import validated
from .constants import DEFAULT_MOMENTUM
from .layer import BatchNorm


@validated(lambda a: _check_population(**a))
def population_statistics(batches, correct=True):
    """Population mean and variance from K mini-batches of size m (Algorithm 2, steps 8-10).

    Parameters
    ----------
    batches : (K, m, D) ndarray -- K mini-batches of m examples, features on the last axis
        ((K, m, H, W, C) maps work too: statistics per channel, over m * H * W values per batch)
    correct : bool -- multiply the averaged batch variance by m / (m - 1) (the paper) or not

    Returns
    -------
    mean : (D,) ndarray -- E[x] = average of the K batch means
    var : (D,) ndarray -- Var[x] = m / (m - 1) * average of the K (biased) batch variances

    Notes
    -----
    A batch variance divides by m, so on average it is (m - 1) / m of the true variance; the correction
    undoes that. Here m counts every value a batch variance is taken over (m * H * W for maps).
    """
    axes = tuple(range(1, batches.ndim - 1))                       # reduce within each batch
    m = int(np.prod([batches.shape[a] for a in axes]))              # values per batch statistic
    batch_means = batches.mean(axis=axes)                          # (K, D)
    batch_vars = batches.var(axis=axes)                            # (K, D), biased: divides by m
    mean = batch_means.mean(axis=0)                                # (D,)
    var = batch_vars.mean(axis=0) * (m / (m - 1) if correct else 1.0)  # (D,)
    return mean, var


@validated(lambda a: _check_moving_average(**a))
def moving_average(values, momentum=DEFAULT_MOMENTUM, start=0.0):
    """Keras' moving average of a sequence of batch statistics, after every update.

    Parameters
    ----------
    values : (K, D) or (K,) ndarray -- one batch statistic per training step
    momentum : float in [0, 1) -- weight of the old value
    start : float or (D,) ndarray -- the initial value (Keras: 0 for the mean, 1 for the variance)

    Returns
    -------
    (K + 1, D) or (K + 1,) ndarray -- row 0 is ``start``, row k the value after k updates

    Notes
    -----
    moving_k = momentum * moving_{k-1} + (1 - momentum) * values_k, so after k updates ``start`` still
    weighs momentum**k, and value j weighs (1 - momentum) * momentum**(k - j).
    """
    out = np.empty((values.shape[0] + 1,) + values.shape[1:])
    out[0] = start
    for k, v in enumerate(values, start=1):
        out[k] = momentum * out[k - 1] + (1 - momentum) * v
    return out


@validated(lambda a: dict(momentum=_checks.check_momentum(a["momentum"]),
                          tol=_checks.check_number(a["tol"], "tol", 0.0, 1.0, low_open=True, high_open=True)))
def steps_to_converge(momentum=DEFAULT_MOMENTUM, tol=0.01):
    """How many updates until the starting value weighs less than ``tol`` in a moving average.

    Parameters
    ----------
    momentum : float in [0, 1)
    tol : float in (0, 1) -- e.g. 0.01: the start contributes under 1 %

    Returns
    -------
    int -- the smallest n with momentum**n < tol, i.e. n > log(tol) / log(momentum)

    Notes
    -----
    For momentum 0.99: 230 updates for 10 %, 459 for 1 %. The moving average is also a weighted average
    over roughly the last 1 / (1 - momentum) = 100 batches, which is how fast it can follow a drifting
    statistic.
    """
    if momentum == 0:
        return 1
    n = int(np.floor(np.log(tol) / np.log(momentum))) + 1
    while n > 1 and momentum ** (n - 1) < tol:  # guard against rounding in the logarithms
        n -= 1
    while momentum ** n >= tol:
        n += 1
    return n


@validated(lambda a: _check_fold(**a))
def fold_bn(W, b, layer):
    """Fold an inference-mode batch norm into the affine layer before it.

    Parameters
    ----------
    W : (D_in, D) ndarray, b : (D,) ndarray -- the affine layer x @ W + b in front of the batch norm
    layer : BatchNorm with ``n_features = D`` -- its gamma, beta, moving_mean, moving_var and eps are used

    Returns
    -------
    W_folded : (D_in, D) ndarray, b_folded : (D,) ndarray -- such that
        x @ W_folded + b_folded == layer.forward(x @ W + b, training=False)[0]

    Notes
    -----
    With s = gamma / sqrt(moving_var + eps):
    gamma * (x W + b - mu) / sqrt(var + eps) + beta = x (W * s) + ((b - mu) * s + beta).
    Only valid for inference: in training mode the statistics change with every batch.
    """
    s = layer.gamma / np.sqrt(layer.moving_var + layer.eps)    # (D,)
    return W * s, (b - layer.moving_mean) * s + layer.beta     # (D_in, D), (D,)


@validated(lambda a: _check_coupling(**a))
def batch_coupling(layer, x, batchmates, training):
    """One example's output when it shares its batch with different batch-mates.

    Parameters
    ----------
    layer : an object with ``forward(batch, training) -> (out, cache)`` (``BatchNorm`` or ``MLP``);
        deep-copied, so training mode does not touch its moving averages
    x : (D,) ndarray -- the example we follow
    batchmates : (K, m - 1, D) ndarray -- K different sets of batch-mates
    training : bool

    Returns
    -------
    (K, D_out) ndarray -- row k is x's output in the batch [x, *batchmates[k]]

    Notes
    -----
    In inference mode every row is identical: the output depends on x alone. In training mode it is
    not, because the batch mean and variance depend on the batch-mates.
    """
    scratch = copy.deepcopy(layer)
    rows = []
    for mates in batchmates:
        out, _ = scratch.forward(np.vstack([x[None, :], mates]), training)
        rows.append(out[0])
    return np.array(rows)


# --- checks at the public boundary ------------------------------------------------------------------

def _check_population(batches, correct):
    batches = _checks.check_batch(batches, "batches")
    if batches.ndim < 3:
        raise ValueError(f"batches must be (K, m, D) (K batches of m examples), got shape {batches.shape}")
    correct = _checks.check_bool(correct, "correct")
    if correct and np.prod(batches.shape[1:-1]) < 2:
        raise ValueError("batches of a single value cannot give an unbiased variance (m / (m - 1) with m = 1)")
    return dict(batches=_checks.check_squarable(batches, "batches"), correct=correct)


def _check_moving_average(values, momentum, start):
    values = _checks.check_batch(values, "values")
    start = _checks.check_finite(_checks.as_array(start, "start"), "start")
    if start.ndim != 0 and start.shape != values.shape[1:]:
        raise ValueError(f"start has shape {start.shape}; expected a scalar or one value per feature "
                         f"{values.shape[1:]} (values is {values.shape})")
    return dict(values=values, momentum=_checks.check_momentum(momentum), start=start)


def _check_fold(W, b, layer):
    if not isinstance(layer, BatchNorm):
        raise TypeError(f"layer must be a BatchNorm, got {type(layer).__name__}")
    W = _checks.check_finite(_checks.as_array(W, "W"), "W")
    b = _checks.check_finite(_checks.as_array(b, "b"), "b")
    if W.ndim != 2 or W.shape[1] != layer.n_features or b.shape != (layer.n_features,):
        raise ValueError(f"W must be (D_in, {layer.n_features}) and b ({layer.n_features},) to match the layer; "
                         f"got W {W.shape}, b {b.shape}")
    if (layer.moving_var < 0).any() or not np.isfinite(layer.moving_var).all():
        raise ValueError("layer.moving_var must be finite and >= 0 (it is a variance)")
    if layer.eps == 0 and (layer.moving_var == 0).any():
        raise ValueError("layer has eps=0 and a moving variance of 0: the folded weights would be infinite")
    return dict(W=W, b=b, layer=layer)


def _check_coupling(layer, x, batchmates, training):
    if not callable(getattr(layer, "forward", None)):
        raise TypeError(f"layer must have a forward(batch, training) method, got {type(layer).__name__}")
    x = _checks.check_batch(x, "x")
    batchmates = _checks.check_batch(batchmates, "batchmates")
    if x.ndim != 1 or batchmates.ndim != 3 or batchmates.shape[2] != x.shape[0]:
        raise ValueError(f"x must be (D,) and batchmates (K, m - 1, D); got {x.shape} and {batchmates.shape}")
    return dict(layer=layer, x=x, batchmates=batchmates, training=_checks.check_bool(training, "training"))
