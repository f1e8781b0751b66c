"""Chapter 05's checkers: per-channel statistics of (N, H, W, C) maps. Right answers pass, each classic
axis mistake gets its own hint, in one line, never a traceback."""
import numpy as np
import pytest

from bn_lesson import exercises as ex
from bn_lesson.algorithm import batch_norm
from bn_lesson.constants import DEFAULT_EPS
from bn_lesson.models.conv import channel_stats

AX = (0, 1, 2)

RIGHT = [
    (ex.check_channel_moments, lambda x: (x.mean(axis=AX), x.var(axis=AX))),
    (ex.check_channel_moments, lambda x: [batch_norm(x, axis=AX).mu, batch_norm(x, axis=AX).var]),
    (ex.check_channel_moments, lambda x: (channel_stats(x)[0], channel_stats(x)[1] ** 2)),
    (ex.check_channel_moments, ex.SOLUTIONS["channel_moments"]),
    (ex.check_conv_batch_norm, lambda x, g, b, e: g * (x - x.mean(AX)) / np.sqrt(x.var(AX) + e) + b),
    (ex.check_conv_batch_norm, lambda x, g, b, e: batch_norm(x, g, b, e, axis=AX)),  # a NamedTuple: y first
    (ex.check_conv_batch_norm, ex.SOLUTIONS["conv_batch_norm"]),
]


@pytest.mark.parametrize("checker, fn", RIGHT)
def test_right_answers_pass(run, checker, fn):
    ok, line = run(checker, fn)
    assert ok and line.startswith(ex.PASS), line


def bn(x, g, b, e, axes=AX, ddof=0):
    return g * (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, ddof=ddof, keepdims=True) + e) + b


WRONG = [
    (ex.check_channel_moments, lambda x: (x.mean(0), x.var(0)), "axis 0 only"),
    (ex.check_channel_moments, lambda x: (x.mean(), x.var()), "whole map"),
    (ex.check_channel_moments, lambda x: (x.mean((1, 2)), x.var((1, 2))), "instance norm"),
    (ex.check_channel_moments, lambda x: (x.mean((0, 2, 3)), x.var((0, 2, 3))), "channels-first"),
    (ex.check_channel_moments, lambda x: (x.mean(AX, keepdims=True), x.var(AX, keepdims=True)), "keepdims"),
    (ex.check_channel_moments, lambda x: (x.mean(AX), x.var(AX, ddof=1)), "unbiased"),
    (ex.check_channel_moments, lambda x: (x.mean(AX), x.std(AX)), "standard deviation"),
    (ex.check_channel_moments, lambda x: (x.mean(AX), x.var(0)), "axis 0 only"),  # mean right, var wrong
    (ex.check_channel_moments, lambda x: (x.var(AX), x.mean(AX)), "`mean` is wrong"),   # swapped
    (ex.check_channel_moments, lambda x: x.mean(AX), "return 2 values, `return mean, var`"),
    (ex.check_channel_moments, lambda x: (x.mean(AX) + 0.5, x.var(AX)), "`mean` is wrong: expected"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, (0,)), "axis 0 only"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, None), "whole map"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, (1, 2)), "instance norm"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, (1, 2, 3)), "layer norm"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, (0, 2, 3)), "channels-first"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, e, ddof=1), "unbiased"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, b, g, e), "swapped"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, DEFAULT_EPS), "what eps=1e-3 would give"),
    (ex.check_conv_batch_norm, lambda x, g, b, e: bn(x, g, b, 0.0), "what eps=0 would give"),
]


@pytest.mark.parametrize("checker, fn, hint", WRONG, ids=[f"{c.__name__}-{h}" for c, _, h in WRONG])
def test_classic_mistakes_fail_with_their_hint(run, checker, fn, hint):
    ok, line = run(checker, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line
