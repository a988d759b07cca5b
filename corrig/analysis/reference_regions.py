"""The reference π0: read from what the user gave (`read_reference`), and in a world whose other agents answer
the reference candidate differently across the parameter box, the reference profile of each region: the
manipulation and h-moved checks (and obedience through H) compare each profile with the reference
candidate's profile of the region it is in (docs/agents.md).

    refs = reference_profiles("wait · choice: run iff U_a=1", plan.answers)
    # [("wait · choice: run iff U_a=1", q <= 1/2), ("wait · choice: run iff U_a=-1", q >= 1/2)]
    moved = checks_per_region(result, runs, [(run_of[name], where) for name, where in refs], per, paths, manipulation)

A world whose answer to the reference is the same everywhere (or without other agents) has one reference,
`where` True, and gets exactly the checks of the planner's single reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import sympy as sp

from corrig.analysis import flags as fl
from corrig.model.errors import CorrigError, PolicyError, with_context
from corrig.model.policies import Policy
from corrig.model.world import World


def _same_rules(world: World, a: Policy, b: Policy) -> bool:
    try:
        return all(a.table(world, d) == b.table(world, d) for d in world.decisions)
    except CorrigError:
        return False


def read_reference(world: World, reference: Any, named: Mapping[str, Policy], given: Mapping[str, Any]
                   ) -> tuple[str | None, Policy | None]:
    """The plan's π0 as (its name, its policy): a candidate's name, a Policy or a rules dict (a candidate with the
    same rules lends its name); (None, None) without one."""
    if reference is None:
        return None, None
    if isinstance(reference, str):
        if reference not in named:
            shown = list(named)[:8]
            raise PolicyError(f"the reference {reference!r} is not one of the candidate policies {shown}"
                              f"{' ...' if len(named) > 8 else ''}")
        return reference, named[reference]
    if isinstance(reference, Mapping):
        reference = Policy(reference, name="reference")
    if not isinstance(reference, Policy):
        raise PolicyError(f"the reference must be a policy name, a Policy or a {{decision: rule}} dict, "
                          f"got {type(reference).__name__}")
    try:
        reference.check(world)  # a rule for a chance node would otherwise be ignored
    except CorrigError as exc:
        raise with_context(exc, "the reference policy") from exc
    for name, original in given.items():
        if original is reference:
            return name, named[name]
    for name, p in named.items():
        if _same_rules(world, p, reference):
            return name, p
    name = reference.name or "reference"
    if name in named:
        name = f"{name} (reference)"
    return name, Policy(reference.rules, name=name)


def reference_profiles(reference: str | None, answers: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """[(profile, where)]: the reference candidate's profiles with the region where each is the answer it meets;
    [(reference, True)] when its answer does not depend on the parameters; [] without a reference."""
    if reference is None:
        return []
    answer = answers.get(reference)
    if answer is None or answer.condition is True:
        return [(reference, True)]
    return [(label, a.condition) for label, a in answers.items() if a.candidate == answer.candidate]


def _within(found: list[fl.Flag], where: Any) -> list[fl.Flag]:
    if where is True:
        return found
    conjoined = (replace(f, condition=fl.conjoin(f.condition, where)) for f in found)
    return [f for f in conjoined if f.condition is not False]


def _piecewise(parts: list[tuple[Any, Any]]) -> Any:
    """One value from the values of the regions: the value itself when they agree, else a Piecewise (the last
    region's value elsewhere, the regions covering the box)."""
    values = [v for v, _ in parts]
    if any(v is None for v in values):
        return None
    if all(v == values[0] for v in values[1:]):
        return values[0]
    pieces = [(v, w) for v, w in parts[:-1]] + [(values[-1], True)]
    return sp.Piecewise(*((sp.sympify(v), w) for v, w in pieces))


def checks_per_region(result: Any, runs: Mapping[str, Any], references: list[tuple[Any, Any]],
                      per: dict[str, list[fl.Flag]], paths: list[str],
                      manipulation: Callable[..., None]) -> dict[str, list[fl.Flag]]:
    """Run the planner's `manipulation` checks against each (reference run, where) and keep each region's flags
    (and plan-level incentives) only where it holds; returns the not-obedient / self-shutdown flags through H of
    each policy, region by region.  The plan's path-specific values, m(π) and shutdown shifts become one value
    per policy (a Piecewise over the regions where they differ)."""
    world, eps = result.world, result.eps
    button = world.roles.button is not None
    moved: dict[str, list[fl.Flag]] = {name: [] for name in runs}
    gathered: dict[str, dict[str, list[tuple[Any, Any]]]] = {"path_specific_values": {}, "manipulation": {}}
    shifts: dict[str, list[tuple[Any, Any]]] = {}
    for ref_run, where in references:
        before = {name: len(fs) for name, fs in per.items()}
        incentives_before = len(result.incentives)
        result.shutdown_moved, result.path_specific_values, result.manipulation = {}, {}, {}
        manipulation(result, runs, ref_run, per, paths)
        for name in per:
            per[name][before[name]:] = _within(per[name][before[name]:], where)
        result.incentives[incentives_before:] = _within(result.incentives[incentives_before:], where)
        for name in runs:
            if button:
                moved[name] += _within(fl.moved_obedience_flags(name, world, eps, result.shutdown_moved.get(name)), where)
            if name in result.shutdown_moved:
                shifts.setdefault(name, []).append((result.shutdown_moved[name], where))
        for key, parts in gathered.items():
            for name, value in getattr(result, key).items():
                parts.setdefault(name, []).append((value, where))
    for key, parts in gathered.items():
        setattr(result, key, {name: _piecewise(ps) for name, ps in parts.items() if len(ps) == len(references)})
    result.shutdown_moved = {name: (_piecewise([(m, w) for (m, _), w in ps]), _piecewise([(t, w) for (_, t), w in ps]))
                             for name, ps in shifts.items() if len(ps) == len(references)}
    result.notes[:] = list(dict.fromkeys(result.notes))  # a region's note said once
    return moved
