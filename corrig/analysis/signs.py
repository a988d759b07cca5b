"""Signs on a parameter box: the box itself, the sign an expression keeps on all of it, and values simplified there.

    box = box_of([p, q])                # each parameter's declared interval: p, q ∈ [0, 1] here
    sign_on_box(1 + p - q, box)         # "nonneg" (of "pos", "neg", "nonneg", "nonpos", "zero"; None: unknown or mixed)
    simplify_value(Max(p, q - 1), box)  # p: Min / Max / Abs resolved where one side wins on the whole box

The box is the product of the parameters' declared ranges (`param(name, low, high)`); a parameter
without a bounded range raises ParameterError naming it.  A sign is decided exactly for multilinear
polynomials (extremes at the box's corners) and for polynomials in one parameter (real roots in
the interval); otherwise by interval arithmetic (sympy AccumBounds), which may fail to decide but
is never wrong.  `rational_between` gives the simplest rational strictly between two numbers (the
point each sign, set and witness is tested at).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import wraps
from typing import Any

import sympy as sp
from sympy.calculus.accumulationbounds import AccumBounds

from corrig.inference.quadrature import Quadrature
from corrig.model.errors import ParameterError
from corrig.model.links import LINKS
from corrig.model.params import Range, range_of

POS, NEG, NONNEG, NONPOS, ZERO = "pos", "neg", "nonneg", "nonpos", "zero"
MEMO_SIZE = 4096  # remembered answers per memoized question


def _memoized(fn: Any) -> Any:
    """`fn` with its answers remembered: its arguments are sympy objects and boxes, its answers immutable,
    and one plan asks the same questions of many conditions (the cache is emptied when it grows large)."""
    cache: dict[tuple, Any] = {}

    @wraps(fn)
    def remembered(*args: Any) -> Any:
        key = tuple(tuple(a.items()) if isinstance(a, Mapping) else a for a in args)
        try:
            return cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable argument
            return fn(*args)
        if len(cache) >= MEMO_SIZE:
            cache.clear()
        cache[key] = answer = fn(*args)
        return answer

    return remembered


# the box ------------------------------------------------------------------------------------
def _range_text(r: Range) -> str:
    low = "-∞" if r.low is None else str(r.low)
    high = "∞" if r.high is None else str(r.high)
    return f"declared range ({low}, {high})"


def box_of(params: Iterable[sp.Symbol]) -> dict[sp.Symbol, sp.Interval]:
    """Each parameter's declared interval; ParameterError for one without a bounded range."""
    box = {}
    for s in params:
        r = range_of(s)
        if not r.bounded:
            raise ParameterError(
                f"parameter {s} has no bounded range ({_range_text(r)}), so a region query cannot cover it: "
                f"declare it with param({s.name!r}, low, high)")
        box[s] = sp.Interval(r.low, r.high)
    return box


def _sorted(symbols: Iterable[sp.Symbol]) -> tuple[sp.Symbol, ...]:
    return tuple(sorted(set(symbols), key=lambda s: s.name))


def _symbols_of(value: Any) -> set[sp.Symbol]:
    if isinstance(value, sp.Basic):
        return {s for s in value.free_symbols if isinstance(s, sp.Symbol)}
    return set()


# signs on the box -----------------------------------------------------------------------------
def _classify(low: Any, high: Any) -> str | None:
    if low > 0:
        return POS
    if high < 0:
        return NEG
    if low == 0 and high == 0:
        return ZERO
    if low >= 0:
        return NONNEG
    if high <= 0:
        return NONPOS
    return None


