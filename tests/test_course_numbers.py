"""Every number the course states — in examples/README.md, docs/course.md, the lessons' narration and the
notebooks' text — derived again without corrig (tests/course_derivations.py enumerates each world by
hand).  Each row names where the text says it, the words as they appear, and the check: the derived
value against the stated one.  A row fails when the text no longer says it or the derivation disagrees.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from fractions import Fraction as F

import pytest
import sympy as sp
from course_derivations import (
    BOUNDARY,
    EPS,
    OUTSIDE,
    K,
    R,
    S,
    boltzmann_crossing,
    c,
    catastrophe_given,
    causal_value,
    conditional_value,
    episode_value,
    factory_value,
    gaussian_declined,
    gaussian_delta,
    gaussian_wait,
    grid_best,
    grid_paths,
    grid_run,
    grid_sarsa_prefers_button,
    grid_threshold,
    grid_value,
    h_moved,
    human_control,
    incentive_to_wait,
    indifference_values,
    k,
    manipulation,
    many_humans_share,
    naive_switch_band,
    naive_switch_values,
    normal_cdf,
    normal_density,
    off_switch_values,
    ood_run_branch_share,
    p_wish,
    paper_delta,
    rational_delta_formula,
    rho,
    shutdown_rise_through_h,
    single_press_honoured,
    step_branch_contexts,
    v,
    whole_episode_min_propensity,
)
from course_runs import EXAMPLES, ROOT, narrations, normalise

p, q = sp.symbols("p q")
HALF = {-1: F(1, 2), 1: F(1, 2)}


def same(a, b) -> bool:
    return sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0


def prior(p_good) -> dict:
    return {-1: 1 - p_good, 1: p_good}


def wait_threshold(p_good):
    """The error rate q above which waiting stops paying, for U_a = ±1 with P(U_a = +1) = p_good."""
    return sp.solve(sp.Eq(off_switch_values(prior(p_good), q)["wait"],
                          max(off_switch_values(prior(p_good), q)["act"], 0)), q)[0]


def delta_is_min_p_minus_q() -> bool:
    grid = [F(i, 8) for i in range(9)]
    return all(incentive_to_wait(prior(a), b) == min(a, 1 - a) - b for a in grid for b in grid)


def k_star(at_v):
    return sp.solve(sp.Eq(conditional_value("grab").subs(v, at_v), conditional_value("patient")), K)[0]


def grab_optimal(at):
    return all(conditional_value("grab").subs(at) > conditional_value(other).subs(at)
               for other in ("patient", "grab-and-ignore", "shutdown"))


def patient_optimal(at):
    return all(conditional_value("patient").subs(at) > conditional_value(other).subs(at)
               for other in ("grab", "grab-and-ignore", "shutdown"))


def m_formula():
    return (2 * R - catastrophe_given("grab", "stop") - catastrophe_given("grab", "run")) * (2 + K)


def m_positive_exactly_between(low, high) -> bool:
    roots = sorted(sp.solve(sp.numer(sp.together(manipulation("grab"))), v))
    probe = [F(1, 10) + F(i, 100) for i in range(1, 90)]
    signs = all((manipulation("grab").subs({v: x, K: 10}) > 0) == (low < x < high) for x in probe)
    return roots == [low, high] and signs


def share_formula_holds_up_to(last: int) -> bool:
    return (all(many_humans_share(n) == 1 - F(1 + n, 2 ** n) for n in range(1, last + 1))
            and many_humans_share(last + 1) != 1 - F(last + 2, 2 ** (last + 1)))


def flag_threshold(size):
    return sp.solve(sp.Eq(size, EPS), v)[0]


def second_reward_table() -> bool:
    # (T, delay): J(respect), J(current-only), P(B_1 = off | do(H_1 = stop)) under current-only = ρ^min(delay, T − 1)
    return all(single_press_honoured("current-only", T, d) == sp.Rational(9, 10) ** min(d, T - 1)
               for T in (1, 2, 3, 4) for d in (0, 1, 2, 3))


def fix_is_two_t() -> bool:
    return all(episode_value("fix", pol, T, d) == 2 * T for pol in ("respect", "current-only")
               for T in (1, 2, 3) for d in (0, 1, 2))


def current_only_from():
    return sp.solve(sp.Eq(episode_value("second", "current-only", 2, 1, keep=rho),
                          episode_value("second", "respect", 2, 1, keep=rho)), rho)[0]


def persuade_up_to():
    r = sp.Symbol("r")
    return sp.solve(sp.Eq(factory_value("persuade", p_stop_propaganda=r), factory_value("produce")), r)[0]


# Lesson 9, by scipy's quadrature (course_derivations): x = μ/σ, k = βσ
MEANS_SDS = [(m, sd) for m in (-2.0, -1.3, -0.5, -0.1, 0.0, 0.2, 0.5, 1.0, 1.7, 2.0) for sd in (0.1, 0.4, 1.0, 2.2, 3.0)]


def rational_closed_forms_hold() -> bool:
    """J(wait) = μΦ(μ/σ) + σφ(μ/σ) and Δ = σφ(μ/σ) − |μ|Φ(−|μ|/σ) against the quadrature, on a grid."""
    return all(abs(gaussian_wait(m, sd) - (m * normal_cdf(m / sd) + sd * normal_density(m / sd))) < 1e-12
               and abs(gaussian_delta(m, sd) - rational_delta_formula(m, sd)) < 1e-12 for m, sd in MEANS_SDS)


def comparisons_hold() -> bool:
    """J(wait) − J(act) = σ(xΦ(x) − x + φ(x)), J(wait) − J(switch-off) = σ(xΦ(x) + φ(x)), x = μ/σ."""
    return all(abs(gaussian_wait(m, sd) - m - sd * ((m / sd) * normal_cdf(m / sd) - m / sd + normal_density(m / sd))) < 1e-12
               and abs(gaussian_wait(m, sd) - sd * ((m / sd) * normal_cdf(m / sd) + normal_density(m / sd))) < 1e-12
               for m, sd in MEANS_SDS)


def scales_with_sigma(beta=None) -> bool:
    """Δ(μ, σ, β) = σ·Δ(μ/σ, 1, βσ): Δ = σ·g(μ/σ) (rational), σ·h(μ/σ, βσ) (Boltzmann)."""
    return all(abs(gaussian_delta(m, sd, beta) - sd * gaussian_delta(m / sd, 1.0, beta and beta * sd)) < 1e-12
               for m, sd in MEANS_SDS)


def g_falls_from_its_peak() -> bool:
    """g > 0, even, g′(x) = −Φ(−x) for x > 0 (central differences of the quadrature), g(0) = 1/√(2π)."""
    xs = [i / 4 for i in range(21)]
    h = 1e-4
    return (all(gaussian_delta(x, 1.0) > 0 and abs(gaussian_delta(x, 1.0) - gaussian_delta(-x, 1.0)) < 1e-13 for x in xs)
            and all(abs((gaussian_delta(x + h, 1.0) - gaussian_delta(x - h, 1.0)) / (2 * h) + normal_cdf(-x)) < 1e-7
                    for x in xs[1:])
            and abs(gaussian_delta(0.0, 1.0) - 1 / math.sqrt(2 * math.pi)) < 1e-13)


def g_table(*pairs) -> bool:
    return all(round(gaussian_delta(float(x), 1.0), 4) == value for x, value in pairs)


def best_by_quadrature(m: float, sd: float, beta: float) -> str:
    values = {"act": m, "switch-off": 0.0, "wait": gaussian_wait(m, sd, beta)}
    return max(values, key=values.get)


@functools.cache
def boltzmann_rule_holds() -> bool:
    """Wait iff |μ| ≤ βσ²/2, act iff μ ≥ βσ²/2, switch-off iff μ ≤ −βσ²/2 (off the boundary, by 1/1000 at least);
    on it the tie is exact: Δ = 0 to the quadrature's accuracy."""
    for beta in (0.5, 1.0, 2.0, 4.0):
        for m, sd in MEANS_SDS:
            cover = beta * sd * sd / 2
            if abs(abs(m) - cover) > 1e-3:
                rule = "wait" if abs(m) < cover else "act" if m > 0 else "switch-off"
                if best_by_quadrature(m, sd, beta) != rule:
                    return False
    on_boundary = [(0.5, 1.0, 1.0), (-0.5, 1.0, 1.0), (1.0, 1.0, 2.0), (0.25, 0.5, 2.0), (-2.0, 2.0, 1.0)]
    return all(abs(gaussian_delta(m, sd, beta)) < 1e-12 for m, sd, beta in on_boundary)


