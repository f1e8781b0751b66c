"""SeedMLP / train_seeds: copy s of the batched net is the single MLP trained with seed s."""
import warnings

import numpy as np
import pytest

from bn_lesson.activations import ACTIVATIONS
from bn_lesson.models.mlp import MLP, softmax_cross_entropy
from bn_lesson.models.seeds import SLOPE_FROM_OUTPUT, SeedHistory, SeedMLP, train_seeds
from bn_lesson.models.train import train

SEEDS = [3, 7, 11]
# different float operation order (per-copy sums over axis 1 vs a 2-D layer): rounding only
TOL = dict(rtol=1e-9, atol=1e-11)


def gens(seeds, offset=0):
    return [np.random.default_rng(s + offset) for s in seeds]


def blobs(seed, n=120):
    """Three Gaussian classes in 5-D, a different draw per seed."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    return rng.normal(size=(n, 5)) + 2.5 * np.eye(3, 5)[y], y


def assert_same_network(copy, single):
    for a, b in zip(copy.W + copy.b, single.W + single.b):
        np.testing.assert_allclose(a, b, **TOL)
    for mine, theirs in zip(copy.bn, single.bn):
        assert (mine is None) == (theirs is None)
        if mine is not None:
            for name in ("gamma", "beta", "moving_mean", "moving_var"):
                np.testing.assert_allclose(getattr(mine, name), getattr(theirs, name), **TOL)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("per_copy_data", [False, True])
def test_copy_s_is_the_single_net_trained_with_seed_s(activation, batch_norm, per_copy_data):
    sizes = [5, 8, 6, 3]
    data = [blobs(s) for s in SEEDS] if per_copy_data else [blobs(0)] * len(SEEDS)
    X = np.stack([d[0] for d in data]) if per_copy_data else data[0][0]
    y = np.stack([d[1] for d in data]) if per_copy_data else data[0][1]
    kwargs = dict(activation=activation, batch_norm=batch_norm, init_scale=1.5)
    nets = SeedMLP(sizes, gens(SEEDS), **kwargs)
    run = dict(lr=0.2, steps=40, batch_size=16, units=[(1, 0), (0, 4)], record_every=15)
    hist = train_seeds(nets, X, y, rngs=gens(SEEDS, 100), **run)
    assert hist.record_steps.tolist() == [0, 15, 30, 40]
    for s, seed in enumerate(SEEDS):
        single = MLP(sizes, np.random.default_rng(seed), **kwargs)
        ref = train(single, data[s][0], data[s][1], rng=np.random.default_rng(seed + 100), **run)
        assert_same_network(nets.copy(s), single)
        np.testing.assert_allclose(hist.loss[:, s], ref.loss, **TOL)
        np.testing.assert_allclose(hist.probe_accuracy[:, s], ref.probe_accuracy)
        np.testing.assert_allclose(hist.unit_percentiles[:, s], ref.unit_percentiles, **TOL)
        assert not hist.diverged[s] and not ref.diverged


def test_inference_mode_forward_and_backward_match_the_single_nets():
    nets = SeedMLP([5, 7, 3], gens(SEEDS), activation="tanh", batch_norm=True)
    for l in range(1):       # move gamma, beta and the moving statistics off their defaults
        nets.gamma[l] = np.random.default_rng(1).uniform(0.5, 2.0, nets.gamma[l].shape)
        nets.beta[l] = np.random.default_rng(2).normal(size=nets.beta[l].shape)
        nets.moving_mean[l] = np.random.default_rng(3).normal(size=nets.moving_mean[l].shape)
        nets.moving_var[l] = np.random.default_rng(4).uniform(0.5, 2.0, nets.moving_var[l].shape)
    x, y = blobs(5, n=9)
    scores, cache = nets.forward(x, training=False)
    grads = nets.backward(softmax_cross_entropy.math(scores, np.broadcast_to(y, (3, 9)))[1], cache)
    for s in range(len(SEEDS)):
        single = nets.copy(s)
        ref_scores, ref_cache = single.forward(x, training=False)
        ref_grads = single.backward(softmax_cross_entropy(ref_scores, y)[1], ref_cache)
        np.testing.assert_allclose(scores[s], ref_scores, **TOL)
        for key in ("W", "b", "gamma", "beta"):
            for mine, theirs in zip(grads[key], ref_grads[key]):
                np.testing.assert_allclose(mine[s], theirs, **TOL)


def test_a_diverging_copy_dies_alone_without_warnings():
    X, y = blobs(8)
    lr = np.array([0.1, 1e7, 0.1])          # the middle copy blows up
    nets = SeedMLP([5, 8, 3], gens(SEEDS), activation="relu", init_scale=3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):      # nothing may leak out of train_seeds
            hist = train_seeds(nets, X * 1e3, y, lr=lr, steps=60, batch_size=16, rngs=gens(SEEDS, 1))
    assert hist.diverged.tolist() == [False, True, False]
    assert np.isnan(hist.loss[-1, 1]) and np.isnan(hist.probe_accuracy[-1, 1])
    single = MLP([5, 8, 3], np.random.default_rng(SEEDS[2]), activation="relu", init_scale=3.0)
    ref = train(single, X * 1e3, y, lr=0.1, steps=60, batch_size=16, rng=np.random.default_rng(SEEDS[2] + 1))
    np.testing.assert_allclose(hist.loss[:, 2], ref.loss, **TOL)


def test_stack_copy_accuracy_and_loss_per_copy():
    models = [MLP([5, 6, 3], np.random.default_rng(s), init_scale=scale) for s, scale in zip(SEEDS, (1.0, 2.0, 4.0))]
    nets = SeedMLP.stack(models)
    assert nets.n_copies == 3 and nets.init_scale.tolist() == [1.0, 2.0, 4.0]
    X, y = blobs(9)
    for s, m in enumerate(models):
        assert_same_network(nets.copy(s), m)
        assert nets.accuracy(X, y)[s] == m.accuracy(X, y)
        assert nets.loss(X, y)[s] == pytest.approx(softmax_cross_entropy(m.forward(X, False)[0], y)[0])
    bn_nets = SeedMLP([5, 6, 3], gens(SEEDS), batch_norm=True)
    before = bn_nets.moving_mean[0].copy()
    bn_nets.accuracy(X, y, training=True)                 # training mode works on a copy
    assert np.array_equal(bn_nets.moving_mean[0], before)
    copy0 = nets.copy(0)
    copy0.W[0][:] = 0.0                                   # a copy owns its arrays
    assert not np.all(nets.W[0][0] == 0.0)


def test_history_shapes():
    X, y = blobs(10)
    hist = train_seeds(SeedMLP([5, 4, 3], gens(SEEDS)), X, y, lr=0.1, steps=10, batch_size=8,
                       rngs=gens(SEEDS), units=[(0, 1)], record_every=5)
    assert isinstance(hist, SeedHistory)
    assert hist.loss.shape == (10, 3) and hist.probe_accuracy.shape == (3, 3)
    assert hist.unit_percentiles.shape == (3, 3, 1, 3) and hist.diverged.shape == (3,)


@pytest.mark.parametrize("call, error, match", [
    (lambda: SeedMLP([5, 3], np.random.default_rng(0)), TypeError, "rngs must be a sequence"),
    (lambda: SeedMLP([5, 3], []), ValueError, "at least one generator"),
    (lambda: SeedMLP([5, 3], [np.random.default_rng(0), 1]), TypeError, "rngs\\[1\\]"),
    (lambda: SeedMLP.stack([MLP([5, 3], np.random.default_rng(0)), MLP([5, 4], np.random.default_rng(0))]),
     ValueError, "differs"),
    (lambda: SeedMLP([5, 3], gens(SEEDS)).copy(3), ValueError, "s must be a copy"),
    (lambda: SeedMLP([5, 3], gens(SEEDS)).forward(np.ones((2, 2, 5)), True), ValueError, "x must be"),
    (lambda: train_seeds(SeedMLP([5, 3], gens(SEEDS)), *blobs(0), lr=[0.1, 0.2], steps=2, batch_size=4,
                         rngs=gens(SEEDS)), ValueError, "lr must be"),
    (lambda: train_seeds(SeedMLP([5, 3], gens(SEEDS)), *blobs(0), lr=0.1, steps=2, batch_size=4,
                         rngs=gens(SEEDS[:2])), ValueError, "one generator per copy"),
    (lambda: train_seeds(MLP([5, 3], np.random.default_rng(0)), *blobs(0), lr=0.1, steps=2, batch_size=4,
                         rngs=gens(SEEDS)), TypeError, "model must be a SeedMLP"),
])
def test_checks(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_slope_from_output_is_the_activations_derivative_bit_for_bit(name):
    f, f_prime = ACTIVATIONS[name]
    z = np.random.default_rng(0).normal(0.0, 5.0, size=1000)
    assert np.array_equal(SLOPE_FROM_OUTPUT[name](f(z)), f_prime(z))


def test_accuracy_and_loss_check_their_labels():
    nets = SeedMLP([5, 4, 3], gens(SEEDS))
    X, y = blobs(1, n=10)
    assert nets.accuracy(X, np.stack([y] * 3)).shape == (3,)          # one label set per copy works too
    with pytest.raises(TypeError, match="integer class labels"):
        nets.accuracy(X, y.astype(float))
    with pytest.raises(ValueError, match="labels in"):
        nets.loss(X, y + 3)
    with pytest.raises(ValueError, match="one label per example"):
        nets.loss(X, y[:5])
