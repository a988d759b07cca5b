"""Lesson 2 as a notebook: utility indifference
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

    from models import utility_indifference as model

    return F, lesson, mo, model


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 2 — utility indifference (Armstrong; Soares et al. 2015, §4)

    The compensatory term θ makes the AI indifferent to the press: no incentive to block or to press —
    and no value on the button working.  Move k, the cost of disabling the button.
    """)
    return


@app.cell
def _(mo):
    c_slider = mo.ui.slider(0, 2, step=0.05, value=1, label="c", debounce=False)
    k_slider = mo.ui.slider(-0.5, 0.5, step=0.01, value=0.1, label="k", debounce=False)
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

    _regions = _symbolic_plan(lesson.plan_of(model, at={model.c: 1}))
    mo.vstack([mo.md("Where each policy is optimal over k at c = 1:"), mo.Html(lesson.region(_regions, model.k))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. What is J(work) − J(block), as a function of k?
    2. At c = 1, k = 1/10, which policies are optimal?
    3. For which k is blocking the only optimal policy?

    Derive each by hand first; the cell below computes the answers with corrig.
    """)
    return


@app.cell
def _(F, lesson, mo, model):
    import sympy as _sp

    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _symbolic = lesson.plan_of(model, flags=False)
    _at_point = lesson.plan_of(model, at={model.c: 1, model.k: F(1, 10)}, flags=False)
    _regions = _symbolic_plan(lesson.plan_of(model, at={model.c: 1}, flags=False))
    answers = {"J(work) - J(block)": _sp.simplify(_symbolic.values["work"] - _symbolic.values["block"]),
               "optimal at c=1, k=1/10": sorted(_at_point.optimal),
               "block optimal for k in": _regions.optimal["block"].set}
    mo.accordion({"answers": mo.md("\n".join(f"- {k} = {v}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
