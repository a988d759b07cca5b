"""The compiled world's caches (numeric tables, rule tables, applied / mutilated / twin worlds):
a cached answer equals a freshly computed one, and a change of world or rule is noticed.
Every expected value is derived by hand in the comment above it."""

from __future__ import annotations

from fractions import Fraction as F

import sympy as sp

from corrig import E, P, Policy, World, do, observed
from corrig.inference.compiled import POLICY_ENTRIES
from corrig.inference.counterfactual import applied_world, twin_network

R = sp.Rational


def small_world() -> World:
    """W ~ {calm 3/4, crisis 1/4}; the AI's act A observes W; B = off w.p. 1/2 when A = push, else on;
    V = 1 in calm with B on, 2 in crisis with B off, 0 otherwise."""
    w = World("small")
    w.chance("W", {"calm": F(3, 4), "crisis": F(1, 4)})
    w.decision("A", ["work", "push"], observes=["W"])
    w.chance("B", lambda A: {"off": F(1, 2), "on": F(1, 2)} if A == "push" else "on", states=["on", "off"])
    w.chance("V", lambda W, B: 1 if (W, B) == ("calm", "on") else 2 if (W, B) == ("crisis", "off") else 0)
    return w


def push_in_crisis(W: str) -> str:
    return "push" if W == "crisis" else "work"


def test_a_cached_answer_equals_a_fresh_one():
    w = small_world()
    policy = Policy(A=push_in_crisis)
    # calm (3/4): work, B on, V = 1; crisis (1/4): push, B off w.p. 1/2 -> V = 2 w.p. 1/2, else 0.
    # E[V] = 3/4 + 1/4 * 1/2 * 2 = 1.
    first = w.E(w["V"], policy)
    again = w.E(w["V"], policy)
    fresh = small_world().E(small_world()["V"], Policy(A=push_in_crisis))
    assert first == again == fresh == 1
    assert isinstance(again, sp.Rational)
    # P(B = off) = 1/4 * 1/2 = 1/8, asked twice and on a fresh world
    assert w.P(w["B"] == "off", policy) == w.P(w["B"] == "off", policy) == R(1, 8)


def test_the_float_backend_is_cached_separately_and_agrees():
    w = small_world()
    floats = small_world()
    floats.replace("W", {"calm": 0.75, "crisis": 0.25}, states=["calm", "crisis"])
    policy = Policy(A=push_in_crisis)
    assert w.E(w["V"], policy) == 1
    # the same world with float probabilities: the same E[V] = 1, as a float, twice
    for _ in range(2):
        value = floats.E(floats["V"], policy)
        assert type(value) is float and abs(value - 1) < 1e-12


def test_a_new_declaration_drops_the_caches():
    w = small_world()
    policy = Policy(A=push_in_crisis)
    assert w.E(w["V"], policy) == 1
    old = w.compiled
    # the press made certain (B off after every push): E[V] = 3/4 + 1/4 * 2 = 5/4.
    w.replace("B", lambda A: "off" if A == "push" else "on", states=["on", "off"])
    assert w.compiled is not old
    assert w.E(w["V"], policy) == R(5, 4)


def test_a_replaced_rule_is_noticed():
    w = small_world()
    policy = Policy(A=push_in_crisis)
    assert w.E(w["V"], policy) == 1
    # always work: B on; V = 1 in calm only: E[V] = 3/4
    policy.rules["A"] = "work"
    assert w.E(w["V"], policy) == R(3, 4)


def test_do_worlds_are_built_once_and_answer_like_fresh_ones():
    w = small_world()
    policy = Policy(A=push_in_crisis)
    # do(B = off): V = 2 in crisis only: E[V] = 1/2
    assert w.E(w["V"], policy, do={"B": "off"}) == R(1, 2)
    cached = [k for k in w.compiled.derived if isinstance(k, tuple) and k[0] == "do"]
    assert w.E(w["V"], policy, do={"B": "off"}) == R(1, 2)
    assert [k for k in w.compiled.derived if isinstance(k, tuple) and k[0] == "do"] == cached and len(cached) == 1
    assert w.do({"B": "off"}).E(w["V"], policy) == R(1, 2)


def test_counterfactual_twin_networks_are_reused():
    w = small_world()
    policy = Policy(A=push_in_crisis)
    V = w["V"]
    # observed W = calm, had W been crisis: the twin's A pushes, B off w.p. 1/2, V = 2 then: E = 1.
    # observed A = push (so W = crisis), had A worked: B on, V = 0 in crisis: E = 0.
    # P(B = off) in the first counterfactual: 1/2.
    term = E(V, observed(W="calm") >> do(W="crisis"))
    assert term.evaluate(w, policy) == 1
    applied = applied_world(w, policy)
    assert applied_world(w, policy) is applied
    twin = twin_network(applied, {"W": "crisis"})[0]
    assert term.evaluate(w, policy) == 1
    assert twin_network(applied, {"W": "crisis"})[0] is twin
    assert E(V, observed(A="push") >> do(A="work")).evaluate(w, policy) == 0
    # the planner hands the applied world (no decisions left) with the policy: no second application
    assert term.evaluate(applied, policy) == 1
    assert [k for k in applied.compiled.derived if isinstance(k, tuple) and k[0] == "twin"] == [
        ("twin", (("W", "crisis"),)), ("twin", (("A", "work"),))]
    assert P(w["B"] == "off", observed(W="calm") >> do(W="crisis")).evaluate(small_world(), Policy(A=push_in_crisis)) \
        == R(1, 2)


