"""A picture of a symbolic plan: the parameter box coloured by the optimal policy, flag regions hatched.

    fig = region_plot(plan(world, utility), x=p, y=q)
    fig.savefig("region.png")

The picture evaluates the values and flag conditions numerically on a grid (lambdify); the exact
regions of corrig.analysis.symbolic stay the source of truth.  With one parameter the figure plots each
policy's value over it, the background coloured by the optimal policy.  Parameters other than
x and y are held at `at` (default: the simplest point of their range), named in the title.
A flag is hatched where it fires *for a policy that is optimal there* (plan-level incentives
wherever they fire).  Needs matplotlib (`pip install corrig[plot]`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from corrig.analysis.exact_sets import point_in_set
from corrig.analysis.signs import box_of
from corrig.analysis.symbolic import SymbolicPlan, symbolic_plan
from corrig.analysis.transcendental import holds_numerically
from corrig.faces.safe_text import figure_text
from corrig.inference.quadrature import fast_value, is_bounded
from corrig.model.errors import ParameterError
from corrig.model.links import numpy_functions

# No two of these overlaid read as a third ("//" over "\\\\" reads as "xx", "||" over "--" as "++"),
# and each flag's hatch also has its own colour.
HATCHES = ("//", "..", "||", "oo", "**", "OO")
HATCH_COLOURS = ("black", "#8b0000", "#00008b", "#006400", "#8b008b", "#8b4513")
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac")
UNDEFINED_COLOUR = "#dddddd"
QUADRATURE_RESOLUTION = 60  # grid points per axis when values are known by quadrature


def _symbol(choice: Any, parameters: tuple[sp.Symbol, ...], what: str) -> sp.Symbol:
    by_name = {s.name: s for s in parameters}
    symbol = by_name.get(choice) if isinstance(choice, str) else choice
    if symbol not in parameters:
        raise ParameterError(f"{what}={choice!s} is not a parameter of this plan; its parameters are {sorted(by_name)}")
    return symbol


def _numeric(expr: Any, axes: list[sp.Symbol], grids: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """An expression or condition evaluated on the grid (NaN / False where it is undefined)."""
    expr = sp.sympify(expr)
    if expr in (sp.true, sp.false):
        return np.full(shape, bool(expr))
    if is_bounded(expr):  # a value known by quadrature: each grid point integrated (mpmath.fp)
        fn = np.vectorize(lambda *point: _sampled(expr, axes, point), otypes=[object])
    else:
        fn = sp.lambdify(axes, expr, [numpy_functions(), "numpy"])
    with np.errstate(all="ignore"):
        out = np.asarray(fn(*grids))
        if out.dtype == object:
            out = out.astype(bool) if all(isinstance(v, bool | np.bool_) for v in out.flat) else out.astype(float)
    if out.dtype == bool:
        return np.broadcast_to(out, shape).copy()
    out = np.broadcast_to(np.real_if_close(out).astype(float), shape)
    return np.where(np.isfinite(out), out, np.nan)


def _sampled(expr: sp.Basic, axes: list[sp.Symbol], point: tuple[float, ...]) -> Any:
    """A value or condition holding quadratures at one grid point (NaN / False where it cannot be settled)."""
    at = {s: sp.Float(v) for s, v in zip(axes, point, strict=True)}
    if isinstance(expr, sp.logic.boolalg.Boolean) and not isinstance(expr, sp.Expr):
        return bool(holds_numerically(expr, at))
    value, _ = fast_value(expr, at)
    return np.nan if value is None else value


def _labels(splan: SymbolicPlan, axes: list[sp.Symbol], grids: list[np.ndarray], fixed: Mapping[sp.Symbol, Any],
            shape: tuple[int, ...]) -> tuple[dict[str, np.ndarray], np.ndarray, list[tuple[str, ...]], np.ndarray]:
    """Per policy: its value on the grid; per cell: the index of its optimal set in `sets`; the optimal mask."""
    names = list(splan.values)
    values = {}
    for name in names:
        v = splan.values[name]
        arr = np.full(shape, np.nan) if v is None else _numeric(sp.sympify(v).xreplace(fixed), axes, grids, shape)
        if name in splan.undefined:
            undefined = _numeric(splan.undefined[name].condition.xreplace(fixed), axes, grids, shape).astype(bool)
            arr = np.where(undefined, np.nan, arr)
        values[name] = arr
    stack = np.stack([values[n] for n in names])
    with np.errstate(all="ignore"):
        best = np.nanmax(np.where(np.isnan(stack), -np.inf, stack), axis=0)
    tol = 1e-9 * (1 + np.abs(best))
    optimal = (stack >= (best - tol)) & ~np.isnan(stack)
    for i, name in enumerate(names):  # a region proved on the whole box beats the floats (Δ below their tolerance)
        settled = splan.optimal.get(name)
        if settled is not None and getattr(settled, "method", "exact") == "proved":
            optimal[i] = bool(settled.everywhere) if settled.everywhere or settled.is_empty else optimal[i]
    cells: dict[tuple[str, ...], list[tuple[int, ...]]] = {}
    for cell in np.ndindex(*shape):
        members = tuple(n for i, n in enumerate(names) if optimal[(i, *cell)])
        cells.setdefault(members, []).append(cell)
    total = int(np.prod(shape))
    for members in list(cells):  # ties on a line are grid artefacts: shown in the first member's colour
        if len(members) > 1 and len(cells[members]) < 0.01 * total:
            cells.setdefault(members[:1], []).extend(cells.pop(members))
    sets = sorted(cells, key=lambda m: (len(m) != 1, [names.index(n) for n in m]))
    index = np.zeros(shape, dtype=int)
    for i, members in enumerate(sets):
        for cell in cells[members]:
            index[cell] = i
    return values, index, sets, optimal


def _flag_masks(splan: SymbolicPlan, axes: list[sp.Symbol], grids: list[np.ndarray], fixed: Mapping[sp.Symbol, Any],
                shape: tuple[int, ...], optimal: np.ndarray) -> dict[str, np.ndarray]:
    names = list(splan.values)
    masks: dict[str, np.ndarray] = {}
    for name, frs in splan.flags.items():
        for fr in frs:
            fires = _numeric(fr.region.condition.xreplace(fixed), axes, grids, shape).astype(bool)
            if name in names:
                fires &= optimal[names.index(name)]
            key = (fr.flag.kind, fr.flag.where)
            masks[key] = masks.get(key, np.zeros(shape, dtype=bool)) | fires
    for fr in splan.incentives:
        fires = _numeric(fr.region.condition.xreplace(fixed), axes, grids, shape).astype(bool)
        key = (f"{fr.flag.kind} (plan)", fr.flag.where)
        masks[key] = masks.get(key, np.zeros(shape, dtype=bool)) | fires
    masks = {k: m for k, m in masks.items() if m.any()}
    wheres: dict[str, int] = {}
    for kind, _ in masks:
        wheres[kind] = wheres.get(kind, 0) + 1
    # a kind that fires at one branch or node is named by its kind; one that fires at several, by each place
    return {(kind if wheres[kind] == 1 else f"{kind} at {where}"): m for (kind, where), m in masks.items()}


def _colour(members: tuple[str, ...], names: list[str]) -> str:
    if not members:
        return UNDEFINED_COLOUR
    return COLOURS[names.index(members[0]) % len(COLOURS)] if len(members) == 1 else \
        COLOURS[(len(names) + sum(names.index(m) for m in members)) % len(COLOURS)]


def region_plot(result: Any, x: Any = None, y: Any = None, *, resolution: int = 200, at: Mapping[Any, Any] | None = None,
                ax: Any = None, title: str | None = None) -> Any:
    """A matplotlib Figure of where each policy is optimal over parameters x (and y), flags hatched.

    result: a Plan or a SymbolicPlan.  x, y: parameters (Symbols or names; default the first two).
    at: values for the other parameters.  ax: draw into an existing Axes.
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    splan = result if isinstance(result, SymbolicPlan) else symbolic_plan(result)
    parameters = splan.parameters
    if not parameters:
        raise ParameterError("the plan has no parameters: there is no region to plot (its values are plain numbers)")
    x = _symbol(x if x is not None else parameters[0], parameters, "x")
    rest = [s for s in parameters if s != x]
    if y is not None:
        y = _symbol(y, parameters, "y")
        if y == x:
            raise ParameterError(f"x and y are both {x}: choose two different parameters")
    elif rest:
        y = rest[0]
    box = box_of(parameters)
    sampled = any(is_bounded(v) for v in splan.values.values() if v is not None)
    if sampled:  # each grid point integrates (mpmath.fp.quad): a coarser grid, said in the title
        resolution = min(resolution, QUADRATURE_RESOLUTION)
    given = {(s if not isinstance(s, str) else next((p for p in parameters if p.name == s), s)): v
             for s, v in (at or {}).items()}
    fixed = {s: sp.sympify(given.get(s, point_in_set(box[s]))) for s in parameters if s not in (x, y)}
    axes = [x] if y is None else [x, y]
    xs = np.linspace(float(box[x].start), float(box[x].end), resolution)
    if y is None:
        grids, shape = [xs], (resolution,)
    else:
        ys = np.linspace(float(box[y].start), float(box[y].end), resolution)
        gx, gy = np.meshgrid(xs, ys)
        grids, shape = [gx, gy], gx.shape
    values, index, sets, optimal = _labels(splan, axes, grids, fixed, shape)
    masks = _flag_masks(splan, axes, grids, fixed, shape, optimal)
    names = list(splan.values)
    colours = [_colour(members, names) for members in sets]

    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    else:
        fig = ax.figure
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(colours)
    handles = [Patch(facecolor=c, edgecolor="black", label=figure_text(" = ".join(m) if m else "undefined") + " optimal")
               for m, c in zip(sets, colours, strict=True)]
    everywhere = [k for k, m in masks.items() if m.all()]  # listed in the legend, not hatched over everything
    masks = {k: m for k, m in masks.items() if k not in everywhere}
    hatch_of = {kind: HATCHES[i % len(HATCHES)] for i, kind in enumerate(masks)}
    ink_of = {kind: HATCH_COLOURS[i % len(HATCH_COLOURS)] for i, kind in enumerate(masks)}
    if y is None:
        edges = np.concatenate([[xs[0]], (xs[1:] + xs[:-1]) / 2, [xs[-1]]])
        for i in range(resolution):
            ax.axvspan(edges[i], edges[i + 1], color=colours[index[i]], alpha=0.35, linewidth=0)
        for n, i in zip(names, range(len(names)), strict=True):
            ax.plot(xs, values[n], color=COLOURS[i % len(COLOURS)], linewidth=2, label=figure_text(f"J({n})"))
        low, high = ax.get_ylim()
        for kind, mask in masks.items():
            ax.fill_between(xs, low, high, where=mask, facecolor="none", hatch=hatch_of[kind], edgecolor=ink_of[kind],
                            linewidth=0, alpha=0.6)
        ax.set_ylim(low, high)
        ax.set_ylabel("J(π)")
        handles = [*ax.get_legend_handles_labels()[0], *handles]
    else:
        ax.imshow(index, origin="lower", cmap=cmap, vmin=-0.5, vmax=len(colours) - 0.5, interpolation="nearest",
                  extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto")
        for kind, mask in masks.items():
            with plt.rc_context({"hatch.color": ink_of[kind]}):
                ax.contourf(gx, gy, mask.astype(float), levels=[0.5, 1.5], colors="none", hatches=[hatch_of[kind]])
        ax.set_ylabel(f"${sp.latex(y)}$")
    handles += [Patch(facecolor="white", edgecolor=ink_of[k], hatch=hatch_of[k], label=f"{k} fires") for k in masks]
    handles += [Patch(facecolor="none", edgecolor="none", label=f"{k} fires everywhere shown") for k in everywhere]
    ax.set_xlabel(f"${sp.latex(x)}$")
    held = ", ".join(f"{s} = {v}" for s, v in fixed.items())
    name = getattr(getattr(splan.plan, "world", None), "name", "plan")
    how = f"; values by quadrature on a {resolution}×{resolution} grid" if sampled else ""
    ax.set_title(figure_text(title or "\n".join(textwrap.wrap(f"{name}: optimal policy{f' ({held})' if held else ''}{how}",
                                                             50))))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    return fig
