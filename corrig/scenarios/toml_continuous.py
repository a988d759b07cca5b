"""Continuous nodes in declarative scenarios: reading and writing them as data.

    [nodes.U]
    kind = "continuous"
    distribution = "Normal(mu, sigma)"              # a family and its parameters (numbers, parameters)

    [nodes.V]
    kind = "continuous"
    parents = ["X"]
    distribution = "Normal(2*X - 1, 1)"             # a formula over the discrete parents, or
    table = { "0" = "Normal(-1, 1)", "1" = "Normal(1, 1)" }

    [nodes.H]                                        # a node reading U: each state's probability in U
    states = ["stop", "run"]
    parents = ["U"]
    probability = { stop = "U < 0", run = "U >= 0" }                   # or sigmoid(beta*U), Phi(beta*U)
    # with other parents: probability may read them, or table = { "a" = { stop = "...", ... } } by their states

A distribution is a call of one of the families (Normal, Uniform, Exponential, Logistic, Beta) whose
arguments are read as numbers; a choice probability is read by the whitelist evaluator's "choice" mode
(corrig.scenarios.formula): comparisons of the continuous node, `and`/`or`/`not`, `x if c else y`, and
`sigmoid`, `Phi`, `phi`.  Nothing is run, every budget of the expression language applies, and the world's
own checks (a positive scale on the whole parameter box, probabilities that sum to one at every value of
U, thresholds linear in U) name the file, line and key of a bad value.
"""

from __future__ import annotations

import ast
from typing import Any

import sympy as sp

from corrig.model.continuous import check_row, reader_row, value_symbol
from corrig.model.distributions import FAMILIES, Distribution
from corrig.model.errors import CorrigError
from corrig.model.world import World
from corrig.scenarios.formula import Evaluator, _Invalid
from corrig.scenarios.toml_lines import Key
from corrig.scenarios.toml_values import ValueReader, _state_text

CONTINUOUS_KEYS = {"kind", "parents", "distribution", "table", "doc"}


def read_continuous(reader: ValueReader, name: str, spec: dict) -> None:
    """A `kind = "continuous"` node: a distribution (a formula over its parents) or a table of them."""
    key = ("nodes", name)
    reader.table_at(key, spec, CONTINUOUS_KEYS)
    parents = spec.get("parents", [])
    for i, p in enumerate(parents):
        reader.node_name((*key, "parents", i), p)
        if not reader.states[p]:
            raise reader.error((*key, "parents", i), f"{p} is continuous: a continuous node's parents are discrete")
    given = [m for m in ("distribution", "table") if m in spec]
    if len(given) != 1:
        raise reader.error(key, f"a continuous node needs exactly one of distribution = \"Normal(mu, sigma)\" or "
                                f"table = {{...}}; got {given}")
    if given[0] == "distribution":
        tree = reader._parse((*key, "distribution"), spec["distribution"])
        table = {ctx: _distribution(reader, (*key, "distribution"), tree, dict(zip(parents, ctx, strict=True)))
                 for ctx in reader.contexts(parents)}
    else:
        rows = reader.table_at((*key, "table"), spec["table"])
        table = {}
        for ctx in reader.contexts(parents):
            text = ",".join(_state_text(c) for c in ctx)
            if text not in rows:
                raise reader.error((*key, "table"), f"no row {text!r} (one row per state of {parents})")
            tree = reader._parse((*key, "table", text), rows[text])
            table[ctx] = _distribution(reader, (*key, "table", text), tree, dict(zip(parents, ctx, strict=True)))
        extra = set(rows) - {",".join(_state_text(c) for c in ctx) for ctx in table}
        if extra:
            raise reader.error((*key, "table", sorted(extra)[0]), "this row is not a state of the parents")
    for ctx, distribution in table.items():
        try:
            distribution.check(f"node {name}" + (f" given {dict(zip(parents, ctx, strict=True))}" if parents else ""))
        except CorrigError as exc:
            raise reader.error((*key, given[0]), str(exc)) from None
    reader.world.chance(name, table[()] if not parents else table, parents=parents)


def _distribution(reader: ValueReader, key: Key, tree: ast.expr, values: dict[str, Any]) -> Distribution:
    """A family call `Normal(mean, sd)` whose arguments are numbers over the parameters and parent values."""
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in FAMILIES) \
            or tree.keywords or any(isinstance(a, ast.Starred) for a in tree.args):
        raise reader.error(key, f"a distribution is one of {sorted(FAMILIES)} called with its parameters, "
                                f"e.g. \"Normal(mu, sigma)\"")
    names = {**reader.params, **{p: sp.sympify(v) if not isinstance(v, str) else v for p, v in values.items()}}
    evaluate = Evaluator("number", names, f"a parameter of {tree.func.id} (numbers, parameters, parent states)")
    try:
        args = [evaluate.eval(a) for a in tree.args]
        return FAMILIES[tree.func.id](*args)
    except _Invalid as exc:
        raise reader.error(key, str(exc)) from None
    except CorrigError as exc:
        raise reader.error(key, str(exc)) from None


