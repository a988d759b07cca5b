"""Symbolic regions: exact sets for one parameter, witnesses for more, and symbolic plans.

Every expected value and threshold below is derived by hand in the comments, from the worlds in
symbolic_worlds.py (whose docstrings state the numbers used).
"""

from __future__ import annotations

import json
import runpy
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from symbolic_worlds import (
    A_NUDGE,
    H_COND,
    H_NUDGE,
    H_SWITCH,
    K_COND,
    C,
    Q,
    conditional_world,
    naive_switch,
    noisy_off_switch,
    nudge_world,
    switch_symbolic,
)

from corrig import P, Policy, World, param, plan
from corrig.analysis.conditions import holds_at
from corrig.analysis.regions import Region, region
from corrig.analysis.signs import rational_between, sign_on_box, simplify_value, value_latex
from corrig.analysis.symbolic import optimal_regions, symbolic_plan
from corrig.model.errors import ParameterError
from corrig.scenarios.load import load_scenario

R = sp.Rational
ROOT = Path(__file__).resolve().parents[1]

# parameters of the plain region tests (names unique to this module: the registry is global)
X = param("x_sym", 0, 1)
Y = param("y_sym", 0, 1)
Z = param("z_sym", -1, 1)


# regions of one parameter ---------------------------------------------------------------------
def test_one_parameter_region_is_an_exact_interval():
    r = region(X > R(1, 3))
    assert r.set == sp.Interval.Lopen(R(1, 3), 1)
    assert r.is_empty is False and r.status == "non-empty"
    assert holds_at(r.condition, r.witness)
    assert str(r) == "x_sym ∈ (1/3, 1]"
    assert r.to_latex() == r"x_{sym} \in \left(\frac{1}{3}, 1\right]"


def test_one_parameter_regions_unions_points_and_irrational_ends():
    # x(x − 1) = 0 on [0, 1]: the two ends
    assert region(sp.Eq(X * (X - 1), 0)).set == sp.FiniteSet(0, 1)
    # x² > 1/2: x > 1/√2
    r = region(X**2 > R(1, 2))
    assert r.set == sp.Interval.Lopen(1 / sp.sqrt(2), 1)
    assert r.witness[X].is_rational and holds_at(r.condition, r.witness)
    # min(x, 1 − x) < 1/20: near either end
    assert region(sp.Min(X, 1 - X) < R(1, 20)).set == sp.Union(sp.Interval.Ropen(0, R(1, 20)), sp.Interval.Lopen(R(19, 20), 1))
    # 1/x > 0 is undefined at x = 0, so 0 is not in the region
    assert region(1 / X > 0).set == sp.Interval.Lopen(0, 1)


def test_one_parameter_empty_region_is_proven_empty():
    r = region(X > 2)
    assert r.is_empty is True and r.simplified is sp.false and r.witness is None
    assert r.to_latex() == r"\emptyset"
    assert region(sp.And(X < R(1, 3), X > R(1, 2))).is_empty is True


def test_a_condition_true_on_the_whole_box_simplifies_to_true():
    # x ∈ [0, 1] and z ∈ [−1, 1]: x·(z + 1) ≥ 0 everywhere (multilinear: check the four corners)
    r = region(X * (Z + 1) >= 0)
    assert r.simplified is sp.true and r.everywhere
    assert str(r) == "everywhere (x_sym ∈ [0, 1], z_sym ∈ [-1, 1])"


def test_signs_on_the_box():
    box = {X: sp.Interval(0, 1), Z: sp.Interval(-1, 1)}
    assert sign_on_box(X + 1, box) == "pos"
    assert sign_on_box(X * Z - 2, box) == "neg"
    assert sign_on_box(X, box) == "nonneg"
    assert sign_on_box(Z, box) is None  # changes sign
    assert sign_on_box((X - R(1, 2)) ** 2, box) == "nonneg"  # one variable: root at 1/2
    assert sign_on_box(X**2 - X - 1, box) == "neg"  # roots (1 ± √5)/2 lie outside [0, 1]


def test_rational_between_is_the_simplest():
    assert rational_between(R(1, 3), 1) == R(1, 2)
    assert rational_between(sp.sqrt(2) / 2, R(3, 4)) == R(5, 7)
    assert rational_between(-2, 4) == 0
    assert rational_between(R(-7, 2), R(-3, 1)) == R(-10, 3)


