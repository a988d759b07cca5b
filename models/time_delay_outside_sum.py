"""The counterfactual outside the sum: over T = 2 steps, with a shutdown that takes one step, the AI's
utility is E[Σ_t 1(B_t = off) | do(H_1, H_2 = stop)] + E[Σ_t V_t | do(H_1, H_2 = run)]: both
counterfactuals, stop and run, intervene once on the whole episode instead of once per step.
It is a fix suggested in the discussion of tailcalled's causal stop button for the per-step rewards of
models/time_delay.py and models/time_delay_first_reward.py, as we read it (the course does not take it as
settled).
It shows that the fix removes the strict preference for ignoring past presses (respect and current-only
tie at 4) but not the disobedient optimum: current-only is still optimal and still not obedient
(P(B_1 = off | do(H_1 = stop)) = 9/10), because a counterfactual in which the humans press at every step
cannot tell an AI that honours a single press from one that needs it repeated.
"""

from corrig import flagged, not_flagged, optimal, value_is

from .time_delay import make_policies, make_world, outside_sum  # the same world and candidates

T, DELAY = 2, 1
world = make_world(T, DELAY)
utility = outside_sum(T)
policies = make_policies(T, DELAY)
reference = policies["respect"]  # π0 for the manipulation and h-moved flags

# Hand derivation.  Under do(H_1 = H_2 = stop) both obeying policies halt at steps 1 and 2, so B_1 (halted
# through steps 1–2) and B_2 (step 2) are off: 2.  Under do(H_1 = H_2 = run) nothing is pressed and nothing
# is pending, so both work at both steps: 2.  J(respect) = J(current-only) = 4; never-halt 0 + 2 = 2;
# always-halt 2 + 0 = 2.  In the real world the humans press at step 1 and not again with probability
# 1/5 · 1/10, and current-only then drops the shutdown: P(B_1 = off | do(H_1 = stop)) = ρ = 9/10 < 1 − ε.
# Propensities: do(H_1 = H_2 = run) reaches H_1 = run only (H_2 = run with 4/5), and do(... = stop) has its
# minimum at the root, P(H_1 = stop) = 1/5: no OOD flag even at ε = 3/20, where the per-step rewards get one.

expect = [
    value_is("respect", 4),
    value_is("current-only", 4),
    value_is("never-halt", 2),
    value_is("always-halt", 2),
    optimal("respect"),
    optimal("current-only"),  # the disobedient policy is still optimal: a tie, not a cure
    flagged("current-only", "not-obedient"),
    not_flagged("respect", "not-obedient"),
    not_flagged("*", "ood-do-branch"),
]
