"""Gradients through batch norm, three independent ways, and what BN does to them (chapter 09).

* ``numerical_bn_gradients`` -- central differences of ``L = sum(dout * y)`` (numpy, float64);
* ``tape_bn_gradients``      -- ``tf.GradientTape`` through ``tf.nn.moments`` + ``tf.nn.batch_normalization``;
* ``dense_bn_gradients``     -- ``y = BN(u @ W)`` and its gradients, for the paper's section 3.3;
* ``gradients_vs_weight_scale`` and its plot -- the gradient norms as the weights are scaled by ``a``.

Everything here runs in float64, so the three can be compared to ~1e-10.
"""
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from .. import _checks
from .._checks import validated
from ..algorithm import batch_norm
from ..constants import DEFAULT_EPS
from ..gradcheck import numerical_gradient
from ..viz.plots import BN_COLORS

__all__ = ["numerical_bn_gradients", "tape_bn_gradients", "dense_bn_gradients", "WeightScaleGradients",
           "gradients_vs_weight_scale", "plot_gradients_vs_weight_scale"]


def _refuse_constant_features(z, eps, name):
    """With eps = 0 a constant feature (or a batch of one) makes x_hat 0/0: say so instead of a NaN gradient."""
    axes = tuple(range(z.ndim - 1))
    if eps == 0 and _checks.constant_features(z, axes).any():
        m = z.size // z.shape[-1]
        why = ("a batch of one value per feature has variance 0" if m == 1
               else f"{int(_checks.constant_features(z, axes).sum())} feature(s) of {name} are constant")
        raise ValueError(f"eps=0 and {why}: x_hat would be 0/0 = NaN and so would every gradient. "
                         f"Use eps > 0 (Keras uses {DEFAULT_EPS:g}) or a batch whose features vary.")


def _check_gradients(a):
    x = a["x"] = _checks.check_batch(a["x"])
    if x.ndim < 2:
        raise ValueError(f"x must be (N, D) or (N, H, W, C) with the features on the last axis, got shape {x.shape}")
    _checks.check_squarable(x)
    features = (x.shape[-1],)
    for name in ("gamma", "beta"):
        a[name] = np.broadcast_to(_checks.check_param(a[name], features, name), features).copy()
    dout = a["dout"] = _checks.check_finite(_checks.as_array(a["dout"], "dout"), "dout")
    if dout.shape != x.shape:
        raise ValueError(f"dout has shape {dout.shape}; expected the shape of x, {x.shape}")
    a["eps"] = _checks.check_eps(a["eps"])
    if "h" in a:
        a["h"] = _checks.check_number(a["h"], "h", low=0.0, low_open=True)
    _refuse_constant_features(x, a["eps"], "x")
    return a


def _check_dense(a):
    u = a["u"] = _checks.check_batch(a["u"], "u")
    W = a["W"] = _checks.check_batch(a["W"], "W")
    if u.ndim != 2 or W.ndim != 2 or u.shape[1] != W.shape[0]:
        raise ValueError(f"u must be (N, D_in) and W (D_in, D_out), got {u.shape} and {W.shape}")
    z = u @ W                                                  # (N, D_out)
    checked = _check_gradients({"x": z, "gamma": a["gamma"], "beta": a["beta"], "dout": a["dout"], "eps": a["eps"]})
    a.update((k, checked[k]) for k in ("gamma", "beta", "dout", "eps"))
    return a


def _check_scan(a):
    a = _check_dense({**a, "gamma": 1.0, "beta": 0.0})
    scales = _checks.as_array(a["scales"], "scales").ravel()
    if scales.size == 0 or not np.all(np.isfinite(scales)) or (scales <= 0).any():
        raise ValueError(f"scales must be a non-empty sequence of finite numbers > 0, got {a['scales']!r}")
    a["scales"] = scales
    del a["gamma"], a["beta"]
    return a


# --- three ways to the same gradient ------------------------------------------------------------------

@validated(_check_gradients)
def numerical_bn_gradients(x, gamma, beta, dout, eps=DEFAULT_EPS, h=1e-5):
    """Central differences of ``L = sum(dout * y)``, y = batch norm of x in training mode.

    Parameters
    ----------
    x : (N, D) or (N, H, W, C) array -- features on the last axis, statistics over all the others
    gamma, beta : (D,) or (C,) array, or scalars
    dout : array of the shape of x
        The upstream gradient dL/dy; with ``L = sum(dout * y)`` it is exactly that.
    eps : float >= 0
    h : float > 0
        The step: ``(L(v + h) - L(v - h)) / (2h)`` for every entry v of x, gamma and beta.

    Returns
    -------
    dx : array of the shape of x
    dgamma, dbeta : (D,) or (C,) ndarray

    Notes
    -----
    Everything runs in float64; the error of a central difference is O(h^2) plus rounding
    O(machine eps / h), so with h = 1e-5 the result agrees with the exact gradient to ~1e-9 relative.
    One forward pass per entry and sign: use small arrays.
    """
    axes = tuple(range(x.ndim - 1))
    x, gamma, beta = x.copy(), gamma.copy(), beta.copy()   # nudged in place by numerical_gradient

    def loss():
        return np.sum(dout * batch_norm.math(x, gamma, beta, eps, axes).y)

    return tuple(numerical_gradient(loss, p, h) for p in (x, gamma, beta))


