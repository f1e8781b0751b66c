"""Training a network on several seeds at once with plain SGD, and reading the records (chapters 08, 10, 12, 13).

A training claim is a study over seeds, not one run. ``SGDTrainer`` trains S independent copies of one
Keras network -- copy i starts from the weights ``build(seed=seeds[i])``, sees the data split it is given
and shuffles its own mini-batches -- in one compiled TensorFlow graph: the copies' weights are stacked on a
leading seed axis and one SGD step of every copy (``sgd_step``, a ``tf.GradientTape`` step) is
``tf.vectorized_map`` over that axis, so S copies share one compilation and each step is a few batched
matrix products instead of S small ones.

``steps_to_reach``, ``final_accuracy``, ``largest_that_trains`` and ``step_to_step_shift`` turn a record
into one number per seed; ``bn_lesson.viz.text.format_median_range`` prints such numbers the way the chapters
quote them.
"""
import contextlib
import logging
from typing import NamedTuple

import numpy as np
import tensorflow as tf
import keras

from .. import _checks

__all__ = ["TrainingRecord", "SGDTrainer", "sgd_step", "first_steps", "steps_to_reach", "final_accuracy",
           "largest_that_trains", "step_to_step_shift"]

PERCENTILES = (15, 50, 85)   # the paper's Figure 1 (b, c)


class TrainingRecord(NamedTuple):
    """What ``SGDTrainer.run`` measured. S seeds, R records, T steps, U probed units."""

    seeds: np.ndarray          #: (S,) int: the seed of each copy
    steps: np.ndarray          #: (R,) int: record r was taken after ``steps[r]`` SGD steps
    test_accuracy: np.ndarray  #: (S, R) share of the test set classified right (inference mode)
    percentiles: np.ndarray    #: (S, R, U, 3) 15th/50th/85th percentile of each probed unit's input over the test set
    loss: np.ndarray           #: (S, T) training loss (mean cross-entropy of the mini-batch) at every step
    batch_mean: np.ndarray     #: (S, T, U) mean over the mini-batch of each probed unit's input, as seen in training


