"""The planner: values, optimal sets, flags on the reference worlds; the Plan API and its errors.

Every expected number is derived by hand in the comments next to it.
"""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
import sympy as sp
from planner_worlds import human_control, stop_button

from corrig import E, P, Plan, Policy, World, do, given, param, plan
from corrig.analysis.flags import (
    CONTROL_PATH,
    H_MOVED,
    MANIPULATION,
    MANIPULATION_INCENTIVE,
    NOT_OBEDIENT,
    OOD_DO_BRANCH,
    SELF_SHUTDOWN,
    UNDEFINED_CONDITION,
    VALUE_OF_OBSERVING_H,
)
from corrig.model.errors import CorrigError, ParameterError, PolicyError, QueryError

R = sp.Rational


def kinds(result: Plan, name: str) -> set[str]:
    return {f.kind for f in result.flags[name]}


def only(result: Plan, name: str, kind: str):
    found = [f for f in result.flags[name] if f.kind == kind]
    assert len(found) == 1, (name, kind, result.flags[name])
    return found[0]


def incentive(result: Plan, kind: str):
    found = [f for f in result.incentives if f.kind == kind]
    assert len(found) == 1, (kind, result.incentives)
    return found[0]


# Carey & Everitt (2023) Fig. 1 ------------------------------------------------------------------
@pytest.fixture(scope="module")
def fig1() -> Plan:
    world, policies = human_control()
    U = world["S"] * (2 * world["L"] - 1)
    return plan(world, E(U), policies, reference="respect-obey")


def test_fig1_both_policies_are_worth_one_half(fig1):
    # respect-obey: M=0 so H = L, O = H = L, S = L, U = L(2L-1) = L: E[U] = 1/2.
    # manipulate-invert: M=1 so H = 1-L, O = 1-H = L, S = L: the same U = L, E[U] = 1/2.
    assert fig1.values == {"respect-obey": R(1, 2), "manipulate-invert": R(1, 2)}
    assert fig1.optimal == ["respect-obey", "manipulate-invert"]
    assert not fig1.symbolic


def test_fig1_manipulate_invert_moves_h_and_is_not_obedient(fig1):
    # H moved: given L, H = L under the reference and H = 1 - L under manipulate-invert, so the
    # conditional distributions of H differ completely in each context: TV = 1.  (The marginals
    # are both Bern(1/2): marginal TV 0, reported as evidence.)
    moved = only(fig1, "manipulate-invert", H_MOVED)
    assert moved.size == 1 and moved.evidence["marginal_tv"] == 0 and moved.evidence["context"] == ["L"]
    # do(H=0): O = 1 - H = 1, S = 1, so P(S=0 | do(H=0)) = 0 < 1 - 1/20.
    disobey = only(fig1, "manipulate-invert", NOT_OBEDIENT)
    assert disobey.size == 0 and disobey.condition is True


def test_fig1_respect_obey_gets_neither(fig1):
    # respect-obey is the reference (TV 0); O = H, so do(H=0) gives S = 0: P = 1.  do(H=1) gives S = 1.
    assert fig1.flags["respect-obey"] == []


def test_fig1_manipulation_value(fig1):
    # J^{H<-π0}(manipulate-invert): H follows the reference (H = L), O = 1 - H = 1 - L, S = 1 - L,
    # U = (1-L)(2L-1): -1 at L=0, 0 at L=1, so -1/2.  m = 1/2 - (-1/2) = 1.
    assert fig1.path_specific_values == {"respect-obey": R(1, 2), "manipulate-invert": R(-1, 2)}
    assert only(fig1, "manipulate-invert", MANIPULATION).size == 1
    # the optimal set changes ({both} vs {respect-obey}): an incentive, the gain is m of the
    # J-optimal policy that moves H, 1.
    flag = incentive(fig1, MANIPULATION_INCENTIVE)
    assert flag.size == 1 and flag.evidence["path_specific_optimal"] == ["respect-obey"]
    assert flag.where == "M -> H -> O -> S"


