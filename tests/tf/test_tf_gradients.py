"""bn_lesson.tf.gradients: central differences, GradientTape and section 3.3 (chapter 09)."""
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from bn_lesson import BatchNorm  # noqa: E402
from bn_lesson.tf import gradients  # noqa: E402
from bn_lesson.gradcheck import rel_error  # noqa: E402
from bn_lesson.constants import DEFAULT_EPS  # noqa: E402


def _batch(shape, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[-1]
    return rng.normal(rng.uniform(-5, 5, c), rng.uniform(0.1, 4, c), size=shape)


def test_rel_error_used_by_the_gradient_checks():
    a = np.array([3.0, 4.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(a, -a) == pytest.approx(1.0)
    assert rel_error(a, 1.1 * a) == pytest.approx(0.1 / 2.1)
    with pytest.raises(ValueError):
        rel_error(a, np.ones(3))


@pytest.mark.parametrize("shape", [(6, 3), (2, 4), (2, 3, 3, 2)], ids=["dense", "batch of 2", "conv"])
def test_backward_numerical_and_tape_gradients_agree(shape):
    rng = np.random.default_rng(11)
    x = _batch(shape, seed=4)
    c = shape[-1]
    gamma, beta, dout = rng.uniform(0.5, 2, c), rng.normal(size=c), rng.normal(size=shape)
    layer = BatchNorm(c)
    layer.gamma, layer.beta = gamma, beta
    _, cache = layer.forward(x, training=True)
    analytic = layer.backward(dout, cache)
    numeric = gradients.numerical_bn_gradients(x, gamma, beta, dout)
    tape = gradients.tape_bn_gradients(x, gamma, beta, dout)
    for a, n, t in zip(analytic, numeric, tape):
        assert a.shape == n.shape == t.shape
        assert rel_error(a, n) < 1e-7
        assert rel_error(a, t) < 1e-12
    np.testing.assert_allclose(numeric[2], dout.reshape(-1, c).sum(0), rtol=1e-8)  # dbeta = sum dout


def test_gradient_helpers_reject_bad_input():
    x = np.ones((4, 2)) + np.arange(8).reshape(4, 2)
    with pytest.raises(ValueError, match="dout"):
        gradients.numerical_bn_gradients(x, 1.0, 0.0, np.ones((4, 3)))
    with pytest.raises(ValueError, match="h must"):
        gradients.numerical_bn_gradients(x, 1.0, 0.0, np.ones((4, 2)), h=0)
    with pytest.raises(ValueError, match="gamma"):
        gradients.tape_bn_gradients(x, np.ones(3), 0.0, np.ones((4, 2)))
    with pytest.raises(ValueError, match="W"):
        gradients.dense_bn_gradients(x, np.ones((3, 2)), np.ones((4, 2)))


def test_dense_bn_gradients_chain_rule_and_scale_invariance():
    rng = np.random.default_rng(5)
    u, W, dout = rng.normal(size=(16, 5)), rng.normal(size=(5, 3)), rng.normal(size=(16, 3))
    y, du, dW = gradients.dense_bn_gradients(u, W, dout, eps=DEFAULT_EPS)
    layer = BatchNorm(3)
    y_ref, cache = layer.forward(u @ W, training=True)
    dz, _, _ = layer.backward(dout, cache)
    np.testing.assert_allclose(y, y_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(du, dz @ W.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dW, u.T @ dz, rtol=1e-10, atol=1e-12)
    # section 3.3: with eps = 0, BN(u (aW)) = BN(u W), du is unchanged and dW scales by 1/a
    _, du1, dW1 = gradients.dense_bn_gradients(u, W, dout, eps=0.0)
    for a in (0.01, 100.0):
        ya, dua, dWa = gradients.dense_bn_gradients(u, a * W, dout, eps=0.0)
        assert rel_error(du1, dua) < 1e-12
        assert rel_error(dW1, a * dWa) < 1e-12
    # eps breaks it once the scaled variance comes near eps
    _, du_eps, _ = gradients.dense_bn_gradients(u, W, dout, eps=DEFAULT_EPS)
    _, du_small, _ = gradients.dense_bn_gradients(u, 0.01 * W, dout, eps=DEFAULT_EPS)
    assert rel_error(du_eps, du_small) > 0.1


def test_gradients_vs_weight_scale_follows_section_3_3():
    import matplotlib
    matplotlib.use("Agg")
    rng = np.random.default_rng(8)
    u, W, dout = rng.normal(size=(20, 4)), rng.normal(size=(4, 3)), rng.normal(size=(20, 3))
    scales = np.array([0.1, 1.0, 10.0])
    r = gradients.gradients_vs_weight_scale(u, W, dout, scales, eps=0.0)
    np.testing.assert_allclose(r.du_bn, r.du_bn[1], rtol=1e-10)                 # invariant
    np.testing.assert_allclose(r.dW_bn * scales, r.dW_bn[1], rtol=1e-10)       # falls as 1/a
    np.testing.assert_allclose(r.du_plain / scales, r.du_plain[1], rtol=1e-12)  # grows as a
    np.testing.assert_allclose(r.dW_plain, r.dW_plain[1], rtol=1e-12)          # independent of a
    _, du, dW = gradients.dense_bn_gradients(u, 10.0 * W, dout, eps=0.0)
    assert r.du_bn[2] == pytest.approx(np.linalg.norm(du)) and r.dW_bn[2] == pytest.approx(np.linalg.norm(dW))
    with_eps = gradients.gradients_vs_weight_scale(u, W, dout, [0.01, 1.0], eps=DEFAULT_EPS)
    assert with_eps.du_bn[0] < 0.9 * with_eps.du_bn[1]  # eps breaks the invariance for small weights
    ax = gradients.plot_gradients_vs_weight_scale(r)
    assert len(ax.lines) == 4 and ax.get_xscale() == "log"
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), r.dW_bn)
    with pytest.raises(ValueError, match="scales"):
        gradients.gradients_vs_weight_scale(u, W, dout, [1.0, -1.0])


@pytest.mark.parametrize("x", [np.full((4, 2), 0.1) + [0.0, 1.0] * np.arange(4)[:, None], np.ones((1, 3))],
                         ids=["constant column of 0.1", "batch of one"])
def test_gradient_helpers_refuse_a_zero_variance_with_eps_0_like_numpy(x):
    dout = np.ones_like(x)
    with pytest.raises(ValueError, match="eps=0"):   # the numpy batch_norm says the same
        from bn_lesson import batch_norm
        batch_norm(x, eps=0.0)
    for fn in (gradients.tape_bn_gradients, gradients.numerical_bn_gradients):
        with pytest.raises(ValueError, match="eps=0.*(constant|batch of one)"):
            fn(x, 1.0, 0.0, dout, eps=0.0)
    assert np.isfinite(gradients.tape_bn_gradients(x, 1.0, 0.0, dout, eps=DEFAULT_EPS)[0]).all()  # eps > 0 is fine
    with pytest.raises(ValueError, match="eps=0"):
        gradients.dense_bn_gradients(x, np.eye(x.shape[1]), dout, eps=0.0)


def test_gradient_helpers_type_errors_name_the_argument():
    x = np.arange(8.0).reshape(4, 2)
    with pytest.raises(TypeError, match="dout"):
        gradients.tape_bn_gradients(x, 1.0, 0.0, None)
    with pytest.raises(TypeError, match="eps"):
        gradients.tape_bn_gradients(x, 1.0, 0.0, np.ones((4, 2)), eps="0.1")
    with pytest.raises(ValueError, match="features on the last axis"):
        gradients.tape_bn_gradients(np.arange(4.0), 1.0, 0.0, np.ones(4))
