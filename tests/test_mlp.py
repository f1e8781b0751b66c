"""The numpy MLP: backward against numerical gradients (with and without batch norm), training, records."""
import numpy as np
import pytest

from bn_lesson.gradcheck import numerical_gradient as numerical_grad, rel_error
from bn_lesson.layer import BatchNorm
from bn_lesson.models.mlp import MLP, softmax_cross_entropy, train


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
    with pytest.raises(ValueError, match="y must"):
        softmax_cross_entropy(scores, np.array([0.0, 1.0]))


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


def test_training_learns_and_records():
    rng = np.random.default_rng(4)
    X, y = blobs(rng)
    model = MLP([4, 16, 16, 3], np.random.default_rng(5), activation="tanh")
    hist = train(model, X, y, lr=0.1, steps=300, batch_size=20, rng=rng, units=[(1, 0), (0, 3)],
                 record_every=100)
    assert not hist.diverged
    assert hist.loss.shape == (300,)
    assert hist.loss[-20:].mean() < 0.5 * hist.loss[:20].mean()
    assert hist.record_steps.tolist() == [0, 100, 200, 300]
    assert hist.layer_mean.shape == hist.layer_std.shape == hist.layer_saturated.shape == (4, 2)
    assert hist.unit_percentiles.shape == (4, 2, 3)
    assert (np.diff(hist.unit_percentiles, axis=-1) >= 0).all()  # 15th <= 50th <= 85th
    assert hist.probe_accuracy[-1] > 0.9
    # the records are measured in inference mode on the probe batch: recompute the last one
    _, cache = model.forward(X, training=False)
    assert hist.unit_percentiles[-1, 0] == pytest.approx(np.percentile(cache.preacts[1][:, 0], [15, 50, 85]))


def test_training_is_deterministic_given_the_generators():
    X, y = blobs(np.random.default_rng(6))
    runs = []
    for _ in range(2):
        model = MLP([4, 8, 3], np.random.default_rng(7), batch_norm=True)
        runs.append(train(model, X, y, lr=0.5, steps=50, batch_size=16, rng=np.random.default_rng(8)).loss)
    assert np.array_equal(*runs)


def test_a_huge_learning_rate_is_reported_as_divergence_without_warnings():
    X, y = blobs(np.random.default_rng(9))
    X = X * 1e3
    model = MLP([4, 8, 3], np.random.default_rng(10), activation="relu", init_scale=3.0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # any floating-point warning escaping train would raise here
        hist = train(model, X, y, lr=1e6, steps=200, batch_size=16, rng=np.random.default_rng(11))
    assert hist.diverged
    assert len(hist.loss) < 200


@pytest.mark.parametrize("kwargs, match", [
    ({"sizes": [3]}, "sizes"),
    ({"activation": "softplus"}, "activation"),
    ({"init_scale": 0.0}, "init_scale"),
    ({"rng": 0}, "rng"),
])
def test_constructor_validates(kwargs, match):
    args = {"sizes": [3, 4, 2], "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(ValueError, match=match):
        MLP(**args)


def test_train_validates():
    X, y = blobs(np.random.default_rng(12), n=20)
    model = MLP([4, 5, 3], np.random.default_rng(0))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="batch_size"):
        train(model, X, y, lr=0.1, steps=5, batch_size=50, rng=rng)
    with pytest.raises(ValueError, match="lr"):
        train(model, X, y, lr=-1.0, steps=5, batch_size=5, rng=rng)
    with pytest.raises(ValueError, match="units"):
        train(model, X, y, lr=0.1, steps=5, batch_size=5, rng=rng, units=[(1, 0)])
    with pytest.raises(ValueError, match="x must be"):
        model.forward(np.ones((2, 7)), training=False)
