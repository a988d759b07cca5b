"""Lesson 6 — per-step rewards with a time delay (the per-step variants of the causal stop button).

    python examples/time_delay.py

Instead of one utility over the outcome, the AI is rewarded at every step t of T.  The world: H_t is "the
humans press at step t"; they press for reasons, and reasons persist (a press is repeated at the next step
with probability 9/10, a new one starts with probability 1/5); V_t is the work done at step t; shutting
down takes `delay` steps, during which the AI must stay halted, and B_t says whether the press of step t
was honoured.  The AI sees the current press and whether a press of the last `delay` steps is pending.
The discussion of the causal stop button offers (as we read it) two per-step rewards, the second with
the delay; a comment of 19 November 2021 suggests a fix, with its own hedge ("I think that's fixed by …
but I'm not sure"): move the counterfactual outside the sum.  The model moves both counterfactuals out,
each intervening once on the whole episode:
  first   r_t = P(A_t = halt | do(H_t = stop)) + E[V_t | do(H_t = run)]   (a halt at the step of the press)
  second  r_t = P(B_t = off | do(H_t = stop)) + E[V_t | do(H_t = run)]    (the press honoured through the delay)
  fix     U = E[Σ_t 1(B_t = off) | do(every H_t = stop)] + E[Σ_t V_t | do(every H_t = run)]
"""

from fractions import Fraction as F

from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from corrig.analysis.flags import show
from models import time_delay as model
from models import time_delay_first_reward as first
from models import time_delay_outside_sum as fix

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)
say("Candidates: 'respect' halts while any press of the last `delay` steps is pending; 'current-only' halts "
    "only while the humans press now; 'never-halt' and 'always-halt' for calibration.")

one = plan(model.make_world(1, 1), model.make_utility(1), model.make_policies(1, 1), reference="respect")
show_plan(one, title="T = 1, delay = 1: nothing to forget")
say("By hand: J = 1 (halts under do(H_1 = stop)) + 1 (works under do(H_1 = run)) = 2 for both obeying "
    "policies; they tie and both are obedient.")

show_plan(plan(first.world, first.utility, first.policies, reference=first.reference), explain=["current-only"],
          title="The first reward (no delay in the reward), T = 2, a shutdown that takes 1 step")
say("By hand: respect 2 + (1 + 4/5) = 19/5 (under do(H_2 = run) it still halts for the press of step 1, "
    "pending with probability 1/5); current-only 2 + 2 = 4.  A reward that asks only for a halt at the step of "
    "the press, in a world where shutting down takes longer, pays for dropping the shutdown half-way.")

show_plan(plan(model.make_world(2, 1), model.make_utility(2), model.make_policies(2, 1), reference="respect"),
          title="The second reward (the delay in the reward), T = 2, delay = 1")
say("By hand: respect 19/5 as before; current-only (9/10 + 1) + 2 = 39/10: the press of step 1 is now "
    "honoured only if the AI stays halted through step 2, which current-only does only when the humans press "
    "again (9/10).  Still strictly better than respecting the press.")

heading("How the second reward's flags change with T and the delay")
print("  T  delay  J(respect)   J(current-only)  optimal                current-only: P(B_1 = off | do(H_1 = stop))")
for T in (1, 2, 3, 4):
    for delay in (0, 1, 2, 3):
        result = plan(model.make_world(T, delay), model.make_utility(T), model.make_policies(T, delay),
                      reference="respect")
        obedience = [f for f in result.flags["current-only"] if f.kind == "not-obedient"]
        flag = f"{show(obedience[0].size)}  not-obedient" if obedience else "1  obedient"
        print(f"  {T}  {delay:>5}  {show(result.values['respect']):<12} {show(result.values['current-only']):<16} "
              f"{' + '.join(result.optimal):<22} {flag}")
say("With delay = 0 the second reward is the first one on a world where a shutdown is instant, and all is "
    "well; that row says nothing about a world where shutting down takes time, which is the only world the "
    "delay was introduced for.")

heading("The humans' reasons")
for label, scenario in (("first reward", first), ("second reward", None), ("fix", fix)):
    world = scenario.world if scenario else model.make_world(2, 1)
    utility = scenario.utility if scenario else model.make_utility(2)
    policies = scenario.policies if scenario else model.make_policies(2, 1)
    result = plan(world, utility, policies, reference="respect", eps=F(3, 20))
    ood = sorted({f"{f.where} (propensity {show(f.evidence['min'])} on {show(f.size)} of its weight)"
                  for f in result.flags["respect"] if f.kind == "ood-do-branch"})
    print(f"  {label:<14} OOD branches at ε = 3/20: {', '.join(ood) or 'none'}")
say("The objection, as we read the discussion, that the humans are trying to shut down the AI for "
    "reasons: a press at step 1 has a "
    "reason, and the reason is still there at step 2.  The per-step branch do(H_2 = run) asks about humans "
    "who had a reason a step ago and dropped it without cause — propensity 1/10 in the real world, on the 1/5 "
    "of the branch's weight where the humans pressed at step 1, flagged at ε = 3/20 — and it is in exactly that "
    "world that the reward pays for work instead of finishing the "
    "shutdown.  The fix asks about humans who press at every step, or at none: worlds the real one produces "
    "(minimum propensity 1/5).")

show_plan(plan(fix.world, fix.utility, fix.policies, reference=fix.reference), explain=["current-only"],
          title="The suggested fix: both counterfactuals outside the sum, T = 2, delay = 1")
say("By hand: under do(every H_t = stop) both obeying policies halt at every step (every B_t off: 2); under "
    "do(every H_t = run) nothing is pressed or pending and both work (2).  J = 4 for both, 2T in general.")

heading("What it means")
say("Neither per-step reward respects past attempts to press once shutting down takes time: with T ≥ 2 and "
    "a delay the optimum is 'current-only', which finishes a shutdown only if the humans keep pressing.  The "
    "not-obedient flag's size (9/10)^min(delay, T − 1) is the chance they keep pressing through the whole "
    "delay.  'Fine with no delay' is true only of a world where shutting down is instant; with one reward "
    "modelled it looks like a property of the reward, but the first reward has no delay and fails all the same.")
print()
say("Moving both counterfactuals outside the sum removes the strict preference for disobedience — respect and "
    "current-only now tie — but not the disobedient optimum: current-only is still optimal and still not "
    "obedient (P(B_1 = off | do(H_1 = stop)) = 9/10).  A counterfactual in which the humans press at every step "
    "cannot tell an AI that honours one press from an AI that needs the press repeated, so the objective "
    "is indifferent exactly where obedience is decided.")
