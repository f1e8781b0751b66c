"""Auto-checked exercises: write a function in a notebook cell, hand it to a checker.

Each ``check_*`` runs the learner's function on several hidden cases (a batch of 2, large offsets,
tiny variances, conv-shaped input, ...), prints one friendly line -- a tick, or what is wrong with a
hint that names the common mistake -- and returns True or False. A wrong answer never produces a
traceback; an exception raised inside the learner's code is reported as such.

``solution(name)`` prints a reference solution, for when a learner chooses to look.
"""
import inspect
from dataclasses import dataclass, field

import numpy as np

PASS, FAIL = "\u2713", "\u2717"


@dataclass
class Case:
    """One hidden test: the arguments, and a label the learner can understand."""

    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


def _cases_2d(rng):
    """Mini-batches of shape (N, D) that catch the classic slips."""
    return [
        Case("a (6, 3) batch", (rng.normal(2.0, 3.0, size=(6, 3)),)),
        Case("a batch of 2", (rng.normal(0.0, 1.0, size=(2, 4)),)),
        Case("features with large offsets (around 1e4)", (1e4 + rng.normal(0.0, 5.0, size=(7, 3)),)),
        Case("features on very different scales", (rng.normal(0, 1, size=(9, 3)) * [0.01, 1.0, 300.0],)),
    ]


def _conv_case(rng):
    return Case("a channels-last feature map (N, H, W, C) = (3, 4, 4, 2)",
                (rng.normal(1.0, 2.0, size=(3, 4, 4, 2)),), {"axis": (0, 1, 2)})


_FAILED = object()  #: what ``_run_learner`` returns after it has printed why the learner's code failed


def _not_a_function(name, fn):
    """True (after saying so) when the learner passed something that is not a function."""
    if callable(fn):
        return False
    print(f"{FAIL} {name}: pass your function itself (without calling it), got {type(fn).__name__}")
    return True


