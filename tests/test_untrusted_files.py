"""Generated files are data: hostile names survive hunt and export, and loading the output runs nothing.

Every name below would break (or hijack) a file that spliced it into code: triple quotes close a
docstring, a quote and a hash close a string and comment out the rest, a newline starts a statement,
an ANSI escape rewrites the terminal, a keyword cannot be a variable, and unicode (with a right-to-left
override) must come back unchanged.  Each payload that could run would create the canary file; the
tests check that it never appears and that every name reads back exactly.
"""

from __future__ import annotations

import ast
import contextlib
import io
import tomllib
from pathlib import Path

import pytest

from corrig.faces.cli import main
from corrig.faces.hunt import Counterexample, Spec, search_chunk, shrink_counterexample, write_scenario
from corrig.scenarios.load import load_scenario
from corrig.scenarios.toml_reader import loads_declarative

TRIPLE_DOUBLE = '"' * 3
TRIPLE_SINGLE = "'" * 3


def hostile(canary: Path) -> list[str]:
    """Names that inject code into a file that splices them raw (the payload touches the canary)."""
    payload = f"__import__('pathlib').Path({str(canary)!r}).touch()"
    return [
        f"{TRIPLE_DOUBLE}+str({payload})[:0]+{TRIPLE_DOUBLE}",  # closes a docstring
        f"{TRIPLE_SINGLE}+str({payload})[:0]+{TRIPLE_SINGLE}",
        f'"; {payload} #',  # closes a string, comments out the rest
        f"x\n{payload}",  # a newline starts a statement
        "back\\slash\\",
        "\x1b[31mred\x1b[0m",  # an ANSI escape
        "if",  # a keyword
        "ünïcödé 名前 \u202eevil",  # unicode and a right-to-left override
        "{0} %s ${HOME}",  # format strings
    ]


def _toml(text: str) -> str:
    """A TOML basic string (every control character escaped)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_scenario(canary: Path) -> str:
    """A disobedient policy among hostile names: hunting `obedient` fails in every world."""
    n = hostile(canary)
    q = [_toml(x) for x in n]
    return f"""
name = {q[3]}
doc = {q[2]}
reference = {q[6]}

[nodes.H]
states = [{q[0]}, {q[1]}]
distribution = {{ {q[0]} = "1/2", {q[1]} = "1/2" }}

[nodes.if]
kind = "decision"
states = [{q[4]}, {q[5]}]
observes = ["H"]

[nodes.B]
states = [{q[7]}, {q[8]}]
parents = ["H", "if"]
table = {{ {_toml(n[0] + "," + n[4])} = {q[7]}, "*,*" = {q[8]} }}

[roles]
human = "H"
stop = {q[0]}
run = {q[1]}
button = "B"
off = {q[7]}

[[utility]]
P = {{ B = {q[8]} }}

[policies.{q[6]}]
if = {{ {q[0]} = {q[4]}, {q[1]} = {q[4]} }}

[policies.{q[0]}]
if = {q[5]}

