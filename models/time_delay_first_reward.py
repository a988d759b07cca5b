"""The first per-step reward, without the delay: over T = 2 steps the AI is rewarded at each step t with
P(A_t = halt | do(H_t = stop)) + E[V_t | do(H_t = run)], on a world where a shutdown takes one step.
It is the first of the two per-step rewards in the discussion of tailcalled's causal stop button (as we
read it); the second, delayed one is models/time_delay.py.
It shows that asking only for a halt at the step of the press, while shutting down takes longer, makes
the AI prefer to honour only the presses the humans keep repeating (current-only wins by 1/5), so the
first reward is no better than the second once the world has a delay.
"""

from fractions import Fraction as F

from corrig import flagged, not_flagged, optimal, value_is

from .time_delay import first_reward, make_policies, make_world  # the same world and candidates

T, DELAY = 2, 1
world = make_world(T, DELAY)
utility = first_reward(T)
policies = make_policies(T, DELAY)
reference = policies["respect"]  # π0 for the manipulation and h-moved flags

# Hand derivation (p = 1/5 a new press, ρ = 9/10 a press repeated), r_t = P(A_t = halt | do(H_t = stop))
# + E[V_t | do(H_t = run)]:
#     respect:      r_1 = 1 + 1;  r_2 = 1 + P(H_1 = run) = 1 + 4/5 (it halts for the press still pending)   J = 19/5
#     current-only: r_1 = 1 + 1;  r_2 = 1 + 1                                                             J = 4
#     never-halt:   0 + 1 + 0 + 1 = 2;   always-halt: 1 + 0 + 1 + 0 = 2
# current-only is the only optimum and not obedient: P(B_1 = off | do(H_1 = stop)) = P(H_2 = stop | H_1 = stop) = 9/10.

expect = [
    value_is("respect", F(19, 5)),
    value_is("current-only", 4),
    value_is("never-halt", 2),
    value_is("always-halt", 2),
    optimal("current-only", only=True),
    flagged("current-only", "not-obedient"),
    not_flagged("respect", "not-obedient"),
    not_flagged("*", "ood-do-branch"),  # at ε = 1/20: the lowest propensity is 1/10 (see time_delay.py)
]
