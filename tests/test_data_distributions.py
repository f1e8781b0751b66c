"""sample_distribution: each kind has the moments its docstring promises, is reproducible, validates input."""
import numpy as np
import pytest

from bn_lesson.data import DISTRIBUTIONS, sample_distribution


def skew(v):
    d = v - v.mean()
    return float((d ** 3).mean() / (d ** 2).mean() ** 1.5)


# kind -> (mean, std, skewness) of the population, with the tolerance used at n = 200_000
MOMENTS = {
    "normal": (3.0, 2.0, 0.0),
    "skewed": (4.0, 2.0, 2.0),
    "bimodal": (2.0, np.sqrt(9.0 + 0.64), 0.0),
    "tiny-variance": (3.0, 0.01, 0.0),
}


@pytest.mark.parametrize("kind", MOMENTS)
def test_moments_match_the_docstring(kind):
    x = sample_distribution(kind, 200_000, np.random.default_rng(0))[:, 0]
    mean, std, sk = MOMENTS[kind]
    assert x.mean() == pytest.approx(mean, abs=0.02 * max(std, 1.0) if kind != "tiny-variance" else 1e-4)
    assert x.std() == pytest.approx(std, rel=0.02)
    assert skew(x) == pytest.approx(sk, abs=0.1)


def test_bimodal_has_two_humps_and_a_gap():
    x = sample_distribution("bimodal", 50_000, np.random.default_rng(1))[:, 0]
    counts, edges = np.histogram(x, bins=np.arange(-4.0, 8.5, 0.5))
    centres = (edges[:-1] + edges[1:]) / 2
    assert counts[np.argmin(np.abs(centres - 2.0))] < 0.05 * counts.max()  # the middle is nearly empty


def test_constant_has_zero_variance():
    x = sample_distribution("constant", 10, np.random.default_rng(0), n_features=2)
    assert x.shape == (10, 2) and x.var(axis=0).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("kind", DISTRIBUTIONS)
def test_shape_dtype_and_reproducibility(kind):
    a = sample_distribution(kind, 7, np.random.default_rng(5), n_features=3)
    b = sample_distribution(kind, 7, np.random.default_rng(5), n_features=3)
    assert a.shape == (7, 3) and a.dtype == float and np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)


def test_features_are_independent_draws():
    x = sample_distribution("normal", 1000, np.random.default_rng(0), n_features=2)
    assert not np.allclose(x[:, 0], x[:, 1])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"kind": "uniform"}, ValueError, "kind must be one of"),
    ({"n": 0}, ValueError, "n must be an int >= 1"),
    ({"n": 2.5}, TypeError, "n must be an int >= 1"),
    ({"n_features": 0}, ValueError, "n_features must be an int >= 1"),
    ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
])
def test_invalid_arguments_name_the_argument(kwargs, error, match):
    args = {"kind": "normal", "n": 5, "rng": np.random.default_rng(0), "n_features": 1} | kwargs
    with pytest.raises(error, match=match):
        sample_distribution(**args)
