"""Declaring a stop-button world: chance and decision nodes over named states, and roles.

A `World` is a causal DAG.  Nodes are declared once; a chance node's parents are the
argument names of its mechanism (or the `parents=` of its table); a decision node lists the
parents it observes.  Declarations are checked when the world is compiled (at the first
query, or by `check()`): unknown parents, cycles, states outside a domain, distributions
that do not sum to one and probabilities outside [0, 1] are reported with the node, parent
assignment and state at fault.  `do` returns a new world; queries never change a world.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import networkx as nx
import sympy as sp

from corrig.model import limits
from corrig.model.agents import Agent
from corrig.model.agents import declare as declare_agent
from corrig.model.continuous import ContinuousPart, ContinuousVar, distributions, read_reader, reader_states
from corrig.model.distributions import Distribution
from corrig.model.errors import (
    CycleError,
    DistributionError,
    PolicyError,
    QueryError,
    StateError,
    UnknownNodeError,
    WorldError,
)
from corrig.model.expr import State, Var
from corrig.model.numbers import check_distribution, is_float_valued, to_number
from corrig.model.params import check_distinct_names, parameters_in


@dataclass(frozen=True)
class Roles:
    """Which node is the human preference H (with its stop/run states) and which the shutdown B."""

    human: str | None = None
    stop: State | None = None
    run: State | None = None
    button: str | None = None
    off: State | None = None


@dataclass(frozen=True)
class Node:
    """A declared node.  `table` maps each parent assignment to a distribution over `states`."""

    name: str
    kind: str  # "chance", "decision" or "continuous"
    states: tuple[State, ...]
    parents: tuple[str, ...]
    mechanism: Any = field(default=None, compare=False)

    @property
    def is_decision(self) -> bool:
        """True for a node the AI sets."""
        return self.kind == "decision"

    @property
    def is_continuous(self) -> bool:
        """True for a node with a continuous distribution (corrig.model.distributions)."""
        return self.kind == "continuous"


@dataclass(frozen=True)
class CompiledNode:
    """A chance node's validated table: parent assignment -> probabilities aligned with `states`."""

    node: Node
    table: Mapping[tuple[State, ...], tuple[sp.Expr, ...]]

    @cached_property
    def deterministic(self) -> bool:
        """True when every row puts probability one on a single state (a float 0.0 is zero too)."""
        return all(sum(1 for v in row if not sp.sympify(v).is_zero) == 1 for row in self.table.values())

    @cached_property
    def parameters(self) -> frozenset[sp.Symbol]:
        """The parameters the table's probabilities read (a copied world's unchanged node keeps them)."""
        return frozenset().union(*(parameters_in(v) for row in self.table.values() for v in row))


@dataclass(frozen=True)
class CompiledWorld:
    """A validated world: topological order, each chance node's table, the decision nodes."""

    nodes: Mapping[str, Node]
    order: tuple[str, ...]
    tables: Mapping[str, CompiledNode]
    graph: nx.DiGraph
    roles: Roles
    parameters: frozenset[sp.Symbol]
    floats: bool  # some CPD holds a float: queries answer in floats
    derived: dict = field(default_factory=dict, compare=False, repr=False)  # worlds built from this one (twins)
    continuous: ContinuousPart | None = None  # continuous nodes and their readers (corrig.model.continuous)


class _Tables(dict):
    """A continuous world's tables: its continuous nodes and their readers have none until integrated out."""

    def __init__(self, tables: Mapping[str, CompiledNode], integrated: set[str]):
        super().__init__(tables)
        self.integrated = integrated

    def __missing__(self, name: str) -> CompiledNode:
        if name in self.integrated:
            raise QueryError(f"node {name} is continuous or reads a continuous node: it has a table only once the "
                             f"continuous nodes are integrated out (corrig.inference.continuous.discretize); this "
                             f"operation does not do that")
        raise KeyError(name)


_CONTINUOUS: Any = object()  # _infer_states' answer for a mechanism returning distributions


def _sort_states(states: list[State]) -> tuple[State, ...]:
    kinds = {type(s) for s in states}
    if len(kinds) == 1 and kinds <= {int, bool, str}:
        return tuple(sorted(states))
    return tuple(states)


