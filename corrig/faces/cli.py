"""The `corrig` command: check scenario files, explain a policy, draw a world, plot regions.

    corrig check FILE|FOLDER... [--json | --markdown | --latex] [--eps E] [--at p=0.3,q=1/4] [--numeric]
    corrig explain FILE --policy NAME
    corrig draw FILE -o dag.png [--policy NAME]
    corrig region FILE --x p --y q -o region.png
    corrig export FILE.py [-o FILE.toml]
    corrig incentives FILE / corrig equilibria FILE     (corrig/faces/games.py)
    corrig hunt FILE --property P                        (corrig/faces/hunt.py)

Exit status: 0 every expectation holds; 1 an expectation fails; 2 a file could not be loaded,
validated or planned (the message names the file, the line and the culprit); 3 an internal error.
A `.py` scenario is a program and loading it runs it; a `.toml` scenario is data (docs/declarative.md).
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sympy as sp

from corrig.faces.console import console, discard_closed_streams, progress, quiet_broken_pipe
from corrig.faces.games import COMMANDS as GAME_COMMANDS
from corrig.faces.games import add_parsers as game_parsers
from corrig.faces.points import UsageError, parse_number, parse_point
from corrig.model.errors import CorrigError, ParameterError

OK, EXPECT_FAILED, INVALID, INTERNAL = 0, 1, 2, 3
PLOT_HINT = "this command needs matplotlib: pip install 'corrig[plot]'"


def _formats(parser: argparse.ArgumentParser, latex: bool = True) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", dest="format", action="store_const", const="json", help="one JSON document")
    group.add_argument("--markdown", dest="format", action="store_const", const="markdown", help="Markdown tables")
    if latex:
        group.add_argument("--latex", dest="format", action="store_const", const="latex", help="LaTeX tables (booktabs)")
    parser.set_defaults(format="terminal")


def _planning(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--eps", metavar="E", help="the flags' tolerance ε (default: the scenario's, else 1/20)")
    parser.add_argument("--at", metavar="p=V,...", help="substitute parameter values, e.g. --at p=0.3,q=1/4")
    parser.add_argument("--numeric", action="store_true",
                        help="evaluate every parameter (--at values, others at the middle of their range) and print decimals")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `corrig` command."""
    parser = argparse.ArgumentParser(
        prog="corrig", description="Check stop-button scenarios: values, optimal policies and corrigibility flags.",
        epilog="Exit status: 0 all expectations hold (hunt: none found), 1 one fails (hunt: a counterexample), "
               "2 a file cannot be loaded, validated or written, 3 a bug in corrig, 130 interrupted (docs/cli.md). "
               "A .py scenario is a program (loading it runs it); a .toml scenario is data (docs/security.md).")
    from corrig import __version__

    parser.add_argument("--version", action="version", version=f"corrig {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="plan each scenario, print its table of policies and flags, verify its expectations",
                           description="Plan each scenario file; print policies, values, optimal marker, flags with "
                                       "sizes and the expectation verdicts. A folder stands for its .py and .toml "
                                       "files (a package's __init__.py and files that define no world are skipped). "
                                       "Exit 1 when an expectation fails, 2 when a file cannot be checked.")
    check.add_argument("files", nargs="+", metavar="FILE",
                       help="scenario files (.py runs code; .toml does not), or folders of them")
    _formats(check)
    _planning(check)

    explain = sub.add_parser("explain", help="every term's value in every branch and every flag's evidence, for one policy")
    explain.add_argument("file", metavar="FILE")
    explain.add_argument("--policy", "-p", metavar="NAME", help="the policy (its name or its # in `corrig check`)")
    _formats(explain, latex=False)
    _planning(explain)

    draw = sub.add_parser("draw", help="draw the world's DAG (decisions, utility nodes and roles marked)")
    draw.add_argument("file", metavar="FILE")
    draw.add_argument("-o", "--output", required=True, metavar="OUT", help="image file: .png, .svg or .pdf")
    draw.add_argument("--policy", "-p", metavar="NAME", help="highlight the paths and nodes this policy's flags name")
    _planning(draw)

    region = sub.add_parser("region", help="plot where each policy is optimal and each flag fires over parameters")
    region.add_argument("file", metavar="FILE")
    region.add_argument("--x", metavar="PARAM", help="parameter on the horizontal axis (default: the first)")
    region.add_argument("--y", metavar="PARAM", help="parameter on the vertical axis (default: the second, if any)")
    region.add_argument("-o", "--output", required=True, metavar="OUT", help="image file: .png, .svg or .pdf")
    region.add_argument("--resolution", type=int, default=200, help="grid points per axis (default 200)")
    region.add_argument("--eps", metavar="E", help="the flags' tolerance ε")
    region.add_argument("--at", metavar="p=V,...", help="values for the parameters not on the axes")

    export = sub.add_parser("export", help="write a scenario as declarative TOML (Python mechanisms become tables)")
    export.add_argument("file", metavar="FILE")
    export.add_argument("-o", "--output", metavar="OUT", help="the .toml file (default: standard output)")

    game_parsers(sub)  # corrig incentives / corrig equilibria (corrig/faces/games.py)

    # corrig hunt (its arguments live in corrig/hunt.py)
    from corrig.faces.hunt import add_arguments as hunt_arguments

    hunt_arguments(sub.add_parser("hunt", help="search random worlds of a scenario's shape for a counterexample to a property",
                                  description="Keep the scenario's graph, roles and objective, draw new CPDs (seeded), "
                                              "and look for a world where the property fails; shrink it and write it "
                                              "out as a scenario file. Exit 1 when one is found."))
    for command in (draw, region, export):
        command.add_argument("--force", action="store_true", help="replace OUT if it exists")
    for command in sub.choices.values():
        command.add_argument("--limit", action="append", metavar="NAME=N", default=[],
                             help="raise (or lower) a size limit for this run: states, table, policies, terms, "
                                  "coalitions, beliefs, dp, steps (docs/security.md)")
    return parser


