"""The fixed point of a learning rule on an episode, by one backward induction over beliefs.

Each decision point (an observation of the step's decision and the belief over what it does not see) gets
two outcomes per action: *real*, the step as declared, the action's modification included; and *as
chosen*, the step with its modification held at its unmodified state (do(Mod_t = none)).  A learner is
then a pair (the outcome its greedy choice reads, the outcome its values are carried back by):

    reward-maximiser   choose by real,       carry back real        V_t(b) = Σ_o P(o|b) max_a q_real
    q-learning         choose by as chosen,  carry back as chosen   (every step unmodified)
    empirical-sarsa    choose by as chosen,  carry back real        its own step unmodified, later ones real

    q_t(d, a) = r(d, a) + γ · V_{t+1}(b'(d, a)),   V_t(b) = Σ_o P(o | b) · q_t(d_o, π_t(d_o)) (carried outcome)

The step enumeration (the nodes before and after the decision, rows read at a parameter point) and the belief
graph are the dynamic-programming solver's (corrig.analysis.dynamic), fed every action twice, once per
outcome, so its beliefs are those reachable under either.  Ties go to the first action, as numpy's argmax does in the learners'
update rules.  docs/time.md, "Learning rules".
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from corrig.analysis.dynamic import _BeliefGraph, _resolve, _Step
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


class _BothOutcomes:
    """The step as the solver's belief graph reads it, with every action twice: (a, "real") as declared and
    (a, "free") executed as chosen; the graph's beliefs are then those reachable under either."""

    def __init__(self, ep: Episode, at: Mapping[str, Any], observes: tuple[str, ...]):
        self.ep = ep
        self.outcomes = {"real": _Step(ep, at, observes), "free": _AsChosen(ep, at, observes)}
        real = self.outcomes["real"]
        self.actions = real.decision.states
        self.decision = StepNode(real.decision.name, "decision", real.decision.parents,
                                 tuple((a, kind) for kind in OUTCOMES for a in self.actions), {})
        self.gamma = real.gamma

    def initial(self) -> dict[tuple, Any]:
        return self.outcomes["real"].initial()

    def before(self, carried: tuple) -> list:
        return self.outcomes["real"].before(carried)

    def after(self, assignment: dict[str, State], action: tuple[State, str]) -> list:
        return self.outcomes[action[1]].after(assignment, action[0])


OUTCOMES = ("real", "free")


class EpisodeFixedPoint:
    """A learner's fixed point on an episode: the rule per step at each observation, the policy on the unrolled
    world, and its value in the real world."""

    def __init__(self, learner: str, policy: Policy, value: Any, table: tuple[dict[tuple, State], ...], points: int):
        self.learner = learner
        self.policy = policy
        self.value = value
        self.table = table
        self.points = points


class _Induction:
    """The belief graph of both outcomes and the backward steps every learner shares."""

    def __init__(self, ep: Episode, at: Mapping[Any, Any] | None):
        if not isinstance(ep, Episode):
            raise SolveError(f"a learner's fixed point needs a corrig Episode, got {type(ep).__name__}")
        self.ep = ep
        self.step = _BothOutcomes(ep, _resolve(at), ep.nodes[ep.decision_name].parents)
        self.graph = _BeliefGraph(self.step, ep.steps)  # type: ignore[arg-type]  # it reads initial/before/after
        self.actions = self.step.actions
        self.points = len(self.graph.points)
        limits.check("dp", self.points * len(self.step.decision.states) * ep.steps,
                     f"episode {ep.name!r}: its learners' backward induction (decision points x actions x 2 x steps)",
                     "Shorten the episode or observe more.")

    def q(self, values: list[Any], kind: str, d: int, a: int) -> Any:
        """r(d, a) + γ · V(b'(d, a)), as declared (kind "real") or as chosen ("free"); V = 0 after the end."""
        j = OUTCOMES.index(kind) * len(self.actions) + a
        s = self.graph.successor[d][j]
        return self.graph.reward[d][j] + (self.step.gamma * values[s] if s >= 0 else 0)

    def carry(self, values: list[Any], kind: str, picks: list[int]) -> list[Any]:
        """V_t(b) = Σ_o P(o | b) · q_t(d_o, pick), read from `kind`'s outcomes; one slot more for the end."""
        out: list[Any] = [0] * (len(self.graph.beliefs) + 1)
        for b, weights in enumerate(self.graph.weights):
            out[b] = sum((w * self.q(values, kind, d, picks[d]) for d, w in weights), start=0)
        return out

    def real_value(self, picks_per_step: list[list[int]]) -> Any:
        values: list[Any] = [0] * (len(self.graph.beliefs) + 1)
        for t in range(self.ep.steps - 1, -1, -1):
            values = self.carry(values, "real", picks_per_step[t])
        value = values[self.graph.initial]
        if isinstance(value, float) or any(step.floats for step in self.step.outcomes.values()):
            return float(value)  # floats when the episode holds floats, as the solver gives them
        value = Fraction(value)
        return sp.Rational(value.numerator, value.denominator)


