"""Optimal policies without enumerating every pure policy, when the information structure allows.

    solution = solve(world, utility)
    solution.policy    # a pure Policy (one rule per decision)
    solution.value     # J(policy): exact, or a float when the world holds floats
    solution.method    # "backward-induction", "exact-limid", "backward-induction+exact-limid",
                       # "backward-induction+joint", "enumeration" or "dynamic-programming"
    solution.reason    # why that method

When the objective is a weighted sum of P/E atoms that are each linear in every decision rule
(factual, do(...) on chance nodes, given(E) with E's probability independent of the policy),
J(π) is the expected utility of one influence diagram: a hidden branch selector K feeds the
intervened nodes, each piece of the objective is a utility node.  Koller & Milch's relevance
graph (s-reachability, by Bayes ball) then says which decision rules each rule depends on;
strongly connected components are optimised in reverse topological order, a singleton by a
single policy update (per information-set context, the action with the largest expected
utility, the rules not yet chosen summed out uniformly), a larger component jointly and exactly
by corrig.analysis.limid (variable elimination over sets of partial strategies with Pareto
pruning, after Mauá, de Campos & Zaffalon 2012: no joint rule is enumerated, however few; a component
whose sets outgrow limid.SET_LIMIT, or one in a world with irrational numbers, has its joint rules
enumerated instead, up to `limit`).  Perfect
recall (every decision observes the earlier decisions and what they observed) makes every
component a singleton: that is backward induction.  Each update is one contraction per branch:
the objective's pieces in a branch share it through a selector index.
The pieces and the relevance graph are built in corrig.analysis.linear_pieces, the contractions
in corrig.analysis.contractor.

A world unrolled from an episode (corrig.model.episode) with its discounted return as the objective is
solved by dynamic programming over beliefs instead (corrig.analysis.dynamic, docs/time.md), unless
method="enumeration".

Anything else falls back to enumerating every pure policy and says why in `reason`: a
counterfactual atom (the policy acts in both copies of the twin network), a condition whose
probability depends on the policy (a ratio of policy-dependent numbers), a product of terms,
a do() on a decision.  Values with parameters cannot be maximised: pass at={...}.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import sympy as sp

from corrig.analysis.contractor import FLOAT_TIE, _Contractor
from corrig.analysis.dynamic import solve_episode
from corrig.analysis.limid import LimidTooLarge, joint_optimum
from corrig.analysis.linear_pieces import Piece, _linear_terms, _NotLinear, _pieces, has_perfect_recall, relevance_graph
from corrig.analysis.parameters import resolve_at, term_parameters
from corrig.model.errors import QueryError, SolveError, ZeroProbabilityCondition
from corrig.model.expr import State
from corrig.model.policies import Policy, count_pure_policies, pure_policies
from corrig.model.world import World
from corrig.objectives.episodes import discounted_return
from corrig.objectives.integrated import integrate_out
from corrig.objectives.terms import Term, as_term

METHODS = ("auto", "backward-induction", "enumeration")
ENUMERATION_LIMIT = 1_000_000  # pure policies (or joint rules of one component) enumerated at most


@dataclass(frozen=True)
class Solution:
    """An optimal pure policy, its value J(π), and how it was found."""

    policy: Policy
    value: Any
    method: str
    reason: str
    order: tuple[tuple[str, ...], ...] = ()  # the decision groups, in the order their rules were chosen
    evaluations: int = 0  # contractions (backward induction) or policies evaluated (enumeration)

    def __repr__(self) -> str:
        return f"Solution(value={self.value}, method={self.method!r}, policy={self.policy!r})"


# the solver -----------------------------------------------------------------------------------
def solve(world: World, utility: Any, *, method: str = "auto", at: Mapping[Any, Any] | None = None,
          limit: int = ENUMERATION_LIMIT) -> Solution:
    """An optimal pure policy for `utility` in `world`, found without enumerating every pure policy
    when the objective is linear in each decision rule (see the module docstring).

    method: "auto" (backward induction when it applies, else enumeration), "backward-induction"
    (raise SolveError when it does not apply) or "enumeration" (every pure policy, via the engine).
    at: {parameter or its name: value} substituted first.  limit: how many pure policies (or joint
    rules of one relevance component) enumeration may evaluate.
    """
    if method not in METHODS:
        raise QueryError(f"unknown method {method!r}: choose one of {list(METHODS)}")
    if not isinstance(world, World):
        raise QueryError(f"solve() needs a corrig World, got {type(world).__name__}")
    utility = as_term(utility)
    episodic = _episode_solution(world, utility, method, at)
    if episodic is not None:
        return episodic
    if at:

        values_at = resolve_at(at, world, utility)
        world, utility = world.subs(values_at), utility.subs(values_at)
    world.check()
    world, utility = integrate_out(world, utility)  # continuous nodes: their exact discrete world
    if not world.decisions:
        raise SolveError(f"world {world.name!r} has no decision node: there is no policy to choose")
    _require_numbers(world, utility)
    if method == "enumeration":
        return _enumerate(world, utility, "enumeration was asked for", limit)
    try:
        pairs, _ = _linear_terms(utility)
        pieces = _pieces(world, pairs)
    except _NotLinear as exc:
        if method == "backward-induction":
            raise SolveError(f"backward induction does not apply: {exc}") from None
        return _enumerate(world, utility, f"{exc}; every pure policy was enumerated", limit)
    return _backward(world, utility, pieces, limit)


def _episode_solution(world: World, utility: Term, method: str, at: Mapping[Any, Any] | None) -> Solution | None:
    """Dynamic programming (corrig.analysis.dynamic) when the world is an unrolled episode and the objective its
    discounted return; None otherwise."""
    episode = getattr(world, "episode", None)
    if episode is None or method == "enumeration" or repr(utility) != repr(discounted_return(episode)):
        return None
    found = solve_episode(episode, at={**world.episode_at, **{str(k): v for k, v in (at or {}).items()}})
    return Solution(found.policy, found.value, found.method, f"the world is an episode and the objective its discounted "
                    f"return: {found.reason}", ((episode.decision_name,),), found.decision_points * episode.steps)


def _require_numbers(world: World, utility: Term) -> None:

    symbols = set(world.compiled.parameters) | term_parameters(utility)
    if symbols:
        names = sorted(str(s) for s in symbols)
        raise SolveError(f"the values depend on the parameters {names}: the optimal policy depends on where in "
                         f"the parameter box; pass at={{...}} (or use plan() and corrig.analysis.symbolic for regions)")


def _enumerate(world: World, utility: Term, reason: str, limit: int) -> Solution:
    count = count_pure_policies(world)
    if count > limit:
        raise SolveError(f"{reason}, but world {world.name!r} has {count} pure policies (limit {limit})")
    best: tuple[Any, Policy] | None = None
    evaluated = 0
    for policy in pure_policies(world):
        evaluated += 1
        try:
            value = utility.evaluate(world, policy, cache={})
        except ZeroProbabilityCondition:
            continue
        if best is None or _greater(value, best[0]):
            best = (value, policy)
    if best is None:
        raise SolveError(f"every pure policy of world {world.name!r} leaves the objective undefined "
                         f"(a term conditions on a probability-0 event)")
    return Solution(best[1], best[0], "enumeration", reason, (tuple(world.decisions),), evaluated)


def _greater(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return float(a) > float(b) + FLOAT_TIE * max(1.0, abs(float(b)))
    return bool(a > b)


def _backward(world: World, utility: Term, pieces: list[Piece], limit: int) -> Solution:
    how: dict[tuple[str, ...], str] = {}
    relevance = relevance_graph(world, pieces)
    if relevance.number_of_edges() == 0:  # no rule depends on another: latest first, as backward induction would
        order = [(d,) for d in reversed(world.decisions)]
    else:
        condensed = nx.condensation(relevance)
        order = [tuple(sorted(condensed.nodes[c]["members"], key=world.decisions.index))
                 for c in reversed(list(nx.topological_sort(condensed)))]
    engine = _Contractor(world, pieces)
    rules: dict[str, dict[tuple, State]] = {}
    for group in order:
        if len(group) == 1:
            rules[group[0]] = _single_update(engine, group[0], rules)
        else:
            rules.update(_joint(engine, group, rules, limit, how))
    policy = _as_policy(world, rules)
    final = engine.expected_utility((), engine.branches, rules)
    constant = _linear_terms(utility)[1]
    value = engine.backend.output(final) if final is not None else sp.Integer(0)
    value = value + (float(constant) if isinstance(value, float) else sp.sympify(constant))
    if isinstance(value, sp.Basic) and value.has(sp.Float):
        value = float(value)
    joint = [g for g in order if len(g) > 1]
    if not joint:
        recall = "perfect recall" if has_perfect_recall(world) else "the relevance graph is acyclic"
        return Solution(policy, value, "backward-induction",
                        f"the objective is linear in each decision rule and {recall}: one single policy update per "
                        f"decision, in reverse order of the relevance graph", tuple(order), engine.contractions)
    enumerated = [g for g in joint if how[g] == "enumeration"]
    done = ("their joint rules were enumerated, each in one contraction per branch" if enumerated else
            "their joint rules were optimised exactly by variable elimination over sets of partial strategies with "
            "Pareto pruning (Mauá, de Campos & Zaffalon 2012), without enumerating them")
    if len(order) == 1:
        return Solution(policy, value, "enumeration" if enumerated else "exact-limid",
                        f"every decision's rule depends on every other's (one strongly connected relevance component "
                        f"{list(order[0])}): {done}", tuple(order), engine.contractions)
    names = "; ".join("{" + ", ".join(g) + "}" for g in joint)
    return Solution(policy, value, "backward-induction+joint" if enumerated else "backward-induction+exact-limid",
                    f"the objective is linear in each decision rule; the relevance graph has cycles, so the rules of "
                    f"{names} were optimised jointly ({done}) and every other decision got a single policy update",
                    tuple(order), engine.contractions)


def _joint(engine: _Contractor, group: tuple[str, ...], rules: Mapping[str, Mapping[tuple, State]], limit: int,
           how: dict[tuple[str, ...], str]) -> dict[str, dict[tuple, State]]:
    """The group's jointly optimal rules by exact LIMID elimination; enumerated when the numbers are irrational, or
    when its sets grow too large."""
    if engine.backend.exact and not engine.scaled:
        how[group] = "enumeration"  # irrational numbers: limid's Pareto order needs Scaled tables or floats
        return _joint_update(engine, group, rules, limit)
    try:
        chosen, built = joint_optimum(engine, group, rules, _downstream(engine, group))
    except LimidTooLarge:
        how[group] = "enumeration"
        return _joint_update(engine, group, rules, limit)
    how[group] = "exact-limid"
    engine.contractions += built
    return chosen


def _downstream(engine: _Contractor, decisions: Iterable[str]) -> dict[tuple, list[Piece]]:
    """The pieces whose expected value can depend on the given decisions, by branch."""
    out: dict[tuple, list[Piece]] = {}
    for do, pieces in engine.branches.items():
        dag = engine.dags[do]
        below: set[str] = set()
        for d in decisions:
            below |= {d} | dag.descendants[d]
        out[do] = [p for p in pieces if below & set(p.scope)]
    return out


def _single_update(engine: _Contractor, decision: str, rules: Mapping[str, Mapping[tuple, State]]) -> dict[tuple, State]:
    world = engine.world
    node = world.nodes[decision]
    contexts = list(itertools.product(*(world.nodes[p].states for p in node.parents)))
    relevant = _downstream(engine, [decision])
    if not any(relevant.values()):
        return {ctx: node.states[0] for ctx in contexts}
    output = (*node.parents, decision)
    eu = engine.expected_utility(output, relevant, rules)
    choice = engine.maximise(eu)
    flat = np.asarray(choice).reshape(-1)
    return {ctx: node.states[int(i)] for ctx, i in zip(contexts, flat, strict=True)}


def _joint_update(engine: _Contractor, group: tuple[str, ...], rules: Mapping[str, Mapping[tuple, State]],
                  limit: int) -> dict[str, dict[tuple, State]]:
    world = engine.world
    per: list[list[dict[tuple, State]]] = []
    count = 1
    for d in group:
        node = world.nodes[d]
        contexts = list(itertools.product(*(world.nodes[p].states for p in node.parents)))
        count *= len(node.states) ** len(contexts)
        if count > limit:
            raise SolveError(f"the decisions {list(group)} must be optimised jointly (their rules depend on each other) "
                             f"and have more than {limit} joint pure rules")
        per.append([dict(zip(contexts, choice, strict=True))
                    for choice in itertools.product(node.states, repeat=len(contexts))])
    relevant = _downstream(engine, group)
    best: tuple[Any, dict[str, dict[tuple, State]]] | None = None
    for combo in itertools.product(*per):
        trial = {**rules, **dict(zip(group, combo, strict=True))}
        value = engine.expected_utility((), relevant, trial)
        value = value if value is not None else 0
        if best is None or engine.greater(value, best[0]):
            best = (value, dict(zip(group, combo, strict=True)))
    assert best is not None
    return best[1]


def _as_policy(world: World, rules: Mapping[str, Mapping[tuple, State]]) -> Policy:
    out: dict[str, Any] = {}
    labels = []
    for d in world.decisions:
        rule = rules[d]
        node = world.nodes[d]
        if not node.parents:
            out[d] = rule[()]
            labels.append(f"{d}={rule[()]}")
        else:
            out[d] = dict(rule)
            labels.append(", ".join(f"{d}({','.join(f'{p}={v}' for p, v in zip(node.parents, ctx, strict=True))})={s}"
                                    for ctx, s in rule.items()))
    return Policy(out, name="; ".join(labels))


__all__ = ["METHODS", "Piece", "Solution", "SolveError", "has_perfect_recall", "relevance_graph", "solve"]
