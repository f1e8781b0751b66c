"""The demo app's two views beside the explorer (``make demo``, ``demo/dashboard.ipynb``).

Each view is a pure function (tests check its numbers), a plot helper in ``bn_lesson.viz.demo_plots`` and a
widget here:

* ``compare_training`` / ``plot_training_comparison`` / ``build_training_comparison`` -- one deep network
  trained with and without batch norm (``bn_lesson.models.mlp``), live, in a few seconds: the paper's
  Figure 1, small enough to run in class;
* ``train_vs_inference`` / ``plot_train_vs_inference`` / ``build_train_vs_inference`` -- chapter 06's first
  lesson as a slider: a batch-norm layer's moving averages after K training steps, and a fresh batch in
  training and inference mode.
"""
import functools
import inspect
import io
import time
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._checks import check_momentum, check_positive_int
from ..constants import DEFAULT_MOMENTUM
from ..data import digits_split
from ..inference import moving_average
from ..layer import BatchNorm
from ..models.mlp import MLP, train
from ..viz.demo_plots import TrainVsInferenceArtists, plot_training_comparison
from ._render import Blitter, encode_png


# -- the training comparison: the pure run ----------------------------------------------------------------
#
# The same deep sigmoid network, the same initial weights and the same mini-batches, trained with and without
# batch normalization, on scikit-learn's bundled digits (nothing is downloaded).

def compare_training(data=None, *, init_scale=4.0, lr=0.3, steps=300, depth=6, width=64,
                     activation="sigmoid", batch_size=32, seed=0, record_every=10):
    """Train one network twice, without and with batch norm, from the same weights and mini-batches.

    Parameters
    ----------
    data : ``bn_lesson.data.DigitsSplit`` or None (``digits_split(seed)``, chapter 02's split)
    init_scale, lr, steps, batch_size, activation : as ``bn_lesson.models.mlp.MLP`` / ``train`` take them
    depth, width : number of hidden layers and units per hidden layer
    seed : draws the initial weights and the mini-batch order (the same for both runs)

    Returns
    -------
    dict {"without BN": History, "with BN": History} -- ``History`` of ``bn_lesson.models.mlp.train``, measured
    on the test set, with the 15/50/85th percentiles of unit 0 of the last hidden layer
    """
    for name, value in (("steps", steps), ("depth", depth), ("width", width)):
        check_positive_int(value, name)
    data = digits_split(seed) if data is None else data
    sizes = [data.X_train.shape[1]] + [width] * depth + [int(data.y_train.max()) + 1]
    runs = {}
    for label, bn in (("without BN", False), ("with BN", True)):
        model = MLP(sizes, np.random.default_rng(seed), activation=activation, init_scale=init_scale,
                    batch_norm=bn)
        runs[label] = train(model, data.X_train, data.y_train, lr=lr, steps=steps, batch_size=batch_size,
                            rng=np.random.default_rng(seed), X_probe=data.X_test, y_probe=data.y_test,
                            units=[(depth - 1, 0)], record_every=record_every)
    return runs


#: the network and run the comparison uses unless told otherwise (chapter 02's deep sigmoid network):
#: ``compare_training``'s own defaults
COMPARISON_DEFAULTS = {name: p.default for name, p in inspect.signature(compare_training).parameters.items()
                       if p.kind is p.KEYWORD_ONLY and name != "record_every"}


# -- train vs inference: the pure computation ---------------------------------------------------------------
#
# A fresh batch-norm layer sees K training batches; at inference it normalizes with its moving averages,
# which start at mean 0 / variance 1 and forget that start slowly (momentum 0.99: 459 updates until it
# weighs under 1 %). Before then, inference outputs are off.

#: one feature's true distribution (chapter 06's first feature), the batch size, and the most steps shown
TVI_MEAN, TVI_STD, TVI_BATCH, TVI_MAX_STEPS = 3.0, 2.0, 32, 1000
TVI_MOMENTA = (0.9, DEFAULT_MOMENTUM, 0.999)


class TrainVsInference(NamedTuple):
    """What ``train_vs_inference`` returns (one feature)."""

    steps: int
    momentum: float
    moving_mean: np.ndarray  #: (TVI_MAX_STEPS + 1,) the moving mean after 0, 1, ... updates
    moving_var: np.ndarray   #: (TVI_MAX_STEPS + 1,) the moving variance
    train_out: np.ndarray    #: (N,) a fresh batch normalized in training mode (its own statistics)
    infer_out: np.ndarray    #: (N,) the same batch in inference mode (the moving averages after ``steps``)
    start_weight: float      #: momentum ** steps: how much the moving averages still hold of 0 and 1
    true_mean: float = TVI_MEAN        #: the feature's true mean, which the moving mean should reach
    true_var: float = TVI_STD ** 2     #: and its true variance
    batch_size: int = TVI_BATCH        #: the size of each training batch


