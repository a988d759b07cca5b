"""Exact tables as integer numerators over a common denominator (corrig.inference.scaled), and the
exact solve that contracts them: every answer is checked against brute-force enumeration in
fractions.Fraction (an independent computation), against the float backend, and against the
element-wise rational path; tables too large for int64 must take the Python-int path and stay exact."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import networkx as nx
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from corrig import E, World
from corrig.analysis import limid
from corrig.analysis.contractor import _Contractor
from corrig.analysis.linear_pieces import _linear_terms, _pieces, relevance_graph
from corrig.analysis.solve import solve
from corrig.inference import scaled
from corrig.inference.scaled import INT64_MAX, Scaled


# the tables ------------------------------------------------------------------------------------
def fraction_einsum(operands: list[tuple[list[list[F]], str]], out: str) -> dict[tuple[int, ...], F]:
    """Σ over the summed letters of the product of 2-d tables of Fractions, entry by entry."""
    sizes = {}
    for table, letters in operands:
        sizes[letters[0]], sizes[letters[1]] = len(table), len(table[0])
    names = sorted(sizes)
    result: dict[tuple[int, ...], F] = {}
    for combo in itertools.product(*(range(sizes[n]) for n in names)):
        at = dict(zip(names, combo, strict=True))
        term = F(1)
        for table, letters in operands:
            term *= table[at[letters[0]]][at[letters[1]]]
        key = tuple(at[n] for n in out)
        result[key] = result.get(key, F(0)) + term
    return result


def spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, for every scaled contraction, whether it ran on Python ints (True) or int64 (False)."""
    paths: list[bool] = []
    original = scaled.product_sum

    def recording(tables, summed, run):
        def run_and_record(arrays, objects):
            paths.append(objects)
            return run(arrays, objects)
        return original(tables, summed, run_and_record)

    monkeypatch.setattr(scaled, "product_sum", recording)
    return paths


rationals = st.fractions(min_value=-50, max_value=50, max_denominator=12)
huge = st.builds(F, st.integers(-(10**30), 10**30), st.integers(10**20, 10**22))


@given(data=st.data(), big=st.booleans())
@settings(max_examples=25, deadline=None)
def test_a_contraction_equals_the_fraction_sum(data, big):
    """'ab,bc->ac' on random rational tables: the scaled result is the Fractions' sum of products,
    entry for entry; with numerators near 10^30 the int64 bound fails and the Python-int path runs."""
    values = huge if big else rationals
    a = data.draw(st.lists(st.lists(values, min_size=3, max_size=3), min_size=2, max_size=2))
    b = data.draw(st.lists(st.lists(values, min_size=2, max_size=2), min_size=3, max_size=3))
    ta, tb = Scaled.of([x for row in a for x in row], (2, 3)), Scaled.of([x for row in b for x in row], (3, 2))
    with pytest.MonkeyPatch.context() as mp:
        paths = spy(mp)
        result = scaled.einsum(ta, [0, 1], tb, [1, 2], [0, 2])
    expected = fraction_einsum([(a, "ab"), (b, "bc")], "ac")
    for (i, k), value in expected.items():
        assert F(int(result.numerators[i, k]), result.denominator) == value
    assert paths == [max(ta.top(), 1) * max(tb.top(), 1) * 3 > INT64_MAX]  # the bound decides the path


def test_a_result_that_fits_returns_to_int64(monkeypatch):
    # Σ of two (2^40 / 3) · (2^40 / 5): numerators 2^40 each, bound 2^40 · 2^40 · 2 = 2^81 > 2^63 − 1, so
    # Python ints; the value 2^81 / 15 does not fit int64 either.  Times 1 / 2^80 (bound 2^81 again):
    # 2^81 / (15 · 2^80) = 2/15, whose numerator fits, so the table is int64 again.
    paths = spy(monkeypatch)
    a = Scaled.of([F(2**40, 3)] * 2, (2,))
    b = Scaled.of([F(2**40, 5)] * 2, (2,))
    product = scaled.einsum(a, [0], b, [0], [])
    assert product.numerators.dtype == object and product.rational() == (2**81, 15)
    shrunk = scaled.einsum(product, [], Scaled.of([F(1, 2**80)], (1,)), [0], [])
    assert shrunk.rational() == (2, 15) and shrunk.numerators.dtype == np.int64
    assert paths == [True, True]


