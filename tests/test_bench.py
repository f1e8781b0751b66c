"""The benchmark script's pieces that are not timings: budgets per chapter kind, the lab command, the table,
and that the chapter widgets' part runs and reports its rows."""
import inspect
import json
import re
from pathlib import Path

import pytest

from tools.bench import bench

ROOT = Path(__file__).resolve().parents[1]

CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_tensorflow_chapters_get_the_tensorflow_budget(path):
    """Issue 9's budgets on the 2-core reference machine: 20 s a numpy chapter, 45 s a TensorFlow one."""
    text = path.read_text()
    imports_tf = "import tensorflow" in text or "from bn_lesson.tf" in text or "import keras" in text
    assert bench.uses_tensorflow(path) == imports_tf
    assert bench.chapter_budget(path) == (45.0 if imports_tf else 20.0)


def test_the_whole_suite_gets_five_minutes():
    assert bench.BUDGETS["suite_s"] == 300.0


def test_lab_command_is_make_labs_jupyter_line_on_the_given_port():
    line = bench.lab_command(8999)
    assert "jupyter lab" in line and "--port=8999" in line and "--ip=127.0.0.1" in line
    assert "pip install" not in line


def test_table_is_markdown():
    text = bench.table([("a", "1 ms", "<= 2 ms", bench.verdict(1, 2)), ("b", "3 ms", "<= 2 ms", bench.verdict(3, 2))])
    assert text.splitlines()[:2] == ["| what | measured | budget | verdict |", "|---|---|---|---|"]
    assert "| a | 1 ms | <= 2 ms | within |" in text and "**OVER**" in text


# -- the chapter widgets' part (the timing itself is `make bench --only widgets`, never a test) -------------

def _chapter_code(chapter):
    (path,) = (ROOT / "notebooks").glob(f"{chapter}_*.ipynb")
    return "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")


def test_every_chapter_widget_is_benchmarked_with_the_chapters_call():
    """Each case's call is the chapter's own; every widget builder a chapter calls has a case (03's explorer
    is the explorer part's)."""
    from tools.bench import bench_widgets

    for case in bench_widgets.CASES.values():
        call = case.call.split(": ")[0].removesuffix(", ...)")
        assert call in _chapter_code(case.chapter), (case.chapter, call)
    called = {name for path in CHAPTERS for name in re.findall(r"from bn_lesson\.widgets\.\w+ import ([^\n]+)",
                                                                    path.read_text())
              for name in re.findall(r"build_\w+", name)} - {"build_explorer"}
    benched = set(re.findall(r"build_\w+", " ".join(case.call for case in bench_widgets.CASES.values())))
    benched |= set(re.findall(r"build_\w+", inspect.getsource(bench_widgets.press_rows)))
    assert called <= benched


def test_moves_are_first_visits_then_revisits():
    ipywidgets = pytest.importorskip("ipywidgets")
    from tools.bench import bench_widgets

    slider = ipywidgets.IntSlider(value=0, min=0, max=4)
    shown = []
    slider.observe(lambda change: shown.append(change["new"]), names="value")
    case = bench_widgets.Case("00", "build_none()", lambda: None, lambda _: slider,
                              lambda view: bench_widgets._sweep(view, [0, 1, 2, 3, 4]))
    timing = bench_widgets.time_case(case, passes=3)
    assert len(timing.first) == 4 and len(timing.revisit) == 8   # 0 is where it starts: not a move
    assert shown == [1, 2, 3, 4] + 2 * [0, 1, 2, 3, 4]           # every pass starts from the chapter's setting


def test_the_widgets_part_runs_and_reports_rows():
    """The cube (chapter 05), twice through its 48 settings: one row for first visits, one for revisits."""
    from tools.bench import bench_widgets

    rows = bench_widgets.measure(("cube",), passes=2, say=lambda _line: None)
    assert len(rows) == 2 and all(len(row) == 4 for row in rows)
    first, revisit = rows
    assert "first visit" in first[0] and "(47 moves)" in first[0] and "built it in" in first[1]
    assert "revisit" in revisit[0] and re.fullmatch(r"median [\d.]+ ms, p95 [\d.]+ ms \(CPU median [\d.]+ ms\)",
                                                    revisit[1])
    assert all(row[2] == "<= 50 ms median" and row[3] in ("within", "**OVER**") for row in rows)
    assert "widgets" in bench.PARTS


def test_a_run_of_some_parts_keeps_the_other_parts_rows():
    text = "\n".join(["# Benchmark", "", "`make bench` (`tools/bench/bench.py`), started then.", "",
                      bench.table([("nbval: 01_x.ipynb (numpy)", "5.6 s", "<= 20 s", "within"),
                                   ("chapter 05 widget `build_cube(x)`: control move", "median 9 ms", "<= 50 ms median",
                                    "within")]), ""])
    runs, rows = bench.earlier_results(text)
    assert runs == ["`make bench` (`tools/bench/bench.py`), started then."]
    assert rows == {"nbval": [("nbval: 01_x.ipynb (numpy)", "5.6 s", "<= 20 s", "within")],
                    "widgets": [("chapter 05 widget `build_cube(x)`: control move", "median 9 ms", "<= 50 ms median",
                                 "within")]}
    _, committed = bench.earlier_results((ROOT / "bench" / "RESULTS.md").read_text())
    assert None not in committed    # every row of the committed results is some part's
