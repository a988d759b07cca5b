"""Expected-utility contractions for corrig.analysis.solve: the world's tables in one backend, and the
expected utility of the objective's pieces per branch with decision rules fixed or summed out.

    engine = _Contractor(world, pieces)
    eu = engine.expected_utility((*parents, decision), engine.branches, rules)   # an array over `output`
    engine.maximise(eu)                                                          # the best action per context

The backends: float64 arrays; for rational numbers, Scaled tables (integer numerators over a common
denominator, corrig.inference.scaled); for other exact numbers (irrational ones), object arrays of
the smallest sympy domain holding them.  Each branch is one contraction (`eliminate`: bucket
elimination latest first, opt_einsum's path when that order builds too large a table); the
objective's pieces in a branch share it through a selector index.  Float expected utilities within
FLOAT_TIE of each other tie (the first state wins); exact ones are compared exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sympy as sp
from sympy.polys.domains import QQ

from corrig.analysis.linear_pieces import Piece, _Dag
from corrig.inference import scaled
from corrig.inference.compiled import RATIONAL, value_class
from corrig.inference.engine import Backend, Factor, contract
from corrig.inference.quadrature import bounded
from corrig.inference.scaled import Scaled
from corrig.model.expr import State
from corrig.model.world import World

FLOAT_TIE = 1e-12  # relative tolerance under which float expected utilities tie (first state wins)

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
        compared as sympy numbers: the order of sympy's EX domain elements is not numeric), numbers known by
        quadrature only when their difference clears its error bound (an exact tie cannot be told apart)."""
        if not self.backend.exact:
            return float(a) > float(b) + FLOAT_TIE * max(1.0, abs(float(b)))
        if self.scaled:
            return bool(a > b)
        to_sympy = self.backend.to_sympy
        relation = to_sympy(a) > to_sympy(b)
        if relation in (sp.true, sp.false):
            return bool(relation)
        middle, error = bounded(to_sympy(a) - to_sympy(b))
        return middle > error


def _float(value: Any) -> float:
    """float(value), quickly for sympy rationals (float(sp.Integer) goes through mpmath)."""
    if isinstance(value, sp.Rational):
        return value.p / value.q
    return float(value)
