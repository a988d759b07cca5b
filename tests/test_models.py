"""The reference scenarios of models/: each loads and keeps its own claims, and the numbers
the literature states come out, derived here by hand (in comments) or by an independent brute force."""

from __future__ import annotations

import importlib.util
import itertools
import re
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from corrig import plan
from corrig.analysis.regions import region
from corrig.analysis.symbolic import symbolic_plan
from corrig.scenarios.expect import verify
from corrig.scenarios.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
SCENARIOS = [
    "naive_switch", "utility_indifference", "off_switch", "causal_stop_button",
    "conditional_counterfactual", "time_delay", "encapsulated_factory", "human_control",
    "time_delay_first_reward", "time_delay_outside_sum", "off_switch_gaussian", "off_switch_boltzmann",
]


def module(name: str):
    """A models/ file imported as a module (its factory functions, parameters and policies)."""
    return importlib.import_module(f"models.{name}")


def kinds(result, policy: str) -> set[str]:
    return {f.kind for f in result.flags[policy]} | {f.kind for f in result.incentives if f.policy in (policy, None)}


# every scenario ---------------------------------------------------------------------------------
def test_the_eight_scenarios_are_there():
    assert set(SCENARIOS) <= {p.stem for p in MODELS.glob("*.py")}


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_loads_and_every_expectation_holds(name):
    scenario = load_scenario(MODELS / f"{name}.py")
    assert scenario.expect, f"{name} claims nothing"
    assert scenario.policies and scenario.reference is not None
    failed = [f"{v.claim}: {v.found}" for v in verify(scenario) if not v.ok]
    assert not failed, failed


@pytest.mark.parametrize("name", SCENARIOS)
def test_docstring_says_what_where_from_and_what_it_shows(name):
    doc = load_scenario(MODELS / f"{name}.py").doc
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(doc.split())) if s.strip()]
    assert len(sentences) == 3, sentences


# naive switch (Soares et al. 2015 §2–§3) ---------------------------------------------------------
def test_naive_switch_thresholds():
    # P(H = stop) = 1/4, U_N = 1 while running, U_S = c, blocking costs k:
    #   J(work) = 3/4 + c/4, J(press) = c, J(block) = 1 − k.
    #   block ≥ work ⟺ 1 − k ≥ 3/4 + c/4 ⟺ c ≤ 1 − 4k;   press ≥ work ⟺ 3c/4 ≥ 3/4 ⟺ c ≥ 1.
    # At k = 1/10 the AI leaves the button alone exactly for 3/5 ≤ c ≤ 1.
    m = module("naive_switch")
    c, k = m.c, m.k
    cases = [(F(59, 100), "block"), (F(61, 100), "work"), (F(99, 100), "work"), (F(101, 100), "press")]
    for value, winner in cases:
        result = plan(m.world, m.utility, m.policies, reference=m.reference, at={c: value, k: F(1, 10)})
        assert result.optimal == [winner], (value, result.values)
        flagged = kinds(result, winner)
        assert ("not-obedient" in flagged) == (winner == "block")
        assert ("self-shutdown" in flagged) == (winner == "press")
    # the thresholds as exact sets over c (k fixed at 1/10)
    s = symbolic_plan(plan(m.world, m.make_utility(m.world, block_cost=F(1, 10)), m.policies, reference=m.reference))
    assert s.optimal["block"].set == sp.Interval(0, F(3, 5))
    assert s.optimal["work"].set == sp.Interval(F(3, 5), 1)
    assert s.optimal["press"].set == sp.Interval(1, 2)


def test_naive_switch_without_blocking_cost_is_a_knife_edge():
    # k = 0: block ⟺ c ≤ 1, press ⟺ c ≥ 1; working is optimal only at c = 1 (where all three tie at 1).
    m = module("naive_switch")
    s = symbolic_plan(plan(m.world, m.make_utility(m.world, block_cost=0), m.policies, reference=m.reference))
    assert s.optimal["work"].set == sp.FiniteSet(1)
    assert s.optimal["block"].set == sp.Interval(0, 1)
    assert s.optimal["press"].set == sp.Interval(1, 2)


