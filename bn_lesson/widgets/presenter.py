"""Classroom mode: large, high-contrast figures and widget controls for a projector.

Nothing happens on import. A notebook opts in with one call at its top and opts out with a second::

    from bn_lesson.widgets.presenter import presenter, restore
    presenter()   # figures, fonts and widget controls large and high-contrast
    ...
    restore()     # the defaults again (same as presenter(False))

Two things change, and both are undone by ``restore()``:

* matplotlib's ``rcParams`` -- only the keys in ``PRESENTER_RC``; their previous values are saved on the
  first ``presenter()`` and put back by ``restore()``. Figures drawn *after* the call pick them up, so
  call it before the cells that draw.
* the page's CSS -- a ``<style>`` element, shown as the output of the calling cell under a fixed display
  id, enlarges JupyterLab's text and the ipywidgets controls (font, slider handle, track, label width),
  and shows pictures inside widgets (the explorer's figure) 1.5 times larger.
  ``restore()`` replaces that output with nothing, which removes the style from the live page.

The demo app (``make demo PRESENTER=1``) switches it on for its views (``bn_lesson.widgets.explorer``,
``bn_lesson.widgets.demo_views``).
"""
import matplotlib as mpl
import matplotlib.pyplot  # noqa: F401  (pyplot sets up the notebook backend before presenter() sets rcParams)
from IPython import get_ipython
from IPython.display import HTML, display, update_display

from .._checks import check_bool

#: rcParams presenter mode sets. Figures grow by ``figure.dpi`` (1.4x the default 100 dpi) and text
#: by ``font.size`` on top of that (13 pt instead of 10 pt): about 1.8x larger text on the screen, thick
#: lines and ticks, pure black text and frames on pure white.
PRESENTER_RC = {
    "figure.dpi": 140,
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 16,
    "lines.linewidth": 3.0,
    "lines.markersize": 8.0,
    "axes.linewidth": 1.6,
    "patch.linewidth": 1.4,
    "xtick.major.width": 1.6,
    "ytick.major.width": 1.6,
    "xtick.major.size": 6.0,
    "ytick.major.size": 6.0,
    "text.color": "black",
    "axes.labelcolor": "black",
    "axes.edgecolor": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "legend.framealpha": 1.0,
    "legend.edgecolor": "black",
}

#: the display id under which the presenter style is shown (and later cleared)
DISPLAY_ID = "bn-lesson-presenter-style"

#: CSS variables of JupyterLab 4 and ipywidgets 8 that presenter mode overrides (``:root:root`` wins
#: over the ``:root`` rules that define them, whatever order the style sheets load in).
PRESENTER_CSS_VARS = {
    "--jp-ui-font-size1": "20px",
    "--jp-content-font-size1": "20px",
    "--jp-code-font-size": "18px",
    "--jp-content-font-color1": "#000000",
    "--jp-ui-font-color1": "#000000",
    "--jp-widgets-font-size": "20px",
    "--jp-widgets-inline-height": "42px",
    "--jp-widgets-inline-label-width": "150px",
    "--jp-widgets-inline-width": "520px",
    "--jp-widgets-slider-handle-size": "26px",
    "--jp-widgets-slider-track-thickness": "8px",
    "--jp-widgets-slider-handle-border-color": "#000000",
    "--jp-widgets-slider-active-handle-color": "#000000",
    "--jp-widgets-input-border-color": "#000000",
    "--jp-widgets-label-color": "#000000",
    "--jp-widgets-readout-color": "#000000",
}

#: how much larger presenter mode shows pictures inside widgets (their pixels are fixed when drawn)
WIDGET_IMAGE_ZOOM = 1.5

_saved_rc = None  # rcParams values from before presenter(); None while presenter mode is off


def presenter_css():
    """The ``<style>`` element presenter mode puts on the page (a str of HTML)."""
    body = "\n".join(f"  {name}: {value};" for name, value in PRESENTER_CSS_VARS.items())
    return (
        '<style id="bn-lesson-presenter">\n'
        f":root:root {{\n{body}\n}}\n"
        # readouts and labels of sliders are bold so they read from the back of the room
        ".widget-readout, .widget-label, .widget-label-basic { font-weight: bold; }\n"
        # pictures shown by widgets (the explorer's figure) are drawn at a fixed size: show them larger
        f".widget-image {{ zoom: {WIDGET_IMAGE_ZOOM}; }}\n"
        # controls built with a fixed pixel width would cut their larger text: let them grow, and let a
        # row of controls wrap rather than run off the screen
        ".widget-hbox { flex-wrap: wrap; }\n"
        ".widget-hslider { width: 440px !important; }\n"
        ".widget-dropdown, .widget-checkbox, .widget-button, .widget-toggle-button "
        "{ width: auto !important; min-width: max-content; }\n"
        "</style>"
    )


def is_presenting():
    """True between ``presenter()`` and ``restore()``."""
    return _saved_rc is not None


def presenter(on=True):
    """Switch classroom (projector) mode on, or off with ``presenter(False)``.

    Parameters
    ----------
    on : bool
        True: save the current values of the ``PRESENTER_RC`` keys and set the large, high-contrast
        ones; show the CSS for large widget controls. False: same as ``restore()``.
        Calling ``presenter()`` twice keeps the values saved by the first call.

    Returns
    -------
    bool -- whether presenter mode is now on
    """
    global _saved_rc
    if not check_bool(on, "on"):
        return restore()
    if _saved_rc is None:
        _saved_rc = {key: mpl.rcParams[key] for key in PRESENTER_RC}
    mpl.rcParams.update(PRESENTER_RC)
    _show_css(presenter_css(), update=False)
    return True


def restore():
    """Switch presenter mode off: put back the saved rcParams and remove the presenter CSS.

    Returns
    -------
    bool -- False (presenter mode is off); calling it while presenter mode is off changes no rcParams
    """
    global _saved_rc
    if _saved_rc is not None:
        mpl.rcParams.update(_saved_rc)
        _saved_rc = None
    _show_css("", update=True)
    return False


def _show_css(html, update):
    """Show (or replace, when ``update``) the presenter style, only inside an IPython kernel."""
    if get_ipython() is None:  # plain Python: no page to style, and display() would print
        return
    if update:
        update_display(HTML(html), display_id=DISPLAY_ID)
    else:
        display(HTML(html), display_id=DISPLAY_ID)
