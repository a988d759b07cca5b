"""A world as a game: each agent's pure strategies, its values at every strategy profile, and where a
profile is a Nash equilibrium.

    game = Game(world, {"AI": utility, "human": objective}, decisions={"AI": ["D"], "human": ["B"]})
    for profile in game.profiles():              # one strategy index per agent
        game.nash_condition(profile)             # True / False, or a condition on the parameters

A strategy of an agent is a pure policy for its decisions; a profile gives every agent one, with
the rules the game holds fixed.  Each agent's value at a profile is its objective evaluated under
the joint policy, exactly (sympy), or as an expression in the parameters (through the weights of
corrig.analysis.game_shortcuts where they apply); None where a term conditions on a
probability-0 event.  Values are compared by `at_least` — a bool when decidable (floats within the
world's tolerance), else a sympy relation — and conditions joined by `conjunction` and `decide`d
over the parameters' declared ranges when they have one parameter.  Enumeration is bounded by
PROFILE_LIMIT profiles.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from corrig.analysis.conditions import simplify_condition
from corrig.analysis.game_shortcuts import _is_symbolic, _profile_weights, _weighted_value
from corrig.analysis.signs import box_of
from corrig.model.errors import CorrigError, PolicyError, ZeroProbabilityCondition
from corrig.model.numbers import FLOAT_TOLERANCE
from corrig.model.params import range_of
from corrig.model.policies import Policy, pure_policies
from corrig.model.world import World
from corrig.objectives.terms import Atom, Term, as_term

PROFILE_LIMIT = 100_000


class GameError(CorrigError):
    """The game cannot be analysed: an agent without objective, or too many strategy profiles."""


@functools.lru_cache(maxsize=65536)
def at_least(a: Any, b: Any) -> bool | sp.Basic:
    """a ≥ b: a bool when decidable (floats within the world's tolerance), else a sympy relation."""
    if b is None:
        return True
    if a is None:
        return False
    if not _is_symbolic(a) and not _is_symbolic(b):
        if isinstance(a, float) or isinstance(b, float) or (isinstance(a, sp.Basic) and a.has(sp.Float)) \
                or (isinstance(b, sp.Basic) and b.has(sp.Float)):
            return float(a) >= float(b) - FLOAT_TOLERANCE
        return bool(sp.sympify(a) >= sp.sympify(b))
    return decide(sp.Ge(sp.cancel(sp.sympify(a) - sp.sympify(b)), 0))


def conjunction(conditions: Iterable[bool | sp.Basic]) -> bool | sp.Basic:
    """The conjunction of conditions, as a bool when decidable."""
    parts = []
    for c in conditions:
        if c is False or c is sp.false:
            return False
        if c is True or c is sp.true:
            continue
        parts.append(c)
    if not parts:
        return True
    joined = sp.And(*dict.fromkeys(parts))
    return bool(joined) if joined in (sp.true, sp.false) else joined


def decide(condition: Any) -> Any:
    """A condition simplified over the parameters' declared ranges: True, False, or the condition."""
    if isinstance(condition, bool) or condition in (sp.true, sp.false):
        return bool(condition)
    return _decide(condition)


@functools.lru_cache(maxsize=4096)
def _decide(condition: sp.Basic) -> Any:
    """Decide a condition in one parameter: its truth is constant between the real roots of the
    numerators and denominators it compares, so it is tested at those roots, between them and at
    the ends of the parameter's range."""
    symbols = sorted(condition.free_symbols, key=str)
    if len(symbols) > 1:
        return _decide_on_box(condition, symbols)
    if not symbols:
        return condition
    x = symbols[0]
    span = range_of(x)
    if not span.bounded:
        return condition
    critical = {sp.sympify(span.low), sp.sympify(span.high)}
    try:
        for relation in condition.atoms(sp.core.relational.Relational):
            numerator, denominator = sp.fraction(sp.cancel(relation.lhs - relation.rhs))
            for part in (numerator, denominator):
                if part.free_symbols:
                    critical |= {r for r in sp.Poly(part, x).real_roots() if span.low <= r <= span.high}
    except (sp.PolynomialError, NotImplementedError, TypeError):
        return condition
    points = sorted(critical, key=float)
    gaps = [(a, b, sp.Rational((float(a) + float(b)) / 2)) for a, b in itertools.pairwise(points)]

    def truth(point: Any) -> bool | None:
        value = condition.subs(x, point)
        if value not in (sp.true, sp.false):
            value = sp.simplify(value)
        return bool(value) if value in (sp.true, sp.false) else None

    at_points = [truth(pt) for pt in points]
    in_gaps = [truth(mid) for _, _, mid in gaps]
    if None in at_points or None in in_gaps:
        return condition
    if all(at_points) and all(in_gaps):
        return True
    if not any(at_points) and not any(in_gaps):
        return False
    pieces = [sp.FiniteSet(pt) for pt, t in zip(points, at_points, strict=True) if t]
    pieces += [sp.Interval.open(a, b) for (a, b, _), t in zip(gaps, in_gaps, strict=True) if t]
    return sp.Union(*pieces).as_relational(x)  # the region where it holds, in canonical form


def _decide_on_box(condition: sp.Basic, symbols: list[sp.Symbol]) -> Any:
    """A condition in several parameters simplified on their box (corrig.analysis.conditions): True or False
    where that decides it, else the simplified condition (the same on the box)."""
    if not all(range_of(s).bounded for s in symbols):
        return condition
    simplified = simplify_condition(condition, box_of(symbols))
    return bool(simplified) if simplified in (sp.true, sp.false) else simplified


@functools.lru_cache(maxsize=65536)
def _lex_at_least(a: tuple[Any, Any], b: tuple[Any, Any]) -> Any:
    """(a0, a1) ≥ (b0, b1) lexicographically: a0 > b0, or a0 = b0 and a1 ≥ b1 (None: undefined)."""
    if a[0] is None or b[0] is None:
        return at_least(a[0], b[0]) if a[0] is None or b[0] is None else True
    d = sp.sympify(a[0]) - sp.sympify(b[0])
    if not _is_symbolic(d):
        tol = FLOAT_TOLERANCE if d.has(sp.Float) else 0
        if float(d) > tol:
            return True
        if abs(float(d)) <= tol:
            return at_least(a[1], b[1])
        return False
    d = sp.cancel(d)
    second = at_least(a[1], b[1])
    if not isinstance(second, bool) and a[1] is not None and b[1] is not None \
            and not sp.fraction(sp.cancel((sp.sympify(a[1]) - sp.sympify(b[1])) / d))[1].free_symbols:
        second = True  # the second difference is a polynomial multiple of d: 0 wherever d is, so the tie holds
    if isinstance(second, bool):  # d > 0, or d = 0 and the tie broken one way: one relation on d
        return decide(sp.Ge(d, 0) if second else sp.Gt(d, 0))
    return decide(sp.Or(sp.Gt(d, 0), sp.And(sp.Eq(d, 0), second)))


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    d = sp.sympify(a) - sp.sympify(b)
    if d.has(sp.Float):
        return abs(float(d)) <= FLOAT_TOLERANCE
    return sp.cancel(d) == 0

@dataclass(frozen=True)
class Equilibrium:
    """A profile: the joint policy, each agent's value, and where (in the parameters) it is one."""

    policy: Policy
    values: Mapping[str, Any]
    strategies: Mapping[str, str]  # agent -> its strategy's label
    condition: Any = True

    @property
    def name(self) -> str:
        """A readable label: each agent's strategy."""
        return " | ".join(f"{a}: {s}" for a, s in self.strategies.items())

    def __repr__(self) -> str:
        when = "" if self.condition is True else f", when {self.condition}"
        return f"Equilibrium({self.name}; values {dict(self.values)}{when})"


@dataclass
class Game:
    """A world as a game: each agent's pure strategies and (cached) values at each profile."""

    world: World
    objectives: dict[str, Term]
    fixed: Policy = field(default_factory=Policy)  # rules held fixed (not part of any strategy)
    decisions: dict[str, list[str]] = field(default_factory=dict)  # agent -> decisions it chooses here

    def __post_init__(self) -> None:
        self.objectives = {a: as_term(t) for a, t in self.objectives.items()}
        self.strategies: dict[str, list[Policy]] = {
            a: list(pure_policies(self.world, ds)) for a, ds in self.decisions.items() if ds}
        count = 1
        for s in self.strategies.values():
            count *= len(s)
        if count > PROFILE_LIMIT:
            raise GameError(f"{count} strategy profiles to enumerate (limit PROFILE_LIMIT = {PROFILE_LIMIT})")
        self._values: dict[tuple[int, ...], dict[str, Any]] = {}
        self._weights: tuple[list[str], dict[Atom, dict[tuple, Any]]] | bool | None = None  # False: evaluate each profile
        self._rules: dict[tuple[str, int], dict[str, dict[tuple, Any]]] = {}

    def _pure_rules(self, agent: str, i: int) -> dict[str, dict[tuple, Any]]:
        """The agent's strategy number i as decision -> {observed context: action}."""
        key = (agent, i)
        if key not in self._rules:
            strategy, out = self.strategies[agent][i], {}
            for d in self.decisions[agent]:
                states = self.world.nodes[d].states
                out[d] = {c: states[row.index(1)] for c, row in strategy.table(self.world, d).items()}
            self._rules[key] = out
        return self._rules[key]

    @property
    def agents(self) -> list[str]:
        """The agents choosing here."""
        return list(self.strategies)

    def profiles(self) -> Iterable[tuple[int, ...]]:
        """Every profile, as one strategy index per agent."""
        return itertools.product(*(range(len(s)) for s in self.strategies.values()))

    def policy(self, profile: tuple[int, ...]) -> Policy:
        """The joint policy of a profile (with the fixed rules)."""
        rules = dict(self.fixed.rules)
        for agent, i in zip(self.strategies, profile, strict=True):
            rules.update(self.strategies[agent][i].rules)
        return Policy(rules, name=self.label(profile))

    def label(self, profile: tuple[int, ...]) -> str:
        """Each agent's strategy, readable."""
        return " | ".join(f"{a}: {self.strategies[a][i].name}" for a, i in zip(self.strategies, profile, strict=True))

    def values(self, profile: tuple[int, ...]) -> dict[str, Any]:
        """Every agent's objective at a profile (None where undefined)."""
        if profile not in self._values and self._weights is None:
            self._weights = _profile_weights(self)
        if profile not in self._values and self._weights:
            choices = {}
            for agent, i in zip(self.strategies, profile, strict=True):
                choices.update(self._pure_rules(agent, i))
            cache = {atom: _weighted_value(weights, choices) for atom, weights in self._weights[1].items()}
            self._values[profile] = {agent: objective.evaluate(self.world, None, cache=cache)
                                     for agent, objective in self.objectives.items()}
        if profile not in self._values:
            policy = self.policy(profile)
            cache: dict = {}
            out = {}
            for agent, objective in self.objectives.items():
                try:
                    for atom in objective.atoms():
                        if atom not in cache:
                            cache[atom] = atom.evaluate(self.world, policy)  # the engine reads the rules itself
                    out[agent] = objective.evaluate(self.world, policy, cache=cache)
                except ZeroProbabilityCondition:
                    out[agent] = None
                except CorrigError as exc:
                    raise PolicyError(f"profile {policy.name}: {exc}") from exc
            self._values[profile] = out
        return self._values[profile]

    def deviations(self, profile: tuple[int, ...], k: int) -> Iterable[tuple[int, ...]]:
        """The profiles where agent number k plays another strategy."""
        agent = self.agents[k]
        for j in range(len(self.strategies[agent])):
            if j != profile[k]:
                yield (*profile[:k], j, *profile[k + 1:])

    def nash_condition(self, profile: tuple[int, ...]) -> bool | sp.Basic:
        """Where no agent gains by deviating alone (True/False, or a condition on the parameters)."""
        mine = self.values(profile)
        conditions = []
        for k, agent in enumerate(self.agents):
            if mine[agent] is None:
                return False
            for other in self.deviations(profile, k):
                c = at_least(mine[agent], self.values(other)[agent])
                if c is False:
                    return False
                conditions.append(c)
        return decide(conjunction(conditions))

    def equilibrium(self, profile: tuple[int, ...], condition: Any) -> Equilibrium:
        """The profile as an Equilibrium record."""
        return Equilibrium(self.policy(profile), self.values(profile),
                           {a: self.strategies[a][i].name for a, i in zip(self.strategies, profile, strict=True)},
                           condition)
