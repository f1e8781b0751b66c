"""Chapter 01's outlier as a widget: multiply one value and watch min-max squeeze all the others.

A slider sets the factor the outlier is multiplied by (a typo with an extra zero is 10);
``bn_lesson.standardize.outlier_effect`` computes both scalings; ``bn_lesson.viz.outlier_plots.OutlierArtists``
draws them, updated in place and blitted over a background drawn once.
"""
import ipywidgets as widgets

from ..standardize import outlier_effect
from ..viz.outlier_plots import OutlierArtists
from ._picture import Picture


class OutlierView(widgets.VBox):
    """A factor slider and the two-panel figure (an ``ipywidgets.VBox``).

    Parameters
    ----------
    values : (N,) one feature; index : which value becomes the outlier; factor : the slider's first value

    Attributes
    ----------
    factor : FloatSlider (CSS class ``bn-outlier-factor``), image : Image, last : the last ``OutlierEffect``
    """

    def __init__(self, values, index=0, factor=10.0):
        self.values, self.index = values, index
        self.factor = widgets.FloatSlider(value=factor, min=0.1, max=20.0, step=0.1, description="× factor",
                                          continuous_update=True, readout_format=".1f")
        self.factor.add_class("bn-outlier-factor")
        self.picture = Picture(lambda fig: OutlierArtists(*fig.subplots(1, 2)), (10, 3), "bn-outlier-figure")
        self._artists, self.image = self.picture.artists, self.picture.image
        super().__init__(children=[self.factor, self.image])
        self.add_class("bn-outlier")
        self.update()
        self.factor.observe(lambda _change: self.update(), names="value")

    def update(self):
        """Recompute at the slider's factor, update the artists, render; returns the ``OutlierEffect``."""
        self.last = outlier_effect(self.values, self.index, float(self.factor.value))
        self._artists.set(self.last, self.index)
        self.picture.show()
        return self.last


def build_outlier(values, **kwargs):
    """Build the outlier widget (see ``OutlierView``)."""
    return OutlierView(values, **kwargs)
