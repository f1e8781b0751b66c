"""Chapter 08, training with and without BN: the steps a run takes to reach a target accuracy."""
import numpy as np

from ._harness import TIME_LIMIT, Case, check
from ._judges import one_number


def steps_to_reach(steps, accuracy, target):
    """steps (K,), accuracy (K,), target -> the first recorded step with accuracy >= target, or None."""
    reached = np.flatnonzero(np.asarray(accuracy) >= target)   # indices of records at/above the target
    return int(steps[reached[0]]) if reached.size else None


# -- check_steps_to_reach ----------------------------------------------------------------------------------

def _first_step(steps, accuracy, target):
    hit = np.flatnonzero(accuracy >= target)
    return int(steps[hit[0]]) if hit.size else None


def check_steps_to_reach(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(steps, accuracy, target) -> int or None``: the first recorded step with accuracy >= target."""
    every_50, every_10 = np.arange(50, 550, 50), np.arange(10, 110, 10)
    irregular = np.array([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
    cases = [
        Case("an accuracy that rises steadily, recorded every 50 steps, target 0.9", steps=every_50,
             accuracy=np.linspace(0.1, 0.99, 10), target=0.9),
        Case("an accuracy that reaches the target, dips, then reaches it again, recorded every 10 steps",
             steps=every_10, accuracy=np.array([0.1, 0.5, 0.92, 0.85, 0.93, 0.95, 0.96, 0.97, 0.97, 0.98]),
             target=0.9),
        Case("an accuracy that hits the target 0.95 exactly", steps=every_50,
             accuracy=np.array([0.2, 0.6, 0.9, 0.93, 0.95, 0.96, 0.97, 0.97, 0.98, 0.98]), target=0.95),
        Case("a run that never gets there", steps=every_50, accuracy=np.full(10, 0.1), target=0.9),
        Case("a run that is there at the first record, at irregular steps, target 0.5", steps=irregular,
             accuracy=np.full(10, 0.95), target=0.5),
        Case("a slow run at irregular steps, target 0.97", steps=irregular,
             accuracy=np.array([0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.97, 0.99, 0.99]), target=0.97),
    ]

    def judge(case, got):
        steps, accuracy, target = case.values
        want = _first_step(steps, accuracy, target)
        if got is None:
            return None if want is None else (f"you returned None, but the accuracy reached {target:g} at step "
                                              f"{want} \u2014 did you forget `return`?")
        if isinstance(got, (bool, np.bool_)):
            return f"return the step (a number), not {bool(got)}"
        value, problem = one_number(got, "your answer")
        if problem:
            return f"{problem}: return one step, steps[i] for the first index i with accuracy >= target"
        if want is None:
            return f"return None (the target {target:g} was never reached), got {value:g}"
        if value == want:
            return None
        hit, above = np.flatnonzero(accuracy >= target), np.flatnonzero(accuracy > target)
        if value == hit[0]:
            return f"you returned the index {value:g}; return the step recorded there, steps[index]"
        if above.size and value == steps[above[0]]:
            return "use >= target: reaching the target exactly counts"
        if value == steps[hit[-1]]:
            return "you returned the last record at or above the target; we want the first"
        for other in {c.args["target"] for c in cases} | {0.9}:
            if other != target and _first_step(steps, accuracy, other) == value:
                return (f"your step is where the accuracy reached {other:g}, but this case passes target={target:g}: "
                        "use the `target` argument rather than a fixed value")
        if value in {int(c.args["steps"][hit[0]]) for c in cases}:
            return "your step is not from this case's `steps`: return steps[i], read from the argument"
        return f"expected step {want}, got {value:g}"

    return check("steps_to_reach", fn, cases, judge, time_limit=time_limit, allow_none=True)
