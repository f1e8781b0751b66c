"""The BatchNorm layer: modes, moving statistics, and backward against numerical gradients."""
import numpy as np
import pytest

from bn_lesson import BatchNorm, batch_norm
from bn_lesson.gradcheck import numerical_gradient, rel_error


def numerical_gradients(layer, x, dout, training):
    """Central differences of L = sum(out * dout) w.r.t. x, gamma and beta (moving stats restored)."""
    saved = layer.moving_mean.copy(), layer.moving_var.copy()

    def loss():
        out, _ = layer.forward(x, training=training)
        layer.moving_mean, layer.moving_var = saved[0].copy(), saved[1].copy()
        return np.sum(out * dout)

    return [numerical_gradient(loss, arr) for arr in (x, layer.gamma, layer.beta)]


@pytest.mark.parametrize("shape", [(5, 3), (2, 4), (3, 2, 2, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_central_differences(shape, training):
    rng = np.random.default_rng(7)
    layer = BatchNorm(shape[-1])
    layer.gamma = rng.uniform(0.5, 2.0, shape[-1])
    layer.beta = rng.normal(size=shape[-1])
    layer.moving_mean = rng.normal(size=shape[-1])
    layer.moving_var = rng.uniform(0.5, 2.0, shape[-1])
    x = rng.normal(3.0, 2.0, size=shape)
    dout = rng.normal(size=shape)  # a random upstream gradient, not all ones
    _, cache = layer.forward(x, training=training)
    dx, dgamma, dbeta = layer.backward(dout, cache)
    ndx, ndgamma, ndbeta = numerical_gradients(layer, x, dout, training)
    # float64 central differences with h=1e-6: relative errors around 1e-9 are expected
    assert rel_error(dx, ndx) < 1e-6
    assert rel_error(dgamma, ndgamma) < 1e-6
    assert rel_error(dbeta, ndbeta) < 1e-6


def test_training_uses_batch_statistics_and_updates_moving_averages():
    rng = np.random.default_rng(0)
    layer = BatchNorm(2, momentum=0.9, eps=1e-3)
    x = rng.normal([5.0, -2.0], [2.0, 0.5], size=(16, 2))
    out, _ = layer.forward(x, training=True)
    np.testing.assert_allclose(out, batch_norm(x, eps=1e-3).y)
    np.testing.assert_allclose(layer.moving_mean, 0.1 * x.mean(0))
    np.testing.assert_allclose(layer.moving_var, 0.9 + 0.1 * x.var(0))


def test_inference_uses_moving_statistics_and_changes_nothing():
    layer = BatchNorm(2)
    layer.moving_mean = np.array([1.0, 2.0])
    layer.moving_var = np.array([4.0, 9.0])
    x = np.array([[3.0, 2.0], [1.0, 5.0]])
    out, _ = layer.forward(x, training=False)
    np.testing.assert_allclose(out, (x - [1.0, 2.0]) / np.sqrt(np.array([4.0, 9.0]) + 1e-3))
    assert layer.moving_mean.tolist() == [1.0, 2.0]


def test_moving_averages_converge_to_the_population_statistics():
    rng = np.random.default_rng(3)
    layer = BatchNorm(1, momentum=0.9)
    for _ in range(200):
        layer.forward(rng.normal(4.0, 3.0, size=(256, 1)), training=True)
    np.testing.assert_allclose(layer.moving_mean, [4.0], atol=0.15)
    np.testing.assert_allclose(layer.moving_var, [9.0], rtol=0.05)


def test_keras_defaults():
    layer = BatchNorm(3)
    assert (layer.momentum, layer.eps) == (0.99, 1e-3)
    assert layer.gamma.tolist() == [1, 1, 1] and layer.beta.tolist() == [0, 0, 0]
    assert layer.moving_mean.tolist() == [0, 0, 0] and layer.moving_var.tolist() == [1, 1, 1]


@pytest.mark.parametrize("make, message", [
    (lambda: BatchNorm(0), "n_features must be an int >= 1"),
    (lambda: BatchNorm(3, momentum=1.0), "momentum must be"),
    (lambda: BatchNorm(3, eps=-1), "eps must be"),
    (lambda: BatchNorm(3).forward(np.ones((4, 2)), training=True), "this layer expects 3"),
    (lambda: BatchNorm(3).forward(np.ones(3), training=True), "features on the last axis"),
    (lambda: BatchNorm(2).backward(np.ones((3, 2)), BatchNorm(2).forward(np.eye(2), True)[1]), "dout has shape"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("make, message", [
    (lambda: BatchNorm(True), "n_features must be an int"),
    (lambda: BatchNorm(2.0), "n_features must be an int"),
    (lambda: BatchNorm(3, momentum="0.9"), "momentum must be a number"),
    (lambda: BatchNorm(3).forward(np.ones((4, 3)), training="yes"), "training must be True or False"),
    (lambda: BatchNorm(2).backward(np.ones((3, 2)), None), "cache must be the BatchNormCache"),
    (lambda: BatchNorm(2).backward(np.ones((3, 2)), (1, 2, 3, 4)), "cache must be the BatchNormCache"),
])
def test_a_wrong_kind_of_argument_is_a_type_error(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_a_cache_from_another_layer_is_refused():
    _, cache = BatchNorm(3).forward(np.eye(3), training=True)
    with pytest.raises(ValueError, match="cache is from a layer with 3 features"):
        BatchNorm(2).backward(np.ones((3, 3)), cache)


@pytest.mark.parametrize("value", [0.1, 0.3, 1e-7, 123.456, -2.2e8])
def test_a_failed_call_changes_no_state(value):
    """eps=0 and a constant feature (whatever its magnitude): refused before the moving averages move."""
    layer = BatchNorm(2, eps=0)
    x = np.column_stack([np.full(4, value), np.arange(4.0)])
    with pytest.raises(ValueError, match="constant feature"):
        layer.forward(x, training=True)
    assert layer.moving_mean.tolist() == [0, 0] and layer.moving_var.tolist() == [1, 1]
