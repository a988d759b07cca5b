"""Whether an expression in the parameters lies in [0, 1] on the whole parameter box, decided exactly.

A probability written `1 - 64*p*(1 - p)*(2*p - 1)**2` with p in [0, 1] is -2 at p = 1/4, although
it is 1 at the corners and the centre.  Sample points cannot settle such a question; this module
decides it for rational functions of the parameters, with exact arithmetic:

* each bound (value >= 0, 1 - value >= 0) is brought to one fraction N/D (`sympy.cancel`), which is
  >= 0 wherever it is defined exactly when N*D >= 0; factors of N*D of even multiplicity are dropped
  (a square never changes the sign), and the question becomes whether a polynomial is >= 0 on the box;
* a polynomial of degree at most one in a parameter x attains its extremes in x at the ends of x's
  range, so x is replaced by each end (an unbounded end asks for the sign of x's coefficient) and the
  question recurses on the remaining parameters;
* a polynomial in one parameter is nonnegative on an interval exactly when it is at every endpoint
  and at one point strictly inside each gap between its real roots, isolated exactly
  (`Poly.intervals`, rational isolating intervals);
* what is left -- two or more parameters of degree two or more -- goes to a branch-and-bound search
  with exact interval arithmetic, which proves the bound on every sub-box, finds a point that breaks
  it, or gives up after a fixed number of boxes.

The answer is a `Verdict`: it holds, it fails (at an exact point), or it is undecidable (with the
reason), which the caller reports as an error rather than accepting the value.
"""

from __future__ import annotations

import collections
import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

MAX_BOXES = 400  # sub-boxes the branch-and-bound search may visit


@dataclass(frozen=True)
class Verdict:
    """Whether a bound holds on the box: `holds`, or a `point` where it fails, or `undecidable` with why."""

    holds: bool
    point: dict[sp.Symbol, sp.Rational] | None = None
    undecidable: str = ""


HOLDS = Verdict(True)

Span = tuple[sp.Rational | None, sp.Rational | None]  # (low, high); None is an unbounded end


def in_unit_interval(value: sp.Expr, box: dict[sp.Symbol, Span], slack: Any = 0) -> Verdict:
    """Whether -slack <= value <= 1 + slack at every point of the box (exactly)."""
    exact = sp.nsimplify(value, rational=True) if value.has(sp.Float) else value
    slack = sp.nsimplify(slack, rational=True)
    symbols = sorted((s for s in exact.free_symbols if s in box), key=str)
    if any(s not in box for s in exact.free_symbols):
        return Verdict(False, undecidable="it depends on a symbol that is not a declared parameter")
    if not exact.is_rational_function(*symbols):
        return Verdict(False, undecidable="it is not a ratio of polynomials in the parameters")
    sub = {s: box[s] for s in symbols}
    verdicts = [nonnegative(bound, sub) for bound in (exact + slack, 1 + slack - exact)]
    for verdict in verdicts:  # a point that breaks a bound beats "cannot decide" for the other
        if not verdict.holds and not verdict.undecidable:
            return _completed(verdict, sub)
    for verdict in verdicts:
        if verdict.undecidable:
            return verdict
    return HOLDS


def _completed(verdict: Verdict, box: dict[sp.Symbol, Span]) -> Verdict:
    """The verdict with every parameter of the box in its point (those the failing bound ignores at their middle)."""
    if verdict.point is None:
        return verdict
    return Verdict(False, {**{s: _inside(span) for s, span in box.items()}, **verdict.point}, verdict.undecidable)


def nonnegative(value: sp.Expr, box: dict[sp.Symbol, Span]) -> Verdict:
    """Whether a rational function N/D is >= 0 on the box (where it is defined): N*D >= 0 there."""
    numerator, denominator = sp.fraction(sp.cancel(sp.together(value)))
    constant, factors = sp.factor_list(sp.expand(numerator * denominator), *box) if box else (numerator * denominator, [])
    odd = [f for f, k in factors if k % 2 == 1]  # a square never changes the sign
    if len(odd) > 1 and _product_sign(odd, box) * sp.sign(constant) > 0:
        return HOLDS  # every factor keeps one sign on the box, and the signs multiply to +
    return _polynomial(_poly(sp.expand(sp.Mul(constant, *odd)), box), box)


