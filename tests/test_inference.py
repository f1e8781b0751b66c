"""Inference-time batch norm: Algorithm 2, moving averages, folding, batch coupling."""
import numpy as np
import pytest

from bn_lesson.inference import batch_coupling, fold_bn, moving_average, population_statistics, steps_to_converge
from bn_lesson.layer import BatchNorm
from bn_lesson.models.mlp import MLP, fold_mlp, with_population_statistics
from bn_lesson.models.train import train


def test_population_statistics_reference_values():
    batches = np.array([[[1.0], [3.0]], [[5.0], [9.0]]])   # K=2 batches of m=2, D=1
    mean, var = population_statistics(batches)
    # batch means 2 and 7; biased batch variances 1 and 4; m/(m-1) = 2
    assert mean == pytest.approx([4.5]) and var == pytest.approx([5.0])
    _, biased = population_statistics(batches, correct=False)
    assert biased == pytest.approx([2.5])


def test_population_statistics_is_unbiased_and_the_moving_variance_is_not():
    rng = np.random.default_rng(0)
    m = 4
    batches = rng.normal(1.0, 3.0, size=(20000, m, 2))
    mean, var = population_statistics(batches)
    assert np.allclose(mean, 1.0, atol=0.03) and np.allclose(var, 9.0, rtol=0.02)
    layer = BatchNorm(2)
    for b in batches[:3000]:
        layer.forward(b, training=True)
    assert np.allclose(layer.moving_var, 9.0 * (m - 1) / m, rtol=0.15)
    # with the correction, Algorithm 2 equals the unbiased variance pooled the textbook way
    assert np.allclose(var, np.mean(batches.var(axis=1, ddof=1), axis=0))


def test_population_statistics_on_feature_maps_is_per_channel():
    x = np.random.default_rng(1).normal(size=(10, 4, 3, 3, 2))    # K, m, H, W, C
    mean, var = population_statistics(x)
    assert mean.shape == var.shape == (2,)
    assert np.allclose(mean, x.reshape(10, -1, 2).mean(axis=(0, 1)))
    assert np.allclose(var, np.mean(x.reshape(10, -1, 2).var(axis=1, ddof=1), axis=0))


def test_population_statistics_validates():
    with pytest.raises(ValueError, match="batches must be"):
        population_statistics(np.ones((4, 3)))
    with pytest.raises(ValueError, match="single value"):
        population_statistics(np.ones((4, 1, 3)))


def test_moving_average_matches_the_layer_and_the_closed_form():
    rng = np.random.default_rng(2)
    batches = rng.normal(3.0, 1.0, size=(50, 8, 3))
    layer = BatchNorm(3, momentum=0.9)
    for b in batches:
        layer.forward(b, training=True)
    traj = moving_average(batches.mean(axis=1), momentum=0.9, start=np.zeros(3))
    assert traj.shape == (51, 3) and np.allclose(traj[-1], layer.moving_mean)
    assert np.allclose(traj[0], 0.0)
    ones = moving_average(np.ones(30), momentum=0.8, start=0.0)
    assert np.allclose(ones, 1 - 0.8 ** np.arange(31))
    with pytest.raises(ValueError, match="momentum"):
        moving_average(np.ones(3), momentum=1.0)


@pytest.mark.parametrize("momentum, tol, expected", [(0.99, 0.01, 459), (0.99, 0.1, 230), (0.9, 0.5, 7), (0.5, 0.25, 3)])
def test_steps_to_converge(momentum, tol, expected):
    n = steps_to_converge(momentum, tol)
    assert n == expected
    assert momentum ** n < tol <= momentum ** (n - 1)


def test_steps_to_converge_validates():
    with pytest.raises(ValueError, match="tol"):
        steps_to_converge(0.99, tol=1.5)
    with pytest.raises(ValueError, match="momentum"):
        steps_to_converge(-0.1)
    assert steps_to_converge(0.0) == 1


def trained_bn_layer(rng, d_in=5, d=4):
    layer = BatchNorm(d)
    layer.gamma, layer.beta = rng.uniform(0.5, 2.0, d), rng.normal(0, 1, d)
    layer.moving_mean, layer.moving_var = rng.normal(0, 2, d), rng.uniform(0.1, 3.0, d)
    return rng.normal(size=(d_in, d)), rng.normal(size=d), layer


def test_fold_bn_equals_inference_mode_batch_norm():
    rng = np.random.default_rng(3)
    W, b, layer = trained_bn_layer(rng)
    x = rng.normal(size=(7, 5))
    W2, b2 = fold_bn(W, b, layer)
    want, _ = layer.forward(x @ W + b, training=False)
    assert np.allclose(x @ W2 + b2, want, rtol=0, atol=1e-12)
    # a fresh layer (moving mean 0, variance 1, gamma 1, beta 0) only divides by sqrt(1 + eps)
    W3, b3 = fold_bn(W, b, BatchNorm(4))
    assert np.allclose(W3, W / np.sqrt(1 + 1e-3)) and np.allclose(b3, b / np.sqrt(1 + 1e-3))


