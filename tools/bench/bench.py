"""The course's performance benchmark (``make bench``): prints a table and writes bench/RESULTS.md.

    python -m tools.bench.bench                      # everything (about 10-15 minutes)
    python -m tools.bench.bench --only explorer lab  # some parts: explorer, browser, widgets, nbval, suite, lab
                                                     # (RESULTS.md keeps the other parts' rows)

What is measured, on this machine, against the budgets of the course:

* **explorer** -- the explorer in the static book, in Chromium (``tools/bench/bench_explorer.py`` does the
  measuring): a key press on gamma's slider -> the histogram changed on screen, median and p95 at 10,000
  and 100,000 samples, and chapter 03's page loaded from disk -> the explorer drawn and answering. Budgets:
  <= 16 ms median and <= 33 ms p95 at 10,000 samples; the page interactive within 1 s.
* **browser** -- the same key press in JupyterLab and in the Voila demo app (each running a small notebook
  with a 10,000- and a 100,000-sample explorer). Same budgets.
* **widgets** -- each chapter widget built as its chapter builds it, at the chapter's sizes, in this process
  (``tools/bench/bench_widgets.py`` does the measuring): a control move -> the new PNG in the widget, median
  and p95, for first visits to a setting and for revisits. Budget: a pure redraw <= 50 ms median (issue 11).
* **nbval** -- each chapter under ``pytest --nbval --nbval-current-env`` (kernel start, execution and the
  comparison of every output), one pytest process per chapter. Budgets: <= 20 s for a numpy chapter,
  <= 45 s for a TensorFlow chapter (TensorFlow's import included).
* **suite** -- ``make test``'s command, everything in one run: unit tests, browser tests, every chapter.
  Budget: <= 5 min.
* **lab** -- ``make lab``'s command (environment already built) -> JupyterLab serving its page, median
  of 3 starts.

It is a script, not a timed test: the machine may be shared and timings are noisy, so the load average
is printed with the numbers, and a budget that is missed is reported, not asserted.
"""
import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tools.kernel import kernel_env

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))  # the browser-test harness (not a package)

#: the course's budgets on its 2-core reference machine (issue 9): one chapter under nbval and the whole
#: `make test` in s; the explorer's (issue 13) are ``bench_explorer.BUDGETS``
BUDGETS = {"numpy_s": 20.0, "tf_s": 45.0, "suite_s": 300.0}
#: ``make test``'s pytest arguments (tests/test_make.py checks that the Makefile runs these)
SUITE_ARGS = ("-n", "3", "--dist", "loadscope", "--nbval", "--nbval-current-env", "tests", "notebooks")
PARTS = ("explorer", "browser", "widgets", "nbval", "suite", "lab")
VENV_BIN = Path(sys.executable).parent


def verdict(value, budget):
    """"within" when ``value`` meets ``budget``, else a bold "OVER" (a missed budget is reported, not asserted)."""
    return "within" if value <= budget else "**OVER**"


# -- explorer ----------------------------------------------------------------------------------------------

def bench_explorer_part(presses):
    """The static book: key press -> histogram on screen, and the chapter page's load -> explorer answering."""
    from tools.bench import bench_explorer  # here: it needs Playwright and the browser harness only when timed

    return bench_explorer.measure(("book",), presses)[0]


def bench_browser_part(presses):
    """Key press on gamma -> histogram on screen, in JupyterLab and in the Voila demo app."""
    from tools.bench import bench_explorer

    return bench_explorer.measure(("lab", "voila"), presses)[0]


# -- the chapter widgets -----------------------------------------------------------------------------------

def bench_widgets_part(passes):
    """Each chapter widget at its chapter's sizes: control move -> new PNG, first visits and revisits."""
    from tools.bench import bench_widgets  # here: it imports the widgets (matplotlib, ipywidgets) only when timed

    return bench_widgets.measure(passes=passes, say=lambda line: print(line, flush=True))


# -- nbval and the suite ------------------------------------------------------------------------------------

def uses_tensorflow(path):
    nb = json.loads(Path(path).read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return bool(re.search(r"^\s*(import tensorflow|from tensorflow|import keras|from keras|from bn_lesson\.tf\b)",
                          code, re.M))


def chapter_budget(path):
    """Seconds a chapter may take under nbval: a TensorFlow chapter pays for TensorFlow's import."""
    return BUDGETS["tf_s"] if uses_tensorflow(path) else BUDGETS["numpy_s"]


def _pytest(args, timeout):
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=dict(os.environ, **kernel_env()))
    seconds = time.perf_counter() - start
    summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1].strip("= ")
    return seconds, proc.returncode, summary


def bench_nbval_part():
    rows = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        budget = chapter_budget(path)
        seconds, code, summary = _pytest(["--nbval", "--nbval-current-env", str(path.relative_to(ROOT))], 900)
        judged = verdict(seconds, budget) + ("" if code == 0 else f", nbval FAILED ({summary})")
        kind = "TensorFlow" if uses_tensorflow(path) else "numpy"
        rows.append((f"nbval: {path.name} ({kind})", f"{seconds:.1f} s ({summary})", f"<= {budget:.0f} s", judged))
    return rows


