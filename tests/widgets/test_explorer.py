"""The explorer widget, driven by setting slider values (no browser): what it computes and shows."""
import struct

import ipywidgets as widgets
import numpy as np
import pytest

from bn_lesson.data import DISTRIBUTIONS
from bn_lesson.stages import explore_setting
from bn_lesson.widgets.explorer import Explorer, build_explorer


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# -- the widget ------------------------------------------------------------------------------------------

@pytest.fixture
def w():
    return build_explorer(batch_size=1000)


def test_builder_returns_a_displayable_box_with_labelled_controls(w):
    assert isinstance(w, (Explorer, widgets.VBox))
    assert (w.gamma.description, w.beta.description, w.eps.description) == ("\u03b3", "\u03b2", "\u03b5")
    assert "bn-gamma" in w.gamma._dom_classes and "bn-eps" in w.eps._dom_classes
    assert "bn-explorer" in w._dom_classes and w.image in w.children
    assert w.n_updates == 1 and w.last_stats is not None


def test_setting_gamma_updates_stats_and_picture_in_place(w):
    before, size, n = w.image.value, png_size(w.image.value), w.n_updates
    w.gamma.value = 2.5
    r = w.last_stats
    assert w.n_updates == n + 1 and w.image.value != before
    assert png_size(w.image.value) == size  # fixed size: no jumping page
    assert r.stats["scaled"].std == pytest.approx(2.5 * np.sqrt(r.var / (r.var + r.eps)))
    assert r.stats["input"] == explore_setting("normal", 1000).stats["input"]  # same batch, not resampled


def test_setting_beta_and_eps(w):
    w.beta.value = -2.0
    assert w.last_stats.stats["scaled"].mean == pytest.approx(-2.0)
    w.dist.value = "tiny-variance"
    w.eps.value = 1e-1
    r = w.last_stats
    assert r.eps == pytest.approx(0.1) and r.stats["normalized"].std ** 2 == pytest.approx(r.var / (r.var + 0.1))
    assert r.stats["normalized"].std < 0.05


def test_eps_zero_is_only_reached_through_the_guard_checkbox(w):
    assert w.eps.min == -8 and w.eps.value > 0  # the log slider itself never reaches 0
    w.dist.value = "constant"
    shown = w.image.value
    w.eps_zero.value = True
    assert w.eps.disabled and w.last_stats.error  # a message in the figure, not a traceback or NaN
    assert png_size(w.image.value) == png_size(shown) and w.image.value != shown
    w.eps_zero.value = False
    assert not w.eps.disabled and w.last_stats.error is None


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_no_setting_produces_nan_or_an_exception(w, dist):
    w.dist.value = dist
    for eps_zero in (False, True):
        w.eps_zero.value = eps_zero
        for activation in ("sigmoid", "relu"):
            w.activation.value = activation
            for stat in w.last_stats.stats.values():
                assert np.isfinite(stat).all()


def test_batch_size_and_activation_controls(w):
    w.batch_size.value = 8
    assert len(w.last_stats.values["input"]) == 8
    w.activation.value = "relu"
    assert w.last_stats.values["activated"].min() >= 0.0 and w.last_stats.activation == "relu"


def test_identity_button_recovers_the_input():
    w = build_explorer(batch_size=1000, identity_button=True)
    w.identity.click()
    r = w.last_stats
    assert w.gamma.value == pytest.approx(np.sqrt(r.var + r.eps))
    np.testing.assert_allclose(r.values["scaled"], r.values["input"], atol=1e-9)


def test_gamma_and_beta_sliders_saturate_the_sigmoid(w):
    assert w.last_stats.saturated < 0.01
    w.beta.value = 5.0
    assert w.last_stats.saturated > 0.8


def test_builder_does_not_use_pyplot():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    build_explorer(batch_size=1000)
    assert plt.get_fignums() == before


@pytest.mark.parametrize("kwargs, error, match", [
    ({"dist": "uniform"}, ValueError, "dist must be one of"),
    ({"activation": "tanh"}, ValueError, "activation must be one of"),
    ({"batch_size": 7}, ValueError, "batch_size must be one of"),
    ({"batch_size": "8"}, TypeError, "batch_size must be an int"),
    ({"stages": ("input", "output")}, ValueError, "stages must be"),
    ({"eps": 2.0}, ValueError, "eps must be a finite number in \\[0, 1\\]"),
    ({"eps": None}, TypeError, "eps must be a number"),
])
def test_builder_validates_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        build_explorer(**kwargs)




def test_the_picture_changes_only_with_what_it_shows(w):
    """Blitting over a cached background: the same controls give the same picture, byte for byte."""
    w.gamma.value = 2.0
    shown = w.image.value
    w.dist.value = "skewed"        # a new frame: its background is drawn
    w.dist.value = "normal"        # back to a cached one
    w.gamma.value = 1.0
    w.gamma.value = 2.0
    assert w.image.value == shown