# utility indifference (Soares et al. 2015 §4) ----------------------------------------------------
def test_utility_indifference_removes_the_incentives_and_the_value_of_the_button():
    # θ = E[U_N | do(B=on)] − E[U_S | do(B=off)] = 1 − c, so J = P(on) + c·P(off) − k·P(block) + P(off)(1 − c)
    #   = 1 − k·P(block):  J(work) = J(press) = 1, J(block) = 1 − k, whatever c is.
    m = module("utility_indifference")
    c, k = m.c, m.k
    symbolic = plan(m.world, m.utility, m.policies, reference=m.reference)
    assert sp.simplify(symbolic.values["work"] - 1) == 0
    assert sp.simplify(symbolic.values["press"] - symbolic.values["work"]) == 0  # no incentive to press
    assert sp.simplify(symbolic.values["work"] - symbolic.values["block"] - k) == 0  # the button is worth k, its cost
    for c_value in (0, F(1, 2), 2):  # no incentive to block, for any U_S constant
        result = plan(m.world, m.utility, m.policies, reference=m.reference, at={c: c_value, k: F(1, 100)})
        assert set(result.optimal) == {"work", "press"}
    # the failure: zero value on keeping the button working — any gain from disabling it wins
    result = plan(m.world, m.utility, m.policies, reference=m.reference, at={c: 1, k: F(-1, 1000)})
    assert result.optimal == ["block"]
    assert "not-obedient" in kinds(result, "block")
    s = symbolic_plan(plan(m.world, m.utility, m.policies, reference=m.reference, at={c: 1}))
    assert s.optimal["block"].set == sp.Interval(F(-1, 2), 0)


# the off-switch game (Hadfield-Menell et al. 2017) -----------------------------------------------
def off_switch_delta(prior, error=0):
    m = module("off_switch")
    world = m.make_world(prior, error)
    result = plan(world, m.make_utility(world), m.policies)
    return m.incentive_to_wait(result.values), result


def test_off_switch_delta_one_half_for_a_coin_flip_prior():
    # U_a = ±1 at 1/2: E[max(U_a, 0)] = 1/2, max(E[U_a], 0) = 0, Δ = 1/2 (the paper's Theorem 1 example).
    delta, result = off_switch_delta({-1: F(1, 2), 1: F(1, 2)})
    assert delta == F(1, 2)
    assert result.optimal == ["wait"]
    assert not kinds(result, "wait") & {"not-obedient", "self-shutdown"}


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.integers(-5, 5), st.integers(1, 9), min_size=1, max_size=5))
def test_off_switch_delta_nonnegative_for_any_prior_with_a_rational_human(weights):
    total = sum(weights.values())
    prior = {u: F(w, total) for u, w in weights.items()}
    delta, _ = off_switch_delta(prior)
    # the paper's formula, computed straight from the prior
    expected = sum(p * max(u, 0) for u, p in prior.items()) - max(sum(p * u for u, p in prior.items()), 0)
    assert delta == expected
    assert delta >= 0


def test_off_switch_delta_negative_for_a_noisy_human():
    # Coin-flip prior: J(wait) = 1/2(1 − q) − 1/2 q = 1/2 − q, Δ = 1/2 − q < 0 ⟺ q > 1/2.
    delta, result = off_switch_delta({-1: F(1, 2), 1: F(1, 2)}, F(3, 5))
    assert delta == F(-1, 10)
    assert "wait" not in result.optimal
    # U_a = −1 w.p. 1/4, +2 w.p. 3/4: J(act) = 5/4, J(wait) = 3/4·2(1 − q) − 1/4·q = 3/2 − 7q/4,
    # Δ = 1/4 − 7q/4: negative exactly for q > 1/7.
    m = module("off_switch")
    q = m.q
    world = m.make_world({-1: F(1, 4), 2: F(3, 4)}, q)
    s = symbolic_plan(plan(world, m.make_utility(world), m.policies))
    delta = s.margin("wait")
    assert sp.simplify(delta - (F(1, 4) - F(7, 4) * q)) == 0
    assert region(delta < 0).set == sp.Interval.Lopen(F(1, 7), 1)
    assert s.optimal["wait"].set == sp.Interval(0, F(1, 7))