def fixed_points(ep: Episode, learners: tuple[str, ...], *, at: Mapping[Any, Any] | None = None
                 ) -> dict[str, EpisodeFixedPoint]:
    """The fixed point of each learner (reward-maximiser, q-learning or empirical-sarsa) by backward induction over
    one belief graph, and its value in the real world."""
    run = _Induction(ep, at)
    return {learner: _fixed_point(run, learner) for learner in learners}


def _fixed_point(run: _Induction, learner: str) -> EpisodeFixedPoint:
    choose, carry = READS[learner]
    chosen: list[list[int]] = [[] for _ in range(run.ep.steps)]
    values: list[Any] = [0] * (len(run.graph.beliefs) + 1)
    for t in range(run.ep.steps - 1, -1, -1):
        picks = []
        for d in range(run.points):
            q = [run.q(values, choose, d, a) for a in range(len(run.actions))]
            picks.append(max(range(len(q)), key=lambda i, q=q: (q[i], -i)))  # ties: the first action
        chosen[t] = picks
        values = run.carry(values, carry, picks)
    table = _table(run, chosen)
    policy = _policy(run, table, chosen, f"{learner} ({run.ep.name})")
    return EpisodeFixedPoint(learner, policy, run.real_value(chosen), tuple(table), run.points)


def _table(run: _Induction, chosen: list[list[int]]) -> list[dict[tuple, State]]:
    """Per step, the action at each observation reached in the real world under the chosen rule (which must not
    depend on the belief: a learner's table is indexed by what its decision observes)."""
    graph, ep = run.graph, run.ep
    dist: dict[int, Any] = {graph.initial: 1}
    table: list[dict[tuple, State]] = []
    for t in range(ep.steps):
        rule: dict[tuple, State] = {}
        nxt: dict[int, Any] = {}
        for b, pb in dist.items():
            for d, w in graph.weights[b]:
                if pb * w == 0:
                    continue
                obs, action = graph.point_obs[d], run.actions[chosen[t][d]]
                if rule.setdefault(obs, action) != action:
                    raise SolveError(f"episode {ep.name!r}: at step {t}, observing {obs}, the fixed point's action depends "
                                     f"on what was observed before (beliefs differ): a learner whose table is indexed "
                                     f"by this observation has no such fixed point; let the decision observe a state "
                                     f"variable that records what it needs")
                s = graph.successor[d][chosen[t][d]]  # the real outcome comes first
                if s >= 0:
                    nxt[s] = nxt.get(s, 0) + pb * w
        table.append(rule)
        dist = nxt
    return table


def _policy(run: _Induction, table: list[dict[tuple, State]], chosen: list[list[int]], name: str) -> Policy:
    """The per-step table as a Policy of the unrolled world: an observation the real play never reaches takes the
    fixed point's action at the first decision point with that observation, else the first action."""
    ep, world = run.ep, run.ep.world()
    first: dict[tuple, int] = {}
    for d, obs in enumerate(run.graph.point_obs):
        first.setdefault(obs, d)
    rules: dict[str, Any] = {}
    for t in range(ep.steps):
        node = world.nodes[f"{ep.decision_name}_{t}"]
        rule = {}
        for ctx in itertools.product(*(world.nodes[p].states for p in node.parents)):
            if ctx in table[t]:
                rule[ctx] = table[t][ctx]
            else:
                rule[ctx] = run.actions[chosen[t][first[ctx]]] if ctx in first else run.actions[0]
        rules[node.name] = rule if node.parents else rule[()]
    return Policy(rules, name=name)


__all__ = ["READS", "EpisodeFixedPoint", "fixed_points"]
