"""Reports of checked scenarios: plain data built from a plan, rendered for a terminal (rich),
Markdown, LaTeX or JSON.

`scenario_report(...)` turns a scenario, its plan and its expectation verdicts into a
`ScenarioReport` of strings and booleans; the renderers take only that plain data, so each format
shows the same rows.  `explain_report(...)` does the same for one policy: every term of the
objective in every branch with its value, and every flag with its evidence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import sympy as sp

from corrig.analysis.flags import is_symbolic, jsonable, reading, show
from corrig.analysis.planner import REGION_DEPENDENT_NOTE
from corrig.analysis.policy_names import shown_name
from corrig.analysis.readable import region_text, settled_notes, size_text, value_namer
from corrig.inference.quadrature import bounded, is_bounded


def number(value: Any, numeric: bool = False) -> str:
    """A value for a table cell: exact (1/2, p/2), floats to 4 significant digits; decimals with numeric."""
    if value is None:
        return "undefined"
    if is_bounded(value) and not is_symbolic(value):
        return show(value)  # known by quadrature: always with its error bound
    if numeric and not is_symbolic(value):
        return f"{float(value):.4g}"
    if numeric and isinstance(value, sp.Basic):
        return str(sp.N(value, 4))
    return show(value)


def latex_number(value: Any, numeric: bool = False) -> str:
    """A value in LaTeX."""
    if value is None:
        return r"\text{undefined}"
    if is_bounded(value) and not is_symbolic(value):
        middle, error = bounded(value)
        return rf"{middle:.10g} \pm {error:.1g}"
    if isinstance(value, float) or (numeric and not is_symbolic(value)):
        return f"{float(value):.4g}"
    return sp.latex(sp.sympify(value))


@dataclass
class FlagCell:
    """One flag as text."""

    kind: str
    size: str
    where: str
    explanation: str = ""
    policy: str | None = None
    conditional: bool = False  # fires only for some parameter values
    condition: str = ""
    evidence: dict = field(default_factory=dict)
    who: str = ""  # the principal or coalition a several-humans flag names ("bob", "alice+bob", "nobody")
    label: str = ""  # the kind, and where when the policy has two flags of that kind and measure
    measure: str = ""  # what the size is: "P(B='off' | do(H='stop'))" (docs/flags.md, "How a size reads")

    def reading(self) -> str:
        """The size with its quantity: `P(B='off' | do(H='stop')) = 0`."""
        return reading(self.measure, self.size)

    def heading(self) -> str:
        """`kind[who] at where`, the place left out when the measure already names it."""
        who = f"[{self.who}]" if self.who else ""
        place = self.where.removeprefix(f"{self.who}: ") if self.who else self.where
        named = bool(self.measure) and place in self.measure
        return f"{self.kind}{who}" + ("" if named else f" at {self.where}")

    def short(self) -> str:
        """`kind measure = size` (`kind[bob] …` when it names a principal; `kind at where …` when the policy
        has two of that kind and measure), with a ? when it may fire depending on the parameters."""
        who = f"[{self.who}]" if self.who else ""
        return f"{self.label or self.kind}{who} {self.reading()}{'?' if self.conditional else ''}"


@dataclass
class PolicyRow:
    """One row of the policy table."""

    index: int
    name: str
    value: str
    value_latex: str
    optimal: bool
    flags: list[FlagCell] = field(default_factory=list)
    optimal_where: str | None = None  # symbolic plans: the region where the policy is optimal


@dataclass
class VerdictRow:
    """One expectation and what was found."""

    ok: bool
    claim: str
    found: str


@dataclass
class ScenarioReport:
    """Everything `corrig check` prints about one scenario file, as text."""

    file: str
    name: str = ""
    objective: str = ""
    objective_latex: str = ""
    eps: str = ""
    reference: str | None = None
    at: dict[str, str] = field(default_factory=dict)
    symbolic: bool = False
    rows: list[PolicyRow] = field(default_factory=list)
    incentives: list[FlagCell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdicts: list[VerdictRow] = field(default_factory=list)
    error: str | None = None
    plan: Callable[[], dict[str, Any]] | None = None  # Plan.to_dict, called only for JSON

    @property
    def status(self) -> int:
        """0 when every expectation holds, 1 when one fails, 2 when the scenario could not be checked."""
        if self.error is not None:
            return 2
        return 0 if all(v.ok for v in self.verdicts) else 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: the plan as Plan.to_dict() plus the verdicts and the status."""
        out: dict[str, Any] = {"file": self.file, "name": self.name, "status": self.status}
        if self.error is not None:
            out["error"] = self.error
            return out
        out["plan"] = self.plan() if self.plan is not None else None
        out["expect"] = [asdict(v) for v in self.verdicts]
        out["ok"] = self.status == 0
        return out


