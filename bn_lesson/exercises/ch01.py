"""Chapter 01, standardizing data: write the z-score."""
import numpy as np

from ._harness import TIME_LIMIT, Case, check
from ._judges import compare
from ._reference import normalized


def zscore(x):
    """(N, D) -> (N, D): every feature (column) with mean 0 and standard deviation 1."""
    return (x - x.mean(axis=0)) / x.std(axis=0)   # the population std (divide by N), per column


def check_zscore(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x) -> z``: the per-feature (axis 0) z-score of an (N, D) array, like the wine data."""
    rng = np.random.default_rng(101)
    cases = [
        Case("a (6, 3) batch", x=rng.normal(2.0, 3.0, size=(6, 3))),
        Case("a batch of 2", x=rng.normal(0.0, 1.0, size=(2, 4))),
        Case("features with large offsets (around 1e4)", x=1e4 + rng.normal(0.0, 5.0, size=(7, 3))),
        Case("features on very different scales", x=rng.normal(0, 1, size=(9, 3)) * [0.01, 1.0, 300.0]),
        Case("a single feature, (5, 1)", x=rng.normal(-4.0, 0.5, size=(5, 1))),
    ]
    mistakes = [
        ("your answer divides by the *sample* std (ddof=1); use the population std, x.std(axis=0)",
         lambda x: normalized(x, 0, ddof=1)),
        ("you divided by the variance instead of the standard deviation", lambda x: (x - x.mean(0)) / x.var(0)),
        ("you forgot to subtract the mean", lambda x: x / x.std(0)),
        ("you standardized each row (axis=1); standardize each feature, i.e. each column (axis=0)",
         lambda x: normalized(x, 1)),
        ("you used one mean and std for the whole array; each feature (column) needs its own",
         lambda x: normalized(x, None)),
    ]
    judge = compare(lambda x: normalized(x, 0), cases, mistakes,
                    shape_hint="the z-scores have x's shape: subtract the column means, divide by the column stds")
    return check("zscore", fn, cases, judge, time_limit=time_limit)
