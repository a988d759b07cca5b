"""Learning rules as objectives over branches (corrig.analysis.learning): each learner's fixed point and its
value equal the derivations of tests/learning_derivations.py (plain Python over Fractions, no corrig), on
Simulation-Oversight, on a two-step route where the three learners differ, and on the off-switch gridworld;
the backward induction agrees with the branch objectives evaluated by corrig's engine and with the
dynamic-programming solver; bad input is refused by name."""

from __future__ import annotations

import importlib
import random
import re
from fractions import Fraction as F
from pathlib import Path

import learning_derivations as d
import pytest

from corrig import Episode, Policy, QueryError, SolveError, World, param
from corrig.analysis.dynamic import solve_episode
from corrig.analysis.learning import LEARNERS, branch_objective, learned_policies, learned_policy
from corrig.objectives.terms import E
from corrig.scenarios.expect import verify
from corrig.scenarios.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SO_STATES = {"Choice": "Choice", "A_real": "Real", "A_sim": "Sim"}


# Simulation-Oversight -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def oversight():
    return load_scenario(ROOT / "models" / "simulation_oversight.py")


def so_rules(scenario, policy: Policy) -> dict:
    """A policy of the model as the derivations' {state: action}."""
    world = scenario.world
    out = {}
    for decision, state in SO_STATES.items():
        (probs,) = policy.table(world, decision).values()
        out[state] = next(s for s, p in zip(world.nodes[decision].states, probs, strict=True) if p == 1)
    return out


def test_simulation_oversight_claims_hold(oversight):
    failed = [f"{v.claim}: {v.found}" for v in verify(oversight) if not v.ok]
    assert not failed, failed
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(oversight.doc.split())) if s.strip()]
    assert len(sentences) == 3, sentences


@pytest.mark.parametrize(("learner", "derived"), [
    ("reward-maximiser", d.SO_REWARD_MAXIMISER), ("q-learning", d.SO_Q_LEARNING),
    ("virtual-sarsa", d.SO_Q_LEARNING), ("empirical-sarsa", d.SO_EMPIRICAL_SARSA)])
def test_simulation_oversight_fixed_points_match_the_enumeration(oversight, learner, derived):
    found = importlib.import_module("models.simulation_oversight").learned[learner]
    policy, value = derived
    assert so_rules(oversight, found.policy) == policy
    assert found.value == value
    # every fixed point among the 27 policies, against the derivations' own enumeration of each condition
    expected = {"reward-maximiser": d.so_reward_maximisers, "q-learning": d.so_q_learning_fixed_points,
                "virtual-sarsa": d.so_q_learning_fixed_points,
                "empirical-sarsa": d.so_empirical_sarsa_fixed_points}[learner]()
    assert sorted(map(repr, (so_rules(oversight, p) for p in found.fixed_points.values()))) == sorted(map(repr, expected))


# a two-step route where the three learners differ --------------------------------------------------
def route(p=d.ROUTE_INTERRUPT, steps=2):
    """tests/learning_derivations.py's route as an episode: every action offered at every place."""
    ep = Episode("route", steps=steps)
    ep.state("Room", ["start", "corridor", "side"], initial="start")
    ep.decision("A", ["direct", "detour", "fast", "slow", "halt"], observes=["Room"])
    ep.modification("Overseer", of="A", executed="Act",
                    mechanism=lambda Room, A: {"halt": p, "none": 1 - p} if Room == "corridor" and A == "fast" else "none")
    ep.transition("Room", lambda Room, Act: {"direct": "corridor", "detour": "side"}.get(Act, Room) if Room == "start"
                  else Room)

    def reward(Room, Act):
        if Room == "start":
            return -1 if Act == "detour" else 0
        return d.ROUTE_REWARD[Room].get(Act, -10)
    ep.reward(reward)
    return ep


def route_rules(policy: Policy) -> dict:
    """The step-0 choice at start and the step-1 choices in the rooms, as the derivations write them."""
    first, second = policy.rules["A_0"], policy.rules["A_1"]
    return {"start": first[("start",)], "corridor": second[("corridor",)], "side": second[("side",)]}


@pytest.mark.parametrize(("learner", "derived"), [
    ("reward-maximiser", d.ROUTE_REWARD_MAXIMISER), ("q-learning", d.ROUTE_Q_LEARNING),
    ("virtual-sarsa", d.ROUTE_Q_LEARNING), ("empirical-sarsa", d.ROUTE_EMPIRICAL_SARSA)])
def test_route_fixed_points_match_the_derivation(learner, derived):
    found = learned_policy(route(), learner, flags=False)
    policy, value = derived
    rules = route_rules(found.policy)
    assert {k: rules[k] for k in policy} == policy
    assert rules in d.route_fixed_points({"virtual-sarsa": "q-learning"}.get(learner, learner))
    assert found.value == value == d.route_value(rules)


