"""Exact regions of a parameter box: where a condition on the parameters holds.

    from corrig import region
    region(q > Rational(1, 3))          # q ∈ (1/3, 1]: an exact sympy Set for one parameter
    region(c > 2 * p)                   # two parameters: the simplified condition plus a witness point

The box is the product of the parameters' declared ranges (`param(name, low, high)`); a region
query over a parameter without a bounded range raises ParameterError naming it.

How a region is computed:

- Each relation is rewritten as `e op 0` with e = lhs − rhs over a common denominator; factors
  whose sign is fixed on the box are dropped (flipping the relation when negative).  A factor's
  sign is decided exactly for multilinear polynomials (extremes at the box's corners) and for
  polynomials in one parameter (real roots in the interval); otherwise by interval arithmetic
  (sympy AccumBounds), which may fail to decide but is never wrong.  A relation whose sign is
  decided on the whole box becomes True or False.  Min / Max / Abs / Piecewise are expanded first.
- One parameter: the exact set (solveset per relation, combined by the boolean structure) within
  the interval — a union of intervals with exact endpoints.
- Two or more: the simplified condition, and a *witness*: a concrete (rational where possible)
  point of the box where the original condition holds by exact substitution.  Candidates: a grid
  of dyadic points (nicest first), screened numerically and then checked exactly, then slices
  (all parameters but one fixed on the grid, the last solved exactly).  A region without a
  witness is "no witness found" — empty only when the condition simplifies to False on the box.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cmp_to_key, reduce, wraps
from typing import Any

import numpy as np
import sympy as sp
from sympy.calculus.accumulationbounds import AccumBounds
from sympy.core.relational import Relational
from sympy.polys.fields import sfield
from sympy.printing.numpy import NumPyPrinter

from corrig.model.errors import ParameterError
from corrig.model.params import Range, range_of

Point = dict[sp.Symbol, sp.Expr]

POS, NEG, NONNEG, NONPOS, ZERO = "pos", "neg", "nonneg", "nonpos", "zero"
UNDEFINED_KINDS = ("undefined-condition",)
MEMO_SIZE = 4096  # remembered answers per memoized question
LOGIC_ATOMS = 6  # sympy's simplify_logic is run on conditions of at most this many relations

_REVERSED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_RELATION = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}
_TEXT_OP = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}


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


# relations ------------------------------------------------------------------------------------
class _Unsolved(Exception):
    pass


def _has_branching(expr: sp.Basic) -> bool:
    return expr.has(sp.Min, sp.Max, sp.Piecewise, sp.Abs, sp.sign, sp.Heaviside)


def _extremum(term: sp.Expr) -> tuple[type, list[sp.Expr]] | None:
    """c·Max(args) / c·Min(args) with a number c as (Max or Min, the scaled args); None otherwise."""
    coeff, rest = term.as_coeff_Mul()
    if not isinstance(rest, sp.Max | sp.Min) or not coeff.is_number or coeff == 0:
        return None
    kind = type(rest) if coeff > 0 else (sp.Min if isinstance(rest, sp.Max) else sp.Max)
    return kind, [coeff * a for a in rest.args]


def _compare_extrema(op: str, left: tuple[type, list[sp.Expr]], right: tuple[type, list[sp.Expr]]) -> sp.Basic:
    """L op R for L, R each a Max or Min of a list: ∃ over the sides that are "some", ∀ over the "every" sides.

    L > R: some l (L a Max) / every l (L a Min) exceeds every r (R a Max) / some r (R a Min).
    """
    if op in ("<", "<="):
        op, left, right = _REVERSED[op], right, left
    (lk, ls), (rk, rs) = left, right
    some = [("l", ls)] if lk is sp.Max else []
    some += [("r", rs)] if rk is sp.Min else []
    every = [("l", ls)] if lk is sp.Min else []
    every += [("r", rs)] if rk is sp.Max else []
    clauses = []
    for chosen in itertools.product(*(vals for _, vals in some)):
        fixed = dict(zip((side for side, _ in some), chosen, strict=True))
        parts = []
        for rest in itertools.product(*(vals for _, vals in every)):
            sides = {**fixed, **dict(zip((side for side, _ in every), rest, strict=True))}
            parts.append(_RELATION[op](sides["l"], sides["r"]))
        clauses.append(sp.And(*parts))
    return sp.Or(*clauses)


def _expand_relational(rel: Relational) -> sp.Basic:
    """A relation over Min/Max/Abs/Piecewise as a boolean over plain relations.

    d = lhs − rhs written as B1 + B2 + r with B1, B2 scaled Max/Min terms: B1 + r op −B2, each side
    a Max/Min of a list, compared by quantifiers (no case split); anything else through Piecewise.
    """
    op = rel.rel_op
    d = sp.expand(rel.lhs - rel.rhs) if op != "==" and op != "!=" else None
    if d is not None:
        terms = sp.Add.make_args(d)
        extrema = [(t, _extremum(t)) for t in terms]
        branching = [(t, e) for t, e in extrema if e is not None]
        rest = sp.Add(*[t for t, e in extrema if e is None])
        if 1 <= len(branching) <= 2 and not _has_branching(rest):
            kind, args = branching[0][1]
            left = (kind, [a + rest for a in args])
            if len(branching) == 1:
                right = (sp.Max, [sp.Integer(0)])
            else:
                other_kind, other = branching[1][1]
                right = (sp.Min if other_kind is sp.Max else sp.Max, [-a for a in other])
            return _compare_extrema(op, left, right)
    d = sp.piecewise_fold((rel.lhs - rel.rhs).rewrite(sp.Piecewise))
    if not isinstance(d, sp.Piecewise):
        return _RELATION[op](d, 0)
    pieces, earlier = [], []
    for expr, cond in d.args:
        pieces.append(sp.And(cond, *[sp.Not(c) for c in earlier], _RELATION[op](expr, 0)))
        earlier.append(cond)
    return sp.Or(*pieces)


def _combine(classes: list[tuple[str | None, int]], sign: int) -> str | None:
    """The class of sign · Π f_i^m_i from each factor's class."""
    total, strict = sign, True
    for cls, m in classes:
        if cls == ZERO:
            return ZERO
        if m % 2 == 0:
            strict = strict and cls in (POS, NEG)
            continue
        if cls is None:
            return None
        total *= -1 if cls in (NEG, NONPOS) else 1
        strict = strict and cls in (POS, NEG)
    if total > 0:
        return POS if strict else NONNEG
    return NEG if strict else NONPOS