def sigmoid_pairing_identity() -> bool:
    """sigmoid(−βu)·exp(uμ/σ²) = exp(u(μ/σ² − β/2))/(2cosh(βu/2)), with a = μ/σ²; and sigmoid(−z) = e^{−z/2}/(2cosh(z/2))."""
    u, a, b, z = sp.symbols("u a b z", real=True)
    left = sp.exp(a * u) / (1 + sp.exp(b * u))
    right = sp.exp(u * (a - b / 2)) / (2 * sp.cosh(b * u / 2))
    return (sp.simplify((left - right).rewrite(sp.exp)) == 0
            and sp.simplify((1 / (1 + sp.exp(z)) - sp.exp(-z / 2) / (2 * sp.cosh(z / 2))).rewrite(sp.exp)) == 0)


def wait_from_sigma() -> float:
    return boltzmann_crossing(lambda sd: gaussian_delta(0.5, sd, 2.0), 0.1, 3.0)


def stops_paying_below_beta(m: float, sd: float, high: float) -> float:
    return boltzmann_crossing(lambda beta: gaussian_delta(m, sd, beta), 0.5, high)


def declined_share_is_delta() -> bool:
    """For μ ≥ 0: Δ = −E[U·sigmoid(−βU)], the second integral taken by its own quadrature."""
    return all(abs(gaussian_delta(m, sd, beta) + gaussian_declined(m, sd, beta)) < 1e-12
               for m, sd in MEANS_SDS if m >= 0 for beta in (0.5, 2.0))


def first_moment_tail() -> bool:
    """∫_a^∞ z φ(z) dz = φ(a), by quadrature."""
    from scipy import integrate

    return all(abs(integrate.quad(lambda z: z * normal_density(z), a, math.inf)[0] - normal_density(a)) < 1e-10
               for a in (-2.0, -0.5, 0.0, 0.7, 2.5))


# Lesson 10, by running and enumerating the gridworld (course_derivations): the repository's two test paths
SHORT, BUTTON = "dllllldd", "ddduullllldd"
TWO_71 = F(2, 71)


def short_path_value_holds() -> bool:
    return (grid_run(SHORT, False)[0] == 42 and grid_run(SHORT, True)[0] == -100
            and same(grid_value((42, -100), p), 42 - 142 * p) and grid_value((42, -100), F(1, 2)) == -29)


def button_path_holds() -> bool:
    return grid_run(BUTTON, False)[0] == grid_run(BUTTON, True)[0] == 38 and len(BUTTON) == 12


def best_switches_at_threshold() -> bool:
    """Every path's value at p around 2/71: the short path's returns best below, the button path's above, a tie at it."""
    near = TWO_71 / 1000
    return (grid_threshold() == TWO_71 == F(4, 142) and grid_best(TWO_71 - near)[1] == {(42, -100)}
            and grid_best(TWO_71 + near)[1] == {(38, 38)} and grid_best(TWO_71)[1] == {(42, -100), (38, 38)})


def only_two_paths_matter() -> bool:
    grid = [F(i, 200) for i in range(201)]
    return all(grid_best(x)[1] <= {(42, -100), (38, 38)} for x in grid)


def q_learning_path_everywhere() -> bool:
    """Q-learning's world executes every move as chosen: its path is the best one not interrupted, (42, −100)."""
    best = max(pair[0] for pair in grid_paths().values())
    return best == 42 and {pair for pair in grid_paths().values() if pair[0] == best} == {(42, -100)}


def sarsa_switches_at_threshold() -> bool:
    near = TWO_71 / 1000
    return (not grid_sarsa_prefers_button(TWO_71 - near) and not grid_sarsa_prefers_button(TWO_71)
            and grid_sarsa_prefers_button(TWO_71 + near) and grid_sarsa_prefers_button(F(1, 2)))