def _product_sign(factors: list[sp.Expr], box: dict[sp.Symbol, Span]) -> int:
    """+1 or -1 when every factor keeps one sign (>= 0 or <= 0) on the box, the sign of their product; 0 otherwise."""
    sign = 1
    for factor in factors:
        poly = _poly(factor, box)
        if _polynomial(poly, box).holds:
            continue
        if _polynomial(-poly, box).holds:
            sign = -sign
            continue
        return 0
    return sign


def _poly(value: sp.Expr, box: dict[sp.Symbol, Span]) -> sp.Poly:
    return sp.Poly(value, *box) if box else sp.Poly(value, sp.Dummy())


def _polynomial(poly: sp.Poly, box: dict[sp.Symbol, Span]) -> Verdict:
    """Whether a polynomial is >= 0 on the box."""
    live = [s for s in box if s in poly.free_symbols]
    if poly.is_zero:
        return HOLDS
    if not live:
        constant = poly.as_expr()
        return HOLDS if constant >= 0 else Verdict(False, {s: _inside(box[s]) for s in box})
    rest = {s: box[s] for s in box if s in live}
    for x in live:
        if poly.degree(x) <= 1:
            return _linear(poly, x, rest)
    if len(live) == 1:
        return _univariate(sp.Poly(poly.as_expr(), live[0]), live[0], box[live[0]])
    return _branch_and_bound(poly, rest)


def _linear(poly: sp.Poly, x: sp.Symbol, box: dict[sp.Symbol, Span]) -> Verdict:
    """a + b*x >= 0 for x in [low, high] and the other parameters anywhere in their box.

    An affine function of x is smallest at an end of x's range; at an unbounded end it stays
    bounded below only when b has the right sign (b <= 0 towards -oo, b >= 0 towards +oo)."""
    low, high = box[x]
    others = {s: box[s] for s in box if s != x}
    expr = poly.as_expr()
    b = sp.expand(expr.coeff(x, 1))
    a = sp.expand(expr.coeff(x, 0))
    checks: list[tuple[sp.Expr, Any]] = [
        (a + b * low, low) if low is not None else (-b, "-oo"),
        (a + b * high, high) if high is not None else (b, "+oo"),
    ]
    if low is None and high is None:
        checks.append((a, sp.Integer(0)))
    for bound, at in checks:
        verdict = _polynomial(_poly(bound, others), others)
        if verdict.holds:
            continue
        if verdict.undecidable:
            return verdict
        point = dict(_completed(verdict, others).point or {})
        if isinstance(at, str):  # far enough out that a + b*x < 0 at this point of the other parameters
            a0, b0 = a.subs(point), b.subs(point)
            far = abs(a0) / abs(b0) + 1
            at = -far if at == "-oo" else far
        point[x] = sp.Rational(at)
        return Verdict(False, point)
    return HOLDS


def _inside(span: Span) -> sp.Rational:
    low, high = span
    if low is not None and high is not None:
        return (low + high) / 2
    return low if low is not None else high if high is not None else sp.Integer(0)


def _univariate(poly: sp.Poly, x: sp.Symbol, span: Span) -> Verdict:
    """p(x) >= 0 on [low, high]: at the ends, and at a point inside every gap between real roots."""
    low, high = span
    samples: set[sp.Rational] = set()
    for (a, b), _ in poly.intervals(inf=low, sup=high):
        samples.update((sp.Rational(a), sp.Rational(b)))
    if low is not None:
        samples.add(sp.Rational(low))
    if high is not None:
        samples.add(sp.Rational(high))
    ordered = sorted(samples)
    if not ordered:
        ordered = [_inside(span)]
    points = list(ordered) + [(u + v) / 2 for u, v in itertools.pairwise(ordered)]
    if low is None:
        points.append(ordered[0] - 1)
    if high is None:
        points.append(ordered[-1] + 1)
    for point in sorted(points):
        if (low is not None and point < low) or (high is not None and point > high):
            continue
        if poly.eval(point) < 0:
            return Verdict(False, {x: point})
    return HOLDS


