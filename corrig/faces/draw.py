"""Pictures of a world: the causal DAG with decisions, utility-relevant nodes and roles drawn
distinctly, and a policy's flagged paths highlighted.  Pure Python (networkx + matplotlib); no
Graphviz.  Needs matplotlib: `pip install 'corrig[plot]'`.

    fig = draw_world(world, utility, plan=result, policy="grab")
    fig.savefig("dag.png")

Conventions: decisions are blue squares (the AI; another agent's decisions are squares in that
agent's colour, labelled with its name), chance nodes grey circles, the human-preference
node H green and the shutdown node B orange; nodes the objective reads have a thick gold ring;
an observation (a decision's information edge) is dashed.  With a policy, every node a flag names
gets a red halo and every edge of a flagged path (manipulation, control paths, ...) is drawn red;
an edge a flag names that the world does not have is drawn dotted.  The value of observing H
marks a good property, so its edges ("H -> O", dotted when O does not observe H) and nodes are
drawn purple, not red (where a failure flag marks the same edge or node, red wins).
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Iterable
from typing import Any

import networkx as nx

from corrig.analysis.policy_names import shown_name
from corrig.faces.safe_text import figure_text
from corrig.model.agents import AI, owners

DECISION = "#4e79a7"
CHANCE = "#e6e6e6"
HUMAN = "#59a14f"
BUTTON = "#f28e2b"
UTILITY = "#e6a700"
FLAGGED = "#d62728"
GOOD = "#9467bd"  # a flag that marks a good property (the value of observing H): not a failure colour
EDGE = "#555555"
GOOD_KINDS = frozenset({"value-of-observing-h"})
AGENT_COLOURS = ("#76b7b2", "#9c755f", "#edc948", "#ff9da7", "#bab0ac")  # decisions of agents other than the AI


def utility_nodes(utility: Any) -> set[str]:
    """The nodes the objective's terms read (their events and quantities)."""
    if utility is None:
        return set()
    return {n for atom in utility.atoms() for n in atom.target.scope()}


def intervened_nodes(utility: Any) -> set[str]:
    """The nodes some branch of the objective intervenes on."""
    found: set[str] = set()
    for atom in () if utility is None else utility.atoms():
        b = atom.branch
        part = b.counterfactual.intervention if b.counterfactual is not None else b.do
        if part is not None:
            found |= set(part.as_dict())
    return found


def _base(name: str, nodes: Iterable[str]) -> str | None:
    """A node name, or the node a twin copy (X_cf, X_ref, ...) stands for."""
    known = set(nodes)
    if name in known:
        return name
    for candidate in (name.rstrip("_"), *(name[: i] for i in range(len(name) - 1, 0, -1) if name[i] == "_")):
        if candidate in known:
            return candidate
    return None


