"""Batch normalization in TensorFlow/Keras, side by side with our numpy version.

The TensorFlow-specific helpers of chapters 07-10 live here (and nowhere in the notebooks):
comparisons of numpy, ``tf.nn`` and ``keras.layers.BatchNormalization``, gradient checks, and the
Keras model builders.

Importing this module imports TensorFlow. Before that import we quiet TensorFlow's C++ logging
(``TF_CPP_MIN_LOG_LEVEL=2`` keeps errors, hides info and warnings): otherwise lines such as
"oneDNN custom operations are on" are written to stderr by the C++ runtime and land in notebook
outputs, where nbval would compare them. ``setdefault`` leaves a value the user chose alone.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # must be set before tensorflow is imported

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402


# --- chapter 07/09: comparisons and gradients ---
# Chapter 07 compares three implementations of the same formula, and Keras' layer with our numpy
# BatchNorm; chapter 09 checks BatchNorm.backward against central differences and tf.GradientTape.
from typing import NamedTuple  # noqa: E402

from .._checks import as_array, check_batch, check_eps, check_finite, check_param, check_axes  # noqa: E402
from ..algorithm import batch_norm, feature_shape  # noqa: E402
from ..gradcheck import numerical_gradient  # noqa: E402
from ..layer import BatchNorm  # noqa: E402


def _feature_axis(axes, ndim):
    """Keras' ``axis`` (the one axis it keeps) given the axes ``tf.nn.moments`` reduces."""
    kept = [i for i in range(ndim) if i not in axes]
    if len(kept) != 1:
        raise ValueError(f"axis={axes!r} keeps {len(kept)} axes of a {ndim}-d input; Keras' layer keeps "
                         "exactly one (the features), so reduce every axis but one")
    return kept[0]


class Comparison(NamedTuple):
    """The same batch normalized three ways, and how far apart the results are."""

    numpy: np.ndarray   #: our ``batch_norm`` (float64 arithmetic), shape of x
    tf_nn: np.ndarray   #: ``tf.nn.moments`` + ``tf.nn.batch_normalization`` (float32), shape of x
    keras: np.ndarray   #: ``keras.layers.BatchNormalization(...)(x, training=True)`` (float32)
    max_diff: dict      #: {"numpy vs tf.nn": float, "numpy vs keras": float, "tf.nn vs keras": float}


def compare_implementations(x, gamma, beta, eps=1e-3, axis=0):
    """Normalize one batch with numpy, with ``tf.nn`` and with Keras' layer, and compare.

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) array
        The batch; TensorFlow receives it as float32, numpy as the float64 copy of those float32 values.
    gamma, beta : (D,) or (C,) array, or scalars
        Scale (``tf.nn``'s ``scale``) and shift (``tf.nn``'s ``offset``).
    eps : float >= 0
        ``variance_epsilon`` / Keras' ``epsilon``. Passed explicitly to all three.
    axis : int or tuple of int
        The axes to reduce, as for ``tf.nn.moments``: 0 for (N, D), (0, 1, 2) for channels-last maps.
        Every axis but one: Keras' layer gets the one left (the features) as its ``axis``.

    Returns
    -------
    Comparison(numpy, tf_nn, keras, max_diff)
        Three arrays of the shape of ``x`` and the largest absolute difference of each pair.
    """
    x32 = check_batch(x).astype(np.float32)
    axes = check_axes(axis, x32.ndim)
    feature_axis = _feature_axis(axes, x32.ndim)
    features = feature_shape(x32.shape, axes)
    gamma = np.broadcast_to(check_param(gamma, features, "gamma"), features).astype(np.float32)
    beta = np.broadcast_to(check_param(beta, features, "beta"), features).astype(np.float32)
    eps = check_eps(eps)

    y_np = batch_norm(x32.astype(np.float64), gamma.astype(np.float64), beta.astype(np.float64), eps, axes).y

    mean, variance = tf.nn.moments(tf.constant(x32), axes=list(axes))  # feature shape each
    # tf.nn.batch_normalization broadcasts its parameters against x, so give them x's rank back
    keep = [1 if i in axes else n for i, n in enumerate(x32.shape)]
    y_tf = tf.nn.batch_normalization(
        x32,
        mean=tf.reshape(mean, keep),
        variance=tf.reshape(variance, keep),
        offset=tf.reshape(beta, keep),     # offset is beta, the shift
        scale=tf.reshape(gamma, keep),     # scale is gamma
        variance_epsilon=eps,
    ).numpy()

    layer = keras.layers.BatchNormalization(axis=feature_axis, epsilon=eps)
    layer.build(x32.shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    y_keras = np.asarray(layer(x32, training=True))

    diff = lambda a, b: float(np.max(np.abs(a - b)))  # noqa: E731
    return Comparison(y_np, y_tf, y_keras, {
        "numpy vs tf.nn": diff(y_np, y_tf),
        "numpy vs keras": diff(y_np, y_keras),
        "tf.nn vs keras": diff(y_tf, y_keras),
    })


class MovingStatistics(NamedTuple):
    """Moving statistics after each training step, ours and Keras'; row 0 is the initial value."""

    ours_mean: np.ndarray    #: (steps + 1, C)
    ours_var: np.ndarray     #: (steps + 1, C)
    keras_mean: np.ndarray   #: (steps + 1, C)
    keras_var: np.ndarray    #: (steps + 1, C)
    max_diff: float          #: largest |ours - keras| over every step, mean and variance


def compare_moving_statistics(batches, momentum=0.99, eps=1e-3):
    """Feed the same batches, in training mode, to our ``BatchNorm`` and to Keras' layer.

    Parameters
    ----------
    batches : sequence of (N, C) or (N, H, W, C) arrays
        Training batches in order; the features are on the last axis (both layers' convention).
    momentum : float in [0, 1)
        Weight of the old value: ``moving = momentum * moving + (1 - momentum) * batch``.
    eps : float >= 0

    Returns
    -------
    MovingStatistics
        Histories of both layers' moving mean and variance, shape (len(batches) + 1, C).
    """
    batches = [check_batch(b, "batches[%d]" % i).astype(np.float32) for i, b in enumerate(batches)]
    if not batches:
        raise ValueError("batches is empty; give at least one training batch")
    shape = batches[0].shape
    for i, b in enumerate(batches):
        if b.shape[1:] != shape[1:]:
            raise ValueError(f"batches[{i}] has shape {b.shape}; every batch must have shape (N,) + {shape[1:]}")
    ours = BatchNorm(shape[-1], momentum=momentum, eps=eps)
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=eps)
    layer.build(shape)
    hist = {k: [] for k in MovingStatistics._fields[:4]}

    def record():
        hist["ours_mean"].append(ours.moving_mean.copy())
        hist["ours_var"].append(ours.moving_var.copy())
        hist["keras_mean"].append(layer.moving_mean.numpy().astype(np.float64))
        hist["keras_var"].append(layer.moving_variance.numpy().astype(np.float64))

    record()
    for b in batches:
        ours.forward(b.astype(np.float64), training=True)
        layer(b, training=True)
        record()
    arrays = {k: np.array(v) for k, v in hist.items()}
    worst = max(np.max(np.abs(arrays["ours_mean"] - arrays["keras_mean"])),
                np.max(np.abs(arrays["ours_var"] - arrays["keras_var"])))
    return MovingStatistics(**arrays, max_diff=float(worst))


