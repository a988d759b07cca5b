"""Writing a scenario as a declarative TOML file (`corrig export`).

Any scenario whose utility is a weighted sum of terms can be written: Python mechanisms and rules
become tables, so a Python scenario can be converted, audited and shared as data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.model.agents import AI, owners
from corrig.model.errors import CorrigError
from corrig.model.expr import BinOp, Compare, Const, Expr, In, Logic, Var
from corrig.model.links import LINKS
from corrig.model.params import parameters_in, range_of
from corrig.model.policies import Policy
from corrig.model.world import World
from corrig.objectives.aggregate import Maximin, Nash
from corrig.objectives.terms import Atom, Constant, Product, Sum, Term
from corrig.scenarios.expect import Flagged, Optimal, ValueIs
from corrig.scenarios.expect_games import EveryEquilibrium, IncentiveNodes, IncentiveValue, NumberOfEquilibria
from corrig.scenarios.toml_continuous import continuous_entries
from corrig.scenarios.toml_values import _state_text


# the writer ---------------------------------------------------------------------------------
class DumpError(CorrigError):
    """A scenario holds something the declarative format cannot say (a product of two terms, ...)."""


def toml_string(text: str) -> str:
    """`text` as a TOML basic string: quotes, backslashes and every control character escaped.

    Names come from scenario files and may hold anything; written this way they can only ever be read
    back as the same string (a surrogate, which no TOML string can hold, is a DumpError)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or 0x7F <= code <= 0x9F or code in _ESCAPED:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise DumpError(f"{text!r} holds a lone surrogate, which TOML cannot write")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_ESCAPED = frozenset((0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)))
GAME_CLAIMS = (NumberOfEquilibria, EveryEquilibrium, IncentiveNodes, IncentiveValue)


def _toml_key(key: Any) -> str:
    text = _state_text(key)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else toml_string(text)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, Fraction):
        return toml_string(str(value))
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    raise DumpError(f"cannot write {value!r} in TOML")


def number_text(value: Any) -> Any:
    """A number as the declarative format writes it: ints and floats as themselves, the rest as text."""
    if isinstance(value, Fraction):
        value = sp.Rational(value.numerator, value.denominator)
    if isinstance(value, bool):
        raise DumpError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return value
    value = sp.sympify(value)
    if value.is_Integer:
        return int(value)
    if value.is_Float:
        return float(value)
    for atom in value.atoms(sp.Function):
        if type(atom) not in LINKS.values():  # Phi, phi and sigmoid are in the expression language
            raise DumpError(f"{value} uses {atom.func}, which the declarative format cannot write")
    return str(value)


def expr_text(expr: Expr) -> str:
    """An event or quantity in the declarative expression syntax."""
    if isinstance(expr, Var):
        return expr.name
    if isinstance(expr, Const):
        value = expr.value
        if isinstance(value, str):
            return repr(value)  # a Python string literal, which the expression reader parses back exactly
        if isinstance(value, bool | int | float):
            return repr(value)
        return f"({number_text(value)})"
    if isinstance(expr, BinOp | Compare):
        return f"({expr_text(expr.left)} {expr.op} {expr_text(expr.right)})"
    if isinstance(expr, In):
        return f"({expr_text(expr.expr)} in [{', '.join(repr(s) for s in expr.states)}])"
    if isinstance(expr, Logic):
        if expr.op == "~":
            return f"(not {expr_text(expr.args[0])})"
        joiner = " and " if expr.op == "&" else " or "
        return "(" + joiner.join(expr_text(a) for a in expr.args) + ")"
    raise DumpError(f"cannot write the expression {expr!r}")


Entry = tuple[Any, Atom, list]  # (weight, atom, times: the entries of the sum it is multiplied by, or [])


def _entries(term: Term) -> list[Entry]:
    """The term as a sum of weighted atoms, each possibly multiplied by a further sum (products distribute)."""
    if isinstance(term, Atom):
        return [(sp.Integer(1), term, [])]
    if isinstance(term, Sum):
        return [e for t in term.terms for e in _entries(t)]
    if isinstance(term, Product):
        weight: Any = sp.Integer(1)
        factors = []
        for t in term.terms:
            if isinstance(t, Constant):
                weight = weight * (t.value if isinstance(t.value, float) else sp.sympify(t.value))
            else:
                factors.append(_entries(t))
        if not factors:
            raise DumpError(f"{term!r} is a constant; the declarative utility is a sum of P/E terms")
        out = factors[0]
        for other in factors[1:]:
            out = _times(out, other)
        return [(weight * w, a, times) for w, a, times in out]
    raise DumpError(f"{term!r}: a constant term cannot be written; the utility is a sum of P/E terms")


