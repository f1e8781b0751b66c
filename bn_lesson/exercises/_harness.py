"""The one place that runs a learner's function: time limit, exits, exceptions, stubs, in-place changes.

A checker (``check_*`` in the chapter modules) is a list of hidden ``Case``s and a *judge*; ``check`` does
the rest, the same way for every exercise:

1. It calls the learner's function on a fresh, writable copy of each case's arguments in a daemon thread
   and waits at most ``time_limit`` seconds (``TIME_LIMIT``, 10 s). Python cannot kill a thread: a
   function that never returns keeps running in the background until the kernel restarts, but the
   checker answers, says so, and runs no further case. (This works the same on Linux, macOS and Windows.)
2. Whatever the call raises -- any exception, ``SystemExit`` from ``sys.exit()``, ``KeyboardInterrupt`` --
   becomes one line naming it, never a traceback. The notebook's stub (``raise NotImplementedError``, or a
   body that is only ``pass`` / ``...``) reads "not attempted yet", not as a failure.
3. It reports a function that changed its inputs in place, or returned None (a forgotten ``return``).
4. The checker's judge compares the answer with the right one (``_judges.compare`` builds the usual one).

The checker prints one line (✓, ✗ or ✎) and returns a ``Result``: truthy only when every case passed,
and invisible at the end of a notebook cell, so the line is not followed by a stray ``False``.
"""
import dis
import os
import sysconfig
import threading

import numpy as np

from .._checks import check_number
from ._judges import describe, first_line

PASS, FAIL, TODO = "\u2713", "\u2717", "\u270e"
PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"

TIME_LIMIT = 10.0
"""Seconds the learner's function may take on one hidden case (every ``check_*`` takes ``time_limit=``)."""

_NOT_ATTEMPTED = "not attempted yet \u2014 write your function above, then run this cell"
_LIBRARY_DIRS = tuple({os.path.join(d, "") for d in (  # code here is not the learner's: numpy, TensorFlow, us
    *(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")),
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))})


class Case:
    """One hidden test: a label the learner can understand and the arguments by name, in call order.

    ``Case("a batch of 2", x=x, eps=1e-5)`` calls ``fn(x, 1e-5)`` (positionally, so the learner may name
    the parameters as they like). Arrays are stored read-only: the learner's function gets a writable copy,
    the reference and the mistakes get these.
    """

    def __init__(self, label, **args):
        self.label = label
        self.args = {name: _read_only(value) for name, value in args.items()}

    @property
    def values(self):
        return tuple(self.args.values())

    def __repr__(self):
        return f"Case({self.label!r}, {', '.join(self.args)})"


class Result:
    """What every ``check_*`` returns: truthy when every hidden case passed (``assert check_x(f)``).

    It shows nothing at the end of a notebook cell (the checker has printed its line already);
    ``repr`` names the outcome for scripts and the console.

    Attributes
    ----------
    name : str -- the exercise
    status : "passed", "failed" or "not attempted"
    message : str -- the line the checker printed, without its mark
    """

    __slots__ = ("name", "status", "message")

    def __init__(self, name, status, message):
        self.name, self.status, self.message = name, status, message

    def __bool__(self):
        return self.status == PASSED

    def __repr__(self):
        return f"<check {self.name}: {self.status}>"

    def _ipython_display_(self):
        """Display nothing: the checker's printed line is the whole answer."""


def check(name, fn, cases, judge, *, time_limit=TIME_LIMIT, call=None, allow_none=False, passed=None):
    """Run ``fn`` on every case, print one line and return a ``Result``.

    Parameters
    ----------
    name : str -- the exercise, as the learner sees it
    fn : the learner's function
    cases : sequence of Case
    judge : callable(case, answer) -> None when right, else the hint to print
    time_limit : float > 0 -- seconds per case
    call : callable(fn, *values) -> answer, or None for ``fn(*values)``; runs under the time limit (chapter
        08 builds and runs the returned Keras layers there)
    allow_none : None is a possible right answer, so the judge sees it
    passed : the message on success (default "all N hidden cases pass")
    """
    limit = check_number(time_limit, "time_limit", low=0.0, low_open=True)
    if not callable(fn):
        wrong = "None (what a function without `return` gives)" if fn is None else type(fn).__name__
        return _report(name, FAILED, f"pass your function itself, check_{name}(my_function), "
                                     f"not the result of calling it; got {wrong}")
    for case in cases:
        status, answer, changed = _run(fn, case, limit, call)
        if status is not None:
            return _report(name, status, answer if status == NOT_ATTEMPTED else f"on {case.label}, {answer}")
        if answer is None and _is_stub(fn):
            return _report(name, NOT_ATTEMPTED, _NOT_ATTEMPTED)
        hint = _mutation(changed, answer is None and not allow_none)
        if hint is None and answer is None and not allow_none:
            hint = "your function returned None \u2014 did you forget `return`?"
        if hint is None:
            try:
                hint = judge(case, answer)
            except Exception as err:  # an answer so odd that comparing it failed: say what came back
                hint = f"could not compare what your function returned ({describe(answer)}): {first_line(err)}"
        if hint:
            return _report(name, FAILED, f"on {case.label}, {hint}")
    return _report(name, PASSED, passed or f"all {len(cases)} hidden cases pass")


