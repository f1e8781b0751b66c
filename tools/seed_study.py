"""Re-run the chapters' seed studies on other base seeds: ``make seeds SEEDS="1 100"`` (nothing is saved).

Every training claim in the chapters is measured over seeds derived from the setup cell's ``SEED``
(``SEED + np.arange(S)``) and asserted on each of them. This command executes chapters in a fresh kernel with
``SEED`` replaced by each base seed you name, reports any failed assert or stderr, and prints the lines that
report seeds, medians and ranges -- the figures the prose quotes -- so a maintainer can see that a claim, and
the range the text gives for it, still hold on fresh seeds. The stored notebooks are not touched.
"""
import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.execute_notebooks import problems
from tools.kernel import KERNEL_ARGS, is_installed

ROOT = Path(__file__).resolve().parents[1]
SEED_LINE = re.compile(r"^SEED = \d+", re.M)
QUOTED = re.compile(r"seed|median|range|verdict", re.I)   # the lines that carry a study's figures


def with_seed(path, seed):
    """The notebook at ``path`` with its setup cell's ``SEED = ...`` line set to ``seed``."""
    nb = nbformat.read(path, as_version=4)
    setups = [c for c in nb.cells if c.cell_type == "code" and SEED_LINE.search(c.source)]
    if len(setups) != 1:
        raise ValueError(f"{path}: expected one setup cell with a 'SEED = <int>' line, found {len(setups)}")
    setups[0].source = SEED_LINE.sub(f"SEED = {seed}", setups[0].source, count=1)
    return nb


def study(path, seed):
    """Execute ``path`` with base seed ``seed``; returns (problems, quoted lines, seconds)."""
    nb = with_seed(path, seed)
    client = NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=True,
                            extra_arguments=[] if is_installed() else KERNEL_ARGS,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    start = time.perf_counter()
    client.execute()
    quoted = [line for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if out.output_type == "stream" and out.name == "stdout"
              for line in out.text.splitlines() if QUOTED.search(line)]
    return problems(nb), quoted, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1 100", help="base seeds, space-separated (default: '1 100')")
    parser.add_argument("notebooks", nargs="*", help="default: every chapter")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    failed = 0
    for seed in [int(s) for s in args.seeds.split()]:
        for path in paths:
            bad, quoted, seconds = study(path, seed)
            failed += bool(bad)
            print(f"SEED={seed} {Path(path).name}: {'OK' if not bad else 'FAILED'} in {seconds:.0f} s")
            for line in bad + quoted:
                print(f"    {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
