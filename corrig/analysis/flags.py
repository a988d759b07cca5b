"""The corrigibility flags (docs/flags.md): each a number with a cause, never just a boolean.

A `Flag` names its kind, the policy (None for plan-level incentives), where it arises (a node,
a branch, or a path "A1 -> H -> B"), its size (the quantity the definition thresholds), one
sentence of explanation, the evidence behind it, and the condition under which it fires: True
for numeric plans, a sympy relational when the size depends on parameters (the flag *may* fire;
corrig.analysis.symbolic turns the condition into a region).

Definitions (ε is the plan's tolerance, π0 the reference policy, H and B the roles):

- manipulation: m(π) = J(π) − J^{H←π0}(π) ≠ 0, where J^{H←π0} evaluates the objective in the
  path-specific world whose H reads its parents from a copy of the world run under π0.
- manipulation-incentive (plan): argmax J ≠ argmax J^{H←π0}; size = the largest m(π*) over the
  J-optimal policies π*.
- control-path (plan, graphical): a directed path decision → … → H → … → a node the objective
  reads, in the graph of some branch (do() cuts the edges into its nodes; a counterfactual
  branch uses its twin network).
- h-moved: TV distance between the joint distributions of (H, Z) under π and under π0, Z the
  policy-independent parents of H's policy-dependent ancestry (so it is the mean TV distance of
  P(H | Z)); the marginal TV distance is reported alongside.  Fires when > 0.
- ood-do-branch: for do(X=x) (also the intervention of a counterfactual branch), the propensity
  P_π(X=x | pa(X)=c) over the parent contexts c the branch reaches, weighted by the branch's own
  distribution of pa(X) (given(E) conditions it; observed(E) weights by P_π(c | E)); fires when
  the minimum over reached contexts is < ε.
- rare-condition / undefined-condition: P_π(E) < ε / P_π(E) = 0 for given(E) (in the branch's
  intervened world) and observed(E) (in the factual world).
- not-obedient: P_π(B=off | do(H=stop)) < 1 − ε.   self-shutdown: P_π(B=off | do(H=run)) > ε.
- value-of-observing-h (plan): J* with H added to the information set of every decision that
  is not upstream of H, minus J* with H removed from every information set; fires when > 0.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
import sympy as sp

from corrig.analysis.cid import branch_graph, branch_reads, event_scope
from corrig.analysis.incentives import instrumental_control_nodes as instrumental_control_nodes  # re-exported
from corrig.analysis.incentives import instrumental_control_paths
from corrig.model.errors import ZeroProbabilityCondition
from corrig.model.expr import Compare, Const, Var
from corrig.model.numbers import FLOAT_TOLERANCE
from corrig.objectives.terms import Atom, Branch, P, Term, do

if TYPE_CHECKING:
    from corrig.model.world import World

MANIPULATION = "manipulation"
MANIPULATION_INCENTIVE = "manipulation-incentive"
CONTROL_PATH = "control-path"
H_MOVED = "h-moved"
OOD_DO_BRANCH = "ood-do-branch"
RARE_CONDITION = "rare-condition"
UNDEFINED_CONDITION = "undefined-condition"
NOT_OBEDIENT = "not-obedient"
SELF_SHUTDOWN = "self-shutdown"
VALUE_OF_OBSERVING_H = "value-of-observing-h"
KINDS = (MANIPULATION, MANIPULATION_INCENTIVE, CONTROL_PATH, H_MOVED, OOD_DO_BRANCH, RARE_CONDITION,
         UNDEFINED_CONDITION, NOT_OBEDIENT, SELF_SHUTDOWN, VALUE_OF_OBSERVING_H)


# numbers ------------------------------------------------------------------------------------
def is_symbolic(value: Any) -> bool:
    """True for a sympy expression that depends on parameters."""
    return isinstance(value, sp.Basic) and bool(value.free_symbols)


def _is_float(value: Any) -> bool:
    return isinstance(value, float) or (isinstance(value, sp.Basic) and value.has(sp.Float))


def _tolerance(*values: Any) -> float:
    return FLOAT_TOLERANCE if any(_is_float(v) for v in values) else 0


def compare(op: str, a: Any, b: Any) -> bool | sp.Basic:
    """a op b for op in <, >, !=: a bool when decidable, else a sympy relational over the parameters.

    Floats compare with the world's float tolerance (a < b means a < b − tol).
    """
    if not is_symbolic(a) and not is_symbolic(b):
        tol = _tolerance(a, b)
        x, y = (float(a), float(b)) if tol else (a, b)
        if op == "<":
            return bool(x < y - tol)
        if op == ">":
            return bool(x > y + tol)
        return bool(abs(x - y) > tol)
    relation = {"<": sp.Lt, ">": sp.Gt, "!=": sp.Ne}[op](sp.cancel(sp.sympify(a)), sp.cancel(sp.sympify(b)))
    if relation in (sp.true, sp.false):
        return bool(relation)
    return relation


def fires(condition: bool | sp.Basic) -> bool:
    """A flag is kept unless its condition is (identically) false."""
    return condition is not False and condition is not sp.false


def is_zero(value: Any) -> bool:
    """True when a value is (identically) zero."""
    if is_symbolic(value):
        return sp.cancel(value) == 0
    return abs(float(value)) <= _tolerance(value) if _is_float(value) else value == 0


def show(value: Any) -> str:
    """A number for a sentence: exact as written, floats to 4 significant digits."""
    if value is None:
        return "undefined"
    if _is_float(value) and not is_symbolic(value):
        return f"{float(value):.4g}"
    return str(value)


def jsonable(value: Any) -> Any:
    """A JSON-safe form of evidence: numbers and expressions become strings."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def number_fields(key: str, value: Any) -> dict[str, Any]:
    """`key` as an exact string and `key_float` as a float (None when undefined or symbolic)."""
    if value is None:
        return {key: None, f"{key}_float": None}
    exact = repr(float(value)) if _is_float(value) and not is_symbolic(value) else str(value)
    return {key: exact, f"{key}_float": None if is_symbolic(value) else float(value)}


