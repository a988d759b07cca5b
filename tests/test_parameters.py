"""Parameters: each carries its own range, and a parameter reaches every place a number can be
(probabilities, numeric state values, mixed decision rules), so `World.subs`, `plan(at=)` and
`corrig check --at` substitute it everywhere.  Expected values are derived by hand in the comments.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp

from corrig import E, Policy, World, param, plan
from corrig.faces.cli import main
from corrig.model.errors import ParameterConflict, StateError
from corrig.model.params import range_of

R = sp.Rational


# ranges belong to the declaration ---------------------------------------------------------------
def test_redeclaring_a_name_does_not_change_a_world_already_built():
    # P(Z=a) = 2t is outside [0, 1] at t = 1 on [0, 1]: the world is refused.  Declaring "t" again on
    # [0, 1/2] (where 2t ≤ 1) makes another parameter; the first world keeps its own range and stays refused.
    t = param("t_owned", 0, 1)
    w = World("owned")
    w.chance("Z", {"a": 2 * t, "b": 1 - 2 * t})
    with pytest.raises(Exception, match=r"outside \[0, 1\] at t_owned=1"):
        w.check()
    narrow = param("t_owned", 0, F(1, 2))
    assert narrow != t and range_of(t).high == 1 and range_of(narrow).high == R(1, 2)
    with pytest.raises(Exception, match=r"outside \[0, 1\] at t_owned=1"):
        World.check(w)
    # the same declaration twice is the same parameter
    assert param("t_owned", 0, 1) == t


def test_two_ranges_for_one_name_in_a_world_or_a_plan_are_a_named_error():
    wide, narrow = param("u_conflict", 0, 1), param("u_conflict", 0, F(1, 2))
    w = World("mixed declarations")
    w.chance("Z", {"a": narrow, "b": 1 - wide})
    with pytest.raises(ParameterConflict, match=r"u_conflict.*\[0, 1\] and \[0, 1/2\]"):
        w.check()
    ok = World("one declaration")
    ok.chance("Z", {"a": wide, "b": 1 - wide})
    with pytest.raises(ParameterConflict, match=r"plan of world 'one declaration': parameter u_conflict"):
        plan(ok, narrow * E(ok["Z"] == "a"))


# parameters inside numeric state values ----------------------------------------------------------
def state_world():
    c = param("c_state", 0, 1)
    w = World("a parameter as a state value")
    y = w.chance("Y", {0: F(1, 2), c: F(1, 2)})  # Y is 0 or c, each with probability 1/2
    w.chance("Z", lambda Y: "big" if Y != 0 else "small")
    return w, y, c


def test_a_parameter_in_a_state_value_is_a_world_parameter():
    # E(Y) = (0 + c)/2 = c/2; at c = 1/2 it is 1/4.  Z reads Y's states: it stays a function of Y after subs.
    w, y, c = state_world()
    assert c in w.compiled.parameters
    assert w.E(y) == c / 2
    at = w.subs({"c_state": R(1, 2)})
    assert at["Y"].states == (0, R(1, 2)) and at.E(at["Y"]) == R(1, 4)
    assert at.P(at["Z"] == "big") == R(1, 2)
    result = plan(w, E(y), at={"c_state": R(1, 2)})
    assert result.values == {"no decisions": R(1, 4)}


def test_a_state_value_that_collides_at_a_point_is_named():
    w, _, _ = state_world()
    with pytest.raises(StateError, match=r"node Y: its states .* are not distinct at c_state=0"):
        w.subs({"c_state": 0})


def test_corrig_check_at_substitutes_a_parameter_used_only_in_a_state(tmp_path, capsys):
    # E(Y) = c/2, so 1/4 at c = 1/2 (before the fix, --at c=... named no parameter of the scenario).
    import json

    path = tmp_path / "state_value.py"
    path.write_text(
        "from fractions import Fraction as F\n"
        "from corrig import E, World, param\n"
        "c = param('c', 0, 1)\n"
        "world = World('state value')\n"
        "Y = world.chance('Y', {0: F(1, 2), c: F(1, 2)})\n"
        "utility = E(Y)\n")
    assert main(["check", str(path), "--at", "c=1/2", "--json"]) == 0
    (policy,) = json.loads(capsys.readouterr().out)["scenarios"][0]["plan"]["policies"]
    assert policy["value"] == "1/4"


# parameters inside mixed decision rules -----------------------------------------------------------
def test_at_substitutes_inside_a_mixed_rule():
    # A plays x with probability p; X = 1 after x.  J = E(X) = p; at p = 1/3, J = 1/3.
    p = param("p_rule", 0, 1)
    w = World("mixed rule")
    w.decision("A", ["x", "y"])
    x = w.chance("X", lambda A: 1 if A == "x" else 0)
    mixed = {"mix": Policy(A={"x": p, "y": 1 - p}), "pure": Policy(A="y")}
    assert plan(w, E(x), mixed).values["mix"] == p
    at = plan(w, E(x), mixed, reference="pure", at={"p_rule": R(1, 3)})
    assert at.values == {"mix": R(1, 3), "pure": 0} and at.optimal == ["mix"]
    # a rule over an observed parent: A observes a coin H; after H = 1 it plays x with probability p
    w2 = World("mixed rule over a parent")
    w2.chance("H", {0: F(1, 2), 1: F(1, 2)})
    w2.decision("A", ["x", "y"], observes=["H"])
    x2 = w2.chance("X", lambda A: 1 if A == "x" else 0)
    rule = Policy(A=lambda H: {"x": p, "y": 1 - p} if H == 1 else "y")
    # E(X) = 1/2·p; at p = 1/3 it is 1/6
    assert plan(w2, E(x2), {"rule": rule}, at={p: R(1, 3)}).values["rule"] == R(1, 6)
