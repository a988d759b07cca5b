"""Worlds over time: an episode declared once as the nodes of one step and unrolled into a World.

    ep = Episode("walk", steps=3, discount=1)
    ep.hidden("Z", {"yes": p, "no": 1 - p})                     # drawn once per episode, never observed
    ep.state("Pos", ["a", "b"], initial="a")                    # Pos_0, Pos_1, …
    A = ep.decision("A", ["stay", "go"], observes=["Pos"])      # A_t sees Pos_t
    ep.modification("Stop", of="A", executed="Act",             # Stop_t overrides A_t: Act_t is what is done
                    mechanism=lambda Pos, Z: "stay" if Z == "yes" and Pos == "b" else "none")
    ep.transition("Pos", lambda Pos, Act: "b" if Act == "go" else Pos)    # Pos_{t+1} from step t
    ep.reward(lambda Pos, Act: 1 if Pos == "b" else 0)          # R_t
    world, utility = ep.world(), discounted_return(ep)          # Σ_t γ^t E[R_t] (corrig.objectives.episodes)

This is the two-slice template of a dynamic Bayesian network (pgmpy's DynamicBayesianNetwork, pyAgrum's
dynamic networks): edges inside a step, and from step t to the state variables of step t + 1.  A step t
(0 ≤ t < steps) holds, in this order: the state variables X_t; the per-step nodes in the order they were
declared (chance nodes, the decision, its modification and the executed action, the reward R_t).  A
mechanism's argument names are its parents, each meaning that node at the same step (a state variable's
value at step t, a hidden variable's one value); the transition of X reads step t and gives X_{t+1}.
Node X at step t is named `X_t` in the unrolled World (node names are identifiers).  docs/time.md.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from corrig.model import limits
from corrig.model.errors import StateError, WorldError
from corrig.model.expr import State, Var
from corrig.model.world import CompiledNode, World

Row = tuple[tuple[State, Any], ...]  # (state, probability) pairs of one parent context


@dataclass(frozen=True)
class StepNode:
    """A node of the one-step template: its kind, parents (template names), states and rows by context."""

    name: str
    kind: str  # "hidden", "state", "chance", "decision", "modification", "executed" or "reward"
    parents: tuple[str, ...]
    states: tuple[State, ...]
    rows: Mapping[tuple[State, ...], Row]  # empty for a decision


@dataclass(frozen=True)
class Modification:
    """Node `node` turns decision `decision`'s choice into `executed`; its state `unmodified` leaves it as chosen."""

    decision: str
    node: str
    unmodified: State
    executed: str