def _run_learner(name, fn, where, *args, **kwargs):
    """Call the learner's ``fn``; if it raises, print one friendly line (no traceback) and return ``_FAILED``."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        print(f"{FAIL} {name}: not written yet -- replace the `raise NotImplementedError` line with your code")
    except Exception as err:  # the learner's code raised: report it, no traceback
        print(f"{FAIL} {name}: your function raised {type(err).__name__}: {err} ({where})")
    return _FAILED


def _call(fn, case):
    out = fn(*case.args, **case.kwargs)
    if isinstance(out, tuple) and len(out) > 0:  # a learner may return (y, cache)
        out = out[0]
    return np.asarray(out, dtype=float)


def _close(got, want):
    return got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-6)


def _check(name, fn, cases, reference, mistakes):
    """Run ``fn`` on every case; on the first failure print a diagnosis and return False."""
    if _not_a_function(name, fn):
        return False
    for case in cases:
        want = reference(*case.args, **case.kwargs)
        got = _run_learner(name, lambda: _call(fn, case), f"on {case.label}")
        if got is _FAILED:
            return False
        if _close(got, want):
            continue
        for hint, wrong in mistakes:
            try:
                if _close(got, np.asarray(wrong(*case.args, **case.kwargs), dtype=float)):
                    print(f"{FAIL} {name}: on {case.label}, {hint}")
                    return False
            except Exception:  # a diagnosis that does not apply to this case
                pass
        if got.shape != want.shape:
            print(f"{FAIL} {name}: on {case.label}, expected shape {want.shape}, got {got.shape} "
                  f"-- check which axis you reduce over")
        elif not np.isfinite(got).all():
            print(f"{FAIL} {name}: on {case.label}, your result contains NaN or inf")
        else:
            worst = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
            print(f"{FAIL} {name}: on {case.label}, expected {want[worst]:.6g} at index {tuple(map(int, worst))}, "
                  f"got {got[worst]:.6g}")
        return False
    print(f"{PASS} {name}: all {len(cases)} hidden cases pass")
    return True


# -- standardization -------------------------------------------------------------------------------

def check_zscore(fn):
    """Check ``fn(x) -> z``: per-feature (axis 0) z-score of an (N, D) array."""
    rng = np.random.default_rng(101)
    ref = lambda x: (x - x.mean(0)) / x.std(0)  # noqa: E731
    mistakes = [
        ("your answer divides by the *sample* std (ddof=1); use the population std, x.std(axis=0)",
         lambda x: (x - x.mean(0)) / x.std(0, ddof=1)),
        ("you divided by the variance instead of the standard deviation", lambda x: (x - x.mean(0)) / x.var(0)),
        ("you forgot to subtract the mean", lambda x: x / x.std(0)),
        ("you standardized each row (axis=1); standardize each feature, i.e. each column (axis=0)",
         lambda x: (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)),
        ("you used one mean and std for the whole array; each feature (column) needs its own",
         lambda x: (x - x.mean()) / x.std()),
    ]
    return _check("zscore", fn, _cases_2d(rng), ref, mistakes)


# -- the four steps ----------------------------------------------------------------------------------

def _axes(kwargs):
    return kwargs.get("axis", 0)


def check_batch_mean(fn):
    """Check ``fn(x, axis=0) -> mu``, the mean over the batch axis (or axes)."""
    rng = np.random.default_rng(102)
    cases = _cases_2d(rng) + [_conv_case(rng)]
    ref = lambda x, axis=0: x.mean(axis=axis)  # noqa: E731
    mistakes = [
        ("you averaged over the features (axis=1); average over the batch (axis=0)",
         lambda x, axis=0: x.mean(axis=1)),
        ("you returned one number; batch norm needs one mean per feature", lambda x, axis=0: x.mean()),
        ("you returned the sum; divide by the number of examples m", lambda x, axis=0: x.sum(axis=axis)),
        ("for conv maps the mean is per channel over (N, H, W): use the axis argument",
         lambda x, axis=0: x.mean(axis=0)),
    ]
    return _check("batch_mean", fn, cases, ref, mistakes)


def check_batch_variance(fn):
    """Check ``fn(x, mean, axis=0) -> var``, the *biased* (1/m) variance over the batch."""
    rng = np.random.default_rng(103)
    cases = []
    for c in _cases_2d(rng) + [_conv_case(rng)]:
        x = c.args[0]
        cases.append(Case(c.label, (x, x.mean(axis=_axes(c.kwargs))), c.kwargs))
    ref = lambda x, mean, axis=0: x.var(axis=axis)  # noqa: E731
    mistakes = [
        ("your answer is the *unbiased* variance (dividing by m-1). Batch norm divides by m, "
         "as the paper and tf.nn.moments do", lambda x, mean, axis=0: x.var(axis=axis, ddof=1)),
        ("you returned the standard deviation; the variance is its square", lambda x, mean, axis=0: x.std(axis=axis)),
        ("you forgot to subtract the mean before squaring", lambda x, mean, axis=0: (x ** 2).mean(axis=axis)),
        ("you reduced over the features (axis=1); reduce over the batch", lambda x, mean, axis=0: x.var(axis=1)),
        ("for conv maps the variance is per channel over (N, H, W): use the axis argument",
         lambda x, mean, axis=0: x.var(axis=0)),
    ]
    return _check("batch_variance", fn, cases, ref, mistakes)


def check_normalize(fn):
    """Check ``fn(x, mean, var, eps) -> x_hat``."""
    rng = np.random.default_rng(104)
    cases = []
    for c in _cases_2d(rng):
        x = c.args[0]
        cases.append(Case(c.label, (x, x.mean(0), x.var(0), 1e-3)))
    tiny = rng.normal(0.0, 0.01, size=(8, 3))  # variance ~1e-4: eps matters here
    cases.append(Case("features with tiny variance (~1e-4) and eps=1e-3", (tiny, tiny.mean(0), tiny.var(0), 1e-3)))
    ref = lambda x, mean, var, eps: (x - mean) / np.sqrt(var + eps)  # noqa: E731
    mistakes = [
        ("eps belongs *inside* the square root: (x - mean) / sqrt(var + eps)",
         lambda x, mean, var, eps: (x - mean) / (np.sqrt(var) + eps)),
        ("you left eps out; it keeps the denominator away from zero: sqrt(var + eps)",
         lambda x, mean, var, eps: (x - mean) / np.sqrt(var)),
        ("you divided by the variance; divide by the standard deviation sqrt(var + eps)",
         lambda x, mean, var, eps: (x - mean) / (var + eps)),
        ("you forgot to subtract the mean", lambda x, mean, var, eps: x / np.sqrt(var + eps)),
    ]
    return _check("normalize", fn, cases, ref, mistakes)


def check_scale_and_shift(fn):
    """Check ``fn(x_hat, gamma, beta) -> y``."""
    rng = np.random.default_rng(105)
    cases = []
    for c in _cases_2d(rng):
        x = c.args[0]
        d = x.shape[1]
        x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
        cases.append(Case(c.label, (x_hat, rng.uniform(0.5, 3.0, d), rng.uniform(-2.0, 2.0, d))))
    ref = lambda x_hat, gamma, beta: gamma * x_hat + beta  # noqa: E731
    mistakes = [
        ("gamma and beta are swapped: gamma scales, beta shifts -- gamma * x_hat + beta",
         lambda x_hat, gamma, beta: beta * x_hat + gamma),
        ("you shifted before scaling: it is gamma * x_hat + beta, not gamma * (x_hat + beta)",
         lambda x_hat, gamma, beta: gamma * (x_hat + beta)),
        ("you returned x_hat unchanged", lambda x_hat, gamma, beta: x_hat),
    ]
    return _check("scale_and_shift", fn, cases, ref, mistakes)


def check_batch_norm(fn):
    """Check ``fn(x, gamma, beta, eps) -> y`` on (N, D) batches (a returned tuple's first item is used)."""
    rng = np.random.default_rng(106)
    cases = []
    for c in _cases_2d(rng):
        x = c.args[0]
        d = x.shape[1]
        cases.append(Case(c.label, (x, rng.uniform(0.5, 3.0, d), rng.uniform(-2.0, 2.0, d), 1e-3)))
    tiny = rng.normal(5.0, 0.01, size=(8, 3))
    cases.append(Case("features with tiny variance (~1e-4) and eps=1e-3",
                      (tiny, np.full(3, 2.0), np.full(3, 0.5), 1e-3)))

    def bn(x, gamma, beta, eps, ddof=0, axis=0, eps_outside=False):
        mu = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, ddof=ddof, keepdims=True)
        x_hat = (x - mu) / (np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps))
        return gamma * x_hat + beta

    mistakes = [
        ("your variance is the *unbiased* one (m-1); batch norm divides by m",
         lambda x, g, b, e: bn(x, g, b, e, ddof=1)),
        ("eps belongs *inside* the square root: sqrt(var + eps)", lambda x, g, b, e: bn(x, g, b, e, eps_outside=True)),
        ("you normalized each example over its features (axis=1) -- that is layer norm; batch norm "
         "normalizes each feature over the batch (axis=0)",
         lambda x, g, b, e: bn(x, g, b, e, axis=1)),
        ("gamma and beta are swapped: y = gamma * x_hat + beta", lambda x, g, b, e: bn(x, b, g, e)),
        ("you returned x_hat: finish with the scale and shift, gamma * x_hat + beta",
         lambda x, g, b, e: bn(x, 1.0, 0.0, e)),
    ]
    return _check("batch_norm", fn, cases, lambda x, g, b, e: bn(x, g, b, e), mistakes)


# -- reference solutions, revealed only on request ------------------------------------------------------