@functools.lru_cache(maxsize=8)
def _tvi_stream(momentum, seed, n_test):
    """The training stream's moving averages and the fresh test batch (cached: a slider move reuses them)."""
    rng = np.random.default_rng(seed)
    stream = TVI_MEAN + TVI_STD * rng.normal(size=(TVI_MAX_STEPS, TVI_BATCH))  # (steps, batch)
    test = (TVI_MEAN + TVI_STD * rng.normal(size=n_test))[:, None]               # (N, 1)
    moving_mean = moving_average(stream.mean(axis=1), momentum, start=0.0)     # (steps + 1,)
    moving_var = moving_average(stream.var(axis=1), momentum, start=1.0)       # biased, as Keras
    for a in (moving_mean, moving_var, test):
        a.setflags(write=False)
    return moving_mean, moving_var, test


def train_vs_inference(steps=100, momentum=DEFAULT_MOMENTUM, seed=0, n_test=2000):
    """A fresh ``BatchNorm`` trained on ``steps`` batches, then one fresh batch in both modes.

    Parameters
    ----------
    steps : int in [0, TVI_MAX_STEPS] -- training batches the layer has seen
    momentum : float in [0, 1) -- the layer's momentum (Keras: 0.99)
    seed : the stream of training batches and the test batch (the same for every ``steps``)
    n_test : size of the fresh batch

    Returns
    -------
    TrainVsInference

    Notes
    -----
    The moving averages are ``bn_lesson.inference.moving_average`` of the batch means and (biased)
    variances, which is what ``BatchNorm.forward(..., training=True)`` computes step by step; the
    inference output then comes from ``BatchNorm.forward(..., training=False)`` with them.
    """
    if check_positive_int(steps, "steps", minimum=0) > TVI_MAX_STEPS:
        raise ValueError(f"steps must be an int in [0, {TVI_MAX_STEPS}], got {steps!r}")
    momentum = check_momentum(momentum)
    moving_mean, moving_var, test = _tvi_stream(momentum, check_positive_int(seed, "seed", minimum=0),
                                                check_positive_int(n_test, "n_test"))
    layer = BatchNorm(1, momentum=momentum)
    train_out, _ = layer.forward(test, training=True)
    layer.moving_mean, layer.moving_var = moving_mean[[steps]], moving_var[[steps]]
    infer_out, _ = layer.forward(test, training=False)
    return TrainVsInference(int(steps), momentum, moving_mean, moving_var, train_out[:, 0], infer_out[:, 0],
                            float(momentum ** steps))


# -- the widgets ----------------------------------------------------------------------------------------------

