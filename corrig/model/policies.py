"""Policies: one decision rule per decision node, pure or mixed, and their enumeration."""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import sympy as sp

from corrig.model import limits
from corrig.model.errors import CorrigError, PolicyError, StateError, with_context
from corrig.model.expr import State
from corrig.model.numbers import check_distribution, to_number

if TYPE_CHECKING:
    from corrig.model.world import Node, World

RuleTable = dict[tuple[State, ...], tuple[sp.Expr, ...]]


class Policy:
    """A decision rule for each decision node.

    A rule is a constant state; a function whose argument names are observed parents, returning
    a state or a {state: probability} dict; or a dict from observed-parent assignments (a tuple,
    or a bare value when the decision observes one parent) to a state or a distribution.  A
    decision that observes nothing may also be given a {state: probability} dict directly.
    """

    def __init__(self, rules: Mapping[str, Any] | None = None, *, name: str | None = None, **kwargs: Any):
        self.rules: dict[str, Any] = {**(rules or {}), **kwargs}
        self.name = name

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={_rule_repr(v)}" for k, v in self.rules.items())
        return f"Policy({body}{', ' if body and self.name else ''}{f'name={self.name!r}' if self.name else ''})"

    def __str__(self) -> str:
        return self.name or repr(self)

    def table(self, world: World, decision: str) -> RuleTable:
        """The rule for `decision` as observed-parent assignment -> probabilities over its states."""

        node = world.nodes.get(decision)
        if node is None or not node.is_decision:
            raise PolicyError(f"policy {self}: {decision!r} is not a decision node")
        if decision not in self.rules:
            raise PolicyError(f"policy {self} has no rule for decision {decision}, which the query needs")
        rule = self.rules[decision]
        if isinstance(rule, Mapping) and node.parents:
            _check_observations(self, world, node, rule)
        table: RuleTable = {}
        for context in itertools.product(*(world.nodes[p].states for p in node.parents)):
            where = _Where(self, node, context)
            choice = _apply(rule, node, context, where)
            if not isinstance(choice, Mapping):  # a state: a point mass, valid once the state is
                if _unhashable(choice) or choice not in node.states:
                    raise StateError(f"{where}: {choice!r} is not a state of {decision}; its states are {list(node.states)}")
                hit = {choice: 1}
                table[context] = tuple(sp.S.One if s in hit else sp.S.Zero for s in node.states)
                continue
            for state in choice:
                if state not in node.states:
                    raise StateError(f"{where}: {state!r} is not a state of {decision}; its states are {list(node.states)}")
            row = tuple(to_number(choice.get(s, 0), _Where(self, node, context, s)) for s in node.states)
            check_distribution(row, node.states, where)
            table[context] = row
        return table

    def parameters(self, world: World) -> frozenset[sp.Symbol]:
        """The parameters the rules' probabilities read (rules the world cannot read are skipped)."""
        found: set[sp.Symbol] = set()
        for decision in self.rules:
            node = world.nodes.get(decision)
            if node is None or not node.is_decision:
                continue
            for row in self.table(world, decision).values():
                for v in row:
                    found |= {x for x in getattr(v, "free_symbols", ()) if isinstance(x, sp.Symbol)}
        return frozenset(found)

    def subs(self, world: World, values: Mapping[sp.Symbol, Any]) -> Policy:
        """This policy with parameters replaced by values: each rule that reads one becomes a table."""
        rules = dict(self.rules)
        for decision in self.rules:
            node = world.nodes.get(decision)
            if node is None or not node.is_decision:
                continue
            table = self.table(world, decision)
            if not any(getattr(v, "free_symbols", set()) & set(values) for row in table.values() for v in row):
                continue
            rows = {ctx: {s: v.subs(values) for s, v in zip(node.states, row, strict=True)} for ctx, row in table.items()}
            rules[decision] = rows if node.parents else rows[()]
        return Policy(rules, name=self.name)

    def check(self, world: World) -> None:
        """Raise unless every rule names a decision and is well formed for it."""
        for decision in self.rules:
            self.table(world, decision)


def _check_observations(policy: Policy, world: World, node: Node, rule: Mapping[Any, Any]) -> None:
    """Every key of a table rule is an observation the decision can make: a tuple of its parents' states
    (or, when it observes one parent, that parent's state).  A key that names none would be ignored."""
    parents = node.parents
    for key in rule:
        values = key if isinstance(key, tuple) else (key,)
        if len(values) != len(parents):
            if isinstance(key, tuple) or len(parents) != 1:
                raise PolicyError(f"policy {policy}, decision {node.name}: the rule's entry {key!r} is not an observation "
                                  f"of {', '.join(parents)} (one state of each, in that order)")
        for parent, value in zip(parents, values, strict=len(values) == len(parents)):
            states = world.nodes[parent].states
            if _unhashable(value) or value not in states:
                what = f"entry {key!r} names {value!r}, which" if isinstance(key, tuple) else f"entry {key!r}"
                raise StateError(f"policy {policy}, decision {node.name}: the rule's {what} is not a state of {parent}; "
                                 f"its states are {list(states)}")


def checked_policy(value: Any, world: World, what: str) -> Policy:
    """A caller's policy argument (a Policy, a {decision: rule} dict or None) as a Policy whose every rule is
    well formed for a decision of `world`; otherwise the error (PolicyError, StateError) names `what`."""
    try:
        policy = as_policy(value)
        policy.check(world)
    except CorrigError as exc:
        raise with_context(exc, what) from exc
    return policy


def _unhashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return True
    return False


_NO_STATE = object()


