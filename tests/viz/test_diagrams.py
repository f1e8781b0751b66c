"""The course diagrams build, return what they document, show the computed numbers, and change no global style."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from bn_lesson.norm_axes import shared_statistics_mask
from bn_lesson.viz import diagrams as figures
from bn_lesson.viz.plots import STAGE_COLORS



@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(fig_or_ax):
    fig = fig_or_ax if isinstance(fig_or_ax, Figure) else fig_or_ax.figure
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_four_steps_figure_has_four_panels_with_the_computed_statistics():
    fig = figures.four_steps_figure()
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    x = figures.DEMO_BATCH
    words = texts(fig)
    assert f"{x.mean():.2f}" in words and f"{x.var():.2f}" in words  # 6.00 and 4.00, from batch_norm
    assert "\u22123.00" in words  # y has mean beta = -3, written with a true minus sign
    # each panel plots the stage it names: the scatter's y values are x, x, x_hat, y
    offsets = [next(c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection))
               .get_offsets()[:, 1] for ax in fig.axes]
    np.testing.assert_allclose(offsets[0], x)
    np.testing.assert_allclose(offsets[2].mean(), 0, atol=1e-12)
    np.testing.assert_allclose(offsets[3].std(), 1.5 * np.sqrt(4 / (4 + 1e-3)))


def test_four_steps_figure_takes_another_batch_and_rejects_a_matrix():
    fig = figures.four_steps_figure(np.array([1.0, 2.0, 3.0, 10.0]), gamma=2.0, beta=1.0)
    assert "4 examples" in texts(fig)
    with pytest.raises(ValueError, match="x must be one feature"):
        figures.four_steps_figure(np.ones((3, 2)))


def test_where_bn_goes_draws_both_blocks_on_the_given_axes():
    fig, ax = plt.subplots()
    assert figures.draw_where_bn_goes(ax) is ax
    words = texts(ax)
    for word in ("affine", "conv2d", "ReLU", "max-pool", "normalize", "scale, shift", "no bias"):
        assert word in words
    assert words.count("batch norm on") == 2


def test_where_bn_goes_makes_its_own_axes_when_none_is_given():
    ax = figures.draw_where_bn_goes()
    assert ax.figure is not None and not ax.axison


def _shade_of(rgb, color):
    """How much white is mixed into ``color`` to give ``rgb`` (0 = the colour itself), or None if ``rgb``
    is not ``color`` mixed with white: then 1 - rgb is a multiple of 1 - color."""
    left, right = 1 - np.asarray(rgb), 1 - np.asarray(to_rgb(color))
    k = float(left @ right / (right @ right))
    return 1 - k if np.allclose(left, k * right, atol=1e-6) else None


def _highlighted(ax):
    """The grid cells drawn in a strong shade of the normalized colour (the ones BN pools)."""
    cells = [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]
    shades = [_shade_of(p.get_facecolor()[:3], STAGE_COLORS["normalized"]) for p in cells]
    return [cell for cell, shade in zip(cells, shades) if shade is not None and shade < 0.5]


def test_dense_axes_highlight_one_column_of_n_cells():
    ax = figures.draw_dense_axes(n=5, d=4, feature=2)
    cells = _highlighted(ax)
    assert len(cells) == 5
    assert {round(c.get_x(), 6) for c in cells} == {round(cells[0].get_x(), 6)}  # one column
    others = [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle) and p.get_fill()
              and p not in cells]
    assert len(others) == 5 * 3 and all(_shade_of(p.get_facecolor()[:3], STAGE_COLORS["input"]) is not None
                                        for p in others)  # the rest: a light shade of the input colour


def test_conv_axes_highlight_one_channel_sheet_per_example():
    ax = figures.draw_conv_axes(n=3, h=4, w=4, c=5)
    assert len(_highlighted(ax)) == 3
    assert "48 values" in texts(ax)


def test_bn_axes_figure_has_two_panels_and_names_the_axes():
    fig = figures.bn_axes_figure()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    words = texts(fig)
    assert "axis=0" in words and "axis=(0, 1, 2)" in words


def test_drawing_changes_no_global_style():
    before = dict(matplotlib.rcParams)
    figures.four_steps_figure()
    figures.draw_where_bn_goes()
    figures.bn_axes_figure()
    figures.norm_axes_figure()
    assert dict(matplotlib.rcParams) == before


def test_make_images_writes_the_three_pictures_deterministically(tmp_path, capsys):
    from tools import make_images
    make_images.main(tmp_path / "a")
    make_images.main(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["bn_axes.png", "four_steps.png", "where_bn_goes.png"]
    for name in names:
        data = (tmp_path / "a" / name).read_bytes()
        assert data == (tmp_path / "b" / name).read_bytes(), f"{name} differs between two runs"
        assert 20_000 < len(data) < 400_000
    capsys.readouterr()


# -- batch, layer and group norm (chapter 13) ---------------------------------------------------------------

@pytest.mark.parametrize("kind, channel", [("batch", 1), ("layer", 0), ("group", 2)])
def test_norm_axes_highlight_the_visible_cells_of_the_mask(kind, channel):
    shape = (4, 2, 3, 6)
    mask = shared_statistics_mask(kind, shape, channel=channel, groups=3)
    ax = figures.draw_norm_axes(kind, shape=shape, channel=channel, groups=3)
    faces = [p for p in ax.patches if isinstance(p, matplotlib.patches.Polygon)]
    lit = [p for p in faces if np.allclose(p.get_facecolor()[:3], to_rgb(STAGE_COLORS["normalized"]))]
    n, h, w, c = shape
    flat = mask.reshape(n, h * w, c)
    visible = flat[:, 0, :].sum() + flat[:, :, c - 1].sum() + flat[0].sum()  # top, right and front faces
    assert len(faces) == n * c + n * h * w + h * w * c and len(lit) == visible
    assert ax.get_title().startswith(kind.capitalize() + " norm")


def test_norm_axes_figure_has_three_panels():
    fig = figures.norm_axes_figure()
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["Batch norm", "Layer norm", "Group norm"]
