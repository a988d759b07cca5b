"""The objective as policy-linear pieces of one influence diagram, and the relevance graph they give.

    pairs, constant = _linear_terms(utility)   # J = Σ weight·atom + constant, or _NotLinear
    pieces = _pieces(world, pairs)             # each atom as weighted utility pieces in its branch world
    relevance_graph(world, pieces)             # D -> D' when D's optimal rule may depend on D''s

When the objective is a weighted sum of P/E atoms that are each linear in every decision rule
(factual, do(...) on chance nodes, given(E) with E's probability independent of the policy),
J(π) is the expected utility of one influence diagram: a hidden branch selector K feeds the
intervened nodes, each piece of the objective is a utility node.  Anything else (a
counterfactual atom, a condition whose probability depends on the policy, a product of terms, a
do() on a decision) raises _NotLinear saying why.  Koller & Milch's relevance graph
(s-reachability, by Bayes ball on that diagram) says which decision rules each rule depends on;
corrig.analysis.solve optimises its strongly connected components in reverse topological order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import networkx as nx
import sympy as sp

from corrig.inference.engine import needed_nodes, probability
from corrig.model.errors import StateError, ZeroProbabilityCondition
from corrig.model.expr import BinOp, Const, Expr, State
from corrig.model.numbers import to_number
from corrig.model.world import World
from corrig.objectives.terms import Atom, Constant, Product, Sum, Term


class _NotLinear(Exception):
    """The objective is not a weighted sum of policy-linear pieces; the message says why."""


@dataclass(frozen=True)
class Piece:
    """weight · E_branch[f(scope)]: one additive part of the objective, in the world under `do`."""

    do: tuple[tuple[str, State], ...]
    scope: tuple[str, ...]  # in topological order
    values: tuple[Any, ...]  # f at each joint assignment of `scope` (itertools.product order), weight included
    label: str


# the objective as pieces ----------------------------------------------------------------------
def _linear_terms(term: Term) -> tuple[list[tuple[Any, Atom]], Any]:
    """(weight, atom) pairs and a constant with J = Σ weight·atom + constant, or _NotLinear."""
    if isinstance(term, Constant):
        return [], term.value
    if isinstance(term, Atom):
        return [(sp.Integer(1), term)], sp.Integer(0)
    if isinstance(term, Sum):
        pairs: list[tuple[Any, Atom]] = []
        constant: Any = sp.Integer(0)
        for t in term.terms:
            p, c = _linear_terms(t)
            pairs += p
            constant = constant + c
        return pairs, constant
    if isinstance(term, Product):
        scale: Any = sp.Integer(1)
        inner: Term | None = None
        for t in term.terms:
            if isinstance(t, Constant):
                scale = scale * t.value
            elif inner is None:
                inner = t
            else:
                raise _NotLinear(f"the objective multiplies two terms ({inner!r} and {t!r}): not linear in the policy")
        if inner is None:
            return [], scale
        pairs, constant = _linear_terms(inner)
        return [(scale * w, a) for w, a in pairs], scale * constant
    raise _NotLinear(f"the objective holds {term!r}, which is not a sum of weighted P/E terms")


def _additive_parts(expr: Expr, coef: Any = 1) -> list[tuple[Any, Expr]]:
    """expr = Σ coef_i · part_i, split on + and - and numeric factors (E is linear)."""
    if isinstance(expr, BinOp):
        if expr.op == "+":
            return _additive_parts(expr.left, coef) + _additive_parts(expr.right, coef)
        if expr.op == "-":
            return _additive_parts(expr.left, coef) + _additive_parts(expr.right, -coef)
        if expr.op == "*":
            for const, other in ((expr.left, expr.right), (expr.right, expr.left)):
                if isinstance(const, Const) and _is_number(const.value):
                    return _additive_parts(other, coef * const.value)
    return [(coef, expr)]


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float | Fraction) and not isinstance(value, bool)) or (
        isinstance(value, sp.Basic) and value.is_number)


def _number(value: Any, where: str) -> Any:
    if isinstance(value, bool):
        return sp.Integer(int(value))
    if isinstance(value, str):
        raise StateError(f"{where} takes the state {value!r}; E(...) needs numbers")
    return to_number(value, where)


def _pieces(world: World, pairs: list[tuple[Any, Atom]]) -> list[Piece]:
    """Each atom as weighted utility pieces in its branch world; _NotLinear when an atom is not linear."""
    decisions = set(world.decisions)
    pieces: list[Piece] = []
    for weight, atom in pairs:
        branch = atom.branch
        if branch.counterfactual is not None:
            raise _NotLinear(f"{atom!r} is counterfactual: the policy acts in both copies of its twin network, "
                             f"so the term is not linear in each decision rule")
        do = branch.do.as_dict() if branch.do is not None else {}
        forced = sorted(set(do) & decisions)
        if forced:
            raise _NotLinear(f"{atom!r} intervenes on the decision {forced[0]}: the branches then disagree on "
                             f"which rules are in force")
        branch_world = world.do(do) if do else world
        condition = None
        scale: Any = sp.Integer(1)
        if branch.given is not None:
            condition = branch.given.resolve(branch_world)
            upstream = [n for n in needed_nodes(branch_world, condition.scope()) if n in decisions]
            if upstream:
                raise _NotLinear(f"{atom!r} conditions on {condition!r}, whose probability depends on the policy "
                                 f"(through {upstream[0]}): the term is a ratio of two policy-dependent numbers")
            try:
                p = probability(branch_world, condition)
            except ZeroProbabilityCondition as exc:  # pragma: no cover - probability() of an event never raises it
                raise _NotLinear(str(exc)) from exc
            if p == 0:
                raise _NotLinear(f"{atom!r} conditions on {condition!r}, which has probability 0: the term is undefined")
            scale = 1 / sp.sympify(p) if not isinstance(p, float) else 1 / p
        parts = [(sp.Integer(1), atom.target)] if atom.kind == "P" else _additive_parts(atom.target)
        for coef, part in parts:
            read = set(part.scope()) | (set(condition.scope()) if condition is not None else set())
            scope = tuple(n for n in world.compiled.order if n in read)
            values = []
            for combo in itertools.product(*(world.nodes[n].states for n in scope)):
                assignment = dict(zip(scope, combo, strict=True))
                if condition is not None and not condition.evaluate(assignment):
                    values.append(sp.Integer(0))
                    continue
                raw = part.evaluate(assignment)
                where = f"the quantity {part!r} at {assignment}"
                value = sp.Integer(1 if raw else 0) if atom.kind == "P" else _number(raw, where)
                values.append(_product(weight, coef, scale, value))
            pieces.append(Piece(tuple(do.items()), scope, tuple(values), repr(atom)))
    return pieces


def _product(*factors: Any) -> Any:
    if all(f == 1 for f in factors[:-1]) and isinstance(factors[-1], sp.Basic):
        return factors[-1]
    if any(isinstance(f, float) or (isinstance(f, sp.Basic) and f.has(sp.Float)) for f in factors):
        out = 1.0
        for f in factors:
            out *= float(f)
        return sp.Float(out, 17)
    out = sp.Integer(1)
    for f in factors:
        out = out * (sp.Rational(f.numerator, f.denominator) if isinstance(f, Fraction) else sp.sympify(f))
    return out


# the influence diagram's structure ------------------------------------------------------------
class _Dag:
    """A DAG as parent lists in topological order, with ancestor and descendant sets computed once."""

    def __init__(self, order: list[str], parents: Mapping[str, Iterable[str]]):
        self.order = list(order)
        self.parents = {n: tuple(parents.get(n, ())) for n in self.order}
        self.children: dict[str, list[str]] = {n: [] for n in self.order}
        for n, ps in self.parents.items():
            for p in ps:
                self.children[p].append(n)
        self._ancestors: dict[str, frozenset[str]] | None = None
        self._descendants: dict[str, frozenset[str]] | None = None

    @classmethod
    def of(cls, world: World) -> _Dag:
        return cls(list(world.compiled.order), {n: world.nodes[n].parents for n in world.compiled.order})

    @property
    def ancestors(self) -> dict[str, frozenset[str]]:
        if self._ancestors is None:
            out: dict[str, frozenset[str]] = {}
            for n in self.order:
                out[n] = frozenset().union(*(out[p] | {p} for p in self.parents[n]))
            self._ancestors = out
        return self._ancestors

    @property
    def descendants(self) -> dict[str, frozenset[str]]:
        if self._descendants is None:
            out: dict[str, frozenset[str]] = {}
            for n in reversed(self.order):
                out[n] = frozenset().union(*(out[c] | {c} for c in self.children[n]))
            self._descendants = out
        return self._descendants

    def needed(self, scope: Iterable[str]) -> list[str]:
        """The scope and its ancestors, in topological order."""
        keep = set(scope)
        for n in list(keep):
            keep |= self.ancestors[n]
        return [n for n in self.order if n in keep]


def _merged_graph(world: World, pieces: list[Piece]) -> tuple[_Dag, dict[int, str]]:
    """The world's DAG with a branch selector feeding intervened nodes and a utility node per piece."""
    selector = "__branch__"
    parents = {n: list(world.nodes[n].parents) for n in world.compiled.order}
    branches = {piece.do for piece in pieces}
    intervened = {name for do in branches for name, _ in do}
    multi = len(branches) > 1
    for name in intervened:
        settings = {dict(do).get(name) for do in branches}
        if None not in settings:  # every branch sets it: its parents matter in none
            parents[name] = []
        if len(settings) > 1:  # its mechanism depends on the branch
            parents[name].append(selector)
    utility_nodes = {}
    for i, piece in enumerate(pieces):
        u = f"__utility_{i}__"
        utility_nodes[i] = u
        parents[u] = [*piece.scope, *([selector] if multi else [])]
    order = ([selector] if multi else []) + list(world.compiled.order) + list(utility_nodes.values())
    return _Dag(order, parents), utility_nodes


