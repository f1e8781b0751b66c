"""The demo app's two views beside the explorer (``make demo``, ``demo/dashboard.ipynb``).

Each view is a pure function (tests check its numbers), a plot helper in ``bn_lesson.viz.demo_plots`` and a
widget here:

* ``compare_training`` / ``plot_training_comparison`` / ``build_training_comparison`` -- chapter 08's
  Figure 1 experiment, the same network and run, trained with and without batch norm live in about two
  seconds (numpy instead of Keras, so the app needs no TensorFlow; one seed, not the chapter's five);
  ``comparison_findings`` measures what the chapter measures. Chapter 08 embeds it after its sweeps;
* ``train_vs_inference`` / ``plot_train_vs_inference`` / ``build_train_vs_inference`` -- chapter 06's first
  lesson as a slider: a batch-norm layer's moving averages after K training steps, and a fresh batch in
  training and inference mode.

The pictures are drawn for the screen they are shown on: in presenter mode
(``bn_lesson.widgets.presenter``) at a projector's size with its larger fonts, laid out for them
(``view_size``), rather than a laptop-sized picture enlarged by the browser.
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

from .._checks import check_momentum, check_number, check_positive_int
from ..constants import DEFAULT_MOMENTUM, SHORT_RUN_MOMENTUM
from ..data import digits_shuffled
from ..inference import moving_average
from ..layer import BatchNorm
from ..models.mlp import MLP
from ..models.train import train
from ..stats import percentile_ranges, spread_growth
from ..viz.demo_plots import TrainVsInferenceArtists, plot_training_comparison
from ._render import Blitter, encode_png
from .presenter import NATIVE_SIZE_CLASS, is_presenting


def view_size(aspect):
    """(figsize in inches, dpi) of a view's picture: 960 px wide on a laptop; 1,800 px on a projector
    (presenter mode), where the fonts are larger and the layout is made for them.

    Parameters
    ----------
    aspect : float -- height / width
    """
    width_in, dpi = (18.0, 100) if is_presenting() else (12.0, 80)
    return (width_in, round(width_in * aspect, 2)), dpi


# -- the training comparison: the pure run ----------------------------------------------------------------
#
# Chapter 08's Figure 1 experiment (the paper's network, made small): the same network, the same initial
# weights and the same mini-batches, trained with and without batch normalization on scikit-learn's bundled
# digits (nothing is downloaded), recorded on the 500 test images in inference mode every 50 steps. Its
# defaults are the chapter's: 1,000 steps at learning rate 3 (the plain network's best on the chapter's grid).
# Both runs together take ~2 s of one core (1,000 steps of two 3x100 networks, batches of 60).

FIGURE1_MOMENTUM = SHORT_RUN_MOMENTUM   #: chapter 08's batch-norm momentum for its short runs
#: the target accuracy chapter 08 counts steps to
TARGET_ACCURACY = 0.9


def compare_training(data=None, *, init_std=0.1, lr=3.0, steps=1000, depth=3, width=100,
                     activation="sigmoid", batch_size=60, momentum=FIGURE1_MOMENTUM, seed=0, record_every=50):
    """Train one network twice, without and with batch norm, from the same weights and mini-batches.

    The defaults are chapter 08's Figure 1 run: three hidden layers of 100 sigmoid units, weights drawn
    from N(0, 0.1²), plain SGD at learning rate 3 on batches of 60 for 1,000 steps, batch-norm momentum
    0.9, recorded every 50 steps. What differs from the chapter's Keras runs: numpy in float64 (Keras:
    float32), its own draw of the initial weights and batch order, and one seed at a time.

    Parameters
    ----------
    data : (x_train, y_train, x_test, y_test) as ``bn_lesson.data.digits_shuffled`` returns, or None
        (``digits_shuffled(default_rng(seed))``, chapter 08's split: 1,297 training and 500 test images)
    init_std : float > 0 -- every weight ~ N(0, init_std²) (Keras' ``RandomNormal(stddev=init_std)``)
    lr, steps, batch_size, activation : as ``bn_lesson.models.mlp.train`` / ``MLP`` take them
    depth, width : number of hidden layers and units per hidden layer
    momentum : the batch-norm layers' momentum
    seed : draws the initial weights and the mini-batch order (the same for both runs)
    record_every : steps between records; records start at step ``record_every``, as chapter 08's do

    Returns
    -------
    dict {"without BN": History, "with BN": History} -- ``History`` of ``bn_lesson.models.mlp.train``, measured
    on the test set, with the 15/50/85th percentiles of every unit of the last hidden layer
    (``unit_percentiles`` is (R, width, 3); unit 0 is the one the figure shows)
    """
    for name, value in (("steps", steps), ("depth", depth), ("width", width), ("record_every", record_every)):
        check_positive_int(value, name)
    init_std = check_number(init_std, "init_std", low=0.0, low_open=True)
    x_train, y_train, x_test, y_test = digits_shuffled(np.random.default_rng(seed)) if data is None else data
    x_train, x_test = np.asarray(x_train, dtype=float), np.asarray(x_test, dtype=float)
    y_train, y_test = np.asarray(y_train, dtype=np.int64), np.asarray(y_test, dtype=np.int64)
    sizes = [x_train.shape[1]] + [width] * depth + [int(y_train.max()) + 1]
    runs = {}
    for label, bn in (("without BN", False), ("with BN", True)):
        rng = np.random.default_rng(seed)
        model = MLP(sizes, rng, activation=activation, batch_norm=bn, momentum=momentum)
        model.W = [rng.normal(0.0, init_std, size=w.shape) for w in model.W]  # (D_l, D_l+1), as Keras draws them
        history = train(model, x_train, y_train, lr=lr, steps=steps, batch_size=batch_size,
                        rng=np.random.default_rng(seed), X_probe=x_test, y_probe=y_test,
                        units=[(depth - 1, u) for u in range(width)], record_every=record_every)
        runs[label] = _without_step_zero(history)
    return runs


def _without_step_zero(history):
    """``history`` without its record at step 0. Chapter 08 records from step 50 on; at step 0 a batch-norm
    network in inference mode shows its moving statistics' starting values (0 and 1), not the network."""
    keep = history.record_steps > 0
    n = len(history.record_steps)
    return history._replace(**{name: value[keep] for name, value in history._asdict().items()
                               if name != "loss" and isinstance(value, np.ndarray) and value.shape[:1] == (n,)})


#: the network and run the comparison uses unless told otherwise: ``compare_training``'s own defaults
COMPARISON_DEFAULTS = {name: p.default for name, p in inspect.signature(compare_training).parameters.items()
                       if p.kind is p.KEYWORD_ONLY and name != "record_every"}


class Findings(NamedTuple):
    """What chapter 08 measures on its Figure 1 run, for each of "without BN" and "with BN"."""

    steps_to_target: dict  #: the first recorded step with test accuracy >= ``TARGET_ACCURACY``, or None
    final_accuracy: dict   #: mean test accuracy of the last three records
    median_wander: dict    #: over the last layer's units, the median of (max - min) of each unit's median input
    spread_growth: dict    #: over those units, the median factor by which the 15th-85th spread changed


def comparison_findings(runs, target=TARGET_ACCURACY):
    """Chapter 08's numbers for a ``compare_training`` result: how soon each run reaches ``target`` test
    accuracy, and how much the inputs of the last hidden layer's units drifted (a diverged run: None/NaN)."""
    found = {field: {} for field in Findings._fields}
    for label, hist in runs.items():
        acc = hist.probe_accuracy
        reached = np.flatnonzero(acc >= target)
        found["steps_to_target"][label] = int(hist.record_steps[reached[0]]) if reached.size else None
        found["final_accuracy"][label] = float(acc[-3:].mean()) if acc.size else float("nan")
        usable = len(hist.record_steps) >= 2 and not hist.diverged
        found["median_wander"][label] = (float(np.median(percentile_ranges(hist.unit_percentiles)[:, 1]))
                                         if usable else float("nan"))
        found["spread_growth"][label] = (float(np.median(spread_growth(hist.unit_percentiles)))
                                         if usable else float("nan"))
    return Findings(**found)


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

    Training takes about 2 s at the defaults (1,000 steps; the status line says how long it took), so it
    runs on the button, not on every slider move. The controls offer the values chapter 08 tries (its
    learning-rate and initial-scale sweeps) and their combinations, the activation, and the steps.

    Attributes
    ----------
    init_std, lr : SelectionSlider        initial weight scale and learning rate
    steps : Dropdown                      training steps
    activation : ToggleButtons            sigmoid / tanh / relu
    run : Button                          trains both networks (CSS class ``bn-train``)
    status : Label                        what the last run found, and how long it took
    image : Image                         the figure, as PNG (CSS class ``bn-training-figure``)
    runs : dict                           the last ``compare_training`` result
    """

    INIT_STDS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
    RATES = (0.1, 0.3, 0.5, 1.0, 3.0, 10.0, 30.0, 100.0)
    STEPS = (500, 1000, 2000, 4000)

    def __init__(self, data=None, train_now=True, **settings):
        unknown = set(settings) - set(COMPARISON_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; choose from {sorted(COMPARISON_DEFAULTS)}")
        self.settings = dict(COMPARISON_DEFAULTS, **settings)
        s = self.settings
        self.data = data if data is not None else digits_shuffled(np.random.default_rng(s["seed"]))
        self.init_std = widgets.SelectionSlider(options=sorted({*self.INIT_STDS, s["init_std"]}),
                                                value=s["init_std"], description="initial std",
                                                continuous_update=False)
        self.lr = widgets.SelectionSlider(options=sorted({*self.RATES, s["lr"]}), value=s["lr"],
                                          description="learning rate", continuous_update=False,
                                          style={"description_width": "initial"})
        self.steps = widgets.Dropdown(options=sorted({*self.STEPS, s["steps"]}), value=s["steps"],
                                      description="steps", layout=widgets.Layout(width="auto"))
        self.activation = widgets.ToggleButtons(options=["sigmoid", "tanh", "relu"], value=s["activation"],
                                                style={"button_width": "auto"})
        self.run = widgets.Button(description="train both", button_style="primary")
        self.run.add_class("bn-train")
        self.status = widgets.Label("")
        self.status.add_class("bn-training-status")
        self._figsize, self._dpi = view_size(0.34)
        width, height = (round(v * self._dpi) for v in self._figsize)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class("bn-training-figure")
        self.image.add_class(NATIVE_SIZE_CLASS)
        self.runs = None
        self.run.on_click(lambda _button: self.train())
        super().__init__(children=[
            widgets.HBox([self.init_std, self.lr, self.steps]),
            widgets.HBox([self.activation, self.run]),
            self.status,
            self.image,
        ])
        self.add_class("bn-training-comparison")
        if train_now:
            self.train()

    def current_settings(self):
        """The settings the controls show now."""
        return dict(self.settings, init_std=float(self.init_std.value), lr=float(self.lr.value),
                    steps=int(self.steps.value), activation=self.activation.value)

    def draw(self):
        """The figure of the last run, as a matplotlib Figure (Agg; laid out for the screen size)."""
        fig = Figure(figsize=self._figsize, dpi=self._dpi, layout="constrained")
        FigureCanvasAgg(fig)
        plot_training_comparison(self.runs, fig.subplots(1, 3), self.activation.value)
        return fig

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
        buf = io.BytesIO()
        self.draw().savefig(buf, format="png")
        self.image.value = buf.getvalue()
        self.status.value = f"{status_line(comparison_findings(self.runs), self.runs)} (both trained in {seconds:.1f} s)"
        return self.runs


def status_line(findings, runs):
    """One sentence on a comparison: final accuracies and the steps each run took to reach the target."""
    parts = []
    for label, hist in runs.items():
        if hist.diverged:
            parts.append(f"{label}: diverged")
            continue
        reached = findings.steps_to_target[label]
        when = f"{TARGET_ACCURACY:.0%} after {reached:,} steps" if reached else f"never {TARGET_ACCURACY:.0%}"
        parts.append(f"{label}: {findings.final_accuracy[label]:.0%} test accuracy, {when}")
    return "; ".join(parts)


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

    def __init__(self, steps=100, momentum=DEFAULT_MOMENTUM):
        self.steps = widgets.IntSlider(value=steps, min=0, max=TVI_MAX_STEPS, step=10, description="steps",
                                       continuous_update=True)
        self.steps.add_class("bn-tvi-steps")
        self.momentum = widgets.ToggleButtons(options=TVI_MOMENTA, value=momentum, description="momentum",
                                              style={"button_width": "auto", "description_width": "initial"})
        self.last = train_vs_inference(int(self.steps.value), float(self.momentum.value))
        figsize, dpi = view_size(0.31)
        # laid out once, for the fonts in use, at the first draw; the blitted updates keep that layout
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.figure.get_layout_engine().set(wspace=0.06)  # room between the left's last tick and the right's first
        self._artists = TrainVsInferenceArtists(*self.figure.subplots(1, 2), self.last)
        self._blitter = Blitter(self.figure, self._artists.animated())
        width, height = self._blitter.size()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class("bn-tvi-figure")
        self.image.add_class(NATIVE_SIZE_CLASS)
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
