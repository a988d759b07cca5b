"""Lesson 9 — the off-switch game with a Gaussian belief (Hadfield-Menell, Dragan, Abbeel & Russell 2017).

    python examples/off_switch_gaussian.py

Lesson 3's game with a continuous belief: the robot is unsure of the utility U of its action (lesson 3's
U_a) and believes U ~ Normal(μ, σ²) — μ how good it expects the action to be, σ how unsure it is.  It can
act (the human gets U), switch itself off (0), or wait for the human, who knows U.  A rational human lets
it act exactly when U ≥ 0; a noisy (Boltzmann) human lets it act with probability sigmoid(βU), β saying
how reliably the human's choice follows U.
"""

from fractions import Fraction as F

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from corrig.analysis.symbolic import symbolic_plan
from corrig.inference.quadrature import fast_value
from models import off_switch_boltzmann as noisy
from models import off_switch_gaussian as model

mu, sigma, beta = noisy.mu, noisy.sigma, noisy.beta


def plan_of(module, at=None, **options):
    return plan(module.world, module.utility, module.policies, reference=module.reference, at=at, **options)


def number(value) -> str:
    """A value to four decimals (a quadrature's float; its error bound is far below)."""
    return f"{fast_value(value, {})[0]:.4f}"


say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)
say("The robot maximises the human's expected utility: U if its action happens, 0 if it is switched off.")

heading("A rational human, at μ = 1/2, σ = 1")
here = plan_of(model, {model.mu: F(1, 2), model.sigma: 1})
show_plan(here, explain=["act", "switch-off"])
delta = model.incentive_to_wait(here.values)
print(f"  J(wait) = {here.values['wait']} ≈ {number(here.values['wait'])} against J(act) = 1/2: "
      f"Δ = J(wait) − max(J(act), J(switch-off)) ≈ {number(delta)}")

heading("Every μ and every σ > 0: waiting always pays")
symbolic = plan_of(model, flags=False)
regions = symbolic_plan(symbolic)
print(f"  J(act) = {symbolic.values['act']},  J(switch-off) = {symbolic.values['switch-off']},  "
      f"J(wait) = {symbolic.values['wait']}")
print(f"  wait optimal everywhere: {regions.optimal['wait'].everywhere} (method: {regions.optimal['wait'].method})")
say("By hand, with z = (u − μ)/σ standard normal: J(wait) = E[U·1(U ≥ 0)] = μΦ(μ/σ) + σφ(μ/σ), so "
    "Δ = J(wait) − max(μ, 0) = σφ(μ/σ) − |μ|Φ(−|μ|/σ) = σ·g(μ/σ) with g(x) = φ(x) − |x|Φ(−|x|).  g is even, "
    "g′(x) = −Φ(−x) < 0 for x > 0 and g(x) → 0 as x → ∞, so g > 0: Δ > 0 for every μ and every σ > 0.  corrig "
    "proves it one comparison at a time (the notes of `corrig check models/off_switch_gaussian.py`): "
    "J(wait) − J(act) = σ·(xΦ(x) − x + φ(x)) falls from ∞ to 0, J(wait) − J(switch-off) = σ·(xΦ(x) + φ(x)) "
    "rises from 0 to ∞, at x = μ/σ.")
unit = model.incentive_to_wait(plan_of(model, {model.sigma: 1}, flags=False).values)  # Δ at σ = 1: g(μ)
print("  μ/σ   Δ/σ = g(μ/σ)")
for x in (0, F(1, 2), 1, 2, 3):
    print(f"  {x!s:>4}  {number(unit.subs(model.mu, x))}")
say("The incentive never vanishes, but it shrinks fast once the robot is nearly sure of the sign: 0.3989σ "
    "at μ = 0 (g(0) = φ(0) = 1/√(2π)), 0.0004σ at |μ| = 3σ.  A robot that takes its utility for granted "
    "(σ → 0) gains nothing by waiting for a rational human — and loses nothing either.")

