"""The fixed point of a learning rule on an episode, by one backward induction over beliefs.

Each decision point (an observation of the step's decision and the belief over what it does not see) gets
two outcomes per action: *real*, the step as declared, the action's modification included; and *as
chosen*, the step with its modification held at its unmodified state (do(Mod_t = none)).  A learner is
then a pair (the outcome its greedy choice reads, the outcome its values are carried back by):

    reward-maximiser   choose by real,       carry back real        V_t(b) = Σ_o P(o|b) max_a q_real
    q-learning         choose by as chosen,  carry back as chosen   (every step unmodified)
    empirical-sarsa    choose by as chosen,  carry back real        its own step unmodified, later ones real

    q_t(d, a) = r(d, a) + γ · V_{t+1}(b'(d, a)),   V_t(b) = Σ_o P(o | b) · q_t(d_o, π_t(d_o)) (carried outcome)

The step enumeration (the nodes before and after the decision, rows read at a parameter point) is the
dynamic-programming solver's (corrig.analysis.dynamic); beliefs are found forward from the initial one
as there, under both outcomes.  Ties go to the first action, as numpy's argmax does in the learners'
update rules.  docs/time.md, "Learning rules".
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.analysis.dynamic import _resolve, _Step
from corrig.model import limits
from corrig.model.episode import Episode, StepNode
from corrig.model.errors import SolveError
from corrig.model.expr import State
from corrig.model.policies import Policy

# what each learner's greedy choice reads and what its values carry back: (choose, carry)
READS = {"reward-maximiser": ("real", "real"), "q-learning": ("free", "free"), "empirical-sarsa": ("free", "real")}


class _AsChosen(_Step):
    """The step with the decision's modification held at its unmodified state."""

    def __init__(self, ep: Episode, at: Mapping[str, Any], observes: tuple[str, ...]):
        super().__init__(ep, at, observes)
        mod = ep.modifications.get(ep.decision_name)
        self.held = (mod.node, mod.unmodified) if mod is not None else None

    def row(self, node: StepNode, assignment: Mapping[str, State]) -> tuple[tuple[State, Any], ...]:
        if self.held is not None and node.name == self.held[0]:
            return ((self.held[1], Fraction(1)),)
        return super().row(node, assignment)


class _Graph:
    """Beliefs and decision points reachable under either outcome, with each action's reward and next belief."""

    def __init__(self, steps: dict[str, _Step], horizon: int):
        self.steps = steps
        real = steps["real"]
        self.actions = real.decision.states
        self.beliefs: dict[tuple, int] = {}
        self.keys: list[tuple] = []
        self.depth: list[int] = []
        self.points: dict[tuple, int] = {}
        self.point_obs: list[tuple] = []
        self.weights: list[list[tuple[int, Any]]] = []
        self.outcome: dict[str, list[list[tuple[Any, int]]]] = {kind: [] for kind in steps}  # per point, per action
        self._carried: dict[tuple, int] = {}
        self._states: list[tuple] = []
        queue: list[int] = []
        self.initial = self._belief({self._state(c): p for c, p in real.initial().items()}, 0, queue)
        while queue:
            b = queue.pop(0)
            by_obs: dict[tuple, dict[tuple, Any]] = {}
            for s, p in self.keys[b]:
                for q, a, obs in real.before(self._states[s]):
                    key = (s, tuple(sorted(a.items(), key=lambda kv: kv[0])))
                    split = by_obs.setdefault(obs, {})
                    split[key] = split.get(key, 0) + p * q
            for obs, split in by_obs.items():
                point_key = (obs, _normalised(split))
                d = self.points.get(point_key)
                if d is None:
                    d = self.points[point_key] = len(self.points)
                    self._count(real.ep)
                    self.point_obs.append(obs)
                    for kind, step in steps.items():
                        self.outcome[kind].append([self._after(step, point_key[1], action, self.depth[b] + 1 >= horizon,
                                                               self.depth[b] + 1, queue) for action in self.actions])
                self.weights[b].append((d, sum(split.values())))

    def _after(self, step: _Step, split: tuple, action: State, last: bool, depth: int, queue: list[int]
               ) -> tuple[Any, int]:
        reward: Any = 0
        successor: dict[int, Any] = {}
        for (_, assignment), p in split:
            for q, carried, r in step.after(dict(assignment), action):
                reward = reward + p * q * r
                c = self._state(carried)
                successor[c] = successor.get(c, 0) + p * q
        return reward, -1 if last else self._belief(successor, depth, queue)

    def _belief(self, dist: Mapping[int, Any], depth: int, queue: list[int]) -> int:
        key = _normalised(dist)
        found = self.beliefs.get(key)
        if found is None:
            found = self.beliefs[key] = len(self.keys)
            self._count(self.steps["real"].ep)
            self.keys.append(key)
            self.depth.append(depth)
            self.weights.append([])
            queue.append(found)
        return found

    def _state(self, carried: tuple) -> int:
        found = self._carried.get(carried)
        if found is None:
            found = self._carried[carried] = len(self._states)
            self._states.append(carried)
        return found

    def _count(self, ep: Episode) -> None:
        limits.check("beliefs", len(self.beliefs) + len(self.points),
                     f"episode {ep.name!r}: the beliefs and decision points of its learners' fixed point",
                     "Observe more of what the mechanisms read, or shorten the episode.")