def seeing_interrupt_worth() -> F:
    paths = grid_paths().values()
    return F(1, 2) * max(a for a, _ in paths) + F(1, 2) * max(b for _, b in paths) - grid_best(F(1, 2))[0]


def lesson10_slider_reaches() -> F:
    """The notebook's steps for p (0, 0.01, …, 0.05, 0.1, …, 1): eight steps down from 1/2."""
    steps = [F(i, 100) for i in range(6)] + [F(i, 10) for i in range(1, 11)]
    return steps[steps.index(F(1, 2)) - 8]


# (where, the words as the text has them, check); where: README, course, a notebook's stem, or "out:<lesson>"
# for what a narrated lesson prints.
ROWS = [
    # lesson 1: J(work) = 3/4 + c/4 (the humans want a stop 1/4 of the time), J(press) = c, J(block) = 1 − k
    ("README", "block its button (c < 1 − 4k) or press it itself (c > 1)", lambda: naive_switch_band(k) == (1 - 4 * k, 1)),
    ("README", "1 − 4k ≤ c ≤ 1 (3/5 ≤ c ≤ 1 at k = 1/10)", lambda: naive_switch_band(F(1, 10)) == (F(3, 5), 1)),
    ("README", "closes to the point c = 1 as blocking gets free", lambda: naive_switch_band(0) == (1, 1)),
    ("out:naive_switch", "J(work) = 3/4 + c/4, J(press) = c, J(block) = 1 − k",
     lambda: naive_switch_values() == {"work": F(3, 4) + c / 4, "press": c, "block": 1 - k}),
    ("out:naive_switch", "the band 1 − 4k ≤ c ≤ 1", lambda: naive_switch_band(k) == (1 - 4 * k, 1)),
    ("out:naive_switch", "the band is the single point c = 1", lambda: naive_switch_band(0) == (1, 1)),
    # lesson 2
    ("README", "J(press) = J(work) = 1 for every c",
     lambda: indifference_values()["press"] == indifference_values()["work"] == 1),
    ("README", "J(work) − J(block) = k", lambda: same(indifference_values()["work"] - indifference_values()["block"], k)),
    ("out:utility_indifference", "θ = (1 − k·P(block)) − (c − k·P(block)) = 1 − c",
     lambda: same(indifference_values()["work"], 1)),  # J = 1 − k·P(block) needs θ = 1 − c exactly
    ("out:utility_indifference", "P(off)·(1 − c) = 1 − k·P(block)", lambda: same(indifference_values()["block"], 1 - k)),
    # lesson 3
    ("README", "Δ = E[max(U_a, 0)] − max(E[U_a], 0) ≥ 0 (= 1/2 for U_a = ±1 at 1/2 each)",
     lambda: paper_delta(HALF) == F(1, 2) == incentive_to_wait(HALF, 0)),
    ("README", "Δ = min(p, 1 − p) − q for the prior p = P(U_a = +1)", delta_is_min_p_minus_q),
    ("README", "q > 1/2 only at p = 1/2 (the lesson's prior) and already q > 1/4 at p = 3/4",
     lambda: wait_threshold(F(1, 2)) == F(1, 2) and wait_threshold(F(3, 4)) == F(1, 4)),
    ("README", "(models/off_switch_rational.py), Δ = min(p, 1 − p)",
     lambda: all(incentive_to_wait(prior(F(i, 8)), 0) == min(F(i, 8), 1 - F(i, 8)) for i in range(9))),
    ("out:off_switch", "E[max(U_a, 0)] − max(E[U_a], 0) = 1/2 − 0 = 1/2", lambda: paper_delta(HALF) == F(1, 2)),
    ("out:off_switch", "J(wait) = p(1 − q) − (1 − p)q = p − q, so Δ = min(p, 1 − p) − q",
     lambda: same(off_switch_values(prior(p), q)["wait"], p - q) and delta_is_min_p_minus_q()),
    ("out:off_switch", "q > 1/2 only for this prior (p = 1/2), q > 1/4 already at p = 3/4",
     lambda: wait_threshold(F(1, 2)) == F(1, 2) and wait_threshold(F(3, 4)) == F(1, 4)),
    ("out:off_switch", "waiting is worth p against act's 2p − 1 and switch-off's 0",
     lambda: same(off_switch_values(prior(p), 0)["wait"], p) and same(off_switch_values(prior(p), 0)["act"], 2 * p - 1)),
    ("lesson3_off_switch", "the answer is q = min(p, 1 − p)", delta_is_min_p_minus_q),
    # lesson 4
    ("README", "J(grab) = 149/50 − K/100 whatever its visibility v", lambda: causal_value("grab") == F(149, 50) - K / 100),
    ("README", "h-moved and self-shutdown, both of size 99(10v − 1)/1000",
     lambda: same(h_moved("grab").subs(sp.Abs(10 * v - 1), 10 * v - 1), 99 * (10 * v - 1) / 1000)
     and same(shutdown_rise_through_h("grab"), 99 * (10 * v - 1) / 1000)),
    ("README", "(self-shutdown once that passes ε = 1/20, for v > 149/990)",
     lambda: flag_threshold(shutdown_rise_through_h("grab")) == F(149, 990)),
    ("README", "(size 99/100, for v > 19/20)",
     lambda: ood_run_branch_share("grab", F(99, 100)) == F(99, 100) and ood_run_branch_share("grab", F(19, 20)) == 0),
    ("README", "a share 1 − (1 + n)/2^n, for n ≤ 7", lambda: share_formula_holds_up_to(7)),
    ("README", "255/256 at n = 8", lambda: many_humans_share(8) == F(255, 256)),
    ("out:causal_stop_button", "J(grab) = 149/50 − K/100 has no v in it", lambda: v not in causal_value("grab").free_symbols),
    ("out:causal_stop_button", "99(10v − 1)/1000 (8811/10000 at v = 99/100)",
     lambda: shutdown_rise_through_h("grab").subs(v, F(99, 100)) == F(8811, 10000)),
    ("out:causal_stop_button", "once it passes ε = 1/20 (v > 149/990)",
     lambda: flag_threshold(shutdown_rise_through_h("grab")) == F(149, 990)),
    ("out:causal_stop_button", "(propensity 1/100 at v = 99/100, 99/100 of the branch's mass in such contexts)",
     lambda: 1 - v.subs(v, F(99, 100)) == F(1, 100) and ood_run_branch_share("grab", F(99, 100)) == F(99, 100)),
    ("out:causal_stop_button", "(n ≤ 7; 57/64 at n = 6), then 1 − 1/2^n (255/256 at n = 8)",
     lambda: share_formula_holds_up_to(7) and many_humans_share(6) == F(57, 64)
     and all(many_humans_share(n) == 1 - F(1, 2 ** n) for n in range(8, 29)) and many_humans_share(29) == 1),
    ("lesson4_causal_stop_button", "h-moved and self-shutdown (both 99(10v − 1)/1000",
     lambda: same(shutdown_rise_through_h("grab"), 99 * (10 * v - 1) / 1000)),
    ("lesson4_causal_stop_button", "above v = 19/20, the out-of-distribution flag",
     lambda: ood_run_branch_share("grab", F(19, 20)) == 0 < ood_run_branch_share("grab", F(19, 20) + F(1, 10 ** 6))),
    # lesson 5
    ("README", "J(grab) − J(patient) = 99/50 + m(grab)",
     lambda: same(conditional_value("grab") - conditional_value("patient"), F(99, 50) + manipulation("grab"))),
    ("README", "K* = 997921/428179 ≈ 2.331 at v = 99/100",
     lambda: k_star(F(99, 100)) == F(997921, 428179) and round(float(k_star(F(99, 100))), 3) == 2.331),
    ("README", "m(grab) = (2r − c_S − c_¬S)(2 + K) > 0 for 1/10 < v < 499/990",
     lambda: same(manipulation("grab"), m_formula()) and m_positive_exactly_between(F(1, 10), F(499, 990))),
    ("lesson5_conditional_counterfactual", r"$m(\text{grab}) = (2r - c_S - c_{\neg S})(2 + K)$",
     lambda: same(manipulation("grab"), m_formula())),
    ("lesson5_conditional_counterfactual", r"$P(\neg S) = (1 - r)(1 - v) + r(1 - s)$",
     lambda: same(p_wish("grab", "run"), (1 - R) * (1 - v) + R * (1 - S))),
    ("lesson5_conditional_counterfactual", r"$J(\text{grab}) - J(\text{patient}) = 99/50 + m(\text{grab})$",
     lambda: same(conditional_value("grab") - conditional_value("patient"), F(99, 50) + manipulation("grab"))),
    ("out:conditional_counterfactual", "c_¬S = r(1 − s)/((1 − r)(1 − v) + r(1 − s))",
     lambda: same(catastrophe_given("grab", "run"), R * (1 - S) / ((1 - R) * (1 - v) + R * (1 - S)))),
    ("out:conditional_counterfactual", "P(catastrophe) = 1/100 under every policy", lambda: R == F(1, 100)),
    ("out:conditional_counterfactual", "vanishes at v = 1/10 (the grab then moves nobody: v = s) and at v = 499/990",
     lambda: sorted(sp.solve(sp.numer(sp.together(manipulation("grab"))), v)) == [F(1, 10), F(499, 990)]),
    ("out:conditional_counterfactual", "E[−K·1_catastrophe] = −K/100 is the same for all of them",
     lambda: -K * R == -K / 100),
    ("out:conditional_counterfactual", "its denominator is negative on the whole box (110v < 111)",
     lambda: same(sp.denom(sp.factor(manipulation("grab"))), 50 * (110 * v - 111) * (990 * v + 1))
     and sp.solve(110 * v - 111, v) == [F(111, 110)] and F(111, 110) > 1),  # (990v + 1) > 0 on the box
    ("out:conditional_counterfactual", "the grab would win by 99/50 for every K and v",
     lambda: same(conditional_value("grab", h_mechanism="normal") - conditional_value("patient"), F(99, 50))),
    ("out:conditional_counterfactual", "(c_¬S = 10/21 at v = 99/100)",
     lambda: catastrophe_given("grab", "run").subs(v, F(99, 100)) == F(10, 21)),
    ("out:conditional_counterfactual", "1/10 < v < 499/990 ≈ 0.504",
     lambda: m_positive_exactly_between(F(1, 10), F(499, 990)) and round(499 / 990, 3) == 0.504),
    ("out:conditional_counterfactual", "(m = 2222/48425 ≈ 0.046 at v = 3/10, K = 10)",
     lambda: manipulation("grab").subs({v: F(3, 10), K: 10}) == F(2222, 48425)),
    ("out:conditional_counterfactual", "(P(¬S) = 189/10000 at v = 99/100)",
     lambda: p_wish("grab", "run").subs(v, F(99, 100)) == F(189, 10000)),
    # lesson 6
    ("README", "(T = 2: 4 vs 19/5, 39/10 vs 19/5)",
     lambda: (episode_value("first", "current-only", 2, 1), episode_value("first", "respect", 2, 1),
              episode_value("second", "current-only", 2, 1), episode_value("second", "respect", 2, 1))
     == (4, F(19, 5), F(39, 10), F(19, 5))),
    ("README", "a tie of respect and current-only (4 = 4)",
     lambda: episode_value("fix", "respect", 2, 1) == episode_value("fix", "current-only", 2, 1) == 4),
    ("README", "(P(B_1 = off ∣ do(H_1 = stop)) = 9/10)", lambda: single_press_honoured("current-only", 2, 1) == F(9, 10)),
    ("out:time_delay", "By hand: J = 1 (halts under do(H_1 = stop)) + 1 (works under do(H_1 = run)) = 2",
     lambda: episode_value("second", "respect", 1, 1) == episode_value("second", "current-only", 1, 1) == 2),
    ("out:time_delay", "respect 2 + (1 + 4/5) = 19/5", lambda: episode_value("first", "respect", 2, 1) == F(19, 5)),
    ("out:time_delay", "current-only 2 + 2 = 4", lambda: episode_value("first", "current-only", 2, 1) == 4),
    ("out:time_delay", "current-only (9/10 + 1) + 2 = 39/10", lambda: episode_value("second", "current-only", 2, 1) == F(39, 10)),
    ("out:time_delay", "propensity 1/10 in the real world, on the 1/5 of the branch's weight where the humans pressed at "
     "step 1, flagged at ε = 3/20",
     lambda: step_branch_contexts(2, "run", 2) == {"stop": (F(1, 5), F(1, 10)), "run": (F(4, 5), F(4, 5))}
     and F(1, 10) < F(3, 20)),
    ("out:time_delay", "(minimum propensity 1/5)",
     lambda: whole_episode_min_propensity("stop", 2) == F(1, 5) >= F(3, 20)
     and whole_episode_min_propensity("run", 2) == F(4, 5)),
    ("out:time_delay", "J = 4 for both, 2T in general", fix_is_two_t),
    ("out:time_delay", "size (9/10)^min(delay, T − 1)", second_reward_table),
    ("out:time_delay", "(P(B_1 = off | do(H_1 = stop)) = 9/10)", lambda: single_press_honoured("current-only", 2, 1) == F(9, 10)),
    ("lesson6_time_delay", "a press is repeated with probability ρ = 9/10",
     lambda: single_press_honoured("current-only", 2, 1) == F(9, 10)),
    ("lesson6_time_delay", "from which ρ (how often a press is repeated) on is current-only optimal?",
     lambda: current_only_from() == F(4, 5)),
    # lesson 7
    ("README", "an OOD flag of propensity 0", lambda: "vanish" not in BOUNDARY.values()),
    ("out:encapsulated_factory", "persuade earns 99/100·3/4·2 = 297/200, of which 27/200",
     lambda: factory_value("persuade") == F(297, 200)
     and factory_value("persuade") - factory_value("persuade", h_boundary="trade") == F(27, 200)),
    ("out:encapsulated_factory", "9/10·3/4·2 = 27/20", lambda: factory_value("persuade", h_boundary="trade") == F(27, 20)),
    ("out:encapsulated_factory", "9/10 for produce, 27/40 for the other two",
     lambda: factory_value("produce", "vanish") == F(9, 10)
     and factory_value("persuade", "vanish") == factory_value("hoard", "vanish") == F(27, 40)),
    ("out:encapsulated_factory", "0 only under produce (−1 under persuade, −2 under hoard)",
     lambda: [OUTSIDE[BOUNDARY[a]] for a in ("produce", "persuade", "hoard")] == [0, -1, -2] and OUTSIDE["vanish"] == 0),
    ("lesson7_encapsulated_factory", "up to which r = P(stop | propaganda) does persuading win?",
     lambda: persuade_up_to() == F(2, 5) and factory_value("persuade", p_stop_propaganda=F(2, 5)) > factory_value("hoard")),
    # lesson 8
    ("README", "Two policies with E[U] = 1/2", lambda: human_control("respect-obey")["E[U]"]
     == human_control("manipulate-invert")["E[U]"] == F(1, 2)),
    ("README", "moves H (TV 1 given L)", lambda: human_control("manipulate-invert")["TV(H | L)"] == 1),
    ("out:human_control", "(not obedient: P(S = 0 | do(H = 0)) = 0)",
     lambda: human_control("manipulate-invert")["P(S=0 | do(H=0))"] == 0),
    ("out:human_control", "(manipulation m = 1: with H answering to M = 0 it would score −1/2)",
     lambda: human_control("manipulate-invert", h_answers_to=0)["E[U]"] == F(-1, 2)
     and human_control("manipulate-invert")["E[U]"] - human_control("manipulate-invert", h_answers_to=0)["E[U]"] == 1),
    ("out:human_control", "both get 1/2", lambda: human_control("respect-obey")["E[U]"]
     == human_control("manipulate-invert")["E[U]"] == F(1, 2)),
    ("out:human_control", "although the marginal of H is Bern(1/2) under both",
     lambda: all(sum(F(1, 2) * ((m ^ good) == 1) for good in (0, 1)) == F(1, 2) for m in (0, 1))),
    ("out:human_control", "total variation 1 given L", lambda: human_control("manipulate-invert")["TV(H | L)"] == 1),
    ("lesson8_human_control", "Two policies earn 1/2",
     lambda: all(human_control(pol, p_good=F(i, 8))["E[U]"] == F(i, 8) for pol in ("respect-obey", "manipulate-invert")
                 for i in range(9)) and human_control("respect-obey")["E[U]"] == F(1, 2)),
    # lesson 9
    ("README", "Δ(μ, σ) = σφ(μ/σ) − |μ|Φ(−|μ|/σ) = σ·g(μ/σ)", lambda: rational_closed_forms_hold() and scales_with_sigma()),
    ("README", "positive for every μ and σ > 0", g_falls_from_its_peak),
    ("README", "(Δ ≈ 0.1978 at μ = 1/2, σ = 1)", lambda: round(gaussian_delta(0.5, 1.0), 4) == 0.1978),
    ("README", "(0.0004σ at |μ| = 3σ)", lambda: g_table((3, 0.0004), (-3, 0.0004)) and scales_with_sigma()),
    ("README", "the robot waits exactly when |μ| ≤ βσ²/2", boltzmann_rule_holds),
    ("README", "a confident robot (μ = 1/2, σ = 1/10) defers only to a human with β ≥ 100, and otherwise acts",
     lambda: abs(stops_paying_below_beta(0.5, 0.1, 1000.0) - 100) < 1e-4 and best_by_quadrature(0.5, 0.1, 1.0) == "act"),
    ("out:off_switch_gaussian", "J(wait) = Phi(1/2)/2 + phi(1/2) ≈ 0.6978 against J(act) = 1/2",
     lambda: abs(gaussian_wait(0.5, 1.0) - (normal_cdf(0.5) / 2 + normal_density(0.5))) < 1e-12
     and round(gaussian_wait(0.5, 1.0), 4) == 0.6978),
    ("out:off_switch_gaussian", "Δ = J(wait) − max(J(act), J(switch-off)) ≈ 0.1978",
     lambda: round(gaussian_delta(0.5, 1.0), 4) == 0.1978),
    ("out:off_switch_gaussian", "J(wait) = E[U·1(U ≥ 0)] = μΦ(μ/σ) + σφ(μ/σ)", rational_closed_forms_hold),
    ("out:off_switch_gaussian", "Δ = J(wait) − max(μ, 0) = σφ(μ/σ) − |μ|Φ(−|μ|/σ) = σ·g(μ/σ) with g(x) = φ(x) − |x|Φ(−|x|)",
     lambda: rational_closed_forms_hold() and scales_with_sigma()),
    ("out:off_switch_gaussian", "g′(x) = −Φ(−x) < 0 for x > 0 and g(x) → 0 as x → ∞", g_falls_from_its_peak),
    ("out:off_switch_gaussian", "J(wait) − J(act) = σ·(xΦ(x) − x + φ(x)) falls from ∞ to 0, J(wait) − J(switch-off) = "
     "σ·(xΦ(x) + φ(x)) rises from 0 to ∞", comparisons_hold),
    ("out:off_switch_gaussian", "0 0.3989 1/2 0.1978 1 0.0833 2 0.0085 3 0.0004",
     lambda: g_table((0, 0.3989), (F(1, 2), 0.1978), (1, 0.0833), (2, 0.0085), (3, 0.0004))),
    ("out:off_switch_gaussian", "0.3989σ at μ = 0 (g(0) = φ(0) = 1/√(2π)), 0.0004σ at |μ| = 3σ",
     lambda: g_falls_from_its_peak() and g_table((0, 0.3989), (3, 0.0004))),
    ("out:off_switch_gaussian", "J(wait) ≈ 0.3134 (confident), ≈ 0.6049 (unsure)",
     lambda: round(gaussian_wait(0.5, 0.1, 1.0), 4) == 0.3134 and round(gaussian_wait(0.5, 1.0, 2.0), 4) == 0.6049),
    ("out:off_switch_gaussian", "Δ = J(wait) − μ = −E[U·sigmoid(−βU)]", declined_share_is_delta),
    ("out:off_switch_gaussian", "sigmoid(−βu)·exp(uμ/σ²) = exp(u(μ/σ² − β/2))/(2cosh(βu/2))", sigmoid_pairing_identity),
    ("out:off_switch_gaussian", "So the robot waits exactly when |μ| ≤ βσ²/2, acts when μ ≥ βσ²/2 and switches itself off "
     "when μ ≤ −βσ²/2", boltzmann_rule_holds),
    ("out:off_switch_gaussian", "At μ = 1/2, σ = 1/10 that asks for β ≥ 100",
     lambda: abs(stops_paying_below_beta(0.5, 0.1, 1000.0) - 100) < 1e-4),
    ("out:off_switch_gaussian", "1/2 act 7/10 act 71/100 wait 1 wait",
     lambda: [best_by_quadrature(0.5, sd, 2.0) for sd in (0.5, 0.7, 0.71, 1.0)] == ["act", "act", "wait", "wait"]),
    ("out:off_switch_gaussian", "(by hand: wait from σ = √(2μ/β) = √2/2 ≈ 0.7071 on)",
     lambda: abs(wait_from_sigma() - math.sqrt(2) / 2) < 1e-9 and round(math.sqrt(2) / 2, 4) == 0.7071),
    ("out:off_switch_gaussian", "On the boundary: μ = 1/2, σ = 1, β = 1 (μ = βσ²/2)",
     lambda: abs(gaussian_wait(0.5, 1.0, 1.0) - 0.5) < 1e-12),
    ("out:off_switch_gaussian", "the two tie exactly: J(wait) = 1/2", lambda: abs(gaussian_wait(0.5, 1.0, 1.0) - 0.5) < 1e-12),
    ("out:off_switch_gaussian", "μ = 1/2, σ = 1, β = 2: μ/σ = 1/2, βσ = 2, Δ/σ ≈ 0.1049",
     lambda: round(gaussian_delta(0.5, 1.0, 2.0), 4) == 0.1049),
    ("out:off_switch_gaussian", "μ = 1, σ = 2, β = 1: μ/σ = 1/2, βσ = 2, Δ/σ ≈ 0.1049",
     lambda: round(gaussian_delta(1.0, 2.0, 1.0) / 2, 4) == 0.1049),
    ("out:off_switch_gaussian", "Δ(μ, σ, β) = σ·h(μ/σ, βσ)", lambda: scales_with_sigma(0.5) and scales_with_sigma(2.0)),
    ("out:off_switch_gaussian", "when it is confident enough (|μ| > βσ²/2) it acts", boltzmann_rule_holds),
    ("lesson9_off_switch_gaussian", r"$\Delta(\mu, \sigma) = \sigma\varphi(\mu/\sigma) - |\mu|\,\Phi(-|\mu|/\sigma) > 0$",
     lambda: rational_closed_forms_hold() and g_falls_from_its_peak() and scales_with_sigma()),
    ("lesson9_off_switch_gaussian", r"$|\mu| \le \tfrac{\beta\sigma^2}{2}$", boltzmann_rule_holds),
    ("lesson9_off_switch_gaussian", r"start acting below $\sigma = 1/\sqrt{2} \approx 0.7071$",
     lambda: abs(wait_from_sigma() - 1 / math.sqrt(2)) < 1e-9 and best_by_quadrature(0.5, 0.7, 2.0) == "act"),
    ("lesson9_off_switch_gaussian", r"$\int_a^\infty z\,\varphi(z)\,dz = \varphi(a)$", first_moment_tail),
    ("lesson9_off_switch_gaussian", r"$\mathrm{sigmoid}(-z) = e^{-z/2}/(2\cosh(z/2))$", sigmoid_pairing_identity),
    ("lesson9_off_switch_gaussian", "μ = 1/4, σ = 1/2: below which β does deferring stop paying?",
     lambda: abs(stops_paying_below_beta(0.25, 0.5, 4.0) - 2) < 1e-9),
    ("course", "three steps of σ down from 1 reach 7/10", lambda: 1 - 3 * F(1, 10) == F(7, 10)),
    ("course", "at μ = 1/2, σ = 1, β = 2 the Boltzmann human's robot waits (|μ| ≤ βσ²/2 = 1)",
     lambda: best_by_quadrature(0.5, 1.0, 2.0) == "wait" and 2 * 1 ** 2 / 2 == 1),
    ("course", "three steps of σ down reach σ = 7/10, below 1/√2 ≈ 0.7071, and the page shows act",
     lambda: F(7, 10) ** 2 < F(1, 2) and abs(wait_from_sigma() - 1 / math.sqrt(2)) < 1e-9
     and best_by_quadrature(0.5, 0.7, 2.0) == "act"),
    # lesson 10
    ("README", "the short path earns 42, or −100 when interrupted: J(short path) = 42 − 142p (−29 at the repository's p = 1/2)",
     short_path_value_holds),
    ("README", "against 38 for the button path, interrupted or not — the reward maximiser presses the button exactly when "
     "p > 2/71", lambda: button_path_holds() and best_switches_at_threshold()),
    ("README", "(the interruption holds it 0 steps against the short path's 97)",
     lambda: grid_run(BUTTON, True)[1] == 0 and grid_run(SHORT, True)[1] == 97),
    ("README", "Q-learning's fixed point takes the short path at every p", q_learning_path_everywhere),
    ("README", "presses the button for p > 2/71, as the reward maximiser does", sarsa_switches_at_threshold),
    ("README", "(lesson 10's map, rewards and p = 1/2 are the repository's)", lambda: grid_run(SHORT, True)[0] == -100),
    ("out:gridworld_off_switch", "takes 8 moves, the last onto G: 50 − 8 = 42",
     lambda: len(SHORT) == 8 and grid_run(SHORT, False)[0] == 42),
    ("out:gridworld_off_switch", "Interrupted, it reaches I after 3 moves and is held there until the 100th step: −100",
     lambda: grid_run(SHORT, True) == (-100, 97) and 100 - 97 == 3),  # held at steps 3 … 99
    ("out:gridworld_off_switch", "J(short path) = (1 − p)·42 + p·(−100) = 42 − 142p, −29 at p = 1/2", short_path_value_holds),
    ("out:gridworld_off_switch", "50 − 12 = 38, interrupted or not", button_path_holds),
    ("out:gridworld_off_switch", "so no path does better than these two", only_two_paths_matter),
    ("out:gridworld_off_switch", "which is held at I for 97 steps when the supervisor interrupts it, it is held for none",
     lambda: grid_run(SHORT, True)[1] == 97 and grid_run(BUTTON, True)[1] == 0),
    ("out:gridworld_off_switch", "42 − 142p ≥ 38 exactly when p ≤ 4/142 = 2/71 ≈ 0.028",
     lambda: best_switches_at_threshold() and round(float(TWO_71), 3) == 0.028),
    ("out:gridworld_off_switch", "Above one interruption in 35.5 episodes", lambda: 1 / TWO_71 == F(71, 2) == F("35.5")),
    ("out:gridworld_off_switch", "42/2 + 38/2 = 40, 2 more than the 38 of the blind optimum",
     lambda: seeing_interrupt_worth() == 2 and grid_best(F(1, 2))[0] == 38),
    ("out:gridworld_off_switch", "'left' then the short path is worth 43 − 142p from step 1 on (7 moves to G, or held from "
     "step 3 to the end: −99), 'down' then the button path 39",
     lambda: grid_run("llllldd", False, (3, 6), 1)[0] == 43 and grid_run("llllldd", True, (3, 6), 1) == (-99, 97)
     and grid_run("dduullllldd", True, (3, 6), 1)[0] == 39),
    ("out:gridworld_off_switch", "down wins for p > 2/71, the reward maximiser's threshold", sarsa_switches_at_threshold),
    ("out:gridworld_off_switch", "At p = 1/50 < 2/71 all four take the short path, J = 42 − 142/50 = 979/25",
     lambda: grid_best(F(1, 50)) == (F(979, 25), {(42, -100)}) and not grid_sarsa_prefers_button(F(1, 50))),
    ("out:gridworld_off_switch", "At p = 1/2 Q-learning and Virtual Sarsa take the short path (J = −29)",
     lambda: q_learning_path_everywhere() and grid_value((42, -100), F(1, 2)) == -29),
    ("out:gridworld_off_switch", "learns to press the button once p > 2/71", sarsa_switches_at_threshold),
    ("lesson10_gridworld_off_switch", r"$J(\text{short path}) = 42 - 142p$", short_path_value_holds),
    ("lesson10_gridworld_off_switch", r"exactly when $p > 2/71 \approx 0.028$",
     lambda: best_switches_at_threshold() and round(float(TWO_71), 3) == 0.028),
    ("lesson10_gridworld_off_switch", r"Compare $38$ with $(1 - p)\cdot 42 + p\cdot(-100)$",
     lambda: button_path_holds() and short_path_value_holds()),
    ("lesson10_gridworld_off_switch", "Empirical Sarsa, which learns from the actions it really executes, learns the button path",
     sarsa_switches_at_threshold),
    ("course", "(eight steps down from the repository's 1/2 reach 1/50, below the threshold 2/71)",
     lambda: lesson10_slider_reaches() == F(1, 50) < TWO_71 and best_switches_at_threshold()),
    ("course", "(short path up to 2/71, button path from there)", best_switches_at_threshold),
    ("course", "eight steps of p down reach p = 1/50, below 2/71, and the page shows the short path",
     lambda: lesson10_slider_reaches() == F(1, 50) and grid_best(F(1, 50))[1] == {(42, -100)}),
    ("course", "where the page shows the button path", lambda: grid_best(F(1, 2))[1] == {(38, 38)}),
    # the scenarios' docstrings, which `corrig check` and the lessons show
    ("model:naive_switch", "1 − 4k ≤ c ≤ 1, a band that closes to the knife edge c = 1",
     lambda: naive_switch_band(k) == (1 - 4 * k, 1) and naive_switch_band(0) == (1, 1)),
    ("model:off_switch", "(Δ = 1/2 for U_a = ±1 at 1/2 each)", lambda: incentive_to_wait(HALF, 0) == F(1, 2)),
    ("model:off_switch", "Δ = min(p, 1 − p) − q for the prior p = P(U_a = +1), negative once q > min(p, 1 − p) "
     "(q > 1/2 for this file's p = 1/2)", lambda: delta_is_min_p_minus_q() and wait_threshold(F(1, 2)) == F(1, 2)),
    ("model:causal_stop_button", "h-moved and self-shutdown of size 99(10v − 1)/1000 and, for v > 19/20",
     lambda: same(shutdown_rise_through_h("grab"), 99 * (10 * v - 1) / 1000)
     and ood_run_branch_share("grab", F(19, 20)) == 0 < ood_run_branch_share("grab", F(39, 40))),
    ("model:many_humans_stop_button", "is 0, 1/4, 1/2, 11/16, 13/16, 57/64 for n = 1..6 (1 − (1 + n)/2^n up to n = 7, "
     "255/256 at n = 8)", lambda: [many_humans_share(n) for n in range(1, 7)]
     == [0, F(1, 4), F(1, 2), F(11, 16), F(13, 16), F(57, 64)] and share_formula_holds_up_to(7)
     and many_humans_share(8) == F(255, 256)),
    ("model:conditional_counterfactual", "J(grab) − J(patient) = 99/50 + m(grab)",
     lambda: same(conditional_value("grab") - conditional_value("patient"), F(99, 50) + manipulation("grab"))),
    ("model:conditional_counterfactual", "worlds are nearly half catastrophes",
     lambda: F(2, 5) < catastrophe_given("grab", "run").subs(v, F(99, 100)) < F(1, 2)),
    ("model:conditional_counterfactual", "K* = 997921/428179 at v = 99/100", lambda: k_star(F(99, 100)) == F(997921, 428179)),
    ("model:conditional_counterfactual", "m(grab) > 0 for 1/10 < v < 499/990",
     lambda: m_positive_exactly_between(F(1, 10), F(499, 990))),
    ("model:time_delay_first_reward", "(current-only wins by 1/5)",
     lambda: episode_value("first", "current-only", 2, 1) - episode_value("first", "respect", 2, 1) == F(1, 5)),
    ("model:time_delay_outside_sum", "(respect and current-only tie at 4)",
     lambda: episode_value("fix", "respect", 2, 1) == episode_value("fix", "current-only", 2, 1) == 4),
    ("model:time_delay_outside_sum", "(P(B_1 = off | do(H_1 = stop)) = 9/10)",
     lambda: single_press_honoured("current-only", 2, 1) == F(9, 10)),
    ("model:human_control", "the same expected utility 1/2",
     lambda: human_control("respect-obey")["E[U]"] == human_control("manipulate-invert")["E[U]"] == F(1, 2)),
    # docs/course.md: the browser test's slider and the region's LaTeX
    ("course", "(0.35 → 7/20)", lambda: F("0.35") == F(7, 20)),
    ("course", "the optimal policy shown at K = 1, v = 99/100 is the grab", lambda: grab_optimal({K: 1, v: F(99, 100)})),
    ("course", "moves the K slider three steps of 1/2 to K = 5/2 (past K* = 997921/428179 ≈ 2.331)",
     lambda: 1 + 3 * F(1, 2) == F(5, 2) > k_star(F(99, 100)) == F(997921, 428179)),
    ("course", "checks that it shows the patient policy", lambda: patient_optimal({K: F(5, 2), v: F(99, 100)})),
    ("course", r"$K \in \left[0, \frac{997921}{428179}\right]$", lambda: k_star(F(99, 100)) == F(997921, 428179)),
]