def _decide(op: str, cls: str | None) -> bool | None:
    table = {
        ">": {POS: True, NEG: False, NONPOS: False, ZERO: False},
        ">=": {POS: True, NONNEG: True, ZERO: True, NEG: False},
        "<": {NEG: True, POS: False, NONNEG: False, ZERO: False},
        "<=": {NEG: True, NONPOS: True, ZERO: True, POS: False},
        "==": {ZERO: True, POS: False, NEG: False},
        "!=": {ZERO: False, POS: True, NEG: True},
    }
    return table[op].get(cls) if cls is not None else None


def _number_sign(x: Any) -> int:
    return -1 if x < 0 else 1


@_memoized
def _normalize_relational(rel: Relational, box: Mapping[sp.Symbol, sp.Interval]) -> sp.Basic:
    op = rel.rel_op
    if _has_branching(rel):
        expanded = _expand_relational(rel)
        return rel if expanded == rel else simplify_condition(expanded, box)
    difference = sp.sympify(rel.lhs - rel.rhs)
    if difference.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return rel
    sign = 1
    kept: list[tuple[sp.Expr, int, str | None, bool]] = []
    for (coeff, factors), is_den in zip(_factored_fraction(difference), (False, True), strict=True):
        if coeff == 0:
            return sp.sympify(_decide(op, ZERO))
        sign *= _number_sign(coeff)
        for f, m in factors:
            if not _symbols_of(f):
                if f.is_number and f.is_real:
                    sign *= _number_sign(f) ** m
                    continue
            cls = sign_on_box(f, box)
            if cls == POS:
                continue
            if cls == NEG:
                sign *= (-1) ** m
                continue
            kept.append((f, m, cls, is_den))
    denominators = [k for k in kept if k[3]]
    # a kept denominator is nonzero wherever the relation is defined
    cls = _combine([(c if not den else {NONNEG: POS, NONPOS: NEG}.get(c, c), m) for _, m, c, den in kept], sign)
    decided = _decide(op, cls)
    if decided is False or (decided is True and not denominators):
        return sp.sympify(decided)
    e = sign * sp.Mul(*[f**m for f, m, _, den in kept if not den]) / sp.Mul(*[f**m for f, m, _, den in denominators])
    if e.could_extract_minus_sign():
        e, op = -e, _REVERSED[op]
    return _solved_form(e, op)