def flag_cell(flag: Any, numeric: bool = False, condition: bool = True) -> FlagCell:
    """A Flag as text (condition=False: its condition left out, for the caller to word as a region)."""
    conditional = not isinstance(flag.condition, bool)
    evidence = flag.evidence or {}
    who = str(flag.where).split(": ", 1)[0] if ("principal" in evidence or "coalition" in evidence) else ""
    size = "" if flag.size is None else number(flag.size, numeric)  # a symbolic incentive: its region is the answer
    return FlagCell(flag.kind, size, flag.where, flag.explanation, flag.policy, conditional,
                    str(flag.condition) if conditional and condition else "", jsonable(evidence), who,
                    measure=getattr(flag, "measure", ""))


def needs_regions(plan: Any) -> bool:
    """Whether reading the plan needs its regions: its values or some flag's condition depend on parameters."""
    return bool(plan.symbolic) or any(not isinstance(f.condition, bool) for f in plan.all_flags())


def _label_repeats(cells: list[FlagCell]) -> list[FlagCell]:
    """Name the branch or node of each flag whose kind, principal and measure occur more than once among
    `cells` (the measure tells the others apart)."""
    counts: dict[tuple[str, str, str], int] = {}
    for c in cells:
        counts[c.kind, c.who, c.measure] = counts.get((c.kind, c.who, c.measure), 0) + 1
    for c in cells:
        c.label = f"{c.kind} at {c.where}" if counts[c.kind, c.who, c.measure] > 1 else c.kind
    return cells


def scenario_report(file: str, scenario: Any, plan: Any, verdicts: Iterable[Any] = (), *, numeric: bool = False,
                    regions: Any = None) -> ScenarioReport:
    """The report of one planned scenario (`regions`: its SymbolicPlan, for where each policy is optimal
    and where each flag fires)."""
    rows = []
    hidden = 0
    for i, name in enumerate(plan.policies, start=1):
        value = plan.values[name]
        where, everywhere = None, False
        if regions is None:
            cells = [flag_cell(f, numeric) for f in plan.flags.get(name, [])]
        else:
            if plan.symbolic and name in regions.optimal:
                named = value_namer(regions.values, lambda n: shown_name(plan, n))
                where, everywhere = region_text(regions.optimal[name], named), regions.optimal[name].everywhere
                if not numeric and regions.values.get(name) is not None:
                    value = regions.values[name]  # simplified on the box
            cells, dropped = _in_box(plan.flags.get(name, []), regions.flags.get(name, []), numeric, regions.box)
            hidden += dropped
        rows.append(PolicyRow(i, shown_name(plan, name), number(value, numeric), latex_number(value, numeric),
                              name in plan.optimal or everywhere, _label_repeats(cells), where))
    if regions is None:
        incentives = [flag_cell(f, numeric) for f in plan.incentives]
    else:
        incentives, dropped = _in_box(plan.incentives, regions.incentives, numeric, regions.box)
        hidden += dropped
    notes = _plan_notes(plan, regions)
    if regions is not None:
        notes += settled_notes(regions, lambda n: shown_name(plan, n))
    if hidden:
        notes.append(f"{hidden} flag{'s' if hidden > 1 else ''} whose condition holds nowhere in the parameter box "
                     f"{'are' if hidden > 1 else 'is'} not shown (see --json)")
    return ScenarioReport(
        file=file,
        name=display_name(file, scenario, plan),
        objective=objective_text(plan),
        objective_latex=objective_text(plan, latex=True),
        eps=number(plan.eps, numeric),
        reference=_reference_text(plan, regions),
        at={str(k): str(v) for k, v in plan.at.items()},
        symbolic=plan.symbolic,
        rows=rows,
        incentives=incentives,
        notes=notes,
        verdicts=[VerdictRow(v.ok, v.claim, v.found) for v in verdicts],
        plan=plan.to_dict,
    )


