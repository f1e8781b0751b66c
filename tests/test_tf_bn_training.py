"""Chapter 08/10 helpers of tf_bn: model builders, the SGD trainer and its record, the noise layer."""
import functools

import numpy as np
import pytest

tf_bn = pytest.importorskip("bn_lesson.tf.compare")
keras = tf_bn.keras


def kinds(model):
    return [type(layer).__name__ for layer in model.layers]


@pytest.fixture(scope="module")
def tiny_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    return x[:30], y[:30], x[30:], y[30:]


@pytest.mark.parametrize("normalization, middle", [
    (None, []), ("batch", ["BatchNormalization"]), ("noisy_batch", ["BatchNormalization", "ShiftNoise"]),
    ("layer", ["LayerNormalization"]), ("group", ["GroupNormalization"]),
])
def test_mlp_blocks_are_affine_then_normalization_then_activation(normalization, middle):
    model = tf_bn.build_mlp(normalization, hidden=(10, 10))
    block = ["Dense"] + middle + ["Activation"]
    assert kinds(model) == block * 2 + ["Dense"]
    dense = [layer for layer in model.layers if layer.name.startswith("dense")]
    assert all(layer.use_bias == (normalization is None) for layer in dense)  # beta replaces the bias
    assert model.get_layer("sigmoid2").activation.__name__ == "sigmoid"
    assert model.output_shape == (None, 10)


def test_cnn_blocks_are_conv_then_bn_then_activation():
    model = tf_bn.build_cnn("batch")
    assert kinds(model) == ["Conv2D", "BatchNormalization", "Activation", "MaxPooling2D",
                            "Conv2D", "BatchNormalization", "Activation", "GlobalAveragePooling2D", "Dense"]
    assert model.output_shape == (None, 10)


def test_same_seed_same_weights_and_init_std_sets_the_scale():
    a, b = tf_bn.build_mlp(seed=3), tf_bn.build_mlp(seed=3)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    w2, w3 = a.get_layer("dense2").kernel.numpy(), a.get_layer("dense3").kernel.numpy()
    assert not np.allclose(w2, w3)  # layers get their own seeds
    assert abs(tf_bn.build_mlp(init_std=2.0).get_layer("dense2").kernel.numpy().std() - 2.0) < 0.1


@pytest.mark.parametrize("kwargs, name", [
    ({"normalization": "instance"}, "normalization"), ({"activation": "gelu"}, "activation"),
    ({"init_std": -1.0}, "init_std"),
])
def test_builder_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        tf_bn.build_mlp(**kwargs)


def test_shift_noise_only_in_training():
    layer = tf_bn.ShiftNoise(shift_std=1.0, scale_range=(0.5, 2.0), seed=0)
    x = np.ones((5, 4), dtype="float32")
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    first, second = np.asarray(layer(x, training=True)), np.asarray(layer(x, training=True))
    assert not np.allclose(first, x) and not np.allclose(first, second)  # redrawn every call
    np.testing.assert_allclose(first, first[0:1].repeat(5, axis=0))    # one shift/scale per unit


def test_shift_noise_draws_scale_and_shift_from_the_stated_ranges():
    layer = tf_bn.ShiftNoise(shift_std=0.0, scale_range=(0.5, 2.0), seed=1)
    s = np.concatenate([np.asarray(layer(np.ones((1, 50), "float32"), training=True))[0] for _ in range(20)])
    assert 0.5 <= s.min() and s.max() <= 2.0 and s.std() > 0.2
    with pytest.raises(ValueError, match="scale_range"):
        tf_bn.ShiftNoise(scale_range=(2.0, 1.0))


def test_trainer_record_shapes(tiny_data):
    trainer = tf_bn.SGDTrainer(functools.partial(tf_bn.build_mlp, "batch", hidden=(8, 5), n_inputs=6), tiny_data)
    assert trainer.probe == "sigmoid2"
    rec = trainer.run(steps=7, learning_rate=0.1, rng=np.random.default_rng(0), batch_size=4, record_every=3)
    np.testing.assert_array_equal(rec.steps, [3, 6, 7])
    assert rec.test_accuracy.shape == (3,) and rec.percentiles.shape == (3, 5, 3)
    assert rec.loss.shape == (7,) and rec.batch_mean.shape == (7, 5)
    assert (np.diff(rec.percentiles, axis=-1) >= 0).all()  # 15th <= 50th <= 85th


