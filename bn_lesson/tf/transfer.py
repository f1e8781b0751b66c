"""The fine-tuning trap: ``trainable=False`` is not ``training=False`` (chapter 07, section 7).

``fine_tuning_trap`` fine-tunes a pretrained Dense -> BN -> ReLU base four ways and reports what each way did
to BN's gamma and moving statistics, so the chapter's table is computed by the installed Keras, not quoted.
"""
from typing import NamedTuple

import numpy as np
import tensorflow as tf
import keras

from .. import _checks
from .._checks import validated

__all__ = ["FineTuneOutcome", "FINE_TUNING_SETUPS", "fine_tuning_trap"]

#: the four ways of fine-tuning that ``fine_tuning_trap`` compares, in the order of its table
FINE_TUNING_SETUPS = (
    "bn.trainable = False",
    "model(x, training=False) in the step",
    "base(x, training=False) when building",
    "neither",
)


class FineTuneOutcome(NamedTuple):
    """What one way of fine-tuning did to the pretrained base (each a max absolute change)."""

    gamma_change: float          #: |gamma after - before|: did the optimizer train BN's scale?
    moving_mean_change: float    #: |moving mean after - before|: did BN normalize with batch statistics?
    moving_var_change: float     #: |moving variance after - before|


def _check_fine_tuning(a):
    x_source = _checks.check_batch(a["x_source"], "x_source")
    x_target = _checks.check_batch(a["x_target"], "x_target")
    y_target = _checks.check_batch(a["y_target"], "y_target").reshape(-1, 1)
    if x_source.ndim != 2 or x_target.ndim != 2 or x_source.shape[1] != x_target.shape[1]:
        raise ValueError(f"x_source and x_target must be (N, D) with the same D, "
                         f"got {x_source.shape} and {x_target.shape}")
    if len(y_target) != len(x_target):
        raise ValueError(f"y_target has {len(y_target)} values; expected one per row of x_target ({len(x_target)})")
    a["x_source"], a["x_target"], a["y_target"] = (v.astype(np.float32) for v in (x_source, x_target, y_target))
    a["units"] = _checks.check_positive_int(a["units"], "units")
    a["batch_size"] = _checks.check_positive_int(a["batch_size"], "batch_size")
    a["learning_rate"] = _checks.check_number(a["learning_rate"], "learning_rate", low=0.0, low_open=True)
    a["seed"] = _checks.check_positive_int(a["seed"], "seed", minimum=0)
    return a


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


@validated(_check_fine_tuning)
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
    units, batch_size : int >= 1
    learning_rate : float > 0
        Plain SGD; small, as in fine-tuning.
    seed : int >= 0
        Seed of the initializers, so every setup starts from the same weights.

    Returns
    -------
    dict mapping each of ``FINE_TUNING_SETUPS`` to a ``FineTuneOutcome``.
    """
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
