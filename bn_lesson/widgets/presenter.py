"""Classroom mode: large, high-contrast figures and widget controls for a projector.

Nothing happens on import. A notebook opts in with one call at its top and opts out with a second::

    from bn_lesson.widgets.presenter import presenter, restore
    presenter()   # figures, fonts and widget controls large and high-contrast
    ...
    restore()     # the defaults again (same as presenter(False))

Two things change, and both are undone by ``restore()``:

* matplotlib's ``rcParams`` -- only the keys in ``PRESENTER_RC``; their previous values are saved on the
  first ``presenter()`` and put back by ``restore()``. Figures drawn *after* the call pick them up, so
  call it before the cells that draw.
* the page's CSS -- a ``<style>`` element, shown as the output of the calling cell under a fixed display
  id, enlarges JupyterLab's text and the ipywidgets controls (font, slider handle, track, label width),
  and shows pictures inside widgets (the explorer's figure) 1.5 times larger.
  ``restore()`` replaces that output with nothing, which removes the style from the live page.

The demo app (``make demo``, ``demo/dashboard.ipynb``) shows the explorer of ``bn_lesson.widgets.explorer`` and
two views that live here, each a pure function, a plot helper and a widget:

* ``compare_training`` / ``plot_training_comparison`` / ``build_training_comparison`` -- one deep network
  trained with and without batch norm (``bn_lesson.models.mlp``), live, in a few seconds;
* ``train_vs_inference`` / ``plot_train_vs_inference`` / ``build_train_vs_inference`` -- a batch-norm
  layer's moving averages after K training steps, and a fresh batch in training and inference mode.
"""
import functools
import inspect
import io
import time
from typing import NamedTuple

import matplotlib as mpl
import numpy as np

from ..data import digits_split
from ..viz.plots import BN_COLORS, STAGE_COLORS

try:
    import ipywidgets as widgets
except ImportError:  # pragma: no cover - ipywidgets is a dependency
    widgets = None

#: rcParams presenter mode sets. Figures grow by ``figure.dpi`` (1.4x the default 100 dpi) and text
#: by ``font.size`` on top of that (13 pt instead of 10 pt): about 1.8x larger text on the screen, thick
#: lines and ticks, pure black text and frames on pure white.
PRESENTER_RC = {
    "figure.dpi": 140,
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 16,
    "lines.linewidth": 3.0,
    "lines.markersize": 8.0,
    "axes.linewidth": 1.6,
    "patch.linewidth": 1.4,
    "xtick.major.width": 1.6,
    "ytick.major.width": 1.6,
    "xtick.major.size": 6.0,
    "ytick.major.size": 6.0,
    "text.color": "black",
    "axes.labelcolor": "black",
    "axes.edgecolor": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "legend.framealpha": 1.0,
    "legend.edgecolor": "black",
}

#: the display id under which the presenter style is shown (and later cleared)
DISPLAY_ID = "bn-lesson-presenter-style"

#: CSS variables of JupyterLab 4 and ipywidgets 8 that presenter mode overrides (``:root:root`` wins
#: over the ``:root`` rules that define them, whatever order the style sheets load in).
PRESENTER_CSS_VARS = {
    "--jp-ui-font-size1": "20px",
    "--jp-content-font-size1": "20px",
    "--jp-code-font-size": "18px",
    "--jp-content-font-color1": "#000000",
    "--jp-ui-font-color1": "#000000",
    "--jp-widgets-font-size": "20px",
    "--jp-widgets-inline-height": "42px",
    "--jp-widgets-inline-label-width": "150px",
    "--jp-widgets-inline-width": "520px",
    "--jp-widgets-slider-handle-size": "26px",
    "--jp-widgets-slider-track-thickness": "8px",
    "--jp-widgets-slider-handle-border-color": "#000000",
    "--jp-widgets-slider-active-handle-color": "#000000",
    "--jp-widgets-input-border-color": "#000000",
    "--jp-widgets-label-color": "#000000",
    "--jp-widgets-readout-color": "#000000",
}

#: how much larger presenter mode shows pictures inside widgets (their pixels are fixed when drawn)
WIDGET_IMAGE_ZOOM = 1.5

_saved_rc = None  # rcParams values from before presenter(); None while presenter mode is off


def presenter_css():
    """The ``<style>`` element presenter mode puts on the page (a str of HTML)."""
    body = "\n".join(f"  {name}: {value};" for name, value in PRESENTER_CSS_VARS.items())
    return (
        '<style id="bn-lesson-presenter">\n'
        f":root:root {{\n{body}\n}}\n"
        # readouts and labels of sliders are bold so they read from the back of the room
        ".widget-readout, .widget-label, .widget-label-basic { font-weight: bold; }\n"
        # pictures shown by widgets (the explorer's figure) are drawn at a fixed size: show them larger
        f".widget-image {{ zoom: {WIDGET_IMAGE_ZOOM}; }}\n"
        # controls built with a fixed pixel width would cut their larger text: let them grow, and let a
        # row of controls wrap rather than run off the screen
        ".widget-hbox { flex-wrap: wrap; }\n"
        ".widget-hslider { width: 440px !important; }\n"
        ".widget-dropdown, .widget-checkbox, .widget-button, .widget-toggle-button "
        "{ width: auto !important; min-width: max-content; }\n"
        "</style>"
    )