def read_reader(reader: ValueReader, name: str, spec: dict, source: str, parents: list[str], states: tuple) -> None:
    """A chance node reading the continuous node `source`: `probability = {state = "..."}`, the same expressions
    for every context of its other parents (which they may read), or a `table` of such rows by those contexts."""
    key = ("nodes", name)
    others = [p for p in parents if p != source]
    given = [m for m in ("probability", "table") if m in spec]
    if len(given) != 1 or any(m in spec for m in ("distribution", "formula")):
        raise reader.error(key, f"node {name} reads the continuous node {source}: give probability = {{state = "
                                f"\"expression in {source}\"}} (or a table of such rows by its other parents)")
    rows: dict[tuple, dict] = {}
    for ctx in reader.contexts(others):
        if given[0] == "probability":
            where, row = (*key, "probability"), spec["probability"]
        else:
            text = ",".join(_state_text(c) for c in ctx)
            table = reader.table_at((*key, "table"), spec["table"])
            if text not in table:
                raise reader.error((*key, "table"), f"no row {text!r} (one row per state of {others})")
            where, row = (*key, "table", text), table[text]
        rows[ctx] = _choice_row(reader, where, name, row, source, dict(zip(others, ctx, strict=True)))
    try:
        reader.world.chance(name, rows[()] if not others else rows, parents=parents, states=states)
    except CorrigError as exc:
        raise reader.error(key, str(exc)) from None


def _choice_row(reader: ValueReader, key: Key, node: str, row: Any, source: str, values: dict[str, Any]) -> dict:
    """One context's row, each probability read in U and checked (forms, thresholds, sums) at its key."""
    row = reader.table_at(key, row)
    names = {**reader.params, **values, source: value_symbol(source)}
    out = {}
    for state_text, text in row.items():
        state = reader.state((*key, state_text), node, state_text)
        try:
            out[state] = Evaluator("choice", names, f"a probability of {node} (in {source}, its other parents and "
                                                    f"the parameters)")(text) if isinstance(text, str) else \
                reader.number((*key, state_text), text, "a probability")
        except _Invalid as exc:
            raise reader.error((*key, state_text), str(exc)) from None
    where = f"P({node} | {source}{''.join(f', {p}={v!r}' for p, v in values.items())})"
    try:
        checked = reader_row(node, out, source, where)
        check_row(checked, reader.states[node], value_symbol(source), where)
    except CorrigError as exc:
        raise reader.error(key, str(exc)) from None
    return checked


# writing ---------------------------------------------------------------------------------------------
def distribution_text(distribution: Distribution) -> str:
    """`Normal(mu, 1/2)`: a family call the reader parses back."""
    return f"{distribution.family}({', '.join(sp.sstr(p) for p in distribution.params)})"


def choice_text(value: sp.Expr) -> str:
    """A choice probability in the declarative syntax: comparisons as they are, a Piecewise as `a if c else b`."""
    if isinstance(value, sp.Piecewise):
        (piece, condition), *rest = value.args
        if not rest or condition is sp.true:
            return choice_text(piece)
        otherwise = choice_text(sp.Piecewise(*rest)) if rest[0][1] is not sp.true else choice_text(rest[0][0])
        if piece == 1 and otherwise == "0":
            return sp.sstr(condition)
        return f"({choice_text(piece)}) if ({sp.sstr(condition)}) else ({otherwise})"
    return sp.sstr(value)


def continuous_entries(world: World, name: str) -> list[tuple[str, Any]]:
    """The (key, value) pairs of a continuous node's TOML table, or of a node reading one (states first)."""
    part = world.compiled.continuous
    node = world.nodes[name]
    if name in part.nodes:
        table = part.nodes[name]
        if not node.parents:
            return [("kind", "continuous"), ("distribution", distribution_text(table[()]))]
        rows = {",".join(_state_text(c) for c in ctx): distribution_text(d) for ctx, d in table.items()}
        return [("kind", "continuous"), ("parents", list(node.parents)), ("table", rows)]
    reader = part.readers[name]
    rows = {",".join(_state_text(c) for c in ctx): {_state_text(s): choice_text(v) for s, v in row.items()}
            for ctx, row in reader.rows.items()}
    entries = [("states", list(node.states)), ("parents", list(node.parents))]
    return [*entries, ("probability", rows[""])] if not reader.others else [*entries, ("table", rows)]