def bench_suite_part():
    seconds, code, summary = _pytest(SUITE_ARGS, 3600)
    judged = verdict(seconds, BUDGETS["suite_s"]) + ("" if code == 0 else ", some tests FAILED")
    return [("the whole suite (`make test`: unit, browser and every chapter under nbval)",
             f"{seconds:.0f} s = {seconds / 60:.1f} min ({summary})", f"<= {BUDGETS['suite_s'] / 60:.0f} min", judged)]


# -- lab start ----------------------------------------------------------------------------------------------

def lab_command(port):
    """``make lab``'s JupyterLab command line, as make would run it (its last recipe line), without the
    environment set-up step before it: the environment is already built."""
    out = subprocess.run(["make", "--no-print-directory", "-n", "lab", f"PORT={port}"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if "jupyter lab" in line][-1]


def _lab_start_once(port, token):
    """Seconds from the lab command to JupyterLab's page answering 200."""
    env = dict(os.environ, JUPYTER_TOKEN=token, BROWSER="true")  # BROWSER=true: open no browser
    command = lab_command(port)
    start = time.perf_counter()
    proc = subprocess.Popen(command, shell=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.perf_counter() - start < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as r:
                    if r.status == 200:
                        return time.perf_counter() - start
            except (urllib.error.URLError, OSError):
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"the lab command exited with code {proc.returncode}")
            time.sleep(0.1)
        raise TimeoutError("JupyterLab did not answer within 120 s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group of the command we started
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def bench_lab_part(runs=3):
    from harness import free_port

    times = [_lab_start_once(free_port(), os.urandom(16).hex()) for _ in range(runs)]
    return [(f"`make lab`'s command -> JupyterLab page served (environment built; {runs} starts)",
             f"median {statistics.median(times):.1f} s (each: {', '.join(f'{t:.1f}' for t in times)} s)", "-", "-")]


# -- the report ---------------------------------------------------------------------------------------------

def machine_line():
    load = os.getloadavg()
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs ({platform.machine()}), "
            f"Python {platform.python_version()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
            f"(1 / 5 / 15 min), OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")


def table(rows):
    lines = ["| what | measured | budget | verdict |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


#: how each part's rows begin in the table: a run of some parts keeps the other parts' rows of RESULTS.md
ROW_PREFIXES = {"explorer": ("static book:",), "browser": ("JupyterLab:", "Voila demo app:"),
                "widgets": ("chapter ",), "nbval": ("nbval:",), "suite": ("the whole suite",), "lab": ("`make lab`",)}


def part_of(what):
    """The part a table row belongs to, from how its "what" cell begins (None if no part's)."""
    return next((part for part, prefixes in ROW_PREFIXES.items() if what.startswith(prefixes)), None)


def earlier_results(text):
    """(the run lines, {part: rows}) of a RESULTS.md the script wrote."""
    runs, rows = [], {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith(("| what |", "|---")):
            row = tuple(cell.strip() for cell in line.strip().strip("|").split(" | "))
            rows.setdefault(part_of(row[0]), []).append(row)
        elif line.startswith(("`make bench", "Kept from")):
            runs.append(line)
    return runs, rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--presses", type=int, default=30, help="explorer, browser: timed key presses per explorer")
    parser.add_argument("--passes", type=int, default=3, help="widgets: times each widget's moves are played")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md", help="'' to skip writing")
    args = parser.parse_args(argv)
    start_line = machine_line()
    rows = []
    parts = {"explorer": lambda: bench_explorer_part(args.presses), "browser": lambda: bench_browser_part(args.presses),
             "widgets": lambda: bench_widgets_part(args.passes),
             "nbval": bench_nbval_part, "suite": bench_suite_part, "lab": bench_lab_part}
    some = set(args.only) != set(PARTS)
    runs, kept = earlier_results(args.out.read_text()) if some and str(args.out) and args.out.exists() else ([], {})
    for part in PARTS:
        if part in args.only:
            print(f"[bench] {part} ...", flush=True)
            part_rows = parts[part]()
            for row in part_rows:
                print(f"[bench]   {row[0]}: {row[1]} ({row[3]})", flush=True)
            rows += part_rows
        else:
            rows += kept.get(part, [])
    command = f"`make bench` (`tools/bench/bench.py{' --only ' + ' '.join(args.only) if some else ''}`)"
    earlier = [f"Kept from the earlier run for the other parts: {line}" if line.startswith("`") else line
               for line in runs if any(kept.get(part) for part in PARTS if part not in args.only)]
    text = "\n".join([
        "# Benchmark", "",
        f"{command}, started {start_line}; finished with load average {os.getloadavg()[0]:.1f}.", "",
        *[paragraph for line in earlier for paragraph in (line, "")],
        table(rows), "",
    ])
    print("\n" + text)
    if str(args.out):
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
