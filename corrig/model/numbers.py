"""Numbers and distributions: a user's probability or utility as a sympy number, and the check that a
list of such numbers is a distribution (in [0, 1], summing to one)."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.model.errors import DistributionError
from corrig.model.expr import State
from corrig.model.params import parameters_in, range_of

FLOAT_TOLERANCE = 1e-9


def to_number(value: Any, where: str) -> sp.Expr:
    """A user's probability or utility as a sympy number: exact input stays exact, floats stay floats."""
    if isinstance(value, bool):
        raise DistributionError(f"{where}: {value!r} is a truth value, not a number")
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, int | float | sp.Basic):
        number = sp.sympify(value)
        if isinstance(number, sp.Expr):
            return number
    raise DistributionError(f"{where}: {value!r} is not a number or a sympy expression")


def is_float_valued(value: sp.Expr) -> bool:
    """True when a value carries floating-point numbers (it then selects the float backend)."""
    return value.has(sp.Float)


def check_distribution(values: tuple[sp.Expr, ...], states: tuple[State, ...], where: str) -> None:
    """Raise DistributionError unless `values` is a distribution: in [0, 1] and summing to one.

    Exact values are checked exactly; floats within FLOAT_TOLERANCE; symbolic values at the
    corners and centre of their parameters' declared box.
    """
    floats = any(is_float_valued(v) for v in values)
    slack = FLOAT_TOLERANCE if floats else 0
    for state, value in zip(states, values, strict=True):
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise DistributionError(f"{where}: the probability of {state!r} is {value}, not a number in [0, 1]")
        for point in _check_points(value):
            v = value.subs(point) if point else value
            if v.is_number and (v.is_real is False or v < -slack or v > 1 + slack):
                at = f" at {', '.join(f'{k}={x}' for k, x in point.items())}" if point else ""
                raise DistributionError(f"{where}: the probability of {state!r} is {value}, outside [0, 1]{at}")
    total = sp.Add(*values)
    if total.is_number:
        off = abs(float(total) - 1) > FLOAT_TOLERANCE if floats else total != 1
        if off:
            shown = float(total) if floats else total
            raise DistributionError(f"{where}: the probabilities sum to {shown!r}, not 1" + (
                f" (tolerance {FLOAT_TOLERANCE})" if floats else ""))
    elif sp.cancel(total - 1) != 0 and sp.simplify(total - 1) != 0:
        raise DistributionError(f"{where}: the probabilities sum to {sp.simplify(total)}, not 1")


def _check_points(value: sp.Expr) -> list[dict[sp.Symbol, sp.Expr]]:
    symbols = sorted(parameters_in(value), key=str)
    if not symbols:
        return [{}]
    ranges = [range_of(s) for s in symbols]
    if not all(r.bounded for r in ranges):
        return []
    corners = [dict(zip(symbols, c, strict=True)) for c in itertools.product(*((r.low, r.high) for r in ranges))]
    centre = {s: (r.low + r.high) / 2 for s, r in zip(symbols, ranges, strict=True)}
    return [*corners, centre]
