"""A batch-normalization layer: learnable gamma/beta, moving statistics, forward and backward.

Conventions match ``keras.layers.BatchNormalization`` so chapter 07 can compare the two directly:

* the last axis holds the features (Keras' ``axis=-1``); statistics are taken over every other axis,
  so ``(N, D)`` activations get one mean per unit and ``(N, H, W, C)`` maps one per channel;
* ``moving = momentum * moving + (1 - momentum) * batch`` with momentum 0.99 and eps 1e-3 by default
  (``bn_lesson.constants``); the moving variance averages the *biased* batch variance, as Keras does;
* moving mean starts at 0 and moving variance at 1.

The mode is an explicit argument, never hidden state: ``training=True`` normalizes with the batch's
own statistics and updates the moving averages; ``training=False`` uses the moving averages and changes
nothing. A call that fails its checks changes nothing either: validation comes before any update.
"""
from typing import NamedTuple

import numpy as np

from . import _checks
from .algorithm import batch_mean, batch_variance, normalize, scale_and_shift
from .constants import DEFAULT_EPS, DEFAULT_MOMENTUM


class BatchNormCache(NamedTuple):
    """What ``forward`` keeps for ``backward``."""

    x_hat: np.ndarray   #: the normalized input, shape of x
    var: np.ndarray     #: the variance used, (n_features,)
    axes: tuple         #: the reduced axes: all but the last
    training: bool      #: the mode of the forward pass


class BatchNorm:
    """Batch normalization over every axis but the last.

    Parameters
    ----------
    n_features : int -- size of the last axis: D for ``(N, D)`` input, C for ``(N, H, W, C)``
    momentum : float in [0, 1) -- weight of the old value in the moving averages (Keras: 0.99)
    eps : float >= 0 -- added to the variance inside the square root (Keras: 1e-3)

    Attributes
    ----------
    gamma, beta : (n_features,) ndarray -- learnable scale (starts at 1) and shift (starts at 0)
    moving_mean, moving_var : (n_features,) ndarray -- running statistics used at inference
    """

    def __init__(self, n_features, momentum=DEFAULT_MOMENTUM, eps=DEFAULT_EPS):
        self.n_features = _checks.check_positive_int(n_features, "n_features")
        self.momentum = _checks.check_momentum(momentum)
        self.eps = _checks.check_eps(eps)
        self.gamma = np.ones(self.n_features)
        self.beta = np.zeros(self.n_features)
        self.moving_mean = np.zeros(self.n_features)
        self.moving_var = np.ones(self.n_features)

    def __repr__(self):
        return f"BatchNorm(n_features={self.n_features}, momentum={self.momentum}, eps={self.eps})"

    def forward(self, x, training):
        """Normalize a batch.

        Parameters
        ----------
        x : (N, D) or (N, H, W, C) ndarray, features on the last axis
        training : bool -- True: batch statistics, and the moving averages are updated.
            False: moving statistics, nothing is updated.

        Returns
        -------
        out : ndarray, the shape of x
        cache : BatchNormCache -- what ``backward`` needs
        """
        x, axes, training = self._check_forward(x, training)
        if training:
            mu = batch_mean.math(x, axes)                       # (D,)
            var = batch_variance.math(x, mu, axes)              # (D,)
            m = self.momentum
            self.moving_mean = m * self.moving_mean + (1 - m) * mu
            self.moving_var = m * self.moving_var + (1 - m) * var
        else:
            mu, var = self.moving_mean, self.moving_var
        x_hat = normalize.math(x, mu, var, self.eps)            # shape of x
        out = scale_and_shift.math(x_hat, self.gamma, self.beta)  # shape of x
        return out, BatchNormCache(x_hat, var, axes, training)

    def backward(self, dout, cache):
        """Gradients of the loss with respect to the input and the parameters.

        Parameters
        ----------
        dout : ndarray, the shape of the forward output -- dL/dy
        cache : BatchNormCache -- the second value ``forward`` returned

        Returns
        -------
        dx : ndarray, the shape of x
        dgamma, dbeta : (n_features,) ndarray

        Notes
        -----
        With m values per feature and inv_std = 1 / sqrt(var + eps), in training mode

            dx = gamma * inv_std / m * (m * dout - sum(dout) - x_hat * sum(dout * x_hat))

        because the batch mean and variance depend on every x. In inference mode the
        statistics are constants and dx = gamma * inv_std * dout.
        """
        dout, (x_hat, var, axes, training) = self._check_backward(dout, cache)
        dbeta = dout.sum(axis=axes)                  # (D,)
        dgamma = (dout * x_hat).sum(axis=axes)       # (D,)
        inv_std = 1.0 / np.sqrt(var + self.eps)      # (D,)
        if not training:
            return self.gamma * inv_std * dout, dgamma, dbeta
        m = x_hat.size // x_hat.shape[-1]
        dx = self.gamma * inv_std / m * (m * dout - dbeta - x_hat * dgamma)
        return dx, dgamma, dbeta

    # --- checks at the boundary, before any state changes ------------------------------------------

    def _check_forward(self, x, training):
        training = _checks.check_bool(training, "training")
        x = _checks.check_batch(x)
        if x.ndim < 2:
            raise ValueError(f"x must be (N, {self.n_features}) or (N, ..., {self.n_features}) with the features "
                             f"on the last axis, got shape {x.shape}")
        if x.shape[-1] != self.n_features:
            raise ValueError(f"x has {x.shape[-1]} features on its last axis (shape {x.shape}); "
                             f"this layer expects {self.n_features}")
        axes = tuple(range(x.ndim - 1))
        if training:
            _checks.check_squarable(x)
            if self.eps == 0 and _checks.constant_features(x, axes).any():
                raise ValueError("eps=0 and x has a constant feature (zero variance) in this batch: x_hat would "
                                 f"be 0/0. Use eps > 0 (Keras uses {DEFAULT_EPS:g}).")
        elif self.eps == 0 and (self.moving_var <= 0).any():
            raise ValueError("eps=0 and a moving variance is 0: x_hat would be x/0. Use eps > 0.")
        return x, axes, training

    def _check_backward(self, dout, cache):
        if not isinstance(cache, BatchNormCache):
            raise TypeError(f"cache must be the BatchNormCache that this layer's forward returned, "
                            f"got {type(cache).__name__}")
        if cache.x_hat.shape[-1] != self.n_features:
            raise ValueError(f"cache is from a layer with {cache.x_hat.shape[-1]} features; this one has "
                             f"{self.n_features}")
        dout = _checks.check_finite(_checks.as_array(dout, "dout"), "dout")
        if dout.shape != cache.x_hat.shape:
            raise ValueError(f"dout has shape {dout.shape}; expected the forward output's shape {cache.x_hat.shape}")
        return dout, cache