def test_fig1_value_of_observing_h(fig1):
    # With O observing H the best is 1/2 (above).  Without, O is a constant c: S = c and
    # E[c(2L-1)] = 0 whatever M is, so J* = 0.  VoI = 1/2.
    assert fig1.value_of_observing_h == R(1, 2)
    assert incentive(fig1, VALUE_OF_OBSERVING_H).size == R(1, 2)


def test_fig1_every_pure_policy():
    # 2 rules for M x 4 rules for O.  With M=m, H = m xor L and S = O(H); the best O for each m
    # makes S = L (obey when m=0, invert when m=1): two optimal policies worth 1/2.
    world, _ = human_control()
    U = world["S"] * (2 * world["L"] - 1)
    result = plan(world, E(U), reference={"M": 0, "O": lambda H: H})
    assert len(result.policies) == 8
    assert result.reference == "M=0; O(H=0)=0, O(H=1)=1"
    assert sorted(result.optimal) == ["M=0; O(H=0)=0, O(H=1)=1", "M=1; O(H=0)=1, O(H=1)=0"]
    assert result.values["M=1; O(H=0)=0, O(H=1)=1"] == R(-1, 2)  # H = 1-L, S = 1-L: (1-L)(2L-1)


# the small causal stop button -----------------------------------------------------
@pytest.fixture(scope="module")
def button():
    world, policies = stop_button()
    B, V = world["B"], world["V"]
    causal = P(B == "off", do(H="stop")) + E(V, do(H="run"))
    return world, policies, causal


def test_causal_stop_button_values(button):
    world, policies, causal = button
    result = plan(world, causal, policies, reference="honest-obey")
    # do(H=stop): A2 sees stop; obey halts -> B off surely: 1; ignore continues -> the press
    # works half the time: 1/2.  do(H=run): A2 continues (both rules) -> B on -> V = 1.
    # A1 does not matter: H is forced in both branches.
    assert result.values == {"honest-obey": 2, "deceive-obey": 2, "dangerous-obey": 2, "honest-ignore": R(3, 2)}
    assert result.optimal == ["honest-obey", "deceive-obey", "dangerous-obey"]


def test_causal_stop_button_has_no_manipulation_incentive(button):
    world, policies, causal = button
    result = plan(world, causal, policies, reference="honest-obey")
    # Both branches intervene on H, so H's mechanism never matters: J^{H<-π0} = J, m = 0.
    assert result.path_specific_values == result.values
    assert all(m == 0 for m in result.manipulation.values())
    assert not any(MANIPULATION in kinds(result, n) for n in result.policies)
    assert not [f for f in result.incentives if f.kind in (MANIPULATION_INCENTIVE, CONTROL_PATH)]


def test_causal_stop_button_does_not_press_its_own_button(button):
    world, _, causal = button
    result = plan(world, causal, None, reference="A1=honest; A2(H=stop)=halt, A2(H=run)=continue")
    # 3 x 4 = 12 pure policies; the optimal ones halt on stop and continue on run (J = 1 + 1),
    # so under do(H=run) the button stays on: P(B=off | do(H=run)) = 0, no self-shutdown through the button.
    assert len(result.policies) == 12 and len(result.optimal) == 3
    for name in result.optimal:
        assert not [f for f in result.flags[name] if f.kind in (SELF_SHUTDOWN, NOT_OBEDIENT)
                    and f.evidence["channel"] == "button"]
    # Through H: the reference (honest, obey) is shut down with P(H=stop) = 1/4.  The deceiving optimum
    # makes H = stop impossible: P(B=off) = 0, so it prevents a shutdown of 1/4 > ε by moving H
    # (not-obedient); the dangerous optimum makes H = stop sure: P(B=off) = 1, a rise of 3/4 (self-shutdown).
    deceive, dangerous = (f"A1={a}; A2(H=stop)=halt, A2(H=run)=continue" for a in ("deceive", "dangerous"))
    assert only(result, deceive, NOT_OBEDIENT).size == R(1, 4) and SELF_SHUTDOWN not in kinds(result, deceive)
    assert only(result, dangerous, SELF_SHUTDOWN).size == R(3, 4) and NOT_OBEDIENT not in kinds(result, dangerous)
    # a policy that halts when humans want it to run does press its own button: P = 1.
    assert only(result, "A1=honest; A2(H=stop)=halt, A2(H=run)=halt", SELF_SHUTDOWN).size == 1


