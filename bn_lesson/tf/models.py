"""The Keras networks that chapters 08, 10, 12 and 13 train, and the noise layer of chapter 10.

* ``build_mlp`` -- the paper's Figure 1 network: [Dense -> (normalization) -> activation] x 3 -> Dense;
* ``build_cnn`` -- a small conv net for the 8x8 digits, with the same choice of normalization;
* ``ShiftNoise`` -- a random per-unit scale and shift after BN, redrawn every step (Santurkar et al.'s test,
  in a simpler variant), of a strength ``noise_strength`` sets for a whole model.

``normalization`` is one of ``NORMALIZATIONS``: nothing, batch norm, batch norm followed by ``ShiftNoise``,
layer norm, or group norm, always between the affine map and its activation (the paper's order).
"""
import contextlib

import keras
import tensorflow as tf

from .. import _checks
from ..constants import SHORT_RUN_MOMENTUM

__all__ = ["NORMALIZATIONS", "ACTIVATIONS", "SHORT_RUN_MOMENTUM", "ShiftNoise", "noise_strength", "build_mlp", "build_cnn"]

#: the ``normalization`` choices of ``build_mlp`` and ``build_cnn``
NORMALIZATIONS = (None, "batch", "noisy_batch", "batch_renorm", "layer", "group")
#: Batch Renormalization's limits on its corrections r and d: the final values of Ioffe (2017), section 4
RENORM_CLIPPING = {"rmin": 1 / 3, "rmax": 3.0, "dmax": 5.0}
#: the activations the builders accept
ACTIVATIONS = ("sigmoid", "tanh", "relu")


class ShiftNoise(keras.layers.Layer):
    """Random per-unit scale and shift of strength k, redrawn at every training step; the identity at inference.

    ``y = s * x + m`` with, for each unit (last axis) and each call in training mode,
    ``s ~ Uniform(1 / (1 + k), 1 + k)`` and ``m ~ Normal(0, k**2)``, shared by every example of the batch.
    Placed right after a batch-norm layer, it makes the distribution the next layer sees jump every step --
    far more "internal covariate shift" than a plain network has -- while BN itself is left intact.

    One number sets how hard: ``k = 0`` is the identity (plain BN, exactly: ``s = 1``, ``m = 0``), ``k = 1``
    draws ``s`` from [0.5, 2] and ``m`` with standard deviation 1; the shift's spread grows in proportion to
    ``k`` and the scale's range widens alike above and below 1 (on a log scale).

    This is a simpler variant of the "noisy BN" of Santurkar et al. (2018), *How Does Batch Normalization
    Help Optimization?*, section 2.1: they add noise drawn i.i.d. for every activation (every example and
    unit), from a distribution whose mean and variance themselves change at every step; here one scale and
    one shift per unit per step move the whole batch together.

    Parameters
    ----------
    strength : float >= 0 -- k
    seed : int -- seeds the layer's own random stream

    Notes
    -----
    ``k`` lives in a TensorFlow variable, not a Keras weight: it is not trained, not part of the state
    ``SGDTrainer`` stacks and restarts for each run, and a compiled training step reads its current value.
    ``set_strength`` (or ``noise_strength`` for a whole model) changes it without recompiling anything.
    """

    def __init__(self, strength=1.0, seed=0, **kwargs):
        super().__init__(**kwargs)
        strength = _checks.check_number(strength, "strength", low=0.0)
        self.seed = _checks.check_positive_int(seed, "seed", minimum=0)
        self._strength = tf.Variable(strength, trainable=False, dtype=tf.float32, name="strength")
        self._seeds = keras.random.SeedGenerator(self.seed)

    @property
    def strength(self):
        """k, the noise strength (float)."""
        return float(self._strength.numpy())

    def set_strength(self, strength):
        """Set k; the next training step draws with it."""
        self._strength.assign(_checks.check_number(strength, "strength", low=0.0))

    def call(self, x, training=False):
        if not training:
            return x
        k = self._strength                                                        # the strength, a scalar
        units = (x.shape[-1],)
        s = keras.random.uniform(units, 1 / (1 + k), 1 + k, seed=self._seeds)     # (units,)
        m = keras.random.normal(units, stddev=k, seed=self._seeds)                # (units,)
        return x * s + m                                                          # the whole batch moves

    def get_config(self):
        return {**super().get_config(), "strength": self.strength, "seed": self.seed}


