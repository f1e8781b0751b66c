"""Presenter mode: it changes exactly the rcParams it names, restores them, and styles the page."""
import subprocess
import sys

import matplotlib as mpl
import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient

from bn_lesson.widgets.presenter import PRESENTER_RC, is_presenting, presenter, presenter_css, restore


@pytest.fixture(autouse=True)
def clean_rc():
    """Each test starts from matplotlib's defaults with presenter mode off, and leaves them so."""
    restore()
    with mpl.rc_context():
        mpl.rcdefaults()
        yield
        restore()


def test_presenter_sets_large_high_contrast_rcparams():
    before = {k: mpl.rcParams[k] for k in PRESENTER_RC}
    assert presenter() is True and is_presenting()
    for key, value in PRESENTER_RC.items():
        assert mpl.rcParams[key] == mpl.rcParams.validate[key](value), key
    assert mpl.rcParams["font.size"] > before["font.size"]
    assert mpl.rcParams["figure.dpi"] > before["figure.dpi"]
    assert mpl.rcParams["lines.linewidth"] > before["lines.linewidth"]


def test_restore_puts_back_every_changed_value():
    mpl.rcParams["font.size"] = 11.5  # a user's own setting before presenter mode
    before = {k: mpl.rcParams[k] for k in PRESENTER_RC}
    presenter()
    assert mpl.rcParams["font.size"] != 11.5
    assert restore() is False and not is_presenting()
    assert {k: mpl.rcParams[k] for k in PRESENTER_RC} == before


def test_presenter_false_is_restore_and_second_call_keeps_the_originals():
    before = dict(mpl.rcParams)
    presenter()
    presenter()  # must not save the presenter values as "originals"
    assert presenter(False) is False
    assert dict(mpl.rcParams) == before


def test_restore_when_off_changes_nothing():
    before = dict(mpl.rcParams)
    restore()
    assert dict(mpl.rcParams) == before


def test_only_named_keys_change():
    before = dict(mpl.rcParams)
    presenter()
    changed = {k for k in before if mpl.rcParams[k] != before[k]}
    assert changed <= set(PRESENTER_RC)


def test_figures_drawn_in_presenter_mode_are_bigger():
    fig_default = plt.figure(figsize=(6, 3.5))
    presenter()
    fig_big = plt.figure(figsize=(6, 3.5))
    try:
        assert fig_big.dpi > fig_default.dpi
        assert fig_big.get_size_inches().tolist() == fig_default.get_size_inches().tolist()
    finally:
        plt.close(fig_default)
        plt.close(fig_big)


def test_bad_argument_is_named():
    with pytest.raises(TypeError, match="on must be True or False"):
        presenter("yes")


def test_css_enlarges_widget_controls():
    css = presenter_css()
    assert css.startswith("<style") and css.endswith("</style>")
    assert "--jp-widgets-font-size: 20px" in css
    assert "--jp-widgets-slider-handle-size: 26px" in css
    assert ":root:root" in css  # beats the :root rules whatever the load order


def test_import_has_no_side_effects():
    code = (
        "import matplotlib as mpl; before = dict(mpl.rcParams)\n"
        "import bn_lesson, bn_lesson.widgets.presenter\n"
        "assert dict(mpl.rcParams) == before\n"
        "assert not bn_lesson.widgets.presenter.is_presenting()\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_outside_ipython_nothing_is_printed(capsys):
    presenter()
    restore()
    assert capsys.readouterr().out == ""


def test_in_a_kernel_the_style_is_shown_then_removed():
    """In a real kernel presenter() shows the style; restore() replaces that same output with nothing."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from bn_lesson.widgets.presenter import presenter, restore\npresenter();"),
        nbformat.v4.new_code_cell("import matplotlib as mpl\nprint(mpl.rcParams['font.size'])"),
        nbformat.v4.new_code_cell("restore();\nprint(mpl.rcParams['font.size'])"),
    ]
    client = NotebookClient(nb, timeout=120, kernel_name="python3")
    with client.setup_kernel():
        client.execute_cell(nb.cells[0], 0)
        shown = nb.cells[0].outputs[0]["data"]["text/html"]
        client.execute_cell(nb.cells[1], 1)
        client.execute_cell(nb.cells[2], 2)
    assert shown == presenter_css()
    assert nb.cells[1].outputs[0]["text"].strip() == str(float(PRESENTER_RC["font.size"]))
    assert len(nb.cells[0].outputs) == 1
    assert nb.cells[0].outputs[0]["data"]["text/html"] == ""  # the same output, emptied by restore()
    assert nb.cells[2].outputs[0]["text"].strip() == "10.0"
