"""Batch norm after the activation: the gradients against finite differences, and the placement itself."""
import numpy as np
import pytest

from bn_lesson.gradcheck import numerical_gradient, rel_error
from bn_lesson.models.mlp import MLP, softmax_cross_entropy
from bn_lesson.models.placement import PostActivationMLP


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_backward_matches_finite_differences(activation):
    rng = np.random.default_rng(0)
    net = PostActivationMLP([5, 4, 3, 3], rng, activation=activation, batch_norm=True)
    for layer in net.bn:
        layer.gamma = rng.normal(1.0, 0.3, size=layer.gamma.shape)
        layer.beta = rng.normal(0.0, 0.3, size=layer.beta.shape)
    x, y = rng.normal(size=(6, 5)), np.array([0, 1, 2, 0, 1, 2])

    def loss():
        return softmax_cross_entropy(net.forward(x, training=True)[0], y)[0]

    scores, cache = net.forward(x, training=True)
    grads = net.backward(softmax_cross_entropy(scores, y)[1], cache)
    for l in range(2):
        assert rel_error(grads["W"][l], numerical_gradient(loss, net.W[l])) < 1e-6
        assert rel_error(grads["gamma"][l], numerical_gradient(loss, net.bn[l].gamma)) < 1e-6
        assert rel_error(grads["beta"][l], numerical_gradient(loss, net.bn[l].beta)) < 1e-6


def test_batch_norm_sits_after_the_activation():
    rng = np.random.default_rng(1)
    post = PostActivationMLP([8, 6, 4], rng, activation="relu", batch_norm=True)
    x = rng.normal(size=(20, 8))
    _, cache = post.forward(x, training=True)
    h = cache.inputs[1]                             # what the output layer reads: BN(relu(affine))
    assert np.allclose(h.mean(axis=0), 0.0) and np.allclose(cache.preacts[0], cache.affine[0])
    before = MLP([8, 6, 4], np.random.default_rng(1), activation="relu", batch_norm=True)
    _, cache_before = before.forward(x, training=True)
    assert (cache_before.inputs[1] >= 0).all()      # BN first, ReLU last: nothing negative reaches the output


def test_without_batch_norm_it_is_the_plain_mlp():
    x = np.random.default_rng(2).normal(size=(7, 8))
    plain = MLP([8, 6, 4], np.random.default_rng(3))
    post = PostActivationMLP([8, 6, 4], np.random.default_rng(3))
    assert np.allclose(plain.forward(x, training=True)[0], post.forward(x, training=True)[0])