class TrainingComparison(widgets.VBox):
    """Controls + a "train both" button + the comparison figure (an ``ipywidgets.VBox``).

    Training takes a few seconds, so it runs on the button, not on every slider move.

    Attributes
    ----------
    init_scale, lr : FloatLogSlider       weight scale and learning rate
    steps : Dropdown                      training steps
    activation : ToggleButtons            sigmoid / tanh / relu
    run : Button                          trains both networks (CSS class ``bn-train``)
    status : Label                        what the last run found, and how long it took
    image : Image                         the figure, as PNG (CSS class ``bn-training-figure``)
    runs : dict                           the last ``compare_training`` result
    """

    def __init__(self, data=None, train_now=True, dpi=80, **settings):
        unknown = set(settings) - set(COMPARISON_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; choose from {sorted(COMPARISON_DEFAULTS)}")
        self.settings = dict(COMPARISON_DEFAULTS, **settings)
        self.data = data if data is not None else digits_split(self.settings["seed"])
        s = self.settings
        self.init_scale = widgets.FloatLogSlider(value=s["init_scale"], base=2, min=-2, max=5, step=1,
                                                 description="init scale", readout_format=".3g",
                                                 continuous_update=False)
        self.lr = widgets.FloatLogSlider(value=s["lr"], base=10, min=-2, max=1, step=0.1, description="learning rate",
                                         readout_format=".2g", continuous_update=False,
                                         style={"description_width": "initial"})
        self.steps = widgets.Dropdown(options=[100, 300, 1000], value=s["steps"], description="steps",
                                      layout=widgets.Layout(width="160px"))
        self.activation = widgets.ToggleButtons(options=["sigmoid", "tanh", "relu"], value=s["activation"],
                                                style={"button_width": "70px"})
        self.run = widgets.Button(description="train both", button_style="primary")
        self.run.add_class("bn-train")
        self.status = widgets.Label("")
        self._dpi = dpi
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{12 * dpi}px",
                                                                       height=f"{3.4 * dpi:.0f}px"))
        self.image.add_class("bn-training-figure")
        self.runs = None
        self.run.on_click(lambda _button: self.train())
        super().__init__(children=[
            widgets.HBox([self.init_scale, self.lr, self.steps]),
            widgets.HBox([self.activation, self.run, self.status]),
            self.image,
        ])
        self.add_class("bn-training-comparison")
        if train_now:
            self.train()

    def current_settings(self):
        """The settings the controls show now."""
        return dict(self.settings, init_scale=float(self.init_scale.value), lr=float(self.lr.value),
                    steps=int(self.steps.value), activation=self.activation.value)

    def train(self):
        """Train both networks with the controls' settings, redraw, and return the runs."""
        self.run.disabled = True
        self.status.value = "training both networks..."
        start = time.perf_counter()
        try:
            self.runs = compare_training(self.data, **self.current_settings())
        finally:
            self.run.disabled = False
        seconds = time.perf_counter() - start
        fig = Figure(figsize=(12, 3.4), dpi=self._dpi, layout="constrained")
        FigureCanvasAgg(fig)
        plot_training_comparison(self.runs, fig.subplots(1, 3), self.activation.value)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        self.image.value = buf.getvalue()
        ends = {k: ("diverged" if h.diverged else f"{h.probe_accuracy[-1]:.0%}") for k, h in self.runs.items()}
        self.status.value = (f"test accuracy without BN {ends['without BN']}, with BN {ends['with BN']} "
                             f"(both trained in {seconds:.1f} s)")
        return self.runs


def build_training_comparison(**kwargs):
    """Build the with/without-BN training comparison widget (see ``TrainingComparison``)."""
    return TrainingComparison(**kwargs)


class TrainVsInferenceView(widgets.VBox):
    """A slider for the training steps, buttons for the momentum, and the figure (an ``ipywidgets.VBox``).

    One figure: its fixed parts (axes, ticks, legend) are drawn once and kept as a background; a move
    updates the changing artists in place and draws only those over the background (blitting).

    Attributes
    ----------
    steps : IntSlider (CSS class ``bn-tvi-steps``), momentum : ToggleButtons
    image : Image (CSS class ``bn-tvi-figure``), last : the last ``TrainVsInference``
    """

    def __init__(self, steps=100, momentum=DEFAULT_MOMENTUM, dpi=80):
        self.steps = widgets.IntSlider(value=steps, min=0, max=TVI_MAX_STEPS, step=10, description="steps",
                                       continuous_update=True, layout=widgets.Layout(width="420px"))
        self.steps.add_class("bn-tvi-steps")
        self.momentum = widgets.ToggleButtons(options=TVI_MOMENTA, value=momentum, description="momentum",
                                              style={"button_width": "60px"})
        self.last = train_vs_inference(int(self.steps.value), float(self.momentum.value))
        self.figure = Figure(figsize=(11, 3.4), dpi=dpi)
        self.figure.subplots_adjust(left=0.04, right=0.99, top=0.9, bottom=0.15, wspace=0.08)
        self._artists = TrainVsInferenceArtists(*self.figure.subplots(1, 2), self.last)
        self._blitter = Blitter(self.figure, self._artists.animated())
        width, height = self._blitter.size()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class("bn-tvi-figure")
        for control in (self.steps, self.momentum):
            control.observe(lambda _change: self.update(), names="value")
        super().__init__(children=[widgets.HBox([self.steps, self.momentum]), self.image])
        self.add_class("bn-train-vs-inference")
        self.update()

    def update(self):
        """Recompute with the controls' values, update the artists, render; returns the result."""
        self.last = train_vs_inference(int(self.steps.value), float(self.momentum.value))
        self._artists.set(self.last)
        self._blitter.render()
        self.image.value = encode_png(self._blitter.image())
        return self.last


def build_train_vs_inference(**kwargs):
    """Build the train-vs-inference view (see ``TrainVsInferenceView``)."""
    return TrainVsInferenceView(**kwargs)
