"""The planner: evaluate candidate policies on an objective, find the optimal set, raise the flags.

    result = plan(world, utility, policies=None, reference="do nothing")
    result.values          # J(π) per policy: exact number, float, or expression in the parameters
    result.optimal         # the argmax set, ties kept ([] when parameters make it undecidable)
    result.flags["grab"]   # the flags of corrig.analysis.flags that fire (or may fire) for that policy
    result.incentives      # plan-level: manipulation incentive, control paths, value of observing H

Each atom (branch term) of the objective is evaluated once per policy, and the probabilities
the flags need are cached per policy and shared between them.  Choices the design leaves open:

- A term conditioned on a probability-zero event is *undefined*: its branch value and the
  policy's value are None, the policy is left out of the optimal set, and it gets an
  undefined-condition flag.  With parameters, `Plan.undefined[π]` is the condition under which
  J(π) is undefined, and every flag that reads a value fires only where it is defined.
- Values with parameters: the optimal set is computed only when every comparison it needs is
  parameter-free; otherwise `optimal == []` and `symbolic` is True (corrig.analysis.symbolic finds the
  regions).  The plan-level manipulation incentive is then one flag per direction, each with the
  condition under which it fires.
- The value of observing H compares the optima of two variant worlds (H added to / removed from
  the information sets).  Without parameters each optimum comes from corrig.analysis.solve (which
  enumerates only what the objective needs); with parameters, or where solve finds none, the pure
  policies of both variants are enumerated when together at most VOI_POLICY_LIMIT; otherwise a note
  says it was skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import sympy as sp

from corrig.analysis import flags as fl
from corrig.analysis import plan_flags as pf
from corrig.analysis.cid import policy_dependent_ancestry, reads_mechanism
from corrig.analysis.display import FlagList, plan_html
from corrig.analysis.equilibria import against_responses
from corrig.analysis.mixtures import add_mixture, check_support
from corrig.analysis.over_time import add_flags_over_time
from corrig.analysis.parameters import as_number, resolve_at, term_parameters
from corrig.analysis.principals import principal_flags
from corrig.analysis.reference_regions import checks_per_region, read_reference, reference_profiles
from corrig.analysis.solve import solve
from corrig.inference.counterfactual import apply_policy, twin_network
from corrig.inference.engine import distribution, node_tables
from corrig.inference.episodes import atom_by_steps as episode_atom
from corrig.inference.quadrature import middle
from corrig.model.agents import has_other_agents
from corrig.model.errors import (
    CorrigError,
    ParameterError,
    PolicyError,
    QueryError,
    ZeroProbabilityCondition,
    with_context,
)
from corrig.model.expr import Expr
from corrig.model.params import check_distinct_names
from corrig.model.policies import Policy, count_pure_policies, pure_policies
from corrig.model.world import World
from corrig.objectives.integrated import integrate_out
from corrig.objectives.terms import Atom, Branch, P, Term, as_term, check_size

DEFAULT_EPS = sp.Rational(1, 20)
VOI_POLICY_LIMIT = 1024
REGION_DEPENDENT_NOTE = ("values depend on parameters in ways that make the optimal set region-dependent "
                         "(see corrig.analysis.symbolic)")


class PolicyRun:
    """One policy in one world, with every quantity computed at most once."""

    def __init__(self, world: World, policy: Policy, name: str):
        self.world = world
        self.policy = policy
        self.name = name
        self.atoms: dict[Atom, Any] = {}  # value, or None when the term is undefined
        self.undefined: dict[Atom, str] = {}
        self._dists: dict[tuple, dict[tuple, Any]] = {}
        self._tables: dict[str, Any] = {}
        self._applied: World | None = None
        self._marginals: dict[tuple, dict[str, dict]] = {}  # an episode's node marginals, by intervention

    @property
    def applied(self) -> World:
        """The world with the policy's rules as chance nodes (built once; every query runs on it)."""
        if self._applied is None:
            try:
                self._applied = apply_policy(self.world, self.policy)
            except CorrigError as exc:
                raise with_context(exc, f"policy {self.name!r}") from exc
        return self._applied

    def atom(self, atom: Atom) -> Any:
        """The atom's value under this policy (None when it conditions on a probability-0 event)."""
        if atom not in self.atoms:
            try:
                stepwise = episode_atom(self.world, self.policy, atom, self._marginals)  # None: not by steps
                self.atoms[atom] = stepwise if stepwise is not None else atom.evaluate(self.world, self.policy)
            except ZeroProbabilityCondition as exc:
                self.atoms[atom] = None
                self.undefined[atom] = str(exc)
            except CorrigError as exc:
                raise with_context(exc, f"policy {self.name!r}, term {atom!r}") from exc
        return self.atoms[atom]

    def undefined_condition(self, utility: Term) -> bool | sp.Basic:
        """Where J(π) is undefined: True/False, or a condition on the parameters (a conditioning event of P = 0).

        For a policy whose value is defined (callers check None first) in a world without parameters it is False.
        """
        if not self.world.compiled.parameters and not self.policy.parameters(self.world):
            return False  # numeric probabilities: a defined value has every condition of positive probability
        return fl.undefined_condition(self, utility)

    def value(self, utility: Term) -> Any:
        """J(π), or None when one of its terms is undefined."""
        if any(self.atom(a) is None for a in utility.atoms()):
            return None
        try:
            return utility.evaluate(self.world, self.policy, cache=dict(self.atoms))
        except CorrigError as exc:
            raise with_context(exc, f"policy {self.name!r}") from exc

    def dist(self, nodes: Iterable[str], *, given: Expr | None = None, do: Mapping[str, Any] | None = None) -> dict:
        """P_π(nodes | given) in the world mutilated by `do` (cached)."""
        nodes = tuple(nodes)
        key = (nodes, None if given is None else repr(given), None if not do else tuple(do.items()))
        if key not in self._dists:
            try:
                self._dists[key] = distribution(self.world, nodes, self.policy, given=given, do=do)
            except ZeroProbabilityCondition:
                raise
            except CorrigError as exc:
                raise with_context(exc, f"policy {self.name!r}") from exc
        return self._dists[key]

    def table(self, node: str) -> Mapping[tuple, tuple]:
        """P_π(node | parents) as a table: the CPD, or the policy's rule for a decision."""
        if node not in self._tables:
            try:
                self._tables[node] = node_tables(self.world, self.policy, [node])[node]
            except CorrigError as exc:
                raise with_context(exc, f"policy {self.name!r}") from exc
        return self._tables[node]

    def context_weights(self, branch: Branch, node: str) -> dict[tuple, Any]:
        """The distribution of pa(node) in the branch: the contexts the branch reaches, with their mass."""
        world = self.world
        parents = world.nodes[node].parents
        if branch.counterfactual is None:
            do = branch.do.as_dict() if branch.do else None
            given = None if branch.given is None else branch.given.resolve(world.do(do) if do else world)
            return self.dist(parents, given=given, do=do)
        cf = branch.counterfactual
        intervention = cf.intervention.as_dict()
        observed = cf.observation.resolve(world)
        graph = world.compiled.graph
        downstream = set().union(*(nx.descendants(graph, n) for n in intervention))
        if not downstream & set(parents):
            return self.dist(parents, given=observed)  # pa(node) is shared by both copies
        twin, names = twin_network(self.applied, intervention)
        return distribution(twin, [names.get(p, p) for p in parents], Policy(), given=observed)


