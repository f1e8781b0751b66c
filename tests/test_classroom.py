"""Presenter mode: it changes exactly the rcParams it names, restores them, and styles the page."""
import subprocess
import sys

import matplotlib as mpl
import numpy as np
import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient

from bn_lesson.widgets.presenter import PRESENTER_RC, is_presenting, presenter, presenter_css, restore


@pytest.fixture(autouse=True)
def clean_rc():
    """Each test starts from matplotlib's defaults with presenter mode off, and leaves them so."""
    restore()
    with mpl.rc_context():
        mpl.rcdefaults()
        yield
        restore()


def test_presenter_sets_large_high_contrast_rcparams():
    before = {k: mpl.rcParams[k] for k in PRESENTER_RC}
    assert presenter() is True and is_presenting()
    for key, value in PRESENTER_RC.items():
        assert mpl.rcParams[key] == mpl.rcParams.validate[key](value), key
    assert mpl.rcParams["font.size"] > before["font.size"]
    assert mpl.rcParams["figure.dpi"] > before["figure.dpi"]
    assert mpl.rcParams["lines.linewidth"] > before["lines.linewidth"]


def test_restore_puts_back_every_changed_value():
    mpl.rcParams["font.size"] = 11.5  # a user's own setting before presenter mode
    before = {k: mpl.rcParams[k] for k in PRESENTER_RC}
    presenter()
    assert mpl.rcParams["font.size"] != 11.5
    assert restore() is False and not is_presenting()
    assert {k: mpl.rcParams[k] for k in PRESENTER_RC} == before


def test_presenter_false_is_restore_and_second_call_keeps_the_originals():
    before = dict(mpl.rcParams)
    presenter()
    presenter()  # must not save the presenter values as "originals"
    assert presenter(False) is False
    assert dict(mpl.rcParams) == before


def test_restore_when_off_changes_nothing():
    before = dict(mpl.rcParams)
    restore()
    assert dict(mpl.rcParams) == before


def test_only_named_keys_change():
    before = dict(mpl.rcParams)
    presenter()
    changed = {k for k in before if mpl.rcParams[k] != before[k]}
    assert changed <= set(PRESENTER_RC)


def test_figures_drawn_in_presenter_mode_are_bigger():
    fig_default = plt.figure(figsize=(6, 3.5))
    presenter()
    fig_big = plt.figure(figsize=(6, 3.5))
    try:
        assert fig_big.dpi > fig_default.dpi
        assert fig_big.get_size_inches().tolist() == fig_default.get_size_inches().tolist()
    finally:
        plt.close(fig_default)
        plt.close(fig_big)


def test_bad_argument_is_named():
    with pytest.raises(ValueError, match="on must be True or False"):
        presenter("yes")


def test_css_enlarges_widget_controls():
    css = presenter_css()
    assert css.startswith("<style") and css.endswith("</style>")
    assert "--jp-widgets-font-size: 20px" in css
    assert "--jp-widgets-slider-handle-size: 26px" in css
    assert ":root:root" in css  # beats the :root rules whatever the load order


def test_import_has_no_side_effects():
    code = (
        "import matplotlib as mpl; before = dict(mpl.rcParams)\n"
        "import bn_lesson, bn_lesson.widgets.presenter\n"
        "assert dict(mpl.rcParams) == before\n"
        "assert not bn_lesson.widgets.presenter.is_presenting()\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_outside_ipython_nothing_is_printed(capsys):
    presenter()
    restore()
    assert capsys.readouterr().out == ""


def test_in_a_kernel_the_style_is_shown_then_removed():
    """In a real kernel presenter() shows the style; restore() replaces that same output with nothing."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from bn_lesson.widgets.presenter import presenter, restore\npresenter();"),
        nbformat.v4.new_code_cell("import matplotlib as mpl\nprint(mpl.rcParams['font.size'])"),
        nbformat.v4.new_code_cell("restore();\nprint(mpl.rcParams['font.size'])"),
    ]
    client = NotebookClient(nb, timeout=120, kernel_name="python3")
    with client.setup_kernel():
        client.execute_cell(nb.cells[0], 0)
        shown = nb.cells[0].outputs[0]["data"]["text/html"]
        client.execute_cell(nb.cells[1], 1)
        client.execute_cell(nb.cells[2], 2)
    assert shown == presenter_css()
    assert nb.cells[1].outputs[0]["text"].strip() == str(float(PRESENTER_RC["font.size"]))
    assert len(nb.cells[0].outputs) == 1
    assert nb.cells[0].outputs[0]["data"]["text/html"] == ""  # the same output, emptied by restore()
    assert nb.cells[2].outputs[0]["text"].strip() == "10.0"


# -- the demo app's training comparison ------------------------------------------------------------------

threadpoolctl = pytest.importorskip("threadpoolctl")  # comes with scikit-learn


@pytest.fixture(scope="module")
def digits():
    from bn_lesson.data import digits_split

    return digits_split(0)


@pytest.fixture(autouse=False)
def one_blas_thread():
    with threadpoolctl.threadpool_limits(1):  # small matrices: extra BLAS threads only slow them down
        yield


def test_compare_training_records_both_runs(digits, one_blas_thread):
    from bn_lesson.widgets.presenter import compare_training

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
    from bn_lesson.widgets.presenter import compare_training

    runs = compare_training(digits, init_scale=0.25, steps=300, record_every=100)
    without, with_bn = (runs[k].probe_accuracy[-1] for k in ("without BN", "with BN"))
    assert without < 0.3 < 0.85 < with_bn, (without, with_bn)


def test_compare_training_validates(digits):
    from bn_lesson.widgets.presenter import compare_training

    with pytest.raises(ValueError, match="steps"):
        compare_training(digits, steps=0)
    with pytest.raises(ValueError, match="depth"):
        compare_training(digits, depth=1.5)


def test_plot_training_comparison_draws_three_panels(digits, one_blas_thread):
    from bn_lesson.widgets.presenter import compare_training, plot_training_comparison

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
    from bn_lesson.widgets.presenter import build_training_comparison

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


# -- the demo app's train-vs-inference view ----------------------------------------------------------------

def test_inference_output_is_off_until_the_moving_averages_forget_their_start():
    from bn_lesson.widgets.presenter import TVI_MEAN, TVI_STD, train_vs_inference
    from bn_lesson.inference import steps_to_converge

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
    from bn_lesson.widgets.presenter import TVI_BATCH, TVI_MAX_STEPS, TVI_MEAN, TVI_STD, train_vs_inference
    from bn_lesson.layer import BatchNorm

    result = train_vs_inference(steps=50, momentum=0.9, seed=3)
    rng = np.random.default_rng(3)
    stream = TVI_MEAN + TVI_STD * rng.normal(size=(TVI_MAX_STEPS, TVI_BATCH))
    layer = BatchNorm(1, momentum=0.9)
    for batch in stream[:50]:
        layer.forward(batch[:, None], training=True)
    assert np.allclose(result.moving_mean[50], layer.moving_mean[0])
    assert np.allclose(result.moving_var[50], layer.moving_var[0])


def test_train_vs_inference_validates():
    from bn_lesson.widgets.presenter import train_vs_inference

    with pytest.raises(ValueError, match="steps"):
        train_vs_inference(steps=-1)
    with pytest.raises(ValueError, match="momentum"):
        train_vs_inference(momentum=1.0)


def test_train_vs_inference_widget_follows_its_slider():
    from bn_lesson.widgets.presenter import build_train_vs_inference, plot_train_vs_inference

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
