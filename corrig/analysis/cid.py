"""The objective as an influence diagram: the world's DAG, each agent's decisions, and utility nodes.

Every criterion of corrig.analysis.incentives and every refinement of corrig.analysis.equilibria
reads the same structure, a (multi-agent) causal influence diagram built from a world and one
objective per agent:

- the world's nodes and edges; decisions are tagged with the agent who sets them;
- one utility node per additive piece of each objective (a P(...) term, or each summand of an
  E(...) term), whose parents are the nodes that piece reads (its target and its given(...));
- when the objectives hold several interventions, a branch selector root feeds every node some
  branch intervenes on (a node every branch sets to the same state loses its parents instead),
  so that one diagram holds every branch: its expected utilities are the objective's (the
  construction corrig.analysis.solve optimises on).

A counterfactual term, a product of terms, a given(...) whose probability depends on the policy
and a do(...) on a decision are not one influence diagram; their utility nodes read the nodes the
term reads (observation and target) with the intervention handled as a do(...), and `exact` is
False: the graphical criteria are then a pre-check, the quantitative values stay exact.

The graph tests follow PyCID (causalincentives/pycid, pycid/analyze/requisite_graph.py and
pycid/core/macid_base.py) and use networkx's d-separation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from corrig.inference.counterfactual import twin_name
from corrig.model.agents import AI, owners
from corrig.model.expr import BinOp, Const, Expr
from corrig.objectives.terms import Atom, Branch, Constant, Product, Sum, Term, as_term

if TYPE_CHECKING:
    from corrig.model.world import World

SELECTOR = "__branch__"


@dataclass(frozen=True)
class CID:
    """A (multi-agent) causal influence diagram: graph, decision owners, utility nodes and their owners."""

    graph: nx.DiGraph
    decisions: Mapping[str, str]  # decision -> agent
    utilities: Mapping[str, str]  # utility node -> agent
    labels: Mapping[str, str]  # utility node -> the piece of the objective it stands for
    order: tuple[str, ...]  # the world's nodes in topological order
    exact: bool = True
    notes: tuple[str, ...] = field(default=())

    def agent_utilities(self, agent: str) -> set[str]:
        """The utility nodes of one agent."""
        return {u for u, a in self.utilities.items() if a == agent}

    def decisions_of(self, agent: str) -> list[str]:
        """One agent's decisions, in topological order."""
        return [d for d in self.order if self.decisions.get(d) == agent]

    def family(self, decision: str, graph: nx.DiGraph | None = None) -> set[str]:
        """Fa(D): the decision and its parents (in `graph`, default the diagram's)."""
        g = self.graph if graph is None else graph
        return {decision, *g.predecessors(decision)}


class _NotLinear(Exception):
    """The objective is not a weighted sum of P/E terms."""


def _linear_atoms(term: Term) -> list[Atom]:
    """The atoms of an objective that is a weighted sum of P/E terms; _NotLinear otherwise."""
    if isinstance(term, Constant):
        return []
    if isinstance(term, Atom):
        return [term]
    if isinstance(term, Sum):
        return [a for t in term.terms for a in _linear_atoms(t)]
    if isinstance(term, Product):
        inner = [t for t in term.terms if not isinstance(t, Constant)]
        if len(inner) > 1:
            raise _NotLinear(f"it multiplies two terms ({inner[0]!r} and {inner[1]!r})")
        return _linear_atoms(inner[0]) if inner else []
    raise _NotLinear(f"it holds {term!r}, which is not a sum of weighted P/E terms")


def _summands(expr: Expr) -> list[Expr]:
    """expr split on + and - and numeric factors (expectation is linear)."""
    if isinstance(expr, BinOp):
        if expr.op in ("+", "-"):
            return _summands(expr.left) + _summands(expr.right)
        if expr.op == "*":
            for const, other in ((expr.left, expr.right), (expr.right, expr.left)):
                if isinstance(const, Const) and not isinstance(const.value, str | bool):
                    return _summands(other)
    return [expr]


def _pieces_of(atom: Atom, linear: bool, world: World | None = None
               ) -> list[tuple[tuple[tuple[str, Any], ...], frozenset[str], bool]]:
    """(intervention, scope, exact) for each utility piece of an atom."""
    branch = atom.branch
    if branch.counterfactual is not None:
        cf = branch.counterfactual
        observed = cf.observation
        scope = set(atom.target.scope()) | (observed.event.scope() if observed.event is not None
                                            else {k for k, _ in observed.assignment})
        return [(tuple(cf.intervention.as_dict().items()), frozenset(scope), False)]
    do = tuple(branch.do.as_dict().items()) if branch.do is not None else ()
    condition: set[str] = set()
    if branch.given is not None:
        g = branch.given
        condition = set(g.event.scope()) if g.event is not None else {k for k, _ in g.assignment}
        if world is not None:  # a condition whose probability depends on the policy: a ratio, not one diagram
            graph = world.compiled.graph
            upstream = set(condition).union(*(nx.ancestors(graph, n) for n in condition if n in graph))
            if any(world.nodes[n].is_decision for n in upstream if n in world.nodes):
                linear = False
    parts = [atom.target] if atom.kind == "P" else _summands(atom.target)
    out = []
    for part in parts:
        scope = frozenset(set(part.scope()) | condition)
        if scope or condition:
            out.append((do, scope, linear))
    return out