def plot_moving_statistics(stats, feature=0, which="mean", target=None, ax=None):
    """Draw one feature's moving mean (or variance) over the steps: ours as a line, Keras' as dots.

    Parameters
    ----------
    stats : MovingStatistics, from ``compare_moving_statistics``
    feature : int -- which feature (column) to draw
    which : {"mean", "var"}
    target : float or None -- the value the average is heading for (e.g. the data's true mean), dashed
    ax : matplotlib Axes or None

    Returns
    -------
    ax
    """
    if which not in ("mean", "var"):
        raise ValueError(f"which must be 'mean' or 'var', got {which!r}")
    ours, theirs = getattr(stats, f"ours_{which}"), getattr(stats, f"keras_{which}")
    if not (isinstance(feature, (int, np.integer)) and 0 <= feature < ours.shape[1]):
        raise ValueError(f"feature must be an int in [0, {ours.shape[1]}), got {feature!r}")
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
    from ..viz.plots import BN_COLORS
    steps = np.arange(len(ours))
    ax.plot(steps, ours[:, feature], color=BN_COLORS["with BN"], lw=2.5, label="our BatchNorm")
    every = max(1, len(steps) // 30)  # dots on every step would hide the line under them
    ax.plot(steps, theirs[:, feature], linestyle="none", marker="o", markevery=every, color="black", ms=3.5,
            label=f"keras.layers.BatchNormalization (every {every}th step shown)" if every > 1
            else "keras.layers.BatchNormalization")
    if target is not None:
        ax.axhline(target, color=BN_COLORS["without BN"], ls="--", lw=1, label="value it is heading for")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"moving {'mean' if which == 'mean' else 'variance'}")
    ax.legend(loc="best", fontsize="small")
    return ax


def conv_bn_relu_pool_model(input_shape, filters, kernel_size=3, pool_size=2, seed=None):
    """The source lesson's block as a Keras model: conv2d -> batch_normalization -> relu -> max_pool.

    Parameters
    ----------
    input_shape : (H, W, C_in) tuple of int
        One image, channels last.
    filters : int
        Output channels of the convolution (and so the number of BN means/variances).
    kernel_size, pool_size : int
    seed : int or None
        Seed of the convolution's initializer, so the same seed gives the same kernel.

    Returns
    -------
    keras.Sequential with layers named "conv", "bn", "relu", "pool"; output (N, H', W', filters).

    Notes
    -----
    The convolution has no bias (``use_bias=False``): BN subtracts the per-channel mean right after it,
    which would cancel any bias, and its ``beta`` plays that role.
    """
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or not all(isinstance(n, (int, np.integer)) and n > 0 for n in input_shape):
        raise ValueError(f"input_shape must be (H, W, C) of positive ints, got {input_shape!r}")
    for name, v in (("filters", filters), ("kernel_size", kernel_size), ("pool_size", pool_size)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(filters, kernel_size, padding="same", use_bias=False,
                            kernel_initializer=keras.initializers.GlorotUniform(seed=seed), name="conv"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.ReLU(name="relu"),
        keras.layers.MaxPooling2D(pool_size, name="pool"),
    ], name="conv_bn_relu_pool")