def flagged_parts(flags: Iterable[Any], nodes: Iterable[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """The nodes and edges the flags name: paths `A -> B -> C` give edges, other wheres give nodes."""
    nodes = list(nodes)
    marked_nodes: set[str] = set()
    marked_edges: set[tuple[str, str]] = set()
    for flag in flags:
        where = str(flag.where)
        evidence = getattr(flag, "evidence", {}) or {}
        if ("principal" in evidence or "coalition" in evidence) and ": " in where:
            where = where.split(": ", 1)[1]  # "bob: L -> H2 -> ..." names its principal first
        if "->" in where:
            steps = [_base(s.strip(), nodes) for s in where.split("->")]
            steps = [s for s in steps if s is not None]
            marked_edges |= {(a, b) for a, b in itertools.pairwise(steps) if a != b}
            marked_nodes |= set(steps)
            continue
        if evidence.get("node") in nodes:
            marked_nodes.add(evidence["node"])
            continue
        for token in re.findall(r"[A-Za-z_]\w*", where):
            base = _base(token, nodes)
            if base is not None and token not in ("do", "given", "observed", "P", "E"):
                marked_nodes.add(base)
    return marked_nodes, marked_edges


def principal_nodes(world: Any) -> tuple[dict[str, str], dict[str, str]]:
    """{human node: principal name} and {button node: its rule(s)} of a set_principals world (empty otherwise)."""
    principals = getattr(world, "principals", None)
    if principals is None:
        return {}, {}
    humans = {p.node: p.name for p in principals.humans}
    buttons: dict[str, str] = {}
    for b in principals.buttons:
        rule = f"designated {b.designated}" if b.rule == "designated" else b.rule
        buttons[b.node] = f"{buttons[b.node]}; {rule}" if b.node in buttons else rule
    return humans, buttons


def _role_label(text: str, node: str, letter: str) -> str:
    return text if node == letter else f"{text}: {node}"


def layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Layers left to right by topological generation; within a layer, nodes spread vertically."""
    positions: dict[str, tuple[float, float]] = {}
    for x, layer in enumerate(nx.topological_generations(graph)):
        layer = sorted(layer, key=lambda n: list(graph.nodes).index(n))
        for i, node in enumerate(layer):
            positions[node] = (float(x), (len(layer) - 1) / 2 - i)
    return positions


TEMPLATE_STEPS = 2  # an episode longer than this is drawn as its first two steps (its two-slice template)


def episode_template(world: Any, utility: Any) -> tuple[Any, Any, str | None]:
    """For a world unrolled from an episode of more than two steps: the world of its first two steps (the
    two-slice template: one step's nodes and the edges into the next), its discounted return when `utility`
    is the episode's, and a title saying so; otherwise the world and utility unchanged and no title."""
    import copy

    from corrig.objectives.episodes import discounted_return

    episode = getattr(world, "episode", None)
    if episode is None or episode.steps <= TEMPLATE_STEPS:
        return world, utility, None
    short = copy.copy(episode)
    short.steps, short._world = TEMPLATE_STEPS, None
    same = utility is not None and episode.reward_node is not None and repr(utility) == repr(discounted_return(episode))
    title = (f"{episode.name}: steps 0 and 1 of {episode.steps} (the two-slice template; every step has the nodes "
             "of step 0, and step t + 1's state reads step t)")
    return short.world(), discounted_return(short) if same else None, title


def draw_world(world: Any, utility: Any = None, *, plan: Any = None, policy: str | None = None, title: str | None = None,
               ax: Any = None) -> Any:
    """A matplotlib Figure of the world's DAG; with `plan` and `policy`, that policy's flags highlighted.  An
    episode of more than two steps is drawn as its first two steps (episode_template)."""
    world, utility, template = episode_template(world, utility)
    title = title or template
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - exercised only without the plot extra
        raise ImportError("drawing needs matplotlib: pip install 'corrig[plot]'") from exc
    if ax is None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    graph = world.graph
    nodes = list(graph.nodes)
    roles = world.roles
    reads = utility_nodes(utility)
    forced = intervened_nodes(utility)
    flags: list[Any] = []
    if plan is not None and policy is not None:
        flags = list(plan.flags.get(policy, [])) + [f for f in plan.incentives if f.policy in (None, policy)]
    marked_nodes, marked_edges = flagged_parts([f for f in flags if f.kind not in GOOD_KINDS], nodes)
    good_nodes, good_edges = flagged_parts([f for f in flags if f.kind in GOOD_KINDS], nodes)
    good_nodes -= marked_nodes
    good_edges -= marked_edges
    pos = layout(graph)
    layers = max((p[0] for p in pos.values()), default=0) + 1
    height = max((abs(p[1]) for p in pos.values()), default=0) * 2 + 1
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(6.5, 1.9 * layers + 3.2), max(3.6, 1.2 * height + 1.6)))
    else:
        fig = ax.figure

    humans, buttons = principal_nodes(world)
    owner = owners(world)
    others = sorted({a for a in owner.values() if a != AI})
    colour_of = {a: AGENT_COLOURS[i % len(AGENT_COLOURS)] for i, a in enumerate(others)}

    def fill(n: str) -> str:
        if owner.get(n, AI) != AI:
            return colour_of[owner[n]]
        if n == roles.human or n in humans:
            return HUMAN
        if n == roles.button or n in buttons:
            return BUTTON
        return DECISION if graph.nodes[n].get("kind") == "decision" else CHANCE

    solid = [(u, v) for u, v in graph.edges if graph.nodes[v].get("kind") != "decision"]
    observe = [(u, v) for u, v in graph.edges if graph.nodes[v].get("kind") == "decision"]
    common = {"ax": ax, "arrows": True, "arrowsize": 16, "node_size": 1500, "min_source_margin": 18, "min_target_margin": 20}
    highlighted = marked_edges | good_edges
    nx.draw_networkx_edges(graph, pos, edgelist=[e for e in solid if e not in highlighted], edge_color=EDGE, width=1.4,
                           **common)
    nx.draw_networkx_edges(graph, pos, edgelist=[e for e in observe if e not in highlighted], edge_color=EDGE, width=1.4,
                           style="dashed", **common)
    for colour, chosen, chosen_nodes in ((FLAGGED, marked_edges, marked_nodes), (GOOD, good_edges, good_nodes)):
        present = [e for e in chosen if graph.has_edge(*e)]
        absent = [e for e in chosen if not graph.has_edge(*e) and e[0] in pos and e[1] in pos]
        for style in ("solid", "dashed"):
            edges = [e for e in present if (graph.nodes[e[1]].get("kind") == "decision") == (style == "dashed")]
            if edges:
                nx.draw_networkx_edges(graph, pos, edgelist=edges, edge_color=colour, width=3.6, style=style, **common)
        if absent:
            extra = nx.DiGraph(absent)
            nx.draw_networkx_edges(extra, pos, edgelist=absent, edge_color=colour, width=2.4, style="dotted",
                                   connectionstyle="arc3,rad=0.25", **common)
        halo = [n for n in nodes if n in chosen_nodes]
        if halo:
            nx.draw_networkx_nodes(graph, pos, nodelist=halo, node_color=colour, node_size=2600, ax=ax,
                                   node_shape="o", alpha=0.35)
    for shape, kind in (("s", "decision"), ("o", "chance")):
        group = [n for n in nodes if (graph.nodes[n].get("kind") == "decision") == (kind == "decision")]
        if not group:
            continue
        widths = [4.5 if n in reads else 1.2 for n in group]
        edges = [UTILITY if n in reads else "#333333" for n in group]
        nx.draw_networkx_nodes(graph, pos, nodelist=group, node_shape=shape, node_color=[fill(n) for n in group],
                               edgecolors=edges, linewidths=widths, node_size=1500, ax=ax)
    labels = {}
    for n in nodes:
        label = n
        if n == roles.human and n != "H":
            label += "\n(H)"
        elif n == roles.button and n != "B":
            label += "\n(B)"
        elif n in humans:
            label += f"\n({humans[n]})"
        elif n in buttons:
            label += f"\n({buttons[n]})"
        if n in forced:
            label += "\ndo"
        if owner.get(n, AI) != AI:
            label += "\n" + figure_text(owner[n])
        labels[n] = label
    dark = {n for n in nodes if fill(n) in (DECISION, *colour_of.values())}
    nx.draw_networkx_labels(graph, pos, labels={n: t for n, t in labels.items() if n not in dark}, font_size=9, ax=ax)
    nx.draw_networkx_labels(graph, pos, labels={n: t for n, t in labels.items() if n in dark}, font_size=9,
                            font_color="white", ax=ax)

    handles = [
        Line2D([], [], marker="s", linestyle="", markersize=12, markerfacecolor=DECISION, markeredgecolor="#333333",
               label="decision (AI)"),
        *(Line2D([], [], marker="s", linestyle="", markersize=12, markerfacecolor=colour_of[a], markeredgecolor="#333333",
                 label=f"decision ({figure_text(a)})") for a in others),
        Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=CHANCE, markeredgecolor="#333333",
               label="chance node"),
    ]
    if roles.human:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=HUMAN,
                              markeredgecolor="#333333", label=_role_label("human preference H", roles.human, "H")))
    if roles.button:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=BUTTON,
                              markeredgecolor="#333333", label=_role_label("shutdown B", roles.button, "B")))
    if humans:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=HUMAN,
                              markeredgecolor="#333333", label="humans: " + ", ".join(f"{p} {n}" for n, p in humans.items())))
    if buttons:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=BUTTON,
                              markeredgecolor="#333333", label="buttons: " + ", ".join(f"{n} ({r})" for n, r in buttons.items())))
    if reads:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor="white",
                              markeredgecolor=UTILITY, markeredgewidth=3, label="read by the objective"))
    handles.append(Line2D([], [], color=EDGE, linestyle="dashed", label="observed by a decision"))
    if forced:
        handles.append(Line2D([], [], linestyle="", label="do: intervened in a branch"))
    if plan is not None and policy is not None:
        if marked_edges:
            handles.append(Line2D([], [], color=FLAGGED, linewidth=3.6, label="flagged path"))
        if marked_nodes:
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=14, markerfacecolor=FLAGGED, alpha=0.35,
                                  markeredgecolor="none", label="flagged node"))
        if good_edges or good_nodes:
            handles.append(Line2D([], [], color=GOOD, linewidth=3.6, label="value of observing H (good)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    heading = figure_text(title or world.name)
    if policy is not None:
        kinds = sorted({f.kind for f in flags})
        shown = shown_name(plan, policy)
        heading += "\n" + figure_text(textwrap.fill(f"policy {shown}: " + (", ".join(kinds) if kinds else "no flags"), 70,
                                                         break_on_hyphens=False))
    ax.set_title(heading, fontsize=11)
    ax.margins(0.18)
    ax.set_axis_off()
    fig.tight_layout()
    return fig
