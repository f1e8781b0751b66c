"""Shared by the exercise tests: call a checker, capture the one line it prints."""
import pytest


@pytest.fixture
def run(capsys):
    """``run(checker, fn, **options) -> (result, line)``; fails if the checker printed more than one line."""
    def run(checker, fn, **options):
        result = checker(fn, **options)
        line = capsys.readouterr().out.strip()
        assert "\n" not in line, f"a checker prints exactly one line, got {line!r}"
        return result, line
    return run