class SGDTrainer:
    """Plain mini-batch SGD, ``w <- w - learning_rate * dL/dw``, on S copies of one network at once.

    Parameters
    ----------
    build : callable -- ``build(seed=s, **kwargs)`` returns a Keras model whose weights depend only on
        ``s`` and the kwargs (e.g. ``functools.partial(build_mlp, "batch")``)
    data : sequence of S tuples ``(x_train, y_train, x_test, y_test)`` -- copy i's data split (e.g.
        ``bn_lesson.data.digits_shuffled(np.random.default_rng(seeds[i]))``); every split has the same shapes
    seeds : sequence of S ints >= 0 -- copy i starts from ``build(seed=seeds[i])`` and shuffles its
        mini-batches with ``np.random.default_rng([seeds[i], 1])``, a stream of its own
    probe : str or None -- name of the layer whose *input* is recorded (the paper's "sigmoid input");
        None picks the last activation layer
    jit_compile : bool -- compile the loop with XLA: for dense networks several times faster per step, at a
        second or two of compilation per chunk shape, so worth it for long or repeated runs; short runs are
        faster without. Leave it off for ``build_cnn`` models: under XLA, TensorFlow has no deterministic
        gradient for max-pooling

    Attributes
    ----------
    model : the Keras model of the first seed: the architecture every copy shares (its layer names, shapes)
    seeds : (S,) int ndarray
    """

    def __init__(self, build, data, seeds, probe=None, jit_compile=False):
        if not callable(build):
            raise TypeError(f"build must be a callable returning a Keras model, got {type(build).__name__}")
        self.seeds = _check_seeds(seeds)
        x_train, y_train, x_test, y_test = _stack_splits(data, len(self.seeds))
        self._build, self._cache = build, {}
        self.model = build(seed=int(self.seeds[0]))
        self._layers = _settings(self.model.get_config())   # as made (a ShiftNoise's strength may change later)
        self.probe = self._find_probe(probe)
        # the same layers, with a second output: the probed layer's input
        self._net = keras.Model(self.model.inputs, [self.model.outputs[0], self.model.get_layer(self.probe).input])
        # every copy's weights and non-trainable state (BN's moving statistics, noise seeds): (S, ...) each
        self._weights = [tf.Variable(np.stack([v.numpy()] * len(self.seeds))) for v in self._net.trainable_variables]
        self._state = [tf.Variable(np.stack([v.numpy()] * len(self.seeds))) for v in self._net.non_trainable_variables]
        self._x_train, self._y_train = tf.constant(x_train, tf.float32), tf.constant(y_train, tf.int32)
        self._x_test, self._y_test = tf.constant(x_test, tf.float32), tf.constant(y_test, tf.int32)
        self._lr = tf.Variable(0.0, trainable=False, dtype=tf.float32)
        jit = _checks.check_bool(jit_compile, "jit_compile")
        self._train_chunk = tf.function(self._chunk, jit_compile=jit)
        self._evaluate = tf.function(self._test_outputs, jit_compile=jit)
        self._count_train = tf.function(self._train_right)   # one evaluation: not worth an XLA compilation

    # --- the math: one SGD step of one copy, mapped over the seed axis ------------------------------

    def _copy_step(self, copy):
        """One SGD step of one copy: its weights, BN state, mini-batch (B, ...) and labels (B,)."""
        weights, state, xb, yb = copy
        weights, state, loss, z = sgd_step(self._net, weights, state, xb, yb, self._lr)
        z_mean = tf.reduce_mean(tf.reshape(z, [tf.shape(z)[0], -1]), axis=0)   # (U,)
        return weights, state, loss, z_mean

    def _chunk(self, batches):
        """One SGD step of every copy per row of ``batches`` ((k, S, B) indices into each copy's training set)."""
        k = tf.shape(batches)[0]
        losses = tf.TensorArray(tf.float32, size=k)
        means = tf.TensorArray(tf.float32, size=k)
        weights, state = [v.read_value() for v in self._weights], [v.read_value() for v in self._state]
        for t in tf.range(k):
            xb = tf.gather(self._x_train, batches[t], batch_dims=1)   # (S, B, ...)
            yb = tf.gather(self._y_train, batches[t], batch_dims=1)   # (S, B)
            weights, state, loss, z_mean = tf.vectorized_map(self._copy_step, (weights, state, xb, yb), warn=False)
            losses, means = losses.write(t, loss), means.write(t, z_mean)
        for v, value in zip(self._weights + self._state, weights + state):
            v.assign(value)
        return losses.stack(), means.stack()                          # (k, S), (k, S, U)

    def _inference(self, x):
        """Every copy's outputs in inference mode on its own x (S, N, ...): logits (S, N, 10), probed input."""
        def one(copy):
            weights, state, xs = copy
            return self._net.stateless_call(weights, state, xs, training=False)[0]
        return tf.vectorized_map(one, ([v.read_value() for v in self._weights],
                                       [v.read_value() for v in self._state], x), warn=False)

    def _test_outputs(self):
        """Inference mode: every copy's count of right test answers (S,) and probed units' percentiles (S, U, 3)."""
        logits, z = self._inference(self._x_test)
        z = tf.sort(tf.reshape(z, [z.shape[0], z.shape[1], -1]), axis=1)                                # (S, N_test, U)
        return _count_right(logits, self._y_test), tf.stack([_percentile(z, q) for q in PERCENTILES], axis=-1)

    def _train_right(self):
        """Inference mode: every copy's count of right answers on its own training set (S,)."""
        return _count_right(self._inference(self._x_train)[0], self._y_train)

    def train_accuracy(self):
        """Every copy's share of its own training set classified right, in inference mode, with the weights
        the last ``run`` ended with: (S,) float64. Beside that run's test accuracy it gives the train/test gap."""
        with _quiet_vectorizer():
            right = self._count_train()
        return right.numpy() / self._y_train.shape[1]

    # --- runs --------------------------------------------------------------------------------------

    def run(self, steps, learning_rate, batch_size=60, record_every=50, **build_kwargs):
        """Train every copy from fresh weights; record test accuracy and the probed inputs along the way.

        Parameters
        ----------
        steps : int >= 1 -- SGD steps (the same for every copy)
        learning_rate : float > 0
        batch_size : int >= 1
        record_every : int >= 1 -- evaluate on the test sets after every this many steps (and after the last)
        **build_kwargs : passed to ``build`` for this run's starting weights (e.g. ``init_std=1.0``);
            they may change only the initializers (a different ``bn_momentum`` needs a trainer of its own)

        Returns
        -------
        TrainingRecord

        Every run restarts each copy's mini-batch stream, so two runs differ only in what their arguments
        change: a sweep over learning rates shows every rate the same batches.
        """
        steps = _checks.check_positive_int(steps, "steps")
        learning_rate = _checks.check_number(learning_rate, "learning_rate", low=0.0, low_open=True)
        batch_size = _checks.check_positive_int(batch_size, "batch_size")
        record_every = _checks.check_positive_int(record_every, "record_every")
        n = int(self._x_train.shape[1])
        if batch_size > n:
            raise ValueError(f"batch_size={batch_size} is larger than the training set ({n} examples)")
        for v, value in zip(self._weights + self._state, self._fresh_weights(build_kwargs)):
            v.assign(value)
        self._lr.assign(learning_rate)
        batches = np.stack([_batch_order(seed, n, steps, batch_size) for seed in self.seeds], axis=1)  # (T, S, B)

        rec_steps, accs, pcts, losses, means = [], [], [], [], []
        for start in range(0, steps, record_every):
            with _quiet_vectorizer():
                loss, z_mean = self._train_chunk(tf.constant(batches[start:start + record_every]))
                right, percentiles = self._evaluate()
            losses.append(loss.numpy())                                                   # (k, S)
            means.append(z_mean.numpy())                                                  # (k, S, U)
            rec_steps.append(min(start + record_every, steps))
            accs.append(right.numpy() / self._y_test.shape[1])                             # (S,) float64
            pcts.append(percentiles.numpy())                                              # (S, U, 3)
        return TrainingRecord(self.seeds.copy(), np.array(rec_steps), np.stack(accs, axis=1), np.stack(pcts, axis=1),
                              np.concatenate(losses).T, np.concatenate(means).swapaxes(0, 1))

    def _fresh_weights(self, build_kwargs):
        """Each copy's starting weights and state, stacked on the seed axis (built once per set of kwargs)."""
        key = tuple(sorted(build_kwargs.items()))
        if key not in self._cache:
            template = self.model.trainable_variables + self.model.non_trainable_variables
            order = {id(v): i for i, v in enumerate(template)}
            wanted = [order[id(v)] for v in self._net.trainable_variables + self._net.non_trainable_variables]
            per_seed = []
            for seed in self.seeds:
                fresh = self._build(seed=int(seed), **build_kwargs)
                values = [v.numpy() for v in fresh.trainable_variables + fresh.non_trainable_variables]
                same_shapes = [np.shape(a) for a in values] == [tuple(v.shape) for v in template]
                same_layers = (seed != self.seeds[0]
                               or _settings(fresh.get_config()) == self._layers)
                if not (same_shapes and same_layers):
                    raise ValueError(f"build_kwargs {build_kwargs} change the layers, not only their starting weights; "
                                     "every run of a trainer trains the layers it was made with: make a new trainer")
                per_seed.append([values[i] for i in wanted])
            self._cache[key] = [np.stack(vs) for vs in zip(*per_seed)]
        return self._cache[key]

    def _find_probe(self, probe):
        if probe is None:
            acts = [layer.name for layer in self.model.layers if isinstance(layer, keras.layers.Activation)]
            if not acts:
                raise ValueError("the model has no Activation layer; name the layer to probe with probe=")
            return acts[-1]
        if not isinstance(probe, str) or probe not in [layer.name for layer in self.model.layers]:
            raise ValueError(f"probe must name a layer of the model, got {probe!r}")
        return probe


