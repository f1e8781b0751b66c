"""The gamma / beta / eps explorer: one batch followed through every stage of batch normalization, computed
and drawn in the reader's browser.

raw input x  ->  normalized x_hat  ->  scaled and shifted y = gamma * x_hat + beta  ->  activation(y)

``build_explorer`` returns an ``Explorer``, an anywidget (https://anywidget.dev): Python samples every batch
the explorer can show (``bn_lesson.data.sample_distribution``, one seed) and sends them once, as float64
buffers; the front end (``explorer_math.js`` + ``explorer.js``, joined into one ES module) runs the four steps,
the activation and the histograms on every control change and draws them, so a key press needs no kernel.
It moves the same way in JupyterLab, Voila, VS Code, Colab and the static book (whose pages carry the saved
state). The controls' state is in traitlets: ``explorer.gamma = 2.0`` in a cell moves the slider, and the
slider moves ``explorer.gamma``.

``Explorer.result()`` is ``bn_lesson.stages.explore`` on the current setting, and ``Explorer.shown_text()``
the statistics text that setting must show (``bn_lesson.viz.text``): the Python reference that the browser
tests compare the front end with, number for number. The static twin is
``bn_lesson.viz.stage_plots.plot_explorer_grid``.
"""
import math
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from .._checks import check_bool, check_choice, check_number, check_positive_int
from ..constants import DEFAULT_EPS, SIGMOID_FLAT
from ..data import DISTRIBUTIONS, sample_distribution
from ..stages import STAGES, check_stages, explore
from ..stats import histogram_heights
from ..viz.plots import STAGE_COLORS
from ..viz.stage_plots import (ACTIVATED_LIMITS, ERROR_COLOR, INPUT_LIMITS, NORMALIZED_LIMITS, SCALED_LIMITS,
                               STAGE_TITLES, stage_limits)
from ..viz.text import ZERO_VARIANCE_MESSAGE, stage_label, status_line

HERE = Path(__file__).resolve().parent

#: the activations the explorer offers
EXPLORER_ACTIVATIONS = ("sigmoid", "relu")
#: the batch sizes the explorer offers
BATCH_SIZES = (2, 8, 32, 128, 1000, 10_000)
#: the sliders: (min, max, step); eps moves on a log10 scale, and reaches 100, past every variance the
#: chapters compare it with (the normal input's is 4); eps = 0 only through the "eps = 0 exactly" box
GAMMA_RANGE = (0.0, 4.0, 0.05)
BETA_RANGE = (-6.0, 6.0, 0.1)
EPS_LOG10_RANGE = (-8.0, 2.0, 0.25)
EPS_RANGE = (10.0 ** EPS_LOG10_RANGE[0], 10.0 ** EPS_LOG10_RANGE[1])
#: histogram bins per panel (as ``plot_explorer_grid`` draws them)
BINS = 50
#: grey of the activation's flat region and of its curve (matplotlib's "0.85" and "0.3", as the static twin)
SHADE, CURVE = "#d9d9d9", "#4d4d4d"


def _front_end():
    """The widget's ES module: the math, then the view (one module, so it loads from a single string)."""
    return "\n".join((HERE / name).read_text(encoding="utf-8") for name in ("explorer_math.js", "explorer.js"))


def _in_range(value, name, low, high):
    """``check_number`` against a slider's range, saying that it is the slider's."""
    try:
        return check_number(value, name, low, high)
    except ValueError as err:
        raise ValueError(f"{err} (the {name} slider's range)") from None


def _check_eps(eps):
    eps = check_number(eps, "eps", 0.0, EPS_RANGE[1])
    if 0 < eps < EPS_RANGE[0]:
        raise ValueError(f"eps must be 0 or in [{EPS_RANGE[0]:g}, {EPS_RANGE[1]:g}] (the eps slider's range), "
                         f"got {eps!r}")
    return eps


def sample_batches(batch_sizes=BATCH_SIZES, seed=0):
    """Every batch the explorer can show, as the bytes it sends and where each batch starts.

    Parameters
    ----------
    batch_sizes : sequence of int -- the sizes offered
    seed : int -- each batch is ``sample_distribution(dist, n, default_rng(seed))``, as ``explore_setting``
        draws it, so the widget and a static figure of the same setting show the same numbers

    Returns
    -------
    data : bytes -- every batch, one after another, little-endian float64
    layout : list of [dist, n, offset] -- batch (dist, n) is values offset ... offset + n
    """
    arrays, layout, offset = [], [], 0
    for dist in DISTRIBUTIONS:
        for n in batch_sizes:
            arrays.append(sample_distribution(dist, n, np.random.default_rng(seed))[:, 0])  # (n,)
            layout.append([dist, n, offset])
            offset += n
    return np.concatenate(arrays).astype("<f8").tobytes(), layout


