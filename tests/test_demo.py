"""The demo app: the dashboard notebook runs cleanly, and Voila serves it on 127.0.0.1 with the code hidden."""
import re
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import free_port  # noqa: E402  (standard library only: no browser needed here)
from tools.demo import demo_app  # noqa: E402

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: the views the dashboard shows: explorer, activation view, train vs inference, training comparison
MIN_WIDGETS = 4


def test_dashboard_runs_top_to_bottom_without_errors_or_stderr(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    nb = nbformat.read(demo_app.DASHBOARD, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "store the dashboard without outputs: Voila runs it fresh for every visitor"
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(demo_app.DASHBOARD.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert sum(WIDGET_MIME in o.get("data", {}) for o in outputs) >= MIN_WIDGETS


def test_voila_serves_the_dashboard_on_localhost(tmp_path):
    port = free_port()
    process = demo_app.start(port, tmp_path / "voila.log")
    try:
        demo_app.wait_until_up(process, port, timeout=120)
        # Voila runs the notebook while it answers this request: slow on a busy machine
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=300) as response:
            assert response.status == 200
            page = response.read().decode()
    finally:
        demo_app.stop(process)
    log = (tmp_path / "voila.log").read_text()
    assert "127.0.0.1" in log
    assert page.count(WIDGET_MIME) >= MIN_WIDGETS, "the widgets are not on the page"
    assert "Batch normalization, live" in page
    assert "build_explorer" not in page and "import os" not in page, "the code must be hidden"
    assert not re.search(r"jp-OutputArea-output[^\"]*\" data-mime-type=\"application/vnd.jupyter.stderr",
                         page), "a cell wrote to stderr"
    assert "Traceback" not in page
