"""Terms of an objective: P(event, *branch) and E(quantity, *branch), and their arithmetic.

A branch reads the world one way: factual (no parts), conditional `given(...)`,
interventional `do(...)` (both together: condition inside the mutilated world), or
counterfactual `observed(...) >> do(...)` (observe in the factual world, evaluate in the
intervened twin).  Terms add, subtract and multiply with numbers, parameters and other terms,
so an objective reads like the math:

    P(B == "off", do(H="stop")) + E(V, do(H="run"))

Terms are immutable and hashable; their repr is valid Python and `to_latex()` renders them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from corrig.model import limits
from corrig.model.errors import QueryError
from corrig.model.expr import Expr, State, lift, not_an_event

if TYPE_CHECKING:
    from corrig.model.world import World

Assignment = tuple[tuple[str, State], ...]


def _assignment(assignment: Mapping[str, State] | None, kwargs: Mapping[str, State], what: str) -> Assignment:
    merged = {**(assignment or {}), **kwargs}
    if not merged:
        raise QueryError(f"{what}(...) needs at least one node=state")
    return tuple(merged.items())


def _assignment_repr(assignment: Assignment) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in assignment)


@dataclass(frozen=True)
class Do:
    """An intervention do(X=x, ...): replace each named node's mechanism by a constant."""

    assignment: Assignment

    def __repr__(self) -> str:
        return f"do({_assignment_repr(self.assignment)})"

    def to_latex(self) -> str:
        return rf"\mathrm{{do}}({_latex_assign(self.assignment)})"

    def as_dict(self) -> dict[str, State]:
        """The intervention as {node: state}."""
        return dict(self.assignment)


@dataclass(frozen=True, eq=False)
class _EventPart:
    """An event given either as an expression or as keyword assignments."""

    event: Expr | None
    assignment: Assignment

    def resolve(self, world: World) -> Expr:
        """The event as an expression over `world`'s nodes."""
        from corrig.inference.engine import as_event

        return as_event(world, self.event if self.event is not None else dict(self.assignment))

    def _event_repr(self) -> str:
        return repr(self.event) if self.event is not None else _assignment_repr(self.assignment)

    def _event_latex(self) -> str:
        return self.event.to_latex() if self.event is not None else _latex_assign(self.assignment)

    def _key(self) -> tuple:
        return (type(self).__name__, None if self.event is None else (type(self.event).__name__, self.event._key()),
                self.assignment)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _EventPart) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


class Given(_EventPart):
    """Conditioning on an event in the (possibly intervened) world."""

    def __repr__(self) -> str:
        return f"given({self._event_repr()})"


class Observed(_EventPart):
    """An observation in the factual world; `observed(E) >> do(X=x)` makes a counterfactual."""

    def __repr__(self) -> str:
        return f"observed({self._event_repr()})"

    def __rshift__(self, intervention: Do) -> Counterfactual:
        if not isinstance(intervention, Do):
            raise QueryError(f"observed(...) >> needs a do(...), got {intervention!r}")
        return Counterfactual(self, intervention)


@dataclass(frozen=True)
class Counterfactual:
    """E[f in the world intervened by `intervention` | `observation` in the factual world]."""

    observation: Observed
    intervention: Do

    def __repr__(self) -> str:
        return f"{self.observation!r} >> {self.intervention!r}"


def _latex_assign(assignment: Assignment) -> str:
    from corrig.model.expr import _latex_name

    return ", ".join(f"{_latex_name(k)} = {lift(v).to_latex()}" for k, v in assignment)


def do(assignment: Mapping[str, State] | None = None, **kwargs: State) -> Do:
    """The intervention do(X=x, ...); do() is the empty intervention (the factual world)."""
    return Do(tuple({**(assignment or {}), **kwargs}.items()))


def given(event: Expr | None = None, **kwargs: State) -> Given:
    """Condition on `event` (an expression such as H == "stop", or keywords H="stop")."""
    return Given(event, () if event is not None else _assignment(None, kwargs, "given"))


