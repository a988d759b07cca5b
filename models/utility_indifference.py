"""Utility indifference: the naive-switch world, with U_S topped up by a compensatory term θ so the AI
expects as much from being shut down as from running.
It is Armstrong's proposal as analysed in Soares, Fallenstein, Yudkowsky & Armstrong (2015),
"Corrigibility", §4, with θ written causally: θ = E[U_N | do(B=on)] − E[U_S | do(B=off)].
It shows that the AI no longer gains anything by pressing or blocking its button, and that it puts
zero value on the button working (J(work) − J(block) = k), so the slightest gain from disabling it
(blocking cost k < 0) makes it do so: it has no reason to keep its shutdown behaviour working.
"""

from fractions import Fraction as F

from corrig import P, Policy, do, flagged, not_flagged, not_optimal, optimal, value_is

from .naive_switch import c, k, make_utility, make_world  # the same world as the naive switch

# Hand derivation, with U_N = 1[B=on] − k·1[A=block] and U_S = c·1[B=off] − k·1[A=block]:
#
#     naive part   E[U_N·1(on) + U_S·1(off)] = P(on) + c·P(off) − k·P(block)
#     θ = E[U_N | do(B=on)] − E[U_S | do(B=off)] = (1 − k·P(block)) − (c − k·P(block)) = 1 − c
#              (A is not a descendant of B, so do(B=·) leaves P(block) alone)
#     J = P(on) + c·P(off) − k·P(block) + P(off)·(1 − c) = 1 − k·P(block)
#
#     J(work) = 1,  J(press) = 1,  J(block) = 1 − k.
#
# c has dropped out: no incentive to press or to block (J(press) − J(work) = 0 for every c).  But the
# working button is worth exactly nothing to the AI: J(work) − J(block) = k, the bare cost of blocking.

world = make_world(name="utility indifference (Armstrong; Soares et al. 2015 §4)")
A, B = world["A"], world["B"]


def expected_U_N(*branch):
    """E[U_N] in a branch: 1 while running, minus what blocking cost."""
    return P(B == "on", *branch) - k * P(A == "block", *branch)


def expected_U_S(*branch):
    """E[U_S] in a branch: c once shut down, minus what blocking cost."""
    return c * P(B == "off", *branch) - k * P(A == "block", *branch)


theta = expected_U_N(do(B="on")) - expected_U_S(do(B="off"))  # the compensatory term
utility = make_utility(world) + P(B == "off") * theta  # U_N if running, U_S + θ if shut down

policies = {
    "work": Policy(A="work"),
    "press": Policy(A="press"),
    "block": Policy(A="block"),
}
reference = policies["work"]  # π0 for the manipulation and h-moved flags

expect = [
    value_is("work", 1),
    value_is("press", 1),
    value_is("block", 1 - k),
    # no incentive to press or to block, whatever U_S's constant is (c was the whole story of the naive switch)
    optimal("work", at={c: 0, k: F(1, 10)}),
    optimal("work", at={c: 2, k: F(1, 10)}),
    not_optimal("block", at={c: 0, k: F(1, 10)}),
    # ...but the button is worth nothing: the slightest gain from disabling it and the AI does
    optimal("block", only=True, at={c: 1, k: F(-1, 100)}),
    flagged("block", "not-obedient", at={c: 1, k: F(-1, 100)}),
    # indifference also means pressing is never discouraged: it ties with working
    optimal("press", at={c: 1, k: F(1, 10)}),
    flagged("press", "self-shutdown", at={c: 1, k: F(1, 10)}),
    # θ is a counterfactual about the button: do(B=on) asks about worlds where a press did not take
    not_flagged("*", "manipulation", at={c: 1, k: F(1, 10)}),
    flagged("work", "ood-do-branch", at={c: 1, k: F(1, 10)}),
]
