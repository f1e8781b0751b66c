"""A family of plausible wrong answers against EVERY checker (issue 10): each gets a ✗ with a hint, the
reference solution gets a ✓.

The wrong answers are made from each exercise's reference solution, so a new checker is covered the day it
is added to ``SOLUTIONS``: a forgotten ``return``, an exception, ``sys.exit()``, an endless loop, an input
changed in place, the notebook's stub, NaN and complex results, an argument frozen at its first value or
hard-coded to the course's usual constant, and two arguments swapped. The mistakes particular to one
exercise (recomputed statistics, wrong axes, eps outside the root, ...) are in each chapter's test file.
"""
import contextlib
import functools
import inspect
import io
import sys
import threading
import time

import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.constants import DEFAULT_EPS, DEFAULT_MOMENTUM, SIGMOID_FLAT

NAMES = ex.SOLUTION_NAMES
NEEDS = {"tf_batch_norm": "tensorflow", "bn_block": "keras"}
FAST = 0.25   # seconds: the time limit for the endless-loop answers

#: the constant a learner might write instead of using the argument of that name
USUAL = {"eps": DEFAULT_EPS, "momentum": DEFAULT_MOMENTUM, "threshold": SIGMOID_FLAT, "axis": 0, "target": 0.9,
         "share": 0.5, "groups": 2, "units": 100}

#: arguments whose value the right answer does not depend on, by the exercise's own contract
REDUNDANT = {("batch_variance", "mean"): "the chapter passes x's own mean, so x.var(axis) is a right answer"}


def checker(name):
    if name in NEEDS:
        pytest.importorskip(NEEDS[name])
    return getattr(ex, f"check_{name}")


def params(name):
    return list(inspect.signature(ex.SOLUTIONS[name]).parameters)


@functools.lru_cache(maxsize=None)
def hidden_calls(name):
    """The arguments of every hidden case, seen by running the reference solution through its checker."""
    calls = []

    def spy(*args):
        calls.append(args)
        return ex.SOLUTIONS[name](*args)

    with contextlib.redirect_stdout(io.StringIO()):
        assert checker(name)(spy), f"the reference solution of {name} must pass"
    return calls


def is_array(value):
    return isinstance(value, np.ndarray) and value.ndim > 0


def check(run, name, fn, **options):
    return run(checker(name), fn, **options)


def failed_with_hint(result, line):
    """A ✗ that says something: not a traceback, not a comparison the checker could not make."""
    return (not result and result.status == "failed" and line.startswith(f"{ex.FAIL} ")
            and "could not compare" not in line and len(line) > 40)


@pytest.fixture
def release():
    event = threading.Event()
    yield event
    event.set()


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_solution_passes(run, name):
    result, line = check(run, name, ex.SOLUTIONS[name])
    assert result and line.startswith(f"{ex.PASS} {name}: "), line


@pytest.mark.parametrize("name", NAMES)
def test_the_solution_prints_its_source(capsys, name):
    ex.solution(name)
    assert capsys.readouterr().out.startswith(f"def {name}(")


@pytest.mark.parametrize("name", NAMES)
def test_a_forgotten_return(run, name):
    def no_return(*args):
        ex.SOLUTIONS[name](*args)

    result, line = check(run, name, no_return)
    assert failed_with_hint(result, line) and "None" in line and "forget `return`" in line, line


@pytest.mark.parametrize("name", NAMES)
def test_an_exception(run, name):
    def broken(*args):
        raise ValueError("shapes do not match")

    result, line = check(run, name, broken)
    assert failed_with_hint(result, line) and "your function raised ValueError: shapes do not match (line" in line


@pytest.mark.parametrize("name", NAMES)
def test_sys_exit(run, name):
    result, line = check(run, name, lambda *args: sys.exit(1))
    assert failed_with_hint(result, line) and "sys.exit()" in line, line


@pytest.mark.parametrize("name", NAMES)
def test_an_endless_loop(run, name, release):
    def endless(*args):
        while not release.is_set():
            time.sleep(0.01)

    start = time.perf_counter()
    result, line = check(run, name, endless, time_limit=FAST)
    assert failed_with_hint(result, line) and f"did not return within {FAST:g} s" in line, line
    assert time.perf_counter() - start < FAST + 2.0


@pytest.mark.parametrize("name", NAMES)
def test_the_notebooks_stub(run, name):
    def stub(*args):
        raise NotImplementedError("your code here")

    result, line = check(run, name, stub)
    assert not result and result.status == "not attempted" and line.startswith(f"{ex.TODO} {name}: not attempted")


@pytest.mark.parametrize("name", NAMES)
def test_not_a_function(run, name):
    result, line = check(run, name, None)
    assert failed_with_hint(result, line) and "pass your function itself" in line, line


