"""The widgets' fast picture path: a matplotlib figure to PNG bytes in a few milliseconds.

A widget keeps ONE figure (Agg, no pyplot), updates its few changing artists in place, and shows the
picture as PNG bytes in an ``ipywidgets.Image`` of fixed size: no flicker, and the saved widget state
carries the last picture into the static HTML. Three pieces make an update cheap:

* ``Blitter`` -- draws the figure's static parts (axes, ticks, titles) once per *frame* and keeps them;
  an update restores that background and draws only the changing ("animated") artists over it;
* ``LabelPainter`` -- stamps text with Pillow instead of matplotlib ``Text`` artists (see its docstring);
* ``PaletteEncoder`` and ``encode_png`` -- encode the picture, with a 256-colour palette found once per frame.

Private to ``bn_lesson.widgets``: the static figures never come here (they keep real Text artists).
"""
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.font_manager import FontProperties, findfont
from PIL import Image, ImageDraw, ImageFont

from ..viz.stage_plots import ERROR_COLOR


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


class LabelPainter:
    """Draws a widget's labels with Pillow onto the rendered picture.

    Why not matplotlib ``Text`` artists: on this machine one 3-line Text costs 12-25 ms to draw (glyph
    layout and rasterization), so four statistics boxes and a status line alone would take ~90 ms --
    more than the whole update budget. Pillow draws the same strings, with matplotlib's own DejaVu fonts,
    in well under a millisecond each.

    Parameters
    ----------
    fontsize : points, as matplotlib would take them
    dpi : the figure's dots per inch
    """

    def __init__(self, fontsize, dpi):
        px = max(int(round(fontsize * dpi / 72)), 6)
        basic = ImageFont.Layout.BASIC
        self.mono = ImageFont.truetype(findfont(FontProperties(family=["monospace"])), px, layout_engine=basic)
        self.sans = ImageFont.truetype(findfont(FontProperties(family=["sans-serif"])), px, layout_engine=basic)
        self.big = ImageFont.truetype(findfont(FontProperties(family=["sans-serif"])), px + 3,
                                      layout_engine=basic)
        self._stamps = {}

    def stamp(self, text, font, align="left"):
        """``text`` rendered black on an opaque white tile, cached: most labels repeat between updates."""
        key = (text, id(font), align)
        tile = self._stamps.get(key)
        if tile is None:
            if len(self._stamps) > 512:
                self._stamps.clear()
            left, top, right, bottom = ImageDraw.Draw(Image.new("RGB", (1, 1))).multiline_textbbox(
                (0, 0), text, font=font, spacing=2, align=align)
            tile = Image.new("RGB", (right + 2, bottom + 2), "white")
            ImageDraw.Draw(tile).multiline_text((1, 1), text, fill="black", font=font, spacing=2, align=align)
            self._stamps[key] = tile
        return tile

    def paint(self, image, boxes, status="", error=""):
        """Paint labels onto ``image`` (in place) and return it.

        boxes : list of ((x, y), text) -- top-left corners in display pixels (origin bottom-left)
        status : str -- centred along the bottom edge
        error : str -- centred in a framed box when non-empty
        """
        width, height = image.size
        for (x, y), text in boxes:
            if text:
                image.paste(self.stamp(text, self.mono), (int(x) - 1, int(height - y) - 1))
        if status:
            tile = self.stamp(status, self.sans)
            image.paste(tile, ((width - tile.width) // 2, height - tile.height - 1))
        if error:
            draw = ImageDraw.Draw(image)
            left, top, right, bottom = draw.multiline_textbbox((0, 0), error, font=self.big, spacing=3,
                                                                align="center")
            x, y = (width - (right - left)) / 2, (height - (bottom - top)) / 2
            draw.rectangle((x - 8, y - 6, x + right - left + 8, y + bottom - top + 6), fill="white",
                           outline=ERROR_COLOR, width=2)
            draw.multiline_text((x - left, y - top), error, fill=ERROR_COLOR, font=self.big, spacing=3,
                                align="center")
        return image


def encode_png(image, compress_level=1):
    """PNG bytes of a Pillow image (fast compression: the picture is replaced at the next update)."""
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=compress_level)
    return buf.getvalue()


class PaletteEncoder:
    """Encodes pictures as 256-colour PNGs, finding one palette per key and reusing it.

    A plot has few colours: a 256-colour palette PNG looks the same (mean error ~1/255 per channel, at
    most 15/255, measured against the 24-bit picture) and encodes ~5x faster than a 24-bit PNG, whose row
    filtering alone costs ~10 ms here. Finding a palette costs a few ms more, so it is found once per key
    (a widget's frame: the same axes, colours and shading) and reused; mapping onto a known palette takes
    ~0.3 ms.
    """

    def __init__(self):
        self._palettes = {}

    def png(self, image, key=None, compress_level=1):
        """PNG bytes of ``image``; pictures with the same (non-None) ``key`` share a palette."""
        palette = self._palettes.get(key) if key is not None else None
        if palette is None:
            image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
            if key is not None:
                self._palettes[key] = image
        else:
            image = image.quantize(palette=palette, dither=Image.Dither.NONE)
        return encode_png(image, compress_level)
