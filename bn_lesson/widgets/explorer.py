"""The gamma / beta / eps explorer widget: one batch, followed through every stage of batch normalization.

raw input x  ->  normalized x_hat  ->  scaled and shifted y = gamma * x_hat + beta  ->  activation(y)

``Explorer`` (built by ``build_explorer``) has sliders for gamma, beta and eps (log scale, and eps = 0 only
through a separate checkbox), a choice of input distribution, batch size and activation. Every control
change runs the pure ``bn_lesson.stages.explore`` (the reference: tests and notebooks check its numbers)
and redraws the picture through ``bn_lesson.viz.stage_plots.StagePanels`` -- the same drawing code as the
static twin ``plot_explorer_grid`` -- and the fast PNG path of ``bn_lesson.widgets._render``: the
background (axes, ticks, titles) is drawn once per combination of input distribution and activation, the
only controls that change axis limits, and an update blits only the changing artists over it.
"""
import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .._checks import check_choice, check_number, check_positive_int
from ..constants import DEFAULT_EPS
from ..data import DISTRIBUTIONS, sample_distribution
from ..stages import STAGES, check_stages, explore
from ..viz.stage_plots import StagePanels
from ..viz.text import ZERO_VARIANCE_MESSAGE, status_line
from ._render import Blitter, LabelPainter, PaletteEncoder

#: the activations the explorer offers
EXPLORER_ACTIVATIONS = ("sigmoid", "relu")
#: the batch sizes the explorer offers
BATCH_SIZES = (2, 8, 32, 128, 1000, 10_000)