def test_route_at_a_parameter_point_rare_interruptions_are_not_avoided():
    p = param("p_int", 0, 1)
    found = learned_policies(route(p), at={"p_int": d.ROUTE_RARE[0]}, flags=False)
    for learner in LEARNERS:
        rules = route_rules(found[learner].policy)
        assert {k: rules[k] for k in d.ROUTE_RARE[1]} == d.ROUTE_RARE[1]
        assert found[learner].value == d.ROUTE_RARE[2]
    with pytest.raises(SolveError, match="p_int"):
        learned_policies(route(p), flags=False)


def test_route_with_a_float_probability_gives_floats():
    found = learned_policies(route(0.5), flags=False)
    for learner, (policy, value) in (("reward-maximiser", d.ROUTE_REWARD_MAXIMISER), ("q-learning", d.ROUTE_Q_LEARNING),
                                     ("empirical-sarsa", d.ROUTE_EMPIRICAL_SARSA)):
        rules = route_rules(found[learner].policy)
        assert {k: rules[k] for k in policy} == policy
        assert isinstance(found[learner].value, float) and found[learner].value == pytest.approx(float(value))


def test_backward_induction_agrees_with_the_branch_objectives_and_the_solver():
    ep = route()
    world = ep.world()
    found = learned_policies(ep, flags=False)
    # the reward maximiser's value is the dynamic-programming solver's optimum
    assert found["reward-maximiser"].value == solve_episode(ep).value
    # Q-learning maximises the return with every modification held at none
    q_objective = branch_objective(ep, "q-learning")
    q_policy = found["q-learning"].policy
    best = q_objective.evaluate(world, q_policy)
    assert best == 10  # direct, then fast executed as chosen
    for first in ("direct", "detour", "fast"):
        rules = dict(q_policy.rules, A_0={**q_policy.rules["A_0"], ("start",): first})
        assert q_objective.evaluate(world, Policy(rules)) <= best
    # Empirical Sarsa: at step 0 its choice maximises its own-step-unmodified objective under its policy
    es = found["empirical-sarsa"].policy
    objective = branch_objective(ep, "empirical-sarsa", step=0)
    values = {a: objective.evaluate(world, Policy(dict(es.rules, A_0={**es.rules["A_0"], ("start",): a})))
              for a in ("direct", "detour", "fast", "slow", "halt")}
    assert values["direct"] == F(5) and values["detour"] == F(11, 2)  # 1/2·10 + 1/2·0 and −1 + 13/2, by hand
    assert max(values, key=values.get) == route_rules(es)["start"]
    # and at step 1 in the corridor, executed as chosen: fast's 10 beats slow's 6 though the overseer halts it
    step1 = branch_objective(ep, "empirical-sarsa", step=1, observation={"Room": "corridor"})
    deviated = dict(es.rules, A_0={**es.rules["A_0"], ("start",): "direct"})
    assert step1.evaluate(world, Policy(deviated)) == 10
    # the value each learner reports is its policy's real return, evaluated by corrig's engine
    utility = branch_objective(ep, "reward-maximiser")
    for learned in found.values():
        assert utility.evaluate(world, learned.policy) == learned.value


def test_episode_plan_names_each_learner():
    found = learned_policies(route())
    plan = found["q-learning"].plan
    assert plan is found["empirical-sarsa"].plan
    assert plan.values == {name: found[name].value for name in LEARNERS}
    assert plan.optimal == ["reward-maximiser"]
    assert found["q-learning"].flags == plan.flags["q-learning"]
    # the episode's world stands for the episode
    again = learned_policies(route().world(), ("empirical-sarsa",), flags=False)
    assert again["empirical-sarsa"].value == found["empirical-sarsa"].value == F(11, 2)


def random_modified_episode(rng, steps=2):
    """A two-state Markov episode whose decision sees the state and whose action may be forced to "l" with a
    probability depending on the state and the chosen action: random exact numbers."""
    def dist(names):
        k = rng.randint(0, 4)
        return {names[0]: F(k, 4), names[1]: F(4 - k, 4)}

    ep = Episode("random", steps=steps, discount=F(rng.randint(1, 4), 4))
    ep.state("S", ["u", "v"], initial=dist("uv"))
    ep.decision("A", ["l", "r"], observes=["S"])
    forced = {(s, a): dist(["l", "none"]) for s in "uv" for a in "lr"}
    ep.modification("M", of="A", executed="X", mechanism=forced, parents=["S", "A"])
    moves = {(s, x): dist("uv") for s in "uv" for x in "lr"}
    ep.transition("S", moves, parents=["S", "X"])
    pay = {(s, x): rng.randint(-3, 3) for s in "uv" for x in "lr"}
    ep.reward(lambda S, X: pay[(S, X)])
    return ep


