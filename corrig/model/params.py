"""Parameters: sympy Symbols with a declared range, usable wherever a number is."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy as sp

from corrig.model.errors import ParameterError


@dataclass(frozen=True)
class Range:
    """The closed interval a parameter lives in; `None` ends are unbounded."""

    low: sp.Expr | None
    high: sp.Expr | None

    @property
    def bounded(self) -> bool:
        """True when both ends are finite."""
        return self.low is not None and self.high is not None

    def interval(self) -> sp.Interval:
        """The range as a sympy Interval."""
        low = sp.S.NegativeInfinity if self.low is None else self.low
        high = sp.S.Infinity if self.high is None else self.high
        return sp.Interval(low, high)


_RANGES: dict[sp.Symbol, Range] = {}


def param(name: str, low: Any = None, high: Any = None) -> sp.Symbol:
    """A real parameter named `name` ranging over [low, high] (an end of None is unbounded).

    The range is an assumption every simplification and region query uses.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ParameterError(f"a parameter name must be an identifier, got {name!r}")
    for end in (low, high):
        if isinstance(end, float) and not math.isfinite(end):
            raise ParameterError(f"parameter {name}: its range ends at {end}; give a finite number, or None for "
                                 f"no bound")
    lo = None if low is None else sp.nsimplify(low, rational=True)
    hi = None if high is None else sp.nsimplify(high, rational=True)
    for end in (lo, hi):
        if end is not None and (end.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not end.is_real):
            raise ParameterError(f"parameter {name}: its range ends at {end}; give a finite number, or None for "
                                 f"no bound")
    if lo is not None and hi is not None and not lo < hi:
        raise ParameterError(f"parameter {name}: its range [{lo}, {hi}] is empty or a point")
    symbol = sp.Symbol(name, real=True)
    _RANGES[symbol] = Range(lo, hi)
    return symbol


def range_of(symbol: sp.Symbol) -> Range:
    """The declared range of a parameter (unbounded when it was never declared with `param`)."""
    return _RANGES.get(symbol, Range(None, None))


def parameters_in(value: Any) -> frozenset[sp.Symbol]:
    """The parameters a number or sympy expression depends on."""
    if isinstance(value, sp.Basic):
        return frozenset(s for s in value.free_symbols if isinstance(s, sp.Symbol))
    return frozenset()
