"""The demo app in a real browser: it loads with no outside request, a slider moves, the figure changes."""
import time

from harness import Steps, free_port
from tools.demo import demo_app


def test_demo_app_loads_and_the_gamma_slider_changes_the_figure(browser, artifacts):
    steps = Steps("demo", artifacts / "demo_app.log")
    port = free_port()
    process = demo_app.start(port, artifacts / "demo_voila.log")
    outside = []

    def local_only(route):
        """Voila's icon font comes from a CDN: refuse it (and anything else) to prove the app works offline."""
        if route.request.url.startswith(f"http://127.0.0.1:{port}/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        with steps("voila answers", timeout=120):
            demo_app.wait_until_up(process, port, timeout=120)
        page.route("**/*", local_only)
        with steps("the dashboard loads and shows the explorer", timeout=240) as step:
            page.goto(f"http://127.0.0.1:{port}/", timeout=step.ms)
            explorer = page.locator(".bn-explorer[data-frame]").first  # drawn by its front end
            explorer.wait_for(state="visible", timeout=step.ms)
            page.locator("img.bn-training-figure").wait_for(state="visible", timeout=step.ms)
        readout = explorer.locator(".bn-gamma .bn-readout")
        before_frame, before_value = explorer.get_attribute("data-frame"), readout.inner_text()
        with steps("a key press on the gamma slider redraws the figure", timeout=30) as step:
            explorer.locator(".bn-gamma input[type=range]").focus()
            start = time.perf_counter()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("([el, frame]) => el.dataset.frame !== frame",
                                   arg=[explorer.element_handle(), before_frame], timeout=step.ms)
            steps.log(f"key press -> new figure: {1e3 * (time.perf_counter() - start):.0f} ms")
        assert readout.inner_text() != before_value  # the slider moved: 1.00 -> 1.05
        page.screenshot(path=str(artifacts / "demo_app.png"))
        assert all("127.0.0.1" not in url for url in outside)
    finally:
        page.close()
        demo_app.stop(process)


def test_presenter_mode_makes_the_controls_and_figures_larger(browser, artifacts):
    """`make demo PRESENTER=1`: the dashboard calls presenter(); its CSS must reach the live controls."""
    sizes = {}
    for presenter in (False, True):
        port = free_port()
        process = demo_app.start(port, artifacts / f"demo_voila_presenter_{presenter}.log", presenter=presenter)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        try:
            demo_app.wait_until_up(process, port, timeout=120)
            page.goto(f"http://127.0.0.1:{port}/", timeout=240_000)
            explorer = page.locator(".bn-explorer[data-frame]").first
            explorer.wait_for(state="visible", timeout=240_000)
            readout = explorer.locator(".bn-gamma .bn-readout")
            sizes[presenter] = {
                "font": float(readout.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px")),
                # the explorer redraws its canvases at the larger size (tick labels in px), not a zoomed bitmap
                "figure": float(explorer.locator("canvas").first.get_attribute("data-font-px")),
                "handle": explorer.locator(".bn-gamma input[type=range]").bounding_box()["height"],
            }
            if presenter:
                page.screenshot(path=str(artifacts / "demo_app_presenter.png"))
        finally:
            page.close()
            demo_app.stop(process)
    normal, big = sizes[False], sizes[True]
    assert big["font"] >= 1.4 * normal["font"], sizes
    assert big["figure"] >= 1.4 * normal["figure"], sizes
    assert big["handle"] > normal["handle"], sizes
