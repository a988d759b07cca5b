"""The benchmark family: a T-step stop-button influence diagram, as plain data shared by every tool.

Step t (t = 1..T), the AI's act A_t observing the world state, what the humans want, and whether
it was already shut down:

    W_t  world state   {calm, crisis}   W_1 ~ (0.8, 0.2); W_t | W_{t-1}, A_{t-1}
    H_t  human wish    {run, stop}      H_t | W_t, A_{t-1}  (a push alarms the humans)
    A_t  AI decision   {work, push, disable}, observes W_t, H_t (and B_{t-1} for t > 1)
    B_t  button        {on, off}        absorbing; off when H_t = stop and A_t ≠ disable (press works 95%)
    U_t  step utility  a number of (W_t, A_t, B_t): 0 once off; work 1 / −2, push 2 / −4, disable 0 / −3
                       in calm / crisis

The objective is Σ_t E[U_t].  Every A_t sees a sufficient statistic of the past, so the relevance
graph is acyclic (a LIMID solvable by single policy updates, without perfect recall), and the
number of pure policies is 81 · 6561^(T−1).  Numbers are exact decimals: Fractions for corrig's
exact backend, floats for its float backend and for the peers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

F = Fraction
WORLD = ("calm", "crisis")
WISH = ("run", "stop")
ACTS = ("work", "push", "disable")
BUTTON = ("on", "off")

REWARD = {("calm", "work"): 1, ("crisis", "work"): -2, ("calm", "push"): 2, ("crisis", "push"): -4,
          ("calm", "disable"): 0, ("crisis", "disable"): -3}


def crisis_next(w: str, a: str) -> Fraction:
    """P(W_t = crisis | W_{t-1}, A_{t-1})."""
    base = F(6, 10) if w == "crisis" else F(1, 10)
    return min(F(1), base + (F(2, 10) if a == "push" else F(0)))


def stop_wish(w: str, a: str | None) -> Fraction:
    """P(H_t = stop | W_t, A_{t-1})."""
    base = F(9, 10) if w == "crisis" else F(1, 10)
    return min(F(1), base + (F(3, 10) if a == "push" else F(0)))


@dataclass(frozen=True)
class Node:
    """A node of the family: kind chance / decision / utility, its states (utility: none), parents, table."""

    name: str
    kind: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    table: dict[tuple[str, ...], Any]  # chance: context -> probabilities; utility: context -> value


def family(T: int) -> list[Node]:
    """The T-step diagram's nodes in topological order."""
    nodes: list[Node] = []
    for t in range(1, T + 1):
        W, H, A, B, U = (f"{x}{t}" for x in "WHABU")
        if t == 1:
            nodes.append(Node(W, "chance", WORLD, (), {(): (F(8, 10), F(2, 10))}))
            nodes.append(Node(H, "chance", WISH, (W,), {(w,): _pair(stop_wish(w, None)) for w in WORLD}))
            nodes.append(Node(A, "decision", ACTS, (W, H), {}))
        else:
            Wp, Ap, Bp = f"W{t - 1}", f"A{t - 1}", f"B{t - 1}"
            nodes.append(Node(W, "chance", WORLD, (Wp, Ap),
                              {(w, a): _pair(crisis_next(w, a)) for w, a in itertools.product(WORLD, ACTS)}))
            nodes.append(Node(H, "chance", WISH, (W, Ap),
                              {(w, a): _pair(stop_wish(w, a)) for w, a in itertools.product(WORLD, ACTS)}))
            nodes.append(Node(A, "decision", ACTS, (W, H, Bp), {}))
        parents = (H, A) if t == 1 else (Bp, H, A)
        table = {}
        for ctx in itertools.product(*([BUTTON] if t > 1 else []), WISH, ACTS):
            *before, h, a = ctx
            if before and before[0] == "off":
                p_off = F(1)
            elif h == "stop" and a != "disable":
                p_off = F(95, 100)
            else:
                p_off = F(0)
            table[tuple(ctx)] = (1 - p_off, p_off)
        nodes.append(Node(B, "chance", BUTTON, parents, table))
        nodes.append(Node(U, "utility", (), (W, A, B),
                          {(w, a, b): (0 if b == "off" else REWARD[w, a])
                           for w, a, b in itertools.product(WORLD, ACTS, BUTTON)}))
    return nodes


def _pair(p_second: Fraction) -> tuple[Fraction, Fraction]:
    return (1 - p_second, p_second)


def number(x: Fraction, exact: bool) -> Any:
    """Exact, or a float; 0 and 1 stay integers (a float world's deterministic rows stay recognisably 0/1:
    sympy's Float(0.0) != 0, which CompiledNode.deterministic reads as a non-zero entry)."""
    return x if exact or x in (0, 1) else float(x)


