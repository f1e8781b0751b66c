"""Give every chapter reveal.js slide metadata, computed from its cells; nothing else in the file changes.

    python -m tools.slides.add_slide_metadata notebooks/*.ipynb          # write the metadata
    python -m tools.slides.add_slide_metadata --check notebooks/*.ipynb  # exit 1 if any would change

``make slides`` (``build_slides``) computes the same rules again on the chapter as the deck shows it
(exercise boxes, sections split, set-up and test code left out), so a deck never depends on the stored
metadata being fresh; the stored metadata serves JupyterLab's and RISE's own slideshows.

The rules (``slide_types``), so that a chapter turns into a deck without anyone marking cells by hand:

* a markdown cell that opens with a ``#`` or ``##`` heading starts a new slide (a chapter's sections);
  one that opens with a deeper heading starts a sub-slide (reveal.js' downward direction);
* set-up code (the first code cell, cells of imports only), cells of ``assert`` statements only and
  cells whose output is a live widget are skipped: slides show neither set-up nor test code, and every
  widget cell in a chapter is followed by a static figure of the same lesson;
* a figure gets a slide of its own (with the sentence that introduces it, and the section's heading when
  it is the only thing on the slide), drawn as large as the slide allows; what follows starts a new one;
* any other cell continues the current slide unless it would overflow the 960 x 700 px slide: then it
  starts a sub-slide. Heights are estimated in pixels at the deck's font sizes (``slides.css``).

Only ``cell.metadata.slideshow`` is written, so no re-execution is needed and stored outputs stay as
the executor made them.
"""
import argparse
import ast
import base64
import re
import struct
import sys
from pathlib import Path

import nbformat

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

#: the slide (reveal.js' 960 x 700 frame) less its padding: the height content may use
SLIDE_WIDTH_PX, SLIDE_HEIGHT_PX, CONTENT_HEIGHT_PX = 960, 700, 640
#: pixels per line and characters per line of prose, code and printed output at slides.css' sizes
PROSE_LINE_PX, PROSE_CHARS = 32, 70
CODE_LINE_PX, CODE_CHARS = 22, 88
OUTPUT_LINE_PX, OUTPUT_CHARS = 20, 100
HEADING_PX = {1: 110, 2: 62, 3: 52, 4: 44, 5: 40, 6: 40}
#: the most lines one printed output shows before it scrolls (slides.css caps its height to match)
MAX_OUTPUT_LINES = 12
#: a figure is drawn as large as the slide allows, but counted as at least this tall
MIN_FIGURE_PX = 330
#: a sentence that introduces a figure (or an overflowing cell), at most this tall, moves to its slide
INTRO_PX = 3 * PROSE_LINE_PX + 16


def _source(cell):
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def _wrapped(text, width):
    return sum(max(1, -(-len(line) // width)) for line in text.splitlines()) if text.strip() else 0


def png_size(b64):
    """(width, height) of a base64 PNG, read from its IHDR header; None if it is not a PNG."""
    head = base64.b64decode("".join(b64)[:64])
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def heading_level(cell):
    """The level of the heading a markdown cell opens with (0: none)."""
    first = _source(cell).lstrip().split("\n", 1)[0]
    if cell.cell_type != "markdown" or not first.startswith("#"):
        return 0
    return len(first) - len(first.lstrip("#"))


def is_widget(cell):
    return cell.cell_type == "code" and any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))


def has_figure(cell):
    """A picture: an image output, or a markdown image."""
    if cell.cell_type == "markdown":
        return "![" in _source(cell) or "<img" in _source(cell)
    return cell.cell_type == "code" and any(
        "image/png" in out.get("data", {}) or "image/svg+xml" in out.get("data", {}) for out in cell.get("outputs", []))


def source_hidden(cell):
    """nbconvert leaves the code out (``cell.metadata.transient.remove_source``, as its TagRemovePreprocessor sets it)."""
    return bool(cell.metadata.get("transient", {}).get("remove_source"))


def is_test_or_setup(cell, first_code):
    """Set-up code (the first code cell, or imports only) or test code (asserts only), with no output to show."""
    if cell.cell_type != "code":
        return False
    try:
        body = ast.parse(_source(cell)).body
    except SyntaxError:
        return False
    if first_code or (body and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body)):
        return True
    shows = any(out.output_type != "stream" or out.get("name") == "stdout" for out in cell.get("outputs", []))
    return bool(body) and all(isinstance(n, ast.Assert) for n in body) and not shows


def _markdown_px(text):
    px = 0
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if not lines:
            continue
        match = re.match(r"\s{0,3}(#{1,6})\s", lines[0])
        if match:
            px += HEADING_PX[len(match.group(1))]
            lines = lines[1:]
        table = [l for l in lines if l.lstrip().startswith("|")]
        if table:
            px += 40 * max(len(table) - 1, 1)
        px += len(re.findall(r"\$\$", block)) // 2 * 50
        prose = "\n".join(l for l in lines if not l.lstrip().startswith("|"))
        px += _wrapped(prose, PROSE_CHARS) * PROSE_LINE_PX + (12 if prose.strip() else 0)
    return px


