"""Convolution and max-pooling in numpy, channels-last like TensorFlow, and the block BN sits in.

The source lesson's conv block is TF-style pseudo-code::

    conv2d -> batch_normalization -> relu -> max_pool

``conv_bn_relu_pool`` makes it real: every stage is returned so a lesson can look at each one.

Conventions (TensorFlow's, so ``tf.nn.conv2d`` / ``tf.nn.max_pool2d`` give the same numbers):

* feature maps are channels-last ``(N, H, W, C)`` ("NHWC");
* kernels are ``(KH, KW, C_in, C_out)`` ("HWIO");
* like every deep-learning "convolution", ``conv2d`` is a cross-correlation (the kernel is not flipped);
* ``padding="valid"`` keeps only windows that fit; ``padding="same"`` pads with zeros (conv) or
  ``-inf`` (max-pool) so the output has ``ceil(size / stride)`` rows and columns, putting the odd
  extra row/column of padding at the bottom/right.

Batch norm after a convolution keeps one mean and variance *per channel*, over ``(N, H, W)``:
``batch_norm(z, axis=(0, 1, 2))``.
"""
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import _checks
from .._checks import validated
from ..activations import relu
from ..algorithm import BatchNormResult, batch_norm
from ..constants import DEFAULT_EPS

PADDINGS = ("valid", "same")
CHANNEL_AXES = (0, 1, 2)  #: the axes batch norm reduces for (N, H, W, C) maps: one statistic per channel


# --- checks at the boundary -------------------------------------------------------------------------

def _check_nhwc(x, name="x"):
    x = _checks.check_batch(x, name)
    if x.ndim != 4:
        raise ValueError(f"{name} must be a channels-last batch (N, H, W, C), got shape {x.shape}")
    return x


def _check_conv(a):
    x = a["x"] = _check_nhwc(a["x"])
    w = a["w"] = _checks.check_finite(_checks.as_array(a["w"], "w"), "w")
    if w.ndim != 4:
        raise ValueError(f"w must be a kernel (KH, KW, C_in, C_out), got shape {w.shape}")
    if w.shape[2] != x.shape[3]:
        raise ValueError(f"w expects C_in = {w.shape[2]} input channels (shape {w.shape}); x has {x.shape[3]}")
    if a["b"] is not None:
        b = a["b"] = _checks.check_finite(_checks.as_array(a["b"], "b"), "b")
        if b.shape != (w.shape[3],):
            raise ValueError(f"b must have shape (C_out,) = ({w.shape[3]},), got {b.shape}")
    a["stride"] = _checks.check_positive_int(a["stride"], "stride")
    a["padding"] = _checks.check_choice(a["padding"], "padding", PADDINGS)
    _check_fits(x, w.shape[:2], a["stride"], a["padding"])
    return a


def _check_pool(a):
    x = a["x"] = _check_nhwc(a["x"])
    a["pool_size"] = _checks.check_positive_int(a["pool_size"], "pool_size")
    a["stride"] = a["pool_size"] if a["stride"] is None else _checks.check_positive_int(a["stride"], "stride")
    a["padding"] = _checks.check_choice(a["padding"], "padding", PADDINGS)
    _check_fits(x, (a["pool_size"],) * 2, a["stride"], a["padding"])
    return a


def _check_fits(x, window, stride, padding):
    if min(output_size(n, k, stride, padding) for n, k in zip(x.shape[1:3], window)) < 1:
        raise ValueError(f"the window {tuple(window)} is larger than the input's H, W = {x.shape[1:3]} "
                         f"(padding={padding!r})")


def _check_output_size(a):
    for name in ("size", "window", "stride"):
        a[name] = _checks.check_positive_int(a[name], name)
    a["padding"] = _checks.check_choice(a["padding"], "padding", PADDINGS)
    return a


# --- convolution and pooling -------------------------------------------------------------------------