def observed(event: Expr | None = None, **kwargs: State) -> Observed:
    """An observation in the factual world, to be followed by `>> do(...)`."""
    return Observed(event, () if event is not None else _assignment(None, kwargs, "observed"))


@dataclass(frozen=True)
class Branch:
    """How a term reads the world: an optional condition, intervention, or counterfactual."""

    given: Given | None = None
    do: Do | None = None
    counterfactual: Counterfactual | None = None

    @classmethod
    def of(cls, parts: tuple[Any, ...]) -> Branch:
        """The branch made of `parts` (given(...), do(...), observed(...) >> do(...))."""
        found: dict[str, Any] = {}
        for part in parts:
            key = {Given: "given", Do: "do", Counterfactual: "counterfactual"}.get(type(part))
            if key is None:
                hint = " (follow observed(...) with >> do(...))" if isinstance(part, Observed) else ""
                raise QueryError(f"{part!r} is not a branch part: use given(...), do(...) or observed(...) >> do(...){hint}")
            if key in found:
                raise QueryError(f"a branch takes one {key} part; got {found[key]!r} and {part!r} (merge them into one)")
            found[key] = part
        if "counterfactual" in found and len(found) > 1:
            raise QueryError("a counterfactual branch observed(...) >> do(...) cannot be combined with given(...) or do(...)")
        return cls(**found)

    @property
    def kind(self) -> str:
        """factual, conditional, interventional, conditional-interventional or counterfactual."""
        if self.counterfactual is not None:
            return "counterfactual"
        if self.given is not None and self.do is not None:
            return "conditional-interventional"
        if self.given is not None:
            return "conditional"
        return "interventional" if self.do is not None else "factual"

    @property
    def parts(self) -> tuple[Any, ...]:
        """The parts, in the order P(...) takes them."""
        return tuple(p for p in (self.given, self.do, self.counterfactual) if p is not None)

    def __repr__(self) -> str:
        return ", ".join(repr(p) for p in self.parts)

    def to_latex(self) -> str:
        """The branch as the part after the bar, e.g. `\\mid H = \\text{stop}` or a do()."""
        if self.counterfactual is not None:
            cf = self.counterfactual
            return rf"_{{{_latex_assign(cf.intervention.assignment)}}} \mid {cf.observation._event_latex()}"
        pieces = []
        if self.do is not None:
            pieces.append(self.do.to_latex())
        if self.given is not None:
            pieces.append(self.given._event_latex())
        return (r" \mid " + ", ".join(pieces)) if pieces else ""


class Term:
    """A number-valued function of a policy: atoms P/E and their sums and products."""

    def evaluate(self, world: World, policy: Any = None, *, cache: dict | None = None) -> Any:
        """The term's value under `policy` (an atom's value is computed once per cache)."""
        raise NotImplementedError

    def atoms(self) -> tuple[Atom, ...]:
        """The P/E atoms the term is made of, without repeats, in order of appearance."""
        raise NotImplementedError

    def to_latex(self) -> str:
        """The term in LaTeX."""
        raise NotImplementedError

    def subs(self, values: Mapping[Any, Any]) -> Term:
        """The term with parameters replaced by values ({Symbol or parameter name: number})."""
        raise NotImplementedError

    def subterms(self) -> tuple[Term, ...]:
        """The terms this one combines (a sum's terms, an aggregate's parts); none for an atom or a constant."""
        return ()

    def __add__(self, other: Any) -> Term:
        return _combined(Sum, (self, as_term(other)))

    def __radd__(self, other: Any) -> Term:
        if isinstance(other, int) and other == 0:  # sum() starts at 0
            return self
        return _combined(Sum, (as_term(other), self))

    def __sub__(self, other: Any) -> Term:
        return _combined(Sum, (self, _combined(Product, (Constant(-1), as_term(other)))))

    def __rsub__(self, other: Any) -> Term:
        return _combined(Sum, (as_term(other), _combined(Product, (Constant(-1), self))))

    def __mul__(self, other: Any) -> Term:
        return _combined(Product, (self, as_term(other)))

    def __rmul__(self, other: Any) -> Term:
        return _combined(Product, (as_term(other), self))

    def __neg__(self) -> Term:
        return _combined(Product, (Constant(-1), self))

    def __truediv__(self, other: Any) -> Term:
        if isinstance(other, Term):
            raise QueryError("dividing by a term is not supported; write the ratio as a conditional with given(...)")
        inverse = 1 / other if isinstance(other, float) else 1 / sp.sympify(other)
        return _combined(Product, (Constant(inverse), self))


