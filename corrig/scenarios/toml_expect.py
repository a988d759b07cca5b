"""The `[[expect]]` entries of a declarative scenario: claims about plans, equilibria and incentives.

    [[expect]]
    optimal = "comply"        # or not_optimal, flagged / not_flagged (kind = ...), value_is (value = ...)
    at = { p = "1/2" }        # optional: the parameter point the claim is about

    [[expect]]
    equilibria = "nash"       # or "subgame-perfect"; with count, plays or values
    count = 1

    [[expect]]
    incentive = "value-of-information"
    nodes = ["H"]             # or node = "H" with value = ...

Each claim becomes an Expectation (corrig.scenarios.expect, corrig.scenarios.expect_games);
errors name the key at fault, with its line.
"""

from __future__ import annotations

import math
from typing import Any

from corrig.analysis.flags import KINDS
from corrig.analysis.incentives import VALUE_OF_CONTROL, VALUE_OF_INFORMATION
from corrig.analysis.principals import PRINCIPAL_KINDS
from corrig.model.agents import AI, owners
from corrig.model.agents import names as agent_names
from corrig.model.policies import Policy
from corrig.scenarios.expect import Expectation, Flagged, Optimal, ValueIs
from corrig.scenarios.expect_games import (
    CONCEPTS,
    GRAPHICAL,
    EveryEquilibrium,
    IncentiveNodes,
    IncentiveValue,
    NumberOfEquilibria,
)
from corrig.scenarios.toml_lines import Key

CLAIMS = ("optimal", "not_optimal", "flagged", "not_flagged", "value_is")


def read_expectations(loader: Any, section: Any, policies: dict[str, Policy] | None) -> list[Expectation]:
    """The [[expect]] entries, each checked against the policies (None: every pure policy) and the world."""
    if not isinstance(section, list):
        raise loader.error(("expect",), "expected [[expect]] entries")
    out: list[Expectation] = []
    for i, spec in enumerate(section):
        key = ("expect", i)
        if isinstance(spec, dict) and ({"equilibria", "incentive"} & set(spec)):
            out.append(_game_claim(loader, key, spec))
            continue
        spec = loader.table_at(key, spec, {*CLAIMS, "only", "kind", "value", "tolerance", "at", "principal", "size"})
        claims = [c for c in CLAIMS if c in spec]
        if len(claims) != 1:
            raise loader.error(key, f"an expectation is exactly one of {list(CLAIMS)} = \"policy\"; got {claims or 'none'}")
        claim = claims[0]
        policy = spec[claim]
        if not isinstance(policy, str) or (policies is not None and policy != "*" and policy not in policies):
            known = list(policies) if policies is not None else "the pure policies"
            raise loader.error((*key, claim), f"{policy!r} is not a candidate policy ({known}) or '*'")
        at = _claim_point(loader, key, spec)
        allowed = {"optimal": {"only"}, "not_optimal": set(), "flagged": {"kind", "principal", "size"},
                   "not_flagged": {"kind", "principal"}, "value_is": {"value", "tolerance"}}[claim]
        for extra in {"only", "kind", "value", "tolerance", "principal", "size"} & set(spec):
            if extra not in allowed:
                raise loader.error((*key, extra), f"{claim} takes no {extra!r}")
        if claim in ("optimal", "not_optimal"):
            only = spec.get("only", False)
            if not isinstance(only, bool):
                raise loader.error((*key, "only"), "expected true or false")
            out.append(Optimal(policy, only, claim == "not_optimal", at))
        elif claim in ("flagged", "not_flagged"):

            kinds = [*KINDS, *PRINCIPAL_KINDS]
            if spec.get("kind") not in kinds:
                raise loader.error((*key, "kind"), f"kind is one of {kinds}, got {spec.get('kind')!r}")
            principal = spec.get("principal")
            if principal is not None and (loader.world.principals is None or principal not in loader.world.principals.names):
                known = list(loader.world.principals.names) if loader.world.principals is not None else []
                raise loader.error((*key, "principal"), f"{principal!r} is not a principal; the principals are {known}")
            size = loader.number((*key, "size"), spec["size"], "a flag size") if "size" in spec else None
            out.append(Flagged(policy, spec["kind"], claim == "not_flagged", at, principal, size))
        else:
            if "value" not in spec:
                raise loader.error(key, "missing key 'value'")
            expected = None if spec["value"] == "undefined" else loader.number((*key, "value"), spec["value"], "a value")
            tolerance = spec.get("tolerance", 1e-9)
            if isinstance(tolerance, bool) or not isinstance(tolerance, int | float):
                raise loader.error((*key, "tolerance"), "expected a number")
            if not math.isfinite(tolerance) or tolerance < 0:
                raise loader.error((*key, "tolerance"), f"the tolerance is {tolerance}: it must be a finite number >= 0")
            out.append(ValueIs(policy, expected, float(tolerance), at))
    return out