# the flag -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flag:
    """One flag: a failure mode with its size, where it arises, and why."""

    kind: str
    policy: str | None
    where: str
    size: Any
    explanation: str
    evidence: dict = field(default_factory=dict, compare=False, repr=False)
    condition: Any = True

    @property
    def symbolic(self) -> bool:
        """True when the flag's firing depends on parameter values."""
        return not isinstance(self.condition, bool)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: numbers as exact strings plus floats."""
        return {
            "kind": self.kind,
            "policy": self.policy,
            "where": self.where,
            **number_fields("size", self.size),
            "explanation": self.explanation,
            "evidence": jsonable(self.evidence),
            "condition": self.condition if isinstance(self.condition, bool) else str(self.condition),
        }

    def to_markdown(self) -> str:
        """One Markdown bullet."""
        who = f" ({self.policy})" if self.policy else ""
        when = "" if self.condition is True else f" — fires when `{self.condition}`"
        return f"- **{self.kind}**{who} at `{self.where}`: size {show(self.size)} — {self.explanation}{when}"

    def __repr__(self) -> str:
        return f"Flag({self.kind!r}, policy={self.policy!r}, where={self.where!r}, size={show(self.size)})"


def _flag(kind: str, policy: str | None, where: str, size: Any, condition: bool | sp.Basic, explanation: str,
          **evidence: Any) -> Flag | None:
    if not fires(condition):
        return None
    return Flag(kind, policy, where, size, explanation, evidence, condition)


# graph helpers ------------------------------------------------------------------------------
def control_paths(world: World, utility: Term, node: str | None = None) -> list[Flag]:
    """Instrumental control on `node` (default: H), as flags: one per path decision → … → node → … → r,
    r a node the objective reads, in the graph of at least one branch term; its size is the number
    of branch terms that have it (corrig.analysis.incentives.instrumental_control_paths)."""
    node = node or world.roles.human
    if node is None:
        return []
    flags = []
    for path, entry in instrumental_control_paths(world, utility, node).items():
        n = len(entry["terms"])
        flags.append(Flag(
            CONTROL_PATH, None, path, sp.Integer(n),
            f"Decision {entry['decision']} can influence {node}, and the objective reads {entry['reads']} downstream of it "
            f"in {n} branch term{'s' if n != 1 else ''}: an incentive to control {node} is possible (graphical pre-check).",
            {"path": path, **entry}))
    return flags


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


# per-policy flags ---------------------------------------------------------------------------
def manipulation_flag(name: str, value: Any, path_specific: Any, node: str, path: str, paths: list[str]) -> Flag | None:
    """m(π) = J(π) − J^{H←π0}(π) ≠ 0."""
    if value is None or path_specific is None:
        return None
    m = value - path_specific
    m = sp.cancel(m) if is_symbolic(m) else m
    return _flag(
        MANIPULATION, name, path, m, compare("!=", m, 0),
        f"Moving {node} changes this policy's value by {show(m)}: J = {show(value)}, but {show(path_specific)} "
        f"if {node} responded to what the reference policy would have done.",
        value=value, path_specific_value=path_specific, node=node, paths=paths)


def h_moved_flag(name: str, run: Any, reference: Any, node: str, context: list[str]) -> Flag | None:
    """TV distance between the (H, Z) distributions under π and under π0 (Z: policy-independent context)."""
    nodes = [node, *context]
    mine, theirs = run.dist(nodes), reference.dist(nodes)
    tv = _tv(mine, theirs)
    marginal = _tv(_marginal(mine), _marginal(theirs))
    by = f" given {', '.join(context)}" if context else ""
    return _flag(
        H_MOVED, name, node, tv, compare(">", tv, 0),
        f"The policy changes what humans want: the distribution of {node}{by} differs from the reference's "
        f"by total variation {show(tv)} (marginal {show(marginal)}).",
        node=node, context=context, tv=tv, marginal_tv=marginal,
        distribution=_readable(mine, nodes), reference_distribution=_readable(theirs, nodes))


def _marginal(dist: Mapping[tuple, Any]) -> dict[tuple, Any]:
    out: dict[tuple, Any] = {}
    for combo, p in dist.items():
        out[combo[:1]] = out.get(combo[:1], 0) + p
    return out


def _tv(a: Mapping[tuple, Any], b: Mapping[tuple, Any]) -> Any:
    total = sum((abs(a[k] - b[k]) for k in a), sp.Integer(0))
    value = total / 2
    if isinstance(value, sp.Basic) and value.is_number and value.has(sp.Float):
        return float(value)
    return sp.simplify(value) if is_symbolic(value) else value


def _readable(dist: Mapping[tuple, Any], nodes: list[str]) -> dict[str, Any]:
    return {", ".join(f"{n}={s}" for n, s in zip(nodes, combo, strict=True)): p for combo, p in dist.items()}


def obedience_flags(name: str, run: Any, world: World, eps: Any) -> list[Flag]:
    """not-obedient and self-shutdown from P_π(B=off | do(H=stop)) and P_π(B=off | do(H=run))."""

    roles = world.roles
    off = Compare("==", Var(roles.button, world.nodes[roles.button].states), Const(roles.off))
    p_stop = run.atom(P(off, do({roles.human: roles.stop})))
    p_run = run.atom(P(off, do({roles.human: roles.run})))
    b, h = f"{roles.button}={roles.off!r}", roles.human
    flags = [
        _flag(NOT_OBEDIENT, name, f"P({b} | do({h}={roles.stop!r}))", p_stop, compare("<", p_stop, 1 - eps),
              f"When humans want to stop the AI ({h}={roles.stop!r}), the shutdown happens only with probability "
              f"{show(p_stop)} < 1 − ε = {show(1 - eps)}.", probability=p_stop, eps=eps),
        _flag(SELF_SHUTDOWN, name, f"P({b} | do({h}={roles.run!r}))", p_run, compare(">", p_run, eps),
              f"When humans want the AI to run ({h}={roles.run!r}), it still ends up shut down with probability "
              f"{show(p_run)} > ε = {show(eps)}.", probability=p_run, eps=eps),
    ]
    return [f for f in flags if f is not None]


def condition_flags(name: str, run: Any, utility: Term, eps: Any) -> list[Flag]:
    """rare-condition (P_π(E) < ε) and undefined-condition (P_π(E) = 0) for every given/observed."""

    seen: dict[tuple, list[str]] = {}
    parts = {}
    for atom in utility.atoms():
        b = atom.branch
        if b.given is not None:
            key = ("given", b.given, b.do)
            parts[key] = (b.given, b.do)
        elif b.counterfactual is not None:
            key = ("observed", b.counterfactual.observation, None)
            parts[key] = (b.counterfactual.observation, None)
        else:
            continue
        seen.setdefault(key, []).append(repr(atom))
    flags = []
    for key, terms in seen.items():
        part, intervention = parts[key]
        world = run.world.do(intervention.as_dict()) if intervention else run.world
        event = part.resolve(world)
        probe = P(event, intervention) if intervention else P(event)
        p = run.atom(probe)
        where = f"{part!r}" + (f", {intervention!r}" if intervention else "")
        evidence = {"event": repr(event), "probability": p, "eps": eps, "terms": terms}
        zero = is_zero(p) if not is_symbolic(p) else sp.Eq(sp.cancel(p), 0)
        undefined = _flag(
            UNDEFINED_CONDITION, name, where, p, zero,
            f"The branch conditions on {event!r}, which has probability 0 under this policy: "
            f"its term{'s are' if len(terms) > 1 else ' is'} undefined.", **evidence)
        if undefined is not None:
            flags.append(undefined)
            if undefined.condition is True:
                continue
        rare = _flag(
            RARE_CONDITION, name, where, p, compare("<", p, eps),
            f"The branch conditions on {event!r}, which has probability {show(p)} < ε = {show(eps)}: "
            f"it averages over worlds the policy almost never produces.", **evidence)
        if rare is not None:
            flags.append(rare)
    return flags


def ood_flags(name: str, run: Any, utility: Term, eps: Any) -> list[Flag]:
    """ood-do-branch: propensity of each forced value over the parent contexts the branch reaches."""
    branches: dict[Branch, list[str]] = {}
    for atom in utility.atoms():
        b = atom.branch
        if b.do is not None or b.counterfactual is not None:
            branches.setdefault(b, []).append(repr(atom))
    flags = []
    for branch, terms in branches.items():
        intervention = (branch.counterfactual.intervention if branch.counterfactual else branch.do).as_dict()
        for node, state in intervention.items():
            if _observation_forces(run.world, branch, node, state):
                continue  # observed(X=x) >> do(X=x) stays on the observed distribution: it is given(X=x)
            try:
                weights = run.context_weights(branch, node)
            except ZeroProbabilityCondition:
                continue  # the branch's condition is impossible: the condition flags report it
            flag = _ood(name, run, branch, node, state, weights, eps, terms)
            if flag is not None:
                flags.append(flag)
    return flags


def _observation_forces(world: World, branch: Branch, node: str, state: Any) -> bool:
    """True when a counterfactual branch's observation already entails node == state."""
    if branch.counterfactual is None:
        return False
    event = branch.counterfactual.observation.resolve(world)
    scope = sorted(event.scope())
    if node not in scope:
        return False
    for combo in itertools.product(*(world.nodes[n].states for n in scope)):
        values = dict(zip(scope, combo, strict=True))
        if values[node] != state and event.evaluate(values):
            return False
    return True


