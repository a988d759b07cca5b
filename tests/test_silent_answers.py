"""Inputs that gave a wrong answer without a word now give a named error.

* `P("L + 1")` and `world.P(L)` read a quantity or a node as an event: every nonzero value counted
  as "true", so P = 1.  An event is a comparison, a membership test, a logical combination of
  events, or a node whose states are truth values.
* `1 - 64 p (1 - p) (2p - 1)^2` with p in [0, 1] was accepted (it is 1 at the corners and the
  centre) although it is 1 - 64 * 3/16 * 1/4 = -2 at p = 1/4: validity is now decided on the whole box.
* NaN, infinite or negative tolerances, ε and ranges were accepted.
* `Policy(B=0)` for a chance node B was ignored.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from corrig import P, Policy, World, param, plan
from corrig.model.box import in_unit_interval
from corrig.model.errors import DistributionError, ParameterError, PolicyError, QueryError
from corrig.scenarios.expect import value_is
from corrig.scenarios.toml_lines import DeclarativeError
from corrig.scenarios.toml_reader import loads_declarative


def _world() -> World:
    w = World("w")
    w.chance("L", {0: F(1, 2), 1: F(1, 2)})
    w.decision("A", ["x", "y"])
    w.chance("B", lambda A: 0 if A == "x" else 1)
    return w


def test_a_quantity_or_a_node_is_not_an_event():
    w = _world()
    L = w["L"]
    with pytest.raises(QueryError, match="not an event"):
        w.P(L + 1, Policy(A="x"))
    with pytest.raises(QueryError, match=r"L == "):
        w.P(L, Policy(A="x"))
    with pytest.raises(QueryError, match="not an event"):
        plan(w, P(L + 1), {"a": Policy(A="x")})
    # a node over truth values is an event, and comparisons still are
    t = World("t")
    T = t.chance("T", {True: F(1, 3), False: F(2, 3)})
    assert t.P(T) == F(1, 3) and t.P(T == False) == F(2, 3)  # noqa: E712


def test_toml_probability_of_a_quantity_is_refused_at_its_key():
    text = '[nodes.L]\nstates = [0, 1]\ndistribution = { 0 = "1/2", 1 = "1/2" }\n\n[[utility]]\nP = "L + 1"\n'
    with pytest.raises(DeclarativeError, match="not an event") as info:
        loads_declarative(text, file="t.toml")
    assert info.value.key == "utility[0].P" and info.value.line == 6


def test_symbolic_probability_checked_on_the_whole_box():
    p = param("p", 0, 1)
    bad = 64 * p * (1 - p) * (2 * p - 1) ** 2
    w = World("s")
    w.chance("X", {"a": 1 - bad, "b": bad})
    with pytest.raises(DistributionError, match=r"outside \[0, 1\] at p="):
        w.check()
    # the verdict's point is exact and really breaks the bound
    verdict = in_unit_interval(1 - bad, {p: (sp.Integer(0), sp.Integer(1))})
    assert not verdict.holds and not verdict.undecidable
    assert (1 - bad).subs(verdict.point) < 0
    # 4p(1-p) touches 1 at p = 1/2, inside the box: accepted exactly
    ok = World("ok")
    ok.chance("X", {"a": 4 * p * (1 - p), "b": 1 - 4 * p * (1 - p)})
    ok.check()


def test_a_bound_that_cannot_be_decided_says_so():
    p, q = param("p", 0, 1), param("q", 0, 1)
    touch = 16 * p * q * (1 - p) * (1 - q)  # max exactly 1 at (1/2, 1/2), inside the box
    w = World("u")
    w.chance("X", {"a": touch, "b": 1 - touch})
    with pytest.raises(DistributionError, match="cannot decide"):
        w.check()


@pytest.mark.parametrize("bad", ["nan", "inf", "-1"])
def test_toml_tolerance_must_be_finite_and_nonnegative(bad):
    text = ('[nodes.X]\nstates = [0, 1]\ndistribution = { 0 = 0.5, 1 = 0.5 }\n\n[[utility]]\nP = "X == 0"\n\n'
            f'[[expect]]\nvalue_is = "*"\nvalue = 0.5\ntolerance = {bad}\n')
    with pytest.raises(DeclarativeError, match="tolerance") as info:
        loads_declarative(text, file="t.toml")
    assert info.value.key == "expect[0].tolerance"


@pytest.mark.parametrize("span", ["[0, nan]", "[0, inf]", "[-inf, 1]", "[nan, 1]"])
def test_toml_parameter_ranges_must_be_finite(span):
    text = (f'[parameters]\np = {span}\n\n[nodes.X]\nstates = [0, 1]\ndistribution = {{ 0 = "p", 1 = "1 - p" }}\n\n'
            '[[utility]]\nP = "X == 0"\n')
    with pytest.raises(DeclarativeError, match="finite") as info:
        loads_declarative(text, file="t.toml")
    assert info.value.key.startswith("parameters.p")


def test_python_tolerances_and_ranges():
    with pytest.raises(ParameterError):
        param("r", 0, float("nan"))
    with pytest.raises(ParameterError):
        param("r", 0, float("inf"))
    with pytest.raises(ParameterError, match="tolerance"):
        value_is("a", F(1, 2), tolerance=float("nan"))
    with pytest.raises(ParameterError, match="tolerance"):
        value_is("a", F(1, 2), tolerance=-1)


def test_a_rule_for_a_chance_node_is_an_error():
    w = _world()
    # B = 1 whatever the rule says: Policy(B=0) used to be ignored silently (P(B == 0) = 0)
    with pytest.raises(PolicyError, match="B"):
        w.P(w["B"] == 0, Policy(A="y", B=0))
    with pytest.raises(PolicyError, match="B"):
        plan(w, P(w["B"] == 0), {"a": Policy(A="x")}, reference=Policy(A="x", B=0))
    # a decision that do() made a chance node keeps its rule quietly: the intervention overrides it
    assert w.do({"A": "x"}).P(w["B"] == 0, Policy(A="y")) == 1


def test_expect_undefined_where_the_value_is_defined_is_a_failed_claim():
    w = _world()
    result = plan(w, P(w["B"] == 0), {"a": Policy(A="x")})
    from corrig.scenarios.expect import Plans
    from corrig.scenarios.scenario import Scenario

    scenario = Scenario(name="s", world=w, utility=P(w["B"] == 0), policies={"a": Policy(A="x")})
    verdict = value_is("a", None).check(Plans(scenario))
    assert result.values["a"] == 1 and verdict.ok is False and "J(a) = 1" in verdict.found


def test_a_float_claim_on_a_symbolic_value_is_a_named_error():
    # float(p/2) raised a bare TypeError (exit 3) from `corrig check`
    from corrig.model.errors import ScenarioError
    from corrig.scenarios.expect import Plans
    from corrig.scenarios.scenario import Scenario

    p = param("p", 0, 1)
    w = World("f")
    w.chance("X", {"a": p, "b": 1 - p})
    scenario = Scenario(name="f", world=w, utility=P(w["X"] == "a"), policies=None)
    with pytest.raises(ScenarioError, match="depends on the parameters"):
        value_is("no decisions", 0.25).check(Plans(scenario))
    assert value_is("no decisions", 0.25, at={p: F(1, 4)}).check(Plans(scenario)).ok


COEFFICIENTS = [F(k, 4) for k in range(-4, 5)]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.sampled_from(COEFFICIENTS)), min_size=1, max_size=4))
def test_the_box_verdict_agrees_with_brute_force(terms):
    """Random polynomials in p, q on [0, 1]^2: a verdict that holds is never contradicted on a 1/8 grid; a
    counterexample point lies in the box and really leaves [0, 1] (both checked by exact evaluation)."""
    p, q = sp.symbols("p q", real=True)
    value = sp.Rational(1, 2) + sum(sp.Rational(c.numerator, c.denominator) * p**i * q**j for i, j, c in terms)
    box = {p: (sp.Integer(0), sp.Integer(1)), q: (sp.Integer(0), sp.Integer(1))}
    verdict = in_unit_interval(value, box)
    grid = [sp.Rational(k, 8) for k in range(9)]
    def inside(point: dict) -> bool:
        x = sp.Rational(value.subs(point))
        return bool(x >= 0) and bool(x <= 1)

    outside = [(a, b) for a in grid for b in grid if not inside({p: a, q: b})]
    if verdict.holds:
        assert not outside, (value, outside[:3])
    elif not verdict.undecidable:
        point = {s: verdict.point.get(s, sp.Rational(1, 2)) for s in (p, q)}
        assert all(0 <= x <= 1 for x in point.values())
        assert not inside(point), (value, point)
    else:
        assert not outside  # undecidable only where no grid point breaks the bound
