"""Equilibria against PyCID's documented games and against brute-force enumeration of profiles.

PyCID = causalincentives/pycid @ 23666f9, pycid/examples/story_macids.py (docstrings) and
tests/test_macid.py.  The taxi competition is Hammond, Fox, Everitt, Abate & Wooldridge (2021).
"""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import networkx as nx
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pgmpy.base import DAG

from corrig import E, Policy, World
from corrig.analysis.equilibria import best_response, pure_nash, subgame_perfect
from corrig.model.errors import WorldError


def matrix_game(name, a, b, states1, states2, sequential=False):
    """A two-agent game: agent one sets D1, agent two D2 (observing D1 when sequential)."""
    w = World(name)
    w.decision("D1", states1, agent="one")
    w.decision("D2", states2, observes=["D1"] if sequential else [], agent="two")
    w.chance("U1", lambda D1, D2: a[states1.index(D1)][states2.index(D2)])
    w.chance("U2", lambda D1, D2: b[states1.index(D1)][states2.index(D2)])
    w.agent("one", objective=E(w["U1"]))
    w.agent("two", objective=E(w["U2"]))
    return w


def taxi(modified=False):
    u1 = [[2, 5], [3, 1]]
    u2 = [[2, 3], [5, 5]] if modified else [[2, 3], [5, 1]]  # taxi: U2 = U1 transposed
    return matrix_game("taxi competition", u1, u2, ["e", "c"], ["e", "c"], sequential=True)


def rules(eq, world):
    return {d: eq.policy.table(world, d) for d in world.decisions}


def test_taxi_competition():
    world = taxi()
    # story_macids.taxi_competition: "3 pure strategy NE ... and 1 pure SPE" (Hammond et al. 2021).
    nash = pure_nash(world)
    assert len(nash) == 3
    spe = subgame_perfect(world)
    assert len(spe) == 1
    # tests/test_macid.py test_get_spe: D1 = e (values [1, 0]); D2 = c after e, e after c.
    (only,) = spe
    assert only.policy.table(world, "D1") == {(): (1, 0)}
    assert only.policy.table(world, "D2") == {("e",): (0, 1), ("c",): (1, 0)}
    assert dict(only.values) == {"one": 5, "two": 3}  # by hand: U1(e, c) = 5, U2(e, c) = 3


def test_modified_taxi_competition_has_two_spe():
    # story_macids.modified_taxi_competition: "There are now two SPNE"; test_get_spe asserts 2.
    assert len(subgame_perfect(taxi(modified=True))) == 2


def test_prisoners_dilemma_battle_of_the_sexes_matching_pennies():
    pd = matrix_game("pd", [[-1, -3], [0, -2]], [[-1, 0], [-3, -2]], ["c", "d"], ["c", "d"])
    # story_macids.prisoners_dilemma: one pure NE (defect, defect); test_get_ne: both earn -2.
    (eq,) = pure_nash(pd)
    assert eq.policy.table(pd, "D1") == {(): (0, 1)} and dict(eq.values) == {"one": -2, "two": -2}
    assert len(subgame_perfect(pd)) == 1
    bos = matrix_game("bos", [[3, 0], [0, 2]], [[2, 0], [0, 3]], ["O", "F"], ["O", "F"])
    # battle_of_the_sexes: two pure NE (O, O) and (F, F); get_spe("enumpure") finds 2.
    assert {(e.policy.rules["D1"], e.policy.rules["D2"]) for e in pure_nash(bos)} == {("O", "O"), ("F", "F")}
    assert len(subgame_perfect(bos)) == 2
    mp = matrix_game("pennies", [[1, -1], [-1, 1]], [[-1, 1], [1, -1]], ["H", "T"], ["H", "T"])
    # matching_pennies: get_ne("enumpure") finds none.
    assert pure_nash(mp) == []


def test_best_response():
    world = taxi()
    # by hand: against D1 = c, taxi two's best rule answers c with e (5 > 1); after e it is indifferent
    # only off the path, so both rules for the e context are best responses (payoff 5).
    found = best_response(world, None, "two", Policy(D1="c"))
    assert {e.policy.table(world, "D2")[("c",)] for e in found} == {(1, 0)}
    assert len(found) == 2 and all(e.values["two"] == 5 for e in found)


def test_agent_without_objective_is_named():
    w = World("no objective")
    w.decision("D", [0, 1], agent="human")
    w.chance("V", lambda D: D)
    with pytest.raises(WorldError, match="human"):
        pure_nash(w, E(w["V"]))


