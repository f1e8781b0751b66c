"""The numpy MLP: backward against numerical gradients (with and without batch norm), its checks, frozen gamma/beta."""
import numpy as np
import pytest

from bn_lesson.gradcheck import numerical_gradient as numerical_grad, rel_error
from bn_lesson.layer import BatchNorm
from bn_lesson.models.mlp import MLP, minibatches, softmax_cross_entropy
from bn_lesson.models.train import train


def loss_of(model, x, y, training=True):
    scores, _ = model.forward(x, training)
    return softmax_cross_entropy(scores, y)[0]


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_backward_matches_numerical_gradient(batch_norm, activation):
    rng = np.random.default_rng(0)
    model = MLP([5, 4, 3, 3], rng, activation=activation, batch_norm=batch_norm, init_scale=1.5)
    if batch_norm:  # move gamma/beta off their defaults so their gradients are exercised
        for layer in model.bn:
            layer.gamma = rng.uniform(0.5, 2.0, layer.n_features)
            layer.beta = rng.normal(0, 0.5, layer.n_features)
    x = rng.normal(size=(7, 5))
    y = rng.integers(0, 3, size=7)
    scores, cache = model.forward(x, training=True)
    _, dscores = softmax_cross_entropy(scores, y)
    grads = model.backward(dscores, cache)
    f = lambda: loss_of(model, x, y)  # noqa: E731
    for l in range(len(model.W)):
        # CS231n's rule of thumb: relative errors below 1e-7 mean the analytic gradient is right
        assert rel_error(grads["W"][l], numerical_grad(f, model.W[l])) < 1e-7
        if not (batch_norm and l < 2):  # checked against zero below
            assert rel_error(grads["b"][l], numerical_grad(f, model.b[l])) < 1e-7
    if batch_norm:
        for l, layer in enumerate(model.bn):
            assert rel_error(grads["gamma"][l], numerical_grad(f, layer.gamma)) < 1e-7
            assert rel_error(grads["beta"][l], numerical_grad(f, layer.beta)) < 1e-7
            assert np.allclose(numerical_grad(f, model.b[l]), 0.0, atol=1e-8)
            # a bias in front of batch norm is cancelled by the mean subtraction: its gradient is zero
            assert np.allclose(grads["b"][l], 0.0, atol=1e-12)
    else:
        assert grads["gamma"] == [None, None] and grads["beta"] == [None, None]


def test_softmax_cross_entropy_reference_values():
    scores = np.array([[0.0, 0.0], [1000.0, 0.0]])
    loss, d = softmax_cross_entropy(scores, np.array([0, 1]))
    assert loss == pytest.approx((np.log(2) + 1000.0) / 2)  # no overflow at 1000
    assert np.allclose(d, [[-0.25, 0.25], [0.5, -0.5]])
    with pytest.raises(ValueError, match="y must"):
        softmax_cross_entropy(scores, np.array([0, 2]))
    with pytest.raises(TypeError, match="y must hold integer"):
        softmax_cross_entropy(scores, np.array([0.0, 1.0]))
    assert isinstance(loss, float) and d.dtype == np.float64


def test_softmax_cross_entropy_math_takes_a_seed_axis():
    rng = np.random.default_rng(3)
    scores, y = rng.normal(size=(4, 6, 3)), rng.integers(0, 3, size=(4, 6))
    loss, d = softmax_cross_entropy.math(scores, y)
    assert loss.shape == (4,) and d.shape == (4, 6, 3)
    for s in range(4):
        ls, ds = softmax_cross_entropy(scores[s], y[s])
        assert loss[s] == pytest.approx(ls) and np.allclose(d[s], ds)


def test_init_scale_sets_weight_std():
    model = MLP([400, 300, 10], np.random.default_rng(0), init_scale=2.0)
    assert model.W[0].std() == pytest.approx(2.0 / np.sqrt(400), rel=0.02)
    assert model.W[1].std() == pytest.approx(2.0 / np.sqrt(300), rel=0.1)
    assert all((b == 0).all() for b in model.b)


def test_forward_shapes_and_cache():
    model = MLP([6, 5, 4, 3], np.random.default_rng(1), activation="tanh", batch_norm=True)
    scores, cache = model.forward(np.ones((8, 6)) * np.arange(8)[:, None], training=True)
    assert scores.shape == (8, 3)
    assert [a.shape for a in cache.preacts] == [(8, 5), (8, 4)]
    assert [a.shape for a in cache.inputs] == [(8, 6), (8, 5), (8, 4)]
    assert all(isinstance(layer, BatchNorm) for layer in model.bn)
    # in training mode the activation inputs are the batch-normalized affine outputs
    assert np.allclose(cache.preacts[0].mean(axis=0), 0.0, atol=1e-12)


def test_predict_in_training_mode_leaves_the_model_unchanged():
    model = MLP([3, 4, 2], np.random.default_rng(2), batch_norm=True)
    before = model.bn[0].moving_mean.copy()
    model.predict(np.random.default_rng(3).normal(5.0, 1.0, size=(10, 3)), training=True)
    assert np.array_equal(model.bn[0].moving_mean, before)


def blobs(rng, n=300):
    """Three well separated Gaussian classes in 4-D."""
    y = rng.integers(0, 3, size=n)
    X = rng.normal(size=(n, 4)) + 3.0 * np.eye(3, 4)[y]
    return X, y


@pytest.mark.parametrize("kwargs, match", [
    ({"sizes": [3]}, "sizes"),
    ({"sizes": [3, 0, 2]}, "sizes"),
    ({"activation": "softplus"}, "activation"),
    ({"init_scale": 0.0}, "init_scale"),
    ({"momentum": 1.0}, "momentum"),
])
def test_constructor_rejects_bad_values(kwargs, match):
    args = {"sizes": [3, 4, 2], "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(ValueError, match=match):
        MLP(**args)


@pytest.mark.parametrize("kwargs, match", [
    ({"rng": 0}, "rng must be a numpy.random.Generator"),
    ({"sizes": 3}, "sizes must be a sequence"),
    ({"sizes": [3, 4.0, 2]}, "sizes\\[1\\] must be an int"),
    ({"init_scale": "4"}, "init_scale must be a number"),
    ({"batch_norm": 1}, "batch_norm must be True or False"),
])
def test_constructor_rejects_wrong_kinds_with_type_error(kwargs, match):
    args = {"sizes": [3, 4, 2], "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(TypeError, match=match):
        MLP(**args)


def test_frozen_scale_and_shift_stay_at_one_and_zero():
    X, y = blobs(np.random.default_rng(13), n=60)
    model = MLP([4, 6, 3], np.random.default_rng(0), batch_norm=True, scale=False, center=False)
    train(model, X, y, lr=0.5, steps=20, batch_size=10, rng=np.random.default_rng(1))
    assert np.array_equal(model.bn[0].gamma, np.ones(6)) and np.array_equal(model.bn[0].beta, np.zeros(6))
    learned = MLP([4, 6, 3], np.random.default_rng(0), batch_norm=True)
    train(learned, X, y, lr=0.5, steps=20, batch_size=10, rng=np.random.default_rng(1))
    assert not np.allclose(learned.bn[0].gamma, 1.0)


def test_minibatches_visit_every_example_once_per_epoch():
    batches = minibatches(np.random.default_rng(0), 10, 3)
    epoch = np.concatenate([next(batches) for _ in range(3)])     # 3 batches of 3; the 10th example waits
    assert len(set(epoch.tolist())) == 9
    assert len(next(batches)) == 3
