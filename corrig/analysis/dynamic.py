"""Optimal policies of an episode (corrig.model.episode) by dynamic programming over beliefs.

    solution = solve_episode(ep)          # or solve(ep.world(), discounted_return(ep)), which calls it
    solution.value                        # J* = max E[Σ_t γ^t R_t]
    solution.policy                       # a corrig Policy on the unrolled world
    solution.table[t]                     # {observation of A_t: action} at the observations reached
    solution.expected_rewards[t]          # E[R_t] under the optimal policy

What the AI does not observe — a variable drawn once per episode, state variables or chance nodes its
decision does not see — is summarised by the *belief*: the distribution of those unobserved values given
what the decisions saw so far, updated by Bayes' rule at each observation.  The reachable beliefs are found
once, forward from the initial one (a step's mechanisms do not depend on t, so a belief has one set of
successors whatever the step); backward induction then runs over them, linear in the number of steps:

    V_T = 0,   V_t(b) = Σ_o P(o | b) · max_a [ r(b_o, a) + γ · V_{t+1}(b'(b_o, a)) ]

where b_o is the belief after observing o at the decision and b'(b_o, a) the belief at the start of the next
step.  When everything the decision reads is observed, each belief is a single state: this is plain backward
induction over the Markov state.  Exact numbers are integer numerators over one denominator per table
(reduced by their gcd at each step, int64 while they fit, Python ints after); floats when the episode holds
floats.  The optimal rule at step t depends on the belief; it is a Policy of the unrolled world when, at every
observation the optimal play reaches, one action is optimal for every belief reached with it (otherwise the
decision needs memory, and SolveError says where).

Budgets are checked before each table is built: the `beliefs` limit bounds the beliefs and decision points
found, the `dp` limit the entries (decision points × actions × steps) of the backward induction.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from corrig.model import limits
from corrig.model.episode import Episode, StepNode
from corrig.model.errors import SolveError
from corrig.model.expr import State
from corrig.model.policies import Policy

INT64_SAFE = 2**62


@dataclass(frozen=True)
class EpisodeSolution:
    """An optimal policy of an episode, its value, the rule per step and the expected reward per step."""

    policy: Policy | None  # None when the decision's observations were replaced (solve_episode's observes=)
    value: Any
    table: tuple[dict[Any, State], ...]  # per step: {observation (a tuple of observed values): action}
    expected_rewards: tuple[Any, ...]
    beliefs: int  # beliefs found
    decision_points: int  # (belief, observation) pairs found
    method: str = "dynamic-programming"
    reason: str = ""
    notes: list[str] = field(default_factory=list)


# numbers --------------------------------------------------------------------------------------
def _number(value: Any, at: Mapping[str, Any], what: str) -> Fraction | float:
    if isinstance(value, float):
        return value
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    expr = sp.sympify(value)
    if at and expr.free_symbols:
        expr = expr.subs({s: at[s.name] for s in expr.free_symbols if s.name in at})
    if expr.free_symbols:
        raise SolveError(f"{what} depends on the parameters {sorted(str(s) for s in expr.free_symbols)}: the optimal "
                         f"policy depends on where in the parameter box; pass at={{...}}")
    if isinstance(expr, sp.Rational):
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, sp.Float):
        return float(expr)
    raise SolveError(f"{what} = {expr} is not a rational number or a float: dynamic programming is exact over "
                     f"rationals (give floats for numeric work)")


class _Step:
    """One step's nodes, enumerated: for a carried state (hidden values, state values), the distribution of the
    pre-decision chance nodes and the observation; for that and an action, the distribution of (reward, next state)."""

    def __init__(self, ep: Episode, at: Mapping[str, Any], observes: tuple[str, ...]):
        self.ep = ep
        self.hidden = [n for n in ep.nodes.values() if n.kind == "hidden"]
        self.state_names = list(ep.initial)
        per_step = [n for n in ep.nodes.values() if n.kind not in ("hidden", "state")]
        self.decision = next(n for n in per_step if n.kind == "decision")
        k = per_step.index(self.decision)
        self.pre, self.post = per_step[:k], per_step[k + 1:]
        self.observes = observes
        self.at = at
        self.floats = False
        self._rows: dict[tuple[str, tuple], tuple[tuple[State, Any], ...]] = {}
        self.rewards = {s: self.num(v, "a reward") for s, v in getattr(ep, "reward_values", {}).items()}
        self.gamma = self.num(ep.discount, "the discount")

    def num(self, value: Any, what: str) -> Fraction | float:
        out = _number(value, self.at, what)
        if isinstance(out, float):
            self.floats = True
        return out

    def row(self, node: StepNode, assignment: Mapping[str, State]) -> tuple[tuple[State, Any], ...]:
        ctx = tuple(assignment[p] for p in node.parents)
        key = (node.name if node.kind != "state" else node.name + "'", ctx)
        found = self._rows.get(key)
        if found is None:
            found = tuple((s, self.num(p, f"P({node.name} = {s!r})")) for s, p in node.rows[ctx]
                          if not (p == 0))
            self._rows[key] = found
        return found

    def initial(self) -> dict[tuple, Any]:
        """The distribution of the carried state at step 0."""
        parts = [[(v, self.num(p, f"P({n.name} = {v!r})")) for v, p in n.rows[()]] for n in self.hidden]
        parts += [[(v, self.num(p, f"P({x}_0 = {v!r})")) for v, p in self.ep.initial[x]] for x in self.state_names]
        out: dict[tuple, Any] = {}
        for combo in itertools.product(*parts):
            prob = math.prod((p for _, p in combo), start=Fraction(1))
            if prob != 0:
                key = tuple(v for v, _ in combo)
                out[key] = out.get(key, 0) + prob
        return out

    def assignment(self, carried: tuple) -> dict[str, State]:
        names = [n.name for n in self.hidden] + self.state_names
        return dict(zip(names, carried, strict=True))

    def enumerate(self, nodes: list[StepNode], start: dict[str, State]) -> list[tuple[Any, dict[str, State]]]:
        out: list[tuple[Any, dict[str, State]]] = [(Fraction(1), start)]
        for node in nodes:
            grown = []
            for prob, a in out:
                for s, p in self.row(node, a):
                    grown.append((prob * p, {**a, node.name: s}))
            out = grown
        return out

    def before(self, carried: tuple) -> list[tuple[Any, dict[str, State], tuple]]:
        """(probability, assignment, observation) of the pre-decision nodes from a carried state."""
        return [(p, a, tuple(a[o] for o in self.observes)) for p, a in self.enumerate(self.pre, self.assignment(carried))]

    def after(self, assignment: dict[str, State], action: State) -> list[tuple[Any, tuple, Any]]:
        """(probability, next carried state, reward) after the decision."""
        out = []
        hidden = tuple(assignment[n.name] for n in self.hidden)
        for prob, a in self.enumerate(self.post, {**assignment, self.decision.name: action}):
            reward = self.rewards[a["R"]] if "R" in a else 0
            nexts: list[tuple[Any, tuple]] = [(prob, ())]
            for x in self.state_names:
                node = self.ep.transitions.get(x)
                if node is None:  # a one-step episode has no transitions
                    nexts = [(p, (*v, a[x])) for p, v in nexts]
                    continue
                nexts = [(p * q, (*v, s)) for p, v in nexts for s, q in self.row(node, a)]
            out.extend((p, (*hidden, *v), reward) for p, v in nexts)
        return out


# the belief MDP -------------------------------------------------------------------------------
class _BeliefGraph:
    """Beliefs (over carried states) and decision points (belief after an observation), found forward."""

    def __init__(self, step: _Step, steps: int):
        self.step = step
        self.states: dict[tuple, int] = {}  # carried state -> index
        self.beliefs: dict[tuple, int] = {}
        self.points: dict[tuple, int] = {}
        self.point_obs: list[tuple] = []
        self.weights: list[list[tuple[int, Any]]] = []  # per belief: (decision point, P(observation))
        self.reward: list[list[Any]] = []  # per decision point, per action
        self.successor: list[list[int]] = []  # per decision point, per action: next belief (-1: the end)
        self.depth: list[int] = []  # first step at which a belief is reached
        self._pre: dict[int, list] = {}
        self._post: dict[tuple[int, int, State], list] = {}
        self._assignments: list[dict[str, State]] = []
        self._assignment_index: dict[tuple, int] = {}
        self.limit = limits.get("beliefs")
        self._build(steps)

    def _key(self, dist: Mapping[Any, Any]) -> tuple:
        total = sum(dist.values())
        return tuple(sorted((k, v / total) for k, v in dist.items() if v != 0))

    def _belief(self, dist: Mapping[int, Any], depth: int, queue: list[int]) -> int:
        key = self._key(dist)
        found = self.beliefs.get(key)
        if found is None:
            found = self.beliefs[key] = len(self.beliefs)
            self.belief_keys.append(key)
            self._count()
            self.depth.append(depth)
            self.weights.append([])
            queue.append(found)
        return found

    def _count(self) -> None:
        limits.check("beliefs", len(self.beliefs) + len(self.points),
                     f"episode {self.step.ep.name!r}: the beliefs and decision points its dynamic programming reaches",
                     "Observe more of what the mechanisms read, or shorten the episode.")

    def _state(self, carried: tuple) -> int:
        found = self.states.get(carried)
        if found is None:
            found = self.states[carried] = len(self.states)
            self._carried.append(carried)
        return found

    def _build(self, steps: int) -> None:
        self._carried: list[tuple] = []
        self.belief_keys: list[tuple] = []
        queue: list[int] = []
        start = {self._state(c): p for c, p in self.step.initial().items()}
        self.initial = self._belief(start, 0, queue)
        actions = self.step.decision.states
        while queue:
            b = queue.pop(0)
            key = self.belief_keys[b]
            by_obs: dict[tuple, dict[int, Any]] = {}
            for s, p in key:
                for q, a, obs in self._before(s):
                    ai = self._assignment(a)
                    split = by_obs.setdefault(obs, {})
                    split[(s, ai)] = split.get((s, ai), 0) + p * q
            for obs, split in by_obs.items():
                weight = sum(split.values())
                point_key = (obs, self._key(split))
                d = self.points.get(point_key)
                if d is None:
                    d = self.points[point_key] = len(self.points)
                    self._count()
                    self.point_obs.append(obs)
                    rewards, nexts = [], []
                    for action in actions:
                        reward, successor = 0, {}
                        for (_, ai), p in point_key[1]:
                            for q, carried, r in self._after(ai, action):
                                reward = reward + p * q * r
                                c = self._state(carried)
                                successor[c] = successor.get(c, 0) + p * q
                        rewards.append(reward)
                        if self.depth[b] + 1 >= steps:
                            nexts.append(-1)
                        else:
                            nexts.append(self._belief(successor, self.depth[b] + 1, queue))
                    self.reward.append(rewards)
                    self.successor.append(nexts)
                self.weights[b].append((d, weight))

    def _before(self, s: int) -> list:
        found = self._pre.get(s)
        if found is None:
            found = self._pre[s] = self.step.before(self._carried[s])
        return found

    def _assignment(self, a: dict[str, State]) -> int:
        key = tuple(sorted(a.items(), key=lambda kv: kv[0]))
        found = self._assignment_index.get(key)
        if found is None:
            found = self._assignment_index[key] = len(self._assignments)
            self._assignments.append(a)
        return found

    def _after(self, ai: int, action: State) -> list:
        key = (ai, 0, action)
        found = self._post.get(key)
        if found is None:
            found = self._post[key] = self.step.after(self._assignments[ai], action)
        return found


# backward induction ---------------------------------------------------------------------------
def _scaled(values: Iterable[Any]) -> tuple[np.ndarray, int]:
    """Integer numerators over one denominator (exact Fractions)."""
    values = [Fraction(v) for v in values]
    den = math.lcm(*(v.denominator for v in values)) if values else 1
    nums = [int(v * den) for v in values]
    big = any(abs(n) >= INT64_SAFE for n in nums)
    return np.array(nums, dtype=object if big else np.int64), den


def _backward(graph: _BeliefGraph, steps: int, floats: bool, gamma: Any) -> tuple[Any, list[np.ndarray], list[np.ndarray]]:
    """V_0 at the initial belief, and per step the chosen action and the optimal-action mask per decision point."""
    n_b, n_d = len(graph.beliefs), len(graph.points)
    n_a = len(graph.step.decision.states)
    limits.check("dp", n_d * n_a * steps, f"episode {graph.step.ep.name!r}: its dynamic programming table "
                 "(decision points x actions x steps)", "Shorten the episode or observe more.")
    succ = np.array(graph.successor, dtype=np.int64).reshape(n_d, n_a)
    succ = np.where(succ < 0, n_b, succ)  # the end: value 0
    bel_idx = np.array([b for b in range(n_b) for _ in graph.weights[b]], dtype=np.int64)
    pt_idx = np.array([d for b in range(n_b) for d, _ in graph.weights[b]], dtype=np.int64)
    w_list = [w for b in range(n_b) for _, w in graph.weights[b]]
    r_list = [r for row in graph.reward for r in row]
    acts: list[np.ndarray] = [np.zeros(0)] * steps
    masks: list[np.ndarray] = [np.zeros(0)] * steps
    if floats:
        rew = np.array([float(r) for r in r_list]).reshape(n_d, n_a)
        w = np.array([float(x) for x in w_list])
        g = float(gamma)
        v = np.zeros(n_b + 1)
        for t in range(steps - 1, -1, -1):
            q = rew + g * v[succ]
            best = q.max(axis=1)
            acts[t], masks[t] = q.argmax(axis=1), q >= best[:, None]
            v = np.zeros(n_b + 1)
            np.add.at(v, bel_idx, w * best[pt_idx])
        return float(v[graph.initial]), acts, masks
    rn, rd = _scaled(r_list)
    rn = rn.reshape(n_d, n_a)
    wn, wd = _scaled(w_list)
    gamma = Fraction(gamma)
    gn, gd = gamma.numerator, gamma.denominator
    vn, vd = np.zeros(n_b + 1, dtype=np.int64), 1
    max_w = int(np.max(np.abs(wn))) if len(wn) else 0
    fan = max((len(x) for x in graph.weights), default=1)
    for t in range(steps - 1, -1, -1):
        max_r = int(np.max(np.abs(rn))) if rn.size else 0
        max_v = int(np.max(np.abs(vn))) if vn.size else 0
        bound = max((max_r * gd * vd + rd * abs(gn) * max_v) * max(max_w, 1) * fan, gd * vd, rd * abs(gn),
                    wd * rd * gd * vd)
        if bound >= INT64_SAFE and rn.dtype != object:  # exact from here on in Python ints
            rn, wn, vn = rn.astype(object), wn.astype(object), vn.astype(object)
        q = rn * (gd * vd) + (rd * gn) * vn[succ]
        qd = rd * gd * vd
        best = q.max(axis=1)
        acts[t], masks[t] = q.argmax(axis=1), q == best[:, None]
        new = np.zeros(n_b + 1, dtype=q.dtype)
        np.add.at(new, bel_idx, wn * best[pt_idx])
        vd = wd * qd
        common = math.gcd(int(np.gcd.reduce(new)) if new.dtype != object else math.gcd(*map(int, new)), vd)
        if common > 1:
            new //= common
            vd //= common
        vn = new
    return Fraction(int(vn[graph.initial]), vd), acts, masks


# the solver -----------------------------------------------------------------------------------
def solve_episode(ep: Episode, *, at: Mapping[Any, Any] | None = None, observes: Iterable[str] | None = None
                  ) -> EpisodeSolution:
    """An optimal policy of the episode's discounted return by dynamic programming over beliefs (module
    docstring).  at: {parameter or its name: value} substituted first.  observes: the template nodes the
    decision observes instead of its declared ones (for the value of observing a node)."""
    if not isinstance(ep, Episode):
        raise SolveError(f"solve_episode() needs a corrig Episode, got {type(ep).__name__}")
    world = ep.world()
    decision = ep.nodes[ep.decision_name]
    seen = tuple(decision.parents if observes is None else observes)
    for name in seen:
        if name not in ep.nodes:
            raise SolveError(f"episode {ep.name!r} has no node {name!r} to observe")
    at_values = _resolve(at)
    step = _Step(ep, at_values, seen)
    graph = _BeliefGraph(step, ep.steps)
    value, acts, masks = _backward(graph, ep.steps, step.floats, step.gamma)
    table, expected = _forward(graph, acts, masks, ep.steps, step.floats)
    policy = _policy(ep, world, graph, table, acts) if observes is None else None
    if isinstance(value, Fraction):
        value = sp.Rational(value.numerator, value.denominator)
    reason = (f"backward induction over {len(graph.beliefs)} beliefs and {len(graph.points)} decision points "
              f"x {len(decision.states)} actions x {ep.steps} steps (docs/time.md)")
    return EpisodeSolution(policy, value, tuple(table), tuple(expected), len(graph.beliefs), len(graph.points),
                           reason=reason)


def _resolve(at: Mapping[Any, Any] | None) -> dict[str, Any]:
    """{parameter name: value}, a value given as text or a number read exactly (floats stay floats)."""
    return {str(key): value if isinstance(value, float) else sp.Rational(value) for key, value in (at or {}).items()}


def _forward(graph: _BeliefGraph, acts: list[np.ndarray], masks: list[np.ndarray], steps: int, floats: bool
             ) -> tuple[list[dict[Any, State]], list[Any]]:
    """Per step: the optimal action at each observation the optimal play reaches, and E[R_t]."""
    actions = graph.step.decision.states
    dist: dict[int, Any] = {graph.initial: 1.0 if floats else Fraction(1)}
    table: list[dict[Any, State]] = []
    expected: list[Any] = []
    for t in range(steps):
        chosen: dict[tuple, State] = {}
        reached: dict[tuple, list[int]] = {}
        reward: Any = 0
        nxt: dict[int, Any] = {}
        for b, pb in dist.items():
            for d, w in graph.weights[b]:
                p = pb * (float(w) if floats else w)
                if p == 0:
                    continue
                reached.setdefault(graph.point_obs[d], []).append(d)
        for obs, points in reached.items():
            common = np.logical_and.reduce([masks[t][d] for d in points])
            if not common.any():
                raise SolveError(f"episode {graph.step.ep.name!r}: at step {t}, observing {obs}, the optimal action "
                                 f"depends on what was observed before (beliefs differ): the decision needs memory; "
                                 f"let it observe a state variable that records what it needs")
            chosen[obs] = actions[int(np.argmax(common))]
        for b, pb in dist.items():
            for d, w in graph.weights[b]:
                p = pb * (float(w) if floats else w)
                if p == 0:
                    continue
                a = actions.index(chosen[graph.point_obs[d]])
                r = graph.reward[d][a]
                reward += p * (float(r) if floats else r)
                nb = graph.successor[d][a]
                if nb >= 0:
                    nxt[nb] = nxt.get(nb, 0) + p
        table.append(chosen)
        expected.append(reward if floats else sp.Rational(Fraction(reward).numerator, Fraction(reward).denominator))
        dist = nxt
    return table, expected


def _policy(ep: Episode, world: Any, graph: _BeliefGraph, table: list[dict[Any, State]], acts: list[np.ndarray]
            ) -> Policy:
    """The per-step table as a Policy of the unrolled world: unreached observations take the optimal action of a
    decision point with that observation, else the first action."""
    actions = graph.step.decision.states
    first_point: dict[tuple, int] = {}
    for d, obs in enumerate(graph.point_obs):
        first_point.setdefault(obs, d)
    rules: dict[str, Any] = {}
    for t in range(ep.steps):
        name = f"{ep.decision_name}_{t}"
        parents = world.nodes[name].parents
        if not parents:
            rules[name] = table[t].get((), actions[int(acts[t][first_point[()]])] if () in first_point else actions[0])
            continue
        rule = {}
        for ctx in itertools.product(*(world.nodes[p].states for p in parents)):
            if ctx in table[t]:
                rule[ctx] = table[t][ctx]
            elif ctx in first_point:
                rule[ctx] = actions[int(acts[t][first_point[ctx]])]
            else:
                rule[ctx] = actions[0]
        rules[name] = rule
    return Policy(rules, name=f"optimal ({ep.name})")


__all__ = ["EpisodeSolution", "solve_episode"]
