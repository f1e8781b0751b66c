"""What the book and the slides change in a chapter, in memory, before nbconvert renders it.

The stored notebook is never written: these functions take a ``NotebookNode`` (a copy) and return it.

* ``box_exercises`` -- each exercise (its task, the learner's stub ``def my_x(...)``, the checker call
  ``check_x(my_x)``) becomes ONE exercise box: the task, the code to write and the check to run, and the
  reference solution behind a click. The stored run of an unwritten exercise ("✗ ... not written yet" and
  the checker's echoed ``False``) is what a reader must not see: a reader has not written anything.
* ``mark_setup`` -- the set-up cells (the chapter's first code cell, and any cell of imports only) are
  marked so the book folds them and the slides leave them out.
* ``split_at_headings`` -- a markdown cell holding several sections ("Summary" and "Exercises") becomes
  one cell per section, so each section opens its own slide.
* ``without_asserts`` -- a cell's code without its ``assert`` statements (the checks that keep a stored
  number honest are test code, not slide material).

A chapter needs nothing special for any of this: exercises are found by their shape, whatever the text.
"""
import ast
import contextlib
import html
import io
import re
from dataclasses import dataclass

import nbformat
from nbconvert.filters import markdown2html
from nbconvert.filters.highlight import Highlight2HTML

#: the metadata key of everything here (``cell.metadata[KEY]``): {"html": str} for a box, {"fold": str}
KEY = "bn_book"
#: a checker call on the learner's function, alone in its cell
CHECK_CALL = re.compile(r"^\s*check_(\w+)\(\s*(\w+)\s*\)\s*;?\s*$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+\S")
SETUP_SUMMARY = "Set-up: imports and the random seed"

_highlight = Highlight2HTML(pygments_lexer="ipython3")


def _source(cell):
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def code_html(code):
    """Highlighted Python, with nbconvert's classes (the page's Pygments style colours it)."""
    return _highlight(code.strip("\n"))


def markdown_html(markdown):
    """Markdown to HTML as nbconvert renders a markdown cell (math left for MathJax)."""
    return markdown2html(markdown)


# -- exercises ----------------------------------------------------------------------------------------------

@dataclass
class Exercise:
    """One exercise of a chapter, as ``find_exercises`` reads it."""

    name: str            #: the checker's name without ``check_``, e.g. "batch_mean" (``solution(name)``)
    function: str        #: the learner's function, e.g. "my_batch_mean"
    signature: str       #: its def line without ``def`` and the colon, e.g. "my_batch_mean(x, axis=0)"
    task: str            #: the task's markdown (may be empty)
    stub: str            #: the stub cell's code
    check: str           #: the checker call
    task_cell: int       #: index of the markdown cell the task came from, or -1
    keep: str            #: what stays of that markdown cell as an ordinary cell ("" removes it)
    stub_cell: int = -1
    check_cell: int = -1


def _defined_function(code):
    """(name, signature) of the single function a code cell defines, or None."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    defs = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    if len(defs) != 1:
        return None
    line = code.splitlines()[defs[0].lineno - 1].strip()
    return defs[0].name, line.removeprefix("def ").rstrip(":").strip()


def _split_task(markdown):
    """(keep, task): the task is what follows the cell's last heading -- from its last paragraph that opens
    in bold ("**2 · Step 2.** ...") when there is one, else all of it; ``keep`` is the rest."""
    lines = markdown.splitlines()
    last = max((i for i, line in enumerate(lines) if HEADING.match(line)), default=-1)
    before, after = lines[:last + 1], lines[last + 1:]
    paragraphs, current = [], []
    for line in after:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    bold = [i for i, p in enumerate(paragraphs) if p[0].lstrip().startswith("**")]
    start = bold[-1] if bold else 0
    keep = "\n".join(before + [line for p in paragraphs[:start] for line in p + [""]]).strip()
    task = "\n\n".join("\n".join(p) for p in paragraphs[start:]).strip()
    return keep, task


def find_exercises(nb):
    """Every exercise of ``nb``: a cell that defines one function, followed by a cell that only calls
    ``check_<name>(<that function>)``; the task is the markdown just before the function's cell."""
    found = []
    cells = nb.cells
    for i in range(1, len(cells)):
        cell, prev = cells[i], cells[i - 1]
        if cell.cell_type != "code" or prev.cell_type != "code":
            continue
        call = CHECK_CALL.match(_source(cell))
        defined = _defined_function(_source(prev))
        if not call or not defined or defined[0] != call.group(2):
            continue
        keep, task, task_cell = "", "", -1
        if i >= 2 and cells[i - 2].cell_type == "markdown":
            task_cell = i - 2
            keep, task = _split_task(_source(cells[task_cell]))
        found.append(Exercise(call.group(1), defined[0], defined[1], task, _source(prev).strip(),
                              _source(cell).strip(), task_cell, keep, i - 1, i))
    return found


