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
