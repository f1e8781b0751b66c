"""bn_lesson.tf.training: the multi-seed SGD trainer, its record, and the numbers read from records."""
import functools

import numpy as np
import pytest

training = pytest.importorskip("bn_lesson.tf.training")
from bn_lesson.tf.models import build_cnn, build_mlp, noise_strength  # noqa: E402
import tensorflow as tf  # noqa: E402


def split(seed, n=40, d=6):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    return x[:30], y[:30], x[30:], y[30:]


SEEDS = (3, 4, 5)


@pytest.fixture(scope="module")
def data():
    return [split(s) for s in SEEDS]


def mlp(normalization, hidden=(8, 5)):
    return functools.partial(build_mlp, normalization, hidden=hidden, n_inputs=6)


def test_record_has_a_seed_axis(data):
    trainer = training.SGDTrainer(mlp("batch"), data, SEEDS)
    assert trainer.probe == "sigmoid2" and trainer.seeds.tolist() == list(SEEDS)
    rec = trainer.run(steps=7, learning_rate=0.1, batch_size=4, record_every=3)
    np.testing.assert_array_equal(rec.steps, [3, 6, 7])
    np.testing.assert_array_equal(rec.seeds, SEEDS)
    assert rec.test_accuracy.shape == (3, 3) and rec.percentiles.shape == (3, 3, 5, 3)
    assert rec.loss.shape == (3, 7) and rec.batch_mean.shape == (3, 7, 5)
    assert (np.diff(rec.percentiles, axis=-1) >= 0).all()  # 15th <= 50th <= 85th


@pytest.mark.parametrize("normalization, jit", [(None, False), ("batch", True), ("noisy_batch", False), ("group", False),
                                                    ("batch_renorm", False)])
