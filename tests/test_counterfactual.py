"""Counterfactuals by twin network: the acceptance case, the twin-network laws, the
refusal of unidentified couplings and the explicit-noise conversion.  Values derived by hand."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp
from planner_worlds import human_control, stop_button, xor_world

from corrig import E, P, Policy, World, do, given, observed
from corrig.inference.counterfactual import twin_network
from corrig.model.errors import CounterfactualError, ZeroProbabilityCondition

R = sp.Rational


def obey(H: str) -> str:
    return "halt" if H == "stop" else "continue"


def test_acceptance_xor():
    w = xor_world()
    Y = w["Y"]
    # Observed X=1, Y=1 means U_y = 0 (1 xor 0 = 1); had X been 0, Y = 0 xor 0 = 0: P(Y=1) = 0.
    assert P(Y == 1, observed(X=1, Y=1) >> do(X=0)).evaluate(w) == 0
    # Observing X=1 says nothing about U_y (independent): Y_{X=0} = U_y, P(U_y = 0) = 7/10.
    assert P(Y == 0, observed(X=1) >> do(X=0)).evaluate(w) == R(7, 10)
    # Rung 2 asks another question: given Y=1 inside the world where X is forced to 0 the answer is
    # trivially 1; only the twin network carries the factual X=1, Y=1 over to the do(X=0) world.
    assert P(Y == 1, given(Y == 1), do(X=0)).evaluate(w) == 1


def test_observed_then_empty_do_is_given():
    # Law: observed(E) >> do() == given(E) (no node is duplicated, the twin is the world).
    world, policies = human_control()
    L, H, S = world["L"], world["H"], world["S"]
    cases = [(S == 1, H == 1), (L == 0, S == 0), (H == 1, (L == 1) | (S == 1))]
    for policy in policies.values():
        for target, event in cases:
            cf = P(target, observed(event) >> do()).evaluate(world, policy)
            assert cf == P(target, given(event)).evaluate(world, policy)
    sb, sb_policies = stop_button()
    for policy in sb_policies.values():
        for event in (sb["B"] == "on", sb["H"] == "run"):
            lhs = undefined_or(E(sb["V"], observed(event) >> do()), sb, policy)
            assert lhs == undefined_or(E(sb["V"], given(event)), sb, policy)


def undefined_or(term, world, policy):
    """The term's value, or "undefined" when it conditions on a probability-0 event."""
    try:
        return term.evaluate(world, policy)
    except ZeroProbabilityCondition:
        return "undefined"


def test_counterfactual_on_a_node_outside_the_query_is_the_factual_conditional():
    # Law: if the intervened node is not an ancestor of anything the target reads, the twin copy
    # of the target is the factual target: observed(E) >> do(X=x) == given(E).
    world, policies = stop_button()
    H, B, A2 = world["H"], world["B"], world["A2"]
    honest = policies["honest-obey"]
    # V has no descendants; A2 is downstream of H: neither reaches H or A2's parents.
    for intervention in ({"V": 0}, {"A2": "halt"}, {"B": "on"}):
        cf = P(H == "stop", observed(B == "off") >> do(intervention)).evaluate(world, honest)
        assert cf == P(H == "stop", given(B == "off")).evaluate(world, honest)
    # hand value: P(B=off) = 1/4 (obey halts on stop) so P(H=stop | B=off) = 1.
    assert P(H == "stop", given(B == "off")).evaluate(world, honest) == 1
    assert P(A2 == "halt", observed(H="stop") >> do(V=0)).evaluate(world, honest) == 1


def test_counterfactual_decisions_follow_the_policy_in_the_twin():
    world, policies = stop_button()
    B = world["B"]
    # honest-obey, observed H=run, had humans wanted a stop: A2's twin copy sees stop and halts,
    # so B is off: 1.
    assert P(B == "off", observed(H="run") >> do(H="stop")).evaluate(world, policies["honest-obey"]) == 1
    # honest-ignore continues; the press then works half the time: 1/2.
    assert P(B == "off", observed(H="run") >> do(H="stop")).evaluate(world, policies["honest-ignore"]) == R(1, 2)


