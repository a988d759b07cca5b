"""Random worlds: corrig's engine against pgmpy and against a brute-force joint written here.

Hypothesis draws a random DAG (each node binary or ternary, with int or string state names, up
to three parents among the earlier nodes, about one node in four a decision), random CPDs
(tables or functions of the parents; rows with zeros and deterministic rows included), random
decision rules (pure or mixed; tables or functions of the observations), a random intervention
`do` (0-2 nodes), random evidence (0-3 nodes) disjoint from it, and 1-2 query nodes.

Sizes tested: the float variant draws 2-12 nodes (joints of up to 3**12 = 531441 assignments),
60 examples; the Fraction variant 2-7 nodes, 40 examples; the CausalInference variant 2-10
nodes with strictly positive CPDs, 40 examples.  The module runs in about 8-10 s.

Three references:

* a brute-force joint: the product of every CPD (and every rule) over all assignments, the
  intervened nodes' CPDs replaced by indicators, then summed and divided; floats agree within
  1e-9, and Fraction inputs agree exactly (sympy Rational == Fraction);
* pgmpy VariableElimination on `world.to_pgmpy(policy, do=...)` (the mutilated network);
* pgmpy CausalInference.query(variables, do=..., evidence=...) on the unmutilated network.
  pgmpy 1.1.2 answers this correctly only in some cases (pgmpy issues #3543 and #1701: evidence
  outside the automatically chosen adjustment set pa(do) is dropped, and do-targets that are
  causally related are summed over), and it needs positivity for the adjustment formula.  We
  therefore compare with it on the cases where its back-door formula is valid: no do, or a single
  do-target whose parents contain the evidence (or which is a root), with positive CPDs and
  query nodes that are not ancestors of the target (pgmpy refuses those).
"""

from __future__ import annotations

import inspect
import itertools
import logging
import random
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import networkx as nx
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from corrig import Policy, World
from corrig.model.errors import ZeroProbabilityCondition

pytestmark = pytest.mark.filterwarnings("ignore")
logging.getLogger("pgmpy").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", module="pgmpy")

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


@dataclass
class Spec:
    """A random world, in plain Python: the reference the brute force reads."""

    names: list[str]  # topological (index) order
    states: dict[str, tuple]
    parents: dict[str, tuple[str, ...]]
    decision: dict[str, bool]
    cpd: dict[str, dict[tuple, tuple]]  # context -> probabilities aligned with states
    form: dict[str, str]  # "table" or "function"
    declare_order: list[str]
    query: list[str]
    do: dict[str, Any]
    evidence: dict[str, Any]
    evidence_as_dict: bool
    weights: list[int]


@st.composite
def random_spec(draw, max_nodes: int, exact: bool, positive: bool, causal: bool = False) -> tuple[Spec, Any]:
    """A random world with its query; numbers come from a drawn seed (structure shrinks, numbers need not)."""
    n = draw(st.integers(2, max_nodes))
    names = [f"N{i}" for i in range(n)]
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    states, parents, decision, cpd, form = {}, {}, {}, {}, {}
    for i, name in enumerate(names):
        card = draw(st.integers(2, 3))
        states[name] = tuple(range(card)) if draw(st.booleans()) else tuple(f"{name.lower()}_s{k}" for k in range(card))
        parents[name] = tuple(draw(st.lists(st.sampled_from(names[:i]), max_size=3, unique=True))) if i else ()
        decision[name] = draw(st.integers(0, 3)) == 0
        form[name] = draw(st.sampled_from(["table", "function"]))
        pure = decision[name] and not positive and draw(st.booleans())
        rows = {}
        for context in itertools.product(*(states[p] for p in parents[name])):
            if pure:
                weights = [0] * card
                weights[rng.randrange(card)] = 1
            else:
                weights = [rng.randint(1 if positive else 0, 9) for _ in range(card)]
                if not positive and rng.random() < 0.15:  # a deterministic row
                    weights = [0] * card
                    weights[rng.randrange(card)] = 1
                if sum(weights) == 0:
                    weights[rng.randrange(card)] = 1
            total = sum(weights)
            rows[context] = tuple(Fraction(w, total) if exact else w / total for w in weights)
        cpd[name] = rows
    declare_order = list(names)
    rng.shuffle(declare_order)

    graph = nx.DiGraph([(p, c) for c in names for p in parents[c]])
    graph.add_nodes_from(names)
    query = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    rest = [x for x in names if x not in query]
    if causal:
        # at most one do-target, not downstream of a query node; evidence among its parents
        targets = [x for x in rest if not any(x in nx.descendants(graph, q) for q in query)]
        do_nodes = draw(st.lists(st.sampled_from(targets), max_size=1)) if targets else []
        if do_nodes and parents[do_nodes[0]]:
            pool = [x for x in parents[do_nodes[0]] if x not in query]
        else:  # no do, or a root target: pgmpy conditions on the target, which is then exact
            pool = [x for x in rest if x not in do_nodes]
    else:
        do_nodes = draw(st.lists(st.sampled_from(rest), max_size=2, unique=True)) if rest else []
        pool = [x for x in rest if x not in do_nodes]
    evidence_nodes = draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)) if pool else []
    do = {x: draw(st.sampled_from(states[x])) for x in do_nodes}
    evidence = {x: draw(st.sampled_from(states[x])) for x in evidence_nodes}
    weights = [draw(st.integers(-5, 5)) for _ in range(2)]
    spec = Spec(names, states, parents, decision, cpd, form, declare_order, query, do, evidence,
                draw(st.booleans()), weights)
    return spec


