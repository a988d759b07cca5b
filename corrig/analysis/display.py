"""Plans and flag lists as HTML for notebooks (Jupyter, marimo)."""

from __future__ import annotations

from html import escape
from typing import Any

from corrig.analysis.flags import show


def flags_html(flags: Any) -> str:
    """An HTML list of flags: kind, where, size with its quantity, the one-sentence explanation."""
    if not flags:
        return "<p><i>no flags</i></p>"
    items = []
    for f in flags:
        when = "" if f.condition is True else f" <i>(fires when {escape(str(f.condition))})</i>"
        items.append(f"<li><b>{escape(f.kind)}</b> at <code>{escape(f.where)}</code>: {escape(f.reading())}"
                     f"{when}: {escape(f.explanation)}</li>")
    return f"<ul class='corrig-flags'>{''.join(items)}</ul>"


class FlagList(list):
    """A policy's flags: a list that renders itself in notebooks."""

    def _repr_html_(self) -> str:
        return flags_html(self)


def plan_html(plan: Any) -> str:
    """The policy table (value, optimal, flags with sizes), the optimal set and the plan-level incentives."""
    at = ", ".join(f"{k} = {v}" for k, v in plan.at.items())
    rows = []
    for name in plan.policies:
        star = "★" if name in plan.optimal else ""
        flags = ", ".join(f"{f.kind} {f.reading()}" for f in plan.flags.get(name, [])) or "—"
        style = " style='font-weight:bold'" if star else ""
        rows.append(f"<tr{style}><td>{escape(name)}</td><td>{escape(show(plan.values[name]))}</td><td>{star}</td>"
                    f"<td>{escape(flags)}</td></tr>")
    incentives = "".join(f"<li><b>{escape(f.kind)}</b> at <code>{escape(f.where)}</code>: {escape(f.reading())}</li>"
                         for f in plan.incentives)
    optimal = ", ".join(plan.optimal) or "(depends on the parameters)"
    return (f"<div class='corrig-plan'><b>{escape(plan.world.name)}</b>{escape(f' at {at}' if at else '')}"
            f"<br><code>J(π) = {escape(str(plan.utility))}</code>, ε = {escape(show(plan.eps))}"
            "<table><thead><tr><th>policy</th><th>J(π)</th><th>optimal</th><th>flags</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            f"<p class='corrig-optimal'>optimal: {escape(optimal)}</p>"
            + (f"<ul>{incentives}</ul>" if incentives else "") + "</div>")