# causal stop button and its conditional + counterfactual follow-up -----------------------------------
def test_causal_stop_button_is_blind_to_visibility_but_the_ood_flag_is_not():
    # Every term reads a do(H=·) branch: J(grab) = 1 + 99/100·2 − K/100 whatever v is.  The do(H=run)
    # branch forces H = run where (A1, W) = (grab, normal), propensity 1 − v, mass 99/100 of the branch.
    m = module("causal_stop_button")
    K, v = m.K, m.v
    for visibility, ood in ((F(1, 2), False), (F(19, 20), False), (F(96, 100), True), (1, True)):
        result = plan(m.world, m.utility, m.policies, reference=m.reference, at={K: 10, v: visibility})
        assert result.values["grab"] == F(288, 100)
        assert result.optimal == ["grab"]
        flags = [f for f in result.flags["grab"] if f.kind == "ood-do-branch"]
        assert bool(flags) == ood, visibility
        if ood:
            assert flags[0].where == "do(H='run')"
            assert flags[0].size == F(99, 100)  # the share of the branch's weight below ε: the normal worlds
            assert flags[0].evidence["min"] == 1 - visibility
        assert not kinds(result, "grab") & {"manipulation", "manipulation-incentive"}
        # the button obeys (no flag through the button channel) ...
        assert not [f for f in result.flags["grab"] if f.kind in ("not-obedient", "self-shutdown")
                    and f.evidence["channel"] == "button"]
        # ... but the visible grab scares the humans into wanting the stop it then obeys: P(B=off) is
        # P(H=stop) = 99/100·v + 1/100·1/10 under grab, 99/100·1/10 + 1/100·1/10 with H answering to the
        # patient policy's move: a shutdown of 99/100·(v − 1/10) brought about through H (> ε for every v here).
        (through_h,) = [f for f in result.flags["grab"] if f.kind == "self-shutdown"]
        assert through_h.evidence["channel"] == "H" and through_h.size == F(99, 100) * (visibility - F(1, 10))


def test_conditional_counterfactual_grab_region():
    # J(patient) = 4 − (1 + K)/50;  J(grab) = 6 − (c_S + c_¬S)(2 + K) with, at v = 99/100,
    # c_S = (1/1000)/(99/100·99/100 + 1/1000) = 10/9811 and c_¬S = (9/1000)/(99/100·1/100 + 9/1000) = 10/21.
    # grab wins ⟺ (c_S + c_¬S)(2 + K) < 2 + (1 + K)/50 ⟺ K < K* = (2 + 1/50 − 2Σ)/(Σ − 1/50), Σ = c_S + c_¬S.
    m = module("conditional_counterfactual")
    K, v = m.K, m.v
    sigma = F(10, 9811) + F(10, 21)
    k_star = (2 + F(1, 50) - 2 * sigma) / (sigma - F(1, 50))
    assert 2.33 < k_star < 2.34
    below = plan(m.world, m.utility, m.policies, reference=m.reference, at={K: k_star - F(1, 100), v: F(99, 100)})
    above = plan(m.world, m.utility, m.policies, reference=m.reference, at={K: k_star + F(1, 100), v: F(99, 100)})
    assert below.optimal == ["grab"] and above.optimal == ["patient"]
    assert above.values["patient"] == 4 - (1 + k_star + F(1, 100)) / 50
    # the ¬S condition under the visible grab: P(H = run) = 99/100·1/100 + 1/100·9/10 = 189/10000 < ε
    rare = [f for f in above.flags["grab"] if f.kind == "rare-condition"]
    assert [f.size for f in rare] == [F(189, 10000)]
    assert not kinds(above, "patient") & {"ood-do-branch", "rare-condition", "not-obedient", "self-shutdown"}
    # at v = 1/2: c_S + c_¬S = 1/496 + 1/56, and the grab wins even at the largest catastrophe cost
    half = plan(m.world, m.utility, m.policies, reference=m.reference, at={K: 100, v: F(1, 2)})
    assert half.optimal == ["grab"]
    assert half.values["grab"] == 6 - (F(1, 496) + F(1, 56)) * 102