def sgd_step(net, weights, state, x, y, learning_rate):
    """One plain SGD step, ``w <- w - learning_rate * dL/dw``: the step ``SGDTrainer`` takes for every copy.

    ``net`` maps a batch x (B, ...) to (logits (B, 10), probed input); ``weights`` and ``state`` are its
    trainable and non-trainable values (BN's moving statistics), passed in and returned, never stored.
    Returns the new weights, the new state, the mini-batch loss and the probed input.
    """
    with tf.GradientTape() as tape:
        tape.watch(weights)
        (logits, z), state = net.stateless_call(weights, state, x, training=True)   # BN: batch statistics
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
    grads = tape.gradient(loss, weights)                                            # dL/dw for every w
    weights = [w - learning_rate * g for w, g in zip(weights, grads)]
    return weights, state, loss, z


def _count_right(logits, labels):
    """(S, N, classes) logits and (S, N) labels -> (S,) count of right answers per copy."""
    return tf.reduce_sum(tf.cast(tf.argmax(logits, axis=-1, output_type=tf.int32) == labels, tf.int32), axis=1)


def _percentile(z_sorted, q):
    """The q-th percentile along axis 1 of values sorted along it, interpolated as ``np.percentile`` does."""
    n = z_sorted.shape[1]
    position = q / 100 * (n - 1)
    low = int(np.floor(position))
    high = min(low + 1, n - 1)
    return z_sorted[:, low] + (position - low) * (z_sorted[:, high] - z_sorted[:, low])   # (S, U)


