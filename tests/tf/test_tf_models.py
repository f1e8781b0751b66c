"""bn_lesson.tf.models: the Keras networks of chapters 08, 10, 12 and 13 and the ShiftNoise layer."""
import numpy as np
import pytest

models = pytest.importorskip("bn_lesson.tf.models")
import keras  # noqa: E402


def kinds(model):
    return [type(layer).__name__ for layer in model.layers]


@pytest.mark.parametrize("normalization, middle", [
    (None, []), ("batch", ["BatchNormalization"]), ("noisy_batch", ["BatchNormalization", "ShiftNoise"]),
    ("batch_renorm", ["BatchNormalization"]), ("layer", ["LayerNormalization"]), ("group", ["GroupNormalization"]),
])
def test_mlp_blocks_are_affine_then_normalization_then_activation(normalization, middle):
    model = models.build_mlp(normalization, hidden=(10, 10))
    block = ["Dense"] + middle + ["Activation"]
    assert kinds(model) == block * 2 + ["Dense"]
    dense = [layer for layer in model.layers if layer.name.startswith("dense")]
    bn_kinds = ("batch", "noisy_batch", "batch_renorm")
    assert all(layer.use_bias == (normalization not in bn_kinds) for layer in dense)  # BN cancels a bias
    if normalization in bn_kinds:
        assert model.get_layer("bn1").renorm == (normalization == "batch_renorm")
    assert model.get_layer("sigmoid2").activation.__name__ == "sigmoid"
    assert model.output_shape == (None, 10)


def test_cnn_blocks_are_conv_then_bn_then_activation():
    model = models.build_cnn("batch")
    assert kinds(model) == ["Conv2D", "BatchNormalization", "Activation", "MaxPooling2D",
                            "Conv2D", "BatchNormalization", "Activation", "GlobalAveragePooling2D", "Dense"]
    assert model.output_shape == (None, 10)


def test_same_seed_same_weights_and_init_std_sets_the_scale():
    a, b = models.build_mlp(seed=3), models.build_mlp(seed=3)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    w2, w3 = a.get_layer("dense2").kernel.numpy(), a.get_layer("dense3").kernel.numpy()
    assert not np.allclose(w2, w3)  # layers get their own seeds
    assert abs(models.build_mlp(init_std=2.0).get_layer("dense2").kernel.numpy().std() - 2.0) < 0.1


@pytest.mark.parametrize("kwargs, name", [
    ({"normalization": "instance"}, "normalization"), ({"activation": "gelu"}, "activation"),
    ({"init_std": -1.0}, "init_std"),
])
def test_builder_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        models.build_mlp(**kwargs)


def test_shift_noise_only_in_training():
    layer = models.ShiftNoise(strength=1.0, seed=0)
    x = np.ones((5, 4), dtype="float32")
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    first, second = np.asarray(layer(x, training=True)), np.asarray(layer(x, training=True))
    assert not np.allclose(first, x) and not np.allclose(first, second)  # redrawn every call
    np.testing.assert_allclose(first, first[0:1].repeat(5, axis=0))    # one shift/scale per unit


def draws(strength, seed=1, calls=20, units=50):
    """The scales and shifts of ``calls`` draws: on a row of zeros the layer outputs m, on a row of ones s + m."""
    layer = models.ShiftNoise(strength=strength, seed=seed)
    out = [np.asarray(layer(np.array([[0.0] * units, [1.0] * units], "float32"), training=True))
           for _ in range(calls)]
    m = np.concatenate([o[0] for o in out])
    return np.concatenate([o[1] for o in out]) - m, m


@pytest.mark.parametrize("k", [0.5, 1.0, 2.0, 4.0])
def test_shift_noise_strength_k_draws_scale_and_shift_from_its_ranges(k):
    s, m = draws(k)
    assert 1 / (1 + k) - 1e-6 <= s.min() and s.max() <= 1 + k + 1e-5 and s.std() > 0.1 * k
    assert 0.7 * k < m.std() < 1.3 * k                 # m ~ N(0, k**2)


def test_shift_noise_strength_0_is_the_identity_exactly():
    layer = models.ShiftNoise(strength=0.0, seed=2)
    x = np.random.default_rng(0).normal(size=(6, 7)).astype("float32")
    np.testing.assert_array_equal(np.asarray(layer(x, training=True)), x)


def test_strength_1_is_the_noise_of_scale_half_to_two_and_shift_std_one():
    """k = 1 draws exactly what ``s ~ U(0.5, 2)``, ``m ~ N(0, 1)`` drew before the strength existed."""
    seeds = keras.random.SeedGenerator(3)
    s = keras.random.uniform((9,), 0.5, 2.0, seed=seeds)
    m = keras.random.normal((9,), stddev=1.0, seed=seeds)
    x = np.random.default_rng(1).normal(size=(4, 9)).astype("float32")
    expected = x * np.asarray(s) + np.asarray(m)
    np.testing.assert_array_equal(np.asarray(models.ShiftNoise(strength=1.0, seed=3)(x, training=True)), expected)


def test_set_strength_and_config():
    layer = models.ShiftNoise(strength=2.0, seed=4, name="noise")
    assert layer.strength == 2.0 and layer.get_config()["strength"] == 2.0 and layer.get_config()["seed"] == 4
    layer.set_strength(0.5)
    assert layer.strength == 0.5 and models.ShiftNoise.from_config(layer.get_config()).strength == 0.5
    assert layer.weights == []                 # the strength is not a weight: nothing trains or stacks it
    with pytest.raises(ValueError, match="strength"):
        layer.set_strength(-1.0)
    with pytest.raises(ValueError, match="strength"):
        models.ShiftNoise(strength=-0.1)
    with pytest.raises(TypeError, match="strength"):
        models.ShiftNoise(strength="strong")


def test_noise_strength_sets_every_noise_layer_and_restores_them():
    model = models.build_mlp("noisy_batch", hidden=(4, 4))
    noise = [model.get_layer("noise1"), model.get_layer("noise2")]
    with models.noise_strength(model, 3.0) as same:
        assert same is model and [layer.strength for layer in noise] == [3.0, 3.0]
    assert [layer.strength for layer in noise] == [1.0, 1.0]
    with pytest.raises(ValueError, match="ShiftNoise"):
        with models.noise_strength(models.build_mlp("batch", hidden=(4,)), 1.0):
            pass
    with pytest.raises(TypeError, match="model"):
        with models.noise_strength("a model", 1.0):
            pass


def test_batch_renorm_uses_the_papers_final_clipping():
    bn = models.build_mlp("batch_renorm", hidden=(4,)).get_layer("bn1")
    assert bn.renorm and bn.renorm_clipping == models.RENORM_CLIPPING
    assert bn.renorm_momentum == bn.momentum
