"""Slides: the metadata rules, the chapters carrying them, and decks that load nothing from another host."""
import base64
import io
import re
from pathlib import Path

import nbformat
import pytest
from matplotlib.figure import Figure

from tools.slides import add_slide_metadata, build_slides
from tools.slides.add_slide_metadata import SLIDE_LINES, WIDGET_MIME, png_size, slide_types

ROOT = Path(__file__).resolve().parents[1]

CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
v4 = nbformat.v4


def _figure_output(height_in):
    fig = Figure(figsize=(6, height_in), dpi=100)
    fig.subplots().plot([0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return v4.new_output("display_data", data={"image/png": base64.b64encode(buf.getvalue()).decode(),
                                               "text/plain": "<Figure>"})


def _code(source, *outputs):
    cell = v4.new_code_cell(source)
    cell.outputs = list(outputs)
    return cell


def test_png_size_reads_the_header():
    out = _figure_output(3.5)
    assert png_size(out.data["image/png"]) == (600, 350)
    assert png_size(base64.b64encode(b"GIF89a" + b"\0" * 40).decode()) is None


def test_headings_open_slides_and_widgets_are_skipped():
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Chapter\nwhat you will learn"),
        _code("import numpy as np"),
        v4.new_markdown_cell("## 1 · First section"),
        _code("w = build()", v4.new_output("display_data", data={WIDGET_MIME: {"model_id": "x"},
                                                                  "text/plain": "VBox()"})),
        v4.new_markdown_cell("### a detail"),
        _code("print(1)", v4.new_output("stream", name="stdout", text="1\n")),
    ])
    assert slide_types(nb) == ["slide", "-", "slide", "skip", "subslide", "-"]


def test_a_full_slide_overflows_into_a_subslide_and_the_sentence_moves_with_its_figure():
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("## Section\n" + "a line of prose\n" * 8),
        _code("x = 1\n" * 5),
        v4.new_markdown_cell("Look at the figure below: the curve drops."),
        _code("plot()", _figure_output(4.0)),
    ])
    kinds = slide_types(nb)
    assert kinds == ["slide", "-", "subslide", "-"]
    lines = [add_slide_metadata.estimated_lines(c) for c in nb.cells]
    assert sum(lines) > SLIDE_LINES >= lines[2] + lines[3]


def test_apply_only_writes_slideshow_metadata():
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# T"), _code("1", v4.new_output("stream", text="1\n"))])
    nb.cells[1].metadata["tags"] = ["nbval-ignore-output"]
    before = nbformat.writes(nb)
    assert add_slide_metadata.apply(nb) == 2
    assert add_slide_metadata.apply(nb) == 0  # idempotent
    assert nb.cells[1].metadata == {"tags": ["nbval-ignore-output"], "slideshow": {"slide_type": "-"}}
    for cell in nb.cells:
        del cell.metadata["slideshow"]
    assert nbformat.writes(nb) == before


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_chapter_carries_slide_metadata(path):
    nb = nbformat.read(path, as_version=4)
    missing = [i for i, c in enumerate(nb.cells) if "slide_type" not in c.metadata.get("slideshow", {})]
    assert not missing, (f"cells {missing} have no slide metadata: run "
                         f"`.venv/bin/python -m tools.slides.add_slide_metadata {path.relative_to(ROOT)}`")


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Every chapter built into a deck, as `make slides` does (the first build fetches reveal.js)."""
    out = tmp_path_factory.mktemp("slides")
    try:
        built = build_slides.build(CHAPTERS, out)
    except SystemExit as err:  # npm or the registry unreachable on a learner's offline machine
        pytest.skip(f"could not fetch the pinned JavaScript packages: {err}")
    return out, built


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
def test_one_deck_per_chapter_with_its_slides(decks):
    out, built = decks
    assert [d.name for d, _ in built] == [f"{p.stem}.slides.html" for p in CHAPTERS]
    index = (out / "index.html").read_text()
    for deck, n_slides in built:
        page = deck.read_text()
        assert n_slides >= 3
        assert page.count("<section") >= n_slides
        assert deck.name in index
        assert "<img" in page or "data:image/png" in page  # the static figures are there
        assert WIDGET_MIME not in page  # no live widgets: no kernel in a deck


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
def test_decks_load_everything_from_slides_folder(decks):
    out, built = decks
    for deck, _ in built:
        page = deck.read_text()
        assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", page), deck.name
        assert "_static/reveal.js/dist/reveal.js" in page
        for ref in re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"?#]+)", page):
            assert (out / ref).is_file(), f"{deck.name} loads {ref}, which is not in slides/"
