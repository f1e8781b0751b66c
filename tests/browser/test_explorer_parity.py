"""The explorer's front end computes what Python's reference computes, digit for digit, in a real browser.

One page shows the explorer from its saved state (no kernel, every outside request refused). The test drives
its controls through random settings -- every distribution, batch size and activation, gamma and beta over
their sliders, eps over its log slider, eps = 0, and the extremes -- and compares what the page shows (each
panel's statistics, the line under the panels, the eps = 0 message) with ``Explorer.shown_text()``:
``bn_lesson.stages.explore`` on the same batch, formatted by ``bn_lesson.viz.text``. The numbers must agree
to the printed precision, which here means the printed text is identical.

A second test checks the front end's Python-style number formatting (``format(x, ".3f")``, ``".0e"``,
``".3g"``, ties to even included) against Python's on thousands of values.
"""
import json
import math
import random
import struct

import pytest

from bn_lesson.data import DISTRIBUTIONS
from bn_lesson.widgets.explorer import (BATCH_SIZES, BETA_RANGE, EPS_LOG10_RANGE, EXPLORER_ACTIVATIONS,
                                        GAMMA_RANGE, build_explorer)
from explorer_page import READ_JS, SET_JS, open_offline, python_text, write_page

N_RANDOM = 60


def grid(low, high, step, rng):
    """A random value on a slider's grid (what a reader can reach)."""
    return round(low + step * rng.randint(0, round((high - low) / step)), 10)


def settings(rng):
    """Extremes first, then random settings; each names every control."""
    base = {"gamma": 1.0, "beta": 0.0, "eps_log10": -3.0, "eps_zero": False, "dist": "normal",
            "batch_size": 10_000, "activation": "sigmoid"}
    extremes = [
        {"dist": "constant", "eps_zero": True},                      # 0/0: the message, not NaN
        {"dist": "constant", "eps_zero": True, "activation": "relu", "batch_size": 2},
        {"dist": "constant", "eps_log10": EPS_LOG10_RANGE[0]},       # eps tiny but > 0: x_hat = 0
        {"dist": "tiny-variance", "eps_zero": True},
        {"dist": "tiny-variance", "eps_log10": EPS_LOG10_RANGE[0]},
        {"dist": "tiny-variance", "eps_log10": EPS_LOG10_RANGE[1]},
        {"dist": "normal", "eps_log10": EPS_LOG10_RANGE[1], "gamma": GAMMA_RANGE[1]},
        {"gamma": GAMMA_RANGE[0], "beta": BETA_RANGE[0]},            # y constant at -6
        {"gamma": GAMMA_RANGE[1], "beta": BETA_RANGE[1], "activation": "relu"},
        {"gamma": GAMMA_RANGE[1], "beta": BETA_RANGE[0], "dist": "skewed"},
        {"batch_size": 2, "dist": "bimodal", "eps_zero": True},
        {"batch_size": 2, "dist": "normal", "activation": "relu", "beta": -0.1},
    ]
    out = [base | e for e in extremes]
    for _ in range(N_RANDOM):
        out.append({
            "gamma": grid(*GAMMA_RANGE, rng), "beta": grid(*BETA_RANGE, rng),
            "eps_log10": grid(*EPS_LOG10_RANGE, rng), "eps_zero": rng.random() < 0.15,
            "dist": rng.choice(DISTRIBUTIONS), "batch_size": rng.choice(BATCH_SIZES),
            "activation": rng.choice(EXPLORER_ACTIVATIONS),
        })
    return out


@pytest.fixture(scope="module")
def explorer_page(tmp_path_factory, browser, artifacts):
    explorer = build_explorer(identity_button=True)
    path = write_page(tmp_path_factory.mktemp("parity"), [explorer])
    page, problems = open_offline(browser, path.as_uri())
    page.wait_for_selector(".bn-explorer[data-frame]", timeout=30_000)
    yield explorer, page, problems
    page.close()


