"""numpy conv2d / max_pool2d against TensorFlow's, and the conv -> BN -> ReLU -> max-pool block."""
import numpy as np
import pytest

from bn_lesson.algorithm import batch_norm
from bn_lesson.models.conv import (
    channel_stats, conv2d, conv_bn_relu_pool, demo_kernels, max_pool2d, output_size,
)

tf = pytest.importorskip("tensorflow")

# float64 on both sides: differences are rounding only
ATOL = 1e-10


@pytest.fixture
def rng():
    return np.random.default_rng(0)


CONV_CASES = [
    # (N, H, W, C_in), (KH, KW, C_out), stride, padding
    ((2, 7, 7, 1), (3, 3, 4), 1, "valid"),
    ((2, 7, 7, 1), (3, 3, 4), 1, "same"),
    ((3, 8, 6, 3), (3, 2, 5), 1, "same"),   # non-square kernel: uneven 'same' padding
    ((2, 9, 9, 2), (3, 3, 3), 2, "same"),
    ((2, 9, 8, 2), (4, 4, 2), 2, "valid"),
    ((1, 5, 5, 2), (1, 1, 3), 1, "valid"),  # 1x1 conv: a per-pixel dense layer
    ((2, 6, 6, 2), (4, 4, 2), 3, "same"),   # even kernel, stride 3
]


@pytest.mark.parametrize("xshape, kshape, stride, padding", CONV_CASES)
def test_conv2d_matches_tf_nn_conv2d(rng, xshape, kshape, stride, padding):
    x = rng.normal(size=xshape)
    kh, kw, c_out = kshape
    w = rng.normal(size=(kh, kw, xshape[-1], c_out))
    ours = conv2d(x, w, stride=stride, padding=padding)
    theirs = tf.nn.conv2d(x, w, strides=stride, padding=padding.upper()).numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=ATOL)
    assert ours.shape[1] == output_size(xshape[1], kh, stride, padding)


def test_conv2d_bias_is_added_per_output_channel(rng):
    x = rng.normal(size=(2, 5, 5, 1))
    w = rng.normal(size=(3, 3, 1, 2))
    b = np.array([10.0, -3.0])
    diff = conv2d(x, w, b) - conv2d(x, w)
    np.testing.assert_allclose(diff, np.broadcast_to(b, diff.shape))


def test_conv2d_of_a_delta_image_is_the_kernel_unflipped():
    x = np.zeros((1, 5, 5, 1))
    x[0, 2, 2, 0] = 1.0
    w = np.arange(9.0).reshape(3, 3, 1, 1)
    z = conv2d(x, w, padding="same")[0, 1:4, 1:4, 0]
    # cross-correlation: output at (i, j) sees the delta through w[2 - di, 2 - dj]
    np.testing.assert_array_equal(z, w[::-1, ::-1, 0, 0])


POOL_CASES = [
    ((2, 8, 8, 3), 2, None, "valid"),
    ((2, 7, 7, 3), 2, None, "valid"),   # odd size: the last row/column is dropped
    ((2, 7, 7, 3), 2, None, "same"),    # odd size: -inf padding keeps it
    ((1, 9, 6, 2), 3, 2, "valid"),      # overlapping windows
    ((1, 9, 6, 2), 3, 2, "same"),
]


@pytest.mark.parametrize("xshape, pool, stride, padding", POOL_CASES)
def test_max_pool2d_matches_tf_nn_max_pool2d(rng, xshape, pool, stride, padding):
    x = rng.normal(size=xshape) - 5.0  # all negative: zero padding would be caught winning the max
    ours = max_pool2d(x, pool, stride, padding)
    theirs = tf.nn.max_pool2d(tf.constant(x, tf.float64), ksize=pool, strides=stride or pool,
                              padding=padding.upper()).numpy()
    assert ours.shape == theirs.shape and theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)


def test_block_stages_have_documented_shapes_and_statistics(rng):
    x = rng.normal(size=(4, 8, 8, 1))
    _, w = demo_kernels()
    gamma, beta = np.array([1.0, 2.0, 0.5, 1.5]), np.array([0.0, 1.0, -1.0, 0.5])
    res = conv_bn_relu_pool(x, w, gamma=gamma, beta=beta)
    assert res.z.shape == res.bn.y.shape == res.a.shape == (4, 8, 8, 4)
    assert res.out.shape == (4, 4, 4, 4)
    assert res.bn.mu.shape == res.bn.var.shape == (4,)
    np.testing.assert_allclose(res.bn.mu, res.z.mean(axis=(0, 1, 2)))
    # after BN every channel has mean beta, whatever the conv produced
    np.testing.assert_allclose(res.bn.y.mean(axis=(0, 1, 2)), beta, atol=1e-12)
    assert (res.a >= 0).all()
    np.testing.assert_array_equal(res.out, max_pool2d(np.maximum(res.bn.y, 0), 2))


