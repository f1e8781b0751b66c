"""The chapter widgets of issue 11 on one small page, for the live JupyterLab test to drive.

``write_notebook(folder)`` writes ``chapter_widgets.ipynb``: each cell builds one widget the way its chapter
does -- the chapter's own data helpers and builder call, with small sizes where the chapter's are large
(a one-seed copy of chapter 11's network instead of five; study dicts of chapters 08, 10 and 13's shape
instead of their ~35 s of training each) -- and shows it. ``WIDGETS`` says, for each, which slider to move (its
CSS class), with which key how often, what the kernel's slider must then hold, and how the kernel
recomputes the widget's ``.last`` independently (the pure function its ``update`` calls). ``PROBE`` asks the
kernel for all of it at once (through a second client): the slider's value, whether ``.last`` is that
recomputation, and a hash of the PNG the kernel sent, which the test compares with the picture the page
shows.
"""
from pathlib import Path
from typing import NamedTuple

import nbformat

NOTEBOOK = "chapter_widgets.ipynb"


class Widget(NamedTuple):
    """One widget to drive: the notebook variable holding it, where it is on the page, the move, the check."""

    name: str        #: the notebook's variable (and the screenshot's name)
    chapter: str     #: the chapter that embeds it
    root: str        #: CSS selector of the widget's VBox (the nth match, ``nth``, in page order)
    attribute: str   #: the widget's attribute holding the slider moved ...
    slider: str      #: ... and that slider's CSS class
    figure: str      #: the CSS class of its Image
    key: str         #: the key pressed on the slider's handle ...
    presses: int     #: ... this often
    value: object    #: what the kernel's slider holds afterwards
    recompute: str   #: kernel expression: what ``.last`` must equal (``v`` is the widget)
    nth: int = 0


# The setting each slider starts at is the chapter's; each move is a few steps of the slider.
WIDGETS = [
    Widget("outlier_view", "01", ".bn-outlier", "factor", "bn-outlier-factor", "bn-outlier-figure",
           "ArrowRight", 5, 10.5,
           "outlier_effect(v.values, v.index, float(v.factor.value))"),
    Widget("deep_view", "02", ".bn-deep-net", "init_scale", "bn-deep-scale", "bn-deep-figure", "ArrowLeft", 2, 4.0,
           "deep_net_probe(v.X, int(v.depth.value), float(v.init_scale.value), v.activation.value, "
           "bool(v.batch_norm.value), v.seed)"),
    Widget("fit_view", "04", ".bn-activation-fit", "gamma", "bn-fit-gamma", "bn-fit-figure", "ArrowRight", 10, 1.5,
           "(linear_fit_r2(v.gamma.value * v.x_hat + v.beta.value, v.activation.value), "
           "saturated_fraction(v.gamma.value * v.x_hat + v.beta.value, v.activation.value))"),
    Widget("cube_view", "05", ".bn-cube", "channel", "bn-cube-channel", "bn-cube-figure", "ArrowRight", 2, 3,
           "pooled_statistic(v.x, v.kind.value, int(v.example.value), int(v.channel.value), v.groups)"),
    Widget("tvi_view", "06", ".bn-train-vs-inference", "steps", "bn-tvi-steps", "bn-tvi-figure", "ArrowRight", 5, 150,
           "train_vs_inference(int(v.steps.value), float(v.momentum.value))"),
    Widget("bug_view", "11", ".bn-batch-size-bug", "batch_size", "bn-test-batch", "bn-batch-size-figure",
           "ArrowLeft", 2, 8,
           "(int(v.batch_size.value), bool(v.training.value), "
           "accuracy_in_batches(net, X_te, y_te, int(v.batch_size.value), bool(v.training.value)))"),
    Widget("lr_view", "08", ".bn-study-view", "setting", "bn-study-setting", "bn-study-figure", "ArrowRight", 2, 30.0,
           "study_medians(lr_study, v.setting.value)", nth=0),
    Widget("noise_view", "10", ".bn-study-view", "setting", "bn-study-setting", "bn-study-figure", "ArrowRight", 2, 4.0,
           "study_medians(noise_study, v.setting.value)", nth=1),
    Widget("batch_view", "13", ".bn-study-view", "setting", "bn-study-setting", "bn-study-figure", "ArrowRight", 2, 2,
           "study_medians(batch_study, v.setting.value)", nth=2),
]

