"""Chapter 03, the four steps: write each step of Algorithm 1, then batch norm in one go."""
import numpy as np

from ..constants import DEFAULT_EPS
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare, show
from ._reference import normalized

CONV = (0, 1, 2)   # the axes of a channels-last (N, H, W, C) map that batch norm reduces


def batch_mean(x, axis=0):
    """Step 1. x (N, D) with axis=0, or (N, H, W, C) with axis=(0, 1, 2) -> mu, (D,) or (C,)."""
    return x.mean(axis=axis)


def batch_variance(x, mean, axis=0):
    """Step 2. x and its mean (D,) or (C,) -> the biased variance (divide by m), (D,) or (C,)."""
    return ((x - np.expand_dims(mean, axis)) ** 2).mean(axis=axis)


def normalize(x, mean, var, eps):
    """Step 3. x (N, D), mean and var (D,) -> x_hat (N, D)."""
    return (x - mean) / np.sqrt(var + eps)


def scale_and_shift(x_hat, gamma, beta):
    """Step 4. x_hat (N, D), gamma and beta (D,) or numbers -> y (N, D)."""
    return gamma * x_hat + beta


def batch_norm(x, gamma, beta, eps):
    """All four steps. x (N, D), gamma and beta (D,) -> y (N, D)."""
    mu = x.mean(axis=0)                       # step 1: (D,)
    var = ((x - mu) ** 2).mean(axis=0)        # step 2: (D,), biased
    x_hat = (x - mu) / np.sqrt(var + eps)     # step 3: (N, D)
    return gamma * x_hat + beta               # step 4: (N, D)


def _batches(rng):
    """(label, x, axis): mini-batches that catch the classic slips, and channels-last maps."""
    return [
        ("a (6, 3) batch", rng.normal(2.0, 3.0, size=(6, 3)), 0),
        ("a batch of 2", rng.normal(0.0, 1.0, size=(2, 4)), 0),
        ("features with large offsets (around 1e4)", 1e4 + rng.normal(0.0, 5.0, size=(7, 3)), 0),
        ("a channels-last feature map (N, H, W, C) = (3, 4, 4, 2), axis=(0, 1, 2)",
         rng.normal(1.0, 2.0, size=(3, 4, 4, 2)), CONV),
        ("a feature map (2, 3, 5, 4), axis=(0, 1, 2)", rng.normal(-1.0, 0.5, size=(2, 3, 5, 4)), CONV),
    ]


_CONV_HINT = "for conv maps the statistic is per channel, over (N, H, W): use the axis argument"


def check_batch_mean(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x, axis) -> mu``, the mean over the batch axis (0) or axes ((0, 1, 2) for conv maps)."""
    cases = [Case(label, x=x, axis=axis) for label, x, axis in _batches(np.random.default_rng(102))]
    mistakes = [
        ("you averaged over the features (axis=1); average over the batch (axis=0)", lambda x, axis: x.mean(axis=1)),
        ("you returned one number; batch norm needs one mean per feature", lambda x, axis: x.mean()),
        ("you returned the sum; divide by the number of examples m", lambda x, axis: x.sum(axis=axis)),
        (_CONV_HINT, lambda x, axis: x.mean(axis=0)),
    ]
    judge = compare(lambda x, axis: x.mean(axis=axis), cases, mistakes, usual={"axis": (0,)},
                    shape_hint="check which axis you reduce over")
    return check("batch_mean", fn, cases, judge, time_limit=time_limit)


def check_batch_variance(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x, mean, axis) -> var``, the *biased* (1/m) variance over the batch.

    ``mean`` is x's own batch mean (the chapter computes it in step 1), so ``x.var(axis=axis)`` is right too.
    """
    cases = [Case(label, x=x, mean=x.mean(axis=axis), axis=axis)
             for label, x, axis in _batches(np.random.default_rng(103))]
    mistakes = [
        ("your answer is the *unbiased* variance (dividing by m-1). Batch norm divides by m, "
         "as the paper and tf.nn.moments do", lambda x, mean, axis: x.var(axis=axis, ddof=1)),
        ("you returned the standard deviation; the variance is its square", lambda x, mean, axis: x.std(axis=axis)),
        ("you forgot to subtract the mean before squaring", lambda x, mean, axis: (x ** 2).mean(axis=axis)),
        ("you reduced over the features (axis=1); reduce over the batch", lambda x, mean, axis: x.var(axis=1)),
        (_CONV_HINT, lambda x, mean, axis: x.var(axis=0)),
        (_CONV_HINT, lambda x, mean, axis: ((x - mean) ** 2).mean(axis=0)),
    ]
    judge = compare(lambda x, mean, axis: x.var(axis=axis), cases, mistakes, usual={"axis": (0,)},
                    shape_hint="check which axis you reduce over")
    return check("batch_variance", fn, cases, judge, time_limit=time_limit)