class FineTuneOutcome(NamedTuple):
    """What one way of fine-tuning did to the pretrained base (each a max absolute change)."""

    gamma_change: float          #: |gamma after - before|: did the optimizer train BN's scale?
    moving_mean_change: float    #: |moving mean after - before|: did BN normalize with batch statistics?
    moving_var_change: float     #: |moving variance after - before|


FINE_TUNING_SETUPS = (
    "bn.trainable = False",
    "model(x, training=False) in the step",
    "base(x, training=False) when building",
    "neither",
)


def _pretrained_base(x_source, units, seed):
    """Dense -> BN -> ReLU whose BN moving statistics are those of ``x_source`` (as after long training)."""
    base = keras.Sequential([
        keras.Input(shape=(x_source.shape[1],)),
        keras.layers.Dense(units, use_bias=False, name="dense",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=seed)),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.ReLU(name="relu"),
    ], name="base")
    mean, variance = tf.nn.moments(base.get_layer("dense")(x_source), axes=[0])  # (units,) each
    base.get_layer("bn").moving_mean.assign(mean)
    base.get_layer("bn").moving_variance.assign(variance)
    return base


def _fine_tune(setup, model, x, y, batch_size, learning_rate):
    """One epoch of SGD on (x, y): with ``fit``, or, for the call-time setup, a GradientTape loop."""
    optimizer = keras.optimizers.SGD(learning_rate)
    if setup != "model(x, training=False) in the step":
        model.compile(optimizer=optimizer, loss="mse")
        model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        return
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(xb, training=False) - yb) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))


def fine_tuning_trap(x_source, x_target, y_target, units=8, batch_size=4, learning_rate=1e-4, seed=0):
    """Fine-tune a pretrained Dense -> BN -> ReLU base plus a new head four ways; report what changed.

    Every setup (``FINE_TUNING_SETUPS``) starts from the same pretrained base, whose BN moving
    statistics are those of ``x_source``, and trains one epoch of SGD on the target data:

    * ``bn.trainable = False``, trained with ``fit``: Keras ties the two -- a non-trainable BN layer
      also runs in inference mode (moving statistics, no updates); gamma and beta stay fixed.
    * ``model(x, training=False) in the step``: a GradientTape loop calling the model in inference
      mode: BN uses and keeps the moving statistics, while gamma and beta are still trained.
    * ``base(x, training=False) when building``, trained with ``fit``: in Keras 3 the ``training=True``
      that ``fit`` passes to the outer model overrides it (keras-team/keras#20285), so BN normalizes
      with batch statistics and overwrites its moving statistics.
    * ``neither``, trained with ``fit``: the same.

    Parameters
    ----------
    x_source : (N_s, D) array
        The data the base was "pretrained" on.
    x_target, y_target : (N_t, D) and (N_t,) arrays
        The fine-tuning data (typically another distribution) and regression targets.
    units, batch_size : int
    learning_rate : float > 0
        Plain SGD; small, as in fine-tuning.
    seed : int
        Seed of the initializers, so every setup starts from the same weights.

    Returns
    -------
    dict mapping each of ``FINE_TUNING_SETUPS`` to a ``FineTuneOutcome``.
    """
    x_source = check_batch(x_source, "x_source").astype(np.float32)
    x_target = check_batch(x_target, "x_target").astype(np.float32)
    y_target = check_batch(y_target, "y_target").astype(np.float32).reshape(-1, 1)
    if x_source.ndim != 2 or x_target.ndim != 2 or x_source.shape[1] != x_target.shape[1]:
        raise ValueError(f"x_source and x_target must be (N, D) with the same D, "
                         f"got {x_source.shape} and {x_target.shape}")
    if len(y_target) != len(x_target):
        raise ValueError(f"y_target has {len(y_target)} values; expected one per row of x_target ({len(x_target)})")
    if not (isinstance(learning_rate, (int, float)) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a number > 0, got {learning_rate!r}")

    outcomes = {}
    for setup in FINE_TUNING_SETUPS:
        base = _pretrained_base(x_source, units, seed)
        bn = base.get_layer("bn")
        if setup == "bn.trainable = False":
            bn.trainable = False
        inputs = keras.Input(shape=(x_target.shape[1],))
        features = base(inputs, training=False) if setup.startswith("base(") else base(inputs)
        head = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1))
        model = keras.Model(inputs, head(features))

        before = [v.numpy().copy() for v in (bn.gamma, bn.moving_mean, bn.moving_variance)]
        _fine_tune(setup, model, x_target, y_target, batch_size, learning_rate)
        after = [v.numpy() for v in (bn.gamma, bn.moving_mean, bn.moving_variance)]
        outcomes[setup] = FineTuneOutcome(*(float(np.max(np.abs(a - b))) for a, b in zip(after, before)))
    return outcomes


