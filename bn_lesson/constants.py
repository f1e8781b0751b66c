"""The course's conventions, stated once. Every module and chapter takes them from here.

They are Keras' defaults, because the course ends in Keras and compares numpy with it number for number.
"""

DEFAULT_EPS = 1e-3
"""Added to the variance inside the square root (``keras.layers.BatchNormalization(epsilon=1e-3)``)."""

DEFAULT_MOMENTUM = 0.99
"""Weight of the old value in ``moving = momentum * moving + (1 - momentum) * batch`` (Keras' default).
PyTorch calls ``1 - momentum`` its momentum (0.1): the same update, named the other way round."""

SIGMOID_FLAT = 4.0
"""Where the sigmoid counts as flat: for |z| > 4 its slope sigma'(z) is under 7.1% of its peak at 0."""

SHORT_RUN_MOMENTUM = 0.9
"""BN momentum for the short training runs of chapters 08, 10, 12 and 13 and the demo app: with Keras' 0.99 the moving
statistics that inference uses need a few hundred steps to catch up (chapter 07); with 0.9, a few dozen."""