def _zscore(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


def _batch_mean(x, axis=0):
    return x.mean(axis=axis)


def _batch_variance(x, mean, axis=0):
    return ((x - np.expand_dims(mean, axis)) ** 2).mean(axis=axis)


def _normalize(x, mean, var, eps):
    return (x - mean) / np.sqrt(var + eps)


def _scale_and_shift(x_hat, gamma, beta):
    return gamma * x_hat + beta


def _batch_norm(x, gamma, beta, eps):
    mu = x.mean(axis=0)                       # step 1: (D,)
    var = ((x - mu) ** 2).mean(axis=0)        # step 2: (D,), biased
    x_hat = (x - mu) / np.sqrt(var + eps)     # step 3: (N, D)
    return gamma * x_hat + beta               # step 4: (N, D)


_SOLUTIONS = {
    "zscore": _zscore,
    "batch_mean": _batch_mean,
    "batch_variance": _batch_variance,
    "normalize": _normalize,
    "scale_and_shift": _scale_and_shift,
    "batch_norm": _batch_norm,
}


def solution(name):
    """Print the reference solution of exercise ``name`` (one of ``SOLUTION_NAMES``)."""
    if name not in _SOLUTIONS:
        raise ValueError(f"name must be one of {sorted(_SOLUTIONS)}, got {name!r}")
    src = inspect.getsource(_SOLUTIONS[name]).replace(f"def _{name}(", f"def {name}(", 1)
    print(src.rstrip())


SOLUTION_NAMES = tuple(_SOLUTIONS)


# -- chapter 02: how much of a layer is saturated ---------------------------------------------------------

def check_saturated_share(fn):
    """Check ``fn(z, threshold) -> float``: the share of *all* entries of z with |z| > threshold."""
    rng = np.random.default_rng(202)
    wide = rng.normal(0.0, 5.0, size=(50, 8))
    cases = [
        Case("a (50, 8) layer of wide pre-activations, threshold 4", (wide, 4.0)),
        Case("a layer that leans negative, threshold 4", (rng.normal(-3.0, 3.0, size=(40, 5)), 4.0)),
        Case("values exactly at the threshold (they do not count)", (np.array([[-2.0, 2.0, 2.5], [0.0, -3.0, 1.0]]), 2.0)),
        Case("a single unit (z of shape (N,)), threshold 1", (rng.normal(0.0, 1.0, size=30), 1.0)),
    ]
    ref = lambda z, threshold: np.mean(np.abs(z) > threshold)  # noqa: E731
    mistakes = [
        ("you only counted the positive side; a sigmoid/tanh is flat for large *negative* inputs too: use abs(z)",
         lambda z, t: np.mean(z > t)),
        ("values equal to the threshold should not count: use >, not >=", lambda z, t: np.mean(np.abs(z) >= t)),
        ("you returned the share of *unsaturated* values; saturated means |z| > threshold",
         lambda z, t: np.mean(np.abs(z) <= t)),
        ("you returned one share per unit (axis=0); return one number for the whole layer",
         lambda z, t: np.mean(np.abs(z) > t, axis=0)),
        ("you returned a count; divide by the number of values (np.mean does it)", lambda z, t: np.sum(np.abs(z) > t)),
    ]
    return _check("saturated_share", fn, cases, ref, mistakes)


def _saturated_share(z, threshold):
    return float(np.mean(np.abs(z) > threshold))


_SOLUTIONS["saturated_share"] = _saturated_share
SOLUTION_NAMES = tuple(_SOLUTIONS)


# -- chapter 07: batch norm with tf.nn; chapter 09: the backward pass ------------------------------------
# (kept free of TensorFlow: the checkers compare with numpy references, so importing this module
# never imports TensorFlow; only the learner's function and the printed solution use it)

def _bn_reference(x, gamma, beta, eps, axes):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def check_tf_batch_norm(fn):
    """Check ``fn(x, gamma, beta, eps) -> y`` written with ``tf.nn.moments`` + ``tf.nn.batch_normalization``.

    ``x`` is (N, D) or channels-last (N, H, W, C); the features are on the last axis, so the statistics
    are over every other axis. A returned tensor is converted with ``np.asarray``.
    """
    rng = np.random.default_rng(107)
    cases = []
    for label, shape in (("a (16, 3) batch", (16, 3)), ("a batch of 2", (2, 4)),
                         ("a channels-last feature map (N, H, W, C) = (3, 4, 4, 2)", (3, 4, 4, 2))):
        c = shape[-1]
        x = rng.normal(rng.uniform(-3, 3, c), rng.uniform(0.5, 3, c), size=shape)
        cases.append(Case(label, (x, rng.uniform(0.5, 2.0, c), rng.uniform(-2.0, 2.0, c), 1e-3)))
    tiny = rng.normal(0.0, 0.01, size=(8, 3))  # variance ~1e-4: eps matters here (mean 0: float32 copes too)
    cases.append(Case("features with tiny variance (~1e-4) and eps=1e-3", (tiny, np.full(3, 2.0), np.full(3, 0.5), 1e-3)))

    def every_axis_but_last(x):
        return tuple(range(x.ndim - 1))

    ref = lambda x, g, b, e: _bn_reference(x, g, b, e, every_axis_but_last(x))  # noqa: E731
    mistakes = [
        ("gamma and beta are swapped: offset is beta (the shift), scale is gamma",
         lambda x, g, b, e: _bn_reference(x, b, g, e, every_axis_but_last(x))),
        ("for (N, H, W, C) maps the statistics are per channel, over batch, height and width: "
         "tf.nn.moments(x, axes=[0, 1, 2]) -- in general every axis but the last",
         lambda x, g, b, e: _bn_reference(x, g, b, e, (0,))),
        ("you reduced over the channel axis; batch norm keeps one mean and variance per channel and reduces "
         "every *other* axis", lambda x, g, b, e: _bn_reference(x, g, b, e, (x.ndim - 1,))),
        ("you took the statistics per image (axes [1, 2]); batch norm also averages over the batch axis 0",
         lambda x, g, b, e: _bn_reference(x, g, b, e, (1, 2))),
        ("pass eps as variance_epsilon: with 0 the output is wrong wherever the variance is tiny",
         lambda x, g, b, e: _bn_reference(x, g, b, 0.0, every_axis_but_last(x))),
        ("tf.nn.batch_normalization wants the variance (what tf.nn.moments returns), not the standard deviation",
         lambda x, g, b, e: g * (x - x.mean(every_axis_but_last(x)))
         / np.sqrt(x.std(every_axis_but_last(x)) + e) + b),
    ]
    return _check("tf_batch_norm", fn, cases, ref, mistakes)


def check_bn_backward(fn):
    """Check ``fn(dout, x_hat, gamma, var, eps) -> dx``, the compact training-mode gradient for (N, D) input."""
    rng = np.random.default_rng(109)
    cases = []
    for label, shape in (("a (6, 3) batch", (6, 3)), ("a batch of 2", (2, 4)), ("a (16, 5) batch", (16, 5))):
        x = rng.normal(rng.uniform(-3, 3, shape[1]), rng.uniform(0.5, 3, shape[1]), size=shape)
        cases.append(Case(label, (rng.normal(size=shape), x, rng.uniform(0.5, 2.0, shape[1]), 1e-3)))
    tiny = rng.normal(0.0, 0.01, size=(8, 3))  # variance ~1e-4: eps matters here
    cases.append(Case("features with tiny variance (~1e-4) and eps=1e-3",
                      (rng.normal(size=tiny.shape), tiny, np.array([0.5, 1.0, 2.0]), 1e-3)))
    prepared = []
    for c in cases:  # the learner gets what the forward pass cached: x_hat and var, not x
        dout, x, gamma, eps = c.args
        var = x.var(axis=0)
        prepared.append(Case(c.label, (dout, (x - x.mean(0)) / np.sqrt(var + eps), gamma, var, eps)))

    def dx(dout, x_hat, gamma, var, eps, mean_term=True, var_term=True, use_gamma=True, over_m=True, with_eps=True):
        m = dout.shape[0]
        inv_std = 1.0 / np.sqrt(var + (eps if with_eps else 0.0))
        inner = m * dout - (dout.sum(0) if mean_term else 0) - (x_hat * (dout * x_hat).sum(0) if var_term else 0)
        return (gamma if use_gamma else 1.0) * inv_std / (m if over_m else 1) * inner

    mistakes = [
        ("that is the inference-mode gradient, gamma * dout / sqrt(var + eps). In training the mean and the "
         "variance depend on every x too: subtract sum(dout) and x_hat * sum(dout * x_hat), then divide by m",
         lambda *a: dx(*a, mean_term=False, var_term=False)),
        ("the term from the batch mean is missing: subtract dout.sum(axis=0) inside the bracket",
         lambda *a: dx(*a, mean_term=False)),
        ("the term from the batch variance is missing: subtract x_hat * (dout * x_hat).sum(axis=0) inside the bracket",
         lambda *a: dx(*a, var_term=False)),
        ("you left out gamma: the gradient reaching x_hat is dout * gamma", lambda *a: dx(*a, use_gamma=False)),
        ("you forgot to divide by m, the batch size: gamma / sqrt(var + eps) / m * (...)",
         lambda *a: dx(*a, over_m=False)),
        ("eps belongs inside the square root here too: 1 / sqrt(var + eps)", lambda *a: dx(*a, with_eps=False)),
        ("check the signs: both sums are *subtracted* from m * dout",
         lambda dout, x_hat, gamma, var, eps: gamma / np.sqrt(var + eps) / dout.shape[0]
         * (dout.shape[0] * dout + dout.sum(0) + x_hat * (dout * x_hat).sum(0))),
    ]
    return _check("bn_backward", fn, prepared, dx, mistakes)


def _tf_batch_norm(x, gamma, beta, eps):
    import tensorflow as tf
    axes = list(range(len(x.shape) - 1))          # every axis but the features: [0] or [0, 1, 2]
    mean, variance = tf.nn.moments(x, axes=axes)  # (C,) each
    return tf.nn.batch_normalization(x, mean, variance, offset=beta, scale=gamma, variance_epsilon=eps)


def _bn_backward(dout, x_hat, gamma, var, eps):
    m = dout.shape[0]
    inv_std = 1.0 / np.sqrt(var + eps)                                    # (D,)
    dbeta = dout.sum(axis=0)                                              # (D,)
    dgamma = (dout * x_hat).sum(axis=0)                                   # (D,)
    return gamma * inv_std / m * (m * dout - dbeta - x_hat * dgamma)      # (N, D)


_SOLUTIONS.update({"tf_batch_norm": _tf_batch_norm, "bn_backward": _bn_backward})
SOLUTION_NAMES = tuple(_SOLUTIONS)


# -- chapter 05: per-channel statistics of channels-last feature maps ----------------------------------

def _cases_nhwc(rng):
    """(N, H, W, C) maps with N, H, W, C all different, so a wrong axis shows up as a wrong shape."""
    def fmap(n, h, w, c):
        return rng.normal(rng.uniform(-4, 4, c), rng.uniform(0.3, 3.0, c), size=(n, h, w, c))
    return [
        Case("a feature map (N, H, W, C) = (4, 5, 6, 3)", (fmap(4, 5, 6, 3),)),
        Case("a batch of 2 maps (2, 3, 7, 5)", (fmap(2, 3, 7, 5),)),
        Case("channels with large offsets (around 1e3), (3, 6, 4, 2)", (1e3 + fmap(3, 6, 4, 2),)),
    ]


_CHANNELS = (0, 1, 2)


def check_channel_moments(fn):
    """Check ``fn(x) -> (mean, var)``: per-channel mean and biased variance of an (N, H, W, C) map, each (C,)."""
    import contextlib
    import io

    name = "channel_moments"
    if _not_a_function(name, fn):
        return False
    cases = _cases_nhwc(np.random.default_rng(105_05))
    out = _run_learner(name, fn, f"on {cases[0].label}", *cases[0].args)
    if out is _FAILED:
        return False
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        print(f"{FAIL} {name}: return two arrays, `return mean, var`; got {type(out).__name__}")
        return False
    common = [
        ("you reduced over axis 0 only, which gives one statistic per pixel and channel, shape (H, W, C); "
         "a conv channel shares one mean and variance over batch, height and width: axis=(0, 1, 2)", (0,)),
        ("you reduced over all axes, which gives one number for the whole map; each channel needs its own: "
         "axis=(0, 1, 2)", None),
        ("you reduced over (1, 2), per image -- that is instance norm; batch norm also averages over the "
         "batch axis 0: axis=(0, 1, 2)", (1, 2)),
        ("you treated axis 1 as the channels (channels-first, NCHW); these maps are channels-last (NHWC): "
         "the channel is the last axis, so reduce (0, 1, 2)", (0, 2, 3)),
    ]
    keepdims = ("you kept the reduced axes (keepdims=True), shape (1, 1, 1, C); return plain (C,) arrays",
                lambda x: x.mean(axis=_CHANNELS, keepdims=True))
    halves = [
        ("mean", lambda x: x.mean(axis=_CHANNELS),
         [(hint, lambda x, a=axes: x.mean(axis=a)) for hint, axes in common] + [keepdims]),
        ("var", lambda x: x.var(axis=_CHANNELS),
         [("your variance is the *unbiased* one (ddof=1); batch norm divides by m = N*H*W",
           lambda x: x.var(axis=_CHANNELS, ddof=1)),
          ("you returned the standard deviation; return the variance, its square", lambda x: x.std(axis=_CHANNELS))]
         + [(hint, lambda x, a=axes: x.var(axis=a)) for hint, axes in common]),
    ]
    for i, (half, ref, mistakes) in enumerate(halves):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):  # _check prints; keep only a failure, so one line in all
            ok = _check(f"{name} ({half})", lambda x, i=i: fn(x)[i], cases, ref, mistakes)
        if not ok:
            print(buf.getvalue().strip())
            return False
    print(f"{PASS} {name}: mean and var right on all {len(cases)} hidden cases")
    return True


