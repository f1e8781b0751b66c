"""Activation functions, their derivatives, and how much of a layer sits in their flat (saturated) parts."""
import numpy as np

from ._checks import check_batch, check_choice, check_number
from .constants import SIGMOID_FLAT

TANH_FLAT = 2.0   #: |z| > 2: tanh's slope 1 - tanh(z)**2 is under 7.1% of its peak, like the sigmoid's at 4


def sigmoid(z):
    """1 / (1 + exp(-z)), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """d sigmoid / dz = s (1 - s): at most 0.25 (at z = 0), 7.1% of that at |z| = 4, nearly 0 for |z| > 5."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    """max(z, 0)."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_grad(z):
    """1 where z > 0, else 0."""
    return (np.asarray(z) > 0).astype(float)


def tanh(z):
    """(e^z - e^-z) / (e^z + e^-z), in (-1, 1)."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_grad(z):
    """1 - tanh(z)**2: 1 at z = 0."""
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


#: name -> (function, derivative)
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
}


def saturated_fraction(z, activation="sigmoid", threshold=None):
    """Share of pre-activations ``z`` where the activation is flat (its gradient is tiny).

    Parameters
    ----------
    z : ndarray -- pre-activations (the activation's *input*)
    activation : "sigmoid", "tanh" or "relu"
    threshold : float or None
        sigmoid/tanh: |z| above it counts as saturated (defaults: ``SIGMOID_FLAT`` = 4 for sigmoid, where
        the gradient is 0.0177, 7.1% of its peak; ``TANH_FLAT`` = 2 for tanh). relu: z <= 0 counts as dead;
        threshold unused.

    Returns
    -------
    float in [0, 1]
    """
    activation = check_choice(activation, "activation", ACTIVATIONS)
    z = check_batch(z, "z")
    if activation == "relu":
        return float(np.mean(z <= 0))
    if threshold is None:
        threshold = SIGMOID_FLAT if activation == "sigmoid" else TANH_FLAT
    threshold = check_number(threshold, "threshold", low=0.0, low_open=True)
    return float(np.mean(np.abs(z) > threshold))
