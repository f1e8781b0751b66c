"""Timing a widget's control moves, for the chapter widgets' "redraws within 50 ms" tests."""
import time

import numpy as np


def median_move_seconds(control, values, clock=time.perf_counter):
    """Median time of setting ``control.value`` to each of ``values`` in turn (the update runs inside)."""
    times = []
    for value in values:
        start = clock()
        control.value = value
        times.append(clock() - start)
    return float(np.median(times))
