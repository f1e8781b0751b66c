"""Input validation at the public boundary, and the one rule for types.

Every public function validates its arguments once, through these helpers; the math after that trusts its
inputs. Each error names the argument and says what was expected.

The rules, stated once:

* **Types**: a wrong *kind* of value (a string, ``None``, a bool where a count is expected) raises
  ``TypeError``; a value of the right kind that is out of range or of the wrong shape raises ``ValueError``.
* **dtype**: arrays come out of every numpy function as float64, whatever float or int type went in
  (float16 and float32 overflow long before the values a lesson might try).
* **Degeneracy is relative to scale**: a feature is constant when its spread is within a few rounding
  errors of its magnitude, not only when a variance is exactly 0 (``np.full(3, 0.1).var()`` is ~1e-34).
"""
import functools
import inspect
import numbers

import numpy as np

_ROUNDING = 8 * np.finfo(np.float64).eps   # spread below this many relative units counts as none
_SQUARE_LIMIT = 1e150   # squares of larger values (a variance) overflow float64's ~1.8e308


def validated(check):
    """Decorator: run ``check(arguments) -> arguments`` on the bound arguments, then the function.

    The decorated function's body is only its math. ``fn.math`` is the body without the checks, for
    callers that have validated already (``batch_norm`` calls ``batch_mean.math``).
    """
    def wrap(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return fn(**check(dict(bound.arguments)))

        checked.math = fn
        return checked
    return wrap


def as_array(a, name):
    """``a`` as a float64 ndarray; ``TypeError`` naming ``name`` if it is not real numbers."""
    if a is None or isinstance(a, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got {type(a).__name__}")
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as err:     # ragged nested lists
        raise TypeError(f"{name} must be a numeric array, got {type(a).__name__}") from err
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def check_finite(arr, name):
    """``ValueError`` if ``arr`` holds NaN or inf."""
    finite = np.isfinite(arr)
    if not finite.all():
        raise ValueError(f"{name} contains {int(finite.size - finite.sum())} NaN or inf value(s); "
                         "expected finite numbers")
    return arr


def check_batch(x, name="x"):
    """A finite float64 array with a batch axis and at least one example."""
    x = as_array(x, name)
    if x.ndim == 0:
        raise ValueError(f"{name} must have a batch axis, got a scalar")
    if x.size == 0:
        raise ValueError(f"{name} is an empty batch (shape {x.shape}); expected at least one example")
    return check_finite(x, name)


def check_axes(axis, ndim, name="axis"):
    """``axis`` (an int or a tuple of ints) as a sorted tuple of non-negative ints."""
    axes = (axis,) if isinstance(axis, (numbers.Integral, np.integer)) else axis
    if not isinstance(axes, (tuple, list)) or not all(
            isinstance(a, (numbers.Integral, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in axes):
        raise TypeError(f"{name} must be an int or a tuple of ints, got {axis!r}")
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{name}={axis!r} is out of range for an input with {ndim} dimension(s)")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}={axis!r} repeats an axis")
    if not out:
        raise ValueError(f"{name} must name at least one axis to reduce over")
    return tuple(sorted(out))


def check_number(value, name, low=-np.inf, high=np.inf, low_open=False, high_open=False):
    """A real, finite number in the interval [low, high] (ends open where asked), as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    v = float(value)
    below = v <= low if low_open else v < low
    above = v >= high if high_open else v > high
    if not np.isfinite(v) or below or above:
        if np.isinf(high):
            wanted = f"{'>' if low_open else '>='} {low:g}"
        else:
            wanted = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a finite number {wanted}, got {value!r}")
    return v


def check_eps(eps, name="eps"):
    """``eps`` is a finite number >= 0."""
    return check_number(eps, name, low=0.0)


def check_momentum(momentum, name="momentum"):
    """``momentum`` is a number in [0, 1): the weight of the old value in a moving average."""
    return check_number(momentum, name, low=0.0, high=1.0, high_open=True)


def check_positive_int(value, name, minimum=1):
    """An int (not a bool) >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an int >= {minimum}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_choice(value, name, options):
    """``value`` is one of ``options`` (e.g. an activation's name)."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def check_bool(value, name):
    """``value`` is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_rng(rng, name="rng"):
    """``rng`` is a ``numpy.random.Generator``: randomness is passed in, never global."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def check_param(p, feature_shape, name):
    """``gamma``/``beta``: a finite scalar or an array of the normalized feature shape."""
    p = check_finite(as_array(p, name), name)
    if p.ndim != 0 and p.shape != tuple(feature_shape):
        raise ValueError(f"{name} has shape {p.shape}; expected a scalar or the feature shape {tuple(feature_shape)}")
    return p


def check_broadcasts(arr, shape, name, target="x"):
    """``arr`` broadcasts to ``shape`` without changing it."""
    try:
        ok = np.broadcast_shapes(arr.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{name} has shape {arr.shape}; expected a shape that broadcasts to {target}'s {tuple(shape)}")
    return arr


def constant_features(x, axes):
    """Which features of ``x`` are constant over ``axes``, relative to their magnitude.

    A feature counts as constant when its spread (max - min) is within a few rounding errors of its largest
    absolute value: ``np.full(3, 0.1)`` is constant even though its computed variance is ~1e-34, not 0.
    A spread below 1e-150 counts too: its square (the variance) underflows float64 to 0.
    """
    spread = x.max(axis=axes) - x.min(axis=axes)
    return (spread <= _ROUNDING * np.abs(x).max(axis=axes)) | (spread < 1 / _SQUARE_LIMIT)


def check_squarable(x, name="x"):
    """``ValueError`` if a variance of ``x`` would overflow: say so, instead of a NaN later."""
    largest = float(np.abs(x).max())
    if largest > _SQUARE_LIMIT:
        raise ValueError(f"{name} has values up to {largest:.3g}: their squares (for the variance) overflow "
                         f"float64; rescale {name} (e.g. divide by its largest value) first")
    return x


def check_overflow(result, name, inputs):
    """``ValueError`` if a computation on finite inputs overflowed to inf or NaN: say what happened."""
    if not np.isfinite(result).all():
        raise ValueError(f"{name} overflowed (|values| up to {np.abs(inputs).max():.3g}): the computation "
                         "exceeds float64's range; rescale the input")
    return result