def _check_gradient_inputs(x, gamma, beta, dout, eps):
    x = check_batch(x)
    features = (x.shape[-1],)
    gamma = np.broadcast_to(check_param(gamma, features, "gamma"), features).astype(np.float64)
    beta = np.broadcast_to(check_param(beta, features, "beta"), features).astype(np.float64)
    dout = as_array(dout, "dout")
    check_finite(dout, "dout")
    if dout.shape != x.shape:
        raise ValueError(f"dout has shape {dout.shape}; expected the shape of x, {x.shape}")
    return x.astype(np.float64), gamma, beta, dout.astype(np.float64), check_eps(eps)


def numerical_bn_gradients(x, gamma, beta, dout, eps=1e-3, h=1e-5):
    """Central differences of ``L = sum(dout * y)``, y = batch norm of x in training mode.

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) array -- features on the last axis, statistics over all the others
    gamma, beta : (D,) or (C,) array, or scalars
    dout : array of the shape of x
        The upstream gradient dL/dy; with ``L = sum(dout * y)`` it is exactly that.
    eps : float >= 0
    h : float > 0
        The step: ``(L(v + h) - L(v - h)) / (2h)`` for every entry v of x, gamma and beta.

    Returns
    -------
    dx : array of the shape of x
    dgamma, dbeta : (D,) or (C,) ndarray

    Notes
    -----
    Everything runs in float64; the error of a central difference is O(h^2) plus rounding
    O(machine eps / h), so with h = 1e-5 the result agrees with the exact gradient to ~1e-9 relative.
    One forward pass per entry and sign: use small arrays.
    """
    x, gamma, beta, dout, eps = _check_gradient_inputs(x, gamma, beta, dout, eps)
    axes = tuple(range(x.ndim - 1))
    x, gamma, beta = x.copy(), gamma.copy(), beta.copy()  # nudged in place by numerical_gradient

    def loss():
        return np.sum(dout * batch_norm(x, gamma, beta, eps, axes).y)

    return tuple(numerical_gradient(loss, p, h) for p in (x, gamma, beta))


def tape_bn_gradients(x, gamma, beta, dout, eps=1e-3):
    """dL/dx, dL/dgamma, dL/dbeta from ``tf.GradientTape`` through tf.nn.moments + tf.nn.batch_normalization.

    Same arguments and return values as ``numerical_bn_gradients``; TensorFlow works in float64 here,
    so the three ways of getting the gradient can be compared to ~1e-10.
    """
    x, gamma, beta, dout, eps = _check_gradient_inputs(x, gamma, beta, dout, eps)
    xt, g, b = tf.Variable(x), tf.Variable(gamma), tf.Variable(beta)
    with tf.GradientTape() as tape:
        mean, variance = tf.nn.moments(xt, axes=list(range(x.ndim - 1)))  # (D,) each
        y = tf.nn.batch_normalization(xt, mean, variance, offset=b, scale=g, variance_epsilon=eps)
        loss = tf.reduce_sum(y * dout)
    return tuple(t.numpy() for t in tape.gradient(loss, [xt, g, b]))


def dense_bn_gradients(u, W, dout, gamma=1.0, beta=0.0, eps=1e-3):
    """A bias-free dense layer followed by batch norm, ``y = BN(u @ W)``, and its gradients.

    Used to show section 3.3 of the paper: BN(u @ (a W)) = BN(u @ W), the gradient with respect to
    u does not depend on a, and the gradient with respect to a W is 1/a times that for W.

    Parameters
    ----------
    u : (N, D_in) array -- the layer's input
    W : (D_in, D_out) array -- its weights
    dout : (N, D_out) array -- the upstream gradient dL/dy
    gamma, beta : (D_out,) array or scalars
    eps : float >= 0

    Returns
    -------
    y : (N, D_out) ndarray
    du : (N, D_in) ndarray
    dW : (D_in, D_out) ndarray
        All float64, from ``tf.GradientTape``.
    """
    u = check_batch(u, "u").astype(np.float64)
    W = check_batch(W, "W").astype(np.float64)
    if u.ndim != 2 or W.ndim != 2 or u.shape[1] != W.shape[0]:
        raise ValueError(f"u must be (N, D_in) and W (D_in, D_out), got {u.shape} and {W.shape}")
    n, d_out = u.shape[0], W.shape[1]
    _, gamma, beta, dout, eps = _check_gradient_inputs(np.zeros((n, d_out)), gamma, beta, dout, eps)
    ut, Wt = tf.Variable(u), tf.Variable(W)
    with tf.GradientTape() as tape:
        z = ut @ Wt                                       # (N, D_out)
        mean, variance = tf.nn.moments(z, axes=[0])       # (D_out,) each
        y = tf.nn.batch_normalization(z, mean, variance, offset=beta, scale=gamma, variance_epsilon=eps)
        loss = tf.reduce_sum(y * dout)
    du, dW = tape.gradient(loss, [ut, Wt])
    return y.numpy(), du.numpy(), dW.numpy()



