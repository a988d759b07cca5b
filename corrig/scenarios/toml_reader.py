"""Reading declarative scenario files (TOML): a stop-button world that loads without running any code.

A Python scenario file is a program: loading it runs it.  A `.toml` scenario is data: nodes with
their states, parents and tables, decisions with what they observe, roles, the utility as a list
of weighted terms, candidate policies, the reference and the expectations.  Numbers, events,
quantities and deterministic formulas are written as short expressions ("1/2", "1 - p",
"S == 0", "M ^ L") that are parsed with `ast` and interpreted by a small whitelist evaluator:
names, literals, arithmetic, comparisons, `and`/`or`/`not`, `in [...]`, `x if c else y` and
`min`/`max`/`abs` -- no attribute access, no other calls, no imports.  The format is described
in docs/declarative.md.

Every error is a `DeclarativeError` naming the file, the line and the key at fault
(`nodes.H.table."0,1"`), e.g. a missing key, an unknown node, a bad probability or a cycle.
`dump_declarative` writes any scenario whose utility is a weighted sum of terms as TOML (Python
mechanisms and rules become tables), so a Python scenario can be converted and audited.
"""

from __future__ import annotations

import ast
import itertools
import math
import re
import tomllib
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy as sp

from corrig.analysis.flags import KINDS
from corrig.analysis.principals import PRINCIPAL_KINDS
from corrig.model import limits
from corrig.model.agents import AI, owners
from corrig.model.agents import check as check_agents
from corrig.model.errors import CorrigError, CycleError
from corrig.model.expr import Expr, not_an_event
from corrig.model.params import param
from corrig.model.policies import Policy
from corrig.model.world import World, check_distribution, to_number
from corrig.objectives.terms import Constant, E, P, Term, do, given, observed, sum_of
from corrig.scenarios.expect import Expectation, Flagged, Optimal, ValueIs
from corrig.scenarios.expect_games import (
    CONCEPTS,
    GRAPHICAL,
    EveryEquilibrium,
    IncentiveNodes,
    IncentiveValue,
    NumberOfEquilibria,
)
from corrig.scenarios.formula import MAX_DIGITS, Evaluator, _Invalid, check_number, parse
from corrig.scenarios.scenario import Scenario
from corrig.scenarios.toml_aggregate import is_aggregate, read_aggregate
from corrig.scenarios.toml_lines import DeclarativeError, Key, Locator, key_text
from corrig.scenarios.toml_principals import read_principals

WILDCARD = "*"
CLAIMS = ("optimal", "not_optimal", "flagged", "not_flagged", "value_is")
TOP_KEYS = {"name", "doc", "eps", "reference", "parameters", "nodes", "roles", "utility", "policies", "expect",
            "principals", "buttons", "mixed", "agents"}
NODE_KEYS = {"kind", "states", "numeric", "parents", "observes", "agent", "distribution", "table", "formula", "doc"}
TERM_KEYS = {"P", "E", "weight", "given", "do", "observed", "times"}
_RATIONAL = re.compile(r"[+-]?\d+(/\d+)?")
ROLE_KEYS = {"human", "stop", "run", "button", "off"}


