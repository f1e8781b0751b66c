"""The explorer reads from the back of a room and fits every window, a phone's to a projector's.

The explorer (all four panels, and the three-panel view of chapter 04) is opened from its saved state at
390 px (a phone), 650 px (JupyterLab at 1024 x 768 with the file browser open leaves about that), 1024,
1366 and 1920 px, at device pixel ratios 1 and 2, and in presenter mode (``presenter_css()`` on the page).
Everywhere: nothing sticks out sideways, every text is at least 12 px, tick labels never collide or leave
their panel, panels keep their aspect ratio, slider tracks stay long enough to aim at, controls do not
overlap, and every canvas has one pixel per device pixel (crisp, not a zoomed bitmap). Presenter mode makes
text at least 1.4 times larger. Screenshots go to test-artifacts/explorer-<width>[-x2|-presenter].png.
"""
import pytest

from bn_lesson.widgets.explorer import build_explorer
from bn_lesson.widgets.presenter import presenter_css
from explorer_page import open_offline, write_page

SCREENS = [(390, 844, 1), (650, 768, 1), (1024, 768, 1), (1366, 768, 1), (1920, 1080, 1), (390, 844, 2),
           (1366, 768, 2)]

MEASURE_JS = """(root) => {
    const box = (el) => el.getBoundingClientRect();
    const texts = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim() || n.parentElement.closest('option')) continue;
        texts.push([n.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(n.parentElement).fontSize)]);
    }
    const canvases = Array.from(root.querySelectorAll('canvas')).map(c => ({
        cssWidth: box(c).width, cssHeight: box(c).height, width: c.width, height: c.height,
        fontPx: Number(c.dataset.fontPx), ticks: JSON.parse(c.dataset.ticks || '[]')}));
    const controls = Array.from(root.querySelectorAll('.bn-controls > *')).map(el => {
        const r = box(el); return [el.className, r.left, r.top, r.right, r.bottom]; });
    return {
        rootRight: box(root).right, viewport: document.documentElement.clientWidth,
        overflow: root.scrollWidth - root.clientWidth,
        statusOverflow: Array.from(root.querySelectorAll('.bn-status span, .bn-stats, .bn-panel-title'))
            .map(el => el.scrollWidth - el.clientWidth),
        fontPx: parseFloat(getComputedStyle(root).fontSize),
        ranges: Array.from(root.querySelectorAll('input[type=range]')).map(el => box(el).width),
        texts, canvases, controls, ratio: window.devicePixelRatio,
    };
}"""


@pytest.fixture(scope="module")
def page_path(tmp_path_factory):
    widgets = [build_explorer(identity_button=True),
               build_explorer(stages=("input", "scaled", "activated"), gamma=2.5, identity_button=True)]
    return write_page(tmp_path_factory.mktemp("screens"), widgets)


def overlap(a, b):
    return a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5


def check_explorer(m, where):
    assert m["overflow"] <= 1 and m["rootRight"] <= m["viewport"] + 1, f"{where}: sticks out sideways"
    assert all(o <= 1 for o in m["statusOverflow"]), f"{where}: a text line is clipped"
    small = [t for t in m["texts"] if t[1] < 12]
    assert not small, f"{where}: text under 12 px: {small[:5]}"
    assert all(w >= 100 for w in m["ranges"]), f"{where}: slider tracks squeezed: {m['ranges']}"
    for a in range(len(m["controls"])):
        for b in range(a + 1, len(m["controls"])):
            assert not overlap(m["controls"][a], m["controls"][b]), f"{where}: controls overlap"
    for c in m["canvases"]:
        assert c["fontPx"] >= 12, f"{where}: tick labels of {c['fontPx']} px"
        assert abs(c["cssWidth"] / c["cssHeight"] - 1.5) < 0.03, f"{where}: a panel lost its aspect ratio"
        assert abs(c["width"] - c["cssWidth"] * m["ratio"]) <= 1, f"{where}: canvas not at device pixels"
        assert abs(c["height"] - c["cssHeight"] * m["ratio"]) <= 1
        ticks = c["ticks"]
        assert len(ticks) >= 2, f"{where}: fewer than two tick labels"
        assert ticks[0][0] >= 0 and ticks[-1][1] <= c["cssWidth"], f"{where}: a tick label leaves its panel"
        assert all(left[1] < right[0] for left, right in zip(ticks, ticks[1:])), f"{where}: tick labels collide"


@pytest.mark.parametrize("width, height, scale", SCREENS, ids=[f"{w}x{h}@{s}" for w, h, s in SCREENS])
def test_the_explorer_fits_the_screen(page_path, browser, artifacts, width, height, scale):
    page, problems = open_offline(browser, page_path.as_uri(), viewport=(width, height), scale=scale)
    try:
        page.locator(".bn-explorer[data-frame]").nth(1).wait_for(timeout=30_000)
        page.wait_for_timeout(100)
        for i, root in enumerate(page.query_selector_all(".bn-explorer")):
            check_explorer(page.evaluate(MEASURE_JS, root), f"{width}x{height}@{scale}, explorer {i}")
        page.screenshot(path=str(artifacts / f"explorer-{width}{'-x2' if scale == 2 else ''}.png"), full_page=True)
        assert not problems, problems
    finally:
        page.close()


def test_presenter_mode_redraws_it_larger_and_crisp(page_path, browser, artifacts):
    page, problems = open_offline(browser, page_path.as_uri(), viewport=(1920, 1080))
    try:
        root = page.locator(".bn-explorer[data-frame]").first
        root.wait_for(timeout=30_000)
        normal = page.evaluate(MEASURE_JS, root.element_handle())
        frame = int(root.get_attribute("data-frame"))
        page.evaluate("(css) => document.head.insertAdjacentHTML('beforeend', css)", presenter_css())
        page.wait_for_function("([el, f]) => Number(el.dataset.frame) > f", arg=[root.element_handle(), frame])
        page.wait_for_timeout(200)
        big = page.evaluate(MEASURE_JS, root.element_handle())
        check_explorer(big, "presenter mode at 1920x1080")
        assert big["fontPx"] >= 1.4 * normal["fontPx"], (normal["fontPx"], big["fontPx"])
        assert min(c["fontPx"] for c in big["canvases"]) >= 1.4 * min(c["fontPx"] for c in normal["canvases"])
        page.screenshot(path=str(artifacts / "explorer-1920-presenter.png"), full_page=True)
        assert not problems, problems
    finally:
        page.close()