def test_symbolic_equilibria_carry_their_condition():
    from corrig import param

    k = param("k_eq", -1, 2)
    w = World("coordination")
    w.decision("A", [0, 1], agent="one")
    w.decision("B", [0, 1], agent="two")
    # both earn k when they play (1, 1), 1 when they play (0, 0), 0 otherwise
    w.chance("U", lambda A, B: {(0, 0): 1, (1, 1): 2}.get((A, B), 0), states=[0, 1, 2])
    pay = E((w["U"] == 2) * k + (w["U"] == 1) * 1)
    w.agent("one", objective=pay)
    w.agent("two", objective=pay)
    found = {(e.policy.rules["A"], e.policy.rules["B"]): e.condition for e in pure_nash(w)}
    # by hand: (0, 0) is a NE iff 1 ≥ 0 (always); (1, 1) iff k ≥ 0 (part of [-1, 2]); a mixed pair
    # like (0, 1) needs 0 ≥ 1 from agent two — never.
    assert set(found) == {(0, 0), (1, 1)}
    assert found[(0, 0)] is True and found[(1, 1)] == sp.And(sp.Le(0, k), sp.Le(k, 2))  # k ≥ 0 within [-1, 2]


# brute force on random small MACIDs -------------------------------------------------------------
@st.composite
def random_game(draw):
    p = draw(st.sampled_from([F(1, 4), F(1, 2), F(2, 3)]))
    d1_sees_c = draw(st.booleans())
    d2_sees = draw(st.lists(st.sampled_from(["C", "D1"]), unique=True, max_size=2))
    payoff = st.integers(-2, 2)
    u1 = {k: draw(payoff) for k in itertools.product([0, 1], repeat=3)}
    u2 = {k: draw(payoff) for k in itertools.product([0, 1], repeat=3)}
    return p, d1_sees_c, d2_sees, u1, u2


def game_world(spec, first="a"):
    p, d1_sees_c, d2_sees, u1, u2 = spec
    w = World("random game")
    w.chance("C", {0: 1 - p, 1: p})
    w.decision("D1", [0, 1], observes=["C"] if d1_sees_c else [], agent=first)
    w.decision("D2", [0, 1], observes=sorted(d2_sees, key=["C", "D1"].index), agent="b")
    w.chance("U1", lambda C, D1, D2: u1[(C, D1, D2)], states=[-2, -1, 0, 1, 2])
    w.chance("U2", lambda C, D1, D2: u2[(C, D1, D2)], states=[-2, -1, 0, 1, 2])
    if first is not None:
        w.agent(first, objective=E(w["U1"]))
    w.agent("b", objective=E(w["U2"]))
    return w


def tables(world, decision):
    """Every pure rule of a decision as {context: state}, enumerated by hand."""
    parents = world.nodes[decision].parents
    contexts = list(itertools.product(*(world.nodes[q].states for q in parents)))
    return [dict(zip(contexts, choice, strict=True)) for choice in itertools.product([0, 1], repeat=len(contexts))]


def payoff(spec, world, r1, r2, mix1=None, mix2=None):
    """Expected (U1, U2) by summing over C and the (possibly uniform) decisions."""
    p, _, _, u1, u2 = spec
    total1 = total2 = F(0)
    for c in (0, 1):
        pc = p if c == 1 else 1 - p
        for d1 in (0, 1):
            ctx1 = tuple({"C": c}[q] for q in world.nodes["D1"].parents)
            p1 = F(1, 2) if mix1 else F(int(r1[ctx1] == d1))
            for d2 in (0, 1):
                ctx2 = tuple({"C": c, "D1": d1}[q] for q in world.nodes["D2"].parents)
                p2 = F(1, 2) if mix2 else F(int(r2[ctx2] == d2))
                w = pc * p1 * p2
                total1 += w * u1[(c, d1, d2)]
                total2 += w * u2[(c, d1, d2)]
    return total1, total2


def brute_nash(spec, world):
    out = set()
    all1, all2 = tables(world, "D1"), tables(world, "D2")
    for r1, r2 in itertools.product(all1, all2):
        v1, v2 = payoff(spec, world, r1, r2)
        if all(payoff(spec, world, o, r2)[0] <= v1 for o in all1) and all(payoff(spec, world, r1, o)[1] <= v2 for o in all2):
            out.add((tuple(sorted(r1.items())), tuple(sorted(r2.items()))))
    return out


def relies(world, d, other):
    """s-reachability (Koller & Milch 2003) with pgmpy's d-separation: does `d` rely on `other`?"""
    owner_u = {"D1": "U1", "D2": "U2"}
    edges = [(q, n) for n in world.nodes for q in world.nodes[n].parents] + [("new_parent", other)]
    dag = DAG(edges)
    u = owner_u[d]
    if u not in nx.descendants(nx.DiGraph(edges), d):
        return False
    observed = [d, *world.nodes[d].parents]
    return dag.is_dconnected("new_parent", u, observed=observed)


