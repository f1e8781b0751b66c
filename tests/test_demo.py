"""The demo app: the dashboard notebook runs cleanly, and the server (``make demo``) serves it only to this
computer: 127.0.0.1, a token, no foreign Host header, idle kernels culled, a cap on kernels. All over HTTP."""
import http.client
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import free_port  # noqa: E402  (standard library only: no browser needed here)
from tools.demo import demo_app, server as demo_server  # noqa: E402

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: the views the dashboard shows: explorer, activation view, train vs inference, training comparison
MIN_WIDGETS = 4
#: Voila runs the notebook while it answers a page request: slow on a busy machine
PAGE_TIMEOUT = 300


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


def test_the_dashboard_reads_like_a_product_not_like_a_maintainer_note():
    nb = nbformat.read(demo_app.DASHBOARD, as_version=4)
    assert nb.metadata.get("title", "").startswith("Batch normalization, live")
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for internal in ("make demo", "notebooks/", "bn_lesson", "the code is hidden"):
        assert internal not in prose, f"the audience does not need {internal!r}"


@pytest.mark.parametrize("host, local", [
    ("127.0.0.1:8866", True), ("localhost:8866", True), ("LOCALHOST", True), ("[::1]:8866", True),
    ("127.1.2.3", True), ("evil.example:8866", False), ("127.0.0.1.evil.example", False),
    ("192.168.1.5:8866", False), ("", False), ("localhost.evil.example", False),
])
def test_only_loopback_host_headers_count_as_local(host, local):
    assert demo_server.is_local_host(host) is local


def test_the_command_binds_loopback_with_a_token_and_culls_idle_kernels():
    cmd = " ".join(demo_app.command(8866, "secret"))
    assert "--Voila.ip=127.0.0.1" in cmd and "--Voila.token=secret" in cmd
    assert "--MappingKernelManager.cull_idle_timeout=" in cmd and "cull_connected=False" in cmd
    assert "-m tools.demo.server" in cmd


def _get(port, path, host=None, timeout=PAGE_TIMEOUT):
    """(status, headers, body) of a GET on 127.0.0.1:port, redirects not followed; ``host`` replaces the
    Host header (what a DNS-rebinding page's browser sends)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode(errors="replace")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The app as `make demo` starts it, with short culling times so a test can watch a kernel go."""
    port = free_port()
    log = tmp_path_factory.mktemp("demo") / "voila.log"
    server = demo_app.start(port, log, cull_idle=6, cull_interval=2, max_kernels=1)
    try:
        demo_app.wait_until_up(server, timeout=120)
        yield server
    finally:
        demo_app.stop(server)
    assert "127.0.0.1" in log.read_text()


def test_without_the_token_no_page_and_no_kernel(demo):
    status, headers, _ = _get(demo.port, "/")
    assert status in (302, 403), status
    if status == 302:
        assert "/login" in headers.get("Location", "")
    status, _, _ = _get(demo.port, "/?token=wrong")
    assert status in (302, 403)


def test_a_foreign_host_header_is_refused_even_with_the_token(demo):
    for path in (f"/?token={demo.token}", "/voila/static/", f"/api/kernels?token={demo.token}"):
        status, _, body = _get(demo.port, path, host=f"rebound.example:{demo.port}")
        assert status == 403, (path, status)
        assert "127.0.0.1 or localhost" in body


def test_with_the_token_the_dashboard_is_served_and_its_idle_kernel_is_culled(demo):
    status, _, page = _get(demo.port, f"/?token={demo.token}")
    assert status == 200
    assert page.count(WIDGET_MIME) >= MIN_WIDGETS, "the widgets are not on the page"
    assert "Batch normalization, live" in page and "<title>Batch normalization, live" in page
    assert "build_explorer" not in page and "import os" not in page, "the code must be hidden"
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)[^\"' ]*\.(css|js)\b", page), \
        "the page loads a style sheet or script from another host"
    assert not re.search(r"jp-OutputArea-output[^\"]*\" data-mime-type=\"application/vnd.jupyter.stderr",
                         page), "a cell wrote to stderr"
    assert "Traceback" not in page
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)
    kernel_api = f"/api/kernels/{kernel}?token={demo.token}"
    assert _get(demo.port, kernel_api)[0] == 200
    deadline = time.monotonic() + 60  # idle 6 s, checked every 2 s: gone well within a minute
    while _get(demo.port, kernel_api)[0] == 200:
        assert time.monotonic() < deadline, "the idle kernel was not culled"
        time.sleep(1)
    assert _get(demo.port, kernel_api)[0] == 404


def test_past_max_kernels_a_page_view_is_refused(demo):
    """One page view runs (max_kernels=1); a second is answered 503 instead of starting a second kernel."""
    statuses = [_get(demo.port, f"/?token={demo.token}")[0] for _ in range(2)]
    assert statuses == [200, 503], statuses
