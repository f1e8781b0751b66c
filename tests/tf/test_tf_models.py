"""bn_lesson.tf.models: the Keras networks of chapters 08 and 10 and the ShiftNoise layer."""
import numpy as np
import pytest

models = pytest.importorskip("bn_lesson.tf.models")


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
    layer = models.ShiftNoise(shift_std=1.0, scale_range=(0.5, 2.0), seed=0)
    x = np.ones((5, 4), dtype="float32")
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    first, second = np.asarray(layer(x, training=True)), np.asarray(layer(x, training=True))
    assert not np.allclose(first, x) and not np.allclose(first, second)  # redrawn every call
    np.testing.assert_allclose(first, first[0:1].repeat(5, axis=0))    # one shift/scale per unit


def test_shift_noise_draws_scale_and_shift_from_the_stated_ranges():
    layer = models.ShiftNoise(shift_std=0.0, scale_range=(0.5, 2.0), seed=1)
    s = np.concatenate([np.asarray(layer(np.ones((1, 50), "float32"), training=True))[0] for _ in range(20)])
    assert 0.5 <= s.min() and s.max() <= 2.0 and s.std() > 0.2
    with pytest.raises(ValueError, match="scale_range"):
        models.ShiftNoise(scale_range=(2.0, 1.0))


def test_batch_renorm_uses_the_papers_final_clipping():
    bn = models.build_mlp("batch_renorm", hidden=(4,)).get_layer("bn1")
    assert bn.renorm and bn.renorm_clipping == models.RENORM_CLIPPING
    assert bn.renorm_momentum == bn.momentum
