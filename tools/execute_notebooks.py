"""Re-execute notebooks in place: top to bottom, one fresh kernel each, outputs and widget state stored.

    python -m tools.execute_notebooks notebooks/*.ipynb

This is the only way stored outputs are made (``make execute``). The kernel starts as a learner's does
(``tools/kernel.py``: the course's environment, compiled libraries' stderr left in the terminal), even where
the kernelspec is not installed. It refuses to save a notebook whose outputs contain stderr or an unexpected
error, so log noise never reaches learners, nbval or the static HTML.
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.kernel import KERNEL_ARGS, is_installed, kernel_env


def problems(nb):
    """Stored outputs that must not be there: stderr streams and unexpected errors."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        expected_error = "raises-exception" in cell.metadata.get("tags", [])
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and out.name == "stderr":
                found.append(f"cell {i}: stderr: {out.text.strip()[:200]!r}")
            if out.output_type == "error" and not expected_error:
                found.append(f"cell {i}: {out.ename}: {out.evalue}")
    return found


def execute(path):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        # the installed kernelspec already carries the options; pass them only where it is ipykernel's plain one
        extra_arguments=[] if is_installed() else KERNEL_ARGS,
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        allow_errors=True,  # reported below, with the cell, instead of a bare traceback
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    bad = problems(nb)
    if bad:
        print(f"{path}: NOT saved, {len(bad)} problem(s):", *bad, sep="\n  ", file=sys.stderr)
        return False
    nbformat.write(nb, path)
    print(f"{path}: executed in {seconds:.1f} s")
    return True


def main(paths):
    if not paths:
        sys.exit("usage: python -m tools.execute_notebooks NOTEBOOK.ipynb [...]")
    for name, value in kernel_env().items():  # the kernels inherit it, as under make
        os.environ.setdefault(name, value)
    results = [execute(p) for p in paths]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
