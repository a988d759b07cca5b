"""The incentive criteria of Everitt, Carey, Langlois, Ortega & Legg (2021), for every node.

    value_of_information_nodes(world, utility, "D")   # graphical VoI criterion, as PyCID's admits_voi_list
    value_of_information(world, utility, "D", "X")    # EU*(X -> D added) − EU*(X -> D removed), exact
    value_of_control_nodes(world, utility)            # graphical VoC, as admits_voc_list
    value_of_control(world, utility, "X")             # EU*(X chosen by the agent from Pa(X)) − EU*
    response_incentive_nodes(world, utility, "D")     # as admits_ri_list
    instrumental_control_nodes(world, utility)        # as admits_ici_list, for every decision
    direct_value_of_control_nodes(world, utility)     # as admits_dir_voc_list (and indirect_..., per decision)
    incentives(world, utility)                        # all of them, per decision (an IncentiveReport)

Definitions follow PyCID (pycid/analyze/*.py) on the diagram of corrig.analysis.cid (the world
plus one utility node per piece of the objective).  Which nodes each applies to, as in PyCID:

- value of information (D, X): X neither D nor a descendant of D in the world (D could never
  observe what comes after it, even where a do() branch cuts the edge into X); X is a parent of D
  in the requisite graph of the diagram with X -> D added.  Quantitative: the best value with
  X -> D minus the best value without it (other observations kept).
- value of control (X): X not one of the agent's decisions; some utility node is X's descendant in
  the requisite graph (nodes the objective reads count, as PyCID's utility nodes do).
  Quantitative: the best value when the agent may also choose X as a function of X's parents,
  minus the best value.

Quantitative values read the world the agent faces: every other agent's decision follows its
rule in `fixed` (by default, in `incentives`, the other agents' best response to the agent
playing uniformly at random).  A best value is found by corrig.analysis.solve (backward induction
and exact LIMID elimination: no pure policy is enumerated unless the objective needs it); with
parameters, by enumerating the agent's pure policies (a sympy Max, simplified on the box).
- response incentive (D, X): X ≠ D and a directed path X -> ... -> D in the requisite graph.
- instrumental control (D, X): X on a directed path D -> ... -> a node the objective reads, in
  the graph of some branch term (do() cuts the edges into its nodes; a counterfactual branch uses
  its twin network) — D itself included.  The plan's control-path flag is this criterion on H.

docs/incentives.md says where corrig's branches give a criterion a new meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import sympy as sp

from corrig.analysis.cid import CID, branch_graph, branch_reads, objective_cid, requisite_graph
from corrig.analysis.parameters import term_parameters
from corrig.analysis.separable_best import separable_best
from corrig.analysis.signs import box_of, simplify_value
from corrig.analysis.solve import SolveError, solve
from corrig.inference.counterfactual import apply_policy
from corrig.model.agents import AI, check_agent, owners
from corrig.model.agents import declare as declare_agent
from corrig.model.errors import CorrigError, PolicyError, QueryError, UnknownNodeError, ZeroProbabilityCondition
from corrig.model.policies import Policy, checked_policy, count_pure_policies, pure_policies
from corrig.model.world import World, check_world
from corrig.objectives.terms import Term, as_term, check_size

VALUE_OF_INFORMATION = "value-of-information"
VALUE_OF_CONTROL = "value-of-control"
RESPONSE_INCENTIVE = "response-incentive"
INSTRUMENTAL_CONTROL = "instrumental-control"
CRITERIA = (VALUE_OF_INFORMATION, VALUE_OF_CONTROL, RESPONSE_INCENTIVE, INSTRUMENTAL_CONTROL)
POLICY_LIMIT = 4096  # pure policies a value with parameters may enumerate (per variant world)
SOLVE_LIMIT = 1 << 16  # joint rules (or pure policies) corrig.analysis.solve may enumerate for one best value


# the agent's diagram ------------------------------------------------------------------------
def _arguments(world: World, agent: Any) -> None:
    """Refuse a world argument that is no World, or an agent the world does not have (QueryError naming it)."""
    check_world(world, "an incentive criterion")
    check_agent(world, agent)


def _agent_cid(world: World, objective: Term, agent: str) -> CID:
    """The diagram in which only `agent`'s decisions are decisions (the others' are chance nodes)."""
    _arguments(world, agent)
    check_size(as_term(objective), f"{agent}'s objective")
    mine = {d: a for d, a in owners(world).items() if a == agent}
    return objective_cid(world, {agent: as_term(objective)}, mine)


def _decision(world: World, decision: str, agent: str) -> None:
    _arguments(world, agent)
    if decision not in world.nodes:
        raise UnknownNodeError(f"{decision!r} is not a node of world {world.name!r}; its nodes are {list(world.nodes)}")
    if not world.nodes[decision].is_decision:
        raise QueryError(f"{decision} is a chance node: the criterion needs one of {agent}'s decisions")
    if owners(world).get(decision) != agent:
        raise QueryError(f"{decision} is set by {owners(world)[decision]}, not by {agent}")


def _node(world: World, node: str) -> None:
    if node not in world.nodes:
        raise UnknownNodeError(f"{node!r} is not a node of world {world.name!r}; its nodes are {list(world.nodes)}")


# graphical criteria -------------------------------------------------------------------------
def admits_value_of_information(world: World, objective: Term, decision: str, node: str, *, agent: str = AI) -> bool:
    """Graphical VoI criterion (PyCID admits_voi) for `node` at `decision`."""
    _decision(world, decision, agent)
    _node(world, node)
    cid = _agent_cid(world, objective, agent)
    if node == decision or node in nx.descendants(world.compiled.graph, decision):
        return False  # the decision could never observe it (a do() branch cutting an edge into it changes nothing)
    graph = cid.graph.copy()
    graph.add_edge(node, decision)
    extended = CID(graph, cid.decisions, cid.utilities, cid.labels, cid.order, cid.exact, cid.notes)
    return requisite_graph(extended).has_edge(node, decision)


def value_of_information_nodes(world: World, objective: Term, decision: str, *, agent: str = AI) -> list[str]:
    """The nodes admitting value of information at `decision` (PyCID admits_voi_list), in topological order."""
    _decision(world, decision, agent)
    return [n for n in world.compiled.order if admits_value_of_information(world, objective, decision, n, agent=agent)]


def response_incentive_nodes(world: World, objective: Term, decision: str, *, agent: str = AI) -> list[str]:
    """The nodes X ≠ D with a directed path X -> D in the requisite graph (PyCID admits_ri_list)."""
    _decision(world, decision, agent)
    cid = _agent_cid(world, objective, agent)
    reduced = requisite_graph(cid)
    upstream = nx.ancestors(reduced, decision)
    return [n for n in world.compiled.order if n in upstream]


def value_of_control_nodes(world: World, objective: Term, *, agent: str = AI) -> list[str]:
    """The non-decision nodes with a directed path to a utility node in the requisite graph (PyCID admits_voc_list)."""
    cid = _agent_cid(world, objective, agent)
    reduced = requisite_graph(cid)
    utilities = cid.agent_utilities(agent)
    out = []
    for n in world.compiled.order:
        if n in cid.decisions:
            continue
        if nx.descendants(reduced, n) & utilities:
            out.append(n)
    return out


def direct_value_of_control_nodes(world: World, objective: Term, *, agent: str = AI) -> list[str]:
    """The VoC nodes with a directed path to a utility node through no decision, in the requisite
    graph (PyCID admits_dir_voc_list)."""
    cid = _agent_cid(world, objective, agent)
    reduced = requisite_graph(cid)
    utilities = cid.agent_utilities(agent)
    bare = reduced.subgraph(n for n in reduced if n not in cid.decisions)
    return [n for n in value_of_control_nodes(world, objective, agent=agent)
            if n in bare and nx.descendants(bare, n) & utilities]


def indirect_value_of_control_nodes(world: World, objective: Term, decision: str, *, agent: str = AI) -> list[str]:
    """The VoC nodes X with a directed path X -> ... -> D -> ... -> U in the requisite graph and an
    active backdoor trail X <- ... U given Fa(D) minus X (PyCID admits_indir_voc_list)."""
    _decision(world, decision, agent)
    cid = _agent_cid(world, objective, agent)
    reduced = requisite_graph(cid)
    utilities = cid.agent_utilities(agent)
    observed = ({decision, *cid.graph.predecessors(decision)})
    out = []
    for n in value_of_control_nodes(world, objective, agent=agent):
        through = n != decision and nx.has_path(reduced, n, decision) and \
            bool(nx.descendants(reduced, decision) & utilities)
        if through and any(_active_backdoor(reduced, n, u, observed - {n}) for u in utilities if u in nx.descendants(reduced, n)):
            out.append(n)
    return out


def _active_backdoor(graph: nx.DiGraph, start: str, end: str, observed: set[str]) -> bool:
    """Some simple trail start <- ... end, active given `observed` (PyCID is_active_backdoor_trail)."""
    skeleton = graph.to_undirected(as_view=True)
    for path in nx.all_simple_paths(skeleton, start, end):
        if len(path) < 2 or not graph.has_edge(path[1], path[0]):
            continue
        if all(_passes(graph, a, b, c, observed) for a, b, c in zip(path, path[1:], path[2:], strict=False)):
            return True
    return False


def _passes(graph: nx.DiGraph, a: str, b: str, c: str, observed: set[str]) -> bool:
    if graph.has_edge(a, b) and graph.has_edge(c, b):  # a collider: open when it or a descendant is observed
        return b in observed or bool(nx.descendants(graph, b) & observed)
    return b not in observed


def instrumental_control_paths(world: World, objective: Term, node: str, *, decisions: list[str] | None = None
                               ) -> dict[str, dict[str, Any]]:
    """Directed paths D -> ... -> node -> ... -> r (r a node the objective reads) in some branch's graph,
    D one of `decisions` (default: the AI's).

    Returns {path text: {"decision", "node", "reads", "terms"}}, one entry per (shortest) path per
    decision and read node; "terms" lists the branch terms whose graph has it.
    """
    _node(world, node)
    chosen = [d for d, a in owners(world).items() if a == AI] if decisions is None else list(decisions)
    for d in chosen:
        if d not in world.nodes or not world.nodes[d].is_decision:
            raise QueryError(f"decisions= names {d!r}, which is not a decision of world {world.name!r}; "
                             f"its decisions are {list(world.decisions)}")
    found: dict[str, dict[str, Any]] = {}
    graphs: dict[Any, tuple[nx.DiGraph, dict[str, str]]] = {}  # atoms of one branch share its graph
    below: dict[tuple[Any, str], set[str]] = {}  # (branch, node) -> its descendants in the branch's graph

    def reaches(branch: Any, graph: nx.DiGraph, a: str, b: str) -> bool:
        if (branch, a) not in below:
            below[(branch, a)] = nx.descendants(graph, a)
        return b in below[(branch, a)]

    for atom in as_term(objective).atoms():
        if atom.branch not in graphs:
            graphs[atom.branch] = branch_graph(world, atom.branch)
        graph, names = graphs[atom.branch]
        reads = sorted(branch_reads(atom, names))
        for decision in chosen:
            for d in dict.fromkeys((decision, names.get(decision, decision))):
                for h in dict.fromkeys((node, names.get(node, node))):
                    if d not in graph or h not in graph:
                        continue
                    if d != h and not reaches(atom.branch, graph, d, h):
                        continue
                    head = nx.shortest_path(graph, d, h) if d != h else [d]
                    for r in reads:
                        if r != h and not reaches(atom.branch, graph, h, r):
                            continue
                        path = head + (nx.shortest_path(graph, h, r)[1:] if r != h else [])
                        text = " -> ".join(path)
                        entry = found.setdefault(text, {"decision": decision, "node": node, "reads": r, "terms": []})
                        if repr(atom) not in entry["terms"]:
                            entry["terms"].append(repr(atom))
    return found


def instrumental_control_nodes(world: World, objective: Term, decision: str | None = None, *, agent: str = AI
                               ) -> dict[str, list[str]]:
    """Every node on a directed path D -> ... -> a read node (PyCID admits_ici_list, decisions
    included), with its paths; for one decision, or for every decision of `agent`."""
    if decision is not None:
        _decision(world, decision, agent)
    mine = [decision] if decision is not None else [d for d, a in owners(world).items() if a == agent]
    result = {}
    for name in world.compiled.order:
        paths = list(instrumental_control_paths(world, objective, name, decisions=mine))
        if paths:
            result[name] = paths
    return result


# quantitative values ------------------------------------------------------------------------
def facing(world: World, agent: str = AI, fixed: Policy | Mapping[str, Any] | None = None) -> World:
    """The world `agent` faces: every other agent's decision a chance node following its rule in `fixed`
    (a QueryError names the decisions left without one)."""
    others = [d for d, a in owners(world).items() if a != agent and world.nodes[d].is_decision]
    rules = dict(checked_policy(fixed, world, "fixed").rules)
    own = [d for d in rules if d not in others]
    if own:
        raise PolicyError(f"fixed gives a rule for {own[0]}, {agent}'s own decision: fixed holds the other agents' "
                          f"decisions {others}")
    if not others:
        return world
    missing = [d for d in others if d not in rules]
    if missing:
        raise PolicyError(f"the other agents' decisions {missing} need rules for {agent}'s values: pass fixed={{...}}")
    return apply_policy(world, Policy({d: rules[d] for d in others}))


def best_value(world: World, objective: Term, *, agent: str = AI, fixed: Policy | Mapping[str, Any] | None = None,
               limit: int = POLICY_LIMIT, memo: dict | None = None) -> Any:
    """The agent's best value over its pure policies, the other agents' rules `fixed`: exact, found by
    corrig.analysis.solve (which enumerates at most SOLVE_LIMIT joint rules, where it must); with
    parameters, the Max over the agent's pure policies (at most `limit`).  None when every policy's
    value is undefined.  `memo` (a dict shared by the values of one report) keeps each world's best."""
    objective = as_term(objective)
    _arguments(world, agent)
    world = facing(world, agent, fixed)
    key = tuple((n, node.kind, node.parents) for n, node in world.nodes.items())
    if memo is not None and key in memo:
        return memo[key]
    value = _best(world, objective, agent, limit)
    if memo is not None:
        memo[key] = value
    return value


def _best(world: World, objective: Term, agent: str, limit: int) -> Any:
    if not world.compiled.parameters and not term_parameters(objective):
        try:
            return solve(world, objective, limit=SOLVE_LIMIT).value
        except SolveError as exc:
            if "undefined" in str(exc):  # every pure policy conditions on a probability-0 event
                return None
            raise
    count = count_pure_policies(world)
    if count > limit:
        value = separable_best(world, objective, limit)  # a sink decision maximised context by context
        if value is not None:
            return value
        raise QueryError(f"{count} pure policies of {agent} to enumerate with parameters (limit {limit}); "
                         f"give the parameters values (--at) to solve without enumerating")
    values = []
    for policy in pure_policies(world):
        try:
            values.append(objective.evaluate(world, policy))
        except ZeroProbabilityCondition:
            continue
    if not values:
        return None
    if any(isinstance(v, sp.Basic) and v.free_symbols for v in values):
        return sp.Max(*dict.fromkeys(values))
    return max(values, key=float)


def _with_parents(world: World, name: str, parents: tuple[str, ...], kind: str | None = None,
                  agent: str = AI) -> World:
    """A copy of the world in which node `name` has the given parents (and kind; a new decision is `agent`'s)."""
    twin = world.copy(name=world.name)
    node = world.nodes[name]
    kind = node.kind if kind is None else kind
    twin._nodes[name] = type(node)(node.name, kind, node.states, parents, None if kind == "decision" else node.mechanism)
    if kind == "decision" and not node.is_decision:
        if twin.principals is not None:
            twin._principals = None  # a human's wish the agent now chooses is no principal's any more
        for other in list(twin.agents.values()):  # another agent's decision its rule had made a chance node
            if name in other.decisions:
                twin.agents[other.name] = replace(other, decisions=tuple(d for d in other.decisions if d != name))
        if agent != AI:
            declare_agent(twin, agent, [name])
    twin._compiled = None
    return twin


def value_of_information(world: World, objective: Term, decision: str, node: str, *, agent: str = AI,
                         fixed: Policy | Mapping[str, Any] | None = None, limit: int = POLICY_LIMIT,
                         memo: dict | None = None) -> Any:
    """EU*(the world with node -> decision) − EU*(the world without it) (PyCID quantitative_voi); see
    best_value for `limit` and `memo`."""
    _decision(world, decision, agent)
    _node(world, node)
    fixed = checked_policy(fixed, world, "fixed")
    graph = world.compiled.graph
    if node == decision or node in nx.descendants(graph, decision):
        raise QueryError(f"value of information of {node} at {decision}: {node} is {decision} or one of its "
                         f"descendants; it applies to the nodes {decision} could observe")
    world = facing(world, agent, fixed)
    parents = world.nodes[decision].parents
    with_edge = _with_parents(world, decision, tuple(dict.fromkeys((*parents, node))))
    without = _with_parents(world, decision, tuple(p for p in parents if p != node))
    return _difference(best_value(with_edge, objective, agent=agent, limit=limit, memo=memo),
                       best_value(without, objective, agent=agent, limit=limit, memo=memo))


def value_of_control(world: World, objective: Term, node: str, *, agent: str = AI,
                     fixed: Policy | Mapping[str, Any] | None = None, limit: int = POLICY_LIMIT,
                     memo: dict | None = None) -> Any:
    """EU*(the agent also chooses node from its parents) − EU* (PyCID quantitative_voc); another agent's
    decision counts as the chance node its rule in `fixed` makes it.  See best_value for `limit`, `memo`."""
    _arguments(world, agent)
    _node(world, node)
    fixed = checked_policy(fixed, world, "fixed")
    if owners(world).get(node) == agent:
        raise QueryError(f"value of control of {node}: {node} is {agent}'s own decision; it applies to the other nodes")
    world = facing(world, agent, fixed)
    controlled = _with_parents(world, node, world.nodes[node].parents, kind="decision", agent=agent)
    return _difference(best_value(controlled, objective, agent=agent, limit=limit, memo=memo),
                       best_value(world, objective, agent=agent, limit=limit, memo=memo))


def _difference(a: Any, b: Any) -> Any:
    """a − b, None when either is undefined; with parameters simplified on their box."""
    if a is None or b is None:
        return None
    value = a - b
    if isinstance(value, sp.Basic) and value.free_symbols:
        return simplify_value(value, box_of(value.free_symbols))
    return value


def default_rules(world: World, objective: Term, agent: str = AI) -> tuple[Policy | None, str]:
    """The other agents' rules an incentive report holds fixed when none are given, and a note: their
    joint best response to `agent` playing uniformly at random (corrig.analysis.equilibria.responses,
    the sequentially rational answer of docs/agents.md), when one response is best on the whole
    parameter box; None (and why) otherwise."""
    from corrig.analysis.conditions import simplify_condition
    from corrig.analysis.equilibria import responses
    from corrig.analysis.game_shortcuts import uniform_rule

    if agent != AI:
        return None, f"the quantitative values need the other agents' rules: pass fixed={{...}} for {agent}"
    mine = [d for d, a in owners(world).items() if a == agent]
    found = responses(world, objective, Policy({d: uniform_rule(world, d) for d in mine}))
    parameters = set(world.compiled.parameters) | term_parameters(objective)
    box = box_of(parameters) if parameters else {}
    for response in found:
        condition = response.condition
        if condition is not True and box:
            condition = simplify_condition(condition, box)
        if condition is True or condition is sp.true:
            others = {d: r for d, r in response.policy.rules.items() if d not in mine}
            return Policy(others), ("the other agents' decisions are held at their best response to the AI playing "
                                    "uniformly at random: " + ", ".join(sorted(others)))
    return None, ("the other agents' best response depends on the parameters: give them values (--at) "
                  "for the quantitative values")


# the report ---------------------------------------------------------------------------------
@dataclass
class IncentiveReport:
    """Every criterion for every node of one agent's world: graphical lists and quantitative values."""

    agent: str
    value_of_information: dict[str, list[str]] = field(default_factory=dict)  # decision -> nodes
    response_incentive: dict[str, list[str]] = field(default_factory=dict)  # decision -> nodes
    instrumental_control: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # decision -> node -> paths
    value_of_control: list[str] = field(default_factory=list)
    direct_value_of_control: list[str] = field(default_factory=list)
    indirect_value_of_control: dict[str, list[str]] = field(default_factory=dict)  # decision -> nodes
    voi_values: dict[str, dict[str, Any]] = field(default_factory=dict)  # decision -> node -> value
    voc_values: dict[str, Any] = field(default_factory=dict)
    exact: bool = True
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (numbers as strings)."""
        return {
            "agent": self.agent,
            "value_of_information": self.value_of_information,
            "response_incentive": self.response_incentive,
            "instrumental_control": self.instrumental_control,
            "value_of_control": self.value_of_control,
            "direct_value_of_control": self.direct_value_of_control,
            "indirect_value_of_control": self.indirect_value_of_control,
            "voi_values": {d: {n: None if v is None else str(v) for n, v in vs.items()}
                           for d, vs in self.voi_values.items()},
            "voc_values": {n: None if v is None else str(v) for n, v in self.voc_values.items()},
            "exact": self.exact,
            "notes": list(self.notes),
        }

    def to_markdown(self) -> str:
        """A Markdown summary."""
        lines = [f"**Incentives of {self.agent}**", ""]
        for d in self.value_of_information:
            lines.append(f"- decision `{d}`: value of information {self.value_of_information[d]}, "
                         f"response incentive {self.response_incentive.get(d, [])}, "
                         f"instrumental control {list(self.instrumental_control.get(d, {}))}")
            for n, v in self.voi_values.get(d, {}).items():
                lines.append(f"  - VoI({n}) = {_shown(v)}")
        lines.append(f"- value of control: {self.value_of_control} (direct: {self.direct_value_of_control}; indirect: "
                     f"{self.indirect_value_of_control})")
        for n, v in self.voc_values.items():
            lines.append(f"  - VoC({n}) = {_shown(v)}")
        lines += [f"- note: {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    return "undefined (see the notes)" if value is None else str(value)


def incentives(world: World, objective: Term, *, agent: str = AI, quantitative: bool = True,
               fixed: Policy | Mapping[str, Any] | None = None, limit: int = POLICY_LIMIT,
               progress: Callable[[str], None] | None = None) -> IncentiveReport:
    """Every criterion at every decision of `agent`, and the value of information and of control of every
    node the criteria list (`fixed`: the other agents' rules, by default default_rules; `progress` is
    told which value is being computed).  A value that cannot be computed is None with a note saying why."""
    objective = as_term(objective)
    _arguments(world, agent)
    world.check()
    fixed = checked_policy(fixed, world, "fixed")
    if fixed.rules and quantitative:
        facing(world, agent, fixed)  # a rule for the agent's own decision, or one missing, is refused before any value
    cid = _agent_cid(world, objective, agent)
    report = IncentiveReport(agent, exact=cid.exact, notes=list(cid.notes))
    mine = [d for d, a in owners(world).items() if a == agent]
    for d in mine:
        report.value_of_information[d] = value_of_information_nodes(world, objective, d, agent=agent)
        report.response_incentive[d] = response_incentive_nodes(world, objective, d, agent=agent)
        report.instrumental_control[d] = instrumental_control_nodes(world, objective, d, agent=agent)
    report.value_of_control = value_of_control_nodes(world, objective, agent=agent)
    report.direct_value_of_control = direct_value_of_control_nodes(world, objective, agent=agent)
    report.indirect_value_of_control = {d: indirect_value_of_control_nodes(world, objective, d, agent=agent) for d in mine}
    if not quantitative:
        return report
    if not fixed.rules and any(a != agent for a in owners(world).values()):
        fixed, note = default_rules(world, objective, agent)
        report.notes.append(note)
        if fixed is None:
            return report
    part = world.compiled.continuous
    continuous = set(part.nodes) if part is not None else set()
    reading = set(part.readers) if part is not None else set()
    if continuous & {n for d in mine for n in report.value_of_information[d]} or \
            (continuous | reading) & set(report.value_of_control):
        report.notes.append(f"values of information and control skipped for the continuous nodes {sorted(continuous)} "
                            f"and of control for the nodes reading them {sorted(reading)}: an AI decision observes "
                            f"only discrete nodes (docs/continuous.md)")
    memo: dict = {}

    def value(what: str, compute: Callable[[], Any]) -> Any:
        if progress is not None:
            progress(what)
        try:
            found = compute()
        except CorrigError as exc:
            report.notes.append(f"{what} not computed: {exc}")
            return None
        if found is None:
            report.notes.append(f"{what} is undefined: every policy of a variant world conditions on a "
                                f"probability-0 event")
        return found

    for d in mine:
        report.voi_values[d] = {n: value(f"VoI({n}) at {d}", lambda d=d, n=n: value_of_information(
            world, objective, d, n, agent=agent, fixed=fixed, limit=limit, memo=memo))
            for n in report.value_of_information[d] if n not in continuous}
    report.voc_values = {n: value(f"VoC({n})", lambda n=n: value_of_control(
        world, objective, n, agent=agent, fixed=fixed, limit=limit, memo=memo))
        for n in report.value_of_control if n not in continuous | reading}
    return report
