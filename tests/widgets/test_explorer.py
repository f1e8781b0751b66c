"""The explorer widget without a browser: its traits, the batches it sends, its Python reference, its checks.

What the front end draws from these is compared with ``Explorer.shown_text()`` in a real browser
(``tests/browser/test_explorer_parity.py``); here pytest sets traits as a cell would.
"""
import numpy as np
import pytest

from bn_lesson.data import DISTRIBUTIONS, sample_distribution
from bn_lesson.stages import STAGES, explore_setting
from bn_lesson.viz.plots import STAGE_COLORS
from bn_lesson.widgets.explorer import (BATCH_SIZES, EPS_RANGE, GAMMA_RANGE, Explorer, build_explorer,
                                        sample_batches)


@pytest.fixture(scope="module")
def w():
    return build_explorer(identity_button=True)


@pytest.fixture(autouse=True)
def default_setting(w):
    """Every test starts from the builder's defaults."""
    w.eps_zero = False
    w.set_trait("gamma", 1.0), w.set_trait("beta", 0.0), w.set_trait("eps", 1e-3)
    w.dist, w.batch_size, w.activation = "normal", 10_000, "sigmoid"


def test_builder_returns_an_anywidget_with_its_front_end_and_controls_as_traits(w):
    import anywidget

    assert isinstance(w, Explorer) and isinstance(w, anywidget.AnyWidget)
    assert "export default" in w._esm and "function explore(" in w._esm and ".bn-explorer" in w._css
    state = w.get_state()
    for name in ("gamma", "beta", "eps", "eps_zero", "dist", "batch_size", "activation", "_batches"):
        assert name in state, name
    assert w._config["colors"] == STAGE_COLORS and w._config["stages"] == list(STAGES)
    assert w._config["identity_button"] is True


def test_every_batch_is_sent_once_and_is_the_one_explore_setting_draws(w):
    values = np.frombuffer(w._batches, dtype="<f8")
    assert values.size == len(DISTRIBUTIONS) * sum(BATCH_SIZES)
    for dist, n, offset in w._batch_layout:
        want = sample_distribution(dist, n, np.random.default_rng(0))[:, 0]
        np.testing.assert_array_equal(values[offset:offset + n], want)
    w.dist, w.batch_size = "skewed", 128
    np.testing.assert_array_equal(w.batch(), explore_setting("skewed", 128).values["input"])
    data, layout = sample_batches((2, 8), seed=3)
    assert len(data) == 8 * 10 * len(DISTRIBUTIONS) and layout[1] == ["normal", 8, 2]


def test_setting_traits_from_python_is_what_the_result_follows(w):
    w.gamma = 2.5
    r = w.result()
    assert r.stats["scaled"].std == pytest.approx(2.5 * np.sqrt(r.var / (r.var + r.eps)))
    w.beta = -2.0
    assert w.result().stats["scaled"].mean == pytest.approx(-2.0)
    w.dist, w.eps = "tiny-variance", 1e-1
    r = w.result()
    assert r.eps == pytest.approx(0.1) and r.stats["normalized"].std ** 2 == pytest.approx(r.var / (r.var + 0.1))
    w.batch_size, w.activation = 8, "relu"
    assert len(w.result().values["input"]) == 8 and w.result().values["activated"].min() >= 0.0


def test_eps_zero_is_its_own_switch_and_the_guard_shows_a_message(w):
    w.dist = "constant"
    w.eps_zero = True
    assert w.current_eps() == 0.0 and w.eps > 0  # the slider keeps its value
    shown = w.shown_text()
    assert shown["error"] and shown["status"] == ""
    assert shown["stats"]["input"].startswith("mean 3.000") and shown["stats"]["scaled"] == ""
    w.eps_zero = False
    assert not w.shown_text()["error"]


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_no_setting_produces_nan_text(w, dist):
    w.dist = dist
    for eps_zero in (False, True):
        w.eps_zero = eps_zero
        for activation in ("sigmoid", "relu"):
            w.activation = activation
            shown = w.shown_text()
            assert "nan" not in str(shown).lower() and "-0.000" not in str(shown)


