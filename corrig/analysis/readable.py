"""Regions and sizes as a person reads them: exact numbers with a decimal beside them, sizes simplified
on the parameter box, and a two-parameter condition solved for the parameter it is linear in.

    region_text(sp.optimal["grab"])   # 'K ≤ K*(v) = (…) for v ∈ [1/10, 499/990 ≈ 0.5040) …'
    region_text(sp.optimal["wait"])   # 'q ≤ p ≤ 1 - q' (two bounds on p, on all of q's range)
    size_text(flag.size, box)         # 'Abs(99*v/100 - 99/1000)' on v ∈ [1/10, 1] reads '99*v/100 - 99/1000'

The exact forms stay in `Region` (str, to_latex, to_dict); this module only words them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from corrig.analysis.exact_sets import exact_set
from corrig.analysis.regions import Region
from corrig.analysis.signs import NEG, POS, _memoized, sign_on_box, simplify_value
from corrig.analysis.transcendental import INTERVAL, PROVED, RELATION
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


@dataclass(frozen=True)
class _Bound:
    """`x op threshold` for y ∈ where, or (verdict "every" / "no") every or no x there; y None: a bound on x alone."""

    x: sp.Symbol
    op: str | None
    threshold: sp.Expr | None
    y: sp.Symbol | None = None
    where: sp.Set | None = None
    verdict: str | None = None

    def qualifier(self, box: Mapping[sp.Symbol, sp.Interval]) -> str:
        """` for y ∈ S`, or nothing when S is y's whole range."""
        if self.y is None or self.where is None or self.where == box[self.y]:
            return ""
        return f" for {self.y} ∈ {set_text(self.where)}"

    def text(self, box: Mapping[sp.Symbol, sp.Interval]) -> str:
        if self.verdict is not None:
            return f"{self.verdict} {self.x}{self.qualifier(box)}"
        threshold = _threshold_text(self.threshold)
        if self.y is not None and len(self.x.name) == 1 and not _at_most_linear(self.threshold, self.y):
            threshold = f"{self.x}*({self.y}) = {threshold}"  # a threshold function worth a name: K*(v) = …
        return f"{self.x} {_SHOW[self.op]} {threshold}{self.qualifier(box)}"


def _at_most_linear(expr: sp.Expr, y: sp.Symbol) -> bool:
    return expr.is_polynomial(y) and sp.degree(expr, y) <= 1


def _threshold_text(threshold: sp.Expr) -> str:
    """A polynomial threshold expanded (`1 - k/4`, not `-(k - 4)/4`), a rational one factored as solved."""
    return sp.sstr(sp.expand(threshold) if threshold.is_polynomial() else threshold)


@_memoized
def _bounds(rel: sp.Basic, box: Mapping[sp.Symbol, sp.Interval]) -> tuple[_Bound, ...] | None:
    """A relation in one or two parameters that is linear in one of them, x (after clearing a denominator of
    constant sign on the box), as bounds on x: `x op t(y)` pieces, the sign of x's coefficient split over y's
    range; () when it holds on the whole box, None when it is not such a relation."""
    if not isinstance(rel, sp.core.relational.Relational) or rel.rel_op not in _FLIP:
        return None
    expr = sp.together(rel.lhs - rel.rhs)
    numer, denom = sp.fraction(expr)
    symbols = sorted(expr.free_symbols & set(box), key=lambda s: s.name)
    if len(symbols) not in (1, 2) or expr.free_symbols - set(box):
        return None
    denom_sign = sign_on_box(denom, box) if denom.free_symbols else (POS if denom > 0 else NEG)
    if denom_sign not in (POS, NEG):
        return None
    op = rel.rel_op if denom_sign == POS else _FLIP[rel.rel_op]
    if len(symbols) == 1:
        (x,) = symbols
        poly = sp.Poly(sp.expand(numer), x)
        if poly.degree() != 1:
            return None
        a, b = poly.all_coeffs()
        return (_Bound(x, op if a > 0 else _FLIP[op], -b / a),)
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
            pieces.append(_Bound(x, this_op, threshold, y, where, verdict))
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
                pieces.append(_Bound(x, None, None, y, at_zero, "every"))
            else:
                return None
        if trivial:
            return ()  # holds on the whole box: adds nothing to a conjunction
        return tuple(pieces) or None
    return None