# the loader ---------------------------------------------------------------------------------
class _Loader:
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
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of node names, got {value!r}")
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

    # sections ----------------------------------------------------------------------------
    def load(self) -> Any:

        data = self.data
        for name in data:
            if name not in TOP_KEYS:
                raise self.error((name,), f"unknown key {name!r}; a scenario has {sorted(TOP_KEYS)}")
        for name in ("nodes", "utility"):
            if name not in data:
                raise self.error((), f"missing key {name!r}: a scenario needs [nodes.NAME] tables and [[utility]] terms")
        self.parameters(data.get("parameters", {}))
        self.nodes(data["nodes"])
        self.roles(data.get("roles"))
        if "principals" in data or "buttons" in data:
            if "roles" in data:
                raise self.error(("roles",), "give [roles] (one human) or [principals.NAME] tables (several), not both")
            read_principals(self, data.get("principals"), data.get("buttons"))
        self.agents(data.get("agents", {}))
        utility = self.utility(data["utility"])
        policies = self.policies(data["policies"]) if "policies" in data else None
        reference = self.reference(data.get("reference"), policies)
        expect = self.expectations(data.get("expect", []), policies)
        eps = self.number(("eps",), data["eps"], "ε") if "eps" in data else None
        doc = data.get("doc", "")
        if not isinstance(doc, str):
            raise self.error(("doc",), "expected a string")
        mixed = data.get("mixed")
        if mixed is not None and not isinstance(mixed, bool) and not (
                isinstance(mixed, list) and all(isinstance(m, str) for m in mixed)):
            raise self.error(("mixed",), f"mixed is true or a list of candidate policy names, got {mixed!r}")
        return Scenario(name=self.world.name, world=self.world, utility=utility, policies=policies, reference=reference,
                        eps=eps, expect=expect, doc=doc.strip(), path=self.file, mixed=mixed)

    def parameters(self, section: Any) -> None:
        section = self.table_at(("parameters",), section)
        for name, span in section.items():
            key = ("parameters", name)
            if isinstance(span, dict):
                span = [self.table_at(key, span, {"low", "high"}).get("low"), span.get("high")]
            if not isinstance(span, list) or len(span) != 2:
                raise self.error(key, "a parameter's range is [low, high] (or {low = ..., high = ...})")
            low, high = (None if v is None else self.number((*key, i), v) for i, v in enumerate(span))
            try:
                self.params[name] = param(name, low, high)
            except CorrigError as exc:
                raise self.error(key, str(exc)) from None

    def nodes(self, section: Any) -> None:
        section = self.table_at(("nodes",), section)
        if not section:
            raise self.error(("nodes",), "a world needs at least one node")
        for name, spec in section.items():
            key = ("nodes", name)
            spec = self.table_at(key, spec, NODE_KEYS, required=("states",))
            states = spec["states"]
            if not isinstance(states, list) or not states:
                raise self.error((*key, "states"), "expected a non-empty list of states")
            numeric = spec.get("numeric", False)
            if not isinstance(numeric, bool):
                raise self.error((*key, "numeric"), "expected true or false")
            for s in states:
                if not isinstance(s, str | int) or isinstance(s, float):
                    raise self.error((*key, "states"), f"{s!r} is not a state: states are strings, integers or booleans")
            if numeric:
                states = [self.numeric_state((*key, "states"), s) for s in states]
            texts = [_state_text(s) for s in states]
            if len(set(texts)) != len(texts):
                raise self.error((*key, "states"), f"the states {states} repeat (or differ only in type: 1 and '1')")
            if not name.isidentifier() or name in self.params:
                raise self.error(key, f"{name!r} cannot name a node (an identifier that is not a parameter)")
            self.states[name] = tuple(states)
        for name in section:
            if "parents" in section[name]:
                self.names_list(("nodes", name, "parents"), section[name]["parents"])
            if "observes" in section[name]:
                self.names_list(("nodes", name, "observes"), section[name]["observes"])
        for name, spec in section.items():
            self.node(name, spec)
        try:
            self.world.check()
        except CycleError as exc:
            raise self.error(("nodes", exc.cycle[0], "parents"), str(exc)) from None
        except CorrigError as exc:
            raise self.error(("nodes",), str(exc)) from None

    def node(self, name: str, spec: dict) -> None:
        key = ("nodes", name)
        kind = spec.get("kind", "chance")
        if kind not in ("chance", "decision"):
            raise self.error((*key, "kind"), f"kind is 'chance' or 'decision', got {kind!r}")
        states = self.states[name]
        if kind == "decision":
            for bad in ("parents", "distribution", "table", "formula"):
                if bad in spec:
                    raise self.error((*key, bad), f"a decision has no {bad}: the policy sets it (use observes = [...])")
            observes = spec.get("observes", [])
            for i, p in enumerate(observes):
                self.node_name((*key, "observes", i), p)
            agent = spec.get("agent")
            if agent is not None and (not isinstance(agent, str) or not agent.strip()):
                raise self.error((*key, "agent"), f"an agent is named by a non-empty string, got {agent!r}")
            self.world.decision(name, states, observes=observes, agent=agent)
            return
        for bad in ("observes", "agent"):
            if bad in spec:
                raise self.error((*key, bad), f"only a decision has {'an ' if bad == 'agent' else ''}{bad}; "
                                              f"a chance node has parents")
        parents = spec.get("parents", [])
        for i, p in enumerate(parents):
            self.node_name((*key, "parents", i), p)
        given = [m for m in ("distribution", "table", "formula") if m in spec]
        if len(given) != 1:
            what = "distribution = {state = probability}" if not parents else "table = {...} or formula = \"...\""
            raise self.error(key, f"a chance node needs exactly one of distribution, table, formula ({what}); got {given}")
        how = given[0]
        if how == "distribution":
            if parents:
                raise self.error((*key, "distribution"), "a node with parents needs a table or a formula")
            rows = {(): self.row((*key, "distribution"), name, spec["distribution"], ())}
        elif how == "table":
            rows = self.table((*key, "table"), name, parents, spec["table"])
        else:
            rows = self.formula((*key, "formula"), name, parents, spec["formula"])
        mechanism = rows[()] if not parents else rows
        try:
            self.world.chance(name, mechanism, states=states, parents=parents)
        except CorrigError as exc:
            raise self.error(key, str(exc)) from None

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

    def roles(self, section: Any) -> None:
        if section is None:
            return
        key = ("roles",)
        section = self.table_at(key, section, ROLE_KEYS)
        human, button = section.get("human"), section.get("button")
        if human is None and button is None:
            raise self.error(key, "roles name the human node (human, stop, run) and/or the button (button, off)")
        options: dict[str, Any] = {}
        if human is not None:
            self.node_name((*key, "human"), human)
            for label in ("stop", "run"):
                if label not in section:
                    raise self.error(key, f"missing key {label!r}: the human role needs its stop and run states")
                options[label] = self.state((*key, label), human, section[label])
            options["human"] = human
        if button is not None:
            self.node_name((*key, "button"), button)
            if "off" not in section:
                raise self.error(key, "missing key 'off': the button role needs its off state")
            options.update(button=button, off=self.state((*key, "off"), button, section["off"]))
        self.world.set_roles(**options)
        try:
            self.world.check()
        except CorrigError as exc:
            raise self.error(key, str(exc)) from None

    def assignment(self, key: Key, value: Any) -> dict[str, Any]:
        value = self.table_at(key, value)
        if not value:
            raise self.error(key, "needs at least one node = state")
        return {self.node_name((*key, k), k): self.state((*key, k), k, v) for k, v in value.items()}

    def utility(self, section: Any, where: Key = ("utility",)) -> Term:
        """A sum of terms; a term's `times` multiplies it by a further sum of terms (or an aggregate table)."""
        if where == ("utility",) and is_aggregate(section):
            return read_aggregate(self, section, where)
        if isinstance(section, dict):
            section = [section]
        if not isinstance(section, list) or not section:
            raise self.error(where, "expected [[utility]] terms: each with P = \"event\" or E = \"quantity\"")
        self.terms += len(section)
        try:
            limits.check("terms", self.terms, "the number of utility terms", "Merge terms that read the same branch.")
        except CorrigError as exc:
            raise self.error(where, str(exc)) from None
        terms: list[Term] = []
        for i, spec in enumerate(section):
            key = (*where, i)
            spec = self.table_at(key, spec, TERM_KEYS)
            kinds = [k for k in ("P", "E") if k in spec]
            if len(kinds) != 1:
                raise self.error(key, f"a term needs exactly one of P = \"event\" or E = \"quantity\"; got {kinds or 'neither'}")
            kind = kinds[0]
            target = self.event((*key, kind), spec[kind], "an event" if kind == "P" else "a quantity")
            parts: list[Any] = []
            if "observed" in spec:
                if "do" not in spec or "given" in spec:
                    raise self.error((*key, "observed"), "a counterfactual is observed = ... with do = {...} (and no given)")
                parts.append(self.part(observed, (*key, "observed"), spec["observed"], "an observation")
                             >> do(self.assignment((*key, "do"), spec["do"])))
            else:
                if "given" in spec:
                    parts.append(self.part(given, (*key, "given"), spec["given"], "a condition"))
                if "do" in spec:
                    parts.append(do(self.assignment((*key, "do"), spec["do"])))
            try:

                term: Term = (P if kind == "P" else E)(target, *parts)
            except CorrigError as exc:
                raise self.error(key, str(exc)) from None
            if "weight" in spec:
                weight = self.number((*key, "weight"), spec["weight"], "a weight")
                term = _weighted(weight, term)
            if "times" in spec:
                term = term * self.utility(spec["times"], (*key, "times"))
            terms.append(term)
        return sum_of(terms)  # one pass: adding term by term rebuilt the flattened sum each time (quadratic)

    def part(self, make: Callable[..., Any], key: Key, value: Any, what: str) -> Any:
        """given(...) / observed(...): keywords for a table {node = state}, else an event expression."""
        if isinstance(value, dict):
            return make(**self.assignment(key, value))
        return make(self.event(key, value, what))

    def agents(self, section: Any) -> None:
        """[agents.NAME]: objective = [[...]] terms like [[utility]], decisions = [...] (or agent = on a decision)."""
        section = self.table_at(("agents",), section)
        for name, spec in section.items():
            key = ("agents", name)
            spec = self.table_at(key, spec, {"objective", "decisions", "doc"}, required=("objective",))
            decisions = spec.get("decisions", [])
            if decisions:
                self.names_list((*key, "decisions"), decisions)
            for i, d in enumerate(decisions):
                if d not in self.world.nodes or not self.world.nodes[d].is_decision:
                    raise self.error((*key, "decisions", i), f"{d!r} is not a decision node")
            objective = self.utility(spec["objective"], (*key, "objective"))
            try:
                self.world.agent(name, decisions=decisions, objective=objective)
            except CorrigError as exc:
                raise self.error(key, str(exc)) from None
        try:
            check_agents(self.world)
        except CorrigError as exc:
            raise self.error(("agents",), str(exc)) from None
        for decision, agent in owners(self.world).items():
            if agent != AI and (agent not in self.world.agents or self.world.agents[agent].objective is None):
                raise self.error(("nodes", decision, "agent"), f"agent {agent!r} sets {decision} but has no objective: "
                                                               f"add [[agents.{agent}.objective]] terms")

    def policies(self, section: Any) -> dict[str, Policy]:
        section = self.table_at(("policies",), section)
        if not section:
            raise self.error(("policies",), "no candidate policies (leave [policies] out to plan over every pure policy)")
        return {name: self.policy(("policies", name), rules, name) for name, rules in section.items()}

    def policy(self, key: Key, rules: Any, name: str) -> Policy:
        rules = self.table_at(key, rules)
        decisions = self.world.decisions
        built = {}
        for decision, rule in rules.items():
            if decision not in decisions:
                raise self.error((*key, decision), f"{decision!r} is not a decision; the decisions are {list(decisions)}")
            built[decision] = self.rule((*key, decision), decision, rule)
        mine = [d for d, a in owners(self.world).items() if a == AI]  # other agents answer (docs/agents.md)
        missing = [d for d in mine if d not in built]
        if missing:
            raise self.error(key, f"missing key {missing[0]!r}: a policy gives a rule for every decision of the AI {mine}")
        policy = Policy(built, name=name)
        try:
            policy.check(self.world)
        except CorrigError as exc:
            raise self.error(key, str(exc)) from None
        return policy

    def rule(self, key: Key, decision: str, rule: Any) -> Any:
        parents = list(self.world.nodes[decision].parents)
        if isinstance(rule, dict) and not parents:
            return self.row(key, decision, rule, ())
        if isinstance(rule, dict):
            return self.table(key, decision, parents, rule)
        if isinstance(rule, str) and not any(_state_text(s) == rule.strip() for s in self.states[decision]):
            return self.formula(key, decision, parents, rule) if parents else self._constant_rule(key, decision, rule)
        row = self.row(key, decision, rule, ())
        # a constant state applies whatever the decision observes
        return {context: row for context in self.contexts(parents, decision, key)} if parents else row

    def _constant_rule(self, key: Key, decision: str, text: str) -> dict:
        return self.formula(key, decision, [], text)[()]

    def reference(self, value: Any, policies: dict[str, Policy] | None) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            if policies is not None and value not in policies:
                raise self.error(("reference",), f"{value!r} is not one of the policies {list(policies)}")
            return value
        return self.policy(("reference",), value, "reference")

    def claim_point(self, key: Key, spec: dict) -> dict[str, Any] | None:
        """An expectation's `at` table ({parameter name: number}), each name checked; None without one."""
        if "at" not in spec:
            return None
        points = self.table_at((*key, "at"), spec["at"])
        for p in points:
            if p not in self.params:
                raise self.error((*key, "at", p), f"{p!r} is not a parameter; the parameters are {list(self.params)}")
        return {p: self.number((*key, "at", p), v) for p, v in points.items()}

    def game_claim(self, key: Key, spec: dict) -> Expectation:
        """[[expect]] about equilibria (equilibria = "nash", count / plays / values) or incentives
        (incentive = "value-of-information", nodes = [...] or node + value, decision = "P")."""
        point = self.claim_point(key, spec)
        at = None if point is None else {self.params[p]: v for p, v in point.items()}
        if "equilibria" in spec:
            spec = self.table_at(key, spec, {"equilibria", "count", "plays", "values", "at"})
            concept = spec["equilibria"]
            if concept not in CONCEPTS:
                raise self.error((*key, "equilibria"), f"equilibria is one of {list(CONCEPTS)}, got {concept!r}")
            if "count" in spec:
                count = spec["count"]
                if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                    raise self.error((*key, "count"), "expected a whole number")
                return NumberOfEquilibria(concept, count, at)
            plays = {}
            for d, r in self.table_at((*key, "plays"), spec.get("plays", {})).items():
                if d not in self.world.nodes or not self.world.nodes[d].is_decision:
                    raise self.error((*key, "plays", d), f"{d!r} is not a decision node")
                plays[d] = self.rule((*key, "plays", d), d, r)
            values = {a: self.number((*key, "values", a), v)
                      for a, v in self.table_at((*key, "values"), spec.get("values", {})).items()}
            if not plays and not values:
                raise self.error(key, "an equilibria claim needs count, plays or values")
            return EveryEquilibrium(concept, plays, values, at)
        spec = self.table_at(key, spec, {"incentive", "nodes", "node", "value", "decision", "agent", "at"})
        kind = spec["incentive"]
        if kind not in GRAPHICAL:
            raise self.error((*key, "incentive"), f"incentive is one of {list(GRAPHICAL)}, got {kind!r}")
        decision = spec.get("decision")
        if decision is not None and (decision not in self.world.nodes or not self.world.nodes[decision].is_decision):
            raise self.error((*key, "decision"), f"{decision!r} is not a decision node")
        if "nodes" in spec:
            nodes = [self.node_name((*key, "nodes", j), n) for j, n in enumerate(self.names_list((*key, "nodes"), spec["nodes"]))]
            return IncentiveNodes(kind, tuple(nodes), decision, spec.get("agent", AI))
        if "node" not in spec or "value" not in spec:
            raise self.error(key, "an incentive claim needs nodes = [...], or node = and value =")
        self.node_name((*key, "node"), spec["node"])
        return IncentiveValue(kind, spec["node"], self.number((*key, "value"), spec["value"]), decision, at)

    def expectations(self, section: Any, policies: dict[str, Policy] | None) -> list[Expectation]:
        if not isinstance(section, list):
            raise self.error(("expect",), "expected [[expect]] entries")
        out: list[Expectation] = []
        for i, spec in enumerate(section):
            key = ("expect", i)
            if isinstance(spec, dict) and ({"equilibria", "incentive"} & set(spec)):
                out.append(self.game_claim(key, spec))
                continue
            spec = self.table_at(key, spec, {*CLAIMS, "only", "kind", "value", "tolerance", "at", "principal", "size"})
            claims = [c for c in CLAIMS if c in spec]
            if len(claims) != 1:
                raise self.error(key, f"an expectation is exactly one of {list(CLAIMS)} = \"policy\"; got {claims or 'none'}")
            claim = claims[0]
            policy = spec[claim]
            if not isinstance(policy, str) or (policies is not None and policy != "*" and policy not in policies):
                known = list(policies) if policies is not None else "the pure policies"
                raise self.error((*key, claim), f"{policy!r} is not a candidate policy ({known}) or '*'")
            at = self.claim_point(key, spec)
            allowed = {"optimal": {"only"}, "not_optimal": set(), "flagged": {"kind", "principal", "size"},
                       "not_flagged": {"kind", "principal"}, "value_is": {"value", "tolerance"}}[claim]
            for extra in {"only", "kind", "value", "tolerance", "principal", "size"} & set(spec):
                if extra not in allowed:
                    raise self.error((*key, extra), f"{claim} takes no {extra!r}")
            if claim in ("optimal", "not_optimal"):
                only = spec.get("only", False)
                if not isinstance(only, bool):
                    raise self.error((*key, "only"), "expected true or false")
                out.append(Optimal(policy, only, claim == "not_optimal", at))
            elif claim in ("flagged", "not_flagged"):

                kinds = [*KINDS, *PRINCIPAL_KINDS]
                if spec.get("kind") not in kinds:
                    raise self.error((*key, "kind"), f"kind is one of {kinds}, got {spec.get('kind')!r}")
                principal = spec.get("principal")
                if principal is not None and (self.world.principals is None or principal not in self.world.principals.names):
                    known = list(self.world.principals.names) if self.world.principals is not None else []
                    raise self.error((*key, "principal"), f"{principal!r} is not a principal; the principals are {known}")
                size = self.number((*key, "size"), spec["size"], "a flag size") if "size" in spec else None
                out.append(Flagged(policy, spec["kind"], claim == "not_flagged", at, principal, size))
            else:
                if "value" not in spec:
                    raise self.error(key, "missing key 'value'")
                expected = None if spec["value"] == "undefined" else self.number((*key, "value"), spec["value"], "a value")
                tolerance = spec.get("tolerance", 1e-9)
                if isinstance(tolerance, bool) or not isinstance(tolerance, int | float):
                    raise self.error((*key, "tolerance"), "expected a number")
                if not math.isfinite(tolerance) or tolerance < 0:
                    raise self.error((*key, "tolerance"), f"the tolerance is {tolerance}: it must be a finite number >= 0")
                out.append(ValueIs(policy, expected, float(tolerance), at))
        return out