# loading and planning with errors that name file and line --------------------------------------
def load(path: str) -> Any:
    """Load a scenario; errors keep the loader's message (which names the file and line)."""
    from corrig.scenarios.load import load_scenario

    return load_scenario(path)


def located(exc: BaseException, scenario: Any, path: str) -> str:
    """An error raised after loading, prefixed with the file and (best effort) the line of its culprit."""
    message = f"{type(exc).__name__}: {exc}"
    line = None
    if Path(path).suffix == ".py" and Path(path).is_file():
        line = _culprit_line(str(exc), scenario, Path(path).read_text(encoding="utf-8", errors="replace"))
    return f"{path}{f', line {line}' if line else ''}: {message}"


def _culprit_line(message: str, scenario: Any, source: str) -> int | None:
    """The line declaring the node, or naming the policy, that an error message is about."""
    lines = source.splitlines()
    names = [m.group(1) for m in re.finditer(r"(?:policy|candidate policy|reference policy) '([^']+)'", message)]
    for name in names:
        for i, text in enumerate(lines, start=1):
            if re.search(rf"""["']{re.escape(name)}["']\s*[:=,)]""", text):
                return i
    nodes = list(getattr(scenario.world, "nodes", {})) if scenario is not None else []
    for pattern in (r"node (\w+)", r"decision (\w+)", r"P\((\w+)", r"cycle: (\w+)", r"(\w+) has"):
        for match in re.finditer(pattern, message):
            name = match.group(1)
            if name in nodes:
                for i, text in enumerate(lines, start=1):
                    if re.search(rf"""\.(?:chance|decision|replace)\(\s*["']{re.escape(name)}["']""", text):
                        return i
    return None


def plan_options(args: argparse.Namespace) -> dict[str, Any]:
    """The planner's options from --eps."""
    return {"eps": parse_number(args.eps, "--eps")} if getattr(args, "eps", None) else {}


def scenario_parameters(scenario: Any, eps: Any = None) -> dict[str, sp.Symbol]:
    """The parameters of a scenario's world (probabilities and numeric states), objective, policies and ε, by name."""
    from corrig.analysis.parameters import term_parameters
    from corrig.model.policies import Policy

    found = set(scenario.world.compiled.parameters) | term_parameters(scenario.utility)
    for policy in (scenario.policies or {}).values() if isinstance(scenario.policies, dict) else ():
        if isinstance(policy, Policy):
            try:
                found |= policy.parameters(scenario.world)  # mixed rules with parameter probabilities
            except CorrigError:
                continue  # a malformed policy: planning names it
    for value in (scenario.eps, eps):
        if isinstance(value, sp.Basic):
            found |= value.free_symbols
    return {s.name: s for s in found}