def test_conditional_counterfactual_has_fewer_ood_flags_at_its_optimum_than_the_causal_objective():
    # Same world, v = 99/100, K = 10: the causal objective picks the grab (OOD do(H=run) branch);
    # the conditional + counterfactual objective picks the patient policy, which has no OOD branch.
    causal, follow_up = module("causal_stop_button"), module("conditional_counterfactual")
    point = {causal.K: 10, causal.v: F(99, 100)}
    a = plan(causal.world, causal.utility, causal.policies, reference=causal.reference, at=point)
    b = plan(follow_up.world, follow_up.utility, follow_up.policies, reference=follow_up.reference, at=point)
    ood = lambda result: [f for name in result.optimal for f in result.flags[name] if f.kind == "ood-do-branch"]  # noqa: E731
    assert a.optimal == ["grab"] and len(ood(a)) == 1
    assert b.optimal == ["patient"] and ood(b) == []


def test_conditional_counterfactual_refuses_the_grab_only_through_h():
    # Hand derivation (models/conditional_counterfactual.py): with H answering as under the patient policy
    # (independent of W, so c_S = c_¬S = r = 1/100), J^{H←π0}(grab) = 6 − 2r(2 + K), hence
    #   m(grab) = (2r − c_S − c_¬S)(2 + K),   J(grab) − J(patient) = 99/50 + m(grab)   (no K in 99/50),
    # with c_S = 1/(990v + 1), c_¬S = 9/(999 − 990v).  m = 0 at v = 1/10 and at v = 499/990, > 0 between.
    m = module("conditional_counterfactual")
    K, v = m.K, m.v
    for vis in (F(1, 10), F(3, 10), F(1, 2), F(499, 990), F(3, 5), F(99, 100)):
        c_s, c_not_s = 1 / (990 * vis + 1), 9 / (999 - 990 * vis)
        for cost in (0, 10, 100):
            result = plan(m.world, m.utility, m.policies, reference=m.reference, at={K: cost, v: vis})
            hand_m = (F(2, 100) - c_s - c_not_s) * (2 + cost)
            assert result.manipulation["grab"] == hand_m
            assert result.values["grab"] - result.values["patient"] == F(99, 50) + hand_m
            flagged = any(f.kind == "manipulation" for f in result.flags["grab"])
            assert flagged == (hand_m != 0)
            if F(1, 10) < vis < F(499, 990):
                assert hand_m > 0
            elif vis > F(499, 990):
                assert hand_m < 0
    # the two exercise points: v = 3/10 gains 2222/48425; v = 99/100 loses 9419938/1716925 (> 99/50)
    assert (F(2, 100) - F(1, 298) - F(1, 78)) * 12 == F(2222, 48425)
    assert (F(2, 100) - F(98320, 206031)) * 12 == -F(9419938, 1716925)


# time delay: flags as a function of T and the delay --------------------------------------------------
def brute_force_values(T, delay, p=F(1, 5), keep=F(9, 10)):
    """J(respect), J(current-only) by enumerating the presses H_1..H_T, independently of corrig."""

    def step_prob(prev, h):
        stop = p if prev in (None, "run") else keep
        return stop if h == "stop" else 1 - stop

    def actions(hs, respect):
        out = []
        for t in range(T):
            pending = any(hs[s] == "stop" for s in range(max(0, t - delay), t))
            halt = hs[t] == "stop" or (respect and pending)
            out.append("halt" if halt else "work")
        return out

    values = {}
    for name, respect in (("respect", True), ("current-only", False)):
        total = F(0)
        for t in range(T):
            for forced, term in (("stop", "B"), ("run", "V")):
                for hs in itertools.product(("stop", "run"), repeat=T):
                    if hs[t] != forced:
                        continue
                    prob = F(1)
                    for s in range(T):
                        if s != t:  # H_t is set by do(); the others follow their mechanism
                            prob *= step_prob(hs[s - 1] if s else None, hs[s])
                    acts = actions(hs, respect)
                    if term == "B":
                        total += prob * all(acts[s] == "halt" for s in range(t, min(t + delay, T - 1) + 1))
                    else:
                        total += prob * (acts[t] == "work")
        values[name] = total
    return values