class WeightScaleGradients(NamedTuple):
    """Gradient norms of a dense layer's input and weights as the weights are scaled by ``a``."""

    scales: np.ndarray      #: (S,) the factors a
    du_bn: np.ndarray       #: (S,) ||dL/du|| for y = BN(u @ (a W))
    dW_bn: np.ndarray       #: (S,) ||dL/d(aW)|| for y = BN(u @ (a W))
    du_plain: np.ndarray    #: (S,) ||dL/du|| for y = u @ (a W), no BN
    dW_plain: np.ndarray    #: (S,) ||dL/d(aW)|| for y = u @ (a W), no BN


def gradients_vs_weight_scale(u, W, dout, scales, eps=0.0):
    """How the gradients of a dense layer change when its weights are multiplied by ``a``, with and without BN.

    Parameters
    ----------
    u : (N, D_in) array, W : (D_in, D_out) array, dout : (N, D_out) array -- as for ``dense_bn_gradients``
    scales : sequence of float > 0
    eps : float >= 0 -- BN's epsilon; 0 shows the exact invariance of the paper's section 3.3

    Returns
    -------
    WeightScaleGradients
        With BN, ||du|| is the same for every a and ||dW|| falls as 1/a; without BN both grow (as a and 1).
    """
    scales = as_array(scales, "scales").ravel()
    if scales.size == 0 or not np.all(np.isfinite(scales)) or (scales <= 0).any():
        raise ValueError(f"scales must be a non-empty sequence of positive numbers, got {scales!r}")
    u = check_batch(u, "u").astype(np.float64)
    W = check_batch(W, "W").astype(np.float64)
    dout = as_array(dout, "dout").astype(np.float64)
    rows = []
    for a in scales:
        _, du, dW = dense_bn_gradients(u, a * W, dout, eps=eps)
        # without BN, y = u @ (a W): dL/du = dout @ (a W).T and dL/d(a W) = u.T @ dout
        rows.append([np.linalg.norm(du), np.linalg.norm(dW),
                     np.linalg.norm(dout @ (a * W).T), np.linalg.norm(u.T @ dout)])
    cols = np.array(rows).T
    return WeightScaleGradients(scales, *cols)


def plot_gradients_vs_weight_scale(result, ax=None):
    """Log-log plot of the four gradient norms of ``gradients_vs_weight_scale`` against the scale a.

    Returns
    -------
    ax
    """
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    from ..viz.plots import BN_COLORS
    with_bn, without = BN_COLORS["with BN"], BN_COLORS["without BN"]
    ax.loglog(result.scales, result.du_bn, "-o", color=with_bn, ms=4, label="with BN: ||dL/du||")
    ax.loglog(result.scales, result.dW_bn, "--s", color=with_bn, ms=4, label="with BN: ||dL/dW||")
    ax.loglog(result.scales, result.du_plain, "-o", color=without, ms=4, label="without BN: ||dL/du||")
    ax.loglog(result.scales, result.dW_plain, "--s", color=without, ms=4, label="without BN: ||dL/dW||")
    ax.set_xlabel("scale a of the weights (W -> a W)")
    ax.set_ylabel("gradient norm")
    ax.legend(fontsize="small", loc="best")
    return ax

# --- chapter 08/10: models and training ---
# Chapter 08 trains the network of the BN paper's Figure 1 (three hidden layers of 100 sigmoid units)
# with and without BN on scikit-learn's bundled digits, sweeps learning rate and initial scale, and
# trains a small CNN; chapter 10 injects noise after BN (Santurkar et al. 2018) and compares BN with
# LayerNorm and GroupNorm at tiny batch sizes. Every run goes through ``SGDTrainer``: plain SGD in a
# compiled loop that is traced once per architecture and reused for every run of it.

#: the ``normalization`` choices of ``build_mlp`` and ``build_cnn``
NORMALIZATIONS = (None, "batch", "noisy_batch", "layer", "group")


