"""A batch-normalization layer: learnable gamma/beta, moving statistics, forward and backward.

Conventions match ``keras.layers.BatchNormalization`` so chapter 07 can compare the two directly:

* the last axis holds the features (Keras' ``axis=-1``); statistics are taken over every other axis,
  so ``(N, D)`` activations get one mean per unit and ``(N, H, W, C)`` maps one per channel;
* ``moving = momentum * moving + (1 - momentum) * batch`` with momentum 0.99 and eps 1e-3 by default;
  the moving variance averages the *biased* batch variance, as Keras does;
* moving mean starts at 0 and moving variance at 1.

The mode is an explicit argument, never hidden state: ``training=True`` normalizes with the batch's
own statistics and updates the moving averages; ``training=False`` uses the moving averages and changes
nothing.
"""
import numpy as np

from ._checks import check_batch, check_eps, as_array, check_finite
from .algorithm import batch_mean, batch_variance, normalize, scale_and_shift, DEFAULT_EPS


class BatchNorm:
    """Batch normalization over every axis but the last.

    Parameters
    ----------
    n_features : int
        Size of the last axis: D for ``(N, D)`` input, C for ``(N, H, W, C)``.
    momentum : float in [0, 1)
        Weight of the old value in the moving averages (Keras: 0.99).
    eps : float >= 0
        Added to the variance inside the square root (Keras: 1e-3).

    Attributes
    ----------
    gamma, beta : (n_features,) ndarray -- learnable scale (starts at 1) and shift (starts at 0)
    moving_mean, moving_var : (n_features,) ndarray -- running statistics used at inference
    """

    def __init__(self, n_features, momentum=0.99, eps=DEFAULT_EPS):
        if not isinstance(n_features, (int, np.integer)) or isinstance(n_features, bool) or n_features < 1:
            raise ValueError(f"n_features must be a positive int, got {n_features!r}")
        momentum_ok = isinstance(momentum, (int, float, np.floating)) and 0 <= momentum < 1
        if not momentum_ok:
            raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
        self.n_features = int(n_features)
        self.momentum = float(momentum)
        self.eps = check_eps(eps)
        self.gamma = np.ones(self.n_features)
        self.beta = np.zeros(self.n_features)
        self.moving_mean = np.zeros(self.n_features)
        self.moving_var = np.ones(self.n_features)

    def __repr__(self):
        return f"BatchNorm(n_features={self.n_features}, momentum={self.momentum}, eps={self.eps})"

    def _axes(self, x):
        if x.shape[-1] != self.n_features:
            raise ValueError(
                f"x has {x.shape[-1]} features on its last axis (shape {x.shape}); "
                f"this layer expects {self.n_features}"
            )
        return tuple(range(x.ndim - 1))

    def forward(self, x, training):
        """Normalize a batch.

        Parameters
        ----------
        x : (N, D) or (N, H, W, C) ndarray, features on the last axis
        training : bool
            True: batch statistics, and the moving averages are updated.
            False: moving statistics, nothing is updated.

        Returns
        -------
        out : ndarray, the shape of x
        cache : tuple, what ``backward`` needs
        """
        if not isinstance(training, (bool, np.bool_)):
            raise ValueError(f"training must be True or False, got {training!r}")
        x = check_batch(x)
        axes = self._axes(x)
        if training:
            mu = batch_mean(x, axes)             # (D,)
            var = batch_variance(x, mu, axes)    # (D,)
            m = self.momentum
            self.moving_mean = m * self.moving_mean + (1 - m) * mu
            self.moving_var = m * self.moving_var + (1 - m) * var
        else:
            mu, var = self.moving_mean, self.moving_var
        x_hat = normalize(x, mu, var, self.eps)             # shape of x
        out = scale_and_shift(x_hat, self.gamma, self.beta)  # shape of x
        cache = (x_hat, var, axes, bool(training))
        return out, cache

    def backward(self, dout, cache):
        """Gradients of the loss with respect to the input and the parameters.

        Parameters
        ----------
        dout : ndarray, the shape of the forward output -- dL/dy
        cache : the second value ``forward`` returned

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
        x_hat, var, axes, training = cache
        dout = as_array(dout, "dout")
        check_finite(dout, "dout")
        if dout.shape != x_hat.shape:
            raise ValueError(f"dout has shape {dout.shape}; expected the forward output's shape {x_hat.shape}")
        dbeta = dout.sum(axis=axes)                  # (D,)
        dgamma = (dout * x_hat).sum(axis=axes)       # (D,)
        inv_std = 1.0 / np.sqrt(var + self.eps)      # (D,)
        if not training:
            return self.gamma * inv_std * dout, dgamma, dbeta
        m = x_hat.size // x_hat.shape[-1]
        dx = self.gamma * inv_std / m * (m * dout - dbeta - x_hat * dgamma)
        return dx, dgamma, dbeta