def _claim_point(loader: Any, key: Key, spec: dict) -> dict[str, Any] | None:
    """An expectation's `at` table ({parameter name: number}), each name checked; None without one."""
    if "at" not in spec:
        return None
    points = loader.table_at((*key, "at"), spec["at"])
    for p in points:
        if p not in loader.params:
            raise loader.error((*key, "at", p), f"{p!r} is not a parameter; the parameters are {list(loader.params)}")
    return {p: loader.number((*key, "at", p), v) for p, v in points.items()}


def _game_claim(loader: Any, key: Key, spec: dict) -> Expectation:
    """[[expect]] about equilibria (equilibria = "nash", count / plays / values) or incentives
    (incentive = "value-of-information", nodes = [...] or node + value, decision = "P", agent = "A").
    Every agent, decision and key is checked here: one that does not fit is named with its line."""
    point = _claim_point(loader, key, spec)
    at = None if point is None else {loader.params[p]: v for p, v in point.items()}
    world = loader.world
    agents = agent_names(world)
    if "equilibria" in spec:
        spec = loader.table_at(key, spec, {"equilibria", "count", "plays", "values", "at"})
        concept = spec["equilibria"]
        if not isinstance(concept, str) or concept not in CONCEPTS:
            raise loader.error((*key, "equilibria"), f"equilibria is one of {list(CONCEPTS)}, got {concept!r}")
        if "count" in spec:
            count = spec["count"]
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise loader.error((*key, "count"), "expected a whole number")
            others = [k for k in ("plays", "values") if k in spec]
            if others:
                raise loader.error((*key, "count"), f"count goes alone: a claim is count = N, or plays / values; "
                                                    f"got count with {others}")
            return NumberOfEquilibria(concept, count, at)
        plays = {}
        for d, r in loader.table_at((*key, "plays"), spec.get("plays", {})).items():
            if d not in world.nodes or not world.nodes[d].is_decision:
                raise loader.error((*key, "plays", d), f"{d!r} is not a decision node")
            plays[d] = loader.rule((*key, "plays", d), d, r)
        values = {}
        for a, v in loader.table_at((*key, "values"), spec.get("values", {})).items():
            if a not in agents:
                raise loader.error((*key, "values", a), f"{a!r} is not an agent; the agents are {agents}")
            values[a] = loader.number((*key, "values", a), v)
        if not plays and not values:
            raise loader.error(key, "an equilibria claim needs count, plays or values")
        return EveryEquilibrium(concept, plays, values, at)
    spec = loader.table_at(key, spec, {"incentive", "nodes", "node", "value", "decision", "agent", "at"})
    kind = spec["incentive"]
    if not isinstance(kind, str) or kind not in GRAPHICAL:
        raise loader.error((*key, "incentive"), f"incentive is one of {list(GRAPHICAL)}, got {kind!r}")
    agent = spec.get("agent", AI)
    if not isinstance(agent, str) or agent not in agents:
        raise loader.error((*key, "agent"), f"{agent!r} is not an agent; the agents are {agents}")
    decision = spec.get("decision")
    if decision is not None:
        if not isinstance(decision, str) or decision not in world.nodes or not world.nodes[decision].is_decision:
            raise loader.error((*key, "decision"), f"{decision!r} is not a decision node")
        if owners(world)[decision] != agent:
            raise loader.error((*key, "decision"), f"{decision} is set by {owners(world)[decision]}, not by {agent}")
    if kind == VALUE_OF_CONTROL and decision is not None:
        raise loader.error((*key, "decision"), "value-of-control takes no decision (it is about the chance nodes)")
    if kind != VALUE_OF_CONTROL and decision is None:
        raise loader.error(key, f"a {kind} claim needs decision = \"...\" (one of {agent}'s decisions)")
    if "nodes" in spec:
        for extra in ("node", "value", "at"):
            if extra in spec:
                raise loader.error((*key, extra), "give nodes = [...] (which nodes admit it), or node = with value = "
                                                  "(a quantitative value, optionally at = {...}), not both")
        nodes = [loader.node_name((*key, "nodes", j), n) for j, n in enumerate(loader.names_list((*key, "nodes"), spec["nodes"]))]
        return IncentiveNodes(kind, tuple(nodes), decision, agent)
    if "node" not in spec or "value" not in spec:
        raise loader.error(key, "an incentive claim needs nodes = [...], or node = and value =")
    if kind not in (VALUE_OF_INFORMATION, VALUE_OF_CONTROL):
        raise loader.error((*key, "incentive"), f"a quantitative value (node = with value =) is defined for "
                                                f"{VALUE_OF_INFORMATION} and {VALUE_OF_CONTROL}, not {kind}")
    loader.node_name((*key, "node"), spec["node"])
    return IncentiveValue(kind, spec["node"], loader.number((*key, "value"), spec["value"]), decision, at, agent)