class ShiftNoise(keras.layers.Layer):
    """Random per-unit scale and shift, redrawn at every training step; the identity at inference.

    ``y = s * x + m`` with, for each unit (last axis) and each call in training mode,
    ``s ~ Uniform(*scale_range)`` and ``m ~ Normal(0, shift_std**2)``. Placed right after a batch-norm
    layer, it makes the distribution the next layer sees jump every step -- far more "internal
    covariate shift" than a plain network has -- while BN itself is left intact (Santurkar et al.,
    2018, *How Does Batch Normalization Help Optimization?*, section 2.1).

    Parameters
    ----------
    shift_std : float >= 0
    scale_range : (low, high) with 0 < low <= high
    seed : int -- seeds the layer's own random stream
    """

    def __init__(self, shift_std=1.0, scale_range=(0.5, 2.0), seed=0, **kwargs):
        super().__init__(**kwargs)
        low, high = scale_range
        if not (np.isfinite(shift_std) and shift_std >= 0):
            raise ValueError(f"shift_std must be a finite number >= 0, got {shift_std!r}")
        if not (0 < low <= high and np.isfinite(high)):
            raise ValueError(f"scale_range must be (low, high) with 0 < low <= high, got {scale_range!r}")
        self.shift_std, self.scale_range, self.seed = float(shift_std), (float(low), float(high)), seed
        self._seeds = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        if not training:
            return x
        units = (x.shape[-1],)
        s = keras.random.uniform(units, *self.scale_range, seed=self._seeds)   # (units,)
        m = keras.random.normal(units, stddev=self.shift_std, seed=self._seeds)  # (units,)
        return x * s + m

    def get_config(self):
        return {**super().get_config(), "shift_std": self.shift_std, "scale_range": self.scale_range,
                "seed": self.seed}


def _normalization_layers(kind, i, image, bn_momentum, groups, seed):
    """The layers that go between block ``i``'s affine map and its activation."""
    if kind is None:
        return []
    if kind in ("batch", "noisy_batch"):
        layers = [keras.layers.BatchNormalization(momentum=bn_momentum, name=f"bn{i}")]
        if kind == "noisy_batch":
            layers.append(ShiftNoise(seed=seed + 100 + i, name=f"noise{i}"))
        return layers
    if kind == "layer":  # every feature of one example: (H, W, C) for images, (D,) for vectors
        return [keras.layers.LayerNormalization(axis=(1, 2, 3) if image else -1, name=f"ln{i}")]
    return [keras.layers.GroupNormalization(groups=groups, name=f"gn{i}")]


def _check_build_args(normalization, activation):
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    if activation not in ("sigmoid", "tanh", "relu"):
        raise ValueError(f"activation must be 'sigmoid', 'tanh' or 'relu', got {activation!r}")


def _initializer(init_std, seed):
    if init_std is None:
        return keras.initializers.GlorotUniform(seed=seed)
    if not (isinstance(init_std, (int, float)) and init_std > 0):
        raise ValueError(f"init_std must be a number > 0 or None (Glorot), got {init_std!r}")
    return keras.initializers.RandomNormal(stddev=init_std, seed=seed)


def build_mlp(normalization=None, hidden=(100, 100, 100), activation="sigmoid", init_std=0.1,
              n_inputs=64, n_classes=10, bn_momentum=0.9, groups=10, seed=0):
    """A fully connected classifier: [Dense -> (normalization) -> activation] per hidden layer -> Dense.

    Parameters
    ----------
    normalization : None, "batch", "noisy_batch", "layer" or "group"
        What goes between each affine map and its activation: nothing, ``BatchNormalization``,
        BN followed by ``ShiftNoise``, ``LayerNormalization`` (over the features of each example)
        or ``GroupNormalization(groups)``. With any of them the Dense layers have no bias (the
        normalization subtracts a mean, which would cancel it; its beta takes the bias's role).
    hidden : sequence of int -- units per hidden layer (the paper's Figure 1: three of 100)
    activation : "sigmoid", "tanh" or "relu"
    init_std : float > 0 or None
        Weights start as N(0, init_std**2) (the paper's "small random Gaussian values");
        None uses Keras' default Glorot-uniform.
    n_inputs, n_classes : int
    bn_momentum : float -- BN's moving-average momentum (Keras' default is 0.99; 0.9 lets the moving
        statistics keep up within a short run, so early test accuracies are meaningful)
    groups : int -- GroupNormalization's number of groups (must divide every hidden size)
    seed : int -- layer ``i`` is initialized with seed ``seed + i``: same seed, same weights

    Returns
    -------
    keras.Sequential, input (N, n_inputs), output (N, n_classes) logits. Layers are named
    ``dense1``, ``bn1``/``noise1``/``ln1``/``gn1``, ``sigmoid1`` (after the activation), ..., ``logits``.
    """
    _check_build_args(normalization, activation)
    layers = [keras.Input(shape=(n_inputs,))]
    for i, units in enumerate(hidden, start=1):
        layers.append(keras.layers.Dense(units, use_bias=normalization is None,
                                         kernel_initializer=_initializer(init_std, seed + i), name=f"dense{i}"))
        layers += _normalization_layers(normalization, i, False, bn_momentum, groups, seed)
        layers.append(keras.layers.Activation(activation, name=f"{activation}{i}"))
    layers.append(keras.layers.Dense(n_classes, kernel_initializer=_initializer(init_std, seed), name="logits"))
    return keras.Sequential(layers, name=f"mlp_{normalization or 'plain'}")