def check_normalize(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x, mean, var, eps) -> x_hat`` with the statistics it is given.

    Some cases pass the batch's own statistics (training, chapter 03), others moving statistics that are not
    x's own (inference, chapter 06: even a single example); eps varies, and matters where var is tiny.
    """
    rng = np.random.default_rng(104)
    own, moving, tiny = rng.normal(2.0, 3.0, (6, 3)), rng.normal(1.0, 2.0, (8, 3)), rng.normal(0.0, 0.01, (8, 3))
    keras_eps = show(DEFAULT_EPS)
    cases = [
        Case(f"a (6, 3) batch with its own mean and variance, eps={keras_eps}", x=own, mean=own.mean(0),
             var=own.var(0), eps=DEFAULT_EPS),
        Case(f"a batch of 8 with moving (inference) statistics, not its own, eps={keras_eps}", x=moving,
             mean=np.array([0.5, -1.0, 2.0]), var=np.array([3.0, 0.5, 8.0]), eps=DEFAULT_EPS),
        Case(f"a single example (N = 1) at inference, with moving statistics, eps={keras_eps}",
             x=rng.normal(0.0, 2.0, size=(1, 3)), mean=np.array([0.2, 0.1, -0.3]), var=np.array([1.5, 4.0, 0.8]),
             eps=DEFAULT_EPS),
        Case("features with tiny variance (~1e-4), eps=1e-5", x=tiny, mean=tiny.mean(0), var=tiny.var(0), eps=1e-5),
        Case("moving statistics with a tiny variance (~1e-4), eps=0.1", x=tiny[:4], mean=np.zeros(3),
             var=np.full(3, 1e-4), eps=0.1),
    ]
    mistakes = [
        ("eps belongs *inside* the square root: (x - mean) / sqrt(var + eps)",
         lambda x, mean, var, eps: (x - mean) / (np.sqrt(var) + eps)),
        ("you left eps out; it keeps the denominator away from zero: sqrt(var + eps)",
         lambda x, mean, var, eps: (x - mean) / np.sqrt(var)),
        ("you divided by the variance; divide by the standard deviation sqrt(var + eps)",
         lambda x, mean, var, eps: (x - mean) / (var + eps)),
        ("you forgot to subtract the mean", lambda x, mean, var, eps: x / np.sqrt(var + eps)),
        ("you recomputed the mean and variance from x; use the `mean` and `var` you are given: at inference "
         "they are the moving averages, not this batch's own statistics",
         lambda x, mean, var, eps: normalized(x, 0, eps)),
        ("mean and var are swapped: it is (x - mean) / sqrt(var + eps)",
         lambda x, mean, var, eps: (x - var) / np.sqrt(mean + eps)),
    ]
    judge = compare(lambda x, mean, var, eps: (x - mean) / np.sqrt(var + eps), cases, mistakes,
                    usual={"eps": (DEFAULT_EPS,)}, shape_hint="x_hat has x's shape; mean and var broadcast over it")
    return check("normalize", fn, cases, judge, time_limit=time_limit)


def check_scale_and_shift(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x_hat, gamma, beta) -> y``; gamma and beta are (D,) or (C,) arrays, or plain numbers."""
    rng = np.random.default_rng(105)
    cases = []
    for label, x, axis in _batches(rng):
        d = x.shape[-1]
        gamma, beta = rng.uniform(0.5, 3.0, d) * rng.choice([-1.0, 1.0], d), rng.uniform(-2.0, 2.0, d)
        cases.append(Case(label, x_hat=normalized(x, axis, DEFAULT_EPS), gamma=gamma, beta=beta))
    x = rng.normal(size=(5, 3))
    cases.append(Case("a (5, 3) batch with gamma=2.5 and beta=-1 as plain numbers",
                      x_hat=normalized(x, 0, DEFAULT_EPS), gamma=2.5, beta=-1.0))
    mistakes = [
        ("gamma and beta are swapped: gamma scales, beta shifts -- gamma * x_hat + beta",
         lambda x_hat, gamma, beta: beta * x_hat + gamma),
        ("you shifted before scaling: it is gamma * x_hat + beta, not gamma * (x_hat + beta)",
         lambda x_hat, gamma, beta: gamma * (x_hat + beta)),
        ("you returned x_hat unchanged", lambda x_hat, gamma, beta: x_hat),
        ("you forgot beta: y = gamma * x_hat + beta", lambda x_hat, gamma, beta: gamma * x_hat),
        ("you forgot gamma: y = gamma * x_hat + beta", lambda x_hat, gamma, beta: x_hat + beta),
    ]
    judge = compare(lambda x_hat, gamma, beta: gamma * x_hat + beta, cases, mistakes,
                    shape_hint="y has x_hat's shape; gamma and beta broadcast over its last axis")
    return check("scale_and_shift", fn, cases, judge, time_limit=time_limit)


