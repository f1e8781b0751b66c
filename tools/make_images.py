"""Draw the course's diagrams into images/ (``make images``).

    python -m tools.make_images [output_dir]

The pictures are made by code in ``bn_lesson.viz.diagrams`` so they can be re-drawn, reviewed and changed like
any other source. The output is deterministic: fixed data, fixed size, no timestamps in the PNGs.
"""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # a script: no window, same pixels on every machine

import matplotlib.pyplot as plt  # noqa: E402

from bn_lesson.viz.diagrams import bn_axes_figure, draw_where_bn_goes, four_steps_figure  # noqa: E402

DPI = 120  # ~1560 px wide: sharp on a projector, a few hundred kB each


def where_bn_goes_figure():
    fig, ax = plt.subplots(figsize=(13.0, 6.55))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    draw_where_bn_goes(ax)
    return fig


IMAGES = {
    "four_steps.png": four_steps_figure,
    "where_bn_goes.png": where_bn_goes_figure,
    "bn_axes.png": bn_axes_figure,
}


def main(out_dir="images"):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, make in IMAGES.items():
        fig = make()
        # metadata={"Software": None}: no version string in the file, so re-running changes no bytes
        fig.savefig(out / name, dpi=DPI, facecolor="white", metadata={"Software": None})
        plt.close(fig)
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main(*sys.argv[1:])