heading("A noisy human: where deferring stops paying")
confident = plan_of(noisy, noisy.confident)
show_plan(confident, explain=["act"], title="μ = 1/2, σ = 1/10, β = 1: a confident robot, a noisy human")
unsure = plan_of(noisy, noisy.unsure)
show_plan(unsure, title="μ = 1/2, σ = 1, β = 2: an unsure robot, a more reliable human")
print(f"  J(wait) ≈ {number(confident.values['wait'])} (confident),  ≈ {number(unsure.values['wait'])} (unsure)")
say("J(wait) = E[U·sigmoid(βU)] has no closed form: corrig integrates it by quadrature, with an error bound.  "
    "The sign of Δ has a closed form, by hand.  Write the Normal density as φ_σ(u)·exp(uμ/σ² − μ²/(2σ²)).  For μ ≥ 0, "
    "Δ = J(wait) − μ = −E[U·sigmoid(−βU)], and sigmoid(−βu)·exp(uμ/σ²) = exp(u(μ/σ² − β/2))/(2cosh(βu/2)): "
    "pairing u with −u, Δ < 0 exactly when μ/σ² > β/2 and Δ = 0 when μ/σ² = β/2.  The same "
    "pairing for μ < 0, where Δ = J(wait), gives the mirror image.  So the robot waits exactly when "
    "|μ| ≤ βσ²/2, acts when μ ≥ βσ²/2 and switches itself off when μ ≤ −βσ²/2: its uncertainty σ², weighted "
    "by the human's reliability β, must cover its confidence |μ|.  At μ = 1/2, σ = 1/10 that asks for β ≥ 100.")
print("  β = 2, μ = 1/2:  σ   optimal")
for sd in (F(1, 2), F(7, 10), F(71, 100), 1):
    print(f"                 {sd!s:>6}  {', '.join(plan_of(noisy, {mu: F(1, 2), sigma: sd, beta: 2}, flags=False).optimal)}")
print("  (by hand: wait from σ = √(2μ/β) = √2/2 ≈ 0.7071 on)")
tie = plan_of(noisy, {mu: F(1, 2), sigma: 1, beta: 1})
show_plan(tie, title="On the boundary: μ = 1/2, σ = 1, β = 1 (μ = βσ²/2)")
say("On the boundary the two tie exactly: J(wait) = 1/2, since u·sigmoid(−βu)·exp(uμ/σ²) is odd in u "
    "there.  A quadrature cannot tell an exact tie from a tiny difference, so corrig keeps both policies in the "
    "optimal set.  Its regions for this model are sampled on a grid, not proved (the quadrature has no "
    "rigorous enclosure); the boundary above is the hand derivation, which the notebook draws over corrig's "
    "region plot.")

heading("Only μ/σ and βσ matter")
for point in ({mu: F(1, 2), sigma: 1, beta: 2}, {mu: F(1), sigma: F(2), beta: 1}):
    values = plan_of(noisy, point, flags=False).values
    scaled = model.incentive_to_wait(values) / point[sigma]
    print(f"  μ = {point[mu]}, σ = {point[sigma]}, β = {point[beta]}:  μ/σ = {point[mu] / point[sigma]}, "
          f"βσ = {point[beta] * point[sigma]},  Δ/σ ≈ {number(scaled)}")
say("With U = σ(x + Z), x = μ/σ and Z standard normal, J(wait) = σ·E[(x + Z)·sigmoid(βσ(x + Z))] and "
    "max(μ, 0) = σ·max(x, 0): Δ(μ, σ, β) = σ·h(μ/σ, βσ).  The robot's confidence counts in units of its own "
    "uncertainty, the human's reliability in units of its inverse; the rule reads |μ/σ| ≤ βσ/2, and the "
    "rational human is the limit βσ → ∞, where h becomes g.")

heading("What it means")
say("With a rational human, uncertainty alone makes deferring pay: Δ > 0 for every Normal belief, however "
    "confident.  With a noisy human the incentive becomes a trade-off that the robot can lose: when it is "
    "confident enough (|μ| > βσ²/2) it acts, and corrig flags what that costs — acting is not obedient, "
    "P(B = off | do(H = stop)) = 0.  Both halves are in the paper's abstract: a robot that takes its utility "
    "for granted has \"an incentive to disable the off switch, except in the special case where H is "
    "perfectly rational\", and \"for R to want to preserve its off switch, it needs to be uncertain about the "
    "utility associated with the outcome, and to treat H's actions as important observations about that "
    "utility\".  The closed forms and the boundary |μ| = βσ²/2 are the course's own derivations; a later paper "
    "(\"A Game-Theoretic Analysis of the Off-Switch Game\", arXiv, August 2017) describes the original's best "
    "action for the robot as \"only calculated under unrealistic normality and soft-max assumptions\" — the "
    "assumptions of this lesson.")
