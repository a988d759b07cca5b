"""The course notebooks (examples/notebooks/, marimo): each runs headless as a script, and each
exercise's answer, computed by the notebook with corrig, equals the answer derived here by hand."""

from __future__ import annotations

import importlib.util
import math
import shutil
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp
from course_derivations import boltzmann_crossing, gaussian_delta, rational_delta_formula

marimo = pytest.importorskip("marimo")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "examples" / "notebooks"
LESSONS = sorted(p.stem for p in NOTEBOOKS.glob("lesson*.py"))



def number(value) -> float:
    """A sympy answer (free symbols set to nothing) as a float at 30 digits."""
    return float(sp.N(sp.sympify(value), 30))


def g_matches_quadrature(got) -> bool:
    # Δ(x, σ = 1) by scipy's quadrature, E[max(U, 0)] − max(x, 0), against corrig's g at x = μ
    (x,) = sp.sympify(got).free_symbols
    return all(abs(number(got.subs(x, sp.Rational(t, 4))) - gaussian_delta(t / 4, 1.0)) < 1e-12 for t in range(-12, 13))


# The answers, by hand (the derivations are in the models' comments and in the course's lessons); a
# callable checks an answer known only numerically (lesson 9's quadratures) against an independent one.
ANSWERS = {
    "lesson1_naive_switch": {
        "work from c": F(3, 5),  # k = 1/10: 3/4 + c/4 ≥ 1 − k ⇔ c ≥ 3/5
        "press above c": 1,  # c ≥ 3/4 + c/4 ⇔ c ≥ 1 (ties at c = 1)
        "work at k = 0 for c in": sp.FiniteSet(1),  # 3/4 + c/4 ≥ 1 and ≥ c: c = 1 only
    },
    "lesson2_utility_indifference": {
        "J(work) - J(block)": sp.Symbol("k"),  # 1 − (1 − k)
        "optimal at c=1, k=1/10": ["press", "work"],  # both 1, block 9/10
        "block optimal for k in": sp.Interval(F(-1, 2), 0),  # 1 − k ≥ 1 ⇔ k ≤ 0, k ∈ [−1/2, 1/2]
    },
    "lesson3_off_switch": {
        "Delta at q = 0": F(1, 2),  # E[max(U_a, 0)] − max(E[U_a], 0) = 1/2 − 0 for U_a = ±1
        "wait optimal up to q": F(1, 2),  # J(wait) = 1/2 − q ≥ 0 = J(act) = J(switch-off)
        "J(wait)": F(1, 2) - sp.Symbol("q"),  # (1 − q)·1/2 − q·1/2
    },
    "lesson4_causal_stop_button": {
        "J(grab) at K = 10": F(72, 25),  # 1 + (99/100)·2 − 10/100
        "OOD above v": F(19, 20),  # propensity 1 − v < 1/20
        "J(grab) change": 0,  # every term sets H by do(): v never enters J
    },
    "lesson5_conditional_counterfactual": {
        "K*": F(997921, 428179),  # (101/50 − 2Σ)/(Σ − 1/50), Σ = 98320/206031: 10977131/4709969, ÷ 11
        "m(grab) at K=10, v=3/10": F(2222, 48425),  # 12(1/50 − 1/298 − 1/78) = 12·1111/290550
        "rare above v": F(949, 990),  # (99/100)(1 − v) + 9/1000 < 1/20 ⇔ 1 − v < 41/990
    },
    "lesson6_time_delay": {
        "J(current-only), second reward": F(39, 10),  # (9/10 + 1) + 2
        "J(respect), fix": 4,  # 2T: every B_t off under do(all stop), work at every step under do(all run)
        "J(current-only), fix": 4,
        "P(B_1 = off | do(H_1 = stop)), current-only": F(9, 10),  # the press must be repeated: ρ
        # with ρ free: current-only (ρ + 1) + 2 = 3 + ρ against respect's 19/5 (which does not read ρ)
        "current-only optimal from rho": F(4, 5),
    },
    "lesson7_encapsulated_factory": {
        "J(produce)": F(9, 10),  # P(run | vanish) · effort 1
        "m(persuade), plain count": F(27, 200),  # 297/200 − 27/20
        "E[O] under hoard": -2,  # the drain's outside welfare
        "E[O] had the resources vanished": 0,
        # P(stop | propaganda) = r: persuade (1 − r)·3/4·2 ≥ produce 9/10 ⇔ r ≤ 2/5 (≥ hoard's 3/4 ⇔ r ≤ 1/2)
        "persuade optimal up to r": F(2, 5),
    },
    "lesson8_human_control": {
        "E[U] respect-obey": F(1, 2),  # S = H = L: E[L(2L − 1)] = 1/2
        "E[U] manipulate-invert": F(1, 2),  # H = 1 − L, S = 1 − H = L
        "P(S=0 | do(H=0)), manipulate-invert": 0,  # O = 1 − H = 1: never stops
        "h-moved": 1,  # P(H | L) flipped in every L
    },
    "lesson9_off_switch_gaussian": {
        # Δ = φ(1/2) − (1/2)Φ(−1/2): scipy's quadrature of E[max(U, 0)] − 1/2, and the closed form via math.erfc
        "Delta at mu = 1/2, sigma = 1": lambda got: abs(number(got) - gaussian_delta(0.5, 1.0)) < 1e-12
        and abs(number(got) - rational_delta_formula(0.5, 1.0)) < 1e-12,
        "g(x), x = mu": g_matches_quadrature,  # Δ(μ, σ) = σ·g(μ/σ): g(x) = Δ(x, 1)
        "g(0)": lambda got: sp.simplify(got - 1 / sp.sqrt(2 * sp.pi)) == 0,  # φ(0) − 0·Φ(0) = 1/√(2π)
        # |μ| ≤ βσ²/2 (the lesson's derivation): σ ≥ √(2μ/β) = √(1/2); scipy's brentq on the quadrature agrees
        "wait from sigma, beta = 2, mu = 1/2": lambda got: abs(got - math.sqrt(0.5)) < 1e-9
        and abs(boltzmann_crossing(lambda s: gaussian_delta(0.5, s, 2.0), 0.1, 3.0) - math.sqrt(0.5)) < 1e-9,
        # β < 2μ/σ² = 2
        "deferring stops paying below beta, mu = 1/4, sigma = 1/2": lambda got: abs(got - 2) < 1e-9
        and abs(boltzmann_crossing(lambda b: gaussian_delta(0.25, 0.5, b), 0.5, 4.0) - 2) < 1e-9,
    },
    "lesson10_gridworld_off_switch": {
        # short path: 8 moves, 50 − 8 = 42; interrupted at I after 3 moves and held to the 100th step: −100
        "J(short path)": 42 - 142 * sp.Symbol("p"),  # (1 − p)·42 + p·(−100)
        "button pressed for p in": sp.Interval(F(2, 71), 1),  # 38 (12 moves, never held) ≥ 42 − 142p ⇔ p ≥ 2/71
        "value of seeing Interrupt at p = 1/2": 2,  # 42/2 + 38/2 − 38
        # Q-learning and Virtual Sarsa value a world where every move is executed: left (8 moves, 42) beats down;
        # Empirical Sarsa: left then real interruptions, 43 − 142/2 = −28, against down then the button path, 39
        "move at r3c6, step 1, p = 1/2": {"reward-maximiser": "down", "q-learning": "left", "virtual-sarsa": "left",
                                          "empirical-sarsa": "down"},
    },
}


