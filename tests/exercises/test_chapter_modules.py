"""Each chapter's exercises live in its own module, ``bn_lesson.exercises.chNN``, and keep their public names:
every ``check_<name>(`` a chapter calls is ``chNN.check_<name>``, exported by ``bn_lesson.exercises``, with its
reference solution ``SOLUTIONS[name]`` beside it. (Chapters 06, 08 and 10 were split into 11, 12 and 13; the
exercises moved with their sections.)"""
import importlib
import re
from pathlib import Path

import pytest

import bn_lesson.exercises as ex

CHAPTERS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def called_checkers(path):
    return sorted(set(re.findall(r"check_(\w+)\(", path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem[:2] for p in CHAPTERS])
def test_a_chapters_checkers_live_in_its_module(path):
    module = importlib.import_module(f"bn_lesson.exercises.ch{path.stem[:2]}")
    for name in called_checkers(path):
        checker = getattr(ex, f"check_{name}")
        assert f"check_{name}" in ex.__all__, name
        assert checker is getattr(module, f"check_{name}", None), f"check_{name} is not in {module.__name__}"
        assert ex.SOLUTIONS[name] is getattr(module, name), f"{name}'s solution is not in {module.__name__}"


def test_every_exercise_is_called_by_a_chapter_in_chapter_order():
    called = [name for path in CHAPTERS for name in called_checkers(path)]
    assert sorted(called) == sorted(ex.SOLUTION_NAMES)
    order = {path.stem[:2]: i for i, path in enumerate(CHAPTERS)}
    chapter_of = [order[ex.SOLUTIONS[name].__module__.rsplit(".ch", 1)[1]] for name in ex.SOLUTION_NAMES]
    assert chapter_of == sorted(chapter_of), "SOLUTIONS is not in chapter order"
