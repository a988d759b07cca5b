"""Dynamic programming over an episode (corrig.analysis.dynamic) against brute force and corrig's own solver.

The brute force is plain Python over Fractions: every deterministic rule (step, observation) -> action, each
walked over every draw of the hidden variable.  corrig's enumeration of pure policies on the unrolled world
(solve(method="enumeration"), World.E) is the second, independent check."""

import itertools
import random
from fractions import Fraction as F

import pytest
import sympy as sp
from episode_worlds import NEXT
from episode_worlds import walk as episode_walk

from corrig import Episode, LimitError, SolveError, discounted_return, param
from corrig.analysis.dynamic import solve_episode
from corrig.analysis.solve import solve
from corrig.model import limits


def walk(steps, p=F(1, 2), discount=1, reward_at_c=3):
    """tests/episode_worlds.py's walk, each "go" costing 1/10."""
    return episode_walk(steps, p, discount, reward_at_c, go_cost=F(1, 10))


def brute_walk(steps, p, discount, reward_at_c=3):
    """max over every rule (t, pos) -> action of E[Σ γ^t R_t] (R: 3 on c else -1, minus 1/10 for each go)."""
    best = None
    cells = ["a", "b", "c"]
    for choice in itertools.product(["stay", "go"], repeat=3 * steps):
        rule = {(t, c): choice[3 * t + i] for t in range(steps) for i, c in enumerate(cells)}
        total = F(0)
        for z, pz in (("yes", p), ("no", 1 - p)):
            pos, value = "a", F(0)
            for t in range(steps):
                act = rule[(t, pos)]
                value += discount**t * ((reward_at_c if pos == "c" else -1) - (F(1, 10) if act == "go" else 0))
                if z == "yes" and pos == "b":
                    act = "stay"
                pos = NEXT[pos] if act == "go" else pos
            total += pz * value
        best = total if best is None or total > best else best
    return best


@pytest.mark.parametrize("steps,p,discount", [(1, F(1, 2), 1), (2, F(1, 3), 1), (3, F(1, 2), F(9, 10)),
                                              (4, F(4, 5), F(1, 2))])
def test_walk_value_equals_brute_force(steps, p, discount):
    ep = walk(steps, p, discount)
    found = solve_episode(ep)
    assert found.value == brute_walk(steps, p, discount)
    world, utility = ep.world(), discounted_return(ep)
    assert utility.evaluate(world, found.policy) == found.value  # the Policy on the unrolled world earns it
    assert sum(discount**t * r for t, r in enumerate(found.expected_rewards)) == found.value


def test_walk_by_hand():
    # 3 steps, γ = 1, p = 1/2: go, go: a (-1 - 1/10), b (-1 - 1/10), then c (3, staying) if Z = no,
    # b again (-1, staying: going costs 1/10 and is stopped) if Z = yes:  -11/5 + 1/2·3 + 1/2·(-1) = -6/5.
    # Staying at a throughout gives -3; going once gives -1 - 1/10 - 1 - 1 = -31/10: going twice is best.
    found = solve_episode(walk(3))
    assert found.value == F(-6, 5)
    assert found.table[0] == {("a",): "go"} and found.table[1] == {("b",): "go"}
    assert found.expected_rewards == (F(-11, 10), F(-11, 10), 1)


def test_solve_dispatches_to_dynamic_programming_and_agrees_with_enumeration():
    ep = walk(3)
    world, utility = ep.world(), discounted_return(ep)
    dp = solve(world, utility)
    assert dp.method == "dynamic-programming"
    assert dp.value == solve(world, utility, method="enumeration").value == F(-6, 5)


def random_episode(rng, steps):
    """Two hidden types, a two-valued state, a per-step noise the decision may or may not see, random numbers."""
    def dist():
        k = rng.randint(0, 4)
        return {"u": F(k, 4), "v": F(4 - k, 4)}

    ep = Episode("random", steps=steps, discount=F(rng.randint(1, 4), 4))
    ep.hidden("Z", dist())
    ep.state("S", ["u", "v"], initial=dist())
    noise = {(z, s): dist() for z in "uv" for s in "uv"}
    ep.chance("N", noise, parents=["Z", "S"])
    ep.decision("A", ["l", "r"], observes=["S", "N"] if rng.random() < 0.5 else ["S"])
    moves = {(s, a, z): dist() for s in "uv" for a in "lr" for z in "uv"}
    ep.transition("S", moves, parents=["S", "A", "Z"])
    pay = {(s, a, n): rng.randint(-2, 3) for s in "uv" for a in "lr" for n in "uv"}
    ep.reward(lambda S, A, N: pay[(S, A, N)])
    return ep


@pytest.mark.parametrize("seed", range(12))
def test_random_episodes_agree_with_enumeration_on_the_unrolled_world(seed):
    rng = random.Random(seed)
    ep = random_episode(rng, steps=rng.randint(1, 3))
    world, utility = ep.world(), discounted_return(ep)
    enumerated = solve(world, utility, method="enumeration").value
    try:
        found = solve_episode(ep)
    except SolveError as exc:  # the optimum needs memory: the memoryless optimum is then below the belief one
        assert "needs memory" in str(exc)
        return
    assert found.value == enumerated
    assert utility.evaluate(world, found.policy) == found.value


def test_floats_stay_floats():
    found = solve_episode(walk(3, p=0.5, discount=1.0))
    assert isinstance(found.value, float) and found.value == pytest.approx(-1.2)


def test_long_discounted_chain_is_exact():
    # reward 1 at every step, γ = 9/10, 300 steps: Σ_t γ^t = (1 - γ^300)/(1 - γ), numerators beyond int64
    ep = Episode("chain", steps=300, discount=F(9, 10))
    ep.state("S", ["s"], initial="s")
    ep.decision("A", ["x"], observes=["S"])
    ep.transition("S", lambda S: "s")
    ep.reward(lambda S: 1)
    assert solve_episode(ep).value == (1 - F(9, 10) ** 300) / (1 - F(9, 10))


def test_parameters_need_a_point():
    p = param("p", 0, 1)
    ep = walk(3, p=p)
    with pytest.raises(SolveError, match="pass at="):
        solve_episode(ep)
    assert solve_episode(ep, at={"p": F(1, 2)}).value == F(-6, 5)
    assert solve(ep.world(), discounted_return(ep), at={p: F(1, 2)}).value == F(-6, 5)


def test_budgets_are_checked_before_the_tables():
    with limits.raised(beliefs=2), pytest.raises(LimitError, match="beliefs and decision points"):
        solve_episode(walk(3))
    with limits.raised(dp=10), pytest.raises(LimitError, match="decision points x actions x steps"):
        solve_episode(walk(3))


def test_value_of_observing_the_hidden_variable():
    # seeing Z: Z = no (1/2): go, go, stay: -11/10 - 11/10 + 3 = 4/5; Z = yes (1/2): going to b is then
    # a trap (stuck, -1 a step): stay at a, -3; or go once: -1 - 1/10 - 1 - 1 = -31/10; so -3.
    seen = solve_episode(walk(3), observes=["Pos", "Z"])
    assert seen.value == F(1, 2) * F(4, 5) + F(1, 2) * (-3)
    assert seen.policy is None
    assert sp.Rational(seen.value) - solve_episode(walk(3)).value == F(-11, 10) - F(-6, 5)
