"""Input validation at the public boundary.

Every public function calls these once; the inner code then trusts its inputs.
Each error names the argument and says what was expected.
"""
import numpy as np


def as_array(a, name):
    """Return ``a`` as a float ndarray, or raise ``ValueError`` naming ``name``."""
    try:
        arr = np.asarray(a, dtype=float) if not isinstance(a, np.ndarray) else a
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a numeric array, got {type(a).__name__}") from err
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(float)
    return arr


def check_finite(arr, name):
    """Raise if ``arr`` holds NaN or inf."""
    if not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); expected finite numbers")


def check_batch(x, name="x"):
    """A finite array with at least one dimension and at least one example."""
    x = as_array(x, name)
    if x.ndim == 0:
        raise ValueError(f"{name} must have a batch axis, got a scalar")
    if x.size == 0:
        raise ValueError(f"{name} is an empty batch (shape {x.shape}); expected at least one example")
    check_finite(x, name)
    return x


def normalize_axis(axis, ndim, name="axis"):
    """Return ``axis`` as a sorted tuple of non-negative ints, or raise."""
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise ValueError(f"{name} must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{name}={axis!r} is out of range for an input with {ndim} dimension(s)")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}={axis!r} repeats an axis")
    if not out:
        raise ValueError(f"{name} must name at least one axis to reduce over")
    return tuple(sorted(out))


def check_eps(eps):
    """``eps`` must be a finite number >= 0."""
    try:
        value = float(eps)
    except (TypeError, ValueError) as err:
        raise ValueError(f"eps must be a number >= 0, got {eps!r}") from err
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
    return value


def check_param(p, feature_shape, name):
    """``gamma``/``beta``: a scalar or an array of the normalized feature shape."""
    p = as_array(p, name)
    check_finite(p, name)
    if p.ndim != 0 and p.shape != tuple(feature_shape):
        raise ValueError(
            f"{name} has shape {p.shape}; expected a scalar or the feature shape {tuple(feature_shape)}"
        )
    return p