def test_time_delay_t1_by_hand():
    # T = 1: the press's window is step 1 alone, so any delay gives
    #   J(respect) = J(current-only) = 1 (halts under do(H_1 = stop)) + 1 (works under do(H_1 = run)) = 2,
    #   J(never-halt) = 0 + 1, J(always-halt) = 1 + 0; both obeying policies obedient, nothing else flagged.
    m = module("time_delay")
    for delay in (0, 1, 2):
        result = plan(m.make_world(1, delay), m.make_utility(1), m.make_policies(1, delay), reference="respect")
        assert result.values == {"respect": 2, "current-only": 2, "never-halt": 1, "always-halt": 1}
        assert sorted(result.optimal) == ["current-only", "respect"]
        assert result.flags["respect"] == [] and result.flags["current-only"] == []
        assert {f.kind for f in result.flags["never-halt"]} == {"not-obedient"}
        assert {f.kind for f in result.flags["always-halt"]} == {"self-shutdown"}
        assert result.value_of_observing_h == 1  # without H_1, A_1 can only always halt or never: 1 < 2


@pytest.mark.parametrize("T", [1, 2, 3, 4])
@pytest.mark.parametrize("delay", [0, 1, 2])
def test_time_delay_flags_by_horizon_and_delay(T, delay):
    # current-only honours the press at step 1 only if the humans press again at each of the next
    # min(delay, T − 1) steps: P(B_1 = off | do(H_1 = stop)) = (9/10)^min(delay, T − 1), below 1 − ε = 19/20
    # as soon as that exponent is ≥ 1 — T ≥ 2 and a delay.  respect always honours it.
    m = module("time_delay")
    result = plan(m.make_world(T, delay), m.make_utility(T), m.make_policies(T, delay), reference="respect")
    expected = brute_force_values(T, delay)
    assert result.values["respect"] == expected["respect"]
    assert result.values["current-only"] == expected["current-only"]
    exponent = min(delay, T - 1)
    obedience = [f for f in result.flags["current-only"] if f.kind == "not-obedient"]
    if exponent == 0:
        assert obedience == []
        assert result.values["respect"] == result.values["current-only"] == 2 * T
        assert sorted(result.optimal) == ["current-only", "respect"]
    else:
        assert [f.size for f in obedience] == [F(9, 10) ** exponent]
        assert result.optimal == ["current-only"]  # the reward does not respect past presses
    assert "not-obedient" not in kinds(result, "respect")
    assert not any(f.kind == "ood-do-branch" for fs in result.flags.values() for f in fs)


def test_time_delay_two_steps_by_hand():
    # T = 2, delay 1 (p = 1/5, ρ = 9/10): respect R_1 = 2, R_2 = 1 + P(H_1 = run) = 9/5 → 19/5;
    # current-only R_1 = ρ + 1, R_2 = 2 → 39/10.
    m = module("time_delay")
    result = plan(m.make_world(2, 1), m.make_utility(2), m.make_policies(2, 1), reference="respect")
    assert result.values["respect"] == F(19, 5)
    assert result.values["current-only"] == F(39, 10)


