"""Build one reveal.js slide deck per chapter, with every script and style served from slides/ itself.

    python -m tools.slides.build_slides                 # every notebooks/NN_*.ipynb -> slides/NN_*.slides.html
    python -m tools.slides.build_slides --serve 8000    # ... then serve slides/ on http://127.0.0.1:8000
    python -m tools.slides.build_slides notebooks/03_*.ipynb

``jupyter nbconvert --to slides`` loads reveal.js, require.js, jQuery and MathJax from CDNs when a deck
is opened (and would add the ipywidgets manager and mermaid from CDNs too). Here nothing is loaded from
another host: at build time reveal.js is fetched once, an exact pinned version, with ``npm pack`` (its
sha512 checked, cached in ``build/npm/``), and require.js and MathJax come from the static site's pinned
copies (``build_site.fetch_vendor``: the same versions, the same cache); all are unpacked into
``slides/_static/``. A deck, or a style sheet it loads, that still names another host is an error.

Decks show what the chapters store: code, printed results and static figures, in the book's look
(``assets/slides.css`` over the book's ``shell.css``), titled like the book ("03 · The four steps"). What
a deck leaves out or changes, in memory (``prepare``): set-up code, test-only code (``assert`` lines) and
live widgets (a deck has no kernel; every widget cell in a chapter is followed by a static figure of the
same lesson, and the live versions are in the demo app, ``make demo``); the code that draws a figure (the
figure gets the slide); each exercise becomes an exercise box, as in the book; a markdown cell with two
sections, or too long for one slide, is split. Slide breaks are then computed by
``add_slide_metadata.slide_types`` on the deck's own cells, and ``assets/slides.js`` draws each figure as
large as its slide allows and shrinks a slide that would still overflow 960 x 700 px.
"""
import argparse
import base64
import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import jinja2
import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

from tools.site import build_site, notebook_prep
from tools.site.shell import ASSETS as SITE_ASSETS
from tools.slides import add_slide_metadata

ROOT = Path(__file__).resolve().parents[2]
ASSETS = Path(__file__).resolve().parent / "assets"
#: copied into slides/_static/: the decks' layout script and look, the book's shell styles, the favicon
STATIC_FILES = {ASSETS / "slides.js": "slides.js", ASSETS / "slides.css": "slides.css",
                SITE_ASSETS / "shell.css": "shell.css", SITE_ASSETS / "favicon.svg": "favicon.svg"}
CACHE = ROOT / "build" / "npm"
OUT = ROOT / "slides"
STATIC = "_static"

#: reveal.js 4 (nbconvert's template is written for 4.x: dist/reveal.js, plugin/notes/notes.js),
#: its sha512 as the npm registry publishes it, and the files a deck loads
REVEAL = ("reveal.js", "4.6.1",
          "sha512-1CW0auaXNPmwmvQ7TwpszwVxMi2Xr5cTS3J3EBC/HHgbPF32Dn7aiu/LKWDOGjMbaDwKQiGmfqcoGQ74HUHCMw==",
          ("dist/", "plugin/notes/", "LICENSE"))

#: the URLs nbconvert's reveal template uses, all inside slides/ (require.js and MathJax where
#: build_site.install_vendor puts them)
LOCAL_URLS = {
    "reveal_url_prefix": f"{STATIC}/reveal.js",
    "require_js_url": build_site.REQUIRE_JS_URL,
    "mathjax_url": build_site.MATHJAX_URL,
    "jquery_url": "",
    "font_awesome_url": "",
    "jupyter_widgets_base_url": "",
}

#: an import of a style sheet from another host, inside CSS
CSS_IMPORT = re.compile(r"@import\s+(?:url\()?[\"']?(?:https?:)?//", re.IGNORECASE)
#: the local scripts and style sheets a page loads
LOCAL_ASSET = re.compile(r"<(?:script|link)[^>]+(?:src|href)=[\"']([^\"'?#:]+)[\"'?#]")


def _sha512(path):
    return "sha512-" + base64.b64encode(hashlib.sha512(Path(path).read_bytes()).digest()).decode()