@pytest.mark.parametrize("name", [n for n in NAMES if n != "bn_block"])
def test_an_input_changed_in_place(run, name):
    def scribbler(*args):
        out = ex.SOLUTIONS[name](*(np.copy(a) if is_array(a) else a for a in args))
        first = next(a for a in args if is_array(a))
        first += 1
        return out

    arg = next(p for p, v in zip(params(name), hidden_calls(name)[0]) if is_array(v))
    result, line = check(run, name, scribbler)
    assert failed_with_hint(result, line) and f"changed its input `{arg}` in place" in line, line


def _map_answer(name, f):
    """The reference answer with ``f`` applied to its numbers (to each array of a tuple answer)."""
    def answer(*args):
        out = ex.SOLUTIONS[name](*args)
        if isinstance(out, tuple):
            return tuple(f(np.asarray(o, dtype=float)) for o in out)
        return None if out is None else f(np.asarray(out, dtype=float))
    return answer


@pytest.mark.parametrize("name", [n for n in NAMES if n != "bn_block"])
def test_a_nan_answer(run, name):
    result, line = check(run, name, _map_answer(name, lambda a: a * np.nan))
    assert failed_with_hint(result, line) and "nan" in line.lower(), line


@pytest.mark.parametrize("name", [n for n in NAMES if n != "bn_block"])
def test_a_complex_answer(run, name):
    result, line = check(run, name, _map_answer(name, lambda a: a + 0j))
    assert failed_with_hint(result, line) and "complex" in line, line


def _frozen_cases():
    return [(n, i, p) for n in NAMES for i, p in enumerate(params(n)) if (n, p) not in REDUNDANT]


@pytest.mark.parametrize("name, index, arg", _frozen_cases(), ids=[f"{n}-{p}" for n, _, p in _frozen_cases()])
def test_an_argument_frozen_at_its_first_value(run, name, index, arg):
    """Every argument varies across the hidden cases in a way that changes the right answer."""
    first = []

    def frozen(*args):
        first.extend([args[index]] if not first else [])
        args = list(args)
        args[index] = first[0]
        return ex.SOLUTIONS[name](*args)

    result, line = check(run, name, frozen)
    assert failed_with_hint(result, line) or (not result and "your function raised" in line), line
    if not is_array(hidden_calls(name)[0][index]):   # a scalar written into the code: the hint names it
        assert arg in line, line


def _constant_cases():
    return [(n, i, p) for n in NAMES for i, p in enumerate(params(n)) if p in USUAL]


@pytest.mark.parametrize("name, index, arg", _constant_cases(), ids=[f"{n}-{p}" for n, _, p in _constant_cases()])
def test_an_argument_hard_coded_to_the_usual_constant(run, name, index, arg):
    """The issue's reproducer, for every checker: e.g. eps=1e-3 written into the code gets a ✗ naming eps."""
    def hard_coded(*args):
        args = list(args)
        args[index] = USUAL[arg]
        return ex.SOLUTIONS[name](*args)

    result, line = check(run, name, hard_coded)
    assert failed_with_hint(result, line) and arg in line, line


def _swappable():
    """(name, i, j): arguments of the same shape in the first hidden case, which a learner could swap."""
    cases = []
    for n in NAMES:
        if n in NEEDS:
            continue
        first, names = hidden_calls(n)[0], params(n)
        cases += [(n, i, j) for i in range(len(names)) for j in range(i + 1, len(names))
                  if is_array(first[i]) and is_array(first[j]) and first[i].shape == first[j].shape]
    return cases


SWAPS = _swappable()


@pytest.mark.parametrize("name, i, j", SWAPS, ids=[f"{n}-{params(n)[i]}-{params(n)[j]}" for n, i, j in SWAPS])
def test_two_arguments_swapped(run, name, i, j):
    def swapped(*args):
        args = list(args)
        args[i], args[j] = args[j], args[i]
        with np.errstate(invalid="ignore"):   # a negative "variance" gives NaN, which the checker reports
            return ex.SOLUTIONS[name](*args)

    result, line = check(run, name, swapped)
    assert failed_with_hint(result, line), line


def test_the_swaps_cover_the_classic_pairs():
    pairs = {(n, params(n)[i], params(n)[j]) for n, i, j in SWAPS}
    assert {("batch_norm", "gamma", "beta"), ("normalize", "mean", "var"), ("scale_and_shift", "gamma", "beta"),
            ("fold_bn", "mean", "var"), ("bn_backward", "dout", "x_hat"), ("steps_to_reach", "steps", "accuracy"),
            ("identity_params", "mu", "var"), ("conv_batch_norm", "gamma", "beta")} <= pairs
