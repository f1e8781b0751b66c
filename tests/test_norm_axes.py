"""The cells that share one mean and variance, checked against Keras' own normalization layers."""
import numpy as np
import pytest

from bn_lesson.norm_axes import NORMS, shared_statistics_mask

SHAPE = (4, 2, 3, 6)


def test_batch_norm_pools_one_channel_over_batch_and_positions():
    mask = shared_statistics_mask("batch", SHAPE, example=2, channel=1)
    assert mask[:, :, :, 1].all() and mask.sum() == 4 * 2 * 3


def test_layer_norm_pools_one_example_over_everything_else():
    mask = shared_statistics_mask("layer", SHAPE, example=2, channel=1)
    assert mask[2].all() and mask.sum() == 2 * 3 * 6


def test_group_norm_pools_consecutive_channels_of_one_example():
    mask = shared_statistics_mask("group", SHAPE, example=0, channel=3, groups=3)
    assert mask[0, :, :, 2:4].all() and mask.sum() == 2 * 3 * 2


@pytest.mark.parametrize("groups", [1, 6])
def test_group_norm_extremes_are_layer_and_instance_norm(groups):
    mask = shared_statistics_mask("group", SHAPE, example=1, channel=5, groups=groups)
    if groups == 1:
        np.testing.assert_array_equal(mask, shared_statistics_mask("layer", SHAPE, example=1, channel=5))
    else:
        assert mask[1, :, :, 5].all() and mask.sum() == 2 * 3


def _keras_moves_together(layer, x, example, channel):
    """Cells whose output changes when only the (example, channel) cells' statistics would: perturb one cell."""
    base = np.asarray(layer(x, training=True))
    bumped = x.copy()
    bumped[example, 0, 0, channel] += 5.0
    changed = np.abs(np.asarray(layer(bumped, training=True)) - base) > 1e-4
    changed[example, 0, 0, channel] = True
    return changed


@pytest.mark.parametrize("kind", list(NORMS))
def test_mask_matches_what_keras_normalizes_together(kind):
    keras = pytest.importorskip("keras")
    layers = {"batch": keras.layers.BatchNormalization(),
              "layer": keras.layers.LayerNormalization(axis=(1, 2, 3)),
              "group": keras.layers.GroupNormalization(groups=3)}
    x = np.random.default_rng(0).normal(size=SHAPE).astype("float32")
    got = _keras_moves_together(layers[kind], x, example=1, channel=2)
    np.testing.assert_array_equal(got, shared_statistics_mask(kind, SHAPE, example=1, channel=2, groups=3))


@pytest.mark.parametrize("kwargs, error, name", [
    ({"kind": "instance"}, ValueError, "kind"), ({"shape": (2, 3, 4)}, ValueError, "shape"),
    ({"shape": (2, 3, 4, 0)}, ValueError, "shape"), ({"shape": (2, 3, 4, 1.5)}, TypeError, "shape"),
    ({"example": 4}, ValueError, "example"), ({"channel": -1}, ValueError, "channel"),
    ({"channel": "0"}, TypeError, "channel"), ({"groups": 4}, ValueError, "groups"),
])
def test_bad_arguments_are_named(kwargs, error, name):
    args = {"kind": "group", "shape": SHAPE} | kwargs
    with pytest.raises(error, match=name):
        shared_statistics_mask(**args)
