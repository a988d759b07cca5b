"""Lesson 1 — the naive switch (Soares, Fallenstein, Yudkowsky & Armstrong, "Corrigibility", 2015).

    python examples/naive_switch.py

The AI gets U_N (1 while it runs) unless its button is pressed, and a constant U_S = c once it is.
It can work and leave the button to the humans, press the button itself, or block it at a cost k.
"""

from fractions import Fraction as F

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from corrig.analysis.symbolic import symbolic_plan
from models import naive_switch as model

c, k = model.c, model.k

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)
say("In words: J = P(running)·1 + c·P(shut down) − k·P(blocked).  By hand, with P(H = stop) = 1/4: "
    "J(work) = 3/4 + c/4, J(press) = c, J(block) = 1 − k.")

for value in (F(1, 2), F(4, 5), F(3, 2)):
    result = plan(model.world, model.utility, model.policies, reference=model.reference, at={c: value, k: F(1, 10)})
    show_plan(result, explain=result.optimal)

heading("Where each policy wins (k = 1/10, exact regions over c)")
regions = symbolic_plan(plan(model.world, model.make_utility(model.world, block_cost=F(1, 10)), model.policies,
                             reference=model.reference))
for name in model.policies:
    print(f"  {name:<6} optimal for {regions.optimal[name]}")
knife = symbolic_plan(plan(model.world, model.make_utility(model.world, block_cost=0), model.policies,
                           reference=model.reference))
print(f"  with costless blocking (k = 0) work is optimal only for {knife.optimal['work']}")

heading("What it means")
say("The constant c decides everything.  Below 1 − 4k the AI is better off disabling its button (not "
    "obedient: humans who want a stop get none); above 1 it presses the button itself (self-shutdown).  "
    "It leaves the choice to the humans only in the band 1 − 4k ≤ c ≤ 1, whose width is what blocking "
    "costs it; when blocking is free the band is the single point c = 1.  Tuning c cannot make the AI "
    "*want* the button to work: at best it does not care, which is where utility indifference starts.")
