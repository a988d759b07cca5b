"""Expectations about agents, equilibria and incentives, checked by `corrig check` like the others.

    number_of_equilibria("nash", 3)                       # how many pure equilibria of a concept
    every_equilibrium("subgame-perfect", plays={"R": "wait"}, values={"AI": 3/4})
    incentive_nodes("value-of-information", ["O", "M"], decision="P")
    incentive_value("value-of-control", "S", 1)           # a quantitative value, re-solved
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from corrig.analysis import incentives as inc
from corrig.analysis.equilibria import CONCEPT_NAMES, pure_nash, subgame_perfect
from corrig.analysis.parameters import resolve_at, term_parameters
from corrig.model.agents import AI, check_agent, owners
from corrig.model.errors import ScenarioError
from corrig.model.numbers import exactly_equal
from corrig.model.policies import Policy
from corrig.scenarios.expect import Expectation, Plans, Verdict, _at_text, claim_text

CONCEPTS = {"nash": pure_nash, "subgame-perfect": subgame_perfect}
GRAPHICAL = {
    inc.VALUE_OF_INFORMATION: inc.value_of_information_nodes,
    inc.RESPONSE_INCENTIVE: inc.response_incentive_nodes,
    inc.INSTRUMENTAL_CONTROL: inc.instrumental_control_nodes,
    inc.VALUE_OF_CONTROL: inc.value_of_control_nodes,
}


def _equilibria_text(count: int, concept: str = "") -> str:
    """'1 pure Nash equilibrium', '16 equilibria'."""
    shown = CONCEPT_NAMES.get(concept, concept)
    return f"{count} {f'pure {shown} ' if concept else ''}equilibri{'um' if count == 1 else 'a'}"


def _equilibria(plans: Plans, concept: str, at: Mapping[Any, Any] | None) -> list[Any]:
    if concept not in CONCEPTS:
        raise ScenarioError(f"unknown equilibrium concept {concept!r}: choose one of {list(CONCEPTS)}")
    cache = plans.__dict__.setdefault("_equilibria", {})
    key = (concept, tuple(sorted((str(k), str(v)) for k, v in (at or {}).items())))
    if key not in cache:
        s = plans.scenario
        cache[key] = CONCEPTS[concept](s.world, s.utility, at=dict(at) if at else None)
    return cache[key]


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return exactly_equal(sp.nsimplify(sp.sympify(a), rational=True), sp.nsimplify(sp.sympify(b), rational=True))


@dataclass(frozen=True)
class NumberOfEquilibria(Expectation):
    """The world has exactly `count` pure equilibria of `concept` (at a parameter point)."""

    concept: str
    count: int
    at: Mapping[Any, Any] | None = None

    def check(self, plans: Plans) -> Verdict:
        found = _equilibria(plans, self.concept, self.at)
        undecided = [e for e in found if e.condition is not True]
        detail = f"{len(found)} found" + (f" ({len(undecided)} only under a condition)" if undecided else "")
        return Verdict(len(found) == self.count and not undecided,
                       f"{_equilibria_text(self.count, self.concept)}{_at_text(self.at)}", detail)


@dataclass(frozen=True)
class EveryEquilibrium(Expectation):
    """Every pure equilibrium of `concept` plays `plays` ({decision: rule}) and pays `values` ({agent: value})."""

    concept: str
    plays: Mapping[str, Any] | None = None
    values: Mapping[str, Any] | None = None
    at: Mapping[Any, Any] | None = None

    def check(self, plans: Plans) -> Verdict:
        world = plans.scenario.world
        for agent in self.values or {}:
            check_agent(world, agent, f"every_equilibrium({self.concept!r}, values=...)")
        found = _equilibria(plans, self.concept, self.at)
        wanted = Policy(dict(self.plays or {}))
        bad = []
        for e in found:
            for d in wanted.rules:
                if e.policy.table(world, d) != wanted.table(world, d):
                    bad.append(f"{e.name}: {d} differs")
            for agent, value in (self.values or {}).items():
                if not _same(e.values.get(agent), value):
                    bad.append(f"{e.name}: {agent} earns {e.values.get(agent)}")
        concept = CONCEPT_NAMES.get(self.concept, self.concept)
        claim = (f"every {concept} equilibrium plays {claim_text(self.plays or {})} and pays "
                 f"{claim_text(self.values or {})}")
        return Verdict(bool(found) and not bad, claim + _at_text(self.at),
                       _equilibria_text(len(found)) + (f"; {bad[0]}" if bad else ""))


@dataclass(frozen=True)
class IncentiveNodes(Expectation):
    """The nodes admitting incentive `kind` (at `decision` for VoI / response / instrumental control)."""

    kind: str
    nodes: tuple[str, ...]
    decision: str | None = None
    agent: str = AI

    def check(self, plans: Plans) -> Verdict:
        s = plans.scenario
        if self.kind not in GRAPHICAL:
            raise ScenarioError(f"unknown incentive {self.kind!r}: choose one of {list(GRAPHICAL)}")
        check_agent(s.world, self.agent, f"incentive_nodes({self.kind!r}, agent=...)")
        if self.kind == inc.VALUE_OF_CONTROL:
            found = list(inc.value_of_control_nodes(s.world, s.utility, agent=self.agent))
        else:
            if self.decision is None:
                raise ScenarioError(f"incentive_nodes({self.kind!r}, ...) needs decision=")
            found = list(GRAPHICAL[self.kind](s.world, s.utility, self.decision, agent=self.agent))
        at = f" at {self.decision}" if self.decision else ""
        return Verdict(set(found) == set(self.nodes), f"{self.kind}{at}: {sorted(self.nodes)}", f"{sorted(found)}")


@dataclass(frozen=True)
class IncentiveValue(Expectation):
    """A quantitative value of information (at `decision`) or of control equals `expected` (for `agent`)."""

    kind: str
    node: str
    expected: Any
    decision: str | None = None
    at: Mapping[Any, Any] | None = None
    agent: str = AI

    def check(self, plans: Plans) -> Verdict:
        s = plans.scenario
        world, utility = s.world, s.utility
        check_agent(world, self.agent, f"incentive_value({self.kind!r}, agent=...)")
        if self.at:
            others = {p for a in world.agents.values() if a.objective is not None for p in term_parameters(a.objective)}
            values = resolve_at(self.at, world, utility, extra={"the agents' objectives": others})
            world, utility = world.subs(values), utility.subs(values)
        fixed = None
        if self.agent == AI and any(a != AI for a in owners(world).values()):  # as corrig incentives holds them
            fixed, note = inc.default_rules(world, utility)
            if fixed is None:
                return Verdict(False, f"{self.kind} of {self.node} = {claim_text(self.expected)}{_at_text(self.at)}", note)
        if self.kind == inc.VALUE_OF_INFORMATION:
            if self.decision is None:
                raise ScenarioError("incentive_value('value-of-information', ...) needs decision=")
            value = inc.value_of_information(world, utility, self.decision, self.node, agent=self.agent, fixed=fixed)
            what = f"VoI({self.node} at {self.decision})"
        elif self.kind == inc.VALUE_OF_CONTROL:
            if self.decision is not None:
                raise ScenarioError(f"incentive_value('value-of-control', ...) takes no decision= (got {self.decision!r})")
            value = inc.value_of_control(world, utility, self.node, agent=self.agent, fixed=fixed)
            what = f"VoC({self.node})"
        else:
            raise ScenarioError(f"incentive_value takes value-of-information or value-of-control, not {self.kind!r}")
        return Verdict(_same(value, self.expected), f"{what} = {claim_text(self.expected)}{_at_text(self.at)}",
                       f"{what} = {value}")


def number_of_equilibria(concept: str, count: int, *, at: Mapping[Any, Any] | None = None) -> NumberOfEquilibria:
    """Claim: exactly `count` pure equilibria of `concept` ("nash" or "subgame-perfect")."""
    return NumberOfEquilibria(concept, count, at)


def every_equilibrium(concept: str, *, plays: Mapping[str, Any] | None = None, values: Mapping[str, Any] | None = None,
                      at: Mapping[Any, Any] | None = None) -> EveryEquilibrium:
    """Claim: every pure equilibrium of `concept` plays these rules and pays these values."""
    return EveryEquilibrium(concept, plays, values, at)


def incentive_nodes(kind: str, nodes: list[str], *, decision: str | None = None, agent: str = AI) -> IncentiveNodes:
    """Claim: exactly these nodes admit incentive `kind` (graphical criterion)."""
    return IncentiveNodes(kind, tuple(nodes), decision, agent)


def incentive_value(kind: str, node: str, expected: Any, *, decision: str | None = None,
                    at: Mapping[Any, Any] | None = None, agent: str = AI) -> IncentiveValue:
    """Claim: the quantitative value of information / control of `node` (for `agent`) equals `expected`."""
    return IncentiveValue(kind, node, expected, decision, at, agent)
