"""The demo app (``make demo``) in a real browser, with every request to another host refused (and none
may even be attempted): it loads, a slider redraws its figure, and in presenter mode at 1920 x 1080 the
views are drawn for the projector: nothing cut off, no picture stretched, no control's text on another's,
checkboxes, dropdowns and buttons enlarged. Screenshots of each view at 1366 x 768, 390 x 844 (phone) and
1920 x 1080 (presenter) go to test-artifacts/demo-*.png."""
import time

import pytest

from harness import Steps, free_port
from tools.demo import demo_app

#: the dashboard's views, by the CSS class of the widget that draws each
VIEWS = {"explorer": ".bn-explorer", "activation": ".bn-explorer >> nth=1",
         "train-vs-inference": ".bn-train-vs-inference", "training": ".bn-training-comparison"}
PAGE_MS = 240_000

# Text-bearing controls of every widget: their boxes must not overlap one another.
CONTROL_TEXT_JS = """() => Array.from(document.querySelectorAll(
    '.widget-label, .widget-readout, .widget-label-basic, .widget-dropdown select, .widget-toggle-button, '
    + '.jupyter-button, .widget-checkbox, .widget-html-content'))
  .filter(el => el.offsetParent !== null && el.innerText.trim())
  .map(el => { const r = el.getBoundingClientRect();
               return {text: el.innerText.trim().slice(0, 40), x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })"""

IMAGES_JS = """() => Array.from(document.querySelectorAll('.widget-image')).map(img => {
    const r = img.getBoundingClientRect();
    return {cls: img.className, natural: img.naturalWidth, width: r.width, left: r.left, right: r.right,
            native: img.classList.contains('bn-native-size')};
})"""


def overlapping(boxes, pad=1.0):
    """Pairs of boxes (dicts x0, y0, x1, y1, text) that intersect by more than ``pad`` px, where neither
    contains the other (a label inside its own control is not a collision)."""
    def inside(a, b):
        return a["x0"] >= b["x0"] - pad and a["y0"] >= b["y0"] - pad and a["x1"] <= b["x1"] + pad and a["y1"] <= b["y1"] + pad
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if inside(a, b) or inside(b, a):
                continue
            if min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > pad and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > pad:
                found.append((a["text"], b["text"]))
    return found


def open_dashboard(browser, server, viewport):
    """A page on the dashboard with every other host refused; returns (page, outside requests, errors)."""
    page = browser.new_page(viewport=viewport)
    outside, errors = [], []
    local = (f"http://127.0.0.1:{server.port}/", "data:", "blob:", "about:")

    def local_only(route):
        if route.request.url.startswith(local):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url("/"), timeout=PAGE_MS)
    page.locator("img.bn-training-figure").wait_for(state="visible", timeout=PAGE_MS)
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=60_000)
    return page, outside, errors


def shoot_views(page, artifacts, tag):
    for name, selector in VIEWS.items():
        view = page.locator(selector).first
        if view.count():
            view.scroll_into_view_if_needed()
            view.screenshot(path=str(artifacts / f"demo-{tag}-{name}.png"))


@pytest.fixture(scope="module")
def demo(artifacts):
    server = demo_app.start(free_port(), artifacts / "demo_voila.log")
    try:
        demo_app.wait_until_up(server, timeout=120)
        yield server
    finally:
        demo_app.stop(server)


@pytest.fixture(scope="module")
def demo_presenter(artifacts):
    server = demo_app.start(free_port(), artifacts / "demo_voila_presenter.log", presenter=True)
    try:
        demo_app.wait_until_up(server, timeout=120)
        yield server
    finally:
        demo_app.stop(server)


