"""make seeds: a chapter re-runs with another base seed; nothing else in it changes."""
import nbformat
import pytest

from tools.seed_study import with_seed


def _write(tmp_path, setup):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("SEED = 0 in prose stays"),
                                         nbformat.v4.new_code_cell(setup),
                                         nbformat.v4.new_code_cell("print(SEED)")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_only_the_setup_cells_seed_line_changes(tmp_path):
    path = _write(tmp_path, "import numpy as np\nSEED = 0\nSEEDS = SEED + np.arange(5)")
    nb = with_seed(path, 100)
    assert nb.cells[1].source == "import numpy as np\nSEED = 100\nSEEDS = SEED + np.arange(5)"
    assert nb.cells[0].source == "SEED = 0 in prose stays" and nb.cells[2].source == "print(SEED)"


def test_a_notebook_without_one_seed_line_is_refused(tmp_path):
    with pytest.raises(ValueError, match="expected one setup cell"):
        with_seed(_write(tmp_path, "x = 1"), 1)