[policies.{q[3]}]
if = {q[5]}
"""


def py_scenario(canary: Path) -> str:
    """The same world as a Python scenario (every name written with repr(), as a careful author would)."""
    n = hostile(canary)
    table = {(h, a): n[7] if (h, a) == (n[0], n[4]) else n[8] for h in n[:2] for a in n[4:6]}
    policies = {n[6]: {"if": {(n[0],): n[4], (n[1],): n[4]}}, n[0]: {"if": n[5]}, n[3]: {"if": n[5]}}
    return "\n".join([
        "from fractions import Fraction as F",
        "from corrig import P, Policy, World",
        f"world = World({n[3]!r})",
        f"world.chance('H', {{{n[0]!r}: F(1, 2), {n[1]!r}: F(1, 2)}})",
        f"world.decision('if', {[n[4], n[5]]!r}, observes=['H'])",
        f"world.chance('B', {table!r}, parents=['H', 'if'], states={[n[7], n[8]]!r})",
        f"world.set_roles(human='H', stop={n[0]!r}, run={n[1]!r}, button='B', off={n[7]!r})",
        f"utility = P(world['B'] == {n[8]!r})",
        f"policies = {{k: Policy(v) for k, v in {policies!r}.items()}}",
        f"reference = {n[6]!r}",
        "",
    ])


def _found(path: Path) -> tuple[Spec, Counterexample]:
    spec = Spec(str(path.resolve()), "obedient")
    answer = search_chunk(spec, 0, 4)
    assert answer["found"] and not answer["errors"], answer["errors"]
    index, draw, violation = answer["found"][0]
    return spec, shrink_counterexample(spec, Counterexample(index, draw, violation, raw=draw))


def _check(path: Path) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(["check", str(path)])


def _names(scenario) -> tuple:
    world = scenario.world
    return (world.name, world.nodes["H"].states, world.nodes["if"].states, world.nodes["B"].states,
            sorted(scenario.policies), scenario.reference)


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    return tmp_path / "CANARY"


def test_a_toml_scenario_yields_a_toml_counterexample_that_runs_nothing(tmp_path, canary):
    source = tmp_path / "hostile.toml"
    source.write_text(toml_scenario(canary), encoding="utf-8")
    original = load_scenario(source)
    spec, found = _found(source)
    out = write_scenario(spec, found, tmp_path / "cx.toml")
    data = tomllib.loads(out.read_text(encoding="utf-8"))  # data, not code
    n = hostile(canary)
    assert set(data["policies"]) == {n[6], n[0], n[3]}
    assert data["nodes"]["H"]["states"] == [n[0], n[1]] and data["name"] == n[3]
    again = load_scenario(out)
    assert _names(again) == _names(original)
    # the two disobedient policies keep the button on: J = P(B = on) = 1, against 1/2 for obeying
    plan = again.plan()
    assert plan.values[n[0]] == 1 and plan.values[n[6]] * 2 == 1
    assert n[0] in plan.optimal and "not-obedient" in plan.kinds(n[0])
    assert _check(out) == 0
    assert not canary.exists()


def test_a_python_scenario_yields_python_built_from_literals_only(tmp_path, canary):
    source = tmp_path / "hostile.py"
    source.write_text(py_scenario(canary), encoding="utf-8")
    original = load_scenario(source)
    assert not canary.exists()
    spec, found = _found(source)
    out = write_scenario(spec, found, tmp_path / "cx.py")
    tree = ast.parse(out.read_text(encoding="utf-8"))
    # the only calls are corrig's constructors and F(...): no name from the scenario is ever code
    called = {node.func.id if isinstance(node.func, ast.Name) else node.func.attr
              for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert called <= {"World", "chance", "decision", "set_roles", "P", "E", "Policy", "F", "do", "given", "observed",
                      "optimal", "flagged", "float", "isin"}, called
    assert not canary.exists()
    again = load_scenario(out)
    assert not canary.exists()
    assert _names(again) == _names(original)
    assert _check(out) == 0
    assert not canary.exists()


def test_export_writes_hostile_names_as_toml_data(tmp_path, canary):
    source = tmp_path / "hostile.py"
    source.write_text(py_scenario(canary), encoding="utf-8")
    out = tmp_path / "hostile.toml"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["export", str(source), "-o", str(out)]) == 0
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    n = hostile(canary)
    assert data["name"] == n[3] and set(data["policies"]) == {n[6], n[0], n[3]}
    again = loads_declarative(out.read_text(encoding="utf-8"), file=out)
    assert _names(again) == _names(load_scenario(source))
    assert not canary.exists()


def test_hunt_on_toml_writes_toml_beside_it_and_refuses_python(tmp_path, canary):
    source = tmp_path / "hostile.toml"
    source.write_text(toml_scenario(canary), encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert main(["hunt", str(source), "--property", "obedient", "-o", str(tmp_path / "cx.py")]) == 2
    assert ".toml" in err.getvalue() and not (tmp_path / "cx.py").exists()
    with contextlib.redirect_stdout(io.StringIO()) as shown:
        status = main(["hunt", str(source), "--property", "obedient", "--budget", "8", "--jobs", "1"])
    assert status == 1, shown.getvalue()
    written = tmp_path / "hostile-counterexample-obedient.toml"
    assert written.is_file() and tomllib.loads(written.read_text(encoding="utf-8"))
    assert "\x1b" not in shown.getvalue()  # the names were printed escaped
    assert not canary.exists()