def test_sums_and_stacks_bring_tables_to_one_denominator():
    # 1/6 + 1/10 = 8/30 = 4/15; stacking [1/6] with [1/10] gives numerators [5, 3] over 30.
    a, b = Scaled.of([F(1, 6)], (1,)), Scaled.of([F(1, 10)], (1,))
    assert (a + b).rational() == (4, 15)
    assert (a - b).rational() == (1, 15)
    both = scaled.stack([a, b])
    assert both.denominator == 30 and both.numerators.tolist() == [[5], [3]]
    big = Scaled.of([F(INT64_MAX, 2)], (1,))
    assert (big + big).rational() == (INT64_MAX, 1)  # the sum's numerator 2·(2^63 − 1) needs Python ints


# solve on random worlds ----------------------------------------------------------------------------
def random_world(seed: int, *, wide: bool) -> tuple[list[tuple], World, World, object]:
    """A random influence diagram as plain data (name, kind, states, parents, table), built as an exact
    and a float corrig world with Σ E(U_j) as the objective.

    Four chance or decision nodes of 2-3 states (two decisions, each observing at most one earlier
    node, so rules may forget and the relevance graph may be cyclic), two utility nodes of two parents
    (the first reading a chance node).  `wide`: probabilities with denominators near 10^20, beyond int64.
    """
    rng = random.Random(seed)
    nodes: list[tuple] = []
    kinds = rng.choice([("c", "d", "c", "d"), ("d", "c", "d", "c"), ("c", "d", "d", "c"), ("c", "c", "d", "d")])
    for i, kind in enumerate(kinds):
        name = f"X{i}"
        states = tuple(str(s) for s in range(rng.choice((2, 2, 3))))
        earlier = list(nodes)
        if kind == "d":
            parents = tuple(n[0] for n in rng.sample(earlier, min(len(earlier), rng.choice((0, 1, 1)))))
            nodes.append((name, "decision", states, parents, None))
            continue
        parents = tuple(n[0] for n in rng.sample(earlier, min(len(earlier), rng.choice((0, 1, 2)))))
        table = {}
        for ctx in itertools.product(*(n[2] for n in nodes if n[0] in parents)):
            weights = [rng.randint(10**19, 10**20) if wide else rng.randint(1, 6) for _ in states]
            if rng.random() < 0.2 and not wide:
                weights[rng.randrange(len(weights))] = 0  # a zero entry now and then
            total = sum(weights)
            table[ctx] = tuple(F(w, total) for w in weights)
        nodes.append((name, "chance", states, tuple(p for p in (n[0] for n in nodes) if p in parents), table))
    inner = list(nodes)
    for j in range(2):
        first = rng.choice([n[0] for n in inner if n[1] == "chance"] if j == 0 else [n[0] for n in inner])
        second = rng.choice([n[0] for n in inner if n[0] != first])
        parents = tuple(sorted((first, second), key=lambda p: int(p[1:])))
        contexts = itertools.product(*(n[2] for n in inner if n[0] in parents))
        nodes.append((f"U{j}", "utility", (), parents, {ctx: F(rng.randint(-9, 9), rng.choice((1, 2, 3))) for ctx in contexts}))
    return nodes, *build(nodes, exact=True), build(nodes, exact=False)[0]


def build(nodes: list[tuple], *, exact: bool) -> tuple[World, object]:
    world = World("random")
    utility = None
    for name, kind, states, parents, table in nodes:
        if kind == "decision":
            world.decision(name, list(states), observes=list(parents))
        elif kind == "chance":
            num = (lambda p: p) if exact else (lambda p: p if p in (0, 1) else float(p))
            rows = {ctx: dict(zip(states, (num(p) for p in row), strict=True)) for ctx, row in table.items()}
            world.chance(name, rows if parents else rows[()], parents=list(parents), states=list(states))
        else:
            world.chance(name, dict(table), parents=list(parents), states=sorted(set(table.values())))
            utility = E(world[name]) if utility is None else utility + E(world[name])
    return world, utility


