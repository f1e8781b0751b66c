"""The static book in a real browser, offline: every page loads from files alone and reads correctly on a
1366 px laptop, a 1920 px screen and a 390 px phone.

For each page (the index and one per notebook): no request leaves file:// (any other request is
blocked and reported: none may even be attempted), no failed request, no console error, every <img>
decoded, math typeset (no raw TeX left in the text), saved widgets rendered (no "Loading widget...", no
model ids, no errors) and each followed by its static twin (a figure within the next three code cells:
the page has no kernel), every relative link and #anchor resolves, and prev/next follow the chapter order.
At 1366 px no code or output box is cut off without a cue (a box wider than its column scrolls and shows
that it does); at 1366 and 390 px no printed line wraps (a printed table keeps each row on one line).
Exercises read as exercise boxes (task, code, check, the solution behind a click; no "not written yet",
no echoed ``False``). The shell works: contents, "On this page", search, copy buttons, folded set-up code,
"Download this notebook", figures that open full width on a phone. Screenshots of each page at 1366x768,
1920x1080 and 390x844 go to test-artifacts/book-<page>-<size>.png (and a full page at 1366 px).
"""
import html
import re

import nbformat
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tools.site import notebook_prep

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

# True once MathJax (loaded after the page, when the browser is idle) has typeset it: book_mathjax.j2 sets it
MATH_DONE_JS = "() => document.documentElement.dataset.math === 'typeset'"

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


# Boxes that may be wider than their column: each must then scroll, with the cue (book.js, shell.css).
SCROLL_BOXES = (".jp-InputArea-editor, .jp-OutputArea-output pre, .jp-RenderedMarkdown pre, "
                ".book-exercise-code .highlight, .book-solution .highlight, .jp-OutputArea-output.jp-RenderedHTMLCommon")

CLIPPED_JS = """(selector) => {
    const main = document.querySelector('main').getBoundingClientRect();
    const found = [];
    for (const el of document.querySelectorAll(selector)) {
        if (!el.checkVisibility()) continue;                           // folded or hidden
        const r = el.getBoundingClientRect(), style = getComputedStyle(el);
        const what = (el.innerText || '').trim().split('\\n')[0].slice(0, 60);
        if (r.right > main.right + 1) found.push(`sticks out of the column by ${Math.round(r.right - main.right)} px: ${what}`);
        if (el.scrollWidth <= el.clientWidth + 1) continue;
        if (!['auto', 'scroll'].includes(style.overflowX)) found.push(`cut off (overflow-x ${style.overflowX}): ${what}`);
        else if (!el.classList.contains('book-scrolls') || !style.backgroundImage.includes('gradient'))
            found.push(`scrolls without a cue: ${what}`);
    }
    return found;
}"""

# A printed line that wraps: the box shows more lines than its text has.
WRAPPED_JS = """() => {
    const found = [];
    for (const el of document.querySelectorAll('.jp-OutputArea-output pre, .jp-RenderedMarkdown pre')) {
        if (!el.checkVisibility() || el.closest('.book-widget')) continue;
        const style = getComputedStyle(el);
        const lh = parseFloat(style.lineHeight);
        const inner = el.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
        const lines = el.textContent.replace(/\\n$/, '').split('\\n').length;
        const shown = Math.round(inner / lh);
        if (shown > lines) found.push(`${lines} line(s) shown as ${shown}: ${el.textContent.slice(0, 60)}`);
    }
    return found;
}"""


def open_offline(browser, url, viewport=None):
    """A page that may load only local files; returns (page, problems list that fills as it loads)."""
    page = browser.new_page(viewport=viewport or {"width": 1366, "height": 768})
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


def settle(page, viewport=None):
    """Resize (if asked), let book.js measure again, and wait for the layout to settle."""
    if viewport:
        page.set_viewport_size(viewport)
    page.wait_for_timeout(400)


def test_site_has_a_page_per_notebook(site):
    built = sorted(p.name for p in site.glob("*.html"))
    assert built == sorted(PAGES)
    assert sorted(p.name for p in (site / "notebooks").glob("*.ipynb")) == [
        c.replace(".html", ".ipynb") for c in CHAPTERS], "every chapter can be downloaded"
    assert (site / "_static" / "search-index.js").read_text(encoding="utf-8").startswith("/*")