def _reference_text(plan: Any, regions: Any) -> str | None:
    """π0 as the header names it: one profile, or the reference's profile of each region (docs/agents.md)."""
    if not plan.reference:
        return plan.reference
    if not getattr(plan, "references", None) or regions is None:
        return shown_name(plan, plan.reference)
    from corrig.analysis.regions import region

    parameters = tuple(regions.box)
    return "; ".join(f"{shown_name(plan, name)} where {region_text(region(where, parameters))}"
                     for name, where in plan.references.items())


def objective_text(plan: Any, *, latex: bool = False) -> str:
    """The objective as text; an episode's discounted return as one sum over its steps (not T terms)."""
    from corrig.objectives.episodes import discounted_return

    episode = getattr(plan.world, "episode", None)
    if episode is None or episode.reward_node is None or repr(plan.utility) != repr(discounted_return(episode)):
        return plan.utility.to_latex() if latex else str(plan.utility)
    gamma = episode.discount
    last = episode.steps - 1
    if latex:
        weight = "" if gamma == 1 else rf"({latex_number(gamma)})^t \, "
        return rf"\sum_{{t=0}}^{{{last}}} {weight}E(R_t)"
    weight = "" if gamma == 1 else f"({number(gamma)})^t·"
    return f"Σ_t {weight}E(R_t) over the episode's steps t = 0 … {last}"


def _plan_notes(plan: Any, regions: Any) -> list[str]:
    """The plan's notes, without the one saying the optimal set depends on the parameters when the regions show
    it is the same on the whole box."""
    settled = regions is not None and regions.optimal_everywhere() is not None
    return [n for n in plan.notes if not (settled and n == REGION_DEPENDENT_NOTE)]


def _in_box(flags: list[Any], regions: list[Any], numeric: bool, box: Any = None) -> tuple[list[FlagCell], int]:
    """The flags that fire somewhere in the parameter box, each with its region in words and its size,
    evidence and explanation simplified on the box; and how many do not fire anywhere.

    Each flag is paired with the region computed for it (the same Flag object), never by position;
    a region whose flag the plan does not list is shown too.
    """
    by_flag = {id(fr.flag): fr for fr in regions}
    kept, dropped = [], 0
    for flag in flags:
        fr = by_flag.get(id(flag))
        conditional = not isinstance(flag.condition, bool)
        if conditional and (fr is None or fr.region.is_empty is True):
            dropped += 1
            continue
        cell = flag_cell(flag, numeric, condition=False)
        if conditional:
            cell.condition = region_text(fr.region)
            if not numeric and box is not None:
                _simplify_cell(cell, fr.flag, box)
        kept.append(cell)
    listed = {id(f) for f in flags}
    for fr in regions:
        if id(fr.flag) not in listed and fr.region.is_empty is not True:
            cell = flag_cell(fr.flag, numeric, condition=False)
            cell.conditional, cell.condition = True, region_text(fr.region)
            if not numeric and box is not None:
                _simplify_cell(cell, fr.flag, box)
            kept.append(cell)
    return kept, dropped


def clip(text: str, limit: int = 48) -> str:
    """Long expressions shortened for a table cell (the JSON keeps them whole)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_name(file: str, scenario: Any, plan: Any) -> str:
    """The scenario's own name, or its world's when the name is only the file's stem."""
    if not scenario.name or str(file).endswith(f"{scenario.name}.py"):
        return plan.world.name
    return scenario.name


