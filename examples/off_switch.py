"""Lesson 3 — the off-switch game (Hadfield-Menell, Dragan, Abbeel & Russell 2017).

    python examples/off_switch.py

A robot is unsure whether its action helps (U_a > 0) or harms (U_a < 0).  It can act, switch itself
off, or wait and let a human — who knows U_a — decide.  A rational human switches it off exactly when
U_a < 0; a noisy one gets it wrong with probability q.
"""

from fractions import Fraction as F
from pathlib import Path

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from corrig.analysis.regions import region
from corrig.analysis.symbolic import symbolic_plan
from corrig.scenarios.load import load_scenario
from models import off_switch as model

q = model.q

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)
say("The robot maximises the human's expected utility V = U_a if it is left running, 0 if switched off.")

print()
say("First a rational human (q = 0), and U_a = ±1 at 1/2 each.")
rational = plan(model.world, model.utility, model.policies, reference=model.reference, at={q: 0})
show_plan(rational, explain=["act", "switch-off"])
delta = model.incentive_to_wait(rational.values)
print(f"  incentive to wait Δ = J(wait) − max(J(act), J(switch-off)) = {delta}")
print("  the paper's formula: E[max(U_a, 0)] − max(E[U_a], 0) = 1/2 − 0 = 1/2")

heading("Other priors, rational human: Δ ≥ 0 always")
for prior in ({-1: F(1, 4), 2: F(3, 4)}, {-3: F(1, 3), 1: F(2, 3)}, {-2: F(1, 10), 0: F(1, 2), 5: F(2, 5)}):
    world = model.make_world(prior, 0)
    values = plan(world, model.make_utility(world), model.policies).values
    shown = ", ".join(f"{u}: {p}" for u, p in prior.items())
    print(f"  prior {{{shown}}}:  Δ = {model.incentive_to_wait(values)}")

heading("A noisy human: where waiting stops paying")
symbolic = symbolic_plan(plan(model.world, model.utility, model.policies, reference=model.reference))
margin = symbolic.margin("wait")
print(f"  J(wait) = {symbolic.values['wait']},  Δ(q) = {margin}")
print(f"  waiting optimal for {symbolic.optimal['wait']}")
print(f"  Δ < 0 for {region(margin < 0)}")
noisy = plan(model.world, model.utility, model.policies, reference=model.reference, at={q: F(3, 5)})
show_plan(noisy)

heading("A surer robot: the threshold is min(p, 1 − p), not 1/2")
surer = model.make_world({-1: F(1, 4), 1: F(3, 4)})
surer_plan = symbolic_plan(plan(surer, model.make_utility(surer), model.policies, reference=model.reference))
print(f"  p = 3/4:  J(act) = {surer_plan.values['act']},  J(wait) = {surer_plan.values['wait']},  "
      f"waiting optimal for {surer_plan.optimal['wait']}")
say("By hand, for a prior p = P(U_a = +1): J(act) = 2p − 1, J(switch-off) = 0, J(wait) = p(1 − q) − (1 − p)q "
    "= p − q, so Δ = min(p, 1 − p) − q.  A robot that is sure of itself defers only to a human who is "
    "surer still.")

heading("What it means")
say("Uncertainty about its own objective gives the robot a reason to leave the switch to the human: "
    "the human's choice carries information (whether U_a < 0) that the robot lacks, so deferring is worth "
    "Δ = E[max(U_a, 0)] − max(E[U_a], 0) ≥ 0, strictly positive whenever the robot is unsure of the sign.  "
    "The argument leans on the human being right, and how right depends on how unsure the robot is: "
    "deferring is worse than deciding alone once the human errs more often than the robot is unsure, "
    "q > min(p, 1 − p) — q > 1/2 only for this prior (p = 1/2), q > 1/4 already at p = 3/4.  Waiting "
    "is the obedient policy — acting ignores the human (not obedient), switching off ignores them the "
    "other way (self-shutdown).  The paper's Remark 1 says as much: \"The incentives for a cooperative agent "
    "to defer to another actor's (e.g., a human's) decisions stem from uncertainty about that actor's "
    "preferences and the assumption that actor is effective at choosing actions in accordance with those "
    "preferences.\"")

heading("The human as an agent (models/off_switch_rational.py)")
rational = load_scenario(Path(model.__file__).parent / "off_switch_rational.py")
for name, value in rational.plan(flags=False).values.items():
    print(f"  rational human: J({name}) = {value}")
quarter = rational.plan(at={"p": F(1, 4)}, flags=False)
print(f"  p = 1/4: optimal {', '.join(quarter.optimal)}, Δ = {quarter.values['wait'] - max(quarter.values['act'], 0)}")
say("When the human is modelled as an agent who best-responds (switches the robot off exactly when U_a < 0), "
    "waiting is worth p against act's 2p − 1 and switch-off's 0: Δ = min(p, 1 − p) ≥ 0 for every prior "
    "p = P(U_a = +1) — the theorem's hypothesis, now a model rather than an assumption.")