def test_demo_loads_offline_and_a_slider_redraws_its_figure(demo, browser, artifacts):
    steps = Steps("demo", artifacts / "demo_app.log")
    with steps("the dashboard loads with every other host refused", timeout=300):
        page, outside, errors = open_dashboard(browser, demo, {"width": 1366, "height": 768})
    try:
        assert page.title().startswith("Batch normalization, live")
        icon = page.evaluate("() => document.querySelector('link[rel=icon]').href")
        assert icon.startswith(demo.base) and icon.endswith("favicon.svg")
        view = page.locator(".bn-train-vs-inference").first
        figure = view.locator("img.bn-tvi-figure")
        readout = view.locator(".bn-tvi-steps .widget-readout")
        before_src, before_value = figure.get_attribute("src"), readout.inner_text()
        with steps("a key press on the steps slider redraws the figure", timeout=30) as step:
            view.locator(".bn-tvi-steps .noUi-handle").focus()
            start = time.perf_counter()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("([el, src]) => el.getAttribute('src') !== src",
                                   arg=[figure.element_handle(), before_src], timeout=step.ms)
            steps.log(f"key press -> new figure: {1e3 * (time.perf_counter() - start):.0f} ms")
        assert readout.inner_text() != before_value
        page.screenshot(path=str(artifacts / "demo-1366x768.png"))
        shoot_views(page, artifacts, "1366x768")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts / "demo-390x844.png"))
        shoot_views(page, artifacts, "390x844")
    finally:
        page.close()
    assert not outside, f"the demo asked another host for: {outside[:3]}"
    assert not errors, errors[:3]


def test_presenter_mode_lays_the_views_out_for_a_1920_projector(demo, demo_presenter, browser, artifacts):
    """`make demo PRESENTER=1`: larger text and controls, pictures drawn (not stretched) for 1920 px."""
    sizes = {}
    for presenting, server in ((False, demo), (True, demo_presenter)):
        page, outside, errors = open_dashboard(browser, server, {"width": 1920, "height": 1080})
        try:
            readout = page.locator(".bn-train-vs-inference .widget-readout").first
            sizes[presenting] = {
                "font": float(readout.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px")),
                "figure": page.locator("img.bn-training-figure").bounding_box()["width"],
                "dropdown": float(page.locator(".bn-training-comparison .widget-dropdown select").first
                                  .evaluate("el => getComputedStyle(el).fontSize").removesuffix("px")),
                "button": page.locator(".bn-training-comparison .jupyter-button").first.bounding_box()["height"],
            }
            # the explorer's "eps = 0 exactly" checkbox and batch-size dropdown, whatever draws them
            checkbox = page.locator(".bn-explorer input[type=checkbox], .widget-checkbox input[type=checkbox]")
            if checkbox.count():
                sizes[presenting]["checkbox"] = checkbox.first.bounding_box()["width"]
            select = page.locator(".bn-explorer select, .bn-explorer .widget-dropdown select")
            if select.count():
                sizes[presenting]["explorer dropdown"] = float(
                    select.first.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))
            images = page.evaluate(IMAGES_JS)
            controls = page.evaluate(CONTROL_TEXT_JS)
            if presenting:
                page.screenshot(path=str(artifacts / "demo-presenter-1920x1080.png"))
                shoot_views(page, artifacts, "presenter-1920x1080")
        finally:
            page.close()
        assert not outside, f"the demo asked another host for: {outside[:3]}"
        assert not errors, errors[:3]
        for img in images:
            assert img["left"] >= 0 and img["right"] <= 1920, f"a picture is cut off at the edge: {img}"
            if img["native"]:  # drawn for this screen: shown at its own size, not stretched
                assert abs(img["width"] - img["natural"]) <= 1, img
        assert not overlapping(controls), f"presenter={presenting}: controls overlap: {overlapping(controls)[:5]}"
    normal, big = sizes[False], sizes[True]
    assert big["font"] >= 1.4 * normal["font"], sizes
    assert big["figure"] >= 1.4 * normal["figure"], sizes      # redrawn at 1,800 px, not zoomed
    assert big["dropdown"] >= 1.4 * normal["dropdown"], sizes
    assert big["button"] > normal["button"], sizes
    for control in ("checkbox", "explorer dropdown"):
        if control in normal:
            assert big[control] >= 1.4 * normal[control], (control, sizes)
