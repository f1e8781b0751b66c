"""Our numpy batch norm side by side with TensorFlow's (chapter 07).

Three implementations of one formula -- our ``batch_norm``, ``tf.nn.moments`` + ``tf.nn.batch_normalization``
and ``keras.layers.BatchNormalization`` -- on the same batch; the moving statistics of our ``BatchNorm`` and of
Keras' layer over the same training steps; and the source lesson's conv -> BN -> ReLU -> max-pool block as a
Keras model. Every comparison passes ``eps`` (and ``momentum``) explicitly to both sides.

Importing this module imports TensorFlow. TensorFlow's log level comes from the environment
(``TF_CPP_MIN_LOG_LEVEL=2``, set by the Makefile and the course's Jupyter kernel), never from this module.
"""
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
import keras

from .. import _checks
from .._checks import validated
from ..algorithm import batch_norm, feature_shape
from ..constants import DEFAULT_EPS, DEFAULT_MOMENTUM
from ..layer import BatchNorm
from ..viz.plots import BN_COLORS

__all__ = ["Comparison", "compare_implementations", "MovingStatistics", "compare_moving_statistics",
           "plot_moving_statistics", "conv_bn_relu_pool_model"]


FLOAT32_SQUARE_LIMIT = 1e18   # TensorFlow computes in float32: squares above its ~3.4e38 overflow


def _check_compare(a):
    x = _checks.check_batch(a["x"])
    largest = float(np.abs(x).max())
    if largest > FLOAT32_SQUARE_LIMIT:
        raise ValueError(f"x has values up to {largest:.3g}: TensorFlow computes in float32, where their squares "
                         f"(for the variance) overflow above ~1.8e19; rescale x before comparing")
    x = a["x"] = x.astype(np.float32).astype(np.float64)
    axes = a["axis"] = _checks.check_axes(a["axis"], x.ndim)
    if len(axes) != x.ndim - 1:
        raise ValueError(f"axis={axes!r} keeps {x.ndim - len(axes)} axes of a {x.ndim}-d input; Keras' layer keeps "
                         "exactly one (the features), so reduce every axis but one")
    features = feature_shape(x.shape, axes)
    for name in ("gamma", "beta"):   # rounded to float32 once, so all three see the same numbers
        p = _checks.check_param(a[name], features, name)
        a[name] = np.broadcast_to(p, features).astype(np.float32).astype(np.float64)
    a["eps"] = _checks.check_eps(a["eps"])
    return a


def _check_moving(a):
    batches = [_checks.check_batch(b, f"batches[{i}]") for i, b in enumerate(a["batches"])]
    if not batches:
        raise ValueError("batches is empty; give at least one training batch")
    for i, b in enumerate(batches):
        if b.ndim < 2 or b.shape[1:] != batches[0].shape[1:]:
            raise ValueError(f"batches[{i}] has shape {b.shape}; every batch must have shape (N,) + "
                             f"{batches[0].shape[1:]} with the features on the last axis")
    a["batches"] = [b.astype(np.float32) for b in batches]
    a["momentum"] = _checks.check_momentum(a["momentum"])
    a["eps"] = _checks.check_eps(a["eps"])
    return a


# --- three implementations of one formula ----------------------------------------------------------

class Comparison(NamedTuple):
    """The same batch normalized three ways, and how far apart the results are."""

    numpy: np.ndarray   #: our ``batch_norm`` (float64 arithmetic), shape of x
    tf_nn: np.ndarray   #: ``tf.nn.moments`` + ``tf.nn.batch_normalization`` (float32), shape of x
    keras: np.ndarray   #: ``keras.layers.BatchNormalization(...)(x, training=True)`` (float32)
    max_diff: dict      #: {"numpy vs tf.nn": float, "numpy vs keras": float, "tf.nn vs keras": float}


