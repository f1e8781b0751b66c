"""Build the static HTML book in ``site/`` from the stored, executed notebooks (``make html``).

    python -m tools.site.build_site [--out site] [--notebooks notebooks]

What it makes:

* ``site/index.html`` -- what the course teaches, who it is for, and the chapter list, each chapter with a
  one-line summary taken from its notebook (the title is the first ``# `` heading of the first markdown
  cell; the summary is the first outcome listed under "you will be able to"). New chapters need no edit:
  every ``notebooks/NN_*.ipynb`` is a chapter, in file-name order.
* ``site/NN_name.html`` -- one page per chapter (nbconvert's JupyterLab template plus our header,
  previous/next navigation and stylesheet). Figures are embedded in the page.
* ``site/_static/`` -- everything a page loads: the stylesheet, require.js, MathJax 2, the Jupyter
  widgets HTML manager and anywidget's front end (the explorer is an anywidget: its saved state carries its
  own code, and it computes in the page, so it moves in the book too). Nothing is loaded from the network
  when the book is read; the build checks that.

The JavaScript packages come from the npm registry as pinned tarballs whose sha512 is checked,
cached in ``build/vendor/`` (so only the first build needs the network; NPM_CONFIG_REGISTRY names a
mirror). Notebooks are never executed
here: the pages show the outputs and widget state that ``make execute`` stored.
"""
import argparse
import base64
import fnmatch
import hashlib
import os
import re
import shutil
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters import markdown2html

from tools.site import shell

ROOT = Path(__file__).resolve().parents[2]
ASSETS = Path(__file__).resolve().parent / "assets"
VENDOR_CACHE = ROOT / "build" / "vendor"
REGISTRY = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org").rstrip("/")

COURSE_TITLE = "Batch Normalization, from Z-score to TensorFlow"
#: the course diagram the front page shows, when images/ has it (drawn by `make images`)
FRONT_FIGURE = ("four_steps.png", "The four steps of batch normalization on one feature's mini-batch: "
                "the batch, its mean and variance, the normalized values, then scale and shift.")

#: npm package -> (exact version, sha512 of its tarball as npm's "integrity" reports it)
VENDOR = {
    "requirejs": ("2.3.8", "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw=="),
    # MathJax 2: nbconvert's template configures MathJax with the version-2 API (MathJax.Hub.Config)
    "mathjax": ("2.7.9", "sha512-NOGEDTIM9+MrsqnjPEjVGNx4q0GQxqm61yQwSK+/5S59i26wId5IC5gNu9/bu8+CCVl5p9G2IHcAl/wJa+5+BQ=="),
    # the renderer for widget state saved by ipywidgets 8 (@jupyter-widgets/controls 5)
    "@jupyter-widgets/html-manager": (
        "1.0.15", "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA=="),
    # the front end of anywidget widgets (the explorer), the same version as the Python package in
    # requirements.txt: an AMD module the HTML manager loads through require.js (ANYWIDGET_REQUIRE_CONFIG)
    "anywidget": ("0.11.0", "sha512-LHZgW2j5UjyerZSZcO+BtZPXGMSORQV2bUT480hOR5x/BXS8sOradi/71amJfMueSEnKX0dqPwTfsOGHTsyZpQ=="),
}

#: the files of each package a page can load (paths inside the tarball's ``package/`` folder)
VENDOR_FILES = {
    "requirejs": ["require.js"],
    "mathjax": ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "config/local/",
                "extensions/", "jax/input/TeX/", "jax/output/CommonHTML/", "jax/element/",
                "fonts/HTML-CSS/TeX/woff/", "localization/en/", "LICENSE"],
    # embed-amd.js is self-contained; its stylesheet loads Font Awesome from files next to it
    "@jupyter-widgets/html-manager": ["dist/embed-amd.js", "dist/embed.js.LICENSE.txt", "dist/*.woff2",
                                      "dist/*.woff", "dist/*.ttf", "dist/*.eot", "dist/*.svg"],
    "anywidget": ["dist/index.js", "LICENSE"],
}
VENDOR_DIRS = {"requirejs": "requirejs", "mathjax": "mathjax", "@jupyter-widgets/html-manager": "html-manager",
               "anywidget": "anywidget"}

REQUIRE_JS_URL = "_static/requirejs/require.js"
MATHJAX_URL = "_static/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
WIDGET_RENDERER_URL = "_static/html-manager/dist/embed-amd.js"
# The HTML manager asks require.js for a widget's module ("anywidget") and falls back to a CDN when that
# fails: this line, right after require.js, makes it find the book's own copy (a path without ".js").
ANYWIDGET_REQUIRE_CONFIG = '<script>require.config({paths: {anywidget: "_static/anywidget/dist/index"}});</script>'

CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"


# -- chapters ----------------------------------------------------------------------------------------------

