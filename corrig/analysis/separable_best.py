"""The best value over a parameter box when one decision is a sink the objective reads linearly: the other
decisions' pure policies enumerated, that decision's rule maximised context by context, exactly.

    value = separable_best(world, objective, limit)   # an expression in the parameters, or None

A decision X with no child, named in no given(...) or observed(...) event of an objective that is a weighted
sum of P/E terms, enters each term once: its rule ρ is one factor of every branch that reads X (the factual
copy of a counterfactual term sums X out, since nothing observed descends from it).  So, the other decisions
held at a pure policy σ, J(σ, ρ) = Σ_{context c, action a} ρ(c, a)·g_σ(c, a) + const, and over pure rules

    max_ρ J(σ, ρ) = J(σ, ρ0) + Σ_c Max_a [J(σ, ρ0 with a in c) − J(σ, ρ0)]

for any ρ0 (each bracket is g_σ(c, a) − g_σ(c, ρ0(c))), without enumerating X's rules: 1 + Σ_c (|A| − 1)
evaluations per σ, against |A|^{#contexts}.  The best value is the Max over σ of those, each Max exact
(simplified where the box decides it).  This is how the value of control of a utility node such as Clips
is found with parameters (the node made a decision observing its parents).
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp

from corrig.analysis.linear_pieces import _linear_terms, _NotLinear
from corrig.analysis.parameters import term_parameters
from corrig.analysis.signs import box_of, simplify_value
from corrig.model.errors import ZeroProbabilityCondition
from corrig.model.policies import Policy, count_pure_policies, pure_policies
from corrig.model.world import World
from corrig.objectives.terms import Term


def linear_sinks(world: World, objective: Term) -> list[str]:
    """The decisions with no child that no given/observed event of the (weighted-sum) objective names."""
    try:
        pairs, _ = _linear_terms(objective)
    except _NotLinear:
        return []
    graph = world.compiled.graph
    conditioned: set[str] = set()
    for _, atom in pairs:
        branch = atom.branch
        if branch.given is not None:
            conditioned |= _event_nodes(branch.given)
        if branch.counterfactual is not None:
            conditioned |= _event_nodes(branch.counterfactual.observation)
    return [d for d in world.decisions if graph.out_degree(d) == 0 and d not in conditioned]


def _event_nodes(part: Any) -> set[str]:
    return set(part.event.scope()) if part.event is not None else {k for k, _ in part.assignment}


def separable_best(world: World, objective: Term, limit: int) -> Any:
    """max over the pure policies of J, exact, maximising a linear sink decision context by context and enumerating
    the other decisions' pure policies (at most `limit` of them); None when no decision qualifies or every policy
    leaves J undefined."""
    sinks = linear_sinks(world, objective)
    if not sinks:
        return None
    sink = sinks[0]
    others = [d for d in world.decisions if d != sink]
    if count_pure_policies(world, others) > limit:
        return None
    node = world.nodes[sink]
    contexts = list(itertools.product(*(world.nodes[p].states for p in node.parents)))
    first = node.states[0]
    base_rule = {ctx: first for ctx in contexts}
    box = box_of(set(world.compiled.parameters) | term_parameters(objective))
    bests = []
    for sigma in pure_policies(world, others) if others else [Policy({})]:
        rules = dict(sigma.rules)
        try:
            base = objective.evaluate(world, Policy({**rules, sink: _rule(node, base_rule)}))
            total = sp.sympify(base)
            for ctx in contexts:
                gains = [sp.Integer(0)]
                for action in node.states[1:]:
                    changed = objective.evaluate(world, Policy({**rules, sink: _rule(node, {**base_rule, ctx: action})}))
                    gains.append(sp.cancel(sp.sympify(changed) - base))
                total += _max(gains, box)
        except ZeroProbabilityCondition:
            continue
        bests.append(total)
    if not bests:
        return None
    return _max(bests, box)


def _rule(node: Any, table: dict[tuple, Any]) -> Any:
    return table[()] if not node.parents else dict(table)


def _max(values: list[Any], box: dict) -> Any:
    """The largest of exact values: a number, or a Max simplified on the box."""
    distinct = list(dict.fromkeys(sp.sympify(v) for v in values))
    if all(not v.free_symbols for v in distinct):
        return max(distinct)
    return simplify_value(sp.Max(*distinct), box) if box else sp.Max(*distinct)


__all__ = ["linear_sinks", "separable_best"]