def test_the_page_shows_what_explore_computes(explorer_page, artifacts):
    explorer, page, problems = explorer_page
    root = page.query_selector(".bn-explorer")
    seen = {"dist": set(), "activation": set(), "eps_zero": set(), "error": set()}
    mismatches = []
    for i, setting in enumerate(settings(random.Random(20261130))):
        frame = page.evaluate(READ_JS, root)["frame"]
        page.evaluate(SET_JS, [root, setting])
        shown = page.evaluate(READ_JS, root)
        assert shown["frame"] > frame, f"setting {i}: the explorer did not redraw"
        drawn = shown["setting"]
        for name in ("dist", "batch_size", "activation", "eps_zero"):
            assert drawn[name] == setting[name], (i, name, drawn, setting)
        assert drawn["gamma"] == setting["gamma"] and drawn["beta"] == setting["beta"], (i, drawn, setting)
        if not setting["eps_zero"]:
            assert math.isclose(math.log10(drawn["eps"]), setting["eps_log10"], abs_tol=1e-12)
        want = python_text(explorer, drawn)
        got = {"stats": shown["stats"], "status": shown["status"], "error": shown["error"]}
        if got != want:
            mismatches.append({"setting": drawn, "page": got, "python": want})
        for name in ("dist", "activation", "eps_zero"):
            seen[name].add(drawn[name])
        seen["error"].add(want["error"])
    (artifacts / "explorer-parity.json").write_text(json.dumps(mismatches, indent=1, ensure_ascii=False))
    assert not mismatches, f"{len(mismatches)} setting(s) differ, first: {mismatches[0]}"
    assert seen == {"dist": set(DISTRIBUTIONS), "activation": set(EXPLORER_ACTIVATIONS),
                    "eps_zero": {False, True}, "error": {False, True}}
    assert not problems, problems


# The front end's formatting functions, called on the page from the widget's own module.
FORMAT_JS = """async ([source, values]) => {
    const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
    const m = await import(url);
    return values.map(v => [m.formatFixed(v, 3), m.formatFixed(v, 2), m.formatFixed(v, 1), m.formatFixed(v, 4),
                            m.formatExp(v, 0), m.formatGeneral(v, 3), m.formatNumber(v, 3)]);
}"""


def test_numbers_are_formatted_as_python_formats_them(explorer_page):
    from bn_lesson.viz.text import format_number

    explorer, page, _ = explorer_page
    rng = random.Random(0)
    values = [0.0, -0.0, 0.0005, 0.0015, -0.0025, 0.125, 0.375, 2.5, 1e-3, 1e-5, 1e-8, 1e2, 9.9995, 0.99995,
              123456.789, 5e-324, 1.7976931348623157e308, 0.05, 0.15, 0.25, 0.35, 0.45, 1.0625, 3.98]
    values += [rng.uniform(-10, 10) for _ in range(1000)]
    values += [10 ** rng.uniform(-12, 6) * rng.choice((1, -1)) for _ in range(1000)]
    values += [round(rng.uniform(-5, 5), 3) + rng.choice((0.0005, -0.0005)) for _ in range(500)]  # near ties
    values += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(62)))[0] for _ in range(200)]
    got = page.evaluate(FORMAT_JS, [explorer._esm, values])
    for v, row in zip(values, got):
        want = [f"{v:.3f}", f"{v:.2f}", f"{v:.1f}", f"{v:.4f}", f"{v:.0e}", f"{v:.3g}", format_number(v)]
        assert row == want, (v, row, want)


def test_the_identity_button_sets_the_exact_values_python_computes(explorer_page):
    """gamma = sqrt(var + eps), beta = mu to the last bit (not the sliders' grid): y shows the input's numbers."""
    explorer, page, problems = explorer_page
    root = page.query_selector(".bn-explorer")
    for dist in ("normal", "skewed", "bimodal"):
        page.evaluate(SET_JS, [root, {"dist": dist, "batch_size": 10_000, "eps_zero": False, "eps_log10": -3.0,
                                      "gamma": 1.0, "beta": 0.0, "activation": "sigmoid"}])
        root.query_selector(".bn-identity").click()
        shown = page.evaluate(READ_JS, root)
        python_text(explorer, shown["setting"])
        assert (shown["setting"]["gamma"], shown["setting"]["beta"]) == explorer.set_identity(), dist
        lines = 3  # mean, std, skew (the panels' x ranges differ, so does the share off axis)
        assert shown["stats"]["scaled"].splitlines()[:lines] == shown["stats"]["input"].splitlines()[:lines], dist
        assert root.query_selector(".bn-note").is_hidden()
    # beyond the gamma slider (sqrt(4 + 100) > 4): its end is set, and a note says so
    page.evaluate(SET_JS, [root, {"dist": "normal", "eps_log10": EPS_LOG10_RANGE[1]}])
    root.query_selector(".bn-identity").click()
    shown = page.evaluate(READ_JS, root)
    assert shown["setting"]["gamma"] == GAMMA_RANGE[1]
    assert "beyond the sliders" in root.query_selector(".bn-note").inner_text()
    assert not problems, problems