def plan_point(args: argparse.Namespace, scenario: Any, options: dict[str, Any]) -> dict[str, Any] | None:
    """The parameter point of --at; with --numeric every other parameter at the middle of its range."""
    from corrig.model.params import range_of

    point = parse_point(getattr(args, "at", None))
    known = scenario_parameters(scenario, options.get("eps"))
    for name in point:
        if name not in known:
            raise ParameterError(f"--at names {name!r}, which is not a parameter of this scenario; "
                                 f"its parameters are {sorted(known) or 'none'}")
    if getattr(args, "numeric", False):
        for name, symbol in sorted(known.items()):
            if name not in point:
                span = range_of(symbol)
                if not span.bounded:
                    raise ParameterError(f"--numeric: parameter {name} has no bounded range; "
                                         f"give it a value with --at {name}=...")
                point[name] = (span.low + span.high) / 2
    return point or None


# commands -----------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    from corrig.faces.report import (
        error_report,
        needs_regions,
        render_json,
        render_latex,
        render_markdown,
        render_terminal,
        scenario_report,
    )
    from corrig.faces.safe_text import cleaned, json_safe
    from corrig.model.errors import NotAScenario, ScenarioError
    from corrig.scenarios.expect import Expectation, Plans

    reports = []
    err = console(sys.stderr)
    files, skipped, empty = scenario_files(args.files)
    for path in skipped:
        err.print(f"[dim]skipped {_escape(path)}: a package's __init__.py is not a scenario[/]")
    for folder in empty:
        message = f"{folder}: the folder holds no .py or .toml scenario file"
        reports.append(error_report(folder, message))
        err.print(f"[bold red]error:[/] {_escape(message)}")
    with progress(len(files), "checking") as advance:
        for path in files:
            advance(0, description=_escape(f"loading {path}"))
            scenario = None
            try:
                scenario = load(path)
                options = plan_options(args)
                point = plan_point(args, scenario, options)
                plans = Plans(scenario, **options)
                advance(0, description=_escape(f"planning {scenario.name} ({_policy_count(scenario)})"))
                result = plans.at(point)
                verdicts = []
                for claim in scenario.expect:
                    if not isinstance(claim, Expectation):
                        raise ScenarioError(f"expect holds {claim!r}, which is not an expectation (use corrig.scenarios.expect)")
                    advance(0, description=_escape(f"checking {claim!r}"[:80]))
                    verdicts.append(claim.check(plans))
                regions = None
                if args.format != "json" and needs_regions(result):  # JSON carries the plan, not regions in words
                    from corrig.analysis.symbolic import symbolic_plan

                    advance(0, description=_escape(f"regions of {scenario.name}"))
                    regions = symbolic_plan(result)
                reports.append(scenario_report(path, scenario, result, verdicts, numeric=args.numeric, regions=regions))
            except NotAScenario:  # a helper module beside the scenarios (`models/*.py` names it too)
                err.print(f"[dim]skipped {_escape(path)}: it defines no `world`, so it is not a scenario[/]")
            except SystemExit as exc:  # a Python scenario's mechanism or rule ended the program while planning
                message = f"{path}: the scenario called sys.exit({exc.code!r}) while it was planned"
                reports.append(error_report(path, message))
                err.print(f"[bold red]error:[/] {_escape(message)}")
            except (CorrigError, UsageError) as exc:
                message = str(exc) if scenario is None else located(exc, scenario, path)
                if scenario is None and not message.startswith(path):
                    message = f"{path}: {message}"
                reports.append(error_report(path, message))
                err.print(f"[bold red]error:[/] {_escape(message)}")
            advance(1)
    if not reports:
        err.print(f"[bold red]error:[/] no scenario to check in {_escape(' '.join(args.files))}")
        return INVALID
    status = max(r.status for r in reports)
    shown = cleaned(reports)  # every user-supplied string with its control characters escaped
    try:
        if args.format == "json":
            print(json_safe(render_json(reports)))
        elif args.format == "markdown":
            print(render_markdown(shown))
        elif args.format == "latex":
            print(render_latex(shown))
        else:
            render_terminal(shown, console())
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head -1`): the claims hold or fail all the same
        quiet_broken_pipe()
    return status


def scenario_files(paths: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """The files `check` reads: (files, skipped __init__.py files, folders holding none).

    A folder stands for its own .py and .toml files (sorted; not its subfolders), without its
    package's `__init__.py`; an `__init__.py` named on the command line (as `models/*.py` names it)
    is skipped too.  Every other file named is checked as given (one that loads but defines no
    `world` is skipped when it is loaded).
    """
    files: list[str] = []
    skipped: list[str] = []
    empty: list[str] = []
    for path in paths:
        folder = Path(path)
        if folder.is_dir():
            found = sorted(str(f) for f in folder.iterdir()
                           if f.suffix in (".py", ".toml") and f.name != "__init__.py" and f.is_file())
            files += found
            if not found:
                empty.append(path)
        elif folder.name == "__init__.py" and folder.is_file():
            skipped.append(path)
        else:
            files.append(path)
    return files, skipped, empty


def _policy_count(scenario: Any) -> str:
    """'N policies' for the progress line (every pure policy when the scenario names none)."""
    if scenario.policies is not None:
        return f"{len(scenario.policies)} policies"
    from corrig.model.policies import count_pure_policies

    return f"all {count_pure_policies(scenario.world)} pure policies"


def _escape(text: str) -> str:
    """User-supplied text for a rich console: control characters shown as escapes, markup brackets escaped."""
    from rich.markup import escape

    from corrig.faces.safe_text import printable

    return escape(printable(text))


def _pick_policy(result: Any, args: argparse.Namespace) -> str:
    """The plan's policy that --policy names (corrig.analysis.policy_names); a note on standard error says which
    profile was chosen when it named the AI's part alone."""
    from corrig.analysis.policy_names import find_policy, names_text

    if args.policy is None:
        raise UsageError(f"{args.file}: choose a policy with --policy NAME or --policy #; the policies are "
                         f"{names_text(result)}")
    try:
        name, note = find_policy(result, args.policy)
    except CorrigError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    if note:
        console(sys.stderr).print(f"[dim]note: {_escape(note)}[/]")
    return name


def _load_and_plan(args: argparse.Namespace, description: str) -> tuple[Any, Any]:
    scenario = load(args.file)
    try:
        options = plan_options(args)
        point = plan_point(args, scenario, options)
        with progress(None, _escape(f"{description} {scenario.name}")):
            result = scenario.plan(at=point, **options)
    except CorrigError as exc:
        raise _Located(located(exc, scenario, args.file)) from exc
    return scenario, result


class _Located(CorrigError):
    """An error already prefixed with its file and line."""


def cmd_explain(args: argparse.Namespace) -> int:
    import json

    from corrig.faces.report import explain_report, needs_regions, render_explain_markdown, render_explain_terminal
    from corrig.faces.safe_text import cleaned, json_safe

    scenario, result = _load_and_plan(args, "planning")
    name = _pick_policy(result, args)
    regions = None
    if needs_regions(result):  # the same flags as check: those that can fire somewhere in the box
        from corrig.analysis.symbolic import symbolic_plan

        with progress(None, _escape(f"regions of {scenario.name}")):
            regions = symbolic_plan(result)
    report = explain_report(args.file, scenario, result, name, numeric=args.numeric, regions=regions)
    if args.format == "json":
        print(json_safe(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)))
    elif args.format == "markdown":
        print(render_explain_markdown(cleaned(report)))
    else:
        render_explain_terminal(cleaned(report), console())
    return OK


def _need_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(PLOT_HINT) from None


def _output(args: argparse.Namespace) -> Path:
    """The picture's path, checked before any work: its suffix, not the scenario, a writable folder, new or --force."""
    from corrig.faces.outputs import destination

    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise UsageError(f"-o {args.output}: the picture's format comes from its suffix: .png, .svg or .pdf")
    return destination(out, inputs=[args.file], force=args.force)


def _save(fig: Any, out: Path) -> None:
    """Save a figure atomically (a temporary file with the same suffix, renamed over `out`)."""
    from corrig.faces.outputs import write_with
    from corrig.faces.safe_text import printable

    write_with(out, lambda temporary: fig.savefig(temporary, dpi=120, format=out.suffix.lower().lstrip(".")))
    print(printable(f"wrote {out}"))


def cmd_draw(args: argparse.Namespace) -> int:
    _need_matplotlib()
    from corrig.faces.draw import draw_world

    out = _output(args)
    if args.policy:
        scenario, result = _load_and_plan(args, "planning")
        name = _pick_policy(result, args)
    else:
        scenario, result, name = load(args.file), None, None
    fig = draw_world(scenario.world, scenario.utility, plan=result, policy=name)
    _save(fig, out)
    return OK


def cmd_region(args: argparse.Namespace) -> int:
    _need_matplotlib()
    from corrig.faces.regionplot import region_plot

    out = _output(args)
    if args.resolution < 2 or args.resolution > 2000:
        raise UsageError("--resolution is between 2 and 2000")
    scenario = load(args.file)
    try:
        options = plan_options(args)
        at = parse_point(args.at)
        known = scenario_parameters(scenario, options.get("eps"))
        for name in [args.x, args.y, *at]:
            if name is not None and name not in known:
                raise ParameterError(f"{name!r} is not a parameter of this scenario; "
                                     f"its parameters are {sorted(known) or 'none'}")
        with progress(None, _escape(f"regions of {scenario.name}")):
            result = scenario.plan(**options)
            fig = region_plot(result, x=args.x, y=args.y, resolution=args.resolution, at=at or None)
    except CorrigError as exc:
        raise _Located(located(exc, scenario, args.file)) from exc
    _save(fig, out)
    return OK


def cmd_export(args: argparse.Namespace) -> int:
    from corrig.faces.outputs import destination, write_text
    from corrig.faces.safe_text import printable
    from corrig.scenarios.toml_writer import dump_declarative

    out = destination(args.output, inputs=[args.file], force=args.force) if args.output else None
    scenario = load(args.file)
    try:
        text = dump_declarative(scenario)
    except CorrigError as exc:
        raise _Located(located(exc, scenario, args.file)) from exc
    if out is not None:
        write_text(out, text)
        print(printable(f"wrote {out}"))
    else:
        sys.stdout.write(text)
    return OK


def cmd_hunt(args: argparse.Namespace) -> int:
    """`corrig hunt`: see corrig/hunt.py."""
    from corrig.faces.hunt import run_cli

    return run_cli(args)


COMMANDS = {"check": cmd_check, "explain": cmd_explain, "draw": cmd_draw, "region": cmd_region, "export": cmd_export,
            "hunt": cmd_hunt, **GAME_COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    discard_closed_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    err = console(sys.stderr)
    status = OK
    try:
        from corrig.model import limits

        raised: dict[str, int] = {}
        for item in args.limit:
            raised.update(limits.parse(item))
        with limits.raised(**raised):  # for this run (and the processes it starts) only
            status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not in Python's final flush
        return status
    except BrokenPipeError:  # the reader of the output stopped early (`| head -1`): end quietly, as Unix tools do
        quiet_broken_pipe()
        return status
    except (CorrigError, UsageError) as exc:
        err.print(f"[bold red]error:[/] {_escape(str(exc))}")
        return INVALID
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except SystemExit as exc:  # a Python scenario's code ended the program: that is not the run's result
        err.print(f"[bold red]error:[/] the scenario called sys.exit({_escape(repr(exc.code))}) while it was used")
        return INVALID
    except (RecursionError, MemoryError) as exc:  # a last line of defence: the budgets should come first
        err.print(f"[bold red]error:[/] the input is too large or too deeply nested for corrig ({type(exc).__name__}); "
                  f"see docs/security.md for the limits")
        return INVALID
    except Exception:
        err.print("[bold red]internal error[/] (a bug in corrig; please report it with this trace):")
        err.print(_escape(traceback.format_exc()))
        return INTERNAL


if __name__ == "__main__":
    sys.exit(main())
