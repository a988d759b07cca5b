"""Regions and sizes as a person reads them: exact numbers with a decimal beside them, sizes simplified
on the parameter box, and a two-parameter condition solved for the parameter it is linear in.

    region_text(sp.optimal["grab"])   # 'K ≤ K*(v) = (…) for v ∈ [1/10, 499/990 ≈ 0.5040) …'
    size_text(flag.size, box)         # 'Abs(99*v/100 - 99/1000)' on v ∈ [1/10, 1] reads '99*v/100 - 99/1000'

The exact forms stay in `Region` (str, to_latex, to_dict); this module only words them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from corrig.analysis.exact_sets import exact_set
from corrig.analysis.regions import Region
from corrig.analysis.signs import NEG, POS, _memoized, sign_on_box, simplify_value
from corrig.inference.quadrature import is_bounded, show_bounded

_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}
_SHOW = {"<": "<", ">": ">", "<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}


def number_text(x: Any) -> str:
    """An exact number, with its decimal beside it when it is not an integer: `997921/428179 ≈ 2.331`."""
    x = sp.sympify(x)
    if x.is_Integer or not x.is_number or x.is_infinite:
        return str(x)
    if is_bounded(x):  # known by quadrature: its decimal with its error bound, never a bare float
        return show_bounded(x)
    try:
        return f"{x} ≈ {float(x):.4g}"
    except TypeError:
        return str(x)


def set_text(s: sp.Set) -> str:
    """A set of one parameter's values, each exact endpoint with its decimal."""
    if isinstance(s, sp.Interval):
        if s.start == s.end:
            return f"{{{number_text(s.start)}}}"
        return (f"{'(' if s.left_open else '['}{number_text(s.start)}, {number_text(s.end)}"
                f"{')' if s.right_open else ']'}")
    if isinstance(s, sp.Union):
        return " ∪ ".join(set_text(a) for a in s.args)
    if isinstance(s, sp.FiniteSet):
        return "{" + ", ".join(number_text(a) for a in s.args) + "}"
    if s is sp.EmptySet:
        return "∅"
    return str(s)


class _Printer(StrPrinter):
    """sympy's str form, with a Piecewise written as an Iverson bracket `[v > 19/20]` or `(a if c else b)`."""

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        pieces = list(expr.args)
        if len(pieces) == 2 and pieces[1].cond is sp.true and pieces[1].expr == 0:
            value, cond = pieces[0]
            bracket = f"[{self._print(cond)}]"
            return bracket if value == 1 else f"{self.parenthesize(value, 50)}*{bracket}"
        text = self._print(pieces[-1].expr)
        for value, cond in reversed(pieces[:-1]):
            text = f"({self._print(value)} if {self._print(cond)} else {text})"
        return text


def expression_text(value: Any) -> str:
    """A value as text, exact numbers with their decimal, piecewise parts as brackets."""
    if isinstance(value, sp.Basic) and value.is_number:
        return number_text(value)
    return _Printer().doprint(value) if isinstance(value, sp.Basic) else str(value)


def size_text(size: Any, box: Mapping[sp.Symbol, sp.Interval] | None = None) -> str:
    """A flag's size simplified on the box (Abs, Min, Max of a sign-definite argument resolved)."""
    if size is None:
        return ""
    simple = simplify_value(sp.sympify(size), box) if isinstance(size, sp.Basic) else size
    return expression_text(simple)


