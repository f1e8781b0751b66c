"""The printed numbers and tables: rounded, no negative zero, the explorer's statistics as it shows them."""
import numpy as np
import pytest

from bn_lesson.constants import SIGMOID_FLAT
from bn_lesson.stages import explore, explore_setting
from bn_lesson.stats import StageStats
from bn_lesson.viz.text import (
    ZERO_VARIANCE_MESSAGE, format_batch, format_median_range, format_number, format_stats, stage_label,
    status_line,
)


@pytest.mark.parametrize("value, spec, minus, want", [
    (-0.0001, ".3f", "-", "0.000"), (-0.0, ".2f", "-", "0.00"), (-1.5, ".2f", "-", "-1.50"),
    (-1.5, ".2f", "\u2212", "\u22121.50"), (-1e-9, "g", "\u2212", "\u22121e\u221209"), (2.0, "g", "-", "2"),
    (np.float32(-0.0004), ".3f", "\u2212", "0.000"),
])
def test_format_number(value, spec, minus, want):
    assert format_number(value, spec, minus) == want


def test_format_number_agrees_with_round_plus_zero():
    """The idiom it replaces, f"{round(v, 3) + 0.0:.3f}", for Python floats and numpy scalars alike."""
    values = np.random.default_rng(0).normal(scale=0.01, size=2000)
    for v in [*values, *values.tolist(), np.float64(4.0705), 4.0705, np.float64(-0.0004)]:
        assert format_number(v) == f"{round(v, 3) + 0.0:.3f}"
    assert format_number(np.float64(4.0705)) == "4.070"  # numpy rounds the scaled value half to even


def test_format_batch_has_rows_mean_and_std():
    x = np.array([[1.0, 10.0], [3.0, 30.0]])
    lines = format_batch(x, "x", ["a", "b"], digits=1).splitlines()
    assert lines[0].split() == ["x", "a", "b"]
    assert lines[1].split() == ["i=1", "1.0", "10.0"] and lines[4].split() == ["mean", "2.0", "20.0"]
    assert lines[5].split() == ["std", "1.0", "10.0"]
    with pytest.raises(ValueError, match="feature_names has 1 names"):
        format_batch(x, "x", ["a"])
    with pytest.raises(ValueError, match="must be an \\(m, D\\) batch"):
        format_batch(np.ones(3), "x")


def test_format_stats_is_rounded_and_has_no_negative_zero():
    text = format_stats(explore_setting("normal", 1000))
    assert text.splitlines()[1].startswith("normalized  mean    0.000 std   1.000")
    assert "-0.000" not in text
    error = format_stats(explore(np.full(5, 3.0), eps=0.0))
    assert error.splitlines()[0].startswith("input") and "cannot normalize" in error


def test_stage_label_shows_the_share_off_axis_only_when_there_is_one():
    s = StageStats(-0.0001, 2.0, 0.5)
    assert stage_label(s) == "mean 0.000\nstd  2.000\nskew 0.50"
    assert stage_label(s, 0.031).endswith("\n3.1% off axis")


def test_status_line_quotes_eps_and_the_flat_share():
    r = explore_setting("tiny-variance", 1000, eps=1e-3)
    line = status_line(r)
    assert f"{r.xhat_var_predicted:.4f}" in line and f"|y| > {SIGMOID_FLAT:g}" in line
    assert "y \u2264 0" in status_line(explore_setting("normal", 1000, activation="relu"))
    assert status_line(explore(np.full(5, 3.0), eps=0.0)) == ""
    assert "0/0" in ZERO_VARIANCE_MESSAGE


def test_format_median_range_prints_median_and_range_of_the_seeds():
    assert format_median_range([0.9, 0.95, 0.93]) == "0.93 (0.90\u20130.95)"
    assert format_median_range([1100, 1250, 1200], "{:,.0f}") == "1,200 (1,100\u20131,250)"
    assert format_median_range([50, np.inf, np.inf], "{:.0f}") == "never (50\u2013never)"
    for bad in ([], [0.5, np.nan]):
        with pytest.raises(ValueError, match="values"):
            format_median_range(bad)