def _output_px(out):
    if out.output_type == "stream":
        return min(_wrapped(out.text, OUTPUT_CHARS), MAX_OUTPUT_LINES) * OUTPUT_LINE_PX + 12
    if out.output_type == "error":
        return MAX_OUTPUT_LINES * OUTPUT_LINE_PX
    data = out.get("data", {})
    if "image/png" in data or "image/svg+xml" in data:
        return MIN_FIGURE_PX
    if "text/html" in data:
        return min(_wrapped("".join(data["text/html"]), OUTPUT_CHARS) // 2 + 1, MAX_OUTPUT_LINES) * OUTPUT_LINE_PX
    if "text/plain" in data:
        return min(_wrapped("".join(data["text/plain"]), OUTPUT_CHARS), MAX_OUTPUT_LINES) * OUTPUT_LINE_PX + 12
    return 0


def estimated_height(cell):
    """About how many pixels ``cell`` takes on a slide (input and outputs); a figure counts as
    ``MIN_FIGURE_PX`` (it is then drawn to fill what is left)."""
    source = _source(cell)
    if cell.cell_type == "markdown":
        return _markdown_px(re.sub(r"!\[[^\]]*\]\([^)]*\)", "", source)) + (MIN_FIGURE_PX if has_figure(cell) else 0)
    if cell.cell_type == "raw":
        html = re.sub(r"<[^>]+>", "", source)
        return _wrapped(html, PROSE_CHARS) * 26 + 60
    if cell.cell_type != "code":
        return 0
    px = 0 if source_hidden(cell) or not source.strip() else _wrapped(source, CODE_CHARS) * CODE_LINE_PX + 20
    return px + sum(_output_px(out) for out in cell.get("outputs", []))


def _role(cell, level, px, figure):
    if figure:
        return "figure"
    if level:
        return "heading"
    return "intro" if cell.cell_type == "markdown" and px <= INTRO_PX else "other"


def slide_types(nb, first_code_is_setup=True):
    """The slide type of every cell of ``nb``, in order: "slide", "subslide", "-" or "skip".

    ``first_code_is_setup``: False when the set-up cells were taken out already (``build_slides.prepare``).
    """
    types = []
    current = []  # (index, role, px) of the cells on the current slide
    first_code = first_code_is_setup
    for i, cell in enumerate(nb.cells):
        skip = is_widget(cell) or is_test_or_setup(cell, first_code)
        first_code = first_code and cell.cell_type != "code"
        if skip:
            types.append("skip")
            continue
        level, px, figure = heading_level(cell), estimated_height(cell), has_figure(cell)
        role = _role(cell, level, px, figure)
        used = sum(p for _, _, p in current)
        roles = [r for _, r, _ in current]
        intro_moves = len(current) > 1 and roles[-1] == "intro" and current[-1][2] + px <= CONTENT_HEIGHT_PX
        if not types or level in (1, 2):
            kind = "slide"
        elif level >= 3:
            kind = "subslide"
        elif figure and roles and set(roles) <= {"heading", "intro"} and roles.count("intro") <= 1 \
                and used + px <= CONTENT_HEIGHT_PX:
            kind = "-"  # a figure joins its section's heading and the sentence that introduces it
        elif (figure or used + px > CONTENT_HEIGHT_PX) and intro_moves:
            types[current[-1][0]] = "subslide"  # the sentence that introduces this cell moves with it
            current = current[-1:]
            kind = "-"
        elif figure or "figure" in roles or used + px > CONTENT_HEIGHT_PX:
            kind = "subslide"  # a figure has its slide to itself
        else:
            kind = "-"
        if kind != "-":
            current = []
        current.append((i, role, px))
        types.append(kind)
    return types


def apply(nb):
    """Write the slide metadata into ``nb`` in place; return how many cells changed."""
    changed = 0
    for cell, kind in zip(nb.cells, slide_types(nb)):
        if cell.metadata.get("slideshow", {}).get("slide_type") != kind:
            cell.metadata["slideshow"] = {"slide_type": kind}
            changed += 1
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if any would change")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        changed = apply(nb)
        kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
        summary = (f"{kinds.count('slide')} slides, {kinds.count('subslide')} sub-slides, "
                   f"{kinds.count('skip')} cells skipped (set-up, tests, widgets)")
        if args.check:
            if changed:
                stale.append(path)
                print(f"{path}: {changed} cell(s) lack up-to-date slide metadata")
            continue
        if changed:
            nbformat.write(nb, path)
        print(f"{path}: {summary}" + (f" ({changed} cells updated)" if changed else " (unchanged)"))
    if stale:
        print(f"run: python -m tools.slides.add_slide_metadata {' '.join(map(str, stale))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