class Episode:
    """A world over `steps` steps, declared as one step's nodes; `world()` unrolls it (see the module docstring)."""

    def __init__(self, name: str = "episode", *, steps: int, discount: Any = 1):
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise WorldError(f"episode {name!r}: steps must be a positive whole number, got {steps!r}")
        self.name = name
        self.steps = steps
        self.discount = discount
        self.nodes: dict[str, StepNode] = {}  # hidden and per-step nodes, in declaration order
        self.initial: dict[str, Row] = {}  # state variable -> its distribution at step 0
        self.transitions: dict[str, StepNode] = {}  # state variable -> its transition (rows give X_{t+1})
        self.modifications: dict[str, Modification] = {}
        self.reward_node: StepNode | None = None
        self.roles: dict[str, Any] = {}
        self._world: World | None = None

    # declaration ------------------------------------------------------------------------
    def hidden(self, name: str, distribution: Mapping[State, Any]) -> Var:
        """A variable drawn once per episode (a root of the unrolled world, named `name`), e.g. whether to interrupt."""
        row = _distribution(name, distribution)
        return self._add(StepNode(name, "hidden", (), tuple(s for s, _ in row), {(): row}))

    def state(self, name: str, states: Iterable[State], *, initial: Any) -> Var:
        """A state variable with its states and its value (or {state: probability}) at step 0; give its
        transition with `transition`."""
        self._check_name(name)
        node = StepNode(name, "state", (), _states(name, states), {})
        row = _distribution(name, initial if isinstance(initial, Mapping) else {initial: 1})
        _check_in(name, [s for s, _ in row], node.states, "the initial state")
        self.initial[name] = row
        return self._add(node)

    def transition(self, name: str, mechanism: Any, *, parents: Iterable[str] | None = None) -> None:
        """X_{t+1} as a function (or table) of step t's nodes: a state or {state: probability} per context."""
        if name not in self.initial:
            raise WorldError(f"episode {self.name!r}: {name} is not a state variable (declare it with state())")
        if name in self.transitions:
            raise WorldError(f"episode {self.name!r}: the transition of {name} is given twice")
        self._tables_closed(f"the transition of {name}")
        self.transitions[name] = self._node(name, "state", mechanism, parents, self.nodes[name].states, new=False)

    def chance(self, name: str, mechanism: Any, *, parents: Iterable[str] | None = None,
               states: Iterable[State] | None = None) -> Var:
        """A chance node drawn at every step (a human H_t, a button B_t) from step t's nodes declared before it."""
        self._tables_closed(name)
        return self._add(self._node(name, "chance", mechanism, parents, states))

    def decision(self, name: str, actions: Iterable[State], *, observes: Iterable[str]) -> Var:
        """The AI's decision at every step, observing the named nodes of the same step (the Markov state)."""
        self._tables_closed(name)
        if any(n.kind == "decision" for n in self.nodes.values()):
            raise WorldError(f"episode {self.name!r}: one decision per step (got a second one, {name})")
        seen = tuple(observes)
        for parent in seen:
            self._known(name, parent)
        return self._add(StepNode(name, "decision", seen, _states(name, actions), {}))

    def modification(self, name: str, *, of: str, mechanism: Any, executed: str, unmodified: State = "none",
                     parents: Iterable[str] | None = None, states: Iterable[State] | None = None) -> Var:
        """A chance node `name` that modifies decision `of` (an interruption): in state `unmodified` the action
        is executed as chosen, in any other state that state is executed; node `executed` is the action done."""
        self._tables_closed(name)
        decision = self.nodes.get(of)
        if decision is None or decision.kind != "decision":
            raise WorldError(f"episode {self.name!r}: modification {name} must name a declared decision, got of={of!r}")
        node = self._node(name, "modification", mechanism, parents, states)
        if unmodified not in node.states:
            node = StepNode(name, node.kind, node.parents, (unmodified, *node.states), node.rows)
        handle = self._add(node)
        done = tuple(dict.fromkeys([*decision.states, *(s for s in node.states if s != unmodified)]))
        rows = {(a, m): ((a if m == unmodified else m, sp.Integer(1)),) for a in decision.states for m in node.states}
        self._add(StepNode(executed, "executed", (of, name), done, rows))
        self.modifications[of] = Modification(of, name, unmodified, executed)
        return handle

    def reward(self, mechanism: Callable[..., Any], *, parents: Iterable[str] | None = None) -> Var:
        """The reward R_t, a number (an int, Fraction, float or expression in parameters) of step t's nodes."""
        self._tables_closed("R")
        if self.reward_node is not None:
            raise WorldError(f"episode {self.name!r}: the reward is declared twice")
        if not callable(mechanism):
            raise WorldError(f"episode {self.name!r}: the reward must be a function of the step's nodes")
        names = tuple(inspect.signature(mechanism).parameters) if parents is None else tuple(parents)

        def number(*ctx: State) -> Any:
            value = mechanism(*ctx)
            if isinstance(value, (Mapping, str, bool)) or value is None:
                raise WorldError(f"the reward must be a number, got {value!r}")
            return value if isinstance(value, float) else sp.sympify(value)

        node = self._node("R", "reward", number, names, None)
        integers = all(isinstance(v, sp.Integer) for v in node.states)
        label = {v: int(v) if integers else str(v) for v in node.states}
        self.reward_values: dict[State, Any] = {label[v]: v for v in node.states}
        node = StepNode("R", "reward", node.parents, tuple(label.values()),
                        {ctx: tuple((label[v], p) for v, p in row) for ctx, row in node.rows.items()})
        self.reward_node = node
        return self._add(node)

    def set_roles(self, *, human: str | None = None, stop: State | None = None, run: State | None = None,
                  button: str | None = None, off: State | None = None) -> None:
        """The per-step roles for flags: the human node (per step or hidden) with its stop/run states, and the
        button with its off state; the unrolled world gets those of step 0."""
        for node in (human, button):
            if node is not None:
                self._known("set_roles", node)
        self.roles = {"human": human, "stop": stop, "run": run, "button": button, "off": off}
        self._world = None

    # reading -----------------------------------------------------------------------------
    def name_at(self, name: str, t: int) -> str:
        """The unrolled world's name of template node `name` at step t (`Pos_3`; a hidden variable keeps its name)."""
        node = self.nodes.get(name)
        if node is None:
            raise WorldError(f"episode {self.name!r} has no node {name!r}")
        if not 0 <= t < self.steps:
            raise WorldError(f"episode {self.name!r}: step {t} is outside 0 … {self.steps - 1}")
        return name if node.kind == "hidden" else f"{name}_{t}"

    def modifier(self, decision: str, t: int) -> tuple[str, State]:
        """The node that modifies `decision` at step t and its state meaning 'unmodified' (do() it for the
        branch where the action is executed as chosen)."""
        mod = self.modifications.get(decision)
        if mod is None:
            raise WorldError(f"episode {self.name!r}: decision {decision!r} has no modification")
        return self.name_at(mod.node, t), mod.unmodified

    def role_nodes(self, t: int) -> dict[str, Any]:
        """The roles at step t with node names of the unrolled world (None where not declared)."""
        out = dict(self.roles)
        for key in ("human", "button"):
            if out.get(key) is not None:
                out[key] = self.name_at(out[key], t)
        return out

    @property
    def decision_name(self) -> str:
        """The template name of the per-step decision."""
        for node in self.nodes.values():
            if node.kind == "decision":
                return node.name
        raise WorldError(f"episode {self.name!r} declares no decision")

    def world(self) -> World:
        """The episode unrolled into an ordinary World (built once; `world.episode` is this episode)."""
        if self._world is None:
            self._world = self._unroll()
        return self._world

    # building ----------------------------------------------------------------------------
    def _unroll(self) -> World:
        limits.check("steps", self.steps, f"episode {self.name!r}: its steps (each unrolled into nodes of the world)",
                     "Shorten the episode.")
        missing = [x for x in self.initial if x not in self.transitions and self.steps > 1]
        if missing:
            raise WorldError(f"episode {self.name!r}: state variable {missing[0]} has no transition")
        world = World(self.name)
        tables = {name: _table(node) for name, node in {**self.nodes, **{f"{x}'": n for x, n in
                                                                          self.transitions.items()}}.items()}
        for node in self.nodes.values():
            if node.kind == "hidden":
                world.chance(node.name, dict(node.rows[()]))
        for t in range(self.steps):
            for x in self.initial:
                if t == 0:
                    world.chance(f"{x}_0", dict(self.initial[x]), states=self.nodes[x].states)
                else:
                    node = self.transitions[x]
                    world.chance(f"{x}_{t}", tables[f"{x}'"], parents=[self._at(p, t - 1) for p in node.parents],
                                 states=node.states)
            for node in self.nodes.values():
                parents = [self._at(p, t) for p in node.parents]
                if node.kind == "decision":
                    world.decision(f"{node.name}_{t}", node.states, observes=parents)
                elif node.kind not in ("hidden", "state"):
                    table = tables[node.name]
                    world.chance(f"{node.name}_{t}", table if parents else table[()], parents=parents, states=node.states)
        _share_tables(world, self)
        if self.roles:
            r = self.role_nodes(0)
            world.set_roles(human=r["human"], stop=r["stop"], run=r["run"], button=r["button"], off=r["off"])
        world.episode = self
        return world

    def _at(self, name: str, t: int) -> str:
        return name if self.nodes[name].kind == "hidden" else f"{name}_{t}"

    def _add(self, node: StepNode) -> Var:
        self._check_name(node.name)
        self.nodes[node.name] = node
        self._world = None
        return Var(node.name, node.states)

    def _check_name(self, name: str) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise WorldError(f"episode {self.name!r}: a node name must be a Python identifier, got {name!r}")
        if name in self.nodes:
            raise WorldError(f"episode {self.name!r}: node {name} is declared twice")

    def _known(self, what: str, parent: str) -> StepNode:
        node = self.nodes.get(parent)
        if node is None:
            raise WorldError(f"episode {self.name!r}: {what} reads {parent!r}, which is not declared before it")
        return node

    def _tables_closed(self, what: str) -> None:
        if self.reward_node is not None and what != "R" and not what.startswith("the transition"):
            raise WorldError(f"episode {self.name!r}: {what} is declared after the reward; the reward comes last in a step")

    def _node(self, name: str, kind: str, mechanism: Any, parents: Iterable[str] | None,
              states: Iterable[State] | None, *, new: bool = True) -> StepNode:
        if new:
            self._check_name(name)
        if callable(mechanism):
            names = tuple(inspect.signature(mechanism).parameters)
            parents = names if parents is None else tuple(parents)
            if len(parents) != len(names) and not any(p.kind == p.VAR_POSITIONAL
                                                      for p in inspect.signature(mechanism).parameters.values()):
                raise WorldError(f"episode {self.name!r}: node {name} lists parents {list(parents)} but its "
                                 f"function takes {list(names)}")
            call = mechanism
        elif isinstance(mechanism, Mapping):
            parents = tuple(parents or ())
            table = mechanism

            def call(*ctx: State) -> Any:
                if not parents:
                    return table  # a node without parents: its distribution
                key: Any = ctx if len(ctx) != 1 or ctx in table else ctx[0]
                if key not in table:
                    raise WorldError(f"episode {self.name!r}: node {name} has no row for {dict(zip(parents, ctx, strict=True))}")
                return table[key]
        else:
            raise WorldError(f"episode {self.name!r}: node {name}'s mechanism must be a function or a table, "
                             f"got {type(mechanism).__name__}")
        spaces = [self._known(f"node {name}", p).states for p in parents]
        limits.check_table(name, [len(s) for s in spaces], len(states) if states is not None else 1)
        rows: dict[tuple[State, ...], Row] = {}
        for ctx in itertools.product(*spaces):
            try:
                out = call(*ctx)
            except WorldError:
                raise
            except Exception as exc:
                where = ", ".join(f"{p}={v!r}" for p, v in zip(parents, ctx, strict=True))
                raise WorldError(f"episode {self.name!r}: node {name} raised {type(exc).__name__} at {where}: {exc}") \
                    from exc
            rows[ctx] = _distribution(name, out if isinstance(out, Mapping) else {out: 1}, keep_zero=False)
        found = tuple(dict.fromkeys(s for row in rows.values() for s, _ in row))
        node_states = _states(name, states) if states is not None else found
        _check_in(name, found, node_states, "its mechanism")
        return StepNode(name, kind, parents, node_states, rows)


