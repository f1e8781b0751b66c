"""Fixtures for the real-browser tests: system Chromium, the built static site, an artifacts folder.

Without Chromium (or Playwright) these tests skip with a message saying how to get it; with ``CI=true``
a missing browser is a failure instead, so CI cannot pass by skipping them.
"""
import contextlib
import fcntl
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import harness` from any rootdir

from harness import find_chromium, launch_browser  # noqa: E402
from tools.site import build_site  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
_skipped = []


def on_ci():
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(reason):
    """Fail on CI, skip elsewhere, remembering why for the end-of-run summary."""
    if on_ci():
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    _skipped.append(reason)
    pytest.skip(reason)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_line(f"browser tests skipped: {_skipped[0]}", yellow=True)


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        missing("no Chromium found. Install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set "
                "CHROMIUM=/path/to/chromium, then run `make test` again")
    return path


@pytest.fixture(scope="session")
def playwright_instance(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is not installed (it is in requirements.txt: `make test` "
                "installs it)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_path):
    browser = launch_browser(playwright_instance, chromium_path)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def artifacts():
    """``test-artifacts/`` (git-ignored): screenshots and logs a reviewer can look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def site(chromium_path):
    """The static book, built now from the stored notebooks (``make html``), so the test sees what the
    command produces today. Set BN_SITE_PREBUILT=1 to test an existing site/ as it is.

    ``make test`` runs in parallel workers (pytest-xdist): the first worker to ask builds the book under a
    lock and stamps it with the run's id; the others wait for the lock and use that build."""
    out = ROOT / "site"
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid-{os.getpid()}")
    stamp = out / ".built-for-test-run"
    with build_lock(ROOT / "build" / "site.lock"):
        fresh = stamp.exists() and stamp.read_text() == run
        prebuilt = os.environ.get("BN_SITE_PREBUILT") == "1" and (out / "index.html").exists()
        if not (fresh or prebuilt):
            try:
                build_site.build(out, ROOT / "notebooks")
            except ValueError as err:  # a notebook without a title or never executed
                pytest.fail(f"could not build the static site: {err}", pytrace=False)
            except SystemExit as err:  # the first build downloads the pinned JavaScript packages
                missing(f"could not build the static site: {err}")
            stamp.write_text(run)
    return out


@contextlib.contextmanager
def build_lock(path):
    """An exclusive lock on ``path`` (created) between this run's test processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