#: chapter 08's live comparison trains on a button, not on a slider: the test picks tanh, presses "train
#: both", and the kernel's runs must be ``compare_training`` with the controls' settings (COMPARISON_PROBE)
COMPARISON = "comparison"

SETUP = """\
import numpy as np
from sklearn.datasets import load_digits

from bn_lesson.activations import saturated_fraction
from bn_lesson.data import digits_split, wine_regression
from bn_lesson.models.conv import conv2d, demo_kernels
from bn_lesson.models.mlp import accuracy_in_batches
from bn_lesson.models.probe import deep_net_probe
from bn_lesson.models.seeds import SeedMLP, train_seeds
from bn_lesson.norm_axes import pooled_statistic
from bn_lesson.stages import explore_setting
from bn_lesson.standardize import outlier_effect
from bn_lesson.stats import linear_fit_r2
from bn_lesson.viz.plots import BN_COLORS
from bn_lesson.widgets.activation_fit import build_activation_fit
from bn_lesson.widgets.batch_size_bug import build_batch_size_bug
from bn_lesson.widgets.cube import build_cube
from bn_lesson.widgets.deep_net import build_deep_net
from bn_lesson.widgets.demo_views import (build_train_vs_inference, build_training_comparison, compare_training,
                                          train_vs_inference)
from bn_lesson.widgets.outlier import build_outlier
from bn_lesson.widgets.study_view import build_study_view, study_medians

SEED = 0
rng = np.random.default_rng(SEED)"""

CELLS = [
    ("01: one outlier, min-max against the Z-score", """\
wine = wine_regression()
magnesium = wine.X[:, wine.feature_names.index("magnesium")].copy()
outlier_view = build_outlier(magnesium, index=0, factor=10.0)
outlier_view"""),
    ("02: a deep network's layers", """\
X_train, X_test, y_train, y_test = digits_split(SEED)
deep_view = build_deep_net(X_test, init_scale=16.0, depth=6, activation="sigmoid")
deep_view"""),
    ("04: the activation's linear fit and flat share as gamma and beta move (a batch of 2,000, not 10,000)", """\
fit_view = build_activation_fit(explore_setting("normal", batch_size=2_000).values["normalized"])
fit_view"""),
    ("05: which cells share one mean", """\
digits = load_digits()
x = digits.images[:64, :, :, None] / 16.0             # (64, 8, 8, 1)
names, w = demo_kernels()                             # (3, 3, 1, 4)
z_maps = conv2d(x, w, padding="same")                 # (64, 8, 8, 4)
cube_view = build_cube(z_maps, kind="batch", channel=1)
cube_view"""),
    ("06: training against inference mode", """\
tvi_view = build_train_vs_inference(steps=100)
tvi_view"""),
    ("11: the test batch size bug, on seed 0's copy of the chapter's network (one seed, not five)", """\
X_tr, X_te, y_tr, y_te = digits_split(SEED)
nets = SeedMLP([64, 64, 64, 64, 10], [np.random.default_rng(SEED)], activation="sigmoid", init_scale=4.0,
               batch_norm=True)
train_seeds(nets, X_tr[None], y_tr[None], lr=0.1, steps=100, batch_size=32, rngs=[np.random.default_rng(SEED)],
            record_every=100)
net = nets.copy(0)
bug_view = build_batch_size_bug(net, X_te, y_te)
bug_view"""),
    ("08: the learning-rate study (made-up accuracies of the chapter's shape: 5 seeds, every 50 steps)", """\
RATES, TRAINED = (0.1, 1.0, 3.0, 10.0, 30.0, 100.0), 0.7
steps = np.arange(50, 501, 50)                        # (R,)
lr_study = {lr: {label: (steps, np.clip(rng.normal(0.95 - 0.1 * k * np.log10(lr) * (label == "without BN"),
                                                   0.02, size=(5, len(steps))), 0, 1))
                 for k, label in enumerate(BN_COLORS, start=1)}
            for lr in RATES}                          # {rate: {network: (steps (R,), accuracy (seeds, R))}}
lr_view = build_study_view(lr_study, name="learning rate", colors=BN_COLORS, threshold=TRAINED, value=3.0)
lr_view"""),
    ("08: both networks trained live in numpy (the chapter's own call; a press trains for ~2 s)", """\
comparison = build_training_comparison()
comparison"""),
    ("10: the noise-strength study (made-up numbers of the chapter's shape: k = 0, 1, 2, 4, every 50 steps)", """\
noise_study = {k: {label: (steps, np.clip(rng.normal(0.93 - 0.02 * k * (label != "without BN"), 0.02,
                                                     size=(5, len(steps))), 0, 1))
                   for label in ("without BN", "with BN", f"noisy BN, k = {k:g}")}
               for k in (0.0, 1.0, 2.0, 4.0)}
noise_view = build_study_view(noise_study, name="noise strength k", threshold=0.9, value=1.0)
noise_view"""),
    ("13: the batch-size study of BN, renorm, LN and GN (made-up accuracies of the chapter's shape)", """\
NORMS, TARGET = ("batch norm", "batch renorm", "layer norm", "group norm"), 0.9
batch_study = {b: {label: (steps, np.clip(rng.normal(0.93 - (0.5 if b == 2 and k < 2 else 0.0), 0.02,
                                                     size=(5, len(steps))), 0, 1))
                   for k, label in enumerate(NORMS)}
               for b in (60, 8, 2)}                   # {batch size: {network: (steps (R,), accuracy (seeds, R))}}
batch_view = build_study_view(batch_study, name="batch size", threshold=TARGET)
batch_view"""),
]

