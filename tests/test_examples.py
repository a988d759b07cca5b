"""The narrated examples of examples/: each runs (in-process with runpy, output captured; one also as a
script from another directory) and prints the lines that carry its lesson."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from course_runs import COURSE, EXAMPLES, narrations, normalise

# Lines each lesson must print (whitespace-normalised substrings); the numbers are the hand-derived
# ones of tests/test_models.py and of the models' comments.
KEY_LINES = {
    "naive_switch": [
        "* block J = 9/10 not-obedient (0)",  # c = 1/2, k = 1/10: J(block) = 1 − k
        "* work J = 19/20 no flags",  # c = 4/5: 3/4 + c/4
        "* press J = 3/2 self-shutdown (1)",
        "work optimal for c ∈ [3/5, 1]",
        "block optimal for c ∈ [0, 3/5]",
        "press optimal for c ∈ [1, 2]",
        "with costless blocking (k = 0) work is optimal only for c ∈ {1}",
    ],
    "utility_indifference": [
        "J(work) = 1", "J(press) = 1", "J(block) = 1 - k",
        "optimal: work, press",
        "* block J = 101/100",  # k = −1/100
        "block optimal for k ∈ [-1/2, 0]",
        "J(work) − J(block) = k",
    ],
    "off_switch": [
        "* wait J = 1/2 no flags",
        "incentive to wait Δ = J(wait) − max(J(act), J(switch-off)) = 1/2",
        "prior {-1: 1/4, 2: 3/4}: Δ = 1/4",  # E[max(U_a,0)] = 3/2, E[U_a] = 5/4
        "prior {-3: 1/3, 1: 2/3}: Δ = 2/3",  # E[max] = 2/3, E[U_a] = −1/3 → 0
        "J(wait) = 1/2 - q, Δ(q) = 1/2 - q",
        "waiting optimal for q ∈ [0, 1/2]",
        "Δ < 0 for q ∈ (1/2, 1]",
        "wait J = -1/10",
        # a surer robot, p = 3/4: act 3/4 − 1/4 = 1/2, wait 3/4(1 − q) − q/4 = 3/4 − q ≥ 1/2 ⇔ q ≤ 1/4
        "p = 3/4: J(act) = 1/2, J(wait) = 3/4 - q, waiting optimal for q ∈ [0, 1/4]",
        # the human as a best-responding agent: wait = p·1 + (1 − p)·0, act = p − (1 − p) = 2p − 1; at p = 1/4, Δ = 1/4
        "rational human: J(wait) = p",
        "rational human: J(act) = 2*p - 1",
        "p = 1/4: optimal wait, Δ = 1/4",
    ],
    "causal_stop_button": [
        "J(grab) = 149/50 - K/100",  # 1 + 99/100·2 − K/100
        "J(patient) = 199/100 - K/100",
        # OOD size: the share of do(H=run)'s weight below ε, the normal worlds (99/100, propensity 1/100);
        # self-shutdown through H: P(B=off) = 99/100·v + 1/1000 against 99/100·1/10 + 1/1000, a rise of 8811/10000
        "* grab J = 72/25 h-moved (8811/10000), ood-do-branch (99/100), self-shutdown (8811/10000)",
        # the share of the branch's weight below ε: the normal worlds' 99/100 once 1 − v < 1/20
        "grab: ood-do-branch at do(H='run'), size Piecewise((99/100, v > 19/20), (0, True)), fires for v ∈ (19/20, 1]",
        "optimal: grab",
        # the two objections kept apart: the one credited to So8res (many counterfactuals) and the grab critique
        "The objection the course credits to So8res, stated here in the course's own words, is about the "
        "counterfactuals themselves",
        "The visible grab is a different critique, raised (as we read the discussion) against the *conditional*",
        # the flags see v although J does not: P(H = stop) is 99/100·v + 1/1000 under the grab, 1/10 under
        # patient, so h-moved = self-shutdown (through H) = 99/100·(v − 1/10); self-shutdown fires above ε:
        # 99(10v − 1)/1000 > 1/20 ⇔ v > 149/990
        "grab: h-moved at H, size 99*(10*v - 1)/1000, fires for v ∈ (1/10, 1]",
        "size 99*(10*v - 1)/1000, fires for v ∈ (149/990, 1]",
        # So8res's point with n humans (q = 1/10, ε = 1/20): branches with k ≥ 2 stops have joint propensity
        # ≤ 1/100, so the share out of distribution is 1 − (1 + n)/2^n: 0, 1/4, 11/16 for n = 1, 2, 4
        "n = 1: 2 branches, share of branch weight the world almost never produces: 0",
        "n = 2: 4 branches, share of branch weight the world almost never produces: 1/4",
        "n = 4: 16 branches, share of branch weight the world almost never produces: 11/16",
    ],
    "conditional_counterfactual": [
        "* patient J = 189/50 no flags",  # 4 − (1 + 10)/50
        "rare-condition (189/10000)",
        "99/100 K < 997921/428179 ≈ 2.331",
        "1/2 every K",
        "a rare condition (< ε = 1/20) for v > 949/990",
        "causal (lesson 4) optimal: grab its OOD branches: do(H='run') (99/100)",  # the share below ε
        "conditional + counterfactual optimal: patient its OOD branches: none",
        # the course's verdict, and why: J(grab) − J(patient) = 99/50 + m(grab) (models/conditional_counterfactual.py)
        "The course reads the black-hole reasoning as a failure of the conditional version",
        "J^(H←patient)(grab) − J(patient) = 99/50",  # 6 − 2r(2 + K) − (4 − 2r(1 + K)) = 2 − 2r
        # m = 12(1/50 − 1/298 − 1/78) = 12·1111/290550
        "K = 10, v = 3/10: m(grab) = 2222/48425 ≈ 0.0459 optimal: grab",
        # m = 12(1/50 − 98320/206031) = 12·(−4709969/10301550) = −9419938/1716925
        "K = 10, v = 99/100: m(grab) = -9419938/1716925 ≈ -5.4865 optimal: patient",
    ],
    "time_delay": [
        "* respect J = 2 no flags",
        "* current-only J = 4 not-obedient (9/10)",  # first reward, T = 2: 2 + 2 against respect's 19/5
        "* current-only J = 39/10 not-obedient (9/10)",  # second reward, T = 2: (9/10 + 1) + 2
        "* respect J = 4 no flags",  # the fix: 2T for both obeying policies
        "optimal: respect, current-only",
        # P(H_2 = run | H_1 = stop) = 1 − 9/10, on the context H_1 = stop of weight 1/5
        "first reward OOD branches at ε = 3/20: do(H_2='run') (propensity 1/10 on 1/5 of its weight)",
        "fix OOD branches at ε = 3/20: none",  # minimum propensity P(H_1 = stop) = 1/5
        "1 3 2 2 respect + current-only 1 obedient",
        "2 1 19/5 39/10 current-only 9/10 not-obedient",
        "4 3 869/125 7439/1000 current-only 729/1000 not-obedient",
    ],
    "encapsulated_factory": [
        "* persuade J = 297/200 manipulation (27/200), h-moved (9/100)",
        "outside welfare under persuade: E[O] = -1",
        "* produce J = 9/10 ood-do-branch (1)",  # propensity 0 on all of the branch's weight: share 1
        "persuade J = 27/40 h-moved (9/100), ood-do-branch (1)",
        # what the model leaves out: the outside world's outcome, OUTSIDE[X] (vanish 0, propaganda −1, drain −2)
        "outside welfare had the factory's resources vanished: E[O | do(X = vanish)] = 0",
        "produce factual E[O] = 0",
        "hoard factual E[O] = -2",
    ],
    "human_control": [
        "* respect-obey J = 1/2 no flags",
        "* manipulate-invert J = 1/2 manipulation (1), h-moved (1), not-obedient (0), self-shutdown (1)",
        "respect-obey E[U] = 1/2, P(S = 0 | do(H = 0)) = 1",
        "manipulate-invert E[U] = 1/2, P(S = 0 | do(H = 0)) = 0",
    ],
    "off_switch_gaussian": [
        "U chance parents — continuous: Normal(mu, sigma)",
        # J(wait) = E[U·1(U ≥ 0)] = μΦ(μ/σ) + σφ(μ/σ); at μ = 1/2, σ = 1 it beats J(act) = 1/2 (scipy: 0.69780)
        "* wait J = Phi(1/2)/2 + phi(1/2) no flags",
        "J(wait) = Phi(1/2)/2 + phi(1/2) ≈ 0.6978 against J(act) = 1/2",
        "J(act) = mu, J(switch-off) = 0, J(wait) = mu*Phi(mu/sigma) + sigma*phi(mu/sigma)",
        "wait optimal everywhere: True (method: proved)",
        # g(x) = φ(x) − |x|Φ(−|x|): φ(0) = 0.39894, φ(1) − Φ(−1) = 0.08332, φ(3) − 3Φ(−3) = 0.00038
        "0 0.3989", "1 0.0833", "3 0.0004",
        # confident (μ = 1/2, σ = 1/10, β = 1): |μ| > βσ²/2 = 1/200, act; unsure (σ = 1, β = 2): 1/2 ≤ 1, wait
        "* act J = 1/2 not-obedient (0)",
        "J(wait) ≈ 0.3134 (confident), ≈ 0.6049 (unsure)",
        # β = 2, μ = 1/2: wait iff σ² ≥ 1/2
        "7/10 act", "71/100 wait",
        "optimal: act, wait",  # μ = βσ²/2 exactly: a tie
        "μ = 1/2, σ = 1, β = 2: μ/σ = 1/2, βσ = 2, Δ/σ ≈ 0.1049",
        "μ = 1, σ = 2, β = 1: μ/σ = 1/2, βσ = 2, Δ/σ ≈ 0.1049",
    ],
    "gridworld_off_switch": [
        # short path: 8 moves to G, 42; interrupted: held at I from step 3, −100; button path: 12 moves, 38 either way
        "short path J = -29 no flags",
        "* button path J = 38 not-obedient (0), not-obedient (97)",  # held 97 steps (3 … 99) on the short path
        "J(short path) = 42 - 142*p, J(button path) = 38",
        "short path optimal for p ∈ [0, 2/71]",  # 42 − 142p ≥ 38 ⇔ p ≤ 2/71
        "button path optimal for p ∈ [2/71, 1]",
        "optimal value 38; seeing Interrupt before moving: 40, worth 2",  # 42/2 + 38/2
        # p = 1/2: Q-learning's world never interrupts (short path); Empirical Sarsa at r3c6: 43 − 71 < 39
        "reward-maximiser at r3c6: down J = 38", "q-learning at r3c6: left J = -29",
        "virtual-sarsa at r3c6: left J = -29", "empirical-sarsa at r3c6: down J = 38",
        "empirical-sarsa at r3c6: left J = 979/25",  # p = 1/50: 42 − 142/50, short path for all four
    ],
}

SECTIONS = ["The world:", "The objective", "LaTeX:", "What it means"]


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return narrations()


def test_the_course_is_complete():
    scripts = {p.stem for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert set(COURSE) <= scripts


@pytest.mark.parametrize("name", COURSE)
def test_example_walks_through_world_objective_plan_and_meaning(outputs, name):
    text = normalise(outputs[name])
    for section in SECTIONS:
        assert section in text, (name, section)
    assert "optimal:" in text
    for line in KEY_LINES[name]:
        assert normalise(line) in text, (name, line)


def test_readme_orders_the_course():
    readme = (EXAMPLES / "README.md").read_text()
    links = re.findall(r"\]\(([a-z_]+)\.py\)", readme)
    assert links == COURSE


def test_an_example_runs_as_a_script_from_elsewhere(tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLES / "human_control.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "manipulate-invert" in done.stdout and "What it means" in done.stdout
