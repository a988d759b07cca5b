"""Counterfactuals by twin network, and the explicit-noise conversion that makes them exact.

`observed(E) >> do(X=x)` asks E_π[f_{X←x} | E]: the factual world and the intervened twin
share every node that is not a descendant of X; X and its descendants are duplicated, the
copy of X fixed to x.  The copies are coupled through shared parents only, which is exact
when each duplicated node the query needs is deterministic given its parents (decision rules
included).  A stochastic one whose factual copy the observation can inform has an unidentified
coupling: the query is refused with the node's name, and `with_explicit_noise` offers an
explicit inverse-CDF coupling (a noise root per node) recorded as an assumption.

A twin network records its pairs, so that a query sums a shared root feeding only a pair into the
pair's table once (compiled.groups), and takes the observation's probability from the factual world
(computed there once) while the twin contracts the numerator alone.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx
import sympy as sp

from corrig.inference.compiled import TWIN_PAIRS, needed, policy_entry
from corrig.model.errors import CounterfactualError, ParameterError, StateError
from corrig.model.expr import Expr, State
from corrig.model.policies import Policy, as_policy

if TYPE_CHECKING:
    from corrig.model.world import World

TWIN_SUFFIX = "_cf"
_NO_RULES = Policy()  # the twin network's decisions are all chance nodes already


def apply_policy(world: World, policy: Any) -> World:
    """The world with each decision that `policy` has a rule for turned into a chance node."""
    rules = as_policy(policy)
    applied = world.copy(name=f"{world.name} under {rules}")
    for name in world.decisions:
        if name in rules.rules:
            node = world.nodes[name]
            table = _as_table(node.states, rules.table(world, name))
            applied.replace(name, table if node.parents else table[()], parents=node.parents, states=node.states)
    return applied


def _as_table(states: tuple[State, ...], table: Mapping[tuple, tuple]) -> dict[tuple, dict[State, Any]]:
    return {ctx: dict(zip(states, row, strict=True)) for ctx, row in table.items()}


def applied_world(world: World, policy: Policy) -> World:
    """apply_policy(world, policy), built once per (compiled world, policy) and kept in the world's cache."""
    entry = policy_entry(world, policy)
    applied = entry.get("applied")
    if applied is None:
        applied = apply_policy(world, policy)
        entry["applied"] = applied
    return applied


def twin_name(world: World, name: str) -> str:
    """The name of `name`'s counterfactual copy (suffixed until it is free)."""
    candidate = name + TWIN_SUFFIX
    while candidate in world:
        candidate += "_"
    return candidate


def counterfactual_query(world: World, target: Expr, policy: Any, *, observed: Expr,
                         intervention: Mapping[str, State], indicator: bool) -> Any:
    """E_π[target_{do(intervention)} | observed] (or its probability when `indicator`), by twin network."""
    from corrig.inference.engine import _query, check_scope

    check_scope(world, target, "counterfactual target")
    if world.compiled.continuous is not None:
        world, target, observed = _integrated_out(world, target, observed, intervention)
    for name, state in intervention.items():
        if state not in world[name].states:
            states = list(world[name].states)
            raise StateError(f"do({name}={state!r}): {state!r} is not a state of {name}; its states are {states}")
    rules = as_policy(policy)
    applied = applied_world(world, rules) if any(d in rules.rules for d in world.decisions) else world
    twin, names = twin_network(applied, intervention)
    twin_target = target.renamed(names)
    _check_identified(applied, twin, names, twin_target, observed)
    return _query(twin, twin_target, observed, _NO_RULES, indicator=indicator, condition_world=applied)


def _integrated_out(world: World, target: Expr, observed: Expr, intervention: Mapping[str, State]
                    ) -> tuple[World, Expr, Expr]:
    """A counterfactual in a world with continuous nodes, read on its discrete world.

    The twin copies share every continuous root (exogenous noise), and readers keep their choice given it.
    Refused: intervening on a continuous node, copying one (a parent downstream of the intervention), and
    copying a reader whose choice is random given its continuous parent when the observation bears on it
    (how its two copies' choices are coupled is not identified)."""
    from corrig.inference.continuous import discretize, random_readers

    part = world.compiled.continuous
    graph = world.compiled.graph
    duplicated = set(intervention)
    for name in intervention:
        if name in part.nodes:
            raise CounterfactualError(f"do({name}=...): {name} is continuous; a counterfactual sets discrete nodes")
        duplicated |= nx.descendants(graph, name)
    informed = set(needed(world, observed.scope()))
    for name in sorted(duplicated & set(part.nodes)):
        raise CounterfactualError(
            f"the continuous node {name} lies downstream of the intervention (through its parents): its two copies "
            f"would need a coupling; corrig shares continuous roots between the copies only")
    for name in sorted(duplicated & random_readers(part) & informed):
        raise CounterfactualError(
            f"node {name} chooses at random given its continuous parent {part.readers[name].source} and lies "
            f"downstream of the intervention, and the observation bears on it: how its factual and counterfactual "
            f"choices are coupled is not identified")
    lowering = discretize(world, [target, observed])
    return lowering.world, lowering.expr(target), lowering.expr(observed)


