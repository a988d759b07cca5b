"""Shrinking a counterexample: exact rationals, every row and parameter snapped to the coarsest grid of
1/2, 1/4, 1/5, 1/10, ... that keeps the failure, original rows restored where they suffice."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from corrig.faces.hunt_draw import (
    GRIDS,
    PARAMETER_STEPS,
    Counterexample,
    Draw,
    Spec,
    Violation,
    _parameters,
    _scenario,
    _support,
    judge,
)
from corrig.model.errors import CorrigError


# shrinking ------------------------------------------------------------------------------------
def snap_row(row: tuple[Any, ...], q: int) -> tuple[Fraction, ...] | None:
    """The row on the grid 1/q, keeping its support (every nonzero entry at least 1/q); None if impossible."""
    support = [i for i, v in enumerate(row) if v != 0]
    if len(support) > q:
        return None
    exact = [float(row[i]) for i in support]
    units = [max(1, math.floor(x * q)) for x in exact]
    remainders = [x * q - math.floor(x * q) for x in exact]
    while sum(units) < q:
        i = max(range(len(units)), key=lambda j: remainders[j])
        units[i] += 1
        remainders[i] = -1
    while sum(units) > q:
        candidates = [j for j in range(len(units)) if units[j] > 1]
        i = min(candidates, key=lambda j: exact[j] * q - units[j])
        units[i] -= 1
    out = [Fraction(0)] * len(row)
    for i, u in zip(support, units, strict=True):
        out[i] = Fraction(u, q)
    return tuple(out)


def snap_parameter(value: Any, low: Any, high: Any, step: Fraction) -> Fraction:
    """The multiple of `step` (times the range's power of ten) nearest to `value`, within [low, high]."""
    low_f, high_f = Fraction(str(low)), Fraction(str(high))
    width = high_f - low_f
    scale = Fraction(10) ** math.ceil(math.log10(width)) if width > 0 else Fraction(1)
    unit = step * scale
    snapped = Fraction(round(Fraction(value) / unit)) * unit
    return min(max(snapped, low_f), high_f)


def _safe_judge(spec: Spec, draw: Draw) -> Violation | None:
    try:
        return judge(spec, draw)
    except CorrigError:
        return None


def shrink_counterexample(spec: Spec, found: Counterexample, *, log: Callable[[str], None] | None = None) -> Counterexample:
    """Round numbers that keep the failure: coarse grids, original rows, fewer distinct values (exact)."""
    from corrig.model.params import range_of

    scenario = _scenario(spec.path)
    symbols = _parameters(scenario)
    fixed = dict(spec.at)
    raw = found.draw

    def fails(draw: Draw) -> Violation | None:
        v = _safe_judge(spec, draw)
        return v if v is not None and v.kind == found.violation.kind else None

    def on_grid(q: int, step: Fraction, draw: Draw) -> Draw | None:
        rows = {}
        for name, table in draw.rows.items():
            rows[name] = {}
            for ctx, row in table.items():
                snapped = snap_row(row, q)
                if snapped is None:
                    return None
                rows[name][ctx] = snapped
        params = {}
        for k, v in draw.params.items():
            span = range_of(symbols[k])
            params[k] = Fraction(fixed[k]) if k in fixed else snap_parameter(v, span.low, span.high, step)
        return Draw(rows, params)

    current, violation = None, None
    for q, step in zip(GRIDS, PARAMETER_STEPS + (PARAMETER_STEPS[-1],) * len(GRIDS), strict=False):
        candidate = on_grid(q, step, raw)
        if candidate is not None and (v := fails(candidate)):
            current, violation = candidate, v
            break
    if current is None:
        exact = raw.exact()
        v = fails(exact)
        if v is None:
            return found  # the failure needs more than six decimals (or lives in float rounding): keep it raw
        current, violation = exact, v
    # restore the scenario's own rows where they keep the failure
    compiled = scenario.world.compiled
    for name in list(current.rows):
        original = {ctx: compiled.tables[name].table[ctx] for ctx in current.rows[name]}
        if any(v.free_symbols for row in original.values() for v in row):
            continue
        trial = Draw({n: t for n, t in current.rows.items() if n != name}, current.params)
        if v := fails(trial):  # the world keeps the scenario's own P(name | ...)
            current, violation = trial, v
    # coarser grid row by row, parameter by parameter
    for name in list(current.rows):
        for ctx in list(current.rows[name]):
            for q in GRIDS[:4]:
                snapped = snap_row(current.rows[name][ctx], q)
                if snapped is None or snapped == current.rows[name][ctx]:
                    continue
                trial = Draw({**current.rows, name: {**current.rows[name], ctx: snapped}}, current.params)
                if v := fails(trial):
                    current, violation = trial, v
                    break
    for k in list(current.params):
        if k in fixed:
            continue
        span = range_of(symbols[k])
        for step in PARAMETER_STEPS[:4]:
            value = snap_parameter(current.params[k], span.low, span.high, step)
            if value == current.params[k]:
                continue
            trial = Draw(current.rows, {**current.params, k: value})
            if v := fails(trial):
                current, violation = trial, v
                break
    # fewer distinct numbers: a two-state row may take another row's value
    used = sorted({row[i] for t in current.rows.values() for row in t.values() for i in range(len(row)) if row[i] != 0},
                  key=lambda x: (x.denominator, x))
    for name in list(current.rows):
        for ctx, row in list(current.rows[name].items()):
            support = _support(row)
            if len(support) != 2:
                continue
            for value in used:
                if value in row or not 0 < value < 1:
                    continue
                new = list(row)
                new[support[0]], new[support[1]] = value, 1 - value
                trial = Draw({**current.rows, name: {**current.rows[name], ctx: tuple(new)}}, current.params)
                if v := fails(trial):
                    current, violation = trial, v
                    break
    assert violation is not None
    return Counterexample(found.index, current, violation, shrunk=True, raw=raw)


