"""An objective over a world with continuous nodes, read on the world with those nodes integrated out.

`integrate_out(world, utility)` returns the exact discrete world of corrig.inference.continuous (its cells
refined at every threshold the objective's events and quantities name) and the same objective with each
expression that reads a continuous node rewritten for it.  The planner, solve, the flags, incentives and
equilibria then run unchanged on the pair; each rewritten expression prints as the user wrote it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from corrig.inference.continuous import Lowering, discretize
from corrig.model.expr import Expr
from corrig.objectives.terms import Atom, Branch, Counterfactual, Given, Observed, Term

if TYPE_CHECKING:
    from corrig.model.world import World


def integrate_out(world: World, utility: Term) -> tuple[World, Term]:
    """(the discrete world, the objective read there) for a world with continuous nodes; unchanged otherwise."""
    if world.compiled.continuous is None:
        return world, utility
    lowering = discretize(world, expressions(utility))
    return lowering.world, replace_atoms(utility, lambda atom: lowered_atom(atom, lowering))


def expressions(utility: Term) -> list[Expr]:
    """Every expression an objective's atoms read: targets, conditions, observations."""
    found: list[Expr] = []
    for atom in utility.atoms():
        found.append(atom.target)
        branch = atom.branch
        for part in (branch.given, branch.counterfactual.observation if branch.counterfactual else None):
            if part is not None and part.event is not None:
                found.append(part.event)
    return found


def lowered_atom(atom: Atom, lowering: Lowering) -> Atom:
    """The atom with its target and events read on the lowering's discrete world."""
    branch = atom.branch
    given = branch.given
    if given is not None and given.event is not None:
        given = Given(lowering.expr(given.event), given.assignment)
    counterfactual = branch.counterfactual
    if counterfactual is not None and counterfactual.observation.event is not None:
        observation = counterfactual.observation
        counterfactual = Counterfactual(Observed(lowering.expr(observation.event), observation.assignment),
                                        counterfactual.intervention)
    return Atom(atom.kind, lowering.expr(atom.target), Branch(given, branch.do, counterfactual))


def replace_atoms(term: Term, replace: Callable[[Atom], Term]) -> Term:
    """The term with each atom replaced (sums, products and aggregates rebuilt around them)."""
    if isinstance(term, Atom):
        return replace(term)
    if not dataclasses.is_dataclass(term):
        return term
    changes = {}
    for f in dataclasses.fields(term):
        value = getattr(term, f.name)
        if isinstance(value, Term):
            changes[f.name] = replace_atoms(value, replace)
        elif isinstance(value, tuple) and value and all(isinstance(v, Term) for v in value):
            changes[f.name] = tuple(replace_atoms(v, replace) for v in value)
    return dataclasses.replace(term, **changes) if changes else term
