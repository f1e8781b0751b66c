"""bn_lesson.widgets.study_view: a slider over a study the chapter computed; a move redraws, nothing retrains.

How fast a move redraws is measured by ``make bench`` (its widgets part), not by a timed test.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bn_lesson.widgets.study_view import build_study_view, plot_study, study_medians  # noqa: E402


def make_study():
    rng = np.random.default_rng(0)
    steps = np.array([100, 200, 300])
    return {b: {"batch norm": (steps, rng.uniform(0.4, 0.6, size=(5, 3)) + (b == 60) * 0.3),
                "layer norm": (steps, rng.uniform(0.8, 0.9, size=(5, 3)))}
            for b in (2, 8, 60)}


def test_moving_the_slider_shows_that_settings_medians():
    study = make_study()
    view = build_study_view(study, name="batch size")
    assert view.setting.value == 2
    view.setting.value = 60
    shown = view.last
    for label, (steps, acc) in study[60].items():
        np.testing.assert_array_equal(shown[label][0], steps)
        np.testing.assert_allclose(shown[label][1], np.median(acc, axis=0))
    assert view.image.value[:4] == b"\x89PNG"


def test_each_setting_redraws_its_own_picture():
    study = make_study()
    view = build_study_view(study)
    pictures = {}
    for value in (8, 60, 2, 8):
        view.setting.value = value
        pictures.setdefault(value, view.image.value)
        assert view.image.value == pictures[value]   # the same setting, the same picture
    assert len(set(pictures.values())) == 3


def test_static_twin_draws_every_network():
    ax = plot_study(make_study(), 8, name="batch size")
    assert ax.get_title() == "batch size = 8" and len(ax.get_lines()) == 2
    plt.close(ax.figure)


def test_networks_recorded_at_different_steps():
    study = {1: {"a": (np.array([1, 2]), np.ones((3, 2))), "b": (np.array([1, 2, 3]), np.zeros((3, 3)))}}
    ax = plot_study(study, 1)
    assert len(ax.get_lines()) == 2
    plt.close(ax.figure)


def test_bad_study_and_setting():
    with pytest.raises(TypeError, match="study"):
        study_medians({}, 1)
    with pytest.raises(ValueError, match="setting"):
        study_medians(make_study(), 4)
    with pytest.raises(ValueError, match="accuracy"):
        study_medians({1: {"a": (np.arange(3), np.ones((2, 4)))}}, 1)
