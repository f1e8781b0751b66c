"""The harness every checker goes through: time limits, exits, exceptions, stubs, mutation, what is displayed."""
import signal
import sys
import threading
import time

import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.exercises._harness import Case, check
from bn_lesson.exercises._judges import compare


@pytest.fixture
def release():
    """An event that lets the 'endless' learner functions of a test end once it is over."""
    event = threading.Event()
    yield event
    event.set()


def test_a_result_is_truthy_only_when_passed_and_displays_nothing(run):
    from IPython.core.formatters import DisplayFormatter

    passed, _ = run(ex.check_zscore, ex.SOLUTIONS["zscore"])
    failed, _ = run(ex.check_zscore, lambda x: x)
    todo, _ = run(ex.check_zscore, lambda x: None)
    assert bool(passed) and not failed and not todo
    assert (passed.status, failed.status, todo.status) == ("passed", "failed", "not attempted")
    assert repr(passed) == "<check zscore: passed>" and repr(failed) == "<check zscore: failed>"
    for result in (passed, failed, todo):   # what IPython shows at the end of a cell: nothing at all
        assert DisplayFormatter().format(result) == ({}, {})


def test_in_a_notebook_the_cell_shows_only_the_line():
    """A real kernel: the stub's cell shows "not attempted yet" and no stray False (issue 14, item 6)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in (
        "from bn_lesson.exercises import check_zscore",
        'def my_zscore(x):\n    raise NotImplementedError("your code here")',
        "check_zscore(my_zscore)",
        "check_zscore(lambda x: (x - x.mean(0)) / x.std(0))",
    )])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    for cell, mark, text in ((nb.cells[2], ex.TODO, "zscore: not attempted yet \u2014 write your function above, "
                                                    "then run this cell"),
                             (nb.cells[3], ex.PASS, "zscore: all 5 hidden cases pass")):
        assert [o.output_type for o in cell.outputs] == ["stream"], cell.outputs
        assert cell.outputs[0].text == f"{mark} {text}\n"


@pytest.mark.parametrize("stub", [
    "def f(x):\n    raise NotImplementedError('your code here')",
    "def f(x):\n    raise NotImplementedError",
    "def f(x):\n    pass",
    "def f(x):\n    ...",
    'def f(x):\n    """Write me."""',
])
def test_the_notebooks_stub_reads_not_attempted(run, stub):
    scope = {}
    exec(stub, scope)
    ok, line = run(ex.check_zscore, scope["f"])
    assert not ok and ok.status == "not attempted"
    assert line == f"{ex.TODO} zscore: not attempted yet \u2014 write your function above, then run this cell"


def test_a_helper_that_is_not_written_yet_is_named(run):
    def my_batch_mean(x, axis=0):
        raise NotImplementedError

    def my_batch_norm(x, gamma, beta, eps):
        return my_batch_mean(x)

    ok, line = run(ex.check_batch_norm, my_batch_norm)
    assert not ok and "calls `my_batch_mean`, which is not written yet" in line, line


def test_an_exception_is_one_line_with_its_type_message_and_line(run):
    def broken(x):
        y = x * 2
        return y.nonexistent_method()

    ok, line = run(ex.check_zscore, broken)
    line_no = broken.__code__.co_firstlineno + 2
    assert not ok and line == (f"{ex.FAIL} zscore: on a (6, 3) batch, your function raised AttributeError: "
                               f"'numpy.ndarray' object has no attribute 'nonexistent_method' "
                               f"(line {line_no} of broken)")


def test_a_long_multi_line_message_is_cut_to_one_line(run):
    ok, line = run(ex.check_zscore, lambda x: (_ for _ in ()).throw(ValueError("a" * 500 + "\nsecond line")))
    assert not ok and "second line" not in line and "raised ValueError: " + "a" * 197 + "..." in line, line


@pytest.mark.parametrize("exit_call", [lambda: sys.exit(), lambda: sys.exit(3), lambda: exit()])
def test_sys_exit_is_reported_not_raised(run, exit_call):
    ok, line = run(ex.check_zscore, lambda x: exit_call())
    assert not ok and "called sys.exit()" in line and "`return`" in line, line


def test_keyboard_interrupt_raised_by_the_learner_is_reported(run):
    def interrupted(x):
        raise KeyboardInterrupt

    ok, line = run(ex.check_zscore, interrupted)
    assert not ok and "raised KeyboardInterrupt" in line, line


def test_a_function_that_never_returns_gets_an_answer_in_bounded_time(run, release):
    calls = []

    def endless(x):
        calls.append(1)
        while not release.is_set():
            time.sleep(0.01)

    start = time.perf_counter()
    ok, line = run(ex.check_zscore, endless, time_limit=0.3)
    assert time.perf_counter() - start < 2.0
    assert not ok and line == (f"{ex.FAIL} zscore: on a (6, 3) batch, your function did not return within 0.3 s "
                               "\u2014 is there a loop that never ends? (It keeps running in the background until "
                               "you restart the kernel.)")
    assert calls == [1], "no further case runs after a time-out"


def test_a_slow_case_does_not_multiply_the_wait(run, release):
    """A 30 s sleep used to make check_zscore take 120 s (one per case); now one time limit."""
    start = time.perf_counter()
    ok, _ = run(ex.check_zscore, lambda x: release.wait(30), time_limit=0.2)
    assert not ok and time.perf_counter() - start < 1.5


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
def test_stopping_the_cell_while_waiting_answers_instead_of_raising(run, release):
    main = threading.main_thread().ident
    timer = threading.Timer(0.3, signal.pthread_kill, (main, signal.SIGINT))
    timer.start()
    ok, line = run(ex.check_zscore, lambda x: release.wait(30), time_limit=5)
    timer.join()
    assert not ok and "you interrupted it while your function was running" in line, line


def test_the_time_limit_is_validated():
    with pytest.raises(ValueError, match="time_limit"):
        ex.check_zscore(ex.SOLUTIONS["zscore"], time_limit=0)
    with pytest.raises(TypeError, match="time_limit"):
        ex.check_zscore(ex.SOLUTIONS["zscore"], time_limit="10")


def test_learner_code_runs_in_a_daemon_thread(run):
    seen = []

    def spy(x):
        seen.append(threading.current_thread())
        return (x - x.mean(0)) / x.std(0)

    ok, _ = run(ex.check_zscore, spy)
    assert ok and seen and all(t.daemon and t is not threading.main_thread() for t in seen)


def test_in_place_changes_are_reported_even_when_the_answer_is_right(run):
    def in_place(x):
        x -= x.mean(0)
        x /= x.std(0)
        return x

    ok, line = run(ex.check_zscore, in_place)
    assert not ok and "changed its input `x` in place" in line, line

    def in_place_no_return(x):
        x -= x.mean(0)

    ok, line = run(ex.check_zscore, in_place_no_return)
    assert not ok and "changed its input `x` in place and returned None" in line, line


def test_the_learner_gets_a_copy_and_the_cases_stay_intact(run):
    def scribble(x):
        x[...] = np.nan
        return x

    run(ex.check_zscore, scribble)
    ok, _ = run(ex.check_zscore, ex.SOLUTIONS["zscore"])   # the hidden cases were not touched
    assert ok


def test_a_forgotten_return_is_named(run):
    def no_return(x):
        (x - x.mean(0)) / x.std(0)

    ok, line = run(ex.check_zscore, no_return)
    assert not ok and line.endswith("your function returned None \u2014 did you forget `return`?"), line


@pytest.mark.parametrize("answer, hint", [
    (lambda x: x.astype(complex), "complex (dtype complex128)"),
    (lambda x: x > 0, "True/False values"),
    (lambda x: "done", "a string"),
    (lambda x: [[1.0], [1.0, 2.0]], "not an array of numbers"),
    (lambda x: {"z": x}, "a dict, not an array of numbers"),
    (lambda x: np.full_like(x, np.nan), "NaN or inf"),
])
def test_answers_that_are_not_real_numbers_are_named(run, answer, hint):
    ok, line = run(ex.check_zscore, answer)
    assert not ok and hint in line, line


def test_passing_a_call_instead_of_the_function(run):
    ok, line = run(ex.check_zscore, None)
    assert not ok and "pass your function itself, check_zscore(my_function)" in line and "got None" in line
    ok, line = run(ex.check_zscore, np.zeros(3))
    assert not ok and "got ndarray" in line


def test_arguments_are_passed_by_position_so_any_names_work(run):
    ok, _ = run(ex.check_batch_norm, lambda data, scale, shift, epsilon:
                scale * (data - data.mean(0)) / np.sqrt(data.var(0) + epsilon) + shift)
    assert ok


def test_an_odd_answer_that_breaks_the_comparison_is_reported(run):
    class Weird:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("no")

    ok, line = run(ex.check_zscore, lambda x: Weird())
    assert not ok and line.startswith(ex.FAIL) and "Weird" in line, line


def test_check_and_compare_on_a_toy_exercise(run):
    cases = [Case("two", x=np.arange(3.0), k=2.0), Case("three", x=np.arange(4.0), k=3.0)]
    judge = compare(lambda x, k: k * x, cases, [("you added k", lambda x, k: x + k)], usual={"k": (10.0,)})

    def toy(fn):
        return check("toy", fn, cases, judge)

    assert run(toy, lambda x, k: k * x)[1] == f"{ex.PASS} toy: all 2 hidden cases pass"
    assert run(toy, lambda x, k: x + k)[1] == f"{ex.FAIL} toy: on two, you added k"
    assert "what k=10 would give, but this case passes k=2" in run(toy, lambda x, k: 10 * x)[1]
    assert "what k=2 would give, but this case passes k=3" in run(toy, lambda x, k: 2 * x)[1]
    assert run(toy, lambda x, k: k * x[:2])[1].endswith("your result has shape (2,); expected shape (3,)")
