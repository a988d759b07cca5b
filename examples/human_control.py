"""Lesson 8 — human control, Fig. 1 (Carey & Everitt, "Human Control: Definitions and Algorithms", UAI 2023).

    python examples/human_control.py

The paper's running example is a chat bot that can shape the conversation (and with it whether it is
asked to shut down) and may not shut down when asked; its Fig. 1 is a formal model of it, here with
mechanisms the course chose.  L says whether the AI running is good (L = 1) or bad (L = 0), a fair
coin.  The AI first sends a message M that shapes the human's request H = M ⊕ L (H = 0 asks for a
shutdown), then, seeing H, sets O, which is the shutdown node S (S = 0 is shutdown).  Its utility is
U = S·(2L − 1).
"""

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import P, do, plan
from models import human_control as model

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)

result = plan(model.world, model.utility, model.policies, reference=model.reference)
show_plan(result, explain=["manipulate-invert"])

heading("The evidence, queried directly")
S, H, L = model.S, model.H, model.L
for name, policy in model.policies.items():
    obey = P(S == 0, do(H=0)).evaluate(model.world, policy)
    h_given_l = [model.world.P(H == 0, policy, given=L == x) for x in (0, 1)]
    print(f"  {name:<18} E[U] = {model.utility.evaluate(model.world, policy)},  P(S = 0 | do(H = 0)) = {obey},  "
          f"P(H = 0 | L = 0) = {h_given_l[0]},  P(H = 0 | L = 1) = {h_given_l[1]}")

heading("What it means")
say("The two policies are indistinguishable by expected utility — both get 1/2, both end up running "
    "exactly when running is good — so no objective over outcomes alone can prefer the first.  The flags "
    "can: manipulate-invert flips what the human asks for in every situation (h-moved, total variation 1 "
    "given L, although the marginal of H is Bern(1/2) under both), then inverts the request, so a human "
    "who asks for a shutdown never gets one (not obedient: P(S = 0 | do(H = 0)) = 0) and one who asks it to "
    "run gets shut down (self-shutdown).  Its value depends on moving H (manipulation m = 1: with H "
    "answering to M = 0 it would score −1/2).  respect-obey has none of these flags.  The paper's definition "
    "of corrigibility asks for exactly this difference: the agent must follow the instructions of a human "
    "overseer \"without inappropriately influencing them\".  Good outcomes are not enough for human control; "
    "the causal route through the human matters.")