def test_fold_bn_validates():
    W, b, layer = trained_bn_layer(np.random.default_rng(4))
    with pytest.raises(ValueError, match="W must be"):
        fold_bn(W.T, b, layer)
    with pytest.raises(TypeError, match="layer must be a BatchNorm"):
        fold_bn(W, b, "bn")
    layer.moving_var[0] = -1.0
    with pytest.raises(ValueError, match="moving_var must be finite and >= 0"):
        fold_bn(W, b, layer)


@pytest.mark.parametrize("call, error, message", [
    (lambda: steps_to_converge(0, tol=5), ValueError, "tol must be a finite number in"),
    (lambda: steps_to_converge("0.9"), TypeError, "momentum must be a number"),
    (lambda: moving_average(np.ones((5, 3)), start=np.zeros(2)), ValueError, "start has shape"),
    (lambda: moving_average(np.ones((5, 3)), start=None), TypeError, "start must be a numeric array"),
    (lambda: population_statistics(np.ones((2, 3, 1)), correct="yes"), TypeError, "correct must be True or False"),
    (lambda: batch_coupling(None, np.ones(2), np.ones((3, 1, 2)), True), TypeError, "layer must have a forward"),
])
def test_unclear_inputs_get_errors_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def blobs(rng, n=240):
    y = rng.integers(0, 3, size=n)
    return rng.normal(size=(n, 4)) + 3.0 * np.eye(3, 4)[y], y


def test_fold_mlp_and_population_statistics_on_a_trained_network():
    rng = np.random.default_rng(5)
    X, y = blobs(rng)
    net = MLP([4, 8, 8, 3], np.random.default_rng(6), activation="tanh", batch_norm=True)
    train(net, X, y, lr=0.1, steps=60, batch_size=16, rng=rng)
    before = [(layer.moving_mean.copy(), layer.moving_var.copy()) for layer in net.bn]
    plain = fold_mlp(net)
    assert all(layer is None for layer in plain.bn)
    assert np.allclose(plain.forward(X, training=False)[0], net.forward(X, training=False)[0], atol=1e-12)
    alg2 = with_population_statistics(net, X, batch_size=16, rng=np.random.default_rng(7))
    # reference: collect the first layer's inputs in training mode by hand, same batches
    order = np.random.default_rng(7).permutation(len(X))
    firsts = np.array([X[order[i:i + 16]] @ net.W[0] + net.b[0] for i in range(0, 240, 16)])
    mean0, var0 = population_statistics(firsts)
    assert np.allclose(alg2.bn[0].moving_mean, mean0) and np.allclose(alg2.bn[0].moving_var, var0)
    uncorrected = with_population_statistics(net, X, 16, np.random.default_rng(7), correct=False)
    assert np.allclose(uncorrected.bn[0].moving_var * 16 / 15, var0)
    for layer, (mu, var) in zip(net.bn, before):   # the original network is untouched
        assert np.array_equal(layer.moving_mean, mu) and np.array_equal(layer.moving_var, var)
    with pytest.raises(ValueError, match="batch norm"):
        with_population_statistics(plain, X, 16, rng)
    with pytest.raises(ValueError, match="batch_size"):
        with_population_statistics(net, X, 1, rng)


def test_batch_coupling_training_vs_inference():
    rng = np.random.default_rng(8)
    layer = BatchNorm(3)
    layer.moving_mean, layer.moving_var = np.array([1.0, 2.0, 3.0]), np.array([4.0, 1.0, 0.5])
    x = rng.normal(size=3)
    mates = rng.normal(size=(6, 7, 3))
    train_rows = batch_coupling(layer, x, mates, training=True)
    infer_rows = batch_coupling(layer, x, mates, training=False)
    assert train_rows.shape == infer_rows.shape == (6, 3)
    assert np.ptp(train_rows, axis=0).min() > 0.01
    assert np.ptp(infer_rows, axis=0).max() == 0.0
    # row k is the normalized first row of the batch [x, *mates[k]]
    batch = np.vstack([x, mates[2]])
    assert np.allclose(train_rows[2], ((batch - batch.mean(0)) / np.sqrt(batch.var(0) + 1e-3))[0])
    assert np.array_equal(layer.moving_mean, [1.0, 2.0, 3.0])   # training mode ran on a copy
    with pytest.raises(ValueError, match="batchmates"):
        batch_coupling(layer, x, mates[0], training=True)
