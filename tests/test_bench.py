"""The benchmark script's pieces that are not timings: budgets per chapter kind, the lab command, the table."""
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
