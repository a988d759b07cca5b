"""Printing helpers shared by the narrated examples: the world, the objective, the plan, the flags.

Every example imports its scenario from models/ and only narrates it; this module only prints.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # so that `from models import ...` works from a fresh clone
    sys.path.insert(0, str(ROOT))

from corrig.analysis.flags import show  # noqa: E402

WIDTH = 100


def heading(text: str) -> None:
    """A section title."""
    print()
    print(text)
    print("-" * len(text))


def say(text: str) -> None:
    """A paragraph of narration, wrapped."""
    print(textwrap.fill(" ".join(text.split()), WIDTH))


def show_world(world) -> None:
    """Each node: its kind, its parents (or what a decision observes) and its states; then the roles."""
    heading(f"The world: {world.name}")
    for node in world.nodes.values():
        kind = "decision" if node.is_decision else "chance"
        link = ("observes " if node.is_decision else "parents ") + (", ".join(node.parents) or "—")
        if node.is_continuous:  # its distribution (one per context of its parents) instead of states
            shown = "continuous: " + ", ".join(str(d) for d in world.compiled.continuous.nodes[node.name].values())
        else:
            shown = "states: " + ", ".join(str(s) for s in node.states)
        print(f"  {node.name:<8} {kind:<9} {link:<32} {shown}")
    roles = world.roles
    print(f"  roles: human = {roles.human} (stop = {roles.stop!r}, run = {roles.run!r}), "
          f"button = {roles.button} (off = {roles.off!r})")


def show_objective(utility) -> None:
    """The objective as corrig writes it (valid Python) and in LaTeX."""
    heading("The objective")
    print(f"  U = {utility!r}")
    print(f"  LaTeX: {utility.to_latex()}")


def show_plan(result, *, explain: list[str] | None = None, title: str | None = None) -> None:
    """The policies with their values, the optimal set, and the flags (explained for the named policies)."""
    at = ", ".join(f"{k} = {v}" for k, v in result.at.items())
    heading(title or ("The plan" + (f" at {at}" if at else "")))
    width = max(len(n) for n in result.policies)
    for name in result.policies:
        mark = "*" if name in result.optimal else " "
        flags = ", ".join(f"{f.kind} ({show(f.size)})" for f in result.flags.get(name, [])) or "no flags"
        print(f"  {mark} {name:<{width}}  J = {show(result.values[name]):<14} {flags}")
    print(f"  optimal: {', '.join(result.optimal) or '(depends on the parameters)'}")
    for flag in result.incentives:
        if flag.kind != "control-path":
            print(f"  incentive: {flag.kind} at {flag.where}, size {show(flag.size)}")
    for name in explain or []:
        for flag in result.flags.get(name, []):
            print(textwrap.fill(f"{name}: {flag.kind} at {flag.where} — {flag.explanation}", WIDTH,
                                initial_indent="  · ", subsequent_indent="    "))
