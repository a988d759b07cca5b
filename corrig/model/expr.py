"""Expressions over a world's variables: node handles, events and quantities.

A node handle (`Var`) is returned when a node is declared.  Comparing it with a state
(`B == "off"`) gives an event; arithmetic on handles (`S * (2 * L - 1)`) gives a quantity.
Every expression knows the variables it reads (`scope`), evaluates on an assignment of
states, has a repr that is valid Python, and renders to LaTeX.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sympy as sp

from corrig.model.errors import QueryError, StateError

State = str | int | bool


def _latex_name(name: str) -> str:
    if len(name) == 1:
        return name
    head, _, tail = name.partition("_")
    return rf"\mathrm{{{head}}}_{{{tail}}}" if tail else rf"\mathrm{{{name}}}"


def _latex_state(state: Any) -> str:
    if isinstance(state, str):
        return rf"\text{{{state}}}"
    return sp.latex(state)


class Expr:
    """A function of node values; events are expressions whose values are booleans."""

    __slots__ = ()

    def scope(self) -> frozenset[str]:
        """The names of the variables the expression reads."""
        raise NotImplementedError

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """The expression's value when each variable in its scope takes the given state."""
        raise NotImplementedError

    def to_latex(self) -> str:
        """The expression in LaTeX."""
        raise NotImplementedError

    def renamed(self, mapping: Mapping[str, str]) -> Expr:
        """The same expression reading variable `mapping[name]` wherever it read `name`."""
        raise NotImplementedError

    def _key(self) -> tuple:
        raise NotImplementedError

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def same_as(self, other: object) -> bool:
        """Structural equality (``==`` builds an event, so it cannot serve)."""
        return type(self) is type(other) and self._key() == other._key()  # type: ignore[attr-defined]

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self!r} is an expression over the world's variables, not a truth value; "
            "use it inside P(...) or E(...)"
        )

    # arithmetic --------------------------------------------------------------------------
    def __add__(self, other: Any) -> Expr:
        return BinOp("+", self, lift(other))

    def __radd__(self, other: Any) -> Expr:
        return BinOp("+", lift(other), self)

    def __sub__(self, other: Any) -> Expr:
        return BinOp("-", self, lift(other))

    def __rsub__(self, other: Any) -> Expr:
        return BinOp("-", lift(other), self)

    def __mul__(self, other: Any) -> Expr:
        return BinOp("*", self, lift(other))

    def __rmul__(self, other: Any) -> Expr:
        return BinOp("*", lift(other), self)

    def __truediv__(self, other: Any) -> Expr:
        return BinOp("/", self, lift(other))

    def __neg__(self) -> Expr:
        return BinOp("*", Const(-1), self)

    # comparisons and logic ---------------------------------------------------------------
    def __eq__(self, other: Any) -> Expr:  # type: ignore[override]
        return Compare("==", self, lift(other))

    def __ne__(self, other: Any) -> Expr:  # type: ignore[override]
        return Compare("!=", self, lift(other))

    def __lt__(self, other: Any) -> Expr:
        return Compare("<", self, lift(other))

    def __le__(self, other: Any) -> Expr:
        return Compare("<=", self, lift(other))

    def __gt__(self, other: Any) -> Expr:
        return Compare(">", self, lift(other))

    def __ge__(self, other: Any) -> Expr:
        return Compare(">=", self, lift(other))

    def __and__(self, other: Any) -> Expr:
        return Logic("&", (self, lift(other)))

    def __or__(self, other: Any) -> Expr:
        return Logic("|", (self, lift(other)))

    def __invert__(self) -> Expr:
        return Logic("~", (self,))

    def isin(self, states: Iterable[Any]) -> Expr:
        """The event that this expression takes one of `states`."""
        return In(self, tuple(states))


def lift(value: Any) -> Expr:
    """An expression for `value`: expressions pass through, anything else becomes a constant."""
    return value if isinstance(value, Expr) else Const(value)