def _states(name: str, states: Iterable[State]) -> tuple[State, ...]:
    out = tuple(states)
    limits.check_states(name, len(out))
    if not out or len(set(out)) != len(out):
        raise StateError(f"node {name}: its states {list(out)} must be distinct and non-empty")
    return out


def _check_in(name: str, found: Iterable[Any], states: tuple[State, ...], what: str) -> None:
    for s in found:
        if s not in states:
            raise StateError(f"node {name}: {what} gives state {s!r}, not one of {list(states)}")


def _distribution(name: str, dist: Mapping[Any, Any], keep_zero: bool = True) -> Row:
    if not isinstance(dist, Mapping) or not dist:
        raise WorldError(f"node {name}: a distribution is a non-empty {{state: probability}} dict, got {dist!r}")
    return tuple((s, p if isinstance(p, float) else sp.sympify(p)) for s, p in dist.items()
                 if keep_zero or not (not isinstance(p, float) and sp.sympify(p).is_zero))


def _table(node: StepNode) -> dict[tuple[State, ...], dict[State, Any]]:
    return {ctx: dict(row) for ctx, row in node.rows.items()}


def as_episode(world: World) -> Episode | None:
    """The episode a world was unrolled from, or None."""
    return getattr(world, "episode", None)


def _share_tables(world: World, ep: Episode) -> None:
    """Every step's copy of a node has the same table: it is built and checked once, and the world's compilation
    reuses it for each step (as it reuses a copied world's unchanged tables)."""
    shared: dict[str, CompiledNode] = {}
    inherited: dict[str, CompiledNode] = {}
    templates = [(x + "'", x, 1) for x in ep.transitions] + [(n.name, n.name, 0) for n in ep.nodes.values()
                                                             if n.kind not in ("hidden", "state", "decision")]
    for key, name, first in templates:
        for t in range(first, ep.steps):
            node = world.nodes[f"{name}_{t}"]
            model = shared.get(key)
            if model is None:
                model = shared[key] = CompiledNode(node, world._table(node))
                model.__dict__.update(parameters=model.parameters, deterministic=model.deterministic)
            compiled = CompiledNode(node, model.table)
            compiled.__dict__.update(parameters=model.parameters, deterministic=model.deterministic)
            inherited[node.name] = compiled
    world._inherited = inherited

__all__ = ["Episode", "Modification", "StepNode", "as_episode"]