def brute_spe(spec, world):
    """Profiles whose rules are a NE of each relevance component, the components it relies on fixed to
    the profile and the components relying on it played uniformly (PyCID's get_spe, enumerated)."""
    d1_on_d2, d2_on_d1 = relies(world, "D1", "D2"), relies(world, "D2", "D1")
    out = set()
    all1, all2 = tables(world, "D1"), tables(world, "D2")
    for r1, r2 in itertools.product(all1, all2):
        v1, v2 = payoff(spec, world, r1, r2)
        if d1_on_d2 and d2_on_d1:  # one component: Nash
            ok = all(payoff(spec, world, o, r2)[0] <= v1 for o in all1) and all(payoff(spec, world, r1, o)[1] <= v2 for o in all2)
        elif d1_on_d2:  # D2 solved first against a uniform D1, then D1 against D2's rule
            ok = all(payoff(spec, world, r1, o, mix1=True)[1] <= payoff(spec, world, r1, r2, mix1=True)[1] for o in all2) \
                and all(payoff(spec, world, o, r2)[0] <= v1 for o in all1)
        elif d2_on_d1:
            ok = all(payoff(spec, world, o, r2, mix2=True)[0] <= payoff(spec, world, r1, r2, mix2=True)[0] for o in all1) \
                and all(payoff(spec, world, r1, o)[1] <= v2 for o in all2)
        else:  # two independent components, each against the other played uniformly
            ok = all(payoff(spec, world, o, r2, mix2=True)[0] <= payoff(spec, world, r1, r2, mix2=True)[0] for o in all1) \
                and all(payoff(spec, world, r1, o, mix1=True)[1] <= payoff(spec, world, r1, r2, mix1=True)[1] for o in all2)
        if ok:
            out.add((tuple(sorted(r1.items())), tuple(sorted(r2.items()))))
    return out


def as_keys(world, found):
    out = set()
    for eq in found:
        keys = []
        for d in ("D1", "D2"):
            table = eq.policy.table(world, d)
            keys.append(tuple(sorted((c, world.nodes[d].states[row.index(1)]) for c, row in table.items())))
        out.add(tuple(keys))
    return out


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_game())
def test_pure_nash_matches_enumeration(spec):
    world = game_world(spec)
    assert as_keys(world, pure_nash(world)) == brute_nash(spec, world)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_game())
def test_subgame_perfect_matches_enumeration(spec):
    world = game_world(spec)
    assert as_keys(world, subgame_perfect(world)) == brute_spe(spec, world)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_game())
def test_responses_are_lexicographic_best_responses(spec):
    # D1 is the AI's, D2 agent b's.  Against each AI rule, the response must maximise b's value
    # against that rule, then against a uniformly random D1 (brute force over every rule of D2 with the
    # test's own payoff sums); all such rules pay b the same at both levels, so exactly one is returned.
    from corrig.analysis.equilibria import responses

    world = game_world(spec, first=None)
    all1, all2 = tables(world, "D1"), tables(world, "D2")
    for r1 in all1:
        rule = r1[()] if list(r1) == [()] else dict(r1)
        found = responses(world, E(world["U1"]), Policy(D1=rule))
        best = max((payoff(spec, world, r1, r2)[1], payoff(spec, world, r1, r2, mix1=True)[1]) for r2 in all2)
        assert len(found) == 1
        table = found[0].policy.table(world, "D2")
        chosen = {c: world.nodes["D2"].states[row.index(1)] for c, row in table.items()}
        assert (payoff(spec, world, r1, chosen)[1], payoff(spec, world, r1, chosen, mix1=True)[1]) == best


def test_symbolic_subgame_perfect_drops_contradictory_conditions():
    from corrig import param

    k = param("k_spe", 0, 2)
    w = World("sequential, symbolic")
    w.decision("D1", ["e", "c"], agent="one")
    w.decision("D2", ["e", "c"], observes=["D1"], agent="two")
    w.chance("Out", lambda D1, D2: D1 + D2, states=["ee", "ec", "ce", "cc"])
    out = w["Out"]
    w.agent("one", objective=E((out == "ec") * 2 * k + (out == "ce") * 1 + (out == "cc") * 1))
    w.agent("two", objective=E((out == "ee") * 1 + (out == "ec") * k + (out == "ce") * 1))
    found = {(e.policy.rules["D1"], tuple(sorted(e.policy.rules["D2"].items()))): e.condition for e in subgame_perfect(w)}
    # by hand: after c agent two answers e (1 > 0); after e it answers c iff k ≥ 1.  Against
    # (e -> c) agent one plays e iff 2k ≥ 1 — and c only if k ≤ 1/2, which contradicts k ≥ 1: dropped.
    # Against (e -> e) it plays c (1 > 0).  Two SPE: (e, e->c, c->e) for k ≥ 1, (c, e->e, c->e) for k ≤ 1.
    e_c = (("c",), "e"), (("e",), "c")
    e_e = (("c",), "e"), (("e",), "e")
    assert set(found) == {("e", e_c), ("c", e_e)}
    # each condition is the region where it holds, within k's range [0, 2]
    assert found[("e", e_c)] == sp.And(sp.Le(1, k), sp.Le(k, 2)) and found[("c", e_e)] == sp.And(sp.Le(0, k), sp.Le(k, 1))
