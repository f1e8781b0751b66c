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

from ._checks import as_array, check_batch, check_eps, check_finite, check_param, normalize_axis  # noqa: E402
from .algorithm import batch_norm, feature_shape  # noqa: E402
from .layer import BatchNorm  # noqa: E402


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
    axes = normalize_axis(axis, x32.ndim)
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


def relative_error(a, b):
    """``||a - b|| / (||a|| + ||b||)``: one number for how far two gradients are apart.

    Element-wise ratios blow up on entries that are nearly zero; the ratio of norms does not.
    Two float64 computations of the same gradient agree to about 1e-8 or better.
    """
    a, b = as_array(a, "a"), as_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return float(np.linalg.norm(a - b) / max(1e-300, np.linalg.norm(a) + np.linalg.norm(b)))


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
    if not (isinstance(h, (int, float)) and h > 0):
        raise ValueError(f"h must be a number > 0, got {h!r}")
    axes = tuple(range(x.ndim - 1))
    x, gamma, beta = x.copy(), gamma.copy(), beta.copy()

    def loss():
        return np.sum(dout * batch_norm(x, gamma, beta, eps, axes).y)

    grads = []
    for arr in (x, gamma, beta):
        g = np.zeros_like(arr)
        for i in np.ndindex(arr.shape):
            old = arr[i]
            arr[i] = old + h
            plus = loss()
            arr[i] = old - h
            minus = loss()
            arr[i] = old
            g[i] = (plus - minus) / (2 * h)
        grads.append(g)
    return tuple(grads)


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