def _function(parents: tuple[str, ...], rows: dict[tuple, Any]):
    """A mechanism or rule whose argument names are `parents` and which reads `rows`."""

    def mechanism(**values):
        return rows[tuple(values[p] for p in parents)]

    mechanism.__signature__ = inspect.Signature(
        [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY) for p in parents]
    )
    return mechanism


def _row(states: tuple, probabilities: tuple) -> Any:
    """A row as corrig takes it: a dict with the zeros left out, or a bare state when deterministic.

    Float rows stay dicts of floats ({s: 1.0}), so that every queried node carries a float and
    the answer must come from the float backend.
    """
    nonzero = {s: v for s, v in zip(states, probabilities, strict=True) if v != 0}
    if len(nonzero) == 1 and isinstance(next(iter(nonzero.values())), Fraction):
        return next(iter(nonzero))
    return nonzero


def build(spec: Spec) -> tuple[World, Policy]:
    """The corrig world and policy the spec describes, declared in a shuffled order."""
    world = World("random")
    rules = {}
    for name in spec.declare_order:
        parents, states = spec.parents[name], spec.states[name]
        rows = {c: _row(states, v) for c, v in spec.cpd[name].items()}
        if spec.form[name] == "function":
            mechanism = _function(parents, rows)
        elif not parents:
            mechanism = dict(zip(states, spec.cpd[name][()], strict=True))  # every state, zeros kept
        else:
            mechanism = {(c[0] if len(c) == 1 and i % 2 else c): r for i, (c, r) in enumerate(rows.items())}
        if spec.decision[name]:
            world.decision(name, states, observes=parents)
            rules[name] = mechanism
        else:
            world.chance(name, mechanism, states=states, parents=None if callable(mechanism) else parents)
    return world, Policy(rules)


# --- the brute force --------------------------------------------------------------------------
def brute_joint(spec: Spec, do: dict[str, Any]) -> np.ndarray:
    """P(all nodes) as an array indexed like spec.names: the product of every CPD over all assignments."""
    exact = isinstance(next(iter(spec.cpd[spec.names[0]].values()))[0], Fraction)
    dtype = object if exact else float
    shape = [len(spec.states[x]) for x in spec.names]
    joint = np.ones(shape, dtype=dtype)
    if exact:
        joint[...] = Fraction(1)
    for axis, name in enumerate(spec.names):
        parents = spec.parents[name] if name not in do else ()
        local = np.zeros([len(spec.states[p]) for p in parents] + [shape[axis]], dtype=dtype)
        for context in itertools.product(*(range(len(spec.states[p])) for p in parents)):
            if name in do:
                probabilities = [1 if s == do[name] else 0 for s in spec.states[name]]
            else:
                probabilities = spec.cpd[name][tuple(spec.states[p][k] for p, k in zip(parents, context, strict=True))]
            for k, v in enumerate(probabilities):
                local[(*context, k)] = Fraction(v) if exact else v
        axes = [spec.names.index(p) for p in parents] + [axis]
        order = np.argsort(axes)
        local = local.transpose(order)
        full = [1] * len(shape)
        for a in axes:
            full[a] = shape[a]
        joint = joint * local.reshape(full)
    return joint


def brute_marginal(spec: Spec, joint: np.ndarray, query: list[str], evidence: dict[str, Any]):
    """(table of P(query, evidence) indexed like the query's states, P(evidence))."""
    index = tuple(spec.states[x].index(evidence[x]) if x in evidence else slice(None) for x in spec.names)
    sub = joint[index]
    remaining = [x for x in spec.names if x not in evidence]
    keep = [remaining.index(q) for q in query]
    other = tuple(i for i in range(len(remaining)) if i not in keep)
    table = sub.sum(axis=other) if other else sub
    table = np.asarray(table).transpose([sorted(keep).index(k) for k in keep])
    return table, table.sum()


# --- the comparison ---------------------------------------------------------------------------
def _event(world: World, assignment: dict[str, Any]):
    parts = [world[x] == s for x, s in assignment.items()]
    event = parts[0]
    for part in parts[1:]:
        event = event & part
    return event


def _given(world: World, spec: Spec):
    if not spec.evidence:
        return None
    return dict(spec.evidence) if spec.evidence_as_dict else _event(world, spec.evidence)


