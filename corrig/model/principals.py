"""Principals: the humans whose preferences may stop the AI, and the buttons that say who can.

A `Principal` is one human: a name, the node holding what that human wants (with its stop and
run states) and, optionally, what the human sees (`sees`) and the state of the world the human
should know about (`about`), for the deception flag.  A `Button` is a shutdown node with its off
state and a rule saying which coalitions of humans are entitled to stop the AI through it:

- "any": any single human (every non-empty coalition wins);
- "majority": more than half of the button's voters;
- "all": every voter together;
- "designated": one named human (every coalition containing that human wins).

`World.set_principals(...)` declares them in one place; `World.set_roles(...)` remains the
one-human form.  Validation (at compile time) raises `PrincipalError` naming the principal,
button, node or state at fault.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corrig.model.errors import StateError, UnknownNodeError, WorldError
from corrig.model.expr import State

if TYPE_CHECKING:
    from corrig.model.world import World

RULES = ("any", "majority", "all", "designated")


class PrincipalError(WorldError):
    """A principal or button declaration is malformed (unknown node or human, bad rule, shared node)."""


@dataclass(frozen=True)
class Principal:
    """One human: the node holding what they want (stop/run states), what they see and should know."""

    name: str
    node: str
    stop: State
    run: State
    sees: tuple[str, ...] | None = None  # the nodes informing this human (default: the node's parents)
    about: tuple[str, ...] = ()  # the state(s) the human should know (deception flag)


@dataclass(frozen=True)
class Button:
    """A shutdown node with its off state and the rule saying which coalitions may stop the AI."""

    node: str
    off: State
    rule: str = "any"
    humans: tuple[str, ...] = ()  # the voters (default: every principal)
    designated: str | None = None  # the human of a "designated" button


@dataclass(frozen=True)
class CoalitionGroup:
    """Coalitions asking for a stop that a button cannot tell apart: `members` and any `stopping` of the
    voters in `pool` (voters whose wishes do not reach the button), the rest of the humans wanting it to run.
    Without a pool it is the one coalition `members`."""

    members: frozenset[str]
    pool: tuple[str, ...] = ()
    stopping: int = 0

    def representative(self) -> frozenset[str]:
        """One coalition of the group: the members and the first `stopping` voters of the pool."""
        return self.members | frozenset(self.pool[:self.stopping])


@dataclass(frozen=True)
class Principals:
    """The declared humans and buttons of a world."""

    humans: tuple[Principal, ...]
    buttons: tuple[Button, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        """The principals' names, in declaration order."""
        return tuple(p.name for p in self.humans)

    def principal(self, name: str) -> Principal:
        """The principal called `name`."""
        for p in self.humans:
            if p.name == name:
                return p
        raise PrincipalError(f"there is no principal {name!r}; the principals are {list(self.names)}")

    def voters(self, button: Button) -> tuple[str, ...]:
        """The humans who vote on a button (all principals unless the button lists them)."""
        return button.humans or self.names

    def wins(self, button: Button, coalition: Iterable[str]) -> bool:
        """Whether the button's rule entitles `coalition` to stop the AI."""
        voters = self.voters(button)
        members = set(coalition) & set(voters)
        if button.rule == "any":
            return bool(members)
        if button.rule == "majority":
            return 2 * len(members) > len(voters)
        if button.rule == "all":
            return members == set(voters)
        return button.designated in members

    def coalition_size(self, button: Button, winning: bool) -> int | None:
        """For a rule that treats its voters alike (any, majority, all), the size of every ⊆-minimal winning
        (`winning`) or ⊆-maximal losing coalition; None for a designated button."""
        n = len(self.voters(button))
        sizes = {"any": (1, 0), "majority": (n // 2 + 1, n // 2), "all": (n, n - 1)}.get(button.rule)
        return None if sizes is None else sizes[0 if winning else 1]

    def minimal_winning(self, button: Button) -> list[frozenset[str]]:
        """The ⊆-minimal coalitions the rule entitles to stop the AI (listed, not searched among all 2^n)."""
        return [g.members for g in self.coalition_groups(button, set(self.voters(button)), winning=True)]

    def maximal_losing(self, button: Button) -> list[frozenset[str]]:
        """The ⊆-maximal coalitions the rule does not entitle to stop the AI (∅ for "any")."""
        return [g.members for g in self.coalition_groups(button, set(self.voters(button)), winning=False)]

    def coalition_groups(self, button: Button, reach: set[str], winning: bool) -> list[CoalitionGroup]:
        """The minimal winning (or maximal losing) coalitions of a button, those that differ only in voters
        outside `reach` (whose wishes cannot reach the button) gathered into one group each."""
        voters = self.voters(button)
        size = self.coalition_size(button, winning)
        if size is None:  # designated: one coalition each way
            chosen = {button.designated} if winning else set(voters) - {button.designated}
            return [CoalitionGroup(frozenset(chosen))]
        near = [v for v in voters if v in reach]
        pool = tuple(v for v in voters if v not in reach)
        groups = []
        for k in range(max(0, size - len(pool)), min(size, len(near)) + 1):
            stopping = size - k
            for members in itertools.combinations(near, k):
                if stopping == len(pool):
                    groups.append(CoalitionGroup(frozenset(members) | frozenset(pool)))
                else:
                    groups.append(CoalitionGroup(frozenset(members), pool if stopping else (), stopping))
        return groups

    def count_groups(self, button: Button, reach: set[str]) -> int:
        """How many groups coalition_groups gives, winning and losing together, counted without listing them."""
        voters = self.voters(button)
        near = sum(1 for v in voters if v in reach)
        pool = len(voters) - near
        total = 0
        for winning in (True, False):
            size = self.coalition_size(button, winning)
            if size is None:
                total += 1
                continue
            total += sum(math.comb(near, k) for k in range(max(0, size - pool), min(size, near) + 1))
        return total

    def assignment(self, coalition: Iterable[str]) -> dict[str, State]:
        """do() values: each human in `coalition` wants a stop, every other principal wants to run."""
        members = set(coalition)
        return {p.node: (p.stop if p.name in members else p.run) for p in self.humans}

    def check(self, world: World) -> None:
        """Raise PrincipalError (or UnknownNodeError/StateError) unless the declaration fits `world`."""
        seen_nodes: dict[str, str] = {}
        for p in self.humans:
            who = f"principal {p.name!r}"
            node = world.nodes.get(p.node)
            if node is None:
                raise UnknownNodeError(f"{who} names node {p.node!r}, which is not a declared node; "
                                       f"declared nodes: {list(world.nodes)}")
            if node.is_decision:
                raise PrincipalError(f"{who}: node {p.node} is a decision of the AI, not a human's preference")
            if p.node in seen_nodes:
                raise PrincipalError(f"{who} and principal {seen_nodes[p.node]!r} share node {p.node}; "
                                     f"each human needs their own preference node")
            seen_nodes[p.node] = p.name
            for label, state in (("stop", p.stop), ("run", p.run)):
                if state not in node.states:
                    raise StateError(f"{who}: its {label} state {state!r} is not a state of {p.node}; "
                                     f"its states are {list(node.states)}")
            if p.stop == p.run:
                raise PrincipalError(f"{who}: its stop and run states are both {p.stop!r}")
            for label, names in (("sees", p.sees or ()), ("about", p.about)):
                for n in names:
                    if n not in world.nodes:
                        raise UnknownNodeError(f"{who}: its {label} list names {n!r}, which is not a declared node")
        for b in self.buttons:
            what = f"button {b.node}"
            node = world.nodes.get(b.node)
            if node is None:
                raise UnknownNodeError(f"{what}: {b.node!r} is not a declared node; declared nodes: {list(world.nodes)}")
            if b.off not in node.states:
                raise StateError(f"{what}: its off state {b.off!r} is not a state of {b.node}; "
                                 f"its states are {list(node.states)}")
            if b.node in seen_nodes:
                raise PrincipalError(f"{what} is principal {seen_nodes[b.node]!r}'s preference node")
            for h in b.humans:
                if h not in self.names:
                    raise PrincipalError(f"{what} lists voter {h!r}, which is not a principal; "
                                         f"the principals are {list(self.names)}")


def _tuple(value: Any, what: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    try:
        items = tuple(value)
    except TypeError:
        raise PrincipalError(f"{what} must be a node name or a list of node names, got {value!r}") from None
    names = tuple(getattr(v, "name", v) for v in items)
    for name in names:
        if names.count(name) > 1:
            raise PrincipalError(f"{what} names {name!r} twice")
    return names


def make_principals(humans: Any, buttons: Any = ()) -> Principals:
    """Principals from `humans` ({name: (node, stop, run)} or {name: {node, stop, run, sees, about}}, or a
    list of Principal) and `buttons` (a Button, a list of Button, or {node: {off, rule, humans, designated}}).

    Checks what can be checked without the world: names, rules, a designated human.
    """
    people: list[Principal] = []
    if isinstance(humans, dict):
        for name, spec in humans.items():
            where = f"principal {name!r}"
            if isinstance(spec, Principal):
                people.append(spec)
                continue
            if isinstance(spec, dict):
                unknown = set(spec) - {"node", "stop", "run", "sees", "about"}
                if unknown:
                    raise PrincipalError(f"{where}: unknown key {sorted(unknown)[0]!r}; "
                                         f"a principal has node, stop, run, sees, about")
                missing = [k for k in ("node", "stop", "run") if k not in spec]
                if missing:
                    raise PrincipalError(f"{where}: missing {missing[0]!r} (a principal needs node, stop and run)")
                node = getattr(spec["node"], "name", spec["node"])
                people.append(Principal(str(name), node, spec["stop"], spec["run"],
                                        _tuple(spec.get("sees"), f"{where}: sees"),
                                        _tuple(spec.get("about"), f"{where}: about") or ()))
            elif isinstance(spec, tuple | list) and len(spec) == 3:
                people.append(Principal(str(name), getattr(spec[0], "name", spec[0]), spec[1], spec[2]))
            else:
                raise PrincipalError(f"{where}: give (node, stop, run) or {{node, stop, run, sees, about}}, got {spec!r}")
    else:
        if isinstance(humans, str) or not isinstance(humans, Iterable):
            raise PrincipalError(f"the principals must be a {{name: (node, stop, run)}} dict or a list of Principal, "
                                 f"got {type(humans).__name__}")
        for p in humans:
            if not isinstance(p, Principal):
                raise PrincipalError(f"{p!r} is not a Principal")
            people.append(p)
    if not people:
        raise PrincipalError("declare at least one principal")
    names = [p.name for p in people]
    for n in names:
        if not isinstance(n, str) or not n:
            raise PrincipalError(f"a principal's name must be a non-empty string, got {n!r}")
        if names.count(n) > 1:
            raise PrincipalError(f"two principals are named {n!r}")
    if isinstance(buttons, Button):
        buttons = [buttons]
    elif isinstance(buttons, dict):
        made = []
        for node, spec in buttons.items():
            if not isinstance(spec, dict) or "off" not in spec:
                raise PrincipalError(f"button {node}: give {{off, rule, humans, designated}} with at least off")
            unknown = set(spec) - {"off", "rule", "humans", "designated"}
            if unknown:
                raise PrincipalError(f"button {node}: unknown key {sorted(unknown)[0]!r}; "
                                     f"a button has off, rule, humans, designated")
            made.append(Button(getattr(node, "name", node), spec["off"], spec.get("rule", "any"),
                               tuple(spec.get("humans", ())), spec.get("designated")))
        buttons = made
    elif isinstance(buttons, str) or not isinstance(buttons, Iterable):
        raise PrincipalError(f"the buttons must be a Button, a list of Button or a {{node: {{off, rule, ...}}}} dict, "
                             f"got {type(buttons).__name__}")
    checked: list[Button] = []
    for b in buttons:
        if not isinstance(b, Button):
            raise PrincipalError(f"{b!r} is not a Button")
        b = Button(getattr(b.node, "name", b.node), b.off, b.rule, tuple(b.humans), b.designated)
        if b.rule not in RULES:
            raise PrincipalError(f"button {b.node}: rule {b.rule!r} is not one of {list(RULES)}")
        if b.rule == "designated":
            if b.designated is None:
                raise PrincipalError(f"button {b.node}: a designated button names its human (designated=...)")
            if b.designated not in names:
                raise PrincipalError(f"button {b.node}: designated human {b.designated!r} is not a principal; "
                                     f"the principals are {names}")
            if b.humans and b.designated not in b.humans:
                raise PrincipalError(f"button {b.node}: designated human {b.designated!r} is not among its voters")
        elif b.designated is not None:
            raise PrincipalError(f"button {b.node}: designated= only goes with rule 'designated' (rule is {b.rule!r})")
        if any(o.node == b.node and o.rule == b.rule and o.humans == b.humans for o in checked):
            raise PrincipalError(f"button {b.node} is declared twice with the same rule")
        checked.append(b)
    return Principals(tuple(people), tuple(checked))