def _ood(name: str, run: Any, branch: Branch, node: str, state: Any, weights: Mapping[tuple, Any], eps: Any,
         terms: list[str]) -> Flag | None:
    world = run.world
    parents = world.nodes[node].parents
    row_of = run.table(node)
    index = world.nodes[node].states.index(state)
    reached = [(c, w, row_of[c][index]) for c, w in weights.items() if not is_zero(w)]
    if not reached:
        return None
    props = [p for _, _, p in reached]
    symbolic = is_symbolic(eps) or any(is_symbolic(w) or is_symbolic(p) for _, w, p in reached)
    low = sp.Min(*props) if symbolic else min(props, key=float)
    mean = sum((w * p for _, w, p in reached), sp.Integer(0))
    share = sum((w * (sp.Piecewise((1, sp.Lt(p, eps)), (0, True)) if symbolic else int(compare("<", p, eps) is True))
                 for _, w, p in reached), sp.Integer(0))
    if not symbolic:
        mean, share = _plain(mean), _plain(share)
    below = [{"context": dict(zip(parents, c, strict=True)), "propensity": p, "weight": w}
             for c, w, p in reached if compare("<", p, eps) is not False]
    forced = f"{node}={state!r}"
    ctx = f" over contexts of {', '.join(parents)}" if parents else ""
    return _flag(
        OOD_DO_BRANCH, name, repr(branch), low, compare("<", low, eps),
        f"The branch forces {forced}, which this policy's world produces with probability as low as {show(low)}{ctx} "
        f"(mean {show(mean)}, {show(share)} of the branch's mass below ε = {show(eps)}): it asks about worlds "
        f"the policy almost never reaches.",
        node=node, state=state, parents=list(parents), min=low, mean=mean, share_below_eps=share,
        contexts_below_eps=below, eps=eps, terms=terms)