# regions of several parameters ----------------------------------------------------------------
def test_two_parameter_region_has_a_verified_witness():
    r = region(X * Y > R(1, 2))
    assert r.is_empty is False
    assert set(r.witness) == {X, Y}
    # exact substitution, independently of the code's check
    assert r.witness[X] * r.witness[Y] > R(1, 2)
    assert "e.g." in str(r)


def test_thin_region_gets_a_witness_by_slicing():
    # 3xy = 1 is a curve: no grid point hits it by chance except by an exact solve
    r = region(sp.Eq(3 * X * Y, 1))
    assert r.is_empty is False
    assert 3 * r.witness[X] * r.witness[Y] == 1


def test_contradiction_is_proven_empty_and_unknowns_say_no_witness():
    assert region(sp.And(X > Y, Y > X)).is_empty is True
    # xy > 1/2 with x + y < 1 is empty (xy ≤ ((x + y)/2)² < 1/4), but that takes AM-GM: not proven
    r = region(sp.And(X * Y > R(1, 2), X + Y < 1))
    assert r.is_empty is None and r.witness is None
    assert r.status == "no witness found"
    assert "no witness found" in str(r)


def test_region_over_a_named_box_includes_unused_parameters():
    r = region(X > R(1, 2), params=[X, Y])
    assert r.parameters == (X, Y)
    assert r.set == sp.Interval.Lopen(R(1, 2), 1)
    assert set(r.witness) == {X, Y}


def test_region_to_dict_is_json():
    data = json.loads(json.dumps(region(X > R(1, 3)).to_dict()))
    assert data["status"] == "non-empty"
    assert data["intervals"] == [{"low": "1/3", "high": "1", "left_open": True, "right_open": False}]
    assert data["witness"] == {"x_sym": "1/2"}


# unbounded parameters ---------------------------------------------------------------------
def test_unbounded_parameter_in_a_region_query_is_named():
    u = param("u_unbounded")
    with pytest.raises(ParameterError, match=r"u_unbounded.*no bounded range"):
        region(u > 1)
    half = param("v_half_bounded", 0, None)
    with pytest.raises(ParameterError, match="v_half_bounded"):
        region(sp.And(X > half, X < 1))
    # declaring the name again with a range makes another parameter, which answers: u ∈ (1, 3]; the first
    # declaration keeps its own (unbounded) range
    bounded = param("u_unbounded", 0, 3)
    assert bounded != u and region(bounded > 1).set == sp.Interval.Lopen(1, 3)
    with pytest.raises(ParameterError, match=r"u_unbounded.*no bounded range"):
        region(u > 1)


def test_unbounded_parameter_in_a_world_is_named_by_the_symbolic_plan():
    w = param("w_weight")  # an unbounded utility weight
    world = World("weighted")
    world.chance("H", {"stop": F(1, 2), "run": F(1, 2)})
    world.decision("A", ["go", "halt"])
    world.chance("B", lambda A: "off" if A == "halt" else "on")
    result = plan(world, w * P(world["B"] == "on"), {a: Policy(A=a) for a in ("go", "halt")})
    with pytest.raises(ParameterError, match="w_weight"):
        symbolic_plan(result)


# values -------------------------------------------------------------------------------------
def test_simplify_value_resolves_extrema_on_the_box():
    # on [0, 1]: max(x, x − 1) = x, and |z − 2| = 2 − z for z ∈ [−1, 1]
    assert simplify_value(sp.Max(X, X - 1)) == X
    assert simplify_value(sp.Abs(Z - 2)) == 2 - Z
    assert simplify_value((X**2 - 1) / (X + 1)) == X - 1
    assert value_latex(None) == r"\text{undefined}"


def test_optimal_regions_from_plain_values():
    # J_a = x, J_b = 1/2: a is optimal on [1/2, 1], b on [0, 1/2]
    regions = optimal_regions({"a": X, "b": R(1, 2)})
    assert regions["a"].set == sp.Interval(R(1, 2), 1)
    assert regions["b"].set == sp.Interval(0, R(1, 2))