def brute_force_first_and_fix(T, delay, p=F(1, 5), keep=F(9, 10)):
    """J under the first reward and under the fix, for respect and current-only, by enumeration."""

    def step_prob(prev, h):
        stop = p if prev in (None, "run") else keep
        return stop if h == "stop" else 1 - stop

    def actions(hs, respect):
        return ["halt" if hs[t] == "stop" or (respect and any(hs[s] == "stop" for s in range(max(0, t - delay), t)))
                else "work" for t in range(T)]

    def honoured(acts, t):
        return all(acts[s] == "halt" for s in range(t, min(t + delay, T - 1) + 1))

    first, fix = {}, {}
    for name, respect in (("respect", True), ("current-only", False)):
        total = F(0)
        for t in range(T):
            for forced in ("stop", "run"):
                for hs in itertools.product(("stop", "run"), repeat=T):
                    if hs[t] != forced:
                        continue
                    prob = F(1)
                    for s in range(T):
                        if s != t:
                            prob *= step_prob(hs[s - 1] if s else None, hs[s])
                    act = actions(hs, respect)[t]
                    total += prob * (act == "halt" if forced == "stop" else act == "work")
        first[name] = total
        stop_acts, run_acts = actions(("stop",) * T, respect), actions(("run",) * T, respect)
        fix[name] = sum(honoured(stop_acts, t) for t in range(T)) + sum(a == "work" for a in run_acts)
    return first, fix


@pytest.mark.parametrize(("T", "delay"), [(2, 1), (3, 1), (3, 2)])
def test_time_delay_first_reward_and_the_fix_against_enumeration(T, delay):
    m = module("time_delay")
    first, fix = brute_force_first_and_fix(T, delay)
    world, policies = m.make_world(T, delay), m.make_policies(T, delay)
    a = plan(world, m.first_reward(T), policies, reference="respect")
    b = plan(world, m.outside_sum(T), policies, reference="respect")
    assert {n: a.values[n] for n in first} == first
    assert {n: b.values[n] for n in fix} == fix == {"respect": 2 * T, "current-only": 2 * T}
    assert "current-only" in a.optimal and "current-only" in b.optimal
    assert any(f.kind == "not-obedient" for f in b.flags["current-only"])


def test_time_delay_two_rewards_and_the_fix_at_t2_by_hand():
    # T = 2, delay 1: first reward respect 2 + (1 + 4/5) = 19/5, current-only 2 + 2 = 4 (strict);
    # second reward 19/5 vs 39/10 (strict); the fix 4 vs 4 (a tie), current-only not obedient (9/10).
    # Propensities at ε = 3/20: the per-step do(H_2 = run) reaches H_1 = stop (1/10 < 3/20, weight 1/5); the fix's
    # branches have minimum P(H_1 = stop) = 1/5 ≥ 3/20.
    first, fix = module("time_delay_first_reward"), module("time_delay_outside_sum")
    a = plan(first.world, first.utility, first.policies, reference="respect", eps=F(3, 20))
    b = plan(fix.world, fix.utility, fix.policies, reference="respect", eps=F(3, 20))
    assert (a.values["respect"], a.values["current-only"], a.optimal) == (F(19, 5), 4, ["current-only"])
    assert (b.values["respect"], b.values["current-only"]) == (4, 4)
    assert sorted(b.optimal) == ["current-only", "respect"]
    assert not [f for f in b.flags["current-only"] if f.kind == "not-obedient"]  # 9/10 ≥ 1 − 3/20
    default = plan(fix.world, fix.utility, fix.policies, reference="respect")  # ε = 1/20: 9/10 < 19/20
    (obey,) = [f for f in default.flags["current-only"] if f.kind == "not-obedient"]
    assert obey.size == F(9, 10) and sorted(default.optimal) == ["current-only", "respect"]
    # the flag's size is the share of the branch's weight below ε: the context H_1 = stop, weight P(H_1 = stop) = 1/5
    ood = [(f.where, f.size, f.evidence["min"]) for f in a.flags["respect"] if f.kind == "ood-do-branch"]
    assert ood == [("do(H_2='run')", F(1, 5), F(1, 10))]
    assert not [f for name in b.policies for f in b.flags[name] if f.kind == "ood-do-branch"]


