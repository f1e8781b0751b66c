"""Does a figure's text collide? The bounding boxes of every title, axis label, tick label, legend entry and
text drawn on a matplotlib figure, as the renderer places them, checked pairwise and against the figure's edge."""
import itertools

from matplotlib.text import Text


def _ticklabels(axis):
    """The tick labels an axis draws: non-empty, at ticks inside its view interval."""
    low, high = sorted(axis.get_view_interval())
    return [label for tick, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels())
            if label.get_visible() and label.get_text() and low <= tick <= high]


def drawn_texts(fig):
    """[(what, Text)] of every visible, non-empty text on ``fig``, after a full draw."""
    fig.canvas.draw()
    texts = []
    for i, ax in enumerate(fig.axes):
        texts += [(f"axes {i} title", t) for t in (ax.title, ax._left_title, ax._right_title)]
        texts += [(f"axes {i} xlabel", ax.xaxis.label), (f"axes {i} ylabel", ax.yaxis.label)]
        texts += [(f"axes {i} xtick", t) for t in _ticklabels(ax.xaxis)]
        texts += [(f"axes {i} ytick", t) for t in _ticklabels(ax.yaxis)]
        texts += [(f"axes {i} text", t) for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            texts += [(f"axes {i} legend", t) for t in legend.get_texts()]
    texts += [("figure text", t) for t in fig.texts]
    return [(what, t) for what, t in texts if isinstance(t, Text) and t.get_visible() and t.get_text().strip()]


def overlapping_texts(fig, pad=1.0):
    """Pairs of texts whose boxes intersect (shrunk by ``pad`` pixels), and texts that leave the figure.

    Returns a list of strings, empty when the layout is clean.
    """
    renderer = fig.canvas.get_renderer()
    boxes = [(f"{what} {t.get_text()!r}", t.get_window_extent(renderer)) for what, t in drawn_texts(fig)]
    problems = []
    width, height = fig.canvas.get_width_height()
    for name, box in boxes:
        if box.x0 < -pad or box.y0 < -pad or box.x1 > width + pad or box.y1 > height + pad:
            problems.append(f"{name} leaves the {width}x{height} figure: {box.bounds}")
    for (name_a, a), (name_b, b) in itertools.combinations(boxes, 2):
        if (min(a.x1, b.x1) - max(a.x0, b.x0) > pad) and (min(a.y1, b.y1) - max(a.y0, b.y0) > pad):
            problems.append(f"{name_a} overlaps {name_b}")
    return problems