def test_block_matches_tensorflow_end_to_end(rng):
    x = rng.normal(size=(3, 6, 6, 2))
    w = rng.normal(size=(3, 3, 2, 3))
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    ours = conv_bn_relu_pool(x, w, gamma=gamma, beta=beta, eps=1e-3).out
    z = tf.nn.conv2d(x, w, 1, "SAME")
    mean, var = tf.nn.moments(z, axes=[0, 1, 2])
    y = tf.nn.batch_normalization(z, mean, var, offset=beta, scale=gamma, variance_epsilon=1e-3)
    theirs = tf.nn.max_pool2d(tf.nn.relu(y), 2, 2, "VALID").numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_a_bias_before_batch_norm_changes_nothing(rng):
    x = rng.normal(size=(4, 6, 6, 1))
    _, w = demo_kernels()
    b = np.array([5.0, -2.0, 100.0, 0.3])
    with_b = conv_bn_relu_pool(x, w, b=b)
    without = conv_bn_relu_pool(x, w)
    np.testing.assert_allclose(with_b.bn.y, without.bn.y, atol=1e-9)
    np.testing.assert_allclose(with_b.bn.mu - without.bn.mu, b, atol=1e-9)


def test_channel_stats_are_batch_norms_statistics(rng):
    x = rng.normal(2.0, 3.0, size=(3, 4, 5, 2))
    mean, std = channel_stats(x)
    res = batch_norm(x, axis=(0, 1, 2))
    np.testing.assert_allclose(mean, res.mu)
    np.testing.assert_allclose(std ** 2, res.var)


def test_demo_kernels_are_hwio_for_grey_images():
    names, w = demo_kernels()
    assert w.shape == (3, 3, 1, 4) and len(names) == 4
    np.testing.assert_allclose(w[..., 0].sum(), 1.0)   # blur keeps brightness
    np.testing.assert_allclose(w[..., 1:].sum(axis=(0, 1, 2)), 0.0)  # edge/spot kernels ignore flat regions


@pytest.mark.parametrize("call, match", [
    (lambda: conv2d(np.ones((2, 5, 5)), np.ones((3, 3, 1, 1))), "x must be a channels-last"),
    (lambda: conv2d(np.ones((2, 5, 5, 1)), np.ones((3, 3, 1))), "w must be a kernel"),
    (lambda: conv2d(np.ones((2, 5, 5, 2)), np.ones((3, 3, 1, 1))), "C_in"),
    (lambda: conv2d(np.ones((2, 5, 5, 1)), np.ones((3, 3, 1, 2)), b=np.ones(3)), "b must have shape"),
    (lambda: conv2d(np.ones((2, 5, 5, 1)), np.ones((3, 3, 1, 1)), padding="SAME"), "padding must be one of"),
    (lambda: conv2d(np.ones((2, 5, 5, 1)), np.ones((3, 3, 1, 1)), stride=0), "stride must be an int >= 1"),
    (lambda: conv2d(np.ones((2, 2, 2, 1)), np.ones((3, 3, 1, 1))), "larger than"),
    (lambda: max_pool2d(np.full((1, 4, 4, 1), np.nan)), "NaN"),
    (lambda: max_pool2d(np.ones((1, 4, 4, 1)), pool_size=5), "larger than"),
    (lambda: channel_stats(np.ones((4, 3))), "channels-last"),
    (lambda: conv_bn_relu_pool(np.ones((1, 3, 3, 1)), np.ones((3, 3, 1, 2)), padding="valid"), "pool_size=2"),
    (lambda: conv_bn_relu_pool(np.ones((2, 4, 4, 1)), np.ones((3, 3, 1, 2)), gamma=np.ones(3)), "gamma"),
    (lambda: output_size(5, 3, padding="full"), "padding must be one of"),
])
def test_bad_values_raise_a_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: conv2d("image", np.ones((3, 3, 1, 1))), "x must be a numeric array"),
    (lambda: conv2d(np.ones((2, 5, 5, 1)), np.ones((3, 3, 1, 1)), stride=1.0), "stride must be an int"),
    (lambda: max_pool2d(np.ones((2, 4, 4, 1)), pool_size=1.5), "pool_size must be an int"),
    (lambda: max_pool2d(np.ones((2, 4, 4, 1)), pool_size=True), "pool_size must be an int"),
    (lambda: conv_bn_relu_pool(np.ones((2, 4, 4, 1)), np.ones((3, 3, 1, 2)), pool_size=None), "pool_size"),
    (lambda: output_size(5.0, 3), "size must be an int"),
])
def test_wrong_kinds_raise_a_type_error(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_outputs_are_float64_whatever_goes_in():
    x = np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4, 1)
    w = np.ones((3, 3, 1, 2), dtype=np.int64)
    assert conv2d(x, w).dtype == np.float64
    assert max_pool2d(x).dtype == np.float64
    assert conv_bn_relu_pool(x, w).out.dtype == np.float64
    assert all(s.dtype == np.float64 for s in channel_stats(x))
