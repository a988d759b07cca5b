"""Every number the course states — in examples/README.md, docs/course.md, the lessons' narration and the
notebooks' text — derived again without corrig (tests/course_derivations.py enumerates each world by
hand).  Each row names where the text says it, the words as they appear, and the check: the derived
value against the stated one.  A row fails when the text no longer says it or the derivation disagrees.
"""

from __future__ import annotations

import ast
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
    c,
    catastrophe_given,
    causal_value,
    conditional_value,
    episode_value,
    factory_value,
    h_moved,
    human_control,
    incentive_to_wait,
    indifference_values,
    k,
    manipulation,
    many_humans_share,
    naive_switch_band,
    naive_switch_values,
    off_switch_values,
    ood_run_branch_share,
    p_wish,
    paper_delta,
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
                 "lesson6_time_delay", "lesson7_encapsulated_factory", "lesson8_human_control"}
    assert {"README", "course", "out"} | notebooks <= places
    assert {where[4:] for where, _, _ in ROWS if where.startswith("out:")} == set(narrations())


# The numbers a page states as its inputs (a parameter point, ε, a prior), not as results.
INPUTS = {
    "course": {"127.0", "0.0", "0.1"},  # the address 127.0.0.1
    "lesson1_naive_switch": {"1/10"},  # k = 1/10
    "lesson2_utility_indifference": {"1/10"},  # k = 1/10
    "lesson3_off_switch": {"1/2"},  # U_a = ±1 at 1/2 each
    "lesson4_causal_stop_button": {"1/2", "1/20", "99/100"},  # v = 1/2, 99/100; ε
    "lesson5_conditional_counterfactual": {"1/20", "3/10", "99/100"},  # the exercises' points; ε
}
COURSE_MODELS = ["naive_switch", "utility_indifference", "off_switch", "off_switch_rational", "causal_stop_button",
                 "many_humans_stop_button", "conditional_counterfactual", "time_delay", "time_delay_first_reward",
                 "time_delay_outside_sum", "encapsulated_factory", "human_control"]
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