def _parent_names(function: Callable[..., Any], node: str) -> tuple[str, ...]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError) as exc:
        raise WorldError(f"node {node}: cannot read the parent names of its mechanism: {exc}") from None
    names = []
    for p in signature.parameters.values():
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            raise WorldError(f"node {node}: its mechanism's argument {p.name!r} must be a plain named argument")
        names.append(p.name)
    return tuple(names)


def _context_text(parents: tuple[str, ...], context: tuple[State, ...]) -> str:
    if not parents:
        return ""
    return " given " + ", ".join(f"{p}={v!r}" for p, v in zip(parents, context, strict=True))


class World:
    """A causal DAG over named discrete states with chance nodes, decision nodes and roles."""

    def __init__(self, name: str = "world"):
        self.name = name
        self._nodes: dict[str, Node] = {}
        self._roles = Roles()
        self._principals: Any = None  # corrig.model.principals.Principals, when declared with set_principals
        self._compiled: CompiledWorld | None = None
        self._inherited: Mapping[str, CompiledNode] = {}  # tables a copy can reuse (same Node object)
        self.assumptions: tuple[str, ...] = ()
        self._former_decisions: frozenset[str] = frozenset()  # decisions made chance nodes by do() or replace()
        self.agents: dict[str, Agent] = {}  # agents other than the default AI (corrig.model.agents)
        self._integrated = False  # tables built by corrig.inference.continuous: exact by construction, not rechecked
        self.episode, self.episode_at = None, {}  # the Episode this world was unrolled from, values substituted since

    # declaration --------------------------------------------------------------------------
    def chance(
        self,
        name: str,
        mechanism: Any,
        *,
        states: Iterable[State] | None = None,
        parents: Iterable[str] | None = None,
    ) -> Var:
        """Declare a chance node and return its handle.

        `mechanism` is a {state: probability} dict (a root node), a function whose argument
        names are the parents and which returns a state or a {state: probability} dict, or,
        with `parents=`, a table {parent assignment: state or {state: probability}} (a single
        parent's assignment may be written without the tuple).
        """
        self._check_new_name(name)
        explicit = None if states is None else tuple(states)
        if isinstance(mechanism, Distribution):
            if parents:
                raise WorldError(f"node {name}: a distribution has no parents; give a function of the parents "
                                 f"returning one (lambda X: Normal(X, 1)) for a node that reads them")
            self._add(Node(name, "continuous", (), (), mechanism))
            return ContinuousVar(name, ())
        if callable(mechanism):
            own_parents = _parent_names(mechanism, name)
            if parents is not None and tuple(parents) != own_parents:
                raise WorldError(
                    f"node {name}: parents={list(parents)} differs from its mechanism's "
                    f"arguments {list(own_parents)}; the argument names are the parents"
                )
            node_parents = own_parents
        elif isinstance(mechanism, Mapping):
            node_parents = tuple(parents or ())
        else:
            raise WorldError(
                f"node {name}: a mechanism must be a dict or a function of the parents, "
                f"got {type(mechanism).__name__}"
            )
        if explicit is None and self._continuous_table(mechanism, node_parents):
            self._add(Node(name, "continuous", (), node_parents, mechanism))
            return ContinuousVar(name, ())
        sources = [p for p in node_parents if p in self._nodes and self._nodes[p].is_continuous]
        if explicit is None and sources:
            states_of = {p: self._nodes[p].states for p in node_parents if p in self._nodes}
            if len(sources) > 1 or len(states_of) < len(node_parents):
                raise WorldError(f"node {name} reads {sources}: a node may read one continuous node, its other "
                                 f"parents declared first (or give states=)")
            explicit = _sort_states(reader_states(name, mechanism, node_parents, states_of))
        if explicit is None:
            explicit = self._infer_states(name, mechanism, node_parents)
            if explicit is _CONTINUOUS:
                self._add(Node(name, "continuous", (), node_parents, mechanism))
                return ContinuousVar(name, ())
        limits.check_states(name, len(explicit))
        if len(set(explicit)) != len(explicit) or not explicit:
            raise StateError(f"node {name}: its states {list(explicit)} must be distinct and non-empty")
        self._add(Node(name, "chance", explicit, node_parents, mechanism))
        return Var(name, explicit)

    def decision(self, name: str, states: Iterable[State], *, observes: Iterable[str] = (), agent: str | None = None) -> Var:
        """Declare a decision node with its states and the parents it observes (set by `agent`, default the AI)."""
        self._check_new_name(name)
        node_states = tuple(states)
        limits.check_states(name, len(node_states))
        if len(set(node_states)) != len(node_states) or not node_states:
            raise StateError(f"decision {name}: its states {list(node_states)} must be distinct and non-empty")
        self._add(Node(name, "decision", node_states, tuple(observes)))
        if agent is not None:
            declare_agent(self, agent, [name])
        return Var(name, node_states)

    def agent(self, name: str, *, decisions: Iterable[str | Var] = (), objective: Any = None) -> Agent:
        """Declare an agent who sets `decisions` and wants `objective` (a term); see corrig.model.agents."""
        return declare_agent(self, name, decisions, objective)

    def set_roles(
        self,
        *,
        human: str | Var | None = None,
        stop: State | None = None,
        run: State | None = None,
        button: str | Var | None = None,
        off: State | None = None,
    ) -> None:
        """Mark the human-preference node H (with its stop and run states) and the shutdown node B."""
        roles = self._roles
        if human is not None:
            h = human.name if isinstance(human, Var) else human
            roles = Roles(h, stop, run, roles.button, roles.off)
        if button is not None:
            b = button.name if isinstance(button, Var) else button
            roles = Roles(roles.human, roles.stop, roles.run, b, off)
        self._roles = roles
        self._principals = None
        self._compiled = None

    def set_principals(self, humans: Any, *, buttons: Any = ()) -> None:
        """Declare several humans and the buttons saying who may stop the AI (corrig.model.principals).

        humans: {name: (node, stop, run)} or {name: {node, stop, run, sees, about}}, or a list of Principal;
        buttons: a Button, a list of Button, or {node: {off, rule, humans, designated}}.
        """
        from corrig.model.principals import make_principals

        self._principals = make_principals(humans, buttons)
        self._roles = Roles()
        self._compiled = None

    @property
    def principals(self) -> Any:
        """The humans and buttons declared with set_principals (None for a set_roles world)."""
        return self._principals

    def replace(self, name: str, mechanism: Any, *, parents: Iterable[str] = (), states: Iterable[State] | None = None) -> Var:
        """Give an existing node a new chance mechanism (a decision becomes a chance node).

        For deriving worlds (policies applied, noise made explicit); `do` is the usual way.
        """
        old = self._node(name)
        if old.is_decision:
            self._former_decisions |= {name}
        order = list(self._nodes)
        del self._nodes[name]
        try:
            handle = self.chance(name, mechanism, parents=None if callable(mechanism) else parents,
                                 states=old.states if states is None else states)
        except Exception:
            self._nodes[name] = old
            raise
        finally:
            reordered = {n: self._nodes[n] for n in order}
            self._nodes.clear()
            self._nodes.update(reordered)
        return handle

    def _check_new_name(self, name: str) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise WorldError(f"a node name must be a Python identifier, got {name!r}")
        if name in self._nodes:
            raise WorldError(f"node {name} is declared twice")

    def _add(self, node: Node) -> None:
        self._nodes[node.name] = node
        self._compiled = None

    def _infer_states(self, name: str, mechanism: Any, parents: tuple[str, ...]) -> tuple[State, ...]:
        if isinstance(mechanism, Mapping) and not parents:
            return tuple(mechanism.keys())
        if isinstance(mechanism, Mapping):
            rows = mechanism.values()
        else:
            missing = [p for p in parents if p not in self._nodes]
            if missing:
                raise UnknownNodeError(
                    f"node {name}: its mechanism reads {missing[0]!r}, which is not a declared node "
                    f"(declare it first, or give {name}'s states=)"
                )
            limits.check_table(name, [len(self._nodes[p].states) for p in parents], 1)
            rows = [
                self._call(name, mechanism, parents, context)
                for context in itertools.product(*(self._nodes[p].states for p in parents))
            ]
        rows = list(rows)
        if rows and all(isinstance(row, Distribution) for row in rows):
            return _CONTINUOUS
        seen: dict[State, None] = {}  # ordered, and membership is a hash probe (10 000 states stay linear)
        for row in rows:
            for state in (row.keys() if isinstance(row, Mapping) else [row]):
                seen.setdefault(state, None)
        return _sort_states(list(seen))

    def _continuous_table(self, mechanism: Any, parents: tuple[str, ...]) -> bool:
        """True for a table {parent context: distribution}: a continuous node with discrete parents."""
        return (isinstance(mechanism, Mapping) and bool(parents) and bool(mechanism)
                and all(isinstance(v, Distribution) for v in mechanism.values()))

    @staticmethod
    def _call(name: str, mechanism: Callable[..., Any], parents: tuple[str, ...], context: tuple) -> Any:
        try:
            return mechanism(**dict(zip(parents, context, strict=True)))
        except Exception as exc:  # the user's mechanism failed: say where
            raise WorldError(
                f"node {name}: its mechanism raised {type(exc).__name__}: {exc}"
                f"{_context_text(parents, context)}"
            ) from exc

    # reading ------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Var:
        node = self._node(name)
        return ContinuousVar(node.name, ()) if node.is_continuous else Var(node.name, node.states)

    def __contains__(self, name: object) -> bool:
        return name in self._nodes

    def _node(self, name: str) -> Node:
        if name not in self._nodes:
            raise UnknownNodeError(f"{name!r} is not a node of world {self.name!r}; its nodes are {list(self._nodes)}")
        return self._nodes[name]

    @property
    def nodes(self) -> Mapping[str, Node]:
        """The declared nodes by name, in declaration order (a read-only view)."""
        return MappingProxyType(self._nodes)

    @property
    def handles(self) -> dict[str, Var]:
        """A handle for every node, by name."""
        return {n.name: self[n.name] for n in self._nodes.values()}

    @property
    def decisions(self) -> tuple[str, ...]:
        """The decision nodes, in topological order."""
        return tuple(n for n in self.compiled.order if self._nodes[n].is_decision)

    @property
    def roles(self) -> Roles:
        """The H and B roles."""
        return self._roles

    @property
    def graph(self) -> nx.DiGraph:
        """The DAG as a networkx DiGraph (nodes carry `kind` and `states`)."""
        return self.compiled.graph.copy()

    def __repr__(self) -> str:
        return f"World({self.name!r}, nodes={list(self._nodes)})"

    def _repr_html_(self) -> str:
        from corrig.model.display import world_html

        return world_html(self)

    # transformations ----------------------------------------------------------------------
    def do(self, assignment: Mapping[str, State] | None = None, **kwargs: State) -> World:
        """The mutilated world in which each named node is set to the given state."""
        settings = {**(assignment or {}), **kwargs}
        twin = self.copy(name=f"{self.name} | do({', '.join(f'{k}={v!r}' for k, v in settings.items())})")
        for name, state in settings.items():
            node = self._node(name)
            if node.is_continuous:
                raise QueryError(f"do({name}={state!r}): {name} is continuous; do() sets discrete nodes (a decision, "
                                 f"a human's choice); to ask what happens at a value, condition on an interval of {name}")
            if state not in node.states:
                raise StateError(f"do({name}={state!r}): {state!r} is not a state of {name}; its states are {list(node.states)}")
            if node.is_decision:
                twin._former_decisions |= {name}
            twin._nodes[name] = Node(name, "chance", node.states, (), {state: 1})
        twin._compiled = None if self.compiled.continuous is not None else self._mutilated(twin, settings)
        return twin

    def _mutilated(self, twin: World, settings: Mapping[str, State]) -> CompiledWorld:
        """The compiled form of `twin` = this world under do(settings), reusing every other table."""
        compiled = self.compiled
        graph = compiled.graph.copy()
        tables = dict(compiled.tables)
        for name, state in settings.items():
            graph.remove_edges_from(list(graph.in_edges(name)))
            graph.nodes[name]["kind"] = "chance"
            node = twin._nodes[name]
            row = tuple(sp.Integer(1 if s == state else 0) for s in node.states)
            tables[name] = CompiledNode(node, {(): row})
        return CompiledWorld(dict(twin._nodes), compiled.order, tables, graph, twin._roles, compiled.parameters,
                             compiled.floats)

    def copy(self, name: str | None = None) -> World:
        """An independent copy of the declarations (handles stay valid)."""
        twin = World(self.name if name is None else name)
        twin._nodes = dict(self._nodes)
        twin._roles = self._roles
        twin._principals = self._principals
        twin.assumptions = self.assumptions
        twin._former_decisions = self._former_decisions
        twin.agents = dict(self.agents)
        twin._integrated = self._integrated
        twin._inherited = self._compiled.tables if self._compiled is not None else self._inherited
        return twin

    def subs(self, values: Mapping[Any, Any]) -> World:
        """This world with parameters replaced by values: {Symbol or parameter name: number}.

        Parameters are substituted in probabilities and in numeric state values.  Only the nodes
        that read a substituted parameter (in their table, their states or their parents' states)
        are redeclared (chance nodes as tables); names that are not parameters of this world are
        ignored.
        """
        compiled = self.compiled
        by_name = {s.name: s for s in compiled.parameters}
        mapping = {}
        for key, value in values.items():
            symbol = by_name.get(key) if isinstance(key, str) else key
            if symbol in compiled.parameters:
                mapping[symbol] = to_number(value, f"the value of parameter {symbol}")

        def state(s: State) -> State:
            return s.subs(mapping) if isinstance(s, sp.Basic) and s.free_symbols & mapping.keys() else s

        states = {}
        for name, node in self._nodes.items():
            new = tuple(state(s) for s in node.states)
            if len(set(new)) != len(new):
                raise StateError(f"node {name}: its states {list(node.states)} are not distinct at "
                                 f"{', '.join(f'{k}={v}' for k, v in mapping.items())}: {list(new)}")
            states[name] = new
        moved = {name for name, node in self._nodes.items() if states[name] != node.states}
        twin = self.copy()
        part = compiled.continuous
        for name, node in self._nodes.items():
            if node.is_decision:
                if name in moved:
                    twin._nodes[name] = Node(name, "decision", states[name], node.parents)
                continue
            if part is not None and (name in part.nodes or name in part.readers):
                twin._substituted(name, part, mapping, states)
                continue
            table = compiled.tables[name]
            reads = any(v.free_symbols & mapping.keys() for row in table.table.values() for v in row)
            if not reads and name not in moved and not moved & set(node.parents):
                continue
            rows = {tuple(state(c) for c in ctx): dict(zip(states[name], (v.subs(mapping) for v in row), strict=True))
                    for ctx, row in table.table.items()}
            twin.replace(name, rows if node.parents else rows[()], parents=node.parents, states=states[name])
        twin._compiled = None
        if self.episode is not None:  # the same episode at these parameter values
            twin.episode, twin.episode_at = self.episode, {**self.episode_at, **{s.name: v for s, v in mapping.items()}}
        return twin

    def _substituted(self, name: str, part: ContinuousPart, mapping: Mapping[sp.Symbol, Any],
                     states: Mapping[str, tuple[State, ...]]) -> None:
        """Redeclare a continuous node or a reader with `mapping` substituted (as tables of its read rows)."""
        node = self._nodes[name]
        if name in part.nodes:
            table = {ctx: d.subs(mapping) for ctx, d in part.nodes[name].items()}
            self._nodes[name] = Node(name, "continuous", (), node.parents, table[()] if not node.parents else table)
            return
        reader = part.readers[name]
        rows = {tuple(s.subs(mapping) if isinstance(s, sp.Basic) else s for s in ctx):
                {state: value.subs(mapping) for state, value in row.items()} for ctx, row in reader.rows.items()}
        self._nodes[name] = Node(name, "chance", states[name], node.parents, rows[()] if not reader.others else rows)

    # compilation --------------------------------------------------------------------------
    def check(self) -> World:
        """Validate every declaration now (queries do it on first use); returns the world."""
        _ = self.compiled
        return self

    @property
    def compiled(self) -> CompiledWorld:
        """The validated world (computed once, recomputed after a new declaration)."""
        if self._compiled is None:
            self._compiled = self._compile()
        return self._compiled

    def _compile(self) -> CompiledWorld:
        graph = nx.DiGraph()
        for node in self._nodes.values():
            graph.add_node(node.name, kind=node.kind, states=node.states)
        for node in self._nodes.values():
            for parent in node.parents:
                if parent not in self._nodes:
                    what = "observes" if node.is_decision else "has the parent (mechanism argument)"
                    raise UnknownNodeError(
                        f"node {node.name} {what} {parent!r}, which is not a declared node; "
                        f"declared nodes: {list(self._nodes)}"
                    )
                graph.add_edge(parent, node.name)
        try:  # the order fails on a cycle; only then is the cycle looked for (find_cycle walks every edge)
            order = tuple(nx.lexicographical_topological_sort(graph, key=list(self._nodes).index))
        except nx.NetworkXUnfeasible:
            raise CycleError([u for u, _ in nx.find_cycle(graph)]) from None
        for node in self._nodes.values():  # every table (a decision's rule table too) within the limit, before any is built
            limits.check_table(node.name, [len(self._nodes[p].states) for p in node.parents], len(node.states))
        part = self._continuous_part(order)
        integrated = set(part.nodes) | set(part.readers) if part is not None else set()
        tables = {name: self._compiled_node(self._nodes[name]) for name in order
                  if not self._nodes[name].is_decision and name not in integrated}
        if part is not None:
            tables = _Tables(tables, integrated)
        self._check_roles()
        if self._principals is not None:
            self._principals.check(self)
        parameters = frozenset().union(
            *(t.parameters for t in tables.values()),
            *(parameters_in(s) for node in self._nodes.values() for s in node.states),  # numeric states
        )
        if part is not None:
            parameters |= part.parameters
        check_distinct_names(parameters, f"world {self.name!r}")
        floats = any(is_float_valued(v) for t in tables.values() for row in t.table.values() for v in row)
        floats = floats or (part is not None and part.floats)
        return CompiledWorld(dict(self._nodes), order, tables, graph, self._roles, parameters, floats, continuous=part)

    def _continuous_part(self, order: tuple[str, ...]) -> ContinuousPart | None:
        """The continuous nodes' distributions and their readers' rows, checked (None in a discrete world)."""
        continuous = [n for n in order if self._nodes[n].is_continuous]
        if not continuous:
            return None
        readers: dict[str, str] = {}
        for node in self._nodes.values():
            sources = [p for p in node.parents if p in continuous]
            if not sources:
                continue
            if node.is_decision:
                raise WorldError(f"decision {node.name} observes the continuous node {sources[0]}: AI decisions may "
                                 f"observe only discrete nodes (declare a discrete node that reads {sources[0]}, e.g. "
                                 f"lambda {sources[0]}: {{'high': {sources[0]} >= 0, 'low': {sources[0]} < 0}}, and observe it)")
            if node.is_continuous:
                raise WorldError(f"continuous node {node.name} reads the continuous node {sources[0]}: a continuous "
                                 f"node's parents must be discrete")
            if len(sources) > 1:
                raise WorldError(f"node {node.name} reads the continuous nodes {sources}: a node may read one")
            readers[node.name] = sources[0]
        nodes = {n: distributions(self, n) for n in continuous}
        return ContinuousPart(nodes, {r: read_reader(self, r, source) for r, source in readers.items()})

    def _compiled_node(self, node: Node) -> CompiledNode:
        """The node's validated table, reused from the world this one was copied from when unchanged."""
        known = self._inherited.get(node.name)
        if known is not None and known.node is node:
            contexts = itertools.product(*(self._nodes[p].states for p in node.parents))
            if tuple(known.table) == tuple(contexts):
                return known
        return CompiledNode(node, self._table(node))

    def _check_roles(self) -> None:
        r = self._roles
        for role, node_name, wanted in (("human", r.human, {"stop": r.stop, "run": r.run}), ("button", r.button, {"off": r.off})):
            if node_name is None:
                continue
            node = self._nodes.get(node_name)
            if node is None:
                raise UnknownNodeError(f"the {role} role names {node_name!r}, which is not a declared node")
            for label, state in wanted.items():
                if state not in node.states:
                    raise StateError(
                        f"the {role} role's {label} state {state!r} is not a state of {node_name}; "
                        f"its states are {list(node.states)}"
                    )

    def _table(self, node: Node) -> dict[tuple[State, ...], tuple[sp.Expr, ...]]:
        contexts = list(itertools.product(*(self._nodes[p].states for p in node.parents)))
        mechanism = node.mechanism
        table = {}
        for context in contexts:
            where = f"P({node.name}{_context_text(node.parents, context)})"
            if callable(mechanism):
                row = self._call(node.name, mechanism, node.parents, context)
            elif not node.parents:
                row = mechanism
            else:
                key = context[0] if len(context) == 1 and context not in mechanism else context
                if key not in mechanism:
                    raise DistributionError(f"node {node.name}: its table has no row{_context_text(node.parents, context)}")
                row = mechanism[key]
            table[context] = self._row(node, row, where)
        if not callable(mechanism) and node.parents:
            extra = [k for k in mechanism if k not in table and (k,) not in table]
            if extra:
                raise StateError(
                    f"node {node.name}: its table has a row for {extra[0]!r}, which is not an assignment "
                    f"of its parents {list(node.parents)}"
                )
        return table

    def _row(self, node: Node, row: Any, where: str) -> tuple[sp.Expr, ...]:
        if not isinstance(row, Mapping):
            if row not in node.states:
                raise StateError(f"{where}: the mechanism returned {row!r}, which is not a state of {node.name}; "
                                 f"its states are {list(node.states)}")
            row = {row: 1}
        known = set(node.states) if len(row) > 8 else node.states  # a hash probe per key keeps wide rows linear
        for state in row:
            if state not in known:
                raise StateError(f"{where}: {state!r} is not a state of {node.name}; its states are {list(node.states)}")
        values = tuple(to_number(row.get(s, 0), f"{where[:-1]}) at {node.name}={s!r}") for s in node.states)
        read = frozenset().union(*(parameters_in(v) for v in values), *(parameters_in(s) for s in node.states))
        if len(read) > 1:  # two parameters of one name are named before their sum is checked
            check_distinct_names(read, f"world {self.name!r}, {where}")
        if not self._integrated:
            check_distribution(values, node.states, where)
        return values

    # queries (the engine does the work) ---------------------------------------------------
    def P(self, event: Any, policy: Any = None, *, given: Any = None, do: Mapping[str, State] | None = None) -> Any:
        """P_π(event | given) in this world, or in its mutilation by `do`."""
        from corrig.inference.engine import probability

        self.check_rules(policy)
        return probability(self, event, policy, given=given, do=do)

    def E(self, quantity: Any, policy: Any = None, *, given: Any = None, do: Mapping[str, State] | None = None) -> Any:
        """E_π[quantity | given] in this world, or in its mutilation by `do`."""
        from corrig.inference.engine import expectation

        self.check_rules(policy)
        return expectation(self, quantity, policy, given=given, do=do)

    def check_rules(self, policy: Any) -> None:
        """A policy gives rules to decisions only: a rule for a chance node would be ignored silently.

        A decision that do() or replace() made a chance node keeps its rule quietly: the intervention
        overrides the policy there, which is what the caller asked for."""
        rules = getattr(policy, "rules", policy) if policy is not None else {}
        if not isinstance(rules, Mapping):
            return
        decisions = [n for n, d in self._nodes.items() if d.is_decision]
        for name in rules:
            node = self._nodes.get(name) if isinstance(name, str) else None
            if node is None and name not in self._former_decisions:
                raise PolicyError(f"policy {policy}: {name!r} is not a node of world {self.name!r}; a policy gives rules "
                                  f"to the decisions {decisions}")
            if node is not None and not node.is_decision and name not in self._former_decisions:
                raise PolicyError(f"policy {policy}: {name!r} is a chance node; a policy gives rules to the decisions "
                                  f"{decisions} only")

    def with_explicit_noise(self) -> World:
        """This world with every stochastic non-root chance node a deterministic function of a noise root."""
        from corrig.inference.counterfactual import with_explicit_noise

        return with_explicit_noise(self)

    def to_pgmpy(self, policy: Any = None, *, do: Mapping[str, State] | None = None) -> Any:
        """A pgmpy DiscreteBayesianNetwork of this world with the policy's rules as CPDs."""
        from corrig.inference.interop import to_pgmpy

        return to_pgmpy(self, policy, do=do)


def check_world(value: Any, function: str) -> World:
    """`value` when it is a World; otherwise a QueryError saying that `function` needs one."""
    if not isinstance(value, World):
        raise QueryError(f"{function} needs a corrig World, got {type(value).__name__}")
    return value
