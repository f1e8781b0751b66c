"""Chapter 02, why deep networks need more: measure how much of a layer is saturated."""
import numpy as np

from ..constants import SIGMOID_FLAT
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare


def saturated_share(z, threshold):
    """z of any shape, a number -> the share of all entries with |z| > threshold (one float)."""
    return float(np.mean(np.abs(z) > threshold))


def check_saturated_share(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(z, threshold) -> float``: the share of *all* entries of z with |z| > threshold."""
    rng = np.random.default_rng(202)
    cases = [
        Case(f"a (50, 8) layer of wide pre-activations, threshold {SIGMOID_FLAT:g}",
             z=rng.normal(0.0, 5.0, size=(50, 8)), threshold=SIGMOID_FLAT),
        Case("a layer that leans negative, threshold 2", z=rng.normal(-3.0, 3.0, size=(40, 5)), threshold=2.0),
        Case("values exactly at the threshold (they do not count), threshold 2",
             z=np.array([[-2.0, 2.0, 2.5], [0.0, -3.0, 1.0]]), threshold=2.0),
        Case("a single unit (z of shape (N,)), threshold 1", z=rng.normal(0.0, 1.0, size=30), threshold=1.0),
        Case("a (4, 3, 5) stack of layers, threshold 0.5", z=rng.normal(0.0, 1.0, size=(4, 3, 5)), threshold=0.5),
    ]
    mistakes = [
        ("you only counted the positive side; a sigmoid/tanh is flat for large *negative* inputs too: use abs(z)",
         lambda z, t: np.mean(z > t)),
        ("values equal to the threshold should not count: use >, not >=", lambda z, t: np.mean(np.abs(z) >= t)),
        ("you returned the share of *unsaturated* values; saturated means |z| > threshold",
         lambda z, t: np.mean(np.abs(z) <= t)),
        ("you returned one share per unit (axis=0); return one number for the whole layer",
         lambda z, t: np.mean(np.abs(z) > t, axis=0)),
        ("you returned a count; divide by the number of values (np.mean does it)", lambda z, t: np.sum(np.abs(z) > t)),
    ]
    judge = compare(lambda z, t: np.mean(np.abs(z) > t), cases, mistakes, usual={"threshold": (SIGMOID_FLAT,)},
                    shape_hint="return one number for the whole layer")
    return check("saturated_share", fn, cases, judge, time_limit=time_limit)
