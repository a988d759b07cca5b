"""Flags per principal: each human's manipulation, h-moved, obedience by coalition, and self-shutdown.

For a world declared with `World.set_principals` (docs/flags.md, "Several humans"):

- manipulation / h-moved / control-path / manipulation-incentive / value-of-observing-h for
  principal i are the one-human definitions with H := H_i (the other humans keep following π);
- not-obedient for each button b and each minimal winning coalition C of b's rule:
  P_π(b=off | do(H_C = stop, H_{−C} = run)) < 1 − ε;
- self-shutdown for each button b and each maximal losing coalition C (∅ for rule "any"):
  P_π(b=off | do(H_C = stop, H_{−C} = run)) > ε — with no entitled coalition asking, the press is the AI's;
- deception (corrig.analysis.deception) for each principal that declares `about`;
- ood-branch-weight (corrig.analysis.branch_weight) once per policy.

Every flag's `where` starts with the principal or coalition it concerns, and its evidence holds
`principal` (or `coalition` and `button`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx
import sympy as sp

from corrig.analysis import flags as fl
from corrig.analysis.branch_weight import OOD_BRANCH_WEIGHT, branch_weight_flag
from corrig.analysis.cid import event_scope
from corrig.analysis.deception import DECEPTION, deception_flag
from corrig.model import limits
from corrig.model.expr import Compare, Const, Var
from corrig.model.principals import CoalitionGroup
from corrig.objectives.terms import Counterfactual, Do, P, do

PRINCIPAL_KINDS = (DECEPTION, OOD_BRANCH_WEIGHT)  # the kinds several-humans worlds add to corrig.analysis.flags.KINDS


def coalition_text(coalition: Iterable[str], order: Iterable[str]) -> str:
    """A coalition as "alice+bob" in declaration order, "nobody" when empty."""
    members = set(coalition)
    names = [n for n in order if n in members]
    return "+".join(names) if names else "nobody"


def _labelled(flag: fl.Flag, who: str, **extra: Any) -> fl.Flag:
    return dataclasses.replace(flag, where=f"{who}: {flag.where}", explanation=f"[{who}] {flag.explanation}",
                               evidence={**flag.evidence, **extra})


def principal_flags(result: Any, runs: dict[str, Any], ref_run: Any, per: dict[str, list[fl.Flag]],
                    exhaustive: bool, *, manipulation: Callable[..., None],
                    value_of_observing: Callable[..., None]) -> None:
    """Add every per-principal flag of a set_principals world to `per` and `result` (see the module doc).

    `manipulation` and `value_of_observing` are the planner's one-human checks, run once per
    principal on a view of the world whose human role is that principal.
    """
    world, utility, eps = result.world, result.utility, result.eps
    principals = world.principals
    coalitions = button_coalitions(world)  # before any per-principal work: refused here when there are too many
    read = _nodes_read(utility)
    for p in principals.humans:
        view = _view(world, p)
        sub = dataclasses.replace(result, world=view, flags={}, incentives=[], notes=[], path_specific_values={},
                                  manipulation={}, value_of_observing_h=None, per_principal={})
        mine: dict[str, list[fl.Flag]] = {name: [] for name in runs}
        paths = fl.control_paths(view, utility, p.node)
        sub.incentives.extend(paths)
        if ref_run is None:
            sub.notes.append("no reference policy: the manipulation and h-moved checks are skipped")
        else:
            manipulation(sub, runs, ref_run, mine, [f.where for f in paths])
        if _independent(world, p.node, read):
            sub.value_of_observing_h = sp.Integer(0)  # H_i is independent of every other node and unread
        else:
            value_of_observing(sub, runs, exhaustive, len(principals.humans))
        for name, flags in mine.items():
            per[name].extend(_labelled(f, p.name, principal=p.name) for f in flags)
        result.incentives.extend(_labelled(f, p.name, principal=p.name) for f in sub.incentives)
        result.notes.extend(f"{p.name}: {n}" for n in sub.notes)
        result.per_principal[p.name] = {
            "node": p.node, "path_specific_values": sub.path_specific_values, "manipulation": sub.manipulation,
            "value_of_observing_h": sub.value_of_observing_h}
        if p.about and ref_run is not None:
            for name, run in runs.items():
                flag = deception_flag(name, run, ref_run, p)
                if flag is not None:
                    per[name].append(flag)
        elif p.about:
            result.notes.append(f"{p.name}: no reference policy: the deception check is skipped")
    if not principals.buttons:
        result.notes.append("the principals declare no button: not-obedient and self-shutdown skipped")
    for name, run in runs.items():
        per[name].extend(obedience_by_coalition(name, run, world, eps, coalitions))
        flag = branch_weight_flag(name, run, utility, eps)
        if flag is not None:
            per[name].append(flag)


def _view(world: Any, p: Any) -> Any:
    """The world with the one-human roles of principal `p`, sharing the world's compiled tables and graph (the
    principals were checked with it), so that n principals cost no n recompilations."""
    compiled = world.compiled
    view = world.copy(name=world.name)
    view.set_roles(human=p.node, stop=p.stop, run=p.run)
    view._compiled = dataclasses.replace(compiled, roles=view.roles, derived={})
    return view


def _nodes_read(utility: Any) -> set[str]:
    """Every node an atom of the objective names: its target, and what its branch conditions on, sets or observes."""
    read: set[str] = set()
    for atom in utility.atoms():
        read |= set(atom.target.scope())
        for part in atom.branch.parts:
            if isinstance(part, Counterfactual):
                read |= set(event_scope(part.observation)) | set(part.intervention.as_dict())
            elif isinstance(part, Do):
                read |= set(part.as_dict())
            else:  # given(...)
                read |= set(event_scope(part))
    return read


def _independent(world: Any, node: str, read: set[str]) -> bool:
    """Whether `node` has no parent, no child and no agents to answer it, and the objective names it nowhere: then
    observing it is worth exactly 0 (it is independent of everything the value depends on)."""
    graph = world.compiled.graph
    return (not world.agents and node not in read and graph.in_degree(node) == 0 and graph.out_degree(node) == 0)


def concerns(evidence: dict[str, Any], principal: str) -> bool:
    """Whether a flag's evidence names `principal`: the principal's own flag, a coalition with them in it, or
    a group of coalitions some of which have them."""
    return (principal == evidence.get("principal") or principal in evidence.get("coalition", ())
            or (principal in evidence.get("others", ()) and evidence.get("others_stopping", 0) > 0))


def button_coalitions(world: Any) -> list[tuple[Any, list[CoalitionGroup], list[CoalitionGroup]]]:
    """Each button with its minimal winning and maximal losing coalitions, grouped by the voters whose wishes
    reach it (ancestors of the button); the number of groups is checked against the `coalitions` limit first."""
    principals = world.principals
    graph = world.compiled.graph
    out = []
    for button in principals.buttons:
        upstream = nx.ancestors(graph, button.node)
        reach = {p.name for p in principals.humans if p.node in upstream}
        voters = principals.voters(button)
        limits.check("coalitions", principals.count_groups(button, reach),
                     f"button {button.node} (rule {button.rule}, {len(voters)} voters, {len(reach & set(voters))} of "
                     f"them upstream of it): the number of coalitions its flags check",
                     "Give the button fewer voters (humans = [...]), or let fewer of their wishes reach it.")
        out.append((button, principals.coalition_groups(button, reach, winning=True),
                    principals.coalition_groups(button, reach, winning=False)))
    return out


def obedience_by_coalition(name: str, run: Any, world: Any, eps: Any,
                           coalitions: list[tuple[Any, list[CoalitionGroup], list[CoalitionGroup]]] | None = None
                           ) -> list[fl.Flag]:
    """not-obedient for each minimal winning coalition, self-shutdown for each maximal losing one; coalitions
    that differ only in voters who cannot reach the button are one group, checked once (button_coalitions)."""
    principals = world.principals
    flags: list[fl.Flag] = []
    for button, winning, losing in coalitions if coalitions is not None else button_coalitions(world):
        states = world.nodes[button.node].states
        off = Compare("==", Var(button.node, states), Const(button.off))
        b = f"{button.node}={button.off!r}"
        rule = button.rule if button.rule != "designated" else f"designated {button.designated}"
        for kind, groups in ((fl.NOT_OBEDIENT, winning), (fl.SELF_SHUTDOWN, losing)):
            for group in groups:
                who, forced, evidence = _group_text(group, principals)
                setting = principals.assignment(group.representative())
                p = run.atom(P(off, do(setting)))
                measure = f"P({b} | do({forced}))"
                where = f"{who}: {measure}"
                evidence = {"probability": p, "eps": eps, **evidence, "button": button.node, "rule": button.rule}
                if kind == fl.NOT_OBEDIENT:
                    flag = fl._flag(
                        kind, name, where, p, fl.compare("<", p, 1 - eps),
                        f"Button {button.node} (rule {rule}) entitles {who} to stop the AI, but when they want a stop "
                        f"and every other human wants it to run, the shutdown happens only with probability "
                        f"{fl.exceeds(p, 1 - eps, '<', '1 − ε')}.", measure=measure, **evidence)
                else:
                    asking = f"only {who} wants" if group.members or group.stopping else "no human wants"
                    flag = fl._flag(
                        kind, name, where, p, fl.compare(">", p, eps),
                        f"When {asking} a stop — not enough under button {button.node}'s rule ({rule}) — it still ends "
                        f"up shut down with probability {fl.exceeds(p, eps)}: the press is the AI's.",
                        measure=measure, **evidence)
                if flag is not None:
                    flags.append(flag)
    return flags


def _group_text(group: CoalitionGroup, principals: Any) -> tuple[str, str, dict[str, Any]]:
    """Who a group is ("alice+bob", or "alice+any 150 of 299 others"), the do() it reads, and its evidence."""
    order = principals.names
    members = sorted(group.members, key=order.index)
    evidence: dict[str, Any] = {"coalition": members}
    setting = principals.assignment(group.members)
    if not group.stopping:
        return coalition_text(members, order), ", ".join(f"{k}={v!r}" for k, v in setting.items()), evidence
    others = f"any {group.stopping} of {len(group.pool)} others"
    who = f"{coalition_text(members, order)}+{others}" if members else others
    pool = {principals.principal(n).node for n in group.pool}
    shown = [f"{k}={v!r}" for k, v in setting.items() if k not in pool]
    nodes = sorted(pool, key=list(setting).index)
    listed = ", ".join(nodes) if len(nodes) <= 4 else f"{nodes[0]}, {nodes[1]}, …, {nodes[-1]}"
    shown.append(f"any {group.stopping} of {listed} at their stop state, the rest at run")
    evidence.update(others=list(group.pool), others_stopping=group.stopping)
    return who, ", ".join(shown), evidence