def _reachable(graph: _Dag, sources: Iterable[str], observed: set[str]) -> set[tuple[str, str]]:
    """Bayes ball: the (node, direction) states an active trail from `sources` given `observed` can reach.

    direction "up" = arrived from a child, "down" = arrived from a parent (Koller & Friedman, Alg. 3.1).
    """
    ancestors_of_observed = set(observed)
    for n in observed:
        ancestors_of_observed |= graph.ancestors[n]
    visited: set[tuple[str, str]] = set()
    stack = [(s, "up") for s in sources]
    while stack:
        node, direction = stack.pop()
        if (node, direction) in visited:
            continue
        visited.add((node, direction))
        if direction == "up" and node not in observed:
            stack.extend((p, "up") for p in graph.parents[node])
            stack.extend((c, "down") for c in graph.children[node])
        elif direction == "down":
            if node not in observed:
                stack.extend((c, "down") for c in graph.children[node])
            if node in ancestors_of_observed:
                stack.extend((p, "up") for p in graph.parents[node])
    return visited


def relevance_graph(world: World, pieces: list[Piece]) -> nx.DiGraph:
    """Edge D -> D' when D' is s-reachable from D: D's optimal rule may depend on D''s rule."""
    graph, utility_nodes = _merged_graph(world, pieces)
    decisions = list(world.decisions)
    relevance = nx.DiGraph()
    relevance.add_nodes_from(decisions)
    for d in decisions:
        below = graph.descendants[d]
        utilities = [u for u in utility_nodes.values() if u in below]
        if not utilities:
            continue
        observed = {d, *world.nodes[d].parents}
        reached = _reachable(graph, utilities, observed)
        for other in decisions:
            if other == d:
                continue
            # a new parent of `other` is d-connected to a utility iff the trail can leave `other` upwards
            via_chain = (other, "up") in reached and other not in observed
            via_collider = (other, "down") in reached and (other in observed or graph.descendants[other] & observed)
            if via_chain or via_collider:
                relevance.add_edge(d, other)
    return relevance


def has_perfect_recall(world: World) -> bool:
    """True when each decision observes every earlier decision and everything those observed."""
    decisions = list(world.decisions)
    for i, later in enumerate(decisions):
        seen = set(world.nodes[later].parents)
        for earlier in decisions[:i]:
            if earlier not in seen or not set(world.nodes[earlier].parents) <= seen:
                return False
    return True
