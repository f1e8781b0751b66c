"""Every chapter's reveal.js deck in a real browser, with every outside request refused (none may even be
attempted): it runs offline with math and figures, and NO slide of any deck overflows reveal.js' 960 x 700
frame -- each slide is shown in turn and measured after MathJax has typeset it. A slide that
``slides.js`` had to shrink must stay readable (zoom >= MIN_ZOOM). Screenshots: the index and the first
slides of each deck at 1366x768, one deck at 1920x1080 and 390x844, into test-artifacts/slides-*.png."""
import functools
import http.server
import threading
from pathlib import Path

import pytest

from tools.slides import build_slides

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FRAME = (960, 700)
#: the smallest zoom slides.js may give a slide to make it fit (text at 22 px * 0.7 ~ 15 px)
MIN_ZOOM = 0.7

# Show every slide in turn (no transitions) and measure it once MathJax has typeset it.
MEASURE_JS = """async () => {
    Reveal.configure({transition: 'none', backgroundTransition: 'none'});
    const typeset = () => new Promise(done => MathJax.Hub.Queue(done));
    const found = [];
    const columns = Reveal.getHorizontalSlides();
    for (let h = 0; h < columns.length; h++) {
        const stack = columns[h].querySelectorAll(':scope > section');
        const count = stack.length || 1;
        for (let v = 0; v < count; v++) {
            Reveal.slide(h, v);
            await typeset();
            const s = Reveal.getCurrentSlide();
            bnSlides.fit(s, 700);
            const heading = s.querySelector('h1, h2, h3, h4');
            found.push({h, v, height: s.scrollHeight, width: s.scrollWidth,
                        zoom: parseFloat(s.dataset.bnZoom || '1'),
                        title: heading ? heading.textContent.replace('¶', '').trim().slice(0, 50) : '',
                        images: Array.from(s.querySelectorAll('img')).map(i => [i.naturalWidth, i.offsetWidth, i.offsetHeight])});
        }
    }
    return found;
}"""


@pytest.fixture(scope="module")
def served_decks(tmp_path_factory):
    """Every chapter's deck, built as `make slides` builds it, served on 127.0.0.1."""
    if not CHAPTERS:
        pytest.fail("no chapters in notebooks/")
    out = tmp_path_factory.mktemp("slides")
    try:
        built = build_slides.build(CHAPTERS, out)
    except SystemExit as err:
        pytest.skip(f"could not fetch the pinned JavaScript packages: {err}")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handle_error = lambda *args: None  # a page closed mid-download: not our concern
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", built
    finally:
        server.shutdown()
        server.server_close()


