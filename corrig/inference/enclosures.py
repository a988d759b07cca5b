"""Interval enclosures of the functions continuous values are written in, for mpmath's interval arithmetic.

mpmath's `iv` context does + − × ÷ and powers of intervals rigorously, but its `iv.erf` and `iv.ncdf` do
not converge (NoConvergence even on [0.1, 0.2]).  Every function here is monotone (Φ, the sigmoid, erf,
erfc, exp, log) or unimodal (φ), so its image of an interval is bounded by its values at the interval's ends
(φ: at the end nearest zero and the end farthest from it), each computed at PRECISION + 20 bits and widened
outward by a few units in the last place; a limit at an infinite end is exact, and no enclosure passes the
function's own range.  `ENCLOSURES` maps sympy's printed names to these functions, for `sympy.lambdify`.
"""

from __future__ import annotations

from typing import Any

import mpmath

PRECISION = 96  # bits of the interval evaluations


def as_interval(x: Any) -> Any:
    """x as an mpmath interval (a number becomes a point interval)."""
    return x if isinstance(x, mpmath.iv.mpf) else mpmath.iv.mpf(x)


def _monotone(function: Any, at_minus_infinity: Any, at_infinity: Any, increasing: bool = True) -> Any:
    """An interval extension of a monotone function: its values at the interval's ends, each computed one
    widened outward (a limit at an infinite end is exact)."""

    def enclose(x: Any) -> Any:
        x = as_interval(x)
        ends = []
        for end in (mpmath.mpf(x.a), mpmath.mpf(x.b)):
            if mpmath.isinf(end):
                limit = mpmath.mpf(at_infinity if end > 0 else at_minus_infinity)
                ends.append((limit, limit))
                continue
            with mpmath.workprec(PRECISION + 20):
                value = function(end)
            widened = _widened(value, value)
            ends.append((mpmath.mpf(widened.a), mpmath.mpf(widened.b)))
        (low, _), (_, high) = (ends[0], ends[1]) if increasing else (ends[1], ends[0])
        floor, ceiling = sorted((mpmath.mpf(at_minus_infinity), mpmath.mpf(at_infinity)))
        return mpmath.iv.mpf([max(low, floor), min(high, ceiling)])  # never past the function's own range
    return enclose


def _widened(low: Any, high: Any) -> Any:
    """[low, high] moved outward by a few units in the last place of PRECISION."""
    slack = mpmath.ldexp(1, -PRECISION + 8)
    return mpmath.iv.mpf([low - abs(low) * slack - slack ** 2, high + abs(high) * slack + slack ** 2])


def _extremum(pick: Any) -> Any:
    """Max or Min of intervals: the pick of the lower ends to the pick of the upper ends."""
    def enclose(*args: Any) -> Any:
        intervals = [as_interval(a) for a in args]
        return mpmath.iv.mpf([pick(mpmath.mpf(i.a) for i in intervals), pick(mpmath.mpf(i.b) for i in intervals)])
    return enclose


def _phi_interval(x: Any) -> Any:
    x = as_interval(x)
    a, b = mpmath.mpf(x.a), mpmath.mpf(x.b)
    nearest = mpmath.mpf(0) if a <= 0 <= b else min(abs(a), abs(b))
    farthest = max(abs(a), abs(b))
    with mpmath.workprec(PRECISION + 20):
        top = mpmath.npdf(nearest)
        bottom = mpmath.mpf(0) if mpmath.isinf(farthest) else mpmath.npdf(farthest)
    enclosed = _widened(bottom, top)
    return mpmath.iv.mpf([max(mpmath.mpf(enclosed.a), 0), mpmath.mpf(enclosed.b)])  # phi >= 0


ENCLOSURES = {
    "Phi": _monotone(mpmath.ncdf, 0, 1),
    "sigmoid": _monotone(lambda v: 1 / (1 + mpmath.exp(-v)), 0, 1),
    "erf": _monotone(mpmath.erf, -1, 1),
    "erfc": _monotone(mpmath.erfc, 2, 0, increasing=False),
    "exp": _monotone(mpmath.exp, 0, mpmath.inf),
    "log": _monotone(mpmath.log, -mpmath.inf, mpmath.inf),
    "phi": _phi_interval,
    "sqrt": lambda x: mpmath.iv.sqrt(as_interval(x)),
    "Max": _extremum(max),
    "Min": _extremum(min),
    "Abs": lambda x: abs(as_interval(x)),
    "pi": mpmath.iv.pi,
    "E": mpmath.iv.e,
}