def _times(left: list[Entry], right: list[Entry]) -> list[Entry]:
    return [(w, a, _times(times, right) if times else right) for w, a, times in left]


def _term_lines(entries: list[Entry], header: str) -> list[str]:
    lines: list[str] = []
    for weight, atom, times in entries:
        lines += ["", f"[[{header}]]", f"{atom.kind} = {_toml_value(expr_text(atom.target))}"]
        if weight != 1 or isinstance(weight, float):
            lines.append(f"weight = {_toml_value(number_text(weight))}")
        branch = atom.branch
        if branch.counterfactual is not None:
            lines.append(f"observed = {_toml_value(_event_value(branch.counterfactual.observation))}")
            lines.append(f"do = {_toml_value(branch.counterfactual.intervention.as_dict())}")
        if branch.given is not None:
            lines.append(f"given = {_toml_value(_event_value(branch.given))}")
        if branch.do is not None:
            lines.append(f"do = {_toml_value(branch.do.as_dict())}")
        if times:
            lines += _term_lines(times, f"{header}.times")
    return lines


def _entry_value(entry: Entry) -> dict[str, Any]:
    """One term as an inline table (for the parts of an aggregate utility)."""
    weight, atom, times = entry
    out: dict[str, Any] = {atom.kind: expr_text(atom.target)}
    if weight != 1 or isinstance(weight, float):
        out["weight"] = number_text(weight)
    branch = atom.branch
    if branch.counterfactual is not None:
        out["observed"] = _event_value(branch.counterfactual.observation)
        out["do"] = branch.counterfactual.intervention.as_dict()
    if branch.given is not None:
        out["given"] = _event_value(branch.given)
    if branch.do is not None:
        out["do"] = branch.do.as_dict()
    if times:
        out["times"] = [_entry_value(e) for e in times]
    return out


def _utility_lines(utility: Term) -> list[str]:
    """[[utility]] terms, or a [utility] table for Nash bargaining / maximin (corrig.scenarios.toml_aggregate)."""
    if isinstance(utility, Nash | Maximin):
        kind = "nash" if isinstance(utility, Nash) else "maximin"
        parts = [[_entry_value(e) for e in _entries(part)] for part in utility.parts]
        lines = ["", "[utility]", f"{kind} = {_toml_value(parts)}"]
        if isinstance(utility, Nash):
            lines.append(f"disagreement = {_toml_value([number_text(d) for d in utility.disagreement])}")
            lines.append(f"weights = {_toml_value([number_text(w) for w in utility.weights])}")
        return lines
    return _term_lines(_entries(utility), "utility")


def _linear(term: Term) -> list[tuple[Any, Atom]]:
    """The term as [(weight, atom)]; products of two terms cannot be written."""
    if isinstance(term, Atom):
        return [(sp.Integer(1), term)]
    if isinstance(term, Sum):
        return [pair for t in term.terms for pair in _linear(t)]
    if isinstance(term, Product):
        weight: Any = sp.Integer(1)
        inner: list[tuple[Any, Atom]] | None = None
        for t in term.terms:
            if isinstance(t, Constant):
                weight = weight * (t.value if isinstance(t.value, float) else sp.sympify(t.value))
            elif inner is None:
                inner = _linear(t)
            else:
                raise DumpError(f"{term!r} multiplies two terms; the declarative utility is a weighted sum of terms")
        if inner is None:
            raise DumpError(f"{term!r} is a constant; the declarative utility is a weighted sum of P/E terms")
        return [(weight * w, a) for w, a in inner]
    raise DumpError(f"{term!r}: a constant term cannot be written; the utility is a weighted sum of P/E terms")


def _event_value(part: Any) -> Any:
    return expr_text(part.event) if part.event is not None else {k: v for k, v in part.assignment}


def _row_value(states: tuple, row: tuple) -> Any:
    nonzero = [(s, v) for s, v in zip(states, row, strict=True) if v != 0]
    if len(nonzero) == 1 and nonzero[0][1] == 1:
        return nonzero[0][0]
    return {_state_text(s): number_text(v) for s, v in zip(states, row, strict=True) if v != 0}


