"""Benchmark the chapter widgets in the kernel: a control move -> the new picture's PNG is in the widget.

    .venv/bin/python -m tools.bench.bench_widgets [--only cube outlier ...] [--passes 3]

Each chapter widget is built as its chapter builds it (the same builder, the same arguments, inputs of the
chapter's sizes) and its controls are moved through a fixed sequence of settings, timing each
``control.value = v`` (the update runs inside the assignment: recompute, redraw, PNG). A move is a *first
visit* when the widget has not shown that setting of its controls before, a *revisit* otherwise; the
sequence is played ``passes`` times on the same widget, so the first pass is (mostly) first visits and
the later ones revisits. Budget (issue 11): a pure redraw <= 50 ms median at the chapter's sizes.

Only the kernel side is timed (the browser's PNG decode is the browser benchmark's business). Wall time
is what a learner waits; the CPU time of this process is printed beside it, because the machine may be
shared. A script, not a timed test: a missed budget is reported, not asserted.

Chapters 08 and 10 show studies their own TensorFlow runs computed; here the studies have the chapters'
shapes (settings, networks, seeds, recorded steps) with synthetic accuracies: a redraw costs the same.
"""
import argparse
import time
from typing import Callable, NamedTuple

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from sklearn.datasets import load_digits

from bn_lesson.data import digits_split, wine_regression
from bn_lesson.models.conv import conv2d, demo_kernels
from bn_lesson.models.mlp import MLP
from bn_lesson.models.train import train
from bn_lesson.stages import explore_setting
from bn_lesson.viz.plots import BN_COLORS
from bn_lesson.widgets.activation_fit import build_activation_fit
from bn_lesson.widgets.batch_size_bug import batch_size_accuracies, batch_size_sizes, build_batch_size_bug
from bn_lesson.widgets.cube import build_cube
from bn_lesson.widgets.deep_net import build_deep_net
from bn_lesson.widgets.demo_views import build_train_vs_inference, build_training_comparison
from bn_lesson.widgets.outlier import build_outlier
from bn_lesson.widgets.study_view import build_study_view
from tools.bench.bench import table, verdict

#: a pure redraw, median of the moves (issue 11); the p95 is reported beside it
BUDGET_MS = 50.0
#: a training widget answers a press on its button within ~2 s (issue 11): chapter 08's live comparison
PRESS_BUDGET_MS = 2000.0


class Case(NamedTuple):
    """One chapter widget: how the chapter builds it and which moves a learner makes."""

    chapter: str      #: e.g. "05"
    call: str         #: the chapter's call (before any ": "; ", ..." stands for the rest), for the table
    inputs: Callable  #: () -> the builder's inputs, of the chapter's sizes (not timed)
    build: Callable   #: inputs -> the widget, as the chapter builds it (timed)
    moves: Callable   #: widget -> [(control, value)], played in order


class Timing(NamedTuple):
    """What ``time_case`` measured, in ms: the build, and each move (wall and CPU), by first visit or not."""

    build_ms: float          #: the chapter's call, wall
    build_cpu_ms: float      #: and CPU of this process
    first: np.ndarray        #: (K,) wall ms of the first visits
    revisit: np.ndarray      #: (M,) wall ms of the revisits
    first_cpu: np.ndarray    #: (K,) CPU ms of this process
    revisit_cpu: np.ndarray  #: (M,)


# -- the chapters' inputs -----------------------------------------------------------------------------------

def _magnesium():
    wine = wine_regression()
    return wine.X[:, wine.feature_names.index("magnesium")].copy()


def _z_maps():
    """Chapter 05's conv output: 64 digits through the four demo kernels, (64, 8, 8, 4)."""
    x = load_digits().images[:64, :, :, None] / 16.0
    return conv2d(x, demo_kernels()[1], padding="same")


def _bug_lab():
    """Chapter 11's seed-0 network (4 sigmoid layers of 64 with BN, 1,000 steps) and its test set of 540."""
    X_tr, X_te, y_tr, y_te = digits_split(0)
    net = MLP([64, 64, 64, 64, 10], np.random.default_rng(0), activation="sigmoid", init_scale=4.0, batch_norm=True)
    train(net, X_tr, y_tr, lr=0.1, steps=1000, batch_size=32, rng=np.random.default_rng(0), record_every=1000)
    return net, X_te, y_te, batch_size_accuracies(net, X_te, y_te, batch_size_sizes(len(X_te)))


def synthetic_study(settings, recorded, seeds=5, seed=0):
    """{setting: {label: (steps (R,), accuracy (seeds, R))}} with a chapter's shapes and made-up curves.

    ``recorded``: {label: steps (R,)}, the steps each network records at.
    """
    rng = np.random.default_rng(seed)
    return {s: {label: (np.asarray(steps), np.clip(1 - np.exp(-np.asarray(steps) / rng.uniform(50, 500, (seeds, 1)))
                                                   + rng.normal(0, 0.02, (seeds, len(steps))), 0, 1))
                for label, steps in recorded.items()} for s in settings}