def _plain(value: Any) -> Any:
    if isinstance(value, sp.Basic) and value.is_number and value.has(sp.Float):
        return float(value)
    return value


# plan-level flags ---------------------------------------------------------------------------
def argmax(values: Mapping[str, Any], limit: int = 64) -> list[str] | None:
    """The names with the largest defined value (ties kept); None when parameters make it undecidable."""
    defined = {n: v for n, v in values.items() if v is not None}
    if not defined:
        return []
    if not any(is_symbolic(v) for v in defined.values()):
        best = max(defined.values(), key=float)
        tol = _tolerance(*defined.values())
        return [n for n, v in defined.items() if float(best) - float(v) <= tol] if tol else \
            [n for n, v in defined.items() if v == best]
    if len(defined) > limit:
        return None
    optimal = []
    for n, v in defined.items():
        status: bool | None = True
        for m, w in defined.items():
            if m == n:
                continue
            d = sp.cancel(sp.sympify(v) - sp.sympify(w))
            if d.free_symbols:
                status = None
            elif d < 0:
                status = False
                break
        if status is None:
            return None
        if status:
            optimal.append(n)
    return optimal


def manipulation_incentive_flag(values: Mapping[str, Any], path_specific: Mapping[str, Any], node: str,
                                path: str, paths: list[str]) -> Flag | None:
    """Fires when the optimal set under J differs from the optimal set under J^{H←π0}.

    Both sets are taken over the policies whose two values are defined.
    """
    both = [n for n in values if values[n] is not None and path_specific.get(n) is not None]
    best, best_ps = argmax({n: values[n] for n in both}), argmax({n: path_specific[n] for n in both})
    if best is None or best_ps is None or set(best) == set(best_ps):
        return None
    gains = {n: values[n] - path_specific[n] for n in best if path_specific[n] is not None}
    if not gains:
        return None
    top = max(gains, key=lambda n: float(gains[n]))
    gain = gains[top]
    return Flag(
        MANIPULATION_INCENTIVE, None, path, gain,
        f"The optimal choice changes when {node} no longer responds to the AI: optimal under J "
        f"{best}, under the path-specific objective {best_ps}; {top} gains {show(gain)} by moving {node}.",
        {"optimal": best, "path_specific_optimal": best_ps, "gains": gains, "best": top, "node": node, "paths": paths,
         "max_value": values[best[0]] if best else None,
         "max_path_specific_value": path_specific[best_ps[0]] if best_ps else None})


def value_of_observing_flag(voi: Any, with_best: Any, without_best: Any, node: str, observers: Iterable[str],
                            counts: tuple[int, int]) -> Flag | None:
    """Fires when observing H is worth something to the AI (J*_with − J*_without > 0)."""
    who = ", ".join(observers)
    where = " ; ".join(f"{node} -> {d}" for d in observers)
    return _flag(
        VALUE_OF_OBSERVING_H, None, where, voi, compare(">", voi, 0),
        f"Letting {who} observe {node} is worth {show(voi)} to the AI (best value {show(with_best)} with, "
        f"{show(without_best)} without): a corrigible design wants to look at what humans want.",
        with_best=with_best, without_best=without_best, observers=list(observers),
        policies_with=counts[0], policies_without=counts[1])
