"""Benchmark the explorer widget: slider value -> new figure rendered (PNG bytes in the Image widget).

    .venv/bin/python -m tools.bench.bench_explorer        # prints a table, writes bench/explorer.md

For each batch size (1k, 10k, 100k samples) it builds the widget, then moves the sliders the way a
learner does -- gamma, beta and eps in turn, 3 x ``--repeats`` moves -- timing each assignment
``slider.value = v``, which returns only after the update has recomputed the four stages, updated the
artists, rendered and encoded the PNG. It also times switching the input distribution or the
activation: the first time each pair is shown its axes are drawn (slow), later visits reuse them. Budget: median <= 50 ms at 10k samples.
This is a script, not a timed test: the machine is shared and timings are noisy, so the load average
is printed with the numbers.
"""
import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from bn_lesson.data import DISTRIBUTIONS
from bn_lesson.widgets.explorer import build_explorer

SIZES = (1_000, 10_000, 100_000)
BUDGET_MS = 50.0


def timed(assignments):
    """Wall-clock and CPU milliseconds taken by each (widget, value) assignment, as two arrays.

    CPU time (this process only) is what the update would take on an idle machine; wall-clock time also
    counts waiting for a core while other processes run.
    """
    wall, cpu = [], []
    for control, value in assignments:
        start, start_cpu = time.perf_counter(), time.process_time()
        control.value = value
        wall.append(1e3 * (time.perf_counter() - start))
        cpu.append(1e3 * (time.process_time() - start_cpu))
    return np.array(wall), np.array(cpu)


def snake():
    """Every (distribution, activation) frame once, each step changing one control: [(control name, value)]."""
    moves, activation = [], "sigmoid"  # the widget starts at ("normal", "sigmoid")
    for i, dist in enumerate(DISTRIBUTIONS):
        if i:
            moves.append(("dist", dist))
        activation = "relu" if activation == "sigmoid" else "sigmoid"
        moves.append(("activation", activation))
    return moves


def bench(n, repeats):
    w = build_explorer(batch_size=n, batch_sizes=SIZES)
    w.gamma.value = 1.05  # warm up
    slider_moves = []
    for i in range(repeats):
        slider_moves += [(w.gamma, 0.5 + (i % 30) * 0.1), (w.beta, -3.0 + (i % 30) * 0.2),
                         (w.eps, 10.0 ** (-6 + (i % 24) * 0.25))]
    slider = timed(slider_moves)
    # A frame seen for the first time draws its background (axes, ticks, titles): the slow path.
    forward = [(getattr(w, name), value) for name, value in snake()]
    first = timed(forward)
    # Walking back and forth over frames already seen only blits.
    states = [("normal", "sigmoid")]
    for name, value in snake():
        states.append((value, states[-1][1]) if name == "dist" else (states[-1][0], value))
    back = []
    for (d0, a0), (d1, a1) in zip(states[::-1], states[-2::-1]):
        back.append((w.dist, d1) if d0 != d1 else (w.activation, a1))
    seen = timed((back + forward) * max(repeats // 20, 1))
    return slider, first, seen, len(w.image.value), w.image.layout.width, w.image.layout.height


def row(label, times):
    wall, cpu = times
    return (f"| {label} | {len(wall)} | {np.median(wall):.1f} | {np.percentile(wall, 95):.1f} "
            f"| {np.median(cpu):.1f} | {np.percentile(cpu, 95):.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40, help="moves per slider and batch size")
    parser.add_argument("--out", default="bench/explorer.md", help="where to write the table ('' to skip)")
    args = parser.parse_args()

    lines = ["| update | updates | median ms | p95 ms | median CPU ms | p95 CPU ms |",
             "|---|---:|---:|---:|---:|---:|"]
    verdict = []
    for n in SIZES:
        slider, first, seen, png_bytes, width, height = bench(n, args.repeats)
        lines.append(row(f"slider (γ, β, ε), {n:,} samples", slider))
        lines.append(row(f"input or activation, a frame seen before, {n:,} samples", seen))
        lines.append(row(f"input or activation, first time (draws the axes), {n:,} samples", first))
        if n == 10_000:
            wall, cpu = np.median(slider[0]), np.median(slider[1])
            verdict.append(f"10k-sample slider update: median {wall:.1f} ms wall-clock ({cpu:.1f} ms CPU) against "
                           f"a budget of {BUDGET_MS:.0f} ms -- {'within' if wall <= BUDGET_MS else 'OVER'} budget.")
    load = os.getloadavg()
    header = [
        "# Explorer widget update latency",
        "",
        f"Measured by `tools/bench/bench_explorer.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min; the machine is shared).",
        f"Picture: {width} x {height}, about {png_bytes / 1024:.0f} KiB of PNG per update.",
        "",
        "Each time (wall-clock, and this process's CPU time) is one `slider.value = v` assignment: recompute the four stages and the activation, update "
        "the artists in place, render (Agg, blitting the changed artists over a cached background), draw the "
        "labels, encode the PNG and hand it to the `ipywidgets.Image`. It excludes the browser round trip. "
        "The background of each (input distribution, activation) pair -- axes, ticks, titles -- is drawn the "
        "first time that pair is shown and cached, so only those first-time updates pay for drawing text.",
        "",
    ]
    text = "\n".join(header + lines + [""] + verdict) + "\n"
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