class Var(Expr):
    """The handle of a declared node: its name and its named states."""

    __slots__ = ("name", "states")

    def __init__(self, name: str, states: Iterable[State]):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "states", tuple(states))

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("a node handle is immutable")

    def scope(self) -> frozenset[str]:
        return frozenset((self.name,))

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return values[self.name]

    def renamed(self, mapping: Mapping[str, str]) -> Expr:
        return Var(mapping.get(self.name, self.name), self.states)

    def to_latex(self) -> str:
        return _latex_name(self.name)

    def _key(self) -> tuple:
        return (self.name,)

    def __repr__(self) -> str:
        return self.name

    # comparing a node with a state it does not have is a typo, not an impossible event
    def __eq__(self, other: Any) -> Expr:  # type: ignore[override]
        return Compare("==", self, lift(self._state(other)))

    def __ne__(self, other: Any) -> Expr:  # type: ignore[override]
        return Compare("!=", self, lift(self._state(other)))

    __hash__ = Expr.__hash__

    def isin(self, states: Iterable[Any]) -> Expr:
        """The event that this node takes one of `states` (each must be one of its states)."""
        return In(self, tuple(self._state(s) for s in states))

    def _state(self, value: Any) -> Any:
        if isinstance(value, Expr) or value in self.states:
            return value
        raise StateError(f"{value!r} is not a state of {self.name}; its states are {list(self.states)}")


