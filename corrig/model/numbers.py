"""Numbers and distributions: a user's probability or utility as a sympy number, the check that a
list of such numbers is a distribution (in [0, 1], summing to one), and the size budgets of exact
numbers (MAX_BITS bits, MAX_DEGREE in the parameters) that files and objectives are held to."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.polys.fields import sfield

from corrig.model.errors import DistributionError
from corrig.model.expr import State
from corrig.model.params import parameters_in, range_of

FLOAT_TOLERANCE = 1e-9
MAX_BITS = 4096  # bits of any exact number a file or an objective builds (numerator or denominator)
MAX_DEGREE = 64  # polynomial degree of an expression in the parameters
MAX_TEXT_DIGITS = 300  # digits of a number given as text, exponent included (1e-99999 has 100 000)
_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE]([+-]?\d+))?(/\d+)?")


def to_number(value: Any, where: object) -> sp.Expr:
    """A user's probability or utility as a sympy number: exact input stays exact, floats stay floats.

    `where` names the number's place in error messages (a string, or an object formatted only then)."""
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


def exactly_equal(a: Any, b: Any) -> bool:
    """Whether two exact values are equal: a rational function of the parameters with rational coefficients is
    put in lowest terms in sympy's rational function field (a canonical form, so zero exactly when it is zero);
    anything else (irrational numbers, floats, functions) is left to sympy's simplify."""
    difference = sp.sympify(a) - sp.sympify(b)
    if difference.is_Rational:
        return difference == 0
    symbols = sorted(difference.free_symbols, key=str)
    if symbols and difference.is_rational_function(*symbols):
        try:
            _, element = sfield(difference, *symbols, domain=sp.QQ)
            return element == 0
        except (TypeError, sp.CoercionFailed, sp.PolynomialError, sp.DomainError):
            pass  # a coefficient outside the rationals
    return sp.simplify(difference) == 0


def check_distribution(values: tuple[sp.Expr, ...], states: tuple[State, ...], where: object) -> None:
    """Raise DistributionError unless `values` is a distribution: in [0, 1] and summing to one.

    Exact values are checked exactly; floats within FLOAT_TOLERANCE; symbolic values at the
    corners and centre of their parameters' declared box.
    """
    if sum(v is sp.S.One for v in values) == 1 and all(v is sp.S.One or v is sp.S.Zero for v in values):
        return  # a point mass: the row of every pure rule and deterministic mechanism
    floats = any(is_float_valued(v) for v in values)
    slack = FLOAT_TOLERANCE if floats else 0
    for state, value in zip(states, values, strict=True):
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise DistributionError(f"{where}: the probability of {state!r} is {value}, not a number in [0, 1]")
        if parameters_in(value):
            _check_on_box(value, state, where, slack)
        elif value.is_number and (value.is_real is False or value < -slack or value > 1 + slack):
            raise DistributionError(f"{where}: the probability of {state!r} is {value}, outside [0, 1]")
    total = sp.Add(*values)
    if total.is_number:
        off = abs(float(total) - 1) > FLOAT_TOLERANCE if floats else total != 1
        if off:
            shown = float(total) if floats else total
            raise DistributionError(f"{where}: the probabilities sum to {shown!r}, not 1" + (
                f" (tolerance {FLOAT_TOLERANCE})" if floats else ""))
    elif not exactly_equal(total, 1):
        raise DistributionError(f"{where}: the probabilities sum to {sp.simplify(total)}, not 1")


_BOX_VERDICTS: dict[tuple, Any] = {}  # (value, box, slack) -> verdict: worlds of a hunt or a plan repeat their rows
_BOX_VERDICTS_LIMIT = 4096


def _check_on_box(value: sp.Expr, state: State, where: object, slack: Any) -> None:
    """Raise unless a symbolic probability lies in [0, 1] at every point of its parameters' box (decided exactly)."""
    from corrig.model.box import in_unit_interval

    symbols = sorted(parameters_in(value), key=str)
    box = {s: (range_of(s).low, range_of(s).high) for s in symbols}
    key = (value, tuple(box.items()), slack)
    verdict = _BOX_VERDICTS.get(key)
    if verdict is None:
        verdict = in_unit_interval(value, box, slack)
        if len(_BOX_VERDICTS) >= _BOX_VERDICTS_LIMIT:
            _BOX_VERDICTS.clear()
        _BOX_VERDICTS[key] = verdict
    if verdict.holds:
        return
    spans = ", ".join(f"{s} in [{'-oo' if lo is None else lo}, {'oo' if hi is None else hi}]" for s, (lo, hi) in box.items())
    if verdict.undecidable:
        raise DistributionError(f"{where}: cannot decide whether the probability of {state!r}, {value}, lies in [0, 1] "
                                f"for every {spans}: {verdict.undecidable}; give the parameters values (at=...) or "
                                f"narrower ranges")
    point = verdict.point or {}
    at = ", ".join(f"{k}={x}" for k, x in point.items())
    shown = value.subs(point) if point else value
    raise DistributionError(f"{where}: the probability of {state!r} is {value}, outside [0, 1] at {at} (where it is "
                            f"{shown}); its parameters range over {spans}")


def degree_bound(value: sp.Basic) -> int:
    """An upper bound on the degree of an expression in its symbols (numerator and denominator alike)."""
    if value.is_Symbol:
        return 1
    if value.is_number:
        return 0
    if value.is_Add:
        return max(degree_bound(a) for a in value.args)
    if value.is_Mul:
        return sum(degree_bound(a) for a in value.args)
    if value.is_Pow:
        exponent = value.exp
        if exponent.is_Rational:
            return degree_bound(value.base) * math.ceil(abs(exponent))
        return MAX_DEGREE + 1
    return sum(degree_bound(a) for a in value.args) if value.args else 0


def bit_length(value: Any) -> int | None:
    """The bit length of an exact number's numerator or denominator (None for anything else)."""
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return value.bit_length()
    if isinstance(value, Fraction):
        return max(value.numerator.bit_length(), value.denominator.bit_length())
    if isinstance(value, sp.Rational):
        return max(int(value.p).bit_length(), int(value.q).bit_length())
    return None


def number_from_text(text: str) -> sp.Rational:
    """An exact number from text: 2, 0.3, 1/4, -1e-3 (at most MAX_TEXT_DIGITS digits once the exponent is
    applied); ValueError saying why otherwise.  Nothing in the text is evaluated."""
    match = _NUMBER_TEXT.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text[:40]!r} is not a number (write 0.3, 1/4 or 2)")
    exponent = match.group(4) or "0"
    if len(text) > MAX_TEXT_DIGITS or len(exponent) > 4 or len(text) + abs(int(exponent)) > MAX_TEXT_DIGITS:
        raise ValueError(f"{text[:40]!r} has more than {MAX_TEXT_DIGITS} digits")
    try:
        return sp.Rational(text.strip())
    except (TypeError, ValueError, ZeroDivisionError):
        raise ValueError(f"{text[:40]!r} is not a number") from None
