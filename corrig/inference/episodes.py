"""Exact marginals of an unrolled episode under a policy, by one forward pass over its steps.

An episode's world (corrig.model.episode) is a chain of steps; its nodes' marginals under a policy — with
interventions do(X_t = x) on any of its nodes — follow from the distribution of the carried state (the hidden
variables and the state variables) at each step, pushed forward one step at a time.  This answers the
factual and interventional P and E of one node (the atoms of a discounted return) in time linear in the
number of steps, where a contraction of the whole unrolled world per query grows with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.model.episode import Episode
from corrig.model.expr import Expr, State
from corrig.model.world import World


def _number(value: Any, at: Mapping[str, Any]) -> Any:
    if isinstance(value, float):
        return value
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    expr = sp.sympify(value)
    if expr.free_symbols and at:
        expr = expr.subs({s: at[s.name] for s in expr.free_symbols if s.name in at})
    if isinstance(expr, sp.Rational):
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, sp.Float):
        return float(expr)
    return expr


def _out(value: Any) -> Any:
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sp.Integer(value)
    return value


def marginals(world: World, policy: Any, do: Mapping[str, State] | None = None) -> dict[str, dict[State, Any]]:
    """{unrolled node: {state: probability}} for every node of the episode's world under `policy` and `do`."""
    ep: Episode = world.episode
    at = world.episode_at
    do = dict(do or {})
    hidden = [n for n in ep.nodes.values() if n.kind == "hidden"]
    per_step = [n for n in ep.nodes.values() if n.kind not in ("hidden", "state")]
    names = [n.name for n in hidden] + list(ep.initial)
    rows: dict[tuple, list[tuple[State, Any]]] = {}

    def row(key: str, node: Any, ctx: tuple) -> list[tuple[State, Any]]:
        found = rows.get((key, ctx))
        if found is None:
            found = rows[(key, ctx)] = [(s, _number(p, at)) for s, p in node.rows[ctx] if p != 0]
        return found

    out: dict[str, dict[State, Any]] = {}

    def add(name: str, state: State, p: Any) -> None:
        dist = out.setdefault(name, {})
        dist[state] = dist.get(state, 0) + p

    # the carried state at step 0
    carried: dict[tuple, Any] = {(): Fraction(1)}
    for node in hidden:
        choices = [(do[node.name], Fraction(1))] if node.name in do else row(node.name, node, ())
        carried = {(*c, s): p * q for c, p in carried.items() for s, q in choices}
    for x in ep.initial:
        fixed = f"{x}_0" in do
        choices = [(do[f"{x}_0"], Fraction(1))] if fixed else [(s, _number(q, at)) for s, q in ep.initial[x]]
        carried = {(*c, s): p * q for c, p in carried.items() for s, q in choices if q != 0}
    for t in range(ep.steps):
        nxt: dict[tuple, Any] = {}
        decision = f"{ep.decision_name}_{t}"
        rule = None if decision in do else policy.table(world, decision)
        for c, pc in carried.items():
            if pc == 0:
                continue
            start = dict(zip(names, c, strict=True))
            branches: list[tuple[Any, dict[str, State]]] = [(pc, start)]
            for node in per_step:
                grown = []
                unrolled = f"{node.name}_{t}"
                for p, a in branches:
                    if unrolled in do:
                        grown.append((p, {**a, node.name: do[unrolled]}))
                    elif node.kind == "decision":
                        ctx = tuple(a[q] for q in node.parents)
                        for s, q in zip(node.states, rule[ctx], strict=True):
                            q = _number(q, at)
                            if q != 0:
                                grown.append((p * q, {**a, node.name: s}))
                    else:
                        for s, q in row(node.name, node, tuple(a[q] for q in node.parents)):
                            grown.append((p * q, {**a, node.name: s}))
                branches = grown
            for p, a in branches:
                for node in per_step:
                    add(f"{node.name}_{t}", a[node.name], p)
                for x in ep.initial:
                    add(f"{x}_{t}", a[x], p)
                if t == 0:
                    for h in hidden:
                        add(h.name, a[h.name], p)
                if t + 1 == ep.steps:
                    continue
                parts: list[tuple[Any, tuple]] = [(p, tuple(a[h.name] for h in hidden))]
                for x in ep.initial:
                    unrolled = f"{x}_{t + 1}"
                    if unrolled in do:
                        parts = [(q, (*v, do[unrolled])) for q, v in parts]
                        continue
                    node = ep.transitions[x]
                    choices = row(x + "'", node, tuple(a[q] for q in node.parents))
                    parts = [(q * r, (*v, s)) for q, v in parts for s, r in choices]
                for q, v in parts:
                    nxt[v] = nxt.get(v, 0) + q
        carried = nxt
    return {name: {s: _out(p) for s, p in dist.items()} for name, dist in out.items()}


def atom_value(marginal: Mapping[State, Any], target: Expr, kind: str) -> Any:
    """P(target) or E(target) of an expression of one node, from that node's marginal."""
    (name,) = target.scope()
    total: Any = sp.Integer(0)
    for state, p in marginal.items():
        value = target.evaluate({name: state})
        if kind == "P":
            total += p if value is True or value == sp.true else 0
        else:
            total += p * (value if isinstance(value, float) else sp.sympify(value))
    return total


def atom_by_steps(world: World, policy: Any, atom: Any, cache: dict[tuple, dict[str, dict]]) -> Any:
    """A factual or do() P/E atom of one node of an unrolled episode, from the marginals of a forward pass (kept in
    `cache` per intervention); None for any other atom or world."""
    branch = atom.branch
    if world.episode is None or branch.given is not None or branch.counterfactual is not None \
            or len(atom.target.scope()) != 1:
        return None
    do = branch.do.as_dict() if branch.do is not None else {}
    key = tuple(sorted(do.items(), key=repr))
    if key not in cache:
        cache[key] = marginals(world, policy, do)
    (name,) = atom.target.scope()
    return atom_value(cache[key][name], atom.target, atom.kind)


__all__ = ["atom_by_steps", "atom_value", "marginals"]
