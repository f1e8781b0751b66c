"""The chapter widgets, live, in JupyterLab, driven like a learner drives them.

Starts JupyterLab (127.0.0.1, a free port, token auth, throw-away settings), opens the chapter with the
explorer (``?reset`` so a stale workspace cannot open another notebook), runs all cells from the Run menu,
checks that every widget rendered, then moves the gamma and eps sliders with the keyboard and checks that
the figure changed, that the kernel received the new values (``explorer.gamma`` follows the slider), and
that the statistics the page shows -- computed in the browser -- are the kernel's own
``Explorer.shown_text()`` for that setting: std(y) = gamma * std(x_hat), var(x_hat) = var / (var + eps).
Every step has a timeout and a log line (also in test-artifacts/lab-live.log); screenshots go to
test-artifacts/. The server is stopped by its own process id at the end. ``BN_NOTEBOOKS=folder`` serves
copies of the chapters in that folder instead of ``notebooks/``.

The same server (one per module) then serves ``chapter_widgets.ipynb``, written by ``lab_widgets.py``
into its copy: each chapter widget of issue 11 built as its chapter builds it, at small sizes. After Run All,
every widget's slider is moved with the keyboard, and the test checks that the page shows the kernel's new
picture, that the kernel's slider holds the value the keys set and the widget's ``.last`` is what its pure
function computes for it, and that nothing wrote to stderr, raised, or logged a traceback. Chapter 08's live
comparison trains on a button: the test picks tanh, presses "train both", and checks the same of its runs.
"""
import base64
import contextlib
import hashlib
import math
import os
import re
import time
from pathlib import Path

import pytest

from harness import Steps, copy_notebooks, start_lab

from explorer_page import READ_JS
import lab_widgets
from lab_kernel import KernelOutput, run_in_kernel

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


@pytest.fixture(scope="module")
def lab(artifacts, tmp_path_factory):
    """One JupyterLab for the module: a copy of the chapters and the widgets notebook."""
    steps = Steps("lab", artifacts / "lab-live.log")
    # JupyterLab serves a copy: running cells must never rewrite the course's stored notebooks
    root = copy_notebooks(NOTEBOOKS, tmp_path_factory.mktemp("lab") / "notebooks")
    lab_widgets.write_notebook(root)
    with steps("start JupyterLab on 127.0.0.1", timeout=120):
        server = start_lab(root, log_path=artifacts / "lab-server.log")
    steps.log(f"JupyterLab pid {server.pid} on port {server.port}")
    try:
        yield server, steps
    finally:
        with steps(f"stop JupyterLab (pid {server.pid})", timeout=60):
            code = server.stop()
        steps.log(f"JupyterLab exited with code {code}")


def kernel_probe(server, notebook=NOTEBOOK, code=PROBE):
    """Run ``code`` in the notebook's kernel; returns the JSON it prints (PROBE: the explorer states)."""
    return run_in_kernel(server, notebook, code)


@contextlib.contextmanager
def lab_page(browser, server, failure_png):
    """A page that may only reach the server; it fails on an uncaught page error and, on any failure,
    leaves a screenshot at ``failure_png`` (a failure of an earlier run leaves none behind)."""
    failure_png.unlink(missing_ok=True)
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
        yield page
        assert not outside, f"JupyterLab tried to reach the network: {outside[:5]}"
        assert not errors, f"uncaught errors in the page: {errors[:5]}"
    except BaseException:
        page.screenshot(path=str(failure_png))
        raise
    finally:
        page.close()


def test_explorer_sliders_move_the_figure_and_its_statistics(lab, browser, artifacts):
    server, steps = lab
    if not (NOTEBOOKS / NOTEBOOK).exists():
        pytest.fail(f"{NOTEBOOKS}/{NOTEBOOK} (the chapter with the explorer) is missing")
    with lab_page(browser, server, artifacts / "lab-failure.png") as page:
        run_the_lesson(page, server, steps, artifacts)


def open_notebook(page, server, steps, notebook):
    """Open ``notebook`` (``?reset``: only it) and wait for its kernel; returns the step, still open."""
    with steps(f"open {notebook} (?reset) and wait for its kernel", timeout=180) as step:
        page.goto(server.url(f"lab/tree/{notebook}", reset=None), wait_until="domcontentloaded", timeout=step.ms)
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=step.ms)
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
        assert tab.inner_text(timeout=step.ms) == notebook, "the notebook asked for is the one open"
        wait_idle(page, server, step, notebook)


def run_all(page, server, steps, notebook, timeout=240):
    with steps(f"{notebook}: Run > Run All Cells", timeout=timeout) as step:
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(timeout=step.ms)
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click(timeout=step.ms)
        page.wait_for_function(ALL_RUN_JS, timeout=step.ms, polling=500)
        wait_idle(page, server, step, notebook)


