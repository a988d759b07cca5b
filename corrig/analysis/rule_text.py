"""Decision rules in a few words, for names a reader takes in at once.

    rule_text(world, "choice", {context: action})       # "choice: run iff U_a=1"
    simplest_rule(world, "choice", {context: actions})  # the rule among those allowed whose words are shortest
    profile_words(world, policy, ["choice"], room=30)    # the rules of some decisions in at most 30 characters

A pure rule of decision D (one action per assignment of D's observed parents) is worded in the
shortest of these forms that describes it exactly:

- a constant: `D=stop`;
- a copy of one parent with the same states: `D = X`; with two states, the other one: `D ≠ X`;
- one action under a condition on the parents, another elsewhere: `D: run iff U_a=1`; with three
  actions or more, `D: a if <condition>; b if <condition>; else c` (the first that holds);
- a condition is a disjunction (`or`) of conjunctions (`and`) of `X=s`, `X≠s` or `X∈{s,t}`, with
  as few conjunctions and letters as possible (every conjunction of parent-state sets is tried, up
  to CUBE_LIMIT of them, and the fewest that cover the action's contexts kept).

`simplest_rule` takes, per context, the set of actions that are equally good there (a tie, or a
context that cannot occur), and returns the rule with the shortest words among those allowed, with
the words: a human asked after a robot acts, whose answer changes nothing, is not made to read as
a rule about the robot's act.  Rules without words short enough (more than MAX_CUBES conjunctions
per action) are named by their place among the decision's pure rules: `D: rule 37 of 64`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corrig.model.world import World

Context = tuple[Any, ...]
CUBE_LIMIT = 4096  # conjunctions of parent-state sets tried per decision; above it the rule is numbered
MAX_CUBES = 3  # conjunctions per action's condition; more and the rule is numbered


def rule_text(world: World, decision: str, choice: Mapping[Context, Any]) -> str:
    """The words for a pure rule ({observed context: action}) of `decision`."""
    return simplest_rule(world, decision, {c: (a,) for c, a in choice.items()})[0]


def simplest_rule(world: World, decision: str, allowed: Mapping[Context, Iterable[Any]]
                  ) -> tuple[str, dict[Context, Any]]:
    """Among the rules playing, in each context, one of its allowed actions: the one with the shortest
    words, and those words.  Ties go to the rule whose actions come first in the decision's states."""
    node = world.nodes[decision]
    parents = [(p, tuple(world.nodes[p].states)) for p in node.parents]
    order = {s: i for i, s in enumerate(node.states)}
    options = {c: sorted(set(allowed[c]), key=order.__getitem__) for c in _contexts(parents)}
    found = [f for f in (_constant(decision, options), _copy(decision, node.states, parents, options),
                         _chain(decision, node.states, parents, options)) if f is not None]
    if not found:
        choice = {c: acts[0] for c, acts in options.items()}
        return _numbered(decision, node.states, choice), choice
    return min(found, key=lambda f: len(f[0]))


def profile_words(world: World, policy: Any, decisions: Iterable[str], room: int) -> str:
    """The pure rules `policy` gives `decisions`, in words joined by " · ", within `room` characters where it
    can be: the longest words are replaced by the rule's number (`D: rule k of N`) until they fit."""
    worded, numbered = [], []
    for d in decisions:
        states = world.nodes[d].states
        choice = {c: states[row.index(1)] for c, row in policy.table(world, d).items()}
        worded.append(rule_text(world, d, choice))
        numbered.append(_numbered(d, states, choice))
    while len(" · ".join(worded)) > room:
        longest = max(range(len(worded)), key=lambda i: len(worded[i]) - len(numbered[i]))
        if len(worded[longest]) <= len(numbered[longest]):
            break
        worded[longest] = numbered[longest]
    return " · ".join(worded)


def _contexts(parents: Sequence[tuple[str, tuple]]) -> list[Context]:
    return list(itertools.product(*(states for _, states in parents)))


def _numbered(decision: str, states: Sequence[Any], choice: Mapping[Context, Any]) -> str:
    """`D: rule k of N`: the rule's place among the decision's pure rules (corrig.model.policies.pure_rules order)."""
    index = 0
    for action in choice.values():
        index = index * len(states) + list(states).index(action)
    return f"{decision}: rule {index + 1} of {len(states) ** len(choice)}"


def _constant(decision: str, options: Mapping[Context, list]) -> tuple[str, dict] | None:
    common = set.intersection(*(set(acts) for acts in options.values())) if options else set()
    for action in next(iter(options.values()), []):
        if action in common:
            return f"{decision}={action}", dict.fromkeys(options, action)
    return None


