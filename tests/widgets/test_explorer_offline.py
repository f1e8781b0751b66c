"""The static book can run the explorer offline: anywidget's front end is vendored, pinned and found locally."""
from importlib.metadata import version

from tools.site import build_site


def test_the_vendored_front_end_is_the_python_packages_version():
    """The book's copy of anywidget's JavaScript must match the Python package that saved the widget state."""
    pinned, integrity = build_site.VENDOR["anywidget"]
    assert pinned == version("anywidget") == "0.11.0"
    assert integrity.startswith("sha512-") and "dist/index.js" in build_site.VENDOR_FILES["anywidget"]


def test_require_config_follows_require_js_and_names_the_local_copy():
    page = f'<head><script src="{build_site.REQUIRE_JS_URL}"></script>\n<script src="x.js"></script></head>'
    out = build_site.add_require_config(page)
    lines = out.splitlines()
    assert lines[0].endswith(f'<script src="{build_site.REQUIRE_JS_URL}"></script>')
    assert lines[1] == build_site.ANYWIDGET_REQUIRE_CONFIG
    assert 'anywidget: "_static/anywidget/dist/index"' in lines[1]  # require.js adds ".js" itself


def test_a_page_without_require_js_is_refused():
    import pytest

    with pytest.raises(ValueError, match="does not load require.js"):
        build_site.add_require_config("<head></head>")
