"""Each flag of docs/flags.md on a small world, with its size and evidence derived by hand."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
import sympy as sp
from planner_worlds import human_control, recommender, stop_button

from corrig import E, Flag, P, Policy, World, do, given, observed, plan
from corrig.analysis import planner as planner_module
from corrig.analysis.cid import policy_dependent_ancestry
from corrig.analysis.flags import (
    CONTROL_PATH,
    KINDS,
    OOD_DO_BRANCH,
    RARE_CONDITION,
    UNDEFINED_CONDITION,
    VALUE_OF_OBSERVING_H,
    compare,
    control_paths,
    instrumental_control_nodes,
)
from corrig.analysis.planner import path_specific_world
from corrig.inference.counterfactual import apply_policy
from corrig.model.errors import PolicyError

R = sp.Rational


def obey(H: str) -> str:
    return "halt" if H == "stop" else "continue"


def flags_of(result, name, kind):
    return [f for f in result.flags[name] if f.kind == kind]


# out-of-distribution do-branches ----------------------------------------------------------------
def test_ood_propensity_over_the_contexts_a_branch_reaches():
    world, _ = stop_button()
    V = world["V"]
    mixed = Policy(A1={"honest": F(1, 2), "dangerous": F(1, 2)}, A2=obey)
    utility = E(V, do(H="run")) + E(V, observed(H="stop") >> do(H="run")) + E(V, observed(H="run") >> do(H="run"))
    result = plan(world, utility, {"mixed": mixed})
    ood = {f.where: f for f in flags_of(result, "mixed", OOD_DO_BRANCH)}
    # do(H=run): contexts of pa(H) = (A1,) with P(A1): honest 1/2, dangerous 1/2 (deceive 0: not reached).
    # Propensities P(H=run | A1): honest 3/4, dangerous 0.  min 0, mean 1/2*3/4 = 3/8, share below ε 1/2:
    # the size is the share (half of the branch's weight sits where H=run never happens).
    factual = ood["do(H='run')"]
    assert (factual.size, factual.evidence["min"], factual.evidence["mean"]) == (R(1, 2), 0, R(3, 8))
    assert factual.evidence["share_below_eps"] == factual.size
    assert factual.evidence["contexts_below_eps"] == [{"context": {"A1": "dangerous"}, "propensity": 0, "weight": R(1, 2)}]
    # observed(H=stop) >> do(H=run): contexts weighted by P(A1 | H=stop).  P(H=stop) = 1/2*1/4 + 1/2*1 = 5/8,
    # P(honest | stop) = (1/8)/(5/8) = 1/5, P(dangerous | stop) = 4/5: min 0, mean 1/5*3/4 = 3/20, share 4/5.
    cf = ood["observed(H='stop') >> do(H='run')"]
    assert (cf.size, cf.evidence["min"], cf.evidence["mean"]) == (R(4, 5), 0, R(3, 20))
    # observed(H=run) >> do(H=run): only honest can produce H=run, so P(honest | run) = 1 and the
    # propensity there is 3/4: the conditioned branch stays on distribution, no flag.
    assert "observed(H='run') >> do(H='run')" not in ood


def test_ood_on_a_root_has_the_single_empty_context():
    world, _ = human_control()
    # L is a root with P(L=1) = 1/2: the propensity of do(L=1) is 1/2 < ε = 3/5 in the single context (),
    # which carries all the branch's weight: share 1 (the size), minimum 1/2.
    result = plan(world, E(world["S"], do(L=1)), {"obey": {"M": 0, "O": lambda H: H}}, eps=F(3, 5))
    flag = flags_of(result, "obey", OOD_DO_BRANCH)[0]
    assert flag.size == 1 and flag.evidence["parents"] == [] and flag.evidence["min"] == R(1, 2)


def test_ood_on_a_decision_uses_the_policy_rule():
    world, _ = stop_button()
    # do(A2=halt) under obey: P(A2=halt | H) = 1 if H = stop else 0.  Honest reaches both contexts
    # (stop 1/4, run 3/4): min 0, mean 1/4, share of mass below ε 3/4 (the size).
    result = plan(world, E(world["V"], do(A2="halt")), {"honest-obey": Policy(A1="honest", A2=obey)})
    flag = flags_of(result, "honest-obey", OOD_DO_BRANCH)[0]
    assert (flag.size, flag.evidence["min"], flag.evidence["mean"]) == (R(3, 4), 0, R(1, 4))


# rare and undefined conditions ------------------------------------------------------------------
def test_rare_condition():
    world, _ = stop_button()
    V = world["V"]
    rarely_honest = Policy(A1={"honest": F(1, 25), "dangerous": F(24, 25)}, A2=obey)
    result = plan(world, E(V, given(H="run")) + P(world["B"] == "off", given(H="stop")), {"grab": rarely_honest})
    # P(H=run) = 1/25 * 3/4 = 3/100 < 1/20: rare.  P(H=stop) = 1/25 * 1/4 + 24/25 = 97/100: fine.
    rare = flags_of(result, "grab", RARE_CONDITION)
    assert len(rare) == 1 and rare[0].size == R(3, 100) and rare[0].where == "given(H='run')"
    # the value is still defined: E[V | run] = 1 (obey continues), P(off | stop) = 1 (obey halts).
    assert result.values["grab"] == 2 and not flags_of(result, "grab", UNDEFINED_CONDITION)


def test_undefined_counterfactual_condition():
    world, _ = stop_button()
    H, B, V = world["H"], world["B"], world["V"]
    # tailcalled's conditional + counterfactual objective, unweighted sum over the observed H.
    utility = sum(P(B == "off", observed(H=h) >> do(H="stop")) + E(V, observed(H=h) >> do(H="run")) for h in H.states)
    result = plan(world, utility, {"honest": Policy(A1="honest", A2=obey), "deceive": Policy(A1="deceive", A2=obey)})
    # deceive: P(H=stop) = 0, so both observed(H=stop) terms are undefined, and so is J.
    undefined = flags_of(result, "deceive", UNDEFINED_CONDITION)
    assert [f.where for f in undefined] == ["observed(H='stop')"] and undefined[0].size == 0
    assert len(undefined[0].evidence["terms"]) == 2
    assert result.values["deceive"] is None and result.optimal == ["honest"]
    # honest: each counterfactual copy of A2 obeys the forced H: B_stop is off (1), V_run is 1 (on):
    # Control(stop) = Control(run) = 1 + 1, J = 4.
    assert result.values["honest"] == 4


def test_symbolic_condition_may_be_undefined():
    from corrig import World, param

    q = param("q_cond", 0, 1)
    w = World("maybe undefined")
    w.decision("A", ["a"])
    w.chance("H", {"stop": q, "run": 1 - q})
    w.chance("V", lambda H: 1 if H == "run" else 0)
    result = plan(w, E(w["V"], given(H="stop")))
    kinds = {f.kind: f for f in result.flags["A=a"]}
    assert kinds[UNDEFINED_CONDITION].condition == sp.Eq(q, 0)
    # rare means 0 < P < ε: at q = 0 the term is undefined, not rare
    assert kinds[RARE_CONDITION].condition == sp.And(sp.Lt(q, R(1, 20)), sp.Ne(q, 0))


# control paths (graphical pre-check) ------------------------------------------------------------
def test_recommender_control_paths():
    world = recommender()
    utility = E(world["C"])
    # PyCID's content recommender: P -> I -> C is an instrumental control incentive on I; O is
    # upstream of P, so there is no path P -> ... -> O.
    paths = control_paths(world, utility, "I")
    assert [f.where for f in paths] == ["P -> I -> C"] and paths[0].kind == CONTROL_PATH
    assert control_paths(world, utility, "O") == []
    # PyCID's admits_ici_list(P) is {I, P, C} (tests/test_analyze.py TestAdmitsIciList): the decision
    # itself lies on its path P -> C.
    assert instrumental_control_nodes(world, utility) == {"P": ["P -> C"], "I": ["P -> I -> C"], "C": ["P -> C"]}


def test_control_paths_respect_the_branches():
    world, _ = stop_button()
    B, V = world["B"], world["V"]
    # do(H=...) cuts A1 -> H: no control path in the causal objective.
    assert control_paths(world, P(B == "off", do(H="stop")) + E(V, do(H="run"))) == []
    # the factual objective reads V downstream of H.
    assert [f.where for f in control_paths(world, E(V))] == ["A1 -> H -> B -> V"]
    # a counterfactual branch reads the observation in the factual world: A1 -> H, H observed.
    cf = control_paths(world, E(V, observed(H="stop") >> do(H="run")))
    assert [f.where for f in cf] == ["A1 -> H"]


# value of observing H ---------------------------------------------------------------------------
def test_value_of_observing_h_needs_a_decision_after_h():
    world, _ = human_control()
    result = plan(world.do(O=1), E(world["S"]), {"m0": {"M": 0}})
    # with O fixed by do() only M is a decision, and it is upstream of H.
    assert result.value_of_observing_h is None and any("no decision can observe H" in n for n in result.notes)


def test_value_of_observing_h_skipped_over_the_limit(monkeypatch):
    # with a parameter left the two variants' pure policies are enumerated: over the limit, skipped
    from corrig import param

    world, policies = human_control()
    c = param("c_voi", 0, 2)
    monkeypatch.setattr(planner_module, "VOI_POLICY_LIMIT", 3)
    result = plan(world, c * E(world["S"]), policies, reference="respect-obey")
    assert result.value_of_observing_h is None and any("VOI_POLICY_LIMIT" in n for n in result.notes)
    assert not [f for f in result.incentives if f.kind == VALUE_OF_OBSERVING_H]


def test_value_of_observing_h_by_solve_needs_no_enumeration(monkeypatch):
    # Without parameters both optima come from corrig.analysis.solve, so the enumeration limit does not
    # apply.  Fig. 1, U = S·(2L − 1): with O observing H the best is M = 0, O = H (S = L): E[U] = 1/2;
    # without H, O is blind: S is independent of L and E[U] = 0 for every rule.  Value: 1/2 − 0 = 1/2.
    world, policies = human_control()
    utility = E(world["S"] * (2 * world["L"] - 1))
    monkeypatch.setattr(planner_module, "VOI_POLICY_LIMIT", 3)
    enumerated = []
    monkeypatch.setattr(planner_module, "pure_policies", lambda *a, **k: enumerated.append(1) or iter(()))
    result = plan(world, utility, policies, reference="respect-obey")
    assert result.value_of_observing_h == sp.Rational(1, 2)
    assert enumerated == []
    assert [f.size for f in result.incentives if f.kind == VALUE_OF_OBSERVING_H] == [sp.Rational(1, 2)]


# the path-specific world ------------------------------------------------------------------------
def test_path_specific_world_feeds_h_from_the_reference_copy():
    world, policies = human_control()
    dependent, context = policy_dependent_ancestry(world, "H")
    assert dependent == ["M", "H"] and context == ["L"]
    derived = path_specific_world(world, policies["manipulate-invert"], apply_policy(world, policies["respect-obey"]),
                                  "H", dependent)
    assert derived.nodes["H"].parents == ("M_ref", "L")
    # H now follows the reference (M_ref = 0): H = L, so P(H = L) = 1.
    assert derived.P((derived["H"] == 0) & (derived["L"] == 0)) == R(1, 2)


def test_stochastic_nodes_between_a_decision_and_h_are_noted():
    from corrig import World

    w = World("noisy persuasion")
    w.decision("D", ["talk", "quiet"])
    w.chance("X", lambda D: {"swayed": F(1, 2), "not": F(1, 2)} if D == "talk" else "not", states=["swayed", "not"])
    w.chance("H", lambda X: "run" if X == "swayed" else "stop", states=["stop", "run"])
    w.chance("V", lambda H, X: 1 if H == "run" else 0)
    w.set_roles(human="H", stop="stop", run="run")
    result = plan(w, E(w["V"]), reference="D=quiet")
    assert any("X is stochastic" in n and "with_explicit_noise" in n for n in result.notes)
    # talk: P(H=run) = 1/2, so E[V] = 1/2; with H fed by the quiet copy (X_ref = not): H = stop, 0.
    assert result.manipulation == {"D=talk": R(1, 2), "D=quiet": 0}
    structural = plan(w.with_explicit_noise(), E(w["V"]), reference="D=quiet")
    assert not any("stochastic" in n for n in structural.notes)
    assert structural.manipulation == {"D=talk": R(1, 2), "D=quiet": 0}


def test_reference_without_a_rule_upstream_of_h():
    world, policies = human_control()
    with pytest.raises(PolicyError, match="no rule for decision M"):
        plan(world, E(world["S"]), policies, reference={"O": lambda H: H})


# the Flag object --------------------------------------------------------------------------------
def test_flag_is_frozen_hashable_and_serialisable():
    world, policies = human_control()
    result = plan(world, E(world["S"] * (2 * world["L"] - 1)), policies, reference="respect-obey")
    flags = result.all_flags()
    assert {f.kind for f in flags} <= set(KINDS)
    assert len(set(flags)) == len(flags)
    flag = flags[0]
    with pytest.raises(AttributeError):
        flag.size = 3  # type: ignore[misc]
    data = json.loads(json.dumps([f.to_dict() for f in flags]))
    assert all(d["explanation"].endswith(".") for d in data)
    assert flag.to_markdown().startswith(f"- **{flag.kind}**")
    assert repr(flag).startswith(f"Flag({flag.kind!r}, policy=")
    manual = Flag("h-moved", "p", "H", R(1, 3), "It moved.", {"tv": R(1, 3)})
    assert manual.to_dict()["size"] == "1/3" and manual.to_dict()["size_float"] == pytest.approx(1 / 3)
    assert manual.to_dict()["evidence"] == {"tv": "1/3"} and manual.condition is True


def test_compare_with_floats_and_parameters():
    assert compare("<", 0.05 - 1e-12, 0.05) is False  # within the float tolerance
    assert compare("<", R(1, 21), R(1, 20)) is True
    assert compare("!=", 0.1 + 0.2, 0.3) is False
    p = sp.Symbol("p", real=True)
    assert compare("<", p, R(1, 20)) == sp.Lt(p, R(1, 20))
    assert compare("!=", p - p, 0) is False


def test_observing_the_forced_value_is_a_condition_not_an_ood_branch():
    # H = run with probability 1/100; V = 1 when H = run, else 0.
    # observed(H=run) >> do(H=run) sets H to the value it was seen to have: the branch is given(H=run),
    # on the observed distribution. It is a rare condition (P(H=run) = 1/100 < ε = 1/20), not an OOD branch.
    # The plain do(H=run) branch forces a value of propensity 1/100 < ε in its only context (H is a root):
    # an OOD branch whose whole weight is below ε (size 1), minimum 1/100.
    world = World("rarely run")
    world.chance("H", {"stop": F(99, 100), "run": F(1, 100)})
    V = world.chance("V", lambda H: 1 if H == "run" else 0)
    counterfactual = plan(world, E(V, observed(H="run") >> do(H="run")))
    kinds = {f.kind for f in counterfactual.flags[next(iter(counterfactual.policies))]}
    assert "ood-do-branch" not in kinds and "rare-condition" in kinds
    interventional = plan(world, E(V, do(H="run")))
    (ood,) = [f for f in interventional.flags[next(iter(interventional.policies))] if f.kind == "ood-do-branch"]
    assert ood.size == 1 and ood.evidence["min"] == sp.Rational(1, 100)


def test_symbolic_ood_condition_ignores_contexts_whose_weight_vanishes():
    # nudge world (tests/symbolic_worlds.py): do(H=run) reaches (W, M) = (calm, honest) with weight 1 − a and
    # (alarm, honest) with weight a; P(H=run) is 1 − h in calm and 0 in an alarm.  At a = 0 the alarm is
    # not reached, so with h = 1/2 (propensity 1/2 ≥ ε) nothing is below ε: no flag — although the minimum
    # over all contexts, 0, is.  At a = 1/3, h = 0: the alarm holds 1/3 of the weight below ε (size 1/3).
    from symbolic_worlds import A_NUDGE, H_NUDGE, nudge_world

    from corrig.analysis.conditions import holds_at

    world, utility, policies = nudge_world()
    result = plan(world, utility, policies, reference="honest")
    (ood,) = [f for f in result.flags["honest"] if f.kind == OOD_DO_BRANCH]
    assert not holds_at(ood.condition, {A_NUDGE: 0, H_NUDGE: R(1, 2)})
    assert holds_at(ood.condition, {A_NUDGE: R(1, 3), H_NUDGE: 0})
    assert ood.size.subs({A_NUDGE: R(1, 3), H_NUDGE: 0}) == R(1, 3)
    assert ood.size.subs({A_NUDGE: 0, H_NUDGE: R(1, 2)}) == 0
