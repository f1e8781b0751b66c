"""Chapter 13's checkers: layer norm and group norm. Right answers pass, each classic mistake gets its hint."""

import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.algorithm import batch_norm
from bn_lesson.constants import DEFAULT_EPS


def normalized(x, axes, eps, ddof=0, eps_outside=False):
    var = x.var(axes, ddof=ddof, keepdims=True)
    return (x - x.mean(axes, keepdims=True)) / (np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps))


def grouped(x, groups, eps, interleaved=False, axes=(1, 2, 4)):
    n, h, w, c = x.shape
    shape = (n, h, w, c // groups, groups) if interleaved else (n, h, w, groups, c // groups)
    axes = tuple(3 if interleaved and a == 4 else a for a in axes)
    return normalized(x.reshape(shape), axes, eps).reshape(x.shape)


def bn_layer_norm(x, eps):
    return batch_norm(x, eps=eps, axis=(1, 2, 3)).y


def bn_group_norm(x, groups, eps):
    n, h, w, c = x.shape
    return batch_norm(x.reshape(n, h, w, groups, c // groups), eps=eps, axis=(1, 2, 4)).y.reshape(x.shape)


@pytest.mark.parametrize("fn", [bn_layer_norm, ex.SOLUTIONS["layer_norm"]], ids=["bn_lesson.batch_norm", "solution"])
def test_layer_norm_right_answers_pass(run, fn):
    ok, line = run(ex.check_layer_norm, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn", [bn_group_norm, ex.SOLUTIONS["group_norm"]], ids=["bn_lesson.batch_norm", "solution"])
def test_group_norm_right_answers_pass(run, fn):
    ok, line = run(ex.check_group_norm, fn)
    assert ok and line.startswith(ex.PASS), line


def test_layer_norm_matches_keras():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(3, 4, 5, 6)).astype("float32")
    layer = keras.layers.LayerNormalization(axis=(1, 2, 3), epsilon=DEFAULT_EPS)
    np.testing.assert_allclose(ex.SOLUTIONS["layer_norm"](x.astype(float), DEFAULT_EPS), np.asarray(layer(x)),
                               atol=1e-4)


def test_group_norm_matches_keras():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(1).normal(-1.0, 2.0, size=(3, 4, 5, 6)).astype("float32")
    layer = keras.layers.GroupNormalization(groups=3, epsilon=DEFAULT_EPS)
    np.testing.assert_allclose(ex.SOLUTIONS["group_norm"](x.astype(float), 3, DEFAULT_EPS), np.asarray(layer(x)),
                               atol=1e-4)


@pytest.mark.parametrize("fn, hint", [
    (lambda x, e: normalized(x, (0, 1, 2), e), "that's batch norm's axes"),
    (lambda x, e: normalized(x, (3,), e), "channels only"),
    (lambda x, e: normalized(x, (1, 2), e), "instance norm"),
    (lambda x, e: normalized(x, None, e), "whole batch"),
    (lambda x, e: normalized(x, (1, 2, 3), e, ddof=1), "unbiased"),
    (lambda x, e: normalized(x, (1, 2, 3), e, eps_outside=True), "inside"),
    (lambda x, e: normalized(x, (1, 2, 3), 0.0), "left eps out"),
    (lambda x, e: normalized(x, (1, 2, 3), DEFAULT_EPS), "what eps=1e-3 would give"),
    (lambda x, e: x, "expected"),
])
def test_layer_norm_mistakes(run, fn, hint):
    ok, line = run(ex.check_layer_norm, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


@pytest.mark.parametrize("fn, hint", [
    (lambda x, g, e: grouped(x, g, e, interleaved=True), "consecutive"),
    (lambda x, g, e: normalized(x, (1, 2, 3), e), "layer norm"),
    (lambda x, g, e: normalized(x, (1, 2), e), "instance norm"),
    (lambda x, g, e: grouped(x, g, e, axes=(0, 1, 2, 4)), "batch axis"),
    (lambda x, g, e: grouped(x, g, e, axes=(1, 2, 3)), "wrong axes"),
    (lambda x, g, e: grouped(x, g, DEFAULT_EPS), "what eps=1e-3 would give"),
    (lambda x, g, e: grouped(x, 3, e), "what groups=3 would give"),
])
def test_group_norm_mistakes(run, fn, hint):
    ok, line = run(ex.check_group_norm, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line
