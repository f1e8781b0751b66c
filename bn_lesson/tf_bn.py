"""Batch normalization in TensorFlow/Keras, side by side with our numpy version.

The TensorFlow-specific helpers of chapters 07-10 live here (and nowhere in the notebooks):
comparisons of numpy, ``tf.nn`` and ``keras.layers.BatchNormalization``, gradient checks, and the
Keras model builders.

Importing this module imports TensorFlow. Before that import we quiet TensorFlow's C++ logging
(``TF_CPP_MIN_LOG_LEVEL=2`` keeps errors, hides info and warnings): otherwise lines such as
"oneDNN custom operations are on" are written to stderr by the C++ runtime and land in notebook
outputs, where nbval would compare them. ``setdefault`` leaves a value the user chose alone.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # must be set before tensorflow is imported

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402


# --- chapter 07/09: comparisons and gradients ---
