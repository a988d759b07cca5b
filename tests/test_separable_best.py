"""The best value with parameters when a decision is a sink read linearly (corrig.analysis.separable_best): against
the Max over every pure policy enumerated in the test, and the value of control of Clips derived by hand."""

from __future__ import annotations

import itertools
from fractions import Fraction as F
from pathlib import Path

import sympy as sp

from corrig import E, P, Policy, World, do, given, observed, param
from corrig.analysis.incentives import value_of_control
from corrig.analysis.separable_best import linear_sinks, separable_best
from corrig.scenarios.load import load_scenario

MODELS = Path(__file__).resolve().parent.parent / "models"
p = param("p", 0, 1)
q = param("q", 0, 1)
k = param("k", 0, 3)


def small_world() -> tuple[World, object]:
    """W (a w.p. p) -> D (observes W) -> Y (good w.p. q after r, bad after l when W = b); X (a sink: 0, 1 or 2)
    observes D and Y; J = E(X) - k·P(Y = bad) + P(Y = good | do(W = a))."""
    w = World("small")
    w.chance("W", {"a": p, "b": 1 - p})
    w.decision("D", ["l", "r"], observes=["W"])
    w.chance("Y", lambda D, W: {"good": q, "bad": 1 - q} if D == "r" else
             ({"good": 1, "bad": 0} if W == "a" else {"good": 0, "bad": 1}), states=["good", "bad"])
    w.decision("X", [0, 1, 2], observes=["D", "Y"])
    utility = E(w["X"]) - k * P(w["Y"] == "bad") + P(w["Y"] == "good", do(W="a"))
    return w, utility


def test_the_sink_decision_is_maximised_context_by_context_as_enumeration_finds():
    world, utility = small_world()
    assert linear_sinks(world, utility) == ["X"]
    best = separable_best(world, utility, limit=4096)
    # every pure policy: 4 rules for D times 3^4 rules for X, each valued exactly, the largest at each point
    d_rules = [dict(zip(["a", "b"], c, strict=True)) for c in itertools.product(["l", "r"], repeat=2)]
    x_contexts = list(itertools.product(["l", "r"], ["good", "bad"]))
    x_rules = [dict(zip(x_contexts, c, strict=True)) for c in itertools.product([0, 1, 2], repeat=4)]
    values = [utility.evaluate(world, Policy(D=d, X=x)) for d in d_rules for x in x_rules]
    for point in [(F(1, 2), F(1, 2), 1), (F(1, 10), F(9, 10), F(5, 2)), (F(9, 10), F(1, 5), 0), (0, 1, 3)]:
        at = dict(zip((p, q, k), point, strict=True))
        assert sp.sympify(best).subs(at) == max(sp.sympify(v).subs(at) for v in values), point


def test_a_counterfactual_term_reading_the_sink_is_maximised_as_enumeration_finds():
    # observed(W = a) >> do(Y = good): X is read in the counterfactual copy only (nothing observed descends from it)
    world, _ = small_world()
    utility = E(world["X"], observed(W="a") >> do(Y="good")) - k * P(world["Y"] == "bad")
    assert linear_sinks(world, utility) == ["X"]
    best = separable_best(world, utility, limit=4096)
    d_rules = [dict(zip(["a", "b"], c, strict=True)) for c in itertools.product(["l", "r"], repeat=2)]
    x_contexts = list(itertools.product(["l", "r"], ["good", "bad"]))
    x_rules = [dict(zip(x_contexts, c, strict=True)) for c in itertools.product([0, 1, 2], repeat=4)]
    for point in [(F(1, 2), F(1, 2), 1), (F(1, 10), F(9, 10), F(5, 2))]:
        at = dict(zip((p, q, k), point, strict=True))
        here = world.subs(at)
        values = [utility.subs(at).evaluate(here, Policy(D=d, X=x)) for d in d_rules for x in x_rules]
        assert sp.sympify(best).subs(at) == max(values), point


def test_a_decision_read_in_a_condition_or_with_a_child_is_not_separable():
    world, utility = small_world()
    conditioned = E(world["X"]) + P(world["Y"] == "good", given(world["X"] == 2))  # X in a condition
    assert linear_sinks(world, conditioned) == []
    assert linear_sinks(world, E(world["X"]) * P(world["Y"] == "good")) == []  # a product of terms
    world.chance("Z", lambda X: "hi" if X == 2 else "lo", states=["hi", "lo"])  # X has a child now
    assert linear_sinks(world, utility) == []


def test_the_value_of_control_of_clips_in_the_causal_stop_button():
    # By hand (models/causal_stop_button.py): the best policy, the visible grab that obeys, earns 1 + 2·99/100 − K/100.
    # Choosing Clips from (A1, W, B), the AI sets Clips = 2 in every context, catastrophe and shutdown included:
    # 1 + 2 − K/100.  VoC(Clips) = 3 − 298/100 = 1/50, for every K and v.
    scenario = load_scenario(MODELS / "causal_stop_button.py")
    assert value_of_control(scenario.world, scenario.utility, "Clips") == F(1, 50)
