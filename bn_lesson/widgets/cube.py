"""Chapter 05's cube as a widget: which cells of an (N, H, W, C) batch share one mean, for a chosen channel.

The kind of normalization (batch, layer, group), the channel and the example are controls; the box is
``bn_lesson.viz.diagrams.draw_norm_axes`` (the cells of ``bn_lesson.norm_axes.shared_statistics_mask``),
and the line under it is the statistic those cells give on the chapter's own conv output
(``bn_lesson.norm_axes.pooled_statistic``). The box is drawn once; a new setting re-colours its faces
(``highlight_norm_axes``) and is drawn once and kept: a revisit, or a setting that lights the same
cells, costs nothing.
"""
import ipywidgets as widgets

from ..norm_axes import NORMS
from ..norm_axes import pooled_statistic, shared_statistics_mask
from ..viz.diagrams import draw_norm_axes, highlight_norm_axes
from ._picture import Picture


class _Box:
    """The figure's one Axes; nothing is blitted (every picture is a cached background)."""

    def __init__(self, figure):
        self.ax = figure.subplots()

    def animated(self):
        return []


class CubeView(widgets.VBox):
    """Controls, the box and the pooled statistic (an ``ipywidgets.VBox``).

    Parameters
    ----------
    x : (N, H, W, C) the batch whose statistics are reported (the box is drawn with N = 4 examples, 2 x 3
        positions and x's C channels)
    kind, channel, example : the controls' first values; groups : group norm's G (must divide C)

    Attributes
    ----------
    kind : ToggleButtons, channel, example : IntSlider (CSS class ``bn-cube-channel`` on channel),
    stat : HTML, image : Image, last : the last ``PooledStatistic``
    """

    def __init__(self, x, kind="batch", channel=0, example=0, groups=2):
        self.x, self.groups = x, groups
        n_channels = x.shape[-1]
        self.shape = (4, 2, 3, n_channels)
        self.kind = widgets.ToggleButtons(options=list(NORMS), value=kind, style={"button_width": "auto"})
        self.channel = widgets.IntSlider(value=channel, min=0, max=n_channels - 1, description="channel")
        self.channel.add_class("bn-cube-channel")
        self.example = widgets.IntSlider(value=example, min=0, max=self.shape[0] - 1, description="example")
        self.stat = widgets.HTML()
        self.picture = Picture(_Box, (4.2, 4.0), "bn-cube-figure", layout_once=True)  # every frame, one box
        self.image = self.picture.image
        draw_norm_axes(kind, ax=self.picture.artists.ax, shape=self.shape, example=example, channel=channel,
                       groups=groups)   # the box, once: a new setting re-colours its faces
        super().__init__(children=[self.kind, widgets.HBox([self.channel, self.example]), self.image, self.stat])
        self.add_class("bn-cube")
        self.update()
        for control in (self.kind, self.channel, self.example):
            control.observe(lambda _change: self.update(), names="value")

    def update(self):
        """Redraw the box for the controls' values and compute the statistic; returns ``last``."""
        kind, channel, example = self.kind.value, int(self.channel.value), int(self.example.value)
        # one picture per set of lit cells: batch norm's ignores the example, layer norm's the channel
        frame = (kind, shared_statistics_mask(kind, self.shape, example, channel, self.groups).tobytes())
        if not self.picture.has(frame):
            highlight_norm_axes(kind, self.picture.artists.ax, self.shape, example, channel, self.groups)
        self.picture.show(frame)
        self.last = pooled_statistic(self.x, kind, example, channel, self.groups)
        self.stat.value = (f"On the chapter's conv output {self.x.shape}: the highlighted cells of example "
                           f"{example}, channel {channel} pool <b>{self.last.count:,} values</b>: "
                           f"mean {self.last.mean:.3f}, variance {self.last.var:.3f}")
        return self.last


def build_cube(x, **kwargs):
    """Build the cube widget (see ``CubeView``)."""
    return CubeView(x, **kwargs)
