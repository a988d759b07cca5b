"""The worlds of a hunt: what is drawn for world i of a scenario's shape, the world rebuilt from a draw,
and the judgement whether a property fails there.

World i keeps the scenario's graph, roles, objective, candidate policies, reference and ε, and draws
new numbers from a generator seeded by (seed, i) alone, so a hunt is reproducible whatever the number
of processes or machines (the draws are described in corrig.faces.hunt).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from corrig.analysis.principals import concerns
from corrig.model.errors import CorrigError

PROPERTIES: dict[str, tuple[tuple[str, ...], str]] = {
    # property: (flag kinds that break it, where they are read: "optimal" policies, the "plan", or
    # "optimal-gain": optimal policies whose flag size is positive -- for manipulation, m(π) > 0)
    "no-manipulation-incentive": (("manipulation-incentive",), "plan"),
    "no-manipulation": (("manipulation",), "optimal"),
    "no-manipulation-gain": (("manipulation",), "optimal-gain"),  # an optimal policy with m(π) > 0
    "no-h-moved": (("h-moved",), "optimal"),
    "obedient": (("not-obedient",), "optimal"),
    "no-self-shutdown": (("self-shutdown",), "optimal"),
    "no-ood": (("ood-do-branch",), "optimal"),
    "no-rare-condition": (("rare-condition", "undefined-condition"), "optimal"),
    "no-deception": (("deception",), "optimal"),
    "no-ood-branch-weight": (("ood-branch-weight",), "optimal"),
}
# A property may name one principal of a several-humans world: "obedient:bob" fails only on flags naming bob.
GRIDS = (2, 4, 5, 10, 20, 50, 100, 1000)
PARAMETER_STEPS = (Fraction(1), Fraction(1, 2), Fraction(1, 4), Fraction(1, 10), Fraction(1, 20), Fraction(1, 100),
                   Fraction(1, 1000))
CHUNK = 8


class HuntError(CorrigError):
    """A hunt cannot run: unknown property, a parameter without a range, a scheduler that cannot be reached."""


# what is drawn ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """Everything a worker needs to rebuild and judge world i (picklable)."""

    path: str
    prop: str
    seed: int = 0
    vary: str = "support"
    at: tuple[tuple[str, str], ...] = ()  # parameter name -> exact number as text
    scope: str = "optimal"
    keep: tuple[str, ...] = ()  # chance nodes whose mechanism is kept as the scenario has it


def _exact_row(row: Iterable[Any], denominator: int) -> tuple[Fraction, ...]:
    values = [Fraction(v).limit_denominator(denominator) if not isinstance(v, Fraction) else v for v in row]
    support = [i for i, v in enumerate(values) if v != 0]
    total = sum(values)
    if total != 1 and support:
        values[support[-1]] += 1 - total
    return tuple(values)


@dataclass
class Draw:
    """New numbers for a world: rows of redrawn nodes and parameter values (floats while searching,
    Fractions once exact)."""

    rows: dict[str, dict[tuple, tuple[Any, ...]]]
    params: dict[str, Any]

    def exact(self, denominator: int = 10**6) -> Draw:
        """The same numbers as Fractions (rows renormalised to sum to one)."""
        rows = {n: {ctx: _exact_row(row, denominator) for ctx, row in table.items()} for n, table in self.rows.items()}
        params = {k: Fraction(v).limit_denominator(denominator) for k, v in self.params.items()}
        return Draw(rows, params)


@dataclass
class Violation:
    """How the property fails in one world."""

    policy: str | None  # None for a plan-level flag
    kind: str
    size: Any
    optimal: list[str]
    text: str


@dataclass
class Counterexample:
    """A world breaking the property: its index in the hunt, its numbers, and how it fails."""

    index: int
    draw: Draw
    violation: Violation
    shrunk: bool = False
    raw: Draw | None = None  # the numbers as drawn



# scenarios per process ------------------------------------------------------------------------
_SCENARIOS: dict[str, Any] = {}


def _scenario(path: str) -> Any:
    if path not in _SCENARIOS:
        from corrig.scenarios.load import load_scenario

        _SCENARIOS[path] = load_scenario(path)
    return _SCENARIOS[path]


def _parameters(scenario: Any) -> dict[str, sp.Symbol]:
    from corrig.analysis.parameters import term_parameters

    symbols = set(scenario.world.compiled.parameters) | term_parameters(scenario.utility)
    if isinstance(scenario.eps, sp.Basic):
        symbols |= scenario.eps.free_symbols
    return {s.name: s for s in sorted(symbols, key=str)}


def _support(row: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(i for i, v in enumerate(row) if v != 0)


def redrawn_rows(scenario: Any, vary: str, keep: Iterable[str] = ()) -> dict[str, list[tuple]]:
    """The rows a hunt redraws: node -> contexts whose row has two or more possible states."""
    out: dict[str, list[tuple]] = {}
    kept = set(keep)
    unknown = kept - set(scenario.world.compiled.tables)
    if unknown:
        raise HuntError(f"keep names {sorted(unknown)[0]!r}, which is not a chance node of the scenario")
    for name, compiled in scenario.world.compiled.tables.items():
        if name in kept:
            continue
        contexts = [ctx for ctx, row in compiled.table.items() if len(_support(row)) >= 2]
        if contexts:
            out[name] = contexts
    if vary not in ("support", "full"):
        raise HuntError(f"vary must be 'support' or 'full', got {vary!r}")
    return out


def draw_world(spec: Spec, index: int) -> Draw:
    """World `index`'s numbers: a function of (seed, index) only."""
    scenario = _scenario(spec.path)
    rng = np.random.default_rng([spec.seed, index])
    rows: dict[str, dict[tuple, tuple[float, ...]]] = {}
    compiled = scenario.world.compiled
    for name, contexts in redrawn_rows(scenario, spec.vary, spec.keep).items():
        table = compiled.tables[name].table
        rows[name] = {}
        for ctx in contexts:
            row = table[ctx]
            support = _support(row) if spec.vary == "support" else tuple(range(len(row)))
            weights = rng.dirichlet(np.ones(len(support)))
            new = [0.0] * len(row)
            for i, w in zip(support, weights, strict=True):
                new[i] = float(w)
            rows[name][ctx] = tuple(new)
    fixed = dict(spec.at)
    params: dict[str, Any] = {}
    from corrig.model.params import range_of

    for name, symbol in _parameters(scenario).items():
        if name in fixed:
            params[name] = Fraction(fixed[name])
            continue
        span = range_of(symbol)
        if not span.bounded:
            raise HuntError(f"parameter {name} has no bounded range to draw from: fix it with at={{'{name}': ...}}")
        low, high = float(span.low), float(span.high)
        params[name] = float(low + (high - low) * rng.random())
    return Draw(rows, params)