# the naive switch ----------------------------------------------------------------
def test_naive_switch_thresholds():
    # P(H = stop) = 1/4, U_N = 2 (3/2 after blocking), U_S = c ∈ [−2, 4].
    #   press: B off surely           J = c
    #   block: B on surely            J = 3/2
    #   act:   B off iff H = stop     J = (3/4)·2 + (1/4)·c = 3/2 + c/4
    # block optimal ⟺ 3/2 ≥ c and 3/2 ≥ 3/2 + c/4 ⟺ c ≤ 0
    # press optimal ⟺ c ≥ 3/2 and c ≥ 3/2 + c/4 ⟺ c ≥ 2
    # act optimal   ⟺ c/4 ≥ 0 and 3/2 + c/4 ≥ c  ⟺ 0 ≤ c ≤ 2
    s = symbolic_plan(plan(*naive_switch()))
    assert s.parameters == (C,)
    assert sp.simplify(s.values["act"] - (R(3, 2) + C / 4)) == 0
    assert s.values["press"] == C and s.values["block"] == R(3, 2)
    assert s.optimal["block"].set == sp.Interval(-2, 0)
    assert s.optimal["press"].set == sp.Interval(2, 4)
    assert s.optimal["act"].set == sp.Interval(0, 2)
    # blocking is not obedient (P(B=off | do(H=stop)) = 0) and pressing shuts down when H = run
    # (P(B=off | do(H=run)) = 1), whatever c is
    kinds = {name: {fr.flag.kind: fr.region for fr in frs} for name, frs in s.flags.items()}
    assert kinds["block"]["not-obedient"].everywhere
    assert kinds["press"]["self-shutdown"].everywhere
    assert "not-obedient" not in kinds["act"] and "self-shutdown" not in kinds["act"]
    assert r"c_{switch} \in \left[-2, 0\right]" in s.to_latex()


def test_naive_switch_two_parameters():
    # With P(H = stop) = h as a second parameter: J_act = 2(1 − h) + h·c, J_block = 3/2, J_press = c.
    # block optimal ⟺ c ≤ 3/2 and h(2 − c) ≥ 1/2.  At (c, h) = (1, 1): 3/2 ≥ 1 and 1 ≥ 1/2 → block.
    # At (0, 1/4): J_act = 3/2 + 0 = J_block → both.  At (−2, 0): J_act = 2 > 3/2 > −2 → act alone.
    # At (4, 1/2): J_act = 1 + 2 = 3 < 4 = J_press → press.
    s = switch_symbolic()
    assert s.parameters == (C, H_SWITCH)
    for name in ("act", "press", "block"):
        r = s.optimal[name]
        assert r.is_empty is False and r.contains(r.witness)
    assert s.optimal_at({C: 1, H_SWITCH: 1}) == ["block"]
    assert sorted(s.optimal_at({C: 0, H_SWITCH: R(1, 4)})) == ["act", "block"]
    assert s.optimal_at({"c_switch": -2, "h_switch": 0}) == ["act"]
    assert s.optimal_at({C: 4, H_SWITCH: R(1, 2)}) == ["press"]


def test_naive_switch_model_thresholds_at_a_blocking_cost():
    # models/naive_switch.py: U_N = 1 while running, U_S = c, blocking costs k, P(H = stop) = 1/4.
    # At k = 1/10:  J(work) = 3/4 + c/4,  J(press) = c,  J(block) = 1 − 1/10 = 9/10.
    #   block ⟺ 9/10 ≥ c and 9/10 ≥ 3/4 + c/4 ⟺ c ≤ 3/5
    #   press ⟺ c ≥ 9/10 and c ≥ 3/4 + c/4   ⟺ c ≥ 1
    #   work  ⟺ 3/5 ≤ c ≤ 1
    path = ROOT / "models" / "naive_switch.py"
    s = symbolic_plan(load_scenario(path).plan(at={"k": R(1, 10)}))
    assert [p.name for p in s.parameters] == ["c"]
    assert s.optimal["block"].set == sp.Interval(0, R(3, 5))
    assert s.optimal["work"].set == sp.Interval(R(3, 5), 1)
    assert s.optimal["press"].set == sp.Interval(1, 2)


# the off-switch game ---------------------------------------------------------------
def test_off_switch_noisy_human_threshold():
    # U_a = ±1 at 1/2 each; the human errs with probability q.
    #   act:  E[U_a] = 0;  off: 0
    #   wait: U_a = +1 runs unless the human wrongly stops: (1/2)(1 − q)·(+1)
    #         U_a = −1 runs only when the human wrongly lets it: (1/2)·q·(−1)      J = 1/2 − q
    # Δ = J_wait − max(J_act, J_off) = 1/2 − q: 1/2 at q = 0 (= E[max(U_a, 0)] − max(E[U_a], 0)),
    # negative for q > 1/2; waiting is optimal exactly on [0, 1/2].
    s = symbolic_plan(plan(*noisy_off_switch()))
    assert s.values["wait"] == R(1, 2) - Q
    delta = s.margin("wait")
    assert delta == R(1, 2) - Q
    assert delta.subs(Q, 0) == R(1, 2)
    assert s.optimal["wait"].set == sp.Interval(0, R(1, 2))
    assert region(delta < 0).set == sp.Interval.Lopen(R(1, 2), 1)


