"""The `[gridworld]` section of a declarative scenario: an episode from an ASCII map (corrig.model.gridworld),
declared without running code (docs/declarative.md).

    name = "off switch"
    [gridworld]
    map = '''
    #######
    #A  I G#
    #######'''
    steps = 20
    interruption = "1/2"          # optional: step_reward, goal_reward, once, forced, discount

    [policies.right]
    A = "right"                   # a rule for the decision A, the same at every step: a state, or a table
                                  # over the cell ("r1c2" = "right", "*" = "up"), "cell,pressed" with a button

The objective is the episode's discounted return and the roles are the gridworld's (the interruption drawn
once); `[nodes]`, `[[utility]]`, `[roles]`, principals, buttons and agents cannot be given beside it.  Before
the episode is built, the map's size is checked against the `states` limit and the steps against `steps`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from corrig.model import limits
from corrig.model.errors import CorrigError
from corrig.model.gridworld import gridworld
from corrig.model.policies import Policy
from corrig.objectives.episodes import discounted_return
from corrig.scenarios.scenario import Scenario
from corrig.scenarios.toml_expect import read_expectations

GRID_KEYS = {"map", "steps", "step_reward", "goal_reward", "interruption", "once", "forced", "discount"}
BESIDE = {"name", "doc", "eps", "reference", "parameters", "gridworld", "policies", "expect"}  # the others: refused


def read_gridworld(loader: Any, data: dict[str, Any]) -> Scenario:
    """The scenario of a file with a `[gridworld]` section (module docstring); `loader` is the file's _Loader."""
    for name in data:
        if name not in BESIDE:
            raise loader.error((name,), f"[gridworld] declares the world, its objective and roles: {name!r} cannot be "
                                        f"given beside it (a gridworld file has {sorted(BESIDE)})")
    loader.parameters(data.get("parameters", {}))
    spec = loader.table_at(("gridworld",), data["gridworld"], GRID_KEYS, required=["map", "steps"])
    art = _map(loader, spec["map"])
    steps = _steps(loader, spec["steps"])
    options: dict[str, Any] = {}
    for key in ("step_reward", "goal_reward"):
        if key in spec:
            options[key] = loader.number(("gridworld", key), spec[key], f"the {key.replace('_', ' ')}")
    for key, what in (("interruption", "the interruption probability"), ("discount", "the discount")):
        if key in spec:
            options[key] = _unit(loader, ("gridworld", key), spec[key], what)
    if "once" in spec:
        if not isinstance(spec["once"], bool):
            raise loader.error(("gridworld", "once"), "expected true (drawn once per episode) or false (at every step)")
        options["once"] = spec["once"]
    if "forced" in spec:
        if not isinstance(spec["forced"], str):
            raise loader.error(("gridworld", "forced"), "expected the action an interruption forces, as a string")
        options["forced"] = spec["forced"]
    name = data.get("name", "gridworld")
    if not isinstance(name, str):
        raise loader.error(("name",), "expected a string")
    try:
        episode = gridworld(art, steps=steps, name=name, **options)
        world = episode.world()
    except CorrigError as exc:
        where = ("gridworld", "map") if "map" in str(exc) else ("gridworld",)
        raise loader.error(where, str(exc)) from None
    loader.world = world
    loader.states = {n: node.states for n, node in world.nodes.items()}
    policies = _policies(loader, data["policies"], episode) if "policies" in data else None
    reference = data.get("reference")
    if reference is not None and (not isinstance(reference, str) or policies is None or reference not in policies):
        raise loader.error(("reference",), f"a gridworld's reference names one of its policies {list(policies or [])}")
    expect = read_expectations(loader, data.get("expect", []), policies)
    eps = loader.number(("eps",), data["eps"], "ε") if "eps" in data else None
    doc = data.get("doc", "")
    if not isinstance(doc, str):
        raise loader.error(("doc",), "expected a string")
    return Scenario(name=world.name, world=world, utility=discounted_return(episode), policies=policies,
                    reference=reference, eps=eps, expect=expect, doc=doc.strip(), path=loader.file)


def _map(loader: Any, art: Any) -> str:
    key = ("gridworld", "map")
    if not isinstance(art, str):
        raise loader.error(key, "expected the map as a string: rows of '#' (wall), ' ' (floor), 'A' (start), "
                                "'G' (goal), 'I' (interruption), 'B' (button)")
    cells = sum(1 for ch in art if ch not in "#\n\r")  # at least the floor cells: Pos's states
    _within(loader, key, "states", cells, "the map's cells (an upper bound: every character but walls and line ends)",
            "Draw a smaller map.")
    return art


def _steps(loader: Any, steps: Any) -> int:
    key = ("gridworld", "steps")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise loader.error(key, f"expected a positive whole number of steps, got {steps!r}")
    _within(loader, key, "steps", steps, "the episode's steps (each is unrolled into nodes of the world)",
            "Shorten the episode.")
    return steps


def _within(loader: Any, key: tuple, limit: str, size: int, what: str, advice: str) -> None:
    try:
        limits.check(limit, size, what, advice)
    except CorrigError as exc:
        raise loader.error(key, str(exc)) from None


def _unit(loader: Any, key: tuple, value: Any, what: str) -> Any:
    number = loader.number(key, value, what)
    if not getattr(sp.sympify(number), "free_symbols", None) and not 0 <= number <= 1:
        raise loader.error(key, f"{what} must lie in [0, 1], got {value!r}")
    return number


def _policies(loader: Any, section: Any, episode: Any) -> dict[str, Policy]:
    section = loader.table_at(("policies",), section)
    if not section:
        raise loader.error(("policies",), "no candidate policies (leave [policies] out to plan over every pure policy)")
    decision = episode.decision_name
    first = episode.name_at(decision, 0)
    out = {}
    for name, rules in section.items():
        key = ("policies", name)
        rules = loader.table_at(key, loader.table_at(key, rules, {decision}), required=[decision])  # unknown keys first
        rule = loader.rule((*key, decision), first, rules[decision])  # read against step 0; the same at every step
        policy = Policy({episode.name_at(decision, t): rule for t in range(episode.steps)}, name=name)
        try:
            policy.check(loader.world)
        except CorrigError as exc:
            raise loader.error(key, str(exc)) from None
        out[name] = policy
    return out


__all__ = ["read_gridworld"]
