"""Judging what a learner's function returned: the right answer, a named mistake, or how it differs.

``compare`` builds the judge most checkers use for array answers (``_harness.check`` calls it once per
case): the answer is converted with ``numbers`` (None, text, complex or True/False values are said to be
what they are), then compared with the reference; when it is wrong, the checker's named mistakes are tried
first, then an argument the function seems to ignore (a hard-coded eps, a fixed axis), then the shape, a
NaN or inf, and at last the numbers. A float32 answer (TensorFlow's) gets a float32 tolerance.
"""
import numpy as np


def describe(value):
    """What a value is, for a hint: "an array of shape (3,)", "a tuple of 3", "a float"."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


def numbers(value, what="your result"):
    """``value`` as a real ndarray, or ``(None, hint)`` saying why it is not one (None, text, complex, ...)."""
    if value is None:
        return None, f"{what} is None"
    if isinstance(value, (str, bytes)):
        return None, f"{what} is a string, not numbers"
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists, objects that refuse conversion
        return None, f"{what} is {describe(value)}, not an array of numbers"
    if np.iscomplexobj(arr):
        return None, (f"{what} is complex (dtype {arr.dtype}); expected real numbers \u2014 did a square root "
                      "or a power of a negative number make it complex?")
    if arr.dtype == bool:
        return None, f"{what} holds True/False values; expected numbers"
    if not np.issubdtype(arr.dtype, np.number):
        return None, f"{what} is {describe(value)}, not an array of numbers"
    return arr, None


def one_number(value, what="your result"):
    """``value`` as a float, or ``(None, hint)``: "return one number" for arrays, and the ``numbers`` hints."""
    arr, problem = numbers(value, what)
    if problem:
        return None, problem
    if arr.ndim != 0:
        return None, f"return one number; {what} is an array of shape {arr.shape}"
    return float(arr), None


def _close(got, want, rtol, atol, broadcast=False):
    if got.shape != want.shape:
        if not broadcast:
            return False
        try:
            got = np.broadcast_to(got, want.shape)
        except ValueError:
            return False
    if np.issubdtype(got.dtype, np.floating) and np.finfo(got.dtype).eps > np.finfo(np.float64).eps:
        loose = 1e3 * float(np.finfo(got.dtype).eps)          # float32 answers (TensorFlow) are fine
        rtol, atol = max(rtol, loose), max(atol, loose * float(np.abs(want).max(initial=1.0)))
    with np.errstate(all="ignore"):
        return bool(np.allclose(got, want, rtol=rtol, atol=atol))


def compare(reference, cases, mistakes=(), *, parts=None, usual=None, shape_hint="", part_hints=None,
            broadcast=False, rtol=1e-5, atol=1e-6):
    """The judge for array answers: ``judge(case, answer)`` -> None when right, else the hint to print.

    Parameters
    ----------
    reference : callable(*case.values) -> the right answer: an array, or a tuple when there are ``parts``
    cases : the checker's cases; their values of an argument are tried when it looks ignored
    mistakes : sequence of (hint, wrong) -- ``wrong(*case.values)`` is what that mistake returns; the first
        that matches the answer names it (for ``parts``: every part the answer gets wrong matches it)
    parts : names of the items of a tuple answer, e.g. ``("mean", "var")``; None for one array
    usual : {argument: values} -- fixed values a learner might write instead of using the argument, e.g.
        ``{"eps": (DEFAULT_EPS,)}``; tried as well as the other cases' (non-array) values
    shape_hint : said after a wrong shape
    part_hints : {part: hint} -- said when that part has the wrong shape or numbers and no mistake matches
    broadcast : an answer that broadcasts to the right shape is fine (a scalar beta for one feature)
    rtol, atol : the tolerance (looser for float32 answers)
    """
    usual = usual or {}
    part_hints = part_hints or {}

    def close(got, want):
        if parts is None:
            return _close(got, want, rtol, atol, broadcast)
        return all(_close(g, w, rtol, atol, broadcast) for g, w in zip(got, want))

    def like(got, wrong, want):
        """``got`` makes the mistake ``wrong``: every part it gets wrong is that mistake's part."""
        if parts is None:
            return _close(got, wrong, rtol, atol, broadcast)
        off = [i for i in range(len(parts)) if not _close(got[i], want[i], rtol, atol, broadcast)]
        return bool(off) and all(_close(got[i], np.asarray(wrong[i], dtype=float), rtol, atol, broadcast)
                                 for i in off)

    def judge(case, answer):
        with np.errstate(all="ignore"):   # a mistake's 0/0 is no warning for the learner
            return _judge(case, answer)

    def _judge(case, answer):
        got, problem = _as_answer(answer, parts)
        if problem:
            return problem
        want = reference(*case.values)
        want = tuple(np.asarray(w, dtype=float) for w in want) if parts else np.asarray(want, dtype=float)
        if close(got, want):
            return None
        for hint, wrong in mistakes:
            produced = _attempt(wrong, case.values, parts)
            if produced is not None and like(got, produced, want):
                return hint
        hint = _ignored_argument(case, cases, usual, reference, lambda w: close(got, w), parts)
        return hint or _difference(got, want, parts, shape_hint, part_hints, broadcast,
                                   lambda g, w: _close(g, w, rtol, atol, broadcast))

    return judge