def test_identity_sets_exact_values_and_recovers_the_input(w):
    """Issue 14 item 8: y has the input's mean and std exactly (not the sliders' 0.05 / 0.1 grid)."""
    gamma, beta = w.set_identity()
    r = w.result()
    assert gamma == np.sqrt(r.var + r.eps) and beta == r.mu and w.gamma == gamma
    np.testing.assert_allclose(r.values["scaled"], r.values["input"], rtol=0, atol=1e-12)
    shown = w.shown_text()["stats"]
    assert shown["scaled"] == shown["input"] == "mean 3.013\nstd  1.996\nskew -0.03"


def test_identity_beyond_the_gamma_slider_sets_its_end(w):
    w.eps = EPS_RANGE[1]  # sqrt(4 + 100) > 4
    gamma, _ = w.set_identity()
    assert gamma == GAMMA_RANGE[1] == w.gamma


def test_eps_reaches_past_the_variances_the_chapters_compare_it_with():
    assert EPS_RANGE[1] >= 25 * 4  # the normal input's variance is 4: eps can be far past it
    assert EPS_RANGE[0] <= 1e-8


def test_shown_text_is_the_static_twins(w):
    """The widget's statistics are the ones plot_explorer_grid prints under the same setting."""
    from matplotlib.figure import Figure

    from bn_lesson.viz.stage_plots import StagePanels

    w.dist, w.gamma, w.beta, w.activation = "skewed", 2.5, -1.0, "relu"
    panels = StagePanels(Figure().subplots(1, 4), STAGES)
    panels.set_frame("skewed", "relu")
    panels.set_result(explore_setting("skewed", gamma=2.5, beta=-1.0, activation="relu"), "skewed")
    assert w.shown_text()["stats"] == panels.labels


@pytest.mark.parametrize("kwargs, error, match", [
    ({"gamma": 10}, ValueError, r"gamma must be a finite number in \[0, 4\], got 10 \(the gamma slider's range\)"),
    ({"beta": -7.5}, ValueError, r"beta must be .* in \[-6, 6\]"),
    ({"eps": "0.1"}, TypeError, "eps must be a number"),
    ({"eps": None}, TypeError, "eps must be a number"),
    ({"eps": 1e-9}, ValueError, r"eps must be 0 or in \[1e-08, 100\]"),
    ({"eps": 1e3}, ValueError, r"eps must be a finite number in \[0, 100\]"),
    ({"dist": "uniform"}, ValueError, "dist must be one of"),
    ({"activation": "tanh"}, ValueError, "activation must be one of"),
    ({"batch_size": 7}, ValueError, "batch_size must be one of"),
    ({"batch_size": "8"}, TypeError, "batch_size must be an int"),
    ({"batch_sizes": 8}, TypeError, "batch_sizes must be a sequence"),
    ({"stages": ("input", "output")}, ValueError, "stages must be"),
    ({"identity_button": "yes"}, TypeError, "identity_button must be True or False"),
    ({"seed": -1}, ValueError, "seed must be an int >= 0"),
])
def test_builder_validates_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        build_explorer(**kwargs)


@pytest.mark.parametrize("name, value, error, match", [
    ("gamma", 5.0, ValueError, r"\[0, 4\]"),
    ("beta", 6.5, ValueError, r"\[-6, 6\]"),
    ("eps", 0.0, ValueError, "eps_zero = True"),
    ("dist", "uniform", ValueError, "dist must be one of"),
    ("activation", "tanh", ValueError, "activation must be one of"),
    ("batch_size", 7, ValueError, "batch_size must be one of"),
])
def test_a_cell_cannot_set_a_value_the_controls_cannot_show(w, name, value, error, match):
    with pytest.raises(error, match=match):
        setattr(w, name, value)


def test_eps_zero_in_the_builder_ticks_the_box():
    w = build_explorer(eps=0, batch_size=8)
    assert w.eps_zero and w.current_eps() == 0.0 and w.eps > 0


def test_repr_is_one_line_not_the_trait_dump(w):
    text = w._repr_mimebundle_()[0]["text/plain"]
    assert text == repr(w) and "\n" not in text and "run the cells above" in text
    assert "children" not in text and "0x" not in text


def test_builder_does_not_use_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    build_explorer(batch_size=8)
    assert plt.get_fignums() == before