class Explorer(anywidget.AnyWidget):
    """The explorer widget. Build it with ``build_explorer``.

    Traits (synced with the front end; set them from Python to move the controls)
    ------------------------------------------------------------------------------
    gamma : float in ``GAMMA_RANGE``, beta : float in ``BETA_RANGE``
    eps : float in ``EPS_RANGE`` (the log slider); eps_zero : bool -- eps is exactly 0 when True
    dist : one of ``DISTRIBUTIONS``; batch_size : one of the sizes offered; activation : "sigmoid" or "relu"

    The front end marks its controls with CSS classes (``bn-gamma``, ``bn-beta``, ``bn-eps``,
    ``bn-eps-zero``, ``bn-dist``, ``bn-batch-size``, ``bn-activation``, ``bn-identity``), its figure
    ``bn-figure``, and its root element carries ``data-setting`` (the setting drawn, as JSON) and
    ``data-frame`` (a redraw counter).
    """

    _esm = _front_end()
    _css = (HERE / "explorer.css").read_text(encoding="utf-8")

    gamma = traitlets.Float(1.0).tag(sync=True)
    beta = traitlets.Float(0.0).tag(sync=True)
    eps = traitlets.Float(DEFAULT_EPS).tag(sync=True)
    eps_zero = traitlets.Bool(False).tag(sync=True)
    dist = traitlets.Unicode("normal").tag(sync=True)
    batch_size = traitlets.Int(10_000).tag(sync=True)
    activation = traitlets.Unicode("sigmoid").tag(sync=True)
    _batches = traitlets.Bytes().tag(sync=True)
    _batch_layout = traitlets.List().tag(sync=True)
    _config = traitlets.Dict().tag(sync=True)

    def __init__(self, dist="normal", batch_size=10_000, gamma=1.0, beta=0.0, eps=DEFAULT_EPS,
                 activation="sigmoid", stages=STAGES, seed=0, batch_sizes=BATCH_SIZES, identity_button=False):
        dist = check_choice(dist, "dist", DISTRIBUTIONS)
        activation = check_choice(activation, "activation", EXPLORER_ACTIVATIONS)
        if isinstance(batch_sizes, (str, bytes)) or not hasattr(batch_sizes, "__iter__"):
            raise TypeError(f"batch_sizes must be a sequence of ints, got {batch_sizes!r}")
        self._batch_sizes = tuple(check_positive_int(n, "batch_sizes") for n in batch_sizes)
        if not self._batch_sizes:
            raise ValueError("batch_sizes must offer at least one size")
        if check_positive_int(batch_size, "batch_size") not in self._batch_sizes:
            raise ValueError(f"batch_size must be one of {self._batch_sizes}, got {batch_size!r}")
        stages = check_stages(stages)
        gamma = _in_range(gamma, "gamma", *GAMMA_RANGE[:2])
        beta = _in_range(beta, "beta", *BETA_RANGE[:2])
        eps = _check_eps(eps)
        seed = check_positive_int(seed, "seed", minimum=0)
        identity_button = check_bool(identity_button, "identity_button")
        data, layout = sample_batches(self._batch_sizes, seed)
        values = np.frombuffer(data, dtype="<f8")
        self._samples = {(d, n): values[offset:offset + n] for d, n, offset in layout}
        super().__init__(gamma=gamma, beta=beta, eps=eps if eps > 0 else DEFAULT_EPS, eps_zero=eps == 0,
                         dist=dist, batch_size=batch_size, activation=activation, _batches=data,
                         _batch_layout=layout, _config=self._front_end_config(stages, identity_button))
        self.stages = stages

    def _front_end_config(self, stages, identity_button):
        """What the front end draws with: the course's titles, colours, axis limits and text, stated once here."""
        return {
            "stages": list(stages), "titles": STAGE_TITLES, "colors": STAGE_COLORS, "bins": BINS,
            "limits": {"input": INPUT_LIMITS, "normalized": NORMALIZED_LIMITS, "scaled": SCALED_LIMITS,
                       "activated": {a: ACTIVATED_LIMITS[a] for a in EXPLORER_ACTIVATIONS}},
            "flat": SIGMOID_FLAT, "ranges": {"gamma": GAMMA_RANGE, "beta": BETA_RANGE, "eps_log10": EPS_LOG10_RANGE},
            "dists": list(DISTRIBUTIONS), "batch_sizes": list(self._batch_sizes),
            "activations": list(EXPLORER_ACTIVATIONS), "identity_button": identity_button,
            "zero_message": ZERO_VARIANCE_MESSAGE, "error_color": ERROR_COLOR, "shade": SHADE, "curve_color": CURVE,
        }

    # -- validation of values set from a cell (the front end only sends values in range) ----------------------
    @traitlets.validate("gamma")
    def _valid_gamma(self, proposal):
        return _in_range(proposal.value, "gamma", *GAMMA_RANGE[:2])

    @traitlets.validate("beta")
    def _valid_beta(self, proposal):
        return _in_range(proposal.value, "beta", *BETA_RANGE[:2])

    @traitlets.validate("eps")
    def _valid_eps(self, proposal):
        eps = _check_eps(proposal.value)
        if eps == 0:
            raise ValueError("eps must be in the slider's range [1e-08, 100]; for eps = 0 set eps_zero = True")
        return eps

    @traitlets.validate("dist")
    def _valid_dist(self, proposal):
        return check_choice(proposal.value, "dist", DISTRIBUTIONS)

    @traitlets.validate("activation")
    def _valid_activation(self, proposal):
        return check_choice(proposal.value, "activation", EXPLORER_ACTIVATIONS)

    @traitlets.validate("batch_size")
    def _valid_batch_size(self, proposal):
        if proposal.value not in self._batch_sizes:
            raise ValueError(f"batch_size must be one of {self._batch_sizes}, got {proposal.value!r}")
        return proposal.value

    # -- the Python reference ------------------------------------------------------------------------------
    def current_eps(self):
        """The eps in use: 0 when ``eps_zero`` is set, else the slider's value."""
        return 0.0 if self.eps_zero else float(self.eps)

    def batch(self):
        """The current batch, ``(batch_size,)``: the very values the front end received."""
        return self._samples[self.dist, self.batch_size]

    def result(self):
        """``bn_lesson.stages.explore`` on the current setting: what the front end computes."""
        return explore(self.batch(), self.gamma, self.beta, self.current_eps(), self.activation)

    def shown_text(self, result=None):
        """The text the figure must show for ``result`` (default: the current setting).

        Returns
        -------
        dict with "stats" (stage -> its statistics box, "" for a stage not computed), "status" (the line
        under the panels, "" with the eps = 0 message) and "error" (whether that message shows)
        """
        r = self.result() if result is None else result
        stats = {}
        for stage in self.stages:
            if stage in r.values:
                off = histogram_heights.math(r.values[stage], stage_limits(stage, self.dist, r.activation), BINS)[2]
                stats[stage] = stage_label(r.stats[stage], off)
            else:
                stats[stage] = ""
        return {"stats": stats, "status": status_line(r), "error": bool(r.error)}

    def set_identity(self):
        """gamma = sqrt(var + eps), beta = mu exactly (as the identity button does): y is then the raw input.

        Values beyond a slider's range are set to its nearest end. Returns the (gamma, beta) set.
        """
        r = self.result()
        gamma = min(max(math.sqrt(r.var + r.eps), GAMMA_RANGE[0]), GAMMA_RANGE[1])
        beta = min(max(r.mu, BETA_RANGE[0]), BETA_RANGE[1])
        with self.hold_sync():
            self.gamma, self.beta = gamma, beta
        return gamma, beta

    def __repr__(self):
        """What a notebook shows where the widget cannot be drawn (opened before its cells run)."""
        return "\u03b3/\u03b2/\u03b5 explorer: run the cells above to show it and move it"


