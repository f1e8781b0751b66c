"""bn_lesson.tf.compare: the TensorFlow/Keras helpers of chapters 07-10, against references."""
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from bn_lesson import BatchNorm, batch_norm  # noqa: E402
from bn_lesson.tf import compare as tf_bn  # noqa: E402
from bn_lesson.models.conv import conv_bn_relu_pool  # noqa: E402
from bn_lesson.gradcheck import rel_error  # noqa: E402

F32 = dict(rtol=1e-5, atol=1e-5)  # float32 arithmetic inside TensorFlow


# --- chapter 07/09: comparisons and gradients ---

def _batch(shape, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[-1]
    return rng.normal(rng.uniform(-5, 5, c), rng.uniform(0.1, 4, c), size=shape)


@pytest.mark.parametrize("shape, axis", [((32, 5), 0), ((4, 6, 6, 3), (0, 1, 2))], ids=["dense", "conv"])
def test_compare_implementations_three_outputs_agree_and_match_the_formula(shape, axis):
    x = _batch(shape)
    c = shape[-1]
    gamma, beta = np.linspace(0.5, 2.0, c), np.linspace(-1.0, 1.0, c)
    cmp = tf_bn.compare_implementations(x, gamma, beta, eps=1e-3, axis=axis)
    x32 = x.astype(np.float32).astype(np.float64)
    want = gamma * (x32 - x32.mean(axis)) / np.sqrt(x32.var(axis) + 1e-3) + beta
    np.testing.assert_allclose(cmp.numpy, want, rtol=1e-12, atol=1e-12)
    for y in (cmp.tf_nn, cmp.keras):
        assert y.shape == x.shape
        np.testing.assert_allclose(y, want, **F32)
    assert set(cmp.max_diff) == {"numpy vs tf.nn", "numpy vs keras", "tf.nn vs keras"}
    assert all(0 <= d < 1e-5 for d in cmp.max_diff.values())
    assert cmp.max_diff["numpy vs tf.nn"] == pytest.approx(np.abs(cmp.numpy - cmp.tf_nn).max())


def test_compare_implementations_passes_eps_to_all_three():
    x = _batch((8, 3)) * 1e-2  # variances ~1e-4 .. 1e-3: eps=1e-3 changes the output a lot
    big = tf_bn.compare_implementations(x, 1.0, 0.0, eps=1e-1)
    small = tf_bn.compare_implementations(x, 1.0, 0.0, eps=1e-6)
    for y in ("numpy", "tf_nn", "keras"):
        assert np.abs(getattr(big, y)).max() < 0.5 * np.abs(getattr(small, y)).max()
    assert max(big.max_diff.values()) < 1e-5


def test_compare_implementations_rejects_bad_input():
    x = _batch((2, 4, 4, 3))
    with pytest.raises(ValueError, match="axis"):  # keeps H, W and C: Keras keeps only one axis
        tf_bn.compare_implementations(x, 1.0, 0.0, axis=0)
    with pytest.raises(ValueError, match="gamma"):
        tf_bn.compare_implementations(x, np.ones(4), 0.0, axis=(0, 1, 2))
    with pytest.raises(ValueError, match="eps"):
        tf_bn.compare_implementations(x, 1.0, 0.0, eps=-1, axis=(0, 1, 2))


def test_compare_moving_statistics_matches_keras_and_the_closed_form():
    rng = np.random.default_rng(3)
    x = rng.normal(4.0, 2.0, size=(16, 3)).astype(np.float32).astype(np.float64)  # what TF sees
    steps, m = 6, 0.9
    ms = tf_bn.compare_moving_statistics([x] * steps, momentum=m, eps=1e-3)
    assert ms.ours_mean.shape == ms.keras_var.shape == (steps + 1, 3)
    np.testing.assert_array_equal(ms.ours_mean[0], 0.0)
    np.testing.assert_array_equal(ms.keras_var[0], 1.0)
    # the same batch every step: moving = m^k * start + (1 - m^k) * batch statistic
    k = np.arange(steps + 1)[:, None]
    np.testing.assert_allclose(ms.ours_mean, (1 - m ** k) * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(ms.ours_var, m ** k + (1 - m ** k) * x.var(0), rtol=1e-12)
    np.testing.assert_allclose(ms.keras_mean, ms.ours_mean, **F32)
    assert ms.max_diff < 1e-5


def test_compare_moving_statistics_conv_batches_and_errors():
    batches = [_batch((2, 3, 3, 4), seed=s) for s in range(3)]
    ms = tf_bn.compare_moving_statistics(batches)  # Keras' defaults
    assert ms.ours_mean.shape == (4, 4) and ms.max_diff < 1e-5
    with pytest.raises(ValueError, match="empty"):
        tf_bn.compare_moving_statistics([])
    with pytest.raises(ValueError, match=r"batches\[1\]"):
        tf_bn.compare_moving_statistics([np.ones((4, 3)), np.ones((4, 2))])


def test_conv_bn_relu_pool_model_matches_the_numpy_block():
    model = tf_bn.conv_bn_relu_pool_model((8, 8, 2), filters=3, seed=1)
    assert [layer.name for layer in model.layers] == ["conv", "bn", "relu", "pool"]
    assert model.get_layer("conv").use_bias is False
    assert model.output_shape == (None, 4, 4, 3)
    x = _batch((5, 8, 8, 2)).astype(np.float32)
    bn = model.get_layer("bn")
    bn.gamma.assign(np.array([0.5, 1.0, 2.0], np.float32))
    bn.beta.assign(np.array([-1.0, 0.0, 1.0], np.float32))
    kernel = model.get_layer("conv").kernel.numpy().astype(np.float64)
    want = conv_bn_relu_pool(x.astype(np.float64), kernel, gamma=[0.5, 1.0, 2.0], beta=[-1.0, 0.0, 1.0]).out
    np.testing.assert_allclose(model(x, training=True).numpy(), want, rtol=1e-4, atol=1e-4)


def test_conv_bn_relu_pool_model_seed_and_errors():
    k1 = tf_bn.conv_bn_relu_pool_model((6, 6, 1), 2, seed=7).get_layer("conv").kernel.numpy()
    k2 = tf_bn.conv_bn_relu_pool_model((6, 6, 1), 2, seed=7).get_layer("conv").kernel.numpy()
    np.testing.assert_array_equal(k1, k2)
    with pytest.raises(ValueError, match="input_shape"):
        tf_bn.conv_bn_relu_pool_model((6, 6), 2)
    with pytest.raises(ValueError, match="filters"):
        tf_bn.conv_bn_relu_pool_model((6, 6, 1), 0)


def test_fine_tuning_trap_shows_which_setups_keep_the_moving_statistics():
    rng = np.random.default_rng(0)
    xs, xt = rng.normal(0, 1, (64, 3)), rng.normal(2, 1, (32, 3))
    out = tf_bn.fine_tuning_trap(xs, xt, xt.sum(1), units=4, batch_size=4, learning_rate=1e-3)
    assert tuple(out) == tf_bn.FINE_TUNING_SETUPS
    frozen = out["bn.trainable = False"]
    assert frozen.gamma_change == 0.0 and frozen.moving_mean_change == 0.0
    call_time = out["model(x, training=False) in the step"]
    assert call_time.gamma_change > 0 and call_time.moving_mean_change == 0.0
    # Keras 3: fit's training=True overrides a training=False recorded when the model was built
    for setup in ("base(x, training=False) when building", "neither"):
        assert out[setup].gamma_change > 0 and out[setup].moving_mean_change > 0.1
    assert call_time.moving_var_change == 0.0 and out["neither"].moving_var_change > 0


def test_fine_tuning_trap_rejects_bad_input():
    x = np.ones((8, 3))
    with pytest.raises(ValueError, match="same D"):
        tf_bn.fine_tuning_trap(x, np.ones((8, 2)), np.ones(8))
    with pytest.raises(ValueError, match="y_target"):
        tf_bn.fine_tuning_trap(x, x, np.ones(7))
    with pytest.raises(ValueError, match="learning_rate"):
        tf_bn.fine_tuning_trap(x, x, np.ones(8), learning_rate=0)


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
    numeric = tf_bn.numerical_bn_gradients(x, gamma, beta, dout)
    tape = tf_bn.tape_bn_gradients(x, gamma, beta, dout)
    for a, n, t in zip(analytic, numeric, tape):
        assert a.shape == n.shape == t.shape
        assert rel_error(a, n) < 1e-7
        assert rel_error(a, t) < 1e-12
    np.testing.assert_allclose(numeric[2], dout.reshape(-1, c).sum(0), rtol=1e-8)  # dbeta = sum dout


def test_gradient_helpers_reject_bad_input():
    x = np.ones((4, 2)) + np.arange(8).reshape(4, 2)
    with pytest.raises(ValueError, match="dout"):
        tf_bn.numerical_bn_gradients(x, 1.0, 0.0, np.ones((4, 3)))
    with pytest.raises(ValueError, match="h must"):
        tf_bn.numerical_bn_gradients(x, 1.0, 0.0, np.ones((4, 2)), h=0)
    with pytest.raises(ValueError, match="gamma"):
        tf_bn.tape_bn_gradients(x, np.ones(3), 0.0, np.ones((4, 2)))
    with pytest.raises(ValueError, match="W"):
        tf_bn.dense_bn_gradients(x, np.ones((3, 2)), np.ones((4, 2)))


def test_dense_bn_gradients_chain_rule_and_scale_invariance():
    rng = np.random.default_rng(5)
    u, W, dout = rng.normal(size=(16, 5)), rng.normal(size=(5, 3)), rng.normal(size=(16, 3))
    y, du, dW = tf_bn.dense_bn_gradients(u, W, dout, eps=1e-3)
    layer = BatchNorm(3)
    y_ref, cache = layer.forward(u @ W, training=True)
    dz, _, _ = layer.backward(dout, cache)
    np.testing.assert_allclose(y, y_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(du, dz @ W.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dW, u.T @ dz, rtol=1e-10, atol=1e-12)
    # section 3.3: with eps = 0, BN(u (aW)) = BN(u W), du is unchanged and dW scales by 1/a
    _, du1, dW1 = tf_bn.dense_bn_gradients(u, W, dout, eps=0.0)
    for a in (0.01, 100.0):
        ya, dua, dWa = tf_bn.dense_bn_gradients(u, a * W, dout, eps=0.0)
        assert rel_error(du1, dua) < 1e-12
        assert rel_error(dW1, a * dWa) < 1e-12
    # eps breaks it once the scaled variance comes near eps
    _, du_eps, _ = tf_bn.dense_bn_gradients(u, W, dout, eps=1e-3)
    _, du_small, _ = tf_bn.dense_bn_gradients(u, 0.01 * W, dout, eps=1e-3)
    assert rel_error(du_eps, du_small) > 0.1


def test_plot_moving_statistics_draws_both_histories():
    import matplotlib
    matplotlib.use("Agg")
    batches = [_batch((8, 2), seed=s) for s in range(4)]
    ms = tf_bn.compare_moving_statistics(batches)
    ax = tf_bn.plot_moving_statistics(ms, feature=1, which="var", target=2.0)
    ours, keras_line, target = ax.lines
    np.testing.assert_array_equal(ours.get_ydata(), ms.ours_var[:, 1])
    np.testing.assert_array_equal(keras_line.get_ydata(), ms.keras_var[:, 1])
    assert list(target.get_ydata()) == [2.0, 2.0]
    with pytest.raises(ValueError, match="which"):
        tf_bn.plot_moving_statistics(ms, which="std")
    with pytest.raises(ValueError, match="feature"):
        tf_bn.plot_moving_statistics(ms, feature=2)


def test_gradients_vs_weight_scale_follows_section_3_3():
    import matplotlib
    matplotlib.use("Agg")
    rng = np.random.default_rng(8)
    u, W, dout = rng.normal(size=(20, 4)), rng.normal(size=(4, 3)), rng.normal(size=(20, 3))
    scales = np.array([0.1, 1.0, 10.0])
    r = tf_bn.gradients_vs_weight_scale(u, W, dout, scales, eps=0.0)
    np.testing.assert_allclose(r.du_bn, r.du_bn[1], rtol=1e-10)                 # invariant
    np.testing.assert_allclose(r.dW_bn * scales, r.dW_bn[1], rtol=1e-10)       # falls as 1/a
    np.testing.assert_allclose(r.du_plain / scales, r.du_plain[1], rtol=1e-12)  # grows as a
    np.testing.assert_allclose(r.dW_plain, r.dW_plain[1], rtol=1e-12)          # independent of a
    _, du, dW = tf_bn.dense_bn_gradients(u, 10.0 * W, dout, eps=0.0)
    assert r.du_bn[2] == pytest.approx(np.linalg.norm(du)) and r.dW_bn[2] == pytest.approx(np.linalg.norm(dW))
    with_eps = tf_bn.gradients_vs_weight_scale(u, W, dout, [0.01, 1.0], eps=1e-3)
    assert with_eps.du_bn[0] < 0.9 * with_eps.du_bn[1]  # eps breaks the invariance for small weights
    ax = tf_bn.plot_gradients_vs_weight_scale(r)
    assert len(ax.lines) == 4 and ax.get_xscale() == "log"
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), r.dW_bn)
    with pytest.raises(ValueError, match="scales"):
        tf_bn.gradients_vs_weight_scale(u, W, dout, [1.0, -1.0])