def test_copies_trained_together_equal_runs_trained_alone(data, normalization, jit):
    """The seed axis changes nothing but speed: copy i is the run of seed i on its own."""
    build = mlp(normalization, hidden=(10, 10))
    together = training.SGDTrainer(build, data[:2], SEEDS[:2], jit_compile=jit).run(12, 0.5, batch_size=5,
                                                                                    record_every=4)
    for i, seed in enumerate(SEEDS[:2]):
        alone = training.SGDTrainer(build, [data[i]], [seed], jit_compile=jit).run(12, 0.5, batch_size=5,
                                                                                   record_every=4)
        np.testing.assert_allclose(together.loss[i], alone.loss[0], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(together.percentiles[i], alone.percentiles[0], rtol=1e-4, atol=1e-5)
        np.testing.assert_array_equal(together.test_accuracy[i], alone.test_accuracy[0])
    assert not np.allclose(together.loss[0], together.loss[1])  # and the copies differ


def test_each_copy_starts_from_its_seeds_weights(data):
    trainer = training.SGDTrainer(mlp(None), data, SEEDS)
    rec = trainer.run(1, 1e-9, batch_size=30, record_every=1)   # a step too small to change anything
    for i, seed in enumerate(SEEDS):
        model = build_mlp(None, hidden=(8, 5), n_inputs=6, seed=seed)
        logits = model(data[i][2]).numpy()
        np.testing.assert_allclose(rec.test_accuracy[i, 0], np.mean(logits.argmax(1) == data[i][3]))


def test_probe_records_the_activation_input(data):
    build = mlp(None)
    trainer = training.SGDTrainer(build, data, SEEDS)
    rec = trainer.run(steps=1, learning_rate=1e-9, batch_size=10, record_every=1)
    model = build(seed=SEEDS[1])
    z = model.get_layer("dense2")(model.get_layer("sigmoid1")(model.get_layer("dense1")(data[1][2]))).numpy()
    np.testing.assert_allclose(rec.percentiles[1, -1], np.percentile(z, (15, 50, 85), axis=0).T, rtol=1e-4, atol=1e-5)


def test_batch_norm_fixes_each_units_batch_mean_to_beta(data):
    trainer = training.SGDTrainer(mlp("batch"), data, SEEDS)
    rec = trainer.run(steps=1, learning_rate=0.1, batch_size=10)
    np.testing.assert_allclose(rec.batch_mean[:, 0], 0.0, atol=1e-5)  # beta starts at 0


def test_runs_are_independent_and_deterministic(data):
    trainer = training.SGDTrainer(mlp(None, hidden=(8,)), data, SEEDS, jit_compile=True)
    a = trainer.run(steps=20, learning_rate=0.5, batch_size=5, record_every=5)
    trainer.run(steps=20, learning_rate=3.0, batch_size=5, init_std=1.0)
    b = trainer.run(steps=20, learning_rate=0.5, batch_size=5, record_every=5)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert (a.loss[:, -5:].mean(1) < a.loss[:, :5].mean(1)).all()  # every copy learns


def test_cnn_copies_train_without_xla(capsys):
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(24, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 10, 24).astype("int32")
    trainer = training.SGDTrainer(functools.partial(build_cnn, "batch", filters=(4, 8)), [(x[:16], y[:16], x[16:], y[16:])] * 2,
                                  [0, 1])
    rec = trainer.run(steps=3, learning_rate=0.1, batch_size=8, record_every=3)
    assert rec.test_accuracy.shape == (2, 1) and rec.batch_mean.shape == (2, 3, 4 * 4 * 8)
    assert "while_loop" not in capsys.readouterr().err   # the vectorizer's note stays out of notebooks


def test_trainer_rejects_bad_arguments(data):
    trainer = training.SGDTrainer(mlp(None, hidden=(8,)), data, SEEDS)
    with pytest.raises(ValueError, match="learning_rate"):
        trainer.run(5, -0.1)
    with pytest.raises(TypeError, match="steps"):
        trainer.run(5.0, 0.1)
    with pytest.raises(ValueError, match="batch_size"):
        trainer.run(5, 0.1, batch_size=31)
    with pytest.raises(ValueError, match="change the layers"):
        trainer.run(5, 0.1, batch_size=5, hidden=(9,))
    with pytest.raises(ValueError, match="change the layers"):   # same weights, another layer setting
        trainer.run(5, 0.1, batch_size=5, activation="tanh")
    with pytest.raises(ValueError, match="distinct"):
        training.SGDTrainer(mlp(None), data, [1, 1, 2])
    with pytest.raises(ValueError, match="one per seed"):
        training.SGDTrainer(mlp(None), data[:2], SEEDS)
    with pytest.raises(ValueError, match="probe"):
        training.SGDTrainer(mlp(None), data, SEEDS, probe="nope")
    with pytest.raises(TypeError, match="build"):
        training.SGDTrainer(None, data, SEEDS)


def record(acc, steps=None):
    acc = np.atleast_2d(np.asarray(acc, dtype=float))      # (S, R)
    steps = np.arange(1, acc.shape[1] + 1) * 50 if steps is None else np.asarray(steps)
    s = len(acc)
    return training.TrainingRecord(np.arange(s), steps, acc, np.zeros((s, acc.shape[1], 1, 3)), np.zeros((s, 1)),
                                   np.zeros((s, 1, 1)))


def test_steps_to_reach_is_the_first_record_at_or_above_target_per_seed():
    rec = record([[0.1, 0.9, 0.8, 0.95], [0.1, 0.5, 0.6, 0.7], [0.95, 0.2, 0.2, 0.2]])
    np.testing.assert_array_equal(training.steps_to_reach(rec, 0.9), [100, np.inf, 50])
    with pytest.raises(ValueError, match="target"):
        training.steps_to_reach(rec, 90)
    with pytest.raises(TypeError, match="TrainingRecord"):
        training.steps_to_reach(rec.test_accuracy, 0.9)


def test_final_accuracy_and_largest_that_trains_per_seed():
    recs = {0.1: record([[0.2, 0.9, 0.92, 0.94], [0.2, 0.3, 0.3, 0.3]]),
            1.0: record([[0.5, 0.95, 0.97, 0.96], [0.5, 0.95, 0.97, 0.96]]),
            10.0: record([[0.1] * 4, [0.9] * 4])}
    np.testing.assert_allclose(training.final_accuracy(recs[1.0]), (0.95 + 0.97 + 0.96) / 3)
    np.testing.assert_array_equal(training.largest_that_trains(recs, 0.9), [1.0, 10.0])
    assert np.isnan(training.largest_that_trains({10.0: recs[10.0]}, 0.95)).all()


def test_step_to_step_shift_keeps_the_seed_axis():
    m = np.array([[0.0, 1.0], [1.0, 1.0], [-1.0, 1.0]])  # (T=3, U=2)
    np.testing.assert_allclose(training.step_to_step_shift(m), [1.5, 0.0])
    np.testing.assert_allclose(training.step_to_step_shift(np.stack([m, 2 * m])), [[1.5, 0.0], [3.0, 0.0]])
    with pytest.raises(ValueError, match="batch_mean"):
        training.step_to_step_shift(m[:1])


def test_first_steps_of_a_longer_run_is_the_shorter_run(data):
    trainer = training.SGDTrainer(mlp("batch"), data, SEEDS, jit_compile=True)
    long, short = trainer.run(12, 0.5, batch_size=5, record_every=4), trainer.run(8, 0.5, batch_size=5, record_every=4)
    cut = training.first_steps(long, 8)
    for a, b in zip(cut, short):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="recorded step"):
        training.first_steps(long, 7)