def is_presenting():
    """True between ``presenter()`` and ``restore()``."""
    return _saved_rc is not None


def presenter(on=True):
    """Switch classroom (projector) mode on, or off with ``presenter(False)``.

    Parameters
    ----------
    on : bool
        True: save the current values of the ``PRESENTER_RC`` keys and set the large, high-contrast
        ones; show the CSS for large widget controls. False: same as ``restore()``.
        Calling ``presenter()`` twice keeps the values saved by the first call.

    Returns
    -------
    bool -- whether presenter mode is now on
    """
    global _saved_rc
    if on not in (True, False):
        raise ValueError(f"on must be True or False, got {on!r}")
    if not on:
        return restore()
    _ensure_pyplot()
    if _saved_rc is None:
        _saved_rc = {key: mpl.rcParams[key] for key in PRESENTER_RC}
    mpl.rcParams.update(PRESENTER_RC)
    _show_css(presenter_css(), update=False)
    return True


def restore():
    """Switch presenter mode off: put back the saved rcParams and remove the presenter CSS.

    Returns
    -------
    bool -- False (presenter mode is off); calling it while presenter mode is off changes no rcParams
    """
    global _saved_rc
    if _saved_rc is not None:
        mpl.rcParams.update(_saved_rc)
        _saved_rc = None
    _show_css("", update=True)
    return False


def _ensure_pyplot():
    """Import pyplot first, so the notebook backend sets up before our rcParams, not after them."""
    import matplotlib.pyplot  # noqa: F401


def _show_css(html, update):
    """Show (or replace, when ``update``) the presenter style, only inside an IPython kernel."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display, update_display
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    if get_ipython() is None:  # plain Python: no page to style, and display() would print
        return
    if update:
        update_display(HTML(html), display_id=DISPLAY_ID)
    else:
        display(HTML(html), display_id=DISPLAY_ID)


# -- the demo app's training comparison ---------------------------------------------------------------------
#
# The paper's Figure 1, small enough to run live in class: the same deep sigmoid network, the same initial
# weights and the same mini-batches, trained with and without batch normalization (``bn_lesson.models.mlp``), on
# scikit-learn's bundled digits (nothing is downloaded).


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
    from ..models.mlp import MLP, train

    for name, value in (("steps", steps), ("depth", depth), ("width", width)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
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


def plot_training_comparison(runs, axes=None, activation="sigmoid"):
    """Test accuracy of both runs, and the percentile band of one unit's input in each.

    Parameters
    ----------
    runs : dict {"without BN": History, "with BN": History} -- from ``compare_training``
    axes : three Axes, or None for a new figure
    activation : the networks' activation, for the titles

    Returns
    -------
    axes : (3,) ndarray of Axes
    """
    from ..viz.plots import plot_percentile_bands

    if set(runs) != set(BN_COLORS):
        raise ValueError(f"runs must have the keys {sorted(BN_COLORS)}, got {sorted(runs)}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
    axes = np.asarray(axes).ravel()
    for label, hist in runs.items():
        end = "diverged" if hist.diverged else f"{hist.probe_accuracy[-1]:.0%}"
        axes[0].plot(hist.record_steps, hist.probe_accuracy, color=BN_COLORS[label], lw=2,
                     label=f"{label}: {end}")
    axes[0].set_ylim(0, 1)
    axes[0].set_xlabel("training step")
    axes[0].set_ylabel("test accuracy")
    axes[0].set_title("Test accuracy")
    axes[0].legend(loc="lower right")
    lows = [h.unit_percentiles[:, 0].min() for h in runs.values() if len(h.record_steps)]
    highs = [h.unit_percentiles[:, 0].max() for h in runs.values() if len(h.record_steps)]
    for ax, (label, hist) in zip(axes[1:], runs.items()):
        plot_percentile_bands(hist.record_steps, hist.unit_percentiles[:, 0], ax=ax, color=BN_COLORS[label],
                              title=f"{label}: one {activation} unit's input, 15/50/85%")
        ax.set_ylim(min(lows) - 0.5, max(highs) + 0.5)  # one scale, so the two bands compare
    return axes


#: the network and run the comparison uses unless told otherwise (chapter 02's deep sigmoid network):
#: ``compare_training``'s own defaults
COMPARISON_DEFAULTS = {name: p.default for name, p in inspect.signature(compare_training).parameters.items()
                       if p.kind is p.KEYWORD_ONLY and name != "record_every"}


class TrainingComparison(widgets.VBox if widgets is not None else object):
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
        if widgets is None:  # pragma: no cover
            raise ImportError("the training comparison needs ipywidgets")
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
        self._figure = None
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
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

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


# -- the demo app's train-vs-inference view -----------------------------------------------------------------
#
# Chapter 06's first lesson as a slider: a fresh batch-norm layer sees K training batches; at inference it
# normalizes with its moving averages, which start at mean 0 / variance 1 and forget that start slowly
# (momentum 0.99: 459 updates until it weighs under 1 %). Before then, inference outputs are off.

#: one feature's true distribution (chapter 06's first feature), the batch size, and the most steps shown
TVI_MEAN, TVI_STD, TVI_BATCH, TVI_MAX_STEPS = 3.0, 2.0, 32, 1000
TVI_MOMENTA = (0.9, 0.99, 0.999)


class TrainVsInference(NamedTuple):
    """What ``train_vs_inference`` returns (one feature)."""

    steps: int
    momentum: float
    moving_mean: np.ndarray  #: (TVI_MAX_STEPS + 1,) the moving mean after 0, 1, ... updates
    moving_var: np.ndarray   #: (TVI_MAX_STEPS + 1,) the moving variance
    train_out: np.ndarray    #: (N,) a fresh batch normalized in training mode (its own statistics)
    infer_out: np.ndarray    #: (N,) the same batch in inference mode (the moving averages after ``steps``)
    start_weight: float      #: momentum ** steps: how much the moving averages still hold of 0 and 1


@functools.lru_cache(maxsize=8)
def _tvi_stream(momentum, seed, n_test):
    """The training stream's moving averages and the fresh test batch (cached: a slider move reuses them)."""
    from ..inference import moving_average

    rng = np.random.default_rng(seed)
    stream = TVI_MEAN + TVI_STD * rng.normal(size=(TVI_MAX_STEPS, TVI_BATCH))  # (steps, batch)
    test = (TVI_MEAN + TVI_STD * rng.normal(size=n_test))[:, None]               # (N, 1)
    moving_mean = moving_average(stream.mean(axis=1), momentum, start=0.0)     # (steps + 1,)
    moving_var = moving_average(stream.var(axis=1), momentum, start=1.0)       # biased, as Keras
    for a in (moving_mean, moving_var, test):
        a.setflags(write=False)
    return moving_mean, moving_var, test


