"""Reusable pieces for real-browser tests: Debian's Chromium under Playwright, and a JupyterLab server.

    from harness import find_chromium, launch_browser, start_lab, Steps

* ``find_chromium()`` -- the system Chromium (``$CHROMIUM``, else ``chromium`` / ``chromium-browser`` on
  PATH), or None. Playwright's own browser download is never used.
* ``launch_browser(playwright)`` -- headless Chromium with flags that work as root in a container.
* ``start_lab(root_dir)`` -> ``LabServer`` -- JupyterLab on 127.0.0.1, a free port, a random token, its own
  throw-away config/settings/workspace/runtime folders (a learner's settings and stale workspaces cannot
  leak in), autosave, news and update checks off, notebooks rendered in full (no windowing). Serve a
  *copy* of the notebooks (``copy_notebooks``) when a test runs cells, so the work tree never changes.
  ``server.stop()``
  shuts its kernels down through the REST API and then stops the server by its process id.
* ``Steps`` -- named steps with a log line each (start, end, seconds) and a timeout.

Every wait has a timeout; nothing here touches a process it did not start.
"""
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

#: flags that work as root, in a container, with no network
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

#: JupyterLab user settings written into the server's own settings folder
LAB_SETTINGS = {
    # render every cell, so a test can find any output without scrolling it into existence
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # never write a notebook back to disk behind the caller's back
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # no "get Jupyter news?" toast over the page, no update check
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def find_chromium():
    """Path of the system Chromium, or None. ``$CHROMIUM`` (a path or a command name) wins."""
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if not name:
            continue
        path = name if os.path.isabs(name) else shutil.which(name)
        if path and os.access(path, os.X_OK):
            return path
    return None


def launch_browser(playwright, executable_path=None, **kwargs):
    """Launch headless system Chromium through ``playwright`` (a ``sync_playwright()`` instance)."""
    executable_path = executable_path or find_chromium()
    if executable_path is None:
        raise RuntimeError("no Chromium found: install it (Debian/Ubuntu: apt-get install chromium) "
                           "or set CHROMIUM=/path/to/chromium")
    args = CHROMIUM_FLAGS + list(kwargs.pop("args", []))
    return playwright.chromium.launch(executable_path=executable_path, headless=True, args=args, **kwargs)


def copy_notebooks(src, dest):
    """Copy the ``*.ipynb`` files of ``src`` into the folder ``dest`` (created); returns ``dest``."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for nb in Path(src).glob("*.ipynb"):
        shutil.copy2(nb, dest / nb.name)
    return dest


def free_port():
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Steps:
    """Log each named step with its duration; ``with steps("open the notebook", timeout=60): ...``.

    The timeout is the step's budget: it is printed, handed to the caller as ``step.ms`` for Playwright
    calls, and checked when the step ends (a step that overran fails even if it finished).
    """

    def __init__(self, prefix="browser", log_path=None):
        self.prefix = prefix
        self.log_path = Path(log_path) if log_path else None
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self.log_path.write_text("")
        self.t0 = time.perf_counter()

    def log(self, message):
        line = f"[{self.prefix} {time.perf_counter() - self.t0:7.1f}s] {message}"
        print(line, flush=True)
        if self.log_path:
            with self.log_path.open("a") as f:
                f.write(line + "\n")

    @contextlib.contextmanager
    def __call__(self, name, timeout):
        class Step:
            ms = int(timeout * 1000)
            deadline = time.monotonic() + timeout
        self.log(f"{name} (timeout {timeout:.0f} s) ...")
        start = time.perf_counter()
        try:
            yield Step
        except BaseException as err:
            self.log(f"FAILED {name} after {time.perf_counter() - start:.1f} s: {type(err).__name__}: "
                     f"{str(err).splitlines()[0] if str(err) else ''}")
            raise
        seconds = time.perf_counter() - start
        self.log(f"done {name} in {seconds:.1f} s")
        if seconds > timeout:
            raise TimeoutError(f"step {name!r} took {seconds:.1f} s, over its {timeout} s budget")


class LabServer:
    """A running JupyterLab server (see ``start_lab``)."""

    def __init__(self, process, port, token, root_dir, home, log_path):
        self.process = process
        self.pid = process.pid
        self.port = port
        self.token = token
        self.root_dir = Path(root_dir)
        self.home = Path(home)          # its config, settings, workspaces and runtime folders
        self.log_path = Path(log_path)
        self.base_url = f"http://127.0.0.1:{port}"

    @property
    def runtime_dir(self):
        return self.home / "runtime"

    def url(self, path="lab", **query):
        """``/lab/tree/03_x.ipynb?reset&token=...`` style URLs (``reset=None`` gives a bare ``reset``)."""
        parts = [k if v is None else f"{k}={v}" for k, v in query.items()] + [f"token={self.token}"]
        return f"{self.base_url}/{path.lstrip('/')}?{'&'.join(parts)}"

    def api(self, path, method="GET", timeout=10):
        """Call the server's REST API; returns the decoded JSON (or None for an empty body)."""
        request = urllib.request.Request(f"{self.base_url}/api/{path.lstrip('/')}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel_for(self, notebook):
        """The kernel id of the session running ``notebook`` (a path relative to root_dir), or None."""
        for session in self.api("sessions"):
            if session.get("path") == str(notebook) and session.get("kernel"):
                return session["kernel"]["id"]
        return None

    def connection_file(self, kernel_id):
        """The kernel's connection file: a second client (jupyter_client) can talk to the same kernel."""
        return self.runtime_dir / f"kernel-{kernel_id}.json"

    def stop(self, timeout=30):
        """Shut every kernel down (REST API), then stop the server by its own process id."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                for kernel in self.api("kernels"):
                    with contextlib.suppress(OSError):
                        self.api(f"kernels/{kernel['id']}", method="DELETE", timeout=timeout)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.home, ignore_errors=True)
        return self.process.returncode


def start_lab(root_dir, port=None, token=None, log_path=None, timeout=120, extra_args=(), env=None):
    """Start JupyterLab serving ``root_dir`` and wait until its API answers; return a ``LabServer``.

    Parameters
    ----------
    root_dir : folder the server shows (e.g. the repository's ``notebooks/``)
    port : TCP port on 127.0.0.1; a free one when None
    token : the auth token; a random one when None
    log_path : where the server's output goes (a temp file when None)
    timeout : seconds to wait for the server to answer
    extra_args : more ``jupyter lab`` command-line options
    env : extra environment variables for the server (and so its kernels)
    """
    port = port or free_port()
    token = token or os.urandom(16).hex()
    home = Path(tempfile.mkdtemp(prefix="bn-lab-"))
    for sub in ("config", "data", "runtime", "settings", "workspaces"):
        (home / sub).mkdir()
    for rel, values in LAB_SETTINGS.items():
        path = home / "settings" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    log_path = Path(log_path) if log_path else home / "server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server_env = dict(os.environ)
    server_env.update({
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),      # kernels and extensions still come from sys.prefix
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONHASHSEED": "0",
    })
    server_env.update(env or {})
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={Path(root_dir).resolve()}",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", *extra_args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root in a container
    log = open(log_path, "w")
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env=server_env, start_new_session=True)
    log.close()
    server = LabServer(process, port, token, root_dir, home, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"JupyterLab exited with code {process.returncode}; its log:\n"
                               f"{log_path.read_text()[-3000:]}")
        try:
            server.api("status", timeout=5)
            return server
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise TimeoutError(f"JupyterLab did not answer on port {port} within {timeout} s; its log:\n"
                               f"{log_path.read_text()[-3000:]}")
        time.sleep(0.5)
