"""The picture part the chapter widgets share: one Agg figure, its changing artists blitted, shown as PNG.

Private to ``bn_lesson.widgets`` (the outlier, deep-net and batch-size-bug widgets).
"""
import ipywidgets as widgets
from matplotlib.figure import Figure

from ._render import Blitter, encode_png


class Picture:
    """A figure of ``figsize`` inches at ``dpi`` whose artists ``make_artists(figure)`` creates.

    ``make_artists`` returns an object with ``animated()`` (the artists an update changes); ``image`` is the
    ``ipywidgets.Image`` showing it (CSS class ``css_class``); ``show(frame)`` redraws and updates it.
    ``layout_once``: lay the figure out (constrained) at its first draw only and keep that box for every
    later frame -- for a picture whose box never changes (constrained layout costs more than the draw).
    """

    def __init__(self, make_artists, figsize, css_class, dpi=80, layout_once=False):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self._layout_once = layout_once
        self.artists = make_artists(self.figure)
        self._blitter = Blitter(self.figure, self.artists.animated())
        width, height = self._blitter.size()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class(css_class)

    def has(self, frame):
        """Whether ``frame``'s background is drawn and kept already (showing it again draws nothing)."""
        return frame in self._blitter._backgrounds

    def kept(self):
        """How many frames' backgrounds are drawn and kept."""
        return len(self._blitter._backgrounds)

    def show(self, frame=None):
        """Blit the changed artists over the frame's background and put the PNG into ``image``."""
        self._blitter.render(frame)
        if self._layout_once and self.figure.get_layout_engine() is not None:
            self.figure.set_layout_engine("none")  # the first draw placed the axes; later frames keep them
        self.image.value = encode_png(self._blitter.image())
