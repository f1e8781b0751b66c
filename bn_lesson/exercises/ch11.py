"""Chapter 11, batch norm in practice: folding an inference-mode batch norm into the layer before it."""
import numpy as np

from ..constants import DEFAULT_EPS
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare, show


def fold_bn(W, b, gamma, beta, mean, var, eps):
    """W (D_in, D); b, gamma, beta, mean, var (D,) -> W_folded (D_in, D), b_folded (D,)."""
    s = gamma / np.sqrt(var + eps)            # (D,): batch norm's per-unit scale at inference
    return W * s, (b - mean) * s + beta       # scale every column of W; fold the shift into the bias


def _fold(W, b, g, be, mu, var, eps, sqrt=True, eps_in=True, use_b=True, use_mu=True, use_beta=True, scale_b=True):
    """The folded (W, b), or with one slip: each flag False is one mistake."""
    std = np.sqrt(var + eps) if sqrt and eps_in else (np.sqrt(var) + eps if sqrt else var + eps)
    s = g / std
    b_old, mu_part = (b if use_b else 0.0), (mu if use_mu else 0.0)
    b_new = (b_old - mu_part) * s if scale_b else b_old - mu_part * s
    return W * s, b_new + (be if use_beta else 0.0)


def check_fold_bn(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(W, b, gamma, beta, mean, var, eps) -> (W_folded, b_folded)``.

    W (D_in, D) and b (D,) are the affine layer before an inference-mode batch norm with parameters
    gamma, beta and moving statistics mean, var (all (D,)); the folded layer must give
    ``x @ W_folded + b_folded == gamma * (x @ W + b - mean) / sqrt(var + eps) + beta``.
    """
    rng = np.random.default_rng(207)

    def layer(label, d_in, d, eps, var_scale=1.0):
        return Case(label, W=rng.normal(0, 1, (d_in, d)), b=rng.normal(0, 1, d), gamma=rng.uniform(0.5, 2.0, d),
                    beta=rng.normal(0, 1, d), mean=rng.normal(0, 2, d), var=var_scale * rng.uniform(0.5, 3.0, d),
                    eps=eps)

    cases = [layer(f"a (5, 3) layer, eps={show(DEFAULT_EPS)}", 5, 3, DEFAULT_EPS),
             layer("a (4, 6) layer with small moving variances (~1e-3), eps=1e-5", 4, 6, 1e-5, var_scale=1e-3),
             layer(f"units with tiny moving variances (~1e-4), where eps={show(DEFAULT_EPS)} matters", 3, 2,
                   DEFAULT_EPS, var_scale=1e-4),
             layer("a (2, 4) layer, eps=0.1", 2, 4, 0.1)]
    mistakes = [
        ("divide by the standard deviation sqrt(var + eps), not by the variance", {"sqrt": False}),
        ("eps belongs inside the square root: sqrt(var + eps)", {"eps_in": False}),
        ("the old bias b is lost: the new bias is (b - mean) * s + beta", {"use_b": False}),
        ("you forgot to subtract the moving mean: the new bias is (b - mean) * s + beta", {"use_mu": False}),
        ("you forgot beta: the new bias ends with + beta", {"use_beta": False}),
        ("the old bias b must be scaled too: (b - mean) * s + beta, not b - mean * s + beta", {"scale_b": False}),
    ]
    judge = compare(_fold, cases, [(hint, lambda *a, f=flags: _fold(*a, **f)) for hint, flags in mistakes],
                    parts=("W_folded", "b_folded"), usual={"eps": (DEFAULT_EPS,)},
                    part_hints={"W_folded": "each column j of W is multiplied by s_j = gamma_j / sqrt(var_j + eps)",
                                "b_folded": "the new bias is (b - mean) * s + beta"})
    return check("fold_bn", fn, cases, judge, time_limit=time_limit)
