"""Files are never lost and exit codes never lie (docs/cli.md, "Exit status" and "Output files").

Before: `export x.py -o x.py` and `hunt x.py -o x.py` overwrote the scenario; `-o` replaced files
silently; `hunt -o /missing/dir/x.py` searched its whole budget and then lost the counterexample;
Ctrl-C while shrinking wrote nothing; Ctrl-C early exited 0 "none found"; `--budget -5` exited 0;
a second scenario calling sys.exit(0) ended `corrig check` with status 0 and no output.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from corrig.faces import hunt as hunt_module
from corrig.faces.cli import main
from tests.test_hunt import PLANTED  # the planted scenario: blocking pays in 1/8 of worlds

BAD_EXPECT = '''from fractions import Fraction as F
from corrig import P, World, value_is
world = World("w")
world.chance("X", {0: F(1, 2), 1: F(1, 2)})
utility = P(world["X"] == 0)
expect = [value_is("no decisions", F(1, 3))]
'''


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    path = tmp_path / "planted.py"
    path.write_text(PLANTED)
    return path


def test_export_never_overwrites_its_input_or_an_existing_file(planted, tmp_path):
    before = planted.read_text()
    status, _, err = run("export", str(planted), "-o", str(planted))
    assert status == 2 and "being read" in err and planted.read_text() == before
    link = tmp_path / "link.py"
    link.symlink_to(planted)
    assert run("export", str(planted), "-o", str(link))[0] == 2 and planted.read_text() == before
    out = tmp_path / "out.toml"
    out.write_text("keep me")
    status, _, err = run("export", str(planted), "-o", str(out))
    assert status == 2 and "--force" in err and out.read_text() == "keep me"
    assert run("export", str(planted), "-o", str(out), "--force")[0] == 0
    assert out.read_text().startswith("#") and "[nodes.C]" in out.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.toml")]  # no temporary left


def test_hunt_checks_its_output_before_searching(planted, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(hunt_module, "hunt", lambda *a, **k: calls.append(1))
    for target, word in ((planted, "being read"), (tmp_path / "missing" / "x.py", "does not exist")):
        status, _, err = run("hunt", str(planted), "--property", "obedient", "-o", str(target))
        assert status == 2 and word in err
    assert not calls  # refused before any world was searched


@pytest.mark.parametrize(("option", "value"), [("--budget", "-5"), ("--budget", "0"), ("--jobs", "-1"),
                                               ("--jobs", "0"), ("--seed", "-1"), ("--worker-timeout", "0"),
                                               ("--worker-timeout", "nan")])
def test_hunt_options_are_validated(planted, option, value):
    status, _, err = run("hunt", str(planted), "--property", "obedient", option, value)
    assert status == 2 and option.lstrip("-") in err


def test_ctrl_c_while_shrinking_writes_the_counterexample_and_exits_130(planted, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(hunt_module, "shrink_counterexample", interrupted)
    out = tmp_path / "cx.py"
    status, shown, _ = run("hunt", str(planted), "--property", "obedient", "--budget", "64", "--jobs", "1",
                           "-o", str(out))
    assert status == 130
    assert out.is_file() and "interrupted" in shown
    assert run("check", str(out))[0] == 0  # unshrunk, but the failure reproduces


def test_ctrl_c_before_anything_is_found_never_exits_0(planted, monkeypatch):
    def interrupted(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(hunt_module.time, "sleep", interrupted)
    status, shown, _ = run("hunt", str(planted), "--property", "obedient", "--budget", "10000", "--jobs", "1")
    assert status == 130 and "interrupted" in shown


def test_the_worst_file_decides_and_sys_exit_is_a_load_error(tmp_path):
    bad = tmp_path / "bad_expect.py"
    bad.write_text(BAD_EXPECT)
    quits = tmp_path / "quits.py"
    quits.write_text("import sys\nsys.exit(0)\n")
    status, _, err = run("check", str(bad), str(quits))
    assert status == 2 and "sys.exit" in err and "quits.py" in err
    assert run("check", str(bad))[0] == 1


def test_expect_that_is_not_a_list_is_a_load_error(tmp_path):
    path = tmp_path / "forty_two.py"
    path.write_text(BAD_EXPECT.replace("expect = [value_is(\"no decisions\", F(1, 3))]", "expect = 42"))
    status, _, err = run("check", str(path))
    assert status == 2 and "expect" in err


def test_a_folder_or_a_fifo_is_not_a_scenario(tmp_path):
    status, _, err = run("check", str(tmp_path))
    assert status == 2 and "folder" in err
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    status, _, err = run("check", str(fifo))  # reading it would block forever
    assert status == 2 and "not a regular file" in err


def test_eps_with_a_huge_exponent_is_a_usage_error(planted):
    status, _, err = run("check", str(planted), "--eps", "1e-99999")
    assert status == 2 and "--eps" in err


def test_draw_and_region_never_replace_a_file_without_force(planted, tmp_path):
    picture = tmp_path / "dag.png"
    picture.write_bytes(b"keep me")
    for command in (["draw", str(planted), "-o", str(picture)], ["region", str(planted), "-o", str(picture)]):
        status, _, err = run(*command)
        assert status == 2 and "--force" in err and picture.read_bytes() == b"keep me"
    status, _, err = run("draw", str(planted), "-o", str(picture), "--force")
    assert status == 0, err
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_sys_exit_while_planning_is_an_error_for_that_file(tmp_path):
    # the mechanism runs when the world is compiled (at planning), after the file loaded
    path = tmp_path / "late_exit.py"
    path.write_text("import sys\nfrom corrig import P, World\nworld = World('w')\n"
                    "world.chance('X', lambda: sys.exit(0), states=[0, 1])\nutility = P(world['X'] == 0)\n")
    status, _, err = run("check", str(path))
    assert status == 2 and "sys.exit(0)" in err
    status, _, err = run("explain", str(path), "--policy", "1")
    assert status == 2 and "sys.exit(0)" in err
