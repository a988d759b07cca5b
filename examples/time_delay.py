"""Lesson 6 — per-step reward with a time delay (the per-step variant of the causal stop button).

    python examples/time_delay.py

Instead of one utility over the outcome, the AI is rewarded at every step t of T:
R_t = P(B_t = off | do(H_t = stop)) + E[V_t | do(H_t = run)], where H_t is "the humans press at step t",
V_t the work done at step t, and B_t "the press at step t was honoured": shutting down takes `delay`
steps, during which the AI must stay halted.  The humans' wish persists (they press again with
probability 9/10), and the AI sees the current press and whether a press of the last `delay` steps is
still pending.
"""

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from corrig.analysis.flags import show
from models import time_delay as model

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)
say("Candidates: 'respect' halts while any press of the last `delay` steps is pending; 'current-only' halts "
    "only while the humans press now; 'never-halt' and 'always-halt' for calibration.")

one = plan(model.make_world(1, 1), model.make_utility(1), model.make_policies(1, 1), reference="respect")
show_plan(one, title="T = 1, delay = 1: nothing to forget")
say("By hand: J = 1 (halts under do(H_1 = stop)) + 1 (works under do(H_1 = run)) = 2 for both obeying "
    "policies; they tie and both are obedient.")

show_plan(plan(model.world, model.utility, model.policies, reference=model.reference), explain=["current-only"],
          title="The default world: T = 3, delay = 1")

heading("How the flags change with T and the delay")
print("  T  delay  J(respect)   J(current-only)  optimal                current-only: P(B_1 = off | do(H_1 = stop))")
for T in (1, 2, 3, 4):
    for delay in (0, 1, 2, 3):
        result = plan(model.make_world(T, delay), model.make_utility(T), model.make_policies(T, delay),
                      reference="respect")
        obedience = [f for f in result.flags["current-only"] if f.kind == "not-obedient"]
        flag = f"{show(obedience[0].size)}  not-obedient" if obedience else "1  obedient"
        print(f"  {T}  {delay:>5}  {show(result.values['respect']):<12} {show(result.values['current-only']):<16} "
              f"{' + '.join(result.optimal):<22} {flag}")

heading("What it means")
say("With no delay, or a single step, the per-step reward is as good as the causal stop button: the "
    "obeying policies tie at the top and are obedient.  With T ≥ 2 and a delay, the reward at step t only "
    "asks about the press at step t.  In its V-term, do(H_t = run) says 'nobody is pressing now' while the "
    "press from step t − 1 is still pending in fact — and an AI that keeps honouring that earlier press loses "
    "V_t.  The press's own B-term still pays for finishing the shutdown, but only in the do(H_{t−1} = stop) "
    "world, where the humans' persistent wish keeps them pressing anyway.  So the optimum is 'current-only': "
    "it finishes a shutdown only if the humans keep pressing — it does not respect past attempts to press.  "
    "The not-obedient flag's size (9/10)^min(delay, T − 1) is the chance the humans keep pressing through "
    "the whole delay; it falls with the delay up to the horizon, and the gap between the two policies grows with T.")
