"""Chapter 11's bug lab as a widget: a test batch size slider and the mode, for a trained network.

Forgetting inference mode (``training=True`` at test time) normalizes every test batch by its own
statistics, so a prediction depends on which images share its batch and how many: the accuracy moves
with the test batch size. In inference mode it cannot. The accuracies come from
``bn_lesson.models.mlp.accuracy_in_batches`` for every size once, when the widget is built (the chapter's
own trained network); a control move only reads them and redraws the marker.
"""
import ipywidgets as widgets
import numpy as np

from .._checks import check_positive_int
from ..models.mlp import accuracy_in_batches
from ..viz.batch_size_plots import BatchSizeArtists
from ._picture import Picture

#: the test batch sizes the slider offers (those below the test set's size, and the whole test set)
TEST_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def batch_size_sizes(n_test, sizes=TEST_BATCH_SIZES):
    """The sizes below ``n_test`` and ``n_test`` itself (one batch of the whole test set)."""
    n_test = check_positive_int(n_test, "n_test")
    return tuple(s for s in sizes if s < n_test) + (n_test,)


def batch_size_accuracies(model, X, y, sizes):
    """{True: (K,), False: (K,)}: ``accuracy_in_batches`` at every size, in training and inference mode."""
    return {training: np.array([accuracy_in_batches(model, X, y, s, training) for s in sizes])
            for training in (True, False)}


class BatchSizeBug(widgets.VBox):
    """A slider for the test batch size, buttons for the mode, and the figure (an ``ipywidgets.VBox``).

    Parameters
    ----------
    model : a trained MLP with batch norm; X : (N, D_in) test inputs; y : (N,) labels
    batch_size, training : the controls' first values
    accuracy : what ``batch_size_accuracies(model, X, y, batch_size_sizes(len(X)))`` returned, if the
        caller has it already (it is not recomputed), or None

    Attributes
    ----------
    batch_size : SelectionSlider (CSS class ``bn-test-batch``), training : ToggleButtons (True / False)
    image : Image, sizes : the sizes offered, accuracy : {True: (K,), False: (K,)}
    last : (batch_size, training, accuracy) the figure shows now
    """

    def __init__(self, model, X, y, batch_size=32, training=True, accuracy=None):
        self.sizes = batch_size_sizes(len(X))
        self.accuracy = batch_size_accuracies(model, X, y, self.sizes) if accuracy is None else accuracy
        self.batch_size = widgets.SelectionSlider(options=self.sizes, value=batch_size,
                                                  description="test batch", continuous_update=True)
        self.batch_size.add_class("bn-test-batch")
        self.training = widgets.ToggleButtons(options=[("training=True (bug)", True),
                                                       ("training=False", False)],
                                              value=training, style={"button_width": "auto"})
        self.picture = Picture(lambda fig: BatchSizeArtists(fig.subplots(), self.sizes, self.accuracy), (7.5, 3.4),
                               "bn-batch-size-figure")
        self._artists, self.image = self.picture.artists, self.picture.image
        super().__init__(children=[widgets.HBox([self.batch_size, self.training]), self.image])
        self.add_class("bn-batch-size-bug")
        self.update()
        self.batch_size.observe(lambda _change: self.update(), names="value")
        self.training.observe(lambda _change: self.update(), names="value")

    def update(self):
        """Read the accuracy at the controls' values, move the marker, render; returns ``last``."""
        size, training = int(self.batch_size.value), bool(self.training.value)
        self.last = (size, training, float(self.accuracy[training][self.sizes.index(size)]))
        self._artists.set(size, training)
        self.picture.show()
        return self.last


def build_batch_size_bug(model, X, y, **kwargs):
    """Build the test-batch-size bug widget (see ``BatchSizeBug``)."""
    return BatchSizeBug(model, X, y, **kwargs)