# -- the cases ----------------------------------------------------------------------------------------------

def _sweep(control, values):
    return [(control, v) for v in values]


def _outlier(magnesium):
    return build_outlier(magnesium, index=0, factor=10.0)


def _test_images():
    return digits_split(0).X_test


def _deep_net(X_test):
    return build_deep_net(X_test, init_scale=16.0, depth=6, activation="sigmoid")


def _deep_net_moves(view):
    moves = []
    for bn in (False, True):
        moves.append((view.batch_norm, bn))
        for act in ("sigmoid", "tanh"):
            moves.append((view.activation, act))
            moves += _sweep(view.init_scale, view.init_scale.options)
    return moves + _sweep(view.depth, range(1, 11))


def _x_hat():
    return explore_setting("normal", batch_size=10_000).values["normalized"]


def _activation_fit(x_hat):
    return build_activation_fit(x_hat)


def _activation_fit_moves(view):
    moves = []
    for act in ("sigmoid", "tanh", "relu"):
        moves.append((view.activation, act))
        moves += _sweep(view.gamma, [round(g, 2) for g in np.arange(0.5, 6.01, 0.5)])
        moves += _sweep(view.beta, [round(b, 1) for b in np.arange(-3.0, 3.01, 1.0)])
    return moves


def _cube(z_maps):
    return build_cube(z_maps, kind="batch", channel=1)


def _cube_moves(view):
    moves = []
    for kind in ("batch", "layer", "group"):
        moves.append((view.kind, kind))
        for example in range(4):
            moves.append((view.example, example))
            moves += _sweep(view.channel, range(4))
    return moves


def _batch_size_bug(lab):
    net, X_te, y_te, by_size = lab
    return build_batch_size_bug(net, X_te, y_te, accuracy=by_size)


def _batch_size_bug_moves(view):
    return [m for training in (True, False) for m in [(view.training, training), *_sweep(view.batch_size, view.sizes)]]


def _train_vs_inference(_):
    return build_train_vs_inference(steps=100)


def _train_vs_inference_moves(view):
    return [m for momentum in view.momentum.options
            for m in [(view.momentum, momentum), *_sweep(view.steps, range(0, 1001, 50))]]


def _lr_study():
    """Chapter 08's: 6 learning rates; without BN recorded every 50 of 1,000 steps, with BN of 500."""
    return synthetic_study((0.1, 1.0, 3.0, 10.0, 30.0, 100.0),
                           {"without BN": np.arange(50, 1001, 50), "with BN": np.arange(50, 501, 50)})


def _study_view_08(lr_study):
    return build_study_view(lr_study, name="learning rate", colors=BN_COLORS, threshold=0.7, value=3.0)


def _batch_study():
    """Chapter 13's: batch sizes 60, 8 (500 steps) and 2 (1,000), four networks recorded every 100 steps."""
    labels = ("batch norm", "batch renorm", "layer norm", "group norm")
    return {b: synthetic_study((b,), {label: np.arange(100, steps + 1, 100) for label in labels}, seed=b)[b]
            for b, steps in {60: 500, 8: 500, 2: 1000}.items()}


def _study_view_13(batch_study):
    return build_study_view(batch_study, name="batch size", threshold=0.9)


def _study_moves(view):
    return _sweep(view.setting, view.setting.options)


CASES = {
    "outlier": Case("01", "build_outlier(magnesium, index=0, factor=10.0): 178 wines", _magnesium, _outlier,
                    lambda v: _sweep(v.factor, [round(f, 1) for f in np.arange(0.5, 20.01, 0.5)])),
    "deep_net": Case("02", 'build_deep_net(X_test, init_scale=16.0, depth=6, activation="sigmoid"): 540 images',
                     _test_images, _deep_net, _deep_net_moves),
    "activation_fit": Case("04",
                           'build_activation_fit(explore_setting("normal", batch_size=10_000).values["normalized"])',
                           _x_hat, _activation_fit, _activation_fit_moves),
    "cube": Case("05", 'build_cube(z_maps, kind="batch", channel=1): z_maps (64, 8, 8, 4)', _z_maps, _cube,
                 _cube_moves),
    "train_vs_inference": Case("06", "build_train_vs_inference(steps=100)", lambda: None, _train_vs_inference,
                               _train_vs_inference_moves),
    "study_view_08": Case("08", 'build_study_view(lr_study, name="learning rate", ...): 6 rates x 2 networks x 5 seeds',
                          _lr_study, _study_view_08, _study_moves),
    "batch_size_bug": Case("11", "build_batch_size_bug(net, X_te, y_te, accuracy=by_size[0]): 540 images",
                           _bug_lab, _batch_size_bug, _batch_size_bug_moves),
    "study_view_13": Case("13", 'build_study_view(batch_study, name="batch size", ...): 3 sizes x 4 networks x 5 seeds',
                          _batch_study, _study_view_13, _study_moves),
}