def _branch_and_bound(poly: sp.Poly, box: dict[sp.Symbol, Span]) -> Verdict:
    """Exact interval bounds on sub-boxes, split in halves along the widest side, breadth first (coarse
    sub-boxes before fine ones), up to MAX_BOXES.  Each sub-box's centre and corners are probed for a point
    that breaks the bound; a sub-box is settled by its interval bound, or by its one candidate vertex when
    the polynomial is monotone in every parameter there."""
    if any(lo is None or hi is None for lo, hi in box.values()):
        return Verdict(False, undecidable="it is not linear in an unbounded parameter")
    symbols = list(box)
    terms = [(tuple(monomial), _fraction(c)) for monomial, c in poly.terms()]
    queue = collections.deque([tuple((_fraction(lo), _fraction(hi)) for lo, hi in box.values())])
    derivatives = [[((*m[:i], m[i] - 1, *m[i + 1:]), c * m[i]) for m, c in terms if m[i] > 0] for i in range(len(symbols))]
    probe_corners = len(symbols) <= 6
    visited = 0
    while queue:
        sub = queue.popleft()
        visited += 1
        if visited > MAX_BOXES:
            return Verdict(False, undecidable=f"no proof or counterexample within {MAX_BOXES} sub-boxes "
                                              f"(its minimum may touch the bound inside the box)")
        probes = [[(lo + hi) / 2 for lo, hi in sub]]
        if probe_corners:
            probes += [list(corner) for corner in itertools.product(*sub)]
        for probe in probes:
            if _evaluate(terms, probe) < 0:
                return Verdict(False, {s: sp.Rational(v.numerator, v.denominator) for s, v in zip(symbols, probe, strict=True)})
        if _lower_bound(terms, sub) >= 0:
            continue
        vertex = _monotone_minimum(derivatives, sub)
        if vertex is not None:  # monotone in every parameter here: the minimum is at one vertex, exactly
            if _evaluate(terms, vertex) < 0:
                return Verdict(False, {s: sp.Rational(v.numerator, v.denominator) for s, v in zip(symbols, vertex, strict=True)})
            continue
        widest = max(range(len(sub)), key=lambda i: sub[i][1] - sub[i][0])
        lo, hi = sub[widest]
        mid = (lo + hi) / 2
        queue.append((*sub[:widest], (lo, mid), *sub[widest + 1:]))
        queue.append((*sub[:widest], (mid, hi), *sub[widest + 1:]))
    return HOLDS


def _evaluate(terms: list[tuple[tuple[int, ...], Fraction]], point: list[Fraction]) -> Fraction:
    total = Fraction(0)
    for monomial, c in terms:
        value = c
        for x, k in zip(point, monomial, strict=True):
            value *= x ** k
        total += value
    return total


def _power_range(lo: Fraction, hi: Fraction, k: int) -> tuple[Fraction, Fraction]:
    if k == 0:
        return Fraction(1), Fraction(1)
    a, b = lo ** k, hi ** k
    if k % 2 == 0 and lo < 0 < hi:
        return Fraction(0), max(a, b)
    return min(a, b), max(a, b)


def _lower_bound(terms: list[tuple[tuple[int, ...], Fraction]], box: tuple) -> Fraction:
    total = Fraction(0)
    for monomial, c in terms:
        lo, hi = c, c
        for (a, b), k in zip(box, monomial, strict=True):
            p, q = _power_range(a, b, k)
            products = (lo * p, lo * q, hi * p, hi * q)
            lo, hi = min(products), max(products)
        total += lo
    return total


def _fraction(value: Any) -> Fraction:
    rational = sp.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def _monotone_minimum(derivatives: list[list[tuple[tuple[int, ...], Fraction]]], box: tuple) -> list[Fraction] | None:
    """The vertex where a polynomial is smallest on the box when every partial derivative keeps one sign
    there (interval bounds), else None."""
    vertex = []
    for derivative, (lo, hi) in zip(derivatives, box, strict=True):
        if _lower_bound(derivative, box) >= 0:
            vertex.append(lo)
        elif _lower_bound([(m, -c) for m, c in derivative], box) >= 0:
            vertex.append(hi)
        else:
            return None
    return vertex
