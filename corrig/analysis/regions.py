"""Exact regions of a parameter box: where a condition on the parameters holds.

    from corrig import region
    region(q > Rational(1, 3))          # q ∈ (1/3, 1]: an exact sympy Set for one parameter
    region(c > 2 * p)                   # two parameters: the simplified condition plus a witness point

The box is the product of the parameters' declared ranges (`param(name, low, high)`); a region
query over a parameter without a bounded range raises ParameterError naming it.

How a region is computed:

- The condition is simplified on the box (corrig.analysis.conditions: each relation normalized,
  its signs decided by corrig.analysis.signs).
- One parameter: the exact set within the interval (corrig.analysis.exact_sets) — a union of
  intervals with exact endpoints.
- Two or more: the simplified condition, and a *witness*: a concrete (rational where possible)
  point of the box where the original condition holds by exact substitution.  Candidates: a grid
  of dyadic points (nicest first), screened numerically and then checked exactly, then slices
  (all parameters but one fixed on the grid, the last solved exactly).  A region without a
  witness is "no witness found" — empty only when the condition simplifies to False on the box.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.relational import Relational
from sympy.printing.numpy import NumPyPrinter

from corrig.analysis.conditions import holds_at, simplify_condition
from corrig.analysis.exact_sets import exact_set, point_in_set
from corrig.analysis.signs import _memoized, _sorted, _symbols_of, box_of
from corrig.analysis.transcendental import (
    INTERVAL,
    PROVED,
    SAMPLED,
    decide_relations,
    holds_numerically,
    interval_cover,
    is_sampled,
    is_transcendental,
    sampled,
)
from corrig.model.errors import ParameterError

Point = dict[sp.Symbol, sp.Expr]

UNDEFINED_KINDS = ("undefined-condition",)

_TEXT_OP = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}


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
    method: str = "exact"  # or, for transcendental values, "proved", "interval arithmetic", "sampled"
    detail: str = field(default="", compare=False)  # how a non-exact method settled it (corrig.analysis.transcendental)
    verdicts: tuple[Any, ...] = field(default=(), compare=False)  # the SignVerdicts that settled it, for wording

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
        return self.text()

    def text(self, name: Callable[[sp.Expr], str] = sp.sstr) -> str:
        """The region in words, each side of a relation worded by `name` (str: sympy's form)."""
        how = f" — {self.method}" if self.method != "exact" else ""  # `detail` says how (reports list it)
        if self.is_empty:
            return "∅ (holds nowhere in the box)" + how
        if self.everywhere:
            return (f"everywhere ({self._box_text()})" if self.parameters else "always") + how
        if self.method != "exact":
            witness = f"; e.g. {point_text(self.witness)}" if self.witness is not None else ""
            return f"{condition_text(self.simplified, name)}  ({self.method}: {self.detail}{witness})"
        if self.set is not None:
            return f"{self.axis} ∈ {_set_text(self.set)}"
        text = condition_text(self.simplified, name)
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
            "method": self.method,
            "detail": self.detail,
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


def condition_text(cond: sp.Basic, name: Callable[[sp.Expr], str] = sp.sstr) -> str:
    """A one-line plain-text form: `p > q and (q < 1/3 or p = 1)`, each side of a relation worded by `name`."""
    if cond is sp.true:
        return "always"
    if cond is sp.false:
        return "never"
    if isinstance(cond, Relational):
        return f"{name(cond.lhs)} {_TEXT_OP[cond.rel_op]} {name(cond.rhs)}"
    if isinstance(cond, sp.And | sp.Or):
        word = " and " if isinstance(cond, sp.And) else " or "
        parts = []
        for a in cond.args:
            t = condition_text(a, name)
            parts.append(f"({t})" if isinstance(a, sp.And | sp.Or) else t)
        return word.join(parts)
    if isinstance(cond, sp.Not):
        return f"not ({condition_text(cond.args[0], name)})"
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
    if is_transcendental(cond):
        return _transcendental_region(cond, parameters, box)
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


def _transcendental_region(cond: sp.Basic, parameters: tuple[sp.Symbol, ...], box: dict[sp.Symbol, sp.Interval]
                           ) -> Region:
    """A region whose condition reads Phi, exp, quadratures, ...: proved, decided by interval arithmetic, or sampled
    (corrig.analysis.transcendental), the method and how it went recorded in the Region."""
    settled, verdicts = decide_relations(cond, box)
    used = [v for v in verdicts if v.sign is not None]
    base = {s: point_in_set(box[s]) for s in parameters}
    if settled in (sp.true, sp.false):
        method = PROVED if used and all(v.method == PROVED for v in used) else INTERVAL
        detail = "; ".join(dict.fromkeys(v.detail for v in used)) or "decided by its parts' signs"
        if settled is sp.false:
            return Region(cond, settled, parameters, box, is_empty=True, method=method, detail=detail,
                          verdicts=tuple(used))
        return Region(cond, settled, parameters, box, witness=base, is_empty=False, method=method, detail=detail,
                      verdicts=tuple(used))
    if not is_sampled(settled):
        detail, witness = interval_cover(settled, box, parameters)
        method = INTERVAL
    else:
        holds, fails, close, witness = sampled(settled, box, parameters)
        detail = (f"holds at {holds} of {holds + fails + close} grid points, fails at {fails}"
                  + (f", {close} too close to call within their error bounds" if close else ""))
        method = SAMPLED
    if witness is not None and not (holds_numerically(cond, witness) if method == SAMPLED else holds_at(cond, witness)):
        witness = None  # (a sampled witness is checked as it was found: each value within its quadrature error bound)
    return Region(cond, settled, parameters, box, witness=witness, is_empty=False if witness else None,
                  method=method, detail=detail)


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
    """The condition with ≤ / ≥ made strict (left unevaluated: it is only ever evaluated at points)."""
    return cond.replace(lambda e: isinstance(e, sp.Le | sp.Ge),
                        lambda e: (sp.Lt if isinstance(e, sp.Le) else sp.Gt)(e.lhs, e.rhs, evaluate=False))


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
