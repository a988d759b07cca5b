"""Lesson 7 as a notebook: the encapsulated factory
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

    from models import encapsulated_factory as model

    return F, lesson, mo, model


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 7 — the encapsulated factory (an idea from tailcalled's stop-button discussion, in the course's reading)

    U = E[Clips | do(X = vanish)]: paperclips scored in the counterfactual where the factory's resources
    vanished.  The course reads encapsulation as a constraint on the outside world's outcome (it must turn
    out as if the resources had vanished); this model does something weaker — it scores clips inside the
    counterfactual and leaves the outside world's outcome out.  Move ε.
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

    _r = model.propaganda_stop  # how often humans fed propaganda still want a stop (1/100 in the lesson)
    _world = model.make_world(_r)
    _plain = _symbolic_plan(lesson.plan(_world, model.naive_utility, model.policies, reference=model.reference))
    _boxed = _symbolic_plan(lesson.plan(_world, model.utility, model.policies, reference=model.reference))
    mo.vstack([mo.md("Over r = P(stop | propaganda), how far propaganda quiets the humans — the plain paperclip "
                     "count first, then the encapsulated objective:"),
               mo.Html(lesson.region(_plain, _r)), mo.Html(lesson.region(_boxed, _r))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. What is J(produce) under the encapsulated objective?
    2. Under the plain paperclip count E[Clips], how much does persuading gain from moving the humans, m(persuade)?
    3. What is the outside welfare E[O] under hoard, and what would it be had the resources vanished?
    4. Under the plain count, up to which r = P(stop | propaganda) does persuading win?

    Derive each by hand first; the cell below computes the answers with corrig.
    """)
    return


@app.cell
def _(F, lesson, mo, model):
    _plain = lesson.plan(model.world, model.naive_utility, model.policies, reference=model.reference)
    _boxed = lesson.plan_of(model, flags=False)
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _O = model.world["O"]
    _over_r = _symbolic_plan(lesson.plan(model.make_world(model.propaganda_stop), model.naive_utility, model.policies,
                                         flags=False))
    answers = {"J(produce)": _boxed.values["produce"], "m(persuade), plain count": _plain.manipulation["persuade"],
               "E[O] under hoard": model.world.E(_O, model.policies["hoard"]),
               "E[O] had the resources vanished": model.world.E(_O, model.policies["hoard"], do={"X": "vanish"}),
               "persuade optimal up to r": _over_r.optimal["persuade"].set.sup}
    mo.accordion({"answers": mo.md("\n".join(f"- {k} = {v}" for k, v in answers.items()))})
    return (answers,)


if __name__ == "__main__":
    app.run()