def _normalised(dist: Mapping[Any, Any]) -> tuple:
    total = sum(dist.values())
    return tuple(sorted((k, v / total) for k, v in dist.items() if v != 0))


class EpisodeFixedPoint:
    """A learner's fixed point on an episode: the rule per step at each observation, the policy on the unrolled
    world, and its value in the real world."""

    def __init__(self, learner: str, policy: Policy, value: Any, table: tuple[dict[tuple, State], ...], points: int):
        self.learner = learner
        self.policy = policy
        self.value = value
        self.table = table
        self.points = points


def _graph(ep: Episode, at: Mapping[Any, Any] | None, kinds: tuple[str, ...]) -> tuple[_Graph, Any]:
    if not isinstance(ep, Episode):
        raise SolveError(f"a learner's fixed point needs a corrig Episode, got {type(ep).__name__}")
    values = _resolve(at)
    observes = ep.nodes[ep.decision_name].parents
    steps: dict[str, _Step] = {kind: (_AsChosen if kind == "free" else _Step)(ep, values, observes) for kind in kinds}
    graph = _Graph(steps, ep.steps)
    limits.check("dp", len(graph.points) * len(graph.actions) * ep.steps * len(kinds),
                 f"episode {ep.name!r}: its learners' backward induction (decision points x actions x steps x outcomes)",
                 "Shorten the episode or observe more.")
    return graph, steps["real" if "real" in steps else "free"].gamma


def fixed_point(ep: Episode, learner: str, *, at: Mapping[Any, Any] | None = None) -> EpisodeFixedPoint:
    """The fixed point of `learner` (reward-maximiser, q-learning or empirical-sarsa) by backward induction, and
    its value in the real world."""
    choose, carry = READS[learner]
    graph, gamma = _graph(ep, at, tuple(dict.fromkeys(("real", choose, carry))))
    chosen: list[list[int]] = [[] for _ in range(ep.steps)]
    values = [0] * len(graph.keys)
    for t in range(ep.steps - 1, -1, -1):
        q_of = _q(graph, values, gamma)
        picks = []
        for d in range(len(graph.points)):
            q = q_of(choose, d)
            picks.append(max(range(len(q)), key=lambda i, q=q: (q[i], -i)))
        chosen[t] = picks
        values = _carry(graph, values, gamma, carry, picks)
    table = _table(ep, graph, chosen)
    policy = _policy(ep, graph, table, chosen, f"{learner} ({ep.name})")
    return EpisodeFixedPoint(learner, policy, evaluate(ep, table, at=at, graph=(graph, gamma)), tuple(table), len(graph.points))


def _q(graph: _Graph, values: list[Any], gamma: Any):
    def q(kind: str, d: int) -> list[Any]:
        return [r + (gamma * values[s] if s >= 0 else 0) for r, s in graph.outcome[kind][d]]
    return q


