"""Optimal policies without enumerating every pure policy, when the information structure allows.

    solution = solve(world, utility)
    solution.policy    # a pure Policy (one rule per decision)
    solution.value     # J(policy): exact, or a float when the world holds floats
    solution.method    # "backward-induction", "exact-limid", "backward-induction+exact-limid",
                       # "backward-induction+joint" or "enumeration"
    solution.reason    # why that method

When the objective is a weighted sum of P/E atoms that are each linear in every decision rule
(factual, do(...) on chance nodes, given(E) with E's probability independent of the policy),
J(π) is the expected utility of one influence diagram: a hidden branch selector K feeds the
intervened nodes, each piece of the objective is a utility node.  Koller & Milch's relevance
graph (s-reachability, by Bayes ball) then says which decision rules each rule depends on;
strongly connected components are optimised in reverse topological order, a singleton by a
single policy update (per information-set context, the action with the largest expected
utility, the rules not yet chosen summed out uniformly), a larger component jointly and exactly
by corrig.analysis.limid (variable elimination over sets of partial strategies with Pareto
pruning, after Mauá, de Campos & Zaffalon 2012: no joint rule is enumerated; a component of at
most JOINT_ENUMERATION joint rules, one whose sets outgrow limid.SET_LIMIT, or one in a world with
irrational numbers has its joint rules enumerated instead, up to `limit`).  Perfect
recall (every decision observes the earlier decisions and what they observed) makes every
component a singleton: that is backward induction.  Each update is one contraction per branch:
the objective's pieces in a branch share it through a selector index.

Anything else falls back to enumerating every pure policy and says why in `reason`: a
counterfactual atom (the policy acts in both copies of the twin network), a condition whose
probability depends on the policy (a ratio of policy-dependent numbers), a product of terms,
a do() on a decision.  Values with parameters cannot be maximised: pass at={...}.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import networkx as nx
import numpy as np
import sympy as sp
from sympy.polys.domains import QQ

from corrig.analysis.limid import LimidTooLarge, joint_optimum
from corrig.analysis.parameters import resolve_at, term_parameters
from corrig.inference import scaled
from corrig.inference.compiled import RATIONAL, value_class
from corrig.inference.engine import Backend, Factor, contract, needed_nodes, probability
from corrig.inference.scaled import Scaled
from corrig.model.errors import CorrigError, QueryError, StateError, ZeroProbabilityCondition
from corrig.model.expr import BinOp, Const, Expr, State
from corrig.model.numbers import to_number
from corrig.model.policies import Policy, count_pure_policies, pure_policies
from corrig.model.world import World
from corrig.objectives.integrated import integrate_out
from corrig.objectives.terms import Atom, Constant, Product, Sum, Term, as_term

METHODS = ("auto", "backward-induction", "enumeration")
JOINT_ENUMERATION = 64  # a cyclic component with at most this many joint pure rules is enumerated (cheaper)
ENUMERATION_LIMIT = 1_000_000  # pure policies (or joint rules of one component) enumerated at most
FLOAT_TIE = 1e-12  # relative tolerance under which float expected utilities tie (first state wins)


class SolveError(CorrigError):
    """The optimal policy cannot be found: parameters left, too many policies, or no defined value."""


@dataclass(frozen=True)
class Solution:
    """An optimal pure policy, its value J(π), and how it was found."""

    policy: Policy
    value: Any
    method: str
    reason: str
    order: tuple[tuple[str, ...], ...] = ()  # the decision groups, in the order their rules were chosen
    evaluations: int = 0  # contractions (backward induction) or policies evaluated (enumeration)

    def __repr__(self) -> str:
        return f"Solution(value={self.value}, method={self.method!r}, policy={self.policy!r})"


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


# contractions ---------------------------------------------------------------------------------
ELIMINATION_LIMIT = 1 << 16  # largest intermediate table an ordered elimination may build before opt_einsum's path


def eliminate(factors: list[Factor], output: tuple[str, ...], rank: Mapping[str, int], backend: Backend) -> Any:
    """Σ over every variable not in `output` of the product of `factors`, by bucket elimination.

    Variables are summed out latest first (`rank`: a topological position; unranked ones go last), the
    natural order for worlds unrolled over time.  When that order would build a table larger than
    ELIMINATION_LIMIT entries, opt_einsum chooses the order instead.
    """
    sizes: dict[str, int] = {}
    for f in factors:
        sizes.update(zip(f.variables, f.array.shape, strict=True))
    keep = set(output)
    order = sorted((v for v in sizes if v not in keep), key=lambda v: rank.get(v, -1), reverse=True)
    scopes = [set(f.variables) for f in factors]
    for v in order:  # dry run: the sizes this order builds
        joined = [i for i, sc in enumerate(scopes) if v in sc]
        union = set().union(*(scopes[i] for i in joined)) - {v}
        size = 1
        for u in union:
            size *= sizes[u]
        if size > ELIMINATION_LIMIT:
            return contract(factors, output, backend)
        scopes = [sc for i, sc in enumerate(scopes) if i not in joined] + [union]
    work = [(f.variables, f.array) for f in factors]
    for v in order:
        bucket = [w for w in work if v in w[0]]
        work = [w for w in work if v not in w[0]]
        union = tuple(dict.fromkeys(u for vars_, _ in bucket for u in vars_ if u != v))
        work.append((union, _einsum(bucket, union)))
    return _einsum(work, tuple(output))


def _einsum(operands: list[tuple[tuple[str, ...], Any]], out: tuple[str, ...]) -> Any:
    index: dict[str, int] = {}  # numbered per step: np.einsum takes at most 52 distinct indices
    args: list[Any] = []
    for variables, array in operands:
        args += [array, [index.setdefault(v, len(index)) for v in variables]]
    args.append([index.setdefault(v, len(index)) for v in out])
    return scaled.einsum(*args)


class _Contractor:
    """The world's tables in one backend, and EU contractions per branch with rules fixed or summed out.

    The backends: float64 arrays; for rational numbers, Scaled tables (integer numerators over a common
    denominator, corrig.inference.scaled); for other exact numbers (irrational ones), object arrays of
    the smallest sympy domain holding them.
    """

    def __init__(self, world: World, pieces: list[Piece]):
        self.world = world
        compiled = world.compiled
        piece_values = [v for piece in pieces for v in piece.values]
        self.scaled = False  # every number a sympy Rational: Scaled tables
        if compiled.floats or any(isinstance(v, float) or v.has(sp.Float) for v in piece_values):
            self.backend = Backend(None)  # parameters were ruled out: floats need no domain
        else:
            values = [v for t in compiled.tables.values() for row in t.table.values() for v in row] + piece_values
            self.scaled = value_class(values) == RATIONAL
            self.backend = Backend(QQ) if self.scaled else Backend.for_values([*values, sp.Integer(0), sp.Integer(1)])
        exact = self.backend.exact
        self.one = 1 if self.scaled else self.backend.domain.one if exact else 1.0
        self.zero = 0 if self.scaled else self.backend.domain.zero if exact else 0.0
        self._chance: dict[str, Factor] = {}
        self.branches: dict[tuple, list[Piece]] = {}
        for piece in pieces:
            self.branches.setdefault(piece.do, []).append(piece)
        self._branch_worlds = {do: (world.do(dict(do)) if do else world) for do in self.branches}
        self.dags = {do: _Dag.of(branch_world) for do, branch_world in self._branch_worlds.items()}
        self.rank = {n: i for i, n in enumerate(compiled.order)}
        self.contractions = 0

    def array(self, values: list[Any], shape: tuple[int, ...]) -> scaled.Table:
        """sympy numbers as a table of this backend (floats converted without sympy's slow path)."""
        if self.scaled:
            return Scaled.of(values, shape)
        if self.backend.exact:
            return self.backend.objects(values, shape)
        return np.array([_float(v) for v in values], dtype=np.float64).reshape(shape)

    def raw(self, values: list[Any], shape: tuple[int, ...]) -> scaled.Table:
        """A table of backend elements (self.one / self.zero) as it stands."""
        if self.scaled:
            return Scaled(np.array(values, dtype=np.int64).reshape(shape))
        return np.array(values, dtype=object if self.backend.exact else np.float64).reshape(shape)

    def filled(self, value: Any, shape: tuple[int, ...]) -> scaled.Table:
        """A table of `shape` whose every entry is the backend element `value` (self.one or self.zero)."""
        if self.scaled:
            return Scaled(np.full(shape, value, dtype=np.int64))
        return np.full(shape, value, dtype=object if self.backend.exact else np.float64)

    def scalar(self, table: scaled.Table) -> Any:
        """A one-entry table's value as a backend element (a float or a domain element)."""
        if isinstance(table, Scaled):
            return self.backend.domain(*table.rational())
        return np.asarray(table, dtype=object if self.backend.exact else np.float64).reshape(-1)[0]

    def chance_factor(self, name: str, do: Mapping[str, State]) -> Factor:
        world = self.world
        node = world.nodes[name]
        if name in do:
            row = [self.one if s == do[name] else self.zero for s in node.states]
            return Factor((name,), self.raw(row, (len(row),)))
        if name not in self._chance:
            table = world.compiled.tables[name].table
            shape = (*(len(world.nodes[p].states) for p in node.parents), len(node.states))
            flat = [v for ctx in itertools.product(*(world.nodes[p].states for p in node.parents)) for v in table[ctx]]
            self._chance[name] = Factor((*node.parents, name), self.array(flat, shape))
        return self._chance[name]

    def rule_factor(self, name: str, rule: Mapping[tuple, State]) -> Factor:
        node = self.world.nodes[name]
        contexts = itertools.product(*(self.world.nodes[p].states for p in node.parents))
        flat = [self.one if s == rule[ctx] else self.zero for ctx in contexts for s in node.states]
        shape = (*(len(self.world.nodes[p].states) for p in node.parents), len(node.states))
        return Factor((*node.parents, name), self.raw(flat, shape))

    def ones(self, name: str) -> Factor:
        n = len(self.world.nodes[name].states)
        return Factor((name,), self.raw([self.one] * n, (n,)))

    def utility_factor(self, pieces: list[Piece]) -> list[Factor]:
        """The pieces as factors; several share a selector index so that one contraction sums them."""
        if len(pieces) == 1:
            piece = pieces[0]
            shape = tuple(len(self.world.nodes[n].states) for n in piece.scope)
            return [Factor(piece.scope, self.array(list(piece.values), shape))]
        factors = []
        k = len(pieces)
        for i, piece in enumerate(pieces):
            shape = (*(len(self.world.nodes[n].states) for n in piece.scope), k)
            one = sp.Integer(1)
            flat = [v if j == i else one for v in piece.values for j in range(k)]
            factors.append(Factor((*piece.scope, "__piece__"), self.array(flat, shape)))
        return factors

    def expected_utility(self, output: tuple[str, ...], pieces_by_branch: Mapping[tuple, list[Piece]],
                         rules: Mapping[str, Mapping[tuple, State]], free: Iterable[str] = ()) -> Any:
        """Σ over branches of Σ_x Π tables · Σ pieces, as an array over `output`.

        Decisions in `rules` follow them; every other decision is summed out (a uniform rule, up to a
        positive constant); `free` decisions must be in `output`.
        """
        world = self.world
        total: Any = None
        for do, pieces in pieces_by_branch.items():
            if not pieces:
                continue
            scope = {n for p in pieces for n in p.scope} | set(output)
            nodes = self.dags[do].needed(scope)
            do_map = dict(do)
            factors = []
            for name in nodes:
                if world.nodes[name].is_decision:
                    factors.append(self.rule_factor(name, rules[name]) if name in rules else self.ones(name))
                else:
                    factors.append(self.chance_factor(name, do_map))
            factors += self.utility_factor(pieces)
            result = eliminate(factors, output, self.rank, self.backend)
            if not output:
                result = self.scalar(result)
            self.contractions += 1
            total = result if total is None else total + result
        return total

    def maximise(self, values: scaled.Table) -> np.ndarray:
        """The index of the best state along the last axis (first of ties) for every context."""
        if isinstance(values, Scaled):
            return values.argmax(axis=-1)
        if not self.backend.exact:
            best = values.max(axis=-1, keepdims=True)
            tolerance = FLOAT_TIE * np.maximum(1.0, np.abs(best))
            return np.argmax(values >= best - tolerance, axis=-1)
        flat = values.reshape(-1, values.shape[-1])
        choice = np.zeros(len(flat), dtype=int)
        for k, row in enumerate(flat):
            for i in range(1, len(row)):
                if self.greater(row[i], row[choice[k]]):
                    choice[k] = i
        return choice.reshape(values.shape[:-1])

    def greater(self, a: Any, b: Any) -> bool:
        """a > b for two backend elements: floats beyond FLOAT_TIE, exact numbers exactly (irrational ones
        compared as sympy numbers: the order of sympy's EX domain elements is not numeric)."""
        if not self.backend.exact:
            return float(a) > float(b) + FLOAT_TIE * max(1.0, abs(float(b)))
        if self.scaled:
            return bool(a > b)
        to_sympy = self.backend.domain.to_sympy
        return bool(to_sympy(a) > to_sympy(b))


def _float(value: Any) -> float:
    """float(value), quickly for sympy rationals (float(sp.Integer) goes through mpmath)."""
    if isinstance(value, sp.Rational):
        return value.p / value.q
    return float(value)


# the solver -----------------------------------------------------------------------------------
def solve(world: World, utility: Any, *, method: str = "auto", at: Mapping[Any, Any] | None = None,
          limit: int = ENUMERATION_LIMIT) -> Solution:
    """An optimal pure policy for `utility` in `world`, found without enumerating every pure policy
    when the objective is linear in each decision rule (see the module docstring).

    method: "auto" (backward induction when it applies, else enumeration), "backward-induction"
    (raise SolveError when it does not apply) or "enumeration" (every pure policy, via the engine).
    at: {parameter or its name: value} substituted first.  limit: how many pure policies (or joint
    rules of one relevance component) enumeration may evaluate.
    """
    if method not in METHODS:
        raise QueryError(f"unknown method {method!r}: choose one of {list(METHODS)}")
    if not isinstance(world, World):
        raise QueryError(f"solve() needs a corrig World, got {type(world).__name__}")
    utility = as_term(utility)
    if at:

        values_at = resolve_at(at, world, utility, sp.Integer(0))
        world, utility = world.subs(values_at), utility.subs(values_at)
    world.check()
    world, utility = integrate_out(world, utility)  # continuous nodes: their exact discrete world
    if not world.decisions:
        raise SolveError(f"world {world.name!r} has no decision node: there is no policy to choose")
    _require_numbers(world, utility)
    if method == "enumeration":
        return _enumerate(world, utility, "enumeration was asked for", limit)
    try:
        pairs, _ = _linear_terms(utility)
        pieces = _pieces(world, pairs)
    except _NotLinear as exc:
        if method == "backward-induction":
            raise SolveError(f"backward induction does not apply: {exc}") from None
        return _enumerate(world, utility, f"{exc}; every pure policy was enumerated", limit)
    return _backward(world, utility, pieces, limit)


def _require_numbers(world: World, utility: Term) -> None:

    symbols = set(world.compiled.parameters) | term_parameters(utility)
    if symbols:
        names = sorted(str(s) for s in symbols)
        raise SolveError(f"the values depend on the parameters {names}: the optimal policy depends on where in "
                         f"the parameter box; pass at={{...}} (or use plan() and corrig.analysis.symbolic for regions)")


def _enumerate(world: World, utility: Term, reason: str, limit: int) -> Solution:
    count = count_pure_policies(world)
    if count > limit:
        raise SolveError(f"{reason}, but world {world.name!r} has {count} pure policies (limit {limit})")
    best: tuple[Any, Policy] | None = None
    evaluated = 0
    for policy in pure_policies(world):
        evaluated += 1
        try:
            value = utility.evaluate(world, policy, cache={})
        except ZeroProbabilityCondition:
            continue
        if best is None or _greater(value, best[0]):
            best = (value, policy)
    if best is None:
        raise SolveError(f"every pure policy of world {world.name!r} leaves the objective undefined "
                         f"(a term conditions on a probability-0 event)")
    return Solution(best[1], best[0], "enumeration", reason, (tuple(world.decisions),), evaluated)


def _greater(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return float(a) > float(b) + FLOAT_TIE * max(1.0, abs(float(b)))
    return bool(a > b)


def _backward(world: World, utility: Term, pieces: list[Piece], limit: int) -> Solution:
    how: dict[tuple[str, ...], str] = {}
    relevance = relevance_graph(world, pieces)
    if relevance.number_of_edges() == 0:  # no rule depends on another: latest first, as backward induction would
        order = [(d,) for d in reversed(world.decisions)]
    else:
        condensed = nx.condensation(relevance)
        order = [tuple(sorted(condensed.nodes[c]["members"], key=world.decisions.index))
                 for c in reversed(list(nx.topological_sort(condensed)))]
    engine = _Contractor(world, pieces)
    rules: dict[str, dict[tuple, State]] = {}
    for group in order:
        if len(group) == 1:
            rules[group[0]] = _single_update(engine, group[0], rules)
        else:
            rules.update(_joint(engine, group, rules, limit, how))
    policy = _as_policy(world, rules)
    final = engine.expected_utility((), engine.branches, rules)
    constant = _linear_terms(utility)[1]
    value = engine.backend.output(final) if final is not None else sp.Integer(0)
    value = value + (float(constant) if isinstance(value, float) else sp.sympify(constant))
    if isinstance(value, sp.Basic) and value.has(sp.Float):
        value = float(value)
    joint = [g for g in order if len(g) > 1]
    if not joint:
        recall = "perfect recall" if has_perfect_recall(world) else "the relevance graph is acyclic"
        return Solution(policy, value, "backward-induction",
                        f"the objective is linear in each decision rule and {recall}: one single policy update per "
                        f"decision, in reverse order of the relevance graph", tuple(order), engine.contractions)
    enumerated = [g for g in joint if how[g] == "enumeration"]
    done = ("their joint rules were enumerated, each in one contraction per branch" if enumerated else
            "their joint rules were optimised exactly by variable elimination over sets of partial strategies with "
            "Pareto pruning (Mauá, de Campos & Zaffalon 2012), without enumerating them")
    if len(order) == 1:
        return Solution(policy, value, "enumeration" if enumerated else "exact-limid",
                        f"every decision's rule depends on every other's (one strongly connected relevance component "
                        f"{list(order[0])}): {done}", tuple(order), engine.contractions)
    names = "; ".join("{" + ", ".join(g) + "}" for g in joint)
    return Solution(policy, value, "backward-induction+joint" if enumerated else "backward-induction+exact-limid",
                    f"the objective is linear in each decision rule; the relevance graph has cycles, so the rules of "
                    f"{names} were optimised jointly ({done}) and every other decision got a single policy update",
                    tuple(order), engine.contractions)


def _joint(engine: _Contractor, group: tuple[str, ...], rules: Mapping[str, Mapping[tuple, State]], limit: int,
           how: dict[tuple[str, ...], str]) -> dict[str, dict[tuple, State]]:
    """The group's jointly optimal rules: enumerated when they are few (at most JOINT_ENUMERATION joint rules)
    or the numbers irrational, else by exact LIMID elimination, enumerated after all when its sets grow too large."""
    count = 1
    for d in group:
        node = engine.world.nodes[d]
        contexts = 1
        for p in node.parents:
            contexts *= len(engine.world.nodes[p].states)
        count *= len(node.states) ** contexts
    if count <= min(JOINT_ENUMERATION, limit) or (engine.backend.exact and not engine.scaled):
        how[group] = "enumeration"  # few joint rules, or irrational numbers (limid's Pareto order needs Scaled or floats)
        return _joint_update(engine, group, rules, limit)
    try:
        chosen, built = joint_optimum(engine, group, rules, _downstream(engine, group))
    except LimidTooLarge:
        how[group] = "enumeration"
        return _joint_update(engine, group, rules, limit)
    how[group] = "exact-limid"
    engine.contractions += built
    return chosen


def _downstream(engine: _Contractor, decisions: Iterable[str]) -> dict[tuple, list[Piece]]:
    """The pieces whose expected value can depend on the given decisions, by branch."""
    out: dict[tuple, list[Piece]] = {}
    for do, pieces in engine.branches.items():
        dag = engine.dags[do]
        below: set[str] = set()
        for d in decisions:
            below |= {d} | dag.descendants[d]
        out[do] = [p for p in pieces if below & set(p.scope)]
    return out


def _single_update(engine: _Contractor, decision: str, rules: Mapping[str, Mapping[tuple, State]]) -> dict[tuple, State]:
    world = engine.world
    node = world.nodes[decision]
    contexts = list(itertools.product(*(world.nodes[p].states for p in node.parents)))
    relevant = _downstream(engine, [decision])
    if not any(relevant.values()):
        return {ctx: node.states[0] for ctx in contexts}
    output = (*node.parents, decision)
    eu = engine.expected_utility(output, relevant, rules)
    choice = engine.maximise(eu)
    flat = np.asarray(choice).reshape(-1)
    return {ctx: node.states[int(i)] for ctx, i in zip(contexts, flat, strict=True)}


def _joint_update(engine: _Contractor, group: tuple[str, ...], rules: Mapping[str, Mapping[tuple, State]],
                  limit: int) -> dict[str, dict[tuple, State]]:
    world = engine.world
    per: list[list[dict[tuple, State]]] = []
    count = 1
    for d in group:
        node = world.nodes[d]
        contexts = list(itertools.product(*(world.nodes[p].states for p in node.parents)))
        count *= len(node.states) ** len(contexts)
        if count > limit:
            raise SolveError(f"the decisions {list(group)} must be optimised jointly (their rules depend on each other) "
                             f"and have more than {limit} joint pure rules")
        per.append([dict(zip(contexts, choice, strict=True))
                    for choice in itertools.product(node.states, repeat=len(contexts))])
    relevant = _downstream(engine, group)
    best: tuple[Any, dict[str, dict[tuple, State]]] | None = None
    for combo in itertools.product(*per):
        trial = {**rules, **dict(zip(group, combo, strict=True))}
        value = engine.expected_utility((), relevant, trial)
        value = value if value is not None else 0
        if best is None or engine.greater(value, best[0]):
            best = (value, dict(zip(group, combo, strict=True)))
    assert best is not None
    return best[1]


def _as_policy(world: World, rules: Mapping[str, Mapping[tuple, State]]) -> Policy:
    out: dict[str, Any] = {}
    labels = []
    for d in world.decisions:
        rule = rules[d]
        node = world.nodes[d]
        if not node.parents:
            out[d] = rule[()]
            labels.append(f"{d}={rule[()]}")
        else:
            out[d] = dict(rule)
            labels.append(", ".join(f"{d}({','.join(f'{p}={v}' for p, v in zip(node.parents, ctx, strict=True))})={s}"
                                    for ctx, s in rule.items()))
    return Policy(out, name="; ".join(labels))


__all__ = ["METHODS", "Piece", "Solution", "SolveError", "has_perfect_recall", "relevance_graph", "solve"]