def _copy(decision: str, states: Sequence[Any], parents: Sequence[tuple[str, tuple]],
          options: Mapping[Context, list]) -> tuple[str, dict] | None:
    """`D = X` when D can play X's state everywhere; `D ≠ X` when both have the same two states and D can play
    the other one everywhere."""
    for k, (name, parent_states) in enumerate(parents):
        if all(c[k] in acts for c, acts in options.items()):
            return f"{decision} = {name}", {c: c[k] for c in options}
        if len(states) == 2 and set(parent_states) == set(states):
            other = {states[0]: states[1], states[1]: states[0]}
            if all(other[c[k]] in acts for c, acts in options.items()):
                return f"{decision} ≠ {name}", {c: other[c[k]] for c in options}
    return None


def _chain(decision: str, states: Sequence[Any], parents: Sequence[tuple[str, tuple]],
           options: Mapping[Context, list]) -> tuple[str, dict] | None:
    """`D: a iff <condition>` (two actions) or `D: a if <c1>; b if <c2>; else d`: d is the action allowed in
    most contexts; every other action is chosen where d is not allowed, each covered by a condition that
    avoids the contexts where it is not allowed, tested in turn."""
    cubes = _cubes(parents)
    if cubes is None:
        return None
    default = max(states, key=lambda s: (sum(s in acts for acts in options.values()), -list(states).index(s)))
    pending = [c for c, acts in options.items() if default not in acts]
    assigned: dict[Any, list[Context]] = {}
    while pending:  # the action allowed in most of the contexts left takes them
        best = max(states, key=lambda s: (sum(s in options[c] for c in pending), -list(states).index(s)))
        assigned[best] = [c for c in pending if best in options[c]]
        pending = [c for c in pending if best not in options[c]]
    parts: list[tuple[Any, str]] = []
    decided: set[Context] = set()
    choice: dict[Context, Any] = {}
    for action in states:
        wanted = assigned.get(action)
        if not wanted:
            continue
        forbidden = {c for c, acts in options.items() if action not in acts and c not in decided}
        condition = _cover(parents, cubes, set(wanted), forbidden)
        if condition is None:
            return None
        words, covered = condition
        parts.append((action, words))
        for c in covered:
            if c not in decided:
                decided.add(c)
                choice[c] = action
    choice = {c: choice.get(c, default) for c in options}
    if len(parts) == 1 and len(states) == 2:
        action, words = parts[0]
        return f"{decision}: {action} iff {words}", choice
    chain = "; ".join(f"{action} if {words}" for action, words in parts)
    return f"{decision}: {chain}; else {default}", choice


def _cubes(parents: Sequence[tuple[str, tuple]]) -> list[tuple[frozenset, ...]] | None:
    """Every conjunction of one non-empty state set per parent (None when there are more than CUBE_LIMIT)."""
    count = 1
    for _, states in parents:
        count *= 2 ** len(states) - 1
    if count > CUBE_LIMIT:
        return None
    per_parent = [[frozenset(s) for k in range(1, len(states) + 1) for s in itertools.combinations(states, k)]
                  for _, states in parents]
    return list(itertools.product(*per_parent))


def _inside(cube: tuple[frozenset, ...], context: Context) -> bool:
    return all(v in part for v, part in zip(context, cube, strict=True))


def _cover(parents: Sequence[tuple[str, tuple]], cubes: list[tuple[frozenset, ...]], wanted: set[Context],
           forbidden: set[Context]) -> tuple[str, set[Context]] | None:
    """The shortest words for a disjunction of at most MAX_CUBES conjunctions that holds in every wanted
    context and in no forbidden one, and every context it holds in; None when there is none."""
    valid = [cube for cube in cubes if not any(_inside(cube, c) for c in forbidden)
             and any(_inside(cube, c) for c in wanted)]
    prime = [cube for cube in valid if not any(other != cube and all(a <= b for a, b in zip(cube, other, strict=True))
                                               for other in valid)]
    hits = {cube: frozenset(c for c in wanted if _inside(cube, c)) for cube in prime}
    for size in range(1, MAX_CUBES + 1):
        best = None
        for combo in itertools.combinations(prime, size):
            if frozenset().union(*(hits[cube] for cube in combo)) != wanted:
                continue
            texts = [_cube_text(parents, cube) for cube in combo]
            words = " or ".join(f"({t})" if size > 1 and " and " in t else t for t in texts)
            if best is None or len(words) < len(best[0]):
                best = (words, combo)
        if best is not None:
            every = {c for c in itertools.product(*(s for _, s in parents)) if any(_inside(k, c) for k in best[1])}
            return best[0], every
    return None


def _cube_text(parents: Sequence[tuple[str, tuple]], cube: tuple[frozenset, ...]) -> str:
    """`U_a=1 and R≠wait`; a cube holding everywhere is `always`."""
    words = []
    for (name, states), part in zip(parents, cube, strict=True):
        if len(part) == len(states):
            continue
        inside = [s for s in states if s in part]
        outside = [s for s in states if s not in part]
        if len(inside) == 1:
            words.append(f"{name}={inside[0]}")
        elif len(outside) == 1:
            words.append(f"{name}≠{outside[0]}")
        else:
            words.append(f"{name}∈{{{','.join(str(s) for s in inside)}}}")
    return " and ".join(words) or "always"