def brute_force(nodes: list[tuple]) -> tuple[F, dict]:
    """max over every pure policy of Σ_x P(x) Σ_j U_j(x), by enumeration in Fractions; with the values of
    every policy ({rules: value}, rules as ((decision, choice per context), ...))."""
    order = [n for n in nodes if n[1] != "utility"]
    states = {n[0]: n[2] for n in order}
    weights = []  # (assignment, P(chance part) · Σ U)
    for combo in itertools.product(*(n[2] for n in order)):
        x = dict(zip((n[0] for n in order), combo, strict=True))
        p = F(1)
        for name, kind, node_states, parents, table in order:
            if kind == "chance":
                p *= table[tuple(x[q] for q in parents)][node_states.index(x[name])]
        u = sum((table[tuple(x[q] for q in parents)] for _, kind, _, parents, table in nodes if kind == "utility"), F(0))
        if p:
            weights.append((x, p * u))
    decisions = [n for n in order if n[1] == "decision"]
    per = []
    for name, _, node_states, parents, _ in decisions:
        contexts = list(itertools.product(*(states[q] for q in parents)))
        per.append([(name, parents, dict(zip(contexts, choice, strict=True)))
                    for choice in itertools.product(node_states, repeat=len(contexts))])
    values = {}
    for policy in itertools.product(*per):
        total = sum((w for x, w in weights
                     if all(x[name] == rule[tuple(x[q] for q in parents)] for name, parents, rule in policy)), F(0))
        values[tuple((name, tuple(rule.items())) for name, _, rule in policy)] = total
    return max(values.values()), values


def as_fraction(value) -> F:
    return F(int(value.p), int(value.q)) if isinstance(value, sp.Rational) else F(value)


def check_solution(nodes, exact_world, float_world, utility, float_utility) -> F:
    best, _ = brute_force(nodes)
    solution = solve(exact_world, utility)
    assert as_fraction(solution.value) == best
    assert as_fraction(utility.evaluate(exact_world, solution.policy, cache={})) == best  # the policy earns it
    approx = solve(float_world, float_utility)
    assert approx.value == pytest.approx(float(best), rel=1e-9, abs=1e-9)
    return best


@given(seed=st.integers(0, 10**6), eliminate=st.booleans())
@settings(max_examples=12, deadline=None)
def test_exact_solve_equals_brute_force_and_the_float_backend(seed, eliminate):
    """Random two-decision diagrams: the exact optimum equals enumeration in Fractions, the float one
    agrees to 1e-9; `eliminate` sends every cyclic component through the exact LIMID elimination."""
    nodes, world, utility, float_world = random_world(seed, wide=False)
    float_utility = build(nodes, exact=False)[1]
    with pytest.MonkeyPatch.context() as mp:
        if not eliminate:  # sets of one partial strategy: the enumeration fallback
            mp.setattr(limid, "SET_LIMIT", 1)
        check_solution(nodes, world, float_world, utility, float_utility)


@given(seed=st.integers(0, 10**6))
@settings(max_examples=6, deadline=None)
def test_tables_too_wide_for_int64_take_the_python_int_path_and_stay_exact(seed):
    """Probabilities with denominators near 10^20: their numerators do not fit int64, so the
    contractions that read them run on Python ints; the optimum still equals enumeration in Fractions."""
    nodes, world, utility, float_world = random_world(seed, wide=True)
    float_utility = build(nodes, exact=False)[1]
    with pytest.MonkeyPatch.context() as mp:
        paths = spy(mp)
        check_solution(nodes, world, float_world, utility, float_utility)
    assert any(paths), "no contraction ran on Python ints"