def train_vs_inference(steps=100, momentum=0.99, seed=0, n_test=2000):
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
    from ..layer import BatchNorm

    if not isinstance(steps, (int, np.integer)) or not 0 <= steps <= TVI_MAX_STEPS:
        raise ValueError(f"steps must be an int in [0, {TVI_MAX_STEPS}], got {steps!r}")
    if not (isinstance(momentum, (int, float, np.floating)) and 0 <= momentum < 1):
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
    moving_mean, moving_var, test = _tvi_stream(float(momentum), seed, n_test)
    layer = BatchNorm(1, momentum=momentum)
    train_out, _ = layer.forward(test, training=True)
    layer.moving_mean, layer.moving_var = moving_mean[[steps]], moving_var[[steps]]
    infer_out, _ = layer.forward(test, training=False)
    return TrainVsInference(int(steps), float(momentum), moving_mean, moving_var, train_out[:, 0],
                            infer_out[:, 0], float(momentum ** steps))


class _TviArtists:
    """The view's artists, drawn once and updated in place (shared by the static plot and the widget)."""

    BINS = np.linspace(-6.0, 6.0, 61)

    def __init__(self, left, right):
        self.left, self.right = left, right
        k = np.arange(TVI_MAX_STEPS + 1)
        (self.mean_line,) = left.plot(k, np.zeros_like(k, dtype=float), color=STAGE_COLORS["input"], lw=2,
                                      label="moving mean")
        (self.var_line,) = left.plot(k, np.zeros_like(k, dtype=float), color=STAGE_COLORS["scaled"], lw=2,
                                     label="moving variance")
        left.axhline(TVI_MEAN, color=STAGE_COLORS["input"], ls=":", lw=1.5, label=f"true mean {TVI_MEAN:g}")
        left.axhline(TVI_STD ** 2, color=STAGE_COLORS["scaled"], ls=":", lw=1.5,
                     label=f"true variance {TVI_STD ** 2:g}")
        self.now = left.axvline(0, color="black", lw=1.5)
        self.title = left.text(0.5, 1.02, "", transform=left.transAxes, ha="center", va="bottom", fontsize=11)
        left.set_xlim(0, TVI_MAX_STEPS)
        left.set_ylim(-0.3, 5.5)
        left.set_xlabel("training steps (batches of 32)")
        left.legend(loc="lower right", fontsize=8, ncols=2)
        self.hists, self.texts = [], []
        for i, (label, color) in enumerate((("training mode (batch statistics)", BN_COLORS["with BN"]),
                                            ("inference mode (moving averages)", STAGE_COLORS["input"]))):
            self.hists.append(right.stairs(np.zeros(len(self.BINS) - 1), self.BINS, fill=True, alpha=0.45,
                                           color=color))
            self.texts.append(right.text(0.02, 0.95 - 0.09 * i, "", transform=right.transAxes, color=color,
                                         fontsize=9, va="top", fontweight="bold"))
            self.texts[-1].label = label
        right.set_xlim(self.BINS[0], self.BINS[-1])
        right.set_ylim(0, 1.35)
        right.set_yticks([])
        right.set_xlabel("batch-norm output (γ = 1, β = 0)")
        right.set_title("The same fresh batch, in both modes")

    def animated(self):
        """The artists a slider move changes (everything else is a fixed background)."""
        return [self.mean_line, self.var_line, self.now, self.title] + self.hists + self.texts

    def set(self, result):
        self.mean_line.set_ydata(result.moving_mean)
        self.var_line.set_ydata(result.moving_var)
        self.now.set_xdata([result.steps, result.steps])
        self.title.set_text(f"momentum {result.momentum:g}: after {result.steps} steps the start still "
                            f"weighs {100 * result.start_weight:.0f}%")
        counts = [np.histogram(np.clip(out, self.BINS[0], self.BINS[-1]), self.BINS)[0]
                  for out in (result.train_out, result.infer_out)]
        top = max(c.max() for c in counts)
        for stairs, text, c, out in zip(self.hists, self.texts, counts, (result.train_out, result.infer_out)):
            stairs.set_data(c / top)
            text.set_text(f"{text.label}: mean {round(out.mean(), 2) + 0.0:.2f}, std {out.std():.2f}")