def fetch_reveal(cache=CACHE):
    """The pinned reveal.js tarball, from the cache or ``npm pack``; its sha512 is checked."""
    name, version, integrity, _ = REVEAL
    tarball = cache / f"{name}-{version}.tgz"
    if not (tarball.exists() and _sha512(tarball) == integrity):
        cache.mkdir(parents=True, exist_ok=True)
        if shutil.which("npm") is None:
            sys.exit("npm is needed once, to fetch reveal.js (Debian/Ubuntu: apt-get install npm)")
        # packed into a folder of its own, then renamed: a parallel test worker never reads half a tarball
        with tempfile.TemporaryDirectory(dir=cache) as part:
            subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", part, "--silent"],
                           check=True, stdout=subprocess.DEVNULL)
            packed = Path(part) / tarball.name
            if _sha512(packed) != integrity:
                sys.exit(f"{tarball.name}: its sha512 does not match the pinned {integrity}: refusing to use it")
            os.replace(packed, tarball)
    return tarball


def unpack_static(out=OUT):
    """reveal.js, require.js and MathJax in ``out/_static/``; returns that folder."""
    static = out / STATIC
    name, version, _, keep = REVEAL
    stamp = static / name / ".version"
    if not (stamp.exists() and stamp.read_text() == version):
        shutil.rmtree(static / name, ignore_errors=True)
        with tarfile.open(fetch_reveal()) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and any(
                m.name.removeprefix("package/").startswith(k) for k in keep)]
            for m in members:
                m.name = m.name.removeprefix("package/")
            tar.extractall(static / name, members=members, filter="data")
        stamp.write_text(version)
    build_site.install_vendor(build_site.fetch_vendor(), static)
    for source, name in STATIC_FILES.items():
        shutil.copy(source, static / name)
    return static


def _bold_lead(paragraph):
    """A paragraph whose first line is only bold text ("**After this chapter you will be able to**")."""
    return re.fullmatch(r"\*\*[^*]+\*\*:?", paragraph.strip().split("\n", 1)[0].strip()) is not None