@pytest.mark.parametrize("eliminate", [False, True])
def test_the_same_policy_as_element_wise_rationals(eliminate):
    """On 40 random worlds, the scaled tables choose the very policy (ties broken the same way) and
    value that the element-wise rational path (sympy QQ objects, still used for irrational numbers)
    chooses; the worlds include cyclic relevance graphs and tied optimal policies."""
    original = _Contractor.__init__

    def element_wise(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.scaled = False
        self.one, self.zero = self.backend.domain.one, self.backend.domain.zero

    cyclic = ties = 0
    for seed in range(40):
        nodes, world, utility, _ = random_world(seed, wide=False)
        pieces = _pieces(world, _linear_terms(utility)[0])
        cyclic += not nx.is_directed_acyclic_graph(relevance_graph(world, pieces))
        best, values = brute_force(nodes)
        ties += sum(v == best for v in values.values()) > 1
        with pytest.MonkeyPatch.context() as mp:
            if not eliminate:  # sets of one partial strategy: the enumeration fallback
                mp.setattr(limid, "SET_LIMIT", 1)
            fast = solve(world, utility)
            mp.setattr(_Contractor, "__init__", element_wise)
            slow = solve(*build(nodes, exact=True))
        assert fast.value == slow.value
        assert fast.policy.rules == slow.policy.rules, seed
    assert cyclic and ties


# fixed-policy queries ------------------------------------------------------------------------------
def joint(nodes: list[tuple], rules: dict[str, dict]) -> list[tuple[dict, F]]:
    """Every assignment of the non-utility nodes with its probability under the pure rules, in Fractions."""
    order = [n for n in nodes if n[1] != "utility"]
    out = []
    for combo in itertools.product(*(n[2] for n in order)):
        x = dict(zip((n[0] for n in order), combo, strict=True))
        p = F(1)
        for name, kind, node_states, parents, table in order:
            context = tuple(x[q] for q in parents)
            p *= table[context][node_states.index(x[name])] if kind == "chance" else int(rules[name][context] == x[name])
        out.append((x, p))
    return out


@given(seed=st.integers(0, 10**6), wide=st.booleans())
@settings(max_examples=10, deadline=None)
def test_exact_queries_equal_brute_force(seed, wide):
    """P, E, a conditional E and a conditional distribution under a pure policy, by the engine (scaled
    tables along opt_einsum's path), equal the sums over the joint in Fractions; tables with
    denominators near 10^20 run on Python ints."""
    from corrig import Policy
    from corrig.inference.engine import distribution

    nodes, world, _, _ = random_world(seed, wide=wide)
    rng = random.Random(seed)
    rules = {}
    for name, kind, node_states, parents, _ in nodes:
        if kind == "decision":
            contexts = itertools.product(*(n[2] for n in nodes if n[0] in parents))
            rules[name] = {ctx: rng.choice(node_states) for ctx in contexts}
    policy = Policy({d: rule[()] if not world.nodes[d].parents else dict(rule) for d, rule in rules.items()})
    weights = joint(nodes, rules)
    u = {name: (parents, table) for name, kind, _, parents, table in nodes if kind == "utility"}

    def utility(name, x):
        parents, table = u[name]
        return table[tuple(x[q] for q in parents)]

    with pytest.MonkeyPatch.context() as mp:
        paths = spy(mp)
        first = nodes[0]
        assert as_fraction(world.P(world[first[0]] == first[2][0], policy)) == sum(
            (p for x, p in weights if x[first[0]] == first[2][0]), F(0))
        assert as_fraction(world.E(world["U0"], policy)) == sum((p * utility("U0", x) for x, p in weights), F(0))
        last = [n for n in nodes if n[1] != "utility"][-1]
        condition = world[last[0]] == last[2][-1]
        mass = sum((p for x, p in weights if x[last[0]] == last[2][-1]), F(0))
        if mass:
            expected = sum((p * utility("U1", x) for x, p in weights if x[last[0]] == last[2][-1]), F(0)) / mass
            assert as_fraction(world.E(world["U1"], policy, given=condition)) == expected
            shown = distribution(world, [first[0]], policy, given=condition)
            for state in first[2]:
                share = sum((p for x, p in weights if x[first[0]] == state and x[last[0]] == last[2][-1]), F(0))
                assert as_fraction(shown[(state,)]) == share / mass
    if wide:
        assert any(paths), "no contraction ran on Python ints"