def check_batch_norm(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x, gamma, beta, eps) -> y`` on (N, D) batches (a returned tuple's first item is used)."""
    rng = np.random.default_rng(106)
    cases = []
    for (label, x, _), eps in zip(_batches(rng)[:3], (DEFAULT_EPS, 1e-5, DEFAULT_EPS)):
        d = x.shape[1]
        cases.append(Case(f"{label}, eps={show(eps)}", x=x, gamma=rng.uniform(0.5, 3.0, d),
                          beta=rng.uniform(-2.0, 2.0, d), eps=eps))
    scales = rng.normal(0, 1, size=(9, 3)) * [0.01, 1.0, 300.0]
    cases.append(Case("features on very different scales, one with variance ~1e-4, eps=0.01", x=scales,
                      gamma=np.array([1.0, 2.0, 0.5]), beta=np.array([0.0, -1.0, 1.0]), eps=0.01))
    for eps in (1e-5, 0.1):
        tiny = rng.normal(5.0, 0.01, size=(8, 3))
        cases.append(Case(f"features with tiny variance (~1e-4), eps={show(eps)}", x=tiny, gamma=np.full(3, 2.0),
                          beta=np.full(3, 0.5), eps=eps))
    mistakes = [
        ("your variance is the *unbiased* one (m-1); batch norm divides by m",
         lambda x, g, b, e: normalized(x, 0, e, g, b, ddof=1)),
        ("eps belongs *inside* the square root: sqrt(var + eps)",
         lambda x, g, b, e: normalized(x, 0, e, g, b, eps_outside=True)),
        ("you left eps out; it keeps a nearly constant feature from blowing up: sqrt(var + eps)",
         lambda x, g, b, e: normalized(x, 0, 0.0, g, b)),
        ("you normalized each example over its features (axis=1) -- that is layer norm; batch norm "
         "normalizes each feature over the batch (axis=0)", lambda x, g, b, e: normalized(x, 1, e, g, b)),
        ("gamma and beta are swapped: y = gamma * x_hat + beta", lambda x, g, b, e: normalized(x, 0, e, b, g)),
        ("you returned x_hat: finish with the scale and shift, gamma * x_hat + beta",
         lambda x, g, b, e: normalized(x, 0, e)),
    ]
    judge = compare(lambda x, g, b, e: normalized(x, 0, e, g, b), cases, mistakes, usual={"eps": (DEFAULT_EPS,)},
                    shape_hint="y has x's shape: reduce over the batch axis 0 for the statistics only")
    return check("batch_norm", fn, cases, judge, time_limit=time_limit)
