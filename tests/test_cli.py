"""The `corrig` command through its real entry point (`python -m corrig`, as the console script runs it):
exit codes 0/1/2, every output format parses, errors name the file, the line and the culprit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corrig.faces.cli import main
from corrig.scenarios.toml_reader import loads_declarative

DATA = Path(__file__).parent / "data"
FIG1_PY = str(DATA / "human_control.py")
FIG1 = str(DATA / "human_control.toml")
SWITCH = str(DATA / "switch.toml")


def corrig(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "corrig", *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=env)


class Run:
    """What an in-process run of `main` returned and printed (the same function the script calls)."""

    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def cli(capsys):
    def run(*args: str) -> Run:
        code = main(list(args))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.fixture(scope="module")
def failing(tmp_path_factory) -> str:
    """Fig. 1 with a false claim: respect-obey is *not* the only optimal policy (manipulate-invert ties)."""
    path = tmp_path_factory.mktemp("failing") / "failing.toml"
    path.write_text(Path(FIG1).read_text().replace('optimal = "respect-obey"', 'optimal = "respect-obey"\nonly = true'))
    return str(path)


@pytest.fixture(scope="module")
def broken_py(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("broken") / "broken.py"
    path.write_text('from corrig import E, World\n\nworld = World("broken")\nX = world.chance("X", {"a": 0.5, "b": 0.6})\n'
                    'utility = E(X == "a")\n')
    return str(path)


@pytest.fixture(scope="module")
def broken_toml(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("broken") / "broken.toml"
    path.write_text(Path(FIG1).read_text().replace('table = { 0 = 0, 1 = 1 }', 'table = { 0 = 0, 2 = 1 }'))
    return str(path)


# exit codes ----------------------------------------------------------------------------------
def test_check_passes_with_exit_0_and_prints_the_table():
    run = corrig("check", FIG1_PY, FIG1)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.count("human control, Fig. 1") == 2
    for text in ("respect-obey", "manipulate-invert", "1/2", "★", "h-moved TV(H, L) = 1",
                 "not-obedient P(S=0 | do(H=0)) = 0", "✓ J(respect-obey) = 1/2", "value-of-observing-h"):
        assert text in out
    assert "\x1b[" not in out + run.stderr  # piped: no colours, no progress bar
    assert run.stderr == ""


def test_a_failing_expectation_exits_1(failing):
    run = corrig("check", failing)
    assert run.returncode == 1
    assert "✗ respect-obey is the only optimal policy" in run.stdout
    assert "optimal: ['respect-obey', 'manipulate-invert']" in run.stdout
    assert corrig("check", FIG1, failing).returncode == 1


def test_a_broken_python_scenario_exits_2_naming_file_line_and_culprit(broken_py):
    run = corrig("check", broken_py)
    assert run.returncode == 2
    assert f"{broken_py}, line 4: DistributionError: P(X): the probabilities sum to 1.1" in " ".join(run.stderr.split())


def test_a_python_file_that_raises_names_its_line(tmp_path):
    bad = tmp_path / "raises.py"
    bad.write_text('from corrig import World\n\nworld = World("w")\nworld.chance("X", {"a": 1})\nworld.chance("X", {"a": 1})\n')
    run = corrig("check", str(bad))
    assert run.returncode == 2
    assert "line 5" in run.stderr and "declared twice" in run.stderr


def test_a_broken_toml_scenario_exits_2_naming_line_and_key(broken_toml):
    run = corrig("check", broken_toml)
    assert run.returncode == 2
    message = " ".join(run.stderr.split())
    assert f"{broken_toml}, line 27: [nodes.S.table.2] '2' is not a state of O" in message


def test_the_worst_status_wins(cli, broken_toml, failing):
    assert cli("check", FIG1, failing, broken_toml).returncode == 2
    assert cli("check", "no-such-file.toml").returncode == 2
    with pytest.raises(SystemExit) as caught:
        cli("check")  # argparse: a file is required
    assert caught.value.code == 2


# formats ------------------------------------------------------------------------------------
def test_json_loads_with_plan_and_verdicts(failing, broken_toml):
    run = corrig("check", "--json", FIG1, failing, broken_toml)
    assert run.returncode == 2
    doc = json.loads(run.stdout)
    assert doc["status"] == 2
    ok, bad, broken = doc["scenarios"]
    assert ok["status"] == 0 and ok["ok"] is True
    assert [p["name"] for p in ok["plan"]["policies"]] == ["respect-obey", "manipulate-invert"]
    assert ok["plan"]["policies"][0]["value"] == "1/2"
    assert {f["kind"] for f in ok["plan"]["policies"][1]["flags"]} >= {"h-moved", "not-obedient"}
    assert all(v["ok"] for v in ok["expect"])
    assert bad["status"] == 1 and not all(v["ok"] for v in bad["expect"])
    assert broken["status"] == 2 and "nodes.S.table.2" in broken["error"]


def test_markdown_table_has_the_rows():
    run = corrig("check", "--markdown", FIG1)
    assert run.returncode == 0
    lines = run.stdout.splitlines()
    header = lines.index("| # | policy | J(π) | optimal | flags |")
    assert lines[header + 1].startswith("|---")
    rows = [line.split("|")[1:-1] for line in lines[header + 2: header + 4]]
    assert [c.strip() for c in rows[0]] == ["1", "respect-obey", "1/2", "✓", "—"]
    assert [c.strip() for c in rows[1][:4]] == ["2", "manipulate-invert", "1/2", "✓"]
    assert "h-moved TV(H, L) = 1" in rows[1][4]
    assert "- ✓ J(respect-obey) = 1/2" in run.stdout


def test_latex_is_a_booktabs_table():
    run = corrig("check", "--latex", FIG1)
    assert run.returncode == 0
    out = run.stdout
    assert out.count(r"\begin{tabular}") == out.count(r"\end{tabular}") == 1
    assert r"1 & respect-obey & $\frac{1}{2}$ & $\checkmark$ & --- \\" in out
    assert r"\mathbb{E}" in out


def test_at_numeric_and_eps(cli):
    run = cli("check", "--json", "--at", "c=0.5,k=1/10", SWITCH)
    plan = json.loads(run.stdout)["scenarios"][0]["plan"]
    assert plan["optimal"] == ["block"]
    assert plan["at"] == {"c": "1/2", "k": "1/10"}
    values = {p["name"]: p["value"] for p in plan["policies"]}
    assert values == {"work": "7/8", "press": "1/2", "block": "9/10"}  # 3/4 + c/4, c, 1 - k
    run = cli("check", "--numeric", "--at", "k=0.1", SWITCH)  # c at the middle of [0, 2]: 1
    assert run.returncode == 0
    assert "0.9" in run.stdout and "c=1" in run.stdout and "k=1/10" in run.stdout
    run = cli("check", "--json", "--eps", "1/2", FIG1)
    assert json.loads(run.stdout)["scenarios"][0]["plan"]["eps"] == "1/2"


def test_bad_command_line_values_exit_2(cli):
    assert cli("check", "--at", "c", SWITCH).returncode == 2
    run = cli("check", "--at", "z=1", SWITCH)
    assert run.returncode == 2 and "'z'" in run.stderr and "['c', 'k']" in run.stderr
    assert cli("check", "--eps", "lots", FIG1).returncode == 2
    assert corrig("check", "--json", "--markdown", FIG1).returncode == 2  # argparse, through the script


# explain, export ----------------------------------------------------------------------------
def test_explain_lists_terms_and_flag_evidence(cli):
    run = corrig("explain", FIG1, "--policy", "manipulate-invert")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for text in ("E((S * ((2 * L) - 1)))", "factual", "manipulation m(π)", "h-moved: TV(H, L) = 1", "reference_distribution",
                 "not-obedient", "probability: 0", "value-of-observing-h"):
        assert text in out, text
    by_index = cli("explain", FIG1, "--policy", "2", "--json")
    doc = json.loads(by_index.stdout)
    assert doc["policy"] == "manipulate-invert"
    assert doc["terms"][0]["value"] == "1/2" and doc["terms"][0]["branch"] == "factual"
    assert doc["manipulation"] == "1" and doc["path_specific_value"] == "-1/2"


def test_explain_an_unknown_policy_lists_the_policies(cli):
    run = cli("explain", FIG1, "--policy", "nope")
    assert run.returncode == 2 and "respect-obey" in run.stderr
    run = cli("explain", FIG1)
    assert run.returncode == 2 and "1. respect-obey" in run.stderr


def test_export_writes_toml_that_loads(cli):
    run = cli("export", FIG1_PY)
    assert run.returncode == 0
    scenario = loads_declarative(run.stdout)
    assert list(scenario.policies) == ["respect-obey", "manipulate-invert"]


# the progress bar ----------------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_gets_a_progress_bar_and_colours():
    import pty

    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "corrig", "check", FIG1], stdin=secondary, stdout=secondary,
                            stderr=secondary, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(primary)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "\x1b[" in out  # colours and cursor control: rich drew for a terminal
    assert "checking" in out or "planning" in out or "loading" in out  # the progress bar's description


def test_docs_cli_names_every_command_and_option_of_the_help():
    # docs/cli.md is read against `corrig --help` and each subcommand's --help (hunt's options in docs/hunt.md):
    # every subcommand is in its synopsis, every option (any of its spellings) in its text.
    import argparse

    from corrig.faces.cli import build_parser

    docs = Path(__file__).resolve().parent.parent / "docs"
    cli, hunt = (docs / "cli.md").read_text(encoding="utf-8"), (docs / "hunt.md").read_text(encoding="utf-8")
    synopsis = cli.split("```", 2)[1]
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(commands) == {"check", "explain", "draw", "region", "export", "incentives", "equilibria", "hunt"}
    missing = []
    for name, parser in commands.items():
        if f"corrig {name} " not in synopsis:
            missing.append(f"synopsis: corrig {name}")
        text = hunt if name == "hunt" else cli
        missing += [f"{name} {a.option_strings}" for a in parser._actions
                    if a.option_strings and "--help" not in a.option_strings
                    and not any(o in text for o in a.option_strings)]
    assert missing == []
