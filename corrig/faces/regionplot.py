"""A picture of a symbolic plan: where each policy is optimal, and where each flag fires, over one or two parameters.

    fig = region_plot(plan(world, utility), x=p, y=q)
    fig.savefig("region.png")

With two parameters the figure has one map of the optimal policy (each policy its own colour from
the Okabe–Ito palette, safe for colour-blind readers; an area where several tie has a colour of its
own; each region numbered as in `corrig check`), and beside it one small map per flag (small
multiples): dark where the flag fires for the policy that is optimal there (plan-level incentives
wherever they fire), over the optimal map drawn faintly.  With one parameter, each policy's value
is a line over it, the background coloured by the optimal policy, and below it one strip per flag.
The legend lies inside the figure, under the maps.  Drawn into a given `ax`, the flags are outlines
on the one map instead, and the legend sits inside that Axes.

The picture evaluates values and conditions numerically on a grid (lambdify; values known by quadrature
integrated at each point of a coarser grid, said in the title); the exact regions of
corrig.analysis.symbolic stay the source of truth, and a region proved on the whole box is drawn as proved.
Parameters other than x and y are held at `at`
(default: the simplest point of their range), named in the title.  Needs matplotlib
(`pip install corrig[plot]`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from corrig.analysis.exact_sets import point_in_set
from corrig.analysis.flags import show
from corrig.analysis.policy_names import shown_name
from corrig.analysis.signs import box_of
from corrig.analysis.symbolic import SymbolicPlan, symbolic_plan
from corrig.analysis.transcendental import holds_numerically
from corrig.faces.safe_text import figure_text
from corrig.inference.quadrature import fast_value, is_bounded
from corrig.model.errors import ParameterError
from corrig.model.links import numpy_functions

# Okabe & Ito (2008), "Color Universal Design", without black; then matplotlib's tab20 for larger plans.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
TAB20 = ("#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896", "#9467bd",
         "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d",
         "#17becf", "#9edae5")
COLOURS = OKABE_ITO + TAB20
UNDEFINED_COLOUR = "#f2f2f2"
BLANK = "#eeeeee"  # a small map where its flag does not fire
OUTLINES = ("-", "--", ":", "-.")  # a flag's outline on a given Axes
MAX_PANELS = 9  # flag maps drawn; more are named in a note under the figure
QUADRATURE_RESOLUTION = 60  # grid points per axis when values are known by quadrature
LABEL_ROOM = 40  # characters of a legend label


def colour(i: int) -> str:
    """The i-th colour of the palette: Okabe–Ito, then tab20, then evenly spaced hues (never one twice)."""
    if i < len(COLOURS):
        return COLOURS[i]
    import matplotlib.colors as mcolors

    hue = ((i - len(COLOURS)) * 0.6180339887) % 1.0  # golden-ratio steps: no two alike
    return mcolors.to_hex(mcolors.hsv_to_rgb((hue, 0.55, 0.8)))


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
    """Per policy: its value on the grid; per cell: the index of its optimal set in `sets`; the optimal mask.

    A cell's optimal set is read from the exact optimality conditions where they evaluate, else from the values."""
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
    answered = getattr(splan.plan, "answers", None) or {}
    for i, name in enumerate(names):  # a profile counts only where it is the other agents' answer
        answer = answered.get(name)
        if answer is not None and answer.condition is not True:
            optimal[i] &= _numeric(sp.sympify(answer.condition).xreplace(fixed), axes, grids, shape).astype(bool)
    for i, name in enumerate(names):  # a region proved on the whole box beats the floats (Δ below their tolerance)
        settled = splan.optimal.get(name)
        if settled is not None and getattr(settled, "method", "exact") == "proved" and \
                (settled.everywhere or settled.is_empty):
            optimal[i] = bool(settled.everywhere)
    # each cell's optimal set, as the row of its members in `optimal` (one pass over the distinct rows)
    rows, inverse = np.unique(optimal.reshape(len(names), -1).T, axis=0, return_inverse=True)
    inverse = inverse.reshape(shape)
    cells = {tuple(n for n, on in zip(names, row, strict=True) if on): inverse == k for k, row in enumerate(rows)}
    total = int(np.prod(shape))
    for members in list(cells):  # ties on a line are grid artefacts: shown in the first member's colour
        if len(members) > 1 and cells[members].sum() < 0.01 * total:
            lone = cells.pop(members)
            cells[members[:1]] = cells.get(members[:1], np.zeros(shape, dtype=bool)) | lone
    sets = sorted(cells, key=lambda m: (len(m) != 1, [names.index(n) for n in m]))
    index = np.zeros(shape, dtype=int)
    for i, members in enumerate(sets):
        index[cells[members]] = i
    return values, index, sets, optimal