def plot_train_vs_inference(result, axes=None):
    """Left: the moving averages over training, and where we stop. Right: the batch in both modes.

    Parameters
    ----------
    result : TrainVsInference
    axes : two Axes, or None for a new figure

    Returns
    -------
    axes : (2,) ndarray of Axes
    """
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained")
    axes = np.asarray(axes).ravel()
    _TviArtists(*axes).set(result)
    return axes


class TrainVsInferenceView(widgets.VBox if widgets is not None else object):
    """A slider for the training steps, buttons for the momentum, and the figure (an ``ipywidgets.VBox``).

    One figure: its fixed parts (axes, ticks, legend) are drawn once and kept as a background; a move
    updates the changing artists in place and draws only those over the background (blitting).

    Attributes
    ----------
    steps : IntSlider (CSS class ``bn-tvi-steps``), momentum : ToggleButtons
    image : Image (CSS class ``bn-tvi-figure``), last : the last ``TrainVsInference``
    """

    def __init__(self, steps=100, momentum=0.99, dpi=80):
        if widgets is None:  # pragma: no cover
            raise ImportError("the view needs ipywidgets")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.steps = widgets.IntSlider(value=steps, min=0, max=TVI_MAX_STEPS, step=10, description="steps",
                                       continuous_update=True, layout=widgets.Layout(width="420px"))
        self.steps.add_class("bn-tvi-steps")
        self.momentum = widgets.ToggleButtons(options=TVI_MOMENTA, value=momentum, description="momentum",
                                              style={"button_width": "60px"})
        self.figure = Figure(figsize=(11, 3.4), dpi=dpi)
        self._canvas = FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.04, right=0.99, top=0.9, bottom=0.15, wspace=0.08)
        self._artists = _TviArtists(*self.figure.subplots(1, 2))
        for artist in self._artists.animated():
            artist.set_animated(True)
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        width, height = self._canvas.get_width_height()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class("bn-tvi-figure")
        self.last = None
        for control in (self.steps, self.momentum):
            control.observe(lambda _change: self.update(), names="value")
        super().__init__(children=[widgets.HBox([self.steps, self.momentum]), self.image])
        self.add_class("bn-train-vs-inference")
        self.update()

    def update(self):
        """Recompute with the controls' values, update the artists, render; returns the result."""
        from PIL import Image  # Pillow comes with matplotlib

        self.last = train_vs_inference(int(self.steps.value), float(self.momentum.value))
        self._artists.set(self.last)
        self._canvas.restore_region(self._background)
        for artist in self._artists.animated():
            self.figure.draw_artist(artist)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self._canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=1)
        self.image.value = buf.getvalue()
        return self.last


def build_train_vs_inference(**kwargs):
    """Build the train-vs-inference view (see ``TrainVsInferenceView``)."""
    return TrainVsInferenceView(**kwargs)