def _factored_fraction(value: sp.Expr) -> tuple[tuple[Any, list], tuple[Any, list]]:
    """Numerator and denominator of a value, each as (coefficient, [(irreducible factor, multiplicity)]).

    A rational function of the parameters over QQ is read into sympy's rational function field once
    (a third of the cost of together + factor_list on Expr); anything else takes the Expr route."""
    symbols = _sorted(_symbols_of(value))
    if symbols and value.is_rational_function(*symbols):
        try:
            _, element = sfield(value, *symbols)
            return tuple((c, [(f.as_expr(), m) for f, m in fs])  # type: ignore[return-value]
                         for c, fs in (element.numer.factor_list(), element.denom.factor_list()))
        except (sp.PolynomialError, sp.CoercionFailed, sp.DomainError, NotImplementedError):
            pass
    out = []
    for part in sp.fraction(sp.together(value)):
        try:
            out.append(sp.factor_list(part))
        except (sp.PolynomialError, sp.GeneratorsNeeded, NotImplementedError):
            out.append((sp.Integer(1), [(part, 1)]))
    return out[0], out[1]


def _solved_form(e: sp.Expr, op: str) -> sp.Basic:
    """`e op 0` as `s op' rhs` when e is linear in a parameter s with a numeric coefficient."""
    if sp.fraction(e)[1] == 1:
        for s in _sorted(_symbols_of(e)):
            poly = sp.Poly(e, s) if e.is_polynomial(s) else None
            if poly is None or poly.degree() != 1:
                continue
            a = poly.coeff_monomial(s)
            if not a.is_number or a == 0:
                continue
            rest = sp.expand(e - a * s)
            rhs = sp.factor(-rest / a) if rest.free_symbols else -rest / a
            return _RELATION[op if a > 0 else _REVERSED[op]](s, rhs)
    return _RELATION[op](e, 0)


def simplify_condition(condition: Any, box: Mapping[sp.Symbol, sp.Interval], logic: bool = True) -> sp.Basic:
    """The condition with every relation normalized on the box (True/False where decided), logic simplified.

    logic=False leaves out sympy's simplify_logic (for the parts of a condition whose whole gets it)."""
    cond = sp.sympify(condition)
    if cond in (sp.true, sp.false):
        return cond
    if isinstance(cond, Relational):
        return _normalize_relational(cond, box)
    if isinstance(cond, sp.And | sp.Or | sp.Not):
        whole = logic and len(cond.atoms(Relational)) <= LOGIC_ATOMS  # then the parts need not simplify_logic
        out = cond.func(*[simplify_condition(a, box, logic and not whole) for a in cond.args])
    elif isinstance(cond, sp.logic.boolalg.BooleanFunction):
        return simplify_condition(cond.to_nnf(), box, logic)
    else:
        return cond
    out = _prune_same_expression(out)
    if isinstance(out, sp.And):
        out = _prune_same_expression(_given_siblings(out))
    if logic and isinstance(out, sp.logic.boolalg.BooleanFunction) and len(out.atoms(Relational)) <= LOGIC_ATOMS:
        try:
            simpler = sp.simplify_logic(out, deep=False)
        except (TypeError, ValueError, RecursionError):
            return out
        return simpler if sp.count_ops(simpler) <= sp.count_ops(out) else out
    return out