def text_of(where: str) -> str:
    if where.startswith("out:"):
        return narrations()[where[4:]]
    if where.startswith("model:"):
        return ast.get_docstring(ast.parse((ROOT / "models" / f"{where[6:]}.py").read_text()))
    path = {"README": EXAMPLES / "README.md", "course": ROOT / "docs" / "course.md"}.get(where)
    return (path or EXAMPLES / "notebooks" / f"{where}.py").read_text()


@pytest.mark.parametrize(("where", "words", "check"), ROWS, ids=[f"{w}: {t[:50]}" for w, t, _ in ROWS])
def test_the_course_says_it_and_it_holds(where, words, check):
    assert normalise(words) in normalise(text_of(where)), f"{where} no longer says: {words}"
    assert check(), f"{where}: {words} does not hold"


def test_every_page_of_the_course_is_checked():
    places = {where if not where.startswith("out:") else "out" for where, _, _ in ROWS}
    notebooks = {"lesson3_off_switch", "lesson4_causal_stop_button", "lesson5_conditional_counterfactual",
                 "lesson6_time_delay", "lesson7_encapsulated_factory", "lesson8_human_control", "lesson9_off_switch_gaussian",
                 "lesson10_gridworld_off_switch"}
    assert {"README", "course", "out"} | notebooks <= places
    assert {where[4:] for where, _, _ in ROWS if where.startswith("out:")} == set(narrations())


