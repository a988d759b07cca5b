"""Declarative (TOML) scenarios: they load without running code, plan like their Python twins, and
every malformed input gets an error naming the file, the line and the key at fault."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp

from corrig.model.params import param
from corrig.scenarios.expect import verify
from corrig.scenarios.formula import Evaluator, _Invalid
from corrig.scenarios.load import load_scenario
from corrig.scenarios.toml_lines import DeclarativeError
from corrig.scenarios.toml_reader import load_declarative, loads_declarative
from corrig.scenarios.toml_writer import dump_declarative

DATA = Path(__file__).parent / "data"
MODELS = Path(__file__).parent.parent / "models"
FIG1 = (DATA / "human_control.toml").read_text()


def same_plan(a, b) -> None:
    """Two plans agree: the same policies, values (exactly), optimal sets and flags (kind, where, size)."""
    assert list(a.values) == list(b.values)
    for name in a.values:
        va, vb = a.values[name], b.values[name]
        assert (va is None) == (vb is None), name
        if va is not None:
            assert sp.simplify(sp.sympify(va) - sp.sympify(vb)) == 0, (name, va, vb)
    assert a.optimal == b.optimal
    assert a.reference == b.reference
    flags = {n: [(f.kind, f.where, str(f.size)) for f in fs] for n, fs in a.flags.items()}
    assert flags == {n: [(f.kind, f.where, str(f.size)) for f in fs] for n, fs in b.flags.items()}
    assert [(f.kind, f.where, str(f.size)) for f in a.incentives] == [(f.kind, f.where, str(f.size)) for f in b.incentives]


# loading -----------------------------------------------------------------------------------
def test_fig1_toml_gives_the_hand_values():
    scenario = load_scenario(DATA / "human_control.toml")
    assert scenario.name == "human control, Fig. 1"
    assert scenario.reference == "respect-obey"
    result = scenario.plan()
    # respect-obey: H = L, O = H, S = L, U = L(2L - 1) = L: 1/2; manipulate-invert: H = 1 - L, O = 1 - H = L: 1/2
    assert result.values == {"respect-obey": sp.Rational(1, 2), "manipulate-invert": sp.Rational(1, 2)}
    assert {f.kind for f in result.flags["manipulate-invert"]} >= {"h-moved", "not-obedient", "manipulation"}
    assert all(v.ok for v in verify(scenario))


def test_hand_written_toml_plans_like_the_python_reference_scenario():
    python = MODELS / "human_control.py"
    if not python.exists():
        python = DATA / "human_control.py"
    same_plan(load_scenario(python).plan(), load_scenario(DATA / "human_control.toml").plan())


FAST = ["human_control", "encapsulated_factory", "causal_stop_button", "time_delay", "off_switch", "utility_indifference"]
SLOW = ["naive_switch", "conditional_counterfactual"]


@pytest.mark.parametrize("model", FAST + [pytest.param(m, marks=pytest.mark.slow) for m in SLOW])
def test_every_reference_scenario_round_trips_through_toml(model, tmp_path):
    path = MODELS / f"{model}.py"
    original = load_scenario(path)
    text = dump_declarative(original)
    out = tmp_path / f"{model}.toml"
    out.write_text(text)
    copy = load_scenario(out)
    same_plan(original.plan(), copy.plan())
    assert [repr(c) for c in copy.expect] != [] or not original.expect
    assert len(copy.expect) == len(original.expect)
    assert copy.world.name == original.world.name


def test_expectations_survive_the_round_trip():
    original = load_scenario(DATA / "human_control.py")
    copy = loads_declarative(dump_declarative(original), file="fig1.toml")
    assert [(v.ok, v.claim) for v in verify(copy)] == [(v.ok, v.claim) for v in verify(original)]


def test_wildcards_formulas_numeric_states_and_products():
    text = """