def _settings(config):
    """A model's config without its initializers and generated names: what only the starting weights leave alone."""
    if isinstance(config, dict):
        return {k: _settings(v) for k, v in config.items() if not k.endswith("initializer") and k != "name"}
    if isinstance(config, (list, tuple)):
        return [_settings(v) for v in config]
    return config


@contextlib.contextmanager
def _quiet_vectorizer():
    """Silence TensorFlow's Python logger while a graph is traced: ``vectorized_map`` warns (on stderr, into the
    notebook) that it loops over the seed axis for a convolution's filter gradient -- correct, only slower."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_seeds(seeds):
    seeds = [_checks.check_positive_int(s, "seeds[i]", minimum=0) for s in np.atleast_1d(seeds).tolist()]
    if not seeds:
        raise ValueError("seeds is empty; give at least one seed (e.g. SEED + np.arange(5))")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}: two copies with one seed are one run twice")
    return np.array(seeds)


def _stack_splits(data, n_seeds):
    """S splits (x_train, y_train, x_test, y_test) of equal shapes -> four arrays with a leading seed axis."""
    if not isinstance(data, (list, tuple)) or len(data) != n_seeds:
        length = len(data) if hasattr(data, "__len__") else "?"
        raise ValueError(f"data must be a sequence of {n_seeds} splits (x_train, y_train, x_test, y_test), one "
                         f"per seed; got {type(data).__name__} of length {length}")
    stacked = []
    for j, name in enumerate(("x_train", "y_train", "x_test", "y_test")):
        parts = [np.asarray(split[j]) for split in data]
        if any(p.shape != parts[0].shape for p in parts):
            raise ValueError(f"every split's {name} must have the same shape, got {[p.shape for p in parts]}")
        stacked.append(np.stack(parts))
    x_train, y_train, x_test, y_test = stacked
    if x_train.shape[1] != y_train.shape[1] or x_test.shape[1] != y_test.shape[1]:
        raise ValueError("each split must be (x_train, y_train, x_test, y_test) with as many labels as examples")
    return x_train, y_train, x_test, y_test


def _batch_order(seed, n, steps, batch_size):
    """(steps, batch_size) indices: epoch after epoch of a fresh shuffle, the last partial batch dropped."""
    rng = np.random.default_rng([int(seed), 1])
    per_epoch = n // batch_size
    order = np.concatenate([rng.permutation(n)[:per_epoch * batch_size] for _ in range(-(-steps // per_epoch))])
    return order[:steps * batch_size].reshape(steps, batch_size).astype(np.int32)


# --- reading records: one number per seed ------------------------------------------------------------

def _check_record(record):
    if not isinstance(record, TrainingRecord):
        raise TypeError(f"record must be a TrainingRecord from SGDTrainer.run, got {type(record).__name__}")
    return record


def first_steps(record, steps):
    """The part of ``record`` up to and including step ``steps``: what a run of that many steps records.

    Every run restarts each copy's weights and mini-batch stream, so the first 1,000 steps of a 2,000-step run
    *are* a 1,000-step run (when 1,000 is a recorded step): a sweep can reuse a longer run instead of repeating it.
    """
    record = _check_record(record)
    steps = _checks.check_positive_int(steps, "steps")
    if steps not in record.steps:
        raise ValueError(f"steps={steps} must be a recorded step of this record: "
                         f"{record.steps[0]} ... {record.steps[-1]}")
    keep = record.steps <= steps
    return record._replace(steps=record.steps[keep], test_accuracy=record.test_accuracy[:, keep],
                           percentiles=record.percentiles[:, keep], loss=record.loss[:, :steps],
                           batch_mean=record.batch_mean[:, :steps])


def steps_to_reach(record, target):
    """For each seed, the first recorded step at which test accuracy reached ``target``.

    Parameters
    ----------
    record : TrainingRecord
    target : float in (0, 1]

    Returns
    -------
    (S,) float ndarray -- a step count, or ``inf`` where the target was never reached. The count is a
        multiple of the recording interval: "reached by step 50" means somewhere in steps 1-50.
    """
    record = _check_record(record)
    target = _checks.check_number(target, "target", low=0.0, high=1.0, low_open=True)
    hit = record.test_accuracy >= target                                     # (S, R)
    first = record.steps[hit.argmax(axis=1)].astype(float)
    return np.where(hit.any(axis=1), first, np.inf)


def final_accuracy(record, last=3):
    """For each seed, the mean test accuracy over the ``last`` records: the end of training, less noisy than one.

    Returns
    -------
    (S,) ndarray
    """
    record = _check_record(record)
    last = _checks.check_positive_int(last, "last")
    return record.test_accuracy[:, -last:].mean(axis=1)


def largest_that_trains(records, target):
    """For each seed, the largest setting whose run ended (``final_accuracy``) at or above ``target``.

    Parameters
    ----------
    records : dict {float setting (e.g. learning rate): TrainingRecord} -- runs of one trainer
    target : float in (0, 1]

    Returns
    -------
    (S,) float ndarray -- the setting, or ``nan`` where no setting trained
    """
    target = _checks.check_number(target, "target", low=0.0, high=1.0, low_open=True)
    if not isinstance(records, dict) or not records:
        raise TypeError("records must be a non-empty dict {setting: TrainingRecord}")
    settings = np.array(sorted(records), dtype=float)                                        # (V,)
    trained = np.stack([final_accuracy(records[s]) >= target for s in sorted(records)], axis=1)  # (S, V)
    largest = settings[trained.shape[1] - 1 - trained[:, ::-1].argmax(axis=1)]
    return np.where(trained.any(axis=1), largest, np.nan)


def step_to_step_shift(batch_mean):
    """Mean absolute change of each unit's mini-batch mean from one training step to the next.

    Parameters
    ----------
    batch_mean : (S, T, U) or (T, U) array -- ``TrainingRecord.batch_mean``, T >= 2

    Returns
    -------
    (S, U) or (U,) ndarray
    """
    m = _checks.check_finite(_checks.as_array(batch_mean, "batch_mean"), "batch_mean")
    if m.ndim not in (2, 3) or m.shape[-2] < 2:
        raise ValueError(f"batch_mean must be (S, T, U) or (T, U) with T >= 2 steps, got shape {m.shape}")
    return np.abs(np.diff(m, axis=-2)).mean(axis=-2)