@contextlib.contextmanager
def noise_strength(model, strength):
    """Within the ``with`` block, every ``ShiftNoise`` layer of ``model`` draws with strength ``strength``.

    ``model`` may be the ``model`` of an ``SGDTrainer``: its compiled steps read the new strength, so a sweep
    over strengths reuses one trainer. The previous strengths come back on leaving the block.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    layers = [layer for layer in model.layers if isinstance(layer, ShiftNoise)]
    if not layers:
        raise ValueError("model has no ShiftNoise layer to set (build it with normalization='noisy_batch')")
    strength = _checks.check_number(strength, "strength", low=0.0)
    before = [layer.strength for layer in layers]
    for layer in layers:
        layer.set_strength(strength)
    try:
        yield model
    finally:
        for layer, k in zip(layers, before):
            layer.set_strength(k)


def _normalization_layers(kind, i, image, bn_momentum, groups, seed):
    """The layers that go between block ``i``'s affine map and its activation."""
    if kind is None:
        return []
    if kind in ("batch", "noisy_batch", "batch_renorm"):   # renorm: Ioffe (2017), Batch Renormalization
        renorm = dict(renorm=True, renorm_momentum=bn_momentum, renorm_clipping=RENORM_CLIPPING)
        layers = [keras.layers.BatchNormalization(momentum=bn_momentum, name=f"bn{i}",
                                                  **(renorm if kind == "batch_renorm" else {}))]
        if kind == "noisy_batch":
            layers.append(ShiftNoise(seed=seed + 100 + i, name=f"noise{i}"))
        return layers
    if kind == "layer":  # every value of one example: (H, W, C) for images (Ba et al.), (D,) for vectors
        return [keras.layers.LayerNormalization(axis=(1, 2, 3) if image else -1, name=f"ln{i}")]
    return [keras.layers.GroupNormalization(groups=groups, name=f"gn{i}")]


def _initializer(init_std, seed):
    if init_std is None:
        return keras.initializers.GlorotUniform(seed=seed)
    return keras.initializers.RandomNormal(stddev=init_std, seed=seed)


def _check_build(normalization, activation, widths, init_std, bn_momentum, groups, seed):
    """Validate the builders' shared arguments; returns them cleaned."""
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    _checks.check_choice(activation, "activation", ACTIVATIONS)
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise TypeError(f"the layer widths must be a sequence of ints, got {widths!r}")
    widths = tuple(_checks.check_positive_int(n, "a layer width") for n in widths)
    if init_std is not None:
        init_std = _checks.check_number(init_std, "init_std", low=0.0, low_open=True)
    bn_momentum = _checks.check_momentum(bn_momentum, "bn_momentum")
    groups = _checks.check_positive_int(groups, "groups")
    if normalization == "group" and any(n % groups for n in widths):
        raise ValueError(f"groups={groups} must divide every layer width {widths}")
    seed = _checks.check_positive_int(seed, "seed", minimum=0)
    return widths, init_std, bn_momentum, groups, seed