@_memoized
def sign_on_box(expr: Any, box: Mapping[sp.Symbol, sp.Interval]) -> str | None:
    """"pos", "neg", "nonneg", "nonpos" or "zero" when `expr` has that sign on the whole box; None if unknown or mixed."""
    expr = sp.sympify(expr)
    syms = _sorted(_symbols_of(expr))
    if not syms:
        if expr.is_zero:
            return ZERO
        if expr.is_positive:
            return POS
        if expr.is_negative:
            return NEG
        return None
    if any(s not in box for s in syms):
        return None
    try:
        poly = sp.Poly(expr, *syms)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        poly = None
    if poly is not None and len(syms) <= 10 and all(d <= 1 for d in poly.degree_list()):
        corners = itertools.product(*((box[s].start, box[s].end) for s in syms))
        values = [expr.xreplace(dict(zip(syms, c, strict=True))) for c in corners]
        return _classify(min(values), max(values))
    if poly is not None and len(syms) == 1:
        return _univariate_sign(poly, box[syms[0]])
    if expr.has(Quadrature, *LINKS.values()):  # sympy's AccumBounds know none of these (corrig.analysis.transcendental)
        return None
    try:
        bounds = expr.xreplace({s: AccumBounds(box[s].start, box[s].end) for s in syms})
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if isinstance(bounds, AccumBounds):
        return _classify(bounds.min, bounds.max)
    if bounds.is_number and bounds.is_real:
        return _classify(bounds, bounds)
    return None


def _univariate_sign(poly: sp.Poly, interval: sp.Interval) -> str | None:
    a, b = interval.start, interval.end
    if a.is_Rational and b.is_Rational and (poly.domain.is_QQ or poly.domain.is_ZZ):
        return _rational_sign(poly, a, b)
    return _sign_between_roots(poly, a, b)


def _sign_between_roots(poly: sp.Poly, a: Any, b: Any) -> str | None:
    """_univariate_sign by the real roots in [a, b] and the sign at a rational point between each two."""
    try:
        roots = sorted({r for r in poly.real_roots() if a <= r <= b}, key=lambda r: float(r))
    except (NotImplementedError, sp.PolynomialError, sp.DomainError, TypeError):
        return None
    breaks = [a, *[r for r in roots if a < r < b], b]
    signs = set()
    for u, v in itertools.pairwise(breaks):
        if u == v:
            continue
        value = poly.eval(rational_between(u, v))
        signs.add(1 if value > 0 else -1)
    if signs == {1}:
        return NONNEG if roots else POS
    if signs == {-1}:
        return NONPOS if roots else NEG
    return None


def _rational_sign(poly: sp.Poly, a: sp.Rational, b: sp.Rational) -> str | None:
    """_univariate_sign on [a, b] with rational ends, without computing a root: the sign changes inside exactly at a
    root of odd multiplicity (one of a square-free factor of odd power, counted by Sturm sequences), and where it
    does not, it is the sign at any point of (a, b) that is not a root."""
    _, factors = poly.sqf_list()
    touching = False  # a root in [a, b]
    for factor, power in factors:
        inside = factor.count_roots(a, b)
        touching = touching or inside > 0
        inside -= (factor.eval(a) == 0) + (factor.eval(b) == 0)
        if inside and power % 2:
            return None
    steps = poly.degree() + 2  # among degree + 1 distinct points of (a, b) one is not a root
    value = next(v for v in (poly.eval(a + (b - a) * sp.Rational(k, steps)) for k in range(1, steps)) if v != 0)
    if value > 0:
        return NONNEG if touching else POS
    return NONPOS if touching else NEG


def rational_between(u: Any, v: Any, depth: int = 60) -> sp.Expr:
    """The simplest rational strictly between u < v (Stern–Brocot on exact rationals; an irrational end is
    first replaced by a rational 10^-25 inside it); their midpoint if that takes too long."""
    u, v = sp.sympify(u), sp.sympify(v)
    if u is sp.S.NegativeInfinity:  # the integer nearest zero below v
        return sp.Integer(0) if v > 0 else sp.ceiling(v) - 1
    try:
        low = _rational_near(u, above=True)
        high = None if v is sp.oo else _rational_near(v, above=False)
    except (TypeError, ValueError):  # an end sympy cannot evaluate to a number: the midpoint, as before
        return (u + v) / 2
    if high is not None and low >= high:
        return (u + v) / 2  # ends closer than the approximation: their exact midpoint
    found = _simplest_between(low, high, depth)
    return sp.Rational(found.numerator, found.denominator)


def _rational_near(x: sp.Expr, above: bool) -> Fraction:
    """x itself when rational, else a rational within 10^-25 (relative) of it on the side asked for."""
    if x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    approx = sp.Rational(x.evalf(40))
    near = Fraction(int(approx.p), int(approx.q))
    margin = (abs(near) + 1) / 10**25
    return near + margin if above else near - margin


