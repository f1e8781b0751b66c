"""The demo app's two views: the pure runs checked against the layers they stand for, the widgets driven."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bn_lesson.data import digits_split  # noqa: E402
from bn_lesson.inference import steps_to_converge  # noqa: E402
from bn_lesson.layer import BatchNorm  # noqa: E402
from bn_lesson.viz.demo_plots import plot_train_vs_inference, plot_training_comparison  # noqa: E402
from bn_lesson.widgets.demo_views import (  # noqa: E402
    TVI_BATCH, TVI_MAX_STEPS, TVI_MEAN, TVI_STD, build_train_vs_inference, build_training_comparison,
    compare_training, train_vs_inference,
)

threadpoolctl = pytest.importorskip("threadpoolctl")  # comes with scikit-learn


# -- the training comparison ------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return digits_split(0)


@pytest.fixture(autouse=False)
def one_blas_thread():
    with threadpoolctl.threadpool_limits(1):  # small matrices: extra BLAS threads only slow them down
        yield


def test_compare_training_records_both_runs(digits, one_blas_thread):
    runs = compare_training(digits, steps=30, record_every=10, depth=2, width=16)
    assert list(runs) == ["without BN", "with BN"]
    for hist in runs.values():
        assert hist.record_steps.tolist() == [0, 10, 20, 30]
        assert hist.unit_percentiles.shape == (4, 1, 3)
        assert len(hist.loss) == 30
    # the same weights and the same batches: without BN the two runs would be identical
    same = compare_training(digits, steps=30, record_every=10, depth=2, width=16)
    assert np.array_equal(same["without BN"].loss, runs["without BN"].loss)


def test_bn_rescues_a_badly_initialized_deep_network(digits, one_blas_thread):
    runs = compare_training(digits, init_scale=0.25, steps=300, record_every=100)
    without, with_bn = (runs[k].probe_accuracy[-1] for k in ("without BN", "with BN"))
    assert without < 0.3 < 0.85 < with_bn, (without, with_bn)


def test_compare_training_validates(digits):
    with pytest.raises(ValueError, match="steps"):
        compare_training(digits, steps=0)
    with pytest.raises(TypeError, match="depth"):
        compare_training(digits, depth=1.5)


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
    w.init_scale.value = 0.5
    w.lr.value = 1.0
    w.run.click()
    assert w.current_settings()["init_scale"] == 0.5
    assert w.runs["with BN"].record_steps[-1] == 100
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "without BN" in w.status.value and "with BN" in w.status.value and not w.run.disabled
    with pytest.raises(ValueError, match="unknown setting"):
        build_training_comparison(data=digits, train_now=False, learning_rate=1.0)


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
        assert "after 200 steps" in left.texts[0].get_text()
        assert [t.get_text().split(":")[0] for t in right.texts] == ["training mode (batch statistics)",
                                                                     "inference mode (moving averages)"]
    finally:
        plt.close(left.figure)