def build_explorer(dist="normal", batch_size=10_000, gamma=1.0, beta=0.0, eps=DEFAULT_EPS, activation="sigmoid",
                   stages=STAGES, seed=0, batch_sizes=BATCH_SIZES, identity_button=False):
    """Build the explorer widget; display it by making it a cell's last expression.

    Parameters
    ----------
    dist : one of ``bn_lesson.data.DISTRIBUTIONS`` -- the input distribution shown first
    batch_size : one of ``batch_sizes``
    gamma, beta : floats within the sliders' ranges (``GAMMA_RANGE``, ``BETA_RANGE``)
    eps : 0 (the "eps = 0 exactly" box ticked) or a float in ``EPS_RANGE``
    activation : "sigmoid" or "relu"
    stages : the panels shown, a selection from ``bn_lesson.stages.STAGES``
    seed : int >= 0 -- the batches' seed (``explore_setting``'s default is 0 too)
    batch_sizes : the sizes offered
    identity_button : show the button setting gamma = sqrt(var + eps), beta = mu

    Returns
    -------
    Explorer

    A value beyond a slider's range is a ``ValueError`` naming the range; a value of the wrong kind (a
    string for eps) is a ``TypeError``.
    """
    return Explorer(dist=dist, batch_size=batch_size, gamma=gamma, beta=beta, eps=eps, activation=activation,
                    stages=stages, seed=seed, batch_sizes=batch_sizes, identity_button=identity_button)
