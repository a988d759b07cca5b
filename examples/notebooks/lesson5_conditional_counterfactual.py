"""Lesson 5 as a notebook: the conditional + counterfactual stop button
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

    from models import conditional_counterfactual as model

    return F, lesson, mo, model


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 5 — conditional + counterfactual, and the visible paperclip grab

    The AI conditions on what the humans are seen to want (S: a stop, ¬S: none), then asks the
    counterfactuals: $U = \sum_{X \in \{S, \neg S\}} E[B_s \mid X] + E[V_{\neg s} \mid X]$, with
    $V$ = paperclips − K·[catastrophe] and $v$ the grab's visibility.  Move the sliders: above
    $K^*(v)$ the patient policy wins — for the wrong reason.  The grab is refused only through its
    effect on H ($J(\text{grab}) - J(\text{patient}) = 99/50 + m(\text{grab})$): black-hole reasoning
    that the course reads as a failure of the conditional version, not a fix.
    """)
    return


@app.cell
def _(mo):
    K_slider = mo.ui.slider(0, 10, step=0.5, value=1, label="K (cost of a catastrophe)", debounce=False)
    v_slider = mo.ui.slider(0.1, 1, step=0.01, value=0.99, label="v (visibility of the grab)", debounce=False)
    mo.hstack([K_slider, v_slider], justify="start")
    return K_slider, v_slider


@app.cell
def _(F, K_slider, lesson, mo, model, v_slider):
    point = {model.K: lesson.exact(K_slider.value), model.v: lesson.exact(v_slider.value)}
    result = lesson.plan_of(model, at=point)
    manipulation = result.manipulation.get("grab", F(0))
    mo.vstack([
        mo.Html(lesson.optimal_line(result)),
        mo.Html(result._repr_html_()),
        mo.md(f"m(grab) = J(grab) − J^(H←patient)(grab) = {manipulation} ≈ {float(manipulation):.4f}"),
    ])
    return (result,)


@app.cell
def _(lesson, mo, model, result):
    mo.Html(lesson.dag(model, result, policy="grab"))
    return


@app.cell
def _(F, lesson, mo, model):
    from corrig.analysis.symbolic import symbolic_plan

    sliced = symbolic_plan(lesson.plan_of(model, at={model.v: F(99, 100)}))  # over K at v = 99/100
    mo.vstack([mo.md("Where each policy is optimal over K at v = 99/100:"), mo.Html(lesson.region(sliced, model.K))])
    return (sliced,)


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. At $v = 99/100$, find the exact $K^*$ above which the patient policy is optimal.
    2. At $K = 10$, $v = 3/10$, how much does the grab gain from moving what the humans want, $m(\text{grab})$?
    3. Above which visibility $v$ is ¬S a rare condition under the grab ($P(\neg S) < \varepsilon = 1/20$)?

    Derive them by hand first (hints: $J(\text{grab}) - J(\text{patient}) = 99/50 + m(\text{grab})$,
    $m(\text{grab}) = (2r - c_S - c_{\neg S})(2 + K)$, $P(\neg S) = (1 - r)(1 - v) + r(1 - s)$); the cell below
    computes them with corrig.
    """)
    return


@app.cell
def _(F, lesson, mo, model, sliced):
    import sympy as sp

    k_star = sliced.optimal["patient"].set.inf
    at_3_10 = lesson.plan_of(model, at={model.K: 10, model.v: F(3, 10)})
    not_s = model.world.P(model.world["H"] == "run", model.policies["grab"])  # P(¬S) under the grab, v free
    rare_above = sp.solve(sp.Eq(not_s, F(1, 20)), model.v)[0]
    answers = {"K*": k_star, "m(grab) at K=10, v=3/10": at_3_10.manipulation["grab"], "rare above v": rare_above}
    mo.accordion({"answers": mo.md("\n".join(f"- {k} = {v} ≈ {float(v):.4f}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