def _rows(parents: tuple, states: tuple, table: Mapping[tuple, tuple]) -> Any:
    if not parents:
        return _row_value(states, table[()])
    if len(parents) > 1:
        for ctx in table:
            for state in ctx:
                text = _state_text(state)
                if "," in text or text.strip() != text or text == "*":
                    raise DumpError(f"the state {text!r} cannot stand in a table row key of several parents "
                                    f"(a comma, surrounding spaces or '*'); rename it to export the scenario")
    return {",".join(_state_text(c) for c in ctx): _row_value(states, row) for ctx, row in table.items()}


def _policy_rules(world: World, policy: Policy) -> dict[str, Any]:
    out = {}
    for decision in world.decisions:
        if decision not in policy.rules:  # another agent's decision: answered by its best response
            continue
        node = world.nodes[decision]
        out[decision] = _rows(node.parents, node.states, policy.table(world, decision))
    return out


def dump_declarative(scenario: Any) -> str:
    """The scenario as declarative TOML text (tables instead of code); `loads_declarative` reads it back."""
    world: World = scenario.world
    compiled = world.compiled
    lines = ["# written by corrig (a declarative scenario: loading it runs no code)", ""]
    lines.append(f"name = {_toml_value(world.name)}")
    if scenario.doc:
        lines.append(f"doc = {_toml_value(scenario.doc)}")
    if scenario.eps is not None:
        lines.append(f"eps = {_toml_value(number_text(scenario.eps))}")
    from corrig.analysis.parameters import term_parameters
    from corrig.analysis.planner import _candidates
    from corrig.analysis.reference_regions import read_reference

    named = None
    if scenario.policies is not None:
        named, given_ = _candidates(world, scenario.policies)
    reference = scenario.reference
    if reference is not None and not isinstance(reference, str):
        pool = named if named is not None else {}
        ref_name, ref_policy = read_reference(world, reference, pool, given_ if named is not None else {})
        reference = ref_name if ref_name in pool else _policy_rules(world, ref_policy)
    if reference is not None:
        lines.append(f"reference = {_toml_value(reference)}")
    symbols = sorted(set(compiled.parameters) | term_parameters(scenario.utility)
                     | set(parameters_in(scenario.eps)), key=str)
    if symbols:
        lines += ["", "[parameters]"]
        for s in symbols:
            span = range_of(s)
            bounds = {k: number_text(b) for k, b in (("low", span.low), ("high", span.high)) if b is not None}
            lines.append(f"{_toml_key(s.name)} = {_toml_value(bounds)}")
    owner = owners(world)
    part = compiled.continuous
    for name, node in world.nodes.items():
        lines += ["", f"[nodes.{_toml_key(name)}]"]
        if part is not None and (name in part.nodes or name in part.readers):
            lines += [f"{key} = {_toml_value(value)}" for key, value in continuous_entries(world, name)]
            continue
        if node.is_decision:
            lines.append('kind = "decision"')
        numeric = any(isinstance(s, Fraction) for s in node.states)
        if numeric:
            lines.append("numeric = true")
        lines.append(f"states = {_toml_value([_state_text(s) if numeric else s for s in node.states])}")
        if node.is_decision:
            if node.parents:
                lines.append(f"observes = {_toml_value(list(node.parents))}")
            if owner.get(name, AI) != AI:
                lines.append(f"agent = {_toml_value(owner[name])}")
            continue
        table = compiled.tables[name].table
        if node.parents:
            lines.append(f"parents = {_toml_value(list(node.parents))}")
            lines.append(f"table = {_toml_value(_rows(node.parents, node.states, table))}")
        else:
            row = table[()]
            dist = {_state_text(s): number_text(v) for s, v in zip(node.states, row, strict=True)}
            lines.append(f"distribution = {_toml_value(dist)}")
    roles = world.roles
    if roles.human or roles.button:
        lines += ["", "[roles]"]
        if roles.human:
            lines += [f"human = {_toml_value(roles.human)}", f"stop = {_toml_value(roles.stop)}",
                      f"run = {_toml_value(roles.run)}"]
        if roles.button:
            lines += [f"button = {_toml_value(roles.button)}", f"off = {_toml_value(roles.off)}"]
    lines += _principal_lines(world)
    if getattr(scenario, "mixed", None):
        lines.insert(lines.index(f"name = {_toml_value(world.name)}") + 1, f"mixed = {_toml_value(scenario.mixed)}")
    for agent in world.agents.values():
        if agent.objective is not None and any(owner.get(d) == agent.name for d in agent.decisions):
            lines += _term_lines(_entries(agent.objective), f"agents.{_toml_key(agent.name)}.objective")
    lines += _utility_lines(scenario.utility)
    if named is not None:
        for name, policy in named.items():
            lines += ["", f"[policies.{_toml_key(name)}]"]
            lines += [f"{_toml_key(d)} = {_toml_value(r)}" for d, r in _policy_rules(world, policy).items()]
    for claim in scenario.expect:
        lines += ["", "[[expect]]", *(_game_claim_lines(world, claim) if isinstance(claim, GAME_CLAIMS) else _claim_lines(claim))]
    return "\n".join(lines) + "\n"


