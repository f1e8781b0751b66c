"""`make lab` as a learner meets it: the chapters' diagrams (``../images/*.png``, outside ``notebooks/``) load in
JupyterLab. The server gets exactly the folder flags of the Makefile's ``lab`` target, on a copy of
``notebooks/`` and ``images/`` laid out as in the repository (nothing is run and nothing is saved, but the
work tree is never served). Chapter 03 and 05 are opened; every picture in them must decode."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import Steps, copy_notebooks, start_lab

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ["03_the_four_steps.ipynb", "05_where_bn_goes.ipynb"]

IMAGES_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell img'))
    .map(i => ({src: i.getAttribute('src').slice(0, 80), complete: i.complete, width: i.naturalWidth,
                markdown: !!i.closest('.jp-MarkdownCell')}))"""


def lab_folder_flags():
    """The ``--...dir...`` flags ``make lab`` passes to JupyterLab (read with ``make -n``: nothing runs)."""
    out = subprocess.run(["make", "-n", "--no-print-directory", "lab", "SETUP="], cwd=ROOT, text=True,
                         capture_output=True, check=True).stdout
    command = next(line for line in out.splitlines() if "jupyter lab" in line)
    assert "--notebook-dir" not in command, "serving notebooks/ alone puts ../images/ out of reach"
    return {k: v for k, v in re.findall(r"--([\w.]*(?:root_dir|preferred_dir)[\w.]*)=(\S+)", command)}


@pytest.fixture(scope="module")
def lab(artifacts, tmp_path_factory):
    flags = lab_folder_flags()
    assert flags.get("ServerApp.root_dir") == ".", f"make lab must serve the repository root: {flags}"
    root = tmp_path_factory.mktemp("repo")
    copy_notebooks(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "images", root / "images")
    extra = [f"--{k}={v}" for k, v in flags.items() if k != "ServerApp.root_dir"]
    server = start_lab(root, log_path=artifacts / "lab-images-server.log", extra_args=extra)
    try:
        yield server
    finally:
        server.stop()


def test_the_file_browser_opens_in_notebooks(lab):
    flags = lab_folder_flags()
    assert flags.get("FileContentsManager.preferred_dir") == "notebooks", flags


@pytest.mark.parametrize("notebook", CHAPTERS)
def test_every_picture_of_the_chapter_loads_in_jupyterlab(notebook, lab, browser, artifacts):
    steps = Steps("lab-images", artifacts / "lab-images.log")
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    outside = []

    def route(route):
        if route.request.url.startswith((lab.base_url, "ws://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    try:
        with steps(f"open notebooks/{notebook}", timeout=180) as step:
            page.goto(lab.url(f"lab/tree/notebooks/{notebook}", reset=None), wait_until="domcontentloaded",
                      timeout=step.ms)
            page.locator(".jp-NotebookPanel .jp-MarkdownCell img").first.wait_for(timeout=step.ms)
            page.wait_for_function(f"() => ({IMAGES_JS})().every(i => i.complete)", timeout=step.ms)
        images = page.evaluate(IMAGES_JS)
        page.screenshot(path=str(artifacts / f"lab-{Path(notebook).stem}.png"))
        diagrams = [i for i in images if i["markdown"]]
        assert diagrams, f"{notebook}: no diagram found in its markdown"
        broken = [i["src"] for i in images if i["width"] == 0]
        assert not broken, f"{notebook}: pictures that did not load in JupyterLab: {broken}"
        assert not outside, f"JupyterLab tried to reach the network: {outside[:5]}"
    finally:
        page.close()
