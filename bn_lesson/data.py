"""Data the lessons use. Everything ships inside an installed package or is generated: nothing is downloaded."""
from typing import NamedTuple

import numpy as np


class Dataset(NamedTuple):
    X: np.ndarray         #: (N, D) features
    y: np.ndarray         #: (N,) target
    feature_names: tuple  #: D names
    target_name: str


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
    if kind not in DISTRIBUTIONS:
        raise ValueError(f"kind must be one of {DISTRIBUTIONS}, got {kind!r}")
    for name, value in (("n", n), ("n_features", n_features)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    shape = (int(n), int(n_features))
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
