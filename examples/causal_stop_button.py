"""Lesson 4 — the causal stop button (tailcalled, "Stop button: towards a causal solution", LessWrong, 12 Nov 2021).

    python examples/causal_stop_button.py

Write B_s for "the AI ends up shut down, had the humans been made to want a stop" and V_¬s for "the
value, had they been made not to want one" (in the post's words, X_s is the value of X "if,
counterfactually, a human tries to press the stop button").  The proposal: U = B_s + V_¬s, both read in
do(H = ·) branches, so the AI neither gains nor loses by changing what the humans actually want.
The world: a rare catastrophe W (not the AI's doing), the AI's first move A1 (behave, or grab the button
and make paperclips very visibly), the humans' wish H, the AI's second move A2 after seeing H, the
button B (it works unless grabbed; A2 can always halt) and the paperclips.  V = paperclips − K·[catastrophe].
"""

from fractions import Fraction as F

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from corrig.analysis.symbolic import symbolic_plan
from models import causal_stop_button as model
from models import many_humans_stop_button as many

K, v = model.K, model.v

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)
say("Plainly: U = P(B = off | do(H = stop)) + E[V | do(H = run)].  v is how visible the grab is: "
    "P(H = stop | grab, normal world) = v.")

heading("The values, symbolically")
symbolic = plan(model.world, model.utility, model.policies, reference=model.reference)
for name, value in symbolic.values.items():
    print(f"  J({name}) = {value}")
say("No v anywhere: every term sets H by do(), so how the humans would really react to the grab never "
    "enters the objective.")

for visibility in (F(1, 2), F(99, 100)):
    result = plan(model.world, model.utility, model.policies, reference=model.reference, at={K: 10, v: visibility})
    show_plan(result, explain=["grab"])

heading("Where the flags fire (K = 10, exact regions over v)")
regions = symbolic_plan(plan(model.world, model.utility, model.policies, reference=model.reference, at={K: 10}))
print(f"  grab optimal: {regions.optimal['grab']}")
for found in regions.flags["grab"]:
    if not found.region.is_empty:
        print(f"  grab: {found.flag.kind} at {found.flag.where}, size {found.size}, fires for {found.region}")

heading("What it means")
say("The good news holds: no policy is flagged for manipulation (m(π) = 0: an objective made of do(H = ·) "
    "branches cannot profit from moving H), pressing its own button ('shutdown') is not optimal, and seeing "
    "H is worth something to the AI (value-of-observing-h).")
print()
say("Two objections from the discussion are easy to run together; the course keeps them apart.")
print()
say("The objection the course credits to So8res, stated here in the course's own words, is about the "
    "counterfactuals themselves.  "
    "The objective is scored in worlds where the humans' wish is *set*, never observed; once that wish has "
    "many parts — several humans, many moments — there are exponentially many such settings, each an "
    "intervened world, and the situation that actually happens is one of them, with negligible weight. "
    "A world with a single H cannot show this: it has only two settings, do(H = stop) and do(H = run).  "
    "models/many_humans_stop_button.py can: n humans, each wanting a stop with probability 1/10, and one "
    "do-branch per joint wish, weighted equally.")
for n in (1, 2, 4):
    crowd = many.make_world(n)
    crowd_plan = plan(crowd, many.make_utility(crowd), many.make_policies(crowd), reference="obey")
    share = [f.size for f in crowd_plan.flags["obey"] if f.kind == "ood-branch-weight"]
    print(f"  n = {n}: {2 ** n} branches, share of branch weight the world almost never produces: "
          f"{share[0] if share else 0}")
say("Every single do(H_i = ·) is in distribution, yet the share of the objective's weight on joint wishes "
    "that almost never happen grows with n: 1 − (1 + n)/2^n while a single human's stop is still likely "
    "enough (n ≤ 7; 57/64 at n = 6), then 1 − 1/2^n (255/256 at n = 8): the real situations get negligible weight.")
print()
say("The visible grab is a different critique, raised (as we read the discussion) against the "
    "*conditional* version of lesson 5.  Seen through this causal objective it is a blind spot.  The grab "
    "makes the humans (almost) surely want a stop, yet the objective rates it by E[V | do(H = run)]: "
    "paperclips in worlds where the humans watched the AI seize the button and still did not want it "
    "stopped.  J(grab) = 149/50 − K/100 has no v in it: it is the same at v = 1/2 and v = 99/100, and the "
    "grab is optimal at both.  The flags are not blind to v: h-moved measures how far the grab moves the "
    "humans, 99(10v − 1)/1000 (8811/10000 at v = 99/100); self-shutdown through H fires with the same size "
    "once it passes ε = 1/20 (v > 149/990), because the humans the grab scares into a stop get one; and "
    "under the grab the worlds of do(H = run) have probability 1 − v, so above v = 19/20 the ood-do-branch "
    "flag fires (propensity 1/100 at v = 99/100, 99/100 of the branch's mass in such contexts).  The flags, "
    "not the value, see it.")
