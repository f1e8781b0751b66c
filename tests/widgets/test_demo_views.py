"""The demo app's two views: the pure runs checked against the layers they stand for and against chapter 08's
finding, the widgets driven, and their figures laid out without overlapping text, on a laptop and in
presenter mode."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bn_lesson.data import digits_shuffled  # noqa: E402
from bn_lesson.inference import steps_to_converge  # noqa: E402
from bn_lesson.layer import BatchNorm  # noqa: E402
from bn_lesson.viz.demo_plots import plot_train_vs_inference, plot_training_comparison  # noqa: E402
from bn_lesson.widgets.demo_views import (  # noqa: E402
    COMPARISON_DEFAULTS, TVI_BATCH, TVI_MAX_STEPS, TVI_MEAN, TVI_STD,
    build_train_vs_inference, build_training_comparison, compare_training, comparison_findings, status_line,
    train_vs_inference,
)
from bn_lesson.widgets.presenter import NATIVE_SIZE_CLASS, presenter, restore  # noqa: E402

from layout_checks import overlapping_texts  # noqa: E402  (tests/widgets/layout_checks.py)

threadpoolctl = pytest.importorskip("threadpoolctl")  # comes with scikit-learn


# -- the training comparison ------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return digits_shuffled(np.random.default_rng(0))


@pytest.fixture(autouse=False)
def one_blas_thread():
    with threadpoolctl.threadpool_limits(1):  # small matrices: extra BLAS threads only slow them down
        yield


@pytest.fixture
def presenting():
    presenter()
    yield
    restore()


def test_compare_training_records_both_runs_from_the_first_record_step(digits, one_blas_thread):
    runs = compare_training(digits, steps=30, record_every=10, depth=2, width=16)
    assert list(runs) == ["without BN", "with BN"]
    for hist in runs.values():
        assert hist.record_steps.tolist() == [10, 20, 30]  # as chapter 08 records: no step-0 record
        assert hist.unit_percentiles.shape == (3, 16, 3)    # every unit of the last hidden layer
        assert hist.probe_accuracy.shape == (3,) and len(hist.loss) == 30
    # the same weights and the same batches: without BN the two runs would be identical
    same = compare_training(digits, steps=30, record_every=10, depth=2, width=16)
    assert np.array_equal(same["without BN"].loss, runs["without BN"].loss)


def test_the_defaults_are_chapter_08s_figure_1_run():
    """Section 1 of chapter 08: 3x100 sigmoids, N(0, 0.1²) weights, rate 3 (the plain net's best on its grid),
    1,000 steps of 60, BN momentum 0.9 -- the chapter's widget says its default run is that run."""
    assert COMPARISON_DEFAULTS == dict(init_std=0.1, lr=3.0, steps=1000, depth=3, width=100,
                                       activation="sigmoid", batch_size=60, momentum=0.9, seed=0)


def reproduces_chapter_08s_finding(runs):
    """The claims chapter 08 asserts on the widget's default run (its SEED's), as one list of failures.

    Margins, measured on seeds 0-39 and 100-104 at the defaults: with BN 90% after 50-150 steps; without BN
    after 650-1,000 steps or not within the 1,000 (4 of 45 seeds), at least 5x BN's count; the plain net's best
    test accuracy in its first 300 steps 0.08-0.38 (in its first 400: up to 0.50, too close to claim); median
    wander 2.8-5.4 without BN against 0.36-0.78 with (ratio >= 5.0); spread growth 56-134x against 1.39-1.64x
    (ratio >= 34).
    """
    found = comparison_findings(runs)
    bn, plain = found.steps_to_target["with BN"], found.steps_to_target["without BN"]
    plain_hist = runs["without BN"]
    early = plain_hist.probe_accuracy[plain_hist.record_steps <= 300].max()
    checks = {
        "with BN, 90% within 200 steps": bn is not None and bn <= 200,
        "without BN, at least 4x as many steps or not in the run": bn is not None and (plain is None or plain >= 4 * bn),
        "without BN, below 50% for the first 300 steps": early < 0.5,
        "unit inputs wander over 2x as far without BN":
            found.median_wander["without BN"] > 2 * found.median_wander["with BN"],
        "their spreads change over 10x as much without BN":
            found.spread_growth["without BN"] > 10 * found.spread_growth["with BN"],
        "with BN the spread stays within a factor of 2": 0.5 < found.spread_growth["with BN"] < 2,
    }
    return [claim for claim, holds in checks.items() if not holds]


@pytest.mark.parametrize("seed", [1, 11, 24, 100])
def test_at_its_defaults_the_demo_reproduces_chapter_08s_finding(seed, one_blas_thread):
    """What chapter 08 asserts on the widget's default run holds on other seeds (weights, batches, split):
    1 and 100 (the base seeds of ``make seeds``), 11 (the plain net never reaches 90% in the run) and 24
    (BN's slowest: 150 steps). Seed 0 is the next test's."""
    runs = compare_training(seed=seed)
    assert not reproduces_chapter_08s_finding(runs), comparison_findings(runs)


def test_train_both_at_its_defaults_reproduces_the_finding(digits):
    """A press at the defaults (its time, ~2 s, is measured by `make bench --only widgets`, not here)."""
    w = build_training_comparison(data=digits, train_now=False)
    w.train()
    assert not reproduces_chapter_08s_finding(w.runs), comparison_findings(w.runs)


def test_compare_training_validates(digits):
    with pytest.raises(ValueError, match="steps"):
        compare_training(digits, steps=0)
    with pytest.raises(TypeError, match="depth"):
        compare_training(digits, depth=1.5)
    with pytest.raises(ValueError, match="init_std"):
        compare_training(digits, init_std=0.0)


def test_plot_training_comparison_draws_three_panels(digits, one_blas_thread):
    runs = compare_training(digits, steps=20, record_every=10, depth=2, width=8)
    axes = plot_training_comparison(runs)
    try:
        assert len(axes) == 3
        labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
        assert labels[0].startswith("without BN: ") and labels[1].startswith("with BN: ")
        assert axes[1].get_ylim() == axes[2].get_ylim()  # one scale for both bands
    finally:
        plt.close(axes[0].figure)
    with pytest.raises(ValueError, match="runs must have the keys"):
        plot_training_comparison({"a": runs["with BN"]})


def test_training_widget_trains_on_the_button_with_the_controls_settings(digits, one_blas_thread):
    w = build_training_comparison(data=digits, train_now=False, steps=100, depth=2, width=16)
    assert w.runs is None and w.image.value == b""
    w.init_std.value = 1.0
    w.lr.value = 0.3
    w.steps.value = 500
    w.activation.value = "tanh"
    assert w.runs is None                      # a control alone trains nothing: the button does
    w.run.click()
    assert w.current_settings() == dict(COMPARISON_DEFAULTS, init_std=1.0, lr=0.3, steps=500, activation="tanh",
                                        depth=2, width=16)
    # what the button computed is the pure run with the controls' settings, record for record
    expected = compare_training(digits, init_std=1.0, lr=0.3, steps=500, activation="tanh", depth=2, width=16)
    for label, hist in expected.items():
        np.testing.assert_array_equal(w.runs[label].probe_accuracy, hist.probe_accuracy)
        np.testing.assert_array_equal(w.runs[label].unit_percentiles, hist.unit_percentiles)
    assert w.runs["with BN"].record_steps[-1] == 500
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert w.status.value.startswith(status_line(comparison_findings(expected), expected))
    assert "without BN" in w.status.value and "with BN" in w.status.value and not w.run.disabled
    assert all(c.continuous_update is False for c in (w.init_std, w.lr))   # sliders train on the button only
    with pytest.raises(ValueError, match="unknown setting"):
        build_training_comparison(data=digits, train_now=False, learning_rate=1.0)


@pytest.mark.parametrize("mode", ["laptop", "presenter"])
def test_the_training_figure_has_no_overlapping_text(mode, digits, one_blas_thread, request):
    if mode == "presenter":
        request.getfixturevalue("presenting")
    w = build_training_comparison(data=digits, train_now=False, steps=100)
    w.train()
    fig = w.draw()
    assert not overlapping_texts(fig), overlapping_texts(fig)
    width = int(w.image.layout.width.removesuffix("px"))
    assert NATIVE_SIZE_CLASS in w.image._dom_classes
    assert width == round(fig.get_figwidth() * fig.dpi)  # shown at the size it is drawn
    assert (width >= 1700) == (mode == "presenter")    # a projector's width in presenter mode


# -- train vs inference ----------------------------------------------------------------

def test_inference_output_is_off_until_the_moving_averages_forget_their_start():
    fresh = train_vs_inference(steps=0)
    # no training yet: moving mean 0, variance 1 -> inference output = (x - 0) / sqrt(1 + eps), i.e. x
    assert fresh.start_weight == 1.0
    assert abs(fresh.infer_out.mean() - TVI_MEAN) < 0.15 and abs(fresh.infer_out.std() - TVI_STD) < 0.15
    # training mode always normalizes with the batch's own statistics
    assert abs(fresh.train_out.mean()) < 1e-9 and abs(fresh.train_out.std() - 1) < 1e-3
    done = train_vs_inference(steps=steps_to_converge(0.99, tol=0.01))  # 459 updates at momentum 0.99
    assert done.start_weight < 0.01
    assert abs(done.infer_out.mean()) < 0.1 and abs(done.infer_out.std() - 1) < 0.1


def test_moving_averages_match_a_batchnorm_layer_trained_step_by_step():
    result = train_vs_inference(steps=50, momentum=0.9, seed=3)
    rng = np.random.default_rng(3)
    stream = TVI_MEAN + TVI_STD * rng.normal(size=(TVI_MAX_STEPS, TVI_BATCH))
    layer = BatchNorm(1, momentum=0.9)
    for batch in stream[:50]:
        layer.forward(batch[:, None], training=True)
    assert np.allclose(result.moving_mean[50], layer.moving_mean[0])
    assert np.allclose(result.moving_var[50], layer.moving_var[0])


def test_train_vs_inference_validates():
    with pytest.raises(ValueError, match="steps"):
        train_vs_inference(steps=-1)
    with pytest.raises(ValueError, match="momentum"):
        train_vs_inference(momentum=1.0)


def test_train_vs_inference_widget_follows_its_slider():
    w = build_train_vs_inference(steps=0)
    first = w.image.value
    assert w.last.steps == 0 and first[:8] == b"\x89PNG\r\n\x1a\n"
    w.steps.value = 500
    assert w.last.steps == 500 and w.image.value != first
    w.momentum.value = 0.999
    assert w.last.momentum == 0.999 and w.last.start_weight > 0.5
    axes = plot_train_vs_inference(w.last)
    try:
        assert len(axes) == 2
    finally:
        plt.close(axes[0].figure)


def test_the_view_draws_the_result_it_is_given():
    result = train_vs_inference(steps=200, momentum=0.9)
    left, right = plot_train_vs_inference(result)
    try:
        np.testing.assert_array_equal(left.lines[0].get_ydata(), result.moving_mean)
        assert left.get_xlim() == (0, TVI_MAX_STEPS) and f"batches of {TVI_BATCH}" in left.get_xlabel()
        assert "after 200 steps" in left.get_title()
        assert [t.get_text().split(":")[0] for t in right.texts] == ["training mode (batch statistics)",
                                                                     "inference mode (moving averages)"]
    finally:
        plt.close(left.figure)


@pytest.mark.parametrize("mode", ["laptop", "presenter"])
@pytest.mark.parametrize("steps, momentum", [(0, 0.9), (1000, 0.99), (1000, 0.999)])
def test_the_train_vs_inference_figure_has_no_overlapping_text(mode, steps, momentum, request):
    if mode == "presenter":
        request.getfixturevalue("presenting")
    w = build_train_vs_inference(steps=steps, momentum=momentum)
    assert not overlapping_texts(w.figure), overlapping_texts(w.figure)
    assert NATIVE_SIZE_CLASS in w.image._dom_classes
    assert (int(w.image.layout.width.removesuffix("px")) >= 1700) == (mode == "presenter")
