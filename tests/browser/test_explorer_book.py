"""The static book's explorers move, offline: no kernel, no network, the statistics Python would print.

For every chapter page whose saved state holds an explorer (chapters 03 and 04): the page is opened from disk
with every outside request refused, the explorer appears from its saved state (anywidget's front end from
``_static/``, found through the ``require.config`` line) within a few seconds, ten key presses on gamma's
slider and eight on eps's move it, and what it shows after each is ``Explorer.shown_text()`` for the setting
drawn. A screenshot of each goes to test-artifacts/book-explorer-<page>.png.
"""
import pytest

from bn_lesson.widgets.explorer import build_explorer
from explorer_page import READ_JS, open_offline, python_text

#: set by an init script: ms from navigation start until the first explorer has drawn
READY_JS = """() => {
    const seen = () => document.querySelector('.bn-explorer[data-frame]');
    const mark = () => { if (!window.__bnReady && seen()) window.__bnReady = performance.now(); };
    new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true,
                                                  attributeFilter: ['data-frame']});
}"""
#: a generous bound for the test (a shared, busy machine); `make bench` reports the 1 s budget
READY_MS = 10_000


def explorer_pages(site):
    return sorted(p for p in site.glob("[0-9][0-9]_*.html")
                  if "bn_lesson.widgets.explorer.Explorer" in p.read_text(encoding="utf-8"))


def test_the_chapter_with_the_explorer_carries_it(site):
    """Chapter 03 has the explorer; chapter 04 has its own (gamma, beta) map instead (issue 11)."""
    names = [p.name[:2] for p in explorer_pages(site)]
    assert "03" in names, f"no saved explorer in chapter 03: {names}"


def test_every_book_explorer_moves_offline(site, browser, artifacts):
    pages = explorer_pages(site)
    if not pages:
        pytest.fail("no chapter page holds a saved explorer: run `make execute`, then `make html`")
    for path in pages:
        page, problems = open_offline(browser, path.as_uri(), init_script=f"({READY_JS})()")
        try:
            page.wait_for_function("() => window.__bnReady", timeout=60_000)
            ready = page.evaluate("window.__bnReady")
            assert ready < READY_MS, f"{path.name}: the explorer drew {ready:.0f} ms after navigation"
            text = page.inner_text("body")
            assert "Explorer(children" not in text and "run the cells above" not in text
            for root in page.query_selector_all(".bn-explorer"):
                move_and_compare(page, root, path.name)
            page.query_selector(".bn-explorer").screenshot(path=str(artifacts / f"book-explorer-{path.stem}.png"))
            assert not problems, f"{path.name}: " + "\n".join(problems)
        finally:
            page.close()


def move_and_compare(page, root, name):
    root.scroll_into_view_if_needed()
    start = page.evaluate(READ_JS, root)
    reference = build_explorer(stages=tuple(start["stats"]), batch_size=start["setting"]["batch_size"])
    check(page, root, reference, name)
    for control, key, times in (("gamma", "ArrowRight", 10), ("eps", "ArrowLeft", 8)):
        before = page.evaluate(READ_JS, root)
        slider = root.query_selector(f".bn-{control} input[type=range]")
        slider.focus()
        for _ in range(times):
            page.keyboard.press(key)
        after = check(page, root, reference, name)
        assert after["frame"] >= before["frame"] + times, f"{name}: {control} did not redraw on every key"
        assert after["stats"] != before["stats"] or after["status"] != before["status"], f"{name}: {control}"
    assert after["setting"]["gamma"] == start["setting"]["gamma"] + 0.5


def check(page, root, reference, name):
    shown = page.evaluate(READ_JS, root)
    got = {"stats": shown["stats"], "status": shown["status"], "error": shown["error"]}
    assert got == python_text(reference, shown["setting"]), f"{name}: {shown['setting']}"
    return shown
