"""One feature's mini-batch followed through every stage of batch normalization, and each stage summarized.

raw input x  ->  normalized x_hat  ->  scaled and shifted y = gamma * x_hat + beta  ->  activation(y)

``explore`` is pure: the four step functions of ``bn_lesson.algorithm``, the activation, and each stage's
mean, std and skewness (``bn_lesson.stats.stage_stats``). It is the reference for everything that shows
these stages: the explorer widget (``bn_lesson.widgets.explorer``), its static twin
(``bn_lesson.viz.stage_plots.plot_explorer_grid``) and the statistics chapters 03 and 04 print. A front end
that computes in the browser is checked against it.

A module of its own, not part of ``stats``: it *runs* Algorithm 1 (``stats`` only summarizes arrays it is
given) and depends on ``algorithm`` and ``data``, which ``stats`` does not need.
"""
from typing import NamedTuple

import numpy as np

from ._checks import (check_batch, check_choice, check_eps, check_number, check_squarable, constant_features,
                      validated)
from .activations import ACTIVATIONS, saturated_fraction
from .algorithm import batch_mean, batch_variance, normalize, scale_and_shift
from .constants import DEFAULT_EPS, SIGMOID_FLAT
from .data import sample_distribution
from .stats import stage_stats

#: the stages, in order; also the keys of ``bn_lesson.viz.plots.STAGE_COLORS``
STAGES = ("input", "normalized", "scaled", "activated")


class ExplorerResult(NamedTuple):
    """What ``explore`` returns: every stage's values and statistics, and what eps did."""

    values: dict              #: stage -> (N,) ndarray (only "input" when ``error`` is set)
    stats: dict               #: stage -> StageStats (only "input" when ``error`` is set)
    mu: float                 #: batch mean (step 1)
    var: float                #: biased batch variance (step 2)
    eps: float
    xhat_var_predicted: float  #: var / (var + eps): what x_hat's variance must be
    saturated: float          #: share of y in the activation's flat region (nan when ``error`` is set)
    activation: str
    error: str = None         #: why the batch could not be normalized (eps = 0 with zero variance)


def check_stages(stages, name="stages"):
    """``stages`` as a tuple: a non-empty selection from ``STAGES``."""
    if isinstance(stages, str) or not isinstance(stages, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of stage names from {STAGES}, got {stages!r}")
    if not stages or not set(stages) <= set(STAGES):
        raise ValueError(f"{name} must be a non-empty selection from {STAGES}, got {stages!r}")
    return tuple(stages)


PARAM_LIMIT = 1e6   #: |gamma|, |beta| beyond this say nothing new, and their products overflow the statistics


def _check_explore(a):
    x = check_batch(a["x"])
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"x must be one feature's batch, shape (N,) or (N, 1); got shape {x.shape}")
    a["x"] = check_squarable(x)
    a["gamma"] = check_number(a["gamma"], "gamma", -PARAM_LIMIT, PARAM_LIMIT)
    a["beta"] = check_number(a["beta"], "beta", -PARAM_LIMIT, PARAM_LIMIT)
    a["eps"] = check_eps(a["eps"])
    a["activation"] = check_choice(a["activation"], "activation", ACTIVATIONS)
    return a


@validated(_check_explore)
def explore(x, gamma=1.0, beta=0.0, eps=DEFAULT_EPS, activation="sigmoid"):
    """Run one feature's mini-batch through the four steps and an activation; summarize each stage.

    Parameters
    ----------
    x : (N,) or (N, 1) ndarray -- one feature's mini-batch
    gamma, beta : float -- scale and shift
    eps : float >= 0
    activation : "sigmoid" or "relu" (any name in ``bn_lesson.activations.ACTIVATIONS`` works)

    Returns
    -------
    ExplorerResult
        ``values`` and ``stats`` are keyed by ``STAGES``. With eps = 0 and a constant batch the
        normalization is 0/0: instead of NaN, ``error`` says so and only the input stage is filled.

    Notes
    -----
    mu = mean(x); var = mean((x - mu)^2); x_hat = (x - mu) / sqrt(var + eps); y = gamma * x_hat + beta.
    Then mean(x_hat) = 0, var(x_hat) = var / (var + eps), mean(y) = beta, std(y) = |gamma| * std(x_hat).
    The share of y in the flat region is y <= 0 for relu, |y| > ``SIGMOID_FLAT`` for the sigmoid.
    """
    mu = batch_mean.math(x, 0)              # step 1: () -- one feature
    var = batch_variance.math(x, mu, 0)     # step 2: ()
    values, stats = {"input": x}, {"input": stage_stats.math(x)}
    predicted = float(var / (var + eps)) if var + eps > 0 else float("nan")
    if eps == 0 and constant_features(x, 0):  # 0 / 0: say so instead of filling x_hat with NaN
        return ExplorerResult(values, stats, float(mu), float(var), eps, predicted, float("nan"), activation,
                              "cannot normalize: eps = 0 and the batch has variance 0, "
                              "so x_hat = (x - mu) / sqrt(0 + 0) = 0/0")
    x_hat = normalize.math(x, mu, var, eps)          # step 3: (N,)
    y = scale_and_shift.math(x_hat, gamma, beta)     # step 4: (N,)
    values.update(normalized=x_hat, scaled=y, activated=ACTIVATIONS[activation][0](y))
    stats.update((stage, stage_stats.math(values[stage])) for stage in STAGES[1:])
    saturated = saturated_fraction(y, activation, SIGMOID_FLAT if activation == "sigmoid" else None)
    return ExplorerResult(values, stats, float(mu), float(var), eps, predicted, saturated, activation)


def explore_setting(dist="normal", batch_size=10_000, gamma=1.0, beta=0.0, eps=DEFAULT_EPS,
                    activation="sigmoid", seed=0):
    """``explore`` a batch drawn by ``sample_distribution(dist, batch_size, default_rng(seed))``.

    The same (dist, batch_size, seed) always gives the same batch, so the widget and a static figure
    with the same setting show the same numbers.
    """
    x = sample_distribution(dist, batch_size, np.random.default_rng(seed))
    return explore(x, gamma, beta, eps, activation)
