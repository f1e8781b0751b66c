"""A second client on the kernel of a notebook open in a ``harness.LabServer`` (jupyter_client, through the
kernel's connection file): run code there and read what it prints, or listen to everything it publishes.

* ``run_in_kernel(server, notebook, code)`` -- the JSON ``code`` prints (the tests' probes);
* ``KernelOutput(server, notebook)`` -- reads the kernel's IOPub channel; ``check(when)`` fails on anything
  written to stderr or raised since the last check, whoever caused it. A widget's update runs on a comm
  message, not in a cell, so what it warns or raises is published there and in no cell's output.
"""
import json
import queue

from jupyter_client import BlockingKernelClient


def _client(server, notebook, **channels):
    kernel_id = server.kernel_for(notebook)
    assert kernel_id, f"no kernel session for {notebook}"
    client = BlockingKernelClient()
    client.load_connection_file(str(server.connection_file(kernel_id)))
    client.start_channels(**channels)
    return client


def run_in_kernel(server, notebook, code, timeout=60):
    """Run ``code`` in ``notebook``'s kernel (no history); returns the JSON it prints."""
    client = _client(server, notebook)
    out = []
    try:
        reply = client.execute_interactive(
            code, store_history=False, timeout=timeout,
            output_hook=lambda msg: msg["msg_type"] == "stream" and out.append(msg["content"]["text"]))
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", reply["content"]
    return json.loads("".join(out))


class KernelOutput:
    """Everything ``notebook``'s kernel publishes from now on (close it with ``close()``)."""

    def __init__(self, server, notebook):
        self.client = _client(server, notebook, shell=False, stdin=False, hb=False, control=False)

    def check(self, when):
        """Read what was published since the last check (read often: the channel's queue is bounded):
        no stderr, no error."""
        bad = []
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                break
            content = msg["content"]
            if msg["msg_type"] == "error" or (msg["msg_type"] == "stream" and content.get("name") == "stderr"):
                text = content.get("text") or "\n".join(content.get("traceback", []))
                bad.append(f"{msg['parent_header'].get('msg_type')}: {text[:800]}")
        assert not bad, f"{when}: the kernel wrote to stderr or raised: {bad}"

    def close(self):
        self.client.stop_channels()
