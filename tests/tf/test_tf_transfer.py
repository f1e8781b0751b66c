"""bn_lesson.tf.transfer: the fine-tuning trap (chapter 07)."""
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from bn_lesson.tf import transfer  # noqa: E402


def test_fine_tuning_trap_shows_which_setups_keep_the_moving_statistics():
    rng = np.random.default_rng(0)
    xs, xt = rng.normal(0, 1, (64, 3)), rng.normal(2, 1, (32, 3))
    out = transfer.fine_tuning_trap(xs, xt, xt.sum(1), units=4, batch_size=4, learning_rate=1e-3)
    assert tuple(out) == transfer.FINE_TUNING_SETUPS
    frozen = out["bn.trainable = False"]
    assert frozen.gamma_change == 0.0 and frozen.moving_mean_change == 0.0
    call_time = out["model(x, training=False) in the step"]
    assert call_time.gamma_change > 0 and call_time.moving_mean_change == 0.0
    # Keras 3: fit's training=True overrides a training=False recorded when the model was built
    for setup in ("base(x, training=False) when building", "neither"):
        assert out[setup].gamma_change > 0 and out[setup].moving_mean_change > 0.1
    assert call_time.moving_var_change == 0.0 and out["neither"].moving_var_change > 0


def test_fine_tuning_trap_rejects_bad_input():
    x = np.ones((8, 3))
    with pytest.raises(ValueError, match="same D"):
        transfer.fine_tuning_trap(x, np.ones((8, 2)), np.ones(8))
    with pytest.raises(ValueError, match="y_target"):
        transfer.fine_tuning_trap(x, x, np.ones(7))
    with pytest.raises(ValueError, match="learning_rate"):
        transfer.fine_tuning_trap(x, x, np.ones(8), learning_rate=0)