def _weighted(weight: Any, term: Term) -> Term:
    return term if weight == 1 and not isinstance(weight, float) else Constant(weight) * term


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


def loads_declarative(text: str, *, file: Path | str | None = None) -> Any:
    """A Scenario from TOML text (nothing in it is run)."""
    path = Path(file) if file is not None else None
    _check_key_depth(text, path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise DeclarativeError(f"not valid TOML: {exc}", file=path, line=int(match.group(1)) if match else None) from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise DeclarativeError(f"not valid TOML: an integer is too long ({exc})", file=path) from None
    except (RecursionError, MemoryError):
        raise DeclarativeError("not valid TOML: arrays or tables nested too deeply to read", file=path) from None
    locator = Locator(text)
    _check_integers(data, path, locator)
    return _Loader(data, path, locator).load()


MAX_KEY_PARTS = 64  # dotted parts of one key (tomllib's work grows with the square of their number)


def _check_key_depth(text: str, file: Path | None) -> None:
    """Refuse a key of more than MAX_KEY_PARTS dotted parts before tomllib reads it (one pass over the text)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith("["):
            key = stripped[: stripped.find("]") + 1 or len(stripped)]
        else:
            key = stripped[: stripped.find("=") + 1 or len(stripped)]
        if key.count(".") >= MAX_KEY_PARTS:
            raise DeclarativeError(f"a key of more than {MAX_KEY_PARTS} dotted parts", file=file, line=number)


def _check_integers(data: Any, file: Path | None, locator: Locator) -> None:
    """Refuse integers outside TOML's 64-bit range (walked without recursion)."""
    stack: list[tuple[Key, Any]] = [((), data)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*key, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*key, i), v) for i, v in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
            raise DeclarativeError(f"the integer {str(value)[:20]}... is outside TOML's 64-bit range",
                                   file=file, key=key_text(key), line=locator.line(key))


def load_declarative(path: str | Path) -> Any:
    """Load a `.toml` scenario file (JSON files are refused with a hint)."""
    file = Path(path)
    if file.suffix.lower() not in (".toml",):
        raise DeclarativeError(f"a declarative scenario is a .toml file (got {file.suffix or 'no suffix'}); "
                               f"Python scenarios end in .py", file=file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DeclarativeError(f"cannot read: {exc}", file=file) from None
    return loads_declarative(text, file=file)

