"""The Makefile: every command the README names runs a maintainer tool that exists, and CI runs both test
targets. Read with ``make -n`` (nothing is run); ``SETUP=`` leaves out the set-up step's lines."""
import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: make target -> what its command runs
COMMANDS = {
    "lab": "/jupyter lab --ip=127.0.0.1",
    "test": "-m pytest -n 3 --dist loadscope --nbval --nbval-current-env tests notebooks",
    "test-portable": "-m pytest --nbval --nbval-current-env notebooks/02_",
    "execute": "-m tools.execute_notebooks notebooks/",
    "seeds": "-m tools.seed_study --seeds",
    "html": "-m tools.site.build_site",
    "slides": "-m tools.slides.build_slides",
    "demo": "-m tools.demo.demo_app --port",
    "bench": "-m tools.bench.bench",
    "images": "-m tools.make_images images",
}
TRAINING_CHAPTERS = ("02", "06", "08", "10", "11", "12", "13")


def dry_run(target, *variables):
    return subprocess.run(["make", "-n", "--no-print-directory", target, "SETUP=", *variables], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("target", COMMANDS)
def test_each_target_runs_its_tool(target):
    out = dry_run(target)
    assert COMMANDS[target] in out
    for module in re.findall(r"-m (tools(?:\.\w+)+)", out):
        assert importlib.util.find_spec(module) is not None, f"make {target} runs {module}, which is not there"


def test_every_make_command_in_the_readme_is_a_target():
    named = set(re.findall(r"`make ([a-z-]+)", (ROOT / "README.md").read_text()))
    assert {"lab", "test", "test-portable", "html", "demo", "slides", "bench", "execute", "seeds"} <= named
    assert named <= set(COMMANDS) | {"browser", "clean-venv"}, named - set(COMMANDS)


def test_test_portable_runs_the_training_chapters_on_an_avx2_only_single_core():
    out = dry_run("test-portable")
    assert "ONEDNN_MAX_CPU_ISA=AVX2" in out and "--xla_cpu_max_isa=AVX2" in out
    assert "taskset -c" in out
    assert "OPENBLAS" not in out  # left as the machine sets them
    chapters = re.findall(r"notebooks/(\d\d)_\w+\.ipynb", out)
    assert tuple(chapters) == TRAINING_CHAPTERS


def test_ci_runs_both_test_targets_and_stops_at_the_first_failure():
    lines = [l.strip() for l in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "set -euo pipefail" in lines
    assert lines.index("make test") < lines.index("make test-portable")


def test_the_benchmark_times_the_command_make_test_runs():
    from tools.bench.bench import SUITE_ARGS

    assert "-m pytest " + " ".join(SUITE_ARGS) in dry_run("test")