def test_trainer_probe_records_the_activation_input(tiny_data):
    build = functools.partial(tf_bn.build_mlp, None, hidden=(8, 5), n_inputs=6)
    trainer = tf_bn.SGDTrainer(build, tiny_data)
    rec = trainer.run(steps=2, learning_rate=0.1, rng=np.random.default_rng(0), batch_size=10, record_every=2)
    z = trainer.model.get_layer("dense2")(trainer.model.get_layer("sigmoid1")(
        trainer.model.get_layer("dense1")(tiny_data[2]))).numpy()  # (10, 5) the sigmoid's input
    np.testing.assert_allclose(rec.percentiles[-1], np.percentile(z, (15, 50, 85), axis=0).T, rtol=1e-5, atol=1e-6)


def test_batch_norm_fixes_each_units_batch_mean_to_beta(tiny_data):
    trainer = tf_bn.SGDTrainer(functools.partial(tf_bn.build_mlp, "batch", hidden=(8, 5), n_inputs=6), tiny_data)
    rec = trainer.run(steps=1, learning_rate=0.1, rng=np.random.default_rng(0), batch_size=10)
    np.testing.assert_allclose(rec.batch_mean[0], 0.0, atol=1e-5)  # beta starts at 0


def test_runs_are_independent_and_deterministic(tiny_data):
    trainer = tf_bn.SGDTrainer(functools.partial(tf_bn.build_mlp, None, hidden=(8,), n_inputs=6), tiny_data)
    a = trainer.run(steps=20, learning_rate=0.5, rng=np.random.default_rng(1), batch_size=5, record_every=5)
    trainer.run(steps=20, learning_rate=3.0, rng=np.random.default_rng(2), batch_size=5, init_std=1.0)
    b = trainer.run(steps=20, learning_rate=0.5, rng=np.random.default_rng(1), batch_size=5, record_every=5)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert a.loss[-5:].mean() < a.loss[:5].mean()  # it learns


def test_trainer_rejects_bad_arguments(tiny_data):
    trainer = tf_bn.SGDTrainer(functools.partial(tf_bn.build_mlp, None, hidden=(8,), n_inputs=6), tiny_data)
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
    return tf_bn.TrainingRecord(steps, acc, np.zeros((len(acc), 1, 3)), np.zeros(1), np.zeros((1, 1)))


def test_steps_to_reach_is_the_first_record_at_or_above_target():
    assert tf_bn.steps_to_reach(record([0.1, 0.9, 0.8, 0.95]), 0.9) == 100
    assert tf_bn.steps_to_reach(record([0.1, 0.5]), 0.9) is None
    with pytest.raises(ValueError, match="target"):
        tf_bn.steps_to_reach(record([0.1]), 90)


def test_final_accuracy_and_largest_that_trains():
    recs = {0.1: record([0.2, 0.9, 0.92, 0.94]), 1.0: record([0.5, 0.95, 0.97, 0.96]), 10.0: record([0.1] * 4)}
    assert tf_bn.final_accuracy(recs[1.0]) == pytest.approx((0.95 + 0.97 + 0.96) / 3)
    assert tf_bn.largest_that_trains(recs, 0.9) == 1.0
    assert tf_bn.largest_that_trains({10.0: recs[10.0]}, 0.9) is None


def test_step_to_step_shift():
    m = np.array([[0.0, 1.0], [1.0, 1.0], [-1.0, 1.0]])  # (S=3, U=2)
    np.testing.assert_allclose(tf_bn.step_to_step_shift(m), [1.5, 0.0])
    with pytest.raises(ValueError, match="batch_mean"):
        tf_bn.step_to_step_shift(m[:1])


def test_xla_compiled_loop_trains_the_same_network(tiny_data):
    build = functools.partial(tf_bn.build_mlp, "batch", hidden=(8, 5), n_inputs=6)
    runs = [tf_bn.SGDTrainer(build, tiny_data, jit_compile=jit).run(
        steps=10, learning_rate=0.5, rng=np.random.default_rng(3), batch_size=6, record_every=5) for jit in (False, True)]
    np.testing.assert_allclose(runs[0].loss, runs[1].loss, rtol=1e-4)  # same maths, other kernels
    np.testing.assert_allclose(runs[0].batch_mean, runs[1].batch_mean, atol=1e-4)
