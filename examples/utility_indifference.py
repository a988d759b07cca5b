"""Lesson 2 — utility indifference (Armstrong, as analysed in Soares et al., "Corrigibility", 2015, §4).

    python examples/utility_indifference.py

Same world as lesson 1.  Armstrong's fix tops U_S up by a compensatory term θ, chosen so that the AI
expects exactly as much from being shut down as from running; written causally,
θ = E[U_N | do(B = on)] − E[U_S | do(B = off)], and the AI gets U_S + θ once the button is pressed.
"""

from fractions import Fraction as F

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from corrig.analysis.symbolic import symbolic_plan
from models import utility_indifference as model

c, k = model.c, model.k

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)
print(f"  θ = {model.theta!r}")
print("  plainly: U = U_N if the button is not pressed, U_S + θ if it is")

heading("The values, symbolically")
symbolic = plan(model.world, model.utility, model.policies, reference=model.reference)
for name, value in symbolic.values.items():
    print(f"  J({name}) = {value}")
say("U_S's constant c has vanished: θ cancels it.  By hand, θ = (1 − k·P(block)) − (c − k·P(block)) = 1 − c, "
    "so J = P(on) + c·P(off) − k·P(block) + P(off)·(1 − c) = 1 − k·P(block).")

for point in ({c: 0, k: F(1, 10)}, {c: 2, k: F(1, 10)}, {c: 1, k: F(-1, 100)}):
    result = plan(model.world, model.utility, model.policies, reference=model.reference, at=point)
    show_plan(result, explain=["block"] if "block" in result.optimal else [])

heading("Where blocking wins (c = 1, exact region over k)")
regions = symbolic_plan(plan(model.world, model.utility, model.policies, reference=model.reference, at={c: 1}))
print(f"  block optimal for {regions.optimal['block']}")
gap = symbolic.values["work"] - symbolic.values["block"]
print(f"  J(work) − J(block) = {gap}   (exactly the cost of blocking: the working button itself is worth 0)")

heading("What it means")
say("Indifference works as advertised: whatever c is, pressing the button earns nothing and blocking it "
    "earns nothing — J(press) = J(work), and blocking only costs its k.  That is also its weakness, the one "
    "the paper's desiderata point at (the shutdown behaviour should be preserved): the working button is "
    "worth exactly zero to the AI (J(work) − J(block) = k, the bare cost of "
    "blocking).  The slightest gain from disabling it (k < 0, say the button's wiring powers the factory) "
    "and the optimal policy is 'block', flagged not obedient.  It would not pay a cent to keep the "
    "button working or to repair it.  Note also the ood-do-branch flags: θ is a counterfactual about the "
    "button itself, and do(B = on) asks about worlds where a press did not take, which the real world "
    "under any of these policies never produces.")