#: run in the kernel through a second client: every widget's state, as one JSON line (no names left behind)
PROBE = """
def _bn_probe():
    import hashlib, json
    import numpy as np

    def same(a, b):
        if isinstance(a, tuple) or isinstance(b, tuple):
            return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
        if isinstance(a, dict) or isinstance(b, dict):
            return type(a) is type(b) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            a, b = np.asarray(a), np.asarray(b)
            return a.shape == b.shape and a.dtype == b.dtype and bool(np.all((a == b) | ((a != a) & (b != b))))
        return a == b or (a != a and b != b)
    found = {}
    for name, slider, recompute in %s:
        v = globals()[name]
        control = getattr(v, slider)
        last, recomputed = v.last, eval(recompute)
        ok = same(last, recomputed)
        found[name] = {"value": control.value, "last_is_recomputed": ok,
                       "png_sha256": hashlib.sha256(v.image.value).hexdigest(),
                       "differ": None if ok else f".last = {last!r:.300}; recomputed = {recomputed!r:.300}"}
    return json.dumps(found)
print(_bn_probe())
del _bn_probe
"""

def probe_code(widgets=WIDGETS):
    """``PROBE`` for ``widgets`` (``Widget``s): prints {name: {value, last_is_recomputed, png_sha256}}."""
    return PROBE % repr([(w.name, w.attribute, w.recompute) for w in widgets])


def write_notebook(folder):
    """Write ``chapter_widgets.ipynb`` into ``folder``; returns its path."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell("# The chapter widgets, for the live JupyterLab test"))
    nb.cells.append(nbformat.v4.new_code_cell(SETUP))
    for title, source in CELLS:
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## {title}"))
        nb.cells.append(nbformat.v4.new_code_cell(source))
    path = Path(folder) / NOTEBOOK
    nbformat.write(nb, path)
    return path


#: the comparison's state, through a second client: its controls, whether its runs are ``compare_training`` of
#: them (recomputed: ~2 s), and a hash of the PNG the kernel sent
COMPARISON_PROBE = """
def _bn_probe():
    import hashlib, json
    import numpy as np
    v = comparison
    s = v.current_settings()
    again = compare_training(**s)
    same = all(np.array_equal(v.runs[k].probe_accuracy, again[k].probe_accuracy) for k in again)
    return json.dumps({"activation": s["activation"], "runs_are_the_settings": same,
                       "png_sha256": hashlib.sha256(v.image.value).hexdigest()})
print(_bn_probe())
del _bn_probe
"""
