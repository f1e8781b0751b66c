"""Training the networks of chapters 08 and 10 with plain SGD, and reading the records.

``SGDTrainer`` runs plain mini-batch SGD in a compiled TensorFlow loop and records test accuracy and the
input of one probed layer; ``steps_to_reach``, ``final_accuracy``, ``largest_that_trains`` and
``step_to_step_shift`` turn its records into the numbers the chapters quote.
"""
from typing import NamedTuple

import numpy as np
import tensorflow as tf
import keras

from .. import _checks

__all__ = ["TrainingRecord", "SGDTrainer", "steps_to_reach", "final_accuracy", "largest_that_trains",
           "step_to_step_shift"]


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
