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

The values a file is made of (numbers, states, events, tables, formulas) are read by
corrig.scenarios.toml_values, its `[[expect]]` entries by corrig.scenarios.toml_expect.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corrig.analysis.mixtures import check_support
from corrig.model import limits
from corrig.model.agents import AI, owners
from corrig.model.agents import check as check_agents
from corrig.model.errors import CorrigError, CycleError
from corrig.model.params import param
from corrig.model.policies import Policy
from corrig.objectives.terms import Constant, E, P, Term, do, given, observed, sum_of
from corrig.scenarios.scenario import Scenario
from corrig.scenarios.toml_aggregate import is_aggregate, read_aggregate
from corrig.scenarios.toml_continuous import read_continuous, read_reader
from corrig.scenarios.toml_expect import read_expectations
from corrig.scenarios.toml_gridworld import read_gridworld
from corrig.scenarios.toml_lines import DeclarativeError, Key, Locator, key_text
from corrig.scenarios.toml_principals import read_principals
from corrig.scenarios.toml_values import ValueReader, _state_text

TOP_KEYS = {"name", "doc", "eps", "reference", "parameters", "nodes", "roles", "utility", "policies", "expect",
            "principals", "buttons", "mixed", "agents", "gridworld"}
NODE_KEYS = {"kind", "states", "numeric", "parents", "observes", "agent", "distribution", "table", "formula", "doc",
             "probability"}
TERM_KEYS = {"P", "E", "weight", "given", "do", "observed", "times"}
ROLE_KEYS = {"human", "stop", "run", "button", "off"}


class _Loader(ValueReader):
    """A scenario's sections, read in order into a Scenario."""

    def load(self) -> Any:

        data = self.data
        for name in data:
            if name not in TOP_KEYS:
                raise self.error((name,), f"unknown key {name!r}; a scenario has {sorted(TOP_KEYS)}")
        if "gridworld" in data:  # an episode from an ASCII map (corrig.scenarios.toml_gridworld)
            return read_gridworld(self, data)
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
        expect = read_expectations(self, data.get("expect", []), policies)
        eps = self.number(("eps",), data["eps"], "ε") if "eps" in data else None
        doc = data.get("doc", "")
        if not isinstance(doc, str):
            raise self.error(("doc",), "expected a string")
        mixed = data.get("mixed")
        try:
            check_support(mixed)
        except CorrigError as exc:
            raise self.error(("mixed",), str(exc)) from None
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
            if isinstance(spec, dict) and spec.get("kind") == "continuous":  # no states: read by toml_continuous
                if not name.isidentifier() or name in self.params:
                    raise self.error(key, f"{name!r} cannot name a node (an identifier that is not a parameter)")
                self.states[name] = ()
                continue
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
        if kind not in ("chance", "decision", "continuous"):
            raise self.error((*key, "kind"), f"kind is 'chance', 'decision' or 'continuous', got {kind!r}")
        if kind == "continuous":
            read_continuous(self, name, spec)
            return
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
        sources = [p for p in parents if not self.states[p]]
        if sources:
            if len(sources) > 1:
                raise self.error((*key, "parents"), f"node {name} reads the continuous nodes {sources}: a node may read one")
            read_reader(self, name, spec, sources[0], parents, states)
            return
        if "probability" in spec:
            raise self.error((*key, "probability"), "probability = {...} is for a node reading a continuous node")
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


def _weighted(weight: Any, term: Term) -> Term:
    return term if weight == 1 and not isinstance(weight, float) else Constant(weight) * term


def loads_declarative(text: str, *, file: Path | str | None = None) -> Any:
    """A Scenario from TOML text (nothing in it is run)."""
    path = Path(file) if file is not None else None
    _check_before_parsing(text, path)
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


RULES_TEXT_LIMIT = 10_000  # characters of rules given on the command line (--fixed)


def loads_rules(text: str, world: Any, *, what: str = "--fixed") -> Policy:
    """Decision rules written as the inside of a TOML inline table, read against `world` as a policy's rules
    are in a declarative file (docs/declarative.md): 'R = "wait"', 'A2 = { stop = "halt", run = "continue" }'.
    Nothing in them is run; a bad rule is a DeclarativeError naming `what` and the decision."""
    if not isinstance(text, str) or len(text) > RULES_TEXT_LIMIT:
        raise DeclarativeError(f"expected at most {RULES_TEXT_LIMIT} characters of rules", file=what)
    try:
        data = tomllib.loads(f"rules = {{ {text} }}")
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        raise DeclarativeError(f"not rules like 'D = \"state\"' or 'D = {{ s = \"a\", t = \"b\" }}' "
                               f"(the inside of a TOML inline table): {exc}", file=what) from None
    reader = _Loader({"name": world.name}, Path(what), Locator(""))  # its errors name `what` as the file
    reader.world = world
    reader.states = {name: tuple(node.states) for name, node in world.nodes.items()}
    reader.params = {s.name: s for s in world.compiled.parameters}
    rules = {}
    for decision, rule in data["rules"].items():
        if decision not in world.decisions:
            raise reader.error((decision,), f"{decision!r} is not a decision; the decisions are {list(world.decisions)}")
        rules[decision] = reader.rule((decision,), decision, rule)
    policy = Policy(rules, name=what)
    try:
        policy.check(world)
    except CorrigError as exc:
        raise DeclarativeError(str(exc), file=what) from None
    return policy


MAX_KEY_PARTS = 64  # dotted parts of one key (tomllib's work grows with the square of their number)


def _check_before_parsing(text: str, file: Path | None) -> None:
    """In one pass over the text, before tomllib reads it: refuse a key of more than MAX_KEY_PARTS dotted parts,
    and more [[utility]] (or [[agents.NAME.objective]]) tables than the `terms` limit, so a file of 10^5 terms
    is refused without being parsed (the count after parsing covers terms written as inline tables)."""
    terms = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith("["):
            key = stripped[: stripped.find("]") + 1 or len(stripped)]
        else:
            key = stripped[: stripped.find("=") + 1 or len(stripped)]
        if key.count(".") >= MAX_KEY_PARTS:
            raise DeclarativeError(f"a key of more than {MAX_KEY_PARTS} dotted parts", file=file, line=number)
        if stripped.startswith("[["):
            parts = [p.strip() for p in key.strip("[] ").split(".")]
            if parts[0] == "utility" or (parts[0] == "agents" and "objective" in parts):
                terms += 1
                try:
                    limits.check("terms", terms, "the number of utility terms (at least)",
                                 "Merge terms that read the same branch.")
                except CorrigError as exc:
                    raise DeclarativeError(str(exc), file=file, key=".".join(parts), line=number) from None


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
