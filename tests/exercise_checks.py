"""Shared by the exercise-checker tests: call a checker and capture the one line it prints."""


def run(capsys, checker, fn):
    """Return (checker's result, its printed line); fail if it printed more than one line."""
    ok = checker(fn)
    line = capsys.readouterr().out.strip()
    assert "\n" not in line, "a checker prints exactly one line"
    return ok, line