def _combined(kind: type, parts: tuple[Term, ...]) -> Term:
    """A Sum or Product of `parts`, flattened (a + b + c is one Sum, whatever the grouping) and with
    neighbouring constants folded, so that evaluating a term's repr rebuilds the same term."""
    flat: list[Term] = []
    for part in parts:
        for t in (part.terms if isinstance(part, kind) else (part,)):  # type: ignore[attr-defined]
            if flat and isinstance(t, Constant) and isinstance(flat[-1], Constant):
                a, b = flat[-1].value, t.value
                folded = a * b if kind is Product else a + b
                if isinstance(folded, sp.Basic) and folded.is_number and folded.has(sp.Float):
                    folded = float(folded)
                flat[-1] = Constant(folded)
            else:
                flat.append(t)
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def sum_of(terms: Iterable[Term]) -> Term:
    """The sum of `terms`, flattened in one pass (the same term as adding them one by one)."""
    parts = tuple(terms)
    if not parts:
        raise QueryError("a sum needs at least one term")
    return _combined(Sum, parts)


def term_count(term: Term) -> int:
    """How many P/E atoms a term reads, counted with repetition (a sum of 10^5 weighted E(X) counts 10^5)."""
    count, stack = 0, [term]
    while stack:
        t = stack.pop()
        if isinstance(t, Atom):
            count += 1
        stack.extend(t.subterms())
    return count


def check_size(term: Term, what: str) -> None:
    """Refuse a term with more atoms than the `terms` limit (LimitError), before it is evaluated."""
    limits.check("terms", term_count(term), f"{what}: its number of terms", "Merge terms that read the same branch.")


def as_term(value: Any) -> Term:
    """A term for a term, a number, or a parameter expression."""
    if isinstance(value, Term):
        return value
    if isinstance(value, Expr):
        raise QueryError(f"{value!r} is an expression over nodes, not a term: wrap it as P(...) or E(...)")
    if isinstance(value, Fraction):
        return Constant(sp.Rational(value.numerator, value.denominator))
    if isinstance(value, int | float | sp.Basic) and not isinstance(value, bool):
        return Constant(value)
    raise QueryError(f"cannot use {value!r} in an objective: expected a term, a number or a parameter")


@dataclass(frozen=True, eq=False)
class Constant(Term):
    """A number or a parameter expression."""

    value: Any

    def evaluate(self, world: World, policy: Any = None, *, cache: dict | None = None) -> Any:
        return self.value if isinstance(self.value, float) else sp.sympify(self.value)

    def atoms(self) -> tuple[Atom, ...]:
        return ()

    def to_latex(self) -> str:
        return sp.latex(self.value)

    def subs(self, values: Mapping[Any, Any]) -> Term:
        return Constant(_subs_value(self.value, values))

    def __repr__(self) -> str:
        value = self.value
        if isinstance(value, sp.Rational) and not isinstance(value, sp.Integer):
            return f"Rational({value.p}, {value.q})"
        return str(value) if isinstance(value, sp.Basic) else repr(value)

    def __str__(self) -> str:
        """The number as reports print it: 1/4, not Rational(1, 4)."""
        return str(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Constant) and self.value == other.value

    def __hash__(self) -> int:
        return hash(("Constant", self.value))


