"""Agents: who sets each decision, and what each one wants.

Every decision belongs to an agent.  The AI (agent "AI") owns every decision nobody else claims;
a world declares other agents — humans who act — with `world.agent(name, decisions=[...],
objective=term)` or `world.decision(name, states, observes=[...], agent=name)`.  An agent's
objective is a term over branches like the AI's (held here as any object: the model layer does
not read terms).  The AI's objective is the plan's utility unless the world declares one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corrig.model.errors import QueryError, UnknownNodeError, WorldError

if TYPE_CHECKING:
    from corrig.model.world import World

AI = "AI"


@dataclass(frozen=True)
class Agent:
    """An agent: its name, the decisions it sets, and its objective (a corrig term, or None)."""

    name: str
    decisions: tuple[str, ...] = ()
    objective: Any = None


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise WorldError(f"an agent's name must be a non-empty string, got {name!r}")
    return name


def declare(world: World, name: str, decisions: Iterable[str] = (), objective: Any = None) -> Agent:
    """Declare (or extend) agent `name`: it sets `decisions` and wants `objective`."""
    name = _check_name(name)
    decisions = tuple(d.name if hasattr(d, "name") and not isinstance(d, str) else d for d in decisions)
    known = world.agents.get(name, Agent(name))
    for d in decisions:
        if not isinstance(d, str):
            raise WorldError(f"agent {name}: a decision must be named by a string, got {d!r}")
        for other in world.agents.values():
            if other.name != name and d in other.decisions:
                raise WorldError(f"decision {d} is claimed by two agents, {other.name} and {name}")
    merged = tuple(dict.fromkeys((*known.decisions, *decisions)))
    agent = Agent(name, merged, known.objective if objective is None else objective)
    world.agents[name] = agent
    world._compiled = None
    return agent


def check(world: World) -> None:
    """Raise unless every declared agent's decisions are decision nodes of the world."""
    for agent in world.agents.values():
        for d in agent.decisions:
            if d not in world.nodes:
                raise UnknownNodeError(f"agent {agent.name} sets {d!r}, which is not a node of world {world.name!r}; "
                                       f"its nodes are {list(world.nodes)}")
            if not world.nodes[d].is_decision:
                raise WorldError(f"agent {agent.name} sets {d}, which is a chance node, not a decision")


def names(world: World) -> list[str]:
    """Every agent of the world: the AI, each agent that sets a decision, each declared agent."""
    return list(dict.fromkeys([AI, *decisions_of(world), *world.agents]))


def check_agent(world: World, agent: Any, what: str = "agent") -> str:
    """`agent` when it names an agent of the world; otherwise a QueryError naming `what` and the agents."""
    known = names(world)
    if not isinstance(agent, str) or agent not in known:
        raise QueryError(f"{what}: {agent!r} is not an agent of world {world.name!r}; its agents are {known}")
    return agent


def owners(world: World) -> dict[str, str]:
    """Every decision of the world -> the agent who sets it (the AI unless another agent claims it)."""
    claimed = {d: a.name for a in world.agents.values() for d in a.decisions}
    return {d: claimed.get(d, AI) for d in world.decisions}


def decisions_of(world: World) -> dict[str, list[str]]:
    """Every agent that sets a decision -> its decisions in topological order (the AI first)."""
    out: dict[str, list[str]] = {}
    for d, a in owners(world).items():
        out.setdefault(a, []).append(d)
    return dict(sorted(out.items(), key=lambda kv: kv[0] != AI))


def has_other_agents(world: World) -> bool:
    """True when some decision is set by an agent other than the AI."""
    return any(a != AI for a in owners(world).values())


def objectives(world: World, utility: Any = None) -> dict[str, Any]:
    """Each agent that sets a decision -> its objective; the AI's is `utility` when given.

    Raises WorldError naming the agent when one has no objective.
    """
    out = {}
    for agent in decisions_of(world):
        declared = world.agents.get(agent)
        objective = utility if agent == AI and utility is not None else (declared.objective if declared else None)
        if objective is None:
            raise WorldError(f"agent {agent} sets decisions {decisions_of(world)[agent]} but has no objective: "
                             f"declare it with world.agent({agent!r}, objective=...)")
        out[agent] = objective
    return out