def check_no_error_output(page):
    """No cell wrote to stderr or raised, and no widget failed to display."""
    text = page.locator(".jp-Notebook").inner_text()
    assert "Error displaying widget" not in text
    bad = page.locator(".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                       ".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert bad.count() == 0, f"a cell wrote to stderr or raised: {bad.first.inner_text()[:500]}"


def run_the_lesson(page, server, steps, artifacts):
    open_notebook(page, server, steps, NOTEBOOK)
    # opened cold, before any cell runs: the explorer's saved output is one line, not a dump of its parts
    cold = page.locator(".jp-Notebook").inner_text()
    assert "Explorer(children" not in cold, "the explorer shows as its text repr"
    assert "run the cells above to show it and move it" in cold, "the explorer's cold output is missing"
    page.screenshot(path=str(artifacts / "lab-explorer-cold.png"))

    run_all(page, server, steps, NOTEBOOK)

    with steps("widgets rendered, no error outputs", timeout=60) as step:
        explorer = page.locator(".bn-explorer").first
        explorer.wait_for(timeout=step.ms)
        check_no_error_output(page)
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


def wait_idle(page, server, step, notebook=NOTEBOOK):
    """The notebook has a kernel, the server says it is idle, and so does the page's kernel indicator."""
    while True:
        kernel_id = server.kernel_for(notebook)
        if kernel_id and server.api(f"kernels/{kernel_id}").get("execution_state") == "idle":
            break
        if time.monotonic() > step.deadline:
            raise TimeoutError(f"the kernel of {notebook} never became idle (kernel id {kernel_id})")
        page.wait_for_timeout(500)  # not time.sleep: Playwright serves the page's routed requests meanwhile
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        timeout=max(1000, int((step.deadline - time.monotonic()) * 1000)))


def probe_single(server):
    states = kernel_probe(server)
    assert states, "the kernel has no explorer widget"
    return states[0] if len(states) == 1 else states


def wait_for_kernel(page, server, name, explorer, step):
    """Poll the kernel until its explorer holds the value the page drew (the slider syncs to the kernel)."""
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


# -- the chapter widgets of issue 11, on one small notebook -----------------------------------------------------

#: the PNG an ipywidgets Image shows (a blob: URL of the bytes the kernel sent), base64-encoded
SHOWN_PNG_JS = """async img => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
}"""


def widget_probe(server, widgets=lab_widgets.WIDGETS):
    return kernel_probe(server, lab_widgets.NOTEBOOK, lab_widgets.probe_code(widgets))


def shown_png_sha256(image):
    return hashlib.sha256(base64.b64decode(image.evaluate(SHOWN_PNG_JS))).hexdigest()


def same_value(a, b):
    return math.isclose(a, b, rel_tol=1e-9) if isinstance(a, float) or isinstance(b, float) else a == b


def tracebacks(server):
    """Tracebacks in the server's log (where the kernel's own stderr goes)."""
    return server.log_path.read_text(errors="replace").count("Traceback")


#: each picture's size as drawn (the PNG's pixels) and as shown on the page (CSS pixels)
PICTURE_SIZE_JS = "img => [img.naturalWidth, img.naturalHeight, img.clientWidth, img.clientHeight]"


def settled(page, server, widgets, step, old_src=None):
    """Poll until, for every widget, the kernel's ``.last`` is what its update computes for the slider's value
    and the page shows the PNG the kernel holds (and, given ``old_src``, a new one); returns the states.

    One look is not enough: JupyterLab sends widget messages on a kernel subshell (its default
    ``commsOverSubshells``), so the probe, on the main shell, can run while an update is half done.
    """
    while True:
        state, pages = widget_probe(server, widgets), {}
        for w in widgets:
            image = page.locator(w.root).nth(w.nth).locator(f"img.{w.figure}")
            if old_src is None or image.get_attribute("src", timeout=step.ms) != old_src:
                pages[w.name] = shown_png_sha256(image)
        late = [w.name for w in widgets
                if not state[w.name]["last_is_recomputed"] or pages.get(w.name) != state[w.name]["png_sha256"]]
        if not late:
            return state
        if time.monotonic() > step.deadline - 5:
            raise AssertionError("the kernel's .last is not its update's result, or the page does not show the "
                                 f"kernel's picture, for {late}: {[state[n] for n in late]}")
        page.wait_for_timeout(200)


