"""The `[principals.NAME]` and `[[buttons]]` tables of a declarative scenario (several humans).

    [principals.alice]
    node = "H1"            # the node holding what alice wants
    stop = "stop"          # its stop and run states
    run = "run"
    sees = ["R"]           # optional: what informs alice (deception flag)
    about = ["D"]          # optional: what alice should know

    [[buttons]]
    node = "F"
    off = "off"
    rule = "any"           # any | majority | all | designated
    humans = ["alice"]     # optional: the voters (default: every principal)
    designated = "alice"   # with rule = "designated"

Errors name the key at fault, with its line.
"""

from __future__ import annotations

from typing import Any

from corrig.model.errors import CorrigError
from corrig.model.principals import RULES, Button

PRINCIPAL_KEYS = {"node", "stop", "run", "sees", "about"}
BUTTON_KEYS = {"node", "off", "rule", "humans", "designated"}


def read_principals(loader: Any, principals: Any, buttons: Any) -> None:
    """Declare the principals and buttons on the loader's world (World.set_principals)."""
    key: tuple = ("principals",)
    if principals is None:
        raise loader.error(("buttons",), "buttons need [principals.NAME] tables declaring the humans")
    section = loader.table_at(key, principals)
    if not section:
        raise loader.error(key, "declare at least one principal: [principals.NAME] with node, stop, run")
    humans: dict[str, dict[str, Any]] = {}
    for name, spec in section.items():
        where = (*key, name)
        spec = loader.table_at(where, spec, PRINCIPAL_KEYS, ("node", "stop", "run"))
        node = loader.node_name((*where, "node"), spec["node"])
        human = {"node": node, "stop": loader.state((*where, "stop"), node, spec["stop"]),
                 "run": loader.state((*where, "run"), node, spec["run"])}
        for label in ("sees", "about"):
            if label in spec:
                human[label] = [loader.node_name((*where, label), n) for n in loader.names_list((*where, label), spec[label])]
        humans[name] = human
    made = []
    if buttons is not None:
        if not isinstance(buttons, list):
            raise loader.error(("buttons",), "buttons is a list of [[buttons]] tables")
        for i, spec in enumerate(buttons):
            where = ("buttons", i)
            spec = loader.table_at(where, spec, BUTTON_KEYS, ("node", "off"))
            node = loader.node_name((*where, "node"), spec["node"])
            rule = spec.get("rule", "any")
            if rule not in RULES:
                raise loader.error((*where, "rule"), f"rule is one of {list(RULES)}, got {rule!r}")
            voters = spec.get("humans", [])
            if not isinstance(voters, list) or not all(isinstance(v, str) for v in voters):
                raise loader.error((*where, "humans"), f"expected a list of principal names, got {voters!r}")
            for v in voters:
                if v not in humans:
                    raise loader.error((*where, "humans"), f"{v!r} is not a principal; the principals are {list(humans)}")
            made.append(Button(node, loader.state((*where, "off"), node, spec["off"]), rule, tuple(voters),
                               spec.get("designated")))
    try:
        loader.world.set_principals(humans, buttons=made)
        loader.world.check()
    except CorrigError as exc:
        raise loader.error(key, str(exc)) from None
