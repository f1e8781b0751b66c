"""Pages and page-side helpers for the explorer's browser tests (``test_explorer_*.py``) and its benchmark.

* ``write_page(folder, widgets)`` -- a standalone HTML page showing ``widgets`` from their saved state, the way
  the static book shows a chapter's: require.js, the line that points require.js at the vendored anywidget,
  the Jupyter widgets HTML manager, all from ``folder/_static`` (``make html``'s pinned, sha512-checked copies).
  No kernel: whatever moves, the page computes.
* ``open_offline(browser, url)`` -- a page that may load only local files (``file:``, ``data:``, ``blob:``);
  every other request is refused and recorded (``refuse_outside`` does the refusing, for any prefixes).
* ``SET_JS``, ``READ_JS``, ``ARM_JS`` -- drive an explorer through its controls, read what it shows, time a
  key press to the next painted frame.
"""
import json
from pathlib import Path

from ipywidgets.embed import embed_data

from tools.site import build_site

LOCAL = ("file:", "data:", "blob:", "about:")


def write_page(folder, widgets, title="explorer"):
    """Write ``folder/index.html`` showing ``widgets`` (saved state only) and its ``_static``; return its path."""
    folder = Path(folder)
    static = folder / "_static"
    if not (static / "anywidget").is_dir():
        build_site.install_vendor(build_site.fetch_vendor(), static)
    data = embed_data(views=widgets, drop_defaults=False)  # every trait, as nbclient saves it
    views = "\n".join(
        f'<div class="host"><script type="application/vnd.jupyter.widget-view+json">{json.dumps(v)}</script></div>'
        for v in data["view_specs"])
    page = folder / "index.html"
    page.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<script src="{build_site.REQUIRE_JS_URL}"></script>
{build_site.ANYWIDGET_REQUIRE_CONFIG}
<style>body {{ margin: 8px; font-family: sans-serif; }} .host {{ margin-bottom: 2em; }}</style>
</head><body>
<script type="application/vnd.jupyter.widget-state+json">{json.dumps(data["manager_state"])}</script>
{views}
<script src="{build_site.WIDGET_RENDERER_URL}"></script>
</body></html>
""", encoding="utf-8")
    return page


def refuse_outside(page, allowed, on_refused):
    """Route every request of ``page``: URLs starting with one of ``allowed`` go through; any other is
    refused and handed to ``on_refused(url)``."""
    def route(route):
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            on_refused(route.request.url)
            route.abort()

    page.route("**/*", route)


def open_offline(browser, url, viewport=(1280, 900), scale=1, init_script=None):
    """A new page at ``url`` that may load only local files; returns (page, problems list filled as it runs).

    ``init_script`` (JavaScript source) runs in the page before any of its own scripts.
    """
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=scale)
    if init_script:
        page.add_init_script(init_script)
    problems = []
    refuse_outside(page, LOCAL, lambda url: problems.append(f"network request refused: {url}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load", timeout=60_000)
    return page, problems


# Set an explorer's controls as a reader would (input/change events, clicks); returns nothing. `root` is the
# .bn-explorer element, `s` {gamma, beta, eps_log10, eps_zero, dist, batch_size, activation} (any subset).
SET_JS = """([root, s]) => {
    const fire = (el, type) => el.dispatchEvent(new Event(type, {bubbles: true}));
    const pick = (cls, value) => { const el = root.querySelector(`.${cls} select`); el.value = String(value); fire(el, 'change'); };
    if ('dist' in s) pick('bn-dist', s.dist);
    if ('batch_size' in s) pick('bn-batch-size', s.batch_size);
    if ('activation' in s) Array.from(root.querySelectorAll('.bn-activation button'))
        .find(b => b.textContent === s.activation).click();
    const zero = root.querySelector('.bn-eps-zero input');
    if ('eps_zero' in s && zero.checked !== s.eps_zero) zero.click();
    for (const [name, key] of [['gamma', 'gamma'], ['beta', 'beta'], ['eps', 'eps_log10']]) {
        if (!(key in s) || (name === 'eps' && s.eps_zero)) continue;
        const el = root.querySelector(`.bn-${name} input`);
        el.value = String(s[key]);
        fire(el, 'input');
    }
}"""

# What an explorer shows: the setting drawn, each panel's statistics, the status line, the eps = 0 message.
READ_JS = """(root) => ({
    setting: JSON.parse(root.dataset.setting),
    frame: Number(root.dataset.frame),
    stats: Object.fromEntries(Array.from(root.querySelectorAll('.bn-panel')).map(p =>
        [Array.from(p.classList).find(c => c.startsWith('bn-panel-')).slice(9), p.querySelector('.bn-stats').textContent])),
    status: Array.from(root.querySelectorAll('.bn-status span')).map(s => s.textContent).filter(t => t).join('     '),
    error: !root.querySelector('.bn-error').hidden,
})"""

# Arm a timer: from the next keydown to the first animation frame after the explorer redrew (data-frame
# changed). The result appears in window.__bnLatency (ms).
ARM_JS = """(root) => {
    window.__bnLatency = null;
    const old = root.dataset.frame;
    const start = {t: null};
    document.addEventListener('keydown', () => { start.t = performance.now(); }, {capture: true, once: true});
    const observer = new MutationObserver(() => {
        if (root.dataset.frame !== old && start.t !== null) {
            observer.disconnect();
            requestAnimationFrame(() => { window.__bnLatency = performance.now() - start.t; });
        }
    });
    observer.observe(root, {attributes: true, attributeFilter: ['data-frame']});
}"""


def python_text(explorer, setting):
    """What ``explorer``'s Python reference says the page must show for ``setting`` (as READ_JS reads it)."""
    explorer.eps_zero = setting["eps_zero"]
    explorer.eps = setting["eps_slider"]
    explorer.dist, explorer.batch_size = setting["dist"], setting["batch_size"]
    explorer.gamma, explorer.beta, explorer.activation = setting["gamma"], setting["beta"], setting["activation"]
    return explorer.shown_text()