def check_conv_batch_norm(fn):
    """Check ``fn(x, gamma, beta, eps) -> y``: training-mode batch norm of an (N, H, W, C) map, per channel."""
    rng = np.random.default_rng(205_05)
    cases = []
    for c in _cases_nhwc(rng):
        x = c.args[0]
        ch = x.shape[-1]
        cases.append(Case(c.label, (x, rng.uniform(0.5, 3.0, ch), rng.uniform(-2.0, 2.0, ch), 1e-3)))

    def bn(x, g, b, e, axes=_CHANNELS, ddof=0):
        mu = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, ddof=ddof, keepdims=True)
        return g * (x - mu) / np.sqrt(var + e) + b

    mistakes = [
        ("you normalized over axis 0 only: every pixel position got its own mean. A conv channel shares one "
         "mean and variance over batch, height and width: axis=(0, 1, 2)",
         lambda x, g, b, e: bn(x, g, b, e, (0,))),
        ("you used one mean and variance for the whole map; each channel needs its own: axis=(0, 1, 2)",
         lambda x, g, b, e: bn(x, g, b, e, None)),
        ("you normalized each image on its own (axes 1, 2) -- that is instance norm; batch norm also "
         "averages over the batch: axis=(0, 1, 2)", lambda x, g, b, e: bn(x, g, b, e, (1, 2))),
        ("you normalized each image over all its values (axes 1, 2, 3) -- that is layer norm; batch norm "
         "keeps channels apart and averages over the batch: axis=(0, 1, 2)",
         lambda x, g, b, e: bn(x, g, b, e, (1, 2, 3))),
        ("you treated axis 1 as the channels (channels-first); these maps are channels-last: axis=(0, 1, 2)",
         lambda x, g, b, e: bn(x, g, b, e, (0, 2, 3))),
        ("your variance is the *unbiased* one (ddof=1); batch norm divides by m = N*H*W",
         lambda x, g, b, e: bn(x, g, b, e, ddof=1)),
        ("gamma and beta are swapped: y = gamma * x_hat + beta", lambda x, g, b, e: bn(x, b, g, e)),
    ]
    return _check("conv_batch_norm", fn, cases, bn, mistakes)


