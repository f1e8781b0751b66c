"""Data the lessons use. Everything ships inside an installed package or is generated: nothing is downloaded."""
from typing import NamedTuple

import numpy as np

from ._checks import check_bool, check_choice, check_number, check_positive_int, check_rng


class Dataset(NamedTuple):
    X: np.ndarray         #: (N, D) features
    y: np.ndarray         #: (N,) target
    feature_names: tuple  #: D names
    target_name: str


def digits_pixels():
    """scikit-learn's bundled handwritten digits: 1797 8x8 grey images of 0-9, read from disk.

    Returns
    -------
    X : (1797, 64) float64 ndarray -- pixels scaled from 0..16 to [0, 1], row-major 8x8
    y : (1797,) int ndarray -- the digit shown
    """
    from sklearn.datasets import load_digits  # bundled with scikit-learn, nothing is downloaded

    digits = load_digits()
    return digits.data / 16.0, digits.target


class DigitsSplit(NamedTuple):
    X_train: np.ndarray  #: (1257, 64)
    X_test: np.ndarray   #: (540, 64)
    y_train: np.ndarray  #: (1257,)
    y_test: np.ndarray   #: (540,)


def digits_split(seed=0, test_size=0.3):
    """The digits as a stratified train/test split, centred on the training pixels' mean (numpy chapters).

    Parameters
    ----------
    seed : int -- fixes which images are held out
    test_size : float in (0, 1)

    Returns
    -------
    DigitsSplit(X_train, X_test, y_train, y_test), 70/30 by default, every class in both parts
    in proportion
    """
    from sklearn.model_selection import train_test_split

    test_size = check_number(test_size, "test_size", 0.0, 1.0, low_open=True, high_open=True)
    X, y = digits_pixels()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    mean = X_train.mean(axis=0)  # (64,)
    return DigitsSplit(X_train - mean, X_test - mean, y_train, y_test)


def digits_shuffled(rng, n_test=500, images=False):
    """The digits shuffled by ``rng`` and split, as float32/int32 arrays ready for TensorFlow.

    Parameters
    ----------
    rng : numpy.random.Generator -- shuffles the examples before the split
    n_test : int -- examples held out for testing (the rest train)
    images : bool -- False: flat (N, 64) rows; True: (N, 8, 8, 1) channels-last images

    Returns
    -------
    x_train : (1797 - n_test, 64) or (1797 - n_test, 8, 8, 1) float32 array, pixels in [0, 1]
    y_train : (1797 - n_test,) int32 array of labels 0-9
    x_test, y_test : the same for the n_test held-out examples
    """
    rng, images = check_rng(rng), check_bool(images, "images")
    X, y = digits_pixels()
    n = len(y)
    if check_positive_int(n_test, "n_test") >= n:
        raise ValueError(f"n_test must be an int in [1, {n - 1}], got {n_test!r}")
    order = rng.permutation(n)
    x = X[order].astype(np.float32)  # (N, 64)
    if images:
        x = x.reshape(-1, 8, 8, 1)
    y = y[order].astype(np.int32)
    return x[n_test:], y[n_test:], x[:n_test], y[:n_test]


def wine_regression():
    """scikit-learn's bundled wine data (178 wines, 13 chemical measurements), as a regression task.

    The target is the alcohol content; the features are the other 12 measurements, whose scales
    differ by orders of magnitude (proline ~ 750, hue ~ 1, nonflavanoid phenols ~ 0.4).

    Returns
    -------
    Dataset(X (178, 12), y (178,), feature_names, target_name)
    """
    from sklearn.datasets import load_wine  # bundled with scikit-learn, read from disk

    wine = load_wine()
    names = list(wine.feature_names)
    target = names.index("alcohol")
    keep = [i for i in range(len(names)) if i != target]
    return Dataset(wine.data[:, keep].astype(float), wine.data[:, target].astype(float),
                   tuple(names[i] for i in keep), "alcohol")


#: the input distributions ``sample_distribution`` can draw, for the explorer widget
DISTRIBUTIONS = ("normal", "skewed", "bimodal", "tiny-variance", "constant")


def sample_distribution(kind, n, rng, n_features=1):
    """Draw a mini-batch from one of a few input distributions that make batch norm's steps visible.

    Parameters
    ----------
    kind : str, one of ``DISTRIBUTIONS``
        * ``"normal"``        -- mean 3, std 2: the textbook case.
        * ``"skewed"``        -- 2 + Exponential(scale 2): mean 4, std 2, skewness 2 (a long right tail).
        * ``"bimodal"``       -- an even mix of N(-1, 0.8^2) and N(5, 0.8^2): mean 2, std ~3.1, two humps.
        * ``"tiny-variance"`` -- mean 3, std 0.01 (variance 1e-4, below Keras' eps = 1e-3): a nearly
          dead feature, where eps matters.
        * ``"constant"``      -- every value 3.0 (variance exactly 0): eps = 0 would divide 0 by 0.
    n : int >= 1 -- the batch size
    rng : numpy.random.Generator
    n_features : int >= 1

    Returns
    -------
    x : (n, n_features) ndarray of float
    """
    kind, rng = check_choice(kind, "kind", DISTRIBUTIONS), check_rng(rng)
    shape = (check_positive_int(n, "n"), check_positive_int(n_features, "n_features"))
    if kind == "normal":
        return 3.0 + 2.0 * rng.standard_normal(shape)
    if kind == "skewed":
        return 2.0 + rng.exponential(2.0, shape)
    if kind == "bimodal":
        centre = np.where(rng.random(shape) < 0.5, -1.0, 5.0)
        return centre + 0.8 * rng.standard_normal(shape)
    if kind == "tiny-variance":
        return 3.0 + 0.01 * rng.standard_normal(shape)
    return np.full(shape, 3.0)  # "constant"