def _simplest_between(u: Fraction, v: Fraction | None, depth: int) -> Fraction:
    """The simplest rational in the open interval (u, v) (v None: unbounded); the midpoint past `depth`."""
    if v is None:
        return Fraction(math.floor(u) + 1)
    floor = math.floor(u)
    if floor + 1 < v:  # an integer lies in (u, v): take the one nearest zero
        if u < 0 < v:
            return Fraction(0)
        return Fraction(floor + 1) if u >= 0 else Fraction(math.ceil(v) - 1)
    if depth <= 0:
        return (u + v) / 2
    upper = None if u == floor else 1 / (u - floor)
    return floor + 1 / _simplest_between(1 / (v - floor), upper, depth - 1)


def _has_branching(expr: sp.Basic) -> bool:
    return expr.has(sp.Min, sp.Max, sp.Piecewise, sp.Abs, sp.sign, sp.Heaviside)


# values ---------------------------------------------------------------------------------------
@_memoized
def simplify_value(value: Any, box: Mapping[sp.Symbol, sp.Interval] | None = None) -> Any:
    """A value in its simplest form (fewest operations among cancel/factor/simplify), Min/Max resolved on the box."""
    if value is None or not isinstance(value, sp.Basic) or not value.free_symbols:
        return value
    if box is None:
        box = {s: sp.Interval(range_of(s).low, range_of(s).high) for s in _symbols_of(value) if range_of(s).bounded}
    value = _resolve_branching(value, box)
    if _has_branching(value):  # Max / Min / Abs / Piecewise left: cancel and factor rebuild each at a cost of
        return value  # seconds (sympy compares every pair of a Max's arguments) and seldom shorten it
    candidates = [value]
    # sympy's simplify is slow and adds nothing to cancel/factor on rational functions, nor on values whose only
    # other parts are the links (it knows no rule for them; their identities apply as they are built)
    slow = only_links(value) or sp.count_ops(value) > 80
    for how in (sp.cancel, sp.factor) if slow else (sp.cancel, sp.factor, sp.simplify):
        try:
            candidates.append(how(value))
        except (TypeError, ValueError, NotImplementedError, sp.PolynomialError):
            continue
    ops = [sp.count_ops(e) for e in candidates]
    fewest = [e for e, n in zip(candidates, ops, strict=True) if n == min(ops)]
    return fewest[0] if len(fewest) == 1 else min(fewest, key=lambda e: len(str(e)))  # print only to break ties


def only_links(value: sp.Expr) -> bool:
    """True for a rational function of the parameters, of Phi, phi, sigmoid of such functions and of quadratures
    (whose integrand Quadrature keeps in one form)."""
    opaque = value.atoms(Quadrature)
    plain = value.xreplace({q: sp.Dummy() for q in opaque}) if opaque else value
    functions = plain.atoms(sp.Function)
    return all(isinstance(f, tuple(LINKS.values())) and only_links(f.args[0]) for f in functions) \
        and plain.is_rational_function(*functions, *plain.free_symbols)


def _resolve_branching(value: sp.Expr, box: Mapping[sp.Symbol, sp.Interval]) -> sp.Expr:
    """Replace Max/Min whose winner is the same over the whole box, and Abs of a signed argument."""

    def winner(expr: sp.Basic) -> sp.Basic:
        if isinstance(expr, sp.Max | sp.Min):
            args = list(expr.args)
            pick = max if isinstance(expr, sp.Max) else min
            for a in args:
                if all(sign_on_box((a - b) if pick is max else (b - a), box) in (POS, NONNEG, ZERO)
                       for b in args if b is not a):
                    return a
        if isinstance(expr, sp.Abs):
            cls = sign_on_box(expr.args[0], box)
            if cls in (POS, NONNEG, ZERO):
                return expr.args[0]
            if cls in (NEG, NONPOS):
                return -expr.args[0]
        return expr

    if not _has_branching(value):
        return value
    return value.replace(lambda e: isinstance(e, sp.Max | sp.Min | sp.Abs), winner)


def value_latex(value: Any) -> str:
    """A value in LaTeX (`\\text{undefined}` for None)."""
    if value is None:
        return r"\text{undefined}"
    return sp.latex(sp.sympify(value))