def _flag_masks(splan: SymbolicPlan, axes: list[sp.Symbol], grids: list[np.ndarray], fixed: Mapping[sp.Symbol, Any],
                shape: tuple[int, ...], optimal: np.ndarray) -> dict[str, np.ndarray]:
    """Each flag's firing area (for the policy optimal there; plan-level incentives anywhere), by its label."""
    names = list(splan.values)
    masks: dict[tuple[str, str], np.ndarray] = {}
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
    return {(kind if wheres[kind] == 1 else _clip(f"{kind} at {where}")): m for (kind, where), m in masks.items()}


def _clip(text: str, room: int = LABEL_ROOM) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def _set_colours(sets: list[tuple[str, ...]], names: list[str]) -> list[str]:
    """A colour per optimal set: a lone policy's own colour (by its place in the plan), a tie its own colour after
    every policy's, nobody optimal (undefined) light grey."""
    out, ties = [], 0
    for members in sets:
        if not members:
            out.append(UNDEFINED_COLOUR)
        elif len(members) == 1:
            out.append(colour(names.index(members[0])))
        else:
            out.append(colour(len(names) + ties))
            ties += 1
    return out


def _set_label(members: tuple[str, ...], names: list[str], plan: Any) -> str:
    if not members:
        return "no policy defined"
    shown = [f"{names.index(m) + 1}. {shown_name(plan, m)}" for m in members]
    return figure_text(_clip(" = ".join(shown)))