def _as_answer(answer, parts):
    if parts is None:
        if isinstance(answer, tuple) and answer:   # (y, cache), or a NamedTuple with y first
            answer = answer[0]
        return numbers(answer)
    if not isinstance(answer, (tuple, list)) or len(answer) != len(parts):
        return None, (f"return {len(parts)} values, `return {', '.join(parts)}`; your function returned "
                      f"{describe(answer)}")
    out = []
    for part, value in zip(parts, answer):
        arr, problem = numbers(value, f"`{part}`")
        if problem:
            return None, problem
        out.append(arr)
    return tuple(out), None


def _attempt(fn, values, parts):
    try:
        out = fn(*values)
        return tuple(np.asarray(o, dtype=float) for o in out) if parts else np.asarray(out, dtype=float)
    except Exception:  # a mistake that cannot happen on this case (shapes do not fit)
        return None


def _scalar(value):
    return value is None or isinstance(value, (int, float, np.number, tuple)) or (
        isinstance(value, np.ndarray) and value.ndim == 0)


def show(value):
    """A number as a learner writes it: 0.5, 1e-3, 1e-5 (not 0.001, 1e-05); other scalars by repr; arrays None."""
    if isinstance(value, (float, np.floating)):
        if 0 < abs(value) < 1e-2:
            return np.format_float_scientific(value, trim="-", exp_digits=1)
        return f"{value:g}"
    return repr(value) if _scalar(value) else None


def _ignored_argument(case, cases, usual, reference, matches, parts):
    """The hint for an answer that is what another value of one argument gives (a hard-coded eps, ...)."""
    names = list(case.args)
    for i, name in enumerate(names):
        value = case.args[name]
        others = [c.args[name] for c in cases if name in c.args and _scalar(c.args[name])]
        for alt in [*others, *usual.get(name, ())]:
            if _scalar(value) and _scalar(alt) and alt == value:
                continue
            values = list(case.values)
            values[i] = alt
            produced = _attempt(reference, values, parts)
            if produced is not None and matches(produced):
                passes = f", but this case passes {name}={show(value)}" if show(value) else ""
                return (f"your result is what {name}={show(alt)} would give{passes}: use the `{name}` "
                        "argument rather than a fixed value")
    return None


def _difference(got, want, parts, shape_hint, part_hints, broadcast, close):
    """Say how the answer differs when no known mistake explains it: shape, then NaN or inf, then the numbers."""
    items = [("your result", got, want, "")] if parts is None else [
        (f"`{p}`", g, w, part_hints.get(p, "")) for p, g, w in zip(parts, got, want)]
    for label, g, w, hint in items:
        if not (g.shape == w.shape or (broadcast and _broadcasts(g.shape, w.shape))):
            expected = "one number" if w.ndim == 0 else f"shape {w.shape}"
            has = "is a single number" if g.ndim == 0 else f"has shape {g.shape}"
            return f"{label} {has}; expected {expected}" + _dash(hint or shape_hint)
    for label, g, w, _ in items:
        bad = int((~np.isfinite(g)).sum())
        if bad:
            return f"{label} has {bad} NaN or inf value(s) \u2014 a 0/0, or a square root of a negative number?"
    for label, g, w, hint in items:
        if close(g, w):
            continue
        g = np.broadcast_to(g, w.shape)
        if w.ndim == 0:
            text = f"expected {float(w):.6g}, got {float(g):.6g}"
        else:
            worst = np.unravel_index(np.argmax(np.abs(g - w)), w.shape)
            text = f"expected {w[worst]:.6g} at index {tuple(map(int, worst))}, got {g[worst]:.6g}"
        return text if parts is None else f"{label} is wrong: {text}" + _dash(hint)
    return "your result is not close enough to the right answer"


def _dash(hint):
    return f" \u2014 {hint}" if hint else ""


def _broadcasts(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def first_line(err, width=200):
    """The first line of an exception's message, shortened to ``width`` characters (one line per checker)."""
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= width else text[:width - 3] + "..."
