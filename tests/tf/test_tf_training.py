"""bn_lesson.tf.training: the SGD trainer, its record, and the numbers read from records."""
import functools

import numpy as np
import pytest

training = pytest.importorskip("bn_lesson.tf.training")
from bn_lesson.tf.models import build_mlp  # noqa: E402


@pytest.fixture(scope="module")
def tiny_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    return x[:30], y[:30], x[30:], y[30:]


def test_trainer_record_shapes(tiny_data):
    trainer = training.SGDTrainer(functools.partial(build_mlp, "batch", hidden=(8, 5), n_inputs=6), tiny_data)
    assert trainer.probe == "sigmoid2"
    rec = trainer.run(steps=7, learning_rate=0.1, rng=np.random.default_rng(0), batch_size=4, record_every=3)
    np.testing.assert_array_equal(rec.steps, [3, 6, 7])
    assert rec.test_accuracy.shape == (3,) and rec.percentiles.shape == (3, 5, 3)
    assert rec.loss.shape == (7,) and rec.batch_mean.shape == (7, 5)
    assert (np.diff(rec.percentiles, axis=-1) >= 0).all()  # 15th <= 50th <= 85th


def test_trainer_probe_records_the_activation_input(tiny_data):
    build = functools.partial(build_mlp, None, hidden=(8, 5), n_inputs=6)
    trainer = training.SGDTrainer(build, tiny_data)
    rec = trainer.run(steps=2, learning_rate=0.1, rng=np.random.default_rng(0), batch_size=10, record_every=2)
    z = trainer.model.get_layer("dense2")(trainer.model.get_layer("sigmoid1")(
        trainer.model.get_layer("dense1")(tiny_data[2]))).numpy()  # (10, 5) the sigmoid's input
    np.testing.assert_allclose(rec.percentiles[-1], np.percentile(z, (15, 50, 85), axis=0).T, rtol=1e-5, atol=1e-6)


def test_batch_norm_fixes_each_units_batch_mean_to_beta(tiny_data):
    trainer = training.SGDTrainer(functools.partial(build_mlp, "batch", hidden=(8, 5), n_inputs=6), tiny_data)
    rec = trainer.run(steps=1, learning_rate=0.1, rng=np.random.default_rng(0), batch_size=10)
    np.testing.assert_allclose(rec.batch_mean[0], 0.0, atol=1e-5)  # beta starts at 0


def test_runs_are_independent_and_deterministic(tiny_data):
    trainer = training.SGDTrainer(functools.partial(build_mlp, None, hidden=(8,), n_inputs=6), tiny_data)
    a = trainer.run(steps=20, learning_rate=0.5, rng=np.random.default_rng(1), batch_size=5, record_every=5)
    trainer.run(steps=20, learning_rate=3.0, rng=np.random.default_rng(2), batch_size=5, init_std=1.0)
    b = trainer.run(steps=20, learning_rate=0.5, rng=np.random.default_rng(1), batch_size=5, record_every=5)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert a.loss[-5:].mean() < a.loss[:5].mean()  # it learns


def test_trainer_rejects_bad_arguments(tiny_data):
    trainer = training.SGDTrainer(functools.partial(build_mlp, None, hidden=(8,), n_inputs=6), tiny_data)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="learning_rate"):
        trainer.run(5, -0.1, rng)
    with pytest.raises(ValueError, match="batch_size"):
        trainer.run(5, 0.1, rng, batch_size=31)
    with pytest.raises(ValueError, match="architecture"):
        trainer.run(5, 0.1, rng, batch_size=5, hidden=(9,))


def record(acc, steps=None):
    acc = np.asarray(acc, dtype=float)
    steps = np.arange(1, len(acc) + 1) * 50 if steps is None else np.asarray(steps)
    return training.TrainingRecord(steps, acc, np.zeros((len(acc), 1, 3)), np.zeros(1), np.zeros((1, 1)))


def test_steps_to_reach_is_the_first_record_at_or_above_target():
    assert training.steps_to_reach(record([0.1, 0.9, 0.8, 0.95]), 0.9) == 100
    assert training.steps_to_reach(record([0.1, 0.5]), 0.9) is None
    with pytest.raises(ValueError, match="target"):
        training.steps_to_reach(record([0.1]), 90)


def test_final_accuracy_and_largest_that_trains():
    recs = {0.1: record([0.2, 0.9, 0.92, 0.94]), 1.0: record([0.5, 0.95, 0.97, 0.96]), 10.0: record([0.1] * 4)}
    assert training.final_accuracy(recs[1.0]) == pytest.approx((0.95 + 0.97 + 0.96) / 3)
    assert training.largest_that_trains(recs, 0.9) == 1.0
    assert training.largest_that_trains({10.0: recs[10.0]}, 0.9) is None


def test_step_to_step_shift():
    m = np.array([[0.0, 1.0], [1.0, 1.0], [-1.0, 1.0]])  # (S=3, U=2)
    np.testing.assert_allclose(training.step_to_step_shift(m), [1.5, 0.0])
    with pytest.raises(ValueError, match="batch_mean"):
        training.step_to_step_shift(m[:1])


def test_xla_compiled_loop_trains_the_same_network(tiny_data):
    build = functools.partial(build_mlp, "batch", hidden=(8, 5), n_inputs=6)
    runs = [training.SGDTrainer(build, tiny_data, jit_compile=jit).run(
        steps=10, learning_rate=0.5, rng=np.random.default_rng(3), batch_size=6, record_every=5) for jit in (False, True)]
    np.testing.assert_allclose(runs[0].loss, runs[1].loss, rtol=1e-4)  # same maths, other kernels
    np.testing.assert_allclose(runs[0].batch_mean, runs[1].batch_mean, atol=1e-4)
