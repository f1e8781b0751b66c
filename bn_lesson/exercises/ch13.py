"""Chapter 13, batch norm's relatives: layer norm and group norm of (N, H, W, C) feature maps."""
import numpy as np

from ..constants import DEFAULT_EPS
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare, show
from ._reference import grouped, normalized

EXAMPLE = (1, 2, 3)   # layer norm's axes: all of one example's (H, W, C)


def layer_norm(x, eps):
    """x (N, H, W, C) -> each example normalized over all its values, the shape of x."""
    mu = x.mean(axis=(1, 2, 3), keepdims=True)               # (N, 1, 1, 1): one mean per example
    var = x.var(axis=(1, 2, 3), keepdims=True)               # (N, 1, 1, 1), biased
    return (x - mu) / np.sqrt(var + eps)                     # (N, H, W, C)


def group_norm(x, groups, eps):
    """x (N, H, W, C), groups dividing C -> each example's groups of C/groups channels normalized."""
    n, h, w, c = x.shape
    xg = x.reshape(n, h, w, groups, c // groups)             # consecutive channels form a group
    mu = xg.mean(axis=(1, 2, 4), keepdims=True)              # (N, 1, 1, G, 1): per example and group
    var = xg.var(axis=(1, 2, 4), keepdims=True)
    return ((xg - mu) / np.sqrt(var + eps)).reshape(n, h, w, c)


def _maps(rng):
    """(label, x): feature maps whose examples and channels differ in location and scale."""
    def fmap(n, h, w, c):
        return rng.normal(rng.uniform(-3, 3, (n, 1, 1, c)), rng.uniform(0.3, 3.0, (n, 1, 1, c)), size=(n, h, w, c))
    return [
        ("a feature map (N, H, W, C) = (3, 4, 5, 6)", fmap(3, 4, 5, 6)),
        ("a single example, (1, 3, 3, 4): no batch statistics needed", fmap(1, 3, 3, 4)),
        ("examples with large offsets (around 1e3), (2, 3, 2, 6)", 1e3 + fmap(2, 3, 2, 6)),
        ("a nearly constant example (variance ~1e-5), (2, 2, 2, 4)", 1 + 3e-3 * fmap(2, 2, 2, 4)),
    ]


def check_layer_norm(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x, eps) -> y``: layer norm (no gamma/beta) of an (N, H, W, C) map, per example over (H, W, C)."""
    rng = np.random.default_rng(110_01)
    cases = [Case(f"{label}, eps={show(eps)}", x=x, eps=eps)
             for (label, x), eps in zip(_maps(rng), (DEFAULT_EPS, 1e-5, DEFAULT_EPS, 1e-5))]
    x = cases[-1].args["x"]
    cases.append(Case("the nearly constant example again, eps=0.1", x=x, eps=0.1))
    mistakes = [
        ("that's batch norm's axes, (0, 1, 2): one statistic per channel over the batch. Layer norm takes "
         "one mean and variance per example, over (1, 2, 3)", lambda x, e: normalized(x, (0, 1, 2), e)),
        ("you normalized over the channels only (axis=-1, the default of keras.layers.LayerNormalization); "
         "here each example's statistics come from all of (H, W, C): axis=(1, 2, 3)",
         lambda x, e: normalized(x, 3, e)),
        ("you normalized each channel of each example on its own, axes (1, 2) -- that is instance norm; "
         "layer norm pools the channels too: axis=(1, 2, 3)", lambda x, e: normalized(x, (1, 2), e)),
        ("you used one mean and variance for the whole batch; each example needs its own: axis=(1, 2, 3)",
         lambda x, e: normalized(x, None, e)),
        ("your variance is the *unbiased* one (ddof=1); divide by the number of values, H*W*C",
         lambda x, e: normalized(x, EXAMPLE, e, ddof=1)),
        ("eps belongs *inside* the square root: sqrt(var + eps)",
         lambda x, e: normalized(x, EXAMPLE, e, eps_outside=True)),
        ("you left eps out; it keeps a nearly constant example from blowing up: sqrt(var + eps)",
         lambda x, e: normalized(x, EXAMPLE, 0.0)),
    ]
    judge = compare(lambda x, e: normalized(x, EXAMPLE, e), cases, mistakes, usual={"eps": (DEFAULT_EPS,)},
                    shape_hint="y has x's shape")
    return check("layer_norm", fn, cases, judge, time_limit=time_limit)


def check_group_norm(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x, groups, eps) -> y``: group norm (no gamma/beta) of an (N, H, W, C) map.

    Each example's channels are split into ``groups`` blocks of C/G consecutive channels (as
    ``keras.layers.GroupNormalization`` does); each block is normalized over (H, W) and its channels.
    """
    maps = _maps(np.random.default_rng(110_02))
    cases = [Case(f"{maps[0][0]}, 3 groups, eps={show(DEFAULT_EPS)}", x=maps[0][1], groups=3, eps=DEFAULT_EPS),
             Case(f"{maps[0][0]}, 2 groups, eps={show(DEFAULT_EPS)}", x=maps[0][1], groups=2, eps=DEFAULT_EPS),
             Case(f"{maps[1][0]}, 2 groups, eps=1e-5", x=maps[1][1], groups=2, eps=1e-5),
             Case(f"{maps[2][0]}, 3 groups, eps={show(DEFAULT_EPS)}", x=maps[2][1], groups=3, eps=DEFAULT_EPS),
             Case(f"{maps[3][0]}, 4 groups (one channel each), eps=1e-5", x=maps[3][1], groups=4, eps=1e-5),
             Case(f"{maps[3][0]}, 2 groups, eps=0.1", x=maps[3][1], groups=2, eps=0.1)]
    mistakes = [
        ("your groups take every G-th channel; a group is a block of *consecutive* channels: reshape to "
         "(N, H, W, groups, C // groups), not (N, H, W, C // groups, groups)",
         lambda x, g, e: grouped(x, g, e, interleaved=True)),
        ("you normalized all channels of an example together -- that is layer norm (groups = 1); split the "
         "channels into groups first", lambda x, g, e: normalized(x, EXAMPLE, e)),
        ("you normalized each channel on its own -- that is instance norm (groups = C); each group pools "
         "C // groups channels", lambda x, g, e: normalized(x, (1, 2), e)),
        ("you included the batch axis; group norm works on each example alone: reduce (H, W) and the "
         "channels of the group, axes (1, 2, 4) of the reshaped array",
         lambda x, g, e: grouped(x, g, e, axes=(0, 1, 2, 4))),
        ("your normalized groups are right but you reduced over the wrong axes of the reshaped array: "
         "(1, 2, 4) are H, W and the channels within a group", lambda x, g, e: grouped(x, g, e, axes=(1, 2, 3))),
    ]
    judge = compare(grouped, cases, mistakes, usual={"eps": (DEFAULT_EPS,)}, shape_hint="y has x's shape")
    return check("group_norm", fn, cases, judge, time_limit=time_limit)