@dataclass
class Chapter:
    """One notebook and what the book says about it."""

    path: Path
    number: str          #: "01"
    title: str           #: the notebook's first heading, e.g. "Chapter 01 · Standardizing data: ..."
    short_title: str     #: the title without "Chapter 01 ·"
    summary_html: str    #: one sentence, inline HTML
    has_widgets: bool

    @property
    def notebook(self):
        return self.path.name

    @property
    def page(self):
        return self.path.with_suffix(".html").name


def _first_sentence(paragraph):
    """The first sentence of a markdown paragraph (a full stop, ! or ? followed by a space or the end)."""
    match = re.search(r"(?<!\b[A-Za-z]\.[a-z])(?<!\be\.g)(?<!\bi\.e)[.!?](\s|$)", paragraph)
    return paragraph[: match.end()].strip() if match else paragraph.strip()


def _summary(markdown):
    """One line for the chapter list: the first outcome under "you will be able to", as "You will ...";
    without such a list, the first sentence of the first paragraph."""
    outcomes = re.search(r"you will be able to\W*\n\s*[-*]\s+(.+?)(?=\n\s*[-*]\s|\n\s*\n|$)", markdown,
                         flags=re.I | re.S)
    if outcomes:
        first = " ".join(outcomes.group(1).split()).rstrip(";.,:")
        return f"You will {first}."
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", markdown) if p.strip()]
    prose = next((p for p in paragraphs if not p.lstrip().startswith(("#", "-", "*", "|", ">", "!["))), "")
    return _first_sentence(" ".join(prose.split()))


def describe(path):
    """Read a chapter's title and one-line summary from its first markdown cell (or the summary from the
    notebook's metadata ``{"bn_lesson": {"summary": "..."}}`` when it has one).

    Raises ``ValueError`` naming the notebook when it has no ``# `` title or its code cells were never run.
    """
    nb = nbformat.read(path, as_version=4)
    first_md = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    text = first_md.source if first_md else ""
    title_match = re.search(r"^#\s+(.+?)\s*$", text, flags=re.M)
    if not title_match:
        raise ValueError(f"{path.name}: its first markdown cell has no '# ' title line")
    title = title_match.group(1).strip()
    short = re.sub(r"^chapter\s+\d+\s*[\u00b7:.\-\u2013\u2014]\s*", "", title, flags=re.I)
    summary = nb.metadata.get("bn_lesson", {}).get("summary") or _summary(text[title_match.end():])
    summary_html = markdown2html(summary).strip()
    summary_html = re.sub(r"^<p>|</p>$", "", summary_html).strip()
    unrun = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and c.source.strip() and c.get("execution_count") is None]
    if unrun:
        raise ValueError(f"{path.name}: {len(unrun)} code cell(s) never executed (first: cell {unrun[0]}); "
                         "the book shows stored outputs: run `make execute` first")
    has_widgets = "application/vnd.jupyter.widget-state+json" in nb.metadata.get("widgets", {})
    return Chapter(path, path.name[:2], title, short, summary_html, has_widgets)


def find_chapters(notebook_dir):
    paths = sorted(p for p in Path(notebook_dir).glob(CHAPTER_GLOB) if ".ipynb_checkpoints" not in p.parts)
    if not paths:
        raise ValueError(f"no chapters ({CHAPTER_GLOB}) in {notebook_dir}")
    return [describe(p) for p in paths]


# -- vendored JavaScript ---------------------------------------------------------------------------------

def _tarball_name(package, version):
    return f"{package.split('/')[-1]}-{version}.tgz"