def _split_long_markdown(nb, budget=add_slide_metadata.CONTENT_HEIGHT_PX - 40):
    """Split a markdown cell too tall for one slide between paragraphs (before a paragraph that is only
    bold text, like "**After this chapter you will be able to**", when there is one near the middle)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or add_slide_metadata.estimated_height(cell) <= budget:
            cells.append(cell)
            continue
        pieces, current = [], []
        for para in re.split(r"\n\s*\n", cell.source.strip()):
            candidate = nbformat.v4.new_markdown_cell("\n\n".join(current + [para]))
            bold_only = _bold_lead(para)
            tall = add_slide_metadata.estimated_height(candidate)
            if current and (tall > budget or (bold_only and tall > budget // 3)):
                pieces.append(current)
                current = []
            current.append(para)
        pieces.append(current)
        for j, piece in enumerate(pieces):
            new = nbformat.v4.new_markdown_cell("\n\n".join(piece))
            new.metadata = dict(cell.metadata) if j == 0 else {}
            cells.append(new)
    nb.cells = cells
    return nb


def _title_slide(nb):
    """The chapter's first cell as a title slide (the title, what the chapter is about and the course map)
    and a slide of what the learner will be able to do: the course map moves up to the title."""
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is None:
        return nb
    paragraphs = re.split(r"\n\s*\n", first.source.strip())
    course = [p for p in paragraphs if p.lstrip().startswith(("*Course map", "_Course map"))]
    outcomes = next((i for i, p in enumerate(paragraphs) if _bold_lead(p)), None)
    if not course or outcomes is None:
        return nb
    title = [p for p in paragraphs[:outcomes] if p not in course] + course
    rest = [p for p in paragraphs[outcomes:] if p not in course]
    second = nbformat.v4.new_markdown_cell("\n\n".join(rest))
    first.source = "\n\n".join(title)
    nb.cells.insert(nb.cells.index(first) + 1, second)
    return nb


def prepare(nb):
    """The chapter as its deck shows it (in memory; see the module's docstring). Returns ``nb`` with a
    slide type on every cell."""
    nb.metadata.pop("widgets", None)
    kept, first_code = [], True
    for cell in nb.cells:  # set-up, test-only and widget cells leave the deck
        if not (add_slide_metadata.is_widget(cell) or add_slide_metadata.is_test_or_setup(cell, first_code)):
            kept.append(cell)
        first_code = first_code and cell.cell_type != "code"
    nb.cells = kept
    _title_slide(nb)
    notebook_prep.box_exercises(nb)
    notebook_prep.split_at_headings(nb)
    _split_long_markdown(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [o for o in cell.outputs if add_slide_metadata.WIDGET_MIME not in o.get("data", {})]
        cell.source = notebook_prep.without_asserts(cell.source)
        if not cell.source.strip() or add_slide_metadata.has_figure(cell):
            cell.metadata["transient"] = {"remove_source": True}  # the figure (or the printed result) is the slide
    for cell, kind in zip(nb.cells, add_slide_metadata.slide_types(nb, first_code_is_setup=False)):
        cell.metadata["slideshow"] = {"slide_type": kind}
    return nb


@functools.lru_cache(maxsize=1)
def exporter():
    config = Config()
    for trait, value in LOCAL_URLS.items():
        config.SlidesExporter[trait] = value
    config.SlidesExporter.reveal_number = "c/t"
    return SlidesExporter(config=config, extra_template_paths=[str(ASSETS)], template_file="bn_slides.html.j2")


def deck_title(path):
    """ "03 · The four steps of batch normalization": the chapter's number and its title without "Chapter 03 ·". """
    chapter = build_site.describe(Path(path))
    return f"{chapter.number} · {chapter.short_title}"


def outside_css_imports(page, out):
    """Style sheets from other hosts that the local scripts and style sheets of ``page`` import."""
    found = []
    for ref in dict.fromkeys(LOCAL_ASSET.findall(page)):
        asset = out / ref
        if asset.is_file() and CSS_IMPORT.search(asset.read_text(errors="replace")):
            found.append(ref)
    return found


def _local_images(page):
    """Course images (``../images/x.png`` in a chapter) from the deck's own copy, slides/images/."""
    return re.sub(r'((?:src|href)=")(?:\.\./)?images/', r"\1images/", page)


def build_deck(path, out=OUT):
    """Export one notebook to ``out/<stem>.slides.html``; returns (output path, number of slides)."""
    nb = prepare(nbformat.read(path, as_version=4))
    deck = {"title": deck_title(path), "course": build_site.COURSE_TITLE}
    body, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": Path(path).stem}, "deck": deck})
    body = _local_images(body)
    bad = outside_css_imports(body, out)
    if bad:
        raise RuntimeError(f"{path}: these files of the deck import style sheets from another host: {bad}")
    target = out / f"{Path(path).stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    n_slides = sum(c.metadata["slideshow"]["slide_type"] in ("slide", "subslide") for c in nb.cells)
    return target, n_slides


def write_index(decks, out=OUT):
    """slides/index.html: the course's decks, styled like the book's front page.

    ``decks``: [(deck path, title, number of slides)]
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ASSETS)), autoescape=True)
    page = env.get_template("index.html.j2").render(course_title=build_site.COURSE_TITLE, decks=[
        {"href": d.name, "number": t.split(" · ", 1)[0], "title": t.split(" · ", 1)[-1], "slides": n}
        for d, t, n in decks])
    (out / "index.html").write_text(page, encoding="utf-8")


def serve(port, out=OUT):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving the slides on http://127.0.0.1:{port}/  (Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def build(paths, out=OUT):
    """Build a deck per notebook in ``paths`` and the index into ``out``; returns [(deck, n slides)]."""
    out.mkdir(parents=True, exist_ok=True)
    unpack_static(out)
    if (ROOT / "images").is_dir():
        shutil.copytree(ROOT / "images", out / "images", dirs_exist_ok=True)
    built = [build_deck(path, out) for path in paths]
    write_index([(deck, deck_title(path), n) for path, (deck, n) in zip(paths, built)], out)
    build_site.check_offline(out)  # no page loads a script, style sheet or image from another host
    return built


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="chapters to build (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--serve", type=int, metavar="PORT", help="then serve the decks on 127.0.0.1:PORT")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob(build_site.CHAPTER_GLOB))
    if not paths:
        sys.exit("no notebooks to build")
    def shown(path):
        return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path

    for deck, n in build(paths, args.out):
        print(f"{shown(deck)}: {n} slides")
    print(f"open {shown(args.out / 'index.html')}" + ("" if args.serve else
          f", or serve it: python -m tools.slides.build_slides --serve 8000"))
    if args.serve:
        serve(args.serve, args.out)


if __name__ == "__main__":
    main()
