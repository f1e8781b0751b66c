"""Chapter 04's widget: move γ and β and see how linear, and how saturated, the activation becomes.

Two maps over a (γ, β) grid (``bn_lesson.stats.fit_saturation_map``, computed once per activation and
kept), and a marker at the sliders' setting, whose numbers are computed live on the whole batch
(``linear_fit_r2``, ``saturated_fraction``). Drawn by ``bn_lesson.viz.fit_map_plots.FitMapArtists``.
"""
import ipywidgets as widgets
import numpy as np

from ..activations import saturated_fraction
from ..stats import fit_saturation_map, linear_fit_r2
from ..viz.fit_map_plots import FitMapArtists
from ._picture import Picture

#: the grid the maps are computed on
MAP_GAMMAS = np.round(np.arange(0.25, 6.01, 0.25), 2)
MAP_BETAS = np.round(np.arange(-6.0, 6.01, 0.5), 2)


class ActivationFitView(widgets.VBox):
    """γ and β sliders, the activation, and the two maps (an ``ipywidgets.VBox``).

    Parameters
    ----------
    x_hat : (N,) a normalized batch; gamma, beta, activation : the controls' first values

    Attributes
    ----------
    gamma, beta : FloatSlider (CSS class ``bn-fit-gamma`` on gamma), activation : ToggleButtons,
    image : Image, maps : {activation: FitSaturationMap} computed so far, last : (r2, saturated) now
    """

    def __init__(self, x_hat, gamma=1.0, beta=0.0, activation="sigmoid"):
        self.x_hat = np.asarray(x_hat, dtype=float).ravel()
        self.gamma = widgets.FloatSlider(value=gamma, min=0.25, max=6.0, step=0.05, description="γ")
        self.gamma.add_class("bn-fit-gamma")
        self.beta = widgets.FloatSlider(value=beta, min=-6.0, max=6.0, step=0.1, description="β")
        self.activation = widgets.ToggleButtons(options=["sigmoid", "tanh", "relu"], value=activation,
                                                style={"button_width": "auto"})
        self.maps = {}
        first = self.map_for(activation)
        self.picture = Picture(lambda fig: FitMapArtists(*fig.subplots(1, 2), first), (11, 3.6), "bn-fit-figure")
        self._artists, self.image = self.picture.artists, self.picture.image
        super().__init__(children=[widgets.HBox([self.gamma, self.beta]), self.activation, self.image])
        self.add_class("bn-activation-fit")
        self.update()
        for control in (self.gamma, self.beta, self.activation):
            control.observe(lambda _change: self.update(), names="value")

    def map_for(self, activation):
        """The (γ, β) maps of ``activation``, computed on first use and kept."""
        if activation not in self.maps:
            self.maps[activation] = fit_saturation_map(self.x_hat, MAP_GAMMAS, MAP_BETAS, activation)
        return self.maps[activation]

    def update(self):
        """Compute R² and the flat share at the sliders' setting, move the marker, render; returns them."""
        gamma, beta, act = float(self.gamma.value), float(self.beta.value), self.activation.value
        z = gamma * self.x_hat + beta                                            # (N,)
        self.last = (linear_fit_r2(z, act), saturated_fraction(z, act))
        if not self.picture.has(act):
            self._artists.show_map(self.map_for(act), act)
        self._artists.set(gamma, beta, *self.last)
        self.picture.show(frame=act)
        return self.last


def build_activation_fit(x_hat, **kwargs):
    """Build the (γ, β) map widget (see ``ActivationFitView``)."""
    return ActivationFitView(x_hat, **kwargs)