def _inner_point(mask: np.ndarray) -> tuple[int, int] | None:
    """A cell of the mask farthest (in grid steps) from its edge and the box's: where its number is written."""
    if not mask.any():
        return None
    inner = mask
    while True:
        padded = np.pad(inner, 1)
        shrunk = inner & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
        if not shrunk.any():
            cells = np.argwhere(inner)
            return tuple(cells[len(cells) // 2])
        inner = shrunk


def region_plot(result: Any, x: Any = None, y: Any = None, *, resolution: int = 200, at: Mapping[Any, Any] | None = None,
                ax: Any = None, title: str | None = None) -> Any:
    """A matplotlib Figure of where each policy is optimal over parameters x (and y), and where each flag fires.

    result: a Plan or a SymbolicPlan.  x, y: parameters (Symbols or names; default the first two).
    at: values for the other parameters.  ax: draw one map into an existing Axes (flags as outlines).
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    splan = result if isinstance(result, SymbolicPlan) else symbolic_plan(result)
    parameters = splan.parameters
    if not parameters:
        if x is not None or y is not None:
            raise ParameterError("the plan has no parameters: there is no axis to plot over (its values are plain numbers)")
        return _without_parameters(plt, splan.plan, title, ax)
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
    colours = _set_colours(sets, names)
    held = ", ".join(f"{s} = {v}" for s, v in fixed.items())
    world = getattr(getattr(splan.plan, "world", None), "name", "plan")
    how = f"; values by quadrature on a {resolution}×{resolution} grid" if sampled else ""
    heading = figure_text(title or "\n".join(textwrap.wrap(f"{world}: optimal policy{f' ({held})' if held else ''}{how}",
                                                          60, break_on_hyphens=False)))
    drawing = _Drawing(plt, splan.plan, names, sets, colours, index, masks, (x, xs), (y, ys if y is not None else None))
    if ax is not None:
        drawing.one_map(ax, values, heading)
        return ax.figure
    return drawing.figure(values, heading)


class _Drawing:
    """The pieces of a region figure, drawn from the grid's labels and flag masks."""

    def __init__(self, plt: Any, plan: Any, names: list[str], sets: list[tuple[str, ...]], colours: list[str],
                 index: np.ndarray, masks: dict[str, np.ndarray], x: tuple[sp.Symbol, np.ndarray],
                 y: tuple[sp.Symbol | None, np.ndarray | None]):
        self.plt, self.plan, self.names, self.sets, self.colours = plt, plan, names, sets, colours
        self.index, self.masks, (self.x, self.xs), (self.y, self.ys) = index, masks, x, y
        self.shown = [k for k in masks][:MAX_PANELS]

    def handles(self) -> list[Any]:
        """One legend entry per optimal set in the map."""
        from matplotlib.patches import Patch

        return [Patch(facecolor=c, edgecolor="#444444", linewidth=0.5, label=_set_label(m, self.names, self.plan))
                for m, c in zip(self.sets, self.colours, strict=True)]

    def _map(self, ax: Any, extent: tuple[float, ...], only: np.ndarray | None = None) -> None:
        """The optimal map (with `only`: just where the mask holds, light grey elsewhere), regions numbered."""
        from matplotlib.colors import ListedColormap

        colours = self.index if only is None else np.where(only, self.index, len(self.colours))
        cmap = ListedColormap(self.colours if only is None else [*self.colours, BLANK])
        ax.imshow(colours, origin="lower", cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5, interpolation="bilinear",
                  interpolation_stage="rgba", extent=extent, aspect="auto")
        xs, ys = np.linspace(extent[0], extent[1], self.index.shape[1]), np.linspace(extent[2], extent[3], self.index.shape[0])
        for i in range(len(self.sets) if len(self.sets) > 1 else 0):  # smooth edges between the regions
            inside = (self.index == i) if only is None else (self.index == i) & only
            if inside.any() and not inside.all():
                ax.contour(xs, ys, inside.astype(float), levels=[0.5], colors="white", linewidths=0.8)
        if only is not None:
            return
        for i, members in enumerate(self.sets):
            where = _inner_point(self.index == i)
            if where is None or len(members) != 1:
                continue
            number = self.names.index(members[0]) + 1
            ax.text(xs[where[1]], ys[where[0]], str(number), ha="center", va="center", fontsize="medium",
                    fontweight="bold", color="black",
                    bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})

    def figure(self, values: dict[str, np.ndarray], heading: str) -> Any:
        """Its own figure: the map (or the values over one parameter), the flags' small maps, the legend."""
        plt, ys = self.plt, self.ys
        panels = len(self.shown)
        if ys is None:
            fig, (main, strip) = plt.subplots(2, 1, figsize=(8, 5.5 + 0.25 * panels), layout="constrained", sharex=True,
                                              height_ratios=[4, max(1, 0.35 * panels)])
            self._values(main, values)
            self._strips(strip)
        else:
            extent = (self.xs[0], self.xs[-1], ys[0], ys[-1])
            cols = 0 if not panels else 1 if panels <= 3 else 2 if panels <= 6 else 3
            rows = max(1, math.ceil(panels / cols)) if cols else 1
            fig = plt.figure(figsize=(5.5 + 2.3 * cols, max(5.0, 1.9 * rows + 1.5)), layout="constrained")
            grid = fig.add_gridspec(rows, 1 + cols, width_ratios=[2.6 * max(rows, 1)] + [1.0 * rows] * cols)
            main = fig.add_subplot(grid[:, 0])
            self._map(main, extent)
            main.set_xlabel(f"${sp.latex(self.x)}$")
            main.set_ylabel(f"${sp.latex(self.y)}$")
            for k, label in enumerate(self.shown):
                small = fig.add_subplot(grid[k // cols, 1 + k % cols], sharex=main, sharey=main)
                self._map(small, extent, only=self.masks[label])
                words = textwrap.wrap(figure_text(label), 26, break_on_hyphens=False)
                words += ["(everywhere)"] if self.masks[label].all() else []
                small.set_title("\n".join(words), fontsize="small")
                small.tick_params(labelsize="x-small", labelleft=False, labelbottom=False)
        main.set_title(heading)
        notes = []
        if len(self.masks) > len(self.shown):
            notes.append(f"{len(self.masks) - len(self.shown)} more flags fire: see corrig check")
        if self.shown and ys is not None:
            notes.append("small maps: where each flag fires for the optimal policy, in its colour")
        handles = self.handles()
        fig.legend(handles=handles, loc="outside lower center", ncols=min(2, len(handles)) if handles else 1,
                   fontsize="small", frameon=False, title="  ".join(notes) or None, title_fontsize="x-small")
        return fig

    def _values(self, ax: Any, values: dict[str, np.ndarray]) -> None:
        edges = np.concatenate([[self.xs[0]], (self.xs[1:] + self.xs[:-1]) / 2, [self.xs[-1]]])
        for i in range(len(self.xs)):
            ax.axvspan(edges[i], edges[i + 1], color=self.colours[self.index[i]], alpha=0.3, linewidth=0)
        for i, n in enumerate(self.names):
            ax.plot(self.xs, values[n], color=colour(i), linewidth=2,
                    label=figure_text(_clip(f"J({i + 1}. {shown_name(self.plan, n)})")))
        ax.set_ylabel("J(π)")
        ax.legend(loc="best", fontsize="small", framealpha=0.8)

    def _strips(self, ax: Any) -> None:
        """One strip per flag: where it fires for the optimal policy, in that policy's colour."""
        for row, label in enumerate(self.shown):
            mask = self.masks[label]
            for i, c in enumerate(self.colours):
                part = mask & (self.index == i)
                if part.any():
                    ax.fill_between(self.xs, row + 0.15, row + 0.85, where=part, color=c, linewidth=0, step="mid")
        ax.set_yticks([row + 0.5 for row in range(len(self.shown))],
                      ["\n".join(textwrap.wrap(figure_text(s), 28, break_on_hyphens=False)) for s in self.shown],
                      fontsize="x-small")
        ax.set_ylim(0, max(len(self.shown), 1))
        ax.set_xlabel(f"${sp.latex(self.x)}$")
        ax.set_title("where each flag fires for the optimal policy, in its colour", fontsize="small")

    def one_map(self, ax: Any, values: dict[str, np.ndarray], heading: str) -> None:
        """Into a given Axes: the map (or values) with each flag as an outline, the legend inside the Axes."""
        from matplotlib.lines import Line2D

        handles = self.handles()
        if self.y is None:
            self._values(ax, values)
            handles = [*ax.get_legend_handles_labels()[0], *handles]
        else:
            ys = self.ys
            self._map(ax, (self.xs[0], self.xs[-1], ys[0], ys[-1]))
            gx, gy = np.meshgrid(self.xs, ys)
            for k, label in enumerate(self.shown):
                style = OUTLINES[k % len(OUTLINES)]
                ink = colour(len(self.colours) + k)
                ax.contour(gx, gy, self.masks[label].astype(float), levels=[0.5], colors=[ink], linestyles=[style],
                           linewidths=1.8)
                handles.append(Line2D([], [], color=ink, linestyle=style, linewidth=1.8, label=figure_text(label)))
            ax.set_ylabel(f"${sp.latex(self.y)}$")
        ax.set_xlabel(f"${sp.latex(self.x)}$")
        ax.set_title(heading)
        ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.85)


def _without_parameters(plt: Any, plan: Any, title: str | None, ax: Any) -> Any:
    """A plan without parameters: each policy's value as a bar (the optimal ones outlined and starred), and beside
    it which flags each policy gets (a dot per flag; plan-level incentives on their own row)."""
    names = list(plan.values)
    kinds = list(dict.fromkeys(f.kind for fs in plan.flags.values() for f in fs))
    kinds += [k for k in dict.fromkeys(f"{f.kind} (plan)" for f in plan.incentives) if k not in kinds]
    rows = [*names, *(["plan"] if plan.incentives else [])]
    if ax is None:
        fig, (bars, grid) = plt.subplots(1, 2, figsize=(9, 1.6 + 0.45 * len(rows)), layout="constrained", sharey=True,
                                         width_ratios=[3, max(1.0, 0.45 * len(kinds))] if kinds else [3, 1])
    else:
        fig, bars, grid = ax.figure, ax, None
    labels = [figure_text(_clip(f"{i + 1}. {shown_name(plan, n)}")) for i, n in enumerate(names)]
    for i, n in enumerate(names):
        value = plan.values[n]
        best = n in plan.optimal
        if value is None:
            bars.text(0, i, " undefined", va="center", fontsize="small")
            continue
        bars.barh(i, float(value), color=colour(i), edgecolor="black" if best else "none", linewidth=1.5)
        bars.text(float(value), i, f" {show(value)}{' ★' if best else ''}", va="center", fontsize="small")
    bars.set_yticks(range(len(rows)), labels + (["plan-level incentives"] if len(rows) > len(names) else []),
                    fontsize="small")
    bars.invert_yaxis()
    bars.axvline(0, color="#444444", linewidth=0.8)
    bars.set_xlabel("J(π)   (★ optimal)")
    bars.margins(x=0.25)
    world = getattr(plan.world, "name", "plan")
    bars.set_title(figure_text(title or "\n".join(textwrap.wrap(f"{world}: values (no parameters)", 60, break_on_hyphens=False))))
    if grid is None:
        return fig
    for r, row in enumerate(rows):
        got = {f.kind for f in plan.flags.get(row, [])} if row != "plan" else {f"{f.kind} (plan)" for f in plan.incentives}
        for c, kind in enumerate(kinds):
            ink = (colour(r) if r < len(names) else "#222222") if kind in got else "#e6e6e6"
            grid.plot(c, r, "o", markersize=10, color=ink, markeredgecolor="black" if kind in got else ink)
    if kinds:
        grid.set_xticks(range(len(kinds)), [figure_text(k) for k in kinds], rotation=60, ha="right", fontsize="x-small")
    else:
        grid.set_xticks([])
        grid.text(0.5, 0.5, "no flags", transform=grid.transAxes, ha="center", va="center")
    grid.set_xlim(-0.6, max(len(kinds), 1) - 0.4)
    grid.set_title("flags", fontsize="small")
    grid.tick_params(left=False)
    for spine in grid.spines.values():
        spine.set_visible(False)
    return fig