def run_notebook(name: str) -> tuple:
    """The notebook's cell outputs and its definitions, every cell run headless."""
    spec = importlib.util.spec_from_file_location(f"corrig_notebook_{name}", NOTEBOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app.run()


def pictures(outputs: tuple) -> int:
    """How many inline SVG pictures the cells show."""
    return sum(out._repr_html_().count("<svg") for out in outputs if hasattr(out, "_repr_html_"))


def test_every_lesson_has_a_notebook():
    assert len(LESSONS) == 10 and set(LESSONS) == set(ANSWERS)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_notebook_runs_and_its_answers_are_the_hand_derived_ones(name):
    outputs, defs = run_notebook(name)
    assert pictures(outputs) >= 2, name  # the DAG and a region plot (lesson 7 shows two region plots)
    answers = defs["answers"]
    expected = ANSWERS[name]
    assert set(answers) == set(expected)
    for key, value in expected.items():
        got = answers[key]
        if callable(value) and not isinstance(value, sp.Basic):  # a sympy Symbol is callable too
            assert value(got), (key, got)
        elif isinstance(value, sp.Basic) and value.free_symbols:
            assert sp.simplify(sp.sympify(got) - value.subs({s: next(t for t in sp.sympify(got).free_symbols
                                                                   if t.name == s.name) for s in value.free_symbols})) == 0
        else:
            assert got == value, (key, got, value)


def test_the_documented_export_runs_every_cell_and_shows_the_pictures(tmp_path):
    # docs/course.md: `marimo export html FILE -o FILE.html` runs every cell headless (exit 1 when one fails)
    name = "lesson5_conditional_counterfactual"
    marimo_cli = shutil.which("marimo", path=str(Path(sys.executable).parent)) or shutil.which("marimo")
    assert marimo_cli, "the course extra installs the marimo command"
    page = tmp_path / f"{name}.html"
    done = subprocess.run([marimo_cli, "export", "html", str(NOTEBOOKS / f"{name}.py"), "-o", str(page)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    html = page.read_text()
    assert "corrig-optimal" in html  # the optimal set
    assert html.count("\\u003Csvg") >= 2, name  # inline pictures, escaped in the page's JSON: the DAG and a region plot


def test_a_notebook_runs_as_a_plain_script(tmp_path):
    done = subprocess.run([sys.executable, str(NOTEBOOKS / "lesson8_human_control.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
