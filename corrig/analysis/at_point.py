"""A symbolic plan read at a parameter point: the plan there, by substitution instead of re-planning.

    symbolic = plan(world, utility, policies)          # values and flag conditions over the parameters
    here = plan_at_point(symbolic, {"K": 10, "v": 1/2}) # == plan(world, utility, policies, at=...) or None

Every value, flag size and flag condition of a symbolic plan is exact in the parameters
(docs/semantics.md, "Numbers"), so at a point the values are the substituted values, the
optimal set is their argmax, and the flags that fire are those whose condition holds there.
Where the symbolic plan cannot answer for the point, the answer is None and the caller re-plans:
a value undefined at the point (its undefined-condition flags are sized there), floats in the point
(substitution and planning would round differently), a check the symbolic plan skipped because of
its parameters, mixtures, principals, other agents, or policies that read parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from corrig.analysis import flags as fl
from corrig.analysis import plan_flags as pf
from corrig.analysis.conditions import holds_at
from corrig.analysis.display import FlagList
from corrig.analysis.parameters import resolve_at
from corrig.analysis.planner import REGION_DEPENDENT_NOTE, Plan
from corrig.inference.quadrature import Quadrature
from corrig.model.agents import has_other_agents


class _Unreadable(Exception):
    """The symbolic plan cannot answer for this point."""


def plan_at_point(result: Plan, at: Mapping[Any, Any]) -> Plan | None:
    """The plan at `at` ({parameter or name: value}) read from a plan made without `at`; None where it
    cannot be read there (then plan(..., at=at) is the answer).  Bad points raise as plan(at=) does."""
    if result.at or result.mixture is not None or result.per_principal or result.world.principals is not None \
            or result.skipped or has_other_agents(result.world) \
            or any(p.parameters(result.world) for p in result.policies.values()):
        return None
    point = resolve_at(at, result.world, result.utility, result.eps)
    if any(not isinstance(v, sp.Rational) for v in point.values()):
        return None  # floats: planning at the point rounds as the user's floats ask
    world = result.world.subs(point)
    world.check()  # a world that is no distribution at this point is refused, as plan(at=) refuses it
    try:
        return _read(result, point, world)
    except _Unreadable:
        return None


def _number(value: Any, point: Mapping[sp.Symbol, Any]) -> Any:
    """The value at the point (exact; an expression in the parameters the point leaves free);
    _Unreadable where substitution leaves no finite value."""
    if not isinstance(value, sp.Basic):
        return value
    found = value.xreplace(point)
    if _not_finite(found):
        raise _Unreadable
    return fl.lowest_terms(found) if found.free_symbols else found  # as the planner's own values are


def _not_finite(found: sp.Basic) -> bool:
    """True where substitution left an infinite or undefined number (an integral's infinite limits aside)."""
    integrals = found.atoms(Quadrature)
    masked = found.xreplace({q: sp.Dummy() for q in integrals}) if integrals else found
    return masked.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or any(q.has(sp.nan, sp.zoo) for q in integrals)


def _condition(condition: Any, point: Mapping[sp.Symbol, Any]) -> bool | sp.Basic:
    """A flag or undefined condition at the point: True/False where decided, else the substituted condition."""
    if isinstance(condition, bool):
        return condition
    found = sp.sympify(condition).xreplace(point)
    if found in (sp.true, sp.false):
        return bool(found)
    if not found.free_symbols:
        return holds_at(condition, point)
    if _not_finite(found):
        raise _Unreadable
    # each relation in lowest terms, as the planner states it: one that is decided there becomes True/False
    found = found.xreplace({r: r.func(fl.lowest_terms(r.lhs - r.rhs), 0) for r in found.atoms(Relational)})
    return bool(found) if found in (sp.true, sp.false) else found


def _deep(value: Any, point: Mapping[sp.Symbol, Any]) -> Any:
    """Every sympy number inside lists, tuples and dicts substituted."""
    if isinstance(value, sp.Basic):
        return _number(value, point)
    if isinstance(value, Mapping):
        return {k: _deep(v, point) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_deep(v, point) for v in value)
    return value


def _fired(flags: list[fl.Flag], point: Mapping[sp.Symbol, Any], read: dict) -> list[fl.Flag]:
    """The flags whose condition holds (or may hold) at the point, with sizes, evidence and conditions substituted.

    `read` keeps each condition read at this point: the policies of a plan share many."""
    out = []
    for flag in flags:
        if isinstance(flag.condition, bool):
            condition = flag.condition
        else:
            condition = read.get(flag.condition)
            if condition is None:
                condition = read[flag.condition] = _condition(flag.condition, point)
        if condition is not False:
            out.append(replace(flag, size=_deep(flag.size, point), evidence=_deep(flag.evidence, point),
                               condition=condition))
    return out


def _read(result: Plan, point: dict[sp.Symbol, Any], world: Any) -> Plan:
    undefined = {name: _condition(c, point) for name, c in result.undefined.items()}
    if any(c is True for c in undefined.values()):
        raise _Unreadable  # undefined here: its flags are sized at the point by the planner
    values = {name: _number(v, point) for name, v in result.values.items()}
    symbolic = any(fl.is_symbolic(v) for v in values.values())
    optimal = pf.argmax(values)
    here = Plan(world, result.utility.subs(point), _number(result.eps, point), result.reference, result.policies,
                values, {n: _deep(b, point) for n, b in result.branch_values.items()}, optimal or [], symbolic,
                at=dict(point), undefined=undefined)
    read: dict[sp.Basic, Any] = {}
    here.flags = {name: FlagList(_fired(fs, point, read)) for name, fs in result.flags.items()}
    here.incentives = _fired(result.incentives, point, read)
    here.notes = [n for n in result.notes if n != REGION_DEPENDENT_NOTE] + ([REGION_DEPENDENT_NOTE] if optimal is None else [])
    here.path_specific_values = _deep(result.path_specific_values, point)
    here.manipulation = _deep(result.manipulation, point)
    here.value_of_observing_h = _deep(result.value_of_observing_h, point)
    here.shutdown_moved = _deep(result.shutdown_moved, point)
    return here