_SIGN_SETS = {  # {t real: t op 0}
    "<": sp.Interval.open(-sp.oo, 0), "<=": sp.Interval(-sp.oo, 0), ">": sp.Interval.open(0, sp.oo),
    ">=": sp.Interval(0, sp.oo), "==": sp.FiniteSet(0), "!=": sp.Union(sp.Interval.open(-sp.oo, 0), sp.Interval.open(0, sp.oo)),
}


def _signed(rel: Relational) -> tuple[sp.Expr, str]:
    """`rel` as (e, op) meaning e op 0, with e's leading sign positive (one key for a relation and its mirror)."""
    e, op = sp.expand(rel.lhs - rel.rhs), rel.rel_op
    if e.could_extract_minus_sign():
        e, op = -e, _REVERSED[op]
    return e, op


def _prune_same_expression(cond: sp.Basic) -> sp.Basic:
    """And/Or of relations on one expression e: False when the conjuncts on e contradict, True when the disjuncts
    cover, and conjuncts that leave e only the value 0 (e ≤ 0 and e ≥ 0) written as e = 0."""
    if not isinstance(cond, sp.And | sp.Or):
        return cond
    groups: dict[sp.Expr, list[str]] = {}
    for a in cond.args:
        if isinstance(a, Relational):
            e, op = _signed(a)
            groups.setdefault(e, []).append(op)
    pinned = []
    for e, ops in groups.items():
        if len(ops) < 2:
            continue
        sets = [_SIGN_SETS[op] for op in ops]
        if isinstance(cond, sp.And):
            common = sp.Intersection(*sets)
            if common is sp.EmptySet:
                return sp.false
            if common == sp.FiniteSet(0) and "==" not in ops:
                pinned.append(e)
        if isinstance(cond, sp.Or) and sp.Union(*sets) == sp.S.Reals:
            return sp.true
    if pinned:
        kept = [a for a in cond.args if not (isinstance(a, Relational) and _signed(a)[0] in pinned)]
        return sp.And(*kept, *(sp.Eq(e, 0) for e in pinned))
    return cond


def _given_siblings(cond: sp.And) -> sp.Basic:
    """A conjunction whose relations on an expression e decide a relation on e inside its other parts (e ≤ 0
    makes a nested e > 0 False and e < 1 ... True where implied): each nested relation replaced by what the
    sibling relations imply of it."""
    facts: dict[sp.Expr, sp.Set] = {}
    for a in cond.args:
        if isinstance(a, Relational):
            e, op = _signed(a)
            facts[e] = sp.Intersection(facts.get(e, sp.S.Reals), _SIGN_SETS[op])
    if not facts:
        return cond

    def assume(part: sp.Basic) -> sp.Basic:
        if isinstance(part, Relational):
            e, op = _signed(part)
            known = facts.get(e)
            if known is None:
                return part
            allowed = _SIGN_SETS[op]
            if sp.Intersection(known, allowed) is sp.EmptySet:
                return sp.false
            return sp.true if known.is_subset(allowed) else part
        if isinstance(part, sp.And | sp.Or | sp.Not):
            return part.func(*[assume(a) for a in part.args])
        return part

    return sp.And(*[a if isinstance(a, Relational) else assume(a) for a in cond.args])


def holds_at(condition: Any, point: Mapping[sp.Symbol, Any]) -> bool:
    """True when the condition holds at the point by exact substitution (an undefined value: False)."""
    cond = sp.sympify(condition)
    try:
        return _holds(cond, {s: sp.sympify(v) for s, v in point.items()})
    except (TypeError, ValueError, ZeroDivisionError, AttributeError):
        return False


