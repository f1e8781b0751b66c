"""bn_lesson: the small helper package behind the Batch Normalization course.

Importing it changes nothing global (no rcParams, no seeds, no threads, no environment variables);
notebooks opt in explicitly. One module per concept, and dependencies point one way -- each layer
imports only from the layers above it:

conventions   ``constants`` (DEFAULT_EPS, DEFAULT_MOMENTUM, SIGMOID_FLAT), ``_checks`` (boundary validation)
pure math     ``standardize`` (01) -- ``algorithm``: the four steps and ``batch_norm`` (03) --
              ``layer``: ``BatchNorm`` with moving statistics, forward and backward -- ``activations`` --
              ``inference``: Algorithm 2, moving averages (06), batch coupling and folding (11) --
              ``gradcheck`` (09) -- ``data`` --
              ``norm_axes``: which values BN/LN/GN share statistics over (05, 13) -- ``stats``: per-layer and
              per-stage statistics -- ``stages``: the explorer's pure computation (03, 04)
models        ``models.mlp``, ``models.conv``, ``models.descent``: numpy networks and gradient descent
drawing       ``viz.plots``, ``viz.stage_plots``, ``viz.diagrams``, ``viz.demo_plots``, ``viz.text``
widgets       ``widgets.explorer``, ``widgets.demo_views``, ``widgets.presenter`` (presenter mode)
TensorFlow    ``tf.*``: numpy vs tf.nn vs Keras, gradients, Keras models and training (07-10)
exercises     ``exercises``: ``check_*`` per chapter, ``solution(name)``, ``SOLUTIONS``

Conventions, stated once: ``axis`` names the axes that are reduced; the variance is biased (1/m) like
``tf.nn.moments``; Keras' defaults (momentum 0.99, eps 1e-3); numpy functions return float64; a wrong kind
of argument raises ``TypeError``, a wrong value or shape ``ValueError``, each naming the argument.
"""
from .standardize import zscore, min_max
from .algorithm import (
    batch_mean,
    batch_variance,
    normalize,
    scale_and_shift,
    batch_norm,
    BatchNormResult,
)
from .constants import DEFAULT_EPS, DEFAULT_MOMENTUM
from .layer import BatchNorm

__all__ = [
    "zscore", "min_max",
    "batch_mean", "batch_variance", "normalize", "scale_and_shift", "batch_norm", "BatchNormResult",
    "DEFAULT_EPS", "DEFAULT_MOMENTUM", "BatchNorm",
]
