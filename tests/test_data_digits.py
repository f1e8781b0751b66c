import numpy as np
import pytest

from bn_lesson.data import digits_pixels, digits_shuffled, digits_split


def test_pixels_are_bundled_and_scaled():
    X, y = digits_pixels()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0 and X.max() == 1


def test_split_is_stratified_and_centred_on_training_pixels():
    d = digits_split(0)
    assert d.X_train.shape == (1257, 64) and d.X_test.shape == (540, 64)
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0, atol=1e-12)
    share_train = np.bincount(d.y_train) / len(d.y_train)
    share_test = np.bincount(d.y_test) / len(d.y_test)
    np.testing.assert_allclose(share_train, share_test, atol=0.01)


def test_shuffled_shapes_dtypes_and_images_view():
    x_tr, y_tr, x_te, y_te = digits_shuffled(np.random.default_rng(0), n_test=500)
    assert x_tr.shape == (1297, 64) and x_te.shape == (500, 64) and y_te.shape == (500,)
    assert x_tr.dtype == np.float32 and y_tr.dtype == np.int32 and 0 <= x_tr.min() and x_tr.max() <= 1
    assert set(np.unique(y_tr)) == set(range(10))
    imgs = digits_shuffled(np.random.default_rng(0), images=True)[0]
    np.testing.assert_array_equal(imgs.reshape(len(imgs), -1), x_tr)  # same rng, same split


@pytest.mark.parametrize("call, error, message", [
    (lambda: digits_split(0, test_size=2), ValueError, "test_size must be"),
    (lambda: digits_shuffled(0), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: digits_shuffled(np.random.default_rng(0), n_test=5000), ValueError, "n_test must be"),
    (lambda: digits_shuffled(np.random.default_rng(0), n_test=True), TypeError, "n_test must be an int"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
