"""Symbolic plans: where in the parameter box each policy is optimal and each flag fires.

    from corrig import plan, symbolic_plan
    sp = symbolic_plan(plan(world, utility))
    sp.values["wait"]                   # J(wait), simplified
    sp.optimal["wait"]                  # the Region where wait is optimal (ties included)
    sp.flags["block"][0].region         # where that flag fires

Each question is a condition on the parameters, decided by `corrig.analysis.regions`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from corrig.analysis.conditions import holds_at
from corrig.analysis.flags import reading
from corrig.analysis.plan_flags import optimality_conditions
from corrig.analysis.regions import UNDEFINED_KINDS, Region, _resolve_point, _set_text, region
from corrig.analysis.signs import _sorted, _symbols_of, box_of, simplify_value, value_latex


def optimal_regions(values: Mapping[str, Any], params: Iterable[sp.Symbol] | None = None,
                    undefined: Mapping[str, Any] | None = None) -> dict[str, Region]:
    """For each policy, the region of the box where it is optimal (ties included)."""
    params = tuple(params) if params is not None else _sorted(set().union(*(_symbols_of(v) for v in values.values())))
    return {name: region(cond, params) for name, cond in optimality_conditions(values, undefined).items()}


class LazyRegion:
    """A Region computed on first use: `condition` and `contains(point)` need no region computation.

    Every other attribute (set, witness, is_empty, str, ...) is the computed Region's.
    """

    def __init__(self, condition: sp.Basic, parameters: tuple[sp.Symbol, ...]):
        self.condition = condition
        self.parameters = tuple(dict.fromkeys([*parameters, *_sorted(_symbols_of(condition))]))
        self._region: Region | None = None

    @property
    def computed(self) -> Region:
        """The Region (computed once)."""
        if self._region is None:
            self._region = region(self.condition, self.parameters)
        return self._region

    def contains(self, point: Mapping[Any, Any]) -> bool:
        """Whether the condition holds at a point ({Symbol or name: value}) by exact substitution."""
        return holds_at(self.condition, _resolve_point(point, self.parameters))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_region", "condition", "parameters"):
            raise AttributeError(name)
        return getattr(self.computed, name)

    def __str__(self) -> str:
        return str(self.computed)

    def __repr__(self) -> str:
        return repr(self.computed)

    def __eq__(self, other: object) -> bool:
        return self.computed == (other.computed if isinstance(other, LazyRegion) else other)

    __hash__ = None  # type: ignore[assignment]


# the symbolic plan ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FlagRegion:
    """A flag and the region of the box where it fires."""

    flag: Any
    region: Region
    box: Mapping[sp.Symbol, sp.Interval] | None = field(default=None, compare=False)

    @property
    def size(self) -> Any:
        """The flag's size, simplified on the box (when first read: a flag that fires nowhere is not shown)."""
        size = self.flag.size
        return simplify_value(size, self.box) if isinstance(size, sp.Basic) else size

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.flag.kind, "policy": self.flag.policy, "where": self.flag.where,
               "measure": self.flag.measure, "size": str(self.size), "size_latex": value_latex(self.size),
               "region": self.region.to_dict()}
        if (self.flag.evidence or {}).get("direction"):
            out["direction"] = self.flag.evidence["direction"]
        return out


@dataclass
class SymbolicPlan:
    """A plan read symbolically: simplified values, optimal regions, flag regions, undefined regions."""

    plan: Any
    parameters: tuple[sp.Symbol, ...]
    values: dict[str, Any]
    optimal: dict[str, Region]
    flags: dict[str, list[FlagRegion]]
    incentives: list[FlagRegion]
    undefined: dict[str, Region]
    seconds: float = 0.0

    @property
    def box(self) -> dict[sp.Symbol, sp.Interval]:
        """The parameter box."""
        return box_of(self.parameters)

    def margin(self, name: str) -> Any:
        """J_π − max over the other policies' values (Δ: positive exactly where π is the unique optimum)."""
        others = [v for n, v in self.values.items() if n != name and v is not None]
        if self.values[name] is None or not others:
            return None
        return simplify_value(self.values[name] - sp.Max(*others), self.box)

    def value_at(self, name: str, point: Mapping[Any, Any]) -> Any:
        """The policy's value at a point (None where it is undefined)."""
        point = _resolve_point(point, self.parameters)
        value = self.values[name]
        if value is None or (name in self.undefined and self.undefined[name].contains(point)):
            return None
        return sp.sympify(value).xreplace(point)

    def optimal_everywhere(self) -> list[str] | None:
        """The optimal set when it is the same at every point of the box (each policy's region is the whole box or
        empty), else None."""
        regions = self.optimal.values()
        if not all(r.everywhere or r.is_empty is True for r in regions):
            return None
        return [n for n, r in self.optimal.items() if r.everywhere] or None

    def optimal_at(self, point: Mapping[Any, Any]) -> list[str]:
        """The optimal set at a point, by exact substitution into the optimal regions."""
        return [n for n, r in self.optimal.items() if r.contains(point)]

    def firing_at(self, point: Mapping[Any, Any]) -> dict[str, list[str]]:
        """The kinds of the flags that fire at a point, per policy."""
        return {name: [f.flag.kind for f in frs if f.region.contains(point)] for name, frs in self.flags.items()}

    def __str__(self) -> str:
        box = ", ".join(f"{s} ∈ {_set_text(i)}" for s, i in self.box.items())
        lines = [f"{getattr(self.plan.world, 'name', 'world')}: symbolic plan over {box or 'no parameters'}"]
        width = max((len(n) for n in self.values), default=0)
        for name, value in self.values.items():
            lines.append(f"  J({name}){' ' * (width - len(name))} = {'undefined' if value is None else value}")
            pad = " " * (width + 6)
            lines.append(f"  {pad}optimal: {self.optimal[name]}")
            if name in self.undefined:
                lines.append(f"  {pad}undefined: {self.undefined[name]}")
            for fr in self.flags.get(name, []):
                lines.append(f"  {pad}{_flag_text(fr)}")
        for fr in self.incentives:
            lines.append(f"  {_flag_text(fr)}")
        return "\n".join(lines)

    def to_latex(self) -> str:
        """An align* block: each value and the region where the policy is optimal."""
        rows = []
        for name, value in self.values.items():
            label = rf"J(\text{{{_latex_text(name)}}})"
            row = rf"{label} &= {value_latex(value)} && \text{{optimal for }} {self.optimal[name].to_latex()}"
            if name in self.undefined:
                row += rf", \text{{ undefined for }} {self.undefined[name].to_latex()}"
            rows.append(row)
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "parameters": {s.name: [str(i.start), str(i.end)] for s, i in self.box.items()},
            "seconds": self.seconds,
            "policies": [{
                "name": name,
                "value": None if value is None else str(value),
                "value_latex": value_latex(value),
                "optimal": self.optimal[name].to_dict(),
                "undefined": self.undefined[name].to_dict() if name in self.undefined else None,
                "flags": [fr.to_dict() for fr in self.flags.get(name, [])],
            } for name, value in self.values.items()],
            "incentives": [fr.to_dict() for fr in self.incentives],
        }