def build(spec: Spec, draw: Draw) -> tuple[Any, Any, Any]:
    """(world, utility, eps) of the scenario with the draw's numbers."""
    scenario = _scenario(spec.path)
    symbols = _parameters(scenario)
    values = {symbols[k]: (sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v)
              for k, v in draw.params.items()}
    world = scenario.world.subs(values) if values else scenario.world.copy()
    for name, rows in draw.rows.items():
        node = world.nodes[name]
        table = dict(world.compiled.tables[name].table)
        for ctx, row in rows.items():
            table[ctx] = row
        mechanism = {ctx: {s: p for s, p in zip(node.states, row, strict=True) if p != 0} for ctx, row in table.items()}
        world.replace(name, mechanism if node.parents else mechanism[()], parents=node.parents, states=node.states)
    utility = scenario.utility.subs(values) if values else scenario.utility
    eps = scenario.eps
    if isinstance(eps, sp.Basic) and eps.free_symbols:
        eps = eps.subs(values)
    return world, utility, eps


def judge(spec: Spec, draw: Draw) -> Violation | None:
    """How world `draw` breaks the property, or None."""
    from corrig.analysis.planner import DEFAULT_EPS, plan

    scenario = _scenario(spec.path)
    world, utility, eps = build(spec, draw)
    result = plan(world, utility, scenario.policies, reference=scenario.reference,
                  eps=DEFAULT_EPS if eps is None else eps)
    base, principal = split_property(spec.prop)
    kinds, where = PROPERTIES[base]
    optimal = list(result.optimal)
    if where == "plan":
        for flag in result.incentives:
            if flag.kind in kinds and _names(flag, principal):
                return Violation(flag.policy, flag.kind, flag.size, optimal, _flag_text(flag))
        return None
    names = optimal if spec.scope == "optimal" else list(result.policies)
    for name in names:
        for flag in result.flags.get(name, []):
            if flag.kind in kinds and _names(flag, principal) and (where != "optimal-gain" or _positive(flag.size)):
                return Violation(name, flag.kind, flag.size, optimal, f"policy {name!r}: " + _flag_text(flag))
    return None


def split_property(prop: str) -> tuple[str, str | None]:
    """("obedient", "bob") for "obedient:bob"; (prop, None) for a property about every human."""
    base, _, principal = prop.partition(":")
    return base, (principal or None)


def _names(flag: Any, principal: str | None) -> bool:
    if principal is None:
        return True
    return concerns(flag.evidence or {}, principal)


def _positive(value: Any) -> bool:
    try:
        return bool(value > 0)
    except TypeError:
        return False


def _flag_text(flag: Any) -> str:
    """`not-obedient with P(B='off' | do(H='stop')) = 0`: the size with the quantity it is (docs/flags.md)."""
    return f"{flag.kind} with {flag.reading()}" if flag.measure else f"{flag.kind} of size {flag.reading()}"


def search_chunk(spec: Spec, start: int, stop: int, first: bool = True) -> dict[str, Any]:
    """Judge worlds start..stop-1; with `first`, stop at the first failure.  Runs in a worker."""
    found: list[tuple[int, Draw, Violation]] = []
    errors: list[str] = []
    searched = 0
    for index in range(start, stop):
        searched += 1
        draw = draw_world(spec, index)
        try:
            violation = judge(spec, draw)
        except CorrigError as exc:
            errors.append(f"world {index}: {type(exc).__name__}: {exc}")
            continue
        if violation is not None:
            found.append((index, draw, violation))
            if first:
                break
    return {"start": start, "stop": stop, "searched": searched, "found": found, "errors": errors}