def _side(bounds: list[_Bound], word: str, box: Mapping[sp.Symbol, sp.Interval]) -> tuple[str, str] | None:
    """The relation and the text of several lower (word "max") or upper ("min") bounds on one parameter read
    as one, `max(1/2, 1 - q)`, leaving out a bound another one implies on the box (1/2 ≤ 1 - q for q ≤ 1/2);
    ("", "") for none; None when their relations differ (≤ and <)."""
    if not bounds:
        return "", ""
    ops = {b.op for b in bounds}
    if len(ops) != 1:
        return None
    on, (y, where) = dict(box), (bounds[0].y, bounds[0].where)
    if y is not None and isinstance(where, sp.Interval) and isinstance(box[y].intersect(where), sp.Interval):
        on[y] = sp.Interval(box[y].intersect(where).start, box[y].intersect(where).end)  # closed: ≥ holds by continuity
    tighter = (POS, "nonneg", "zero") if word == "max" else (NEG, "nonpos", "zero")
    kept: list[_Bound] = []
    for b in bounds:  # keep b unless a bound kept already is at least as tight everywhere on the range
        if any(sign_on_box(k.threshold - b.threshold, on) in tighter for k in kept):
            continue
        kept = [k for k in kept if sign_on_box(b.threshold - k.threshold, on) not in tighter] + [b]
    texts = [_threshold_text(b.threshold) for b in kept]
    return ops.pop(), texts[0] if len(texts) == 1 else f"{word}({', '.join(texts)})"


def _conjunction_text(parts: list[tuple[_Bound, ...]], box: Mapping[sp.Symbol, sp.Interval]) -> str:
    """Conjoined bounds in words: a lower and an upper bound on one parameter over the same range read as one
    chain, `q ≤ p ≤ 1 - q`; a relation split into cases keeps its cases, `…; every K for v ∈ …`."""
    items: list[Any] = []  # a list of bounds sharing x and range (to chain), or the text of a split relation
    groups: dict[tuple, list[_Bound]] = {}
    for bounds in parts:
        if len(bounds) != 1 or bounds[0].verdict is not None:
            items.append("; ".join(b.text(box) for b in bounds))
            continue
        (bound,) = bounds
        key = (bound.x, bound.qualifier(box))
        if key not in groups:
            groups[key] = []
            items.append(groups[key])
        groups[key].append(bound)
    narrowed = dict(box)  # each parameter's range within the box narrowed by the bounds on it alone (k > 0)
    for bound in [b for g in groups.values() for b in g if b.y is None and b.op in ("<", "<=", ">", ">=")]:
        side = sp.Interval(bound.threshold, sp.oo) if bound.op in (">", ">=") else sp.Interval(-sp.oo, bound.threshold)
        inside = narrowed[bound.x].intersect(side)
        if isinstance(inside, sp.Interval):
            narrowed[bound.x] = sp.Interval(inside.start, inside.end)
    texts = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
            continue
        lower = _side([b for b in item if b.op in (">", ">=")], "max", narrowed)
        upper = _side([b for b in item if b.op in ("<", "<=")], "min", narrowed)
        x, qualifier = item[0].x, item[0].qualifier(box)
        if len(item) == 1 or lower is None or upper is None or \
                len(item) != sum(b.op in ("<", "<=", ">", ">=") for b in item):
            texts.extend(b.text(box) for b in item)
        elif not lower[1]:
            texts.append(f"{x} {_SHOW[upper[0]]} {upper[1]}{qualifier}")
        elif not upper[1]:
            texts.append(f"{x} {_SHOW[lower[0]]} {lower[1]}{qualifier}")
        else:
            texts.append(f"{lower[1]} {_SHOW[_FLIP[lower[0]]]} {x} {_SHOW[upper[0]]} {upper[1]}{qualifier}")
    if not texts:
        return "every point of the box but a finite set"
    return " and ".join(f"({t})" if "; " in t and len(texts) > 1 else t for t in texts)


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


def region_text(region: Region, name: Callable[[sp.Expr], str] = sp.sstr) -> str:
    """The region in words: one parameter's set with decimals, bounds solved for a parameter the condition is
    linear in (two-sided bounds chained), or the exact condition, its values worded by `name` (value_namer:
    `J(wait) ≥ mu` rather than the integral J(wait) is)."""
    region = getattr(region, "computed", region)  # a LazyRegion's Region: policies often share one
    if region.is_empty or region.everywhere or region.method != "exact":
        return region.text(name)  # with how it was settled (its detail, which two equal regions need not share)
    return _region_text(region, tuple(region.witness.items()) if region.witness is not None else None, name)