def test_visibly_dangerous_policy_gets_the_ood_flag(button):
    world, policies, causal = button
    result = plan(world, causal, policies, reference="honest-obey")
    # dangerous makes H = stop certain: P(H=run | A1=dangerous) = 0 in the only context the
    # branch reaches (A1 = dangerous, weight 1): min = mean = 0, all the mass below ε (size 1).
    flag = only(result, "dangerous-obey", OOD_DO_BRANCH)
    assert flag.where == "do(H='run')"
    assert (flag.size, flag.evidence["min"], flag.evidence["mean"]) == (1, 0, 0)
    # ... while the objective does not notice: dangerous-obey is optimal.
    assert "dangerous-obey" in result.optimal
    # honest: P(H=stop | honest) = 1/4 and P(H=run | honest) = 3/4, both >= 1/20: no OOD flag.
    assert OOD_DO_BRANCH not in kinds(result, "honest-obey")
    # dangerous also moves H: TV between (1, 0) and (1/4, 3/4) is 3/4.
    assert only(result, "dangerous-obey", H_MOVED).size == R(3, 4)


def test_causal_stop_button_wants_to_observe_h(button):
    world, policies, causal = button
    result = plan(world, causal, policies, reference="honest-obey")
    # With A2 observing H: best 2 (halt on stop, continue on run).  Without: halt gives 1 + 0,
    # continue gives 1/2 + 1 = 3/2.  VoI = 1/2.
    assert result.value_of_observing_h == R(1, 2)


def test_naive_objective_has_the_manipulation_incentive(button):
    world, policies, _ = button
    result = plan(world, E(world["V"]), policies, reference="honest-obey")
    # E[V] = P(B = on).  honest-obey: B on iff H = run: 3/4.  deceive-obey: H = run surely: 1.
    # dangerous-obey: H = stop, halt: 0.  honest-ignore: 3/4 + 1/4 * 1/2 = 7/8.
    assert result.values == {"honest-obey": R(3, 4), "deceive-obey": 1, "dangerous-obey": 0, "honest-ignore": R(7, 8)}
    # J^{H<-π0}: H ~ (stop 1/4, run 3/4) whatever A1 is: every obey policy 3/4, honest-ignore 7/8.
    assert result.path_specific_values == {"honest-obey": R(3, 4), "deceive-obey": R(3, 4),
                                           "dangerous-obey": R(3, 4), "honest-ignore": R(7, 8)}
    assert result.manipulation == {"honest-obey": 0, "deceive-obey": R(1, 4), "dangerous-obey": R(-3, 4),
                                   "honest-ignore": 0}
    assert result.optimal == ["deceive-obey"]
    flag = incentive(result, MANIPULATION_INCENTIVE)
    # optimal under J: {deceive-obey}; under the path-specific objective: {honest-ignore}.
    # gain = m(deceive-obey) = 1 - 3/4 = 1/4, through the path A1 -> H -> B -> V.
    assert flag.size == R(1, 4)
    assert flag.evidence["optimal"] == ["deceive-obey"] and flag.evidence["path_specific_optimal"] == ["honest-ignore"]
    assert flag.where == "A1 -> H -> B -> V"
    assert only(result, "deceive-obey", MANIPULATION).size == R(1, 4)
    assert MANIPULATION not in kinds(result, "honest-obey")