def twin_network(world: World, intervention: Mapping[str, State]) -> tuple[World, dict[str, str]]:
    """The world plus a copy of every intervened node and descendant, the copies of X fixed.

    Returns the twin world and the map from each duplicated node to its copy's name.  Built
    once per world and intervention (kept with the compiled world, so a new declaration drops it).
    """
    cache = world.compiled.derived
    key = ("twin", tuple(intervention.items()))
    if key not in cache:
        cache[key] = _build_twin(world, intervention)
    return cache[key]


def _build_twin(world: World, intervention: Mapping[str, State]) -> tuple[World, dict[str, str]]:
    graph = world.compiled.graph
    duplicated = set(intervention)
    for name in intervention:
        duplicated |= nx.descendants(graph, name)
    order = [n for n in world.compiled.order if n in duplicated]
    names = {n: twin_name(world, n) for n in order}
    twin = world.copy(name=f"{world.name} twin")
    for name in order:
        node = world.nodes[name]
        if name in intervention:
            twin.chance(names[name], {intervention[name]: 1}, states=node.states)
            continue
        if node.is_decision:
            twin.decision(names[name], node.states, observes=[names.get(p, p) for p in node.parents])
            continue
        table = _as_table(node.states, world.compiled.tables[name].table)
        twin.chance(names[name], table, parents=[names.get(p, p) for p in node.parents], states=node.states)
    twin.compiled.derived[TWIN_PAIRS] = {n: copy for n, copy in names.items() if n not in intervention}
    return twin, names


def _check_identified(world: World, twin: World, names: Mapping[str, str], target: Expr, observed: Expr) -> None:
    key = ("identified", target.scope(), observed.scope())
    cache = twin.compiled.derived
    if key in cache:
        if cache[key] is not None:
            raise cache[key]
        return
    try:
        _identified(world, twin, names, target, observed)
    except CounterfactualError as exc:
        cache[key] = exc
        raise
    cache[key] = None


def _identified(world: World, twin: World, names: Mapping[str, str], target: Expr, observed: Expr) -> None:
    needed_here = set(needed(twin, target.scope()))
    informed = set(needed(twin, observed.scope()))
    for original, copy in names.items():
        if copy not in needed_here or original not in informed:
            continue
        node = world.nodes[original]
        if node.is_decision:
            raise CounterfactualError(f"decision {original} has no rule in the policy, and the counterfactual needs it")
        if not twin.compiled.tables[copy].deterministic:
            raise CounterfactualError(
                f"node {original} is stochastic given its parents and lies downstream of the intervention, "
                f"and the observation bears on it: how its factual and counterfactual values are coupled is not "
                f"identified by its CPD. Make it a deterministic function of explicit noise "
                f"(world.with_explicit_noise() does so with an inverse-CDF coupling, listed as an assumption)"
            )


def with_explicit_noise(world: World) -> World:
    """The same world with each stochastic non-root chance node made a deterministic function of a
    new noise root `U_<node>` (inverse-CDF coupling); the conversion is recorded in `assumptions`."""
    compiled = world.compiled
    if compiled.continuous is not None:
        raise CounterfactualError(f"world {world.name!r} has continuous nodes: they are exogenous noise already, shared "
                                  f"by counterfactual copies; explicit noise is for discrete nodes")
    converted = world.copy(name=f"{world.name} (explicit noise)")
    for name in compiled.order:
        node = world.nodes[name]
        if node.is_decision or not node.parents or compiled.tables[name].deterministic:
            continue
        table = compiled.tables[name].table
        for row in table.values():
            for value in row:
                if value.free_symbols:
                    raise ParameterError(
                        f"node {name}: explicit noise needs numeric probabilities to order the inverse-CDF "
                        f"breakpoints, but P({name}) depends on {sorted(map(str, value.free_symbols))}"
                    )
        breaks = sorted({sum(row[: i + 1], sp.Integer(0)) for row in table.values() for i in range(len(row))} | {sp.Integer(0)})
        breaks = [b for b in breaks if b <= 1]
        cells = [(lo, hi) for lo, hi in itertools.pairwise(breaks) if hi > lo]
        noise = _free_name(converted, f"U_{name}")
        converted.chance(noise, {i: hi - lo for i, (lo, hi) in enumerate(cells)}, states=range(len(cells)))
        mechanism = {}
        for context, row in table.items():
            for i, (lo, _) in enumerate(cells):
                cumulative = sp.Integer(0)
                for state, p in zip(node.states, row, strict=True):
                    cumulative += p
                    if lo < cumulative:
                        mechanism[(*context, i)] = state
                        break
        converted.replace(name, mechanism, parents=(*node.parents, noise), states=node.states)
        converted.assumptions += (
            f"{name} = f({', '.join(node.parents)}, {noise}) with {noise} shared by the factual and counterfactual "
            f"copies (inverse-CDF coupling: counterfactual draws keep their quantile)",
        )
    return converted


def _free_name(world: World, name: str) -> str:
    while name in world:
        name += "_"
    return name