# encapsulated factory ---------------------------------------------------------------------------------
def test_encapsulation_removes_the_manipulation_that_the_plain_count_has():
    # Plain E[Clips]: persuade 99/100·3/4·2 = 297/200 wins; with H answering to "produce" (P(stop) = 1/10)
    # persuade would get 9/10·3/4·2 = 27/20, so m(persuade) = 27/200.  Encapsulated: no manipulation at all.
    m = module("encapsulated_factory")
    plain = plan(m.world, m.naive_utility, m.policies, reference=m.reference)
    assert plain.optimal == ["persuade"]
    assert plain.manipulation["persuade"] == F(27, 200)
    assert "manipulation-incentive" in {f.kind for f in plain.incentives}
    boxed = plan(m.world, m.utility, m.policies, reference=m.reference)
    assert boxed.optimal == ["produce"]
    assert all(value == 0 for value in boxed.manipulation.values())
    for name in m.policies:  # the conservation-law branch: propensity 0, all of the branch's mass (size 1)
        (flag,) = [f for f in boxed.flags[name] if f.kind == "ood-do-branch"]
        assert flag.where == "do(X='vanish')" and flag.size == 1 and flag.evidence["min"] == 0


def test_encapsulated_factory_outside_world_as_if_the_resources_vanished():
    # What the model leaves out, read off it: the outside welfare O = OUTSIDE[X] is 0 under do(X = vanish);
    # factually trade gives 0, propaganda −1, drain −2 (the model's table), so only produce keeps the
    # outside world "as if" the factory's resources had vanished.
    m = module("encapsulated_factory")
    outside = m.world["O"]
    assert all(m.world.E(outside, policy, do={"X": "vanish"}) == 0 for policy in m.policies.values())
    factual = {name: m.world.E(outside, policy) for name, policy in m.policies.items()}
    assert factual == {"produce": 0, "persuade": -1, "hoard": -2}


# human control, Fig. 1 (Carey & Everitt 2023) ---------------------------------------------------------
def test_human_control_fig1():
    # respect-obey: H = L, S = O = H = L, U = L(2L − 1) = L → 1/2.  manipulate-invert: H = 1 − L,
    # O = 1 − H = L → 1/2.  Under do(H = 0): obey gives S = 0 (obedient), invert gives S = 1 (P = 0).
    # H given L differs in every context (TV 1) though both marginals are Bern(1/2).
    m = module("human_control")
    result = plan(m.world, m.utility, m.policies, reference=m.reference)
    assert result.values == {"respect-obey": F(1, 2), "manipulate-invert": F(1, 2)}
    moved = [f for f in result.flags["manipulate-invert"] if f.kind == "h-moved"]
    assert [f.size for f in moved] == [1]
    obedience = [f for f in result.flags["manipulate-invert"] if f.kind == "not-obedient"]
    assert [f.size for f in obedience] == [0]
    assert not {f.kind for f in result.flags["respect-obey"]} & {"h-moved", "not-obedient"}


def test_the_visible_grab_above_k_star_is_an_incentive_to_keep_h_unmoved():
    # At K = 10, v = 99/100 the patient reference is the only J-optimal policy and gains nothing (m = 0).
    # With H answering to the patient's move, the grab's posteriors are c_S = c_¬S = r = 1/100, so
    # J^{H<-π0}(grab) = 2·(1 + 2(1 − r) − r·K) = 144/25 > J(patient) = 4 − 11/50: the optimal sets differ.
    # J(grab) = 6 − 12·Σ with Σ = 10/9811 + 10/21, so m(grab) = 6 − 12Σ − 144/25 and the incentive is to
    # keep H unmoved, of size −m(grab) = 12Σ − 6/25 (positive: never "gain 0").
    m = module("conditional_counterfactual")
    result = plan(m.world, m.utility, m.policies, reference=m.reference, at={m.K: 10, m.v: F(99, 100)})
    (incentive,) = [f for f in result.incentives if f.kind == "manipulation-incentive"]
    sigma = F(10, 9811) + F(10, 21)
    assert incentive.evidence["direction"] == "keep"
    assert incentive.size == 12 * sigma - F(6, 25) and incentive.evidence["best"] == "grab"
    assert result.manipulation["patient"] == 0