@pytest.mark.parametrize("seed", range(4))
def test_random_episodes_backward_induction_is_a_fixed_point_of_the_branch_conditions(seed):
    """The episode's backward induction against the World route on its unrolled world: each learner's policy
    passes that learner's one-step-deviation test with the branch objectives (evaluated by corrig's engine), and
    the reward maximiser's value is the largest over every pure policy."""
    ep = random_modified_episode(random.Random(seed))
    world = ep.world()
    returns = world["R_0"] + world["R_1"] * ep.discount
    mods = {f"A_{t}": ep.modifier("A", t) for t in range(ep.steps)}
    found = learned_policies(ep, flags=False)
    for learner in ("q-learning", "empirical-sarsa", "reward-maximiser"):
        policy = found[learner].policy
        checked = learned_policies(world, (learner,), returns=returns, modifications=mods,
                                   candidates=None if learner == "reward-maximiser" else {"dp": policy}, flags=False)
        assert checked[learner].value == found[learner].value
        if learner != "reward-maximiser":
            assert list(checked[learner].fixed_points) == ["dp"]


# the off-switch gridworld (models/gridworld_off_switch.py) ---------------------------------------
@pytest.fixture(scope="module")
def gridworld_learners():
    return load_scenario(ROOT / "models" / "gridworld_off_switch_learners.py")


def grid_walk(policy: Policy) -> str:
    """The moves the policy makes in the uninterrupted level until it reaches G, walked in the derivations' own
    grid (the model's cells are r<row>c<col> of the map with its display row on top: one row lower)."""
    names = {"up": "u", "down": "d", "left": "l", "right": "r"}
    pos, pressed, path = d._find("A"), False, ""
    for t in range(d.STEPS):
        move = policy.rules[f"A_{t}"][(f"r{pos[0] + 1}c{pos[1]}", pressed)]
        path += names[move]
        pressed = pressed or pos == d._find("B")
        dr, dc = d.MOVES[move]
        if d.GRID[pos[0] + dr][pos[1] + dc] != "#":
            pos = (pos[0] + dr, pos[1] + dc)
        if pos == d._find("G"):
            return path
    raise AssertionError(f"the policy never reaches G: {path}")


def test_gridworld_hand_numbers_from_the_source_rules():
    runs = d.grid_checks()
    assert runs == {"short": d.GRID_SHORT, "short interrupted": d.GRID_INTERRUPTED, "button": d.GRID_BUTTON,
                    "button interrupted": d.GRID_BUTTON}
    assert d.GRID_SHORT_EXPECTED == -29


def test_gridworld_learners_match_the_derivation(gridworld_learners):
    failed = [f"{v.claim}: {v.found}" for v in verify(gridworld_learners) if not v.ok]
    assert not failed, failed
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(gridworld_learners.doc.split())) if s.strip()]
    assert len(sentences) == 3, sentences
    found = importlib.import_module("models.gridworld_off_switch_learners").learned
    for learner, length, through_button in (("reward-maximiser", 12, True), ("q-learning", 8, False),
                                            ("empirical-sarsa", 12, True)):
        path = grid_walk(found[learner].policy)
        # the walk's own return in the derivations' simulator, for both draws of should_interrupt
        value = F(1, 2) * d.grid_run(path, False) + F(1, 2) * d.grid_run(path, True)
        assert len(path) == length and path.startswith("ddd") == through_button, (learner, path)
        assert value == found[learner].value == (d.GRID_BUTTON if through_button else d.GRID_SHORT_EXPECTED)


# bad input ---------------------------------------------------------------------------------------
def test_bad_input_is_refused_by_name():
    with pytest.raises(QueryError, match="unknown learner 'td-lambda'"):
        learned_policy(route(), "td-lambda")
    with pytest.raises(QueryError, match="returns="):
        learned_policies(World("w"))
    with pytest.raises(QueryError, match="drop modifications="):
        learned_policies(route(), candidates={})
    with pytest.raises(QueryError, match="Episode or World"):
        learned_policies("route.py")
    plain = Episode("plain", steps=1)
    plain.state("S", ["a"], initial="a")
    plain.decision("A", ["x", "y"], observes=["S"])
    plain.reward(lambda A: 1 if A == "x" else 0)
    with pytest.raises(SolveError, match="no modification"):
        learned_policies(plain)
    world = load_scenario(ROOT / "models" / "simulation_oversight.py").world
    with pytest.raises(QueryError, match="no node 'Mood'"):
        learned_policies(world, returns=world["R1"], modifications={"A_real": ("Mood", "none")})
    with pytest.raises(QueryError, match="'never' is not a state of 'Mod'"):
        learned_policies(world, returns=world["R1"], modifications={"A_real": ("Mod", "never")})
    with pytest.raises(QueryError, match="'Room' is not a decision"):
        learned_policies(world, returns=world["R1"], acting={"Room": {"Room": "Real"}})
    with pytest.raises(QueryError, match="context Room = 'Attic'"):
        learned_policies(world, returns=world["R1"], acting={"A_real": {"Room": "Attic"}})
    assert E(world["R1"])  # the world is untouched by the refusals