class _Where:
    """Where in a policy a rule is read ("policy P, decision D when X='x'[, state 's']"), worded only when a
    message needs it."""

    __slots__ = ("context", "node", "policy", "state")

    def __init__(self, policy: Policy, node: Node, context: tuple[State, ...], state: Any = _NO_STATE):
        self.policy, self.node, self.context, self.state = policy, node, context, state

    def __str__(self) -> str:
        state = "" if self.state is _NO_STATE else f", state {self.state!r}"
        return f"policy {self.policy}, decision {self.node.name}{_context(self.node, self.context)}{state}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _context(node: Node, context: tuple[State, ...]) -> str:
    if not node.parents:
        return ""
    return " when " + ", ".join(f"{p}={v!r}" for p, v in zip(node.parents, context, strict=True))


def _apply(rule: Any, node: Node, context: tuple[State, ...], where: _Where) -> Any:
    observed = dict(zip(node.parents, context, strict=True))
    if callable(rule):
        names = list(inspect.signature(rule).parameters)
        unknown = [n for n in names if n not in observed]
        if unknown:
            raise PolicyError(
                f"{where}: the rule reads {unknown[0]!r}, which {node.name} does not observe "
                f"(it observes {list(node.parents)})"
            )
        try:
            return rule(**{n: observed[n] for n in names})
        except Exception as exc:
            raise PolicyError(f"{where}: the rule raised {type(exc).__name__}: {exc}") from exc
    if isinstance(rule, Mapping):
        if not node.parents:
            return rule
        key: Any = context[0] if len(context) == 1 and context not in rule else context
        if key not in rule:
            raise PolicyError(f"{where}: the rule has no entry for this observation")
        return rule[key]
    return rule


def _rule_repr(rule: Any) -> str:
    return getattr(rule, "__name__", None) or repr(rule) if callable(rule) else repr(rule)


def as_policy(policy: Policy | Mapping[str, Any] | None) -> Policy:
    """Accept a Policy, a {decision: rule} dict, or None (no rules)."""
    if isinstance(policy, Policy):
        return policy
    if policy is None:
        return Policy()
    if isinstance(policy, Mapping):
        return Policy(policy)
    raise PolicyError(f"a policy must be a Policy or a {{decision: rule}} dict, got {type(policy).__name__}")


def pure_rules(world: World, decision: str) -> Iterator[tuple[dict[tuple[State, ...], State], str]]:
    """Every deterministic rule for `decision`, with a readable label."""
    node = world.nodes[decision]
    contexts = list(itertools.product(*(world.nodes[p].states for p in node.parents)))
    for choices in itertools.product(node.states, repeat=len(contexts)):
        if not node.parents:
            yield {(): choices[0]}, f"{decision}={choices[0]}"
            continue
        mapping = dict(zip(contexts, choices, strict=True))
        label = ", ".join(f"{decision}({_assignment(node, c)})={s}" for c, s in mapping.items())
        yield mapping, label


def _assignment(node: Node, context: tuple[State, ...]) -> str:
    return ",".join(f"{p}={v}" for p, v in zip(node.parents, context, strict=True))


def pure_policies(world: World, decisions: list[str] | None = None) -> Iterator[Policy]:
    """Every pure policy: one deterministic rule per decision per observed-parent assignment.

    Counted before the first is built: more than the `policies` limit (corrig.model.limits) is a
    LimitError that says what to do instead."""
    names = list(world.decisions if decisions is None else decisions)
    log2 = _log2_count(world, names)
    limit = limits.get("policies")
    if log2 > math.log2(limit):
        exact = _exact_count(world, names) if log2 <= 64 else None
        raise limits.LimitError(
            f"world {world.name!r} has {limits.count_text(log2, exact)} pure policies, more than the limit of "
            f"{limit:,} policies that are enumerated when none are listed. List candidate policies ([policies] in a "
            f"TOML scenario, `policies` in Python), let decisions observe fewer nodes, or find an optimal policy with "
            f"corrig.analysis.solve.solve (backward induction, no enumeration) (raise the limit with --limit "
            f"policies=N, or {limits.ENVIRONMENT}=\"policies=N\")")
    return _pure_policies(world, names)


def _pure_policies(world: World, names: list[str]) -> Iterator[Policy]:
    per_decision = [list(pure_rules(world, d)) for d in names]
    for combo in itertools.product(*per_decision):
        rules: dict[str, Any] = {}
        for d, (mapping, _) in zip(names, combo, strict=True):
            rules[d] = mapping[()] if list(mapping) == [()] else dict(mapping)
        yield Policy(rules, name="; ".join(label for _, label in combo))


def _rule_shapes(world: World, names: Iterable[str]) -> Iterator[tuple[list[int], int]]:
    """(the sizes of its observed parents, its states) for each decision: states ** Π sizes pure rules."""
    for d in names:
        node = world.nodes[d]
        yield [len(world.nodes[p].states) for p in node.parents], len(node.states)


def _log2_count(world: World, names: Iterable[str]) -> float:
    """log2 of the number of pure policies of `names` (in floats: no big numbers built)."""
    return sum(math.prod(parents, start=1.0) * math.log2(states)
               for parents, states in _rule_shapes(world, names) if states > 1)


def _exact_count(world: World, names: Iterable[str]) -> int:
    return math.prod(states ** math.prod(parents) for parents, states in _rule_shapes(world, names))


MAX_COUNT_BITS = 12_000  # beyond this a count has more digits than Python prints (4300)


def count_pure_policies(world: World, decisions: Iterable[str] | None = None) -> int:
    """How many pure policies the world's decisions (or the given ones) have (a LimitError past 2^12000, a
    number too long to print)."""
    names = list(world.decisions if decisions is None else decisions)
    log2 = _log2_count(world, names)
    if log2 > MAX_COUNT_BITS:
        raise limits.LimitError(f"world {world.name!r} has {limits.count_text(log2)} pure policies: too many to count")
    return _exact_count(world, names)

