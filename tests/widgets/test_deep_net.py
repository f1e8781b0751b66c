"""Chapter 02's deep-network widget: the probe against the network it stands for, the controls, the redraw.

How fast a control move redraws is measured by ``make bench`` (its widgets part), not by a timed test.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bn_lesson.data import digits_split  # noqa: E402
from bn_lesson.models.mlp import MLP  # noqa: E402
from bn_lesson.models.probe import deep_net_probe  # noqa: E402
from bn_lesson.stats import layer_stats  # noqa: E402
from bn_lesson.viz.deep_net_plots import plot_deep_net_probe  # noqa: E402
from bn_lesson.widgets.deep_net import build_deep_net  # noqa: E402


@pytest.fixture(scope="module")
def images():
    return digits_split(0).X_test[:256]


def test_the_probe_is_the_networks_forward_pass(images):
    probe = deep_net_probe(images, 4, 4.0, "tanh", seed=3)
    model = MLP([64, 64, 64, 64, 64, 10], np.random.default_rng(3), activation="tanh", init_scale=4.0)
    _, cache = model.forward(images, training=False)
    assert np.allclose(probe.stats.example_std, layer_stats(cache.preacts, "tanh").example_std)
    assert probe.counts.shape == (4, 40) and np.allclose(probe.counts.sum(axis=1), 1.0)
    assert probe.edges[0] == -1.0 and probe.edges[-1] == 1.0


def test_fading_saturating_and_batch_norm(images):
    fading = deep_net_probe(images, 6, 1.0)
    saturating = deep_net_probe(images, 6, 16.0)
    normalized = deep_net_probe(images, 6, 16.0, batch_norm=True)
    assert fading.stats.example_std[-1] < 1e-2 * fading.stats.example_std[0]
    assert saturating.stats.saturated[1:].min() > 0.5
    assert np.allclose(normalized.stats.example_std, 1.0, atol=0.05) and normalized.stats.saturated.max() < 0.01


def test_validation(images):
    with pytest.raises(ValueError, match="depth"):
        deep_net_probe(images, 0, 1.0)
    with pytest.raises(ValueError, match="init_scale"):
        deep_net_probe(images, 2, -1.0)
    with pytest.raises(ValueError, match="activation"):
        deep_net_probe(images, 2, 1.0, "softplus")
    with pytest.raises(TypeError, match="batch_norm"):
        deep_net_probe(images, 2, 1.0, batch_norm="yes")


def test_setting_the_controls_recomputes(images):
    view = build_deep_net(images)
    first = view.image.value
    view.depth.value = 3
    view.init_scale.value = 16.0
    view.activation.value = "relu"
    view.batch_norm.value = True
    expected = deep_net_probe(images, 3, 16.0, "relu", True)
    assert np.array_equal(view.last.counts, expected.counts)
    assert view.image.value != first
    assert "relu, init scale 16, with BN" in view._artists.left_title.get_text()
    assert [h.get_visible() for h in view._artists.hists[:4]] == [True, True, True, False]


def test_the_static_twin(images):
    axes = plot_deep_net_probe(deep_net_probe(images, 6, 16.0), title="saturated")
    assert axes[0].get_title() == "saturated"
    with pytest.raises(ValueError, match="at most 10"):
        plot_deep_net_probe(deep_net_probe(images, 11, 1.0))
    plt.close("all")
