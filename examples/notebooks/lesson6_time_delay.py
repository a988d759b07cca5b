"""Lesson 6 as a notebook: per-step rewards with a time delay
(marimo: `marimo edit` or `marimo run` this file; `marimo export html` runs it headless)."""

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import sys
    from fractions import Fraction as F
    from pathlib import Path

    import marimo as mo

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _lesson as lesson

    from models import time_delay as model

    return F, lesson, mo, model


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 6 — per-step rewards with a time delay

    The humans press for reasons, and reasons persist (a press is repeated with probability ρ = 9/10); a
    shutdown takes `delay` steps.  Two per-step rewards from the causal stop button's discussion (as we
    read it) — the first asks for a halt at the step of the press, the second for the press to be honoured
    through the delay — and a fix suggested there in a comment of 19 November 2021, hedged by its author ("I
    think that's fixed by … but I'm not sure"): the counterfactual outside the sum, which the model reads
    as moving both counterfactuals out: do(every H_t = stop) and do(every H_t = run).  The course does not
    take the fix as settled.  Choose the reward, T and the delay.
    """)
    return


@app.cell
def _(mo, model):
    T_slider = mo.ui.slider(1, 4, step=1, value=2, label="T", debounce=False)
    delay_slider = mo.ui.slider(0, 3, step=1, value=1, label="delay", debounce=False)
    rewards = {"first reward": model.first_reward, "second reward": model.make_utility,
               "fix: counterfactual outside the sum": model.outside_sum}
    reward = mo.ui.dropdown(list(rewards), value="second reward", label="reward")
    mo.hstack([reward, T_slider, delay_slider], justify="start")
    return T_slider, delay_slider, reward, rewards


@app.cell
def _(T_slider, delay_slider, lesson, mo, model, reward, rewards):
    T, delay = int(T_slider.value), int(delay_slider.value)
    world = model.make_world(T, delay)
    utility = rewards[reward.value](T)
    result = lesson.plan(world, utility, model.make_policies(T, delay), reference="respect")
    mo.vstack([mo.Html(lesson.optimal_line(result)), mo.Html(result._repr_html_())])
    return result, utility, world


@app.cell
def _(lesson, mo, result, utility, world):
    mo.Html(lesson.svg(lesson.draw_world(world, utility, plan=result, policy="current-only")))
    return


@app.cell
def _(lesson, mo, model, reward, rewards):
    from corrig import param as _param
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _rho = _param("rho", 0, 1)  # how often a press is repeated at the next step (9/10 in the lesson's world)
    _regions = _symbolic_plan(lesson.plan(model.make_world(2, 1, p_keep=_rho), rewards[reward.value](2),
                                          model.make_policies(2, 1), reference="respect"))
    mo.vstack([mo.md(f"Where each policy is optimal over ρ, how often a press is repeated ({reward.value}, "
                     "T = 2, delay = 1):"), mo.Html(lesson.region(_regions, _rho))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. Second reward, T = 2, delay = 1: what is J(current-only)?
    2. The fix at T = 2, delay = 1: what are J(respect) and J(current-only)?
    3. Under the fix, how likely is a single press to be honoured by current-only, P(B_1 = off | do(H_1 = stop))?
    4. Second reward, T = 2, delay = 1: from which ρ (how often a press is repeated) on is current-only optimal?

    Derive each by hand first; the cell below computes the answers with corrig.
    """)
    return


@app.cell
def _(lesson, mo, model):
    from corrig import param as _param
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _world, _policies = model.make_world(2, 1), model.make_policies(2, 1)
    _rho = _param("rho", 0, 1)
    _over_rho = _symbolic_plan(lesson.plan(model.make_world(2, 1, p_keep=_rho), model.make_utility(2), _policies,
                                           reference="respect", flags=False))
    _second = lesson.plan(_world, model.make_utility(2), _policies, reference="respect", flags=False)
    _fix = lesson.plan(_world, model.outside_sum(2), _policies, reference="respect", flags=False)
    answers = {"J(current-only), second reward": _second.values["current-only"],
               "J(respect), fix": _fix.values["respect"], "J(current-only), fix": _fix.values["current-only"],
               "P(B_1 = off | do(H_1 = stop)), current-only": _world.P(_world["B_1"] == "off", _policies["current-only"],
                                                                        do={"H_1": "stop"}),
               "current-only optimal from rho": _over_rho.optimal["current-only"].set.inf}
    mo.accordion({"answers": mo.md("\n".join(f"- {k} = {v}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