class Explorer(widgets.VBox):
    """The explorer widget (an ``ipywidgets.VBox``). Build it with ``build_explorer``.

    Attributes
    ----------
    gamma, beta : FloatSlider           (descriptions 'γ', 'β'; CSS classes ``bn-gamma``, ``bn-beta``)
    eps : FloatLogSlider                (description 'ε', 1e-8 ... 1; CSS class ``bn-eps``)
    eps_zero : Checkbox                 sets eps to exactly 0 (the guard: a constant batch shows a message)
    dist : Dropdown of ``DISTRIBUTIONS``, batch_size : Dropdown of batch sizes,
    activation : ToggleButtons ("sigmoid", "relu")
    identity : Button or None           sets γ = √(σ²+ε), β = μ (when built with ``identity_button=True``)
    image : Image                       the picture (fixed size; CSS class ``bn-explorer-figure``)
    figure : matplotlib Figure          the one figure, redrawn in place
    last_stats : ExplorerResult         what the last update computed
    n_updates : int                     how many updates have run (a browser test can wait on it)
    """

    def __init__(self, dist="normal", batch_size=10_000, gamma=1.0, beta=0.0, eps=DEFAULT_EPS,
                 activation="sigmoid", stages=STAGES, seed=0, batch_sizes=BATCH_SIZES,
                 identity_button=False, dpi=80, continuous_update=True):
        dist = check_choice(dist, "dist", DISTRIBUTIONS)
        activation = check_choice(activation, "activation", EXPLORER_ACTIVATIONS)
        batch_sizes = tuple(check_positive_int(n, "batch_sizes") for n in batch_sizes)
        if check_positive_int(batch_size, "batch_size") not in batch_sizes:
            raise ValueError(f"batch_size must be one of {batch_sizes}, got {batch_size!r}")
        stages = check_stages(stages)
        eps = check_number(eps, "eps", 0.0, 1.0)
        self._seed = seed
        self._samples = {}
        self.n_updates = 0
        self.last_stats = None
        self._add_controls(dist, batch_size, gamma, beta, eps, activation, batch_sizes, identity_button,
                           continuous_update)

        # one figure, a fixed size, no pyplot: nothing is displayed by matplotlib itself
        n = len(stages)
        self.figure = Figure(figsize=(2.45 * n, 2.55), dpi=dpi)
        axes = self.figure.subplots(1, n, squeeze=False)[0]
        self.figure.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.2, wspace=0.08)
        self._panels = StagePanels(axes, stages, text_artists=False)
        self._blitter = Blitter(self.figure, self._panels.animated())
        self._labels = LabelPainter(fontsize=8, dpi=dpi)
        self._encoder = PaletteEncoder()
        self._text_at = self._panels.text_positions()
        width, height = self._blitter.size()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class("bn-explorer-figure")

        extra = [self.identity] if self.identity else []
        super().__init__(children=[widgets.HBox([self.gamma, self.beta, self.eps, self.eps_zero]),
                                   widgets.HBox([self.dist, self.batch_size, self.activation] + extra),
                                   self.image])
        self.add_class("bn-explorer")
        self._updating = False
        self.update()

    def _add_controls(self, dist, batch_size, gamma, beta, eps, activation, batch_sizes, identity_button,
                      continuous_update):
        slider = {"continuous_update": continuous_update, "style": {"description_width": "1.5em"},
                  "layout": widgets.Layout(width="260px")}
        self.gamma = widgets.FloatSlider(value=gamma, min=0.0, max=4.0, step=0.05, description="\u03b3",
                                         tooltip="gamma: the scale", readout_format=".2f", **slider)
        self.beta = widgets.FloatSlider(value=beta, min=-6.0, max=6.0, step=0.1, description="\u03b2",
                                        tooltip="beta: the shift", readout_format=".2f", **slider)
        self.eps = widgets.FloatLogSlider(value=max(eps, 1e-8), base=10, min=-8, max=0, step=0.25,
                                          description="\u03b5", tooltip="eps, on a log scale",
                                          readout_format=".0e", **slider)
        self.eps_zero = widgets.Checkbox(value=eps == 0, description="\u03b5 = 0 exactly", indent=False,
                                         layout=widgets.Layout(width="130px"))
        self.dist = widgets.Dropdown(options=DISTRIBUTIONS, value=dist, description="input",
                                     layout=widgets.Layout(width="220px"))
        self.batch_size = widgets.Dropdown(options=batch_sizes, value=batch_size, description="batch size",
                                           layout=widgets.Layout(width="200px"))
        self.activation = widgets.ToggleButtons(options=EXPLORER_ACTIVATIONS, value=activation,
                                                style={"button_width": "90px"})
        for control, css in ((self.gamma, "bn-gamma"), (self.beta, "bn-beta"), (self.eps, "bn-eps"),
                             (self.eps_zero, "bn-eps-zero"), (self.dist, "bn-dist"),
                             (self.batch_size, "bn-batch-size"), (self.activation, "bn-activation")):
            control.add_class(css)
            control.observe(self._on_change, names="value")
        self.eps.disabled = self.eps_zero.value
        self.identity = None
        if identity_button:
            self.identity = widgets.Button(description="\u03b3 = \u221a(\u03c3\u00b2+\u03b5), \u03b2 = \u03bc",
                                           tooltip="undo the normalization", layout=widgets.Layout(width="170px"))
            self.identity.add_class("bn-identity")
            self.identity.on_click(self._set_identity)

    # -- state ----------------------------------------------------------------------------------------
    def current_eps(self):
        """The eps in use: 0 when the 'ε = 0' box is ticked, else the slider's value."""
        return 0.0 if self.eps_zero.value else float(self.eps.value)

    def batch(self):
        """The current batch, ``(batch_size, 1)``: the same for the same distribution and size."""
        key = (self.dist.value, self.batch_size.value)
        if key not in self._samples:
            self._samples = {key: sample_distribution(*key, np.random.default_rng(self._seed))}
        return self._samples[key]

    def compute(self):
        """The pure part of an update: ``explore`` with the controls' values."""
        return explore(self.batch(), self.gamma.value, self.beta.value, self.current_eps(),
                       self.activation.value)

    # -- updates ----------------------------------------------------------------------------------------
    def _on_change(self, change):
        if change["owner"] is self.eps_zero:
            self.eps.disabled = self.eps_zero.value
        if not self._updating:
            self.update()

    def _set_identity(self, _button=None):
        """γ = √(σ² + ε), β = μ: y then equals the raw input (within the sliders' ranges)."""
        result = self.last_stats
        self._updating = True
        try:
            self.gamma.value = min(max(np.sqrt(result.var + result.eps), self.gamma.min), self.gamma.max)
            self.beta.value = min(max(result.mu, self.beta.min), self.beta.max)
        finally:
            self._updating = False
        self.update()

    def update(self):
        """Recompute from the controls, update the artists in place, render, show; returns the result."""
        result = self.compute()
        dist = self.dist.value
        self._panels.set_frame(dist, self.activation.value)
        self._panels.set_result(result, dist)
        error = ZERO_VARIANCE_MESSAGE if result.error else ""
        self._blitter.render(self._panels.frame)
        boxes = [(self._text_at[stage], self._panels.labels[stage]) for stage in self._panels.stages]
        image = self._labels.paint(self._blitter.image(), boxes, status_line(result), error)
        self.image.value = self._encoder.png(image, key=(self._panels.frame, bool(error)))
        self.last_stats = result
        self.n_updates += 1
        return result


def build_explorer(**kwargs):
    """Build the explorer widget; display it by making it a cell's last expression.

    Keyword arguments (all optional) are ``Explorer``'s: dist, batch_size, gamma, beta, eps, activation,
    stages, seed, batch_sizes, identity_button, dpi, continuous_update.
    """
    return Explorer(**kwargs)
