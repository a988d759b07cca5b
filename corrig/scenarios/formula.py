"""The safe expression language of declarative scenarios: a whitelist evaluator over `ast`.

Numbers, events, quantities and deterministic formulas are written as short expressions ("1/2",
"1 - p", "S == 0", "M ^ L"), parsed with `ast` and interpreted node by node: names, literals,
arithmetic, comparisons, `and`/`or`/`not`, `in [...]`, `x if c else y` and `min`/`max`/`abs` -- no
attribute access, no other calls, no imports.  Nothing the text says is ever run as Python.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.model.expr import Expr

MAX_EXPRESSION = 2000

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
    ast.BitXor: operator.xor, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_CALLS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs}



class _Invalid(Exception):
    """An expression the whitelist refuses (turned into a DeclarativeError with the key)."""


def parse(text: str) -> ast.expr:
    """The expression's syntax tree (nothing is run)."""
    if not isinstance(text, str):
        raise _Invalid(f"expected an expression in a string, got {text!r}")
    if len(text) > MAX_EXPRESSION:
        raise _Invalid(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise _Invalid(f"{text!r} is not an expression: {exc.msg}") from None


class Evaluator:
    """Interprets a whitelisted expression tree.

    mode "number": a probability, weight or parameter value (exact rationals, floats, parameters).
    mode "event": an event or quantity over node handles (builds corrig expressions).
    mode "value": a deterministic formula over concrete parent values (returns a state).
    """

    def __init__(self, mode: str, names: Mapping[str, Any], what: str):
        self.mode, self.names, self.what = mode, names, what

    def __call__(self, text: str) -> Any:
        return self.eval(parse(text))

    def eval(self, node: ast.expr) -> Any:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise _Invalid(f"{ast.unparse(node)!r}: {type(node).__name__} is not allowed in {self.what}")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or isinstance(value, str):
            if self.mode == "number":
                raise _Invalid(f"{value!r} is not a number")
            return value
        if isinstance(value, int):
            return sp.Integer(value) if self.mode == "number" else value
        if isinstance(value, float):
            return value
        raise _Invalid(f"{value!r} is not allowed in {self.what}")

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.names:
            return self.names[node.id]
        if self.mode == "value" and node.id in ("True", "False"):
            return node.id == "True"
        raise _Invalid(f"{node.id!r} is not {_known(self.what, self.names)}")

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        if isinstance(node.op, ast.Not | ast.Invert) and self.mode != "number":
            if isinstance(value, Expr):
                return ~value
            return (not value) if isinstance(node.op, ast.Not) else ~value
        raise _Invalid(f"{ast.unparse(node)!r}: this operator is not allowed in {self.what}")

    def _BinOp(self, node: ast.BinOp) -> Any:
        op = _BINARY.get(type(node.op))
        if op is None or (self.mode == "number" and isinstance(node.op, ast.BitXor | ast.BitAnd | ast.BitOr)):
            raise _Invalid(f"{ast.unparse(node)!r}: this operator is not allowed in {self.what}")
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(left, str) or isinstance(right, str):
            raise _Invalid(f"{ast.unparse(node)!r}: no arithmetic on the state names")
        if isinstance(node.op, ast.Pow):
            if isinstance(left, Expr) or isinstance(right, Expr):
                raise _Invalid(f"{ast.unparse(node)!r}: powers of nodes are not allowed (write X * X)")
            exponent = sp.sympify(right)
            if not (exponent.is_Rational and abs(exponent.p) <= 64 and exponent.q <= 64):
                raise _Invalid(f"{ast.unparse(node)!r}: the exponent must be a small rational number")
        exact = not isinstance(left, float) and not isinstance(right, float)
        if self.mode == "number" and isinstance(node.op, ast.Div) and exact:
            if right == 0:
                raise _Invalid(f"{ast.unparse(node)!r} divides by zero")
            return sp.sympify(left) / sp.sympify(right)
        if self.mode == "value" and isinstance(node.op, ast.Div) and all(isinstance(v, int | Fraction) for v in (left, right)):
            if right == 0:
                raise _Invalid(f"{ast.unparse(node)!r} divides by zero")
            quotient = Fraction(left) / Fraction(right)
            return int(quotient) if quotient.denominator == 1 else quotient
        try:
            return op(left, right)
        except ZeroDivisionError:
            raise _Invalid(f"{ast.unparse(node)!r} divides by zero") from None
        except TypeError as exc:
            raise _Invalid(f"{ast.unparse(node)!r}: {exc}") from None

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        if self.mode == "number":
            raise _Invalid(f"{ast.unparse(node)!r}: and/or are not allowed in {self.what}")
        values = [self.eval(v) for v in node.values]
        if any(isinstance(v, Expr) for v in values):
            out = values[0]
            for v in values[1:]:
                out = (out & v) if isinstance(node.op, ast.And) else (out | v)
            return out
        return all(values) if isinstance(node.op, ast.And) else any(values)

    def _Compare(self, node: ast.Compare) -> Any:
        if self.mode == "number":
            raise _Invalid(f"{ast.unparse(node)!r}: comparisons are not allowed in {self.what}")
        parts: list[Any] = []
        left = self.eval(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(comparator, ast.List | ast.Tuple | ast.Set):
                    raise _Invalid(f"{ast.unparse(node)!r}: `in` needs a list of states, e.g. X in ['a', 'b']")
                states = [self.eval(e) for e in comparator.elts]
                part = left.isin(states) if isinstance(left, Expr) else left in states
                parts.append((~part if isinstance(part, Expr) else not part) if isinstance(op, ast.NotIn) else part)
                left = None
                continue
            fn = _COMPARE.get(type(op))
            if fn is None:
                raise _Invalid(f"{ast.unparse(node)!r}: this comparison is not allowed in {self.what}")
            right = self.eval(comparator)
            try:
                parts.append(fn(left, right))
            except TypeError as exc:
                raise _Invalid(f"{ast.unparse(node)!r}: {exc}") from None
            left = right
        if any(isinstance(p, Expr) for p in parts):
            out = parts[0]
            for p in parts[1:]:
                out = out & p
            return out
        return all(parts)

    def _IfExp(self, node: ast.IfExp) -> Any:
        if self.mode != "value":
            raise _Invalid(f"{ast.unparse(node)!r}: `x if c else y` is only allowed in formulas and rules")
        return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if self.mode != "value" or name not in _CALLS or node.keywords:
            raise _Invalid(f"{ast.unparse(node)!r}: calls are not allowed in {self.what} (formulas may use min, max, abs)")
        return _CALLS[name](*(self.eval(a) for a in node.args))


def _known(what: str, names: Mapping[str, Any]) -> str:
    listed = ", ".join(sorted(names)) or "none"
    return f"a name {what} may use (known: {listed})"

