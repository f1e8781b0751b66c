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

Decks show what the chapters store: code, printed results and static figures. Live widgets are not
slide material (a deck has no kernel, and RISE renders ipywidgets 8 only as text; every widget cell in a
chapter is followed by a static figure of the same lesson, and the live versions are in the demo app,
``make demo``): widget cells are skipped. Slide breaks come from each cell's ``slideshow`` metadata
(``tools/slides/add_slide_metadata.py``); a cell without any gets the same rules in memory.
"""
import argparse
import base64
import functools
import hashlib
import html
import http.server
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import SlidesExporter
from traitlets.config import Config

from tools.site import build_site
from tools.slides import add_slide_metadata

ROOT = Path(__file__).resolve().parents[2]
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

#: nbconvert's reveal template minus what only a CDN offers: mermaid, the widget manager and jQuery
#: (jQuery serves only the template's optional slide scrolling, done here with CSS instead); plus a cap on
#: figure height so a figure, its code and the sentence about it share a slide, long code lines wrap, a
#: slide taller than the screen scrolls, and formulas are not broken across lines in narrow table cells
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_jquery -%}{%- endblock html_head_js_jquery -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_css -%}
<style type="text/css">
.reveal .jp-OutputArea-output img { max-height: MAX_FIGURE_PXpx; width: auto; }
.reveal .jp-InputArea pre, .reveal .jp-OutputArea-output pre { white-space: pre-wrap; word-break: break-word; }
.reveal .slides section:not(.stack) { max-height: 700px; overflow-y: auto; }
</style>
<script type="text/x-mathjax-config">
MathJax.Hub.Config({CommonHTML: {linebreaks: {automatic: false}}});
</script>
{%- endblock html_head_css -%}
""".replace("MAX_FIGURE_PX", str(add_slide_metadata.MAX_FIGURE_PX))

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
        subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", str(cache), "--silent"],
                       check=True, stdout=subprocess.DEVNULL)
        if _sha512(tarball) != integrity:
            tarball.unlink()
            sys.exit(f"{tarball.name}: its sha512 does not match the pinned {integrity}: refusing to use it")
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
    return static


def prepare(nb):
    """What the deck shows: no widget state (no kernel in a deck), slide metadata on every cell."""
    nb.metadata.pop("widgets", None)
    if any("slide_type" not in c.metadata.get("slideshow", {}) for c in nb.cells):
        add_slide_metadata.apply(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if add_slide_metadata.WIDGET_MIME not in o.get("data", {})]
    return nb


@functools.lru_cache(maxsize=1)
def exporter():
    config = Config()
    for trait, value in LOCAL_URLS.items():
        config.SlidesExporter[trait] = value
    config.SlidesExporter.reveal_theme = "white"  # its fonts ship with reveal.js ("simple" imports Google's)
    config.SlidesExporter.reveal_number = "c/t"
    return SlidesExporter(config=config, extra_loaders=[DictLoader({"bn_slides.html.j2": TEMPLATE})],
                          template_file="bn_slides.html.j2")


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
    body, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": Path(path).stem}})
    body = _local_images(body)
    bad = outside_css_imports(body, out)
    if bad:
        raise RuntimeError(f"{path}: these files of the deck import style sheets from another host: {bad}")
    target = out / f"{Path(path).stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    n_slides = sum(c.metadata["slideshow"]["slide_type"] in ("slide", "subslide") for c in nb.cells)
    return target, n_slides


def _title(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            return cell.source.lstrip().split("\n", 1)[0].lstrip("# ").strip()
    return Path(path).stem


def write_index(decks, out=OUT):
    """slides/index.html: one link per deck."""
    items = "\n".join(f'  <li><a href="{html.escape(d.name)}">{html.escape(t)}</a></li>' for d, t in decks)
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bn-lesson slides</title>"
        "<style>body{font:20px/1.5 sans-serif;margin:3em}</style></head>\n<body><h1>bn-lesson: slides</h1>\n"
        "<p>Arrow keys move between slides (down: the rest of a section); <kbd>S</kbd> opens speaker notes. "
        "The live widgets are in the demo app (<code>make demo</code>).</p>\n"
        f"<ol>\n{items}\n</ol></body></html>\n", encoding="utf-8")


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
    titles = {deck.name: _title(path) for path, (deck, _) in zip(paths, built)}
    write_index([(d, titles.get(d.name, d.name.removesuffix(".slides.html")))
                 for d in sorted(out.glob("*.slides.html"))], out)
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
