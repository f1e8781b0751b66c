"""Give every chapter reveal.js slide metadata, computed from its cells; nothing else in the file changes.

    python -m tools.slides.add_slide_metadata notebooks/*.ipynb          # write the metadata
    python -m tools.slides.add_slide_metadata --check notebooks/*.ipynb  # exit 1 if any would change

The rules (``slide_types``), so that a chapter turns into a deck without anyone marking cells by hand:

* a markdown cell that opens with a ``#`` or ``##`` heading starts a new slide (a chapter's sections);
* one that opens with a deeper heading starts a sub-slide (reveal.js' downward direction);
* a code cell whose output is a live widget is skipped: slides are static (ipywidgets render there only
  as text), and every widget cell in a chapter is followed by a static figure of the same lesson;
* any other cell continues the current slide, unless it would overflow the 960 x 700 px slide: then it
  starts a sub-slide. Heights are estimated in text lines, figures from their PNG size.

Only ``cell.metadata.slideshow`` is written, so no re-execution is needed and stored outputs stay as
the executor made them.
"""
import argparse
import base64
import struct
import sys
from pathlib import Path

import nbformat

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

#: lines of text (20 px prose, 19 px code) that fit on nbconvert's 960 x 700 px reveal.js slide
SLIDE_LINES = 27
#: characters per line of markdown prose / code before it wraps, at the slide's font sizes
PROSE_CHARS, CODE_CHARS = 78, 76
#: pixels per text line, and the widest a figure is drawn on the slide
LINE_PX, SLIDE_WIDTH_PX = 28, 900
#: the tallest a figure is drawn on a slide (build_slides.py caps images with CSS to this)
MAX_FIGURE_PX = 400
#: the most lines one stream output shows before it scrolls
MAX_OUTPUT_LINES = 12


def _wrapped(text, width):
    return sum(max(1, -(-len(line) // width)) for line in text.splitlines()) if text.strip() else 0


def png_size(b64):
    """(width, height) of a base64 PNG, read from its IHDR header; None if it is not a PNG."""
    head = base64.b64decode("".join(b64)[:64])
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def estimated_lines(cell):
    """About how many 20 px text lines ``cell`` takes on a slide (input and outputs)."""
    source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
    if cell.cell_type == "markdown":
        heading = 1 if source.lstrip().startswith("#") else 0
        images = source.count("![")
        return _wrapped(source, PROSE_CHARS) + heading + 8 * images + 1
    if cell.cell_type != "code":
        return 0
    lines = _wrapped(source, CODE_CHARS) + 1
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            lines += min(_wrapped(out.text, CODE_CHARS), MAX_OUTPUT_LINES)
        elif out.output_type in ("display_data", "execute_result"):
            data = out.get("data", {})
            size = png_size(data["image/png"]) if "image/png" in data else None
            if size:
                width, height = size
                dpi_scale = 1.0
                if out.get("metadata", {}).get("image/png", {}).get("width"):
                    dpi_scale = out.metadata["image/png"]["width"] / width
                height_px = height * dpi_scale * min(1.0, SLIDE_WIDTH_PX / max(width * dpi_scale, 1))
                height_px = min(height_px, MAX_FIGURE_PX)
                lines += int(round(height_px / LINE_PX))
            elif "text/html" in data:
                lines += min(_wrapped("".join(data["text/html"]), CODE_CHARS) // 2 + 1, MAX_OUTPUT_LINES)
            elif "text/plain" in data:
                lines += min(_wrapped("".join(data["text/plain"]), CODE_CHARS), MAX_OUTPUT_LINES)
        elif out.output_type == "error":
            lines += MAX_OUTPUT_LINES
    return lines


def _heading_level(cell):
    source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
    first = source.lstrip().split("\n", 1)[0]
    if cell.cell_type != "markdown" or not first.startswith("#"):
        return 0
    return len(first) - len(first.lstrip("#"))


def _is_widget(cell):
    return cell.cell_type == "code" and any(
        WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))


def slide_types(nb):
    """The slide type of every cell of ``nb``, in order: "slide", "subslide", "-" or "skip"."""
    types, used, last = [], 0, None  # last: (index, lines) of the previous cell if it was plain prose
    for i, cell in enumerate(nb.cells):
        level = _heading_level(cell)
        if _is_widget(cell):
            types.append("skip")
            continue
        lines = estimated_lines(cell)
        if i == 0 or level in (1, 2):
            kind, used = "slide", lines
        elif level >= 3:
            kind, used = "subslide", lines
        elif used > 0 and used + lines > SLIDE_LINES:
            if last is not None and types[last[0]] == "-" and last[1] + lines <= SLIDE_LINES:
                # the sentence that introduces this cell ("look at ...") moves with it
                types[last[0]] = "subslide"
                kind, used = "-", last[1] + lines
            else:
                kind, used = "subslide", lines
        else:
            kind, used = "-", used + lines
        types.append(kind)
        last = (i, lines) if cell.cell_type == "markdown" and not level else None
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
                   f"{kinds.count('skip')} widget cells skipped")
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