def build_cnn(normalization=None, filters=(16, 32), activation="relu", input_shape=(8, 8, 1), n_classes=10,
              bn_momentum=0.9, groups=4, seed=0):
    """A small convolutional classifier for 8x8 digits.

    conv3x3 -> (normalization) -> activation -> max-pool 2x2 -> conv3x3 -> (normalization) -> activation
    -> global average pool -> Dense logits. Arguments as in ``build_mlp``; the convolutions start
    Glorot-uniform. ``"layer"`` normalizes each example over (H, W, C).

    Returns
    -------
    keras.Sequential, input (N, H, W, C_in), output (N, n_classes). Layers are named ``conv1``,
    ``bn1``, ``relu1``, ``pool1``, ``conv2``, ..., ``gap``, ``logits``.
    """
    _check_build_args(normalization, activation)
    layers = [keras.Input(shape=tuple(input_shape))]
    for i, f in enumerate(filters, start=1):
        layers.append(keras.layers.Conv2D(f, 3, padding="same", use_bias=normalization is None,
                                          kernel_initializer=_initializer(None, seed + i), name=f"conv{i}"))
        layers += _normalization_layers(normalization, i, True, bn_momentum, groups, seed)
        layers.append(keras.layers.Activation(activation, name=f"{activation}{i}"))
        if i < len(filters):
            layers.append(keras.layers.MaxPooling2D(2, name=f"pool{i}"))
    layers.append(keras.layers.GlobalAveragePooling2D(name="gap"))
    layers.append(keras.layers.Dense(n_classes, kernel_initializer=_initializer(None, seed), name="logits"))
    return keras.Sequential(layers, name=f"cnn_{normalization or 'plain'}")


class TrainingRecord(NamedTuple):
    """What ``SGDTrainer.run`` measured. R = number of records, S = steps, U = probed units."""

    steps: np.ndarray          #: (R,) int: the record was taken after this many steps
    test_accuracy: np.ndarray  #: (R,) share of the test set classified right (inference mode)
    percentiles: np.ndarray    #: (R, U, 3) 15th/50th/85th percentile of each probed unit's input over the test set
    loss: np.ndarray           #: (S,) training loss (mean cross-entropy of the mini-batch) at every step
    batch_mean: np.ndarray     #: (S, U) mean over the mini-batch of each probed unit's input, as seen in training