@validated(_check_compare)
def compare_implementations(x, gamma, beta, eps=DEFAULT_EPS, axis=0):
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
    x32, g32, b32 = (a.astype(np.float32) for a in (x, gamma, beta))
    y_np = batch_norm(x, gamma, beta, eps, axis).y                           # shape of x

    keep = [1 if i in axis else n for i, n in enumerate(x.shape)]            # stats broadcast against x
    mean, variance = tf.nn.moments(tf.constant(x32), axes=list(axis))        # feature shape each
    y_tf = tf.nn.batch_normalization(
        x32, mean=tf.reshape(mean, keep), variance=tf.reshape(variance, keep),
        offset=tf.reshape(b32, keep),      # offset is beta, the shift
        scale=tf.reshape(g32, keep),       # scale is gamma
        variance_epsilon=eps).numpy()

    layer = keras.layers.BatchNormalization(axis=[i for i in range(x.ndim) if i not in axis][0], epsilon=eps)
    layer.build(x32.shape)
    layer.gamma.assign(g32)
    layer.beta.assign(b32)
    y_keras = np.asarray(layer(x32, training=True))

    def diff(a, b):
        return float(np.max(np.abs(a - b)))
    return Comparison(y_np, y_tf, y_keras, {"numpy vs tf.nn": diff(y_np, y_tf), "numpy vs keras": diff(y_np, y_keras),
                                            "tf.nn vs keras": diff(y_tf, y_keras)})


# --- moving statistics: ours and Keras' over the same steps --------------------------------------------

class MovingStatistics(NamedTuple):
    """Moving statistics after each training step, ours and Keras'; row 0 is the initial value."""

    ours_mean: np.ndarray    #: (steps + 1, C)
    ours_var: np.ndarray     #: (steps + 1, C)
    keras_mean: np.ndarray   #: (steps + 1, C)
    keras_var: np.ndarray    #: (steps + 1, C)
    max_diff: float          #: largest |ours - keras| over every step, mean and variance


@validated(_check_moving)
def compare_moving_statistics(batches, momentum=DEFAULT_MOMENTUM, eps=DEFAULT_EPS):
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
    ours = BatchNorm(batches[0].shape[-1], momentum=momentum, eps=eps)
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=eps)
    layer.build(batches[0].shape)
    history = [[ours.moving_mean, ours.moving_var, layer.moving_mean.numpy(), layer.moving_variance.numpy()]]
    for b in batches:
        ours.forward(b.astype(np.float64), training=True)
        layer(b, training=True)
        history.append([ours.moving_mean, ours.moving_var, layer.moving_mean.numpy(), layer.moving_variance.numpy()])
    # (steps + 1, C) each
    ours_mean, ours_var, keras_mean, keras_var = (np.array(h, dtype=np.float64) for h in zip(*history))
    worst = max(np.abs(ours_mean - keras_mean).max(), np.abs(ours_var - keras_var).max())
    return MovingStatistics(ours_mean, ours_var, keras_mean, keras_var, float(worst))


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
    which = _checks.check_choice(which, "which", ("mean", "var"))
    ours, theirs = getattr(stats, f"ours_{which}"), getattr(stats, f"keras_{which}")
    feature = _checks.check_positive_int(feature, "feature", minimum=0)
    if feature >= ours.shape[1]:
        raise ValueError(f"feature must be an int in [0, {ours.shape[1]}), got {feature!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
    steps = np.arange(len(ours))
    every = max(1, len(steps) // 30)  # dots on every step would hide the line under them
    ax.plot(steps, ours[:, feature], color=BN_COLORS["with BN"], lw=2.5, label="our BatchNorm")
    ax.plot(steps, theirs[:, feature], linestyle="none", marker="o", markevery=every, color="black", ms=3.5,
            label="keras.layers.BatchNormalization" + (f" (every {every}th step shown)" if every > 1 else ""))
    if target is not None:
        ax.axhline(target, color=BN_COLORS["without BN"], ls="--", lw=1, label="value it is heading for")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"moving {'mean' if which == 'mean' else 'variance'}")
    ax.legend(loc="best", fontsize="small")
    return ax


# --- the source lesson's conv block ----------------------------------------------------------------

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
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (H, W, C) of positive ints, got {input_shape!r}")
    input_shape = tuple(_checks.check_positive_int(n, "input_shape[i]") for n in input_shape)
    filters = _checks.check_positive_int(filters, "filters")
    kernel_size = _checks.check_positive_int(kernel_size, "kernel_size")
    pool_size = _checks.check_positive_int(pool_size, "pool_size")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(filters, kernel_size, padding="same", use_bias=False,
                            kernel_initializer=keras.initializers.GlorotUniform(seed=seed), name="conv"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.ReLU(name="relu"),
        keras.layers.MaxPooling2D(pool_size, name="pool"),
    ], name="conv_bn_relu_pool")
