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
from collections import deque
from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from corrig.model import limits
from corrig.model.episode import Episode, StepNode
from corrig.model.errors import SolveError
from corrig.model.expr import State
from corrig.model.policies import Policy

INT64_SAFE = 2**62


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

    def _belief(self, dist: Mapping[int, Any], depth: int, queue: deque[int]) -> int:
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
        queue: deque[int] = deque()
        start = {self._state(c): p for c, p in self.step.initial().items()}
        self.initial = self._belief(start, 0, queue)
        actions = self.step.decision.states
        while queue:
            b = queue.popleft()
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


class _Tables:
    """The belief MDP as arrays: successor[d, a] (the end is the extra belief n_b, of value 0), and the weight
    matrix W[b, d] = P(observation of d | b)."""

    def __init__(self, graph: _BeliefGraph, steps: int):
        self.n_b, self.n_d = len(graph.beliefs), len(graph.points)
        self.n_a = len(graph.step.decision.states)
        limits.check("dp", self.n_d * self.n_a * steps, f"episode {graph.step.ep.name!r}: its dynamic programming "
                     "table (decision points x actions x steps)", "Shorten the episode or observe more.")
        limits.check("dp", (self.n_b + 1) * self.n_d, f"episode {graph.step.ep.name!r}: its belief-to-decision-point "
                     "weight matrix (beliefs x decision points)", "Observe more of what the step reads.")
        succ = np.array(graph.successor, dtype=np.int64).reshape(self.n_d, self.n_a)
        self.succ = np.where(succ < 0, self.n_b, succ)
        self.pairs = [(b, d, w) for b in range(self.n_b) for d, w in graph.weights[b]]
        self.rewards = [r for row in graph.reward for r in row]

    def weights(self, values: list[Any], dtype: Any) -> np.ndarray:
        out = np.zeros((self.n_b + 1, self.n_d), dtype=dtype)
        for (b, d, _), w in zip(self.pairs, values, strict=True):
            out[b, d] = w
        return out


def _backward(graph: _BeliefGraph, tables: _Tables, steps: int, floats: bool, gamma: Any) -> tuple[Any, list[np.ndarray]]:
    """V_0 at the initial belief, and per step the values Q_t[d, a] (exact ones scaled by a positive number of the
    step: only their order within a step is read)."""
    n_d, n_a, succ = tables.n_d, tables.n_a, tables.succ
    qs: list[np.ndarray] = [np.zeros(0)] * steps
    if floats:
        rew = np.array([float(r) for r in tables.rewards]).reshape(n_d, n_a)
        weights = tables.weights([float(w) for _, _, w in tables.pairs], float)
        g = float(gamma)
        v = np.zeros(tables.n_b + 1)
        for t in range(steps - 1, -1, -1):
            q = qs[t] = rew + (v[succ] if g == 1 else g * v[succ])
            v = weights @ q.max(axis=1)
        return float(v[graph.initial]), qs
    rn, rd = _scaled(tables.rewards)
    rn = rn.reshape(n_d, n_a)
    wn, wd = _scaled([w for _, _, w in tables.pairs])
    weights = tables.weights(list(wn), wn.dtype)
    gamma = Fraction(gamma)
    gn, gd = gamma.numerator, gamma.denominator
    vn, vd = np.zeros(tables.n_b + 1, dtype=np.int64), 1
    max_r = int(np.max(np.abs(rn))) if rn.size else 0
    row_w = int(np.max(np.abs(weights).sum(axis=1))) if weights.size else 0
    max_v = 0
    for t in range(steps - 1, -1, -1):
        bound = max(row_w, 1) * (max_r * gd * vd + rd * abs(gn) * max_v)
        if vn.dtype != object and max(bound, wd * rd * gd * vd) >= INT64_SAFE and vd > 1:
            vn, vd, max_v = _reduced(vn, vd)
            bound = max(row_w, 1) * (max_r * gd * vd + rd * abs(gn) * max_v)
        if vn.dtype != object and max(bound, wd * rd * gd * vd) >= INT64_SAFE:
            rn, weights, vn = rn.astype(object), weights.astype(object), vn.astype(object)  # Python ints from here
        q = qs[t] = rn * (gd * vd) + (rd * gn) * vn[succ]
        vn = weights @ q.max(axis=1)
        vd = wd * rd * gd * vd
        max_v = bound
        if vd >= 2**24 or vn.dtype == object:  # keep the numbers small
            vn, vd, max_v = _reduced(vn, vd)
    return Fraction(int(vn[graph.initial]), vd), qs