def test_off_switch_asymmetric_prior_threshold():
    # U_a = +1 with probability 2/3: J_act = 2/3 − 1/3 = 1/3, J_off = 0,
    # J_wait = (2/3)(1 − q) − (1/3)q = 2/3 − q.  Δ = 2/3 − q − 1/3 = 1/3 − q:
    # waiting stops being optimal for q > 1/3, where acting takes over.
    s = symbolic_plan(plan(*noisy_off_switch(p_good=F(2, 3))))
    assert s.margin("wait") == R(1, 3) - Q
    assert s.optimal["wait"].set == sp.Interval(0, R(1, 3))
    assert s.optimal["act"].set == sp.Interval(R(1, 3), 1)
    assert s.optimal["off"].is_empty is True
    assert str(s.optimal["wait"]) == "q_noisy ∈ [0, 1/3]"


# conditioning on an event that can have probability 0 ------------------------------------------
def test_undefined_subregion_of_a_conditional_term():
    # P(H = stop) = h; J = E(V) + k·P(B = off | H = stop).
    #   obey:   E(V) = 1 − h, P(off | stop) = 1   J = 1 − h + k
    #   ignore: E(V) = 1,     P(off | stop) = 0   J = 1
    # The condition H = stop has probability h: undefined at h = 0, rare (0 < h < 1/20) on (0, 1/20)
    # (at h = 0 the numeric planner reports it as undefined, not rare).
    # Where defined, obey is optimal ⟺ k ≥ h, ignore ⟺ h ≥ k.
    s = symbolic_plan(plan(*conditional_world()))
    assert s.parameters == (H_COND, K_COND)
    for name in ("obey", "ignore"):
        assert s.undefined[name].set == sp.FiniteSet(0)
        kinds = {fr.flag.kind: fr.region for fr in s.flags[name]}
        assert kinds["rare-condition"].set == sp.Interval.open(0, R(1, 20))
        assert kinds["undefined-condition"].set == sp.FiniteSet(0)
    assert s.optimal_at({H_COND: R(1, 2), K_COND: 1}) == ["obey"]
    assert s.optimal_at({H_COND: R(1, 2), K_COND: R(1, 4)}) == ["ignore"]
    assert sorted(s.optimal_at({H_COND: R(1, 2), K_COND: R(1, 2)})) == ["ignore", "obey"]
    assert s.optimal_at({H_COND: 0, K_COND: 1}) == []
    assert s.value_at("obey", {H_COND: 0, K_COND: 1}) is None
    assert "undefined: h_cond ∈ {0}" in str(s)


def test_symbolic_plan_to_dict_is_json():
    data = json.loads(json.dumps(symbolic_plan(plan(*noisy_off_switch())).to_dict()))
    wait = next(p for p in data["policies"] if p["name"] == "wait")
    assert wait["value"] == "1/2 - q_noisy"
    assert wait["optimal"]["set"] == "Interval(0, 1/2)"


