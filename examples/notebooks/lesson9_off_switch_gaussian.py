"""Lesson 9 as a notebook: the off-switch game with a Gaussian belief
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
    import matplotlib.pyplot as plt
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _lesson as lesson

    from models import off_switch_boltzmann as noisy
    from models import off_switch_gaussian as rational

    return F, lesson, mo, noisy, np, plt, rational


@app.cell
def _(mo):
    mo.md(r"""
    # Lesson 9 — the off-switch game with a Gaussian belief (Hadfield-Menell, Dragan, Abbeel & Russell 2017)

    Lesson 3's game, with the robot's belief about the utility of its action a Normal distribution,
    $U \sim \mathcal{N}(\mu, \sigma^2)$.  Facing a **rational** human, who lets it act exactly when $U \ge 0$,
    waiting is worth $\Delta(\mu, \sigma) = \sigma\varphi(\mu/\sigma) - |\mu|\,\Phi(-|\mu|/\sigma) > 0$ more than
    acting or switching itself off, for every μ and every σ > 0: corrig proves it.  Facing a **Boltzmann**
    human, who lets it act with probability $\mathrm{sigmoid}(\beta U)$, the robot waits exactly when
    $|\mu| \le \tfrac{\beta\sigma^2}{2}$ (the course's own derivation, in the narrated lesson): with μ = 1/2 and
    β = 2, move σ down and watch it start acting below $\sigma = 1/\sqrt{2} \approx 0.7071$ — where acting is
    not obedient.  The table is the Boltzmann human's plan; the line above it compares the rational human.
    """)
    return


@app.cell
def _(mo):
    mu_slider = mo.ui.slider(steps=[round(i / 10, 1) for i in range(-20, 21)], value=0.5, label="μ (expected utility)",
                             debounce=False)
    sigma_slider = mo.ui.slider(steps=[round(i / 10, 1) for i in range(1, 31)], value=1.0,
                                label="σ (the robot's uncertainty)", debounce=False)
    beta_slider = mo.ui.slider(steps=[i / 2 for i in range(1, 9)], value=2.0, label="β (the human's reliability)",
                               debounce=False)
    mo.hstack([mu_slider, sigma_slider, beta_slider], justify="start")
    return beta_slider, mu_slider, sigma_slider


@app.cell
def _(beta_slider, lesson, mo, mu_slider, noisy, rational, sigma_slider):
    mu, sigma, beta = (lesson.exact(s.value) for s in (mu_slider, sigma_slider, beta_slider))
    result = lesson.plan_of(noisy, at={noisy.mu: mu, noisy.sigma: sigma, noisy.beta: beta})
    _rational = lesson.plan_of(rational, at={rational.mu: mu, rational.sigma: sigma}, flags=False).values
    _delta = {"rational": rational.incentive_to_wait(_rational), "Boltzmann": rational.incentive_to_wait(result.values)}
    _cover = beta * sigma ** 2 / 2
    _rule = "waits" if abs(mu) < _cover else "ties" if abs(mu) == _cover else "acts" if mu > 0 else "switches itself off"
    mo.vstack([
        mo.Html(lesson.optimal_line(result)),
        mo.md(f"μ = {mu}, σ = {sigma}, β = {beta}.  Boltzmann human: Δ ≈ {lesson.fast_value(_delta['Boltzmann'], {})[0]:.4f}; "
              f"|μ| = {abs(mu)} against βσ²/2 = {_cover}, so by hand the robot {_rule}.  Rational human at the same "
              f"μ and σ: J(wait) = {_rational['wait']}, Δ ≈ {lesson.fast_value(_delta['rational'], {})[0]:.4f} > 0."),
        mo.Html(result._repr_html_()),
    ])
    return (result,)


@app.cell
def _(lesson, mo, noisy, result):
    mo.Html(lesson.dag(noisy, result))
    return


@app.cell
def _(beta_slider, lesson, mo, noisy, np, plt):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _beta = lesson.exact(beta_slider.value)
    _fig, _ax = plt.subplots(figsize=(6.5, 4.8))
    lesson.region_plot(_symbolic_plan(lesson.plan_of(noisy, at={noisy.beta: _beta})), x=noisy.mu, y=noisy.sigma,
                       at=None, ax=_ax, resolution=40, title=f"Boltzmann human, β = {_beta}: the optimal policy")
    _m = np.linspace(-2, 2, 401)
    _ax.plot(_m, np.sqrt(2 * np.abs(_m) / float(_beta)), "k--", lw=1.2)
    _ax.set_ylim(0.1, 3)
    mo.vstack([mo.md("Where each policy is optimal over (μ, σ) for the Boltzmann human, corrig's values by quadrature "
                     "on a grid; dashed, the boundary derived by hand, σ = √(2|μ|/β):"), mo.Html(lesson.svg(_fig))])
    return


@app.cell
def _(lesson, mo, rational):
    from corrig.analysis.symbolic import symbolic_plan as _symbolic_plan

    _regions = _symbolic_plan(lesson.plan_of(rational))
    mo.vstack([mo.md("The rational human: wait is optimal on the whole box, proved (not sampled):"),
               mo.Html(lesson.region(_regions, rational.mu, rational.sigma, resolution=40))])
    return


@app.cell
def _(F, lesson, mo, noisy, np, plt, rational):
    _x = np.linspace(-2, 2, 81)
    _fig, _ax = plt.subplots(figsize=(7, 4.2))
    _unit = rational.incentive_to_wait(lesson.plan_of(rational, at={rational.sigma: 1}, flags=False).values)
    _ax.plot(_x, [lesson.fast_value(_unit, {rational.mu: x})[0] for x in _x], "k", lw=2, label="rational human")
    for _k, _style in zip((F(1, 2), 1, 2, 4), ("-", "--", "-.", ":"), strict=True):
        _values = lesson.plan_of(noisy, at={noisy.sigma: 1, noisy.beta: _k}, flags=False).values
        _delta = rational.incentive_to_wait(_values)
        _ax.plot(_x, [lesson.fast_value(_delta, {noisy.mu: x})[0] for x in _x], _style, label=f"Boltzmann, βσ = {_k}")
    _ax.axhline(0, color="grey", lw=0.8)
    _ax.set_xlabel("μ/σ")
    _ax.set_ylabel("Δ/σ")
    _ax.legend()
    mo.vstack([mo.md("The incentive to wait per unit of σ, Δ/σ, against μ/σ — it depends on nothing else but βσ "
                     "(corrig's values at σ = 1; the Boltzmann curves cross zero at μ/σ = ±βσ/2):"),
               mo.Html(lesson.svg(_fig))])
    return


@app.cell
def _(mo):
    mo.md(r"""
    ## Exercises

    1. Rational human, μ = 1/2, σ = 1: what is the incentive to wait Δ, exactly and to four decimals?
    2. Show that $\Delta(\mu, \sigma) = \sigma\, g(\mu/\sigma)$ for a function $g$ of one variable, and find $g(0)$,
       the largest incentive per unit of σ.
    3. Boltzmann human, β = 2, μ = 1/2: from which σ on does the robot wait?
    4. Boltzmann human, μ = 1/4, σ = 1/2: below which β does deferring stop paying?

    Derive them by hand first (hints: $\int_a^\infty z\,\varphi(z)\,dz = \varphi(a)$; for the Boltzmann human,
    write the Normal density as $\varphi_\sigma(u)\,e^{u\mu/\sigma^2 - \mu^2/(2\sigma^2)}$, use
    $\mathrm{sigmoid}(-z) = e^{-z/2}/(2\cosh(z/2))$ and pair $u$ with $-u$); the cell below computes them with
    corrig — the last two by bisection on its quadrature.
    """)
    return


@app.cell
def _(F, lesson, mo, noisy, rational):
    _here = lesson.plan_of(rational, at={rational.mu: F(1, 2), rational.sigma: 1}, flags=False)
    _unit = rational.incentive_to_wait(lesson.plan_of(rational, at={rational.sigma: 1}, flags=False).values)
    _sigma_free = lesson.plan_of(noisy, at={noisy.mu: F(1, 2), noisy.beta: 2}, flags=False).values
    _beta_free = lesson.plan_of(noisy, at={noisy.mu: F(1, 4), noisy.sigma: F(1, 2)}, flags=False).values
    answers = {
        "Delta at mu = 1/2, sigma = 1": rational.incentive_to_wait(_here.values),
        "g(x), x = mu": _unit,
        "g(0)": _unit.subs(rational.mu, 0),
        "wait from sigma, beta = 2, mu = 1/2": lesson.crossing(_sigma_free["wait"] - _sigma_free["act"], noisy.sigma, 0.1, 3),
        "deferring stops paying below beta, mu = 1/4, sigma = 1/2":
            lesson.crossing(_beta_free["wait"] - _beta_free["act"], noisy.beta, 0.5, 4),
    }
    _shown = [f"- {k} = {v}" + ("" if k.startswith("g(x)") else f" ≈ {lesson.fast_value(v, {})[0]:.4f}")
              for k, v in answers.items()]
    mo.accordion({"answers": mo.md("\n".join(_shown))})
    return (answers,)


if __name__ == "__main__":
    app.run()