def test_twin_network_shares_non_descendants():
    world, policies = stop_button()
    from corrig.inference.counterfactual import apply_policy

    twin, names = twin_network(apply_policy(world, policies["honest-obey"]), {"H": "stop"})
    assert names == {"H": "H_cf", "A2": "A2_cf", "B": "B_cf", "V": "V_cf"}
    assert twin.nodes["H_cf"].parents == () and twin.nodes["A2_cf"].parents == ("H_cf",)
    assert twin.nodes["B_cf"].parents == ("H_cf", "A2_cf") and "A1_cf" not in twin


def noisy_world() -> World:
    """X ~ Bern(1/2); Y | X=0 ~ Bern(1/5), Y | X=1 ~ Bern(4/5): a stochastic descendant of X."""
    w = World("noisy")
    w.chance("X", {0: F(1, 2), 1: F(1, 2)})
    w.chance("Y", lambda X: {1: F(4, 5), 0: F(1, 5)} if X == 1 else {1: F(1, 5), 0: F(4, 5)}, states=[0, 1])
    return w


def test_stochastic_descendant_is_refused_by_name():
    w = noisy_world()
    with pytest.raises(CounterfactualError, match="node Y is stochastic"):
        P(w["Y"] == 1, observed(X=1, Y=1) >> do(X=0)).evaluate(w)
    # when the observation says nothing about Y's factual copy the coupling does not matter:
    # P(Y_{X=0} = 1 | X = 1) = P(Y=1 | do(X=0)) = 1/5.
    assert P(w["Y"] == 1, observed(X=1) >> do(X=0)).evaluate(w) == R(1, 5)


def test_explicit_noise_makes_it_exact():
    w = noisy_world().with_explicit_noise()
    # Inverse-CDF coupling with states ordered (0, 1): breakpoints 0, 1/5, 4/5, 1, so U_Y has three
    # cells of mass 1/5, 3/5, 1/5.  Y = 1 needs U >= 4/5 when X = 0 (cell 2) and U >= 1/5 when
    # X = 1 (cells 1, 2).  Observing X=1, Y=1 leaves cells 1, 2 with odds 3:1, and Y_{X=0} = 1
    # only in cell 2: 1/4.
    assert P(w["Y"] == 1, observed(X=1, Y=1) >> do(X=0)).evaluate(w) == R(1, 4)
    assert any("Y" in a and "U_Y" in a for a in w.assumptions)
    # the conversion keeps every factual answer.
    assert w.P(w["Y"] == 1) == noisy_world().P(noisy_world()["Y"] == 1) == R(1, 2)


def test_observation_on_a_stochastic_duplicated_node_is_refused():
    world, policies = stop_button()
    # B is stochastic given (H, A2) and downstream of H; observing B informs its factual copy.
    with pytest.raises(CounterfactualError, match="node B"):
        P(world["B"] == "off", observed(B="on") >> do(H="stop")).evaluate(world, policies["honest-ignore"])


def test_counterfactual_policy_may_be_mixed():
    world, _ = stop_button()
    mixed = Policy(A1="honest", A2=lambda H: {"halt": F(1, 2), "continue": F(1, 2)})
    # The observation H=run says nothing about A2's draw, so the twin copy A2_cf draws from the rule
    # given H_cf = stop: B_cf is off when it halts (1/2) or when it continues and the press works
    # (1/2 * 1/2): 3/4.
    assert P(world["B"] == "off", observed(H="run") >> do(H="stop")).evaluate(world, mixed) == R(3, 4)


def test_a_float_table_with_zeros_is_deterministic():
    # Y copies X, written with float probabilities 1.0 / 0.0.  Having seen Y = 1, X was 1; under do(X=0)
    # Y = 0, so P(Y = 1 | observed(Y=1) >> do(X=0)) = 0.  sympy >= 1.13 has Float(0.0) != 0, which once
    # made this node count as stochastic and the query refuse.
    w = World()
    w.chance("X", {0: 0.3, 1: 0.7})
    Y = w.chance("Y", lambda X: {0: 1.0, 1: 0.0} if X == 0 else {0: 0.0, 1: 1.0})
    assert float(P(Y == 1, observed(Y=1) >> do(X=0)).evaluate(w, {})) == 0.0
    assert float(P(Y == 1, observed(X=1) >> do(X=1)).evaluate(w, {})) == 1.0
