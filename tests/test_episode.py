"""The episode API (corrig.model.episode): declaration, unrolling into a World, the discounted return.

Values of the unrolled world under a policy are checked against a brute-force walk over every draw of the
hidden variable and every trajectory, written here in plain Python over Fractions (no corrig code)."""

from fractions import Fraction as F

import pytest
import sympy as sp
from episode_worlds import NEXT, walk

from corrig import Episode, Policy, StateError, WorldError, discounted_return, param


def brute_walk(steps, p, discount, rule, reward_at_c=3, stop_works=True):
    """E[Σ_t γ^t R_t] when the walker plays rule(t, pos) -> action: each Z by its probability, then the
    deterministic trajectory."""
    total = F(0)
    for z, pz in (("yes", p), ("no", 1 - p)):
        pos, value = "a", F(0)
        for t in range(steps):
            value += discount**t * (reward_at_c if pos == "c" else -1)
            act = rule(t, pos)
            if stop_works and z == "yes" and pos == "b":
                act = "stay"
            pos = NEXT[pos] if act == "go" else pos
        total += pz * value
    return total


def always_go(ep):
    return Policy({f"A_{t}": "go" for t in range(ep.steps)})


def test_unrolled_names_and_parents():
    ep = walk(steps=2)
    world = ep.world()
    assert list(world.nodes) == ["Z", "Pos_0", "A_0", "Stop_0", "Act_0", "R_0",
                                 "Pos_1", "A_1", "Stop_1", "Act_1", "R_1"]
    assert world.nodes["Pos_1"].parents == ("Pos_0", "Act_0")
    assert world.nodes["A_1"].parents == ("Pos_1",)
    assert world.nodes["Stop_1"].parents == ("Pos_1", "Z")
    assert world.episode is ep and ep.world() is world  # built once
    assert ep.name_at("Pos", 1) == "Pos_1" and ep.name_at("Z", 1) == "Z"
    assert ep.modifier("A", 1) == ("Stop_1", "none")


@pytest.mark.parametrize("steps", [1, 2, 3, 4])
def test_return_of_a_policy_equals_the_brute_force_walk(steps):
    ep = walk(steps=steps, discount=F(9, 10))
    value = discounted_return(ep).evaluate(ep.world(), always_go(ep))
    assert value == brute_walk(steps, F(1, 2), F(9, 10), lambda t, pos: "go")
    # by hand at 3 steps, γ = 9/10: Z = no: -1 - 9/10 + 81/100·3 = 53/100; Z = yes: stuck on b: -1 - 9/10 - 81/100
    if steps == 3:
        assert value == F(1, 2) * F(53, 100) + F(1, 2) * F(-271, 100)


def test_do_unmodified_executes_the_chosen_action():
    ep = walk(steps=3)
    world = ep.world()
    unmodified = {ep.modifier("A", t)[0]: "none" for t in range(3)}
    value = world.E(world["R_2"], always_go(ep), do=unmodified)
    assert value == 3  # a → b → c whatever Z: the reward at step 2 reads Pos_2 = c
    assert value == brute_walk(3, F(1, 2), 1, lambda t, pos: "go", stop_works=False) - (-1 - 1)


def test_parameters_in_probability_reward_and_discount():
    p, g, r = param("p", 0, 1), param("g", 0, 1), param("r", 0, 10)
    ep = walk(steps=3, p=p, discount=g, reward_at_c=r)
    value = sp.expand(discounted_return(ep).evaluate(ep.world(), always_go(ep)))
    # Z = no (1 - p): -1 - g + g²·r; Z = yes (p): stuck on b, -1 - g - g²
    assert sp.expand(value - ((1 - p) * (-1 - g + g**2 * r) + p * (-1 - g - g**2))) == 0


def test_non_integer_rewards_are_read_through_their_events():
    ep = walk(steps=2, reward_at_c=F(5, 2))
    assert set(ep.reward_values.values()) == {sp.Rational(5, 2), -1}
    value = discounted_return(ep).evaluate(ep.world(), always_go(ep))
    assert value == brute_walk(2, F(1, 2), 1, lambda t, pos: "go", reward_at_c=F(5, 2))


