"""bn_lesson: the small helper package behind the Batch Normalization course.

Importing it changes nothing global (no rcParams, no seeds, no threads); notebooks opt in explicitly.
One module per concept; notebooks import from the module they need:

* ``standardize``  -- ``zscore``, ``min_max``: where the course starts (chapter 01)
* ``algorithm``    -- the four steps of Algorithm 1 and ``batch_norm`` composing them (03)
* ``layer``        -- ``BatchNorm``: gamma/beta, moving statistics, forward and backward
* ``activations``  -- sigmoid/tanh/relu, their derivatives, the saturated share (02, 04)
* ``explorer``     -- the gamma/beta/eps explorer widget and its static twin (03, 04)
* ``mlp``, ``diagnostics`` -- a numpy MLP and per-layer statistics and plots (02, 06)
* ``conv``         -- NHWC convolution, max-pooling and the conv -> BN -> ReLU -> pool block (05)
* ``inference``    -- population statistics, moving averages, folding BN into weights (06)
* ``tf_bn``        -- everything that needs TensorFlow: comparisons, gradients, models, training (07-10)
* ``norm_axes``    -- which values BN, LayerNorm and GroupNorm share statistics over (10)
* ``gradcheck``    -- central differences and relative error, for every backward check
* ``exercises``    -- auto-checked exercises (``check_*``) and ``solution(name)``
* ``classroom``    -- presenter mode and the demo app's views
* ``data``, ``descent``, ``plotting``, ``figures`` -- data sets, gradient descent, plot helpers, diagrams
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
