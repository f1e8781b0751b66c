"""The book's and the slides' preparation of a chapter (tools/site/notebook_prep.py) and the book's shell
(tools/site/shell.py), without a browser: exercise boxes, folded set-up, sections, test code, the
"On this page" list and the search index."""
import re

import nbformat
import pytest

from tools.site import notebook_prep, shell

v4 = nbformat.v4


def _code(source, *outputs):
    cell = v4.new_code_cell(source)
    cell.outputs = list(outputs)
    return cell


def _unwritten_check(name):
    """A checker cell as an unwritten exercise stores it: the ✗ line and the echoed False."""
    return _code(f"check_{name}(my_{name})",
                 v4.new_output("stream", name="stdout", text=f"✗ {name}: not written yet -- replace the line\n"),
                 v4.new_output("execute_result", data={"text/plain": "False"}, execution_count=3))


def _stub(name, args="x"):
    return _code(f"def my_{name}({args}):\n    raise NotImplementedError(\"your code here\")")


def exercises_chapter():
    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# Chapter 03 · Steps"),
        _code("import numpy as np\nSEED = 0"),
        v4.new_markdown_cell("## Summary\n- four steps\n\n## Exercises · write them\nReplace each `raise` line.\n\n"
                             "**1 · Step 1.** Return the mean over `axis`."),
        _stub("batch_mean", "x, axis=0"),
        _unwritten_check("batch_mean"),
        v4.new_markdown_cell("**2 · Step 2.** Return $\\sigma^2$."),
        _stub("batch_variance", "x, mean, axis=0"),
        _unwritten_check("batch_variance"),
        v4.new_markdown_cell("## Exercise 2 · one more\nWrite `my_zscore(x)`: standardize each column."),
        _stub("zscore"),
        _unwritten_check("zscore"),
        _code("check_batch_mean(some_other_function)"),  # not an exercise: no stub right before it
    ])


def test_exercises_are_found_by_their_shape_with_their_task():
    found = notebook_prep.find_exercises(exercises_chapter())
    assert [(e.name, e.function, e.signature) for e in found] == [
        ("batch_mean", "my_batch_mean", "my_batch_mean(x, axis=0)"),
        ("batch_variance", "my_batch_variance", "my_batch_variance(x, mean, axis=0)"),
        ("zscore", "my_zscore", "my_zscore(x)")]
    first, second, third = found
    assert first.task.startswith("**1 · Step 1.**") and first.keep.endswith("Replace each `raise` line.")
    assert second.task.startswith("**2 · Step 2.**") and second.keep == ""
    assert third.keep == "## Exercise 2 · one more" and third.task.startswith("Write `my_zscore(x)`")


def test_each_exercise_becomes_one_box_without_the_stored_failure():
    solutions = {"batch_mean": "def batch_mean(x, axis=0):\n    return x.mean(axis=axis)"}
    nb = notebook_prep.box_exercises(exercises_chapter(), solutions=solutions.get)
    boxes = [c for c in nb.cells if c.cell_type == "raw"]
    assert [c.metadata[notebook_prep.KEY]["exercise"] for c in boxes] == ["batch_mean", "batch_variance", "zscore"]
    first = boxes[0].source
    text = re.sub(r"<[^>]+>", "", first)
    assert "check_batch_mean(my_batch_mean)" in text and "Return the mean over" in text
    assert '<details class="book-solution"><summary>Show a solution</summary>' in first
    assert "return x.mean(axis=axis)" in text
    assert 'solution("batch_variance")' in boxes[1].source  # no solution found: say how to print one
    rendered = nbformat.writes(nb)
    assert "not written yet" not in rendered and '"text/plain": "False"' not in rendered
    # the intro and the section headings stay as ordinary cells; the stray checker call too
    assert any(c.cell_type == "markdown" and c.source.endswith("Replace each `raise` line.") for c in nb.cells)
    assert any(c.cell_type == "markdown" and c.source == "## Exercise 2 · one more" for c in nb.cells)
    assert nb.cells[-1].source == "check_batch_mean(some_other_function)"


def test_the_real_solution_is_what_solution_prints():
    source = notebook_prep.solution_source("batch_mean")
    assert source.startswith("def ") and "return" in source
    assert notebook_prep.solution_source("no_such_exercise") is None


def test_set_up_cells_are_marked_to_fold():
    nb = notebook_prep.mark_setup(v4.new_notebook(cells=[
        v4.new_markdown_cell("# T"), _code("import numpy as np\nSEED = 0"), _code("x = 1"),
        _code("from math import erf\nimport os"), _code("import os\nprint(os.sep)")]))
    folded = [bool(c.metadata.get(notebook_prep.KEY, {}).get("fold")) for c in nb.cells]
    assert folded == [False, True, False, True, False]


def test_sections_are_split_and_asserts_dropped():
    nb = notebook_prep.split_at_headings(v4.new_notebook(cells=[
        v4.new_markdown_cell("## Summary\n- a\n\n## Exercises\ntext\n### detail kept")]))
    assert [c.source for c in nb.cells] == ["## Summary\n- a", "## Exercises\ntext\n### detail kept"]
    code = "y = f(x)\nassert y.shape == (3,), \\\n    y.shape\nprint(y)\nassert np.all(y > 0)"
    assert notebook_prep.without_asserts(code) == "y = f(x)\nprint(y)"


PAGE = """<html><body><main>
<h1 id="Chapter-03">Chapter 03 · Steps<a class="anchor-link" href="#Chapter-03">¶</a></h1><p>Intro.</p>
<h2 id="1-·-First">1 · First<a class="anchor-link" href="#1-·-First">¶</a></h2><p>About <b>ε</b> &amp; more.</p>
<script>var ignored = 1;</script>
<h3 id="Detail">Detail<a class="anchor-link" href="#Detail">¶</a></h3><p>Small print.</p>
</main><!--book-onpage--></body></html>"""


def test_on_this_page_lists_the_sections_and_subsections():
    page = shell.finish_page(PAGE)
    assert shell.ONPAGE_MARK not in page
    links = re.findall(r'<li class="book-onpage-h(\d)"><a href="#([^"]+)">([^<]+)</a>', page)
    assert links == [("2", "1-·-First", "1 · First"), ("3", "Detail", "Detail")]


def test_the_search_index_has_a_clean_entry_per_section():
    entries = shell.search_entries("03_steps.html", "03 · Steps", PAGE)
    assert [e["section"] for e in entries] == ["Chapter 03 · Steps", "1 · First", "Detail"]
    second = entries[1]
    assert second == {"page": "03_steps.html", "id": "1-·-First", "chapter": "03 · Steps", "section": "1 · First",
                      "text": "About ε & more."}


@pytest.mark.parametrize("html", ["", "<main><p>no headings</p></main>"])
def test_a_page_without_sections_gets_no_list(html):
    assert shell.on_this_page(html) == ""
    assert shell.search_entries("x.html", "x", html) == []
