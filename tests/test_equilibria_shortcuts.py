"""The equilibria shortcuts (gains and profile values read from one joint distribution) against the
straightforward evaluation of the objective under each rule, on random small games.

The second code path is corrig's own evaluation (objective.evaluate under a Policy, one contraction
per rule or profile), which the shortcuts must reproduce exactly: the same sympy objects, so that
every comparison, tie and condition downstream is the same.
"""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corrig.analysis.equilibria as equilibria
import corrig.analysis.profiles as profiles
from corrig import E, P, Policy, World, do, param
from corrig.analysis.equilibria import pure_nash, responses, subgame_perfect
from corrig.analysis.game_shortcuts import _gains_by_evaluation, _gains_from_joint, uniform_rule
from corrig.analysis.profiles import Game
from corrig.objectives.terms import given as given_

PRIOR = param("p_shortcut", 0, 1)
WEIGHT = param("k_shortcut", -1, 1)


@st.composite
def small_game(draw):
    prior = draw(st.sampled_from([F(1, 3), F(1, 2), PRIOR]))
    ai_sees_c = draw(st.booleans())
    human_sees = draw(st.lists(st.sampled_from(["C", "D1"]), unique=True, max_size=2))
    payoffs = {k: draw(st.integers(-2, 2)) for k in itertools.product([0, 1], repeat=3)}
    ai_payoffs = {k: draw(st.integers(-2, 2)) for k in itertools.product([0, 1], repeat=3)}
    objective = draw(st.sampled_from(["E", "weighted", "symbolic", "do", "given"]))
    ai_rule = draw(st.sampled_from(["pure", "mixed"]))
    return prior, ai_sees_c, human_sees, payoffs, ai_payoffs, objective, ai_rule


def build(spec, first="ai"):
    prior, ai_sees_c, human_sees, payoffs, ai_payoffs, kind, _ = spec
    w = World("shortcut game")
    w.chance("C", {0: 1 - prior, 1: prior})
    w.decision("D1", [0, 1], observes=["C"] if ai_sees_c else [], agent=first)
    w.decision("D2", [0, 1], observes=sorted(human_sees, key=["C", "D1"].index), agent="human")
    w.chance("U", lambda C, D1, D2: payoffs[(C, D1, D2)], states=[-2, -1, 0, 1, 2])
    w.chance("V", lambda C, D1, D2: ai_payoffs[(C, D1, D2)], states=[-2, -1, 0, 1, 2])
    u = w["U"]
    objective = {
        "E": E(u),
        "weighted": 2 * E(u) - P(u == 1) * F(1, 3) + 3,  # linear: constant multiples of atoms plus a constant
        "symbolic": E(u) * WEIGHT + P(u > 0),
        "do": E(u, do(C=1)) + E(u),
        "given": E(u, given_(w["C"] == 1)),  # a conditional: not linear in the rule, so no shortcut
    }[kind]
    return w, objective, E(w["V"])


def ai_rules(spec, world):
    if spec[-1] == "mixed":
        dist = {0: F(1, 3), 1: F(2, 3)}
        return {"D1": dist if not world.nodes["D1"].parents else {(c,): dist for c in (0, 1)}}
    return {"D1": 1 if not world.nodes["D1"].parents else {(0,): 1, (1,): 0}}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_game())
def test_joint_gains_equal_evaluated_gains(spec):
    world, objective, _ = build(spec)
    rules = ai_rules(spec, world)
    levels = (rules, {**rules, "D1": uniform_rule(world, "D1")})
    fast = _gains_from_joint(world, objective, "D2", levels)
    slow = _gains_by_evaluation(world, objective, "D2", levels)
    if spec[5] == "given":
        assert fast is None
    else:
        assert fast is not None  # the shortcut applies: linear objective, exact world
        fast = fast[0]
        assert fast == slow  # structural sympy equality, entry by entry
        assert all(type(a) is type(b) for c in fast for x, y in zip(fast[c].values(), slow[c].values(), strict=True)
                   for a, b in zip(x, y, strict=True))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_game())
def test_profile_values_equal_evaluation(spec):
    world, human, ai = build(spec)
    game = Game(world, {"ai": ai, "human": human}, decisions={"ai": ["D1"], "human": ["D2"]})
    for profile in game.profiles():
        policy = game.policy(profile)
        values = game.values(profile)
        for agent, objective in game.objectives.items():
            direct = objective.evaluate(world, Policy(dict(policy.rules)))
            assert values[agent] == direct and type(values[agent]) is type(direct)
    # the shortcut never runs on a conditional, and always where every number is rational (a symbolic
    # coefficient is applied by the objective itself, to the atoms' values); with a symbolic prior
    # it runs only where the weights happen to be rational
    if spec[5] == "given":
        assert not game._weights
    elif spec[0] != PRIOR:
        assert game._weights


def described(found):
    """Everything an equilibrium list says, as plain data (sympy objects compared structurally)."""
    return [(e.name, dict(e.policy.rules), dict(e.values), e.condition) for e in found]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_game())
def test_responses_equal_the_unshortened_computation(spec):
    # the second path: the same functions with both shortcuts switched off (every gain and value evaluated)
    world, human, ai = build(spec, first=None)
    rule = ai_rules(spec, world)["D1"]
    fast = responses(world, ai, Policy(D1=rule), objectives={"human": human})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(equilibria, "_gains_from_joint", lambda *args: None)
        slow = responses(world, ai, Policy(D1=rule), objectives={"human": human})
    assert described(fast) == described(slow)
    assert [type(v) for e in fast for v in e.values.values()] == [type(v) for e in slow for v in e.values.values()]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_game())
def test_equilibria_equal_the_unshortened_computation(spec):
    world, human, ai = build(spec)
    goals = {"ai": ai, "human": human}
    fast = described(pure_nash(world, objectives=goals)), described(subgame_perfect(world, objectives=goals))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(profiles, "_profile_weights", lambda game: False)
        slow = described(pure_nash(world, objectives=goals)), described(subgame_perfect(world, objectives=goals))
    assert fast == slow


def test_float_world_is_evaluated():
    w = World("floats")
    w.chance("C", {0: 0.25, 1: 0.75})
    w.decision("D1", [0, 1])
    w.decision("D2", [0, 1], observes=["C"], agent="human")
    w.chance("U", lambda C, D2: int(C == D2), states=[0, 1])
    levels = ({"D1": 0}, {"D1": uniform_rule(w, "D1")})
    assert _gains_from_joint(w, E(w["U"]), "D2", levels) is None
    gains = _gains_by_evaluation(w, E(w["U"]), "D2", levels)
    # by hand: with D2 = 0 everywhere U = 1 iff C = 0; switching context C = 1 to 1 gains 0.75, C = 0 to 1 loses 0.25
    assert gains[(1,)][1][0] == sp.Float(0.75) or abs(float(gains[(1,)][1][0]) - 0.75) < 1e-12
    assert abs(float(gains[(0,)][1][0]) + 0.25) < 1e-12
