"""A world as HTML for notebooks (Jupyter, marimo): one row per node, then the roles."""

from __future__ import annotations

from html import escape
from typing import Any


def world_html(world: Any) -> str:
    """An HTML table of the world's nodes: kind, parents (or what a decision observes), states; and its roles."""
    rows = []
    for node in world.nodes.values():
        kind = "decision" if node.is_decision else "chance"
        link = ", ".join(node.parents) or "—"
        states = ", ".join(str(s) for s in node.states)
        rows.append(f"<tr><td><b>{escape(node.name)}</b></td><td>{kind}</td><td>{escape(link)}</td>"
                    f"<td>{escape(states)}</td></tr>")
    roles = world.roles
    role_text = ""
    if roles.human is not None:
        role_text = (f"human = {escape(str(roles.human))} (stop = {escape(repr(roles.stop))}, run = {escape(repr(roles.run))})")
    if roles.button is not None:
        role_text += f"{'; ' if role_text else ''}button = {escape(str(roles.button))} (off = {escape(repr(roles.off))})"
    return (f"<div class='corrig-world'><b>{escape(world.name)}</b>"
            "<table><thead><tr><th>node</th><th>kind</th><th>parents / observes</th><th>states</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            + (f"<p>roles: {role_text}</p>" if role_text else "") + "</div>")
