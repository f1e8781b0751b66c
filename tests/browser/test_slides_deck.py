"""A chapter's reveal.js deck in a real browser, with every outside request refused: it must still work."""
import functools
import http.server
import threading
from pathlib import Path

import pytest

from tools.slides import build_slides

ROOT = Path(__file__).resolve().parents[2]

CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def served_deck(tmp_path_factory):
    """The first chapter's deck, built as `make slides` builds it, served on 127.0.0.1."""
    if not CHAPTERS:
        pytest.fail("no chapters in notebooks/")
    out = tmp_path_factory.mktemp("slides")
    try:
        [(deck, n_slides)] = build_slides.build(CHAPTERS[:1], out)
    except SystemExit as err:
        pytest.skip(f"could not fetch the pinned JavaScript packages: {err}")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{deck.name}", n_slides
    finally:
        server.shutdown()
        server.server_close()


def test_deck_runs_offline_with_math_and_figures(served_deck, browser, artifacts):
    url, n_slides = served_deck
    base = url.rsplit("/", 1)[0]
    outside, errors = [], []
    page = browser.new_page(viewport={"width": 1280, "height": 800})

    def local_only(route):
        if route.request.url.startswith((base, "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url, timeout=60_000)
        page.wait_for_selector(".reveal.ready", timeout=60_000)  # reveal.js initialized
        shown = page.evaluate("document.querySelectorAll('.reveal .slides section').length")
        assert shown >= n_slides
        page.wait_for_function("document.querySelectorAll('.MathJax_CHTML').length > 0", timeout=60_000)
        page.keyboard.press("ArrowRight")  # the deck responds to the keyboard
        page.wait_for_function("location.hash.startsWith('#/1')", timeout=10_000)
        widths = page.evaluate("Array.from(document.querySelectorAll('.reveal img')).map(i => i.naturalWidth)")
        assert widths and all(w > 0 for w in widths), "a static figure did not load"
        page.screenshot(path=str(artifacts / "slides_deck.png"))
    finally:
        page.close()
    assert not outside, f"the deck asked another host for: {outside[:3]}"
    assert not errors, errors[:3]