def objective_cid(world: World, objectives: Mapping[str, Term] | Term, decisions: Mapping[str, str] | None = None) -> CID:
    """The diagram of `world` with each agent's objective as utility nodes.

    objectives: {agent: term}, or one term (the AI's).  decisions: {decision: agent}; by default
    the world's own declaration (every decision belongs to the AI unless declared otherwise).
    """
    if isinstance(objectives, Term):
        objectives = {AI: objectives}
    owner = dict(owners(world) if decisions is None else decisions)
    compiled = world.compiled
    exact = True
    notes: list[str] = []
    pieces: list[tuple[str, tuple[tuple[str, Any], ...], frozenset[str], str]] = []
    for agent, objective in objectives.items():
        objective = as_term(objective)
        try:
            atoms = _linear_atoms(objective)
            linear = True
        except _NotLinear as exc:
            atoms = list(objective.atoms())
            linear = False
            notes.append(f"{agent}'s objective is not one influence diagram: {exc}")
        for atom in atoms:
            for do, scope, ok in _pieces_of(atom, linear, world):
                if any(n in owner for n, _ in do):
                    ok = False
                    notes.append(f"{atom!r} intervenes on a decision: its branch is drawn with the decision left in place")
                elif not ok and linear:
                    kind = "is counterfactual" if atom.branch.counterfactual is not None else \
                        "conditions on an event whose probability depends on the policy"
                    notes.append(f"{atom!r} {kind}: the diagram approximates it")
                exact = exact and ok
                pieces.append((agent, do, scope, repr(atom)))
    graph = nx.DiGraph()
    for n in compiled.order:
        graph.add_node(n, kind="decision" if n in owner else "chance")
    graph.add_edges_from(compiled.graph.edges)
    branches = {do for _, do, _, _ in pieces}
    intervened = {name for do in branches for name, _ in do if name not in owner}
    multi = len(branches) > 1
    if multi and intervened:
        graph.add_node(SELECTOR, kind="selector")
    for name in intervened:
        settings = {dict(do).get(name) for do in branches}
        if None not in settings:
            graph.remove_edges_from(list(graph.in_edges(name)))
        if len(settings) > 1:
            graph.add_edge(SELECTOR, name)
    utilities, labels = {}, {}
    for i, (agent, _do, scope, label) in enumerate(pieces):
        u = f"__utility_{i}__"
        graph.add_node(u, kind="utility", agent=agent)
        graph.add_edges_from((n, u) for n in sorted(scope))
        if multi and intervened:
            graph.add_edge(SELECTOR, u)
        utilities[u] = agent
        labels[u] = label
    decisions_map = {d: a for d, a in owner.items() if d in graph and world.nodes[d].is_decision}
    return CID(graph, decisions_map, utilities, labels, tuple(compiled.order), exact, tuple(dict.fromkeys(notes)))


# branch graphs ------------------------------------------------------------------------------
def event_scope(part: Any) -> frozenset[str]:
    """The nodes a given(...)/observed(...) part reads."""
    return part.event.scope() if part.event is not None else frozenset(k for k, _ in part.assignment)


def branch_graph(world: World, branch: Branch) -> tuple[nx.DiGraph, dict[str, str]]:
    """The graph a branch reads: do() cuts edges into its nodes; a counterfactual adds its twin copies.

    Returns the graph and the map from each duplicated node to its copy's name.
    """
    graph = world.compiled.graph
    if branch.counterfactual is None:
        cut = graph.copy()
        for name in (branch.do.as_dict() if branch.do else {}):
            cut.remove_edges_from(list(cut.in_edges(name)))
        return cut, {}
    intervention = branch.counterfactual.intervention.as_dict()
    duplicated = set(intervention)
    for name in intervention:
        duplicated |= nx.descendants(graph, name)
    names = {n: twin_name(world, n) for n in duplicated}
    twin = graph.copy()
    for n in duplicated:
        twin.add_node(names[n])
        if n not in intervention:
            twin.add_edges_from((names.get(u, u), names[n]) for u in graph.predecessors(n))
    return twin, names


def branch_reads(atom: Atom, names: Mapping[str, str]) -> set[str]:
    """The nodes an atom reads in its branch graph (targets renamed to twin copies)."""
    branch = atom.branch
    if branch.counterfactual is not None:
        return {names.get(n, n) for n in atom.target.scope()} | set(event_scope(branch.counterfactual.observation))
    return set(atom.target.scope()) | (set(event_scope(branch.given)) if branch.given else set())



# graph tests --------------------------------------------------------------------------------
def d_connected(graph: nx.DiGraph, source: str, targets: Iterable[str], given: Iterable[str]) -> bool:
    """True when `source` is d-connected to some node of `targets` given `given`."""
    given = set(given) - {source}
    targets = set(targets) - given - {source}
    if not targets:
        return False
    return not nx.is_d_separator(graph, {source}, targets, given)


