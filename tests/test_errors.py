"""Every error corrig raises on a bad world or an unanswerable query names its culprit.

Each test triggers one error, checks its class (all are corrig.model.errors.CorrigError) and checks
that the message names the node, state, parent or decision at fault.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest

from corrig import CorrigError, P, Policy, World, param, plan
from corrig.model.errors import (
    CycleError,
    DistributionError,
    ParameterError,
    PolicyError,
    QueryError,
    StateError,
    UnknownNodeError,
    ZeroProbabilityCondition,
)

F = Fraction
HALF = {0: F(1, 2), 1: F(1, 2)}


def test_every_error_is_a_corrig_error():
    for cls in (CycleError, DistributionError, PolicyError, QueryError, StateError, UnknownNodeError,
                ZeroProbabilityCondition):
        assert issubclass(cls, CorrigError)


def ab_world() -> World:
    """A in {0, 1} uniform; B in {x, y}: x when A=0, (x 1/3, y 2/3) when A=1."""
    w = World("ab")
    w.chance("A", HALF)
    w.chance("B", lambda A: {"x": F(1, 3), "y": F(2, 3)} if A else "x")
    return w


# --- structure ------------------------------------------------------------------------------
def test_cycle_names_its_nodes():
    w = World("cyclic")
    w.chance("Root", HALF)
    w.chance("A", lambda C, Root: C, states=[0, 1])
    w.chance("B", lambda A: A, states=[0, 1])
    w.chance("C", lambda B: B, states=[0, 1])
    with pytest.raises(CycleError) as info:
        w.check()
    assert set(info.value.cycle) == {"A", "B", "C"}
    message = str(info.value)
    assert "cycle" in message
    assert all(name in message for name in "ABC") and "Root" not in message


def test_cycle_through_a_decision():
    w = World("cyclic")
    w.chance("C", lambda D: D, states=[0, 1])
    w.decision("D", [0, 1], observes=["C"])
    with pytest.raises(CycleError, match="cycle") as info:
        w.P(w["C"] == 0, Policy(D=0))
    assert set(info.value.cycle) == {"C", "D"}


def test_self_loop_is_a_cycle():
    w = World("loop")
    w.chance("A", lambda A: A, states=[0, 1])
    with pytest.raises(CycleError, match="A -> A"):
        w.check()


def test_mechanism_argument_that_is_not_a_node():
    w = World("w")
    w.chance("A", HALF)
    # without states= the states are read by calling the mechanism, which needs Zed declared first
    with pytest.raises(UnknownNodeError, match=r"node B.*'Zed'"):
        w.chance("B", lambda A, Zed: A)
    # with states= the declaration is accepted and the world is refused when compiled
    w.chance("B", lambda A, Zed: A, states=[0, 1])
    with pytest.raises(UnknownNodeError, match=r"node B.*'Zed'"):
        w.check()


def test_table_parent_and_observation_that_are_not_nodes():
    w = World("w")
    w.chance("A", HALF)
    w.chance("B", {0: "x", 1: "y"}, parents=["Ay"])
    with pytest.raises(UnknownNodeError, match=r"node B.*'Ay'"):
        w.check()
    v = World("v")
    v.chance("A", HALF)
    v.decision("D", [0, 1], observes=["Aa"])
    with pytest.raises(UnknownNodeError, match=r"D observes 'Aa'"):
        v.check()


def test_event_on_unknown_node():
    w = ab_world()
    with pytest.raises(QueryError, match="'Q'"):
        w.P({"Q": 1})
    with pytest.raises(UnknownNodeError, match="'Q'"):
        w.P(w["A"] == 1, do={"Q": 1})


# --- states outside a domain --------------------------------------------------------------------
def test_state_not_in_domain_in_a_table_row():
    w = World("w")
    w.chance("A", HALF)
    w.chance("B", {0: {"x": 1}, 1: {"x": F(1, 2), "q": F(1, 2)}}, parents=["A"], states=["x", "y"])
    with pytest.raises(StateError, match=r"P\(B given A=1\).*'q' is not a state of B"):
        w.check()


def test_table_row_for_an_assignment_that_does_not_exist():
    w = World("w")
    w.chance("A", HALF)
    w.chance("B", {0: "x", 1: "y", 2: "x"}, parents=["A"])
    with pytest.raises(StateError, match=r"node B.*row for 2"):
        w.check()


def test_state_not_in_domain_returned_by_a_function():
    w = World("w")
    w.chance("A", HALF)
    w.chance("B", lambda A: "z" if A else "x", states=["x", "y"])
    with pytest.raises(StateError, match=r"P\(B given A=1\).*returned 'z'.*not a state of B"):
        w.check()


def test_state_not_in_domain_in_do():
    w = ab_world()
    with pytest.raises(StateError, match=r"do\(A=2\).*2 is not a state of A"):
        w.P(w["B"] == "x", do={"A": 2})
    with pytest.raises(StateError, match=r"do\(B='z'\).*'z' is not a state of B"):
        w.do(B="z")


def test_state_not_in_domain_in_a_dict_event():
    w = ab_world()
    with pytest.raises(StateError, match=r"'q' is not a state of B"):
        w.P({"B": "q"})
    with pytest.raises(StateError, match=r"7 is not a state of A"):
        w.P({"B": "x"}, given={"A": 7})
    with pytest.raises(StateError, match=r"'q' is not a state of B"):
        w.E(w["A"], given={"B": "q"})


def test_state_not_in_domain_in_an_expression_event():
    w = ab_world()
    with pytest.raises(StateError, match=r"'q' is not a state of B"):
        w.P(w["B"] == "q")
    with pytest.raises(StateError, match=r"'q' is not a state of B"):
        w.P(w["A"] == 1, given=w["B"] != "q")
    with pytest.raises(StateError, match=r"'q' is not a state of B"):
        w.P(w["B"].isin(["x", "q"]))


def test_state_not_in_domain_chosen_by_a_rule():
    w = ab_world()
    w.decision("D", ["left", "right"], observes=["B"])
    w.chance("U", lambda D: int(D == "left"))
    with pytest.raises(StateError, match=r"decision D when B='y'.*'up' is not a state of D"):
        w.E(w["U"], Policy(D=lambda B: "left" if B == "x" else "up"))
    with pytest.raises(StateError, match=r"'up' is not a state of D"):
        w.E(w["U"], Policy(D={"x": "left", "y": {"left": F(1, 2), "up": F(1, 2)}}))


# --- distributions ---------------------------------------------------------------------------
def test_exact_distribution_not_summing_to_one():
    w = World("w")
    w.chance("A", {0: F(1, 2), 1: F(1, 3)})
    with pytest.raises(DistributionError, match=r"P\(A\).*sum to 5/6"):
        w.check()


def test_row_not_summing_to_one_names_the_parent_assignment():
    w = World("w")
    w.chance("A", HALF)
    w.chance("B", lambda A: {"x": F(1, 2), "y": F(1, 3)} if A else "x")
    with pytest.raises(DistributionError, match=r"P\(B given A=1\).*sum to 5/6"):
        w.check()


def test_float_distribution_tolerance():
    ok = World("ok")
    ok.chance("A", {0: 0.5, 1: 0.5 + 1e-12})  # off by 1e-12: within the 1e-9 tolerance
    ok.chance("B", lambda A: {"x": 0.3, "y": 0.7 - 1e-12})
    ok.check()
    assert math.isclose(ok.P(ok["A"] == 0), 0.5 / (1 + 1e-12), rel_tol=1e-9)
    # ten tenths add up to 0.9999999999999999 in floating point, and must pass
    rounding = World("rounding")
    rounding.chance("C", dict.fromkeys(range(10), 0.1))
    rounding.check()
    bad = World("bad")
    bad.chance("A", {0: 0.5, 1: 0.5 + 1e-6})
    with pytest.raises(DistributionError, match=r"P\(A\).*sum to 1\.000001"):
        bad.check()


def test_probability_outside_unit_interval():
    w = World("w")
    w.chance("A", {0: F(3, 2), 1: F(-1, 2)})
    with pytest.raises(DistributionError, match=r"P\(A\).*probability of 0 is 3/2, outside \[0, 1\]"):
        w.check()
    v = World("v")
    v.chance("A", {0: 1.25, 1: -0.25})
    with pytest.raises(DistributionError, match=r"outside \[0, 1\]"):
        v.check()


def test_symbolic_probability_outside_unit_interval():
    p = param("p", 0, 1)
    w = World("w")
    w.chance("A", {0: 2 * p, 1: 1 - 2 * p})  # 2p > 1 for p > 1/2
    with pytest.raises(DistributionError, match=r"P\(A\).*2\*p, outside \[0, 1\] at p=1"):
        w.check()
    fine = World("fine")
    fine.chance("A", {0: p, 1: 1 - p})
    fine.check()


# --- policies ---------------------------------------------------------------------------------
def test_decision_without_a_rule_at_query_time():
    w = ab_world()
    w.decision("Dec", [0, 1], observes=["A"])
    w.chance("U", lambda Dec: Dec)
    w.check()  # a world need not carry a policy
    assert w.P(w["B"] == "x") == F(2, 3)  # a query that does not reach Dec needs no rule for it
    with pytest.raises(PolicyError, match=r"no rule for decision Dec"):
        w.P(w["U"] == 1, Policy())
    with pytest.raises(PolicyError, match=r"no rule for decision Dec"):
        w.E(w["U"], {})
    with pytest.raises(PolicyError, match=r"'Other' is not a node of world 'ab'"):  # a rule nothing would read
        w.E(w["U"], {"Other": 0, "Dec": 0})


def decision_world() -> World:
    """X in {0, 1} uniform; the decision A observes X; B copies A."""
    w = World("decide")
    w.chance("X", HALF)
    w.decision("A", [0, 1], observes=["X"])
    w.chance("B", lambda A: A)
    return w


@pytest.mark.parametrize("query", ["P", "E", "evaluate", "plan", "to_pgmpy"])
def test_a_rule_for_a_chance_node_is_an_error_on_every_path(query):
    # Policy(A=0, B=0): B is a chance node, so its rule would be ignored; E(B) was 0 from term.evaluate
    w = decision_world()
    policy = Policy(A=0, B=0)
    calls = {"P": lambda: w.P(w["B"] == 1, policy), "E": lambda: w.E(w["B"], policy),
             "evaluate": lambda: P(w["B"] == 1).evaluate(w, policy),
             "plan": lambda: plan(w, P(w["B"] == 1), {"x": policy}),
             "to_pgmpy": lambda: w.to_pgmpy(policy)}
    with pytest.raises(PolicyError, match=r"'B' is (a chance node|not a decision)"):
        calls[query]()


def test_a_rule_for_an_unknown_node_is_an_error():
    w = decision_world()
    with pytest.raises(PolicyError, match=r"'Z' is not a (node|decision)"):
        P(w["B"] == 1).evaluate(w, Policy(A=0, Z=0))
    with pytest.raises(PolicyError, match=r"'Z' is not a (node|decision)"):
        w.E(w["B"], {"A": 0, "Z": 1})


@pytest.mark.parametrize("rule", [{0: 0, 1: 1, 7: 0}, {5: 1, 0: 0, 1: 1}, {(0,): 0, (1,): 1, (9,): 0}, {"X": 1}])
def test_a_rule_naming_a_state_its_decision_cannot_observe_is_an_error(rule):
    # A observes X in {0, 1}: an entry for X = 7 (or 5, 9, 'X') can never be read, so it is a mistake
    w = decision_world()
    with pytest.raises(StateError, match=r"decision A: the rule's entry .* is not a state of X; its states are \[0, 1\]"):
        w.E(w["B"], Policy(A=rule))


def test_a_rule_entry_of_the_wrong_length_is_an_error():
    w = decision_world()
    with pytest.raises(PolicyError, match=r"entry \(0, 1\) is not an observation of X"):
        w.E(w["B"], Policy(A={(0, 1): 0, 0: 0, 1: 1}))


def test_a_complete_rule_still_reads_both_forms():
    # the bare-value and tuple forms both name X's states: E(B) = 1/2 · 0 + 1/2 · 1 = 1/2 for A = X
    w = decision_world()
    assert w.E(w["B"], Policy(A={0: 0, 1: 1})) == F(1, 2) == w.E(w["B"], Policy(A={(0,): 0, (1,): 1}))


def test_error_classes_are_reachable_where_users_look():
    # Every public CorrigError subclass defined anywhere in corrig is in corrig.errors (the same class),
    # and the common ones are at the top level, as pgmpy and sympy expose theirs.
    import importlib
    import pkgutil

    import corrig
    import corrig.errors

    for info in pkgutil.walk_packages(corrig.__path__, "corrig."):
        if info.name != "corrig.__main__":  # importing it runs the command line
            importlib.import_module(info.name)
    found, todo = set(), [CorrigError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo += cls.__subclasses__()
    public = {c for c in found if c.__module__.startswith("corrig.") and not c.__name__.startswith("_")}
    assert public and {c.__name__ for c in public} == set(corrig.errors.__all__)
    for cls in public:
        assert getattr(corrig.errors, cls.__name__) is cls
    for name in ("CorrigError", "PolicyError", "StateError", "ZeroProbabilityCondition", "LimitError", "SolveError"):
        assert getattr(corrig, name) is getattr(corrig.errors, name)


# --- conditioning -----------------------------------------------------------------------------
@pytest.mark.parametrize("zero", [F(0), 0, 0.0])
def test_given_an_event_of_probability_zero(zero):
    w = World("w")
    A = w.chance("A", {0: zero, 1: 1 - zero})
    B = w.chance("B", lambda A: A)
    with pytest.raises(ZeroProbabilityCondition, match=r"\(A == 0\).*probability 0"):
        w.P(B == 1, given=A == 0)
    with pytest.raises(ZeroProbabilityCondition, match=r"probability 0"):
        w.E(B, given={"A": 0})
    # a condition impossible by the mechanisms, with float probabilities
    with pytest.raises(ZeroProbabilityCondition, match=r"\(A == 1\) & \(B == 0\)"):
        w.P(B == 1, given=(A == 1) & (B == 0))


def test_given_probability_zero_under_the_policy():
    w = ab_world()
    w.decision("D", [0, 1], observes=["A"])
    with pytest.raises(ZeroProbabilityCondition, match=r"\(D == 1\).*policy never"):
        w.P(w["A"] == 1, Policy(D=0, name="never"), given=w["D"] == 1)


def test_given_and_do_on_the_same_variable():
    w = ab_world()
    for given in ({"A": 1}, w["A"] == 1):
        with pytest.raises(QueryError, match=r"counterfactual") as info:
            w.P(w["B"] == "x", given=given, do={"A": 0})
        assert not isinstance(info.value, ZeroProbabilityCondition)
        assert re.search(r"do\(A=0\)", str(info.value))
    # agreeing with the intervention is not a contradiction: P(B=x | do(A=1)) = 1/3
    assert w.P(w["B"] == "x", given={"A": 1}, do={"A": 1}) == F(1, 3)



def test_an_impossible_condition_that_agrees_with_the_do_is_zero_probability():
    # (A == 0) & (B == 'x') & (B == 'y') agrees with do(A=0) but no assignment satisfies it: it has
    # probability 0 in any world, so the conditional is undefined; the intervention is not at fault.
    w = ab_world()
    A, B = w["A"], w["B"]
    with pytest.raises(ZeroProbabilityCondition, match=r"impossible in any world") as info:
        w.P(B == "x", given=(A == 0) & (B == "x") & (B == "y"), do={"A": 0})
    assert "counterfactual" not in str(info.value) and "A, B" in str(info.value)

# --- roles ------------------------------------------------------------------------------------
def test_role_naming_an_unknown_node():
    w = ab_world()
    w.set_roles(human="Human", stop=0, run=1)
    with pytest.raises(UnknownNodeError, match=r"human role names 'Human'"):
        w.check()
    v = ab_world()
    v.set_roles(button="Button", off="off")
    with pytest.raises(UnknownNodeError, match=r"button role names 'Button'"):
        v.check()


def test_role_naming_an_unknown_state():
    w = ab_world()
    w.set_roles(human="A", stop=0, run=2)
    with pytest.raises(StateError, match=r"run state 2 is not a state of A"):
        w.check()
    v = ab_world()
    v.set_roles(button=v["B"], off="off")
    with pytest.raises(StateError, match=r"off state 'off' is not a state of B"):
        v.check()


def test_a_nan_or_infinite_probability_is_named():
    # float("nan") and float("inf") are not probabilities: the row and state are named, no bare sympy error
    for bad in (float("nan"), float("inf")):
        world = World("bad float")
        world.chance("X", {"a": bad, "b": 1.0})
        with pytest.raises(DistributionError, match=r"P\(X\).*'a'"):
            world.check()


def test_a_tolerance_outside_the_unit_interval_is_refused():
    world = World("eps")
    world.chance("X", {"a": F(1, 2), "b": F(1, 2)})
    with pytest.raises(ParameterError, match="eps = -1"):
        plan(world, P(world["X"] == "a"), eps=-1)


def test_a_mixed_rule_names_its_policy_decision_observation_and_state():
    w = World("mixed rule")
    w.chance("H", {"stop": Fraction(1, 2), "run": Fraction(1, 2)})
    w.decision("A", ["x", "y"], observes=["H"])
    bad_number = Policy({"A": {"stop": {"x": "half", "y": Fraction(1, 2)}, "run": "x"}}, name="shaky")
    with pytest.raises(DistributionError, match=r"policy shaky, decision A when H='stop', state 'x': 'half'"):
        bad_number.table(w, "A")
    too_much = Policy({"A": {"stop": "x", "run": {"x": Fraction(3, 4), "y": Fraction(3, 4)}}}, name="greedy")
    with pytest.raises(DistributionError, match=r"policy greedy, decision A when H='run': the probabilities sum to 3/2"):
        too_much.table(w, "A")
