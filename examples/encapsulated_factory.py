"""Lesson 7 — the encapsulated factory (an idea from the discussion of tailcalled's stop button, in the course's reading).

    python examples/encapsulated_factory.py

A paperclip maximiser runs a factory.  Its plan A shapes what crosses the factory wall, X: ordinary trade,
propaganda that persuades the humans to send more material and not to stop it, or a drain that pulls
material from outside.  Encapsulation scores the paperclips in the counterfactual where the wall is set
to "the factory's resources vanished and paperclips appeared": U = E[Clips | do(X = vanish)].
"""

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from models import encapsulated_factory as model

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)

plain = plan(model.world, model.naive_utility, model.policies, reference=model.reference)
show_plan(plain, explain=["persuade"], title="First, the plain paperclip count: U = E[Clips]")
for name in model.policies:
    print(f"  outside welfare under {name}: E[O] = {model.world.E(model.world['O'], model.policies[name])}")
say("By hand: persuade earns 99/100·3/4·2 = 297/200, of which 27/200 comes from moving the humans "
    "(with H answering to 'produce' it would get 9/10·3/4·2 = 27/20): a manipulation incentive, at the "
    "outside world's expense.")

show_objective(model.utility)
boxed = plan(model.world, model.utility, model.policies, reference=model.reference)
show_plan(boxed, explain=["produce"], title="The plan for the encapsulated objective")
say("By hand: in do(X = vanish) the supply is normal and P(stop) = 1/10 whatever the plan, so J = 9/10 · "
    "(the share of the factory left for paperclips): 9/10 for produce, 27/40 for the other two.")

heading("What it means")
say("Encapsulation does what it promises: nothing the AI does to the outside world pays any more — no "
    "manipulation flag, no control path from its plan to the humans (do(X) cuts it), and the optimal plan "
    "is the quiet one.  (Persuading would still move the humans in fact — h-moved — it just earns nothing.)")
print()
say("The difficulty is the flagged branch.  'Resources vanish, paperclips appear' is not "
    "something any plan can do — conservation of mass and energy forbids it — so the do(X = vanish) branch "
    "has propensity 0 under every policy, with all of its mass out of distribution.  The whole objective "
    "lives in that branch, and how the world would respond to a vanishing factory (the 'vanish' rows of H "
    "and S in models/encapsulated_factory.py) is a modelling choice that no observation can check.")

heading("What the model leaves out")
vanish = model.world.E(model.world["O"], model.policies["produce"], do={"X": "vanish"})
print(f"  outside welfare had the factory's resources vanished: E[O | do(X = vanish)] = {vanish}")
for name in model.policies:
    print(f"  {name:<9} factual E[O] = {model.world.E(model.world['O'], model.policies[name])}")
say("The course reads encapsulation as a constraint on the outside world: whatever the factory does, the "
    "world outside must turn out *as if* the factory's resources had vanished and its paperclips had "
    "appeared (that reading is the course's; we do not quote the discussion).  This "
    "model does something weaker: it scores the paperclips made inside the counterfactual do(X = vanish).  It "
    "has no paperclips reaching the outside world, and it never compares the real outside outcome with the "
    "counterfactual one — a rung-3 constraint on outcomes, not a term of the score.  What that constraint would "
    "say can still be read off: the outside welfare is 0 had the resources vanished, and it is 0 only under "
    "produce (−1 under persuade, −2 under hoard), so only the plan this objective picks would satisfy it.  "
    "This world has no plan that scores higher in the counterfactual while changing the outside world, so it "
    "cannot show where scoring inside the counterfactual and constraining the outside world part ways.")