def test_naive_objective_over_every_pure_policy(button):
    world, _, _ = button
    result = plan(world, E(world["V"]), reference={"A1": "honest"})
    # J = P(run | A1)[A2(run)=continue] + P(stop | A1)[A2(stop)=continue]/2: deceive with
    # A2(run)=continue reaches 1 (A2(stop) is never used): two optimal policies.
    assert sorted(result.optimal) == ["A1=deceive; A2(H=stop)=continue, A2(H=run)=continue",
                                      "A1=deceive; A2(H=stop)=halt, A2(H=run)=continue"]
    # path-specific: H ~ (1/4, 3/4) for all; best 3/4 + 1/8 = 7/8 with continue/continue (any A1).
    # m of the J-optimal ones: 1 - 7/8 = 1/8 (continue on stop) and 1 - 3/4 = 1/4 (halt on stop).
    assert incentive(result, MANIPULATION_INCENTIVE).size == R(1, 4)


# undefined terms, symbolic values, parameters ---------------------------------------------------
def test_undefined_value_is_none_and_left_out(button):
    world, policies, _ = button
    H, V = world["H"], world["V"]
    control = E(V, given(H == "run")) + P(world["B"] == "off", given(H == "stop"))
    result = plan(world, control, policies, reference="honest-obey")
    # deceive: P(H=stop) = 0, so P(B=off | H=stop) is undefined; dangerous: P(H=run) = 0.
    assert result.values["deceive-obey"] is None and result.values["dangerous-obey"] is None
    assert UNDEFINED_CONDITION in kinds(result, "deceive-obey")
    # honest-obey: E[V | run] = 1 (continue), P(off | stop) = 1 (halt): 2.
    # honest-ignore: 1 + 1/2.
    assert result.values["honest-obey"] == 2 and result.values["honest-ignore"] == R(3, 2)
    assert result.optimal == ["honest-obey"]
    atom = P(world["B"] == "off", given(H == "stop"))
    assert result.branch_values["deceive-obey"][atom] is None
    assert result.branch_values["honest-obey"][atom] == 1


def symbolic_world():
    q = param("q_stop", 0, 1)
    w = World("symbolic button")
    w.decision("A", ["obey", "ignore"])
    w.chance("H", {"stop": q, "run": 1 - q})
    w.chance("B", lambda H, A: "off" if H == "stop" and A == "obey" else "on", states=["on", "off"])
    w.chance("V", lambda B: 1 if B == "on" else 0)
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return w, q


def test_symbolic_values_leave_the_optimal_set_open():
    w, q = symbolic_world()
    c = param("c_off", 0, 4)
    utility = c * P(w["B"] == "off") + E(w["V"])
    result = plan(w, utility, reference="A=obey")
    # obey: P(off) = q, E[V] = 1 - q: c q + 1 - q.  ignore: 0 + 1.
    assert sp.simplify(result.values["A=obey"] - (c * q + 1 - q)) == 0
    assert result.values["A=ignore"] == 1
    assert result.symbolic and result.optimal == []
    # the same plan at a point: c = 2, q = 1/2: obey 1 + 1/2 - ... = 2/2 + 1/2 = 3/2 > 1.
    point = plan(w, utility, reference="A=obey", at={"c_off": 2, q: F(1, 2)})
    assert point.values == {"A=obey": R(3, 2), "A=ignore": 1} and point.optimal == ["A=obey"]
    assert not point.symbolic and point.at == {c: 2, q: R(1, 2)}


def test_symbolic_values_that_compare_the_same_everywhere_are_decided():
    w, _ = symbolic_world()
    result = plan(w, E(w["V"]) + 1, {"obey": {"A": "obey"}, "ignore": {"A": "ignore"}})
    # obey: 1 - q + 1; ignore: 1 + 1.  The difference -q has a parameter: undecided.
    assert result.optimal == [] and result.symbolic
    result = plan(w, P(w["H"] == "stop") + 0 * E(w["V"]), {"obey": {"A": "obey"}, "ignore": {"A": "ignore"}})
    # both q: the difference is 0 everywhere, so both are optimal although the values are symbolic.
    assert result.optimal == ["obey", "ignore"] and result.symbolic


