"""Reading the values a declarative scenario is made of: numbers, states, node names, events, and the
rows, tables and formulas of a node's mechanism or a decision's rule.

    reader.number(key, "1 - p")              # a number or a parameter expression
    reader.state(key, "H", "stop")           # a state of H, written as itself or as its text
    reader.event(key, "S == 0", "an event")  # an expression over nodes (or a table {node = state})
    reader.table(key, "H", ["S"], {...})     # a CPD: one row per context of the parents, '*' matching any

`ValueReader` holds what a scenario has declared so far (its parameters, its nodes' states, the
world being built) and reads each value against it; the sections of a file are read by
corrig.scenarios.toml_reader on top of it.  Every error is a `DeclarativeError` naming the file,
the line and the key at fault.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy as sp

from corrig.model import limits
from corrig.model.errors import CorrigError
from corrig.model.expr import Expr, not_an_event
from corrig.model.world import World, check_distribution, to_number
from corrig.scenarios.formula import MAX_DIGITS, Evaluator, _Invalid, check_number, parse
from corrig.scenarios.toml_lines import DeclarativeError, Key, Locator, key_text

WILDCARD = "*"
_RATIONAL = re.compile(r"[+-]?\d+(/\d+)?")


class ValueReader:
    """A declarative scenario's values, read against what the file has declared so far."""

    def __init__(self, data: dict[str, Any], file: Path | None, locator: Locator):
        self.data, self.file, self.locator = data, file, locator
        self.params: dict[str, sp.Symbol] = {}
        self.world = World(str(data.get("name", file.stem if file else "scenario")))
        self.states: dict[str, tuple[Any, ...]] = {}
        self._indexes: dict[str, tuple[dict, dict]] = {}
        self.terms = 0  # utility terms read so far (nested `times` included), against the `terms` limit

    def error(self, key: Key, message: str) -> DeclarativeError:
        return DeclarativeError(message, file=self.file, key=key_text(key), line=self.locator.line(key))

    # helpers ---------------------------------------------------------------------------------
    def table_at(self, key: Key, value: Any, allowed: set[str] | None = None, required: Iterable[str] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {_kind(value)}")
        for name in required:
            if name not in value:
                raise self.error(key, f"missing key {name!r}")
        if allowed is not None:
            for name in value:
                if name not in allowed:
                    raise self.error((*key, name), f"unknown key {name!r}; expected one of {sorted(allowed)}")
        return value

    def number(self, key: Key, value: Any, what: str = "a number") -> Any:
        if isinstance(value, bool):
            raise self.error(key, f"{value!r} is not {what}")
        try:
            if isinstance(value, int):
                return sp.Integer(check_number(value, f"{what} {value}"))
            if isinstance(value, float):
                return check_number(value, f"{what} {value}")
            return Evaluator("number", self.params, f"{what} (numbers and parameters)")(value)
        except _Invalid as exc:
            raise self.error(key, str(exc)) from None

    def state(self, key: Key, node: str, value: Any) -> Any:
        """A state of `node` written as itself or as its text (TOML keys are always text).

        Looked up in two dictionaries built once per node (by typed value, by text), so matching the
        keys of a table is linear in its size."""
        exact, by_text = self._state_index(node)
        found = exact.get((type(value), value)) if isinstance(value, str | int) else None
        if found is not None:
            return found[0]
        text = value.strip() if isinstance(value, str) else _state_text(value)
        if text in by_text:
            return by_text[text]
        states = self.states[node]
        shown = list(states) if len(states) <= 20 else [*list(states)[:20], "..."]
        raise self.error(key, f"{value!r} is not a state of {node}; its states are {shown}")

    def _state_index(self, node: str) -> tuple[dict, dict]:
        index = self._indexes.get(node)
        if index is None:
            exact: dict = {}
            by_text: dict = {}
            for s in self.states[node]:
                exact.setdefault((type(s), s), (s,))
                by_text.setdefault(_state_text(s), s)
            index = self._indexes[node] = (exact, by_text)
        return index

    def numeric_state(self, key: Key, value: Any) -> Any:
        """An exact number state (numeric = true): 2, "3/4"."""
        if isinstance(value, bool) or len(str(value)) > MAX_DIGITS or not _RATIONAL.fullmatch(str(value).strip()):
            raise self.error(key, f"{value!r} is not an exact number (numeric states are integers or \"p/q\")")
        number = Fraction(str(value).strip())
        return int(number) if number.denominator == 1 else number

    def node_name(self, key: Key, name: Any) -> str:
        if not isinstance(name, str) or name not in self.states:
            raise self.error(key, f"{name!r} is not a declared node; the nodes are {list(self.states)}")
        return name

    def names_list(self, key: Key, value: Any) -> list[str]:
        """A list of node names, each named once (a repeat is an error at the list's key)."""
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of node names, got {value!r}")
        seen: set[str] = set()
        for name in value:
            if name in seen:
                raise self.error(key, f"the list names {name!r} twice")
            seen.add(name)
        return value

    def event(self, key: Key, value: Any, what: str) -> Any:
        """An event: an expression over nodes, or a table {node = state}."""
        handles = {**self.world.handles, **self.params}
        if isinstance(value, dict):
            parts = [self.world[self.node_name((*key, k), k)] == self.state((*key, k), k, v) for k, v in value.items()]
            if not parts:
                raise self.error(key, f"{what} needs at least one node = state")
            out = parts[0]
            for p in parts[1:]:
                out = out & p
            return out
        try:
            result = Evaluator("event", handles, what)(value)
        except _Invalid as exc:
            raise self.error(key, str(exc)) from None
        except CorrigError as exc:
            raise self.error(key, str(exc)) from None
        if not isinstance(result, Expr):
            raise self.error(key, f"{value!r} does not read any node")
        reason = not_an_event(result) if what != "a quantity" else None
        if reason is not None:
            raise self.error(key, f"{what} is needed: {reason}")
        return result


    def row(self, key: Key, node: str, value: Any, context: tuple, parents: Iterable[str] = ()) -> dict:
        """One row of a CPD: a state (probability one) or {state = probability}; checked here."""
        states = self.states[node]
        if isinstance(value, dict):
            dist = {}
            for s, p in value.items():
                state = self.state((*key, s), node, s)
                dist[state] = self.number((*key, s), p, "a probability")
        else:
            dist = {self.state(key, node, value): sp.Integer(1)}
        values = tuple(to_number(dist.get(s, 0), str(s)) for s in states)
        where = f"P({node}{_context_text(tuple(parents), context)})"
        try:
            check_distribution(values, states, where)
        except CorrigError as exc:
            raise self.error(key, str(exc)) from None
        return dist

    def contexts(self, parents: list[str], node: str | None = None, key: Key = ()) -> list[tuple]:
        """Every assignment of `parents`, after checking that `node`'s table is within the `table` limit."""
        if node is not None:
            try:
                limits.check_table(node, [len(self.states[p]) for p in parents], len(self.states[node]))
            except CorrigError as exc:
                raise self.error(key, str(exc)) from None
        return self._contexts(parents)

    def _contexts(self, parents: list[str]) -> list[tuple]:
        return list(itertools.product(*(self.states[p] for p in parents)))

    def table(self, key: Key, node: str, parents: list[str], table: Any) -> dict:
        table = self.table_at(key, table)
        if not parents:
            raise self.error(key, "a table needs parents = [...]; a root node has a distribution")
        matchers = []
        for text, value in table.items():
            cells = [c.strip() for c in str(text).split(",")] if len(parents) > 1 else [str(text).strip()]
            if len(cells) != len(parents):
                raise self.error((*key, text), f"a row key lists one state per parent {parents}, comma-separated; "
                                               f"got {len(cells)}")
            pattern = tuple(None if c == WILDCARD else self.state((*key, text), p, c)
                            for c, p in zip(cells, parents, strict=True))
            matchers.append((text, pattern, value))
        rows = {}
        used = set()
        for context in self.contexts(parents, node, key):
            for text, pattern, value in matchers:
                if all(p is None or (p == c and type(p) is type(c)) for p, c in zip(pattern, context, strict=True)):
                    rows[context] = self.row((*key, text), node, value, context, parents)
                    used.add(text)
                    break
            else:
                shown = ", ".join(f"{p}={c!r}" for p, c in zip(parents, context, strict=True))
                raise self.error(key, f"no row for {shown} (rows are 'state' or 'a,b' in parents order; '*' matches any)")
        unused = [t for t, _, _ in matchers if t not in used]
        if unused:
            raise self.error((*key, unused[0]), "this row is never used: an earlier row (or a wildcard) covers it")
        return rows

    def formula(self, key: Key, node: str, parents: list[str], text: Any) -> dict:
        tree = self._parse(key, text)
        rows = {}
        for context in self.contexts(parents, node, key):
            values = dict(zip(parents, context, strict=True))
            try:
                result = Evaluator("value", {**values, **self.params}, f"the formula of {node}", text).eval(tree)
            except _Invalid as exc:
                raise self.error(key, str(exc)) from None
            if isinstance(result, sp.Basic) or isinstance(result, float):
                raise self.error(key, f"the formula gives {result} {_context_text(tuple(parents), context)}: a formula gives a "
                                      f"state (use a table for probabilities)")
            try:
                rows[context] = self.row(key, node, result, context, parents)
            except DeclarativeError as exc:
                raise self.error(key, f"{exc.reason}{_context_text(tuple(parents), context)}") from None
        return rows

    def _parse(self, key: Key, text: Any) -> ast.expr:
        try:
            return parse(text)
        except _Invalid as exc:
            raise self.error(key, str(exc)) from None

    def assignment(self, key: Key, value: Any) -> dict[str, Any]:
        value = self.table_at(key, value)
        if not value:
            raise self.error(key, "needs at least one node = state")
        return {self.node_name((*key, k), k): self.state((*key, k), k, v) for k, v in value.items()}


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(type(value), type(value).__name__)


def _state_text(state: Any) -> str:
    if isinstance(state, bool):
        return "true" if state else "false"
    return str(state)


def _context_text(parents: tuple[str, ...], context: tuple) -> str:
    if not parents:
        return ""
    return " given " + ", ".join(f"{p}={v!r}" for p, v in zip(parents, context, strict=True))
