"""The gamma / beta / eps explorer, live, in JupyterLab, driven like a learner drives it.

Starts JupyterLab (127.0.0.1, a free port, token auth, throw-away settings), opens the chapter with the
explorer (``?reset`` so a stale workspace cannot open another notebook), runs all cells from the Run menu,
checks that every widget rendered, then moves the gamma and eps sliders with the keyboard and checks that
the figure changed, that the kernel received the new values (``explorer.gamma`` follows the slider), and
that the statistics the page shows -- computed in the browser -- are the kernel's own
``Explorer.shown_text()`` for that setting: std(y) = gamma * std(x_hat), var(x_hat) = var / (var + eps).
Every step has a timeout and a log line (also in test-artifacts/lab-live.log); screenshots go to
test-artifacts/. The server is stopped by its own process id at the end. ``BN_NOTEBOOKS=folder`` serves
copies of the chapters in that folder instead of ``notebooks/``.
"""
import json
import math
import os
import re
from pathlib import Path

import pytest

from harness import Steps, copy_notebooks, start_lab

from explorer_page import READ_JS

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(os.environ.get("BN_NOTEBOOKS", ROOT / "notebooks"))
NOTEBOOK = "03_the_four_steps.ipynb"
KEY_PRESSES = {"gamma": ("ArrowRight", 10), "eps": ("ArrowLeft", 8)}  # +10 steps of 0.05; -8 of 10^0.25

# Run in the kernel through a second client: what every explorer holds now (no names left behind).
PROBE = """
def _bn_probe():
    import gc, json
    from bn_lesson.widgets.explorer import Explorer
    found = []
    for e in gc.get_objects():
        if isinstance(e, Explorer):
            r = e.result()
            found.append({"gamma": e.gamma, "eps": e.current_eps(), "dist": e.dist, "var": r.var,
                          "std_xhat": r.stats["normalized"].std, "std_y": r.stats["scaled"].std,
                          "shown": e.shown_text()})
    return json.dumps(found)
print(_bn_probe())
del _bn_probe
"""


@pytest.fixture()
def lab(artifacts, tmp_path):
    steps = Steps("lab", artifacts / "lab-live.log")
    # JupyterLab serves a copy: running cells must never rewrite the course's stored notebooks
    root = copy_notebooks(NOTEBOOKS, tmp_path / "notebooks")
    with steps("start JupyterLab on 127.0.0.1", timeout=120):
        server = start_lab(root, log_path=artifacts / "lab-server.log")
    steps.log(f"JupyterLab pid {server.pid} on port {server.port}")
    try:
        yield server, steps
    finally:
        with steps(f"stop JupyterLab (pid {server.pid})", timeout=60):
            code = server.stop()
        steps.log(f"JupyterLab exited with code {code}")


def kernel_probe(server, timeout=60):
    """Run PROBE in the notebook's kernel; returns the list of explorer states."""
    from jupyter_client import BlockingKernelClient

    kernel_id = server.kernel_for(NOTEBOOK)
    assert kernel_id, f"no kernel session for {NOTEBOOK}"
    client = BlockingKernelClient()
    client.load_connection_file(str(server.connection_file(kernel_id)))
    client.start_channels()
    out = []
    try:
        reply = client.execute_interactive(
            PROBE, store_history=False, timeout=timeout,
            output_hook=lambda msg: msg["msg_type"] == "stream" and out.append(msg["content"]["text"]))
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", reply["content"]
    return json.loads("".join(out))


