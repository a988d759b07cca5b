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

The game itself (strategies, values at each profile, the Nash condition of a profile) is
corrig.analysis.profiles; the shortcuts to its values, corrig.analysis.game_shortcuts.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from corrig.analysis.cid import objective_cid, scc_order
from corrig.analysis.game_shortcuts import _gains_by_evaluation, _gains_from_joint, _value, uniform_rule
from corrig.analysis.parameters import resolve_at, term_parameters
from corrig.analysis.profiles import Equilibrium, Game, GameError, _lex_at_least, _same, at_least, conjunction, decide
from corrig.analysis.regions import region
from corrig.analysis.rule_text import profile_words, simplest_rule
from corrig.model.agents import AI, check, check_agent, decisions_of, objectives
from corrig.model.policies import Policy, checked_policy, pure_policies
from corrig.model.world import World, check_world
from corrig.objectives.terms import Term, as_term, check_size


def _setup(world: World, utility: Any, objectives_: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    check_world(world, "a game")
    check(world)
    if objectives_ is not None and not isinstance(objectives_, Mapping):
        raise GameError(f"objectives= must be an {{agent: objective}} mapping, got {type(objectives_).__name__}")
    for agent in objectives_ or {}:
        check_agent(world, agent, "objectives=")
    goals = dict(objectives_) if objectives_ is not None else objectives(world, utility)
    if utility is not None:
        goals.setdefault(AI, utility)
    for agent, goal in goals.items():
        check_size(as_term(goal), f"{agent}'s objective")
    sets = decisions_of(world)
    missing = [a for a in sets if a not in goals]
    if missing:
        raise GameError(f"agent {missing[0]} sets {sets[missing[0]]} but has no objective")
    return goals, sets


CONCEPT_NAMES = {"nash": "Nash", "subgame-perfect": "subgame-perfect"}  # the concepts as output writes them


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
    fixed = checked_policy(policy, world, "best_response's policy")
    others = {d: r for d, r in fixed.rules.items() if d not in sets[agent]}
    game = Game(world, {agent: goals[agent]}, fixed=Policy(others), decisions={agent: sets[agent]})
    return [game.equilibrium(p, c) for p in game.profiles() if (c := game.nash_condition(p)) is not False]


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
    per_context: list[list[tuple[tuple[Any, ...], Any]]] = []  # per context: (equally good actions, where best)
    for c in contexts:
        options: list[tuple[tuple[Any, ...], Any]] = []
        for a, g in gains[c].items():
            if any(a in equal for equal, _ in options):
                continue
            condition = decide(conjunction(_lex_at_least(g, h) for b, h in gains[c].items() if b != a))
            if condition is not False:
                equal = tuple(b for b, h in gains[c].items() if all(_same(g[i], h[i]) for i in (0, 1)))
                options.append((equal, condition))
        sure = [(e, k) for e, k in options if k is True]
        per_context.append(sure or options)
    out = []
    for combo in itertools.product(*per_context):
        condition = decide(conjunction(k for _, k in combo))
        if condition is False:
            continue
        # among the equally good actions of each context, the rule with the shortest words (corrig.analysis.rule_text)
        _, choice = simplest_rule(world, decision, {c: equal for c, (equal, _) in zip(contexts, combo, strict=True)})
        label = ", ".join(f"{decision}({','.join(f'{q}={v}' for q, v in zip(node.parents, c, strict=True))})={a}"
                          if node.parents else f"{decision}={a}" for c, a in choice.items())
        policy = Policy({decision: rule(choice)}, name=label)
        if weights is not None:  # each atom: the weights the rule picks, rational, so the very number evaluation gives
            cache = {atom: sum((ws[(c, a)] for c, a in choice.items()), sp.Integer(0)) for atom, ws in weights.items()}
            value = objective.evaluate(world, None, cache=cache)
        else:
            value = _value(world, objective, Policy({**ai_rules, decision: rule(choice)}))
        out.append(Equilibrium(policy, {agent: value}, {agent: label}, condition))
    return _with_room(out)


def _with_room(found: list[Equilibrium]) -> list[Equilibrium]:
    """The responses best somewhere with room around (their condition, its inequalities made strict, has a witness
    in the parameter box: corrig.analysis.regions), when some are; a response best only on a boundary between
    others (q = 1/2, where the human is indifferent) is left to a plan at that point."""
    if len(found) < 2 or all(e.condition is True for e in found):
        return found
    roomy = [e for e in found if e.condition is True or region(_interior(e.condition)).is_empty is False]
    return roomy or found


def _interior(condition: sp.Basic) -> sp.Basic:
    """A condition whose witness shows room around: inequalities strict, equations False (a set they pin down
    has no room), p ≠ c True (leaving out a line or a point leaves the room)."""
    strict = {sp.Le: sp.Lt, sp.Ge: sp.Gt}
    return sp.sympify(condition).to_nnf().replace(
        lambda e: isinstance(e, sp.core.relational.Relational),
        lambda e: sp.false if isinstance(e, sp.Eq) else sp.true if isinstance(e, sp.Ne)
        else strict.get(type(e), type(e))(e.lhs, e.rhs))

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
    policy = checked_policy(policy, world, "responses' policy")
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
    merged: list[tuple[tuple[int, ...], Any]] = []  # of equally good responses, the one with the shortest words
    responding = [d for ds in others.values() for d in ds]
    for profile, c in found:
        values = both(profile)
        same = [k for k, (p, _) in enumerate(merged)
                if all(_same(values[a][i], both(p)[a][i]) for a in others for i in (0, 1))]
        if not same:
            merged.append((profile, c))
        elif len(_words(world, played.policy(profile), responding)) < \
                len(_words(world, played.policy(merged[same[0]][0]), responding)):
            merged[same[0]] = (profile, merged[same[0]][1])
    sure = [(p, c) for p, c in merged if c is True]
    chosen = sure or merged
    out: list[Equilibrium] = []
    for profile, c in chosen:
        joint = Policy({**played.policy(profile).rules}, name=played.label(profile))
        out.append(Equilibrium(joint, played.values(profile), {a: played.strategies[a][i].name
                                                               for a, i in zip(played.strategies, profile, strict=True)}, c))
    return _with_room(out)


def _words(world: World, policy: Policy, decisions: list[str]) -> str:
    """The rules `policy` gives `decisions`, in words (corrig.analysis.rule_text), however long."""
    return profile_words(world, policy, decisions, room=10**9)


NAME_ROOM = 40  # characters of a completed candidate's name: the AI's candidate, " · ", the others' answer


@dataclass(frozen=True)
class Answer:
    """How the other agents answer one AI candidate: the candidate's name, their rules in a few words
    (`choice: run iff U_a=1`) and in full (every context's action), and where in the parameter box
    it is their best response (True: everywhere)."""

    candidate: str
    words: str
    rules: str
    condition: Any = True

    @property
    def name(self) -> str:
        """The profile's name for a reader: `wait · choice: run iff U_a=1`."""
        return f"{self.candidate} · {self.words}" if self.words else self.candidate

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"candidate": self.candidate, "words": self.words, "rules": self.rules,
                "condition": self.condition if isinstance(self.condition, bool) else str(self.condition)}


