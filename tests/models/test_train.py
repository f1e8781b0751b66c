"""train: mini-batch SGD of one MLP, its records, divergence and argument checks."""
import numpy as np
import pytest

from bn_lesson.models.mlp import MLP
from bn_lesson.models.train import train


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
    with pytest.raises(TypeError, match="rng must be"):
        train(model, X, y, lr=0.1, steps=5, batch_size=5, rng=0)
    with pytest.raises(TypeError, match="steps must be an int"):
        train(model, X, y, lr=0.1, steps=5.0, batch_size=5, rng=rng)
    with pytest.raises(TypeError, match="y must hold integer"):
        train(model, X, y.astype(float), lr=0.1, steps=5, batch_size=5, rng=rng)
    with pytest.raises(TypeError, match="model must be an MLP"):
        train("net", X, y, lr=0.1, steps=5, batch_size=5, rng=rng)