def _report(name, status, message):
    mark = {PASSED: PASS, FAILED: FAIL, NOT_ATTEMPTED: TODO}[status]
    print(f"{mark} {name}: {message}", flush=True)
    return Result(name, status, message)


def _run(fn, case, limit, call):
    """Call ``fn`` on a copy of the case under the time limit: (problem status or None, answer/message, changed)."""
    values = [_fresh(v) for v in case.values]
    box = {}

    def work():
        try:
            box["answer"] = call(fn, *values) if call else fn(*values)
        except BaseException as err:  # noqa: B036 -- SystemExit and KeyboardInterrupt are the learner's too
            box["error"] = err

    worker = threading.Thread(target=work, name=f"learner code ({case.label})", daemon=True)
    worker.start()
    try:
        worker.join(limit)
    except KeyboardInterrupt:  # the learner pressed stop while waiting: answer, don't raise
        return FAILED, ("you interrupted it while your function was running (it keeps running in the "
                        "background until you restart the kernel)"), ()
    if worker.is_alive():
        return FAILED, (f"your function did not return within {limit:g} s \u2014 is there a loop that never "
                        "ends? (It keeps running in the background until you restart the kernel.)"), ()
    if "error" in box:
        return _explain(box["error"], fn) + ((),)
    changed = [n for n, before, after in zip(case.args, case.values, values) if _changed(before, after)]
    return None, box["answer"], changed


def _explain(err, fn):
    """(status, message) for an exception raised by the learner's code."""
    if isinstance(err, SystemExit):
        return FAILED, ("your function called sys.exit() (or exit()), which would stop the whole program: "
                        "hand the answer back with `return` instead")
    frame = _learner_frame(err.__traceback__)
    if isinstance(err, NotImplementedError) and frame is not None:
        if frame.tb_frame.f_code is getattr(fn, "__code__", None):
            return NOT_ATTEMPTED, _NOT_ATTEMPTED
        return FAILED, (f"your function calls `{frame.tb_frame.f_code.co_name}`, which is not written yet "
                        "(it raises NotImplementedError)")
    text = first_line(err)
    where = f" (line {frame.tb_lineno} of {frame.tb_frame.f_code.co_name})" if frame is not None else ""
    return FAILED, f"your function raised {type(err).__name__}{': ' + text if text else ''}{where}"


def _learner_frame(tb):
    """The innermost traceback entry in the learner's own code (not in numpy, TensorFlow or bn_lesson)."""
    found = None
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
            found = tb
        tb = tb.tb_next
    return found


def _stub():
    pass


def _ops(code):
    return [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in ("RESUME", "NOP")]


def _is_stub(fn):
    """True for a function whose body is only ``pass``, ``...`` or a docstring (the notebook's stub)."""
    code = getattr(fn, "__code__", None)
    return code is not None and _ops(code) == _ops(_stub.__code__)


def _mutation(changed, returned_none):
    if not changed:
        return None
    names = " and ".join(f"`{n}`" for n in changed)
    if returned_none:
        return (f"your function changed its input {names} in place and returned None: leave the input as it "
                "was and `return` a new array (e.g. `x = x - mean`, not `x -= mean`)")
    return (f"your function changed its input {names} in place (`x -= ...`, `x /= ...` or `x[...] = ...`); "
            "the caller's data must stay as it was: compute a new array instead, e.g. `x = x - mean`")


def _read_only(value):
    if isinstance(value, np.ndarray):
        value = value.copy()
        value.flags.writeable = False
    return value


def _fresh(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v) for v in value)
    return value


def _changed(before, after):
    if not isinstance(before, np.ndarray):
        return False
    return after.shape != before.shape or not np.array_equal(before, after, equal_nan=True)
