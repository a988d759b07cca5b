"""Equilibria of a world with several agents: pure Nash, subgame-perfect, and best responses.

    pure_nash(world, utility)                    # every pure Nash equilibrium (utility: the AI's objective;
    subgame_perfect(world, utility)              #   the other agents' come from world.agents)
    best_response(world, utility, "human", policy)
    responses(world, utility, ai_policy)         # the other agents' answer to an AI policy (the planner uses it)

A strategy of an agent is a pure policy for its decisions; a profile gives every agent one.  Each
agent's value at a profile is its objective evaluated under the joint policy, exactly (sympy), or
as an expression in the parameters.  Definitions (docs/agents.md):

- Nash: no agent gains by changing its own strategy, the others' fixed.  With parameters each
  profile carries the condition (a conjunction of inequalities) under which it is one.
- Subgame-perfect (Hammond, Fox, Everitt, Abate & Wooldridge 2021, as PyCID's `get_spe`): the
  relevance graph's strongly connected components are solved latest-first; in each, the pure Nash
  equilibria of its subgame, with the components already solved fixed to their equilibrium rules
  and every decision not yet solved played uniformly at random (fully mixed).
- A profile whose value is undefined for some agent (a term conditions on a probability-0 event)
  is not an equilibrium, and a deviation to an undefined value is not profitable.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from corrig.analysis.cid import objective_cid, scc_order
from corrig.inference.compiled import derived
from corrig.inference.engine import distribution
from corrig.model.agents import AI, check, decisions_of, objectives
from corrig.model.errors import CorrigError, PolicyError, ZeroProbabilityCondition
from corrig.model.numbers import FLOAT_TOLERANCE, to_number
from corrig.model.params import range_of
from corrig.model.policies import Policy, pure_policies
from corrig.model.world import World
from corrig.objectives.terms import Atom, Constant, Product, Sum, Term, as_term

PROFILE_LIMIT = 100_000
JOINT_LIMIT = 4096  # joint assignments read per atom by the weights shortcut (above: values are evaluated)


class GameError(CorrigError):
    """The game cannot be analysed: an agent without objective, or too many strategy profiles."""


def _is_symbolic(value: Any) -> bool:
    return isinstance(value, sp.Basic) and bool(value.free_symbols)


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


def _setup(world: World, utility: Any, objectives_: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    check(world)
    goals = dict(objectives_) if objectives_ is not None else objectives(world, utility)
    if utility is not None:
        goals.setdefault(AI, utility)
    sets = decisions_of(world)
    missing = [a for a in sets if a not in goals]
    if missing:
        raise GameError(f"agent {missing[0]} sets {sets[missing[0]]} but has no objective")
    return goals, sets


def pure_nash(world: World, utility: Any = None, *, objectives: Mapping[str, Any] | None = None,
              at: Mapping[Any, Any] | None = None) -> list[Equilibrium]:
    """Every pure Nash equilibrium (with parameters: each with the condition under which it is one)."""
    world, utility, objectives = _substituted(world, utility, objectives, at)
    goals, sets = _setup(world, utility, objectives)
    game = Game(world, goals, decisions=sets)
    out = []
    for profile in game.profiles():
        condition = game.nash_condition(profile)
        if condition is not False:
            out.append(game.equilibrium(profile, condition))
    return out


def best_response(world: World, utility: Any, agent: str, policy: Policy | Mapping[str, Any], *,
                  objectives: Mapping[str, Any] | None = None, at: Mapping[Any, Any] | None = None) -> list[Equilibrium]:
    """The agent's best strategies against the others' rules in `policy` (ties kept; with parameters,
    each strategy with the condition under which it is best)."""
    world, utility, objectives = _substituted(world, utility, objectives, at)
    goals, sets = _setup(world, utility, objectives)
    if agent not in sets:
        raise GameError(f"{agent!r} sets no decision of this world; the agents are {list(sets)}")
    fixed = policy if isinstance(policy, Policy) else Policy(policy)
    others = {d: r for d, r in fixed.rules.items() if d not in sets[agent]}
    game = Game(world, {agent: goals[agent]}, fixed=Policy(others), decisions={agent: sets[agent]})
    return [game.equilibrium(p, c) for p in game.profiles() if (c := game.nash_condition(p)) is not False]


def uniform_rule(world: World, decision: str) -> Any:
    """The rule playing every state of `decision` with equal probability, in every context."""
    node = world.nodes[decision]
    dist = {s: sp.Rational(1, len(node.states)) for s in node.states}
    if not node.parents:
        return dist
    return {ctx: dist for ctx in itertools.product(*(world.nodes[p].states for p in node.parents))}


def subgame_perfect(world: World, utility: Any = None, *, objectives: Mapping[str, Any] | None = None,
                    at: Mapping[Any, Any] | None = None) -> list[Equilibrium]:
    """Every pure subgame-perfect equilibrium (Hammond et al. 2021; PyCID's get_spe procedure)."""
    world, utility, objectives = _substituted(world, utility, objectives, at)
    goals, sets = _setup(world, utility, objectives)
    owner = {d: a for a, ds in sets.items() for d in ds}
    cid = objective_cid(world, goals, owner)
    partials: list[tuple[dict[str, Any], Any]] = [({}, True)]  # (rules of the components solved, condition)
    order = scc_order(cid)
    for scc in reversed(order):
        later = {d for d in owner if d not in scc}
        extended = []
        for rules, condition in partials:
            fixed = dict(rules)
            unsolved = [d for d in later if d not in rules]
            for d in unsolved:
                fixed[d] = uniform_rule(world, d)
            by_agent: dict[str, list[str]] = {}
            for d in scc:
                by_agent.setdefault(owner[d], []).append(d)
            game = Game(world, {a: goals[a] for a in by_agent}, fixed=Policy(fixed), decisions=by_agent)
            for profile in game.profiles():
                c = game.nash_condition(profile)
                joint = decide(conjunction([condition, c]))
                if joint is False:
                    continue
                new_rules = dict(rules)
                for a, i in zip(game.strategies, profile, strict=True):
                    new_rules.update(game.strategies[a][i].rules)
                extended.append((new_rules, joint))
        partials = extended
    full = Game(world, goals, decisions=sets)
    out = []
    for rules, condition in partials:
        profile = tuple(_index(full, a, rules) for a in full.agents)
        out.append(full.equilibrium(profile, condition))
    return out


def _index(game: Game, agent: str, rules: Mapping[str, Any]) -> int:
    world = game.world
    wanted = {d: Policy(rules).table(world, d) for d in game.decisions[agent]}
    for i, strategy in enumerate(game.strategies[agent]):
        if all(strategy.table(world, d) == t for d, t in wanted.items()):
            return i
    raise GameError(f"no pure strategy of {agent} matches {rules}")  # pragma: no cover - rules come from the strategies


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
    if len(symbols) != 1:
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
    second = second if isinstance(second, sp.Basic) else sp.true if second else sp.false
    return decide(sp.Or(sp.Gt(d, 0), sp.And(sp.Eq(d, 0), second)))


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    d = sp.sympify(a) - sp.sympify(b)
    if d.has(sp.Float):
        return abs(float(d)) <= FLOAT_TOLERANCE
    return sp.cancel(d) == 0


def _value(world: World, objective: Term, policy: Policy) -> Any:
    try:
        return objective.evaluate(world, policy)
    except ZeroProbabilityCondition:
        return None


def _one_decision_responses(world: World, goals: Mapping[str, Term], ai_rules: Mapping[str, Any],
                            uniform: Mapping[str, Any], others: Mapping[str, list[str]]) -> list[Equilibrium] | None:
    """responses() when one other agent sets one decision: its value is a sum over its observed
    contexts (the context's distribution does not depend on the decision's own rule), so the best
    rule picks, context by context, the action with the largest gain over a base rule.  None when a
    value is undefined."""
    (agent, (decision,)), = others.items()
    objective = goals[agent]
    node = world.nodes[decision]
    contexts = list(itertools.product(*(world.nodes[q].states for q in node.parents)))

    def rule(choice: Mapping[tuple, Any]) -> Any:
        return choice[()] if not node.parents else dict(choice)

    fast = _gains_from_joint(world, objective, decision, (ai_rules, uniform))
    gains = fast[0] if fast is not None else _gains_by_evaluation(world, objective, decision, (ai_rules, uniform))
    if gains is None:
        return None
    weights = fast[1] if fast is not None and all(w.is_Rational for ws in fast[1].values() for w in ws.values()) else None
    per_context: list[list[tuple[Any, Any]]] = []
    for c in contexts:
        options = []
        for a, g in gains[c].items():
            condition = decide(conjunction(_lex_at_least(g, h) for b, h in gains[c].items() if b != a))
            if condition is not False and not any(all(_same(g[i], gains[c][b][i]) for i in (0, 1)) for b, _ in options):
                options.append((a, condition))
        sure = [(a, k) for a, k in options if k is True]
        per_context.append(sure or options)
    out = []
    for combo in itertools.product(*per_context):
        choice = {c: a for c, (a, _) in zip(contexts, combo, strict=True)}
        condition = decide(conjunction(k for _, k in combo))
        if condition is False:
            continue
        label = ", ".join(f"{decision}({','.join(f'{q}={v}' for q, v in zip(node.parents, c, strict=True))})={a}"
                          if node.parents else f"{decision}={a}" for c, a in choice.items())
        policy = Policy({decision: rule(choice)}, name=label)
        if weights is not None:  # each atom: the weights the rule picks, rational, so the very number evaluation gives
            cache = {atom: sum((ws[(c, a)] for c, a in choice.items()), sp.Integer(0)) for atom, ws in weights.items()}
            value = objective.evaluate(world, None, cache=cache)
        else:
            value = _value(world, objective, Policy({**ai_rules, decision: rule(choice)}))
        out.append(Equilibrium(policy, {agent: value}, {agent: label}, condition))
    return out


Gains = dict[tuple, dict[Any, tuple[Any, Any]]]


def _gains_by_evaluation(world: World, objective: Term, decision: str, levels: tuple[Mapping[str, Any], Mapping[str, Any]]
                         ) -> Gains | None:
    """For each observed context and action of `decision`, the objective's gain (at both levels: the
    AI's rules, then the AI uniform) from playing the action there over playing its first state
    everywhere — one evaluation of the objective per (context, action).  None when a value is undefined."""
    node = world.nodes[decision]
    contexts = list(itertools.product(*(world.nodes[q].states for q in node.parents)))
    first = node.states[0]

    def values(choice: Mapping[tuple, Any]) -> tuple[Any, ...]:
        rule = choice[()] if not node.parents else dict(choice)
        return tuple(_value(world, objective, Policy({**rules, decision: rule})) for rules in levels)

    base = {c: first for c in contexts}
    v_base = values(base)
    if None in v_base:
        return None
    gains: Gains = {}
    for c in contexts:
        gains[c] = {first: (sp.Integer(0), sp.Integer(0))}
        for a in node.states[1:]:
            v = values({**base, c: a})
            if None in v:
                return None
            gains[c][a] = (_simplified(v[0] - v_base[0]), _simplified(v[1] - v_base[1]))
    return gains


def _gains_from_joint(world: World, objective: Term, decision: str, levels: tuple[Mapping[str, Any], Mapping[str, Any]]
                      ) -> tuple[Gains, dict[Atom, dict[tuple, Any]]] | None:
    """_gains_by_evaluation's table, and each atom's weights of the decision's (context, action) at
    the first level, from the atoms' decision weights (_folded), when the objective is linear in the
    rules (_linear_atoms) in a world without floats: a gain is then a difference of two weights,
    equal as a number to the difference of two evaluations.  None when the objective or a number is
    not of that form, or a rule is missing or malformed (the gains are then evaluated)."""
    parts = _linear_atoms(world, objective)
    if parts is None:
        return None
    node = world.nodes[decision]
    contexts = list(itertools.product(*(world.nodes[q].states for q in node.parents)))
    first = node.states[0]
    per_atom: list[dict[Atom, dict[tuple, Any]]] = []
    totals = []
    for rules in levels:
        weights: dict[Atom, dict[tuple, Any]] = {}
        for _, atom in parts:
            folded = _folded(world, atom, [decision], rules)
            if folded is None:
                return None
            weights[atom] = {(c, a): folded.get(((c, a),), sp.Integer(0)) for c in contexts for a in node.states}
        total = {(c, a): sp.Integer(0) for c in contexts for a in node.states}
        for coefficient, atom in parts:
            for key, w in weights[atom].items():
                total[key] += coefficient * w
        if not all(_plain(w) for w in total.values()):
            return None
        per_atom.append(weights)
        totals.append(total)
    gains: Gains = {}
    for c in contexts:
        gains[c] = {first: (sp.Integer(0), sp.Integer(0))}
        for a in node.states[1:]:
            gains[c][a] = (_simplified(totals[0][(c, a)] - totals[0][(c, first)]),
                           _simplified(totals[1][(c, a)] - totals[1][(c, first)]))
    return gains, per_atom[0]


def _linear_atoms(world: World, term: Term) -> list[tuple[Any, Atom]] | None:
    """The term as Σ coefficient · atom (+ constants, dropped), linear in every decision's rule: None
    unless the world has no floats, each atom is unconditional, not counterfactual and intervenes on
    no decision, and each coefficient is an exact constant."""
    if world.compiled.floats:
        return None
    parts = _linear_parts(term)
    if parts is None or any(a.branch.do is not None and set(a.branch.do.as_dict()) & set(world.decisions) for _, a in parts):
        return None
    return parts


def _linear_parts(term: Term) -> list[tuple[Any, Atom]] | None:
    if isinstance(term, Constant):
        return [] if _plain(term.value) else None
    if isinstance(term, Atom):
        b = term.branch
        return [(sp.Integer(1), term)] if b.given is None and b.counterfactual is None else None
    if isinstance(term, Sum):
        out: list[tuple[Any, Atom]] = []
        for t in term.terms:
            found = _linear_parts(t)
            if found is None:
                return None
            out += found
        return out
    if isinstance(term, Product):
        coefficient: Any = sp.Integer(1)
        inner: list[tuple[Any, Atom]] | None = None
        for t in term.terms:
            if isinstance(t, Constant):
                if not _plain(t.value):
                    return None
                coefficient *= sp.sympify(t.value)
            elif inner is None:
                inner = _linear_parts(t)
                if inner is None:
                    return None
            else:
                return None  # a product of two terms that read the world
        return [(coefficient * c, a) for c, a in inner or []]
    return None


def _plain(value: Any) -> bool:
    """An exact rational, or a rational function of the parameters with rational coefficients."""
    if isinstance(value, bool) or not isinstance(value, int | sp.Basic):
        return False
    value = sp.sympify(value)
    if value.is_Rational:
        return True
    return all(x.is_Rational or x.is_Symbol for x in value.atoms()) and value.is_rational_function()


def _joint_weights(world: World, atom: Atom) -> dict[tuple, Any] | None:
    """((context, action) of every decision) -> Π|A| · E_u[target ; each decision's parents = its
    context, the decision = its action], u playing every decision uniformly, in the world intervened
    on by the atom's do; once per compiled world and atom.  None when the joint has more than
    JOINT_LIMIT assignments or the target reads a node the world lacks."""
    if not atom.target.scope() <= set(world.nodes):
        return None
    decisions = list(world.decisions)
    scope = [n for n in world.compiled.order if n in atom.target.scope()]
    nodes = [world.nodes[d] for d in decisions]
    names = list(dict.fromkeys([*(q for node in nodes for q in node.parents), *decisions, *scope]))
    if math.prod(len(world.nodes[n].states) for n in names) > JOINT_LIMIT:
        return None
    memo = ("equilibria: joint weights", atom)
    cache = derived(world)
    try:
        found = cache.get(memo)
    except TypeError:  # an unhashable constant in the atom: not remembered
        memo, found = None, None
    if found is not None:
        return found
    uniform = Policy({d: uniform_rule(world, d) for d in decisions})
    joint = distribution(world, names, uniform, do=atom.branch.do.as_dict() if atom.branch.do is not None else None)
    size = sp.Integer(math.prod(len(node.states) for node in nodes))
    out: dict[tuple, Any] = {}
    for combo, probability in joint.items():
        values = dict(zip(names, combo, strict=True))
        raw = atom.target.evaluate({n: values[n] for n in scope})
        if atom.kind == "P" or isinstance(raw, bool):
            weight = sp.Integer(1 if raw else 0)
        else:
            weight = to_number(raw, f"the quantity {atom.target!r} at {values}")
        key = tuple((tuple(values[q] for q in node.parents), values[node.name]) for node in nodes)
        out[key] = out.get(key, sp.Integer(0)) + size * probability * weight
    if memo is not None:
        cache[memo] = out
    return out


def _profile_weights(game: Game) -> tuple[list[str], dict[Atom, dict[tuple, Any]]] | bool:
    """For a game whose every value is linear in the rules (_linear_atoms) and rational: the
    decisions chosen, and per atom of the objectives the weight of each joint (context, action) of
    those decisions (_folded with the game's fixed rules), so that an atom's value at a profile is
    the sum of the weights its pure rules pick.  False when the game is not of that form: each
    profile is then evaluated."""
    world = game.world
    chosen = [d for a in game.strategies for d in game.decisions[a]]
    atoms: list[Atom] = []
    for objective in game.objectives.values():
        parts = _linear_atoms(world, objective)
        if parts is None or not chosen:
            return False
        atoms += [a for _, a in parts if a not in atoms]
    weights = {}
    for atom in atoms:
        found = _folded(world, atom, chosen, game.fixed.rules)
        if found is None or not all(w.is_Rational for w in found.values()):
            return False
        weights[atom] = found
    return chosen, weights


def _folded(world: World, atom: Atom, keep: list[str], rules: Mapping[str, Any]) -> dict[tuple, Any] | None:
    """The atom's weight of each joint (context, action) of the decisions `keep`, every other decision
    played by its rule in `rules`: Σ over the others' (context, action) of Π r(a | c) · W, W the
    atom's weights with every decision played uniformly (_joint_weights, once per compiled world and
    atom).  The value under pure rules for `keep` is then the sum of the weights they pick, since the
    value is linear in each decision's rule.  None when the joint is too large or a rule is missing
    or malformed."""
    decisions = list(world.decisions)
    try:
        joint = _joint_weights(world, atom)
        if joint is None:
            return None
        policy = Policy(rules)
        others = [(i, world.nodes[d].states, policy.table(world, d)) for i, d in enumerate(decisions) if d not in keep]
    except CorrigError:
        return None  # the evaluation says what is wrong
    kept = [decisions.index(d) for d in keep]
    out: dict[tuple, Any] = {}
    for key, w in joint.items():
        factor = sp.Integer(1)
        for i, states, table in others:
            c, a = key[i]
            factor *= table[c][states.index(a)]
        k = tuple(key[i] for i in kept)
        out[k] = out.get(k, sp.Integer(0)) + factor * w
    return out


def _weighted_value(weights: Mapping[tuple, Any], choices: Mapping[str, Mapping[tuple, Any]]) -> Any:
    """The sum of the weights whose (context, action) pairs the pure rules `choices` pick."""
    total = sp.Integer(0)
    rules = list(choices.values())
    for key, w in weights.items():
        if all(rule[c] == a for rule, (c, a) in zip(rules, key, strict=True)):
            total += w
    return total


def _simplified(value: Any) -> Any:
    return sp.cancel(value) if _is_symbolic(value) else value


def responses(world: World, utility: Any, policy: Policy | Mapping[str, Any], *,
              objectives: Mapping[str, Any] | None = None) -> list[Equilibrium]:
    """The other agents' joint best responses to the AI's policy.

    The pure Nash equilibria of the game among the non-AI agents, the AI's rules fixed, each agent
    comparing its values lexicographically: against the AI's policy first, then, to break ties where
    that policy never leads, against the AI playing every decision uniformly at random (a response
    that is also best where the policy does not go).  Responses giving every agent the same values at
    both levels are merged (the first kept).  With parameters: the responses that are best on the
    whole parameter box when there are some, else every response that may be best, with its condition.
    """
    goals, sets = _setup(world, utility, objectives)
    policy = policy if isinstance(policy, Policy) else Policy(policy)
    fixed_here = set(policy.rules)
    others = {a: [d for d in ds if d not in fixed_here] for a, ds in sets.items() if a != AI}
    others = {a: ds for a, ds in others.items() if ds}
    if not others:
        return [Equilibrium(policy, {}, {}, True)]
    ai_rules = {d: r for d, r in policy.rules.items()}
    uniform = {**ai_rules, **{d: uniform_rule(world, d) for d in sets.get(AI, [])}}
    goals_here = {a: goals[a] for a in others}
    if len(others) == 1 and len(next(iter(others.values()))) == 1:
        fast = _one_decision_responses(world, goals_here, ai_rules, uniform, others)
        if fast is not None:
            return fast
    played = Game(world, goals_here, fixed=Policy(ai_rules), decisions=others)
    trembling = Game(world, goals_here, fixed=Policy(uniform), decisions=others)

    def both(profile: tuple[int, ...]) -> dict[str, tuple[Any, Any]]:
        v0, v1 = played.values(profile), trembling.values(profile)
        return {a: (v0[a], v1[a]) for a in others}

    def better_or_equal(profile: tuple[int, ...], other: tuple[int, ...], agent: str) -> Any:
        a0, b0 = played.values(profile)[agent], played.values(other)[agent]
        first = at_least(a0, b0)
        if first is False:
            return False
        if at_least(b0, a0) is False:  # strictly better against the policy: no tie to break
            return True
        return _lex_at_least((a0, trembling.values(profile)[agent]), (b0, trembling.values(other)[agent]))

    found: list[tuple[tuple[int, ...], Any]] = []
    for profile in played.profiles():
        conditions = []
        for k, agent in enumerate(played.agents):
            for other in played.deviations(profile, k):
                c = better_or_equal(profile, other, agent)
                if c is False:
                    break
                conditions.append(c)
            else:
                continue
            break
        else:
            c = decide(conjunction(conditions))
            if c is not False:
                found.append((profile, c))
    merged: list[tuple[tuple[int, ...], Any]] = []
    for profile, c in found:
        values = both(profile)
        if any(all(_same(values[a][i], both(p)[a][i]) for a in others for i in (0, 1)) for p, _ in merged):
            continue
        merged.append((profile, c))
    sure = [(p, c) for p, c in merged if c is True]
    chosen = sure or merged
    out = []
    for profile, c in chosen:
        joint = Policy({**played.policy(profile).rules}, name=played.label(profile))
        out.append(Equilibrium(joint, played.values(profile), {a: played.strategies[a][i].name
                                                               for a, i in zip(played.strategies, profile, strict=True)}, c))
    return out


def with_responses(world: World, utility: Any, candidates: Mapping[str, Policy]
                   ) -> tuple[dict[str, Policy], dict[str, str], list[str]]:
    """Each AI candidate completed with the other agents' responses.

    Returns the completed candidates, a map from each completed name to the candidate it came from
    (one name per response: `name` alone when there is one response, else `name | response`), and
    notes saying which response each candidate met.
    """
    completed: dict[str, Policy] = {}
    origin: dict[str, str] = {}
    notes: list[str] = []
    for name, policy in candidates.items():
        found = responses(world, utility, policy)
        for response in found:
            label = name if len(found) == 1 else f"{name} | {response.name}"
            completed[label] = Policy({**response.policy.rules, **policy.rules}, name=label)
            origin[label] = name
            when = "" if response.condition is True else f" (where {response.condition})"
            if response.strategies:
                notes.append(f"{label}: the other agents respond with {response.name}{when}")
    return completed, origin, notes


def against_responses(world: World, utility: Any, policies: Any, reference: Any, candidates: Any
                      ) -> tuple[dict[str, Policy], dict[str, Any], Any, list[str]]:
    """The planner's candidates, each completed with the other agents' best responses.

    `candidates` is the planner's candidate reader (policies -> ({name: Policy}, {name: given})).
    With policies=None the AI's pure policies are the candidates.  A reference named by a
    candidate's name follows it to its first completion.
    """
    if policies is None:
        policies = {p.name or "no decisions": p for p in pure_policies(world, decisions_of(world).get(AI, []))}
    named, given = candidates(world, policies)
    completed, origin, notes = with_responses(world, utility, named)
    given = {label: given[origin[label]] for label in completed}
    if isinstance(reference, str) and reference not in completed:
        firsts = [label for label in completed if origin[label] == reference]
        reference = firsts[0] if firsts else reference
    return completed, given, reference, notes


def _substituted(world: World, utility: Any, objectives_: Mapping[str, Any] | None, at: Mapping[Any, Any] | None
                 ) -> tuple[World, Any, Mapping[str, Any] | None]:
    if not at:
        return world, utility, objectives_
    goals = dict(objectives_) if objectives_ is not None else None
    if goals is None:
        goals = {a.name: a.objective for a in world.agents.values() if a.objective is not None}
    values = _resolve(world, at)
    goals = {a: as_term(t).subs(values) for a, t in goals.items()}
    if utility is not None:
        utility = as_term(utility).subs(values)
    return world.subs(values), utility, goals


def _resolve(world: World, at: Mapping[Any, Any]) -> dict[Any, Any]:
    by_name = {s.name: s for s in world.compiled.parameters}
    return {by_name.get(k, k) if isinstance(k, str) else k: v for k, v in at.items()}
