"""Chapter 05, where BN goes: per-channel statistics and batch norm of channels-last feature maps."""
import numpy as np

from ..constants import DEFAULT_EPS
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare, show
from ._reference import normalized

CHANNELS = (0, 1, 2)   # reduce batch, height and width: one statistic per channel of an (N, H, W, C) map


def channel_moments(x):
    """x (N, H, W, C) -> mean, var, each (C,)."""
    mean = x.mean(axis=(0, 1, 2))                              # (C,): over batch, height, width
    var = ((x - mean) ** 2).mean(axis=(0, 1, 2))               # (C,): biased, like tf.nn.moments
    return mean, var


def conv_batch_norm(x, gamma, beta, eps):
    """x (N, H, W, C), gamma and beta (C,) -> y (N, H, W, C), training-mode batch norm per channel."""
    mu = x.mean(axis=(0, 1, 2))                                # (C,)
    var = x.var(axis=(0, 1, 2))                                # (C,), biased
    return gamma * (x - mu) / np.sqrt(var + eps) + beta        # (N, H, W, C): (C,) broadcasts on the last axis


def _maps(rng):
    """(label, x): (N, H, W, C) maps with N, H, W, C all different, so a wrong axis shows as a wrong shape."""
    def fmap(n, h, w, c):
        return rng.normal(rng.uniform(-4, 4, c), rng.uniform(0.3, 3.0, c), size=(n, h, w, c))
    return [
        ("a feature map (N, H, W, C) = (4, 5, 6, 3)", fmap(4, 5, 6, 3)),
        ("a batch of 2 maps (2, 3, 7, 5)", fmap(2, 3, 7, 5)),
        ("channels with large offsets (around 1e3), (3, 6, 4, 2)", 1e3 + fmap(3, 6, 4, 2)),
    ]


_AXES = [  # (hint, axes) for the wrong axes a learner may reduce
    ("you reduced over axis 0 only, which gives one statistic per pixel and channel, shape (H, W, C); "
     "a conv channel shares one mean and variance over batch, height and width: axis=(0, 1, 2)", (0,)),
    ("you used one mean and variance for the whole map; each channel needs its own: axis=(0, 1, 2)", None),
    ("you reduced over (1, 2), per image -- that is instance norm; batch norm also averages over the "
     "batch axis 0: axis=(0, 1, 2)", (1, 2)),
    ("you reduced over (1, 2, 3), all of each image -- that is layer norm; batch norm keeps the channels "
     "apart and averages over the batch: axis=(0, 1, 2)", (1, 2, 3)),
    ("you treated axis 1 as the channels (channels-first, NCHW); these maps are channels-last (NHWC): "
     "the channel is the last axis, so reduce (0, 1, 2)", (0, 2, 3)),
]


def check_channel_moments(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x) -> (mean, var)``: per-channel mean and biased variance of an (N, H, W, C) map, each (C,)."""
    cases = [Case(label, x=x) for label, x in _maps(np.random.default_rng(105_05))]
    mistakes = [(hint, lambda x, a=axes: (x.mean(axis=a), x.var(axis=a))) for hint, axes in _AXES] + [
        ("you kept the reduced axes (keepdims=True), shape (1, 1, 1, C); return plain (C,) arrays",
         lambda x: (x.mean(axis=CHANNELS, keepdims=True), x.var(axis=CHANNELS, keepdims=True))),
        ("your variance is the *unbiased* one (ddof=1); batch norm divides by m = N*H*W",
         lambda x: (x.mean(axis=CHANNELS), x.var(axis=CHANNELS, ddof=1))),
        ("you returned the standard deviation; return the variance, its square",
         lambda x: (x.mean(axis=CHANNELS), x.std(axis=CHANNELS))),
    ]
    judge = compare(lambda x: (x.mean(axis=CHANNELS), x.var(axis=CHANNELS)), cases, mistakes, parts=("mean", "var"),
                    shape_hint="one value per channel: reduce axis=(0, 1, 2)")
    return check("channel_moments", fn, cases, judge, time_limit=time_limit,
                 passed=f"mean and var right on all {len(cases)} hidden cases")


def check_conv_batch_norm(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x, gamma, beta, eps) -> y``: training-mode batch norm of an (N, H, W, C) map, per channel."""
    rng = np.random.default_rng(205_05)
    cases = []
    for (label, x), eps in zip(_maps(rng), (DEFAULT_EPS, 1e-5, 0.1)):
        c = x.shape[-1]
        cases.append(Case(f"{label}, eps={show(eps)}", x=x, gamma=rng.uniform(0.5, 3.0, c), beta=rng.uniform(-2, 2, c),
                          eps=eps))
    quiet = rng.normal(0.0, 1.0, size=(2, 3, 3, 4)) * [1.0, 0.01, 0.003, 2.0]
    cases.append(Case("a map whose channels 1 and 2 barely vary (variance ~1e-5), eps=1e-5", x=quiet,
                      gamma=np.array([1.0, 2.0, 0.5, 1.5]), beta=np.array([0.0, 1.0, -1.0, 0.5]), eps=1e-5))
    mistakes = [(hint, lambda x, g, b, e, a=axes: normalized(x, a, e, g, b)) for hint, axes in _AXES] + [
        ("your variance is the *unbiased* one (ddof=1); batch norm divides by m = N*H*W",
         lambda x, g, b, e: normalized(x, CHANNELS, e, g, b, ddof=1)),
        ("gamma and beta are swapped: y = gamma * x_hat + beta", lambda x, g, b, e: normalized(x, CHANNELS, e, b, g)),
        ("eps belongs *inside* the square root: sqrt(var + eps)",
         lambda x, g, b, e: normalized(x, CHANNELS, e, g, b, eps_outside=True)),
    ]
    judge = compare(lambda x, g, b, e: normalized(x, CHANNELS, e, g, b), cases, mistakes,
                    usual={"eps": (DEFAULT_EPS, 0.0)}, shape_hint="y has x's shape")
    return check("conv_batch_norm", fn, cases, judge, time_limit=time_limit)
