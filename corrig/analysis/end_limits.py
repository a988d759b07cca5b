"""Limits at ±∞ of one-variable values built from rational functions of x and the links Phi, phi, sigmoid.

    limit_at_infinity(x*Phi(x) + phi(x), x, -1)   # 0: the value as x -> -oo
    limit_at_infinity(x*Phi(x) - x, x, 1)         # 0
    limit_at_infinity(exp(x), x, 1)               # None: outside the class (ask sympy's `limit`)

Each link's argument u must be a polynomial in x that is not constant, so |u| grows at least like |x|.  As
x -> ±∞, write Phi(u) = 1 - Phi(-u) where u -> +∞ and leave it where u -> -∞, and the same for sigmoid; then
every remaining Phi(v), sigmoid(v) has v -> -∞ and decays like phi(v) (resp. exp(v)), faster than any power
of x, as does every phi(u).  The value is a polynomial in these decaying factors with coefficients rational
in x: every monomial holding one of them tends to 0 (a rational function grows at most like a power of x),
so the limit is the limit of the constant monomial's coefficient, a rational function of x, read from the
degrees and leading coefficients of its numerator and denominator.  Exact, and a few milliseconds against
sympy's general `limit` (Gruntz's algorithm on the erf / exp forms, ~0.1 s per limit).
"""

from __future__ import annotations

import sympy as sp

from corrig.model.links import Phi, phi, sigmoid


def _grows(u: sp.Expr, x: sp.Symbol, direction: int) -> int | None:
    """+1 / -1: u -> +∞ / -∞ as x -> direction·∞, for u a non-constant polynomial in x; None otherwise."""
    if not u.has(x):
        return None
    try:
        poly = sp.Poly(u, x)
    except sp.PolynomialError:
        return None
    if poly.degree() < 1 or poly.free_symbols - {x}:
        return None
    lead = poly.LC()
    if not lead.is_extended_real or lead.is_zero is not False:
        return None
    sign = 1 if lead.is_positive else -1 if lead.is_negative else None
    if sign is None:
        return None
    return sign * (direction ** poly.degree())


def _rational_limit(r: sp.Expr, x: sp.Symbol, direction: int) -> sp.Expr | None:
    """The limit of a rational function of x at direction·∞ from its degrees and leading coefficients."""
    num, den = sp.fraction(sp.cancel(sp.together(r)))
    try:
        p, q = sp.Poly(num, x), sp.Poly(den, x)
    except sp.PolynomialError:
        return None
    if p.is_zero:
        return sp.S.Zero
    a, b = p.LC(), q.LC()
    shift = p.degree() - q.degree()
    if shift < 0:
        return sp.S.Zero
    ratio = a / b
    if shift == 0:
        return ratio
    sign = 1 if ratio.is_positive else -1 if ratio.is_negative else None
    if sign is None:
        return None
    return sp.S.Infinity if sign * direction ** shift > 0 else sp.S.NegativeInfinity


def limit_at_infinity(g: sp.Expr, x: sp.Symbol, direction: int) -> sp.Expr | None:
    """g's limit as x -> direction·∞ (direction ±1) for g in the class above; None when g is outside it."""
    small: dict[sp.Basic, sp.Dummy] = {}
    replaced: dict[sp.Basic, sp.Expr] = {}
    for node in g.atoms(sp.Function):
        if not isinstance(node, Phi | phi | sigmoid):
            return None
        toward = _grows(node.args[0], x, direction)
        if toward is None:
            if node.args[0].has(x):
                return None
            continue  # a constant
        if isinstance(node, phi):
            replaced[node] = small.setdefault(node, sp.Dummy("d"))
        else:  # Phi(u) = 1 - Phi(-u): the decaying part is the one whose argument tends to -∞
            tail = small.setdefault(node, sp.Dummy("d"))
            replaced[node] = tail if toward < 0 else 1 - tail
    value = sp.expand(g.xreplace(replaced))
    if small:
        try:
            poly = sp.Poly(value, *small.values())
        except sp.PolynomialError:
            return None
        rest = [c for m, c in poly.terms() if any(m)]
        if any(not c.is_rational_function(x) or any(f.has(x) for f in c.atoms(sp.Function)) for c in rest):
            return None
        value = poly.coeff_monomial(1)
    if any(f.has(x) for f in value.atoms(sp.Function)) or not value.is_rational_function(x) or value.free_symbols - {x}:
        return None
    return _rational_limit(value, x, direction)
