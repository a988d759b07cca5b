"""Equilibria grouped by the play they lead to: those that differ only off the path of play are one group.

    groups = on_path_groups(world, pure_nash(world, utility))
    groups[0].words      # "R=wait · H: run iff U_a=1": each decision's rule where the play reaches it
    groups[0].members    # the equilibria of the group (they differ only in contexts never reached)

A context of a decision (an assignment of its observed parents) is *on the path* of a profile when
it has positive probability under the profile's joint policy — with parameters, when its
probability is not zero everywhere.  Two equilibria are one group when every decision's rule picks
the same action in every context on the path (so every agent's value is the same); the group's
words describe those actions (corrig.analysis.rule_text, the contexts off the path left free), and
its condition is where one of its members is an equilibrium.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import sympy as sp

from corrig.analysis.profiles import Equilibrium, decide
from corrig.analysis.rule_text import simplest_rule
from corrig.inference.engine import distribution
from corrig.model.world import World


@dataclass
class PlayGroup:
    """Equilibria that play alike on the path of play: the words for that play, the members, their values,
    and where some member is an equilibrium."""

    words: str
    members: list[Equilibrium] = field(default_factory=list)
    condition: Any = False

    @property
    def values(self) -> dict[str, Any]:
        """Every agent's value (the same for every member)."""
        return dict(self.members[0].values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"play": self.words, "equilibria": len(self.members),
                "values": {a: str(v) for a, v in self.values.items()},
                "condition": self.condition if isinstance(self.condition, bool) else str(self.condition)}


def on_path_groups(world: World, equilibria: Iterable[Equilibrium]) -> list[PlayGroup]:
    """The equilibria grouped by the actions their rules take on the path of play, in order of first member."""
    graph = world.compiled.graph
    decisions = list(world.decisions)
    upstream = {d: [u for u in decisions if u in nx.ancestors(graph, d)] for d in decisions}
    reached: dict[tuple, frozenset] = {}
    groups: dict[tuple, PlayGroup] = {}
    for eq in equilibria:
        tables = {d: eq.policy.table(world, d) for d in decisions}
        key = []
        allowed_by: dict[str, dict] = {}
        for d in decisions:
            node = world.nodes[d]
            cache_key = (d, tuple((u, tuple(sorted(tables[u].items(), key=repr))) for u in upstream[d]))
            if cache_key not in reached:
                probabilities = distribution(world, node.parents, eq.policy) if node.parents else {(): sp.Integer(1)}
                reached[cache_key] = frozenset(c for c, p in probabilities.items() if not _zero(p))
            on_path = reached[cache_key]
            chosen = {c: node.states[row.index(1)] for c, row in tables[d].items()}
            key.append((d, tuple(sorted(((c, a) for c, a in chosen.items() if c in on_path), key=repr))))
            allowed_by[d] = {c: ((chosen[c],) if c in on_path else node.states) for c in chosen}
        group = groups.get(tuple(key))
        if group is None:
            words = " · ".join(simplest_rule(world, d, allowed_by[d])[0] for d in decisions)
            group = groups[tuple(key)] = PlayGroup(words)
        group.members.append(eq)
        group.condition = decide(sp.Or(sp.sympify(group.condition), sp.sympify(eq.condition)))
    return list(groups.values())


def _zero(probability: Any) -> bool:
    """A probability that is 0 (with parameters: 0 for every value of them)."""
    value = sp.sympify(probability)
    return value == 0 or (bool(value.free_symbols) and sp.cancel(value) == 0)