def _sha512(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_vendor(cache=VENDOR_CACHE):
    """Download (once) the pinned npm tarballs into ``cache`` and check their sha512; return their paths."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = {}
    for package, (version, integrity) in VENDOR.items():
        path = cache / _tarball_name(package, version)
        if not path.exists() or _sha512(path.read_bytes()) != integrity:
            url = f"{REGISTRY}/{package}/-/{_tarball_name(package, version)}"
            print(f"fetching {package}@{version} from {url}")
            try:
                with urllib.request.urlopen(url, timeout=120) as response:
                    data = response.read()
            except OSError as err:
                raise SystemExit(f"could not download {url} ({err}). The first build needs the network "
                                 f"once; later builds use the copies in {cache}.") from err
            if _sha512(data) != integrity:
                raise SystemExit(f"{url}: sha512 does not match the pinned one: refusing to use it")
            # written whole under another name, then renamed: a parallel test worker never reads half a file
            part = path.with_name(f"{path.name}.{os.getpid()}.part")
            part.write_bytes(data)
            os.replace(part, path)
        paths[package] = path
    return paths


def _wanted(name, patterns):
    """``name`` is a file pages load: it equals or globs a pattern, or lies under a folder pattern ("dir/")."""
    return any(name.startswith(p) if p.endswith("/") else fnmatch.fnmatchcase(name, p) for p in patterns)


def install_vendor(tarballs, static_dir):
    """Unpack the files pages load from each tarball into ``static_dir/<package dir>/``."""
    for package, tarball in tarballs.items():
        target = static_dir / VENDOR_DIRS[package]
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                name = member.name.removeprefix("package/")
                if not member.isfile() or not _wanted(name, VENDOR_FILES[package]):
                    continue
                out = target / name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tar.extractfile(member).read())


# -- pages -----------------------------------------------------------------------------------------------

def _exporter():
    exporter = HTMLExporter(
        template_name="bnbook",
        extra_template_basedirs=[str(ASSETS / "templates")],
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.require_js_url = REQUIRE_JS_URL
    exporter.mathjax_url = MATHJAX_URL
    exporter.widget_renderer_url = WIDGET_RENDERER_URL
    exporter.jupyter_widgets_base_url = ""  # never used: widget_renderer_url is set
    return exporter


def _fix_links(page_html):
    """Links between chapters point at pages, not notebooks (but "Download this notebook" at the copy in
    notebooks/); course images at the site's copy."""
    page_html = re.sub(r'(href="(?![a-z]+:)(?!notebooks/)[^"#]*?)\.ipynb([#"])', r"\1.html\2", page_html)
    return re.sub(r'((?:src|href)=")(?:\.\./)?images/', r"\1images/", page_html)


def add_require_config(page_html):
    """``ANYWIDGET_REQUIRE_CONFIG`` right after the page's require.js (every page that loads widgets has it)."""
    tag = f'<script src="{REQUIRE_JS_URL}"></script>'
    if tag not in page_html:
        raise ValueError(f"the page does not load require.js as {tag}: cannot point it at anywidget's copy")
    return page_html.replace(tag, f"{tag}\n{ANYWIDGET_REQUIRE_CONFIG}", 1)


def render_chapter(exporter, chapter, prev, next_, total, chapters=()):
    nb = shell.prepare(nbformat.read(chapter.path, as_version=4))  # exercise boxes, set-up folded
    nb.metadata["title"] = f"{chapter.number} · {chapter.short_title} · {COURSE_TITLE}"
    resources = {
        "metadata": {"name": chapter.path.stem, "path": str(chapter.path.parent)},
        "book": {"course_title": COURSE_TITLE, "chapter": chapter, "prev": prev, "next": next_,
                 "total": total, "chapters": chapters},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = add_require_config(body) if chapter.has_widgets else body
    return shell.finish_page(_fix_links(body))


def render_index(chapters, images_dir=ROOT / "images"):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ASSETS / "templates" / "bnbook")),
                             autoescape=False, keep_trailing_newline=True)
    name, caption = FRONT_FIGURE
    figure = {"src": f"images/{name}", "caption": caption} if (images_dir / name).is_file() else None
    return env.get_template("front.html.j2").render(course_title=COURSE_TITLE, chapters=chapters,
                                                    mathjax_url=MATHJAX_URL, figure=figure)


_REMOTE = re.compile(r"""<(script|link|img|iframe|source|video|audio)\b[^>]*?\b(src|href)\s*=\s*["']?(https?:)?//""", re.I)


def check_offline(site):
    """Fail if any page loads a script, stylesheet or image from the network."""
    bad = []
    for page in sorted(site.glob("*.html")):
        for m in _REMOTE.finditer(page.read_text(encoding="utf-8")):
            bad.append(f"{page.name}: {m.group(0)[:120]}")
    if bad:
        raise SystemExit("pages would load from the network:\n  " + "\n  ".join(bad))


def build(out=ROOT / "site", notebook_dir=ROOT / "notebooks"):
    """Build the whole site into ``out`` (replaced only when the build succeeded); return the pages."""
    out = Path(out)
    chapters = find_chapters(notebook_dir)
    tarballs = fetch_vendor()
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    static = tmp / "_static"
    static.mkdir(parents=True)
    install_vendor(tarballs, static)
    shutil.copy(ASSETS / "book.css", static / "book.css")
    images = ROOT / "images"
    if images.is_dir() and any(images.iterdir()):
        shutil.copytree(images, tmp / "images")

    exporter = _exporter()
    pages, entries = [], []
    for i, chapter in enumerate(chapters):
        prev = chapters[i - 1] if i > 0 else None
        next_ = chapters[i + 1] if i + 1 < len(chapters) else None
        page_html = render_chapter(exporter, chapter, prev, next_, len(chapters), chapters)
        (tmp / chapter.page).write_text(page_html, encoding="utf-8")
        entries += shell.search_entries(chapter.page, f"{chapter.number} · {chapter.short_title}", page_html)
        pages.append(chapter.page)
        print(f"  {chapter.page}")
    (tmp / "index.html").write_text(render_index(chapters), encoding="utf-8")
    shell.finish_site(tmp, chapters, entries)  # search index, the shell's script, notebooks to download
    check_offline(tmp)

    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return ["index.html"] + pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "site"), help="output folder (replaced)")
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"), help="folder of NN_*.ipynb chapters")
    args = parser.parse_args(argv)
    try:
        pages = build(Path(args.out), Path(args.notebooks))
    except ValueError as err:
        sys.exit(f"build_site: {err}")
    out = Path(args.out).resolve()
    print(f"built {len(pages)} pages in {out}: open {out / 'index.html'} in a browser (no network needed)")


if __name__ == "__main__":
    main()