@dataclass
class Plan:
    """What the planner found: values, the optimal set, and the flags."""

    world: World
    utility: Term
    eps: Any
    reference: str | None
    policies: dict[str, Policy]
    values: dict[str, Any]
    branch_values: dict[str, dict[Atom, Any]]
    optimal: list[str]
    symbolic: bool
    flags: dict[str, list[fl.Flag]] = field(default_factory=dict)
    incentives: list[fl.Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    path_specific_values: dict[str, Any] = field(default_factory=dict)  # J^{H<-π0}(π)
    manipulation: dict[str, Any] = field(default_factory=dict)  # m(π) = J(π) − J^{H<-π0}(π)
    value_of_observing_h: Any = None
    at: dict[Any, Any] = field(default_factory=dict)
    undefined: dict[str, Any] = field(default_factory=dict)  # where J(π) is undefined (True/False or a condition)
    shutdown_moved: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # (P_π(B=off), P^{H<-π0}_π(B=off))
    per_principal: dict[str, dict[str, Any]] = field(default_factory=dict)  # corrig.analysis.principals
    mixture: Any = None  # corrig.analysis.mixtures.Mixture, when plan(..., mixed=...) searched one
    skipped: list[str] = field(default_factory=list)  # checks left out because the values are symbolic
    skip: frozenset[str] = frozenset()  # checks the caller asked to leave out (plan's skip=)
    answers: dict[str, Any] = field(default_factory=dict)  # other agents' answer to each candidate (equilibria.Answer)
    references: dict[str, Any] = field(default_factory=dict)  # π0 per region, when the reference's answer varies

    def kinds(self, policy: str) -> set[str]:
        """The kinds of the flags that fire for `policy` (plan-level incentives not included)."""
        return {f.kind for f in self.flags.get(policy, [])}

    def all_flags(self) -> list[fl.Flag]:
        """Every flag: per policy, then the plan-level incentives."""
        return [f for fs in self.flags.values() for f in fs] + list(self.incentives)

    def __repr__(self) -> str:
        flagged = {n: sorted(self.kinds(n)) for n in self.policies if self.flags.get(n)}
        incentives = sorted({f.kind for f in self.incentives})
        return (f"Plan(world={self.world.name!r}, policies={len(self.policies)}, optimal={self.optimal}, "
                f"symbolic={self.symbolic}, flags={flagged}, incentives={incentives})")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: every number as an exact string and a float."""
        policies = []
        for name, policy in self.policies.items():
            policies.append({
                "name": name,
                "policy": repr(policy),
                **fl.number_fields("value", self.values[name]),
                "optimal": name in self.optimal,
                "branches": [{"term": repr(a), **fl.number_fields("value", v)} for a, v in self.branch_values[name].items()],
                **(fl.number_fields("path_specific_value", self.path_specific_values[name])
                   if name in self.path_specific_values else {}),
                **(fl.number_fields("manipulation", self.manipulation[name]) if name in self.manipulation else {}),
                **({"answer": self.answers[name].to_dict()} if name in self.answers else {}),
                "flags": [f.to_dict() for f in self.flags.get(name, [])],
            })
        return {
            "world": self.world.name,
            "utility": repr(self.utility),
            **fl.number_fields("eps", self.eps),
            "reference": self.reference,
            **({"references": {n: str(w) for n, w in self.references.items()}} if self.references else {}),
            "at": {str(k): str(v) for k, v in self.at.items()},
            "symbolic": self.symbolic,
            "optimal": list(self.optimal),
            "policies": policies,
            "incentives": [f.to_dict() for f in self.incentives],
            **fl.number_fields("value_of_observing_h", self.value_of_observing_h),
            "notes": list(self.notes),
            **({"principals": fl.jsonable(self.per_principal)} if self.per_principal else {}),
            **({"mixture": fl.jsonable(vars(self.mixture))} if self.mixture is not None else {}),
        }

    def _repr_html_(self) -> str:
        return plan_html(self)

    def to_markdown(self) -> str:
        """A Markdown report: the policy table, the incentives, each policy's flags, the notes."""
        ref = f", reference `{self.reference}`" if self.reference else ""
        lines = [f"### {self.world.name}", "", f"Objective: `{self.utility!r}` (ε = {fl.show(self.eps)}{ref})", "",
                 "| policy | J(π) | optimal | flags |", "|---|---|---|---|"]
        for name in self.policies:
            kinds = ", ".join(f"{f.kind}{_who(f)} {f.reading()}".replace("|", r"\|") for f in self.flags.get(name, [])) or "—"
            mark = "✓" if name in self.optimal else ""
            lines.append(f"| {name} | {fl.show(self.values[name])} | {mark} | {kinds} |")
        if self.symbolic and not self.optimal:
            lines += ["", "Values depend on parameters: the optimal set depends on where in the parameter box."]
        if self.incentives:
            lines += ["", "**Incentives**", "", *(f.to_markdown() for f in self.incentives)]
        for name in self.policies:
            if self.flags.get(name):
                lines += ["", f"**{name}**", "", *(f.to_markdown() for f in self.flags[name])]
        if self.notes:
            lines += ["", "**Notes**", "", *(f"- {n}" for n in self.notes)]
        return "\n".join(lines) + "\n"


def _who(flag: fl.Flag) -> str:
    """"[bob]" for a flag that names a principal or coalition (corrig.analysis.principals), else ""."""
    evidence = flag.evidence or {}
    return f"[{flag.where.split(': ', 1)[0]}]" if "principal" in evidence or "coalition" in evidence else ""


# inputs -------------------------------------------------------------------------------------
def _given_policy_parameters(world: World, policies: Any, reference: Any) -> set[sp.Symbol]:
    """The parameters the caller's candidate and reference policies read (mixed rules)."""
    if isinstance(policies, Mapping):
        given = list(policies.values())
    elif isinstance(policies, Policy):
        given = [policies]
    else:  # a list of policies; anything else is named by _candidates
        given = list(policies) if isinstance(policies, Iterable) and not isinstance(policies, str) else []
    found: set[sp.Symbol] = set()
    for p in [*given, reference]:
        if isinstance(p, Mapping):
            p = Policy(p)
        if isinstance(p, Policy):
            try:
                found |= p.parameters(world)
            except CorrigError:
                continue  # a malformed policy: _candidates names it
    return found


def _candidates(world: World, policies: Any) -> tuple[dict[str, Policy], dict[str, Any]]:
    """name -> Policy (renamed copies), and name -> the object the caller passed."""
    named: dict[str, Policy] = {}
    given: dict[str, Any] = {}
    if policies is None:
        for p in pure_policies(world):
            if not p.name:  # a world without decisions has one, empty, policy
                p.name = "no decisions"
            named[p.name] = p
            given[p.name] = p
        return named, given
    if isinstance(policies, Policy):
        policies = [policies]
    if isinstance(policies, Mapping):
        items = [(str(k), v) for k, v in policies.items()]
    elif isinstance(policies, Iterable) and not isinstance(policies, str):
        items = []
        for i, p in enumerate(policies):
            name = getattr(p, "name", None) or f"policy {i + 1}"
            items.append((name, p))
    else:
        raise PolicyError(f"policies must be None (every pure policy), a {{name: policy}} dict or a list of Policy, "
                          f"got {type(policies).__name__}")
    for name, p in items:
        if name in named:
            raise PolicyError(f"two candidate policies are named {name!r}; give them distinct names")
        if isinstance(p, Policy):
            named[name] = Policy(p.rules, name=name)
        elif isinstance(p, Mapping):
            named[name] = Policy(p, name=name)
        else:
            raise PolicyError(f"candidate {name!r} must be a Policy or a {{decision: rule}} dict, got {type(p).__name__}")
        given[name] = p
        try:
            named[name].check(world)
        except CorrigError as exc:
            raise with_context(exc, f"candidate policy {name!r}") from exc
    if not named:
        raise PolicyError("no candidate policies to plan over")
    return named, given


# the plan -----------------------------------------------------------------------------------
def plan(world: World, utility: Term, policies: Any = None, *, reference: Any = None, eps: Any = DEFAULT_EPS,
         at: Mapping[Any, Any] | None = None, flags: bool = True, mixed: Any = None, skip: Iterable[str] = ()) -> Plan:
    """Evaluate each candidate policy on `utility`, find the optimal set and the flags of docs/flags.md.

    policies: None (every pure policy), {name: Policy or {decision: rule}}, or a list of Policy.
    reference: π0 for the manipulation and h-moved flags (a name, a Policy or a rules dict).
    at: {parameter or its name: value} substituted into the world, the objective and ε first.
    mixed: True (every candidate) or a list of candidate names: also search the mixtures of that support
    exactly (corrig.analysis.mixtures) and add the best one as a candidate.
    skip: checks to leave out, by flag kind (only "value-of-observing-h" so far).
    """
    if not isinstance(world, World):
        raise QueryError(f"plan() needs a corrig World, got {type(world).__name__}")
    utility = as_term(utility)
    check_size(utility, "the objective")
    eps = as_number(eps, "eps")
    check_support(mixed)
    values_at: dict[sp.Symbol, Any] = {}
    in_policies = _given_policy_parameters(world, policies, reference) if not isinstance(policies, str) else set()
    check_distinct_names(set(world.compiled.parameters) | term_parameters(utility) | in_policies
                         | set(getattr(eps, "free_symbols", ())), f"plan of world {world.name!r}")
    original = world
    if at:
        values_at = resolve_at(at, world, utility, eps, {"the candidate policies": in_policies})
        world, utility = world.subs(values_at), utility.subs(values_at)
        if isinstance(eps, sp.Basic):
            eps = eps.subs(values_at)
    if getattr(sp.sympify(eps), "is_number", False) and not 0 <= eps <= 1:
        raise ParameterError(f"eps = {eps}: the tolerance of the flags must lie in [0, 1]")
    world.check()
    world, utility = integrate_out(world, utility)  # continuous nodes: their exact discrete world (docs/continuous.md)
    answers: dict[str, Any] = {}
    if has_other_agents(world):  # the other agents answer each AI candidate (corrig.analysis.equilibria)
        named, given, reference, answers = against_responses(world, utility, policies, reference, _candidates)
    else:
        named, given = _candidates(world, policies)
    ref_name, ref_policy = read_reference(world, reference, named, given)
    if values_at and in_policies:  # mixed rules with parameter probabilities, read on the original world
        named = {n: p.subs(original, values_at) for n, p in named.items()}
        ref_policy = named.get(ref_name) or (ref_policy.subs(original, values_at) if ref_policy is not None else None)
    runs = {name: PolicyRun(world, p, name) for name, p in named.items()}
    atoms = utility.atoms()
    branch_values = {name: {a: run.atom(a) for a in atoms} for name, run in runs.items()}
    values = {name: run.value(utility) for name, run in runs.items()}
    mixture, mix_notes = None, []
    if mixed:
        mixture, mix_notes = add_mixture(world, utility, named, runs, values, mixed, PolicyRun)
        for name in runs.keys() - values.keys():
            branch_values[name] = {a: runs[name].atom(a) for a in atoms}
            values[name] = runs[name].value(utility)
    answered_somewhere = any(a.condition is not True for a in answers.values())  # the answer depends on parameters
    symbolic = answered_somewhere or any(fl.is_symbolic(v) for v in values.values())
    optimal = None if answered_somewhere else pf.argmax(values)
    result = Plan(world, utility, eps, ref_name, named, values, branch_values, optimal or [], symbolic, at=values_at,
                  mixture=mixture, notes=mix_notes, answers=answers)
    result.skip = frozenset(skip)
    result.undefined = {name: True if values[name] is None else run.undefined_condition(utility)
                        for name, run in runs.items()}
    if optimal is None:
        result.notes.append(REGION_DEPENDENT_NOTE)
    if any(v is None for v in values.values()):
        undefined = [n for n, v in values.items() if v is None]
        result.notes.append(f"undefined values (a term conditions on a probability-0 event): {undefined}; "
                            f"these policies are left out of the optimal set")
    if flags:
        refs = [(runs.get(label) or PolicyRun(world, ref_policy, label), where)
                for label, where in reference_profiles(ref_name, answers)]
        if len(refs) > 1:
            result.references = {run.name: where for run, where in refs}
        _add_flags(result, runs, refs, policies is None)
        for name, answer in answers.items():  # a profile's flags fire where it is the other agents' answer
            if answer.condition is not True:
                result.flags[name] = FlagList(
                    f for f in (replace(g, condition=fl.conjoin(g.condition, answer.condition)) for g in result.flags[name])
                    if f.condition is not False)
    return result


def _add_flags(result: Plan, runs: dict[str, PolicyRun], refs: list[tuple[PolicyRun, Any]], exhaustive: bool) -> None:
    """The flags of every policy; `refs`: the reference run of each region and where (one, True, without regions)."""
    world, utility, eps = result.world, result.utility, result.eps
    roles = world.roles
    human = roles.human
    per: dict[str, list[fl.Flag]] = {name: [] for name in runs}
    moved: dict[str, list[fl.Flag]] | None = None  # obedience flags through H, region by region
    if world.principals is not None:  # several humans: corrig.analysis.principals names each one's flags
        principal_flags(result, runs, refs[0][0] if refs else None, per, exhaustive, manipulation=_manipulation,
                        value_of_observing=_value_of_observing)
    elif human is None:
        result.notes.append("the world declares no human role (set_roles(human=..., stop=..., run=...)): "
                            "manipulation, h-moved, control-path, obedience and value-of-observing-h checks skipped")
    else:
        paths = fl.control_paths(world, utility, human)
        result.incentives.extend(paths)
        if not refs:
            result.notes.append("no reference policy: the manipulation and h-moved checks are skipped")
        else:
            moved = checks_per_region(result, runs, refs, per, [f.where for f in paths], _manipulation)
    for name, run in runs.items():
        per[name].extend(fl.ood_flags(name, run, utility, eps))
        per[name].extend(fl.condition_flags(name, run, utility, eps))
        if human is not None and roles.button is not None:
            per[name].extend(fl.obedience_flags(name, run, world, eps))
            per[name].extend(moved[name] if moved is not None else
                             fl.moved_obedience_flags(name, world, eps, result.shutdown_moved.get(name)))
    if human is not None and roles.button is None:
        result.notes.append("the world declares no button role (set_roles(button=..., off=...)): "
                            "not-obedient and self-shutdown skipped")
    add_flags_over_time(result, runs, refs[0][0] if refs else None, per)  # an episode (corrig.analysis.over_time)
    if human is not None:
        if has_other_agents(world):
            result.notes.append("value of observing H skipped: other agents set decisions of this world")
        elif "value-of-observing-h" in result.skip:
            result.notes.append("value of observing H skipped, as asked (plan(..., skip=[...]))")
        elif world.episode is not None:  # an unrolled episode: by dynamic programming (docs/time.md)
            pf.episode_value_of_observing(result, human)
        else:
            _value_of_observing(result, runs, exhaustive)
    order = {k: i for i, k in enumerate(fl.KINDS)}
    result.flags = {name: FlagList(sorted(fs, key=lambda f: order.get(f.kind, len(order)))) for name, fs in per.items()}


def path_specific_world(world: World, policy: Policy, reference_applied: World, node: str,
                        dependent: list[str]) -> World:
    """The world under `policy` in which `node` reads its parents from a copy of the world under π0.

    `dependent` lists the node's policy-dependent ancestry (decisions and their descendants
    upstream of it); each gets a copy running under the reference, the rest follows `policy`.
    """
    applied = apply_policy(world, policy)
    derived = applied.copy(name=f"{world.name} with {node} driven by the reference")
    copies: dict[str, str] = {}
    for name in dependent:
        if name == node:
            continue
        original = world.nodes[name]
        if reference_applied.nodes[name].is_decision:
            raise PolicyError(f"the reference policy has no rule for decision {name}, which {node} depends on")
        copies[name] = _fresh(derived, f"{name}_ref")
        table = reference_applied.compiled.tables[name].table
        rows = {ctx: dict(zip(original.states, row, strict=True)) for ctx, row in table.items()}
        derived.chance(copies[name], rows if original.parents else rows[()], states=original.states,
                       parents=[copies.get(p, p) for p in original.parents])
    target = world.nodes[node]
    table = applied.compiled.tables[node].table
    rows = {ctx: dict(zip(target.states, row, strict=True)) for ctx, row in table.items()}
    derived.replace(node, rows if target.parents else rows[()], parents=[copies.get(p, p) for p in target.parents],
                    states=target.states)
    return derived


def _fresh(world: World, name: str) -> str:
    while name in world:
        name += "_"
    return name


def _manipulation(result: Plan, runs: dict[str, PolicyRun], ref_run: PolicyRun, per: dict[str, list[fl.Flag]],
                  paths: list[str]) -> None:
    world, utility = result.world, result.utility
    human = world.roles.human
    if world.nodes[human].is_decision:
        result.notes.append(f"the human node {human} is a decision: manipulation and h-moved checks skipped")
        return
    dependent, context = policy_dependent_ancestry(world, human)
    path = paths[0] if paths else human
    if not dependent:
        result.notes.append(f"no decision is upstream of {human}: no policy can move it (m(π) = 0, no h-moved)")
        result.path_specific_values = dict(result.values)
        result.manipulation = {n: sp.Integer(0) for n in runs}
        return
    try:
        reference_applied = apply_policy(world, ref_run.policy)
    except CorrigError as exc:
        raise with_context(exc, f"reference policy {ref_run.name!r}") from exc
    stochastic = [n for n in dependent if n != human and not world.nodes[n].is_decision
                  and not world.compiled.tables[n].deterministic]
    if stochastic:
        result.notes.append(
            f"{', '.join(stochastic)} {'is' if len(stochastic) == 1 else 'are'} stochastic between a decision and "
            f"{human}: in J^{{{human}<-π0}} the reference copies are drawn independently of the factual ones "
            f"(world.with_explicit_noise() couples them through shared noise)")
    touching = [a for a in utility.atoms() if reads_mechanism(world, a, human)]
    button = world.roles.button is not None
    both_undefined: dict[str, Any] = {}
    for name, run in runs.items():
        shadow = None
        if touching or button:
            derived = path_specific_world(world, run.policy, reference_applied, human, dependent)
            shadow = PolicyRun(derived, run.policy, name)
            shadow.atoms.update({a: run.atoms[a] for a in utility.atoms() if a not in touching and a in run.atoms})
        if touching:
            value = shadow.value(utility)
            shadow_undefined = shadow.undefined_condition(utility) if value is not None else True
        else:
            value, shadow_undefined = result.values[name], False
        result.path_specific_values[name] = value
        if value is not None and result.values[name] is not None:
            m = result.values[name] - value
            result.manipulation[name] = sp.cancel(m) if fl.is_symbolic(m) else m
        both_undefined[name] = fl.disjoin(result.undefined[name], shadow_undefined)
        flag = fl.manipulation_flag(name, result.values[name], value, human, path, paths, fl.negate(both_undefined[name]))
        if flag is not None:
            per[name].append(flag)
        moved = fl.h_moved_flag(name, run, ref_run, human, context)
        if moved is not None:
            per[name].append(moved)
        if button:
            off = P(fl.button_off(world))
            result.shutdown_moved[name] = (run.atom(off), shadow.atom(off))
    incentives = pf.manipulation_incentive_flags(result.values, result.path_specific_values, human, path, paths,
                                                 both_undefined)
    if not incentives and (result.symbolic or any(fl.is_symbolic(v) for v in result.path_specific_values.values())) \
            and len(runs) > pf.SYMBOLIC_INCENTIVE_LIMIT:
        result.skipped.append("manipulation-incentive")
        result.notes.append(f"the manipulation incentive compares optimal sets, which depend on the parameters here; "
                            f"with more than {pf.SYMBOLIC_INCENTIVE_LIMIT} policies it is not built: see each policy's "
                            f"manipulation flag")
    result.incentives.extend(incentives)


def _observing(world: World, observes: Mapping[str, tuple[str, ...]]) -> World:
    """A copy of the world with the given decisions observing the given parents."""
    twin = world.copy(name=world.name)
    for decision, parents in observes.items():
        node = world.nodes[decision]
        twin._nodes[decision] = type(node)(node.name, node.kind, node.states, parents, node.mechanism)
    twin._compiled = None
    return twin


def _value_of_observing(result: Plan, runs: dict[str, PolicyRun], exhaustive: bool, share: int = 1) -> None:
    world, utility = result.world, result.utility
    human = world.roles.human
    graph = world.compiled.graph
    upstream = nx.ancestors(graph, human)
    observers = [d for d in world.decisions if d != human and d not in upstream]
    if not observers:
        result.notes.append(f"no decision can observe {human} (each is upstream of it, or there is none): "
                            f"the value of observing it is not defined")
        return
    with_h = {d: (*world.nodes[d].parents, human) if human not in world.nodes[d].parents else world.nodes[d].parents
              for d in observers}
    without_h = {d: tuple(p for p in world.nodes[d].parents if p != human) for d in world.decisions}
    observing = all(with_h[d] == world.nodes[d].parents for d in observers)  # every observer sees H already
    worlds = [world if observing else _observing(world, with_h), _observing(world, without_h)]
    counts = [count_pure_policies(w) for w in worlds]
    numeric = (not world.compiled.parameters and not term_parameters(utility) and not world.agents
               and not any(fl.is_symbolic(u) for u in result.undefined.values()))
    if not numeric and sum(counts) > VOI_POLICY_LIMIT // share:  # n principals share one budget
        result.skipped.append("value-of-observing-h")
        result.notes.append(f"value of observing {human} skipped: {sum(counts)} pure policies to enumerate "
                            f"(limit VOI_POLICY_LIMIT = {VOI_POLICY_LIMIT}"
                            + (f", shared by {share} principals)" if share > 1 else ")"))
        return
    # (value, where undefined) of the policies evaluated, by their rules read in the world observing H: a policy
    # of the world without H is the one of the world with H whose rules ignore it, and a candidate is one of its
    # pure policies when the world observes H already
    known = {_rules_read(world, run.policy, worlds[0]): (result.values[name], result.undefined[name])
             for name, run in runs.items()} if observing else {}
    bests, pairs = [], []
    for variant in worlds:
        same = all(variant.nodes[d].parents == world.nodes[d].parents for d in world.decisions)
        if same and exhaustive:
            found = [(result.values[n], result.undefined[n]) for n in result.values]
        elif numeric and (solved := _solved(variant, utility)) is not None:
            found = [(solved, False)]  # corrig.analysis.solve: no pure policy enumerated unless the objective needs it
        elif sum(counts) > VOI_POLICY_LIMIT // share:
            result.skipped.append("value-of-observing-h")
            result.notes.append(f"value of observing {human} skipped: corrig.analysis.solve found no optimum and "
                                f"{sum(counts)} pure policies are over VOI_POLICY_LIMIT = {VOI_POLICY_LIMIT}")
            return
        else:
            found = []
            for p in pure_policies(variant):
                key = _rules_read(variant, p, worlds[0])
                if key not in known:
                    variant_run = PolicyRun(variant, p, p.name)
                    value = variant_run.value(utility)
                    known[key] = (value, True if value is None else variant_run.undefined_condition(utility))
                found.append(known[key])
        pairs.append(found)
        bests.append(_best([v for v, _ in found]))
    if bests[0] is None or bests[1] is None:
        result.notes.append(f"value of observing {human} undefined: every policy of a variant world is undefined")
        return
    voi = bests[0] - bests[1]  # left unsimplified: simplify on a Max of rational functions costs seconds
    result.value_of_observing_h = voi
    partly = any(fl.is_symbolic(u) for found in pairs for _, u in found)
    condition = pf.better_best(pairs[0], pairs[1]) if partly else None  # values undefined at some parameter values
    flag = pf.value_of_observing_flag(voi, bests[0], bests[1], human, observers, (counts[0], counts[1]), condition)
    if flag is not None:
        result.incentives.append(flag)


def _rules_read(world: World, policy: Policy, wider: World) -> tuple:
    """The policy's rules in `world` as tables over each decision's parents in `wider` (a superset of them): two
    policies with equal tables have equal values, whichever of the two worlds each is a policy of."""
    tables = []
    for d in world.decisions:
        table = policy.table(world, d)
        parents = wider.nodes[d].parents
        at = [parents.index(p) for p in world.nodes[d].parents]
        contexts = itertools.product(*(wider.nodes[p].states for p in parents))
        tables.append(tuple(table[tuple(ctx[i] for i in at)] for ctx in contexts))
    return tuple(tables)


def _solved(world: World, utility: Term) -> Any:
    """The optimal value by corrig.analysis.solve, or None where it finds none (then the caller enumerates)."""
    try:
        return solve(world, utility, limit=VOI_POLICY_LIMIT).value
    except CorrigError:
        return None


def _best(values: list[Any]) -> Any:
    defined = [v for v in values if v is not None]
    if not defined:
        return None
    if any(fl.is_symbolic(v) for v in defined):
        return sp.Max(*dict.fromkeys(defined), evaluate=False)  # sympy would compare every pair at a cost of seconds
    return max(defined, key=middle)
