"""Serve the classroom dashboard (demo/dashboard.ipynb) as a Voila app on 127.0.0.1: ``make demo``.

    python -m tools.demo.demo_app [--port 8866] [--presenter]

Voila runs the notebook in a fresh kernel for each visitor and shows its markdown and widgets with the
code hidden. The command here is the one the tests start, so what they check is what ``make demo`` runs.

Settings of the kernel's environment, and why (besides the course's, ``tools/kernel.env``):

* ``OPENBLAS_NUM_THREADS=1`` -- the training comparison multiplies small matrices (32 x 64 by 64 x 64),
  where extra BLAS threads only wait on each other; on a busy two-core machine the default threads made
  a 200-step run 19 s instead of 1 s (measured for ``make bench``).
* ``BN_LESSON_PRESENTER=1`` with ``--presenter`` -- the dashboard opens in presenter mode
  (``bn_lesson.widgets.presenter.presenter()``: large, high-contrast figures and controls for a projector).
"""
import argparse
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tools.kernel import kernel_env

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "demo" / "dashboard.ipynb"
DEFAULT_PORT = 8866


def command(port=DEFAULT_PORT):
    """The voila command line: localhost only, no browser opened, sources stripped (Voila's default)."""
    return [sys.executable, "-m", "voila", str(DASHBOARD), "--no-browser", "--Voila.ip=127.0.0.1",
            f"--port={port}", "--Voila.port_retries=0", "--VoilaConfiguration.strip_sources=True"]


def environment(presenter=False):
    env = {**kernel_env(), **os.environ, "OPENBLAS_NUM_THREADS": "1"}
    if presenter:
        env["BN_LESSON_PRESENTER"] = "1"
    return env


def start(port, log_path, presenter=False):
    """Start Voila in the background (its own process group); returns the ``Popen``."""
    log = open(log_path, "w")
    try:
        return subprocess.Popen(command(port), cwd=ROOT, env=environment(presenter), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    finally:
        log.close()


def wait_until_up(process, port, timeout=120):
    """Wait until Voila answers HTTP on ``port`` (any answer: asking for the dashboard would start a kernel)."""
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


def stop(process, timeout=30):
    """Stop the Voila we started (SIGTERM to it; it shuts its kernels down), then wait for it."""
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
    args = parser.parse_args(argv)
    print(f"the dashboard: http://127.0.0.1:{args.port}/  (Ctrl-C to stop)", flush=True)
    os.execve(sys.executable, command(args.port), environment(args.presenter))


if __name__ == "__main__":
    main()