def with_responses(world: World, utility: Any, candidates: Mapping[str, Policy]
                   ) -> tuple[dict[str, Policy], dict[str, Answer]]:
    """Each AI candidate completed with the other agents' responses.

    Returns the completed candidates and, for each, the Answer it met.  A candidate keeps its name
    when it meets one response; with several (each best in its own part of the parameter box), each
    completion is named by the candidate and the answer in words (`Answer.name`).
    """
    completed: dict[str, Policy] = {}
    answers: dict[str, Answer] = {}
    owned = decisions_of(world)
    for name, policy in candidates.items():
        found = responses(world, utility, policy)
        responding = [d for a, ds in owned.items() if a != AI for d in ds if d not in policy.rules]
        room = max(NAME_ROOM - len(name) - len(" · "), 0)
        for response in found:
            joint = Policy({**response.policy.rules, **policy.rules})
            answer = Answer(name, profile_words(world, joint, responding, room), response.name, response.condition)
            label = name if len(found) == 1 else answer.name
            while label in completed:
                label += "'"
            joint.name = label
            completed[label] = joint
            answers[label] = answer
    return completed, answers


def against_responses(world: World, utility: Any, policies: Any, reference: Any, candidates: Any
                      ) -> tuple[dict[str, Policy], dict[str, Any], Any, dict[str, Answer]]:
    """The planner's candidates, each completed with the other agents' best responses, and the Answer
    each met.

    `candidates` is the planner's candidate reader (policies -> ({name: Policy}, {name: given})).
    With policies=None the AI's pure policies are the candidates.  A reference named by a
    candidate's name follows it to its first completion.
    """
    if policies is None:
        policies = {p.name or "no decisions": p for p in pure_policies(world, decisions_of(world).get(AI, []))}
    named, given = candidates(world, policies)
    completed, answers = with_responses(world, utility, named)
    given = {label: given[answers[label].candidate] for label in completed}
    if isinstance(reference, str) and reference not in completed:
        firsts = [label for label in completed if answers[label].candidate == reference]
        reference = firsts[0] if firsts else reference
    return completed, given, reference, answers


def _substituted(world: World, utility: Any, objectives_: Mapping[str, Any] | None, at: Mapping[Any, Any] | None
                 ) -> tuple[World, Any, Mapping[str, Any] | None]:
    check_world(world, "a game")
    if not at:
        return world, utility, objectives_
    goals = dict(objectives_) if isinstance(objectives_, Mapping) else None
    if goals is None:
        goals = {a.name: a.objective for a in world.agents.values() if a.objective is not None}
    goals = {a: as_term(t) for a, t in goals.items()}
    mentioned = set().union(*(term_parameters(t) for t in goals.values()))
    values = resolve_at(at, world, None if utility is None else as_term(utility), extra={"the agents' objectives": mentioned})
    goals = {a: t.subs(values) for a, t in goals.items()}
    if utility is not None:
        utility = as_term(utility).subs(values)
    return world.subs(values), utility, goals
