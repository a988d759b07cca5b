"""Ordinary shell habits work (docs/cli.md): `corrig check models/*.py`, `corrig check models`, and a
reader that stops early (`| head -1`) or a closed standard output (`>&-`).

Before: `models/*.py` exited 2 because it loaded `models/__init__.py` as a scenario; a folder exited 2
("is a folder"); `corrig check models/off_switch.py | head -1` exited 2 with "the scenario called
sys.exit(1)" (rich turns a closed pipe into SystemExit(1)); with standard output closed the progress
bar crashed with "'NoneType' object has no attribute 'isatty'" (exit 3 and a traceback).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_files_and_exit_codes import run  # main() in-process: (status, stdout, stderr)

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"

SHARED = '''from fractions import Fraction as F
from corrig import P, World


def make_world():
    world = World("coin")
    world.chance("X", {0: F(1, 4), 1: F(3, 4)})
    world.decision("A", [0, 1])
    world.chance("Y", lambda X, A: X * A)
    return world
'''
# P(Y = 1) = P(X = 1) · [A = 1] = 3/4 for the policy A = 1 (derived from the mechanisms above)
SCENARIO = '''from fractions import Fraction as F
from corrig import P, Policy, value_is
from ._shared import make_world

world = make_world()
utility = P(world["Y"] == 1)
policies = {"on": Policy(A=1)}
expect = [value_is("on", F({claim}))]
'''


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A folder of scenarios as models/ is one: a package, a helper module, one claim that holds, one that fails."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "_shared.py").write_text(SHARED)
    (folder / "holds.py").write_text(SCENARIO.replace("{claim}", "3, 4"))
    (folder / "fails.py").write_text(SCENARIO.replace("{claim}", "1, 2"))
    (folder / "notes.txt").write_text("not a scenario")
    return folder


def test_a_folder_checks_every_scenario_in_it_and_returns_the_worst_status(package):
    status, out, err = run("check", "--json", str(package))
    doc = json.loads(out)
    assert status == 1 and doc["status"] == 1  # fails.py: 3/4 is not 1/2
    assert {Path(s["file"]).name: s["status"] for s in doc["scenarios"]} == {"fails.py": 1, "holds.py": 0}
    assert "_shared.py" in err and "not a scenario" in err  # the helper is skipped, and says so
    (package / "fails.py").unlink()
    assert run("check", str(package))[0] == 0


def test_a_glob_skips_the_package_init_and_helpers(package):
    files = sorted(str(p) for p in package.glob("*.py"))  # what the shell makes of scenarios/*.py
    assert any(f.endswith("__init__.py") for f in files)
    status, out, err = run("check", *files)
    assert status == 1 and "__init__.py" in err and "holds.py" in out and "fails.py" in out


def test_nothing_to_check_is_an_error(tmp_path):
    (tmp_path / "__init__.py").write_text("")
    assert run("check", str(tmp_path / "__init__.py"))[0] == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    status, _, err = run("check", str(empty))
    assert status == 2 and "no .py or .toml scenario" in err


def test_the_bundled_models_folder_checks_clean():
    status, out, _ = run("check", "--json", str(MODELS))
    expected = sorted(p.name for p in MODELS.glob("*.py") if p.name != "__init__.py")
    assert status == 0
    assert sorted(Path(s["file"]).name for s in json.loads(out)["scenarios"]) == expected


def _corrig(*argv: str) -> list[str]:
    return [sys.executable, "-m", "corrig", *argv]


def test_a_reader_that_stops_early_ends_the_run_quietly():
    # The read end is closed before corrig writes a byte, so its first write meets a closed pipe.
    read, write = os.pipe()
    os.close(read)
    proc = subprocess.run(_corrig("check", str(MODELS / "off_switch.py")), stdout=write, stderr=subprocess.PIPE,
                          text=True, cwd=ROOT, timeout=120)
    os.close(write)
    assert proc.stderr == ""  # no "sys.exit(1)", no "Exception ignored … BrokenPipeError"
    assert proc.returncode == 0  # every claim of off_switch.py holds, whoever reads the report


def test_a_reader_that_stops_early_keeps_a_failing_status(package):
    read, write = os.pipe()
    os.close(read)
    proc = subprocess.run(_corrig("check", "--json", str(package / "fails.py")), stdout=write,
                          stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    os.close(write)
    assert proc.stderr == "" and proc.returncode == 1


@pytest.mark.parametrize("closed", [">&-", "2>&-"])
def test_a_closed_stream_is_no_crash(closed):
    command = " ".join(_corrig("check", str(MODELS / "off_switch.py"))) + f" {closed}"
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr and "isatty" not in proc.stdout + proc.stderr