def _holds(cond: sp.Basic, values: Mapping[sp.Symbol, Any]) -> bool:
    """holds_at, part by part: a conjunction stops at its first false part; a disjunction evaluates every
    part (one undefined part makes the whole undefined, as substituting into the whole does)."""
    if isinstance(cond, sp.And):
        return all(_holds(a, values) for a in cond.args)
    if isinstance(cond, sp.Or):
        return any([_holds(a, values) for a in cond.args])
    value = cond.xreplace(values)
    if value in (sp.true, sp.false):
        return bool(value)
    return value.simplify() is sp.true


# one parameter: exact sets ------------------------------------------------------------------
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


# the region ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    """Where a condition holds in the parameter box.

    condition: the condition as given; simplified: after normalization on the box.
    set / axis: the exact set when the simplified condition reads one parameter (else None).
    witness: a point of the box where `condition` holds by exact substitution (None if none found).
    is_empty: True (proven), False (a witness exists), None (no witness found, not proven empty).
    """

    condition: sp.Basic
    simplified: sp.Basic
    parameters: tuple[sp.Symbol, ...]
    box: dict[sp.Symbol, sp.Interval] = field(compare=False)
    set: sp.Set | None = None
    axis: sp.Symbol | None = None
    witness: Point | None = field(default=None, compare=False)
    is_empty: bool | None = None

    @property
    def status(self) -> str:
        """"empty", "non-empty" or "no witness found"."""
        return {True: "empty", False: "non-empty", None: "no witness found"}[self.is_empty]

    @property
    def everywhere(self) -> bool:
        """True when the condition holds on the whole box."""
        if self.simplified is sp.true:
            return True
        return self.set is not None and self.axis is not None and self.set == self.box[self.axis]

    def contains(self, point: Mapping[Any, Any]) -> bool:
        """Whether the condition holds at a point ({Symbol or name: value}) by exact substitution."""
        return holds_at(self.condition, _resolve_point(point, self.parameters))

    def _box_text(self) -> str:
        return ", ".join(f"{s} ∈ {_set_text(self.box[s])}" for s in self.parameters)

    def __str__(self) -> str:
        if self.is_empty:
            return "∅ (holds nowhere in the box)"
        if self.everywhere:
            return f"everywhere ({self._box_text()})" if self.parameters else "always"
        if self.set is not None:
            return f"{self.axis} ∈ {_set_text(self.set)}"
        text = condition_text(self.simplified)
        if self.witness is not None:
            return f"{text}  (e.g. {point_text(self.witness)})"
        return f"{text}  (no witness found)"

    def pretty(self) -> str:
        """A multi-line pretty form of the condition (sympy's pretty printer)."""
        if self.set is not None:
            return f"{sp.pretty(self.axis)} ∈ {sp.pretty(self.set)}"
        return sp.pretty(self.simplified)

    def to_latex(self) -> str:
        """The region in LaTeX: `q \\in \\left(\\frac{1}{3}, 1\\right]`, a condition, ∅, or the whole box."""
        if self.is_empty:
            return r"\emptyset"
        if self.everywhere:
            if not self.parameters:
                return r"\text{always}"
            names = ", ".join(sp.latex(s) for s in self.parameters)
            boxes = r" \times ".join(sp.latex(self.box[s]) for s in self.parameters)
            return rf"({names}) \in {boxes}" if len(self.parameters) > 1 else rf"{names} \in {boxes}"
        if self.set is not None:
            return rf"{sp.latex(self.axis)} \in {sp.latex(self.set)}"
        return sp.latex(self.simplified)

    def _repr_latex_(self) -> str:
        return f"${self.to_latex()}$"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        out: dict[str, Any] = {
            "status": self.status,
            "empty": self.is_empty,
            "condition": str(self.condition),
            "simplified": str(self.simplified),
            "text": str(self),
            "latex": self.to_latex(),
            "parameters": {s.name: [str(self.box[s].start), str(self.box[s].end)] for s in self.parameters},
            "witness": None if self.witness is None else {s.name: str(v) for s, v in self.witness.items()},
        }
        if self.set is not None:
            out["axis"] = str(self.axis)
            out["set"] = str(self.set)
            out["intervals"] = _intervals(self.set)
        return out


def _intervals(s: sp.Set) -> list[dict[str, Any]]:
    parts = s.args if isinstance(s, sp.Union) else (s,)
    out = []
    for part in parts:
        if isinstance(part, sp.Interval):
            out.append({"low": str(part.start), "high": str(part.end), "left_open": bool(part.left_open),
                        "right_open": bool(part.right_open)})
        elif isinstance(part, sp.FiniteSet):
            out.extend({"low": str(v), "high": str(v), "left_open": False, "right_open": False} for v in part.args)
    return out


def _set_text(s: sp.Set) -> str:
    if isinstance(s, sp.Interval):
        if s.start == s.end:
            return f"{{{s.start}}}"
        return f"{'(' if s.left_open else '['}{s.start}, {s.end}{')' if s.right_open else ']'}"
    if isinstance(s, sp.Union):
        return " ∪ ".join(_set_text(a) for a in s.args)
    if s is sp.EmptySet:
        return "∅"
    if isinstance(s, sp.FiniteSet):
        return "{" + ", ".join(str(a) for a in s.args) + "}"
    return str(s)


def condition_text(cond: sp.Basic) -> str:
    """A one-line plain-text form: `p > q and (q < 1/3 or p = 1)`."""
    if cond is sp.true:
        return "always"
    if cond is sp.false:
        return "never"
    if isinstance(cond, Relational):
        return f"{sp.sstr(cond.lhs)} {_TEXT_OP[cond.rel_op]} {sp.sstr(cond.rhs)}"
    if isinstance(cond, sp.And | sp.Or):
        word = " and " if isinstance(cond, sp.And) else " or "
        parts = []
        for a in cond.args:
            t = condition_text(a)
            parts.append(f"({t})" if isinstance(a, sp.And | sp.Or) else t)
        return word.join(parts)
    if isinstance(cond, sp.Not):
        return f"not ({condition_text(cond.args[0])})"
    return sp.sstr(cond)


def point_text(point: Mapping[sp.Symbol, Any]) -> str:
    """`p = 1/2, q = 1/4`."""
    return ", ".join(f"{s} = {v}" for s, v in point.items())


def _resolve_point(point: Mapping[Any, Any], parameters: Iterable[sp.Symbol]) -> Point:
    by_name = {s.name: s for s in parameters}
    out: Point = {}
    for key, value in point.items():
        symbol = by_name.get(key, key) if isinstance(key, str) else key
        if isinstance(symbol, str):
            symbol = sp.Symbol(symbol, real=True)
        out[symbol] = sp.nsimplify(value, rational=True) if isinstance(value, float) else sp.sympify(value)
    return out


def region(condition: Any, params: Iterable[sp.Symbol] | None = None, *, search: int = 4096) -> Region:
    """The exact region of the parameter box where `condition` (a sympy boolean, or True/False) holds.

    params: the parameters spanning the box (default: the condition's own); every free symbol of
    the condition is included.  search: how many grid points the witness search may screen.
    """
    cond = sp.sympify(condition)
    if not isinstance(cond, sp.logic.boolalg.Boolean):
        raise ParameterError(f"a region needs a condition (a sympy relation or boolean), got {condition!r}")
    extra = _symbols_of(cond) - set(params or ())
    parameters = tuple(dict.fromkeys([*(params or ()), *_sorted(extra)]))
    return _region(cond, parameters, box_of(parameters), search)


@_memoized
def _region(cond: sp.Basic, parameters: tuple[sp.Symbol, ...], box: dict[sp.Symbol, sp.Interval],
            search: int) -> Region:
    simplified = simplify_condition(cond, box)
    used = _sorted(_symbols_of(simplified))
    if simplified is sp.false:
        return Region(cond, simplified, parameters, box, is_empty=True)
    base = {s: point_in_set(box[s]) for s in parameters}
    if len(used) <= 1:
        axis = used[0] if used else None
        found = exact_set(simplified, axis, box[axis]) if axis is not None else None
        if found is not None and found is sp.EmptySet:
            return Region(cond, simplified, parameters, box, found, axis, is_empty=True)
        candidates = []
        if axis is None:
            candidates.append(base)
        elif found is not None:
            x = point_in_set(found)
            if x is not None:
                candidates.append({**base, axis: x})
        for point in candidates:
            if holds_at(cond, point):
                return Region(cond, simplified, parameters, box, found, axis, point, is_empty=False)
        witness = _search_witness(cond, simplified, box, parameters, search)
        return Region(cond, simplified, parameters, box, found, axis, witness, is_empty=False if witness else None)
    curve = _on_a_curve(cond, simplified, box, base) if len(used) == 2 else None
    if curve is not None:
        return Region(cond, simplified, parameters, box, witness=curve or None, is_empty=not curve)
    witness = _search_witness(cond, simplified, box, parameters, search)
    return Region(cond, simplified, parameters, box, witness=witness, is_empty=False if witness else None)


def _on_a_curve(cond: sp.Basic, simplified: sp.Basic, box: Mapping[sp.Symbol, sp.Interval],
                base: Point) -> Point | None:
    """A two-parameter conjunction holding an equation linear in one parameter x, a(y)·x + b(y) = 0, decided
    exactly: where a(y) ≠ 0, x = −b(y)/a(y) is substituted into the other conjuncts and x's range, leaving a
    condition on y alone; where a(y) = 0, b(y) = 0 fixes y and the rest is a condition on x alone.

    A witness point where both conditions are empty is {} (the region is empty); None when no conjunct is
    such an equation or a one-parameter set cannot be found exactly (the caller searches instead).
    """
    if not isinstance(simplified, sp.And):
        return None
    for eq in (a for a in simplified.args if isinstance(a, sp.Eq)):
        rest = [a for a in simplified.args if a is not eq]
        top, bottom = sp.fraction(sp.together(eq.lhs - eq.rhs))
        for x in _sorted(_symbols_of(top)):
            others = _symbols_of(simplified) - {x}
            if len(others) != 1:
                return None
            (y,) = others
            try:
                line = sp.Poly(top, x)
            except sp.PolynomialError:
                continue
            if line.degree() != 1 or _symbols_of(line.as_expr()) - {x, y}:
                continue
            a, b = line.all_coeffs()
            x_of_y = -b / a
            along = sp.And(*(r.xreplace({x: x_of_y}) for r in rest), sp.Ne(a, 0), sp.Ne(bottom.xreplace({x: x_of_y}), 0),
                           x_of_y >= box[x].start, x_of_y <= box[x].end)
            ys = exact_set(along, y, box[y])
            flat = exact_set(sp.And(sp.Eq(a, 0), sp.Eq(b, 0)), y, box[y])
            if ys is None or flat is None:
                return None
            if ys is not sp.EmptySet:
                y0 = point_in_set(ys)
                point = {**base, y: y0, x: sp.cancel(x_of_y.xreplace({y: y0}))} if y0 is not None else None
                return point if point is not None and holds_at(cond, point) else None
            if flat is not sp.EmptySet:
                return None  # x free where a(y) = b(y) = 0: left to the search
            return {}
    return None


def _grid_values(interval: sp.Interval, level: int) -> list[tuple[int, sp.Expr]]:
    """Dyadic points of the interval with their niceness rank (midpoint first, then ends, then finer)."""
    a, b = interval.start, interval.end
    out = [(1, (a + b) / 2), (2, a), (2, b)]
    for k in range(2, level + 1):
        n = 2**k
        out += [(k + 1, a + (b - a) * sp.Rational(i, n)) for i in range(1, n, 2)]
    return out


def _search_witness(cond: sp.Basic, simplified: sp.Basic, box: Mapping[sp.Symbol, sp.Interval],
                    parameters: tuple[sp.Symbol, ...], budget: int) -> Point | None:
    """A point of the box where `cond` holds exactly, or None."""
    if not parameters:
        return {} if holds_at(cond, {}) else None
    n = len(parameters)
    level = 1
    while (2 ** (level + 1) + 1) ** n <= budget and level < 8:
        level += 1
    axes = [_grid_values(box[s], level) for s in parameters]
    points = sorted(itertools.product(*axes), key=lambda c: (max(r for r, _ in c), sum(r for r, _ in c)))
    grid = [{s: v for s, (_, v) in zip(parameters, c, strict=True)} for c in points]
    strict = _strict(simplified)
    fallback = None
    # prefer a point where every inequality holds strictly (inside the region, not on its edge)
    screened = (p for c in (strict, simplified) for p in _screen(c, parameters, grid))  # each screen only when reached
    for point in itertools.chain(grid[:16], screened):
        if holds_at(strict, point) and holds_at(cond, point):
            return point
        if fallback is None and holds_at(cond, point):
            fallback = point
    return fallback or _slice_witness(cond, simplified, box, parameters, axes)


def _strict(cond: sp.Basic) -> sp.Basic:
    """The condition with ≤ / ≥ made strict."""
    return cond.replace(lambda e: isinstance(e, sp.Le | sp.Ge),
                        lambda e: (sp.Lt if isinstance(e, sp.Le) else sp.Gt)(e.lhs, e.rhs))


def _screen(cond: sp.Basic, parameters: tuple[sp.Symbol, ...], grid: list[Point], limit: int = 24) -> list[Point]:
    """The grid points where the condition holds numerically (a shortlist for the exact check)."""
    try:
        # numpy's names handed over directly: lambdify's "numpy" module string star-imports numpy (0.1 s, once)
        fn = sp.lambdify(parameters, cond, modules=[{"numpy": np, "functools": functools}], printer=NumPyPrinter)
        columns = [np.array([float(p[s]) for p in grid]) for s in parameters]
        with np.errstate(all="ignore"):
            mask = np.broadcast_to(np.asarray(fn(*columns), dtype=bool), (len(grid),))
    except Exception:  # numeric screening is an optimisation only: the caller falls through to slices
        return []
    return [grid[i] for i in np.flatnonzero(mask)[:limit]]


def _slice_witness(cond: sp.Basic, simplified: sp.Basic, box: Mapping[sp.Symbol, sp.Interval],
                   parameters: tuple[sp.Symbol, ...], axes: list[list[tuple[int, sp.Expr]]],
                   limit: int = 40, seconds: float = 2.0) -> Point | None:
    """Fix every parameter but one on a coarse grid and solve the last exactly (finds thin regions)."""
    start = time.perf_counter()
    used = [s for s in parameters if s in _symbols_of(simplified)]
    tried = 0
    for free in reversed(used):
        others = [s for s in parameters if s != free]
        coarse = [[v for r, v in axes[parameters.index(s)] if r <= 3] for s in others]
        for combo in itertools.product(*coarse):
            if tried >= limit or time.perf_counter() - start > seconds:
                return None
            tried += 1
            fixed = dict(zip(others, combo, strict=True))
            sliced = simplified.xreplace(fixed)
            found = exact_set(sliced, free, box[free]) if free in _symbols_of(sliced) else None
            if found is None or found is sp.EmptySet:
                continue
            x = point_in_set(found)
            if x is not None and holds_at(cond, {**fixed, free: x}):
                return {s: ({**fixed, free: x})[s] for s in parameters}
    return None


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
    # sympy's simplify is slow and adds nothing to cancel/factor on rational functions
    rational = value.is_rational_function(*_symbols_of(value))
    slow = rational or sp.count_ops(value) > 80
    for how in (sp.cancel, sp.factor) if slow else (sp.cancel, sp.factor, sp.simplify):
        try:
            candidates.append(how(value))
        except (TypeError, ValueError, NotImplementedError, sp.PolynomialError):
            continue
    ops = [sp.count_ops(e) for e in candidates]
    fewest = [e for e, n in zip(candidates, ops, strict=True) if n == min(ops)]
    return fewest[0] if len(fewest) == 1 else min(fewest, key=lambda e: len(str(e)))  # print only to break ties


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