@dataclass(frozen=True, eq=False)
class Atom(Term):
    """P(event, *branch) or E(quantity, *branch)."""

    kind: str  # "P" or "E"
    target: Expr
    branch: Branch

    def evaluate(self, world: World, policy: Any = None, *, cache: dict | None = None) -> Any:
        if cache is not None and self in cache:
            return cache[self]
        value = _finite(self._compute(world, policy), self)
        if cache is not None:
            cache[self] = value
        return value

    def _compute(self, world: World, policy: Any) -> Any:
        from corrig.inference.counterfactual import counterfactual_query
        from corrig.inference.engine import expectation, probability

        b = self.branch
        if b.counterfactual is not None:
            cf = b.counterfactual
            return counterfactual_query(world, self.target, policy, observed=cf.observation.resolve(world),
                                        intervention=cf.intervention.as_dict(), indicator=self.kind == "P")
        query = probability if self.kind == "P" else expectation
        condition = None if b.given is None else b.given.resolve(world.do(b.do.as_dict()) if b.do else world)
        return query(world, self.target, policy, given=condition, do=None if b.do is None else b.do.as_dict())

    def atoms(self) -> tuple[Atom, ...]:
        return (self,)

    def subs(self, values: Mapping[Any, Any]) -> Term:
        return Atom(self.kind, _subs_expr(self.target, values), self.branch)

    def to_latex(self) -> str:
        inner = self.target.to_latex()
        branch = self.branch
        if branch.counterfactual is not None:
            cf = branch.counterfactual
            sub = _latex_assign(cf.intervention.assignment)
            body = rf"\left({inner}\right)_{{{sub}}} \mid {cf.observation._event_latex()}"
        else:
            body = inner + branch.to_latex()
        op = r"\mathbb{E}" if self.kind == "E" else "P"
        return rf"{op}\left[{body}\right]"

    def __repr__(self) -> str:
        parts = ", ".join([repr(self.target), *(repr(p) for p in self.branch.parts)])
        return f"{self.kind}({parts})"

    def _key(self) -> tuple:
        return (self.kind, type(self.target).__name__, self.target._key(), self.branch)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Atom) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


@dataclass(frozen=True)
class Sum(Term):
    """A sum of terms."""

    terms: tuple[Term, ...]

    def evaluate(self, world: World, policy: Any = None, *, cache: dict | None = None) -> Any:
        return _combine(sum(t.evaluate(world, policy, cache=cache) for t in self.terms))

    def subterms(self) -> tuple[Term, ...]:
        return self.terms

    def atoms(self) -> tuple[Atom, ...]:
        return _unique(a for t in self.terms for a in t.atoms())

    def subs(self, values: Mapping[Any, Any]) -> Term:
        return type(self)(tuple(t.subs(values) for t in self.terms))

    def to_latex(self) -> str:
        return " + ".join(t.to_latex() for t in self.terms).replace("+ -", "- ")

    def __repr__(self) -> str:
        return " + ".join(repr(t) for t in self.terms)

    def __str__(self) -> str:
        """The sum as reports print it: a negative weight as a minus sign."""
        out = ""
        for i, t in enumerate(self.terms):
            text = str(t)
            if i and text.startswith("-"):
                out += " - " + text[1:]
            else:
                out += (" + " if i else "") + text
        return out


@dataclass(frozen=True)
class Product(Term):
    """A product of terms (weights are constant or parameter factors)."""

    terms: tuple[Term, ...]

    def evaluate(self, world: World, policy: Any = None, *, cache: dict | None = None) -> Any:
        value: Any = 1
        for t in self.terms:
            value = value * t.evaluate(world, policy, cache=cache)
        return _combine(value)

    def subterms(self) -> tuple[Term, ...]:
        return self.terms

    def atoms(self) -> tuple[Atom, ...]:
        return _unique(a for t in self.terms for a in t.atoms())

    def subs(self, values: Mapping[Any, Any]) -> Term:
        return type(self)(tuple(t.subs(values) for t in self.terms))

    def to_latex(self) -> str:
        return r" \cdot ".join(rf"\left({t.to_latex()}\right)" if isinstance(t, Sum) else t.to_latex() for t in self.terms)

    def __repr__(self) -> str:
        return " * ".join(f"({t!r})" if isinstance(t, Sum) else repr(t) for t in self.terms)

    def __str__(self) -> str:
        """The product as reports print it: 1/4 · P(...), -P(...) for a weight of -1."""
        parts = [f"({t})" if isinstance(t, Sum) or (isinstance(t, Constant) and isinstance(t.value, sp.Add)) else str(t)
                 for t in self.terms]
        if len(parts) > 1 and parts[0] in ("1", "-1"):
            return ("-" if parts[0] == "-1" else "") + " · ".join(parts[1:])
        return " · ".join(parts)