@validated(_check_output_size)
def output_size(size, window, stride=1, padding="valid"):
    """Rows (or columns) of a conv / pool output: ``ceil((size - window + 1) / stride)`` or ``ceil(size / stride)``."""
    if padding == "same":
        return -(-size // stride)
    return max(-(-(size - window + 1) // stride), 0)


def _same_pads(size, window, stride):
    """TensorFlow's 'same' padding for one axis: (before, after), the odd one after."""
    out = -(-size // stride)  # ceil(size / stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _windows(x, window, stride, padding, fill):
    """Every (KH, KW) window of ``x``: shape (N, H_out, W_out, C, KH, KW)."""
    kh, kw = window
    if padding == "same":
        pads = ((0, 0), _same_pads(x.shape[1], kh, stride), _same_pads(x.shape[2], kw, stride), (0, 0))
        x = np.pad(x, pads, constant_values=fill)
    win = sliding_window_view(x, (kh, kw), axis=(1, 2))  # (N, H', W', C, KH, KW)
    return win[:, ::stride, ::stride]


@validated(_check_conv)
def conv2d(x, w, b=None, stride=1, padding="valid"):
    """2-D convolution of a channels-last batch, as ``tf.nn.conv2d`` computes it.

    Parameters
    ----------
    x : (N, H, W, C_in) ndarray
        The batch of feature maps (or images, with C_in = 1 for grey, 3 for colour).
    w : (KH, KW, C_in, C_out) ndarray
        One (KH, KW, C_in) kernel per output channel.
    b : (C_out,) ndarray or None
        Optional bias, one number per output channel. Before batch norm it is redundant: BN subtracts
        the per-channel mean, which removes any constant per channel, and its ``beta`` adds one back.
    stride : int >= 1
        Step between windows, the same along H and W.
    padding : {"valid", "same"}

    Returns
    -------
    z : (N, H_out, W_out, C_out) ndarray
        With ``padding="same"``: H_out = ceil(H / stride); with "valid": ceil((H - KH + 1) / stride).

    Notes
    -----
    z[n, i, j, o] = sum_{p, q, c} x[n, i*s + p, j*s + q, c] * w[p, q, c, o] + b[o]
    (a cross-correlation: the kernel is not flipped, as in every deep-learning library).
    """
    win = _windows(x, w.shape[:2], stride, padding, fill=0.0)   # (N, H_out, W_out, C_in, KH, KW)
    z = np.einsum("nhwcpq,pqco->nhwo", win, w, optimize=True)  # (N, H_out, W_out, C_out)
    return z if b is None else z + b                            # b: (C_out,), one per output channel


@validated(_check_pool)
def max_pool2d(x, pool_size=2, stride=None, padding="valid"):
    """Max-pooling of a channels-last batch, as ``tf.nn.max_pool2d`` computes it, each channel on its own.

    Parameters
    ----------
    x : (N, H, W, C) ndarray
    pool_size : int >= 1
        The window is ``pool_size x pool_size``.
    stride : int >= 1 or None
        Step between windows; None means ``pool_size`` (non-overlapping windows, Keras' default).
    padding : {"valid", "same"}
        "same" pads with -inf, so padding never wins the max.

    Returns
    -------
    out : (N, H_out, W_out, C) ndarray
        With the defaults (2, stride 2, "valid"): H_out = H // 2, W_out = W // 2.
    """
    win = _windows(x, (pool_size, pool_size), stride, padding, fill=-np.inf)  # (N, H_out, W_out, C, P, P)
    return win.max(axis=(-2, -1))                                              # (N, H_out, W_out, C)


def channel_stats(x):
    """Per-channel mean and standard deviation of a channels-last batch, over (N, H, W).

    Parameters
    ----------
    x : (N, H, W, C) ndarray

    Returns
    -------
    mean, std : (C,) ndarray each -- the statistics batch norm uses (std is the biased, 1/m one)
    """
    x = _check_nhwc(x)
    return x.mean(axis=CHANNEL_AXES), x.std(axis=CHANNEL_AXES)  # (C,), (C,)


class ConvBlockResult(NamedTuple):
    """Every stage of ``conv_bn_relu_pool``."""

    z: np.ndarray          #: conv output, (N, H1, W1, C_out): the input of batch norm
    bn: BatchNormResult    #: batch norm's output ``bn.y`` and its per-channel ``mu``, ``var`` (C_out,)
    a: np.ndarray          #: relu(bn.y), (N, H1, W1, C_out)
    out: np.ndarray        #: max-pooled ``a``, (N, H1 // p, W1 // p, C_out)


def _check_block(a):
    conv = _check_conv({"x": a["x"], "w": a["w"], "b": a["b"], "stride": 1, "padding": a["padding"]})
    a.update(x=conv["x"], w=conv["w"], b=conv["b"], padding=conv["padding"])
    p = a["pool_size"] = _checks.check_positive_int(a["pool_size"], "pool_size")
    conv_hw = [output_size.math(n, k, 1, a["padding"]) for n, k in zip(a["x"].shape[1:3], a["w"].shape[:2])]
    if min(conv_hw) < p:
        raise ValueError(f"pool_size={p} is larger than the conv output's H, W = {tuple(conv_hw)}")
    return a


@validated(_check_block)
def conv_bn_relu_pool(x, w, b=None, gamma=1.0, beta=0.0, eps=DEFAULT_EPS, padding="same", pool_size=2):
    """The conv block of the source lesson: conv2d -> batch norm -> ReLU -> max-pool, training mode.

    Parameters
    ----------
    x : (N, H, W, C_in) ndarray
    w : (KH, KW, C_in, C_out) ndarray
    b : (C_out,) ndarray or None
        Conv bias. Leave it out: batch norm's ``beta`` does its job (the chapter shows the outputs match).
    gamma, beta : scalar or (C_out,) ndarray
        Batch norm's learnable scale and shift, one per channel.
    eps : float >= 0
    padding : {"valid", "same"}
        The convolution's padding (the pooling is always 'valid' with stride ``pool_size``).
    pool_size : int >= 1

    Returns
    -------
    ConvBlockResult(z, bn, a, out)
        With "same" padding and pool 2: z, bn.y, a are (N, H, W, C_out) and out is (N, H//2, W//2, C_out).

    Notes
    -----
    Batch norm uses ``axis=(0, 1, 2)``: one mean and one variance per channel, each taken over all
    N * H1 * W1 values of that channel, because a conv kernel is shared by every position.
    """
    z = conv2d.math(x, w, b, 1, padding)                           # (N, H1, W1, C_out)
    bn = batch_norm(z, gamma, beta, eps=eps, axis=CHANNEL_AXES)    # checks gamma, beta, eps against z's channels
    a = relu(bn.y)                                                 # (N, H1, W1, C_out)
    out = max_pool2d.math(a, pool_size, pool_size, "valid")        # (N, H1 // p, W1 // p, C_out)
    return ConvBlockResult(z, bn, a, out)


def demo_kernels():
    """Four hand-made 3x3 kernels for grey images, with names: what a first conv layer often learns.

    Their outputs have very different means and spreads per channel, which is what batch norm evens out.

    Returns
    -------
    names : tuple of 4 str
    w : (3, 3, 1, 4) ndarray -- HWIO, ready for ``conv2d`` on (N, H, W, 1) images
    """
    blur = np.full((3, 3), 1.0 / 9.0)
    vertical = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])  # Sobel: left-right change
    horizontal = vertical.T                                                       # Sobel: top-bottom change
    centre = np.array([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]])  # spot detector
    w = np.stack([blur, vertical, horizontal, centre], axis=-1)[:, :, None, :]  # (3, 3, 1, 4)
    return ("blur", "vertical edges", "horizontal edges", "spots"), w
