"""tools/chapter_time.py: the minutes model's arithmetic on a tiny notebook, and a row for every real chapter."""
from pathlib import Path

import nbformat
from nbformat import v4

from bn_lesson.exercises import SOLUTIONS
from tools import chapter_time

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob(chapter_time.CHAPTER_GLOB))


def toy(x, y):
    """A docstring, a comment and a blank line do not count: 3 lines."""
    z = x + y   # the body's first line

    # a comment
    return (z
            * 2)


def tiny_notebook(tmp_path):
    widget = v4.new_output("display_data", data={chapter_time.WIDGET_MIME: {"model_id": "abc"},
                                                  "text/plain": "IntSlider(value=1)"})
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Title\n\n" + "word " * 148),                      # 150 words: 1 min
        v4.new_code_cell("import numpy as np\n\n# set up\nSEED = 0\n" + "x = 1\n" * 8),   # 10 lines: 1 min
        v4.new_code_cell("def my_toy(x, y):\n    raise NotImplementedError"),      # 2 lines: 0.2 min
        v4.new_code_cell("check_toy(my_toy)\ncheck_toy(my_toy)"),                 # 2 lines; one exercise: 5 + 3
        v4.new_code_cell("check_unknown(f)"),                                      # 1 line; not an exercise
        v4.new_code_cell("build_widget()", outputs=[widget]),                      # 1 line; a widget: 3 min
        v4.new_markdown_cell(" ".join(["more"] * 75)),                             # 75 words: 0.5 min
    ])
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_arithmetic_on_a_tiny_notebook(tmp_path):
    row = chapter_time.estimate(tiny_notebook(tmp_path), solutions={"toy": toy})
    assert row.chapter == "99_tiny"
    assert row.prose == 1.5                       # 225 words at 150 a minute
    assert row.code == 1.6                        # 16 lines at 6 s
    assert row.exercises == 8                     # 5 min + 3 lines of toy's body
    assert row.widgets == 3
    assert row.total == 14.1 and row.verdict == "within"


def test_over_the_budget_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(chapter_time, "BUDGET_MIN", 10)
    assert chapter_time.estimate(tiny_notebook(tmp_path), solutions={"toy": toy}).verdict == "OVER"


def test_a_solution_body_is_counted_without_docstring_blanks_or_comments():
    assert len(chapter_time.solution_lines(toy)) == 3
    assert chapter_time.exercise_minutes("fold_bn", SOLUTIONS) == 5 + 2
    assert chapter_time.exercise_minutes("moving_average", SOLUTIONS) == 5 + 4


def test_every_real_chapter_gets_a_row_and_the_model_is_printed(capsys):
    rows = chapter_time.main([])
    out = capsys.readouterr().out
    assert [r.chapter for r in rows] == [p.stem for p in CHAPTERS] and len(rows) >= 10
    assert out.startswith(chapter_time.MODEL) and "150 words/min" in out and "about 45 min" in out
    for r in rows:
        assert r.chapter in out and r.verdict in ("within", "OVER")
        assert abs(r.total - (r.prose + r.code + r.exercises + r.widgets)) < 0.25
        assert r.prose > 0 and r.code > 0


def test_check_exits_1_only_when_a_chapter_is_over(tmp_path, monkeypatch, capsys):
    path = str(tiny_notebook(tmp_path))
    monkeypatch.setattr(chapter_time, "estimate", lambda p: chapter_time.Row("99_tiny", 1, 1, 0, 0, 2, "within"))
    assert chapter_time.main(["--check", path])[0].total == 2
    monkeypatch.setattr(chapter_time, "estimate", lambda p: chapter_time.Row("99_tiny", 50, 1, 0, 0, 51, "OVER"))
    try:
        chapter_time.main(["--check", path])
    except SystemExit as stop:
        assert stop.code == 1
    else:
        raise AssertionError("--check must exit 1 when a chapter is over")
