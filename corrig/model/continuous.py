"""Continuous nodes and the discrete nodes that read them, read into exact symbolic form.

A continuous node's mechanism is a Distribution (corrig.model.distributions), or a function of its
discrete parents returning one.  A *reader* is a discrete chance node with one continuous parent U: its
mechanism is called once per assignment of its discrete parents with U standing for a real symbol, and
returns {state: probability} where each probability is

- a number or parameter expression (constant in U),
- a comparison of U (`U < 0`, `(U >= a) & (U < b)`): one where it holds, zero elsewhere, or
- c0 + c1 · L(a·U + b) with L = sigmoid or Phi (corrig.model.links): a Boltzmann or probit choice,

or a Piecewise of these over comparisons of U.  Every comparison must be linear in U: it becomes a
*threshold*, and between two neighbouring thresholds every probability is constant or one such link
term.  That is what makes each reader's table an exact factor once U is integrated out
(corrig.inference.continuous), and what makes the checks below exact: each probability's range on an
interval lies between c0 and c0 + c1, and each row sums to one term by term.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.logic.boolalg import Boolean, BooleanAtom

from corrig.model.distributions import Distribution
from corrig.model.errors import QueryError, StateError, WorldError
from corrig.model.expr import BinOp, Compare, Const, Expr, In, Logic, State, Var
from corrig.model.numbers import check_distribution, to_number
from corrig.model.params import parameters_in
from corrig.model.pieces import Partition, link_term, relations, threshold

if TYPE_CHECKING:
    from corrig.model.world import World

Context = tuple[State, ...]


class NodeValue(sp.Symbol):
    """The real symbol standing for a continuous node's value inside its readers' mechanisms."""

    def __new__(cls, name: str) -> NodeValue:
        return sp.Symbol.__xnew__(cls, name, real=True)


def value_symbol(name: str) -> NodeValue:
    """The symbol of continuous node `name`."""
    return NodeValue(name)


class ContinuousVar(Var):
    """The handle of a continuous node: compared with numbers (`U < 0`), used in arithmetic (`U * X`)."""

    __slots__ = ()

    def _state(self, value: Any) -> Any:
        if isinstance(value, str | bool):
            raise StateError(f"{self.name} is continuous: compare it with a number, not {value!r}")
        return value

    def isin(self, states: Any) -> Expr:
        raise QueryError(f"{self.name} is continuous: write an interval as (a <= {self.name}) & ({self.name} < b)")

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Reader:
    """A discrete node reading continuous node `source`: its other parents and each context's symbolic row."""

    name: str
    source: str
    others: tuple[str, ...]  # the discrete parents, in the node's parent order without `source`
    rows: Mapping[Context, Mapping[State, sp.Expr]]  # context of `others` -> {state: probability in the symbol}


@dataclass(frozen=True)
class ContinuousPart:
    """A world's continuous nodes ({node: {discrete parent context: Distribution}}) and readers."""

    nodes: Mapping[str, Mapping[Context, Distribution]]
    readers: Mapping[str, Reader]

    @property
    def parameters(self) -> frozenset[sp.Symbol]:
        """Every parameter a distribution or a reader's row reads."""
        found = [d.parameters for table in self.nodes.values() for d in table.values()]
        found += [parameters_in(v) for r in self.readers.values() for row in r.rows.values() for v in row.values()]
        return frozenset(s for s in frozenset().union(*found) if not isinstance(s, NodeValue))

    @property
    def floats(self) -> bool:
        """True when a distribution or row holds a float (the world then answers in floats)."""
        values = [p for table in self.nodes.values() for d in table.values() for p in d.params]
        values += [v for r in self.readers.values() for row in r.rows.values() for v in row.values()]
        return any(v.has(sp.Float) for v in values)


def distributions(world: World, name: str) -> dict[Context, Distribution]:
    """A continuous node's distribution in each context of its (discrete) parents, checked."""
    node = world.nodes[name]
    mechanism = node.mechanism
    out: dict[Context, Distribution] = {}
    for context in itertools.product(*(world.nodes[p].states for p in node.parents)):
        where = f"node {name}" + _context_text(node.parents, context)
        if callable(mechanism):
            found = mechanism(**dict(zip(node.parents, context, strict=True)))
        elif isinstance(mechanism, Mapping):  # a table {parent context: distribution}
            found = mechanism.get(context[0] if len(context) == 1 and context not in mechanism else context)
        else:
            found = mechanism
        if not isinstance(found, Distribution):
            raise WorldError(f"{where}: a continuous node's mechanism must return a distribution (Normal, Uniform, "
                             f"Exponential, Logistic, Beta) in every context, got {found!r}")
        found.check(where)
        out[context] = found
    return out