def build_mlp(normalization=None, hidden=(100, 100, 100), activation="sigmoid", init_std=0.1,
              n_inputs=64, n_classes=10, bn_momentum=SHORT_RUN_MOMENTUM, groups=10, seed=0):
    """A fully connected classifier: [Dense -> (normalization) -> activation] per hidden layer -> Dense.

    Parameters
    ----------
    normalization : None, "batch", "noisy_batch", "batch_renorm", "layer" or "group"
        What goes between each affine map and its activation: nothing, ``BatchNormalization``,
        BN followed by ``ShiftNoise``, Batch Renormalization (``BatchNormalization(renorm=True)``),
        ``LayerNormalization`` (over the units of each example) or
        ``GroupNormalization(groups)``.
    hidden : sequence of int -- units per hidden layer (the paper's Figure 1: three of 100)
    activation : "sigmoid", "tanh" or "relu"
    init_std : float > 0 or None
        Weights start as N(0, init_std**2) (the paper's "small random Gaussian values");
        None uses Keras' default Glorot-uniform.
    n_inputs, n_classes : int
    bn_momentum : float in [0, 1) -- BN's moving-average momentum (``SHORT_RUN_MOMENTUM``, 0.9, by default)
    groups : int -- GroupNormalization's number of groups (must divide every hidden size)
    seed : int >= 0 -- layer ``i`` is initialized with seed ``seed + i``: same seed, same weights

    Returns
    -------
    keras.Sequential, input (N, n_inputs), output (N, n_classes) logits. Layers are named
    ``dense1``, ``bn1``/``noise1``/``ln1``/``gn1``, ``sigmoid1`` (after the activation), ..., ``logits``.

    Notes
    -----
    Before batch norm the hidden Dense layers have no bias: BN subtracts each unit's mean over the batch,
    which cancels any per-unit bias, and BN's beta takes the bias's role. Layer norm and group norm subtract
    a mean over the units of one example instead, which does not cancel a per-unit bias, so there (and
    without normalization) the Dense layers keep theirs.
    """
    hidden, init_std, bn_momentum, groups, seed = _check_build(
        normalization, activation, hidden, init_std, bn_momentum, groups, seed)
    n_inputs = _checks.check_positive_int(n_inputs, "n_inputs")
    n_classes = _checks.check_positive_int(n_classes, "n_classes")
    use_bias = normalization not in ("batch", "noisy_batch", "batch_renorm")
    layers = [keras.Input(shape=(n_inputs,))]
    for i, units in enumerate(hidden, start=1):
        layers.append(keras.layers.Dense(units, use_bias=use_bias, kernel_initializer=_initializer(init_std, seed + i),
                                         name=f"dense{i}"))
        layers += _normalization_layers(normalization, i, False, bn_momentum, groups, seed)
        layers.append(keras.layers.Activation(activation, name=f"{activation}{i}"))
    layers.append(keras.layers.Dense(n_classes, kernel_initializer=_initializer(init_std, seed), name="logits"))
    return keras.Sequential(layers, name=f"mlp_{normalization or 'plain'}")


def build_cnn(normalization=None, filters=(16, 32), activation="relu", input_shape=(8, 8, 1), n_classes=10,
              bn_momentum=SHORT_RUN_MOMENTUM, groups=4, seed=0):
    """A small convolutional classifier for 8x8 digits.

    conv3x3 -> (normalization) -> activation -> max-pool 2x2 -> conv3x3 -> (normalization) -> activation
    -> global average pool -> Dense logits. Arguments as in ``build_mlp``; the convolutions start
    Glorot-uniform. ``"layer"`` normalizes each example over (H, W, C), as Ba et al. and Wu & He define it.

    Returns
    -------
    keras.Sequential, input (N, H, W, C_in), output (N, n_classes). Layers are named ``conv1``,
    ``bn1``, ``relu1``, ``pool1``, ``conv2``, ..., ``gap``, ``logits``.
    """
    filters, _, bn_momentum, groups, seed = _check_build(
        normalization, activation, filters, None, bn_momentum, groups, seed)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (H, W, C) of positive ints, got {input_shape!r}")
    input_shape = tuple(_checks.check_positive_int(n, "input_shape[i]") for n in input_shape)
    n_classes = _checks.check_positive_int(n_classes, "n_classes")
    use_bias = normalization not in ("batch", "noisy_batch", "batch_renorm")
    layers = [keras.Input(shape=input_shape)]
    for i, f in enumerate(filters, start=1):
        layers.append(keras.layers.Conv2D(f, 3, padding="same", use_bias=use_bias,
                                          kernel_initializer=_initializer(None, seed + i), name=f"conv{i}"))
        layers += _normalization_layers(normalization, i, True, bn_momentum, groups, seed)
        layers.append(keras.layers.Activation(activation, name=f"{activation}{i}"))
        if i < len(filters):
            layers.append(keras.layers.MaxPooling2D(2, name=f"pool{i}"))
    layers.append(keras.layers.GlobalAveragePooling2D(name="gap"))
    layers.append(keras.layers.Dense(n_classes, kernel_initializer=_initializer(None, seed), name="logits"))
    return keras.Sequential(layers, name=f"cnn_{normalization or 'plain'}")
