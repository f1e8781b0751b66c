"""The book's shell around nbconvert's pages: what a reader of an online book expects, built offline.

``build_site`` calls three things here:

* ``prepare(nb)`` -- before a chapter is rendered: exercise boxes, set-up cells folded
  (``tools.site.notebook_prep``);
* ``finish_page(html)`` -- after: the "On this page" list of the chapter's sections, read from the
  rendered headings (their ids are nbconvert's anchors); ``search_entries`` reads the page's sections
  for the search index;
* ``finish_site(out, chapters, entries)`` -- at the end: the search index (``_static/search-index.js``, a
  script, not JSON, so it loads from ``file://`` too), the shell's script and style sheet and favicon, and a
  copy of every notebook for "Download this notebook".

The rest is in the templates (``assets/templates/bnbook``: the header with search, the contents sidebar,
the "On this page" column, the download link) and in ``assets/book.js`` (search, copy buttons, the
sidebar on small screens, a cue on every box that scrolls sideways, figures that open full width).

Why not Jupyter Book 1 / sphinx-book-theme, which gives most of this ready-made: see the README ("Read it
as a book").
"""
import html
import json
import re
import shutil
from pathlib import Path

from tools.site import notebook_prep

ASSETS = Path(__file__).resolve().parent / "assets"
#: files of assets/ copied into site/_static/
STATIC_FILES = ("book.js", "shell.css", "favicon.svg")
#: where the placeholder for "On this page" sits in a chapter page (see index.html.j2)
ONPAGE_MARK = "<!--book-onpage-->"
#: a heading nbconvert rendered: level, id, inner HTML (the text and its "¶" anchor link)
_HEADING = re.compile(r'<h([1-4]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style)\b.*?</\1>|<a class=\"anchor-link\".*?</a>", re.S | re.I)
#: characters of a section's text kept in the search index
SEARCH_TEXT_CHARS = 1500


def prepare(nb):
    """The chapter as the book shows it (in memory): exercise boxes, set-up cells marked to fold."""
    return notebook_prep.mark_setup(notebook_prep.box_exercises(nb))


def _text(fragment):
    return " ".join(html.unescape(_TAG.sub(" ", _DROP.sub(" ", fragment))).split())


def headings(page_html):
    """[(level, id, text)] of the page's headings, in order."""
    return [(int(level), hid, _text(inner)) for level, hid, inner in _HEADING.findall(page_html)]


def on_this_page(page_html):
    """The "On this page" list: the chapter's sections (h2) and sub-sections (h3), linked."""
    items = [f'<li class="book-onpage-h{level}"><a href="#{html.escape(hid, quote=True)}">{html.escape(text)}</a></li>'
             for level, hid, text in headings(page_html) if level in (2, 3)]
    return '<ol class="book-onpage-list">\n' + "\n".join(items) + "\n</ol>" if items else ""


def search_entries(page, title, page_html):
    """One search entry per section of a page: where it is, its heading, and the start of its text."""
    main = page_html.split("<main", 1)[-1]
    marks = list(_HEADING.finditer(main))
    entries = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(main)
        entries.append({"page": page, "id": m.group(2), "chapter": title, "section": _text(m.group(3)),
                        "text": _text(main[m.end():end])[:SEARCH_TEXT_CHARS]})
    return entries


def finish_page(page_html):
    """The rendered chapter with its "On this page" list filled in."""
    return page_html.replace(ONPAGE_MARK, on_this_page(page_html), 1)


def finish_site(out, chapters, entries):
    """Write the search index, the shell's static files and the notebooks' copies into ``out``."""
    static = Path(out) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name in STATIC_FILES:
        shutil.copy(ASSETS / name, static / name)
    (static / "search-index.js").write_text(
        "/* the book's search index, built by tools/site/shell.py */\nwindow.BOOK_SEARCH = "
        + json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + ";\n", encoding="utf-8")
    notebooks = Path(out) / "notebooks"
    notebooks.mkdir(exist_ok=True)
    for chapter in chapters:
        shutil.copy(chapter.path, notebooks / chapter.notebook)