def test_per_step_chance_node_and_roles():
    ep = Episode("press", steps=2)
    ep.state("H", ["stop", "run"], initial={"stop": F(1, 5), "run": F(4, 5)})
    ep.decision("A", ["halt", "work"], observes=["H"])
    ep.chance("B", lambda A: "off" if A == "halt" else "on")
    ep.transition("H", lambda H: {"stop": F(9, 10), "run": F(1, 10)} if H == "stop" else {"stop": F(1, 5), "run": F(4, 5)})
    ep.reward(lambda A: 1 if A == "work" else 0)
    ep.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    world = ep.world()
    assert world.roles.human == "H_0" and world.roles.button == "B_0"
    assert ep.role_nodes(1)["human"] == "H_1" and ep.role_nodes(1)["button"] == "B_1"
    obey = Policy({"A_0": {"stop": "halt", "run": "work"}, "A_1": {"stop": "halt", "run": "work"}})
    # P(H_1 = stop) = 1/5·9/10 + 4/5·1/5 = 17/50: E[R_0 + R_1] = 4/5 + 33/50
    assert discounted_return(ep).evaluate(world, obey) == F(4, 5) + F(33, 50)


def test_bad_declarations_name_what_is_wrong():
    with pytest.raises(WorldError, match="steps must be a positive"):
        Episode("x", steps=0)
    ep = Episode("x", steps=2)
    ep.state("S", [0, 1], initial=0)
    with pytest.raises(WorldError, match="reads 'Q', which is not declared"):
        ep.decision("A", ["l", "r"], observes=["Q"])
    with pytest.raises(StateError, match="gives state 2"):
        ep.transition("S", lambda S: S + 1)
    with pytest.raises(StateError, match="initial state gives state 5"):
        ep.state("T", [0, 1], initial=5)
    with pytest.raises(WorldError, match="identifier"):
        ep.chance("not a name", {"x": 1})
    with pytest.raises(WorldError, match="raised ZeroDivisionError at S=0"):
        ep.chance("C", lambda S: 1 // S)
    ep.decision("A", ["l", "r"], observes=["S"])
    with pytest.raises(WorldError, match="no transition"):
        ep.reward(lambda S: S)
        ep.world()


def test_plan_reads_atoms_by_steps_and_agrees_with_the_engine():
    from corrig import E, P, do, plan
    from corrig.inference.episodes import marginals
    p = param("p", 0, 1)
    ep = walk(steps=3, p=p, discount=F(1, 2))
    world = ep.world()
    utility = (discounted_return(ep) + P(world["Act_2"] == "stay", do({"Stop_1": "none", "Stop_2": "none"}))
               + E(world["R_1"], do(Pos_1="b")) + P(world["Z"] == "yes"))
    result = plan(world, utility, {"go": always_go(ep)}, flags=False)
    assert sp.simplify(result.values["go"] - utility.evaluate(world, always_go(ep))) == 0  # the engine's contraction
    # by hand: Z = no: R = -1, -1, 3 (γ = 1/2: -1 - 1/2 + 3/4); Z = yes: -1, -1, -1; Act_2 is "go" when unmodified;
    # do(Pos_1 = b): R_1 = -1; P(Z = yes) = p
    assert sp.expand(result.values["go"] - ((1 - p) * F(-3, 4) + p * F(-7, 4) + 0 - 1 + p)) == 0
    assert marginals(world, always_go(ep))["Pos_2"] == {"c": 1 - p, "b": p}


def test_subs_keeps_the_episode_and_the_values():
    p = param("p", 0, 1)
    ep = walk(steps=2, p=p)
    at_half = ep.world().subs({"p": F(1, 2)})
    assert at_half.episode is ep and at_half.episode_at == {"p": F(1, 2)}
    assert ep.world().copy().episode is None  # a copy may change what decisions observe: it is a plain world


def test_a_per_step_chance_node_without_parents():
    ep = Episode("coin", steps=2)
    ep.state("X", ["a"], initial="a")
    ep.chance("H", {"stop": F(1, 4), "run": F(3, 4)})
    ep.decision("A", ["go", "wait"], observes=["X", "H"])
    ep.transition("X", lambda X: X)
    ep.reward(lambda H, A: 1 if (H == "run") == (A == "go") else 0)
    world = ep.world()
    assert world.P(world["H_1"] == "stop") == F(1, 4)
    from corrig.analysis.dynamic import solve_episode
    assert solve_episode(ep).value == 2  # seeing H_t, it matches it at every step


def test_an_episode_longer_than_the_steps_limit_is_refused_before_it_is_unrolled():
    # 10**7 steps would unroll into tens of millions of nodes: the `steps` limit (10 000) refuses it first
    from corrig import LimitError
    ep = Episode("long", steps=10**7)
    ep.state("S", ["a"], initial="a")
    ep.decision("A", ["x"], observes=["S"])
    ep.transition("S", lambda S, A: "a")
    ep.reward(lambda S: 1)
    with pytest.raises(LimitError, match="10,000,000, more than the limit of 10,000 steps"):
        ep.world()