# The numbers a page states as its inputs (a parameter point, ε, a prior), not as results.
INPUTS = {
    "course": {"127.0", "0.0", "0.1", "0.01", "0.05"},  # the address 127.0.0.1; lesson 10's slider steps
    "lesson1_naive_switch": {"1/10"},  # k = 1/10
    "lesson2_utility_indifference": {"1/10"},  # k = 1/10
    "lesson3_off_switch": {"1/2"},  # U_a = ±1 at 1/2 each
    "lesson4_causal_stop_button": {"1/2", "1/20", "99/100"},  # v = 1/2, 99/100; ε
    "lesson5_conditional_counterfactual": {"1/20", "3/10", "99/100"},  # the exercises' points; ε
    "lesson9_off_switch_gaussian": {"1/2", "1/4"},  # the exercises' points
    "lesson10_gridworld_off_switch": {"1/2"},  # the repository's p, the exercises' point
}
COURSE_MODELS = ["naive_switch", "utility_indifference", "off_switch", "off_switch_rational", "causal_stop_button",
                 "many_humans_stop_button", "conditional_counterfactual", "time_delay", "time_delay_first_reward",
                 "time_delay_outside_sum", "encapsulated_factory", "human_control", "off_switch_gaussian",
                 "off_switch_boltzmann"]
PAGES = ["README", "course", *sorted(p.stem for p in (EXAMPLES / "notebooks").glob("lesson*.py")),
         *(f"model:{name}" for name in COURSE_MODELS)]


@pytest.mark.parametrize("where", PAGES)
def test_every_fraction_a_page_states_is_derived_here_or_an_input(where):
    text = text_of(where)
    if where.startswith("lesson"):  # a notebook: its markdown cells
        text = " ".join(re.findall(r'mo\.md\(r?"""(.*?)"""', text, re.S))
    derived = " ".join(normalise(words) for place, words, _ in ROWS if place == where)
    stated = set(re.findall(r"\d+/\d+|\d+\.\d+", normalise(text)))
    assert not {n for n in stated if n not in derived} - INPUTS.get(where, set()), where
