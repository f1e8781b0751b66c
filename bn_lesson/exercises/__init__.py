"""Auto-checked exercises: write a function in a notebook cell, hand it to a checker.

Each ``check_*`` runs the learner's function on hidden cases chosen so that every argument matters (eps,
the statistics, gamma and beta, the axes vary from case to case), prints one line -- a tick, what is
wrong with a hint that names the mistake, or "not attempted yet" for the notebook's stub -- and returns a
``Result`` that is truthy when every case passed and shows nothing at the end of a notebook cell.

What the learner sees when their function misbehaves, for every checker alike (``_harness``):

* it raises: one line with the exception's type and message and the line of their code, no traceback;
* it hangs: after ``time_limit`` seconds (10 by default) "did not return within 10 s"; the call keeps
  running in the background until the kernel restarts, and no further case is tried;
* it returns nothing: "your function returned None -- did you forget `return`?";
* it changes its input: "your function changed its input `x` in place", even when its answer is right;
* it calls ``sys.exit()``: reported as such, no ``SystemExit``.

``solution(name)`` prints a reference solution, for when a learner chooses to look; ``SOLUTIONS`` maps each
exercise's name to that function (the tests use it). One module per chapter (``ch01`` ... ``ch13``) holds
each chapter's checkers beside its solutions.
"""
import inspect
from types import MappingProxyType

from ._harness import FAIL, PASS, TIME_LIMIT, TODO, Result
from . import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13
from .ch01 import check_zscore
from .ch02 import check_saturated_share
from .ch03 import check_batch_mean, check_batch_norm, check_batch_variance, check_normalize, check_scale_and_shift
from .ch04 import check_gamma_for_flat_share, check_identity_params
from .ch05 import check_channel_moments, check_conv_batch_norm
from .ch06 import check_moving_average
from .ch07 import check_tf_batch_norm
from .ch08 import check_steps_to_reach
from .ch09 import check_bn_backward
from .ch10 import check_shift_per_step
from .ch11 import check_fold_bn
from .ch12 import check_bn_block
from .ch13 import check_group_norm, check_layer_norm

SOLUTIONS = MappingProxyType({fn.__name__: fn for fn in (
    ch01.zscore,
    ch02.saturated_share,
    ch03.batch_mean, ch03.batch_variance, ch03.normalize, ch03.scale_and_shift, ch03.batch_norm,
    ch04.identity_params, ch04.gamma_for_flat_share,
    ch05.channel_moments, ch05.conv_batch_norm,
    ch06.moving_average,
    ch07.tf_batch_norm,
    ch08.steps_to_reach,
    ch09.bn_backward,
    ch10.shift_per_step,
    ch11.fold_bn,
    ch12.bn_block,
    ch13.layer_norm, ch13.group_norm,
)})
"""Exercise name -> its reference solution, in chapter order. ``check_<name>(SOLUTIONS[name])`` passes;
``solution(name)`` prints the function's source."""

SOLUTION_NAMES = tuple(SOLUTIONS)
"""Every exercise's name, in chapter order."""


def solution(name):
    """Print the reference solution of exercise ``name`` (one of ``SOLUTION_NAMES``)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be an exercise's name (a str), got {type(name).__name__}")
    if name not in SOLUTIONS:
        raise ValueError(f"name must be one of {SOLUTION_NAMES}, got {name!r}")
    print(inspect.getsource(SOLUTIONS[name]).rstrip())


__all__ = [
    "SOLUTIONS", "SOLUTION_NAMES", "solution", "Result", "TIME_LIMIT", "PASS", "FAIL", "TODO",
    *(f"check_{name}" for name in SOLUTION_NAMES),
]