def error_report(file: str, message: str) -> ScenarioReport:
    """The report of a scenario that could not be loaded or planned."""
    return ScenarioReport(file=file, error=message)


# terminal -----------------------------------------------------------------------------------
def _hanging(console: Any, prefix: Any, body: Any, gap: int = 1) -> None:
    """A line that wraps at the console's width with its continuation lines under `body`'s start."""
    from rich.table import Table
    from rich.text import Text

    space = gap if prefix.plain.strip() else 0
    if prefix.cell_len + space + body.cell_len <= console.width and "\n" not in body.plain:
        console.print(prefix + Text(" " * space) + body)  # fits: one line, no grid to lay out
        return
    grid = Table.grid(padding=(0, space))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(prefix, body)
    console.print(grid)


def _optimal_cell(row: PolicyRow) -> str:
    """★ where the policy is optimal everywhere, else the region where it is (never: —)."""
    return "★" if row.optimal else _where_cell(row)


def _where_cell(row: PolicyRow) -> str:
    """The region where the policy is optimal, — where it never is."""
    if row.optimal_where is None:
        return ""
    return "—" if row.optimal_where.startswith("∅") else row.optimal_where


def render_terminal(reports: Iterable[ScenarioReport], console: Any) -> None:
    """Rich tables: per scenario the policies, values, where each is optimal and its flags, then the incentives,
    notes and the expectation verdicts; every line wraps at the console's width."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    for report in reports:
        if report.error is not None:
            continue  # the command line prints errors on standard error
        point = f"  at {', '.join(f'{k}={v}' for k, v in report.at.items())}" if report.at else ""
        _hanging(console, Text(report.name, style="bold"), Text(f"{report.file}{point}", style="dim"), gap=2)
        _hanging(console, Text("J(π) =", style="dim"), Text(f"{report.objective}   ε = {report.eps}"
                 + (f"   reference π0 = {report.reference}" if report.reference else ""), style="dim"))
        regions = any(r.optimal_where for r in report.rows)
        table = Table(show_lines=regions)
        table.add_column("#", justify="right", style="dim")
        table.add_column("policy", overflow="fold", max_width=40)
        table.add_column("J(π)", justify="right", overflow="fold")
        table.add_column("optimal (where)" if regions else "optimal", justify="center" if not regions else "left",
                         overflow="fold")
        table.add_column("flags", overflow="fold")
        for row in report.rows:
            flags = Text()
            for i, f in enumerate(row.flags):
                if i:
                    flags.append("\n")
                flags.append(f.label or f.kind, style="yellow" if f.conditional else "red")
                if f.who:
                    flags.append(f"[{f.who}]")
                flags.append(f" {reading(f.measure, clip(f.size))}")
                if f.conditional:
                    flags.append(f" where {f.condition}", style="yellow")
            cells = [str(row.index), escape(row.name), escape(row.value), escape(_optimal_cell(row))]
            table.add_row(*cells, flags if row.flags else Text("—", style="green"), style="bold" if row.optimal else None)
        console.print(table)
        if report.symbolic and not regions and not any(r.optimal for r in report.rows):
            _hanging(console, Text(" "), Text("values depend on the parameters: the optimal set depends on where in the "
                                               "parameter box (try --at p=..., or `corrig region`)", style="yellow"))
        if report.incentives:
            inc = Table(title="incentives", title_justify="left", show_header=True, box=None, padding=(0, 1))
            inc.add_column("flag", style="magenta")
            inc.add_column("where", overflow="fold", max_width=32)
            inc.add_column("size", overflow="fold", max_width=30)
            inc.add_column("why", overflow="fold", ratio=1)
            for f in report.incentives:
                size = (reading(f.measure, clip(f.size)) + (f" where {f.condition}" if f.conditional else "")).strip()
                inc.add_row(f.kind, escape(f.where), escape(size), escape(clip(f.explanation, 240)))
            console.print(inc)
        for note in report.notes:
            _hanging(console, Text("  note:", style="dim"), Text(note, style="dim"))
        if report.verdicts:
            console.print(Text("expect", style="bold"))
            for v in report.verdicts:
                mark = Text("  ✓", style="green") if v.ok else Text("  ✗", style="bold red")
                _hanging(console, mark, Text(v.claim) + Text(f"   ({v.found})", style="dim"))
        console.print()


# markdown -------------------------------------------------------------------------------------
def _md(text: str) -> str:
    return str(text).replace("|", r"\|").replace("\n", " ")


def render_markdown(reports: Iterable[ScenarioReport]) -> str:
    """One Markdown section per scenario: the policy table, incentives, notes and verdicts."""
    out: list[str] = []
    for report in reports:
        if report.error is not None:
            out += [f"### {_md(report.file)}", "", f"**error**: {_md(report.error)}", ""]
            continue
        point = f" at {', '.join(f'{k}={v}' for k, v in report.at.items())}" if report.at else ""
        ref = f", reference `{report.reference}`" if report.reference else ""
        out += [f"### {_md(report.name)}", "", f"`{_md(report.file)}`{point} — objective `{_md(report.objective)}` "
                f"(ε = {report.eps}{ref})", ""]
        regions = any(r.optimal_where for r in report.rows)
        if regions:
            out += ["| # | policy | J(π) | optimal | optimal where | flags |", "|---:|---|---:|:---:|---|---|"]
        else:
            out += ["| # | policy | J(π) | optimal | flags |", "|---:|---|---:|:---:|---|"]
        for row in report.rows:
            flags = ", ".join(_md(f.short() + (f" where {f.condition}" if f.conditional and f.condition else ""))
                              for f in row.flags) or "—"
            where = f" {_md(_where_cell(row))} |" if regions else ""
            out.append(f"| {row.index} | {_md(row.name)} | {_md(row.value)} | {'✓' if row.optimal else ''} |{where} {flags} |")
        if report.incentives:
            out += ["", "**Incentives**", ""]
            out += [f"- **{f.kind}** at `{_md(f.where)}`: {_md(f.reading())} — {_md(f.explanation)}" for f in report.incentives]
        if report.notes:
            out += ["", "**Notes**", "", *(f"- {_md(n)}" for n in report.notes)]
        if report.verdicts:
            out += ["", "**Expectations**", ""]
            out += [f"- {'✓' if v.ok else '✗ FAILS:'} {_md(v.claim)} ({_md(v.found)})" for v in report.verdicts]
        out.append("")
    return "\n".join(out)


# latex -------------------------------------------------------------------------------------
_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "π": r"$\pi$",
                  "ε": r"$\varepsilon$", "−": "-", "→": r"$\to$", "←": r"$\leftarrow$", "≠": r"$\neq$", "·": r"$\cdot$",
                  "∈": r"$\in$", "≤": r"$\leq$", "≥": r"$\geq$", "≈": r"$\approx$", "<": r"$<$", ">": r"$>$", "|": r"$|$",
                  "∅": r"$\emptyset$", "∞": r"$\infty$", "★": r"$\star$", "—": "---", "∪": r"$\cup$", "§": r"\S{}"}


def tex(text: str) -> str:
    """Text escaped for LaTeX."""
    return "".join(_LATEX_ESCAPES.get(c, c) for c in str(text).replace("->", "→"))


def render_latex(reports: Iterable[ScenarioReport]) -> str:
    """A `table` environment per scenario (booktabs), values in math mode, for pasting into a paper."""
    out: list[str] = ["% corrig check --latex (needs \\usepackage{booktabs, amssymb})"]
    for report in reports:
        if report.error is not None:
            out += [f"% {tex(report.file)}: error: {report.error}"]
            continue
        point = f" at ${', '.join(f'{k}={v}' for k, v in report.at.items())}$" if report.at else ""
        ref = f", reference $\\pi_0$ = {tex(report.reference)}" if report.reference else ""
        regions = any(r.optimal_where for r in report.rows)
        out += [r"\begin{table}[ht]", r"\centering",
                rf"\caption{{{tex(report.name)}{point}: $J(\pi) = {report.objective_latex}$, "
                rf"$\varepsilon = {tex(report.eps)}${ref}}}",
                r"\begin{tabular}{rlrclp{0.3\linewidth}}" if regions else r"\begin{tabular}{rlrcl}", r"\toprule",
                (r"\# & policy & $J(\pi)$ & optimal & optimal where & flags \\" if regions else
                 r"\# & policy & $J(\pi)$ & optimal & flags \\"), r"\midrule"]
        for row in report.rows:
            flags = "; ".join(tex(f.short() + (f" where {f.condition}" if f.conditional and f.condition else ""))
                              for f in row.flags) or "---"
            mark = r"$\checkmark$" if row.optimal else ""
            where = f" {tex(_where_cell(row))} &" if regions else ""
            out.append(rf"{row.index} & {tex(row.name)} & ${row.value_latex}$ & {mark} &{where} {flags} \\")
        out += [r"\bottomrule", r"\end{tabular}"]
        if report.incentives:
            items = "; ".join(f"{tex(f.kind)} at {tex(f.where)}: "
                              + tex((f.reading() + (f" where {f.condition}" if f.conditional and f.condition else "")).strip())
                              for f in report.incentives)
            out.append(rf"\par\smallskip\footnotesize Incentives: {items}.")
        out += [r"\end{table}", ""]
    return "\n".join(out)


# json --------------------------------------------------------------------------------------
def render_json(reports: Iterable[ScenarioReport]) -> str:
    """One JSON document: {"scenarios": [...], "status": worst status}."""
    reports = list(reports)
    status = max((r.status for r in reports), default=0)
    return json.dumps({"status": status, "scenarios": [r.to_dict() for r in reports]}, indent=2, ensure_ascii=False)


# explain -----------------------------------------------------------------------------------
@dataclass
class TermRow:
    """One term of the objective under one policy."""

    weight: str
    term: str
    branch: str
    value: str
    contribution: str


@dataclass
class ExplainReport:
    """Everything `corrig explain` says about one policy."""

    file: str
    scenario: str
    policy: str
    rule: str
    value: str
    optimal: bool
    objective: str
    terms: list[TermRow] = field(default_factory=list)
    path_specific_value: str | None = None
    manipulation: str | None = None
    flags: list[FlagCell] = field(default_factory=list)
    incentives: list[FlagCell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    answer: str | None = None  # where other agents act: their answer, every context's action

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return asdict(self)


def weighted_atoms(utility: Any) -> list[tuple[Any, Any]] | None:
    """The objective as [(weight, atom)], or None when it is not a weighted sum of terms."""
    from corrig.scenarios.toml_writer import DumpError, _linear

    try:
        return _linear(utility)
    except DumpError:
        return None


def _simplify_cell(cell: FlagCell, flag: Any, box: Any) -> None:
    """The cell's size, evidence and explanation with every expression simplified on the box (Abs, Min, Max
    and Piecewise of a sign-definite argument resolved)."""
    replaced: dict[str, str] = {}

    def simple(value: Any) -> Any:
        if isinstance(value, sp.Basic) and is_symbolic(value):
            text = size_text(value, box)
            replaced[str(value)] = text
            return text
        if isinstance(value, Mapping):
            return {k: simple(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [simple(v) for v in value]
        return jsonable(value)

    if is_symbolic(flag.size):
        cell.size = simple(flag.size)
    cell.evidence = {k: simple(v) for k, v in (flag.evidence or {}).items()}
    for old, new in sorted(replaced.items(), key=lambda kv: -len(kv[0])):
        cell.explanation = cell.explanation.replace(old, new)


def explain_report(file: str, scenario: Any, plan: Any, policy: str, *, numeric: bool = False,
                   regions: Any = None) -> ExplainReport:
    """Every term of the objective in every branch with its value, every flag with its evidence
    (`regions`: the plan's SymbolicPlan; flags that fire nowhere in the box are then left out, as in check)."""
    branch_values: Mapping[Any, Any] = plan.branch_values[policy]
    pairs = weighted_atoms(plan.utility)
    terms = []
    if pairs is None:
        pairs = [(None, a) for a in branch_values]
    runs: list[list[Any]] = []  # [weight, first atom, last atom, branch kind, value, count]
    episode = objective_text(plan) != repr(plan.utility)  # an episode's return: equal neighbouring terms as one row
    for weight, atom in pairs:
        value = branch_values.get(atom)
        last = runs[-1] if runs else None
        if episode and last is not None and last[0] == weight and last[3] == atom.branch.kind and last[4] == value:
            last[2], last[5] = atom, last[5] + 1
        else:
            runs.append([weight, atom, atom, atom.branch.kind, value, 1])
    for weight, first, last, kind, value, count in runs:
        contribution = None if weight is None or value is None else weight * value * count
        term = repr(first) if count == 1 else f"{first!r} … {last!r} ({count} terms)"
        terms.append(TermRow("?" if weight is None else number(weight, numeric), term, kind,
                             number(value, numeric), "—" if weight is None else number(contribution, numeric)))
    p = plan.policies[policy]
    flags = [flag_cell(f, numeric) for f in plan.flags.get(policy, [])]
    incentives = [flag_cell(f, numeric) for f in plan.incentives]
    notes = _plan_notes(plan, regions)
    if regions is not None:
        notes += settled_notes(regions, lambda n: shown_name(plan, n), policy=policy)
        flags, hidden = _in_box(plan.flags.get(policy, []), regions.flags.get(policy, []), numeric, regions.box)
        incentives, hidden_plan = _in_box(plan.incentives, regions.incentives, numeric, regions.box)
        hidden += hidden_plan
        if hidden:
            notes.append(f"{hidden} flag{'s' if hidden > 1 else ''} whose condition holds nowhere in the parameter box "
                         f"{'are' if hidden > 1 else 'is'} not shown (as in check)")
    incentives = [c for c in incentives if c.policy in (None, policy)]
    answer = (getattr(plan, "answers", None) or {}).get(policy)
    return ExplainReport(
        file=file, scenario=display_name(file, scenario, plan), policy=shown_name(plan, policy), rule=policy_text(plan, p),
        answer=None if answer is None else answer.rules + ("" if answer.condition is True else
                                                           f" (their best answer where {answer.condition})"),
        value=number(plan.values[policy], numeric),
        optimal=policy in plan.optimal or policy in ((regions.optimal_everywhere() or []) if regions is not None else []),
        objective=objective_text(plan), terms=terms,
        path_specific_value=(number(plan.path_specific_values[policy], numeric)
                             if policy in plan.path_specific_values else None),
        manipulation=number(plan.manipulation[policy], numeric) if policy in plan.manipulation else None,
        flags=_label_repeats(flags), incentives=incentives, notes=notes)


def policy_text(plan: Any, policy: Any) -> str:
    """The policy as text; on an episode whose rule is the same at every step, that rule once (not T times)."""
    episode = getattr(plan.world, "episode", None)
    rules = getattr(policy, "rules", None)
    if episode is None or not isinstance(rules, Mapping):
        return repr(policy)
    decision = episode.decision_name
    names = [episode.name_at(decision, t) for t in range(episode.steps)]
    if set(rules) != set(names) or any(rules[n] != rules[names[0]] for n in names):
        return repr(policy)
    return f"{decision}_t = {rules[names[0]]!r} at every step t = 0 … {episode.steps - 1}"


SERIES_SHOWN = 8  # a per-step series in a flag's evidence (flags over time): its first steps, then a count


def _evidence_lines(evidence: Mapping[str, Any], indent: str = "    ") -> list[str]:
    lines = []
    for key, value in evidence.items():
        if isinstance(value, Mapping) and len(value) > SERIES_SHOWN and all(str(k).isdigit() for k in value):
            shown = ", ".join(f"{k}: {v}" for k, v in list(value.items())[:SERIES_SHOWN])
            lines.append(f"{indent}{key}: {shown}, … ({len(value)} steps; --json lists every one)")
        elif isinstance(value, Mapping) and value:
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}  {k}: {v}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(f"{indent}{key}:")
            for item in value:
                lines.append(f"{indent}  - " + ", ".join(f"{k}={v}" for k, v in item.items()))
        else:
            lines.append(f"{indent}{key}: {value}")
    return lines


