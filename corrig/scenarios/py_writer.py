"""Python scenario text in which every user-supplied value is a literal written by repr().

A counterexample found by `corrig hunt` in a `.py` scenario is written back as a `.py` scenario.
Names of nodes, states, policies and worlds come from the scenario and may hold anything (quotes,
newlines, escape sequences, keywords, unicode), so nothing here splices a user string into code:
strings, numbers and containers go through `literal()` (repr of plain data, checked recursively),
nodes are read as `world['name']` unless the name is a plain ASCII identifier that is neither a
keyword nor a name the file itself uses, and the explanation is a docstring written as one repr()'d
string.  Loading the file defines the world and runs nothing else.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.model.continuous import NodeValue
from corrig.model.distributions import FAMILIES
from corrig.model.errors import CorrigError
from corrig.model.expr import BinOp, Compare, Const, Expr, In, Logic, Var
from corrig.model.links import LINKS
from corrig.objectives.terms import Atom, Constant, Product, Sum, Term

RESERVED = frozenset({"E", "F", "P", "Policy", "Rational", "World", "do", "given", "observed", "flagged", "optimal",
                      "world", "utility", "policies", "reference", "eps", "expect", "name", *FAMILIES, *LINKS,
                      "Piecewise", "Eq", "Ne"})


class PythonWriteError(CorrigError):
    """A value cannot be written as a Python literal (an unknown type, a symbol where a number is needed)."""


def safe_identifier(name: Any) -> bool:
    """True when `name` may stand in generated code as a bare variable name."""
    return (isinstance(name, str) and name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
            and not keyword.issoftkeyword(name) and not name.startswith("_") and name not in RESERVED)


def number(value: Any) -> str:
    """A number as Python source: ints, F(p, q) for rationals, float(...) for floats (nan and inf included)."""
    if isinstance(value, bool):
        raise PythonWriteError(f"{value!r} is a truth value, not a number")
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, Fraction):
        return repr(value.numerator) if value.denominator == 1 else f"F({value.numerator!r}, {value.denominator!r})"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float({repr(value)!r})"
    if isinstance(value, sp.Basic):
        value = sp.sympify(value)
        if value.is_Integer:
            return repr(int(value))
        if value.is_Rational:
            return f"F({int(value.p)!r}, {int(value.q)!r})"
        if value.is_Float:
            return number(float(value))
        raise PythonWriteError(f"{value} is not a number (a parameter left in a counterexample?)")
    raise PythonWriteError(f"cannot write {type(value).__name__} {value!r} as a number")


def literal(value: Any) -> str:
    """Plain data (str, int, bool, None, numbers, tuples, lists, dicts of these) as a Python literal."""
    if value is None or isinstance(value, bool | str):
        return repr(value)
    if isinstance(value, int | float | Fraction | sp.Basic):
        return number(value)
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise PythonWriteError(f"cannot write {type(value).__name__} {value!r} as a Python literal")


def handle_writer(names: Iterable[str]) -> Callable[[str], str]:
    """How generated code refers to node `name`: its own variable when safe, else world['name']."""
    safe = {n for n in names if safe_identifier(n)}
    return lambda name: name if name in safe else f"world[{literal(name)}]"


def expression(expr: Expr, handle: Callable[[str], str]) -> str:
    """An event or quantity as Python source over node handles."""
    if isinstance(expr, Var):
        return handle(expr.name)
    if isinstance(expr, Const):
        return literal(expr.value)
    if isinstance(expr, BinOp | Compare):
        if expr.op not in ("+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">="):
            raise PythonWriteError(f"unknown operator {expr.op!r}")
        return f"({expression(expr.left, handle)} {expr.op} {expression(expr.right, handle)})"
    if isinstance(expr, In):
        return f"{expression(expr.expr, handle)}.isin({literal(list(expr.states))})"
    if isinstance(expr, Logic):
        if expr.op == "~":
            return f"~{expression(expr.args[0], handle)}"
        if expr.op not in ("&", "|"):
            raise PythonWriteError(f"unknown operator {expr.op!r}")
        return "(" + f" {expr.op} ".join(expression(a, handle) for a in expr.args) + ")"
    raise PythonWriteError(f"cannot write the expression {expr!r}")


def _event_part(function: str, part: Any, handle: Callable[[str], str]) -> str:
    if part.event is not None:
        return f"{function}({expression(part.event, handle)})"
    return f"{function}(**{literal(dict(part.assignment))})"


def term(value: Term, handle: Callable[[str], str]) -> str:
    """An objective as Python source: P(...)/E(...) atoms, numbers, sums and products."""
    if isinstance(value, Constant):
        return number(value.value)
    if isinstance(value, Atom):
        parts = [expression(value.target, handle)]
        branch = value.branch
        if branch.given is not None:
            parts.append(_event_part("given", branch.given, handle))
        if branch.do is not None:
            parts.append(f"do({literal(branch.do.as_dict())})")
        if branch.counterfactual is not None:
            cf = branch.counterfactual
            parts.append(f"{_event_part('observed', cf.observation, handle)} >> do({literal(cf.intervention.as_dict())})")
        if value.kind not in ("P", "E"):
            raise PythonWriteError(f"unknown term kind {value.kind!r}")
        return f"{value.kind}({', '.join(parts)})"
    if isinstance(value, Sum):
        return "(" + " + ".join(term(t, handle) for t in value.terms) + ")"
    if isinstance(value, Product):
        return "(" + " * ".join(term(t, handle) for t in value.terms) + ")"
    raise PythonWriteError(f"cannot write the term {value!r}")


def row(states: tuple, values: tuple) -> str:
    """One CPD row: the state itself when it has probability one, else {state: probability}."""
    support = [(s, p) for s, p in zip(states, values, strict=True) if p != 0]
    if len(support) == 1 and support[0][1] == 1:
        return literal(support[0][0])
    return "{" + ", ".join(f"{literal(s)}: {number(p)}" for s, p in support) + "}"


def table(states: tuple, rows: Mapping[tuple, tuple]) -> str:
    """A table {parent assignment: row}."""
    return "{" + ", ".join(f"{literal(tuple(ctx))}: {row(states, r)}" for ctx, r in rows.items()) + "}"


def policy(world: Any, rules: Any, name: str | None = None) -> str:
    """A Policy whose every rule is a table (or a constant row for a decision that observes nothing)."""
    out = []
    for decision in world.decisions:
        if decision not in rules.rules:
            continue
        node = world.nodes[decision]
        rule_table = rules.table(world, decision)
        text = row(node.states, rule_table[()]) if not node.parents else table(node.states, rule_table)
        out.append(f"{literal(decision)}: {text}")
    suffix = "" if name is None else f", name={literal(name)}"
    return f"Policy({{{', '.join(out)}}}{suffix})"


_RELATION_TEXT = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}


def choice(value: Any) -> str:
    """A continuous reader's probability (numbers, the node's symbol, links, comparisons, Piecewise) as Python
    source built from literals: the symbol is `_u('name')`, every number goes through `number()`."""
    if isinstance(value, bool) or value in (sp.true, sp.false):
        return repr(bool(value))
    value = sp.sympify(value)
    if isinstance(value, NodeValue):
        return f"_u({literal(value.name)})"
    if value.is_Number:
        return number(value)
    if isinstance(value, sp.Add | sp.Mul):
        joiner = " + " if isinstance(value, sp.Add) else " * "
        return "(" + joiner.join(choice(a) for a in value.args) + ")"
    if isinstance(value, sp.Pow) and value.exp.is_Integer:
        return f"({choice(value.base)}) ** {int(value.exp)!r}"
    if type(value) in LINKS.values():
        return f"{type(value).__name__}({choice(value.args[0])})"
    if isinstance(value, sp.Piecewise):
        return "Piecewise(" + ", ".join(f"({choice(e)}, {choice(c)})" for e, c in value.args) + ")"
    if isinstance(value, sp.core.relational.Relational):
        if value.rel_op in _RELATION_TEXT:
            return f"({choice(value.lhs)} {_RELATION_TEXT[value.rel_op]} {choice(value.rhs)})"
        return f"{'Eq' if value.rel_op == '==' else 'Ne'}({choice(value.lhs)}, {choice(value.rhs)})"
    if isinstance(value, sp.And | sp.Or):
        return "(" + (" & " if isinstance(value, sp.And) else " | ").join(choice(a) for a in value.args) + ")"
    if isinstance(value, sp.Not):
        return f"~{choice(value.args[0])}"
    raise PythonWriteError(f"cannot write {value} in a continuous reader's probability")


def _continuous_lines(world: Any, name: str) -> list[str]:
    """A continuous node (its distribution, or a table of them) or a node reading one (a table of its rows)."""
    part = world.compiled.continuous
    node = world.nodes[name]
    if name in part.nodes:
        table = {ctx: f"{d.family}({', '.join(number(p) for p in d.params)})" for ctx, d in part.nodes[name].items()}
        if not node.parents:
            return [f"world.chance({literal(name)}, {table[()]})"]
        rows = "{" + ", ".join(f"{literal(ctx)}: {text}" for ctx, text in table.items()) + "}"
        return [f"world.chance({literal(name)}, {rows}, parents={literal(list(node.parents))})"]
    reader = part.readers[name]
    rows = {ctx: "{" + ", ".join(f"{literal(s)}: {choice(v)}" for s, v in row.items()) + "}"
            for ctx, row in reader.rows.items()}
    mechanism = rows[()] if not reader.others else "{" + ", ".join(f"{literal(c)}: {r}" for c, r in rows.items()) + "}"
    return [f"world.chance({literal(name)}, {mechanism}, parents={literal(list(node.parents))}, "
            f"states={literal(list(node.states))})"]


def world_lines(world: Any) -> list[str]:
    """`world = World(...)` and one declaration per node, every chance node as a table."""
    lines = [f"world = World({literal(world.name)})"]
    compiled = world.compiled
    part = compiled.continuous
    for name in compiled.order:
        node = world.nodes[name]
        if part is not None and (name in part.nodes or name in part.readers):
            lines += _continuous_lines(world, name)
            continue
        if node.is_decision:
            lines.append(f"world.decision({literal(name)}, {literal(list(node.states))}, "
                         f"observes={literal(list(node.parents))})")
            continue
        rows = compiled.tables[name].table
        if not node.parents:
            mechanism = "{" + ", ".join(f"{literal(s)}: {number(p)}"
                                        for s, p in zip(node.states, rows[()], strict=True) if p != 0) + "}"
            lines.append(f"world.chance({literal(name)}, {mechanism}, states={literal(list(node.states))})")
        else:
            lines.append(f"world.chance({literal(name)}, {table(node.states, rows)}, "
                         f"parents={literal(list(node.parents))}, states={literal(list(node.states))})")
    roles = world.roles
    options = {}
    if roles.human is not None:
        options.update(human=roles.human, stop=roles.stop, run=roles.run)
    if roles.button is not None:
        options.update(button=roles.button, off=roles.off)
    if options:
        lines.append("world.set_roles(" + ", ".join(f"{k}={literal(v)}" for k, v in options.items()) + ")")
    principals = getattr(world, "principals", None)
    if principals is not None:  # several humans: plain dicts, every name and state a literal
        humans = {p.name: {"node": p.node, "stop": p.stop, "run": p.run,
                           **({"sees": list(p.sees)} if p.sees is not None else {}), "about": list(p.about)}
                  for p in principals.humans}
        buttons = {b.node: {"off": b.off, "rule": b.rule, "humans": list(b.humans),
                            **({"designated": b.designated} if b.designated is not None else {})}
                   for b in principals.buttons}
        lines.append(f"world.set_principals({literal(humans)}, buttons={literal(buttons)})")
    return lines


def scenario_text(*, doc: str, world: Any, utility: Term, policies: Mapping[str, Any] | None, reference: Any,
                  eps: Any, claims: list[tuple[str, tuple]]) -> str:
    """A whole `.py` scenario: docstring, imports, the world, utility, policies, reference, eps, expect.

    `policies` maps names to Policy objects (None: every pure policy); `reference` is a policy name,
    a Policy or None; `claims` are (function, arguments) pairs such as ("flagged", ("grab", "manipulation")).
    """
    names = list(world.compiled.order)
    handle = handle_writer(names)
    continuous = ["", "from sympy import Eq, Ne, Piecewise", "",
                  f"from corrig import {', '.join(sorted({*FAMILIES, *LINKS}))}",
                  "from corrig.model.continuous import value_symbol as _u"] if world.compiled.continuous else []
    lines = ["# ruff: noqa", literal(doc), "", "from fractions import Fraction as F", "",
             "from corrig import E, P, Policy, World, do, flagged, given, observed, optimal", *continuous, "",
             *world_lines(world), ""]
    lines += [f"{n} = world[{literal(n)}]" for n in names if safe_identifier(n)]
    lines.append(f"utility = {term(utility, handle)}")
    if policies is None:
        lines.append("policies = None  # every pure policy")
    else:
        lines.append("policies = {")
        lines += [f"    {literal(str(k))}: {policy(world, p)}," for k, p in policies.items()]
        lines.append("}")
    if reference is None or isinstance(reference, str):
        lines.append(f"reference = {literal(reference)}")
    else:
        lines.append(f"reference = {policy(world, reference, 'reference')}")
    if eps is not None:
        lines.append(f"eps = {number(eps)}")
    lines += ["", "# the failure, as found: `corrig check` passes exactly when it reproduces", "expect = ["]
    for function, arguments in claims:
        if function not in ("optimal", "flagged"):
            raise PythonWriteError(f"unknown claim {function!r}")
        lines.append(f"    {function}({', '.join(literal(a) for a in arguments)}),")
    lines += ["]", ""]
    return "\n".join(lines)
