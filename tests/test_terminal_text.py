"""Names from scenario files never drive the terminal: control characters are printed as escapes.

Before, an ANSI escape in a policy or node name reached the terminal raw (it could recolour, hide or
rewrite the report), in the table, in error messages and in hunt's summary.
"""

from __future__ import annotations

import contextlib
import io
import json

from corrig.faces.cli import main
from corrig.faces.safe_text import cleaned, json_safe, printable

RED = "\x1b[31mred\x1b[0m"
CSI = "\x9b2J"  # the one-byte C1 form of ESC [, which some terminals obey too
RLO = "evil\u202etxt.exe"

SCENARIO_TEMPLATE = f"""name = "w \\u001b]0;title\\u0007"

[nodes.H]
states = ["stop", "run"]
distribution = {{ stop = "1/2", run = "1/2" }}

[nodes.A]
kind = "decision"
states = ["a", "b"]

[[utility]]
P = 'A == "a"'

[policies."{{RED}}"]
A = "a"

[policies."{{CSI}}"]
A = "b"

[policies."{RLO}"]
A = "b"
"""
ESC, C1 = "\\u001b", "\\u009b"  # as TOML escapes
SCENARIO = SCENARIO_TEMPLATE.replace("{RED}", RED.replace(chr(27), ESC)).replace("{CSI}", CSI.replace(chr(0x9B), C1))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def _raw(text: str) -> bool:
    return any(c in text for c in ("\x1b", "\x9b", "\x07", "\u202e"))


def test_printable_escapes_controls_and_keeps_newlines():
    assert printable(RED) == "\\x1b[31mred\\x1b[0m"
    assert printable(CSI) == "\\x9b2J" and printable(RLO) == "evil\\u202etxt.exe"
    assert printable("a\nb\tc\rd") == "a\nb\tc\\x0dd"
    assert printable("a\nb", newlines=False) == "a\\x0ab"
    assert cleaned({"k": [RED, (CSI,)]}) == {"k": ["\\x1b[31mred\\x1b[0m", ("\\x9b2J",)]}


def test_json_keeps_the_names_exactly_but_escaped():
    text = json_safe(json.dumps({"name": RED + CSI + RLO}, ensure_ascii=False))
    assert not _raw(text) and json.loads(text) == {"name": RED + CSI + RLO}


def test_check_prints_hostile_names_escaped(tmp_path):
    path = tmp_path / "ansi.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    for fmt in ([], ["--markdown"], ["--json"], ["--latex"]):
        status, out, err = run("check", str(path), *fmt)
        assert status == 0, err
        assert not _raw(out) and not _raw(err), fmt
    status, out, _ = run("check", str(path))
    assert "\\x1b[31mred" in out and "\\u202e" in out
    status, out, _ = run("check", str(path), "--json")
    assert RED in {p["name"] for s in json.loads(out)["scenarios"] for p in s["plan"]["policies"]}


def test_errors_print_hostile_text_escaped(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(SCENARIO.replace('P = \'A == "a"\'', 'P = \'A == "\\u001b[2J"\''), encoding="utf-8")
    status, out, err = run("check", str(path))
    assert status == 2 and not _raw(err) and not _raw(out) and "\\x1b[2J" in err
    status, out, err = run("explain", str(tmp_path / "ansi.toml"))
    assert status == 2 and not _raw(err)
    (tmp_path / "ansi.toml").write_text(SCENARIO, encoding="utf-8")
    status, out, err = run("explain", str(tmp_path / "ansi.toml"), "--policy", "1")
    assert status == 0 and not _raw(out)


def test_a_name_with_dollars_is_drawn_as_text(tmp_path):
    # matplotlib read "$\frac{1}{$" in the world's name as mathtext: saving the figure raised (exit 3)
    path = tmp_path / "dollar.toml"
    path.write_text('name = "cost $\\\\frac{1}{$ x \\u001b[2J"\n[nodes.X]\nstates = [0, 1]\n'
                    'distribution = { 0 = "1/2", 1 = "1/2" }\n[[utility]]\nP = "X == 0"\n', encoding="utf-8")
    status, _out, err = run("draw", str(path), "-o", str(tmp_path / "dag.png"))
    assert status == 0, err
    assert (tmp_path / "dag.png").read_bytes().startswith(b"\x89PNG")


GAME = """name = "game \\u001b]0;title\\u0007"

[nodes]
D1 = { kind = "decision", states = ["\\u001b[31me", "c"] }
D2 = { kind = "decision", states = ["e", "\\u009b2Jc"], observes = ["D1"], agent = "taxi\\u001b[2J" }

[nodes.U]
states = [0, 1]
parents = ["D1", "D2"]
table."\\u001b[31me, e" = { 0 = 1 }
table."\\u001b[31me, \\u009b2Jc" = { 1 = 1 }
table."c, e" = { 1 = 1 }
table."c, \\u009b2Jc" = { 0 = 1 }

[[utility]]
E = "U"

[agents."taxi\\u001b[2J"]
objective = [{ E = "U" }]
"""


def test_equilibria_and_incentives_print_hostile_names_escaped(tmp_path):
    # issue 24: `equilibria` and `incentives` printed agent and state names raw (check escaped them)
    path = tmp_path / "game.toml"
    path.write_text(GAME, encoding="utf-8")
    for command in (["equilibria"], ["incentives"], ["equilibria", "--json"], ["incentives", "--json"]):
        status, out, err = run(*command, str(path))
        assert status == 0, err
        assert not _raw(out) and not _raw(err), command
    status, out, _ = run("equilibria", str(path))
    assert "taxi\\x1b[2J" in out and "\\x9b2Jc" in out and "\\x1b[31me" in out
