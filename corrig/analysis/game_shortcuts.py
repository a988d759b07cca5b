"""Shortcuts to the values of a game whose objectives are linear in the decision rules.

    _profile_weights(game)                                # per atom, the weight of each joint (context, action)
    _gains_from_joint(world, objective, decision, levels) # a lone responder's gains, from the same weights

When an objective is a sum of exact constant (or parameter) multiples of P/E atoms with no
given(...), no counterfactual and no do(...) on a decision, in a world without floats
(`_linear_atoms`), each atom's value is multilinear in the decisions' rules: Σ over every
decision's (context, action) of Π_d r_d(a_d | c_d) · W, where W = Π_d |A_d| · E[target ; those
contexts and actions] with every decision played uniformly (`uniform_rule`).  W is read from one
joint distribution per compiled world and atom (at most JOINT_LIMIT joint assignments), kept with
the compiled world, and folded with the rules a game holds fixed; a pure profile's atom values are
then sums of the weights its rules pick.  Each shortcut answers None (or False) where it does not
apply, and the caller evaluates instead (`_gains_by_evaluation`, one evaluation per context and
action); docs/agents.md says where each is used.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sympy as sp

from corrig.inference.compiled import derived
from corrig.inference.engine import distribution
from corrig.model.errors import CorrigError, ZeroProbabilityCondition
from corrig.model.numbers import to_number
from corrig.model.policies import Policy
from corrig.model.world import World
from corrig.objectives.terms import Atom, Constant, Product, Sum, Term

if TYPE_CHECKING:
    from corrig.analysis.profiles import Game

JOINT_LIMIT = 4096  # joint assignments read per atom by the weights shortcut (above: values are evaluated)


def _is_symbolic(value: Any) -> bool:
    return isinstance(value, sp.Basic) and bool(value.free_symbols)


def uniform_rule(world: World, decision: str) -> Any:
    """The rule playing every state of `decision` with equal probability, in every context."""
    node = world.nodes[decision]
    dist = {s: sp.Rational(1, len(node.states)) for s in node.states}
    if not node.parents:
        return dist
    return {ctx: dist for ctx in itertools.product(*(world.nodes[p].states for p in node.parents))}


def _value(world: World, objective: Term, policy: Policy) -> Any:
    try:
        return objective.evaluate(world, policy)
    except ZeroProbabilityCondition:
        return None



Gains = dict[tuple, dict[Any, tuple[Any, Any]]]


def _gains_by_evaluation(world: World, objective: Term, decision: str, levels: tuple[Mapping[str, Any], Mapping[str, Any]]
                         ) -> Gains | None:
    """For each observed context and action of `decision`, the objective's gain (at both levels: the
    AI's rules, then the AI uniform) from playing the action there over playing its first state
    everywhere — one evaluation of the objective per (context, action).  None when a value is undefined."""
    node = world.nodes[decision]
    contexts = list(itertools.product(*(world.nodes[q].states for q in node.parents)))
    first = node.states[0]

    def values(choice: Mapping[tuple, Any]) -> tuple[Any, ...]:
        rule = choice[()] if not node.parents else dict(choice)
        return tuple(_value(world, objective, Policy({**rules, decision: rule})) for rules in levels)

    base = {c: first for c in contexts}
    v_base = values(base)
    if None in v_base:
        return None
    gains: Gains = {}
    for c in contexts:
        gains[c] = {first: (sp.Integer(0), sp.Integer(0))}
        for a in node.states[1:]:
            v = values({**base, c: a})
            if None in v:
                return None
            gains[c][a] = (_simplified(v[0] - v_base[0]), _simplified(v[1] - v_base[1]))
    return gains


def _gains_from_joint(world: World, objective: Term, decision: str, levels: tuple[Mapping[str, Any], Mapping[str, Any]]
                      ) -> tuple[Gains, dict[Atom, dict[tuple, Any]]] | None:
    """_gains_by_evaluation's table, and each atom's weights of the decision's (context, action) at
    the first level, from the atoms' decision weights (_folded), when the objective is linear in the
    rules (_linear_atoms) in a world without floats: a gain is then a difference of two weights,
    equal as a number to the difference of two evaluations.  None when the objective or a number is
    not of that form, or a rule is missing or malformed (the gains are then evaluated)."""
    parts = _linear_atoms(world, objective)
    if parts is None:
        return None
    node = world.nodes[decision]
    contexts = list(itertools.product(*(world.nodes[q].states for q in node.parents)))
    first = node.states[0]
    per_atom: list[dict[Atom, dict[tuple, Any]]] = []
    totals = []
    for rules in levels:
        weights: dict[Atom, dict[tuple, Any]] = {}
        for _, atom in parts:
            folded = _folded(world, atom, [decision], rules)
            if folded is None:
                return None
            weights[atom] = {(c, a): folded.get(((c, a),), sp.Integer(0)) for c in contexts for a in node.states}
        total = {(c, a): sp.Integer(0) for c in contexts for a in node.states}
        for coefficient, atom in parts:
            for key, w in weights[atom].items():
                total[key] += coefficient * w
        if not all(_plain(w) for w in total.values()):
            return None
        per_atom.append(weights)
        totals.append(total)
    gains: Gains = {}
    for c in contexts:
        gains[c] = {first: (sp.Integer(0), sp.Integer(0))}
        for a in node.states[1:]:
            gains[c][a] = (_simplified(totals[0][(c, a)] - totals[0][(c, first)]),
                           _simplified(totals[1][(c, a)] - totals[1][(c, first)]))
    return gains, per_atom[0]


def _linear_atoms(world: World, term: Term) -> list[tuple[Any, Atom]] | None:
    """The term as Σ coefficient · atom (+ constants, dropped), linear in every decision's rule: None
    unless the world has no floats, each atom is unconditional, not counterfactual and intervenes on
    no decision, and each coefficient is an exact constant."""
    if world.compiled.floats:
        return None
    parts = _linear_parts(term)
    if parts is None or any(a.branch.do is not None and set(a.branch.do.as_dict()) & set(world.decisions) for _, a in parts):
        return None
    return parts


def _linear_parts(term: Term) -> list[tuple[Any, Atom]] | None:
    if isinstance(term, Constant):
        return [] if _plain(term.value) else None
    if isinstance(term, Atom):
        b = term.branch
        return [(sp.Integer(1), term)] if b.given is None and b.counterfactual is None else None
    if isinstance(term, Sum):
        out: list[tuple[Any, Atom]] = []
        for t in term.terms:
            found = _linear_parts(t)
            if found is None:
                return None
            out += found
        return out
    if isinstance(term, Product):
        coefficient: Any = sp.Integer(1)
        inner: list[tuple[Any, Atom]] | None = None
        for t in term.terms:
            if isinstance(t, Constant):
                if not _plain(t.value):
                    return None
                coefficient *= sp.sympify(t.value)
            elif inner is None:
                inner = _linear_parts(t)
                if inner is None:
                    return None
            else:
                return None  # a product of two terms that read the world
        return [(coefficient * c, a) for c, a in inner or []]
    return None


def _plain(value: Any) -> bool:
    """An exact rational, or a rational function of the parameters with rational coefficients."""
    if isinstance(value, bool) or not isinstance(value, int | sp.Basic):
        return False
    value = sp.sympify(value)
    if value.is_Rational:
        return True
    return all(x.is_Rational or x.is_Symbol for x in value.atoms()) and value.is_rational_function()


def _joint_weights(world: World, atom: Atom) -> dict[tuple, Any] | None:
    """((context, action) of every decision) -> Π|A| · E_u[target ; each decision's parents = its
    context, the decision = its action], u playing every decision uniformly, in the world intervened
    on by the atom's do; once per compiled world and atom.  None when the joint has more than
    JOINT_LIMIT assignments or the target reads a node the world lacks."""
    if not atom.target.scope() <= set(world.nodes):
        return None
    decisions = list(world.decisions)
    scope = [n for n in world.compiled.order if n in atom.target.scope()]
    nodes = [world.nodes[d] for d in decisions]
    names = list(dict.fromkeys([*(q for node in nodes for q in node.parents), *decisions, *scope]))
    if math.prod(len(world.nodes[n].states) for n in names) > JOINT_LIMIT:
        return None
    memo = ("equilibria: joint weights", atom)
    cache = derived(world)
    try:
        found = cache.get(memo)
    except TypeError:  # an unhashable constant in the atom: not remembered
        memo, found = None, None
    if found is not None:
        return found
    uniform = Policy({d: uniform_rule(world, d) for d in decisions})
    joint = distribution(world, names, uniform, do=atom.branch.do.as_dict() if atom.branch.do is not None else None)
    size = sp.Integer(math.prod(len(node.states) for node in nodes))
    out: dict[tuple, Any] = {}
    for combo, probability in joint.items():
        values = dict(zip(names, combo, strict=True))
        raw = atom.target.evaluate({n: values[n] for n in scope})
        if atom.kind == "P" or isinstance(raw, bool):
            weight = sp.Integer(1 if raw else 0)
        else:
            weight = to_number(raw, f"the quantity {atom.target!r} at {values}")
        key = tuple((tuple(values[q] for q in node.parents), values[node.name]) for node in nodes)
        out[key] = out.get(key, sp.Integer(0)) + size * probability * weight
    if memo is not None:
        cache[memo] = out
    return out


def _profile_weights(game: Game) -> tuple[list[str], dict[Atom, dict[tuple, Any]]] | bool:
    """For a game whose every value is linear in the rules (_linear_atoms) and rational: the
    decisions chosen, and per atom of the objectives the weight of each joint (context, action) of
    those decisions (_folded with the game's fixed rules), so that an atom's value at a profile is
    the sum of the weights its pure rules pick.  False when the game is not of that form: each
    profile is then evaluated."""
    world = game.world
    chosen = [d for a in game.strategies for d in game.decisions[a]]
    atoms: list[Atom] = []
    for objective in game.objectives.values():
        parts = _linear_atoms(world, objective)
        if parts is None or not chosen:
            return False
        atoms += [a for _, a in parts if a not in atoms]
    weights = {}
    for atom in atoms:
        found = _folded(world, atom, chosen, game.fixed.rules)
        if found is None or not all(w.is_Rational for w in found.values()):
            return False
        weights[atom] = found
    return chosen, weights


def _folded(world: World, atom: Atom, keep: list[str], rules: Mapping[str, Any]) -> dict[tuple, Any] | None:
    """The atom's weight of each joint (context, action) of the decisions `keep`, every other decision
    played by its rule in `rules`: Σ over the others' (context, action) of Π r(a | c) · W, W the
    atom's weights with every decision played uniformly (_joint_weights, once per compiled world and
    atom).  The value under pure rules for `keep` is then the sum of the weights they pick, since the
    value is linear in each decision's rule.  None when the joint is too large or a rule is missing
    or malformed."""
    decisions = list(world.decisions)
    try:
        joint = _joint_weights(world, atom)
        if joint is None:
            return None
        policy = Policy(rules)
        others = [(i, world.nodes[d].states, policy.table(world, d)) for i, d in enumerate(decisions) if d not in keep]
    except CorrigError:
        return None  # the evaluation says what is wrong
    kept = [decisions.index(d) for d in keep]
    out: dict[tuple, Any] = {}
    for key, w in joint.items():
        factor = sp.Integer(1)
        for i, states, table in others:
            c, a = key[i]
            factor *= table[c][states.index(a)]
        k = tuple(key[i] for i in kept)
        out[k] = out.get(k, sp.Integer(0)) + factor * w
    return out


def _weighted_value(weights: Mapping[tuple, Any], choices: Mapping[str, Mapping[tuple, Any]]) -> Any:
    """The sum of the weights whose (context, action) pairs the pure rules `choices` pick."""
    total = sp.Integer(0)
    rules = list(choices.values())
    for key, w in weights.items():
        if all(rule[c] == a for rule, (c, a) in zip(rules, key, strict=True)):
            total += w
    return total


def _simplified(value: Any) -> Any:
    return sp.cancel(value) if _is_symbolic(value) else value