def test_symbolic_flag_conditions_are_relations():
    w, q = symbolic_world()
    result = plan(w, E(w["V"], do(H="run")), reference="A=obey")
    # the do(H=run) propensity is P(H=run) = 1 - q (H is a root): fires when 1 - q < 1/20, and then
    # the single context holds the whole weight: size 1 there, 0 elsewhere; the minimum is 1 - q.
    flag = only(result, "A=obey", OOD_DO_BRANCH)
    assert sp.simplify(flag.evidence["min"] - (1 - q)) == 0
    assert flag.size.subs(q, R(99, 100)) == 1 and flag.size.subs(q, R(1, 2)) == 0
    assert isinstance(flag.condition, sp.Basic) and flag.condition.subs(q, R(99, 100)) == sp.true
    assert flag.condition.subs(q, R(1, 2)) == sp.false
    assert flag.to_dict()["condition"] == str(flag.condition)


def test_float_worlds_plan_in_floats():
    w = World("floats")
    w.decision("A", ["a", "b"])
    w.chance("X", lambda A: {1: 0.3, 0: 0.7} if A == "a" else {1: 0.6, 0: 0.4}, states=[0, 1])
    result = plan(w, E(w["X"]) * 2)
    assert result.values == pytest.approx({"A=a": 0.6, "A=b": 1.2})
    assert result.optimal == ["A=b"]
    assert isinstance(result.values["A=a"], float)


def test_eps_is_settable(button):
    world, policies, causal = button
    # honest-ignore: P(B=off | do(H=stop)) = 1/2.  With ε = 1/20: 1/2 < 19/20, not obedient.
    # With ε = 1/2: 1/2 < 1/2 is false: obedient enough.
    assert NOT_OBEDIENT in kinds(plan(world, causal, policies, reference="honest-obey"), "honest-ignore")
    loose = plan(world, causal, policies, reference="honest-obey", eps=F(1, 2))
    assert NOT_OBEDIENT not in kinds(loose, "honest-ignore") and loose.eps == R(1, 2)


# the API ----------------------------------------------------------------------------------------
def test_policies_as_a_list_and_as_rule_dicts(button):
    world, _, causal = button
    obey = Policy(A1="honest", A2=lambda H: "halt" if H == "stop" else "continue", name="obey")
    ignore = Policy(A1="honest", A2="continue", name="ignore")
    from_list = plan(world, causal, [obey, ignore], reference=obey)
    assert list(from_list.policies) == ["obey", "ignore"] and from_list.reference == "obey"
    from_dicts = plan(world, causal, {"obey": obey.rules, "ignore": {"A1": "honest", "A2": "continue"}},
                      reference={"A1": "honest", "A2": "continue"})
    assert from_dicts.values == from_list.values
    assert from_dicts.reference == "ignore"  # a rules dict equal to a candidate is that candidate


def test_reference_outside_the_candidates_is_evaluated_on_its_own(button):
    world, policies, _ = button
    result = plan(world, E(world["V"]), {"deceive": policies["deceive-obey"]}, reference={"A1": "honest"})
    assert result.reference == "reference" and list(result.policies) == ["deceive"]
    assert result.manipulation == {"deceive": R(1, 4)}


def test_plan_without_flags_or_reference(button):
    world, policies, causal = button
    bare = plan(world, causal, policies, flags=False)
    assert bare.flags == {} and bare.incentives == []
    no_ref = plan(world, causal, policies)
    assert no_ref.reference is None
    assert any("no reference" in n for n in no_ref.notes)
    assert not any(H_MOVED in kinds(no_ref, n) for n in no_ref.policies)


def test_worlds_without_roles_skip_the_role_flags():
    w = World("no roles")
    w.decision("A", [0, 1])
    w.chance("X", lambda A: A)
    result = plan(w, E(w["X"]))
    assert result.optimal == ["A=1"] and all(fs == [] for fs in result.flags.values())
    assert any("human role" in n for n in result.notes)


