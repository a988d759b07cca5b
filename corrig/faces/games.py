"""`corrig incentives FILE` and `corrig equilibria FILE`: the incentive report and the equilibria.

    corrig incentives models/content_recommender.py            # every criterion, every node
    corrig equilibria models/taxi_competition.py --at p=3/4    # pure Nash and subgame-perfect
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from corrig.faces.points import parse_point
from corrig.model.errors import CorrigError

OK, INVALID = 0, 2


def add_parsers(sub: Any) -> None:
    """Register the two subcommands on the `corrig` parser."""
    incentives = sub.add_parser("incentives", help="every incentive criterion (VoI, VoC, response, instrumental "
                                                   "control) for every node, with the re-solved values")
    incentives.add_argument("file", metavar="FILE")
    incentives.add_argument("--agent", default=None, help="whose incentives (default: the AI)")
    incentives.add_argument("--at", metavar="p=V,...", help="substitute parameter values first")
    incentives.add_argument("--fixed", metavar="RULES", help="the other agents' rules, held fixed for --agent's values: "
                                                             "'R = \"wait\"', 'A2 = { stop = \"halt\", run = \"continue\" }'")
    incentives.add_argument("--graphical", action="store_true", help="the graphical criteria only (no re-solving)")
    incentives.add_argument("--json", action="store_true", help="one JSON document")
    equilibria = sub.add_parser("equilibria", help="every pure Nash and subgame-perfect equilibrium of a world with agents")
    equilibria.add_argument("file", metavar="FILE")
    equilibria.add_argument("--at", metavar="p=V,...", help="substitute parameter values first")
    equilibria.add_argument("--json", action="store_true", help="one JSON document")


def _load(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    from corrig.scenarios.load import load_scenario

    scenario = load_scenario(args.file)
    world, utility = scenario.world, scenario.utility
    point = parse_point(args.at)
    if point:
        by_name = {p.name: p for p in world.compiled.parameters}
        unknown = [n for n in point if n not in by_name]
        if unknown:
            raise CorrigError(f"--at names {unknown[0]!r}, which is not a parameter of {args.file}; "
                              f"its parameters are {sorted(by_name) or 'none'}")
        values = {by_name[n]: v for n, v in point.items()}
        world, utility = world.subs(values), utility.subs(values)
        for agent in list(world.agents.values()):
            if agent.objective is not None:
                world.agents[agent.name] = type(agent)(agent.name, agent.decisions, agent.objective.subs(values))
    return scenario, world, utility


INCENTIVE_STEPS = 2  # an episode longer than this is refused by `incentives` (docs/time.md)


def cmd_incentives(args: argparse.Namespace) -> int:
    """Print the incentive report of the scenario's AI (or of --agent)."""
    from corrig.analysis.incentives import incentives
    from corrig.faces.console import progress
    from corrig.faces.safe_text import printable
    from corrig.model.agents import AI, owners
    from corrig.scenarios.toml_reader import loads_rules

    scenario, world, utility = _load(args)
    episode = getattr(scenario.world, "episode", None)
    if episode is not None and episode.steps > INCENTIVE_STEPS:
        raise CorrigError(f"{args.file}: world {scenario.world.name!r} is episode {episode.name!r} unrolled over "
                          f"{episode.steps} steps; the incentive analysis reads every decision's relevance over the whole "
                          f"unrolled world and does not finish at this size. Declare the episode with steps={INCENTIVE_STEPS} "
                          "to see one step's incentives and the edges into the next, or read the flags over time with "
                          "`corrig check`")
    agent = args.agent or AI
    objective = utility if agent == AI else world.agents[agent].objective if agent in world.agents else None
    if objective is None:
        raise CorrigError(f"{args.file}: no agent {agent!r} with an objective; the agents are {[AI, *world.agents]}")
    fixed = loads_rules(args.fixed, world) if args.fixed else None
    if agent != AI and fixed is None and not args.graphical:
        others = [d for d, a in owners(world).items() if a != agent and world.nodes[d].is_decision]
        example = f"{others[0]} = \"{world.nodes[others[0]].states[0]}\"" if others else ""
        raise CorrigError(printable(f"{args.file}: {agent}'s values of information and control hold the other agents' "
                                    f"decisions {others} at given rules: pass them with --fixed, e.g. --fixed '{example}', "
                                    f"or --graphical for the criteria alone"))
    with progress(None, "incentives") as advance:
        report = incentives(world, objective, agent=agent, quantitative=not args.graphical, fixed=fixed,
                            progress=lambda what: advance(0, description=printable(what)))
    if args.json:
        print(json.dumps({"scenario": scenario.name, **report.to_dict()}, indent=2))
    else:
        print(printable(f"{scenario.name}  {args.file}"))
        print(printable(report.to_markdown()), end="")
    return OK


def cmd_equilibria(args: argparse.Namespace) -> int:
    """Print every pure Nash and subgame-perfect equilibrium, grouped by the play they lead to."""
    from corrig.analysis.equilibria import CONCEPT_NAMES, pure_nash, subgame_perfect
    from corrig.analysis.play_groups import on_path_groups
    from corrig.analysis.readable import region_text
    from corrig.analysis.regions import region
    from corrig.faces.safe_text import printable

    scenario, world, utility = _load(args)
    found = {"nash": pure_nash(world, utility), "subgame-perfect": subgame_perfect(world, utility)}
    groups = {concept: on_path_groups(world, eqs) for concept, eqs in found.items()}
    if args.json:
        print(json.dumps({"scenario": scenario.name, **{
            concept: [{"strategies": dict(e.strategies), "values": {a: str(v) for a, v in e.values.items()},
                       "condition": e.condition if isinstance(e.condition, bool) else str(e.condition)} for e in eqs]
            for concept, eqs in found.items()},
            "groups": {concept: [g.to_dict() for g in gs] for concept, gs in groups.items()}}, indent=2))
        return OK
    print(printable(f"{scenario.name}  {args.file}"))
    for concept, eqs in found.items():
        gs = groups[concept]
        plural = "um" if len(eqs) == 1 else "a"
        grouped = "" if len(gs) == len(eqs) else \
            f" in {len(gs)} play{'s' if len(gs) > 1 else ''} (those of one play differ only off its path)"
        print(f"{len(eqs)} pure {CONCEPT_NAMES[concept]} equilibri{plural}{grouped}")
        for g in gs:
            values = ", ".join(f"{a} {v}" for a, v in g.values.items())
            many = f"   ×{len(g.members)}" if len(g.members) > 1 else ""
            when = "" if g.condition is True else f"   where {region_text(region(g.condition))}"
            print(printable(f"  {g.words}   ({values}){many}{when}"))  # agent and state names come from the file
    if any(len(groups[c]) < len(found[c]) for c in found):
        print("(×N: N equilibria that play alike and differ only where the play never goes; --json lists each one)")
    return OK


COMMANDS = {"incentives": cmd_incentives, "equilibria": cmd_equilibria}