def test_explorer_sliders_move_the_figure_and_its_statistics(lab, browser, artifacts):
    server, steps = lab
    if not (NOTEBOOKS / NOTEBOOK).exists():
        pytest.fail(f"{NOTEBOOKS}/{NOTEBOOK} (the chapter with the explorer) is missing")
    (artifacts / "lab-failure.png").unlink(missing_ok=True)  # only a failure of this run leaves one
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = []

    def route(route):
        url = route.request.url
        if url.startswith((server.base_url, "ws://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", route)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        run_the_lesson(page, server, steps, artifacts)
        assert not outside, f"JupyterLab tried to reach the network: {outside[:5]}"
        assert not errors, f"uncaught errors in the page: {errors[:5]}"
    except BaseException:
        page.screenshot(path=str(artifacts / "lab-failure.png"))
        raise
    finally:
        page.close()


def run_the_lesson(page, server, steps, artifacts):
    with steps(f"open {NOTEBOOK} (?reset), see it cold, and wait for its kernel", timeout=180) as step:
        page.goto(server.url(f"lab/tree/{NOTEBOOK}", reset=None), wait_until="domcontentloaded", timeout=step.ms)
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=step.ms)
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
        assert tab.inner_text(timeout=step.ms) == NOTEBOOK, "the notebook asked for is the one open"
        wait_idle(page, server, step)
        # opened cold, before any cell runs: the explorer's saved output is one line, not a dump of its parts
        cold = page.locator(".jp-Notebook").inner_text(timeout=step.ms)
        assert "Explorer(children" not in cold, "the explorer shows as its text repr"
        assert "run the cells above to show it and move it" in cold, "the explorer's cold output is missing"
        page.screenshot(path=str(artifacts / "lab-explorer-cold.png"))

    with steps("Run > Run All Cells", timeout=240) as step:
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(timeout=step.ms)
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click(timeout=step.ms)
        page.wait_for_function(ALL_RUN_JS, timeout=step.ms, polling=500)
        wait_idle(page, server, step)

    with steps("widgets rendered, no error outputs", timeout=60) as step:
        explorer = page.locator(".bn-explorer").first
        explorer.wait_for(timeout=step.ms)
        text = page.locator(".jp-Notebook").inner_text(timeout=step.ms)
        assert "Error displaying widget" not in text
        assert page.locator(".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0, \
            "a cell wrote to stderr or raised"
        explorer.scroll_into_view_if_needed(timeout=step.ms)
        page.screenshot(path=str(artifacts / "lab-explorer-before.png"))
        figure = explorer.locator(".bn-figure")
        before = probe_single(server)
        steps.log(f"explorer before: {before['gamma']=}, {before['eps']=}")
        check_page_shows_kernel_text(page, explorer, before)

    for name in ("gamma", "eps"):
        key, times = KEY_PRESSES[name]
        with steps(f"move the {name} slider: {times} x {key} on it", timeout=90) as step:
            readout = explorer.locator(f".bn-{name} .bn-readout")
            old_readout = readout.inner_text(timeout=step.ms)
            old_picture = figure.screenshot(timeout=step.ms)
            slider = explorer.locator(f".bn-{name} input[type=range]")
            slider.focus(timeout=step.ms)
            for _ in range(times):
                slider.press(key, timeout=step.ms)
            new_readout = readout.inner_text(timeout=step.ms)
            assert new_readout != old_readout, f"the {name} readout did not move"
            new_picture = figure.screenshot(timeout=step.ms)  # drawn in the page: no kernel round trip
            assert new_picture != old_picture, f"moving {name} did not change the figure"
            wait_idle(page, server, step)
            after = wait_for_kernel(page, server, name, explorer, step)
            steps.log(f"{name}: readout {old_readout} -> {new_readout}; kernel {name} = {after[name]}")
            check_statistics(name, before, after, times)
            check_page_shows_kernel_text(page, explorer, after)
            page.screenshot(path=str(artifacts / f"lab-explorer-after-{name}.png"))
            before = after


ALL_RUN_JS = """() => {
    const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'));
    return cells.length > 0 && cells.every(c => {
        const prompt = c.querySelector('.jp-InputPrompt');
        const empty = !c.querySelector('.jp-InputArea-editor .cm-content')?.textContent.trim();
        return empty || /\\[\\d+\\]/.test(prompt ? prompt.textContent : '');
    });
}"""


def wait_idle(page, server, step):
    """The notebook has a kernel, the server says it is idle, and so does the page's kernel indicator."""
    import time

    while True:
        kernel_id = server.kernel_for(NOTEBOOK)
        if kernel_id and server.api(f"kernels/{kernel_id}").get("execution_state") == "idle":
            break
        if time.monotonic() > step.deadline:
            raise TimeoutError(f"the kernel of {NOTEBOOK} never became idle (kernel id {kernel_id})")
        page.wait_for_timeout(500)  # not time.sleep: Playwright serves the page's routed requests meanwhile
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        timeout=max(1000, int((step.deadline - time.monotonic()) * 1000)))


def probe_single(server):
    states = kernel_probe(server)
    assert states, "the kernel has no explorer widget"
    return states[0] if len(states) == 1 else states


def wait_for_kernel(page, server, name, explorer, step):
    """Poll the kernel until its explorer holds the value the page drew (the slider syncs to the kernel)."""
    import time

    want = page.evaluate(READ_JS, explorer.element_handle(timeout=step.ms))["setting"][name]
    last = None
    while time.monotonic() < step.deadline:
        last = probe_single(server)
        if last[name] == want:
            return last
        page.wait_for_timeout(500)
    raise TimeoutError(f"the kernel's explorer never reached {name} = {want}: {last}")


def check_page_shows_kernel_text(page, explorer, state):
    """The statistics computed in the browser are the kernel's reference text for the same setting."""
    shown = page.evaluate(READ_JS, explorer.element_handle())
    assert {"stats": shown["stats"], "status": shown["status"], "error": shown["error"]} == state["shown"]


def check_statistics(name, before, after, times):
    if name == "gamma":
        assert math.isclose(after["gamma"], before["gamma"] + times * 0.05, abs_tol=1e-9)
        assert math.isclose(after["std_y"], after["gamma"] * after["std_xhat"], rel_tol=1e-6)
        assert not math.isclose(after["std_y"], before["std_y"], rel_tol=1e-3)
    else:
        assert math.isclose(math.log10(after["eps"]), math.log10(before["eps"]) - times * 0.25, abs_tol=1e-6)
        # x_hat's variance is var / (var + eps) for the new eps
        assert math.isclose(after["std_xhat"] ** 2, after["var"] / (after["var"] + after["eps"]), rel_tol=1e-4)
        assert not math.isclose(after["std_xhat"], before["std_xhat"], rel_tol=1e-3)
        assert math.isclose(after["std_y"], after["gamma"] * after["std_xhat"], rel_tol=1e-6)