@_memoized
def _region_text(region: Region, witness: tuple | None, name: Callable[[sp.Expr], str] = sp.sstr) -> str:
    if region.set is not None and region.axis is not None:
        return f"{region.axis} ∈ {set_text(region.set)}"
    simplified = region.simplified
    parts = simplified.args if isinstance(simplified, sp.And) else (simplified,)
    solved = [_bounds(p, region.box) for p in parts]
    if solved and all(s is not None for s in solved) and any(len(p.free_symbols) == 2 for p in parts):
        text = _conjunction_text([s for s in solved if s], region.box)
        if witness is not None:
            point = ", ".join(f"{k} = {number_text(v)}" for k, v in witness)
            text += f"  (e.g. {point})"
        return text
    return region.text(name)


# what the regions over transcendental values settle, verdict first ----------------------------------
def value_namer(values: Mapping[str, Any], label: Callable[[str], str] = str, differences_first: bool = False,
                limit: int = 40) -> Callable[[sp.Expr], str]:
    """A function wording a value as the policies' values it is: `J(wait)`, or `J(act) - J(wait)` when
    `differences_first` (for at most `limit` policies; the comparisons that make a policy optimal), else as sympy
    prints it with each value it holds named (`mu - J(wait)`)."""
    known = {n: sp.sympify(v) for n, v in values.items() if v is not None}
    singles = {sp.expand(v): f"J({label(n)})" for n, v in known.items()}
    pairs: dict[sp.Expr, str] = {}
    if len(known) <= limit:
        for (a, va), (b, vb) in itertools.permutations(known.items(), 2):
            pairs.setdefault(sp.expand(va - vb), f"J({label(a)}) - J({label(b)})")
    table = {**singles, **pairs} if differences_first else singles
    table = {k: v for k, v in table.items() if not (k.is_Symbol or k.is_number)}  # mu, 0 read better as themselves
    inside = {sp.sympify(v): sp.Symbol(f"J({label(n)})") for n, v in known.items() if not (v.is_Symbol or v.is_number)}

    def name(expr: sp.Expr) -> str:
        found = table.get(sp.expand(expr))
        return found if found is not None else sp.sstr(sp.sympify(expr).xreplace(inside))  # mu - J(wait)
    return name


def settled_notes(regions: Any, label: Callable[[str], str] = str, policy: str | None = None) -> list[str]:
    """For each region over transcendental values that holds everywhere or nowhere, its verdict in words and why:
    `act is never optimal (proved: J(act) - J(wait) = sigma·g(mu/sigma) < 0 for every real mu and sigma > 0,
    since …)`.  A relation proved in an earlier note is only named (`…, as above`).  policy: only the notes
    about that policy (and the plan's)."""
    shown: set[sp.Expr] = set()
    notes = []
    for subject, region, namer in _settled_regions(regions, label, policy):
        parts, known = [], []
        for verdict in region.verdicts:
            key = sp.expand(verdict.expr)
            if key in shown or -key in shown:
                known.append(f"{namer(verdict.expr)} {RELATION[verdict.sign]}")
                continue
            shown.add(key)
            parts.append(verdict.text(namer))
        if known:
            parts.append(f"{' and '.join(known)}, as above")
        if parts:
            notes.append(f"{subject(region.everywhere)} ({region.method}: {'; '.join(parts)})")
    return notes


def _settled_regions(regions: Any, label: Callable[[str], str], policy: str | None
                     ) -> list[tuple[Callable[[bool], str], Region, Callable[[sp.Expr], str]]]:
    """(how to word the verdict, the region, how to word its values) for each settled transcendental region."""
    found = []
    comparison = value_namer(regions.values, label, differences_first=True)  # J(wait) - J(switch-off), not J(wait)
    name = value_namer(regions.values, label)
    for n, region in regions.optimal.items():
        if policy in (None, n):
            found.append((lambda always, n=n: f"{label(n)} is {'always' if always else 'never'} optimal", region,
                          comparison))
    flags = [fr for n, frs in regions.flags.items() if policy in (None, n) for fr in frs] + list(regions.incentives)
    for fr in flags:
        who = label(fr.flag.policy) if fr.flag.policy else "plan"
        size = sp.expand(fr.flag.size) if isinstance(fr.flag.size, sp.Basic) else None
        def namer(expr: sp.Expr, size: Any = size) -> str:
            return "its size" if size is not None and sp.expand(expr) == size else name(expr)
        found.append((lambda always, k=fr.flag.kind, w=who: f"{k} ({w}) {'always' if always else 'never'} fires",
                      fr.region, namer))
    return [(s, r, nm) for s, r, nm in found if r.method in (PROVED, INTERVAL) and r.verdicts
            and (r.everywhere or r.is_empty)]