@pytest.mark.parametrize("name", PAGES)
def test_page_reads_offline(name, site, browser, artifacts):
    path = site / name
    stem = path.stem
    page, problems = open_offline(browser, path.as_uri())
    try:
        page.wait_for_function(MATH_DONE_JS, timeout=TIMEOUT_MS)
        views = page.evaluate(WIDGETS_JS)["views"]
        if views:
            page.wait_for_function(f"() => ({WIDGETS_JS})().rendered === {views}", timeout=TIMEOUT_MS)
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=TIMEOUT_MS)
        settle(page)  # also lets late console errors (fonts, lazy modules) arrive
        page.screenshot(path=str(artifacts / f"book-{stem}-1366x768.png"))
        page.screenshot(path=str(artifacts / f"book-{stem}-1366-full.png"), full_page=True)

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
        if name != "index.html":
            check_exercises(page, path)
            clipped = page.evaluate(CLIPPED_JS, SCROLL_BOXES)
            assert not clipped, f"{name} at 1366 px:\n  " + "\n  ".join(clipped[:8])
            wrapped = page.evaluate(WRAPPED_JS)
            assert not wrapped, f"{name} at 1366 px, printed lines wrap:\n  " + "\n  ".join(wrapped[:8])

        settle(page, {"width": 1920, "height": 1080})
        page.screenshot(path=str(artifacts / f"book-{stem}-1920x1080.png"))

        settle(page, {"width": 390, "height": 844})
        page.screenshot(path=str(artifacts / f"book-{stem}-390x844.png"))
        if name != "index.html":
            wrapped = page.evaluate(WRAPPED_JS)
            assert not wrapped, f"{name} at 390 px, printed lines wrap:\n  " + "\n  ".join(wrapped[:8])
            clipped = page.evaluate(CLIPPED_JS, SCROLL_BOXES)
            assert not clipped, f"{name} at 390 px:\n  " + "\n  ".join(clipped[:8])
        assert not problems, f"{name}:\n  " + "\n  ".join(problems)
    finally:
        page.close()


def check_exercises(page, path):
    """Every exercise is a box: its task, the code with the check, the solution behind a click; the stored
    run of an unwritten exercise is not shown."""
    nb = nbformat.read(ROOT / "notebooks" / path.with_suffix(".ipynb").name, as_version=4)
    expected = [ex.name for ex in notebook_prep.find_exercises(nb)]
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.book-exercise')).map(b => ({
        name: b.dataset.exercise, code: b.querySelector('.book-exercise-code').innerText,
        solution: !!b.querySelector('details.book-solution:not([open]) pre'),
        hint: b.innerText.includes('solution(')}))""")
    assert [b["name"] for b in boxes] == expected, f"{path.name}: exercise boxes {boxes} != {expected}"
    for box in boxes:
        assert f"check_{box['name']}(" in box["code"], box
        assert box["solution"] or box["hint"], f"{path.name}: exercise {box['name']} has no solution to show"
    text = page.inner_text("main")
    assert "not written yet" not in text and "not attempted yet" not in text
    echoed = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-OutputArea-executeResult'))
        .map(o => o.innerText.trim()).filter(t => t === 'False' || t === 'True')""")
    assert not echoed, f"{path.name}: a checker's return value is echoed: {echoed}"


CHAPTER = "03_the_four_steps.html"


def test_the_shell_search_copy_fold_download_and_full_width_figures(site, browser, artifacts):
    page, problems = open_offline(browser, (site / CHAPTER).as_uri())
    try:
        settle(page)
        side = page.evaluate("""() => Array.from(document.querySelectorAll('.book-sidebar .book-side-list a'))
            .map(a => [a.getAttribute('href'), a.getAttribute('aria-current')])""")
        assert [h for h, _ in side] == CHAPTERS and dict(side)[CHAPTER] == "page"
        onpage = page.evaluate("() => Array.from(document.querySelectorAll('.book-onpage-list a')).map(a => a.getAttribute('href'))")
        assert len(onpage) >= 3 and all(page.locator(f"[id='{h[1:]}']").count() == 1 for h in onpage)

        search = page.locator(".book-search-input")
        search.fill("epsilon variance")
        hits = page.locator(".book-search-results a.book-search-hit")
        hits.first.wait_for(timeout=5000)
        assert hits.count() >= 1
        assert re.match(r"\d\d_\w+\.html#", hits.first.get_attribute("href"))
        page.keyboard.press("Escape")

        fold = page.locator("details.book-fold").first
        assert fold.evaluate("d => !d.open && d.closest('.jp-CodeCell') === document.querySelector('.jp-CodeCell')")
        assert not fold.locator("pre").first.is_visible()  # folded: not shown
        fold.locator("summary").click()
        assert fold.locator("pre").first.is_visible() and "import" in fold.locator("pre").first.inner_text()

        copy = page.locator(".jp-CodeCell:not(:has(details)) .book-copy").first
        copy.scroll_into_view_if_needed()
        copy.click()
        page.wait_for_function("b => b.textContent.startsWith('Copied')", arg=copy.element_handle(), timeout=5000)

        download = page.locator(".book-download a[download]")
        assert download.get_attribute("href") == f"notebooks/{CHAPTER.replace('.html', '.ipynb')}"

        solution = page.locator(".book-exercise details.book-solution").first
        assert not solution.locator("pre").is_visible()
        solution.locator("summary").click()
        assert "return" in solution.locator("pre").inner_text()

        settle(page, {"width": 390, "height": 844})
        figure = page.locator(".jp-RenderedImage img").first
        figure.scroll_into_view_if_needed()
        figure.click()
        big = page.locator(".book-lightbox .book-lightbox-img")
        big.wait_for(timeout=5000)
        assert big.bounding_box()["width"] >= 390 - 16
        page.screenshot(path=str(artifacts / "book-figure-full-width-390x844.png"))
        page.keyboard.press("Escape")
        assert page.locator(".book-lightbox").count() == 0

        page.locator(".book-menu").click()
        page.wait_for_timeout(300)
        assert page.locator(".book-sidebar").bounding_box()["x"] >= 0  # slid in
        page.screenshot(path=str(artifacts / "book-contents-390x844.png"))
        assert not problems, problems
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
