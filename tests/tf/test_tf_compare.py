"""bn_lesson.tf.compare: numpy vs tf.nn vs Keras, moving statistics, the conv block model (chapter 07)."""
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from bn_lesson.tf import compare  # noqa: E402
from bn_lesson.models.conv import conv_bn_relu_pool  # noqa: E402
from bn_lesson.constants import DEFAULT_EPS  # noqa: E402

F32 = dict(rtol=1e-5, atol=1e-5)  # float32 arithmetic inside TensorFlow


def _batch(shape, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[-1]
    return rng.normal(rng.uniform(-5, 5, c), rng.uniform(0.1, 4, c), size=shape)


@pytest.mark.parametrize("shape, axis", [((32, 5), 0), ((4, 6, 6, 3), (0, 1, 2))], ids=["dense", "conv"])
def test_compare_implementations_three_outputs_agree_and_match_the_formula(shape, axis):
    x = _batch(shape)
    c = shape[-1]
    gamma, beta = np.linspace(0.5, 2.0, c), np.linspace(-1.0, 1.0, c)
    cmp = compare.compare_implementations(x, gamma, beta, eps=DEFAULT_EPS, axis=axis)
    x32 = x.astype(np.float32).astype(np.float64)
    want = gamma * (x32 - x32.mean(axis)) / np.sqrt(x32.var(axis) + DEFAULT_EPS) + beta
    np.testing.assert_allclose(cmp.numpy, want, rtol=1e-12, atol=1e-12)
    for y in (cmp.tf_nn, cmp.keras):
        assert y.shape == x.shape
        np.testing.assert_allclose(y, want, **F32)
    assert set(cmp.max_diff) == {"numpy vs tf.nn", "numpy vs keras", "tf.nn vs keras"}
    assert all(0 <= d < 1e-5 for d in cmp.max_diff.values())
    assert cmp.max_diff["numpy vs tf.nn"] == pytest.approx(np.abs(cmp.numpy - cmp.tf_nn).max())


def test_compare_implementations_passes_eps_to_all_three():
    x = _batch((8, 3)) * 1e-2  # variances ~1e-4 .. 1e-3: eps=DEFAULT_EPS changes the output a lot
    big = compare.compare_implementations(x, 1.0, 0.0, eps=1e-1)
    small = compare.compare_implementations(x, 1.0, 0.0, eps=1e-6)
    for y in ("numpy", "tf_nn", "keras"):
        assert np.abs(getattr(big, y)).max() < 0.5 * np.abs(getattr(small, y)).max()
    assert max(big.max_diff.values()) < 1e-5


def test_compare_implementations_rejects_bad_input():
    x = _batch((2, 4, 4, 3))
    with pytest.raises(ValueError, match="axis"):  # keeps H, W and C: Keras keeps only one axis
        compare.compare_implementations(x, 1.0, 0.0, axis=0)
    with pytest.raises(ValueError, match="gamma"):
        compare.compare_implementations(x, np.ones(4), 0.0, axis=(0, 1, 2))
    with pytest.raises(ValueError, match="eps"):
        compare.compare_implementations(x, 1.0, 0.0, eps=-1, axis=(0, 1, 2))


def test_compare_moving_statistics_matches_keras_and_the_closed_form():
    rng = np.random.default_rng(3)
    x = rng.normal(4.0, 2.0, size=(16, 3)).astype(np.float32).astype(np.float64)  # what TF sees
    steps, m = 6, 0.9
    ms = compare.compare_moving_statistics([x] * steps, momentum=m, eps=DEFAULT_EPS)
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
    ms = compare.compare_moving_statistics(batches)  # Keras' defaults
    assert ms.ours_mean.shape == (4, 4) and ms.max_diff < 1e-5
    with pytest.raises(ValueError, match="empty"):
        compare.compare_moving_statistics([])
    with pytest.raises(ValueError, match=r"batches\[1\]"):
        compare.compare_moving_statistics([np.ones((4, 3)), np.ones((4, 2))])


def test_conv_bn_relu_pool_model_matches_the_numpy_block():
    model = compare.conv_bn_relu_pool_model((8, 8, 2), filters=3, seed=1)
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
    k1 = compare.conv_bn_relu_pool_model((6, 6, 1), 2, seed=7).get_layer("conv").kernel.numpy()
    k2 = compare.conv_bn_relu_pool_model((6, 6, 1), 2, seed=7).get_layer("conv").kernel.numpy()
    np.testing.assert_array_equal(k1, k2)
    with pytest.raises(ValueError, match="input_shape"):
        compare.conv_bn_relu_pool_model((6, 6), 2)
    with pytest.raises(ValueError, match="filters"):
        compare.conv_bn_relu_pool_model((6, 6, 1), 0)


def test_plot_moving_statistics_draws_both_histories():
    import matplotlib
    matplotlib.use("Agg")
    batches = [_batch((8, 2), seed=s) for s in range(4)]
    ms = compare.compare_moving_statistics(batches)
    ax = compare.plot_moving_statistics(ms, feature=1, which="var", target=2.0)
    ours, keras_line, target = ax.lines
    np.testing.assert_array_equal(ours.get_ydata(), ms.ours_var[:, 1])
    np.testing.assert_array_equal(keras_line.get_ydata(), ms.keras_var[:, 1])
    assert list(target.get_ydata()) == [2.0, 2.0]
    with pytest.raises(ValueError, match="which"):
        compare.plot_moving_statistics(ms, which="std")
    with pytest.raises(ValueError, match="feature"):
        compare.plot_moving_statistics(ms, feature=2)


def test_boundary_type_errors_name_the_argument():
    x = _batch((6, 2))
    with pytest.raises(TypeError, match="eps"):
        compare.compare_implementations(x, 1.0, 0.0, eps=None)
    with pytest.raises(TypeError, match="momentum"):
        compare.compare_moving_statistics([x], momentum="0.9")
    with pytest.raises(ValueError, match="momentum"):
        compare.compare_moving_statistics([x], momentum=1.0)
    with pytest.raises(TypeError, match="filters"):
        compare.conv_bn_relu_pool_model((6, 6, 1), 2.0)