def test_the_policy_cache_is_bounded():
    w = small_world()
    # a mixed rule push w.p. q in crisis, work in calm: E[V] = 3/4 + 1/4 * q * 1/2 * 2 = 3/4 + q/4
    for i in range(POLICY_ENTRIES + 10):
        q = R(i % 7, 6)
        policy = Policy(A={"crisis": {"push": q, "work": 1 - q}, "calm": "work"})
        assert w.E(w["V"], policy) == R(3, 4) + q / 4
    assert len(w.compiled.derived["policies"]) == POLICY_ENTRIES


def symbolic_world(p: sp.Symbol) -> World:
    """W ~ {calm 1 - p, crisis p}; A observes W; B = off w.p. 1/2 when A = push; V as in small_world."""
    w = small_world()
    w.replace("W", {"calm": 1 - p, "crisis": p}, states=["calm", "crisis"])
    return w


def test_symbolic_tables_kept_per_domain_answer_like_fresh_ones():
    """The symbolic backend keeps each table's domain elements and each domain per set of values; answers read
    through those caches equal the ones computed with every cache emptied, and the hand derivation."""
    from corrig import param
    from corrig.inference import engine

    p = param("p", 0, 1)
    policy = Policy(A=push_in_crisis)
    # calm (1 - p): work, V = 1; crisis (p): push, B off w.p. 1/2 -> V = 2 w.p. 1/2.  E[V] = 1 - p + p = 1;
    # P(B = off) = p/2; P(W = crisis | B = off) = 1 (only a crisis pushes); E[V | do(A=push)] = (1 - p)/2 + p.
    expected = {"E": sp.Integer(1), "off": p / 2, "cond": sp.Integer(1), "do": (1 - p) / 2 + p}

    def answers(w: World) -> dict[str, sp.Expr]:
        return {"E": w.E(w["V"], policy), "off": w.P(w["B"] == "off", policy),
                "cond": w.P(w["W"] == "crisis", policy, given=w["B"] == "off"),
                "do": w.E(w["V"], policy, do={"A": "push"})}

    w = symbolic_world(p)
    cached = [answers(w), answers(w), answers(symbolic_world(p))]  # the second and third read the caches
    engine._BACKENDS.clear()
    engine._ELEMENTS.clear()
    fresh = answers(symbolic_world(p))
    for found in [*cached, fresh]:
        assert {k: sp.simplify(v - expected[k]) for k, v in found.items()} == dict.fromkeys(expected, 0)
    # counterfactuals in the symbolic world: in a calm world, had A pushed, B is off w.p. 1/2: V = 1 w.p. 1/2;
    # in a crisis, had A worked, B stays on: V = 0
    for _ in range(2):  # the second time through the cached twin network and domain elements
        assert E(w["V"], observed(W="calm") >> do(A="push")).evaluate(w, policy) == R(1, 2)
        assert E(w["V"], observed(W="crisis") >> do(A="work")).evaluate(w, policy) == 0


def test_exactly_equal_agrees_with_sympy_simplify():
    """exactly_equal decides rational functions in sympy's field and leaves anything else to simplify: on
    pairs equal and unequal by construction it answers as simplify(a - b) == 0 does."""
    from corrig import param
    from corrig.model.numbers import exactly_equal

    K, v = param("K", 0, 100), param("v", 0, 1)
    pairs = [
        (K / (1 + v) - 1, (K - 1 - v) / (1 + v), True),  # common denominator
        ((K + 2) * (1 / (990 * v + 1) + 9 / (999 - 990 * v)), (K + 2) / (990 * v + 1) + 9 * (K + 2) / (999 - 990 * v), True),
        (K / (1 + v), K / (1 + v) + R(1, 10**30), False),
        (R(3, 4), F(3, 4), True),
        (R(3, 4), R(3, 5), False),
        (sp.sqrt(2) * K * sp.sqrt(2), 2 * K, True),  # irrational coefficients: the simplify route
        (sp.sqrt(2) * K, K, False),
        (sp.sqrt(K) * sp.sqrt(K), K, True),
        (0.5 * K, K / 2, True),  # a float that equals the exact half (as simplify finds)
    ]
    for a, b, equal in pairs:
        assert exactly_equal(a, b) is equal, (a, b)
        assert (sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0) is equal, (a, b)


def test_a_compiled_nodes_parameters_and_floats_are_its_tables():
    """Each compiled node remembers the parameters of its table (a copy reuses an unchanged node's);
    the world's parameters are read from them, and its float flag from the tables: the same as reading every
    probability anew."""
    from corrig import param
    from corrig.model.numbers import is_float_valued
    from corrig.model.params import parameters_in

    p = param("p", 0, 1)
    w = symbolic_world(p)
    w.replace("B", lambda A: {"off": 0.5, "on": 0.5} if A == "push" else "on", states=["on", "off"])
    copy = w.check().copy(name="copy")  # copied once compiled: it may reuse the compiled nodes
    copy.replace("V", lambda W, B: 1, states=[0, 1])
    for world in (w, copy):
        compiled = world.compiled
        values = [v for t in compiled.tables.values() for row in t.table.values() for v in row]
        assert compiled.parameters == frozenset().union(*(parameters_in(v) for v in values)) == {p}
        assert compiled.floats == any(is_float_valued(v) for v in values) is True
        for t in compiled.tables.values():
            assert t.deterministic == all(sum(1 for v in row if v != 0) == 1 for row in t.table.values())
    assert copy.compiled.tables["W"] is w.compiled.tables["W"]  # unchanged: its table (and what it read) reused
