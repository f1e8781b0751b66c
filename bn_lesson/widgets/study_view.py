"""A slider over a study the chapter already ran: each move redraws the chapter's numbers, nothing retrains.

Chapters 08 and 10 train their networks as a study over seeds and settings (``bn_lesson.tf.training``).
This view steps through one setting of such a study -- a learning rate, a batch size, a noise strength --
and shows, for every network, its test accuracy over training at that setting: the median of the seeds
as a line, their range as a band. Training is never repeated, so a move answers in a redraw.

* ``study_medians`` -- the numbers one setting shows (tests check them);
* ``plot_study`` -- the static twin: one setting of the study on one axes, for the HTML book;
* ``build_study_view`` -- the widget: a slider over the settings and the figure.

A study is ``{setting: {label: (steps, accuracy)}}``: for each setting and network, the recorded steps
(R,) and the test accuracy of every seed there (S, R), e.g. ``(record.steps, record.test_accuracy)`` of a
``TrainingRecord``.
"""
import io

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._checks import validated
from ..viz.plots import plot_median_and_range

__all__ = ["study_medians", "plot_study", "StudyView", "build_study_view"]


def _check_study(a):
    study = a["study"]
    if not isinstance(study, dict) or not study:
        raise TypeError("study must be a non-empty dict {setting: {label: (steps, accuracy)}}")
    for setting, curves in study.items():
        if not isinstance(curves, dict) or not curves:
            raise TypeError(f"study[{setting!r}] must be a non-empty dict {{label: (steps, accuracy)}}")
        for label, (steps, accuracy) in curves.items():
            if np.ndim(accuracy) != 2 or np.shape(accuracy)[1] != len(steps):
                raise ValueError(f"study[{setting!r}][{label!r}]: accuracy must be (seeds, {len(steps)}), one "
                                 f"column per recorded step, got shape {np.shape(accuracy)}")
    if "setting" in a and a["setting"] not in study:
        raise ValueError(f"setting must be one of the study's settings {list(study)}, got {a['setting']!r}")
    return a


@validated(_check_study)
def study_medians(study, setting):
    """What the view shows at ``setting``: each network's median test accuracy over the seeds.

    Returns
    -------
    dict {label: (steps (R,), median (R,))}
    """
    return {label: (np.asarray(steps), np.median(np.asarray(acc, dtype=float), axis=0))
            for label, (steps, acc) in study[setting].items()}


@validated(_check_study)
def plot_study(study, setting, ax=None, colors=None, name="setting", threshold=None):
    """One setting of the study: test accuracy over training, median and range of the seeds, per network.

    Parameters
    ----------
    study : dict {setting: {label: (steps (R,), accuracy (S, R))}}
    setting : one key of ``study``
    colors : dict {label: colour}, optional
    name : str -- what the setting is, for the title (e.g. "batch size")
    threshold : float or None -- a target accuracy, drawn dotted

    Returns
    -------
    ax
    """
    curves = study[setting]
    steps = next(iter(curves.values()))[0]
    if all(np.array_equal(s, steps) for s, _ in curves.values()):
        ax = plot_median_and_range(steps, {label: acc for label, (_, acc) in curves.items()}, ax=ax,
                                   colors=colors, threshold=threshold)
    else:   # networks recorded at different steps: one call each, same axes
        for i, (label, (s, acc)) in enumerate(curves.items()):
            color = {label: (colors or {}).get(label, f"C{i}")}
            ax = plot_median_and_range(s, {label: acc}, ax=ax, colors=color, threshold=threshold)
    ax.set(xlabel="training step", ylabel="test accuracy", ylim=(0, 1), title=f"{name} = {setting}")
    ax.legend(loc="lower right", fontsize="small")
    return ax


class StudyView(widgets.VBox):
    """A slider over the study's settings and the figure of the chosen one (an ``ipywidgets.VBox``).

    Attributes
    ----------
    setting : SelectionSlider (CSS class ``bn-study-setting``) -- the study's settings, in its order
    image : Image (CSS class ``bn-study-figure``) -- the figure, as PNG
    last : dict -- ``study_medians`` at the setting shown
    """

    DPI = 100

    def __init__(self, study, name="setting", colors=None, threshold=None, value=None, figsize=(6.5, 3.4)):
        _check_study({"study": study})
        self.study, self.name, self.colors, self.threshold = study, name, colors, threshold
        self.figsize = figsize
        options = list(study)
        self.setting = widgets.SelectionSlider(options=options, value=options[0] if value is None else value,
                                               description=name, continuous_update=True,
                                               style={"description_width": "initial"})
        self.setting.add_class("bn-study-setting")
        # shown at the size it is drawn (not stretched to the output's width, which blurs it); the study is
        # fixed, so every setting's picture is drawn here, once (~0.1 s each), and a move only swaps pictures
        width, height = (round(v * self.DPI) for v in figsize)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class("bn-study-figure")
        self._pictures = {setting: self.draw(setting) for setting in options}
        self.setting.observe(lambda _change: self.update(), names="value")
        super().__init__(children=[self.setting, self.image])
        self.add_class("bn-study-view")
        self.update()

    def update(self):
        """Show the slider's setting; returns what it shows (``study_medians``)."""
        setting = self.setting.value
        self.image.value = self._pictures[setting]
        self.last = study_medians(self.study, setting)
        return self.last

    def draw(self, setting):
        """The figure of one setting, as PNG bytes."""
        fig = Figure(figsize=self.figsize, dpi=self.DPI, layout="constrained")
        FigureCanvasAgg(fig)
        plot_study(self.study, setting, ax=fig.subplots(), colors=self.colors, name=self.name,
                   threshold=self.threshold)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()


def build_study_view(study, **kwargs):
    """Build the study view (see ``StudyView``)."""
    return StudyView(study, **kwargs)