name = "bits"
[parameters]
p = [0, 1]
[nodes.X]
states = [0, 1]
distribution = { 0 = "1 - p", 1 = "p" }
[nodes.D]
kind = "decision"
states = ["a", "b"]
observes = ["X"]
[nodes.Y]
numeric = true
states = [0, "1/2", 1]
parents = ["X", "D"]
table = { "1,*" = 1, "0,a" = "1/2", "0,b" = { 0 = "1/2", 1 = "1/2" } }
[nodes.Z]
states = [0, 1, 2]
parents = ["X", "Y"]
formula = "X + 1 if Y == 1 else 0"
[[utility]]
E = "Y"
[[utility]]
P = "Z == 2"
weight = 2
times = [{ P = "X == 1" }]
[policies.copy]
D = { 0 = "a", 1 = "b" }
[policies.mixed]
D = { 0 = { a = "1/3", b = "2/3" }, 1 = "a" }
"""
    scenario = loads_declarative(text)
    y = scenario.world["Y"]
    assert y.states == (0, F(1, 2), 1)
    p = param("p", 0, 1)  # the scenario's parameter: same name, same range
    result = scenario.plan()
    # copy: X=1 -> Y=1 (Z=2); X=0 -> D=a -> Y=1/2.  E[Y] = p + (1-p)/2; P(Z=2) = p, times P(X=1) = p, weight 2
    assert sp.simplify(result.values["copy"] - (p + (1 - p) / 2 + 2 * p * p)) == 0
    # mixed at X=0: a w.p. 1/3 (Y=1/2), b w.p. 2/3 (E[Y]=1/2): E[Y | X=0] = 1/2
    assert sp.simplify(result.values["mixed"] - (p + (1 - p) / 2 + 2 * p * p)) == 0
    again = loads_declarative(dump_declarative(scenario))
    same_plan(result, again.plan())


def test_a_scenario_file_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    bad = FIG1.replace('E = "S * (2 * L - 1)"', f'E = "__import__(\'os\').system(\'touch {marker}\')"')
    with pytest.raises(DeclarativeError, match="calls are not allowed"):
        loads_declarative(bad, file="evil.toml")
    assert not marker.exists()


@pytest.mark.parametrize("text", ["S.__class__", "[x for x in S]", "lambda: 1", "S[0]", "9 ** 9 ** 9", "'a' * 10"])
def test_the_expression_whitelist_refuses(text):
    with pytest.raises(_Invalid):
        Evaluator("value", {"S": 1}, "a test")(text)


# errors: each names the file, the line and the key ------------------------------------------
BROKEN = {
    "missing key": (FIG1.replace('states = [0, 1]\ndistribution', 'distribution'), "nodes.L", "missing key 'states'"),
    "unknown node": (FIG1.replace('parents = ["M", "L"]', 'parents = ["M", "X"]'), "nodes.H.parents[1]",
                     "'X' is not a declared node"),
    "bad probability": (FIG1.replace('{ 0 = "1/2", 1 = "1/2" }', '{ 0 = "1/2", 1 = "2/3" }'), "nodes.L.distribution",
                        "sum to 7/6, not 1"),
    "probability outside [0, 1]": (FIG1.replace('{ 0 = "1/2", 1 = "1/2" }', '{ 0 = "3/2", 1 = "-1/2" }'),
                                   "nodes.L.distribution", "outside [0, 1]"),
    "cycle": (FIG1.replace('parents = ["M", "L"]\nformula = "M ^ L"', 'parents = ["M", "S"]\nformula = "M ^ S"'),
              "nodes.H.parents", "directed cycle: H -> O -> S -> H"),
    "unknown key": (FIG1.replace('parents = ["O"]', 'parnets = ["O"]'), "nodes.S.parnets", "unknown key 'parnets'"),
    "state outside the domain": (FIG1.replace('table = { 0 = 0, 1 = 1 }', 'table = { 0 = 0, 2 = 1 }'), "nodes.S.table.2",
                                 "'2' is not a state of O"),
    "missing row": (FIG1.replace('table = { 0 = 0, 1 = 1 }', 'table = { 0 = 0 }'), "nodes.S.table", "no row for O=1"),
    "unknown name in a term": (FIG1.replace('E = "S * (2 * L - 1)"', 'E = "S * Q"'), "utility[0].E", "'Q' is not a name"),
    "policy without a rule": (FIG1.replace('M = 1\nO = "1 - H"', 'M = 1'), "policies.manipulate-invert",
                              "missing key 'O'"),
    "rule outside the domain": (FIG1.replace('O = "1 - H"', 'O = "2 - H"'), "policies.manipulate-invert.O",
                                "2 is not a state of O; its states are [0, 1] given H=0"),
    "unknown policy in expect": (FIG1.replace('optimal = "respect-obey"', 'optimal = "nope"'), "expect[2].optimal",
                                 "'nope' is not a candidate policy"),
    "unknown flag kind": (FIG1.replace('kind = "h-moved"', 'kind = "moved"'), "expect[5].kind", "kind is one of"),
    "unknown reference": (FIG1.replace('reference = "respect-obey"', 'reference = "obey"'), "reference",
                          "'obey' is not one of the policies"),
    "role state": (FIG1.replace('stop = 0', 'stop = "halt"'), "roles.stop", "'halt' is not a state of H"),
    "parent named twice": (FIG1.replace('parents = ["M", "L"]', 'parents = ["M", "M"]'), "nodes.H.parents",
                           "the list names 'M' twice"),  # a graph has one edge M -> H: silently one parent before
    "observation named twice": (FIG1.replace('observes = ["H"]', 'observes = ["H", "H"]'), "nodes.O.observes",
                                "the list names 'H' twice"),
    "do state": (FIG1.replace('E = "S * (2 * L - 1)"', 'E = "S"\ndo = { H = 3 }'), "utility[0].do.H",
                 "3 is not a state of H"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_malformed_input_names_the_key_and_line(case):
    text, key, message = BROKEN[case]
    with pytest.raises(DeclarativeError) as caught:
        loads_declarative(text, file="fig1.toml")
    error = caught.value
    assert error.key == key
    assert message in str(error)
    assert error.line is not None
    assert str(error).startswith(f"fig1.toml, line {error.line}: [{key}]")
    lines = text.splitlines()
    last = key.replace("[", ".").split(".")[1 if key.count(".") else 0].strip('"]')
    assert last.split("]")[0] in lines[error.line - 1] or key.startswith(("nodes.", "policies.", "expect", "utility"))


def test_line_numbers_point_at_the_key():
    text, _, _ = BROKEN["unknown key"]
    with pytest.raises(DeclarativeError) as caught:
        loads_declarative(text, file="fig1.toml")
    assert text.splitlines()[caught.value.line - 1].startswith("parnets")
    text, _, _ = BROKEN["bad probability"]
    with pytest.raises(DeclarativeError) as caught:
        loads_declarative(text, file="fig1.toml")
    assert text.splitlines()[caught.value.line - 1].startswith("distribution")


def test_invalid_toml_names_the_line():
    with pytest.raises(DeclarativeError, match=r"fig1.toml, line 29: not valid TOML"):
        loads_declarative(FIG1.replace("[roles]", "[roles"), file="fig1.toml")


def test_missing_sections_and_wrong_suffix(tmp_path):
    with pytest.raises(DeclarativeError, match="missing key 'utility'"):
        loads_declarative(FIG1.split("[[utility]]")[0])
    json_file = tmp_path / "x.json"
    json_file.write_text("{}")
    with pytest.raises(DeclarativeError, match=r"\.toml file"):
        load_declarative(json_file)
