"""Chapter 05's cube widget: the pooled statistic against batch norm's, the controls, the redraw.

How fast a control move redraws is measured by ``make bench`` (its widgets part), not by a timed test.
"""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

from bn_lesson.algorithm import batch_norm  # noqa: E402
from bn_lesson.norm_axes import pooled_statistic, shared_statistics_mask  # noqa: E402
from bn_lesson.viz.plots import STAGE_COLORS  # noqa: E402
from bn_lesson.widgets.cube import build_cube  # noqa: E402


@pytest.fixture(scope="module")
def maps():
    return np.random.default_rng(0).normal(2.0, 3.0, size=(16, 5, 5, 4))


def test_batch_norm_pools_n_h_w_of_one_channel(maps):
    bn = batch_norm(maps, axis=(0, 1, 2))
    for c in range(4):
        stat = pooled_statistic(maps, "batch", channel=c)
        assert stat.count == 16 * 5 * 5 and np.isclose(stat.mean, bn.mu[c]) and np.isclose(stat.var, bn.var[c])


def test_layer_and_group_norm_pool_one_example(maps):
    layer = pooled_statistic(maps, "layer", example=3)
    assert layer.count == 5 * 5 * 4 and np.isclose(layer.mean, maps[3].mean())
    group = pooled_statistic(maps, "group", example=3, channel=3, groups=2)
    assert group.count == 5 * 5 * 2 and np.isclose(group.var, maps[3, :, :, 2:].var())


def test_validation(maps):
    with pytest.raises(ValueError, match="N, H, W, C"):
        pooled_statistic(maps[0], "batch")
    with pytest.raises(ValueError, match="kind"):
        pooled_statistic(maps, "instance")


def test_setting_the_controls_recomputes(maps):
    view = build_cube(maps)
    first = view.image.value
    view.channel.value = 2
    assert view.last == pooled_statistic(maps, "batch", 0, 2, 2)
    assert "400 values" in view.stat.value and view.image.value != first
    view.kind.value = "layer"
    view.example.value = 1
    assert view.last.count == 100 and np.isclose(view.last.mean, maps[1].mean())


def test_a_new_setting_recolours_the_one_box_and_a_revisit_shows_the_kept_picture(maps):
    view = build_cube(maps)
    ax = view.picture.artists.ax
    box = ax.get_position().bounds
    first = view.image.value
    view.kind.value = "group"
    view.channel.value = 3
    view.example.value = 2
    faces = [p for p in ax.patches if isinstance(p, Polygon)]
    lit = sum(np.allclose(p.get_facecolor()[:3], to_rgb(STAGE_COLORS["normalized"])) for p in faces)
    flat = shared_statistics_mask("group", view.shape, 2, 3, 2).reshape(4, 6, 4)
    assert len(faces) == 4 * 4 + 4 * 6 + 6 * 4 and lit == flat[:, 0, :].sum() + flat[:, :, 3].sum() + flat[0].sum()
    assert ax.get_title().startswith("Group norm") and ax.get_position().bounds == box   # one box, every frame
    view.kind.value, view.channel.value, view.example.value = "batch", 0, 0
    assert view.image.value == first                                                   # the kept picture
    for kind in ("batch", "layer", "group"):
        for example in range(4):
            for channel in range(4):
                view.kind.value, view.example.value, view.channel.value = kind, example, channel
    # 48 settings, 16 pictures: batch norm's ignores the example, layer norm's the channel, group norm's
    # channels 0-1 and 2-3 are one group each
    assert view.picture.kept() == 4 + 4 + 4 * 2
