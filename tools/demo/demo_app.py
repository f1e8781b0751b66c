"""Serve the classroom dashboard (demo/dashboard.ipynb) as a Voila app on 127.0.0.1: ``make demo``.

    python -m tools.demo.demo_app [--port 8866] [--presenter] [--cull-idle 600] [--max-kernels 6]

Voila runs the notebook in a fresh kernel for each visitor and shows its markdown and widgets with the
code hidden. The command here is the one the tests start, so what they check is what ``make demo`` runs.

Who may use it (``tools.demo.server`` has the details):

* only this computer: it listens on 127.0.0.1, and a request whose ``Host`` header names another host
  (a DNS-rebinding web page) is refused with 403;
* only whoever has the token: a random one per start, printed in the URL (``?token=...``); without it
  the server answers 403 (the browser then keeps it in a cookie);
* at most ``--max-kernels`` page views at once (503 beyond), and a kernel no browser is connected to is
  shut down after ``--cull-idle`` idle seconds.

Nothing is loaded from another host: the page uses the template in ``tools/demo/jupyter/`` (Voila's own
minus its Font Awesome CDN links, plus the course's favicon and look).

Settings of the kernel's environment, and why (besides the course's, ``tools/kernel.env``):

* ``OPENBLAS_NUM_THREADS=1`` -- the training comparison multiplies small matrices, where extra BLAS
  threads only wait on each other; on a busy two-core machine the default threads made a 200-step run
  19 s instead of 1 s (measured for ``make bench``).
* ``BN_LESSON_PRESENTER=1`` with ``--presenter`` -- the dashboard opens in presenter mode
  (``bn_lesson.widgets.presenter.presenter()``: large, high-contrast figures and controls for a projector).
"""
import argparse
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tools.kernel import kernel_env

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "demo" / "dashboard.ipynb"
#: a Jupyter data folder holding the demo's Voila template (``voila/templates/bndemo``)
JUPYTER_DIR = Path(__file__).resolve().parent / "jupyter"
TEMPLATE = "bndemo"
DEFAULT_PORT = 8866
#: seconds a kernel with no browser connected may idle before it is shut down, and how often to look
CULL_IDLE, CULL_INTERVAL = 600, 60
#: the most kernels (page views) at once: each is ~200 MB
MAX_KERNELS = 6


def command(port=DEFAULT_PORT, token="", cull_idle=CULL_IDLE, cull_interval=CULL_INTERVAL,
            max_kernels=MAX_KERNELS):
    """The server's command line: localhost only, a token, no browser opened, sources stripped."""
    return [sys.executable, "-m", "tools.demo.server", str(DASHBOARD), "--no-browser",
            "--Voila.ip=127.0.0.1", f"--port={port}", "--Voila.port_retries=0", f"--Voila.token={token}",
            f"--template={TEMPLATE}", "--VoilaConfiguration.strip_sources=True",
            f"--DemoVoila.max_kernels={max_kernels}",
            f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
            f"--MappingKernelManager.cull_interval={cull_interval}",
            "--MappingKernelManager.cull_connected=False"]


def environment(presenter=False):
    env = {**kernel_env(), **os.environ, "OPENBLAS_NUM_THREADS": "1"}
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(JUPYTER_DIR), os.environ.get("JUPYTER_PATH")) if p)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    if presenter:
        env["BN_LESSON_PRESENTER"] = "1"
    return env


def new_token():
    return secrets.token_urlsafe(24)


@dataclass
class DemoServer:
    """A running demo app that ``start`` launched."""

    process: subprocess.Popen
    port: int
    token: str

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def url(self, path="/"):
        """The URL of ``path`` with the token, as a visitor's browser opens it."""
        return f"{self.base}{path}?token={self.token}"


def start(port, log_path, presenter=False, token=None, **limits):
    """Start the app in the background (its own process group); returns a ``DemoServer``.

    ``limits``: ``cull_idle``, ``cull_interval``, ``max_kernels`` (see ``command``).
    """
    token = token or new_token()
    log = open(log_path, "w")
    try:
        process = subprocess.Popen(command(port, token, **limits), cwd=ROOT, env=environment(presenter),
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    finally:
        log.close()
    return DemoServer(process, port, token)


def wait_until_up(server, port=None, timeout=120):
    """Wait until the app answers HTTP (any answer: asking for the dashboard would start a kernel).

    ``server``: a ``DemoServer``, or the ``Popen`` of a Voila started otherwise, with its ``port``.
    """
    process, port = getattr(server, "process", server), getattr(server, "port", port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/", timeout=5):
                return
        except urllib.error.HTTPError:  # an answer, if not a page: the server is up
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise TimeoutError(f"voila did not answer on port {port} within {timeout} s")


def stop(server, timeout=30):
    """Stop the app we started (SIGTERM to it; it shuts its kernels down), then wait for it.
    ``server``: a ``DemoServer`` or a ``Popen``."""
    process = getattr(server, "process", server)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    return process.returncode


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--presenter", action="store_true", help="open the dashboard in presenter mode")
    parser.add_argument("--cull-idle", type=int, default=CULL_IDLE, metavar="SECONDS",
                        help="shut down a kernel no browser is connected to after this many idle seconds")
    parser.add_argument("--max-kernels", type=int, default=MAX_KERNELS, metavar="N",
                        help="the most page views (kernels) at once")
    args = parser.parse_args(argv)
    token = new_token()
    print(f"the dashboard: http://127.0.0.1:{args.port}/?token={token}  (this computer only; Ctrl-C to stop)",
          flush=True)
    os.execve(sys.executable, command(args.port, token, cull_idle=args.cull_idle, max_kernels=args.max_kernels),
              environment(args.presenter))


if __name__ == "__main__":
    main()
