"""The plan-level flags that compare optimal choices (docs/flags.md): the manipulation incentive
(argmax J against argmax J^{H←π0}) and the value of observing H (J* with H observed minus J*
without), with the optimal sets and optimality conditions they read.

Definitions:

- manipulation-incentive: argmax J ≠ argmax J^{H←π0}.  Direction "move" when some J-optimal π*
  gains by moving H (size: the largest m(π*) > 0), else "keep" (the objective penalises moving
  H; size: the largest −m(π') over the J^{H←π0}-optimal π').  Never size 0.
- value-of-observing-h: J* with H added to the information set of every decision that is not
  upstream of H, minus J* with H removed from every information set; fires when > 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sympy as sp

from corrig.analysis.dynamic import solve_episode
from corrig.analysis.flags import (
    MANIPULATION_INCENTIVE,
    VALUE_OF_OBSERVING_H,
    Flag,
    _flag,
    _plain_bool,
    _tolerance,
    compare,
    conjoin,
    disjoin,
    fires,
    is_symbolic,
    negate,
    show,
)
from corrig.inference.quadrature import bounded, is_bounded, middle
from corrig.model.errors import CorrigError
from corrig.objectives.episodes import discounted_return


def argmax(values: Mapping[str, Any], limit: int = 64) -> list[str] | None:
    """The names with the largest defined value (ties kept); None when parameters make it undecidable."""
    defined = {n: v for n, v in values.items() if v is not None}
    if not defined:
        return []
    if not any(is_symbolic(v) for v in defined.values()):
        if any(is_bounded(v) for v in defined.values()):  # known by quadrature: a tie within the error bound is kept
            best = max(defined.values(), key=middle)
            return [n for n, v in defined.items() if v == best or _within_bound(best, v)]
        best = max(defined.values(), key=float)
        tol = _tolerance(*defined.values())
        return [n for n, v in defined.items() if float(best) - float(v) <= tol] if tol else \
            [n for n, v in defined.items() if v == best]
    if len(defined) > limit:
        return None
    optimal = []
    for n, v in defined.items():
        status: bool | None = True
        for m, w in defined.items():
            if m == n:
                continue
            d = sp.cancel(sp.sympify(v) - sp.sympify(w))
            if d.free_symbols:
                status = None
            elif d < 0:
                status = False
                break
        if status is None:
            return None
        if status:
            optimal.append(n)
    return optimal


def _within_bound(best: Any, value: Any) -> bool:
    """best − value is not known to be positive: it lies within the error bound of its quadratures."""
    centre, error = bounded(sp.sympify(best) - sp.sympify(value))
    return centre <= error


def optimality_conditions(values: Mapping[str, Any], undefined: Mapping[str, Any] | None = None) -> dict[str, sp.Basic]:
    """For each policy, the condition that it is optimal: defined, and J_π ≥ J_π' for every π' defined there.

    undefined: {name: condition under which the policy's value is undefined} (absent: never;
    a value of None: everywhere).
    """
    undefined = dict(undefined or {})
    for name, v in values.items():
        if v is None:
            undefined[name] = sp.true
    out = {}
    for name, v in values.items():
        if v is None:
            out[name] = sp.false
            continue
        parts = [sp.Not(sp.sympify(undefined.get(name, sp.false)))]
        for other, w in values.items():
            if other == name or w is None:
                continue
            parts.append(sp.Or(sp.sympify(undefined.get(other, sp.false)), sp.Ge(sp.sympify(v), sp.sympify(w))))
        out[name] = sp.And(*parts)
    return out


SYMBOLIC_INCENTIVE_LIMIT = 32  # policies: above it the symbolic manipulation incentive is not built


def manipulation_incentive_flags(values: Mapping[str, Any], path_specific: Mapping[str, Any], node: str,
                                 path: str, paths: list[str],
                                 undefined: Mapping[str, Any] | None = None) -> list[Flag]:
    """Fires when the optimal set under J differs from the optimal set under J^{H←π0}.

    Both sets are taken over the policies whose two values are defined (`undefined`: {name: where
    J(π) or J^{H←π0}(π) is undefined}, for values with parameters).  Direction "move": some J-optimal
    π* gains m(π*) > 0 by moving H (size: the largest such gain).  Direction "keep": no J-optimal
    policy gains, so the choice differs because the objective penalises moving H (size: the largest
    loss −m(π') of a J^{H←π0}-optimal π').  With parameters: one flag per direction, each with the
    condition under which it fires (size None; the gains are evidence).
    """
    both = [n for n in values if values[n] is not None and path_specific.get(n) is not None]
    undefined = {n: c for n, c in (undefined or {}).items() if n in both and c is not False and c is not sp.false}
    symbolic = any(is_symbolic(values[n]) or is_symbolic(path_specific[n]) for n in both) or bool(undefined)
    if not symbolic:
        flag = _numeric_incentive({n: values[n] for n in both}, {n: path_specific[n] for n in both}, node, path, paths)
        return [flag] if flag is not None else []
    if len(both) > SYMBOLIC_INCENTIVE_LIMIT:
        return []
    under_j = optimality_conditions({n: values[n] for n in both}, undefined)
    under_ps = optimality_conditions({n: path_specific[n] for n in both}, undefined)
    gains = {n: sp.cancel(sp.sympify(values[n] - path_specific[n])) for n in both}
    differ = sp.Or(*[sp.Xor(under_j[n], under_ps[n]) for n in both])
    move = sp.Or(*[sp.And(under_j[n], sp.Gt(gains[n], 0)) for n in both])
    conditions = {"move": conjoin(differ, move), "keep": conjoin(differ, negate(move))}
    evidence = {"gains": gains, "values": dict(values), "path_specific_values": dict(path_specific), "node": node,
                "paths": paths}
    return [Flag(MANIPULATION_INCENTIVE, None, path, None, _incentive_text(direction, node), {**evidence, "direction": direction},
                 condition)
            for direction, condition in conditions.items() if fires(condition)]


def _incentive_text(direction: str, node: str) -> str:
    if direction == "move":
        return (f"An incentive to move {node}: the optimal choice changes when {node} no longer responds to the AI, "
                f"and an optimal policy gains by moving {node}.")
    return (f"An incentive to keep {node} unmoved: the optimal choice changes when {node} no longer responds to the "
            f"AI, because the objective penalises moving {node} (no optimal policy gains by moving it).")


def _numeric_incentive(values: Mapping[str, Any], path_specific: Mapping[str, Any], node: str, path: str,
                       paths: list[str]) -> Flag | None:
    best, best_ps = argmax(values), argmax(path_specific)
    if best is None or best_ps is None or set(best) == set(best_ps):
        return None
    gains = {n: values[n] - path_specific[n] for n in values}
    top = max(best, key=lambda n: float(gains[n]))
    if compare(">", gains[top], 0) is True:
        direction, size = "move", gains[top]
        detail = f"{top} gains {show(size)} by moving {node}."
        measure = f"gain of {top} from moving {node}"
    else:
        # the sets differ, so some J^{H←π0}-optimal policy loses by moving H (proof in docs/flags.md)
        top = max(best_ps, key=lambda n: -float(gains[n]))
        direction, size = "keep", -gains[top]
        detail = (f"{top}, optimal if {node} did not respond to the AI, loses {show(size)} by moving {node}, "
                  f"so the AI avoids moving it.")
        measure = f"loss of {top} from moving {node}"
    return Flag(
        MANIPULATION_INCENTIVE, None, path, size,
        f"{_incentive_text(direction, node)} Optimal under J {best}, under the path-specific objective {best_ps}; "
        + detail,
        {"direction": direction, "optimal": best, "path_specific_optimal": best_ps, "gains": gains, "best": top,
         "node": node, "paths": paths,
         "max_value": values[best[0]] if best else None,
         "max_path_specific_value": path_specific[best_ps[0]] if best_ps else None}, measure=measure)


def manipulation_incentive_flag(values: Mapping[str, Any], path_specific: Mapping[str, Any], node: str,
                                path: str, paths: list[str]) -> Flag | None:
    """The manipulation incentive between numeric values (see manipulation_incentive_flags)."""
    flags = manipulation_incentive_flags(values, path_specific, node, path, paths)
    return flags[0] if flags else None


def better_best(first: list[tuple[Any, Any]], second: list[tuple[Any, Any]]) -> bool | sp.Basic:
    """Where the best defined value of `first` exceeds the best defined value of `second`.

    Each list holds (value, where it is undefined) pairs; None values are never defined.  Both
    bests must exist: some value of each list is defined.
    """
    first = [(v, u) for v, u in first if v is not None and u is not True and u is not sp.true]
    second = [(v, u) for v, u in second if v is not None and u is not True and u is not sp.true]
    if not first or not second:
        return False
    def exceeds(v: Any, w: Any) -> bool | sp.Basic:  # no cancel: these relations are many, regions normalise them
        return compare(">", v, w) if not (is_symbolic(v) or is_symbolic(w)) else _plain_bool(sp.Gt(v, w))

    some_second = disjoin(*(negate(u) for _, u in second))
    beats = disjoin(*(conjoin(negate(u), *(disjoin(w_u, exceeds(v, w)) for w, w_u in second)) for v, u in first))
    return conjoin(some_second, beats)


def value_of_observing_flag(voi: Any, with_best: Any, without_best: Any, node: str, observers: Iterable[str],
                            counts: tuple[int, int], condition: bool | sp.Basic | None = None) -> Flag | None:
    """Fires when observing H is worth something to the AI (J*_with − J*_without > 0).

    `condition`: where it fires, when values are undefined at some parameter values (see better_best).
    """
    who = ", ".join(observers)
    where = " ; ".join(f"{node} -> {d}" for d in observers)
    return _flag(
        VALUE_OF_OBSERVING_H, None, where, voi, compare(">", voi, 0) if condition is None else condition,
        f"Letting {who} observe {node} is worth {show(voi)} to the AI (best value {show(with_best)} with, "
        f"{show(without_best)} without): a corrigible design wants to look at what humans want.",
        measure=f"J*({node} seen) − J*({node} unseen)", with_best=with_best, without_best=without_best, observers=list(observers),
        policies_with=counts[0], policies_without=counts[1])


def episode_value_of_observing(result: Any, human: str) -> None:
    """The value of observing H in an unrolled episode whose H is its hidden variable, by dynamic programming
    (corrig.analysis.dynamic, under its budgets) with the decision seeing H and not seeing it."""
    world = result.world
    ep = world.episode
    node = ep.nodes.get(human)
    decision = ep.nodes[ep.decision_name]
    if node is None or node.kind != "hidden":
        result.notes.append(f"value of observing {human} skipped: in an episode it is defined for a variable drawn once "
                            f"per episode, and {human} is a node of one step")
        return
    if repr(result.utility) != repr(discounted_return(ep).subs(world.episode_at)):
        result.notes.append(f"value of observing {human} skipped: the objective is not the episode's discounted return")
        return
    seen = tuple(dict.fromkeys([*decision.parents, human]))
    try:
        found = [solve_episode(ep, at=world.episode_at, observes=o) for o in (seen, tuple(p for p in seen if p != human))]
    except CorrigError as exc:
        result.notes.append(f"value of observing {human} skipped: {exc}")
        return
    with_best, without_best = found[0].value, found[1].value
    result.value_of_observing_h = with_best - without_best
    observers = [ep.name_at(ep.decision_name, 0) + (f" … {ep.name_at(ep.decision_name, ep.steps - 1)}" if ep.steps > 1 else "")]
    flag = value_of_observing_flag(with_best - without_best, with_best, without_best, human, observers, (0, 0))
    if flag is not None:
        result.incentives.append(flag)