# -- timing -------------------------------------------------------------------------------------------------

def _setting(controls):
    return tuple(c.value for c in controls)


def time_case(case, passes=3):
    """Build the widget (timed) and play its moves ``passes`` times; returns a ``Timing``."""
    inputs = case.inputs()
    start, cpu = time.perf_counter(), time.process_time()
    view = case.build(inputs)
    build_ms, build_cpu_ms = 1000 * (time.perf_counter() - start), 1000 * (time.process_time() - cpu)
    moves = case.moves(view)
    controls = list(dict.fromkeys(control for control, _ in moves))
    home = _setting(controls)
    seen = {home}
    times = {True: [], False: []}
    for _ in range(passes):
        for control, value in zip(controls, home):   # every pass starts where the chapter leaves the widget
            control.value = value
        for control, value in moves:
            if control.value == value:
                continue                             # not a move: nothing would run
            wall, cpu = time.perf_counter(), time.process_time()
            control.value = value
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            setting = _setting(controls)
            times[setting not in seen].append((1000 * wall, 1000 * cpu))
            seen.add(setting)
    first, revisit = (np.array(times[k]).reshape(-1, 2) for k in (True, False))
    return Timing(build_ms, build_cpu_ms, first[:, 0], revisit[:, 0], first[:, 1], revisit[:, 1])


def _ms(values):
    return f"{values:.1f}" if values < 100 else f"{values:.0f}"


def rows_for(name, timing, budget=BUDGET_MS):
    """Table rows (what, measured, budget, verdict) for one widget: first visits and revisits."""
    case = CASES[name]
    rows = []
    for kind, wall, cpu in (("first visit to a setting", timing.first, timing.first_cpu),
                            ("revisit", timing.revisit, timing.revisit_cpu)):
        what = f"chapter {case.chapter} widget `{case.call}`: control move -> new PNG, {kind} ({len(wall)} moves)"
        if len(wall) == 0:
            rows.append((what, "no such moves", f"<= {budget:.0f} ms median", "-"))
            continue
        median = float(np.median(wall))
        measured = (f"median {_ms(median)} ms, p95 {_ms(float(np.percentile(wall, 95)))} ms "
                    f"(CPU median {_ms(float(np.median(cpu)))} ms)")
        if kind.startswith("first"):
            measured += (f"; the chapter's call built it in {_ms(timing.build_ms)} ms "
                         f"(CPU {_ms(timing.build_cpu_ms)} ms)")
        rows.append((what, measured, f"<= {budget:.0f} ms median", verdict(median, budget)))
    return rows


def press_rows(presses=3):
    """Chapter 08's live comparison: a press on "train both" at its defaults -> both nets trained, the new
    picture in the widget. Median over ``presses`` (the chapter builds it with ``build_training_comparison()``,
    which trains once at construction; that first training is not counted)."""
    view = build_training_comparison()
    wall, cpu = [], []
    for _ in range(presses):
        start, start_cpu = time.perf_counter(), time.process_time()
        view.run.click()
        wall.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - start_cpu))
    median = float(np.median(wall))
    return [(f"chapter 08 widget `build_training_comparison()`: a press on \"train both\" -> both networks "
             f"trained, new PNG ({presses} presses)",
             f"median {_ms(median)} ms (CPU median {_ms(float(np.median(cpu)))} ms)",
             f"<= {PRESS_BUDGET_MS / 1000:.0f} s median", verdict(median, PRESS_BUDGET_MS))]


def warm_up():
    """Draw one small figure with text: a chapter has drawn figures before its widget (fonts are loaded)."""
    fig = Figure(figsize=(2, 2), dpi=80, layout="constrained")
    fig.subplots().set_title("warm-up")
    fig.canvas.draw()


#: every widget timed, in chapter order: the slider widgets of ``CASES`` and chapter 08's button (``press_rows``)
NAMES = list(CASES)
NAMES.insert(NAMES.index("study_view_08") + 1, "training_comparison")
NAMES = tuple(NAMES)


def measure(names=NAMES, passes=3, say=print):
    """Time every named widget; returns the table rows."""
    matplotlib.use("Agg")   # as in the kernel's inline backend: the widgets draw on their own Agg figures
    warm_up()
    rows = []
    for name in names:
        say(f"[bench]   widget {name} ...")
        rows += press_rows() if name == "training_comparison" else rows_for(name, time_case(CASES[name], passes))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=NAMES, default=NAMES)
    parser.add_argument("--passes", type=int, default=3, help="times each widget's moves are played")
    args = parser.parse_args(argv)
    print(table(measure(args.only, args.passes)))


if __name__ == "__main__":
    main()
