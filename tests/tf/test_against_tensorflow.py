"""Our numpy batch norm against TensorFlow's, to float32 tolerance, for (N, D) and (N, H, W, C)."""
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from bn_lesson import BatchNorm, batch_norm  # noqa: E402
from bn_lesson.constants import DEFAULT_EPS, DEFAULT_MOMENTUM  # noqa: E402

SHAPES = {"dense (N, D)": ((32, 5), 0), "conv (N, H, W, C)": ((4, 6, 6, 3), (0, 1, 2))}
TOL = dict(rtol=1e-5, atol=1e-5)  # float32 arithmetic inside TensorFlow


def data(shape, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[-1]
    return rng.normal(rng.uniform(-5, 5, c), rng.uniform(0.1, 4, c), size=shape).astype(np.float32)


@pytest.mark.parametrize("name", SHAPES)
def test_matches_tf_nn_moments_and_batch_normalization(name):
    shape, axis = SHAPES[name]
    x = data(shape)
    c = shape[-1]
    gamma = np.linspace(0.5, 2.0, c).astype(np.float32)
    beta = np.linspace(-1.0, 1.0, c).astype(np.float32)
    mean, variance = tf.nn.moments(tf.constant(x), axes=list(np.atleast_1d(axis)))
    y_tf = tf.nn.batch_normalization(x, mean, variance, offset=beta, scale=gamma, variance_epsilon=DEFAULT_EPS)
    y, mu, var, _ = batch_norm(x.astype(np.float64), gamma, beta, eps=DEFAULT_EPS, axis=axis)
    np.testing.assert_allclose(mu, mean.numpy(), **TOL)
    np.testing.assert_allclose(var, variance.numpy(), **TOL)
    np.testing.assert_allclose(y, y_tf.numpy(), **TOL)


@pytest.mark.parametrize("name", SHAPES)
def test_matches_keras_layer_in_training_inference_and_moving_statistics(name):
    shape, _ = SHAPES[name]
    c = shape[-1]
    keras.utils.set_random_seed(0)
    k = keras.layers.BatchNormalization(momentum=DEFAULT_MOMENTUM, epsilon=DEFAULT_EPS)
    ours = BatchNorm(c, momentum=DEFAULT_MOMENTUM, eps=DEFAULT_EPS)
    k.build(shape)
    gamma = np.linspace(0.5, 2.0, c)
    beta = np.linspace(-1.0, 1.0, c)
    k.gamma.assign(gamma.astype(np.float32))
    k.beta.assign(beta.astype(np.float32))
    ours.gamma, ours.beta = gamma, beta
    for step in range(5):
        x = data(shape, seed=step)
        y_k = k(x, training=True).numpy()
        y_ours, _ = ours.forward(x.astype(np.float64), training=True)
        np.testing.assert_allclose(y_ours, y_k, **TOL)
    np.testing.assert_allclose(ours.moving_mean, k.moving_mean.numpy(), **TOL)
    np.testing.assert_allclose(ours.moving_var, k.moving_variance.numpy(), **TOL)
    x = data(shape, seed=99)
    np.testing.assert_allclose(ours.forward(x.astype(np.float64), training=False)[0],
                               k(x, training=False).numpy(), **TOL)


def test_backward_matches_gradient_tape():
    x = data((8, 4))
    dout = np.random.default_rng(1).normal(size=x.shape).astype(np.float32)
    ours = BatchNorm(4)
    ours.gamma = np.array([0.5, 1.0, 1.5, 2.0])
    _, cache = ours.forward(x.astype(np.float64), training=True)
    dx, dgamma, dbeta = ours.backward(dout.astype(np.float64), cache)
    xt, g, b = (tf.Variable(v, dtype=tf.float32) for v in (x, ours.gamma, ours.beta))
    with tf.GradientTape() as tape:
        mean, var = tf.nn.moments(xt, axes=[0])
        loss = tf.reduce_sum(tf.nn.batch_normalization(xt, mean, var, b, g, DEFAULT_EPS) * dout)
    tdx, tdg, tdb = tape.gradient(loss, [xt, g, b])
    np.testing.assert_allclose(dx, tdx.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dgamma, tdg.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dbeta, tdb.numpy(), rtol=1e-4, atol=1e-4)