@_memoized
def _linear_threshold(rel: sp.Basic, box: Mapping[sp.Symbol, sp.Interval]) -> str | None:
    """`x op t(y)` pieces for a relation in two parameters that is linear in x (after clearing a denominator
    of constant sign on the box), the sign of x's coefficient split over y's range; None when it is not."""
    if not isinstance(rel, sp.core.relational.Relational) or rel.rel_op not in _FLIP:
        return None
    expr = sp.together(rel.lhs - rel.rhs)
    numer, denom = sp.fraction(expr)
    symbols = sorted(expr.free_symbols & set(box), key=lambda s: s.name)
    if len(symbols) != 2:
        return None
    denom_sign = sign_on_box(denom, box) if denom.free_symbols else (POS if denom > 0 else NEG)
    if denom_sign not in (POS, NEG):
        return None
    op = rel.rel_op if denom_sign == POS else _FLIP[rel.rel_op]
    for x in symbols:
        y = next(s for s in symbols if s != x)
        poly = sp.Poly(sp.expand(numer), x)
        if poly.degree() != 1:
            continue
        a, b = poly.all_coeffs()
        threshold = sp.factor(-b / a)
        pieces, trivial = [], True
        for sign, this_op in ((sp.Gt(a, 0), op), (sp.Lt(a, 0), _FLIP[op])):
            where = exact_set(sign, y, box[y])
            if where is None:
                return None
            where = where.intersect(box[y])
            if where is sp.EmptySet:
                continue
            verdict = _trivial(threshold, this_op, x, y, where, box)
            trivial &= verdict == "every"
            if verdict is None:
                name = f"{x}*({y}) = {threshold}" if len(x.name) == 1 else str(threshold)  # K*(v) = …; a_nudge < …
                pieces.append(f"{x} {_SHOW[this_op]} {name} for {y} ∈ {set_text(where)}")
            else:
                pieces.append(f"{verdict} {x} for {y} ∈ {set_text(where)}")
        zero = exact_set(sp.Eq(a, 0), y, box[y])
        if zero is not None and zero.intersect(box[y]) is not sp.EmptySet:
            at_zero = zero.intersect(box[y])
            relation = {"<": sp.Lt, ">": sp.Gt, "<=": sp.Le, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}[op]
            if isinstance(at_zero, sp.FiniteSet):  # x drops out there: the condition is b(y) op 0 at each point
                verdicts = {relation(b.subs(y, point), 0) for point in at_zero.args}
                holds = verdicts.pop() if len(verdicts) == 1 else None
            else:
                holds = relation(b, 0)
            if holds is sp.false:
                trivial = False
            elif holds is sp.true:
                pieces.append(f"every {x} for {y} ∈ {set_text(at_zero)}")
            else:
                return None
        if trivial:
            return ""  # holds on the whole box: adds nothing to a conjunction
        return "; ".join(pieces) if pieces else None
    return None


def _ratio_sign(expr: sp.Expr, where: sp.Interval, y: sp.Symbol, box: Mapping[sp.Symbol, sp.Interval]) -> str | None:
    """The sign class of a rational function of y over `where`, whose denominator does not vanish inside it
    (a threshold's denominator divides x's coefficient, which has one sign on `where`)."""
    numer, denom = sp.fraction(sp.together(expr))
    sub = {**box, y: sp.Interval(where.start, where.end)}
    n = sign_on_box(numer, sub) if numer.free_symbols else (POS if numer > 0 else NEG if numer < 0 else "zero")
    d = sign_on_box(denom, sub) if denom.free_symbols else (POS if denom > 0 else NEG)
    d = {"nonneg": POS, "nonpos": NEG}.get(d, d)
    if n is None or d not in (POS, NEG):
        return None
    if d == NEG:
        n = {POS: NEG, NEG: POS, "nonneg": "nonpos", "nonpos": "nonneg"}.get(n, n)
    return n


def _trivial(threshold: sp.Expr, op: str, x: sp.Symbol, y: sp.Symbol, where: sp.Set,
             box: Mapping[sp.Symbol, sp.Interval]) -> str | None:
    """'every' / 'no' when `x op threshold(y)` holds for every / no x of its range over y ∈ where; else None."""
    if not isinstance(where, sp.Interval):
        return None
    low, high = box[x].start, box[x].end
    above_high = _ratio_sign(threshold - high, where, y, box)
    above_low = _ratio_sign(threshold - low, where, y, box)
    strict = op in ("<", ">")
    if op in ("<", "<="):
        if above_high == POS or (not strict and above_high in ("nonneg", "zero")):
            return "every"
        if above_low == NEG or (strict and above_low in ("nonpos", "zero")):
            return "no"
    if op in (">", ">="):
        if above_low == NEG or (not strict and above_low in ("nonpos", "zero")):
            return "every"
        if above_high == POS or (strict and above_high in ("nonneg", "zero")):
            return "no"
    return None


def region_text(region: Region) -> str:
    """The region in words: one parameter's set with decimals, a solved threshold, or the exact condition."""
    region = getattr(region, "computed", region)  # a LazyRegion's Region: policies often share one
    if region.method != "exact":
        return str(region)  # with how it was settled (its detail, which two equal regions need not share)
    return _region_text(region, tuple(region.witness.items()) if region.witness is not None else None)


@_memoized
def _region_text(region: Region, witness: tuple | None) -> str:
    if region.is_empty or region.everywhere:
        return str(region)
    if region.set is not None and region.axis is not None:
        return f"{region.axis} ∈ {set_text(region.set)}"
    simplified = region.simplified
    parts = simplified.args if isinstance(simplified, sp.And) else (simplified,)
    solved = [_linear_threshold(p, region.box) for p in parts]
    if solved and all(s is not None for s in solved):
        kept = [s for s in solved if s] or ["every point of the box but a finite set"]
        text = " and ".join(f"({s})" if len(kept) > 1 else s for s in kept)
        if witness is not None:
            point = ", ".join(f"{k} = {number_text(v)}" for k, v in witness)
            text += f"  (e.g. {point})"
        return text
    return str(region)
