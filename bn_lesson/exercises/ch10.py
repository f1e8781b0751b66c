"""Chapter 10, what BN really does: the shift per step, the measure the noisy-BN experiment rests on."""
import numpy as np

from ._harness import TIME_LIMIT, Case, check
from ._judges import compare


def shift_per_step(batch_mean):
    """batch_mean (T, U): each unit's mini-batch mean at T steps -> (U,) its mean absolute change per step."""
    change = np.diff(batch_mean, axis=0)          # (T - 1, U): step t+1 minus step t
    return np.abs(change).mean(axis=0)            # (U,)


def _walks(rng):
    """(label, batch_mean (T, U)): records that drift, jump, stand still, and differ from unit to unit."""
    drift = np.cumsum(rng.normal(0.05, 0.2, size=(12, 4)), axis=0)                  # a random walk with a drift
    jumps = rng.normal(0.0, 1.5, size=(9, 3)) + np.array([0.0, 5.0, -2.0])           # a new level every step
    steady = np.tile([0.3, -0.7], (6, 1)) + 1e-3 * rng.normal(size=(6, 2))           # BN: nearly flat
    mixed = np.column_stack([np.linspace(0, 4, 8), np.sin(np.arange(8)), np.full(8, 2.0),   # rises, swings, flat,
                             rng.normal(0, 1, 8), -np.linspace(0, 4, 8)])                # jumps, falls
    return [
        ("a drifting random walk, 12 steps x 4 units", drift),
        ("a mean that jumps at every step, as noisy BN's does, 9 steps x 3 units", jumps),
        ("an almost steady mean, as BN's is, 6 steps x 2 units", steady),
        ("five units that rise, swing, stand still, jump and fall, 8 steps", mixed),
        ("two steps only, 3 units", rng.normal(0, 1, size=(2, 3))),
    ]


def check_shift_per_step(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(batch_mean) -> (U,)``: each unit's mean absolute step-to-step change of a (T, U) record."""
    cases = [Case(label, batch_mean=m) for label, m in _walks(np.random.default_rng(100_01))]
    mistakes = [
        ("you took the changes across units (axis=1); a unit's shift is its change from one *step* to the "
         "next: np.diff(batch_mean, axis=0)", lambda m: np.abs(np.diff(m, axis=1)).mean(axis=1)),
        ("without the absolute value, ups and downs cancel (what is left is the net drift); average "
         "|change|", lambda m: np.diff(m, axis=0).mean(axis=0)),
        ("that is the net change from first to last step over the steps; a mean that jumps back and forth "
         "shifts a lot but ends where it began: average |change| over every step",
         lambda m: np.abs(m[-1] - m[0]) / (len(m) - 1)),
        ("you squared the changes; the shift is the mean *absolute* change",
         lambda m: (np.diff(m, axis=0) ** 2).mean(axis=0)),
        ("you measured how far each step's mean is from the unit's average mean (its spread), not how much "
         "it moves from one step to the next", lambda m: np.abs(m - m.mean(axis=0)).mean(axis=0)),
        ("you divided by T, the number of records; there are T - 1 changes: take the mean of np.diff's rows",
         lambda m: np.abs(np.diff(m, axis=0)).sum(axis=0) / len(m)),
    ]
    judge = compare(shift_per_step, cases, mistakes, shape_hint="one number per unit: shape (U,)")
    return check("shift_per_step", fn, cases, judge, time_limit=time_limit)