def render_explain_terminal(report: ExplainReport, console: Any) -> None:
    """The explanation as rich tables."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    star = "  ★ optimal" if report.optimal else ""
    _hanging(console, Text(f"{report.scenario}:", style="bold"),
             Text(f"policy {report.policy}", style="bold") + Text(star, style="bold green"))
    _hanging(console, Text(" "), Text(report.rule, style="dim"))
    if report.answer:
        _hanging(console, Text(" "), Text(f"the other agents answer: {report.answer}", style="dim"))
    table = Table(title=f"J(π) = {escape(report.objective)}", title_justify="left")
    table.add_column("weight", justify="right")
    table.add_column("term", overflow="fold")
    table.add_column("branch")
    table.add_column("value", justify="right")
    table.add_column("weight × value", justify="right")
    for t in report.terms:
        table.add_row(escape(t.weight), escape(t.term), t.branch, escape(t.value), escape(t.contribution))
    table.add_section()
    table.add_row("", Text("J(π)", style="bold"), "", Text(report.value, style="bold"), "")
    console.print(table)
    if report.path_specific_value is not None:
        console.print(f"  J^(H←π0)(π) = {report.path_specific_value}   manipulation m(π) = J − J^(H←π0) = {report.manipulation}")
    for title, flags in (("flags", report.flags), ("plan-level incentives", report.incentives)):
        if not flags:
            continue
        console.print(Text(title, style="bold"))
        for f in flags:
            kind, _, rest = f.heading().partition(" ")
            _hanging(console, Text(f"  {kind}", style="yellow" if f.conditional else "red") + Text("" if rest else ":"),
                     Text(f"{rest}: {f.reading()}" if rest else f.reading()))
            _hanging(console, Text("   "), Text(f.explanation))
            if f.conditional:
                _hanging(console, Text("   "), Text(f"fires when {f.condition}", style="yellow"))
            for line in _evidence_lines(f.evidence):
                body = line.lstrip(" ")
                _hanging(console, Text(" " * (len(line) - len(body) - 1)), Text(body, style="dim"))
    if not report.flags:
        console.print(Text("no flags for this policy", style="green"))
    for note in report.notes:
        _hanging(console, Text("note:", style="dim"), Text(note, style="dim"))


def render_explain_markdown(report: ExplainReport) -> str:
    """The explanation in Markdown."""
    out = [f"### {_md(report.scenario)}: policy {_md(report.policy)}{' (optimal)' if report.optimal else ''}", "",
           f"`{_md(report.rule)}`", "", *([f"The other agents answer: {_md(report.answer)}", ""] if report.answer else []),
           f"J(π) = `{_md(report.objective)}` = **{_md(report.value)}**", "",
           "| weight | term | branch | value | weight × value |", "|---:|---|---|---:|---:|"]
    out += [f"| {_md(t.weight)} | `{_md(t.term)}` | {t.branch} | {_md(t.value)} | {_md(t.contribution)} |" for t in report.terms]
    if report.path_specific_value is not None:
        out += ["", f"J^(H←π0)(π) = {report.path_specific_value}; manipulation m(π) = {report.manipulation}"]
    for title, flags in (("Flags", report.flags), ("Plan-level incentives", report.incentives)):
        if flags:
            out += ["", f"**{title}**", ""]
            for f in flags:
                out.append(f"- **{_md(f.heading())}**: {_md(f.reading())} — {_md(f.explanation)}")
                for line in _evidence_lines(f.evidence, ""):
                    depth = (len(line) - len(line.lstrip())) // 2
                    out.append("    " + "  " * depth + "- " + _md(line.strip()))
    return "\n".join(out) + "\n"
