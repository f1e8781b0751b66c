import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bn_lesson.viz.plots import plot_feature_ranges, plot_loss_curves  # noqa: E402


def test_helpers_draw_on_a_given_axes_and_return_it():
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_feature_ranges(np.arange(1.0, 7.0).reshape(3, 2), ["a", "b"], ax=a, log=True) is a
    assert a.get_xscale() == "log"
    assert plot_loss_curves({"run": np.array([4.0, 2.0, 1.0])}, ax=b) is b
    assert len(b.lines) == 1 and b.lines[0].get_xdata().tolist() == [1, 2, 3]
    plt.close(fig)


def test_log_scale_needs_positive_data():
    with pytest.raises(ValueError, match="log=True needs positive X"):
        plot_feature_ranges(np.array([[0.0], [1.0]]), ["a"], log=True)
    plt.close("all")