def _channel_moments(x):
    mean = x.mean(axis=(0, 1, 2))                              # (C,): over batch, height, width
    var = ((x - mean) ** 2).mean(axis=(0, 1, 2))               # (C,): biased, like tf.nn.moments
    return mean, var


def _conv_batch_norm(x, gamma, beta, eps):
    mu = x.mean(axis=(0, 1, 2))                                # (C,)
    var = x.var(axis=(0, 1, 2))                                # (C,), biased
    return gamma * (x - mu) / np.sqrt(var + eps) + beta        # (N, H, W, C): (C,) broadcasts on the last axis


_SOLUTIONS.update({"channel_moments": _channel_moments, "conv_batch_norm": _conv_batch_norm})
SOLUTION_NAMES = tuple(_SOLUTIONS)


# -- chapter 04: why scale and shift -----------------------------------------------------------------------

def check_identity_params(fn):
    """Check ``fn(mu, var, eps) -> (gamma, beta)``: the scale and shift that undo the normalization (y = x)."""
    name = "identity_params"
    if _not_a_function(name, fn):
        return False
    rng = np.random.default_rng(401)
    cases = [
        Case("three features, one with variance 1e-4 (below eps = 1e-3)",
             (np.array([3.0, -1.0, 0.5]), np.array([4.0, 0.25, 1e-4]), 1e-3)),
        Case("a single feature", (np.array([10.0]), np.array([9.0]), 1e-3)),
        Case("eps = 1e-5 and random statistics", (rng.normal(0, 5, 6), rng.uniform(0.001, 10, 6), 1e-5)),
    ]
    try:  # the answer is a pair; say so plainly rather than as an error further down
        out = fn(*cases[0].args)
    except Exception:
        out = None  # reported by _check below, with the case
    else:
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            print(f"{FAIL} {name}: return the pair `gamma, beta`; your function returned {type(out).__name__}")
            return False

    def pair(f):
        def stacked(mu, var, eps):
            gamma, beta = f(mu, var, eps)
            return np.stack(np.broadcast_arrays(np.asarray(gamma, float), np.asarray(beta, float)))
        return stacked

    ref = lambda mu, var, eps: (np.sqrt(var + eps), mu)  # noqa: E731
    mistakes = [
        ("gamma leaves eps out: x_hat was divided by sqrt(var + eps), so gamma = sqrt(var + eps)",
         lambda mu, var, eps: (np.sqrt(var), mu)),
        ("gamma is the variance; x_hat was divided by the standard deviation sqrt(var + eps)",
         lambda mu, var, eps: (var + eps, mu)),
        ("gamma and beta are swapped: gamma (the scale) undoes the division, beta (the shift) puts mu back",
         lambda mu, var, eps: (mu, np.sqrt(var + eps))),
        ("that is the normalization itself (divide by the std, subtract the mean); undo it instead: "
         "gamma = sqrt(var + eps), beta = mu",
         lambda mu, var, eps: (1 / np.sqrt(var + eps), -mu / np.sqrt(var + eps))),
        ("beta has the wrong sign: y = gamma * x_hat + beta must add the mean back, beta = +mu",
         lambda mu, var, eps: (np.sqrt(var + eps), -mu)),
        ("beta must put the mean back: beta = mu, not 0", lambda mu, var, eps: (np.sqrt(var + eps), 0 * mu)),
    ]
    return _check(name, pair(fn), cases, pair(ref), [(hint, pair(wrong)) for hint, wrong in mistakes])


#: |y| beyond this is the sigmoid's flat region in chapter 04 (gradient < 7% of its peak)
_SIGMOID_FLAT = 4.0


def check_gamma_for_flat_share(fn):
    """Check ``fn(x_hat, share) -> gamma``: the scale putting ``share`` of ``gamma * x_hat`` in |y| > 4.

    Any gamma that does it passes (a share is only defined to within one sample, 1/N).
    """
    name = "gamma_for_flat_share"
    if _not_a_function(name, fn):
        return False
    rng = np.random.default_rng(402)

    def normalized(v):
        return (v - v.mean()) / v.std()

    cases = [
        Case("a normal batch of 1000, half in the flat region", (normalized(rng.normal(size=1000)), 0.5)),
        Case("a normal batch of 1000, 10% in the flat region", (normalized(rng.normal(size=1000)), 0.1)),
        Case("a skewed batch of 2000, 25% in the flat region", (normalized(rng.exponential(size=2000)), 0.25)),
        Case("a bimodal batch of 500, 60% in the flat region",
             (normalized(np.where(rng.random(500) < 0.5, -2.0, 2.0) + 0.3 * rng.normal(size=500)), 0.6)),
    ]
    mistakes = [
        ("the sigmoid is flat on both sides: use the quantile of abs(x_hat), not of x_hat",
         lambda x, s: _SIGMOID_FLAT / np.quantile(x, 1 - s)),
        ("share is the part *beyond* the edge: take the (1 - share) quantile of abs(x_hat)",
         lambda x, s: _SIGMOID_FLAT / np.quantile(np.abs(x), s)),
        ("upside down: gamma * |x_hat| reaches 4 when gamma = 4 / |x_hat|",
         lambda x, s: np.quantile(np.abs(x), 1 - s) / _SIGMOID_FLAT),
    ]
    for case in cases:
        x_hat, share = case.args
        gamma = _run_learner(name, fn, f"on {case.label}", x_hat, share)
        if gamma is _FAILED:
            return False
        try:
            gamma = float(np.asarray(gamma, dtype=float))
        except (TypeError, ValueError):
            print(f"{FAIL} {name}: return one number, gamma; got {type(gamma).__name__} (on {case.label})")
            return False
        ok = np.isfinite(gamma) and gamma > 0
        got = float(np.mean(np.abs(gamma * x_hat) > _SIGMOID_FLAT)) if ok else float("nan")
        if ok and abs(got - share) <= 1.5 / len(x_hat):
            continue
        for hint, wrong in mistakes:
            if np.isclose(gamma, wrong(x_hat, share), rtol=1e-6):
                print(f"{FAIL} {name}: on {case.label}, {hint}")
                return False
        if not ok:
            print(f"{FAIL} {name}: on {case.label}, gamma must be a positive number, got {gamma:.6g}")
            return False
        print(f"{FAIL} {name}: on {case.label}, gamma = {gamma:.4g} puts {100 * got:.1f}% of the batch in the flat "
              f"region, not {100 * share:.0f}%")
        return False
    print(f"{PASS} {name}: all {len(cases)} hidden cases pass")
    return True


