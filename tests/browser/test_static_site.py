"""The static book in a real browser, offline: every page loads from files alone and reads correctly.

For each page (the index and one per notebook): no request leaves file:// (any other request is
blocked and reported), no failed request, no console error, every <img> decoded, math typeset (no raw
TeX left in the text), saved widgets rendered (no "Loading widget...", no model ids, no errors) and each
followed by its static twin (a figure within the next three code cells: the page has no kernel), every
relative link and #anchor resolves, and prev/next follow the chapter order. A full-page screenshot of
each page goes to test-artifacts/site-<page>.png.
"""
import html
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p.with_suffix(".html").name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = ["index.html"] + CHAPTERS
LOCAL = ("file:", "data:", "blob:", "about:")
TIMEOUT_MS = 60_000

# Text of markdown cells (and the front page) with code, scripts and typeset math removed: any TeX left over was not typeset.
PROSE_JS = """() => Array.from(document.querySelectorAll('.jp-MarkdownOutput, .book-front')).map(el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('code, pre, script, .MathJax_Preview, .MathJax_CHTML, .MathJax, mjx-container')
        .forEach(n => n.remove());
    return copy.textContent;
}).join('\\n')"""

# Sets window.__bookMath once MathJax has typeset the page (queued after its start-up typesetting).
MATH_QUEUE_JS = """() => {
    window.__bookMath = '';
    if (!window.MathJax || !window.MathJax.Hub) { window.__bookMath = 'no mathjax'; return; }
    MathJax.Hub.Queue(() => { window.__bookMath = 'typeset'; });
}"""

WIDGETS_JS = """() => {
    const views = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
    const rendered = views.filter(s => {
        const box = s.parentElement;
        return box.querySelector('.widget-subarea .lm-Widget, .widget-subarea .jupyter-widgets');
    });
    return {views: views.length, rendered: rendered.length};
}"""


# For each saved widget: does one of the next three code cells show a figure (its static twin)?
TWINS_JS = """() => Array.from(document.querySelectorAll('.book-widget')).map(w => {
    let seen = 0;
    for (let c = w.closest('.jp-Cell').nextElementSibling; c && seen < 3; c = c.nextElementSibling) {
        if (!c.classList.contains('jp-CodeCell')) continue;
        seen += 1;
        if (c.querySelector('.jp-RenderedImage img')) return true;
    }
    return false;
})"""


def open_offline(browser, url):
    """A page that may load only local files; returns (page, problems list that fills as it loads)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []

    def route(route):
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            problems.append(f"network request blocked: {route.request.url}")
            route.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
    return page, problems


def test_site_has_a_page_per_notebook(site):
    built = sorted(p.name for p in site.glob("*.html"))
    assert built == sorted(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_reads_offline(name, site, browser, artifacts):
    path = site / name
    page, problems = open_offline(browser, path.as_uri())
    try:
        page.evaluate(MATH_QUEUE_JS)
        page.wait_for_function("() => window.__bookMath", timeout=TIMEOUT_MS)
        views = page.evaluate(WIDGETS_JS)["views"]
        if views:
            page.wait_for_function(f"() => ({WIDGETS_JS})().rendered === {views}", timeout=TIMEOUT_MS)
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=TIMEOUT_MS)
        page.wait_for_timeout(300)  # let late console errors (fonts, lazy modules) arrive
        page.screenshot(path=str(artifacts / f"site-{path.stem}.png"), full_page=True)

        broken = page.evaluate("""() => Array.from(document.images)
            .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))""")
        assert not broken, f"{name}: images not decoded: {broken}"

        text = page.inner_text("body")
        for bad in ("Loading widget", "Error displaying widget", "model not found", "model_id",
                    "Could not find model"):
            assert bad not in text, f"{name}: the page shows {bad!r}"
        assert not re.search(r"\b[0-9a-f]{32}\b", text), f"{name}: a widget model id is visible"
        twins = page.evaluate(TWINS_JS)
        assert all(twins), f"{name}: a widget has no static figure in the three code cells after it: {twins}"

        prose = page.evaluate(PROSE_JS)
        leftover = re.findall(r"\$\$|\\\(|\\\[|\\begin\{|\$[^$\s][^$\n]*?\$", prose)
        assert not leftover, f"{name}: math not typeset: {leftover[:5]}"
        if name != "index.html":
            source = (ROOT / "notebooks" / path.with_suffix(".ipynb").name).read_text(encoding="utf-8")
            if re.search(r"\$[^$\s][^$]*\$", source):
                assert page.locator(".MathJax_CHTML").count() > 0, f"{name}: has math but none was typeset"

        check_links(page, path)
        assert not problems, f"{name}:\n  " + "\n  ".join(problems)
    finally:
        page.close()


def check_links(page, path):
    """Every relative link names an existing file; every #anchor an element of the target page."""
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    ids_cache = {}
    for href in hrefs:
        url = urlparse(href)
        if url.scheme in {"http", "https", "mailto"}:
            continue  # an outside link, followed only by a reader who chooses to
        assert url.scheme == "file", f"{path.name}: unexpected link {href}"
        target = Path(unquote(url.path))
        assert target.is_file(), f"{path.name}: link to a missing file: {href}"
        if url.fragment and target.suffix == ".html":
            if target not in ids_cache:
                source = target.read_text(encoding="utf-8")
                ids_cache[target] = {html.unescape(i) for i in re.findall(r'\sid="([^"]+)"', source)}
            # a browser tries the fragment as written, then percent-decoded
            assert {url.fragment, unquote(url.fragment)} & ids_cache[target], \
                f"{path.name}: no #{url.fragment} in {target.name}"

    if path.name == "index.html":
        toc = page.evaluate("() => Array.from(document.querySelectorAll('.book-toc a')).map(a => a.getAttribute('href'))")
        assert toc == CHAPTERS, "the index lists every chapter, in order"
    else:
        i = CHAPTERS.index(path.name)
        prev = CHAPTERS[i - 1] if i > 0 else "index.html"
        nxt = CHAPTERS[i + 1] if i + 1 < len(CHAPTERS) else "index.html"
        for cls, want in (("book-prev", prev), ("book-next", nxt)):
            got = page.evaluate(f"() => Array.from(document.querySelectorAll('a.{cls}')).map(a => a.getAttribute('href'))")
            assert got == [want, want], f"{path.name}: {cls} links {got}, expected {want} (top and bottom)"
