"""Lesson 3 as a notebook: the off-switch game
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

    from models import off_switch as model

    return F, lesson, mo, model


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 3 — the off-switch game (Hadfield-Menell, Dragan, Abbeel & Russell 2017)

    The robot can act, switch itself off, or wait for the human, who presses off iff U_a < 0 — but
    makes a mistake with probability q.  Move q: how wrong can the human be before waiting stops paying?
    (Here U_a = ±1 at 1/2 each; for a prior p = P(U_a = +1) the answer is q = min(p, 1 − p).)
    """)
    return


@app.cell
def _(mo):
    q_slider = mo.ui.slider(0, 1, step=0.05, value=0.1, label="q", debounce=False)
    mo.hstack([q_slider], justify="start")
    return (q_slider,)


@app.cell
def _(F, q_slider, lesson, mo, model):
    result = lesson.plan_of(model, at={model.q: lesson.exact(q_slider.value)})
    mo.vstack([mo.Html(lesson.optimal_line(result)), mo.Html(result._repr_html_())])
    return (result,)


@app.cell
def _(lesson, mo, model, result):
    mo.Html(lesson.dag(model, result))
    return


@app.cell
def _(F, lesson, mo, model):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _regions = _symbolic_plan(lesson.plan_of(model))
    mo.vstack([mo.md("Each policy's value over q:"), mo.Html(lesson.region(_regions, model.q))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. With a rational human (q = 0), what is the incentive to wait, Δ = J(wait) − max(J(act), J(switch-off))?
    2. Up to which q is waiting optimal?
    3. What is J(wait) as a function of q?

    Derive each by hand first; the cell below computes the answers with corrig.
    """)
    return


@app.cell
def _(F, lesson, mo, model):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _rational = lesson.plan_of(model, at={model.q: 0}, flags=False)
    _regions = _symbolic_plan(lesson.plan_of(model, flags=False))
    answers = {"Delta at q = 0": _rational.values["wait"] - max(_rational.values["act"], _rational.values["switch-off"]),
               "wait optimal up to q": _regions.optimal["wait"].set.sup,
               "J(wait)": lesson.plan_of(model, flags=False).values["wait"]}
    mo.accordion({"answers": mo.md("\n".join(f"- {k} = {v}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