def _identity_params(mu, var, eps):
    gamma = np.sqrt(var + eps)   # undo the division by the std
    beta = mu                    # put the mean back
    return gamma, beta


def _gamma_for_flat_share(x_hat, share):
    edge = np.quantile(np.abs(x_hat), 1 - share)  # share of |x_hat| lies beyond this
    return 4.0 / edge                               # gamma * edge = 4: the start of the flat region


_SOLUTIONS.update({"identity_params": _identity_params, "gamma_for_flat_share": _gamma_for_flat_share})
SOLUTION_NAMES = tuple(_SOLUTIONS)


# -- chapter 08: training with and without BN ---------------------------------------------------------

def check_bn_block(fn):
    """Check ``fn(units) -> [layers]``: one hidden block of the chapter's net, affine -> BN -> sigmoid.

    The learner returns a list of Keras layers. Only their classes and settings are inspected, so this
    checker needs no TensorFlow of its own.
    """
    name = "bn_block"
    if _not_a_function(name, fn):
        return False
    for units in (100, 7):
        layers = _run_learner(name, fn, f"with units={units}", units)
        if layers is _FAILED:
            return False
        if not isinstance(layers, (list, tuple)):
            print(f"{FAIL} {name}: return a list of layers, [Dense, BatchNormalization, Activation]; "
                  f"got {type(layers).__name__}")
            return False
        kinds = [type(layer).__name__ for layer in layers]
        act = lambda layer: getattr(getattr(layer, "activation", None), "__name__", "")  # noqa: E731
        if kinds == ["Dense", "Activation", "BatchNormalization"] or kinds == ["Dense", "BatchNormalization"] \
                and act(layers[0]) == "sigmoid":
            print(f"{FAIL} {name}: BN comes after the sigmoid here; the paper normalizes the affine output, "
                  "before the nonlinearity: Dense -> BatchNormalization -> Activation")
            return False
        if kinds == ["BatchNormalization", "Dense", "Activation"]:
            print(f"{FAIL} {name}: you normalized the layer's input; BN goes between the affine map and the "
                  "activation: Dense -> BatchNormalization -> Activation")
            return False
        if kinds != ["Dense", "BatchNormalization", "Activation"]:
            print(f"{FAIL} {name}: expected three layers, Dense -> BatchNormalization -> Activation; got "
                  f"{' -> '.join(kinds) or 'an empty list'}")
            return False
        dense, _, activation = layers
        if act(dense) not in ("linear", ""):
            print(f"{FAIL} {name}: your Dense layer applies {act(dense)} itself, so BN would normalize the "
                  "activation's output; leave Dense linear and let the Activation layer come after BN")
            return False
        if getattr(dense, "units", None) != units:
            print(f"{FAIL} {name}: with units={units} the Dense layer has {getattr(dense, 'units', None)} units; "
                  "use the argument")
            return False
        if getattr(dense, "use_bias", False):
            print(f"{FAIL} {name}: the Dense bias is wasted -- BN subtracts the batch mean right after, which "
                  "cancels any bias, and beta takes its role: Dense(units, use_bias=False)")
            return False
        if act(activation) != "sigmoid":
            print(f"{FAIL} {name}: the chapter's net uses sigmoid units; got activation {act(activation)!r}")
            return False
    print(f"{PASS} {name}: Dense(use_bias=False) -> BatchNormalization -> sigmoid, right for both sizes tried")
    return True


def check_steps_to_reach(fn):
    """Check ``fn(steps, accuracy, target) -> int or None``: the first recorded step with accuracy >= target."""
    name = "steps_to_reach"
    if _not_a_function(name, fn):
        return False
    steps = np.arange(50, 550, 50)  # (10,)
    cases = [
        ("an accuracy that rises steadily", np.linspace(0.1, 0.99, 10), 0.9),
        ("an accuracy that reaches the target, dips, then reaches it again",
         np.array([0.1, 0.5, 0.92, 0.85, 0.93, 0.95, 0.96, 0.97, 0.97, 0.98]), 0.9),
        ("an accuracy that hits the target exactly", np.array([0.2, 0.6, 0.9, 0.91, 0.95, 0.96, 0.97, 0.97, 0.98, 0.98]),
         0.9),
        ("a run that never gets there", np.full(10, 0.1), 0.9),
        ("a run that is there at the first record", np.full(10, 0.95), 0.9),
    ]
    for label, acc, target in cases:
        hit = np.flatnonzero(acc >= target)
        want = int(steps[hit[0]]) if hit.size else None
        got = _run_learner(name, fn, f"on {label}", steps.copy(), acc.copy(), target)
        if got is _FAILED:
            return False
        if want is None:
            if got is not None:
                print(f"{FAIL} {name}: on {label}, return None (the target was never reached), got {got!r}")
                return False
            continue
        if got is None or isinstance(got, bool) or not np.isscalar(got) or got != want:
            if hit.size and got == hit[0]:
                hint = f"you returned the index {got}; return the step recorded there, steps[index]"
            elif np.flatnonzero(acc > target).size and got == steps[np.flatnonzero(acc > target)[0]]:
                hint = "use >= target: reaching the target exactly counts"
            elif got == steps[hit[-1]]:
                hint = "you returned the last record at or above the target; we want the first"
            else:
                hint = f"expected step {want}, got {got!r}"
            print(f"{FAIL} {name}: on {label}, {hint}")
            return False
    print(f"{PASS} {name}: all {len(cases)} hidden cases pass")
    return True


def _bn_block(units):
    import keras
    return [keras.layers.Dense(units, use_bias=False),      # affine; BN's beta replaces the bias
            keras.layers.BatchNormalization(),              # normalize the affine output ...
            keras.layers.Activation("sigmoid")]             # ... before the nonlinearity