def _reduced(vn: np.ndarray, vd: int) -> tuple[np.ndarray, int, int]:
    """Numerators and denominator divided by their common factor, and the largest numerator's magnitude."""
    common = math.gcd(int(np.gcd.reduce(vn)), vd) if vn.dtype != object else math.gcd(*map(int, vn), vd)
    if common > 1:
        vn, vd = vn // common, vd // common
    return vn, vd, int(np.max(np.abs(vn)))


def _choose(graph: _BeliefGraph, tables: _Tables, qs: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per step, the action of every decision point (at the points the optimal play reaches, one action optimal for
    every point with the same observation; elsewhere the first optimal one) and the points reached."""
    observation: dict[tuple, int] = {}
    obs_id = np.array([observation.setdefault(o, len(observation)) for o in graph.point_obs], dtype=np.int64)
    reach = np.zeros((tables.n_b + 1, tables.n_d), dtype=bool)
    for b, d, _ in tables.pairs:
        reach[b, d] = True
    beliefs = np.zeros(tables.n_b + 1, dtype=bool)
    beliefs[graph.initial] = True
    shared = len(observation) < tables.n_d  # some observation is made at several beliefs
    acts, reached = [], []
    for t, q in enumerate(qs):
        act = q.argmax(axis=1)
        points = np.nonzero(reach[beliefs].any(axis=0))[0]
        ids = obs_id[points]
        if shared and len(np.unique(ids)) < len(ids):
            for i in np.unique(ids):
                group = points[ids == i]
                if len(group) < 2:
                    continue
                sub = q[group]
                common = np.logical_and.reduce(sub == sub.max(axis=1)[:, None])
                if not common.any():
                    obs = graph.point_obs[group[0]]
                    raise SolveError(f"episode {graph.step.ep.name!r}: at step {t}, observing {obs}, the optimal action "
                                     f"depends on what was observed before (beliefs differ): the decision needs memory; "
                                     f"let it observe a state variable that records what it needs")
                act[group] = int(np.argmax(common))
        acts.append(act)
        reached.append(points)
        beliefs = np.zeros(tables.n_b + 1, dtype=bool)
        beliefs[tables.succ[points, act[points]]] = True
    return acts, reached


# the solver -----------------------------------------------------------------------------------
class EpisodeSolution:
    """An optimal policy of an episode and its value J* (exact, or a float); the per-step table, the Policy of the
    unrolled world and the expected rewards are built when first read."""

    method = "dynamic-programming"

    def __init__(self, ep: Episode, graph: _BeliefGraph, value: Any, acts: list[np.ndarray],
                 reached: list[np.ndarray], floats: bool, declared: bool):
        self.episode, self._graph, self.value = ep, graph, value
        self._acts, self._reached, self._floats, self._declared = acts, reached, floats, declared
        self.beliefs, self.decision_points = len(graph.beliefs), len(graph.points)
        self.reason = (f"backward induction over {self.beliefs} beliefs and {self.decision_points} decision points x "
                       f"{len(graph.step.decision.states)} actions x {ep.steps} steps (docs/time.md)")

    def __repr__(self) -> str:
        return f"EpisodeSolution(value={self.value}, {self.reason})"

    @cached_property
    def table(self) -> tuple[dict[tuple, State], ...]:
        """Per step: {observation (a tuple of the observed values): action} at the observations the optimal play reaches."""
        actions = self._graph.step.decision.states
        return tuple({self._graph.point_obs[d]: actions[a] for d, a in zip(points.tolist(), act[points].tolist(),
                                                                            strict=True)}
                     for act, points in zip(self._acts, self._reached, strict=True))

    @cached_property
    def expected_rewards(self) -> tuple[Any, ...]:
        """E[R_t] under the optimal policy, per step."""
        graph = self._graph
        dist: dict[int, Any] = {graph.initial: 1.0 if self._floats else Fraction(1)}
        out = []
        for act in self._acts:
            reward: Any = 0
            nxt: dict[int, Any] = {}
            for b, pb in dist.items():
                for d, w in graph.weights[b]:
                    p = pb * (float(w) if self._floats else w)
                    a = int(act[d])
                    reward += p * (float(graph.reward[d][a]) if self._floats else graph.reward[d][a])
                    nb = graph.successor[d][a]
                    if nb >= 0:
                        nxt[nb] = nxt.get(nb, 0) + p
            out.append(reward if self._floats else sp.Rational(Fraction(reward).numerator, Fraction(reward).denominator))
            dist = nxt
        return tuple(out)

    @cached_property
    def policy(self) -> Policy | None:
        """The table as a Policy of the unrolled world (None when solve_episode's observes= replaced what the decision
        sees): an observation the optimal play never reaches takes the action of a decision point with it, else the
        first action."""
        if not self._declared:
            return None
        ep, graph = self.episode, self._graph
        actions = graph.step.decision.states
        first_point: dict[tuple, int] = {}
        for d, obs in enumerate(graph.point_obs):
            first_point.setdefault(obs, d)
        template = ep.nodes[ep.decision_name]
        contexts = list(itertools.product(*(ep.nodes[p].states for p in template.parents)))
        rules: dict[str, Any] = {}
        for t, (act, reached) in enumerate(zip(self._acts, self._reached, strict=True)):
            chosen = act.tolist()
            point = {**first_point, **{graph.point_obs[d]: d for d in reached.tolist()}}  # reached points first
            rule = {ctx: actions[chosen[point[ctx]]] if ctx in point else actions[0] for ctx in contexts}
            rules[f"{ep.decision_name}_{t}"] = rule if template.parents else rule[()]
        return Policy(rules, name=f"optimal ({ep.name})")


def solve_episode(ep: Episode, *, at: Mapping[Any, Any] | None = None, observes: Iterable[str] | None = None
                  ) -> EpisodeSolution:
    """An optimal policy of the episode's discounted return by dynamic programming over beliefs (module
    docstring).  at: {parameter or its name: value} substituted first.  observes: the template nodes the
    decision observes instead of its declared ones (for the value of observing a node)."""
    if not isinstance(ep, Episode):
        raise SolveError(f"solve_episode() needs a corrig Episode, got {type(ep).__name__}")
    decision = ep.nodes[ep.decision_name]
    seen = tuple(decision.parents if observes is None else observes)
    for name in seen:
        if name not in ep.nodes:
            raise SolveError(f"episode {ep.name!r} has no node {name!r} to observe")
    step = _Step(ep, _resolve(at), seen)
    graph = _BeliefGraph(step, ep.steps)
    tables = _Tables(graph, ep.steps)
    value, qs = _backward(graph, tables, ep.steps, step.floats, step.gamma)
    acts, reached = _choose(graph, tables, qs)
    if isinstance(value, Fraction):
        value = sp.Rational(value.numerator, value.denominator)
    return EpisodeSolution(ep, graph, value, acts, reached, step.floats, observes is None)


def _resolve(at: Mapping[Any, Any] | None) -> dict[str, Any]:
    """{parameter name: value}, a value given as text or a number read exactly (floats stay floats)."""
    return {str(key): value if isinstance(value, float) else sp.Rational(value) for key, value in (at or {}).items()}


__all__ = ["EpisodeSolution", "solve_episode"]
