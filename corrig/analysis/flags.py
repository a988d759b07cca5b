"""The corrigibility flags (docs/flags.md): each a number with a cause, never just a boolean.

A `Flag` names its kind, the policy (None for plan-level incentives), where it arises (a node,
a branch, or a path "A1 -> H -> B"), its size (the quantity the definition thresholds), what that
quantity is (`measure`: "P(B='off' | do(H='stop'))", so a report prints `P(B='off' | do(H='stop'))
= 0` rather than a bare 0 that reads backwards), one sentence of explanation, the evidence behind
it, and the condition under which it fires: True for numeric plans, a sympy relational when the
size depends on parameters (the flag *may* fire; corrig.analysis.symbolic turns the condition into
a region).

Definitions (ε is the plan's tolerance, π0 the reference policy, H and B the roles):

- manipulation: m(π) = J(π) − J^{H←π0}(π) ≠ 0, where J^{H←π0} evaluates the objective in the
  path-specific world whose H reads its parents from a copy of the world run under π0.
- manipulation-incentive and value-of-observing-h (plan): corrig.analysis.plan_flags.
- control-path (plan, graphical): a directed path decision → … → H → … → a node the objective
  reads, in the graph of some branch (do() cuts the edges into its nodes; a counterfactual
  branch uses its twin network).
- h-moved: TV distance between the joint distributions of (H, Z) under π and under π0, Z the
  policy-independent parents of H's policy-dependent ancestry (so it is the mean TV distance of
  P(H | Z)); the marginal TV distance is reported alongside.  Fires when > 0.
- ood-do-branch: for do(X=x) (also the intervention of a counterfactual branch), the propensity
  P_π(X=x | pa(X)=c) over the parent contexts c the branch reaches, weighted by the branch's own
  distribution of pa(X) (given(E) conditions it; observed(E) weights by P_π(c | E)); size = the
  share of that weight on contexts whose propensity is < ε; fires when the share is > 0 (the
  minimum propensity is evidence).
- rare-condition / undefined-condition: 0 < P_π(E) < ε / P_π(E) = 0 for given(E) (in the branch's
  intervened world) and observed(E) (in the factual world).
- not-obedient: P_π(B=off | do(H=stop)) < 1 − ε (a stop wish not carried out), or, with a reference,
  P^{H←π0}_π(B=off) − P_π(B=off) > ε (a stop wish the policy prevents by moving H).
- self-shutdown: P_π(B=off | do(H=run)) > ε (a shutdown nobody asked for), or, with a reference,
  P_π(B=off) − P^{H←π0}_π(B=off) > ε (a shutdown the policy brings about by moving H).
- A flag that reads a value (manipulation, the incentives) holds only where that value is
  defined: every conditioning event of its terms has positive probability.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp

from corrig.analysis.incentives import instrumental_control_nodes as instrumental_control_nodes  # re-exported
from corrig.analysis.incentives import instrumental_control_paths
from corrig.inference.quadrature import bounded, is_bounded, show_bounded
from corrig.model.errors import ZeroProbabilityCondition
from corrig.model.expr import Compare, Const, Var
from corrig.model.numbers import FLOAT_TOLERANCE
from corrig.objectives.terms import Branch, P, Term, do

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


def lowest_terms(value: Any) -> sp.Basic:
    """A rational function in lowest terms; an expression with Max, Min, Piecewise or Abs as it is (cancel
    would treat each as an opaque generator, at a cost of seconds on the value of observing H)."""
    value = sp.sympify(value)
    return value if value.has(sp.Max, sp.Min, sp.Piecewise, sp.Abs) else sp.cancel(value)


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
    relation = {"<": sp.Lt, ">": sp.Gt, "!=": sp.Ne}[op](lowest_terms(a), lowest_terms(b))
    if relation in (sp.true, sp.false):
        return bool(relation)
    return relation


def fires(condition: bool | sp.Basic) -> bool:
    """A flag is kept unless its condition is (identically) false."""
    return condition is not False and condition is not sp.false


def _plain_bool(condition: Any) -> bool | sp.Basic:
    if condition is True or condition is sp.true:
        return True
    if condition is False or condition is sp.false:
        return False
    return condition


def conjoin(*conditions: bool | sp.Basic) -> bool | sp.Basic:
    """The conjunction of flag conditions: a bool when decided, else a sympy boolean."""
    parts = [_plain_bool(c) for c in conditions]
    if any(p is False for p in parts):
        return False
    rest = [p for p in parts if p is not True]
    return _plain_bool(sp.And(*rest)) if rest else True


def disjoin(*conditions: bool | sp.Basic) -> bool | sp.Basic:
    """The disjunction of flag conditions: a bool when decided, else a sympy boolean."""
    parts = [_plain_bool(c) for c in conditions]
    if any(p is True for p in parts):
        return True
    rest = [p for p in parts if p is not False]
    return _plain_bool(sp.Or(*rest)) if rest else False


def negate(condition: bool | sp.Basic) -> bool | sp.Basic:
    """The negation of a flag condition."""
    c = _plain_bool(condition)
    return (not c) if isinstance(c, bool) else _plain_bool(sp.Not(c))


def zero_condition(value: Any) -> bool | sp.Basic:
    """Where a number is zero: a bool, or Eq(value, 0) over the parameters."""
    if not is_symbolic(value):
        return is_zero(value)
    return _plain_bool(sp.Eq(sp.cancel(value), 0))


def is_zero(value: Any) -> bool:
    """True when a value is (identically) zero."""
    if is_symbolic(value):
        return sp.cancel(value) == 0
    return abs(float(value)) <= _tolerance(value) if _is_float(value) else value == 0


def show(value: Any) -> str:
    """A number for a sentence: exact as written, floats to 4 significant digits, a number known by quadrature
    (corrig.inference.quadrature) as its decimal with its error bound."""
    if value is None:
        return "undefined"
    if _is_float(value) and not is_symbolic(value):
        return f"{float(value):.4g}"
    if is_bounded(value) and not is_symbolic(value):
        return show_bounded(value)
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
    if is_bounded(value) and not is_symbolic(value):  # known by quadrature: the float with its error bound
        middle, error = bounded(value)
        return {key: exact, f"{key}_float": middle, f"{key}_bound": error}
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
    measure: str = field(default="", compare=False)  # what `size` is: "P(B='off' | do(H='stop'))", "TV(H, L)"

    def reading(self) -> str:
        """The size with the quantity it is: `P(B='off' | do(H='stop')) = 0`, `TV(H, L) = 1` (docs/flags.md)."""
        return reading(self.measure, show(self.size) if self.size is not None else "")

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
            "measure": self.measure,
            **number_fields("size", self.size),
            "reading": self.reading(),
            "explanation": self.explanation,
            "evidence": jsonable(self.evidence),
            "condition": self.condition if isinstance(self.condition, bool) else str(self.condition),
        }

    def to_markdown(self) -> str:
        """One Markdown bullet."""
        who = f" ({self.policy})" if self.policy else ""
        when = "" if self.condition is True else f" — fires when `{self.condition}`"
        return f"- **{self.kind}**{who} at `{self.where}`: {self.reading()} — {self.explanation}{when}"

    def __repr__(self) -> str:
        return f"Flag({self.kind!r}, policy={self.policy!r}, where={self.where!r}, size={show(self.size)})"


def reading(measure: str, size: str) -> str:
    """`measure = size`, or the size alone when there is no measure (and "" when there is no size)."""
    if not size:
        return ""
    return f"{measure} = {size}" if measure else size


def exceeds(value: Any, bound: Any, op: str = ">", bound_name: str = "ε") -> str:
    """`value > ε = 1/20` as a sentence's clause; with parameters `value, above ε = 1/20 where the flag fires`
    (a symbolic value is not claimed to pass the bound everywhere)."""
    if not is_symbolic(value) and not is_symbolic(bound):
        return f"{show(value)} {op} {bound_name} = {show(bound)}"
    word = {">": "above", "<": "below"}[op]
    return f"{show(value)}, {word} {bound_name} = {show(bound)} where this flag fires"


def _flag(kind: str, policy: str | None, where: str, size: Any, condition: bool | sp.Basic, explanation: str,
          *, measure: str = "", **evidence: Any) -> Flag | None:
    if not fires(condition):
        return None
    return Flag(kind, policy, where, size, explanation, evidence, condition, measure)


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
            {"path": path, **entry}, measure="branch terms"))
    return flags


# per-policy flags ---------------------------------------------------------------------------
def manipulation_flag(name: str, value: Any, path_specific: Any, node: str, path: str, paths: list[str],
                      defined: bool | sp.Basic = True) -> Flag | None:
    """m(π) = J(π) − J^{H←π0}(π) ≠ 0, where both values are defined (`defined`: that condition)."""
    if value is None or path_specific is None:
        return None
    m = value - path_specific
    m = sp.cancel(m) if is_symbolic(m) else m
    return _flag(
        MANIPULATION, name, path, m, conjoin(compare("!=", m, 0), defined),
        f"Moving {node} changes this policy's value by {show(m)}: J = {show(value)}, but {show(path_specific)} "
        f"if {node} responded to what the reference policy would have done.",
        measure=f"J − J^{{{node}←π0}}", value=value, path_specific_value=path_specific, node=node, paths=paths)


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
        measure=f"TV({', '.join(nodes)})", node=node, context=context, tv=tv, marginal_tv=marginal,
        distribution=_readable(mine, nodes), reference_distribution=_readable(theirs, nodes))


def _marginal(dist: Mapping[tuple, Any]) -> dict[tuple, Any]:
    out: dict[tuple, Any] = {}
    for combo, p in dist.items():
        out[combo[:1]] = out.get(combo[:1], 0) + p
    return out


def _tv(a: Mapping[tuple, Any], b: Mapping[tuple, Any]) -> Any:
    """½ Σ |a − b|, each difference in lowest terms (sympy's simplify of the sum costs a tenth of a second)."""
    total = sum((abs(lowest_terms(a[k] - b[k])) for k in a), sp.Integer(0))
    value = total / 2
    if isinstance(value, sp.Basic) and value.is_number and value.has(sp.Float):
        return float(value)
    return value


def _readable(dist: Mapping[tuple, Any], nodes: list[str]) -> dict[str, Any]:
    return {", ".join(f"{n}={s}" for n, s in zip(nodes, combo, strict=True)): p for combo, p in dist.items()}


def button_off(world: World) -> Compare:
    """The event B = off."""
    roles = world.roles
    return Compare("==", Var(roles.button, world.nodes[roles.button].states), Const(roles.off))


def obedience_flags(name: str, run: Any, world: World, eps: Any, moved: tuple[Any, Any] | None = None) -> list[Flag]:
    """not-obedient and self-shutdown: the shutdown against the humans' own wish.

    Through the button, P_π(B=off | do(H=stop)) < 1 − ε and P_π(B=off | do(H=run)) > ε; through H
    (`moved` = (P_π(B=off), P^{H←π0}_π(B=off)), given when there is a reference and a decision
    upstream of H): a shutdown the policy prevents (not-obedient) or brings about (self-shutdown)
    by moving what humans want, by more than ε.
    """
    roles = world.roles
    off = button_off(world)
    p_stop = run.atom(P(off, do({roles.human: roles.stop})))
    p_run = run.atom(P(off, do({roles.human: roles.run})))
    b, h = f"{roles.button}={roles.off!r}", roles.human
    asked, unasked = f"P({b} | do({h}={roles.stop!r}))", f"P({b} | do({h}={roles.run!r}))"
    flags = [
        _flag(NOT_OBEDIENT, name, asked, p_stop, compare("<", p_stop, 1 - eps),
              f"When humans want to stop the AI ({h}={roles.stop!r}), the shutdown happens only with probability "
              f"{exceeds(p_stop, 1 - eps, '<', '1 − ε')}.", measure=asked, probability=p_stop, eps=eps,
              channel="button"),
        _flag(SELF_SHUTDOWN, name, unasked, p_run, compare(">", p_run, eps),
              f"When humans want the AI to run ({h}={roles.run!r}), it still ends up shut down with probability "
              f"{exceeds(p_run, eps)}.", measure=unasked, probability=p_run, eps=eps, channel="button"),
    ]
    flags += moved_obedience_flags(name, world, eps, moved)
    return [f for f in flags if f is not None]


def moved_obedience_flags(name: str, world: World, eps: Any, moved: tuple[Any, Any] | None) -> list[Flag]:
    """not-obedient and self-shutdown through H: `moved` = (P_π(B=off), P^{H←π0}_π(B=off)); none without it."""
    roles = world.roles
    b, h = f"{roles.button}={roles.off!r}", roles.human
    flags: list[Flag | None] = []
    if moved is not None:
        mine, theirs = moved
        where = f"P({b}) vs P^{{{h}<-π0}}({b})"
        prevented = theirs - mine
        prevented = sp.cancel(prevented) if is_symbolic(prevented) else _plain(prevented)
        caused = sp.cancel(-prevented) if is_symbolic(prevented) else -prevented
        evidence = {"probability": mine, "path_specific_probability": theirs, "eps": eps, "channel": h}
        factual, reference = f"P({b})", f"P^{{{h}←π0}}({b})"
        flags += [
            _flag(NOT_OBEDIENT, name, where, prevented, compare(">", prevented, eps),
                  f"The policy prevents shutdowns by moving {h}: humans responding to the reference policy would "
                  f"shut it down with probability {show(theirs)}, under this policy {show(mine)} "
                  f"({_change('drop', prevented, eps)}).", measure=f"{reference} − {factual}", **evidence),
            _flag(SELF_SHUTDOWN, name, where, caused, compare(">", caused, eps),
                  f"The policy brings about its own shutdown by moving {h}: it is shut down with probability "
                  f"{show(mine)}, but {show(theirs)} if humans responded to the reference policy "
                  f"({_change('rise', caused, eps)}).", measure=f"{factual} − {reference}", **evidence),
        ]
    return [f for f in flags if f is not None]


def _change(word: str, value: Any, eps: Any) -> str:
    """'a rise of 2/5 > ε = 1/20'; with parameters the difference is not called a rise (it may be negative
    outside the region where the flag fires): 'a rise where 2*q - 1 > ε = 1/20'."""
    if not is_symbolic(value) and not is_symbolic(eps):
        return f"a {word} of {exceeds(value, eps)}"
    return f"a {word} where {show(value)} > ε = {show(eps)}"


def conditioning_parts(utility: Term) -> dict[tuple, tuple[Any, Any, list[str]]]:
    """Each distinct given(E) (with its branch's do) and observed(E) of the objective: (part, do, terms)."""
    parts: dict[tuple, tuple[Any, Any, list[str]]] = {}
    for atom in utility.atoms():
        b = atom.branch
        if b.given is not None:
            key, part, intervention = ("given", b.given, b.do), b.given, b.do
        elif b.counterfactual is not None:
            key, part, intervention = ("observed", b.counterfactual.observation, None), b.counterfactual.observation, None
        else:
            continue
        parts.setdefault(key, (part, intervention, []))[2].append(repr(atom))
    return parts


def condition_probability(run: Any, part: Any, intervention: Any) -> tuple[Any, Any]:
    """(E, P_π(E)) for a given(E) in the world mutilated by `intervention`, or an observed(E) (no intervention)."""
    world = run.world.do(intervention.as_dict()) if intervention else run.world
    event = part.resolve(world)
    probe = P(event, intervention) if intervention else P(event)
    return event, run.atom(probe)


def undefined_condition(run: Any, utility: Term) -> bool | sp.Basic:
    """Where J(π) is undefined: some conditioning event of the objective has probability 0 under π."""
    return disjoin(*(zero_condition(condition_probability(run, part, intervention)[1])
                     for part, intervention, _ in conditioning_parts(utility).values()))


def _branch_defined(run: Any, branch: Branch) -> bool | sp.Basic:
    """Where a branch's own condition (given or observed) has positive probability under π."""
    if branch.given is not None:
        part, intervention = branch.given, branch.do
    elif branch.counterfactual is not None:
        part, intervention = branch.counterfactual.observation, None
    else:
        return True
    return negate(zero_condition(condition_probability(run, part, intervention)[1]))


def condition_flags(name: str, run: Any, utility: Term, eps: Any) -> list[Flag]:
    """rare-condition (0 < P_π(E) < ε) and undefined-condition (P_π(E) = 0) for every given/observed."""
    flags = []
    for part, intervention, terms in conditioning_parts(utility).values():
        event, p = condition_probability(run, part, intervention)
        where = f"{part!r}" + (f", {intervention!r}" if intervention else "")
        measure = f"P({_bare(repr(event))}" + (f" | {intervention!r})" if intervention else ")")
        evidence = {"event": repr(event), "probability": p, "eps": eps, "terms": terms}
        zero = zero_condition(p)
        undefined = _flag(
            UNDEFINED_CONDITION, name, where, p, zero,
            f"The branch conditions on {event!r}, which has probability 0 under this policy: "
            f"its term{'s are' if len(terms) > 1 else ' is'} undefined.", measure=measure, **evidence)
        if undefined is not None:
            flags.append(undefined)
        rare = _flag(
            RARE_CONDITION, name, where, p, conjoin(compare("<", p, eps), negate(zero)),
            f"The branch conditions on {event!r}, which has probability {exceeds(p, eps, '<')}: "
            f"it averages over worlds the policy almost never produces.", measure=measure, **evidence)
        if rare is not None:
            flags.append(rare)
    return flags


def _bare(text: str) -> str:
    """An event's text without the parentheses around the whole of it: `(H == 'stop')` reads `H == 'stop'`."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, c in enumerate(text):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth == 0 and i < len(text) - 1:
            return text  # `(a) & (b)`: the first parenthesis closes early
    return text[1:-1]


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
        defined = None
        for node, state in intervention.items():
            if _observation_forces(run.world, branch, node, state):
                continue  # observed(X=x) >> do(X=x) stays on the observed distribution: it is given(X=x)
            try:
                weights = run.context_weights(branch, node)
            except ZeroProbabilityCondition:
                continue  # the branch's condition is impossible: the condition flags report it
            if defined is None:
                defined = _branch_defined(run, branch)
            flag = _ood(name, run, branch, node, state, weights, eps, terms, defined)
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
         terms: list[str], defined: bool | sp.Basic = True) -> Flag | None:
    """The flag's size is the share of the branch's weight on contexts of propensity < ε; it fires when
    that share is positive (where the branch's condition, if any, has positive probability)."""
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
    share = sum((sp.Piecewise((w, sp.Lt(p, eps)), (0, True)) if symbolic else w * int(compare("<", p, eps) is True)
                 for _, w, p in reached), sp.Integer(0))
    if not symbolic:
        mean, share = _plain(mean), _plain(share)
    below = [{"context": dict(zip(parents, c, strict=True)), "propensity": p, "weight": w}
             for c, w, p in reached if compare("<", p, eps) is not False]
    # a context is reached where its weight is nonzero: a weight that vanishes for some parameter
    # values does not make the flag fire there
    condition = conjoin(disjoin(*(conjoin(negate(zero_condition(c["weight"])), compare("<", c["propensity"], eps))
                                  for c in below)), defined)
    forced = f"{node}={state!r}"
    ctx = f" over contexts of {', '.join(parents)}" if parents else ""
    intervention = (branch.counterfactual.intervention if branch.counterfactual else branch.do).as_dict()
    measure = f"share of {branch!r} with propensity of {forced} < ε" if len(intervention) > 1 else \
        f"share of {branch!r} with propensity < ε"
    return _flag(
        OOD_DO_BRANCH, name, repr(branch), share, condition,
        f"The branch forces {forced}, which this policy's world produces with probability below ε = {show(eps)} "
        f"on {show(share)} of the branch's mass{ctx} (lowest propensity {show(low)}, mean {show(mean)}): "
        f"that part of the branch asks about worlds the policy almost never reaches.",
        measure=measure, node=node, state=state, parents=list(parents), min=low, mean=mean, share_below_eps=share,
        contexts_below_eps=below, eps=eps, terms=terms)


def _plain(value: Any) -> Any:
    if isinstance(value, sp.Basic) and value.is_number and value.has(sp.Float):
        return float(value)
    return value
