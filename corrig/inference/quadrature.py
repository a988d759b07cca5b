"""Integrals without a closed form: an exact symbolic value, evaluated numerically with an error bound.

`Quadrature(integrand, u, low, high, points)` is the number ∫_low^high integrand du.  It is a sympy
function, so it stays exact inside every value built from it (a plan's J(π) is a sum of products of
closed forms and these), its parameters substitute like any other's, and sympy never tries to integrate
it.  A number is asked of it only when one is needed (a comparison, a float, a report): mpmath's
tanh-sinh quadrature (`mpmath.quad`), split at `points` (the integrand's steep places), at the
precision asked for plus a guard.

`bounded(value)` gives a value's float and an error bound: each Quadrature inside it is an mpmath interval
[v - e, v + e], with e the larger of mpmath's own error estimate and the difference from Gauss-Legendre
quadrature on the same pieces, and the value is evaluated in mpmath's interval arithmetic.  The bound is
as good as those two estimates (quadrature of a smooth integrand: the two methods agree to the last digit
or the bound says they do not); it is not a proof, and every report marks such a value "±".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, ClassVar

import mpmath
import numpy as np
import sympy as sp
from mpmath.calculus.quadrature import GaussLegendre

from corrig.inference.enclosures import ENCLOSURES
from corrig.model.links import LINKS

BOUND_PREC = 64  # bits a reported bound is computed at (about 19 digits)

class Quadrature(sp.Function):
    """∫_low^high integrand du: an exact number that has no closed form, evaluated by mpmath.

    An optional sixth argument, `centred` = Tuple(closed, remainder), splits the same number exactly as
    closed + ∫_low^high remainder du: the integral with each link at its centre (sigmoid(0) = Phi(0) = 1/2) in
    closed form, and what the links add to it (corrig.inference.integrals).  Reports never show it; it lets the
    sign of a difference of such integrals be settled from its integrand (corrig.analysis.transcendental)."""

    nargs = (5, 6)
    is_commutative = True

    @classmethod
    def eval(cls, integrand: sp.Expr, u: sp.Expr, low: sp.Expr, high: sp.Expr, points: sp.Tuple,
             centred: sp.Tuple | None = None) -> sp.Expr | None:
        if low == high:
            return sp.S.Zero
        expanded = sp.expand(integrand)  # one form per integral: sympy's expand reaches into the arguments
        split = sp.Tuple(*(sp.expand(part) for part in centred)) if centred else None
        if expanded == integrand and split == (centred or None):
            return None
        return cls(expanded, u, low, high, points, split) if split else cls(expanded, u, low, high, points)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        integrand, u, low, high, points = self.args[:5]
        return (integrand.free_symbols - {u}) | low.free_symbols | high.free_symbols | points.free_symbols

    @property
    def centred(self) -> tuple[sp.Expr, sp.Expr] | None:
        """(closed, remainder) with this number = closed + ∫_low^high remainder du, or None when not known."""
        return tuple(self.args[5]) if len(self.args) == 6 and self.args[5] else None

    @property
    def is_number(self) -> bool:
        return not self.free_symbols

    def _eval_is_extended_real(self) -> bool | None:
        return True if self.is_number else None

    def _eval_evalf(self, prec: int) -> sp.Float | None:
        if not self.is_number or self.has(sp.zoo, sp.nan):
            return None
        value, _ = _integrate(self, _working(prec))
        return sp.Float(value, precision=prec)

    def _sympystr(self, printer: Any) -> str:
        integrand, u, low, high = self.args[:4]
        return f"Integral({printer._print(integrand)}, ({printer._print(u)}, {printer._print(low)}, {printer._print(high)}))"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        integrand, u, low, high = self.args[:4]
        body = (rf"\int_{{{printer._print(low)}}}^{{{printer._print(high)}}} {printer._print(integrand)}"
                rf"\, d{printer._print(u)}")
        return body if exp is None else rf"\left({body}\right)^{{{exp}}}"


def quadrature(integrand: sp.Expr, u: sp.Symbol, low: sp.Expr, high: sp.Expr, points: list[sp.Expr],
               centred: tuple[sp.Expr, sp.Expr] | None = None) -> sp.Expr:
    """The number ∫_low^high integrand du, split at the `points` that lie inside (centred: Quadrature's)."""
    if centred is None:
        return Quadrature(integrand, u, low, high, sp.Tuple(*points))
    return Quadrature(integrand, u, low, high, sp.Tuple(*points), sp.Tuple(*centred))


def _working(prec: int) -> int:
    """The precision an evaluation runs at: the request plus a guard, rounded up so that requests share results,
    and never below BOUND_PREC (a sign asked at low precision then reuses the evaluation a bound makes)."""
    return max(BOUND_PREC, 32 * -(-(prec + 8) // 32))


def _integrate(atom: Quadrature, prec: int, check: bool = False) -> tuple[Any, Any]:
    """(value, error estimate) at `prec` bits by tanh-sinh; with `check`, the error also covers the difference
    from Gauss-Legendre on the same pieces (the bound a report shows)."""
    value, error, function, _ = _tanh_sinh(atom, prec)
    if not check or function is None:
        return value, error
    return value, max(error, _legendre_difference(atom, prec))


@lru_cache(maxsize=4096)
def _tanh_sinh(atom: Quadrature, prec: int) -> tuple[Any, Any, Any, list[Any]]:
    """(value, error estimate, integrand, pieces' ends) at `prec` bits by tanh-sinh (integrand None: no range)."""
    integrand, u, low, high, points = atom.args[:5]
    function = sp.lambdify(u, integrand, modules=[{n: _mp_link(n) for n in LINKS}, "mpmath"])
    with mpmath.workprec(prec):
        ends = [_mp(low), *(_mp(p) for p in points), _mp(high)]
        ends = [ends[0], *sorted(p for p in ends[1:-1] if ends[0] < p < ends[-1]), ends[-1]]
        if ends[0] == ends[-1]:
            return mpmath.mpf(0), mpmath.mpf(0), None, ends
        value, error = mpmath.quad(function, ends, error=True)
        floor = mpmath.ldexp(max(abs(value), 1), 12 - prec)  # never claim more than the working precision
        return value, max(abs(error), floor), function, ends


@lru_cache(maxsize=4096)
def _legendre_difference(atom: Quadrature, prec: int) -> Any:
    """|tanh-sinh − Gauss-Legendre| on the same pieces at `prec` bits."""
    value, _, function, ends = _tanh_sinh(atom, prec)
    with mpmath.workprec(prec):
        return abs(value - mpmath.quad(function, ends, method=_SeededLegendre))


class _SeededLegendre(GaussLegendre):
    """mpmath's Gauss-Legendre rule (degree m: 3·2^(m-1) nodes), its nodes found by Newton steps at the working
    precision from float roots (Newton in numpy) instead of several from an asymptotic guess: a Newton step squares the
    relative error, so from a float's ~1e-16 one reaches ~1e-30, past the ~25 digits an evaluation at BOUND_PREC
    works at (the step is repeated where it is not).  The Legendre recurrence runs in fixed-point integers with
    40 guard bits (its n roundings of one unit each stay far below the precision).  One shared node cache per
    process, as mpmath's own rule."""

    _shared: ClassVar[dict] = {}

    def __init__(self, ctx: Any):
        super().__init__(ctx)
        self.standard_cache = self._shared

    def calc_nodes(self, degree: int, prec: int, verbose: bool = False) -> list[tuple[Any, Any]]:
        ctx = self.ctx
        n = 3 * 2 ** (degree - 1)
        if prec > 160 or n % 2:  # beyond what one step from a float reaches: mpmath's own iteration
            return super().calc_nodes(degree, prec, verbose)
        bits = prec + 40
        one = 1 << bits
        nodes = []
        with ctx.workprec(prec + 20):
            for seed in _float_roots(n):
                r = int(float(seed) * (1 << 60)) << (bits - 60)
                for _ in range(4):
                    t1, t2 = one, 0  # P_j(r), P_{j-1}(r), scaled by 2^bits
                    for j in range(1, n + 1):
                        t2, t1 = t1, ((2 * j - 1) * ((r * t1) >> bits) - (j - 1) * t2) // j
                    t4 = n * (((r * t1) >> bits) - t2) * one // (((r * r) >> bits) - one)  # P_n'(r)
                    step = t1 * one // t4
                    r -= step
                    if (n * step) ** 2 >> bits < one >> (prec + 8):  # the next step would be below the precision
                        break
                x, p, dp, d = (ctx.ldexp(ctx.mpf(v), -bits) for v in (r, t1, t4, step))
                # P_n' at the new x to first order, P_n'' from Legendre's equation (1 - x²)P'' = 2xP' - n(n+1)P
                dp -= d * (2 * (x + d) * dp - n * (n + 1) * p) / (1 - (x + d) ** 2)
                w = 2 / ((1 - x ** 2) * dp ** 2)
                nodes += [(+x, w), (-x, w)]
        return nodes


def _float_roots(n: int) -> np.ndarray:
    """The positive roots of the Legendre polynomial P_n (n even) in floats: Newton's method on all at once from
    the asymptotic guess cos(π(k - 1/4)/(n + 1/2))."""
    r = np.cos(np.pi * (np.arange(1, n // 2 + 1) - 0.25) / (n + 0.5))
    for _ in range(8):
        p1, p2 = np.ones_like(r), np.zeros_like(r)
        for j in range(1, n + 1):
            p1, p2 = ((2 * j - 1) * r * p1 - (j - 1) * p2) / j, p1
        r = r - p1 / (n * (r * p1 - p2) / (r * r - 1))
    return r


def _mp_link(name: str) -> Any:
    return lambda x: LINKS[name]._mpmath(x)


def _mp(value: sp.Expr) -> Any:
    if value is sp.S.Infinity:
        return mpmath.inf
    if value is sp.S.NegativeInfinity:
        return -mpmath.inf
    return mpmath.mpf(sp.Float(value.evalf(mpmath.mp.dps + 5), mpmath.mp.dps + 5)._to_mpmath(mpmath.mp.prec))


def atoms_of(value: Any) -> set[Quadrature]:
    """The Quadrature atoms a value holds."""
    return set(value.atoms(Quadrature)) if isinstance(value, sp.Basic) else set()


def is_bounded(value: Any) -> bool:
    """True for a number known only numerically (it holds a Quadrature)."""
    return bool(atoms_of(value))


def bounded(value: Any) -> tuple[float, float]:
    """(value, error bound) of a parameter-free number holding Quadrature atoms, by interval arithmetic."""
    atoms = sorted(atoms_of(value), key=str)
    if not atoms:
        return float(value), 0.0
    prec = BOUND_PREC
    names = [sp.Dummy(f"q{i}") for i in range(len(atoms))]
    expression = sp.sympify(value).xreplace(dict(zip(atoms, names, strict=True)))
    function = sp.lambdify(names, expression, modules=[ENCLOSURES, "mpmath"])
    saved = mpmath.iv.prec
    mpmath.iv.prec = prec
    try:
        integrals = [_integrate(atom, prec, True) for atom in atoms]
        try:
            result = function(*(mpmath.iv.mpf(middle) + mpmath.iv.mpf([-error, error]) for middle, error in integrals))
            return float(result.mid), float(result.delta / 2)
        except (ArithmeticError, ValueError, TypeError, mpmath.libmp.NoConvergence):
            return _first_order(expression, names, integrals)  # a function without an enclosure (a polylog)
    finally:
        mpmath.iv.prec = saved


def middle(value: Any) -> float:
    """A parameter-free value as a float; one holding quadratures read from `bounded` (its quadratures evaluated
    once, as the error bound a comparison or a report then reuses, rather than again at float's precision)."""
    return bounded(value)[0] if is_bounded(value) else float(value)


def _first_order(expression: sp.Expr, names: list[sp.Symbol], integrals: list[tuple[Any, Any]]) -> tuple[float, float]:
    """(value, error) with each quadrature's error carried to first order (twice, for safety)."""
    function = sp.lambdify(names, expression, modules=[{n: _mp_link(n) for n in LINKS}, "mpmath"])
    middles = [m for m, _ in integrals]
    value = function(*middles)
    error = mpmath.mpf(0)
    for i, (m, e) in enumerate(integrals):
        shifted = list(middles)
        shifted[i] = m + e
        error += 2 * abs(function(*shifted) - value)
    return float(value), float(error + abs(value) * mpmath.ldexp(1, -50))


def show_bounded(value: Any, digits: int = 10) -> str:
    """A bounded number as text: `0.123456 ± 2e-17 (quadrature)`."""
    middle, error = bounded(value)
    return f"{middle:.{digits}g} ± {error:.1g} (quadrature)"


def _float_links() -> dict[str, Any]:
    def sigmoid(x: float) -> float:
        return 1 / (1 + math.exp(-x)) if x > -700 else 0.0

    return {"Phi": lambda x: 0.5 * math.erfc(-x / math.sqrt(2)), "phi": lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi),
            "sigmoid": sigmoid, "erf": math.erf, "erfc": math.erfc}


class _FloatForm:
    """An expression compiled once for evaluation in double precision at many points: its closed-form part
    lambdified, each Quadrature's integrand and ends lambdified in the parameters."""

    def __init__(self, expr: sp.Expr):
        atoms = sorted(atoms_of(expr), key=str)
        self.parameters = sorted((s for s in expr.free_symbols if isinstance(s, sp.Symbol)), key=str)
        names = [sp.Dummy(f"q{i}") for i in range(len(atoms))]
        modules = [_float_links(), "math", "mpmath"]
        self.outer = sp.lambdify([*self.parameters, *names], expr.xreplace(dict(zip(atoms, names, strict=True))),
                                 modules=modules)
        self.inner = [_float_quadrature(atom, tuple(self.parameters)) for atom in atoms]

    def __call__(self, values: list[float]) -> tuple[float, float]:
        integrals = [integral(tuple(values)) for integral in self.inner]
        middle = float(self.outer(*values, *(v for v, _ in integrals)))
        error = 1e-14 * max(1.0, abs(middle))
        for i, (v, e) in enumerate(integrals):  # each integral's error carried to first order (twice, for safety)
            shifted = [w for w, _ in integrals]
            shifted[i] = v + e
            error += 2 * abs(float(self.outer(*values, *shifted)) - middle) + 1e-15
        return middle, error


@lru_cache(maxsize=1024)
def _float_quadrature(atom: Quadrature, parameters: tuple[sp.Symbol, ...]) -> Any:
    """The atom as a function of the parameters' values: (value, error) by mpmath.fp.quad, each point once."""
    integrand, u, low, high, points = atom.args[:5]
    modules = [_float_links(), "math", "mpmath"]
    function = sp.lambdify([u, *parameters], integrand, modules=modules)
    ends = sp.lambdify(parameters, [low, *points, high], modules=modules)

    @lru_cache(maxsize=65536)
    def at(values: tuple[float, ...]) -> tuple[float, float]:
        cuts = [float(e) for e in ends(*values)]
        cuts = [cuts[0], *sorted(c for c in cuts[1:-1] if cuts[0] < c < cuts[-1]), cuts[-1]]
        value, error = mpmath.fp.quad(lambda x: function(x, *values), cuts, error=True)
        return float(value), max(float(error), 1e-15 * max(1.0, abs(float(value))))

    return at


@lru_cache(maxsize=1024)
def _float_form(expr: sp.Expr) -> _FloatForm:
    return _FloatForm(expr)


def fast_value(expr: Any, point: Mapping[sp.Symbol, Any]) -> tuple[float | None, float]:
    """(float value, error bound) of an expression at a parameter point: closed forms in double precision,
    each Quadrature by mpmath.fp.quad, its error carried to first order (None: not a finite real number)."""
    expr = sp.sympify(expr)
    try:
        form = _float_form(expr)
        middle, error = form([float(point[s]) for s in form.parameters])
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, KeyError):
        return None, math.inf
    return (middle, error) if math.isfinite(middle) else (None, math.inf)