def _flag_text(fr: FlagRegion) -> str:
    size = "" if fr.size is None else f", {reading(fr.flag.measure, str(fr.size))}"
    direction = (fr.flag.evidence or {}).get("direction")
    kind = f"{fr.flag.kind} ({direction} {fr.flag.evidence.get('node', 'H')})" if direction else fr.flag.kind
    return f"{kind} at {fr.flag.where}{size}: fires {fr.region}"


def _latex_text(text: str) -> str:
    for ch in "\\{}_&%$#^~":
        text = text.replace(ch, "\\" + ch if ch not in "\\^~" else " ")
    return text


def plan_parameters(result: Any) -> tuple[sp.Symbol, ...]:
    """Every parameter a plan's values, flag sizes and conditions depend on (and the world's CPDs)."""
    found = set(getattr(result.world.compiled, "parameters", ()))
    found |= set().union(*(_symbols_of(v) for v in result.values.values()))
    for flag in result.all_flags():
        found |= _symbols_of(flag.condition) | _symbols_of(flag.size)
    found |= _symbols_of(getattr(result, "eps", None))
    return _sorted(found)


def firing_condition(flag: Any) -> sp.Basic:
    """Where a flag fires, exactly: its condition (corrig.analysis.flags states it where each value is defined)."""
    return sp.sympify(flag.condition)


def symbolic_plan(result: Any) -> SymbolicPlan:
    """Regions for a Plan: each policy's simplified value, where it is optimal, where each flag fires,
    and where its value is undefined (a conditioning event of probability 0).

    The optimal and flag regions are LazyRegions: computed when first read, while `contains(point)`
    (and so value_at / optimal_at / firing_at) only substitutes into the condition.
    """
    start = time.perf_counter()
    parameters = plan_parameters(result)
    box = box_of(parameters)
    values = {name: simplify_value(v, box) for name, v in result.values.items()}
    cache: dict[sp.Basic, LazyRegion] = {}

    def region_of(condition: Any) -> LazyRegion:  # flags of several policies often share a condition
        condition = sp.sympify(condition)
        if condition not in cache:
            cache[condition] = LazyRegion(condition, parameters)
        return cache[condition]

    def flag_region(f: Any, condition: Any = None) -> FlagRegion:
        return FlagRegion(f, region_of(firing_condition(f) if condition is None else condition), box)

    undefined_conditions: dict[str, sp.Basic] = {}
    recorded = getattr(result, "undefined", None) or {}
    for name, fs in result.flags.items():
        if name in recorded:
            condition = sp.sympify(recorded[name])
        else:  # a plan without the record: from its undefined-condition flags
            condition = sp.Or(*[sp.sympify(f.condition) for f in fs if f.kind in UNDEFINED_KINDS])
        if condition is not sp.false and result.values.get(name) is not None:
            undefined_conditions[name] = condition
    undefined = {name: region_of(c) for name, c in undefined_conditions.items()}
    undefined = {name: r for name, r in undefined.items() if r.is_empty is not True}
    excluded = {n: undefined_conditions[n] for n in undefined}  # where a policy is out of the comparison:
    for name, answer in (getattr(result, "answers", None) or {}).items():  # undefined, or not the others' answer
        if answer.condition is not True:
            excluded[name] = sp.Or(excluded.get(name, sp.false), sp.Not(answer.condition))
    conditions = optimality_conditions(values, excluded)
    optimal = {name: region_of(c) for name, c in conditions.items()}
    flags = {name: [flag_region(f) for f in fs] for name, fs in result.flags.items()}
    incentives = [flag_region(f) for f in result.incentives]
    return SymbolicPlan(result, parameters, values, optimal, flags, incentives, undefined, time.perf_counter() - start)