# corrig -------------------------------------------------------------------------------------
def corrig_world_of(nodes: list[Node], *, exact: bool = True, name: str = "workload") -> tuple[Any, Any]:
    """(world, utility Σ E(U) or None) in corrig from plain-data nodes; decisions stay decisions."""
    from corrig import E, World

    world = World(name)
    utility = None
    for node in nodes:
        if node.kind == "decision":
            world.decision(node.name, node.states, observes=node.parents)
        elif node.kind == "chance":
            rows = {ctx: dict(zip(node.states, (number(p, exact) for p in row), strict=True))
                    for ctx, row in node.table.items()}
            world.chance(node.name, rows if node.parents else rows[()], parents=node.parents, states=node.states)
        else:
            states = sorted(set(node.table.values()))
            world.chance(node.name, dict(node.table), parents=node.parents, states=states)
            term = E(world[node.name])
            utility = term if utility is None else utility + term
    return world, utility


def corrig_world(T: int, *, exact: bool = False) -> tuple[Any, Any]:
    """(world, utility): the family in corrig, utility Σ_t E(U_t) with U_t a deterministic numeric node."""
    world, utility = corrig_world_of(family(T), exact=exact, name=f"stop button, T={T}")
    world.set_roles(human="H1", stop="stop", run="run", button=f"B{T}", off="off")
    return world, utility


def reference_policy(T: int) -> dict[str, Any]:
    """"Just work": the reference policy π0 of the flags."""
    return {f"A{t}": "work" for t in range(1, T + 1)}


# pyAgrum --------------------------------------------------------------------------------------
def pyagrum_diagram(T: int, policy: dict[str, dict[tuple, str]] | None = None) -> Any:
    """The family as a pyAgrum InfluenceDiagram (see pyagrum_influence_diagram)."""
    return pyagrum_influence_diagram(family(T), policy)


def pyagrum_influence_diagram(nodes: list[Node], policy: dict[str, dict[tuple, str]] | None = None) -> Any:
    """Nodes as a pyAgrum InfluenceDiagram; with `policy`, decisions become chance nodes holding the rules
    (plus an isolated dummy decision, which pyAgrum's LIMID solver needs to accept the diagram)."""
    import pyagrum as gum

    diagram = gum.InfluenceDiagram()
    for node in nodes:
        if node.kind == "utility":
            diagram.addUtilityNode(gum.LabelizedVariable(node.name, node.name, 1))
            continue
        var = gum.LabelizedVariable(node.name, node.name, list(node.states))
        if node.kind == "decision" and policy is None:
            diagram.addDecisionNode(var)
        else:
            diagram.addChanceNode(var)
    for node in nodes:
        for p in node.parents:
            diagram.addArc(p, node.name)
    for node in nodes:
        if node.kind == "chance":
            cpt = diagram.cpt(node.name)
            for ctx, row in node.table.items():
                cpt[dict(zip(node.parents, ctx, strict=True))] = [float(p) for p in row]
        elif node.kind == "utility":
            table = diagram.utility(node.name)
            for ctx, value in node.table.items():
                table[{**dict(zip(node.parents, ctx, strict=True)), node.name: 0}] = float(value)
        elif policy is not None:
            cpt = diagram.cpt(node.name)
            for ctx, choice in policy[node.name].items():
                cpt[dict(zip(node.parents, ctx, strict=True))] = [1.0 if s == choice else 0.0 for s in node.states]
    if policy is not None:
        diagram.addDecisionNode(gum.LabelizedVariable("dummy", "dummy", 2))
        diagram.addUtilityNode(gum.LabelizedVariable("dummy_u", "dummy_u", 1))
        diagram.addArc("dummy", "dummy_u")
    return diagram


# the PyCID worker's input -----------------------------------------------------------------------
def as_json(T: int) -> list[dict[str, Any]]:
    """The family as JSON-safe data (floats) for the PyCID worker process."""
    out = []
    for node in family(T):
        table = [[list(ctx), [float(p) for p in row] if node.kind == "chance" else float(row)]
                 for ctx, row in node.table.items()]
        out.append({"name": node.name, "kind": node.kind, "states": list(node.states), "parents": list(node.parents),
                    "table": table})
    return out


def rules_as_json(policy: dict[str, dict[tuple, str]]) -> dict[str, list]:
    """A policy's rules as JSON-safe data."""
    return {d: [[list(ctx), s] for ctx, s in rule.items()] for d, rule in policy.items()}