class SGDTrainer:
    """Plain mini-batch SGD, ``w <- w - learning_rate * dL/dw``, on models made by one builder.

    The training loop is a ``tf.function`` traced once for the architecture and reused by every
    ``run``; each run starts from freshly built weights, so runs are independent and a sweep costs
    no extra compilation.

    Parameters
    ----------
    build : callable -- ``build(**kwargs)`` returns a Keras model (e.g. ``functools.partial(build_mlp, "batch")``)
    data : (x_train, y_train, x_test, y_test) -- as returned by ``bn_lesson.data.digits_shuffled``; labels are ints
    probe : str or None -- name of the layer whose *input* is recorded (the paper's "sigmoid input");
        None picks the last activation layer
    jit_compile : bool -- compile the loop with XLA: several times faster per step for small dense
        networks, at a few seconds of compilation per chunk shape. TensorFlow has no deterministic XLA
        gradient for max-pooling, so leave it off for ``build_cnn`` models

    Attributes
    ----------
    model : the Keras model being trained (its weights are those of the latest run)
    """

    def __init__(self, build, data, probe=None, jit_compile=False):
        if not callable(build):
            raise ValueError(f"build must be a callable returning a Keras model, got {type(build).__name__}")
        x_train, y_train, x_test, y_test = data
        if len(x_train) != len(y_train) or len(x_test) != len(y_test):
            raise ValueError("data must be (x_train, y_train, x_test, y_test) with as many labels as examples")
        self._build = build
        self.model = build()
        if probe is None:
            acts = [layer.name for layer in self.model.layers if isinstance(layer, keras.layers.Activation)]
            if not acts:
                raise ValueError("the model has no Activation layer; name the layer to probe with probe=")
            probe = acts[-1]
        self.probe = probe
        # the same layers, with a second output: the probed layer's input
        self._net = keras.Model(self.model.inputs, [self.model.outputs[0], self.model.get_layer(probe).input])
        self._x_train, self._y_train = tf.constant(x_train, tf.float32), tf.constant(y_train, tf.int32)
        self._x_test, self._y_test = tf.constant(x_test, tf.float32), np.asarray(y_test)
        self._lr = tf.Variable(0.0, trainable=False, dtype=tf.float32)
        self._train_steps = tf.function(self._steps, input_signature=[tf.TensorSpec([None, None], tf.int32)],
                                        jit_compile=bool(jit_compile))
        self._evaluate = tf.function(lambda: self._net(self._x_test, training=False))

    def _steps(self, batches):
        """One SGD step per row of ``batches`` ((k, B) indices into the training set)."""
        k = tf.shape(batches)[0]
        losses = tf.TensorArray(tf.float32, size=k)
        means = tf.TensorArray(tf.float32, size=k)
        weights = self.model.trainable_variables
        for t in tf.range(k):
            xb, yb = tf.gather(self._x_train, batches[t]), tf.gather(self._y_train, batches[t])
            with tf.GradientTape() as tape:
                logits, z = self._net(xb, training=True)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yb, logits))
            for w, g in zip(weights, tape.gradient(loss, weights)):
                w.assign_sub(self._lr * g)
            losses = losses.write(t, loss)
            means = means.write(t, tf.reduce_mean(tf.reshape(z, [tf.shape(z)[0], -1]), axis=0))
        return losses.stack(), means.stack()

    def run(self, steps, learning_rate, rng, batch_size=60, record_every=50, **build_kwargs):
        """Train a freshly built model and record test accuracy and the probed inputs along the way.

        Parameters
        ----------
        steps : int -- SGD steps
        learning_rate : float > 0
        rng : numpy.random.Generator -- shuffles the training set, epoch after epoch, into mini-batches
        batch_size : int
        record_every : int -- evaluate on the test set after every this many steps (and after the last)
        **build_kwargs : passed to ``build`` for this run's starting weights (e.g. ``init_std=1.0``);
            they must not change the architecture

        Returns
        -------
        TrainingRecord
        """
        for name, v in (("steps", steps), ("batch_size", batch_size), ("record_every", record_every)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        if not (isinstance(learning_rate, (int, float)) and np.isfinite(learning_rate) and learning_rate > 0):
            raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
        n = int(self._x_train.shape[0])
        if batch_size > n:
            raise ValueError(f"batch_size={batch_size} is larger than the training set ({n} examples)")
        fresh = self._build(**build_kwargs)
        try:
            self.model.set_weights(fresh.get_weights())
        except ValueError as err:
            raise ValueError(f"build_kwargs {build_kwargs} change the architecture: {err}") from err
        self._lr.assign(learning_rate)
        per_epoch = n // batch_size
        order = np.concatenate([rng.permutation(n)[:per_epoch * batch_size]
                                for _ in range(-(-steps // per_epoch))])
        batches = order[:steps * batch_size].reshape(steps, batch_size).astype(np.int32)  # (S, B)

        rec_steps, accs, pcts, losses, means = [], [], [], [], []
        for start in range(0, steps, record_every):
            chunk_loss, chunk_mean = self._train_steps(tf.constant(batches[start:start + record_every]))
            losses.append(chunk_loss.numpy())
            means.append(chunk_mean.numpy())
            logits, z = self._evaluate()
            z = z.numpy().reshape(len(z), -1)  # (N_test, U)
            rec_steps.append(min(start + record_every, steps))
            accs.append(np.mean(logits.numpy().argmax(axis=1) == self._y_test))
            pcts.append(np.percentile(z, (15, 50, 85), axis=0).T)  # (U, 3)
        return TrainingRecord(np.array(rec_steps), np.array(accs), np.array(pcts),
                              np.concatenate(losses), np.concatenate(means))


def steps_to_reach(record, target):
    """The first recorded step at which test accuracy reached ``target``, or None if it never did.

    Parameters
    ----------
    record : TrainingRecord
    target : float in (0, 1]
    """
    if not 0 < target <= 1:
        raise ValueError(f"target must be an accuracy in (0, 1], got {target!r}")
    hit = np.flatnonzero(np.asarray(record.test_accuracy) >= target)
    return int(record.steps[hit[0]]) if hit.size else None


def final_accuracy(record, last=3):
    """Mean test accuracy over the ``last`` records: the end of training, less noisy than one record."""
    if not isinstance(last, (int, np.integer)) or last < 1:
        raise ValueError(f"last must be a positive int, got {last!r}")
    return float(np.mean(record.test_accuracy[-last:]))


def largest_that_trains(records, target):
    """The largest setting whose run ended (``final_accuracy``) at or above ``target``, or None.

    Parameters
    ----------
    records : dict {float setting (e.g. learning rate): TrainingRecord}
    target : float in (0, 1]
    """
    good = [value for value, rec in records.items() if final_accuracy(rec) >= target]
    return max(good) if good else None


def step_to_step_shift(batch_mean):
    """Mean absolute change of each unit's mini-batch mean from one training step to the next.

    Parameters
    ----------
    batch_mean : (S, U) array -- ``TrainingRecord.batch_mean``, S >= 2

    Returns
    -------
    (U,) ndarray
    """
    m = np.asarray(batch_mean, dtype=float)
    if m.ndim != 2 or m.shape[0] < 2:
        raise ValueError(f"batch_mean must be (S, U) with S >= 2, got shape {m.shape}")
    return np.abs(np.diff(m, axis=0)).mean(axis=0)