def test_accuracy_is_an_exact_share_of_the_test_set(data):
    rec = training.SGDTrainer(mlp(None), data, SEEDS).run(2, 0.1, batch_size=10, record_every=1)
    assert rec.test_accuracy.dtype == np.float64
    np.testing.assert_array_equal(rec.test_accuracy * 10, np.round(rec.test_accuracy * 10))  # k / 10, no float32 rounding


def test_plot_median_and_range_draws_the_median_and_a_band_per_label():
    import matplotlib
    matplotlib.use("Agg")
    from bn_lesson.viz.plots import plot_median_and_range
    x = np.array([0.1, 1.0, 10.0])
    values = {"a": np.array([[0.1, 0.5, 0.9], [0.3, 0.7, 0.8], [0.2, 0.6, 1.0]]), "b": np.ones((3, 3))}
    ax = plot_median_and_range(x, values, logx=True, threshold=0.8, marker="o")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.2, 0.6, 0.9])   # the median over seeds
    assert len(ax.collections) == 2 and ax.get_xscale() == "log" and ax.lines[-1].get_ydata()[0] == 0.8
    with pytest.raises(ValueError, match="one column per x"):
        plot_median_and_range(x, {"a": np.ones((3, 2))})


def test_sgd_step_is_the_step_the_trainer_takes(data):
    """``sgd_step`` on its own, from seed 3's weights on its first mini-batch, gives the trainer's first loss."""
    trainer = training.SGDTrainer(mlp("batch"), data[:1], SEEDS[:1])
    rec = trainer.run(1, 0.5, batch_size=4, record_every=1)
    net = trainer._net
    model = build_mlp("batch", hidden=(8, 5), n_inputs=6, seed=SEEDS[0])
    rows = training._batch_order(SEEDS[0], 30, 1, 4)[0]
    x, y = data[0][0][rows], data[0][1][rows]
    weights = [tf.constant(v.numpy()) for v in model.trainable_variables]
    state = [tf.constant(v.numpy()) for v in model.non_trainable_variables]
    new, _, loss, z = training.sgd_step(net, weights, state, tf.constant(x), tf.constant(y), 0.5)
    np.testing.assert_allclose(float(loss), rec.loss[0, 0], rtol=1e-5)
    assert z.shape == (4, 5) and all(w.shape == v.shape for w, v in zip(new, weights))
    assert not np.allclose(new[0].numpy(), weights[0].numpy())   # the step moved the weights


def test_train_accuracy_is_each_copys_own_training_set(data):
    trainer = training.SGDTrainer(mlp(None), data, SEEDS)
    trainer.run(20, 0.5, batch_size=5, record_every=10)
    acc = trainer.train_accuracy()
    assert acc.shape == (3,) and acc.dtype == np.float64
    for i in range(len(SEEDS)):    # the same number from the copy's own weights, by Keras directly
        for v, stacked in zip(trainer._net.trainable_variables, trainer._weights):
            v.assign(stacked[i])
        logits = trainer.model(data[i][0], training=False).numpy()   # the same layers as the trainer's net
        assert acc[i] == pytest.approx((logits.argmax(axis=1) == data[i][1]).mean())


def test_noise_strength_0_trains_plain_bn_and_a_sweep_reuses_one_graph(data):
    """Chapter 10's slider reads k = 0 from the BN runs: the same computation, bit for bit, in the same trainer
    that trains the other strengths without tracing its step again."""
    bn = training.SGDTrainer(mlp("batch"), data, SEEDS).run(8, 0.5, batch_size=5, record_every=4)
    noisy = training.SGDTrainer(mlp("noisy_batch"), data, SEEDS)
    strong = noisy.run(8, 0.5, batch_size=5, record_every=4)                        # k = 1, as built
    traced = noisy._train_chunk.experimental_get_tracing_count()
    with noise_strength(noisy.model, 0.0):
        zero = noisy.run(8, 0.5, batch_size=5, record_every=4)
    for field in ("test_accuracy", "loss", "batch_mean", "percentiles"):
        np.testing.assert_array_equal(getattr(zero, field), getattr(bn, field))
    assert noisy._train_chunk.experimental_get_tracing_count() == traced           # no new trace
    again = noisy.run(8, 0.5, batch_size=5, record_every=4)                          # k = 1 again after the block
    np.testing.assert_array_equal(again.batch_mean, strong.batch_mean)
    assert not np.allclose(strong.batch_mean, bn.batch_mean)