def check(spec: Spec, *, exact: bool, causal: bool = False) -> None:
    world, policy = build(spec)
    joint = brute_joint(spec, spec.do)
    table, p_evidence = brute_marginal(spec, joint, spec.query, spec.evidence)
    given_ = _given(world, spec)
    do = spec.do or None
    combos = list(itertools.product(*(spec.states[q] for q in spec.query)))

    event(f"nodes: {len(spec.names)}; do: {len(spec.do)}; evidence: {len(spec.evidence)}")
    if p_evidence == 0:
        event("evidence of probability zero")
        with pytest.raises(ZeroProbabilityCondition):
            world.P(_event(world, dict(zip(spec.query, combos[0], strict=True))), policy, given=given_, do=do)
        return

    ours = {}
    for combo in combos:
        value = world.P(_event(world, dict(zip(spec.query, combo, strict=True))), policy, given=given_, do=do)
        idx = tuple(spec.states[q].index(s) for q, s in zip(spec.query, combo, strict=True))
        expected = table[idx] / p_evidence
        if exact:
            assert isinstance(value, sp.Rational), (value, type(value))
            assert value == sp.Rational(expected.numerator, expected.denominator), (combo, value, expected)
        else:
            assert type(value) is float
            assert abs(value - expected) <= 1e-9, (combo, value, expected)
        ours[combo] = float(value)

    # an expectation: E[w0 * 1(Q0 = first state) + w1 * 1(Q0 = last state and Qk = its first state)]
    q0, qk = spec.query[0], spec.query[-1]
    first, last = spec.states[q0][0], spec.states[q0][-1]
    w0, w1 = spec.weights
    quantity = w0 * (world[q0] == first) + w1 * ((world[q0] == last) & (world[qk] == spec.states[qk][0]))
    t0, _ = brute_marginal(spec, joint, [q0], spec.evidence)
    tk, _ = brute_marginal(spec, joint, [q0, qk] if qk != q0 else [q0], spec.evidence)
    both = tk[(len(spec.states[q0]) - 1, 0)] if qk != q0 else 0 * p_evidence  # Q0 = last and Q0 = first: impossible
    expected_e = (spec.weights[0] * t0[0] + spec.weights[1] * both) / p_evidence
    value = world.E(quantity, policy, given=given_, do=do)
    if exact:
        assert value == sp.Rational(expected_e.numerator, expected_e.denominator), (value, expected_e)
    else:
        assert abs(float(value) - expected_e) <= 1e-9, (value, expected_e)

    if exact:
        return
    from pgmpy.inference import CausalInference, VariableElimination

    mutilated = world.to_pgmpy(policy, do=do)
    factor = VariableElimination(mutilated).query(spec.query, evidence=spec.evidence or None, joint=True,
                                                  show_progress=False)
    for combo, value in ours.items():
        theirs = factor.get_value(**dict(zip(spec.query, combo, strict=True)))
        assert abs(value - theirs) <= 1e-9, ("VariableElimination", combo, value, theirs)

    if causal:
        model = world.to_pgmpy(policy)
        factor = CausalInference(model).query(spec.query, do=spec.do or None, evidence=spec.evidence or None,
                                              show_progress=False)
        for combo, value in ours.items():
            theirs = factor.get_value(**dict(zip(spec.query, combo, strict=True)))
            assert abs(value - theirs) <= 1e-9, ("CausalInference", combo, value, theirs)


@settings(max_examples=60, **SETTINGS)
@given(random_spec(max_nodes=12, exact=False, positive=False))
def test_random_worlds_float(spec):
    check(spec, exact=False)


@settings(max_examples=40, **SETTINGS)
@given(random_spec(max_nodes=7, exact=True, positive=False))
def test_random_worlds_fraction(spec):
    check(spec, exact=True)


@settings(max_examples=40, **SETTINGS)
@given(random_spec(max_nodes=10, exact=False, positive=True, causal=True))
def test_random_worlds_causal_inference(spec):
    check(spec, exact=False, causal=True)


def test_brute_force_helper_on_a_known_joint():
    """The reference itself: a two-node chain whose joint is written out by hand."""
    spec = Spec(
        names=["A", "B"], states={"A": (0, 1), "B": ("x", "y")}, parents={"A": (), "B": ("A",)},
        decision={"A": False, "B": False},
        cpd={"A": {(): (Fraction(1, 4), Fraction(3, 4))},
             "B": {(0,): (Fraction(1, 2), Fraction(1, 2)), (1,): (Fraction(1, 3), Fraction(2, 3))}},
        form={"A": "table", "B": "table"}, declare_order=["A", "B"], query=["A"], do={}, evidence={"B": "x"},
        evidence_as_dict=True, weights=[0, 0],
    )
    joint = brute_joint(spec, {})
    # P(A=0,B=x) = 1/8, P(A=0,B=y) = 1/8, P(A=1,B=x) = 1/4, P(A=1,B=y) = 1/2
    assert joint.tolist() == [[Fraction(1, 8), Fraction(1, 8)], [Fraction(1, 4), Fraction(1, 2)]]
    table, total = brute_marginal(spec, joint, ["A"], {"B": "x"})
    assert total == Fraction(3, 8) and table.tolist() == [Fraction(1, 8), Fraction(1, 4)]
    table, total = brute_marginal(spec, brute_joint(spec, {"A": 1}), ["B"], {})
    assert table.tolist() == [Fraction(1, 3), Fraction(2, 3)] and total == 1
