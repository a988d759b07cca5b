"""What a compiled world remembers between queries: numeric tables, rule tables, derived worlds.

Every cache lives in `world.compiled.derived`, so a new declaration (which compiles the world
afresh) drops it.  Per compiled world it keeps

- each chance node's table as a numeric array, once per backend (float64, or exact rationals as a
  corrig.inference.scaled.Scaled table);
- per policy (at most POLICY_ENTRIES policies, least recently used dropped first): each decision
  rule's validated table and its numeric arrays, and the world with the rules applied
  (inference/counterfactual.py's applied_world);
- the ancestors of every node, the nodes each query scope needs, the mutilated world of each
  do() and the query-indicator tables of each (target, condition) pair;
- in a twin network, its pairs (each duplicated node and its copy), how each query scope's nodes
  group (a shared root feeding only a pair is contracted with it into one factor, kept per
  backend), and, per policy, the probability of each counterfactual's observation.

A policy is recognised by identity; a rule replaced in `policy.rules` after a query is noticed,
a rule dict edited in place is not (treat a Policy as immutable once it has been used).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from corrig.inference.scaled import Scaled

if TYPE_CHECKING:
    from corrig.model.policies import Policy
    from corrig.model.world import World

POLICY_ENTRIES = 256  # policies remembered per compiled world
TWIN_PAIRS = "twin pairs"  # key of a twin network's {node: copy} in its cache

# value classes: how a table's numbers can be stored
RATIONAL = "rational"  # every value a sympy Rational: exact QQ or float64
FLOAT = "float"  # every value a number, some a Float: float64 only
OTHER = "other"  # a parameter or an irrational number: the general (sympy domain) path


def value_class(values: Iterable[Any]) -> str:
    """RATIONAL, FLOAT or OTHER for a collection of sympy numbers."""
    kind = RATIONAL
    for v in values:
        if isinstance(v, sp.Rational):
            continue
        if isinstance(v, sp.Float):
            kind = FLOAT
            continue
        return OTHER
    return kind


def join_classes(classes: Iterable[str]) -> str:
    """The class of the union of collections of these classes."""
    out = RATIONAL
    for c in classes:
        if c == OTHER:
            return OTHER
        if c == FLOAT:
            out = FLOAT
    return out


def to_float(value: sp.Expr) -> float:
    """float(value), quickly for sympy rationals (float(sp.Integer) goes through mpmath)."""
    if isinstance(value, sp.Rational):
        return value.p / value.q
    return float(value)


def numeric_array(values: list[sp.Expr], shape: tuple[int, ...], exact: bool) -> np.ndarray | Scaled:
    """Rational or float sympy numbers as a float64 array or a Scaled table (integer numerators over a
    common denominator)."""
    if not exact:
        return np.array([to_float(v) for v in values], dtype=np.float64).reshape(shape)
    return Scaled.of(values, shape)


def derived(world: World) -> dict:
    """The compiled world's cache (dropped with the compiled world)."""
    return world.compiled.derived


def ancestors(world: World) -> Mapping[str, frozenset[str]]:
    """Each node's ancestors in the compiled graph (computed once)."""
    cache = derived(world)
    out = cache.get("ancestors")
    if out is None:
        compiled = world.compiled
        graph = compiled.graph
        out = {}
        for name in compiled.order:
            out[name] = frozenset().union(*(out[p] | {p} for p in graph.predecessors(name)))
        cache["ancestors"] = out
    return out


def needed(world: World, scope: Iterable[str]) -> tuple[str, ...]:
    """The nodes a query over `scope` depends on (the scope and its ancestors), topologically."""
    key = ("needed", frozenset(scope))
    cache = derived(world)
    out = cache.get(key)
    if out is None:
        keep = set(key[1])
        anc = ancestors(world)
        for name in key[1]:
            keep |= anc[name]
        out = tuple(n for n in world.compiled.order if n in keep)
        cache[key] = out
    return out


def twin_pairs(world: World) -> Mapping[str, str]:
    """In a twin network, each duplicated (not intervened) node's copy; empty in any other world."""
    return derived(world).get(TWIN_PAIRS, {})


