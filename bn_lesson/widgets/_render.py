"""A kernel-drawn widget picture: a matplotlib figure to PNG bytes, redrawing only what changed.

The demo's train-vs-inference view (``bn_lesson.widgets.demo_views``) keeps ONE figure (Agg, no pyplot),
updates its few changing artists in place, and shows the picture as PNG bytes in an ``ipywidgets.Image``:

* ``Blitter`` -- draws the figure's static parts (axes, ticks, titles) once per *frame* and keeps them;
  an update restores that background and draws only the changing ("animated") artists over it;
* ``encode_png`` -- the picture as PNG bytes.

The explorer no longer comes here: it computes and draws in the browser (``explorer.js``).
Private to ``bn_lesson.widgets``: the static figures never come here.
"""
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image


class Blitter:
    """Renders ``figure``: its background drawn once per frame key and cached, ``animated`` blitted over it.

    Parameters
    ----------
    figure : matplotlib Figure (not made by pyplot)
    animated : the artists an update changes; they are marked animated so the background leaves them out
    """

    def __init__(self, figure, animated):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)
        self._backgrounds = {}  # frame key -> the rendered axes, ticks, titles and shading

    def size(self):
        """(width, height) of the picture in pixels."""
        return self.canvas.get_width_height()

    def render(self, frame=None):
        """Draw the picture: the frame's cached background (drawn now if new), then the animated artists."""
        background = self._backgrounds.get(frame)
        if background is None:  # a new frame: draw its static parts once and keep them
            self.canvas.draw()
            self._backgrounds[frame] = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(background)
        for artist in self.animated:
            self.figure.draw_artist(artist)

    def image(self):
        """The rendered picture as an RGB Pillow image."""
        width, height = self.size()
        return Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def encode_png(image, compress_level=1):
    """PNG bytes of a Pillow image (fast compression: the picture is replaced at the next update)."""
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=compress_level)
    return buf.getvalue()
