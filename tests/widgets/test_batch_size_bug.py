"""Chapter 11's bug lab widget: accuracy against the test batch size, in training and inference mode.

How fast a control move redraws is measured by ``make bench`` (its widgets part), not by a timed test.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bn_lesson.data import digits_split  # noqa: E402
from bn_lesson.models.mlp import MLP, accuracy_in_batches  # noqa: E402
from bn_lesson.models.train import train  # noqa: E402
from bn_lesson.viz.batch_size_plots import plot_batch_size_bug  # noqa: E402
from bn_lesson.widgets.batch_size_bug import (  # noqa: E402
    TEST_BATCH_SIZES, batch_size_accuracies, batch_size_sizes, build_batch_size_bug,
)


@pytest.fixture(scope="module")
def trained():
    """A small batch-norm network trained briefly on digits, and 100 test images."""
    X_tr, X_te, y_tr, y_te = digits_split(0)
    net = MLP([64, 32, 32, 10], np.random.default_rng(0), batch_norm=True, momentum=0.9)
    train(net, X_tr, y_tr, lr=0.1, steps=200, batch_size=32, rng=np.random.default_rng(0))
    return net, X_te[:100], y_te[:100]


def test_inference_mode_does_not_depend_on_the_batch_size(trained):
    net, X, y = trained
    accs = {accuracy_in_batches(net, X, y, size, training=False) for size in (1, 3, 32, 100)}
    assert accs == {net.accuracy(X, y)}


def test_training_mode_depends_on_it_and_leaves_the_model_unchanged(trained):
    net, X, y = trained
    before = [layer.moving_mean.copy() for layer in net.bn]
    one = accuracy_in_batches(net, X, y, 1, training=True)
    whole = accuracy_in_batches(net, X, y, 100, training=True)
    # a batch of one comes out of batch norm as beta: every image gets the same class
    labels = [net.predict(X[i:i + 1], training=True)[0] for i in range(10)]
    assert len(set(labels)) == 1
    assert one == pytest.approx(np.mean(y == labels[0])) and whole > one + 0.3
    assert all(np.array_equal(b, layer.moving_mean) for b, layer in zip(before, net.bn))


def test_validation_at_the_boundary(trained):
    net, X, y = trained
    with pytest.raises(ValueError, match="batch_size"):
        accuracy_in_batches(net, X, y, 0, training=True)
    with pytest.raises(TypeError, match="training"):
        accuracy_in_batches(net, X, y, 4, training="yes")
    with pytest.raises(ValueError, match="batch norm"):
        accuracy_in_batches(MLP([64, 10], np.random.default_rng(0)), X, y, 4, training=True)


def test_sizes_stop_at_the_test_set():
    assert batch_size_sizes(540) == TEST_BATCH_SIZES + (540,)
    assert batch_size_sizes(10) == (1, 2, 4, 8, 10)


def test_setting_the_controls_reads_what_the_pure_function_computes(trained):
    net, X, y = trained
    view = build_batch_size_bug(net, X, y, batch_size=4)
    assert view.sizes == batch_size_sizes(100)
    first = view.image.value
    view.batch_size.value = 1
    assert view.last == (1, True, accuracy_in_batches(net, X, y, 1, training=True))
    view.training.value = False
    assert view.last == (1, False, net.accuracy(X, y))
    assert view.image.value != first and view.image.value[:4] == b"\x89PNG"
    assert "training=False" in view._artists.title.get_text()


def test_the_static_twin_marks_the_chosen_size(trained):
    net, X, y = trained
    sizes = batch_size_sizes(100)
    acc = batch_size_accuracies(net, X, y, sizes)
    ax = plot_batch_size_bug(sizes, acc, batch_size=8)
    assert ax.lines[-1].get_xydata().tolist() == [[8, acc[True][sizes.index(8)]]]
    assert "batches of 8" in ax.get_title()
    plt.close(ax.figure)
