"""Chapter 04, why scale and shift: the gamma and beta that undo normalization, and a gamma that saturates."""
import numpy as np

from ..constants import DEFAULT_EPS, SIGMOID_FLAT
from ._harness import TIME_LIMIT, Case, check
from ._judges import compare, one_number, show


def identity_params(mu, var, eps):
    """mu, var (D,) and eps -> gamma, beta (D,) with gamma * x_hat + beta == x."""
    gamma = np.sqrt(var + eps)   # undo the division by the std
    beta = mu                    # put the mean back
    return gamma, beta


def gamma_for_flat_share(x_hat, share):
    """x_hat (N,), a share in (0, 1) -> gamma > 0 putting that share of gamma * x_hat beyond the flat edge."""
    edge = np.quantile(np.abs(x_hat), 1 - share)   # share of |x_hat| lies beyond this
    return SIGMOID_FLAT / edge                       # gamma * edge = 4: the start of the flat region


def check_identity_params(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(mu, var, eps) -> (gamma, beta)``: the scale and shift that undo the normalization (y = x)."""
    rng = np.random.default_rng(401)
    cases = [
        Case(f"three features, one with variance 1e-4 (below eps = {show(DEFAULT_EPS)})",
             mu=np.array([3.0, -1.0, 0.5]), var=np.array([4.0, 0.25, 1e-4]), eps=DEFAULT_EPS),
        Case("a single feature", mu=np.array([10.0]), var=np.array([9.0]), eps=DEFAULT_EPS),
        Case("eps = 1e-5 and random statistics", mu=rng.normal(0, 5, 6), var=rng.uniform(0.001, 10, 6), eps=1e-5),
        Case("eps = 0.1 and small variances", mu=rng.normal(0, 2, 4), var=rng.uniform(0.01, 0.5, 4), eps=0.1),
    ]
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
    judge = compare(lambda mu, var, eps: (np.sqrt(var + eps), mu), cases, mistakes, parts=("gamma", "beta"),
                    usual={"eps": (DEFAULT_EPS,)}, broadcast=True)
    return check("identity_params", fn, cases, judge, time_limit=time_limit)


def check_gamma_for_flat_share(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(x_hat, share) -> gamma``: a scale putting ``share`` of ``gamma * x_hat`` in |y| > 4.

    Any gamma that does it passes (a share is only defined to within one sample, 1/N).
    """
    rng = np.random.default_rng(402)

    def normalized(v):
        return (v - v.mean()) / v.std()

    cases = [
        Case("a normal batch of 1000, half in the flat region", x_hat=normalized(rng.normal(size=1000)), share=0.5),
        Case("a normal batch of 1000, 10% in the flat region", x_hat=normalized(rng.normal(size=1000)), share=0.1),
        Case("a skewed batch of 2000, 25% in the flat region", x_hat=normalized(rng.exponential(size=2000)),
             share=0.25),
        Case("a bimodal batch of 500, 60% in the flat region",
             x_hat=normalized(np.where(rng.random(500) < 0.5, -2.0, 2.0) + 0.3 * rng.normal(size=500)), share=0.6),
    ]
    mistakes = [
        ("the sigmoid is flat on both sides: use the quantile of abs(x_hat), not of x_hat",
         lambda x, s: SIGMOID_FLAT / np.quantile(x, 1 - s)),
        ("share is the part *beyond* the edge: take the (1 - share) quantile of abs(x_hat)",
         lambda x, s: SIGMOID_FLAT / np.quantile(np.abs(x), s)),
        ("upside down: gamma * |x_hat| reaches 4 when gamma = 4 / |x_hat|",
         lambda x, s: np.quantile(np.abs(x), 1 - s) / SIGMOID_FLAT),
    ]

    def flat_share(gamma, x_hat):
        return float(np.mean(np.abs(gamma * x_hat) > SIGMOID_FLAT))

    def judge(case, answer):
        gamma, problem = one_number(answer, "your gamma")
        if problem:
            return problem
        x_hat, share = case.values
        if np.isfinite(gamma) and gamma > 0 and abs(flat_share(gamma, x_hat) - share) <= 1.5 / len(x_hat):
            return None
        for hint, wrong in mistakes:
            if np.isclose(gamma, wrong(x_hat, share), rtol=1e-6):
                return hint
        if np.isnan(gamma):
            return "your gamma is NaN (not a number): a 0/0, or a quantile of an empty or NaN array?"
        if not np.isfinite(gamma) or gamma <= 0:
            return f"gamma must be a positive, finite number, got {gamma:.6g}"
        got = flat_share(gamma, x_hat)
        for other in cases:
            asked = other.args["share"]
            if asked != share and abs(got - asked) <= 1.5 / len(x_hat):
                return (f"your gamma puts {100 * got:.1f}% of the batch in the flat region, the share {asked:g} of "
                        f"another case; this one asks for share={share:g}: use the `share` argument")
        return (f"gamma = {gamma:.4g} puts {100 * got:.1f}% of the batch in the flat region, "
                f"not {100 * share:.0f}%")

    return check("gamma_for_flat_share", fn, cases, judge, time_limit=time_limit)