class Const(Expr):
    """A constant: a number, a parameter expression, or a state name."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        object.__setattr__(self, "value", value)

    def scope(self) -> frozenset[str]:
        return frozenset()

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return self.value

    def renamed(self, mapping: Mapping[str, str]) -> Expr:
        return self

    def to_latex(self) -> str:
        return _latex_state(self.value)

    def _key(self) -> tuple:
        return (self.value,)

    def __repr__(self) -> str:
        value = self.value
        if isinstance(value, sp.Rational) and not isinstance(value, sp.Integer):
            return f"Rational({value.p}, {value.q})"
        return repr(value) if not isinstance(value, sp.Basic) else str(value)


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_COMPARE_LATEX = {"==": "=", "!=": r"\neq", "<": "<", "<=": r"\leq", ">": ">", ">=": r"\geq"}


class _Binary(Expr):
    """An operator applied to two expressions."""

    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: Expr, right: Expr):
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)

    def scope(self) -> frozenset[str]:
        return self.left.scope() | self.right.scope()

    def renamed(self, mapping: Mapping[str, str]) -> Expr:
        return type(self)(self.op, self.left.renamed(mapping), self.right.renamed(mapping))

    def __repr__(self) -> str:
        return f"({self.left!r} {self.op} {self.right!r})"


class BinOp(_Binary):
    """An arithmetic combination of two expressions."""

    __slots__ = ()

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        left, right = self.left.evaluate(values), self.right.evaluate(values)
        for side in (left, right):
            if isinstance(side, str):
                raise QueryError(f"cannot do arithmetic on the state {side!r} in {self!r}")
        left, right = (int(v) if isinstance(v, bool) else v for v in (left, right))  # an event counts as 1 or 0
        if self.op == "/":
            return sp.sympify(left) / sp.sympify(right) if not isinstance(right, float) else left / right
        return _ARITH[self.op](left, right)

    def to_latex(self) -> str:
        left, right = self.left.to_latex(), self.right.to_latex()
        if self.op == "/":
            return rf"\frac{{{left}}}{{{right}}}"
        if self.op == "*":
            return rf"{_paren(self.left, left)} \cdot {_paren(self.right, right)}"
        return f"{left} {self.op} {_paren(self.right, right) if self.op == '-' else right}"

    def _key(self) -> tuple:
        return (self.op, self.left._key(), type(self.right).__name__, self.right._key())


def _paren(expr: Expr, text: str) -> str:
    return rf"\left({text}\right)" if isinstance(expr, BinOp) and expr.op in "+-" else text


class Compare(_Binary):
    """A comparison; `X == state` is the usual event."""

    __slots__ = ()

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return bool(_COMPARE[self.op](self.left.evaluate(values), self.right.evaluate(values)))

    def to_latex(self) -> str:
        return f"{self.left.to_latex()} {_COMPARE_LATEX[self.op]} {self.right.to_latex()}"

    def _key(self) -> tuple:
        return (self.op, self.left._key(), self.right._key())


class In(Expr):
    """The event that an expression takes one of a set of states."""

    __slots__ = ("expr", "states")

    def __init__(self, expr: Expr, states: tuple):
        object.__setattr__(self, "expr", expr)
        object.__setattr__(self, "states", states)

    def scope(self) -> frozenset[str]:
        return self.expr.scope()

    def renamed(self, mapping: Mapping[str, str]) -> Expr:
        return In(self.expr.renamed(mapping), self.states)

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return self.expr.evaluate(values) in self.states

    def to_latex(self) -> str:
        inner = ", ".join(_latex_state(s) for s in self.states)
        return rf"{self.expr.to_latex()} \in \{{{inner}\}}"

    def _key(self) -> tuple:
        return (self.expr._key(), self.states)

    def __repr__(self) -> str:
        return f"{self.expr!r}.isin({list(self.states)!r})"


class Logic(Expr):
    """Conjunction, disjunction or negation of events."""

    __slots__ = ("args", "op")

    def __init__(self, op: str, args: tuple[Expr, ...]):
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "args", args)

    def scope(self) -> frozenset[str]:
        return frozenset().union(*(a.scope() for a in self.args))

    def renamed(self, mapping: Mapping[str, str]) -> Expr:
        return Logic(self.op, tuple(a.renamed(mapping) for a in self.args))

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        vals = [bool(a.evaluate(values)) for a in self.args]
        if self.op == "~":
            return not vals[0]
        return all(vals) if self.op == "&" else any(vals)

    def to_latex(self) -> str:
        if self.op == "~":
            return rf"\neg \left({self.args[0].to_latex()}\right)"
        joiner = r" \wedge " if self.op == "&" else r" \vee "
        return joiner.join(a.to_latex() for a in self.args)

    def _key(self) -> tuple:
        return (self.op, tuple((type(a).__name__, a._key()) for a in self.args))

    def __repr__(self) -> str:
        if self.op == "~":
            return f"~{self.args[0]!r}"
        return "(" + f" {self.op} ".join(repr(a) for a in self.args) + ")"


def assignment_event(assignment: Mapping[str, Any], handles: Mapping[str, Var]) -> Expr:
    """The conjunction `X == x & Y == y ...` for keyword-style events such as given(H="stop")."""
    parts: list[Expr] = []
    for name, state in assignment.items():
        if name not in handles:
            raise QueryError(f"{name!r} is not a node of this world")
        var = handles[name]
        if state not in var.states:
            raise StateError(f"{state!r} is not a state of {name}; its states are {list(var.states)}")
        parts.append(Compare("==", var, Const(state)))
    return parts[0] if len(parts) == 1 else Logic("&", tuple(parts))


def not_an_event(expr: Expr) -> str | None:
    """Why `expr` is not an event, or None when it is.

    An event is a comparison, a membership test (`isin`), a logical combination of events, a node whose
    states are truth values, or a truth-value constant.  Anything else (a quantity such as L + 1, a node
    over numbers or names) has no truth value of its own: reading it as "nonzero" would silently give
    the wrong probability."""
    if isinstance(expr, Compare | In) or getattr(expr, "is_event", False) is True:  # or an event integrated out
        return None
    if isinstance(expr, Logic):
        for arg in expr.args:
            reason = not_an_event(arg)
            if reason is not None:
                return reason
        return None
    if isinstance(expr, Var):
        if expr.states and all(isinstance(s, bool) for s in expr.states):
            return None
        example = expr.states[0] if expr.states else "..."
        return f"{expr.name} is a node, not an event: compare it with a state, e.g. {expr.name} == {example!r}"
    if isinstance(expr, Const) and isinstance(expr.value, bool):
        return None
    return f"{expr!r} is a quantity, not an event: compare it, e.g. {expr!r} == 1"