# manipulation and a do-branch whose rare context can vanish ------------------------------------
def test_manipulation_incentive_and_ood_regions():
    # P(alarm) = a, P(stop | calm, honest) = h; in an alarm H = stop; a nudge makes H = run in calm.
    # J = E(V) + E(V, do(H = run)), and the do-branch term is 1 for both policies.
    #   honest: E(V) = (1 − a)(1 − h)          J = (1 − a)(1 − h) + 1
    #   nudge:  E(V) = 1 − a                   J = 2 − a
    # With H responding to what "honest" would do, nudge's value drops to (1 − a)(1 − h) + 1:
    # m(nudge) = (1 − a)h ≠ 0 ⟺ a < 1 and h > 0.  Under J nudge is optimal everywhere and honest only
    # where (1 − a)h = 0; under J^{H←π0} the two tie everywhere: the optimal sets differ (the
    # manipulation incentive) exactly where (1 − a)h > 0.
    # do(H = run) reaches the parent contexts (W, M) = (calm, ·) with weight 1 − a and (alarm, ·) with
    # weight a.  Propensity of H = run: 0 in an alarm; in calm 1 − h (honest) or 1 (nudge).  So the
    # out-of-distribution flag fires for nudge exactly when a > 0, and for honest when a > 0 or
    # (1 − h < 1/20 and a < 1).
    s = _symbolic("nudge")[0]
    assert s.parameters == (A_NUDGE, H_NUDGE)
    assert sp.expand(s.values["honest"] - ((1 - A_NUDGE) * (1 - H_NUDGE) + 1)) == 0
    assert s.values["nudge"] == 2 - A_NUDGE
    assert s.optimal["nudge"].everywhere
    incentive = next(fr.region for fr in s.incentives if fr.flag.kind == "manipulation-incentive")
    for a, h, fires in [(R(1, 2), R(1, 2), True), (1, R(1, 2), False), (R(1, 2), 0, False), (0, 1, True)]:
        assert incentive.contains({A_NUDGE: a, H_NUDGE: h}) is fires, (a, h)
    ood = {name: next(fr.region for fr in frs if fr.flag.kind == "ood-do-branch") for name, frs in s.flags.items()}
    assert ood["nudge"].set == sp.Interval.Lopen(0, 1) and ood["nudge"].axis == A_NUDGE
    for a, h, fires in [(0, R(1, 2), False), (0, R(39, 40), True), (R(1, 3), 0, True), (1, 1, True), (0, R(19, 20), False)]:
        assert ood["honest"].contains({A_NUDGE: a, H_NUDGE: h}) is fires, (a, h)


# property: the symbolic plan agrees with numeric plans at points ---------------------------------
CASES = {
    "switch": (lambda: naive_switch(h=H_SWITCH), {C: (-2, 4), H_SWITCH: (0, 1)}, None),
    "noisy": (noisy_off_switch, {Q: (0, 1)}, None),
    "conditional": (conditional_world, {H_COND: (0, 1), K_COND: (0, 2)}, None),
    "nudge": (nudge_world, {A_NUDGE: (0, 1), H_NUDGE: (0, 1)}, "honest"),
}
_SYMBOLIC = {}


def _symbolic(case):
    if case not in _SYMBOLIC:
        world, utility, policies = CASES[case][0]()
        reference = CASES[case][2]
        _SYMBOLIC[case] = (symbolic_plan(plan(world, utility, policies, reference=reference)), (world, utility, policies))
    return _SYMBOLIC[case]


@st.composite
def case_and_point(draw):
    case = draw(st.sampled_from(sorted(CASES)))
    point = {}
    for symbol, (low, high) in CASES[case][1].items():
        # mostly small denominators, so that ties and the box's edges (where terms are undefined) come up
        t = draw(st.one_of(st.integers(0, 12).map(lambda i: R(i, 12)),
                           st.fractions(0, 1, max_denominator=97).map(lambda f: R(f.numerator, f.denominator))))
        point[symbol] = low + (high - low) * t
    return case, point


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_and_point())
def test_symbolic_plan_matches_numeric_plans_at_points(case_point):
    case, point = case_point
    s, (world, utility, policies) = _symbolic(case)
    numeric = plan(world, utility, policies, reference=CASES[case][2], at=point)
    for name in policies:
        assert s.value_at(name, point) == numeric.values[name], (name, point)
    assert sorted(s.optimal_at(point)) == sorted(numeric.optimal), point
    firing = s.firing_at(point)
    for name in policies:
        assert sorted(firing[name]) == sorted(f.kind for f in numeric.flags[name]), (name, point)
    incentives = [fr.flag.kind for fr in s.incentives if fr.region.contains(point)]
    assert sorted(incentives) == sorted(f.kind for f in numeric.incentives), point


# the example ----------------------------------------------------------------------------------
def test_example_prints_latex_and_saves_a_plot(tmp_path, monkeypatch, capsys):
    out = tmp_path / "region.png"
    monkeypatch.setattr(sys, "argv", ["symbolic_regions.py", str(out)])
    runpy.run_path(str(ROOT / "examples" / "symbolic_regions.py"), run_name="__main__")
    printed = capsys.readouterr().out
    assert r"q \in \left[0, \frac{1}{3}\right]" in printed
    assert out.exists() and out.stat().st_size > 1000


def test_region_is_a_value_object():
    a, b = region(X > R(1, 3)), region(X > R(1, 3))
    assert a == b and isinstance(a, Region)
