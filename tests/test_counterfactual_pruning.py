"""The pruned twin network (shared noise summed into each twin pair once, the observation's
probability taken from the factual world) answers exactly what the unpruned twin network means.

References, independent of the engine: hand-derived values on a parity chain, and, on random
worlds made deterministic by explicit noise, the structural-equation semantics enumerated here
(every assignment of the roots, the factual and the intervened values computed from the
mechanisms, the observation and the target read with Expr.evaluate).
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrig import E, P, World, do, observed, param
from corrig.inference import engine
from corrig.inference.compiled import groups
from corrig.inference.counterfactual import twin_network
from corrig.model.errors import ZeroProbabilityCondition


def parity_chain(q: list) -> World:
    """X0 a fair coin; X_i = X_{i-1} xor U_i with P(U_i = 1) = q[i - 1]."""
    w = World("parity")
    w.chance("X0", {0: F(1, 2), 1: F(1, 2)})
    for i, qi in enumerate(q, start=1):
        w.chance(f"U{i}", {0: 1 - qi, 1: qi})
        w.chance(f"X{i}", {(a, b): a ^ b for a, b in itertools.product((0, 1), repeat=2)},
                 parents=[f"X{i - 1}", f"U{i}"], states=(0, 1))
    return w


def test_parity_chain_by_hand():
    w = parity_chain([F(1, 4), F(1, 5), F(1, 6)])
    X3 = w["X3"]
    # X3' = 1 xor U2 xor U3 after do(X1 = 1).  Observing X3 = 0 fixes X0 xor U1 xor U2 xor U3 = 0; X0 is
    # a fair coin independent of the U's, so it says nothing about U2 xor U3:
    # P(X3' = 1 | X3 = 0) = P(U2 = U3) = (4/5)(5/6) + (1/5)(1/6) = 7/10.
    assert P(X3 == 1, observed(X3=0) >> do(X1=1)).evaluate(w) == sp.Rational(7, 10)
    # Observing X0 = 0 too makes U1 xor U2 xor U3 = 0, so X3' = 1 xor U1: P(U1 = 0 | parity even) with
    # P(U2 xor U3 = 0) = 7/10: (3/4)(7/10) / ((3/4)(7/10) + (1/4)(3/10)) = (21/40) / (24/40) = 7/8.
    assert P(X3 == 1, observed(X3=0, X0=0) >> do(X1=1)).evaluate(w) == sp.Rational(7, 8)
    # E of the counterfactual X3' given both: the same 7/8 (X3' is 0/1).
    assert E(X3, observed(X3=0, X0=0) >> do(X1=1)).evaluate(w) == sp.Rational(7, 8)


def test_parity_chain_in_floats():
    # the float backend: the same two hand values, 7/10 and 7/8, to rounding.
    w = parity_chain([0.25, 0.2, 1 / 6])
    X3 = w["X3"]
    assert P(X3 == 1, observed(X3=0) >> do(X1=1)).evaluate(w) == pytest.approx(0.7, abs=1e-12)
    assert P(X3 == 1, observed(X3=0, X0=0) >> do(X1=1)).evaluate(w) == pytest.approx(0.875, abs=1e-12)


def test_parity_chain_with_a_parameter_by_hand():
    # the symbolic path (a parameter in the tables): the same two answers with every q_i = q.
    q = param("q", 0, 1)
    w = parity_chain([q, q, q])
    X3 = w["X3"]
    same = (1 - q) ** 2 + q**2  # P(U2 = U3)
    first = P(X3 == 1, observed(X3=0) >> do(X1=1)).evaluate(w)
    assert sp.simplify(first - same) == 0
    # P(U1 = 0 | U1 xor U2 xor U3 = 0) = (1 - q) same / ((1 - q) same + q · 2q(1 - q)).
    second = P(X3 == 1, observed(X3=0, X0=0) >> do(X1=1)).evaluate(w)
    assert sp.simplify(second - same / (same + 2 * q**2)) == 0


def test_shared_noise_is_grouped_with_its_twin_pair():
    w = parity_chain([F(1, 4), F(1, 5), F(1, 6)])
    twin, names = twin_network(w, {"X1": 1})
    assert names == {"X1": "X1_cf", "X2": "X2_cf", "X3": "X3_cf"}
    # The query reads X3' and X3.  U1 feeds X1 only (X1' is the constant 1): it stays alone, as do
    # X0, X1 and X1'.  U2 feeds the pair X2, X2' and nothing else; U3 the pair X3, X3'.
    assert set(groups(twin, {"X3", "X3_cf"})) == {
        ("X0",), ("U1",), ("X1",), ("X1_cf",), ("U2", "X2", "X2_cf"), ("U3", "X3", "X3_cf")}
    # U3 read by the query is not summed out; U2 then feeds X2, X2' only and is still grouped.
    assert ("U3",) in groups(twin, {"X3", "X3_cf", "U3"})
    assert ("U2", "X2", "X2_cf") in groups(twin, {"X3", "X3_cf", "U3"})
    # Reading X2' having observed X1: X3, X3', U3 are no ancestors of either (dropped); the factual X2
    # is neither observed nor an ancestor of an observed node (barren, dropped); U2 then feeds X2' alone.
    assert set(groups(twin, {"X2_cf", "X1"})) == {("X0",), ("U1",), ("X1",), ("X1_cf",), ("U2",), ("X2_cf",)}


def test_a_repeated_counterfactual_is_one_contraction(monkeypatch):
    w = parity_chain([F(1, 4), F(1, 5), F(1, 6)])
    term = P(w["X3"] == 1, observed(X3=0, X0=0) >> do(X1=1))
    assert term.evaluate(w) == sp.Rational(7, 8)  # by hand, above
    calls = []
    contract = engine.contract
    monkeypatch.setattr(engine, "contract", lambda *a, **k: calls.append(a) or contract(*a, **k))
    twin = twin_network(w, {"X1": 1})[0]
    assert term.evaluate(w) == sp.Rational(7, 8)
    assert twin_network(w, {"X1": 1})[0] is twin
    # the numerator alone: no denominator slot, no new grouped factor, no second world
    assert len(calls) == 1
    assert calls[0][0][-1].array.shape[0] == 1


def test_an_impossible_observation_is_still_refused():
    w = parity_chain([F(1, 4), F(1, 5)])
    # X1 = X0 xor U1: X0 = 0, U1 = 1, X1 = 0 never happens.
    term = P(w["X2"] == 1, observed(X0=0, U1=1, X1=0) >> do(X1=1))
    for _ in range(2):  # the cached probability 0 refuses as well
        with pytest.raises(ZeroProbabilityCondition):
            term.evaluate(w)


# random worlds against the structural-equation semantics ------------------------------------------
@st.composite
def random_case(draw):
    """A random world of 2-5 chance nodes (binary, or ternary in smaller worlds), with explicit noise,
    an intervention on one node, an observation of one or two nodes and a target."""
    n = draw(st.integers(2, 5))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    w = World("random")
    names = [f"N{i}" for i in range(n)]
    for i, name in enumerate(names):
        states = tuple(range(3 if n <= 3 and rng.random() < 0.3 else 2))
        parents = sorted(rng.sample(names[:i], min(i, rng.randint(0, 2))))
        contexts = list(itertools.product(*(w[p].states for p in parents)))
        table = {}
        for context in contexts:
            weights = [rng.choice((0, 0, 1, 2, 3)) for _ in states]
            if not any(weights):
                weights[rng.randrange(len(states))] = 1
            table[context] = {s: F(x, sum(weights)) for s, x in zip(states, weights, strict=True)}
        w.chance(name, table if parents else table[()], parents=parents, states=states)
    w = w.with_explicit_noise()
    x = draw(st.sampled_from(names[: max(1, n // 2)]))  # early, so that much lies downstream of it
    intervention = {x: draw(st.sampled_from(w[x].states))}
    seen = draw(st.lists(st.sampled_from(names[::-1] + [u for u in w.nodes if u not in names]),
                         min_size=1, max_size=2, unique=True))  # late nodes first (shrinking prefers them)
    observation = {name: draw(st.sampled_from(w[name].states)) for name in seen}
    late = st.sampled_from(names[::-1])
    return w, intervention, observation, draw(late), draw(late)


def scm_answer(w: World, intervention: dict, observation: dict, quantity) -> F | None:
    """E[quantity_{do(intervention)} | observation] by enumerating the roots (None if P(observation) = 0)."""
    compiled = w.compiled
    roots = [n for n in compiled.order if not w.nodes[n].parents]
    numerator = denominator = F(0)
    for combo in itertools.product(*(w.nodes[r].states for r in roots)):
        weight = F(1)
        for r, s in zip(roots, combo, strict=True):
            weight *= F(str(compiled.tables[r].table[()][w.nodes[r].states.index(s)]))
        factual, forced = dict(zip(roots, combo, strict=True)), dict(zip(roots, combo, strict=True))
        forced.update(intervention)
        for values in (factual, forced):
            for n in compiled.order:
                if n in values:
                    continue
                row = compiled.tables[n].table[tuple(values[p] for p in w.nodes[n].parents)]
                values[n] = w.nodes[n].states[[v != 0 for v in row].index(True)]  # deterministic
        if all(factual[k] == v for k, v in observation.items()):
            denominator += weight
            numerator += weight * F(int(quantity.evaluate(forced)))
    return None if denominator == 0 else numerator / denominator


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_case())
def test_pruned_twin_matches_the_structural_semantics(case):
    w, intervention, observation, a, b = case
    branch = observed(**observation) >> do(**intervention)
    for term, quantity in ((P(w[a] == w[a].states[-1], branch), w[a] == w[a].states[-1]),
                           (E(w[a] + 2 * w[b], branch), w[a] + 2 * w[b])):
        expected = scm_answer(w, intervention, observation, quantity)
        if expected is None:
            with pytest.raises(ZeroProbabilityCondition):
                term.evaluate(w)
        else:
            assert term.evaluate(w) == expected