def solution_source(name):
    """The reference solution ``bn_lesson.exercises.solution(name)`` prints, or None when there is none."""
    try:
        from bn_lesson.exercises import solution
    except ImportError:
        return None
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            solution(name)
    except (ValueError, TypeError, KeyError):
        return None
    return out.getvalue().strip() or None


def exercise_html(ex, solution=None):
    """The exercise box: task, the code to write and the check to run, and the solution behind a click."""
    parts = [f'<article class="book-exercise" id="exercise-{html.escape(ex.name)}" data-exercise="{html.escape(ex.name)}">',
             f'<div class="book-exercise-head"><span class="book-exercise-tag">Exercise</span> '
             f'<span class="book-exercise-what">write <code>{html.escape(ex.signature)}</code></span></div>']
    if ex.task:
        parts.append('<div class="book-exercise-task jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">'
                     f"{markdown_html(ex.task)}</div>")
    parts.append(f'<div class="book-exercise-code">{code_html(ex.stub + chr(10) * 2 + ex.check)}</div>')
    parts.append('<p class="book-exercise-how">Run it in JupyterLab (<code>make lab</code>): write the function, '
                 "run both lines, and the check prints &#x2713; or a hint that names the mistake.</p>")
    if solution:
        parts.append('<details class="book-solution"><summary>Show a solution</summary>'
                     f"{code_html(solution)}</details>")
    else:
        parts.append(f'<p class="book-exercise-how">Stuck? <code>solution("{html.escape(ex.name)}")</code> '
                     "prints an answer.</p>")
    parts.append("</article>")
    return "\n".join(parts)


def box_cell(box_html):
    """A raw cell the book's and the slides' templates emit as it is (``cell.metadata[KEY]["html"]``)."""
    cell = nbformat.v4.new_raw_cell(box_html)
    cell.metadata[KEY] = {"html": True}
    return cell


def box_exercises(nb, solutions=solution_source):
    """Replace each exercise's task, stub and check cells by one exercise box; returns ``nb``.

    ``solutions``: name -> solution source or None (default: ``bn_lesson.exercises.solution``).
    """
    exercises = find_exercises(nb)
    by_first = {}
    drop = set()
    for ex in exercises:
        first = ex.task_cell if ex.task_cell >= 0 else ex.stub_cell
        by_first[first] = ex
        drop.update({ex.stub_cell, ex.check_cell} | ({ex.task_cell} if ex.task_cell >= 0 else set()))
    cells = []
    for i, cell in enumerate(nb.cells):
        ex = by_first.get(i)
        if ex is not None:
            if ex.keep:
                kept = nbformat.v4.new_markdown_cell(ex.keep)
                kept.metadata = dict(nb.cells[ex.task_cell].metadata)
                cells.append(kept)
            box = box_cell(exercise_html(ex, solutions(ex.name)))
            box.metadata[KEY]["exercise"] = ex.name
            cells.append(box)
        elif i not in drop:
            cells.append(cell)
    nb.cells = cells
    return nb


# -- set-up cells, sections, test code ------------------------------------------------------------------------

def is_setup(cell, first_code):
    """A set-up cell: the chapter's first code cell, or a code cell of nothing but imports."""
    if cell.cell_type != "code":
        return False
    if first_code:
        return True
    try:
        body = ast.parse(_source(cell)).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in body)


def mark_setup(nb, summary=SETUP_SUMMARY):
    """Mark the set-up cells (``cell.metadata[KEY]["fold"] = summary``); returns ``nb``."""
    first = True
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if is_setup(cell, first):
            cell.metadata.setdefault(KEY, {})["fold"] = summary
        first = False
    return nb


def split_at_headings(nb, max_level=2):
    """Split each markdown cell before every heading of level <= ``max_level`` that is not its first line;
    the pieces keep the cell's metadata (without its slide type, which is computed again). Returns ``nb``."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        pieces, current = [], []
        for line in _source(cell).splitlines():
            match = HEADING.match(line)
            if match and len(match.group(1)) <= max_level and any(l.strip() for l in current):
                pieces.append(current)
                current = []
            current.append(line)
        pieces.append(current)
        for j, piece in enumerate(pieces):
            new = nbformat.v4.new_markdown_cell("\n".join(piece).strip())
            new.metadata = {k: v for k, v in cell.metadata.items() if j == 0 or k != "slideshow"}
            cells.append(new)
    nb.cells = cells
    return nb


def without_asserts(code):
    """``code`` without its top-level ``assert`` statements (and the blank lines they leave at the end)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.splitlines()
    drop = set()
    for node in tree.body:
        if isinstance(node, ast.Assert):
            drop.update(range(node.lineno - 1, node.end_lineno))
    return "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")
