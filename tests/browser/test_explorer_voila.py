"""The explorer in the Voila demo app (``make demo``), moved with the keyboard, nothing fetched from outside.

Voila runs ``demo/dashboard.ipynb`` in a kernel; the explorer's front end computes in the page, so a key on
the gamma slider redraws at once and the kernel's explorer follows. The page's statistics are compared with
the kernel-side reference (an ``Explorer`` built with the dashboard's arguments, on the same batches).
"""
import json

from bn_lesson.widgets.explorer import build_explorer
from explorer_page import ARM_JS, READ_JS, python_text, refuse_outside
from harness import Steps, free_port
from tools.demo import demo_app


def test_the_demo_explorer_moves_with_the_keyboard(browser, artifacts):
    steps = Steps("voila-explorer", artifacts / "explorer-voila.log")
    port = free_port()
    process = demo_app.start(port, artifacts / "explorer-voila-server.log")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    outside, errors = [], []
    refuse_outside(page, (f"http://127.0.0.1:{port}/",), outside.append)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with steps("voila answers", timeout=120):
            demo_app.wait_until_up(process, port, timeout=120)
        with steps("the dashboard shows both explorers", timeout=240) as step:
            page.goto(f"http://127.0.0.1:{port}/", timeout=step.ms)
            page.locator(".bn-explorer[data-frame]").nth(1).wait_for(timeout=step.ms)
        explorer = page.locator(".bn-explorer").first
        root = explorer.element_handle()
        explorer.scroll_into_view_if_needed()
        before = page.evaluate(READ_JS, root)
        old_picture = explorer.locator(".bn-figure").screenshot()
        latencies = []
        with steps("10 key presses on the gamma slider", timeout=60):
            slider = explorer.locator(".bn-gamma input[type=range]")
            slider.focus()
            for _ in range(10):
                page.evaluate(ARM_JS, root)
                page.keyboard.press("ArrowRight")
                page.wait_for_function("window.__bnLatency !== null", polling="raf", timeout=10_000)
                latencies.append(page.evaluate("window.__bnLatency"))
        steps.log(f"key press -> redrawn frame: {', '.join(f'{t:.1f}' for t in latencies)} ms")
        after = page.evaluate(READ_JS, root)
        assert after["setting"]["gamma"] == before["setting"]["gamma"] + 0.5
        assert explorer.locator(".bn-gamma .bn-readout").inner_text() == "1.50"
        assert explorer.locator(".bn-figure").screenshot() != old_picture
        reference = build_explorer(identity_button=True)  # the dashboard's first explorer
        assert {"stats": after["stats"], "status": after["status"], "error": after["error"]} == \
            python_text(reference, after["setting"])
        page.screenshot(path=str(artifacts / "explorer-voila.png"))
        (artifacts / "explorer-voila-latency.json").write_text(json.dumps(latencies))
        assert not errors, errors
        # Voila's icon font is the only outside request it makes (issue 14 item 9); the explorer makes none
        assert not [u for u in outside if "fontawesome" not in u.lower() and "font-awesome" not in u.lower()], outside
    finally:
        page.close()
        demo_app.stop(process)