def reader_states(name: str, mechanism: Any, parents: tuple[str, ...], states_of: Mapping[str, tuple]) -> list[State]:
    """The states a reader's rows name, in order of appearance (its mechanism called once per discrete context)."""
    source = next(p for p in parents if not states_of[p])
    others = [p for p in parents if p != source]
    if not callable(mechanism):
        raws = list(mechanism.values()) if others else [mechanism]
    else:
        raws = [call_reader(name, mechanism, parents, {**dict(zip(others, context, strict=True)), source: value_symbol(source)})
                for context in itertools.product(*(states_of[p] for p in others))]
    seen: dict[State, None] = {}
    for raw in raws:
        for state in (raw.keys() if isinstance(raw, Mapping) else [raw]):
            seen.setdefault(state, None)
    return list(seen)


def call_reader(name: str, mechanism: Callable[..., Any], parents: tuple[str, ...], values: Mapping[str, Any]) -> Any:
    """The reader's raw row for one context, its continuous parent given as its symbol."""
    try:
        return mechanism(**{p: values[p] for p in parents})
    except TypeError as exc:
        if "truth value of Relational" in str(exc) or "cannot determine truth value" in str(exc):
            source = next((p for p in parents if isinstance(values[p], NodeValue)), "U")
            raise WorldError(
                f"node {name}: its mechanism branches on the continuous node {source} with if/else; write each "
                f"state's probability instead, e.g. lambda {', '.join(parents)}: {{'stop': {source} < 0, 'run': "
                f"{source} >= 0}} (a comparison is 1 where it holds), or sigmoid(beta*{source}) for a Boltzmann choice"
            ) from None
        raise WorldError(f"node {name}: its mechanism raised TypeError: {exc}") from exc
    except Exception as exc:
        raise WorldError(f"node {name}: its mechanism raised {type(exc).__name__}: {exc}") from exc


def reader_row(name: str, raw: Any, source: str, where: str) -> dict[State, sp.Expr]:
    """A reader's row as {state: probability expression in the source's symbol}, each of a readable form."""
    if not isinstance(raw, Mapping):
        return {raw: sp.S.One}
    u = value_symbol(source)
    row: dict[State, sp.Expr] = {}
    for state, value in raw.items():
        if isinstance(value, Boolean) and not isinstance(value, BooleanAtom | sp.Expr):
            value = sp.Piecewise((1, value), (0, True))
        elif isinstance(value, BooleanAtom | bool):
            value = sp.Integer(int(bool(value)))
        row[state] = to_number(value, f"{where} at {name}={state!r}")
        _check_form(row[state], u, f"{where} at {name}={state!r}")
    return row


def _check_form(value: sp.Expr, u: NodeValue, where: str) -> None:
    """Raise unless `value` is constant, a comparison, or c0 + c1·L(a·u + b), or a Piecewise of these."""
    if u not in value.free_symbols:
        return
    folded = sp.piecewise_fold(value)
    for piece, condition in (folded.args if isinstance(folded, sp.Piecewise) else [(folded, sp.true)]):
        for relation in relations(condition):
            threshold(relation, u, where)
        link_term(piece, u, where)


def read_reader(world: World, name: str, source: str) -> Reader:
    """A reader's rows per context of its discrete parents, each checked: forms, states, sums and ranges."""
    node = world.nodes[name]
    mechanism = node.mechanism
    others = tuple(p for p in node.parents if p != source)
    rows: dict[Context, dict[State, sp.Expr]] = {}
    for context in itertools.product(*(world.nodes[p].states for p in others)):
        values = {**dict(zip(others, context, strict=True)), source: value_symbol(source)}
        given = "".join(f", {p}={v!r}" for p, v in zip(others, context, strict=True))
        where = f"P({name} | {source}{given})"
        if callable(mechanism):
            raw = call_reader(name, mechanism, node.parents, values)
        elif not others:
            raw = mechanism
        else:  # a table of symbolic rows, keyed by the other parents' states
            key = context[0] if len(context) == 1 and context not in mechanism else context
            if key not in mechanism:
                raise WorldError(f"node {name}: its table has no row given {dict(zip(others, context, strict=True))}")
            raw = mechanism[key]
        row = reader_row(name, raw, source, where)
        for state in row:
            if state not in node.states:
                raise StateError(f"{where}: {state!r} is not a state of {name}; its states are {list(node.states)}")
        check_row(row, node.states, value_symbol(source), where)
        rows[context] = row
    return Reader(name, source, others, rows)


