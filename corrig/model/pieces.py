"""The real line cut at thresholds: comparisons of a continuous node, the intervals between them, and what
each probability or quantity is on one interval.

A comparison linear in a node's symbol u (`U < 2*c + 1`, `3 - U >= 0`) is a `Threshold`: u against a
point.  A `Partition` sorts the thresholds of one node together with the ends of its support, deciding
every order exactly on the parameter box (an order that changes inside the box is an error naming both
points), and cuts the support into cells.  On a cell every comparison of u is decided (`decide`), so a
reader's probability is constant or one link term there and a quantity is a polynomial in u.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom

from corrig.model.box import nonnegative
from corrig.model.errors import WorldError
from corrig.model.links import Phi, sigmoid
from corrig.model.params import parameters_in, range_of

LINK_TYPES = (sigmoid, Phi)
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class Threshold:
    """A comparison `u op at` (op one of <, <=, >, >=, ==, !=) read off a relation linear in u."""

    op: str
    at: sp.Expr


def relations(condition: Any) -> list[Relational]:
    """The comparisons a condition (a relation or a logical combination) is made of."""
    if isinstance(condition, BooleanAtom | bool) or condition is None:
        return []
    return list(condition.atoms(Relational))


def threshold(relation: Relational, u: sp.Symbol, where: str) -> Threshold:
    """The threshold `u op t` a relation linear in u states (flipped when u's coefficient is negative)."""
    difference = sp.expand(relation.lhs - relation.rhs)
    if u not in difference.free_symbols:
        raise WorldError(f"{where}: the comparison {relation} does not read {u}")
    if not difference.is_polynomial(u) or sp.degree(difference, u) != 1:
        raise WorldError(f"{where}: the comparison {relation} must be linear in {u} (like {u} < 2*c + 1)")
    slope = difference.coeff(u, 1)
    if not slope.is_number or slope.free_symbols:
        raise WorldError(f"{where}: the comparison {relation} multiplies {u} by {slope}; write {u} against an "
                         f"expression in the parameters instead")
    at = sp.cancel(-difference.coeff(u, 0) / slope)
    return Threshold(relation.rel_op if slope > 0 else _FLIPPED[relation.rel_op], at)


def link_term(piece: sp.Expr, u: sp.Symbol, where: str) -> tuple[sp.Expr, sp.Expr, sp.Expr | None]:
    """(c0, c1, L(a·u + b)) with piece = c0 + c1·L(a·u + b), L = sigmoid or Phi; (piece, 0, None) when constant."""
    if u not in piece.free_symbols:
        return piece, sp.S.Zero, None
    canonical = {}
    for link in (a for a in piece.atoms(*LINK_TYPES) if u in a.free_symbols):
        argument = sp.expand(link.args[0])
        if not argument.is_polynomial(u) or sp.degree(argument, u) != 1 or argument.coeff(u, 1).free_symbols & {u}:
            raise WorldError(f"{where}: {link} must read {u} linearly (like sigmoid(beta*{u}))")
        # L(-x) = 1 - L(x): one atom per argument up to its sign
        canonical[link] = 1 - type(link)(-argument) if argument.could_extract_minus_sign() else type(link)(argument)
    expanded = sp.expand(piece.xreplace(canonical))
    atoms = [a for a in expanded.atoms(*LINK_TYPES) if u in a.free_symbols]
    message = (f"{where}: the probability {piece} must be a constant, a comparison of {u}, or c0 + c1*sigmoid(a*{u} + b) "
               f"or c0 + c1*Phi(a*{u} + b) (one Boltzmann or probit choice) on each interval between thresholds")
    if len(atoms) != 1 or not expanded.is_polynomial(atoms[0]) or sp.degree(expanded, atoms[0]) != 1:
        raise WorldError(message)
    link = atoms[0]
    constant, slope = expanded.subs(link, 0), expanded.coeff(link, 1)
    if u in constant.free_symbols or u in slope.free_symbols:
        raise WorldError(message)
    return constant, slope, link


def _spans(value: sp.Expr) -> dict[sp.Symbol, tuple[Any, Any]]:
    return {s: (range_of(s).low, range_of(s).high) for s in parameters_in(value)}


def compare_points(a: sp.Expr, b: sp.Expr, node: str) -> int:
    """-1 when a <= b at every point of the parameter box, 1 when a >= b, 0 when equal everywhere; else an error."""
    difference = sp.cancel(b - a)
    if difference == 0:
        return 0
    if difference.is_number:
        return -1 if difference > 0 else 1
    spans = _spans(difference)
    below, above = (nonnegative(d, spans) for d in (difference, -difference))
    if below.holds and above.holds:
        return 0
    if below.holds or above.holds:
        return -1 if below.holds else 1
    raise WorldError(f"the thresholds {a} and {b} of {node} come in either order on the parameter box "
                     f"({', '.join(f'{s} in [{lo}, {hi}]' for s, (lo, hi) in spans.items())}); give the parameters "
                     f"ranges on one side, or values")


@dataclass(frozen=True)
class Partition:
    """A node's support cut at its thresholds: the sorted points and the cells between them."""

    node: str
    points: tuple[sp.Expr, ...]  # every threshold and finite support end, sorted, distinct
    low: int  # index in `bounds` of the support's low end
    high: int  # and of its high end

    @classmethod
    def of(cls, node: str, support: tuple[sp.Expr, sp.Expr], thresholds: Iterable[sp.Expr]) -> Partition:
        """The partition of `support` at `thresholds` (outside the support they cut nothing)."""
        finite = [e for e in support if e.is_finite is not False and e not in (sp.oo, -sp.oo)]
        unique: list[sp.Expr] = []
        for point in [*finite, *thresholds]:
            if not any(compare_points(point, seen, node) == 0 for seen in unique):
                unique.append(point)
        ordered = tuple(sorted(unique, key=functools.cmp_to_key(lambda a, b: compare_points(a, b, node))))
        bounds = (sp.S.NegativeInfinity, *ordered, sp.S.Infinity)
        low = bounds.index(support[0]) if support[0] in bounds else _index(bounds, support[0], node)
        high = bounds.index(support[1]) if support[1] in bounds else _index(bounds, support[1], node)
        return cls(node, ordered, low, high)

    @property
    def bounds(self) -> tuple[sp.Expr, ...]:
        """-oo, the points, oo."""
        return (sp.S.NegativeInfinity, *self.points, sp.S.Infinity)

    def cells(self) -> list[tuple[int, sp.Expr, sp.Expr]]:
        """(index, low end, high end) of each cell inside the support, in order."""
        b = self.bounds
        return [(k, b[k], b[k + 1]) for k in range(self.low, self.high)]

    def _relation(self, relation: Relational, cell: int, u: sp.Symbol) -> Any:
        found = threshold(relation, u, f"a comparison of {self.node}")
        j = _index(self.bounds, found.at, self.node)
        holds = {"<": cell < j, "<=": cell < j, ">": cell >= j, ">=": cell >= j, "==": False, "!=": True}[found.op]
        return sp.true if holds else sp.false

    def decide(self, value: Any, cell: int, u: sp.Symbol) -> Any:
        """The value on the open cell `cell`: every comparison of u replaced by its truth there (== is measure
        zero), so a Piecewise keeps its branch and an event becomes True or False; comparisons of another node
        are left for its own partition."""
        if isinstance(value, bool) or not isinstance(value, sp.Basic) or u not in value.free_symbols:
            return value
        decided = {r: self._relation(r, cell, u) for r in value.atoms(Relational) if u in r.free_symbols}
        value = value.xreplace(decided)
        if isinstance(value, sp.logic.boolalg.BooleanFunction) and not value.free_symbols & {u}:
            value = sp.simplify_logic(value) if len(value.atoms(Relational)) <= 6 else value
        if isinstance(value, BooleanAtom):
            return bool(value)
        return value


def _index(bounds: tuple[sp.Expr, ...], point: sp.Expr, node: str) -> int:
    """The index of `point` among the sorted bounds (equal on the whole box)."""
    for i, b in enumerate(bounds):
        if b == point or (b.is_finite is not False and point.is_finite is not False and b not in (sp.oo, -sp.oo)
                          and point not in (sp.oo, -sp.oo) and compare_points(b, point, node) == 0):
            return i
    raise WorldError(f"{point} is not a threshold of {node}'s partition")