def requisite(cid: CID, graph: nx.DiGraph, decision: str, node: str) -> bool:
    """A parent X of D is requisite: X is d-connected to U(D's agent) ∩ Desc(D) given Fa(D) minus X.

    (Fagiuoli & Zaffalon 1998; PyCID `requisite`.)
    """
    below = nx.descendants(graph, decision) & cid.agent_utilities(cid.decisions[decision])
    return d_connected(graph, node, below, cid.family(decision, graph) - {node})


def requisite_graph(cid: CID, decisions: Iterable[str] | None = None) -> nx.DiGraph:
    """G*: the graph with every non-requisite observation edge removed, latest decision first.

    (Lauritzen & Nielsen 2001; PyCID `requisite_graph`.)  `decisions` limits the trimming to
    some decisions (default all).
    """
    graph = cid.graph.copy()
    chosen = set(cid.decisions if decisions is None else decisions)
    for decision in reversed([d for d in cid.order if d in chosen]):
        for parent in list(graph.predecessors(decision)):
            if not requisite(cid, graph, decision, parent):
                graph.remove_edge(parent, decision)
    return graph


def r_reachable(cid: CID, decision: str, node: str) -> bool:
    """A new parent of `node` is d-connected to U(D's agent) ∩ Desc(D) given Fa(D) (Koller & Milch 2003)."""
    graph = cid.graph.copy()
    hat = "__new_parent__"
    graph.add_edge(hat, node)
    below = nx.descendants(cid.graph, decision) & cid.agent_utilities(cid.decisions[decision])
    return d_connected(graph, hat, below, cid.family(decision))


def relevance_graph(cid: CID) -> nx.DiGraph:
    """Edge D -> D' when D' is s-reachable from D: D's optimal rule may depend on D''s rule."""
    relevance = nx.DiGraph()
    decisions = [d for d in cid.order if d in cid.decisions]
    relevance.add_nodes_from(decisions)
    for d, other in itertools.permutations(decisions, 2):
        if r_reachable(cid, d, other):
            relevance.add_edge(d, other)
    return relevance


def subgames(cid: CID) -> list[frozenset[str]]:
    """The decision sets of the MAID's subgames (Hammond et al. 2021): unions of strongly connected
    components of the relevance graph closed under relevance (D in it ⇒ everything D relies on)."""
    relevance = relevance_graph(cid)
    condensed = nx.condensation(relevance)
    members = condensed.graph["mapping"]
    by_scc: dict[int, set[str]] = {}
    for d, c in members.items():
        by_scc.setdefault(c, set()).add(d)
    sccs = list(condensed.nodes)
    found = []
    for r in range(1, len(sccs) + 1):
        for subset in itertools.combinations(sccs, r):
            chosen = set(subset)
            if all(nx.descendants(condensed, c) <= chosen for c in chosen):
                found.append(frozenset().union(*(by_scc[c] for c in chosen)))
    return found


def scc_order(cid: CID) -> list[list[str]]:
    """The relevance graph's strongly connected components, each before the ones it relies on."""
    relevance = relevance_graph(cid)
    condensed = nx.condensation(relevance)
    members = condensed.graph["mapping"]
    order = {d: i for i, d in enumerate(cid.order)}
    groups: dict[int, list[str]] = {}
    for d, c in members.items():
        groups.setdefault(c, []).append(d)
    return [sorted(groups[c], key=order.__getitem__) for c in nx.topological_sort(condensed)]


def reads_mechanism(world: World, atom: Atom, node: str) -> bool:
    """Whether an atom's value can depend on `node`'s mechanism (False when do() fixes it or it is not upstream)."""
    graph = world.compiled.graph
    branch = atom.branch
    if branch.counterfactual is None:
        if branch.do is not None and node in branch.do.as_dict():
            return False
        cut, _ = branch_graph(world, branch)
        reads = branch_reads(atom, {})
        return node in reads or any(node in nx.ancestors(cut, r) for r in reads)
    cf = branch.counterfactual
    reads = set(atom.target.scope()) | set(event_scope(cf.observation)) | set(cf.intervention.as_dict())
    return node in reads or any(node in nx.ancestors(graph, r) for r in reads)


def policy_dependent_ancestry(world: World, node: str) -> tuple[list[str], list[str]]:
    """(D, Z): D = the node and its ancestors that are decisions or downstream of one; Z = the
    policy-independent parents of D.  D is empty when no decision is upstream of the node."""
    graph = world.compiled.graph
    decisions = set(world.decisions)
    ancestors = nx.ancestors(graph, node)
    dependent = {n for n in ancestors | {node} if n in decisions or nx.ancestors(graph, n) & decisions}
    if node not in dependent:
        return [], []
    z = {p for n in dependent for p in graph.predecessors(n) if p not in dependent}
    order = world.compiled.order
    return [n for n in order if n in dependent], [n for n in order if n in z]
