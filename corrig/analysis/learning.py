"""What a learning rule converges to, written as an objective over branches: its fixed-point policy, the
policy's value in the real world, and its flags.

    from corrig import learned_policies, learned_policy
    found = learned_policies(ep)                     # an Episode: one backward induction per learner
    found["q-learning"].policy, found["q-learning"].value, found["q-learning"].flags
    learned_policy(ep, "empirical-sarsa").plan        # the plan of that policy alone, its flags

    learned_policies(world, returns=R0 + R1, modifications={"A_real": ("Mod", "none")},
                     acting={"A_real": {"S": "Real"}, "A_sim": {"S": "Sim"}})   # a World: every pure policy checked

The learners and the objective whose fixed point each is (docs/time.md, "Learning rules"; Langlois & Everitt
2021 for the modified-action setting, Orseau & Armstrong 2016 for interruptions; as we read the update rules
of the authors' code, mamdp/rl/agents.py):

    reward-maximiser   max_π E_π[Σ_t γ^t R_t]                          the real world, modifications and all
    q-learning         max_π E_π[Σ_t γ^t R_t | do(Mod_t = none ∀t)]    every action executed as chosen,
                       greedy at every decision point (no profitable one-step deviation)
    virtual-sarsa      the same fixed point as q-learning
    empirical-sarsa    at each step t and observation o: π_t(o) ∈ argmax_a E_π[Σ_{k≥t} γ^k R_k | given(O_t = o),
                       do(A_t = a, Mod_t = none)]: its own step executed as chosen, later steps modified and
                       following π — a fixed point, not a maximum

On an Episode all three come from one backward induction over beliefs (corrig.analysis.learning_episodes).
On a World the candidates (every pure policy, or those given) are checked one by one against each
learner's condition with the branch objectives above, evaluated by corrig's engine: small worlds only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from corrig.analysis import flags as fl
from corrig.analysis.learning_episodes import fixed_points
from corrig.analysis.parameters import resolve_at
from corrig.analysis.planner import DEFAULT_EPS, Plan, plan
from corrig.model.episode import Episode
from corrig.model.errors import CorrigError, PolicyError, QueryError, SolveError
from corrig.model.expr import Expr, State
from corrig.model.limits import check
from corrig.model.policies import Policy, count_pure_policies, pure_policies
from corrig.model.world import World
from corrig.objectives.episodes import discounted_return
from corrig.objectives.terms import E, P, Term, do, given, sum_of

LEARNERS = ("reward-maximiser", "q-learning", "virtual-sarsa", "empirical-sarsa")
SAME_AS = {"virtual-sarsa": "q-learning"}  # Virtual Sarsa's next value is its own greedy pick: Q-learning's fixed point

OBJECTIVES = {
    "reward-maximiser": "max over π of E_π[Σ_t γ^t R_t]: the real world, every modification included",
    "q-learning": "max over π of E_π[Σ_t γ^t R_t | do(Mod_t = none for every t)], greedy at every decision point: "
                  "every action executed as chosen",
    "virtual-sarsa": "the Q-learning fixed point: its next value q(s', a') reads the agent's own pick a', never the "
                     "executed action",
    "empirical-sarsa": "π_t(o) in argmax_a E_π[Σ_(k≥t) γ^k R_k | given(O_t = o), do(A_t = a, Mod_t = none)] at every "
                       "step t and observation o: its own step executed as chosen, later steps modified",
}


@dataclass
class Learned:
    """One learner's fixed point: the policy, its value in the real world, the objective it optimises, the
    plan it was evaluated in (with the other learners' policies when found together) and its flags."""

    learner: str
    policy: Policy
    value: Any
    objective: str
    method: str
    plan: Plan | None = None
    fixed_points: dict[str, Policy] = field(default_factory=dict)  # a World's candidates that are fixed points

    @property
    def flags(self) -> list[fl.Flag]:
        """The flags of docs/flags.md that fire for this policy (empty without a plan)."""
        return [] if self.plan is None else list(self.plan.flags.get(self.learner, []))


def _learners(learners: Iterable[str] | str) -> tuple[str, ...]:
    names = (learners,) if isinstance(learners, str) else tuple(learners)
    for name in names:
        if name not in LEARNERS:
            raise QueryError(f"unknown learner {name!r}: choose from {', '.join(LEARNERS)}")
    if not names:
        raise QueryError(f"no learner given: choose from {', '.join(LEARNERS)}")
    return tuple(dict.fromkeys(names))


def learned_policies(source: Episode | World, learners: Iterable[str] | str = LEARNERS, *,
                     returns: Expr | None = None, modifications: Mapping[str, tuple[str, State]] | None = None,
                     acting: Mapping[str, Mapping[str, State]] | None = None, candidates: Any = None,
                     at: Mapping[Any, Any] | None = None,
                     reference: Any = None, eps: Any = DEFAULT_EPS, flags: bool = True) -> dict[str, Learned]:
    """Each learner's fixed-point policy and its value in the real world, with one plan of the real return over
    the learned policies (named by learner) so the flags of docs/flags.md apply.

    source: an Episode (or a World unrolled from one), or a World with `returns` (the return, an expression
    over nodes), `modifications` ({decision: (node, unmodified state)}), `acting` ({decision: {node: state}},
    the situation in which its action is the one executed, default always) and `candidates` (None: every pure policy).
    reference: π0 of the plan's manipulation and h-moved flags (a learner's name or a Policy)."""
    names = _learners(learners)
    episode = source if isinstance(source, Episode) else None
    if isinstance(source, World) and returns is None and getattr(source, "episode", None) is not None:
        episode = source.episode  # a world unrolled from an episode (given returns=, it is checked as a World)
        at = {**getattr(source, "episode_at", {}), **(at or {})} or None
    if episode is not None:
        if modifications is not None or acting is not None or candidates is not None:
            raise QueryError("an episode declares its return and modifications: drop modifications=, acting= and "
                             "candidates= (or give its world with returns= to check candidates)")
        found = _episode_learners(episode, names, at)
        world, utility = episode.world(), discounted_return(episode)
    elif isinstance(source, World):
        if returns is None:
            raise QueryError("a World needs returns= (the return as an expression over its nodes, e.g. R0 + R1)")
        found = _world_learners(source, names, returns, dict(modifications or {}), dict(acting or {}), candidates, at)
        world, utility = source, E(returns)
    else:
        raise QueryError(f"learned_policies() needs a corrig Episode or World, got {type(source).__name__}")
    if flags:
        ref = found[reference].policy if isinstance(reference, str) and reference in found else reference
        result = plan(world, utility, {n: found[n].policy for n in names}, reference=ref, eps=eps, at=at)
        for learned in found.values():
            learned.plan = result
    return found


def learned_policy(source: Episode | World, learner: str, **options: Any) -> Learned:
    """One learner's fixed point (learned_policies with a single learner): policy, real value, plan and flags."""
    return learned_policies(source, (learner,), **options)[learner]


# episodes -------------------------------------------------------------------------------------
def _episode_learners(ep: Episode, names: tuple[str, ...], at: Mapping[Any, Any] | None) -> dict[str, Learned]:
    if ep.decision_name not in ep.modifications:
        raise SolveError(f"episode {ep.name!r}: decision {ep.decision_name} has no modification, so every learner "
                         f"converges to the reward maximiser's policy; declare one with ep.modification(...)")
    found = fixed_points(ep, tuple(dict.fromkeys(SAME_AS.get(n, n) for n in names)), at=at)
    out: dict[str, Learned] = {}
    for name in names:
        point = found[SAME_AS.get(name, name)]
        out[name] = Learned(name, Policy(point.policy.rules, name=name), point.value, OBJECTIVES[name],
                            "dynamic-programming")
    return out


def _episode_return(ep: Episode, parts: tuple[Any, ...], start: int = 0) -> Term:
    """Σ_{t ≥ start} γ^t E[R_t | parts], read as discounted_return reads a reward (values not all integers:
    Σ_v v·P(R_t = v))."""
    world = ep.world()
    if ep.reward_node is None:
        raise CorrigError(f"episode {ep.name!r} declares no reward")
    integers = all(isinstance(s, int) for s in ep.reward_node.states)
    terms: list[Any] = []
    for t in range(start, ep.steps):
        weight = ep.discount**t if isinstance(ep.discount, float) else sp.sympify(ep.discount) ** t
        handle = world[f"R_{t}"]
        if integers:
            terms.append(E(handle, *parts) if weight == 1 else weight * E(handle, *parts))
        else:
            terms.extend(weight * v * P(handle == s, *parts) for s, v in ep.reward_values.items() if v != 0)
    return sum_of(terms)


def branch_objective(ep: Episode, learner: str, *, step: int = 0, observation: Mapping[str, State] | None = None
                     ) -> Term:
    """The objective over branches whose fixed point the learner is, as a term of the episode's unrolled world.

    reward-maximiser: Σ_t γ^t E[R_t]; q-learning and virtual-sarsa: Σ_t γ^t E[R_t | do(Mod_t = none ∀t)];
    empirical-sarsa: the return from `step` on, Σ_{k≥step} γ^k E[R_k | given(observation), do(Mod_step = none)],
    the value its choice at that step and observation ({template node: state}) maximises (evaluate it under
    the policy with that step's rule set to each action)."""
    learner = _learners(learner)[0]
    if learner == "reward-maximiser":
        return discounted_return(ep)
    if SAME_AS.get(learner, learner) == "q-learning":
        return _episode_return(ep, (do({ep.modifier(ep.decision_name, t)[0]: ep.modifier(ep.decision_name, t)[1]
                                        for t in range(ep.steps)}),))
    node, none = ep.modifier(ep.decision_name, step)
    parts: list[Any] = [do({node: none})]
    if observation:
        world = ep.world()
        event = None
        for name, state in observation.items():
            atom = world[ep.name_at(name, step)] == state
            event = atom if event is None else event & atom
        parts.insert(0, given(event))
    return _episode_return(ep, tuple(parts), start=step)


# worlds ---------------------------------------------------------------------------------------
def _world_learners(world: World, names: tuple[str, ...], returns: Expr, modifications: dict[str, tuple[str, State]],
                    acting: dict[str, dict[str, State]], candidates: Any, at: Mapping[Any, Any] | None) -> dict[str, Learned]:
    if at:
        world = world.subs(resolve_at(at, world, E(returns)))
    for decision, (node, state) in modifications.items():
        for name in (decision, node):
            if name not in world.nodes:
                raise QueryError(f"modifications: world {world.name!r} has no node {name!r}")
        if not world.nodes[decision].is_decision:
            raise QueryError(f"modifications: {decision!r} is not a decision of world {world.name!r}")
        if state not in world.nodes[node].states:
            raise QueryError(f"modifications: {state!r} is not a state of {node!r} "
                             f"(its states: {list(world.nodes[node].states)})")
    for decision, where in acting.items():
        if decision not in world.nodes or not world.nodes[decision].is_decision:
            raise QueryError(f"acting: {decision!r} is not a decision of world {world.name!r}")
        for name, state in dict(where).items():
            if name not in world.nodes or state not in world.nodes[name].states:
                raise QueryError(f"acting: {decision}'s context {name} = {state!r} is not a node and one of its states")
    named = _world_candidates(world, candidates)
    utility = E(returns)
    values = {n: utility.evaluate(world, p) for n, p in named.items()}
    contexts: dict[str, list[tuple[tuple, dict[str, State]]]] = {}
    out: dict[str, Learned] = {}
    for name in names:
        rule = SAME_AS.get(name, name)
        if rule == "reward-maximiser":
            best = _best(list(values.values()))
            points = [n for n, v in values.items() if v == best]
        else:
            contexts = contexts or _contexts(world, modifications, acting)
            points = [n for n, p in named.items() if _no_profitable_deviation(world, p, returns, modifications, contexts, rule)]
        if not points:
            raise SolveError(f"no candidate policy of world {world.name!r} is a fixed point of {name}")
        first = points[0]
        out[name] = Learned(name, Policy(named[first].rules, name=name), values[first], OBJECTIVES[name],
                            "candidates", fixed_points={n: named[n] for n in points})
    return out


def _best(values: list[Any]) -> Any:
    for v in values:
        if getattr(sp.sympify(v), "free_symbols", None):
            raise SolveError("the values depend on parameters: pass at={...} to find the fixed points")
    return max(values)


def _world_candidates(world: World, candidates: Any) -> dict[str, Policy]:
    if candidates is None:
        check("policies", count_pure_policies(world), f"world {world.name!r}: its pure policies",
              "Give the candidates (candidates={name: Policy}).")
        return {f"π{i}": p for i, p in enumerate(pure_policies(world), 1)}
    if isinstance(candidates, Mapping):
        return {str(n): p if isinstance(p, Policy) else Policy(p, name=str(n)) for n, p in candidates.items()}
    raise PolicyError("candidates must be None or {name: Policy}")


def _pure(world: World, policy: Policy, decision: str) -> dict[tuple, State]:
    node = world.nodes[decision]
    out = {}
    for ctx, probs in policy.table(world, decision).items():
        states = [s for s, p in zip(node.states, probs, strict=True) if p != 0]
        if len(states) != 1:
            raise PolicyError(f"policy {policy}: its rule for {decision} at {ctx} is not pure; fixed points are pure")
        out[ctx] = states[0]
    return out


def _contexts(world: World, modifications: dict[str, tuple[str, State]], acting: dict[str, dict[str, State]]
              ) -> dict[str, list[tuple[tuple, dict[str, State]]]]:
    """Per decision, its contexts (observed values, with the situation in which it acts) that exploration reaches:
    those of positive probability under the uniformly random policy, in the real world or with every modification
    held unmodified. A context no play reaches carries no condition."""
    decisions = [n for n, node in world.nodes.items() if node.is_decision]
    uniform = Policy({d: {ctx: {s: sp.Rational(1, len(world.nodes[d].states)) for s in world.nodes[d].states}
                          for ctx in itertools.product(*(world.nodes[p].states for p in world.nodes[d].parents))}
                      if world.nodes[d].parents else {s: sp.Rational(1, len(world.nodes[d].states))
                                                      for s in world.nodes[d].states} for d in decisions})
    held = {node: state for node, state in modifications.values()}
    out: dict[str, list[tuple[tuple, dict[str, State]]]] = {}
    for decision in decisions:
        node = world.nodes[decision]
        out[decision] = []
        for ctx in itertools.product(*(world.nodes[p].states for p in node.parents)):
            context = {**acting.get(decision, {}), **dict(zip(node.parents, ctx, strict=True))}
            event = _event(world, context)
            if event is None or any(P(event, *branch).evaluate(world, uniform) != 0
                                    for branch in ((), (do(held),) if held else ())):
                out[decision].append((ctx, context))
    return out


def _event(world: World, context: Mapping[str, State]) -> Expr | None:
    event = None
    for name, value in context.items():
        atom = world[name] == value
        event = atom if event is None else event & atom
    return event


def _no_profitable_deviation(world: World, policy: Policy, returns: Expr, modifications: dict[str, tuple[str, State]],
                             contexts: dict[str, list[tuple[tuple, dict[str, State]]]], rule: str) -> bool:
    """The learner's condition at every decision and every context exploration reaches: its action is a greedy one
    for the branch objective (q-learning: every modification held unmodified; empirical-sarsa: that decision's
    own). A context the policy reaches is conditioned on; one it does not is entered by intervention,
    do(context), as exploration enters it (the same when the context is the Markov state)."""
    held_all = {node: state for node, state in modifications.values()}
    rules = {d: _pure(world, policy, d) for d in contexts}
    for decision, reached in contexts.items():
        own = modifications.get(decision)
        held = held_all if rule == "q-learning" else ({own[0]: own[1]} if own else {})
        for ctx, context in reached:
            branch: list[Any] = [do(held)] if held else []
            event = _event(world, context)
            if event is not None:
                if P(event, *branch).evaluate(world, policy) != 0:
                    branch.insert(0, given(event))
                else:
                    branch = [do({**held, **context})]
            q = {}
            for action in world.nodes[decision].states:
                deviated = dict(rules)
                deviated[decision] = {**rules[decision], ctx: action}
                q[action] = E(returns, *branch).evaluate(world, Policy(_as_rules(world, deviated)))
            if q[rules[decision][ctx]] != _best(list(q.values())):
                return False
    return True


def _as_rules(world: World, tables: Mapping[str, Mapping[tuple, State]]) -> dict[str, Any]:
    return {d: (table[()] if not world.nodes[d].parents else dict(table)) for d, table in tables.items()}


__all__ = ["LEARNERS", "OBJECTIVES", "Learned", "branch_objective", "learned_policies", "learned_policy"]