def groups(world: World, scope: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """The nodes a query over `scope` needs, topologically, in groups whose factors contract into one.

    A group is a single node, or (in a twin network) a shared chance root outside the scope whose
    only needed children are a node N and its copy N', with N and N': the root is summed out of the
    three factors once, leaving the pair's joint table given their other parents.
    """
    key = ("groups", frozenset(scope))
    cache = derived(world)
    out = cache.get(key)
    if out is None:
        out = _groups(world, key[1])
        cache[key] = out
    return out


def _groups(world: World, scope: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    nodes = needed(world, scope)
    pairs = twin_pairs(world)
    if not pairs:
        return tuple((name,) for name in nodes)
    graph = world.compiled.graph
    kept = set(nodes)
    grouped: dict[str, tuple[str, ...]] = {}
    for name in nodes:
        if name in scope or graph.in_degree(name) or world.nodes[name].is_decision:
            continue
        children = [c for c in graph.successors(name) if c in kept]
        if len(children) != 2:
            continue
        factual = next((c for c in children if pairs.get(c) in children), None)
        if factual is None or factual in grouped or pairs[factual] in grouped or world.nodes[factual].is_decision:
            continue
        group = (name, factual, pairs[factual])
        grouped.update(dict.fromkeys(group, group))
    return tuple(dict.fromkeys(grouped.get(name, (name,)) for name in nodes))


def chance_entry(world: World, name: str) -> dict:
    """The chance node's flat values (parent assignments in product order), shape and class, once."""
    cache = derived(world)
    key = ("chance", name)
    entry = cache.get(key)
    if entry is None:
        entry = _entry(world, name, world.compiled.tables[name].table)
        cache[key] = entry
    return entry


def _entry(world: World, name: str, table: Mapping[tuple, tuple]) -> dict:
    node = world.nodes[name]
    shape = (*(len(world.nodes[p].states) for p in node.parents), len(node.states))
    flat = [v for context in itertools.product(*(world.nodes[p].states for p in node.parents)) for v in table[context]]
    return {"table": table, "flat": flat, "shape": shape, "class": value_class(flat), "variables": (*node.parents, name)}


def policy_entry(world: World, policy: Policy) -> dict:
    """This policy's cache in this compiled world: rule tables, their arrays, the applied world."""
    cache = derived(world)
    policies: OrderedDict = cache.setdefault("policies", OrderedDict())
    key = id(policy)
    found = policies.get(key)
    if found is not None and found[0] is policy and _same_rules(found[1], policy.rules):
        policies.move_to_end(key)
        return found[2]
    world.check_rules(policy)  # a rule for a chance node or an unknown name would be ignored silently
    entry: dict = {}
    policies[key] = (policy, dict(policy.rules), entry)  # the policy is held, so its id is not reused
    if len(policies) > POLICY_ENTRIES:
        policies.popitem(last=False)
    return entry


def _same_rules(snapshot: Mapping[str, Any], rules: Mapping[str, Any]) -> bool:
    return snapshot.keys() == rules.keys() and all(snapshot[k] is rules[k] for k in rules)


def rule_entry(world: World, policy: Policy, name: str) -> dict:
    """The decision's validated rule table (Policy.table, run once) with its flat values and class."""
    entry = policy_entry(world, policy)
    key = ("rule", name)
    found = entry.get(key)
    if found is None:
        found = _entry(world, name, policy.table(world, name))
        entry[key] = found
    return found


def node_array(entry: dict, exact: bool) -> np.ndarray | Scaled:
    """The entry's values as a table of the backend (exact Scaled or float64), built once per backend."""
    key = "exact" if exact else "float"
    array = entry.get(key)
    if array is None:
        array = numeric_array(entry["flat"], entry["shape"], exact)
        entry[key] = array
    return array


def mutilated(world: World, do: Mapping[str, Any]) -> World:
    """world.do(do), built once per (world, intervention)."""
    key = ("do", tuple(do.items()))
    try:
        hash(key)
    except TypeError:  # an unhashable state: world.do names it
        return world.do(do)
    cache = derived(world)
    out = cache.get(key)
    if out is None:
        out = world.do(do)
        cache[key] = out
    return out
