"""Chapter 08/10 checkers: right answers pass, each classic mistake fails with its own hint, in one line."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from exercise_checks import run  # noqa: E402


@pytest.mark.parametrize("name", ["bn_block", "steps_to_reach", "layer_norm", "group_norm"])
def test_reference_solutions_pass(capsys, name):
    ok, line = run(capsys, getattr(ex, f"check_{name}"), ex._SOLUTIONS[name])
    assert ok is True and line.startswith("\u2713")
    assert name in ex.SOLUTION_NAMES


def test_layer_norm_matches_keras(capsys):
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(3, 4, 5, 6)).astype("float32")
    layer = keras.layers.LayerNormalization(axis=(1, 2, 3), epsilon=1e-3)
    np.testing.assert_allclose(ex._layer_norm(x.astype(float), 1e-3), np.asarray(layer(x)), atol=1e-4)


def test_group_norm_matches_keras(capsys):
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(1).normal(-1.0, 2.0, size=(3, 4, 5, 6)).astype("float32")
    layer = keras.layers.GroupNormalization(groups=3, epsilon=1e-3)
    np.testing.assert_allclose(ex._group_norm(x.astype(float), 3, 1e-3), np.asarray(layer(x)), atol=1e-4)


def norm(x, axes, eps, **kw):
    return ex._norm_over(x, axes, eps, **kw)


@pytest.mark.parametrize("fn, hint", [
    (lambda x, e: norm(x, (0, 1, 2), e), "that's batch norm's axes"),
    (lambda x, e: norm(x, (3,), e), "channels only"),
    (lambda x, e: norm(x, (1, 2), e), "instance norm"),
    (lambda x, e: norm(x, None, e), "whole batch"),
    (lambda x, e: norm(x, (1, 2, 3), e, ddof=1), "unbiased"),
    (lambda x, e: norm(x, (1, 2, 3), e, eps_outside=True), "inside"),
    (lambda x, e: norm(x, (1, 2, 3), 0.0), "left eps out"),
    (lambda x, e: x, "expected"),
])
def test_layer_norm_mistakes(capsys, fn, hint):
    ok, line = run(capsys, ex.check_layer_norm, fn)
    assert ok is False and hint in line


@pytest.mark.parametrize("fn, hint", [
    (lambda x, g, e: ex._gn_ref(x, g, e, interleaved=True), "consecutive"),
    (lambda x, g, e: norm(x, (1, 2, 3), e), "layer norm"),
    (lambda x, g, e: norm(x, (1, 2), e), "instance norm"),
    (lambda x, g, e: ex._gn_ref(x, g, e, axes=(0, 1, 2, 4)), "batch axis"),
    (lambda x, g, e: ex._gn_ref(x, g, e, axes=(1, 2, 3)), "wrong axes"),
])
def test_group_norm_mistakes(capsys, fn, hint):
    ok, line = run(capsys, ex.check_group_norm, fn)
    assert ok is False and hint in line


@pytest.mark.parametrize("fn, hint", [
    (lambda s, a, t: int(np.flatnonzero(a >= t)[0]) if (a >= t).any() else None, "index"),
    (lambda s, a, t: int(s[np.flatnonzero(a > t)[0]]) if (a > t).any() else None, ">="),
    (lambda s, a, t: int(s[np.flatnonzero(a >= t)[-1]]) if (a >= t).any() else None, "last record"),
    (lambda s, a, t: int(s[np.flatnonzero(a >= t)[0]]) if (a >= t).any() else -1, "return None"),
])
def test_steps_to_reach_mistakes(capsys, fn, hint):
    ok, line = run(capsys, ex.check_steps_to_reach, fn)
    assert ok is False and hint in line


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def test_bn_block_mistakes(capsys, keras):
    L = keras.layers
    cases = [
        (lambda u: [L.Dense(u, use_bias=False), L.Activation("sigmoid"), L.BatchNormalization()], "after the sigmoid"),
        (lambda u: [L.Dense(u, activation="sigmoid"), L.BatchNormalization()], "after the sigmoid"),
        (lambda u: [L.BatchNormalization(), L.Dense(u, use_bias=False), L.Activation("sigmoid")], "layer's input"),
        (lambda u: [L.Dense(u), L.BatchNormalization(), L.Activation("sigmoid")], "bias is wasted"),
        (lambda u: [L.Dense(10, use_bias=False), L.BatchNormalization(), L.Activation("sigmoid")], "use the argument"),
        (lambda u: [L.Dense(u, use_bias=False), L.BatchNormalization(), L.Activation("relu")], "sigmoid units"),
        (lambda u: [L.Dense(u, use_bias=False, activation="tanh"), L.BatchNormalization(), L.Activation("sigmoid")],
         "applies tanh"),
        (lambda u: L.Dense(u), "list of layers"),
        (lambda u: [], "empty list"),
    ]
    for fn, hint in cases:
        ok, line = run(capsys, ex.check_bn_block, fn)
        assert ok is False and hint in line, line


@pytest.mark.parametrize("checker", [ex.check_bn_block, ex.check_steps_to_reach, ex.check_layer_norm,
                                     ex.check_group_norm])
def test_unwritten_and_raising_functions_are_reported(capsys, checker):
    def unwritten(*args):
        raise NotImplementedError

    def broken(*args):
        raise KeyError("oops")

    assert run(capsys, checker, unwritten)[1].endswith("with your code")
    ok, line = run(capsys, checker, broken)
    assert ok is False and "KeyError" in line
    assert "pass your function itself" in run(capsys, checker, 3)[1]
