"""Chapter 02's deep network as a widget: init scale, depth, activation and batch norm, layer by layer.

Each control move builds a fresh network (``bn_lesson.models.probe.deep_net_probe``), pushes the images
through once, and redraws the overlaid per-layer histograms and the per-layer spread
(``bn_lesson.viz.deep_net_plots.DeepNetArtists``, blitted over a background drawn once per activation).
"""
import ipywidgets as widgets

from ..models.probe import deep_net_probe
from ..viz.deep_net_plots import MAX_DEPTH, DeepNetArtists
from ._picture import Picture

#: the init scales the slider offers (s in W ~ N(0, (s / sqrt(fan_in))²))
INIT_SCALES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)


class DeepNetView(widgets.VBox):
    """Controls and the two-panel figure (an ``ipywidgets.VBox``).

    Parameters
    ----------
    X : (N, D) the images pushed through (the first ``n_images`` are used)
    init_scale, depth, activation, batch_norm, seed : the controls' first values and the weights' seed

    Attributes
    ----------
    init_scale : SelectionSlider (CSS class ``bn-deep-scale``), depth : IntSlider,
    activation : ToggleButtons, batch_norm : Checkbox, image : Image, last : the last ``DeepNetProbe``
    """

    def __init__(self, X, init_scale=1.0, depth=6, activation="sigmoid", batch_norm=False, seed=0, n_images=256):
        self.X, self.seed = X[:n_images], seed
        self.init_scale = widgets.SelectionSlider(options=INIT_SCALES, value=init_scale, description="init scale")
        self.init_scale.add_class("bn-deep-scale")
        self.depth = widgets.IntSlider(value=depth, min=1, max=MAX_DEPTH, description="depth")
        self.activation = widgets.ToggleButtons(options=["sigmoid", "tanh", "relu"], value=activation,
                                                style={"button_width": "auto"})
        self.batch_norm = widgets.Checkbox(value=batch_norm, description="batch norm before each activation",
                                           indent=False, layout=widgets.Layout(width="auto"))
        self.picture = Picture(lambda fig: DeepNetArtists(*fig.subplots(1, 2)), (11, 3.4), "bn-deep-figure")
        self._artists, self.image = self.picture.artists, self.picture.image
        super().__init__(children=[widgets.HBox([self.init_scale, self.depth]),
                                   widgets.HBox([self.activation, self.batch_norm]), self.image])
        self.add_class("bn-deep-net")
        self.update()
        for control in (self.init_scale, self.depth, self.activation, self.batch_norm):
            control.observe(lambda _change: self.update(), names="value")

    def update(self):
        """Probe a fresh network with the controls' values, update the artists, render; returns the probe."""
        scale, bn, act = float(self.init_scale.value), bool(self.batch_norm.value), self.activation.value
        self.last = deep_net_probe(self.X, int(self.depth.value), scale, act, bn, self.seed)
        self._artists.set(self.last, f"{act}, init scale {scale:g}, {'with' if bn else 'without'} BN: "
                                     f"last layer's spread {self.last.stats.example_std[-1]:.2g}, "
                                     f"saturated {self.last.stats.saturated[-1]:.0%}")
        self.picture.show(frame=act)
        return self.last


def build_deep_net(X, **kwargs):
    """Build the deep-network widget (see ``DeepNetView``)."""
    return DeepNetView(X, **kwargs)
