"""Objectives that aggregate several principals or value hypotheses: weighted sums, Nash bargaining, maximin.

Each part J_i is an ordinary term (e.g. E(V1), or E(Score, given(U="u1")) for a value hypothesis):

    weighted_sum([J_1, J_2], [w_1, w_2])            Σ w_i J_i   (an ordinary linear term)
    nash([J_1, J_2], disagreement=[d_1, d_2])        Π max(J_i − d_i, 0)^{w_i}   (weights default 1)
    maximin([J_1, J_2])                              min_i J_i

They are terms like any other: exact values, symbolic parameters, `atoms()` for the flags, a repr
that is valid Python and `to_latex()`.  The gains of a Nash product are cut at zero: a policy that
leaves some part below its disagreement value scores 0, as bad as the disagreement point itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from corrig.model.errors import QueryError
from corrig.model.limits import LimitError
from corrig.model.numbers import MAX_BITS, MAX_DEGREE, bit_length, degree_bound
from corrig.objectives.terms import Atom, Term, _combine, _subs_value, _unique, as_term

if TYPE_CHECKING:
    from corrig.model.world import World


def _number(value: Any, what: str) -> Any:
    term = as_term(value)
    if not hasattr(term, "value"):
        raise QueryError(f"{what} must be a number or a parameter expression, got {value!r}")
    number = sp.sympify(term.evaluate(None))  # type: ignore[arg-type]
    if number.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise QueryError(f"{what}: {value!r} is not a finite number")
    for atom in number.atoms(sp.Rational):
        if (bit_length(atom) or 0) > MAX_BITS:
            raise QueryError(f"{what}: {value!r} has more than {MAX_BITS} bits")
    return number


def _parts(parts: Sequence[Any], what: str) -> tuple[Term, ...]:
    if isinstance(parts, Term) or not isinstance(parts, Sequence) or not parts:
        raise QueryError(f"{what} needs a non-empty list of terms, got {parts!r}")
    return tuple(as_term(p) for p in parts)


def _numbers(values: Sequence[Any] | None, n: int, default: Any, what: str) -> tuple[Any, ...]:
    if values is None:
        return (sp.sympify(default),) * n
    if isinstance(values, str) or not isinstance(values, Sequence) or len(values) != n:
        raise QueryError(f"{what} needs one number per part ({n}), got {values!r}")
    return tuple(_number(v, what) for v in values)


def nash_value(values: Sequence[Any], disagreement: Sequence[Any], weights: Sequence[Any]) -> Any:
    """Π max(v_i − d_i, 0)^{w_i}: exact for exact input, a sympy expression with parameters.

    Raises LimitError, before any power is computed, when the product would have more than MAX_BITS
    bits or a degree above MAX_DEGREE in the parameters (the budgets of an expression's `**`)."""
    gains = [sp.sympify(v) - d for v, d in zip(values, disagreement, strict=True)]
    for gain in gains:
        if gain.is_number and gain <= 0:
            return _combine(sp.Integer(0) * gain)
    _check_size(gains, weights)
    result: Any = sp.Integer(1)
    for gain, w in zip(gains, weights, strict=True):
        result = result * (gain ** w if gain.is_number else sp.Max(gain, 0) ** w)
    return _combine(result)


def _check_size(gains: Sequence[Any], weights: Sequence[Any]) -> None:
    """Refuse a Nash product whose exact value would be larger than the number budgets."""
    bits = degree = 0
    for i, (gain, w) in enumerate(zip(gains, weights, strict=True), start=1):
        w = sp.sympify(w)
        if w.free_symbols or gain == 1:
            continue
        times = math.ceil(w)
        if gain.is_number:
            size = bit_length(gain) if gain.is_Rational else abs(math.log2(abs(float(gain)))) + 1
            bits += size * times
            if bits > MAX_BITS:
                raise LimitError(f"the Nash product would have more than {MAX_BITS} bits (part {i}: a gain of "
                                 f"{_clipped(gain)} to the power {_clipped(w)}); use fewer parts or smaller weights")
        else:
            degree += degree_bound(gain) * times
            if degree > MAX_DEGREE:
                raise LimitError(f"the Nash product would have degree more than {MAX_DEGREE} in the parameters "
                                 f"(part {i}: {_clipped(gain)} to the power {_clipped(w)}); use fewer parts or "
                                 f"smaller weights")


def _clipped(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _repr_list(values: Sequence[Any]) -> str:
    from corrig.objectives.terms import Constant

    return "[" + ", ".join(repr(Constant(v)) for v in values) + "]"


@dataclass(frozen=True)
class Nash(Term):
    """Nash bargaining: Π max(J_i − d_i, 0)^{w_i} over the parts J_i."""

    parts: tuple[Term, ...]
    disagreement: tuple[Any, ...]
    weights: tuple[Any, ...]

    def evaluate(self, world: World, policy: Any = None, *, cache: dict | None = None) -> Any:
        values = [t.evaluate(world, policy, cache=cache) for t in self.parts]
        return nash_value(values, self.disagreement, self.weights)

    def subterms(self) -> tuple[Term, ...]:
        return self.parts

    def atoms(self) -> tuple[Atom, ...]:
        return _unique(a for t in self.parts for a in t.atoms())

    def subs(self, values: Mapping[Any, Any]) -> Term:
        return Nash(tuple(t.subs(values) for t in self.parts), tuple(_subs_value(d, values) for d in self.disagreement),
                    tuple(_subs_value(w, values) for w in self.weights))

    def to_latex(self) -> str:
        factors = []
        for t, d, w in zip(self.parts, self.disagreement, self.weights, strict=True):
            gain = t.to_latex() + ("" if d == 0 else f" - {sp.latex(d)}")
            factors.append(rf"\left({gain}\right)" + ("" if w == 1 else f"^{{{sp.latex(w)}}}"))
        return r" \cdot ".join(factors)

    def __repr__(self) -> str:
        parts = ", ".join(repr(t) for t in self.parts)
        return f"nash([{parts}], disagreement={_repr_list(self.disagreement)}, weights={_repr_list(self.weights)})"


@dataclass(frozen=True)
class Maximin(Term):
    """The worst part: min_i J_i."""

    parts: tuple[Term, ...]

    def evaluate(self, world: World, policy: Any = None, *, cache: dict | None = None) -> Any:
        values = [sp.sympify(t.evaluate(world, policy, cache=cache)) for t in self.parts]
        if all(v.is_number for v in values):
            return _combine(min(values, key=float))
        return sp.Min(*values)

    def subterms(self) -> tuple[Term, ...]:
        return self.parts

    def atoms(self) -> tuple[Atom, ...]:
        return _unique(a for t in self.parts for a in t.atoms())

    def subs(self, values: Mapping[Any, Any]) -> Term:
        return Maximin(tuple(t.subs(values) for t in self.parts))

    def to_latex(self) -> str:
        return r"\min\left(" + ", ".join(t.to_latex() for t in self.parts) + r"\right)"

    def __repr__(self) -> str:
        return "maximin([" + ", ".join(repr(t) for t in self.parts) + "])"


def weighted_sum(parts: Sequence[Any], weights: Sequence[Any] | None = None) -> Term:
    """Σ w_i J_i (weights default 1): an ordinary linear term, so every flag reads it as usual."""
    terms = _parts(parts, "weighted_sum")
    ws = _numbers(weights, len(terms), 1, "weighted_sum weights")
    return sum((w * t for w, t in zip(ws, terms, strict=True)), as_term(0))


def nash(parts: Sequence[Any], disagreement: Sequence[Any] | None = None, weights: Sequence[Any] | None = None) -> Nash:
    """Nash bargaining over the parts: Π max(J_i − d_i, 0)^{w_i} (d defaults to 0, w to 1)."""
    terms = _parts(parts, "nash")
    d = _numbers(disagreement, len(terms), 0, "nash disagreement")
    w = _numbers(weights, len(terms), 1, "nash weights")
    for i, x in enumerate(w):
        if x.is_number and x <= 0:
            raise QueryError(f"nash weights must be positive; weight {i + 1} is {x}")
    return Nash(terms, d, w)


def maximin(parts: Sequence[Any]) -> Maximin:
    """The worst-off part: min_i J_i."""
    return Maximin(_parts(parts, "maximin"))