def _steps_to_reach(steps, accuracy, target):
    reached = np.flatnonzero(np.asarray(accuracy) >= target)   # indices of records at/above the target
    return int(steps[reached[0]]) if reached.size else None


_SOLUTIONS.update({"bn_block": _bn_block, "steps_to_reach": _steps_to_reach})
SOLUTION_NAMES = tuple(_SOLUTIONS)


# -- chapter 10: layer norm and group norm -------------------------------------------------------------

def _cases_ln(rng):
    def fmap(n, h, w, c):
        return rng.normal(rng.uniform(-3, 3, (n, 1, 1, c)), rng.uniform(0.3, 3.0, (n, 1, 1, c)), size=(n, h, w, c))
    return [
        Case("a feature map (N, H, W, C) = (3, 4, 5, 6)", (fmap(3, 4, 5, 6),)),
        Case("a single example, (1, 3, 3, 4): no batch statistics needed", (fmap(1, 3, 3, 4),)),
        Case("examples with large offsets (around 1e3), (2, 3, 2, 6)", (1e3 + fmap(2, 3, 2, 6),)),
        Case("a nearly constant example (variance ~1e-5), (2, 2, 2, 4)", (1 + 3e-3 * fmap(2, 2, 2, 4),)),
    ]


def _norm_over(x, axes, eps, ddof=0, eps_outside=False):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=ddof)
    return (x - mu) / (np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps))


def check_layer_norm(fn):
    """Check ``fn(x, eps) -> y``: layer norm (no gamma/beta) of an (N, H, W, C) map, per example over (H, W, C)."""
    rng = np.random.default_rng(110_01)
    cases = [Case(c.label, c.args + (1e-3,)) for c in _cases_ln(rng)]
    ln = lambda x, e: _norm_over(x, (1, 2, 3), e)  # noqa: E731
    mistakes = [
        ("that's batch norm's axes, (0, 1, 2): one statistic per channel over the batch. Layer norm takes "
         "one mean and variance per example, over (1, 2, 3)", lambda x, e: _norm_over(x, (0, 1, 2), e)),
        ("you normalized over the channels only (axis=-1, the default of keras.layers.LayerNormalization); "
         "here each example's statistics come from all of (H, W, C): axis=(1, 2, 3)",
         lambda x, e: _norm_over(x, (3,), e)),
        ("you normalized each channel of each example on its own, axes (1, 2) -- that is instance norm; "
         "layer norm pools the channels too: axis=(1, 2, 3)", lambda x, e: _norm_over(x, (1, 2), e)),
        ("you used one mean and variance for the whole batch; each example needs its own: axis=(1, 2, 3)",
         lambda x, e: _norm_over(x, None, e)),
        ("your variance is the *unbiased* one (ddof=1); divide by the number of values, H*W*C",
         lambda x, e: _norm_over(x, (1, 2, 3), e, ddof=1)),
        ("eps belongs *inside* the square root: sqrt(var + eps)",
         lambda x, e: _norm_over(x, (1, 2, 3), e, eps_outside=True)),
        ("you left eps out; it keeps a nearly constant example from blowing up: sqrt(var + eps)",
         lambda x, e: _norm_over(x, (1, 2, 3), 0.0)),
    ]
    return _check("layer_norm", fn, cases, ln, mistakes)