def _game_claim_lines(world: World, claim: Any) -> list[str]:
    if isinstance(claim, NumberOfEquilibria):
        out = [f"equilibria = {_toml_value(claim.concept)}", f"count = {claim.count}"]
    elif isinstance(claim, EveryEquilibrium):
        out = [f"equilibria = {_toml_value(claim.concept)}"]
        if claim.plays:
            plays = Policy(dict(claim.plays))
            rules = {d: _rows(world.nodes[d].parents, world.nodes[d].states, plays.table(world, d)) for d in plays.rules}
            out.append(f"plays = {_toml_value(rules)}")
        if claim.values:
            out.append(f"values = {_toml_value({a: number_text(v) for a, v in claim.values.items()})}")
    elif isinstance(claim, IncentiveNodes):
        out = [f"incentive = {_toml_value(claim.kind)}", f"nodes = {_toml_value(list(claim.nodes))}"]
    else:
        out = [f"incentive = {_toml_value(claim.kind)}", f"node = {_toml_value(claim.node)}",
               f"value = {_toml_value(number_text(claim.expected))}"]
    if getattr(claim, "agent", AI) != AI:
        out.append(f"agent = {_toml_value(claim.agent)}")
    if getattr(claim, "decision", None) is not None:
        out.append(f"decision = {_toml_value(claim.decision)}")
    if getattr(claim, "at", None):
        out.append(f"at = {_toml_value({str(k): number_text(v) for k, v in claim.at.items()})}")
    return out


def _principal_lines(world: World) -> list[str]:
    """[principals.NAME] and [[buttons]] tables (corrig.scenarios.toml_principals reads them)."""
    principals = world.principals
    if principals is None:
        return []
    lines: list[str] = []
    for p in principals.humans:
        lines += ["", f"[principals.{_toml_key(p.name)}]", f"node = {_toml_value(p.node)}",
                  f"stop = {_toml_value(p.stop)}", f"run = {_toml_value(p.run)}"]
        if p.sees is not None:
            lines.append(f"sees = {_toml_value(list(p.sees))}")
        if p.about:
            lines.append(f"about = {_toml_value(list(p.about))}")
    for b in principals.buttons:
        lines += ["", "[[buttons]]", f"node = {_toml_value(b.node)}", f"off = {_toml_value(b.off)}",
                  f"rule = {_toml_value(b.rule)}"]
        if b.humans:
            lines.append(f"humans = {_toml_value(list(b.humans))}")
        if b.designated is not None:
            lines.append(f"designated = {_toml_value(b.designated)}")
    return lines


def _claim_lines(claim: Any) -> list[str]:
    if isinstance(claim, Optimal):
        out = [f"{'not_optimal' if claim.negate else 'optimal'} = {_toml_value(claim.policy)}"]
        if claim.only:
            out.append("only = true")
    elif isinstance(claim, Flagged):
        out = [f"{'not_flagged' if claim.negate else 'flagged'} = {_toml_value(claim.policy)}",
               f"kind = {_toml_value(claim.kind)}"]
        if claim.principal is not None:
            out.append(f"principal = {_toml_value(claim.principal)}")
        if claim.size is not None and not claim.negate:
            out.append(f"size = {_toml_value(number_text(claim.size))}")
    elif isinstance(claim, ValueIs):
        value = "undefined" if claim.expected is None else number_text(claim.expected)
        out = [f"value_is = {_toml_value(claim.policy)}", f"value = {_toml_value(value)}"]
        if claim.tolerance != 1e-9:
            out.append(f"tolerance = {_toml_value(claim.tolerance)}")
    else:
        raise DumpError(f"cannot write the expectation {claim!r}")
    if claim.at:
        out.append(f"at = {_toml_value({str(k): number_text(v) for k, v in claim.at.items()})}")
    return out
