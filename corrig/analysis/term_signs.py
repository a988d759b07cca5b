"""Signs settled exactly from a value's terms and factors, where enclosures and samples cannot settle them.

    sum_sign(mu*(2*Phi(beta*mu/r) - 1) + 2*beta*sigma**2*phi(t)/r, box)   # "pos": each term's sign is plain
    integral_sign(2*J_wait - mu, box, ...)   # "pos": one integral of u·(2·sigmoid(β·u) − 1)·density(u) ≥ 0

Interval arithmetic cannot see that u·(2·sigmoid(β·u) − 1) ≥ 0 (at u = 0 both factors' enclosures straddle
zero), and a Quadrature (corrig.inference.quadrature) has no enclosure at all.  The sign is plain from the
factors: a link L with L(0) = 1/2 that increases (sigmoid, Phi) makes c1·(L(a·x) − 1/2) take the sign of
c1·a·x, so the product is a sign-definite multiple of x².  This module reads signs that way:

1. `product_class`: each factor of a product takes its sign on the box (corrig.analysis.signs); a link or
   exp of a real argument is positive; a factor c0 + c1·L(a·x) with c0 = −c1/2, L a centred link, x one
   symbol, counts as c1·a·x; powers of each symbol add up, an even power being ≥ 0.
2. `sum_sign`: a sum whose terms all have one sign has it.
3. `integral_sign`: a value linear in quadratures over one variable and range is C + ∫ g du exactly (each
   quadrature's `centred` split: the integral with its links at their centres in closed form, plus ∫ of
   what they add); when C is 0 or of the integral's sign, and g's sign at every u (read as in 1., u ranging
   over the integral's range) is settled, so is the value's.  The integrand vanishing only where u does
   leaves the integral strictly signed.

Nothing is evaluated numerically: a sign found here holds at every point of the box.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy as sp

from corrig.analysis.signs import NEG, NONNEG, NONPOS, POS, ZERO, sign_on_box
from corrig.inference.quadrature import Quadrature
from corrig.model.links import Phi, phi, sigmoid

CENTRED_LINKS = (sigmoid, Phi)  # increasing, with L(0) = 1/2
POSITIVE = (sigmoid, Phi, phi, sp.exp)  # positive at every real argument
MAX_TERMS = 24  # terms a sum may have for its terms' signs to be read


def product_class(term: sp.Expr, box: Mapping[sp.Symbol, sp.Interval], variable: sp.Symbol | None = None,
                  span: sp.Interval | None = None) -> str | None:
    """The sign class of a product on the box (and, for `variable`, at every point of `span`), read from its
    factors; a power of `variable` vanishing at 0 leaves it strict (for an integral over `span`); None if unread."""
    sign, strict, powers = 1, True, {}
    for factor in sp.Mul.make_args(sp.factor(term)):
        base, exponent = factor.as_base_exp()
        if isinstance(base, POSITIVE):
            continue
        parts = [(factor, 1)]
        if exponent.is_Integer and exponent > 0:
            equivalent = _centred_link(base)  # the same sign as base wherever it is defined
            parts = [(b, int(exponent) * e) for b, e in (p.as_base_exp() for p in sp.Mul.make_args(
                sp.factor(equivalent if equivalent is not None else base)))]
        for part, multiplicity in parts:
            if not sp.sympify(multiplicity).is_Integer:  # a root or a fractional power: read as one factor
                part, multiplicity = part ** multiplicity, 1
            if part.is_Symbol and multiplicity > 0 and (part == variable or part in box):
                powers[part] = powers.get(part, 0) + int(multiplicity)
                continue
            if variable is not None and variable in part.free_symbols:
                return None
            cls = sign_on_box(part, box) if part.free_symbols else _number_class(part)
            if multiplicity % 2 == 0:
                strict = strict and cls in (POS, NEG)
                continue
            if cls in (None, ZERO):
                return None
            sign *= -1 if cls in (NEG, NONPOS) else 1
            strict = strict and cls in (POS, NEG)
    for symbol, power in powers.items():
        interval = span if symbol == variable else box[symbol]
        if power % 2 == 0:
            strict = strict and (symbol == variable or not interval.contains(0))
            continue
        cls = _interval_class(interval)
        if cls is None:
            return None
        sign *= -1 if cls in (NEG, NONPOS) else 1
        strict = strict and (symbol == variable or cls in (POS, NEG))
    return (POS if sign > 0 else NEG) if strict else (NONNEG if sign > 0 else NONPOS)


def _centred_link(base: sp.Expr) -> sp.Expr | None:
    """c1·a·x for base = c0 + c1·L(a·x) with L a centred link, c0 = −c1·L(0) and a free of x: the same sign."""
    links = list(base.atoms(*CENTRED_LINKS))
    if len(links) != 1:
        return None
    (link,) = links
    mark = sp.Dummy("L")
    try:
        line = sp.Poly(base.xreplace({link: mark}), mark)
    except sp.PolynomialError:
        return None
    if line.degree() != 1:
        return None
    c1, c0 = line.all_coeffs()
    argument = sp.expand(link.args[0])
    for x in sorted(argument.free_symbols, key=str):
        slope = sp.expand(argument).coeff(x, 1)
        if x not in slope.free_symbols and sp.expand(argument - slope * x) == 0 and sp.expand(c0 + c1 / 2) == 0 \
                and x not in (c1.free_symbols | c0.free_symbols):
            return c1 * slope * x
    return None


def _interval_class(interval: sp.Interval) -> str | None:
    if interval.start >= 0:
        return POS if interval.start > 0 else NONNEG
    if interval.end <= 0:
        return NEG if interval.end < 0 else NONPOS
    return None


def _number_class(x: sp.Expr) -> str | None:
    if x.is_zero:
        return ZERO
    return POS if x.is_positive else NEG if x.is_negative else None


def sum_sign(value: sp.Expr, box: Mapping[sp.Symbol, sp.Interval]) -> str | None:
    """The sign class of a sum whose terms' classes (product_class) agree, its terms as expanded or collected by
    a parameter (2·mu·Phi(mu) − mu as mu·(2·Phi(mu) − 1)); None otherwise."""
    expanded = sp.expand(value)
    terms = sp.Add.make_args(expanded)
    if len(terms) > MAX_TERMS or value.has(Quadrature, sp.Max, sp.Min, sp.Abs, sp.Piecewise):
        return None
    for grouped in [expanded, *(sp.collect(expanded, s) for s in sorted(value.free_symbols & set(box), key=str))]:
        total: str | None = ZERO
        for term in sp.Add.make_args(grouped):
            total = _sum_class(total, product_class(term, box))
            if total is None:
                break
        if total is not None:
            return total
    return None


def split_integrals(value: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Symbol, sp.Expr, sp.Expr] | None:
    """(C, g, u, low, high) with value = C + ∫_low^high g du exactly, C free of quadratures; None when the value is
    not linear in its quadratures or they do not share one variable and range."""
    atoms = value.atoms(Quadrature)
    ranges = {atom.args[1:4] for atom in atoms}
    if len(ranges) != 1:
        return None
    (u, low, high), = ranges
    marks = {atom: sp.Dummy("q") for atom in atoms}
    closed, integrand = sp.S.Zero, sp.S.Zero
    for term in sp.Add.make_args(sp.expand(value.xreplace(marks))):
        marked = [(atom, m) for atom, m in marks.items() if term.has(m)]
        if not marked:
            closed += term
            continue
        (atom, mark), = marked[:1]
        coefficient = term / mark
        if len(marked) > 1 or coefficient.has(*marks.values()) or u in coefficient.free_symbols:
            return None
        part_closed, remainder = atom.centred or (sp.S.Zero, atom.args[0])
        closed += coefficient * part_closed
        integrand += coefficient * remainder
    return sp.expand(closed), integrand, u, low, high


def integral_sign(value: sp.Expr, box: Mapping[sp.Symbol, sp.Interval],
                  closed_sign: Callable[[sp.Expr], str | None]) -> tuple[str, str] | None:
    """The sign of a value holding quadratures and why in words (`= Integral(…) > 0, its integrand being ≥ 0 at
    every U`), when it is C + ∫ g du with C = 0 or of the integral's sign (closed_sign: C's class); else None."""
    split = split_integrals(value)
    if split is None:
        return None
    closed, integrand, u, low, high = split
    if not (low.is_number and high.is_number and low < high):
        return None
    closed_class = ZERO if closed == 0 else closed_sign(closed)
    if closed_class is None:
        return None
    factored = sp.factor(integrand)
    sign = ZERO if factored == 0 else product_class(factored, box, u, sp.Interval(low, high))
    total = _sum_class(closed_class, sign)
    if total is None or sign is None:
        return None
    relation = {POS: "> 0", NEG: "< 0", NONNEG: "≥ 0", NONPOS: "≤ 0", ZERO: "= 0"}
    pointwise = {POS: "≥ 0", NONNEG: "≥ 0", NEG: "≤ 0", NONPOS: "≤ 0", ZERO: "= 0"}[sign]
    integral = f"Integral({sp.sstr(factored)}, ({u}, {low}, {high}))"  # factored, as a Quadrature would expand it
    start = f"= {integral}" if closed == 0 else f"= {sp.sstr(closed)} + {integral}"
    return total, (f"{start} {relation[total]}, its integrand being {pointwise} at every {u}"
                   + ("" if closed == 0 else f" and {sp.sstr(closed)} {relation[closed_class]}"))


def _sum_class(a: str | None, b: str | None) -> str | None:
    """The sign class of a sum of two values of these classes."""
    if a is None or b is None:
        return None
    if a == ZERO or b == ZERO:
        return b if a == ZERO else a
    for strict, weak in ((POS, NONNEG), (NEG, NONPOS)):
        if {a, b} <= {strict, weak}:
            return strict if strict in (a, b) else weak
    return None
