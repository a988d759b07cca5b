"""The safe expression language of declarative scenarios: a whitelist evaluator over `ast`.

Numbers, events, quantities and deterministic formulas are written as short expressions ("1/2",
"1 - p", "S == 0", "M ^ L"), parsed with `ast` and interpreted node by node: names, literals,
arithmetic, comparisons, `and`/`or`/`not`, `in [...]`, `x if c else y`, `min`/`max`/`abs` and, in numbers
and in the choice probabilities of a node reading a continuous one, `Phi`/`phi`/`sigmoid`
(corrig.model.links) -- no attribute access, no other calls, no imports.  Nothing the text says is
ever run as Python.

Every expression has a budget, checked before the work it bounds (docs/security.md): its length,
its syntax tree's size and nesting depth, the digits of an integer and the length of a string
literal, the size of a power (a small rational exponent, and a result of bounded bit length or
polynomial degree) and of every intermediate number.  A breach is an `_Invalid` that the loader
turns into a DeclarativeError naming the file, line and key; Python's own limits (recursion,
integer-string digits, memory) are never reached.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.model.expr import Expr, Var
from corrig.model.links import LINKS
from corrig.model.numbers import MAX_BITS, MAX_DEGREE, bit_length, degree_bound

MAX_EXPRESSION = 2000  # characters of one expression
MAX_NODES = 1000  # nodes of its syntax tree (the terms of a sum count one each)
MAX_DEPTH = 64  # nesting depth (a chain a + b + c ... counts once)
MAX_DIGITS = 300  # digits of an integer literal
MAX_STRING = 200  # characters of a string literal
MAX_EXPONENT = 64  # |p| and q of a rational exponent p/q

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
    ast.BitXor: operator.xor, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_CALLS: dict[str, tuple[Callable[..., Any], int, int | None]] = {"min": (min, 2, None), "max": (max, 2, None),
                                                               "abs": (abs, 1, 1)}
_LINK_MODES = ("number", "choice")  # the modes that may call Phi, phi and sigmoid


class _Invalid(Exception):
    """An expression the whitelist or a budget refuses (turned into a DeclarativeError with the key)."""


def _shown(text: str, limit: int = 60) -> str:
    """An expression for a message: repr'd and clipped."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def parse(text: str) -> ast.expr:
    """The expression's syntax tree, within the budgets (nothing is run)."""
    if not isinstance(text, str):
        raise _Invalid(f"expected an expression in a string, got {_kind(text)}")
    if len(text) > MAX_EXPRESSION:
        raise _Invalid(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and friends: the text is data, not our code
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise _Invalid(f"{_shown(text)} is not an expression: {exc.msg}") from None
    except ValueError as exc:  # an integer literal past Python's digit limit
        raise _Invalid(f"{_shown(text)}: a number is too long ({exc})") from None
    except (RecursionError, MemoryError):
        raise _Invalid(f"{_shown(text)} is nested too deeply to read") from None
    check_shape(tree, text)
    return tree


def check_shape(tree: ast.expr, text: str = "") -> None:
    """Refuse a tree with too many nodes, too deep a nesting, or too long a literal (iteratively)."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _Invalid(f"{_shown(text)} has more than {MAX_NODES} parts (numbers, names and operators)")
        if depth > MAX_DEPTH:
            raise _Invalid(f"{_shown(text)} is nested more than {MAX_DEPTH} deep")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_DIGITS * 10 // 3:
                raise _Invalid(f"{_shown(text)}: an integer has more than {MAX_DIGITS} digits")
            if isinstance(value, str) and len(value) > MAX_STRING:
                raise _Invalid(f"{_shown(text)}: a string is longer than {MAX_STRING} characters")
            if isinstance(value, bytes):
                raise _Invalid(f"{_shown(text)}: bytes are not allowed")
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.operator | ast.unaryop | ast.cmpop | ast.boolop | ast.expr_context):
                continue  # the operator of a node is part of it
            # the left operand of a binary operation continues its chain: a + b + c is one level
            same_level = isinstance(node, ast.BinOp) and child is node.left
            stack.append((child, depth if same_level else depth + 1))


def check_number(value: Any, where: str) -> Any:
    """`value`, unless it is a number past the budgets (bit length, degree) or not finite."""
    if isinstance(value, bool) or isinstance(value, str) or isinstance(value, Expr):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_BITS:
            raise _Invalid(f"{where}: a number of more than {MAX_BITS} bits")
        return value
    if isinstance(value, Fraction):
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_BITS:
            raise _Invalid(f"{where}: a number of more than {MAX_BITS} bits")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid(f"{where} is {value}, not a finite number")
        return value
    if isinstance(value, sp.Basic):
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise _Invalid(f"{where} is {value}, not a finite number")
        for atom in value.atoms(sp.Rational):
            if max(int(atom.p).bit_length(), int(atom.q).bit_length()) > MAX_BITS:
                raise _Invalid(f"{where}: a number of more than {MAX_BITS} bits")
        for atom in value.atoms(sp.Float):
            if not math.isfinite(float(atom)):
                raise _Invalid(f"{where} is {value}, not a finite number")
        if value.free_symbols and degree_bound(value) > MAX_DEGREE:
            raise _Invalid(f"{where}: a polynomial of degree more than {MAX_DEGREE} in the parameters")
    return value


def _decided(value: Any, where: str) -> Any:
    """A condition's value when it does not depend on the parameters (then it is true or false); otherwise the
    formula is refused: a state cannot be chosen by a condition on parameters (`0 < p` is neither)."""
    if isinstance(value, sp.Basic) and value.free_symbols:
        raise _Invalid(f"{where}: whether {value} holds depends on the parameters; a condition in a formula or a "
                       f"rule must not (put the parameter in a probability or a value instead)")
    return value


def _kind_of(value: Any) -> str:
    """'text' for state names, 'number' for numbers, 'other' for anything else (ordering needs one kind)."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool | int | float | Fraction | sp.Basic):
        return "number"
    return "other"


def _kinds(value: Any) -> set[str]:
    if isinstance(value, Var):
        return {_kind_of(s) for s in value.states}
    if isinstance(value, Expr):
        return {"number"}  # arithmetic on nodes: a number (or an error when evaluated)
    return {_kind_of(value)}


class Evaluator:
    """Interprets a whitelisted expression tree.

    mode "number": a probability, weight or parameter value (exact rationals, floats, parameters).
    mode "event": an event or quantity over node handles (builds corrig expressions).
    mode "value": a deterministic formula over concrete parent values (returns a state).
    mode "choice": a probability of a node reading a continuous node, a sympy expression in its symbol:
    comparisons of it are relations (`U < 0`), `and`/`or`/`not` and `&`/`|`/`~` combine them, and
    `x if c else y` with such a condition is a Piecewise (corrig.model.continuous).
    """

    def __init__(self, mode: str, names: Mapping[str, Any], what: str, text: str = ""):
        self.mode, self.names, self.what = mode, names, what
        self.text = text  # the source, for messages that quote the part at fault

    def __call__(self, text: str) -> Any:
        self.text = text
        return self.eval(parse(text))

    def _where(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text.strip(), node) if self.text else None
        return _shown(segment) if segment else _shown(self.text) if self.text else f"this {type(node).__name__}"

    def eval(self, node: ast.expr) -> Any:
        """The value of a (shape-checked) tree."""
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise _Invalid(f"{self._where(node)}: {type(node).__name__} is not allowed in {self.what}")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or isinstance(value, str):
            if self.mode == "number":
                raise _Invalid(f"{value!r} is not a number")
            return value
        if isinstance(value, int):
            return sp.Integer(value) if self.mode in ("number", "choice") else value
        if isinstance(value, float):
            return check_number(value, self._where(node))
        raise _Invalid(f"{self._where(node)}: {type(value).__name__} is not allowed in {self.what}")

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.names:
            return self.names[node.id]
        if self.mode == "value" and node.id in ("True", "False"):
            return node.id == "True"
        raise _Invalid(f"{node.id!r} is not {_known(self.what, self.names)}")

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        try:
            if isinstance(node.op, ast.USub | ast.UAdd):
                if isinstance(value, str):
                    raise TypeError("no arithmetic on the state names")
                return -value if isinstance(node.op, ast.USub) else +value
            if isinstance(node.op, ast.Not | ast.Invert) and self.mode != "number":
                if isinstance(value, Expr) or _is_relation(value):
                    return ~value
                if isinstance(node.op, ast.Not):
                    return not _decided(value, self._where(node))
                if not isinstance(value, int):
                    raise TypeError(f"~ needs an integer or an event, got {value!r}")
                return ~value
        except TypeError as exc:
            raise _Invalid(f"{self._where(node)}: {exc}") from None
        raise _Invalid(f"{self._where(node)}: this operator is not allowed in {self.what}")

    def _BinOp(self, node: ast.BinOp) -> Any:
        # a left-nested chain (a + b - c * ...) is folded in a loop, so a long sum needs no recursion
        chain: list[ast.BinOp] = []
        base: ast.expr = node
        while isinstance(base, ast.BinOp):
            chain.append(base)
            base = base.left
        value = self.eval(base)
        for link in reversed(chain):
            value = self._apply(link, value, self.eval(link.right))
        return value

    def _apply(self, node: ast.BinOp, left: Any, right: Any) -> Any:
        op = _BINARY.get(type(node.op))
        where = self._where(node)
        if op is None or (self.mode == "number" and isinstance(node.op, ast.BitXor | ast.BitAnd | ast.BitOr)):
            raise _Invalid(f"{where}: this operator is not allowed in {self.what}")
        if isinstance(left, str) or isinstance(right, str):
            raise _Invalid(f"{where}: no arithmetic on the state names")
        if isinstance(node.op, ast.Pow):
            self._check_power(where, left, right)
        exact = not isinstance(left, float) and not isinstance(right, float)
        try:
            if self.mode == "number" and isinstance(node.op, ast.Div) and exact:
                if right == 0:
                    raise _Invalid(f"{where} divides by zero")
                return check_number(sp.sympify(left) / sp.sympify(right), where)
            if (self.mode == "value" and isinstance(node.op, ast.Div)
                    and all(isinstance(v, int | Fraction) for v in (left, right))):
                if right == 0:
                    raise _Invalid(f"{where} divides by zero")
                quotient = Fraction(left) / Fraction(right)
                return check_number(int(quotient) if quotient.denominator == 1 else quotient, where)
            return check_number(op(left, right), where)
        except ZeroDivisionError:
            raise _Invalid(f"{where} divides by zero") from None
        except (TypeError, ValueError, OverflowError) as exc:
            raise _Invalid(f"{where}: {exc}") from None

    @staticmethod
    def _check_power(where: str, base: Any, exponent: Any) -> None:
        """A power is allowed when its exponent is a small rational and its result stays in budget."""
        if isinstance(base, Expr) or isinstance(exponent, Expr):
            raise _Invalid(f"{where}: powers of nodes are not allowed (write X * X)")
        try:
            power = sp.nsimplify(exponent) if isinstance(exponent, float) else sp.sympify(exponent)
        except (TypeError, ValueError, sp.SympifyError):
            raise _Invalid(f"{where}: the exponent must be a small rational number") from None
        if not (power.is_Rational and abs(power.p) <= MAX_EXPONENT and power.q <= MAX_EXPONENT):
            raise _Invalid(f"{where}: the exponent must be a small rational number (|p|, q <= {MAX_EXPONENT})")
        bits = bit_length(base)
        if bits is not None and bits * math.ceil(abs(power)) > MAX_BITS:
            raise _Invalid(f"{where}: the power would have more than {MAX_BITS} bits")
        if isinstance(base, sp.Basic) and base.free_symbols and degree_bound(base) * math.ceil(abs(power)) > MAX_DEGREE:
            raise _Invalid(f"{where}: the power would have degree more than {MAX_DEGREE} in the parameters")
        if isinstance(base, float) and base != 0 and abs(math.log2(abs(base))) * abs(float(power)) > 1000:
            raise _Invalid(f"{where}: the power overflows a float")

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        if self.mode == "number":
            raise _Invalid(f"{self._where(node)}: and/or are not allowed in {self.what}")
        values = [self.eval(v) for v in node.values]
        if any(isinstance(v, Expr) or _is_relation(v) for v in values):
            out = values[0]
            for v in values[1:]:
                out = (out & v) if isinstance(node.op, ast.And) else (out | v)
            return out
        truths = [_decided(v, self._where(node)) for v in values]
        return all(truths) if isinstance(node.op, ast.And) else any(truths)

    def _Compare(self, node: ast.Compare) -> Any:
        where = self._where(node)
        if self.mode == "number":
            raise _Invalid(f"{where}: comparisons are not allowed in {self.what}")
        parts: list[Any] = []
        left = self.eval(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(comparator, ast.List | ast.Tuple | ast.Set):
                    raise _Invalid(f"{where}: `in` needs a list of states, e.g. X in ['a', 'b']")
                states = [self.eval(e) for e in comparator.elts]
                try:
                    part = left.isin(states) if isinstance(left, Expr) else left in states
                except TypeError as exc:
                    raise _Invalid(f"{where}: {exc}") from None
                parts.append((~part if isinstance(part, Expr) else not part) if isinstance(op, ast.NotIn) else part)
                left = None
                continue
            fn = _COMPARE.get(type(op))
            if fn is None:
                raise _Invalid(f"{where}: this comparison is not allowed in {self.what}")
            right = self.eval(comparator)
            if isinstance(op, _ORDER):
                kinds = _kinds(left) | _kinds(right)
                if kinds != {"number"} and kinds != {"text"}:
                    raise _Invalid(f"{where}: <, <=, >, >= compare numbers with numbers or names with names")
            try:
                if self.mode == "choice" and any(isinstance(v, sp.Basic) and v.free_symbols for v in (left, right)):
                    parts.append(_RELATIONS[type(op)](left, right))  # a relation of the continuous node's symbol
                    left = right
                    continue
                parts.append(_decided(fn(left, right), where))  # a parameter's comparison is refused
            except TypeError as exc:
                raise _Invalid(f"{where}: {exc}") from None
            left = right
        if any(isinstance(p, Expr) or _is_relation(p) for p in parts):
            out = parts[0]
            for p in parts[1:]:
                out = out & p
            return out
        return all(_decided(p, where) for p in parts)

    def _IfExp(self, node: ast.IfExp) -> Any:
        if self.mode not in ("value", "choice"):
            raise _Invalid(f"{self._where(node)}: `x if c else y` is only allowed in formulas and rules")
        test = self.eval(node.test)
        if _is_relation(test) and self.mode == "choice":  # a condition on the continuous node: a Piecewise
            return sp.Piecewise((self.eval(node.body), test), (self.eval(node.orelse), True))
        return self.eval(node.body) if _decided(test, self._where(node)) else self.eval(node.orelse)

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        where = self._where(node)
        if self.mode in _LINK_MODES and name in LINKS and not node.keywords:
            if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise _Invalid(f"{where}: {name} takes exactly 1 argument")
            argument = self.eval(node.args[0])
            if not isinstance(argument, sp.Basic | int | float) or isinstance(argument, bool):
                raise _Invalid(f"{where}: {name} needs a number")
            return check_number(LINKS[name](argument), where)
        if self.mode != "value" or name not in _CALLS or node.keywords:
            raise _Invalid(f"{where}: calls are not allowed in {self.what} (formulas may use min, max, abs)")
        function, least, most = _CALLS[name]
        if len(node.args) < least or (most is not None and len(node.args) > most):
            wanted = f"exactly {least}" if least == most else f"at least {least}"
            raise _Invalid(f"{where}: {name} takes {wanted} argument{'s' if least > 1 else ''}, got {len(node.args)}")
        args = [self.eval(a) for a in node.args]
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _Invalid(f"{where}: * is not allowed in {self.what}")
        kinds = {_kind_of(a) for a in args}
        if name == "abs" and kinds != {"number"}:
            raise _Invalid(f"{where}: abs needs a number")
        if len(kinds) != 1 or "other" in kinds:
            raise _Invalid(f"{where}: {name} compares numbers with numbers or names with names")
        try:
            return check_number(function(*args), where)
        except TypeError as exc:
            raise _Invalid(f"{where}: {exc}") from None


_RELATIONS = {ast.Eq: sp.Eq, ast.NotEq: sp.Ne, ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}


def _is_relation(value: Any) -> bool:
    """A sympy relation or logical combination of relations (a choice's condition on a continuous node)."""
    return isinstance(value, sp.logic.boolalg.Boolean) and not isinstance(value, sp.Expr | sp.logic.boolalg.BooleanAtom)


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", bool: "a boolean", int: "an integer", float: "a float"}.get(
        type(value), type(value).__name__)


def _known(what: str, names: Mapping[str, Any]) -> str:
    listed = ", ".join(sorted(names)) or "none"
    return f"a name {what} may use (known: {listed})"