def _carry(graph: _Graph, values: list[Any], gamma: Any, kind: str, picks: list[int]) -> list[Any]:
    """V_t(b) = Σ_o P(o | b) · q(d_o, pick) read from `kind`'s outcomes."""
    out: list[Any] = [0] * len(graph.keys)
    for b, weights in enumerate(graph.weights):
        total: Any = 0
        for d, w in weights:
            r, s = graph.outcome[kind][d][picks[d]]
            total = total + w * (r + (gamma * values[s] if s >= 0 else 0))
        out[b] = total
    return out


def _table(ep: Episode, graph: _Graph, chosen: list[list[int]]) -> list[dict[tuple, State]]:
    """Per step, the action at each observation reached in the real world under the chosen rule (which must not
    depend on the belief: a learner's table is indexed by what its decision observes)."""
    dist: dict[int, Any] = {graph.initial: 1}
    table: list[dict[tuple, State]] = []
    for t in range(ep.steps):
        rule: dict[tuple, State] = {}
        nxt: dict[int, Any] = {}
        for b, pb in dist.items():
            for d, w in graph.weights[b]:
                if pb * w == 0:
                    continue
                obs, action = graph.point_obs[d], graph.actions[chosen[t][d]]
                if rule.setdefault(obs, action) != action:
                    raise SolveError(f"episode {ep.name!r}: at step {t}, observing {obs}, the fixed point's action depends "
                                     f"on what was observed before (beliefs differ): a learner whose table is indexed "
                                     f"by this observation has no such fixed point; let the decision observe a state "
                                     f"variable that records what it needs")
                s = graph.outcome["real"][d][chosen[t][d]][1]
                if s >= 0:
                    nxt[s] = nxt.get(s, 0) + pb * w
        table.append(rule)
        dist = nxt
    return table


def _policy(ep: Episode, graph: _Graph, table: list[dict[tuple, State]], chosen: list[list[int]], name: str) -> Policy:
    """The per-step table as a Policy of the unrolled world: an observation the real play never reaches takes the
    fixed point's action at the first decision point with that observation, else the first action."""
    world = ep.world()
    first: dict[tuple, int] = {}
    for d, obs in enumerate(graph.point_obs):
        first.setdefault(obs, d)
    rules: dict[str, Any] = {}
    for t in range(ep.steps):
        node = world.nodes[f"{ep.decision_name}_{t}"]
        rule = {}
        for ctx in itertools.product(*(world.nodes[p].states for p in node.parents)):
            if ctx in table[t]:
                rule[ctx] = table[t][ctx]
            else:
                rule[ctx] = graph.actions[chosen[t][first[ctx]]] if ctx in first else graph.actions[0]
        rules[node.name] = rule if node.parents else rule[()]
    return Policy(rules, name=name)


def evaluate(ep: Episode, table: list[dict[tuple, State]] | tuple, *, at: Mapping[Any, Any] | None = None,
             graph: tuple[_Graph, Any] | None = None) -> Any:
    """E[Σ_t γ^t R_t] in the real world of the rule `table[t][observation] -> action` (an observation it lacks
    takes the first action)."""
    g, gamma = graph if graph is not None else _graph(ep, at, ("real",))
    values: list[Any] = [0] * len(g.keys)
    for t in range(ep.steps - 1, -1, -1):
        picks = [g.actions.index(table[t].get(obs, g.actions[0])) for obs in g.point_obs]
        values = _carry(g, values, gamma, "real", picks)
    value = values[g.initial]
    if isinstance(value, float):
        return value
    value = Fraction(value)
    return sp.Rational(value.numerator, value.denominator)


def table_of(ep: Episode, policy: Policy) -> list[dict[tuple, State]]:
    """A pure Policy of the unrolled world as per-step {observation: action}."""
    world = ep.world()
    out = []
    for t in range(ep.steps):
        name = f"{ep.decision_name}_{t}"
        rule = {}
        for ctx, probs in policy.table(world, name).items():
            states = [s for s, p in zip(world.nodes[name].states, probs, strict=True) if p != 0]
            if len(states) != 1:
                raise SolveError(f"policy {policy}: its rule for {name} at {ctx} is not pure")
            rule[ctx] = states[0]
        out.append(rule)
    return out


__all__ = ["READS", "EpisodeFixedPoint", "evaluate", "fixed_point", "table_of"]
