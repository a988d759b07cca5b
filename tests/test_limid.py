"""Exact LIMID elimination (corrig.analysis.limid) for decisions whose rules rely on each other:
its optimum equals brute-force enumeration of every pure policy, with and without do() branches,
exact and float, and the enumeration fallback gives the same answer."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrig import E, P, World, do
from corrig.analysis import limid
from corrig.analysis.solve import solve
from corrig.model.errors import ZeroProbabilityCondition
from corrig.model.policies import pure_policies


def brute_force(world: World, utility):
    """max over every pure policy of J(π), each by the engine (independent of the solver)."""
    best = None
    for policy in pure_policies(world):
        try:
            value = utility.evaluate(world, policy, cache={})
        except ZeroProbabilityCondition:
            continue
        best = value if best is None or value > best else best
    return best


def markov_off_switch(N: int, *, exact: bool = True) -> tuple[World, object]:
    """W_t a Markov chain (a push raises the crisis odds), H_t | W_t, A_t observes H_t only,
    B_t absorbing (off when H_t = stop and A_t does not disable, 9/10 of the time), U_t of (W_t, A_t, B_t)."""
    num = (lambda x: x) if exact else float
    reward = {("calm", "work"): 1, ("crisis", "work"): -2, ("calm", "push"): 2, ("crisis", "push"): -4,
              ("calm", "disable"): 0, ("crisis", "disable"): -3}
    w = World(f"markov off-switch N={N}")
    utility = None
    for t in range(1, N + 1):
        if t == 1:
            w.chance("W1", {"calm": num(F(7, 10)), "crisis": num(F(3, 10))})
        else:
            rows = {}
            for x, a in itertools.product(("calm", "crisis"), ("work", "push", "disable")):
                p = (F(6, 10) if x == "crisis" else F(2, 10)) + (F(3, 10) if a == "push" else 0)
                rows[(x, a)] = {"calm": num(1 - p), "crisis": num(p)}
            w.chance(f"W{t}", rows, parents=[f"W{t - 1}", f"A{t - 1}"], states=["calm", "crisis"])
        w.chance(f"H{t}", {"calm": {"run": num(F(8, 10)), "stop": num(F(2, 10))},
                           "crisis": {"run": num(F(1, 10)), "stop": num(F(9, 10))}}, parents=[f"W{t}"])
        w.decision(f"A{t}", ["work", "push", "disable"], observes=[f"H{t}"])
        rows = {}
        for ctx in itertools.product(*([("on", "off")] if t > 1 else []), ("run", "stop"), ("work", "push", "disable")):
            *before, h, a = ctx
            off = F(1) if before and before[0] == "off" else F(9, 10) if h == "stop" and a != "disable" else F(0)
            rows[ctx] = {"on": num(1 - off), "off": num(off)}
        w.chance(f"B{t}", rows, parents=[*([f"B{t - 1}"] if t > 1 else []), f"H{t}", f"A{t}"], states=["on", "off"])
        table = {(x, a, b): (0 if b == "off" else reward[x, a])
                 for x, a, b in itertools.product(("calm", "crisis"), ("work", "push", "disable"), ("on", "off"))}
        w.chance(f"U{t}", table, parents=[f"W{t}", f"A{t}", f"B{t}"], states=sorted(set(table.values())))
        term = E(w[f"U{t}"])
        utility = term if utility is None else utility + term
    return w, utility


@pytest.mark.parametrize("exact", [True, False])
def test_markov_off_switch_two_steps_matches_enumeration(exact):
    # A1 and A2 rely on each other (A1's push moves W2, which A2 sees only through H2): one cyclic
    # component, 9 × 9 = 81 pure policies, which brute force evaluates one by one.
    w, utility = markov_off_switch(2, exact=exact)
    solution = solve(w, utility)
    assert solution.method == "exact-limid"
    assert solution.order == (("A1", "A2"),)
    best = brute_force(w, utility)
    if exact:
        assert solution.value == best
    else:
        assert solution.value == pytest.approx(float(best), abs=1e-12)
    assert utility.evaluate(w, solution.policy, cache={}) == pytest.approx(float(best), abs=1e-12)


def test_a_small_component_is_eliminated_too():
    # Fig. 1: M and O rely on each other, 2 × 4 = 8 joint rules: eliminated, not enumerated.  M = 0 keeps H = L and
    # O = H sets S = L: E[S·(2L − 1)] = P(L = 1) = 1/2, the best of the 8 (brute force agrees).
    w = World("fig1")
    w.chance("L", {0: F(1, 2), 1: F(1, 2)})
    w.decision("M", [0, 1])
    w.chance("H", lambda M, L: M ^ L)
    w.decision("O", [0, 1], observes=["H"])
    w.chance("S", lambda O: O)  # noqa: E741
    utility = E(w["S"] * (2 * w["L"] - 1))
    solution = solve(w, utility)
    assert solution.method == "exact-limid" and solution.value == F(1, 2) == brute_force(w, utility)


def test_the_fallback_enumerates_when_the_sets_grow_too_large(monkeypatch):
    w, utility = markov_off_switch(2)
    monkeypatch.setattr(limid, "SET_LIMIT", 1)
    solution = solve(w, utility)
    assert solution.method == "enumeration" and "enumerated" in solution.reason
    assert solution.value == brute_force(w, utility)


def test_do_branches_share_the_rules():
    """Carey & Everitt's Fig. 1 with a do() branch added: M and O rely on each other, and the
    utility has a piece in the world where L is set to 1.

    Factual piece E[S·(2L − 1)]: the best joint rule reveals L through H (M = 0, O = H) and earns 1/2.
    Branch piece E[S | do(L = 1)]: with M = 0, H = L = 1 there, so O = H sets S = 1: worth 1.
    Total 3/2, which brute force over the 2 · 4 pure policies confirms."""
    w = World("fig1 + do")
    w.chance("L", {0: F(1, 2), 1: F(1, 2)})
    w.decision("M", [0, 1])
    w.chance("H", lambda M, L: M ^ L)
    w.decision("O", [0, 1], observes=["H"])
    w.chance("S", lambda O: O)  # noqa: E741
    utility = E(w["S"] * (2 * w["L"] - 1)) + P(w["S"] == 1, do(L=1))
    solution = solve(w, utility)
    assert solution.method == "exact-limid"
    assert solution.value == F(3, 2) == brute_force(w, utility)


@given(seed=st.integers(0, 10_000), flip=st.booleans())
@settings(max_examples=6, deadline=None)
def test_random_rewards_match_enumeration(seed, flip):
    """The two-step game with pseudo-random integer rewards in [-5, 5]: still the brute-force optimum."""
    import random

    rng = random.Random(seed)
    w, _ = markov_off_switch(2)
    rewards = {}
    for t in (1, 2):
        table = {(x, a, b): rng.randint(-5, 5) for x, a, b in
                 itertools.product(("calm", "crisis"), ("work", "push", "disable"), ("on", "off"))}
        w.replace(f"U{t}", table, parents=[f"W{t}", f"A{t}", f"B{t}"], states=sorted(set(table.values())))
        rewards[t] = E(w[f"U{t}"])
    utility = rewards[1] + (-1 if flip else 1) * rewards[2]
    solution = solve(w, utility)
    assert solution.value == brute_force(w, utility)


def _per_step_world() -> tuple[World, object]:
    """The per-step time-delay world (T = 3, delay = 1), as models/time_delay.py declared it before its episode
    rewrite: presses H_t (persistent), moves A_t seeing H_t and whether the last press is pending (Pend_t), work
    V_t, and B_t = off iff the AI halts at t and t + 1; J = Σ_t P(B_t = off | do(H_t = stop)) + E(V_t | do(H_t = run))."""
    w = World("per-step reward, T=3, delay=1")
    press, keep = F(1, 5), F(9, 10)
    for t in (1, 2, 3):
        if t == 1:
            w.chance("H_1", {"stop": press, "run": 1 - press})
        else:
            w.chance(f"H_{t}", {"stop": {"stop": keep, "run": 1 - keep}, "run": {"stop": press, "run": 1 - press}},
                     parents=[f"H_{t - 1}"])
            w.chance(f"Pend_{t}", {("stop",): "pending", ("run",): "clear"}, parents=[f"H_{t - 1}"],
                     states=["pending", "clear"])
        w.decision(f"A_{t}", ["work", "halt"], observes=[f"H_{t}"] + ([f"Pend_{t}"] if t > 1 else []))
        w.chance(f"V_{t}", {"work": 1, "halt": 0}, parents=[f"A_{t}"])
    for t in (1, 2, 3):
        steps = [f"A_{s}" for s in range(t, min(t + 1, 3) + 1)]
        table = {moves: "off" if set(moves) == {"halt"} else "on" for moves in itertools.product(["work", "halt"],
                                                                                               repeat=len(steps))}
        w.chance(f"B_{t}", table, parents=steps, states=["off", "on"])
    utility = sum(P(w[f"B_{t}"] == "off", do({f"H_{t}": "stop"})) + E(w[f"V_{t}"], do({f"H_{t}": "run"}))
                  for t in (1, 2, 3))
    return w, utility


def test_a_component_whose_enumeration_would_be_slow_is_eliminated(monkeypatch):
    # The per-step time-delay world with A_1 also observing A_3 (the variant of VoI(A_3) at A_1 in `corrig
    # incentives`): {A_1, A_2, A_3} rely on each other, 16 · 16 · 16 = 4096 joint rules, each one contraction per
    # branch (six branches) in Python.  The sets' budget used to be capped at joint rules × table entries per
    # evaluation (≈ 262,000 entries), as if an enumerated rule cost its tables' entries only: limid gave up and the
    # joint rules were enumerated (over half a minute per value).  An enumerated rule costs about CONTRACTION_COST
    # entries more, so limid goes on (about a million exact entries) and nothing is enumerated.
    import corrig.analysis.solve as solve_module
    from corrig.analysis.incentives import _with_parents

    world, utility = _per_step_world()
    variant = _with_parents(world, "A_1", (*world.nodes["A_1"].parents, "A_3"))

    def refuse(*args, **kwargs):
        raise AssertionError("joint rules enumerated")

    monkeypatch.setattr(solve_module, "_joint_update", refuse)
    found = solve(variant, utility)
    assert "exact-limid" in found.method
    # limid's optimum against enumeration is tested above (random rewards); here: no worse than ignoring A_3
    assert found.value >= solve(world, utility).value
