"""The kernel a learner starts: the course's environment, and no log lines under the first TensorFlow cell.

Run by ``make test`` after the set-up step, which installs the kernelspec (``python -m tools.kernel``).
"""
import os
import subprocess
from pathlib import Path
from queue import Empty

import pytest
from jupyter_client.manager import KernelManager

from tools import kernel

ROOT = Path(__file__).resolve().parents[1]


def test_kernel_env_is_read_from_tools_kernel_env(tmp_path):
    env = kernel.kernel_env()
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "2" and env["PYTHONHASHSEED"] == "0"
    bad = tmp_path / "kernel.env"
    bad.write_text("# a comment\nTF_CPP_MIN_LOG_LEVEL 2\n")
    with pytest.raises(ValueError, match="NAME=value"):
        kernel.kernel_env(bad)


def test_make_exports_the_kernel_env_to_its_commands():
    out = subprocess.run(["make", "-s", "--no-print-directory", "--eval", "show-env: ; @env", "show-env"],
                         cwd=ROOT, capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k not in kernel.kernel_env()}).stdout
    exported = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert {k: exported.get(k) for k in kernel.kernel_env()} == kernel.kernel_env()


def test_the_python3_kernel_jupyter_starts_is_the_courses():
    assert kernel.is_installed(), ("the environment's python3 kernelspec lacks the course's settings: "
                                   "run `make` (its set-up step) or `python -m tools.kernel`")


def _run(client, code, timeout=180):
    """Execute ``code``; return its stream outputs as [(name, text)], up to the kernel's idle for it."""
    msg_id = client.execute(code)
    streams = []
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except Empty:
            raise AssertionError(f"no answer from the kernel within {timeout} s to {code!r}") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            streams.append((msg["content"]["name"], msg["content"]["text"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return streams


def test_a_fresh_kernel_imports_tensorflow_without_a_line_on_stderr(tmp_path):
    """A learner's first TensorFlow cell in JupyterLab: the kernelspec alone supplies the settings (none of
    them in the environment it is started from), outside pytest (ipykernel forwards file-descriptor output
    only when PYTEST_CURRENT_TEST is unset)."""
    env = {k: v for k, v in os.environ.items() if k not in kernel.kernel_env() and k != "PYTEST_CURRENT_TEST"}
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(tmp_path), stderr=open(tmp_path / "kernel-stderr.log", "w"))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        first = _run(client, "import os, tensorflow\nprint(os.environ.get('TF_CPP_MIN_LOG_LEVEL'), "
                             "os.environ.get('PYTHONHASHSEED'))")
        # a later cell collects anything the first one's libraries wrote after it went idle
        later = _run(client, "import time; time.sleep(2)")
        # and a cell's own stderr still shows: the check above could see stderr
        control = _run(client, "import sys; print('shown', file=sys.stderr)")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert ("stdout", "2 0\n") in first
    assert [text for name, text in first + later if name == "stderr"] == []
    assert control == [("stderr", "shown\n")]
