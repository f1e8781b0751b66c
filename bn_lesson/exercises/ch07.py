"""Chapter 07, batch norm in TensorFlow: write it with ``tf.nn.moments`` and ``tf.nn.batch_normalization``.

The checker compares with numpy, so importing this module does not import TensorFlow; only the learner's
function and the printed solution use it.
"""
import numpy as np

from ..constants import DEFAULT_EPS
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare, show
from ._reference import normalized


def tf_batch_norm(x, gamma, beta, eps):
    """x (N, D) or (N, H, W, C), gamma and beta (D,) or (C,) -> y, the shape of x."""
    import tensorflow as tf
    axes = list(range(len(x.shape) - 1))          # every axis but the features: [0] or [0, 1, 2]
    mean, variance = tf.nn.moments(x, axes=axes)  # (C,) each
    return tf.nn.batch_normalization(x, mean, variance, offset=beta, scale=gamma, variance_epsilon=eps)


def _but_last(x):
    return tuple(range(x.ndim - 1))


def check_tf_batch_norm(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x, gamma, beta, eps) -> y`` written with ``tf.nn.moments`` + ``tf.nn.batch_normalization``.

    ``x`` is (N, D) or channels-last (N, H, W, C); the features are on the last axis, so the statistics
    are over every other axis. A returned tensor is converted with ``np.asarray``; float32 is fine.
    """
    rng = np.random.default_rng(107)
    cases = []
    for label, shape, eps in (("a (16, 3) batch", (16, 3), DEFAULT_EPS), ("a batch of 2", (2, 4), 1e-5),
                              ("a channels-last feature map (N, H, W, C) = (3, 4, 4, 2)", (3, 4, 4, 2), 0.1)):
        c = shape[-1]
        x = rng.normal(rng.uniform(-3, 3, c), rng.uniform(0.5, 3, c), size=shape)
        cases.append(Case(f"{label}, eps={show(eps)}", x=x, gamma=rng.uniform(0.5, 2.0, c), beta=rng.uniform(-2, 2, c),
                          eps=eps))
    for eps in (DEFAULT_EPS, 1e-5):   # variance ~1e-4: eps matters here (mean 0: float32 copes too)
        cases.append(Case(f"features with tiny variance (~1e-4), eps={show(eps)}", x=rng.normal(0.0, 0.01, size=(8, 3)),
                          gamma=np.full(3, 2.0), beta=np.full(3, 0.5), eps=eps))
    mistakes = [
        ("gamma and beta are swapped: offset is beta (the shift), scale is gamma",
         lambda x, g, b, e: normalized(x, _but_last(x), e, b, g)),
        ("for (N, H, W, C) maps the statistics are per channel, over batch, height and width: "
         "tf.nn.moments(x, axes=[0, 1, 2]) -- in general every axis but the last",
         lambda x, g, b, e: normalized(x, 0, e, g, b)),
        ("you reduced over the channel axis; batch norm keeps one mean and variance per channel and reduces "
         "every *other* axis", lambda x, g, b, e: normalized(x, x.ndim - 1, e, g, b)),
        ("you took the statistics per image (axes [1, 2]); batch norm also averages over the batch axis 0",
         lambda x, g, b, e: normalized(x, (1, 2), e, g, b)),
        ("pass eps as variance_epsilon: with 0 the output is wrong wherever the variance is tiny",
         lambda x, g, b, e: normalized(x, _but_last(x), 0.0, g, b)),
        ("tf.nn.batch_normalization wants the variance (what tf.nn.moments returns), not the standard deviation",
         lambda x, g, b, e: g * (x - x.mean(_but_last(x))) / np.sqrt(x.std(_but_last(x)) + e) + b),
    ]
    judge = compare(lambda x, g, b, e: normalized(x, _but_last(x), e, g, b), cases, mistakes,
                    usual={"eps": (DEFAULT_EPS,)}, shape_hint="y has x's shape")
    return check("tf_batch_norm", fn, cases, judge, time_limit=time_limit)