def _gn_ref(x, groups, eps, interleaved=False, axes=(1, 2, 4)):
    n, h, w, c = x.shape
    if interleaved:  # channel k in group k % G: the classic reshape slip
        xg = x.reshape(n, h, w, c // groups, groups)
        axes = tuple(a if a != 4 else 3 for a in axes)
    else:
        xg = x.reshape(n, h, w, groups, c // groups)
    return _norm_over(xg, axes, eps).reshape(x.shape)


def check_group_norm(fn):
    """Check ``fn(x, groups, eps) -> y``: group norm (no gamma/beta) of an (N, H, W, C) map.

    Each example's channels are split into ``groups`` blocks of C/G consecutive channels (as
    ``keras.layers.GroupNormalization`` does); each block is normalized over (H, W) and its channels.
    """
    rng = np.random.default_rng(110_02)
    base = _cases_ln(rng)
    cases = [Case(base[0].label + ", 3 groups", (base[0].args[0], 3, 1e-3)),
             Case(base[0].label + ", 2 groups", (base[0].args[0], 2, 1e-3)),
             Case(base[1].label + ", 2 groups", (base[1].args[0], 2, 1e-3)),
             Case(base[2].label + ", 3 groups", (base[2].args[0], 3, 1e-3)),
             Case(base[3].label + ", 4 groups (one channel each)", (base[3].args[0], 4, 1e-3))]
    mistakes = [
        ("your groups take every G-th channel; a group is a block of *consecutive* channels: reshape to "
         "(N, H, W, groups, C // groups), not (N, H, W, C // groups, groups)",
         lambda x, g, e: _gn_ref(x, g, e, interleaved=True)),
        ("you normalized all channels of an example together -- that is layer norm (groups = 1); split the "
         "channels into groups first", lambda x, g, e: _norm_over(x, (1, 2, 3), e)),
        ("you normalized each channel on its own -- that is instance norm (groups = C); each group pools "
         "C // groups channels", lambda x, g, e: _norm_over(x, (1, 2), e)),
        ("you included the batch axis; group norm works on each example alone: reduce (H, W) and the "
         "channels of the group, axes (1, 2, 4) of the reshaped array",
         lambda x, g, e: _gn_ref(x, g, e, axes=(0, 1, 2, 4))),
        ("your normalized groups are right but you reduced over the wrong axes of the reshaped array: "
         "(1, 2, 4) are H, W and the channels within a group", lambda x, g, e: _gn_ref(x, g, e, axes=(1, 2, 3))),
    ]
    return _check("group_norm", fn, cases, _gn_ref, mistakes)


def _layer_norm(x, eps):
    mu = x.mean(axis=(1, 2, 3), keepdims=True)               # (N, 1, 1, 1): one mean per example
    var = x.var(axis=(1, 2, 3), keepdims=True)               # (N, 1, 1, 1), biased
    return (x - mu) / np.sqrt(var + eps)                     # (N, H, W, C)


def _group_norm(x, groups, eps):
    n, h, w, c = x.shape
    xg = x.reshape(n, h, w, groups, c // groups)             # consecutive channels form a group
    mu = xg.mean(axis=(1, 2, 4), keepdims=True)              # (N, 1, 1, G, 1): per example and group
    var = xg.var(axis=(1, 2, 4), keepdims=True)
    return ((xg - mu) / np.sqrt(var + eps)).reshape(n, h, w, c)


_SOLUTIONS.update({"layer_norm": _layer_norm, "group_norm": _group_norm})
SOLUTION_NAMES = tuple(_SOLUTIONS)


# -- chapter 06: training vs inference ---------------------------------------------------------------------

def check_moving_average(fn):
    """Check ``fn(values, momentum, start) -> moving``: Keras' moving average after all K updates.

    ``values`` is (K, D), one batch statistic per step; ``start`` is the initial moving value (D,);
    the answer is the (D,) value after ``moving = momentum * moving + (1 - momentum) * value`` K times.
    """
    rng = np.random.default_rng(206)
    cases = [
        Case("300 noisy batch means around 3, momentum 0.99, start 0",
             (3.0 + rng.normal(0, 0.5, size=(300, 3)), 0.99, np.zeros(3))),
        Case("5 steps, momentum 0.9, start 1 (a moving variance)", (rng.uniform(0.5, 4.0, size=(5, 2)), 0.9, np.ones(2))),
        Case("a single step, momentum 0.5", (np.array([[4.0, -2.0]]), 0.5, np.array([0.0, 1.0]))),
    ]

    def ema(values, momentum, start, swap=False):
        moving = np.array(start, dtype=float)
        for v in values:
            moving = (1 - momentum) * moving + momentum * v if swap else momentum * moving + (1 - momentum) * v
        return moving

    mistakes = [
        ("the weights are swapped: the *old* value gets the momentum, moving = momentum * moving + "
         "(1 - momentum) * value", lambda v, m, s: ema(v, m, s, swap=True)),
        ("you started from the first value instead of `start`; Keras starts at 0 (mean) and 1 (variance) "
         "and updates from there", lambda v, m, s: ema(v[1:], m, v[0])),
        ("you returned the plain mean of the values; a moving average weighs recent steps more and still "
         "remembers its start", lambda v, m, s: v.mean(axis=0)),
        ("you divided by (1 - momentum**K) (Adam's bias correction); Keras' moving averages do not",
         lambda v, m, s: ema(v, m, s) / (1 - m ** len(v))),
        ("you returned the whole history; return only the value after the last update",
         lambda v, m, s: np.array([ema(v[:k + 1], m, s) for k in range(len(v))])),
    ]
    return _check("moving_average", fn, cases, lambda v, m, s: ema(v, m, s), mistakes)


def check_fold_bn(fn):
    """Check ``fn(W, b, gamma, beta, mean, var, eps) -> (W_folded, b_folded)``.

    W (D_in, D) and b (D,) are the affine layer before an inference-mode batch norm with parameters
    gamma, beta and moving statistics mean, var (all (D,)); the folded layer must give
    ``x @ W_folded + b_folded == gamma * (x @ W + b - mean) / sqrt(var + eps) + beta``.
    """
    name = "fold_bn"
    if _not_a_function(name, fn):
        return False
    rng = np.random.default_rng(207)

    def layer(d_in, d, var_scale=1.0):
        return (rng.normal(0, 1, (d_in, d)), rng.normal(0, 1, d), rng.uniform(0.5, 2.0, d), rng.normal(0, 1, d),
                rng.normal(0, 2, d), var_scale * rng.uniform(0.5, 3.0, d), 1e-3)

    cases = [("a (5, 3) layer", layer(5, 3)), ("a (4, 6) layer", layer(4, 6)),
             ("units with tiny moving variances (~1e-4), where eps matters", layer(3, 2, var_scale=1e-4))]

    def fold(W, b, g, be, mu, var, eps, sqrt=True, eps_in=True, use_b=True, use_mu=True, use_beta=True,
             scale_b=True):
        std = np.sqrt(var + eps) if sqrt and eps_in else (np.sqrt(var) + eps if sqrt else var + eps)
        s = g / std
        b_part = (b if use_b else 0.0) - (mu if use_mu else 0.0)
        b_new = (b_part * s if scale_b else (b if use_b else 0.0) - (mu if use_mu else 0.0) * s)
        return W * s, b_new + (be if use_beta else 0.0)

    mistakes = [
        ("divide by the standard deviation sqrt(var + eps), not by the variance", {"sqrt": False}),
        ("eps belongs inside the square root: sqrt(var + eps)", {"eps_in": False}),
        ("the old bias b is lost: the new bias is (b - mean) * s + beta", {"use_b": False}),
        ("you forgot to subtract the moving mean: the new bias is (b - mean) * s + beta", {"use_mu": False}),
        ("you forgot beta: the new bias ends with + beta", {"use_beta": False}),
        ("the old bias b must be scaled too: (b - mean) * s + beta, not b - mean * s + beta", {"scale_b": False}),
    ]
    for label, args in cases:
        want_W, want_b = fold(*args)
        got = _run_learner(name, fn, f"on {label}", *(np.copy(a) if isinstance(a, np.ndarray) else a for a in args))
        if got is _FAILED:
            return False
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            print(f"{FAIL} {name}: return two arrays, (W_folded, b_folded), got {type(got).__name__}")
            return False
        got_W, got_b = (np.asarray(g, dtype=float) for g in got)
        if _close(got_W, want_W) and _close(got_b, want_b):
            continue
        for hint, flags in mistakes:
            wrong_W, wrong_b = fold(*args, **flags)
            if _close(got_W, wrong_W) and _close(got_b, wrong_b):
                print(f"{FAIL} {name}: on {label}, {hint}")
                return False
        if got_W.shape != want_W.shape or got_b.shape != want_b.shape:
            print(f"{FAIL} {name}: on {label}, expected shapes {want_W.shape} and {want_b.shape}, got "
                  f"{got_W.shape} and {got_b.shape} -- scale each *column* (unit) of W: W * s")
        elif not _close(got_W, want_W):
            print(f"{FAIL} {name}: on {label}, W_folded is wrong: each column j of W is multiplied by "
                  f"s_j = gamma_j / sqrt(var_j + eps)")
        else:
            print(f"{FAIL} {name}: on {label}, W_folded is right but b_folded is not: it is (b - mean) * s + beta")
        return False
    print(f"{PASS} {name}: all {len(cases)} hidden cases pass")
    return True


def _moving_average(values, momentum, start):
    moving = np.array(start, dtype=float)
    for value in values:                      # one update per training step
        moving = momentum * moving + (1 - momentum) * value
    return moving


def _fold_bn(W, b, gamma, beta, mean, var, eps):
    s = gamma / np.sqrt(var + eps)            # (D,): batch norm's per-unit scale at inference
    return W * s, (b - mean) * s + beta       # scale every column of W; fold the shift into the bias


_SOLUTIONS.update({"moving_average": _moving_average, "fold_bn": _fold_bn})
SOLUTION_NAMES = tuple(_SOLUTIONS)