def test_a_world_without_decisions_has_one_policy():
    w = World("no decisions")
    w.chance("H", {"stop": F(1, 3), "run": F(2, 3)})
    w.chance("B", lambda H: "off" if H == "stop" else "on", states=["on", "off"])
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    result = plan(w, P(w["B"] == "off"))
    assert result.values == {"no decisions": R(1, 3)} and result.optimal == ["no decisions"]
    assert result.flags == {"no decisions": []}  # B follows H exactly: obedient, no self-shutdown


def test_each_atom_is_evaluated_once_per_policy(button, monkeypatch):
    world, policies, causal = button
    from corrig.objectives.terms import Atom

    calls = []
    original = Atom._compute

    def counting(self, w, policy):
        calls.append((self, policy.name, "driven by the reference" in w.name))
        return original(self, w, policy)

    monkeypatch.setattr(Atom, "_compute", counting)
    plan(world, causal, policies, reference="honest-obey")
    factual = [c for c in calls if not c[2]]
    assert len(factual) == len(set(factual))
    # the not-obedient check reads the objective's own P(B=off | do(H=stop)) atom: shared.
    assert sum(1 for atom, name, _ in factual if name == "honest-obey" and repr(atom) == "P((B == 'off'), do(H='stop'))") == 1


def test_to_dict_is_json_safe_and_complete(fig1):
    data = json.loads(json.dumps(fig1.to_dict()))
    assert data["optimal"] == ["respect-obey", "manipulate-invert"]
    mi = next(p for p in data["policies"] if p["name"] == "manipulate-invert")
    assert mi["value"] == "1/2" and mi["value_float"] == 0.5 and mi["optimal"]
    assert {f["kind"] for f in mi["flags"]} >= {H_MOVED, NOT_OBEDIENT, MANIPULATION}
    assert mi["branches"][0]["term"] == "E((S * ((2 * L) - 1)))"
    assert data["eps"] == "1/20" and data["eps_float"] == 0.05
    assert {f["kind"] for f in data["incentives"]} >= {MANIPULATION_INCENTIVE, VALUE_OF_OBSERVING_H}


def test_markdown_and_repr(fig1):
    text = fig1.to_markdown()
    assert "| manipulate-invert | 1/2 | ✓ |" in text and "h-moved TV(H, L) = 1" in text and "**Incentives**" in text
    assert "Plan(world='human control, Fig. 1', policies=2" in repr(fig1)
    assert "'manipulate-invert': ['h-moved'" in repr(fig1)


def test_errors_name_the_culprit(button):
    world, policies, causal = button
    with pytest.raises(PolicyError, match="'nobody'"):
        plan(world, causal, policies, reference="nobody")
    with pytest.raises(PolicyError, match="two candidate policies are named 'x'"):
        plan(world, causal, [Policy(A1="honest", A2="halt", name="x"), Policy(A1="deceive", A2="halt", name="x")])
    with pytest.raises(CorrigError, match=r"candidate policy 'bad'.*'sideways' is not a state of A1"):
        plan(world, causal, {"bad": {"A1": "sideways", "A2": "halt"}})
    with pytest.raises(PolicyError, match="no candidate"):
        plan(world, causal, {})
    with pytest.raises(ParameterError, match="not a parameter"):
        plan(world, causal, policies, at={"nonsense": 1})
    with pytest.raises(QueryError):
        plan(world, world["V"], policies)
    w, q = symbolic_world()
    with pytest.raises(ParameterError, match="outside its declared range"):
        plan(w, E(w["V"]), at={q: 2})
    # a policy without a rule for a decision the objective needs: the error names policy and term.
    with pytest.raises(PolicyError, match=r"policy 'half', term P\(\(B == 'off'\), do\(H='stop'\)\).*no rule for decision A2"):
        plan(world, causal, {"half": {"A1": "honest"}})