def test_every_chapter_widget_moves_in_jupyterlab(lab, browser, artifacts):
    server, steps = lab
    with lab_page(browser, server, artifacts / "lab-widgets-failure.png") as page:
        open_notebook(page, server, steps, lab_widgets.NOTEBOOK)
        logged, output = tracebacks(server), KernelOutput(server, lab_widgets.NOTEBOOK)
        try:
            run_all(page, server, steps, lab_widgets.NOTEBOOK, timeout=120)
            output.check("Run All")
            widgets = lab_widgets.WIDGETS
            with steps(f"{len(widgets)} widgets rendered, each showing the kernel's picture", timeout=60) as step:
                check_no_error_output(page)
                for w in widgets:
                    image = page.locator(w.root).nth(w.nth).locator(f"img.{w.figure}")
                    image.wait_for(timeout=step.ms)
                    drawn_w, drawn_h, shown_w, shown_h = image.evaluate(PICTURE_SIZE_JS)
                    steps.log(f"{w.name}: picture drawn {drawn_w} x {drawn_h} px, shown {shown_w} x {shown_h}")
                state = settled(page, server, widgets, step)
                steps.log("sliders before: " + ", ".join(f"{name} {s['value']}" for name, s in state.items()))

            for w in widgets:
                move(page, server, steps, w, artifacts)
                output.check(f"moving {w.name}")
            train_the_comparison(page, server, steps, artifacts)
            output.check("training chapter 08's comparison")
        finally:
            output.close()
        assert tracebacks(server) == logged, f"a traceback in the server's log {server.log_path}"


def move(page, server, steps, w, artifacts):
    """Press ``w.key`` ``w.presses`` times on the widget's slider and check the page and the kernel."""
    with steps(f"chapter {w.chapter}, {w.name}: {w.presses} x {w.key} on .{w.slider}", timeout=60) as step:
        root = page.locator(w.root).nth(w.nth)
        root.scroll_into_view_if_needed(timeout=step.ms)
        image = root.locator(f"img.{w.figure}")
        readout = root.locator(f".{w.slider} .widget-readout")
        old_readout, old_src = readout.inner_text(timeout=step.ms), image.get_attribute("src", timeout=step.ms)
        old_picture = image.screenshot(timeout=step.ms)
        handle = root.locator(f".{w.slider} .noUi-handle")
        handle.focus(timeout=step.ms)
        for _ in range(w.presses):
            handle.press(w.key, timeout=step.ms)
        new_readout = readout.inner_text(timeout=step.ms)
        assert new_readout != old_readout, f"{w.name}: the readout did not move"

        # the kernel's slider holds the value the keys set ...
        while not same_value(value := widget_probe(server, [w])[w.name]["value"], w.value):
            if time.monotonic() > step.deadline - 10:
                raise TimeoutError(f"{w.name}: the kernel's slider is at {value!r}, never {w.value!r}")
            page.wait_for_timeout(200)
        # ... its .last is what the update computes for it, and the page shows the new picture the kernel drew
        state = settled(page, server, [w], step, old_src)[w.name]
        assert same_value(state["value"], w.value), f"{w.name}: the kernel's slider moved on to {state['value']!r}"
        image.evaluate("img => img.decode()")   # the new PNG is decoded before the page is photographed
        assert image.screenshot(timeout=step.ms) != old_picture, f"{w.name}: the picture on the page did not change"
        check_no_error_output(page)
        steps.log(f"{w.name}: readout {old_readout} -> {new_readout}; kernel {w.attribute} = {state['value']}")
        root.screenshot(path=str(artifacts / f"lab-widget-{w.chapter}-{w.name}.png"))


def train_the_comparison(page, server, steps, artifacts):
    """Chapter 08's live comparison: pick tanh, press "train both"; the page shows the kernel's new picture and
    the kernel's runs are ``compare_training`` with the controls' settings."""
    with steps("chapter 08, comparison: tanh, then train both", timeout=120) as step:
        root = page.locator(".bn-training-comparison")
        root.scroll_into_view_if_needed(timeout=step.ms)
        image = root.locator("img.bn-training-figure")
        old_src, old_picture = image.get_attribute("src", timeout=step.ms), image.screenshot(timeout=step.ms)
        root.locator(".widget-toggle-button", has_text=re.compile(r"^tanh$")).click(timeout=step.ms)
        root.locator("button.bn-train").click(timeout=step.ms)
        while image.get_attribute("src", timeout=step.ms) == old_src:
            if time.monotonic() > step.deadline - 30:
                raise TimeoutError("the comparison's picture never changed after 'train both'")
            page.wait_for_timeout(200)
        state = kernel_probe(server, lab_widgets.NOTEBOOK, lab_widgets.COMPARISON_PROBE)
        assert state["activation"] == "tanh", f"the kernel's activation is {state['activation']!r}"
        assert state["runs_are_the_settings"], "the kernel's runs are not compare_training of its controls"
        assert shown_png_sha256(image) == state["png_sha256"], "the page does not show the kernel's picture"
        image.evaluate("img => img.decode()")
        assert image.screenshot(timeout=step.ms) != old_picture, "the comparison's picture did not change"
        check_no_error_output(page)
        root.screenshot(path=str(artifacts / "lab-widget-08-comparison.png"))
