"""repo2docker / Binder: the files it reads ask for a Python that every pinned package supports.

repo2docker builds from requirements.txt (with ``-e .`` it copies the whole repository first, then
installs), runtime.txt (the Python version: without it repo2docker picks 3.10, which numpy 2.4 no longer
supports) and postBuild (make's set-up step: the font cache, the course's kernel). These tests read those
files; building an image needs Docker and the network.
"""
import os
import re
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def runtime_python():
    text = (ROOT / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", text), f"runtime.txt must be one line like python-3.11, got {text!r}"
    return Version(text.removeprefix("python-"))


def pinned_requirements():
    """Requirements of requirements.txt that apply on Binder's Linux x86-64, as (Requirement, line)."""
    env = dict(default_environment(), sys_platform="linux", platform_machine="x86_64",
               python_version=str(runtime_python()))
    out = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            out.append(req)
    return out


def test_runtime_python_satisfies_the_course_package():
    requires = metadata.metadata("bn-lesson")["Requires-Python"]
    assert runtime_python() in SpecifierSet(requires)


def test_every_pinned_package_supports_the_runtime_python():
    """Checked against the metadata of the installed (same, pinned) versions."""
    python = runtime_python()
    checked = 0
    for req in pinned_requirements():
        assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", f"{req} is not pinned exactly"
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue
        if dist.version not in req.specifier:
            continue
        requires = dist.metadata.get("Requires-Python")
        if requires:
            assert python in SpecifierSet(requires), f"{req.name} {dist.version} needs Python {requires}"
            checked += 1
    assert checked >= 5


def test_the_course_package_and_the_demo_server_are_in_requirements():
    lines = [l.split("#", 1)[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    assert "-e ." in lines  # repo2docker then copies the whole repository before installing
    names = {Requirement(l).name.lower() for l in lines if l and not l.startswith("-")}
    assert {"jupyterlab", "voila", "ipywidgets"} <= names  # Binder's /lab and /voila/render/... URLs


def test_postbuild_is_executable_and_does_makes_set_up_steps():
    """The font cache and the course's kernel, as `make` builds them: nothing else is run on Binder."""
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK)
    commands = [l for l in post.read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert commands == ["set -euo pipefail", 'python -c "import matplotlib.pyplot"', "python -m tools.kernel"]
    makefile = (ROOT / "Makefile").read_text()
    assert '$(BIN)/python -c "import matplotlib.pyplot"' in makefile and "$(BIN)/python -m tools.kernel" in makefile
