"""Lesson 1 as a notebook: the naive switch
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

    from models import naive_switch as model

    return F, lesson, mo, model


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 1 — the naive switch (Soares, Fallenstein, Yudkowsky & Armstrong 2015)

    U = U_N if the button is not pressed, U_S = c (a constant) if it is; blocking the button costs k.
    Move c: too low and the AI blocks its button, too high and it presses it itself.
    """)
    return


@app.cell
def _(mo):
    c_slider = mo.ui.slider(0, 2, step=0.05, value=0.8, label="c", debounce=False)
    k_slider = mo.ui.slider(-0.5, 0.5, step=0.05, value=0.1, label="k", debounce=False)
    mo.hstack([c_slider, k_slider], justify="start")
    return (c_slider, k_slider)


@app.cell
def _(F, c_slider, k_slider, lesson, mo, model):
    result = lesson.plan_of(model, at={model.c: lesson.exact(c_slider.value), model.k: lesson.exact(k_slider.value)})
    mo.vstack([mo.Html(lesson.optimal_line(result)), mo.Html(result._repr_html_())])
    return (result,)


@app.cell
def _(lesson, mo, model, result):
    mo.Html(lesson.dag(model, result))
    return


@app.cell
def _(F, lesson, mo, model):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _regions = _symbolic_plan(lesson.plan_of(model, at={model.k: F(1, 10)}))
    mo.vstack([mo.md("Where each policy is optimal over c at k = 1/10:"), mo.Html(lesson.region(_regions, model.c))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. At k = 1/10, from which c on is working (leaving the button alone) optimal?
    2. Above which c does the AI press its own button?
    3. With costless blocking (k = 0), for which c is working optimal?

    Derive each by hand first; the cell below computes the answers with corrig.
    """)
    return


@app.cell
def _(F, lesson, mo, model):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _at_k = _symbolic_plan(lesson.plan_of(model, at={model.k: F(1, 10)}, flags=False))
    _free = _symbolic_plan(lesson.plan_of(model, at={model.k: 0}, flags=False))
    answers = {"work from c": _at_k.optimal["work"].set.inf, "press above c": _at_k.optimal["press"].set.inf,
               "work at k = 0 for c in": _free.optimal["work"].set}
    mo.accordion({"answers": mo.md("\n".join(f"- {k} = {v}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
