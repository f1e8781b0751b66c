"""Chapter 06, training vs inference: Keras' moving average."""
import numpy as np

from ..constants import DEFAULT_MOMENTUM
from ..inference import moving_average as moving_history
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare


def moving_average(values, momentum, start):
    """values (K, D), momentum, start (D,) -> the moving value (D,) after all K updates."""
    moving = np.array(start, dtype=float)
    for value in values:                      # one update per training step
        moving = momentum * moving + (1 - momentum) * value
    return moving


def check_moving_average(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(values, momentum, start) -> moving``: Keras' moving average after all K updates.

    ``values`` is (K, D), one batch statistic per step; ``start`` is the initial moving value (D,);
    the answer is the (D,) value after ``moving = momentum * moving + (1 - momentum) * value`` K times.
    """
    rng = np.random.default_rng(206)
    cases = [
        Case("300 noisy batch means around 3, momentum 0.99, start 0",
             values=3.0 + rng.normal(0, 0.5, size=(300, 3)), momentum=DEFAULT_MOMENTUM, start=np.zeros(3)),
        Case("5 steps, momentum 0.9, start 1 (a moving variance)", values=rng.uniform(0.5, 4.0, size=(5, 2)),
             momentum=0.9, start=np.ones(2)),
        Case("a single step, momentum 0.5", values=np.array([[4.0, -2.0]]), momentum=0.5, start=np.array([0.0, 1.0])),
        Case("20 steps, momentum 0.8, going on from earlier moving values", values=rng.normal(1.0, 1.0, (20, 4)),
             momentum=0.8, start=rng.normal(0.0, 2.0, 4)),
    ]

    def final(v, m, s):
        return moving_history(v, m, s)[-1]

    mistakes = [
        ("the weights are swapped: the *old* value gets the momentum, moving = momentum * moving + "
         "(1 - momentum) * value", lambda v, m, s: final(v, 1 - m, s)),
        ("you started from the first value instead of `start`; Keras starts at 0 (mean) and 1 (variance) "
         "and updates from there", lambda v, m, s: final(v[1:], m, v[0])),
        ("you returned the plain mean of the values; a moving average weighs recent steps more and still "
         "remembers its start", lambda v, m, s: v.mean(axis=0)),
        ("you divided by (1 - momentum**K) (Adam's bias correction); Keras' moving averages do not",
         lambda v, m, s: final(v, m, s) / (1 - m ** len(v))),
        ("you returned the whole history; return only the value after the last update",
         lambda v, m, s: moving_history(v, m, s)[1:]),
        ("you returned the whole history; return only the value after the last update",
         lambda v, m, s: moving_history(v, m, s)),
    ]
    judge = compare(final, cases, mistakes, usual={"momentum": (DEFAULT_MOMENTUM,), "start": (0.0, 1.0)},
                    shape_hint="return only the final moving value, one per feature")
    return check("moving_average", fn, cases, judge, time_limit=time_limit)
