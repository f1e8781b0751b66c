"""Chapter 09, backprop through BN: the compact training-mode gradient with respect to x."""
import numpy as np

from ..constants import DEFAULT_EPS
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare, show
from ._reference import normalized


def bn_backward(dout, x_hat, gamma, var, eps):
    """dout, x_hat (N, D); gamma, var (D,); eps -> dx (N, D), training mode."""
    m = dout.shape[0]
    inv_std = 1.0 / np.sqrt(var + eps)                                    # (D,)
    dbeta = dout.sum(axis=0)                                              # (D,)
    dgamma = (dout * x_hat).sum(axis=0)                                   # (D,)
    return gamma * inv_std / m * (m * dout - dbeta - x_hat * dgamma)      # (N, D)


def _dx(dout, x_hat, gamma, var, eps, mean_term=True, var_term=True, use_gamma=True, over_m=True, with_eps=True,
        sign=-1):
    """dx, or with one slip: each flag changed is one mistake."""
    m = dout.shape[0]
    inv_std = 1.0 / np.sqrt(var + (eps if with_eps else 0.0))
    inner = m * dout + sign * ((dout.sum(0) if mean_term else 0) + (x_hat * (dout * x_hat).sum(0) if var_term else 0))
    return (gamma if use_gamma else 1.0) * inv_std / (m if over_m else 1) * inner


def check_bn_backward(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(dout, x_hat, gamma, var, eps) -> dx``, the compact training-mode gradient for (N, D) input.

    The learner gets what the forward pass cached (x_hat and var, not x); eps varies, and matters where the
    variance is tiny.
    """
    rng = np.random.default_rng(109)
    cases = []
    for label, x, eps in (("a (6, 3) batch", rng.normal([1.0, -2.0, 0.0], [0.5, 3.0, 1.0], (6, 3)), DEFAULT_EPS),
                          ("a batch of 2", rng.normal(0.0, 2.0, (2, 4)), 1e-5),
                          ("a (16, 5) batch", rng.normal(3.0, 1.5, (16, 5)), 0.1),
                          ("features with tiny variance (~1e-4)", rng.normal(0.0, 0.01, (8, 3)), 1e-5),
                          ("features with tiny variance (~1e-4)", rng.normal(0.0, 0.01, (8, 3)), 0.1)):
        d = x.shape[1]
        cases.append(Case(f"{label}, eps={show(eps)}", dout=rng.normal(size=x.shape), x_hat=normalized(x, 0, eps),
                          gamma=rng.uniform(0.5, 2.0, d), var=x.var(axis=0), eps=eps))
    mistakes = [
        ("that is the inference-mode gradient, gamma * dout / sqrt(var + eps). In training the mean and the "
         "variance depend on every x too: subtract sum(dout) and x_hat * sum(dout * x_hat), then divide by m",
         lambda *a: _dx(*a, mean_term=False, var_term=False)),
        ("the term from the batch mean is missing: subtract dout.sum(axis=0) inside the bracket",
         lambda *a: _dx(*a, mean_term=False)),
        ("the term from the batch variance is missing: subtract x_hat * (dout * x_hat).sum(axis=0) inside the "
         "bracket", lambda *a: _dx(*a, var_term=False)),
        ("you left out gamma: the gradient reaching x_hat is dout * gamma", lambda *a: _dx(*a, use_gamma=False)),
        ("you forgot to divide by m, the batch size: gamma / sqrt(var + eps) / m * (...)",
         lambda *a: _dx(*a, over_m=False)),
        ("eps belongs inside the square root here too: 1 / sqrt(var + eps)", lambda *a: _dx(*a, with_eps=False)),
        ("check the signs: both sums are *subtracted* from m * dout", lambda *a: _dx(*a, sign=+1)),
        ("you recomputed the variance from x_hat; use the `var` the forward pass cached (x_hat's own variance "
         "is var / (var + eps), not var)",
         lambda dout, x_hat, gamma, var, eps: _dx(dout, x_hat, gamma, x_hat.var(axis=0), eps)),
    ]
    judge = compare(_dx, cases, mistakes, usual={"eps": (DEFAULT_EPS, 0.0)}, shape_hint="dx has x's shape (N, D)")
    return check("bn_backward", fn, cases, judge, time_limit=time_limit)
