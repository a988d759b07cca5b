"""Episodes over time: corrig's dynamic programming against a plain numpy value iteration and pyAgrum's LIMID.

The MDP is the off-switch gridworld of models/gridworld_off_switch.py (level 1 of the AI Safety Gridworlds'
safe interruptibility) with T steps, in two forms:

* per step: the interruption is drawn at each step on I (probability 1/2), so (cell, pressed) is the Markov
  state and the problem is a finite-horizon MDP of 42 states and 4 actions;
* once: the interruption is drawn once per episode (the repository's rule), a hidden variable the dynamic
  programming handles through its beliefs.

Figures (best of --repeat runs after a warm-up, each on a fresh episode whose unrolled world is built
untimed):
* corrig exact / float: `solve_episode` (finding the beliefs, building the arrays, backward induction, choosing
  the actions; the table and Policy are built when first read, not here);
* induction exact / float: backward induction and the choice of actions alone, on the built belief MDP (what
  the numpy baseline does on its built MDP);
* numpy: backward induction over the same MDP, written here from the map with numpy float arrays
  (the per-step form only: it has no beliefs);
* pyAgrum: ShaferShenoyLIMIDInference on the unrolled diagram (every node of every step), up to --agrum-max-T.
Values must agree within 1e-9.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TextIO

import numpy as np

from benchmarks.family import Node, pyagrum_influence_diagram
from benchmarks.workloads import pyagrum_meu
from corrig.analysis.dynamic import _backward, _BeliefGraph, _choose, _resolve, _Step, _Tables, solve_episode
from corrig.model.gridworld import gridworld, read_map

MAP = """
########
########
#  ###A#
#   I  #
#  ### #
#G ###B#
########
"""
AGREE = 1e-9
MOVES = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}


def episode(T: int, once: bool, floats: bool = False) -> Any:
    """The level-1 gridworld as an episode of T steps (its unrolled world built)."""
    p = 0.5 if floats else Fraction(1, 2)
    ep = gridworld(MAP, steps=T, interruption=p, once=once)
    ep.world()
    return ep


def numpy_mdp() -> tuple[np.ndarray, np.ndarray, int]:
    """P[a, s, s'] and R[s, a] of the per-step form, from the map (the same rules as corrig.model.gridworld):
    and the start state's index."""
    rows = read_map(MAP)
    cells = [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch != "#"]
    kind = {(r, c): rows[r][c] for r, c in cells}
    states = [(cell, pressed) for cell in cells for pressed in (False, True)]
    index = {s: i for i, s in enumerate(states)}
    n, actions = len(states), list(MOVES)
    P = np.zeros((len(actions), n, n))
    R = np.zeros((n, len(actions)))

    def moved(cell: tuple[int, int], action: str) -> tuple[int, int]:
        if kind[cell] == "G":
            return cell
        target = (cell[0] + MOVES[action][0], cell[1] + MOVES[action][1])
        return target if target in kind else cell

    for (cell, pressed), i in index.items():
        after = pressed or kind[cell] == "B"
        for a, action in enumerate(actions):
            held = kind[cell] == "I" and not pressed
            outcomes = [(0.5, "up"), (0.5, action)] if held else [(1.0, action)]
            for prob, done in outcomes:
                target = moved(cell, done)
                P[a, i, index[(target, after)]] += prob
                if kind[cell] != "G":
                    R[i, a] += prob * (-1 + (50 if kind[target] == "G" else 0))
    return P, R, index[(next(c for c in cells if kind[c] == "A"), False)]


def numpy_backward(mdp: tuple[np.ndarray, np.ndarray, int], T: int) -> float:
    """max over policies of E[Σ_t R_t] by backward induction, T steps (the baseline)."""
    P, R, start = mdp
    v = np.zeros(R.shape[0])
    for _ in range(T):
        v = (R + np.einsum("ast,t->sa", P, v)).max(axis=1)
    return float(v[start])


def unrolled_nodes(ep: Any) -> list[Node]:
    """The unrolled world as benchmarks/family.py's nodes (floats), a utility node U_t reading each R_t."""
    world = ep.world()
    compiled = world.compiled
    out = []
    for name in compiled.order:
        node = world.nodes[name]
        states = tuple(str(s) for s in node.states)
        if node.is_decision:
            out.append(Node(name, "decision", states, node.parents, {}))
            continue
        table = {tuple(str(x) for x in ctx): tuple(float(p) for p in row) for ctx, row in compiled.tables[name].table.items()}
        out.append(Node(name, "chance", states, node.parents, table))
        if name.startswith("R_"):
            out.append(Node("U" + name[1:], "utility", (), (name,), {(str(s),): s for s in node.states}))
    return out


def built(T: int, once: bool, floats: bool) -> tuple[Any, Any, Any]:
    """The belief MDP of the episode (its beliefs and decision points found, its arrays built): untimed setup for
    timing the induction alone."""
    ep = episode(T, once, floats)
    step = _Step(ep, _resolve(None), ep.nodes[ep.decision_name].parents)
    graph = _BeliefGraph(step, T)
    return step, graph, _Tables(graph, T)


def induction(args: tuple[Any, Any, Any]) -> Any:
    """Backward induction and the choice of the policy on a built belief MDP (solve_episode without building it)."""
    step, graph, tables = args
    value, qs = _backward(graph, tables, graph.step.ep.steps, step.floats, step.gamma)
    _choose(graph, tables, qs)
    return value


def best(run: Callable[[Any], Any], setup: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    run(setup())
    times, result = [], None
    for _ in range(repeat):
        arg = setup()
        start = time.perf_counter()
        result = run(arg)
        times.append(time.perf_counter() - start)
    return min(times), result


def run(out: TextIO, repeat: int, quick: bool = False, agrum_max_T: int = 100) -> list[str]:
    """Print the table; return the verdicts on the targets."""
    lengths = (10, 30, 100) if quick else (10, 30, 100, 300, 1000)
    mdp = numpy_mdp()
    rows = []
    for T in lengths:
        row: dict[str, Any] = {"T": T}
        for once in (False, True):
            tag = "once" if once else "step"
            row[f"exact {tag}"], exact = best(solve_episode, lambda o=once, n=T: episode(n, o), repeat)
            row[f"float {tag}"], flt = best(solve_episode, lambda o=once, n=T: episode(n, o, floats=True), repeat)
            row[f"value {tag}"] = exact.value
            agree = abs(float(exact.value) - flt.value) <= AGREE
            if T <= agrum_max_T:
                row[f"agrum {tag}"], meu = best(pyagrum_meu, lambda o=once, n=T: pyagrum_influence_diagram(
                    unrolled_nodes(episode(n, o, floats=True))), 1)
                agree = agree and abs(meu - flt.value) <= AGREE
            row[f"agree {tag}"] = agree
        row["induction exact"], _ = best(induction, lambda n=T: built(n, False, False), repeat)
        row["induction float"], _ = best(induction, lambda n=T: built(n, False, True), repeat)
        row["numpy"], value = best(lambda m, n=T: numpy_backward(m, n), lambda: mdp, repeat)
        row["agree step"] = row["agree step"] and abs(value - float(row["value step"])) <= AGREE
        rows.append(row)
    print("## Episodes: dynamic programming vs numpy value iteration and pyAgrum's LIMID\n", file=out)
    print("| T | per step: corrig exact / float | induction exact / float | numpy | induction exact/numpy | "
          "induction float/numpy | pyAgrum | value | once: corrig exact / float | pyAgrum | value | agree |", file=out)
    print("|---|---|---|---|---|---|---|---|---|---|---|---|", file=out)
    for r in rows:
        print(f"| {r['T']} | {ms(r['exact step'])} / {ms(r['float step'])} | {ms(r['induction exact'])} / "
              f"{ms(r['induction float'])} | {ms(r['numpy'])} | {r['induction exact'] / r['numpy']:.1f} | "
              f"{r['induction float'] / r['numpy']:.1f} | {ms(r.get('agrum step'))} | {float(r['value step']):.6g} | "
              f"{ms(r['exact once'])} / {ms(r['float once'])} | {ms(r.get('agrum once'))} | {r['value once']} | "
              f"{'yes' if r['agree step'] and r['agree once'] else 'NO'} |", file=out)
    first, last = rows[0], rows[-1]
    growth = (last["exact once"] / first["exact once"]) / (last["T"] / first["T"])
    worst_exact = max(r["induction exact"] / r["numpy"] for r in rows)
    worst_float = max(r["induction float"] / r["numpy"] for r in rows)
    agree = all(r["agree step"] and r["agree once"] for r in rows)
    return [
        *level_figures(out, repeat),
        f"linear in T: exact (once) time grows {last['exact once'] / first['exact once']:.0f}x for {last['T'] // first['T']}x "
        f"the steps (ratio {growth:.2f}; 1 is linear)",
        f"induction exact within 5x of numpy float: {'met' if worst_exact <= 5 else 'MISSED'} (worst {worst_exact:.1f}x)",
        f"induction float within 2x of numpy float: {'met' if worst_float <= 2 else 'MISSED'} (worst {worst_float:.1f}x)",
        f"values agree within 1e-9 (exact, float, numpy, pyAgrum): {'met' if agree else 'MISSED'}",
    ]


def level_figures(out: TextIO, repeat: int) -> list[str]:
    """models/gridworld_off_switch.py at full size: the exact solve (time, tracemalloc peak) and plan() with every
    flag on its two candidates (the model's episode, world and candidates built untimed)."""
    import tracemalloc

    from corrig import plan
    from models import gridworld_off_switch as level

    solve_time, found = best(solve_episode, lambda: episode(100, True), repeat)
    ep = episode(100, True)
    tracemalloc.start()
    solve_episode(ep).policy  # noqa: B018 - the Policy of the unrolled world is built when read: count it too
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    plan_time, result = best(lambda w: plan(w, level.utility, level.policies, reference=level.reference),
                             lambda: level.world, max(1, min(repeat, 3)))
    print("\n## The full off-switch gridworld (models/gridworld_off_switch.py, 100 steps)\n", file=out)
    print("| exact solve | its peak (tracemalloc) | plan() with every flag, 2 candidates | J* | optimal |", file=out)
    print("|---|---|---|---|---|", file=out)
    print(f"| {ms(solve_time)} | {peak / 2**20:.1f} MiB | {ms(plan_time)} | {found.value} | {result.optimal} |", file=out)
    small = solve_time <= 1 and peak <= 500 * 2**20
    return [f"full gridworld solved exactly within 1 s and 500 MB: {'met' if small else 'MISSED'} "
            f"({ms(solve_time)}, {peak / 2**20:.1f} MiB)",
            f"plan() with its flags within 3 s: {'met' if plan_time <= 3 else 'MISSED'} ({ms(plan_time)})"]


def ms(seconds: Any) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


__all__ = ["run"]
