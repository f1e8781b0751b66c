"""How long is a chapter? An estimate of each chapter's minutes of work, against a budget of about 45.

    python -m tools.chapter_time                      # every notebooks/NN_*.ipynb
    python -m tools.chapter_time notebooks/06_*.ipynb
    python -m tools.chapter_time --check              # exit 1 if a chapter is over the budget

The model (printed above the table, so nobody has to guess what a number means):

* **prose**: the words of the markdown cells at 150 words a minute. Adults read non-fiction at about
  238 words a minute (Brysbaert 2019, a meta-analysis of 190 studies); teaching text with formulas, read
  to be understood, goes slower.
* **code**: 6 s for every non-blank, non-comment line of a code cell: read it, run it, look at what it
  printed or drew.
* **exercises**: a code cell that calls ``check_<name>(`` is exercise ``name``: 5 min, plus 1 min for every
  line of its reference solution's body (``bn_lesson.exercises.SOLUTIONS[name]``, without the docstring,
  blank lines and comments) -- a longer answer takes longer to write.
* **widgets**: a code cell whose stored output is a widget view: 3 min to move its controls.

The numbers are an estimate for planning -- which chapter is too long, which one to split -- not a
measurement of learners; the budget is issue 11's "no chapter longer than about 45 minutes of work".
"""
import argparse
import ast
import inspect
import re
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"

WORDS_PER_MIN = 150          # prose
SECONDS_PER_LINE = 6         # code
EXERCISE_MIN = 5             # each exercise, plus ...
MIN_PER_SOLUTION_LINE = 1    # ... one minute per line of its reference solution's body
WIDGET_MIN = 3               # each interactive widget
BUDGET_MIN = 45              # "about 45 minutes of work"

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
CHECK_CALL = re.compile(r"\bcheck_(\w+)\(")

MODEL = (f"model: prose {WORDS_PER_MIN} words/min, code {SECONDS_PER_LINE} s per line, "
         f"exercise {EXERCISE_MIN} min + {MIN_PER_SOLUTION_LINE} min per solution line, "
         f"widget {WIDGET_MIN} min; budget about {BUDGET_MIN} min")


class Row(NamedTuple):
    """One chapter's estimate, in minutes."""
    chapter: str
    prose: float
    code: float
    exercises: float
    widgets: float
    total: float
    verdict: str


def code_lines(source):
    """Lines of ``source`` that are neither blank nor comments."""
    return [line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]


def solution_lines(fn):
    """Lines of ``fn``'s body without its docstring, blank lines and comments."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    body = tree.body[0].body
    if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        body = body[1:]
    source = textwrap.dedent(inspect.getsource(fn)).splitlines()
    return code_lines("\n".join(source[body[0].lineno - 1:body[-1].end_lineno])) if body else []


def exercise_minutes(name, solutions):
    """Minutes for exercise ``name``: 5 plus 1 per line of its reference solution's body."""
    return EXERCISE_MIN + MIN_PER_SOLUTION_LINE * len(solution_lines(solutions[name]))


def is_widget(cell):
    """A code cell whose stored output shows a widget view."""
    return any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))


def estimate(path, solutions=None):
    """The ``Row`` of the chapter at ``path`` (minutes, rounded to 0.1)."""
    if solutions is None:
        from bn_lesson.exercises import SOLUTIONS as solutions
    nb = nbformat.read(path, as_version=4)
    words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    codes = [c for c in nb.cells if c.cell_type == "code"]
    lines = sum(len(code_lines(c.source)) for c in codes)
    exercises = [name for c in codes for name in dict.fromkeys(CHECK_CALL.findall(c.source)) if name in solutions]
    prose = words / WORDS_PER_MIN
    code = lines * SECONDS_PER_LINE / 60
    exercise = sum(exercise_minutes(name, solutions) for name in exercises)
    widgets = WIDGET_MIN * sum(is_widget(c) for c in codes)
    total = prose + code + exercise + widgets
    return Row(Path(path).stem, *(round(v, 1) for v in (prose, code, exercise, widgets, total)),
               "within" if round(total) <= BUDGET_MIN else "OVER")


def table(rows):
    """The rows as an aligned text table, one chapter a line."""
    width = max([len("chapter")] + [len(r.chapter) for r in rows])
    lines = [f"{'chapter':<{width}}  {'prose':>5}  {'code':>5}  {'exercises':>9}  {'widgets':>7}  {'total':>5}  verdict"]
    lines += [f"{r.chapter:<{width}}  {r.prose:>5.0f}  {r.code:>5.0f}  {r.exercises:>9.0f}  {r.widgets:>7.0f}  "
              f"{r.total:>5.0f}  {r.verdict}" for r in rows]
    return "\n".join(lines)


def main(argv=None):
    """Print the model and the table; return the rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/NN_*.ipynb")
    parser.add_argument("--check", action="store_true", help="exit 1 if any chapter is over the budget")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob(CHAPTER_GLOB))
    rows = [estimate(p) for p in paths]
    print(MODEL)
    print(table(rows))
    if args.check and any(r.verdict != "within" for r in rows):
        sys.exit(1)
    return rows


if __name__ == "__main__":
    main()
