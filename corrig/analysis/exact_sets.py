"""Exact sets of one parameter: where a condition in one parameter holds within its interval.

    exact_set(q > Rational(1, 3), q, Interval(0, 1))   # Interval.Lopen(1/3, 1)
    point_in_set(Interval.Lopen(Rational(1, 3), 1))    # 1/2: the simplest rational inside

Each relation's set comes from the real roots of its rational function's factors when both sides
are rational in the parameter with rational coefficients (a root of a denominator is left out,
each piece between roots decided at one rational point), else from sympy's solveset; the sets are
combined by the condition's boolean structure — a union of intervals with exact endpoints.  A
condition sympy cannot solve gives None.
"""

from __future__ import annotations

import itertools
from functools import cmp_to_key, reduce
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from corrig.analysis.conditions import _RELATION
from corrig.analysis.signs import _memoized, rational_between


class _Unsolved(Exception):
    pass


def _set_of(cond: sp.Basic, x: sp.Symbol, domain: sp.Interval) -> sp.Set:
    if cond is sp.true:
        return domain
    if cond is sp.false:
        return sp.EmptySet
    if isinstance(cond, sp.And):
        return reduce(sp.Intersection, (_set_of(a, x, domain) for a in cond.args))
    if isinstance(cond, sp.Or):
        return sp.Union(*(_set_of(a, x, domain) for a in cond.args))
    if isinstance(cond, sp.Not):
        return sp.Complement(domain, _set_of(cond.args[0], x, domain))
    if isinstance(cond, Relational):
        found = _rational_set(cond, x, domain)
        if found is not None:
            return found
        try:
            found = sp.solveset(cond, x, domain=domain)
        except (NotImplementedError, TypeError, ValueError) as exc:
            raise _Unsolved from exc
        if isinstance(found, sp.ConditionSet) or found.has(sp.ConditionSet):
            raise _Unsolved
        return found
    raise _Unsolved


def _rational_set(rel: Relational, x: sp.Symbol, domain: sp.Set) -> sp.Set | None:
    """Where `rel` holds on a bounded interval when both sides are rational functions of x with rational
    coefficients (None otherwise; the caller asks solveset).

    The real roots of the irreducible factors of numerator and denominator cut the interval; a root of
    a denominator factor is excluded (the relation is undefined there), a root of a numerator factor
    only makes the difference 0, and each open piece between cuts is decided at one rational point.
    """
    if not isinstance(domain, sp.Interval) or not (domain.start.is_Rational and domain.end.is_Rational):
        return None
    num, den = sp.fraction(sp.together(rel.lhs - rel.rhs))
    relation = _RELATION[rel.rel_op]
    try:
        top, bottom = sp.Poly(num, x, domain=sp.QQ), sp.Poly(den, x, domain=sp.QQ)
        poles = {f.monic() for f, _ in bottom.factor_list()[1]}
        factors = poles | {f.monic() for f, _ in top.factor_list()[1]}
        cuts = [(r, f in poles) for f in factors for r in f.real_roots() if domain.start < r < domain.end]
    except (sp.PolynomialError, sp.GeneratorsNeeded, sp.CoercionFailed, sp.DomainError, NotImplementedError):
        return None
    cuts.sort(key=cmp_to_key(lambda a, b: -1 if bool(a[0] < b[0]) else 1))

    def holds(point: sp.Expr) -> bool:  # a rational point
        under = bottom.eval(point)
        return under != 0 and bool(relation(top.eval(point) / under, 0))

    ends = [domain.start, *(r for r, _ in cuts), domain.end]
    at_ends = [not domain.left_open and holds(domain.start),
               *(not pole and bool(relation(0, 0)) for _, pole in cuts),
               not domain.right_open and holds(domain.end)]
    between = [holds(rational_between(u, v)) for u, v in itertools.pairwise(ends)]
    return _joined(ends, at_ends, between)


def _joined(ends: list[sp.Expr], at_ends: list[bool], between: list[bool]) -> sp.Set:
    """The union of the ends and open gaps marked True, each run of adjacent pieces one interval."""
    line = [x for pair in zip(at_ends, [*between, False], strict=True) for x in pair][:-1]  # end, gap, end, ...
    pieces: list[sp.Set] = []
    i = 0
    while i < len(line):
        if not line[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(line) and line[j + 1]:
            j += 1
        if i == j and i % 2 == 0:
            pieces.append(sp.FiniteSet(ends[i // 2]))
        else:  # element 2k is the end k, element 2k+1 the gap between ends k and k+1
            pieces.append(sp.Interval(ends[i // 2], ends[(j + 1) // 2], i % 2 == 1, j % 2 == 1))
        i = j + 1
    return sp.Union(*pieces) if pieces else sp.EmptySet

@_memoized
def exact_set(condition: Any, x: sp.Symbol, domain: sp.Interval) -> sp.Set | None:
    """The exact subset of `domain` where a condition in the one parameter x holds (None if sympy cannot solve it)."""
    try:
        found = _set_of(sp.sympify(condition), x, domain)
        found = sp.Intersection(found, domain)
    except _Unsolved:
        return None
    if found.has(sp.ConditionSet, sp.ImageSet):
        return None
    return found


def point_in_set(s: sp.Set) -> sp.Expr | None:
    """A simple point of a set of reals: the simplest rational inside an interval, else an isolated point."""
    if isinstance(s, sp.Interval):
        return s.start if s.start == s.end else rational_between(s.start, s.end)
    if isinstance(s, sp.FiniteSet):
        members = sorted(s.args, key=lambda v: (not v.is_rational, abs(float(v))))
        return members[0] if members else None
    if isinstance(s, sp.Union):
        parts = sorted(s.args, key=lambda a: 0 if isinstance(a, sp.Interval) and a.measure > 0 else 1)
        for part in parts:
            found = point_in_set(part)
            if found is not None:
                return found
    if isinstance(s, sp.Complement) and isinstance(s.args[0], sp.Interval):
        base, removed = s.args
        if isinstance(removed, sp.FiniteSet) and base.measure > 0:
            cuts = sorted({base.start, base.end, *[r for r in removed.args if r in base]}, key=float)
            for u, v in itertools.pairwise(cuts):
                if u < v:
                    return rational_between(u, v)
    return None
