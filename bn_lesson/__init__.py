"""bn_lesson: the small helper package behind the Batch Normalization course.

Importing it changes nothing global (no rcParams, no seeds, no threads); notebooks opt in explicitly.

* ``standardize`` -- ``zscore``, ``min_max``: where the course starts
* ``algorithm``   -- the four steps of Algorithm 1 and ``batch_norm`` composing them
* ``layer``       -- ``BatchNorm``: gamma/beta, moving statistics, forward and backward
* ``exercises``   -- auto-checked exercises (``check_*``) and ``solution(name)``
* ``data``, ``descent``, ``plotting`` -- data sets, gradient descent, plot helpers
"""
from .standardize import zscore, min_max
from .algorithm import (
    batch_mean,
    batch_variance,
    normalize,
    scale_and_shift,
    batch_norm,
    BatchNormResult,
    DEFAULT_EPS,
)
from .layer import BatchNorm

__all__ = [
    "zscore", "min_max",
    "batch_mean", "batch_variance", "normalize", "scale_and_shift", "batch_norm", "BatchNormResult",
    "DEFAULT_EPS", "BatchNorm",
]
