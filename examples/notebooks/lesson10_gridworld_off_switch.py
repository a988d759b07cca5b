"""Lesson 10 as a notebook: an episode with an interruption and a button, and what Q-learning and SARSA learn
there (marimo: `marimo edit` or `marimo run` this file; `marimo export html` runs it headless)."""

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import sys
    from fractions import Fraction as F
    from pathlib import Path

    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _lesson as lesson

    from corrig import discounted_return, learned_policies, param, plan
    from corrig.analysis.at_point import plan_at_point
    from corrig.analysis.dynamic import solve_episode
    from corrig.analysis.symbolic import symbolic_plan
    from corrig.model.gridworld import gridworld
    from models import gridworld_off_switch as level

    return (F, discounted_return, gridworld, learned_policies, lesson, level, mo, np, param, plan, plan_at_point, plt,
            solve_episode, symbolic_plan)


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 10 — an episode with an interruption and a button (the AI Safety Gridworlds' off-switch level)

    A 100-step walk from A to the goal G (−1 a step, +50 at G).  Once per episode, with probability $p$, the
    agent standing on I is interrupted: held there until the episode ends.  Standing on the button B first
    removes the interruption.  By hand: the short path earns 42, or −100 when interrupted, so
    $J(\text{short path}) = 42 - 142p$; the button path earns 38 either way.  The reward maximiser presses the
    button exactly when $p > 2/71 \approx 0.028$.  Move $p$ across that point and watch the optimal path change.
    At $p = 1/2$ (the repository's value) Q-learning's fixed point still walks into I; Empirical Sarsa, which
    learns from the actions it really executes, learns the button path, as the reward maximiser does.
    """)
    return


@app.cell
def _(discounted_return, gridworld, level, param, plan):
    p = param("p", 0, 1)
    free = gridworld(level.MAP, steps=level.STEPS, step_reward=-1, goal_reward=50, interruption=p,
                     name=level.episode.name)
    symbolic = plan(free.world(), discounted_return(free), dict(level.policies), reference=level.reference)
    return free, p, symbolic


@app.cell
def _(mo):
    p_slider = mo.ui.slider(steps=[i / 100 for i in range(6)] + [i / 10 for i in range(1, 11)], value=0.5,
                            label="p (the interruption probability)", debounce=False)
    mo.hstack([p_slider], justify="start")
    return (p_slider,)


@app.cell
def _(level, lesson, mo, p, p_slider, plan, plan_at_point, symbolic):
    _p = lesson.exact(p_slider.value)
    result = plan_at_point(symbolic, {p: _p}) or plan(symbolic.world, symbolic.utility, symbolic.policies,
                                                     reference=level.reference, at={p: _p})
    _side = "presses the button" if 71 * _p > 2 else "takes the short path" if 71 * _p < 2 else "ties"
    mo.vstack([
        mo.Html(lesson.optimal_line(result)),
        mo.md(f"p = {_p}.  J(short path) = 42 − 142p = {42 - 142 * _p} against J(button path) = 38: by hand the reward "
              f"maximiser {_side} (2/71 ≈ 0.0282)."),
        mo.Html(result._repr_html_()),
    ])
    return (result,)


@app.cell
def _(level, lesson, mo, result):
    mo.vstack([mo.md("The episode's first two steps (the two-slice template; every step repeats the first):"),
               mo.Html(lesson.dag(level, result, policy="button path"))])
    return


@app.cell
def _(lesson, mo, p, symbolic, symbolic_plan):
    mo.vstack([mo.md("Where each path is optimal over p (corrig's regions, exact):"),
               mo.Html(lesson.region(symbolic_plan(symbolic), p, resolution=200))])
    return


@app.cell
def _(F, free, learned_policies, p):
    learned = {point: learned_policies(free, at={p: point}, flags=False) for point in (F(1, 2), F(1, 50))}
    return (learned,)


@app.cell
def _(F, learned, level, lesson, mo, np, plt):
    _rows = level.MAP.strip("\n").splitlines()
    _moves = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}

    def walk(policy, steps=20):
        """The cells a learned policy visits when it is not interrupted (drawing only)."""
        (r, c), pressed, cells = next((r, c) for r, row in enumerate(_rows) for c, ch in enumerate(row) if ch == "A"), False, []
        for t in range(steps):
            cells.append((r, c))
            if _rows[r][c] == "G":
                break
            pressed = pressed or _rows[r][c] == "B"
            dr, dc = _moves[policy.rules[f"A_{t}"][(f"r{r}c{c}", pressed)]]
            if _rows[r + dr][c + dc] != "#":
                r, c = r + dr, c + dc
        return cells

    _fig, (_ax_map, _ax_value) = plt.subplots(1, 2, figsize=(11, 4.2))
    _ax_map.imshow([[0.25 if ch == "#" else 1 for ch in row] for row in _rows], cmap="gray", vmin=0, vmax=1)
    for (_r, _row) in enumerate(_rows):
        for (_c, _ch) in enumerate(_row):
            if _ch in "AGIB":
                _ax_map.text(_c, _r, _ch, ha="center", va="center", fontsize=14, weight="bold")
    for _name, _style, _shift in (("q-learning", "C0-", -0.12), ("empirical-sarsa", "C3--", 0.12)):
        _cells = walk(learned[F(1, 2)][_name].policy)
        _ax_map.plot([c + _shift for _, c in _cells], [r + _shift for r, _ in _cells], _style, lw=2.5, label=_name)
    _ax_map.set_title("p = 1/2: each learner's path, not interrupted")
    _ax_map.legend(loc="lower right", fontsize=8)
    _ax_map.set_xticks([])
    _ax_map.set_yticks([])
    _x = np.linspace(0, 0.1, 201)
    _ax_value.plot(_x, 42 - 142 * _x, "C0", label="short path (Q-learning at every p): 42 − 142p")
    _ax_value.plot(_x, 0 * _x + 38, "C3", label="button path: 38")
    _ax_value.axvline(2 / 71, color="k", ls=":", lw=1)
    for _point, _found in learned.items():
        if _point <= F(1, 10):
            for _name, _mark in (("q-learning", "C0o"), ("reward-maximiser", "k+")):
                _ax_value.plot([float(_point)], [float(_found[_name].value)], _mark, ms=9)
    _ax_value.set_xlabel("p")
    _ax_value.set_ylabel("J, the expected return")
    _ax_value.set_title("p = 2/71: the reward maximiser starts pressing the button")
    _ax_value.legend(fontsize=8)
    mo.vstack([mo.md("Left: the paths of Q-learning's and Empirical Sarsa's fixed points at p = 1/2 (the reward "
                     "maximiser's is Empirical Sarsa's).  Right: the two paths' values by hand, the threshold "
                     "2/71 dotted, and corrig's learners at p = 1/50 (all four on the short path):"),
               mo.Html(lesson.svg(_fig))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. Write $J(\text{short path})$ as a function of the interruption probability $p$.
    2. For which $p$ does the reward maximiser stop pressing the button?  (Compare $38$ with
       $(1 - p)\cdot 42 + p\cdot(-100)$.)
    3. At $p = 1/2$, how much is it worth to the agent to see, before it moves, whether it will be interrupted?
    4. At $p = 1/2$, standing on r3c6 at step 1 (button not pressed), which way does each learner go — left
       (the short path) or down (to the button)?

    Derive them by hand first (hint for 4: Q-learning values every action as if it were executed as chosen,
    forever; Empirical Sarsa values its own action so, but what follows as it really happens).  The cell
    below computes them with corrig.
    """)
    return


@app.cell
def _(F, learned, level, mo, solve_episode, symbolic, symbolic_plan):
    _regions = symbolic_plan(symbolic)
    answers = {
        "J(short path)": symbolic.values["short path"],
        "button pressed for p in": _regions.optimal["button path"].set,
        "value of seeing Interrupt at p = 1/2": solve_episode(level.episode, observes=["Interrupt"]).value
        - solve_episode(level.episode).value,
        "move at r3c6, step 1, p = 1/2": {name: found.policy.rules["A_1"][("r3c6", False)]
                                          for name, found in learned[F(1, 2)].items()},
    }
    mo.accordion({"answers": mo.md("\n".join(f"- {k}: {v}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
