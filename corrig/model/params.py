"""Parameters: sympy Symbols with a declared range, usable wherever a number is.

A parameter carries its range: `param("p", 0, 1)` and `param("p", 0, 1/2)` are two different
parameters that happen to share a name, so declaring the second never changes the range of a
world built with the first.  A world, objective or plan that mixes two parameters of one name is
refused with ParameterConflict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from corrig.model.errors import ParameterConflict, ParameterError


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


class Parameter(sp.Symbol):
    """A real sympy Symbol that carries its declared range (part of its identity)."""

    def __new__(cls, name: str, low: sp.Expr | None = None, high: sp.Expr | None = None) -> Parameter:
        obj = sp.Symbol.__xnew__(cls, name, real=True)
        obj._range = Range(low, high)
        return obj

    def _hashable_content(self) -> tuple:
        return (*super()._hashable_content(), self._range.low, self._range.high)

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:
        return (self.name, self._range.low, self._range.high), {}

    @property
    def range(self) -> Range:
        """The declared range."""
        return self._range


def param(name: str, low: Any = None, high: Any = None) -> sp.Symbol:
    """A real parameter named `name` ranging over [low, high] (an end of None is unbounded).

    The range is an assumption every simplification and region query uses.  It belongs to the
    returned parameter: declaring the same name again with another range makes another parameter.
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
    return Parameter(name, lo, hi)


def range_of(symbol: sp.Symbol) -> Range:
    """The declared range of a parameter (unbounded for a symbol not declared with `param`)."""
    return symbol.range if isinstance(symbol, Parameter) else Range(None, None)


def _range_text(symbol: sp.Symbol) -> str:
    r = range_of(symbol)
    return f"[{'-∞' if r.low is None else r.low}, {'∞' if r.high is None else r.high}]"


def check_distinct_names(symbols: Iterable[sp.Symbol], where: str) -> None:
    """ParameterConflict when two different parameters (e.g. two ranges) share a name in `where`."""
    by_name: dict[str, sp.Symbol] = {}
    for s in sorted(symbols, key=lambda s: (s.name, str(range_of(s)))):
        other = by_name.setdefault(s.name, s)
        if other != s:
            raise ParameterConflict(
                f"{where}: parameter {s.name} is declared twice with different ranges, {_range_text(other)} and "
                f"{_range_text(s)} (or once with param() and once as a plain symbol); declare it once")


def parameters_in(value: Any) -> frozenset[sp.Symbol]:
    """The parameters a number or sympy expression depends on."""
    if isinstance(value, sp.Basic):
        return frozenset(s for s in value.free_symbols if isinstance(s, sp.Symbol))
    return frozenset()
