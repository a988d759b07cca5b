"""Fixtures shared by the test files."""

import pytest

from corrig.faces.cli import main


@pytest.fixture
def cli(capsys):
    """Run the command line in-process: `cli("check", FILE)` gives (exit status, stdout, stderr)."""
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run
