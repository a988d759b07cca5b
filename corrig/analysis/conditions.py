"""Conditions on a parameter box: each relation normalized on the box, the boolean structure simplified,
and a condition's exact truth at a point.

    simplify_condition(And(q > -1, 2 * p > p + q), box)  # p > q (p, q ∈ [0, 1]: q > -1 holds on the whole box)
    holds_at(p > q, {p: 1, q: Rational(1, 2)})           # True, by exact substitution

A relation is rewritten as `e op 0` with e = lhs − rhs over a common denominator; factors whose
sign is fixed on the box (corrig.analysis.signs) are dropped, flipping the relation when negative,
and a relation whose sign is decided on the whole box becomes True or False.  Min / Max / Abs /
Piecewise are expanded first.  Relations on one expression are then checked against each other
(contradictions, covers, e ≤ 0 and e ≥ 0 as e = 0), and sympy's simplify_logic is run on small
conditions.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy.core.relational import Relational
from sympy.polys.fields import sfield

from corrig.analysis.signs import (
    NEG,
    NONNEG,
    NONPOS,
    POS,
    ZERO,
    _has_branching,
    _memoized,
    _sorted,
    _symbols_of,
    sign_on_box,
)

LOGIC_ATOMS = 6  # sympy's simplify_logic is run on conditions of at most this many relations

_REVERSED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_RELATION = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}


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
    if not denominators and len(kept) > 1 and any(c in (NONNEG, NONPOS) for _, _, c, _ in kept):
        return _split_semidefinite(op, sign, kept, box)
    e = sign * sp.Mul(*[f**m for f, m, _, den in kept if not den]) / sp.Mul(*[f**m for f, m, _, den in denominators])
    if e.could_extract_minus_sign():
        e, op = -e, _REVERSED[op]
    return _solved_form(e, op)


def _split_semidefinite(op: str, sign: int, kept: list[tuple[sp.Expr, int, str | None, bool]],
                        box: Mapping[sp.Symbol, sp.Interval]) -> sp.Basic:
    """`sign · Π h_i · g op 0` where each h_i keeps one sign on the box but vanishes somewhere (p, 1 − p on
    [0, 1]), as a condition on the h_i being 0 and on g: with every h_i ≥ 0 (a factor ≤ 0 negated),
    Π h_i · g > 0 ⇔ every h_i > 0 and g > 0, and Π h_i · g ≥ 0 ⇔ some h_i = 0 or g ≥ 0 (likewise < ≤ = ≠)."""
    zeros, rest = [], []
    for f, m, cls, _ in kept:
        if cls in (NONNEG, NONPOS):
            if cls == NONPOS and m % 2:
                sign, f = -sign, -f
            zeros.append(f)
        else:
            rest.append(f**m)
    g = sign * sp.Mul(*rest)
    some_zero = sp.Or(*(sp.Eq(h, 0) for h in zeros))
    none_zero = sp.And(*(sp.Gt(h, 0) for h in zeros))
    rule = {">": sp.And(none_zero, sp.Gt(g, 0)), "<": sp.And(none_zero, sp.Lt(g, 0)),
            ">=": sp.Or(some_zero, sp.Ge(g, 0)), "<=": sp.Or(some_zero, sp.Le(g, 0)),
            "==": sp.Or(some_zero, sp.Eq(g, 0)), "!=": sp.And(none_zero, sp.Ne(g, 0))}[op]
    return simplify_condition(rule, box)


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
    if isinstance(out, sp.Or) and (merged := _merge_disjuncts(out)) != out:
        return simplify_condition(merged, box, logic)  # fewer relations: e = 0 or e < 0 is e ≤ 0, decided on the box
    if isinstance(out, sp.And):
        out = _prune_same_expression(_given_siblings(out))
    if logic and isinstance(out, sp.logic.boolalg.BooleanFunction) and len(out.atoms(Relational)) <= LOGIC_ATOMS:
        try:
            simpler = _pruned_throughout(sp.simplify_logic(out, deep=False))
        except (TypeError, ValueError, RecursionError):
            return out
        return simpler if sp.count_ops(simpler) <= sp.count_ops(out) else out
    return out


def _pruned_throughout(cond: sp.Basic) -> sp.Basic:
    """Every And/Or inside the condition pruned (after simplify_logic regroups them), innermost first."""
    if not isinstance(cond, sp.And | sp.Or):
        return cond
    return _prune_same_expression(cond.func(*(_pruned_throughout(a) for a in cond.args)))


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
    return _merge_bounds(cond)


def _is_bound(rel: Relational) -> bool:
    """A relation bounding one parameter by a number: p ≥ 1/2, p = 0 (p ≠ 0 is no interval)."""
    return isinstance(rel.lhs, sp.Symbol) and rel.rhs.is_number and rel.rhs.is_real and rel.rel_op != "!="


Span = tuple[Any, bool, Any, bool]  # (low, low open?, high, high open?): an interval of one parameter's values
_EVERY: Span = (-sp.oo, True, sp.oo, True)


def _span(rel: Relational) -> Span:
    """The values of p a bound `p op k` allows."""
    k, op = rel.rhs, rel.rel_op
    return {"<": (-sp.oo, True, k, True), "<=": (-sp.oo, True, k, False), ">": (k, True, sp.oo, True),
            ">=": (k, False, sp.oo, True), "==": (k, False, k, False)}[op]


def _meet(a: Span, b: Span) -> Span | None:
    """The intersection of two spans (None: empty)."""
    low = max((a[0], a[1]), (b[0], b[1]), key=lambda e: (e[0], e[1]))
    high = min((a[2], not a[3]), (b[2], not b[3]), key=lambda e: (e[0], e[1]))
    high = (high[0], not high[1])
    if low[0] > high[0] or (low[0] == high[0] and (low[1] or high[1])):
        return None
    return (low[0], low[1], high[0], high[1])


def _join(a: Span, b: Span) -> Span | None:
    """The union of two spans when it is one span (they overlap or touch), else None."""
    first, second = sorted((a, b), key=lambda s: (s[0], s[1]))
    if first[2] < second[0] or (first[2] == second[0] and first[3] and second[1]):
        return None
    high = max((first[2], not first[3]), (second[2], not second[3]), key=lambda e: (e[0], e[1]))
    return (first[0], first[1], high[0], not high[1])


def _within(a: Span, b: Span) -> bool:
    """a ⊆ b."""
    return _meet(a, b) == a


def _relations(x: sp.Symbol, span: Span) -> sp.Basic:
    low, low_open, high, high_open = span
    if low == high:
        return sp.Eq(x, low)
    parts = [] if low == -sp.oo else [(sp.Gt if low_open else sp.Ge)(x, low)]
    parts += [] if high == sp.oo else [(sp.Lt if high_open else sp.Le)(x, high)]
    return sp.And(*parts)


def _merge_bounds(cond: sp.Basic) -> sp.Basic:
    """And/Or whose relations bound one parameter by numbers (p = 0, p ≥ 1/2): those bounds as one interval of
    the parameter — empty in a conjunction: False; the whole line in a disjunction: True; else, when the bounds
    make one interval (or point), written as its relations."""
    bounds: dict[sp.Symbol, list[Relational]] = {}
    for a in cond.args:
        if isinstance(a, Relational) and _is_bound(a):
            bounds.setdefault(a.lhs, []).append(a)
    merged = dict.fromkeys(cond.args)
    for x, rels in bounds.items():
        if len(rels) < 2:
            continue
        joined: Span | None = _span(rels[0])
        for r in rels[1:]:
            joined = (_meet if isinstance(cond, sp.And) else _join)(joined, _span(r))
            if joined is None:
                break
        if joined is None:
            if isinstance(cond, sp.And):
                return sp.false
            continue
        if joined == _EVERY:
            return sp.true if isinstance(cond, sp.Or) else cond
        for r in rels:
            merged.pop(r, None)
        merged[_relations(x, joined)] = None
    return cond.func(*merged) if len(merged) != len(cond.args) else cond


def _merge_disjuncts(cond: sp.Or) -> sp.Basic:
    """The disjuncts on one expression e that together are one relation written as that relation
    (`Eq(e, 0) | (e < 0)` reads `e <= 0`), so that its sign on the box can decide it."""
    groups: dict[sp.Expr, list[Relational]] = {}
    for a in cond.args:
        if isinstance(a, Relational) and a.rel_op in _SIGN_SETS:
            groups.setdefault(_signed(a)[0], []).append(a)
    by_set = {v: op for op, v in _SIGN_SETS.items()}
    replaced: dict[Relational, sp.Basic] = {}
    for e, rels in groups.items():
        if len(rels) < 2:
            continue
        op = by_set.get(sp.Union(*(_SIGN_SETS[_signed(r)[1]] for r in rels)))
        if op is not None:
            replaced.update({r: sp.false for r in rels})
            replaced[rels[0]] = _RELATION[op](e, 0)
    if not replaced:
        return cond
    return sp.Or(*(replaced.get(a, a) for a in cond.args))


def _given_siblings(cond: sp.And) -> sp.Basic:
    """A conjunction whose relations on an expression e decide a relation on e inside its other parts (e ≤ 0
    makes a nested e > 0 False and e < 1 ... True where implied): each nested relation replaced by what the
    sibling relations imply of it."""
    facts: dict[sp.Expr, sp.Set] = {}
    bounds: dict[sp.Symbol, Span | None] = {}  # what sibling bounds by numbers (p ≥ 1/2) say of one parameter
    for a in cond.args:
        if isinstance(a, Relational):
            e, op = _signed(a)
            facts[e] = sp.Intersection(facts.get(e, sp.S.Reals), _SIGN_SETS[op])
            if _is_bound(a):
                known = bounds.get(a.lhs, _EVERY)
                bounds[a.lhs] = None if known is None else _meet(known, _span(a))
    if not facts:
        return cond

    def assume(part: sp.Basic) -> sp.Basic:
        if isinstance(part, Relational):
            if _is_bound(part) and part.lhs in bounds:
                known, allowed = bounds[part.lhs], _span(part)
                if known is None or _meet(known, allowed) is None:
                    return sp.false
                return sp.true if _within(known, allowed) else part
            e, op = _signed(part)
            known, allowed = facts.get(e), _SIGN_SETS[op]
            if known is None:
                return part
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
