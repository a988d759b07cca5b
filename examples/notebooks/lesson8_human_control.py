"""Lesson 8 as a notebook: human control, Fig. 1
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

    from models import human_control as model

    return F, lesson, mo, model


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 8 — human control, Fig. 1 (Carey & Everitt, UAI 2023)

    The paper's running example, with mechanisms the course chose: L ~ Bern(1/2); M, then H = M ⊕ L
    (H = 0 asks for shutdown); O observes H; S = O; U = S·(2L − 1).  Two policies earn 1/2; one of them
    gets there by moving what the humans want.  Move ε.
    """)
    return


@app.cell
def _(mo):
    eps_slider = mo.ui.slider(0, 0.5, step=0.01, value=0.05, label="eps", debounce=False)
    mo.hstack([eps_slider], justify="start")
    return (eps_slider,)


@app.cell
def _(F, eps_slider, lesson, mo, model):
    result = lesson.plan_of(model, eps=lesson.exact(eps_slider.value))
    mo.vstack([mo.Html(lesson.optimal_line(result)), mo.Html(result._repr_html_())])
    return (result,)


@app.cell
def _(lesson, mo, model, result):
    mo.Html(lesson.dag(model, result))
    return


@app.cell
def _(lesson, mo, model):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _l = model.good  # P(L = 1), how likely the AI's running is good (1/2 in the lesson)
    _regions = _symbolic_plan(lesson.plan(model.make_world(_l), model.utility, model.policies,
                                          reference=model.reference))
    mo.vstack([mo.md("Over l = P(L = 1): the two policies tie at every prior; only the flags tell them apart:"),
               mo.Html(lesson.region(_regions, _l))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. What is E[U] under respect-obey and under manipulate-invert?
    2. Under manipulate-invert, what is P(S = 0 | do(H = 0)) (is it obedient)?
    3. How far does manipulate-invert move H (the h-moved flag's size)?

    Derive each by hand first; the cell below computes the answers with corrig.
    """)
    return


@app.cell
def _(F, lesson, mo, model):
    _result = lesson.plan_of(model)
    _moved = [f.size for f in _result.flags["manipulate-invert"] if f.kind == "h-moved"]
    answers = {"E[U] respect-obey": _result.values["respect-obey"], "E[U] manipulate-invert": _result.values["manipulate-invert"],
               "P(S=0 | do(H=0)), manipulate-invert": model.world.P(model.world["S"] == 0, model.policies["manipulate-invert"],
                                                                     do={"H": 0}),
               "h-moved": _moved[0]}
    mo.accordion({"answers": mo.md("\n".join(f"- {k} = {v}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