def open_deck(browser, base, name, viewport):
    page = browser.new_page(viewport=viewport)
    outside, errors = [], []

    def local_only(route):
        if route.request.url.startswith((base, "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{base}/{name}", timeout=60_000)
    if name != "index.html":
        page.wait_for_selector(".reveal.ready", timeout=60_000)  # reveal.js initialized
        page.wait_for_function("() => window.MathJax && MathJax.isReady", timeout=60_000)
    return page, outside, errors


def test_the_index_lists_every_deck_in_the_books_look(served_decks, browser, artifacts):
    base, built = served_decks
    page, outside, errors = open_deck(browser, base, "index.html", {"width": 1366, "height": 768})
    try:
        assert page.title() == "Slides · Batch Normalization, from Z-score to TensorFlow"
        rows = page.evaluate("""() => Array.from(document.querySelectorAll('ol.decks a')).map(a => [
            a.getAttribute('href'), a.querySelector('.num').textContent, a.querySelector('.title').textContent])""")
        assert [href for href, _, _ in rows] == [deck.name for deck, _ in built]
        assert all(num == deck.name[:2] for (_, num, _), (deck, _) in zip(rows, built))
        assert all(title and "_" not in title for _, _, title in rows)
        page.screenshot(path=str(artifacts / "slides-index-1366x768.png"), full_page=True)
    finally:
        page.close()
    assert not outside and not errors, (outside[:3], errors[:3])


@pytest.mark.parametrize("chapter", [p.stem for p in CHAPTERS])
def test_no_slide_overflows_the_frame(chapter, served_decks, browser, artifacts):
    base, built = served_decks
    deck = next(d for d, _ in built if d.name.startswith(chapter))
    page, outside, errors = open_deck(browser, base, deck.name, {"width": 1366, "height": 768})
    try:
        title = page.title()
        assert title.startswith(f"{chapter[:2]} · ") and title.endswith(" · slides") and "_" not in title
        source = next(path for path in CHAPTERS if path.stem == chapter).read_text(encoding="utf-8")
        assert page.locator(".MathJax_CHTML").count() > 0 or "$" not in source, "the chapter's math was not typeset"
        page.screenshot(path=str(artifacts / f"slides-{chapter}-title-1366x768.png"))
        slides = page.evaluate(MEASURE_JS)
        over = [s for s in slides if s["height"] > FRAME[1] + 1 or s["width"] > FRAME[0] + 1]
        small = [s for s in slides if s["zoom"] < MIN_ZOOM]
        assert slides, "no slides"
        assert not over, f"{deck.name}: {len(over)} of {len(slides)} slides overflow: " + "; ".join(
            f"#/{s['h']}/{s['v']} {s['title']!r} {s['width']}x{s['height']}" for s in over[:6])
        assert not small, f"{deck.name}: slides shrunk below {MIN_ZOOM}: " + "; ".join(
            f"#/{s['h']}/{s['v']} {s['title']!r} zoom {s['zoom']}" for s in small[:6])
        figures = [s for s in slides if s["images"]]
        assert all(len(s["images"]) == 1 for s in figures), \
            f"{deck.name}: slides with more than one figure: {[(s['h'], s['v']) for s in figures if len(s['images']) > 1]}"
        # a figure is drawn large: as wide as the slide, or at least 300 px tall (or at its own size)
        cramped = [s for s in figures if s["images"][0][1] < 880 and s["images"][0][2] < 300
                   and s["images"][0][0] > s["images"][0][1] + 1]
        assert not cramped, f"{deck.name}: figures drawn small: {[(s['h'], s['v'], s['images']) for s in cramped[:4]]}"
        if figures:
            first = figures[0]
            page.evaluate(f"Reveal.slide({first['h']}, {first['v']})")
            page.wait_for_timeout(200)
            page.screenshot(path=str(artifacts / f"slides-{chapter}-figure-1366x768.png"))
        page.evaluate("Reveal.slide(0, 0)")
        page.keyboard.press("ArrowRight")  # the deck responds to the keyboard
        page.wait_for_function("location.hash.startsWith('#/1')", timeout=10_000)
    finally:
        page.close()
    assert not outside, f"the deck asked another host for: {outside[:3]}"
    assert not errors, errors[:3]


@pytest.mark.parametrize("viewport", [{"width": 1920, "height": 1080}, {"width": 390, "height": 844}])
def test_a_deck_on_a_projector_and_a_phone(viewport, served_decks, browser, artifacts):
    base, built = served_decks
    deck = next((d for d, _ in built if d.name.startswith("03_")), built[0][0])
    page, outside, errors = open_deck(browser, base, deck.name, viewport)
    try:
        size = f"{viewport['width']}x{viewport['height']}"
        page.screenshot(path=str(artifacts / f"slides-{deck.stem.split('.')[0]}-{size}.png"))
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(1200)  # after the slide transition
        page.screenshot(path=str(artifacts / f"slides-{deck.stem.split('.')[0]}-2-{size}.png"))
        box = page.locator(".reveal .slides").bounding_box()
        assert box["x"] >= -1 and box["x"] + box["width"] <= viewport["width"] + 1, box  # the frame fits the screen
    finally:
        page.close()
    assert not outside and not errors, (outside[:3], errors[:3])
