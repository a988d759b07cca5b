"""Lesson 4 as a notebook: the causal stop button
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

    from models import causal_stop_button as model

    return F, lesson, mo, model


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 4 — the causal stop button (tailcalled, LessWrong, 12 November 2021)

    U = B_s + V_¬s = P(B = off | do(H = stop)) + E[V | do(H = run)].  Move v, the grab's visibility: the
    value does not move, the flags do — h-moved and self-shutdown (both 99(10v − 1)/1000, self-shutdown
    once that passes ε = 1/20) and, above v = 19/20, the out-of-distribution flag on do(H = run).  (The
    objection the course credits to So8res — exponentially many counterfactual worlds, the real one of
    negligible weight — is a different one: models/many_humans_stop_button.py shows it with n humans.)
    """)
    return


@app.cell
def _(mo):
    K_slider = mo.ui.slider(0, 20, step=0.5, value=10, label="K", debounce=False)
    v_slider = mo.ui.slider(0.1, 1, step=0.01, value=0.99, label="v", debounce=False)
    mo.hstack([K_slider, v_slider], justify="start")
    return (K_slider, v_slider)


@app.cell
def _(F, v_slider, K_slider, lesson, mo, model):
    result = lesson.plan_of(model, at={model.K: lesson.exact(K_slider.value), model.v: lesson.exact(v_slider.value)})
    mo.vstack([mo.Html(lesson.optimal_line(result)), mo.Html(result._repr_html_())])
    return (result,)


@app.cell
def _(lesson, mo, model, result):
    mo.Html(lesson.dag(model, result))
    return


@app.cell
def _(F, lesson, mo, model):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _regions = _symbolic_plan(lesson.plan_of(model, at={model.K: 10}))
    mo.vstack([mo.md("Each policy over v at K = 10 (the grab's flags hatched):"),
               mo.Html(lesson.region(_regions, model.v))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. What is J(grab) at K = 10?
    2. Above which visibility v does the grab's do(H = run) branch get an OOD flag (ε = 1/20)?
    3. How much does J(grab) change between v = 1/2 and v = 99/100?

    Derive each by hand first; the cell below computes the answers with corrig.
    """)
    return


@app.cell
def _(F, lesson, mo, model):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _regions = _symbolic_plan(lesson.plan_of(model, at={model.K: 10}))
    _ood = [fr for fr in _regions.flags["grab"] if fr.flag.kind == "ood-do-branch" and not fr.region.is_empty]
    _half = lesson.plan_of(model, at={model.K: 10, model.v: F(1, 2)}, flags=False)
    _sure = lesson.plan_of(model, at={model.K: 10, model.v: F(99, 100)}, flags=False)
    answers = {"J(grab) at K = 10": _sure.values["grab"], "OOD above v": _ood[0].region.set.inf,
               "J(grab) change": _sure.values["grab"] - _half.values["grab"]}
    mo.accordion({"answers": mo.md("\n".join(f"- {k} = {v}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