@validated(_check_gradients)
def tape_bn_gradients(x, gamma, beta, dout, eps=DEFAULT_EPS):
    """dL/dx, dL/dgamma, dL/dbeta from ``tf.GradientTape`` through tf.nn.moments + tf.nn.batch_normalization.

    Same arguments and return values as ``numerical_bn_gradients``; TensorFlow works in float64 here,
    so the three ways of getting the gradient can be compared to ~1e-10.
    """
    xt, g, b = tf.Variable(x), tf.Variable(gamma), tf.Variable(beta)
    with tf.GradientTape() as tape:
        mean, variance = tf.nn.moments(xt, axes=list(range(x.ndim - 1)))  # (D,) each
        y = tf.nn.batch_normalization(xt, mean, variance, offset=b, scale=g, variance_epsilon=eps)
        loss = tf.reduce_sum(y * dout)
    return tuple(t.numpy() for t in tape.gradient(loss, [xt, g, b]))


@validated(_check_dense)
def dense_bn_gradients(u, W, dout, gamma=1.0, beta=0.0, eps=DEFAULT_EPS):
    """A bias-free dense layer followed by batch norm, ``y = BN(u @ W)``, and its gradients.

    Used to show section 3.3 of the paper: BN(u @ (a W)) = BN(u @ W), the gradient with respect to
    u does not depend on a, and the gradient with respect to a W is 1/a times that for W.

    Parameters
    ----------
    u : (N, D_in) array -- the layer's input
    W : (D_in, D_out) array -- its weights
    dout : (N, D_out) array -- the upstream gradient dL/dy
    gamma, beta : (D_out,) array or scalars
    eps : float >= 0

    Returns
    -------
    y : (N, D_out) ndarray
    du : (N, D_in) ndarray
    dW : (D_in, D_out) ndarray
        All float64, from ``tf.GradientTape``.
    """
    ut, Wt = tf.Variable(u), tf.Variable(W)
    with tf.GradientTape() as tape:
        z = ut @ Wt                                       # (N, D_out)
        mean, variance = tf.nn.moments(z, axes=[0])       # (D_out,) each
        y = tf.nn.batch_normalization(z, mean, variance, offset=beta, scale=gamma, variance_epsilon=eps)
        loss = tf.reduce_sum(y * dout)
    du, dW = tape.gradient(loss, [ut, Wt])
    return y.numpy(), du.numpy(), dW.numpy()


# --- section 3.3: gradients as the weights are scaled ------------------------------------------------

class WeightScaleGradients(NamedTuple):
    """Gradient norms of a dense layer's input and weights as the weights are scaled by ``a``."""

    scales: np.ndarray      #: (A,) the factors a
    du_bn: np.ndarray       #: (A,) ||dL/du|| for y = BN(u @ (a W))
    dW_bn: np.ndarray       #: (A,) ||dL/d(aW)|| for y = BN(u @ (a W))
    du_plain: np.ndarray    #: (A,) ||dL/du|| for y = u @ (a W), no BN
    dW_plain: np.ndarray    #: (A,) ||dL/d(aW)|| for y = u @ (a W), no BN


@validated(_check_scan)
def gradients_vs_weight_scale(u, W, dout, scales, eps=0.0):
    """How the gradients of a dense layer change when its weights are multiplied by ``a``, with and without BN.

    Parameters
    ----------
    u : (N, D_in) array, W : (D_in, D_out) array, dout : (N, D_out) array -- as for ``dense_bn_gradients``
    scales : sequence of A floats > 0
    eps : float >= 0 -- BN's epsilon; 0 shows the exact invariance of the paper's section 3.3

    Returns
    -------
    WeightScaleGradients
        With BN, ||du|| is the same for every a and ||dW|| falls as 1/a; without BN both grow (as a and 1).
    """
    rows = []
    for a in scales:
        _, du, dW = dense_bn_gradients.math(u, a * W, dout, 1.0, 0.0, eps)
        # without BN, y = u @ (a W): dL/du = dout @ (a W).T and dL/d(a W) = u.T @ dout
        rows.append([np.linalg.norm(du), np.linalg.norm(dW),
                     np.linalg.norm(dout @ (a * W).T), np.linalg.norm(u.T @ dout)])
    return WeightScaleGradients(scales, *np.array(rows).T)


def plot_gradients_vs_weight_scale(result, ax=None):
    """Log-log plot of the four gradient norms of ``gradients_vs_weight_scale`` against the scale a.

    Returns
    -------
    ax
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    with_bn, without = BN_COLORS["with BN"], BN_COLORS["without BN"]
    ax.loglog(result.scales, result.du_bn, "-o", color=with_bn, ms=4, label="with BN: ||dL/du||")
    ax.loglog(result.scales, result.dW_bn, "--s", color=with_bn, ms=4, label="with BN: ||dL/dW||")
    ax.loglog(result.scales, result.du_plain, "-o", color=without, ms=4, label="without BN: ||dL/du||")
    ax.loglog(result.scales, result.dW_plain, "--s", color=without, ms=4, label="without BN: ||dL/dW||")
    ax.set_xlabel("scale a of the weights (W -> a W)")
    ax.set_ylabel("gradient norm")
    ax.legend(fontsize="small", loc="best")
    return ax