def check_row(row: Mapping[State, sp.Expr], states: tuple[State, ...], u: NodeValue, where: str) -> None:
    """Raise unless the row is a distribution at every value of u: on every cell between its thresholds each
    probability is c0 + c1·L with L in (0, 1), so it is checked where L is 0 and where it is 1, and sums term by term."""
    values = [row.get(s, sp.S.Zero) for s in states]
    found = {threshold(r, u, where).at for v in values for r in relations(v) if u in r.free_symbols}
    partition = Partition.of(u.name, (sp.S.NegativeInfinity, sp.S.Infinity), found)
    for cell, _, _ in partition.cells():
        terms = [link_term(partition.decide(v, cell, u), u, where) for v in values]
        constants = tuple(c for c, _, _ in terms)
        check_distribution(constants, states, where)  # where the link is 0
        check_distribution(tuple(c + s for c, s, _ in terms), states, where)  # and where it is 1: linear between
        used = {link for _, _, link in terms if link is not None}
        if len(used) > 1:
            raise WorldError(f"{where}: two different choice functions {sorted(map(str, used))} on one interval of {u}; "
                             f"a row may use one")


def _context_text(parents: tuple[str, ...], context: Context) -> str:
    return "" if not parents else " given " + ", ".join(f"{p}={v!r}" for p, v in zip(parents, context, strict=True))


# quantities and events over continuous nodes ------------------------------------------------------
def symbolic_value(expr: Expr, values: Mapping[str, Any], continuous: frozenset[str]) -> Any:
    """The expression's value with each continuous node its symbol: a sympy expression in those symbols,
    comparisons of them Piecewise indicators (in arithmetic) or relations (as events)."""
    if isinstance(expr, Var):
        return value_symbol(expr.name) if expr.name in continuous else values[expr.name]
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, BinOp):
        left, right = (_arithmetic(symbolic_value(x, values, continuous), expr) for x in (expr.left, expr.right))
        if expr.op == "/":
            if isinstance(right, sp.Basic) and right.free_symbols & {value_symbol(n) for n in continuous}:
                raise QueryError(f"{expr!r} divides by a continuous node: E(...) integrates piecewise polynomials")
            return sp.sympify(left) / sp.sympify(right)
        return {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}[expr.op](left, right)
    if isinstance(expr, Compare):
        left = symbolic_value(expr.left, values, continuous)
        right = symbolic_value(expr.right, values, continuous)
        if _reads_symbol(left) or _reads_symbol(right):
            relation = {"==": sp.Eq, "!=": sp.Ne, "<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}[expr.op]
            return relation(sp.sympify(left), sp.sympify(right))
        return expr.evaluate(values)
    if isinstance(expr, In):
        if _reads_symbol(symbolic_value(expr.expr, values, continuous)):
            raise QueryError(f"{expr!r}: a continuous value is never one of finitely many states; compare it instead")
        return expr.evaluate(values)
    if isinstance(expr, Logic):
        args = [symbolic_value(a, values, continuous) for a in expr.args]
        if not any(isinstance(a, sp.Basic) and _reads_symbol(a) for a in args):
            return expr.evaluate(values)
        args = [sp.true if a is True else sp.false if a is False else a for a in args]
        return sp.Not(args[0]) if expr.op == "~" else (sp.And if expr.op == "&" else sp.Or)(*args)
    raise QueryError(f"{expr!r} cannot be read over continuous nodes")


def _reads_symbol(value: Any) -> bool:
    return isinstance(value, sp.Basic) and any(isinstance(s, NodeValue) for s in value.free_symbols)


def _arithmetic(value: Any, expr: Expr) -> Any:
    """A value usable in arithmetic: truth values count as 1 or 0, comparisons of a node as indicators."""
    if isinstance(value, bool):
        return sp.Integer(int(value))
    if isinstance(value, str):
        raise QueryError(f"cannot do arithmetic on the state {value!r} in {expr!r}")
    if isinstance(value, Boolean) and not isinstance(value, sp.Expr):  # a relation (a Symbol is a Boolean too)
        return sp.Piecewise((1, value), (0, True))
    return value