def _symbol_values(value: Any, values: Mapping[Any, Any]) -> dict[sp.Symbol, Any]:
    """{Symbol: value} for the keys of `values` that name a parameter of `value`."""
    if not isinstance(value, sp.Basic) or not value.free_symbols:
        return {}
    by_name = {s.name: s for s in value.free_symbols if isinstance(s, sp.Symbol)}
    found = {}
    for key, v in values.items():
        symbol = by_name.get(key) if isinstance(key, str) else key
        if symbol in by_name.values():
            found[symbol] = sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v
    return found


def _subs_value(value: Any, values: Mapping[Any, Any]) -> Any:
    mapping = _symbol_values(value, values)
    if not mapping:
        return value
    result = value.subs(mapping)
    return float(result) if result.is_number and result.has(sp.Float) else result


def _subs_expr(expr: Expr, values: Mapping[Any, Any]) -> Expr:
    """The expression with every parameter in its constants replaced by its value."""
    from corrig.model.expr import BinOp, Compare, Const, In, Logic

    if isinstance(expr, Const):
        return Const(_subs_value(expr.value, values))
    if isinstance(expr, BinOp | Compare):
        return type(expr)(expr.op, _subs_expr(expr.left, values), _subs_expr(expr.right, values))
    if isinstance(expr, In):
        return In(_subs_expr(expr.expr, values), expr.states)
    if isinstance(expr, Logic):
        return Logic(expr.op, tuple(_subs_expr(a, values) for a in expr.args))
    return expr


def _unique(atoms: Any) -> tuple[Atom, ...]:
    return tuple(dict.fromkeys(atoms))


def _combine(value: Any) -> Any:
    if isinstance(value, sp.Basic) and value.is_number and value.has(sp.Float):
        value = float(value)
    return _finite(value, "the objective")


_NOT_FINITE = frozenset({sp.oo, -sp.oo, sp.zoo, sp.nan})


def _finite(value: Any, what: Any) -> Any:
    """`value`, unless floats overflowed into an infinity or NaN: then a QueryError saying so (not a silent
    -inf, or a NaN that no comparison can order)."""
    bad = not math.isfinite(value) if isinstance(value, float) else isinstance(value, sp.Basic) and value in _NOT_FINITE
    if bad:
        raise QueryError(f"{what} is {value}: a float overflowed (numbers beyond ±1.8e308); use smaller weights "
                         f"or values, or exact numbers")
    return value


def _atom(kind: str, target: Any, parts: tuple[Any, ...]) -> Atom:
    if not isinstance(target, Expr):
        what = "an event such as B == 'off'" if kind == "P" else "a quantity such as V or 2 * X - 1"
        raise QueryError(f"{kind}(...) needs {what} as its first argument, got {target!r}")
    reason = not_an_event(target) if kind == "P" else None
    if reason is not None:
        raise QueryError(f"P(...) needs an event: {reason}")
    return Atom(kind, target, Branch.of(parts))


def P(event: Expr, *branch: Any) -> Atom:
    """The probability of `event` in a branch: P(B == "off", do(H="stop"))."""
    return _atom("P", event, branch)


def E(quantity: Expr, *branch: Any) -> Atom:
    """The expectation of `quantity` in a branch: E(V, observed(H=h) >> do(H="run"))."""
    return _atom("E", quantity, branch)
