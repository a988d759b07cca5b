"""The parameters a plan reads, and the values `at=` gives them: resolved by name, exact, within range."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.model.errors import ParameterError
from corrig.model.expr import BinOp, Compare, Const, Expr, In, Logic
from corrig.model.numbers import number_from_text
from corrig.model.params import range_of
from corrig.model.world import World
from corrig.objectives.terms import Atom, Constant, Term


def as_number(value: Any, what: str) -> Any:
    """A number a caller gives (int, Fraction, float, sympy, or text such as "1/10" or "0.05", read exactly
    and never evaluated) as sympy; floats stay floats."""
    if isinstance(value, bool):
        raise ParameterError(f"{what}: {value!r} is not a number")
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        try:
            return number_from_text(value)
        except ValueError as exc:
            raise ParameterError(f"{what}: {exc}") from None
    if isinstance(value, int | sp.Basic):
        return sp.sympify(value)
    raise ParameterError(f"{what}: {value!r} is not a number")


def _expr_parameters(expr: Expr) -> set[sp.Symbol]:
    if isinstance(expr, Const):
        return set(expr.value.free_symbols) if isinstance(expr.value, sp.Basic) else set()
    if isinstance(expr, BinOp | Compare):
        return _expr_parameters(expr.left) | _expr_parameters(expr.right)
    if isinstance(expr, In):
        return _expr_parameters(expr.expr)
    if isinstance(expr, Logic):
        return set().union(*(_expr_parameters(a) for a in expr.args))
    return set()


def term_parameters(term: Term) -> set[sp.Symbol]:
    """The parameters a term's weights and quantities read."""
    if isinstance(term, Constant):
        return set(term.value.free_symbols) if isinstance(term.value, sp.Basic) else set()
    if isinstance(term, Atom):
        return _expr_parameters(term.target)
    return set().union(*(term_parameters(t) for t in getattr(term, "terms", ())))


def resolve_at(at: Mapping[Any, Any], world: World, utility: Term | None, eps: Any = None,
               extra: Mapping[str, set[sp.Symbol]] | None = None) -> dict[sp.Symbol, Any]:
    """`at=` as {parameter: exact number}: names resolved against the world, the objective (None: there is
    none), ε (when it holds parameters) and `extra` ({what: its parameters}, e.g. the agents' objectives);
    each value checked against its parameter's declared range.  An unknown name is refused naming the
    places looked in."""
    if not isinstance(at, Mapping):
        raise ParameterError(f"at= must be a {{parameter: value}} mapping, got {type(at).__name__}")
    sources: dict[str, set[sp.Symbol]] = {"the world": set(world.compiled.parameters)}
    if utility is not None:
        sources["the objective"] = term_parameters(utility)
    sources.update({what: set(found) for what, found in (extra or {}).items() if found})
    if getattr(eps, "free_symbols", None):
        sources["ε"] = set(eps.free_symbols)
    known = set().union(*sources.values())
    by_name = {s.name: s for s in known}
    values = {}
    for key, value in at.items():
        symbol = by_name.get(key) if isinstance(key, str) else key
        if symbol not in known:
            places = list(sources)
            where = places[0] if len(places) == 1 else f"{', '.join(places[:-1])} or {places[-1]}"
            listed = f"the parameters are {sorted(by_name)}" if by_name else "there are no parameters"
            raise ParameterError(f"at= names {key!s}, which is not a parameter of {where}; {listed}")
        number = as_number(value, f"the value of parameter {symbol}")
        span = range_of(symbol)
        if number.is_number if isinstance(number, sp.Basic) else True:
            outside = (span.low is not None and number < span.low) or (span.high is not None and number > span.high)
            if outside:
                raise ParameterError(f"parameter {symbol} = {value} is outside its declared range "
                                     f"[{span.low}, {span.high}]")
        values[symbol] = number
    return values
