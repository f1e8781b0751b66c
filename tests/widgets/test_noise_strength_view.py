"""Chapter 10's noise-strength slider: a study view over a sweep of ShiftNoise's strength k, read from runs of one
trainer (k = 0 from the BN runs), where a move redraws the numbers the study computed."""
import functools

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

training = pytest.importorskip("bn_lesson.tf.training")
from bn_lesson.tf.models import build_mlp, noise_strength  # noqa: E402
from bn_lesson.widgets.study_view import build_study_view  # noqa: E402

SEEDS = (0, 1, 2)
STRENGTHS = (0.0, 1.0, 2.0)


def split(seed, n=60, d=6):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int32")
    return x[:40], y[:40], x[40:], y[40:]


@pytest.fixture(scope="module")
def sweep():
    """As chapter 10 builds it: BN and noisy-BN runs, k = 0 from the BN trainer, k >= 1 from the noisy one."""
    data = [split(s) for s in SEEDS]
    mlp = functools.partial(build_mlp, hidden=(8, 8), n_inputs=6)
    bn = training.SGDTrainer(functools.partial(mlp, "batch"), data, SEEDS).run(30, 0.5, batch_size=8, record_every=10)
    noisy = training.SGDTrainer(functools.partial(mlp, "noisy_batch"), data, SEEDS)
    by_k = {0.0: bn}
    for k in STRENGTHS[1:]:
        with noise_strength(noisy.model, k):
            by_k[k] = noisy.run(30, 0.5, batch_size=8, record_every=10)
    study = {k: {"with BN": (bn.steps, bn.test_accuracy), f"noisy BN, k = {k}": (by_k[k].steps, by_k[k].test_accuracy)}
             for k in STRENGTHS}
    return bn, by_k, study


def test_moving_the_slider_shows_that_strengths_medians(sweep):
    bn, by_k, study = sweep
    view = build_study_view(study, name="noise strength k", threshold=0.9, value=1.0)
    for k in (2.0, 0.0, 1.0):
        view.setting.value = k
        shown = view.last
        assert set(shown) == {"with BN", f"noisy BN, k = {k}"}
        np.testing.assert_array_equal(shown[f"noisy BN, k = {k}"][0], by_k[k].steps)
        np.testing.assert_allclose(shown[f"noisy BN, k = {k}"][1], np.median(by_k[k].test_accuracy, axis=0))
        np.testing.assert_allclose(shown["with BN"][1], np.median(bn.test_accuracy, axis=0))
        assert view.image.value[:4] == b"\x89PNG"


def test_the_shift_per_step_grows_with_the_strength(sweep):
    _, by_k, _ = sweep
    shift = [np.median(training.step_to_step_shift(by_k[k].batch_mean)) for k in STRENGTHS]
    assert shift[0] < shift[1] < shift[2]
