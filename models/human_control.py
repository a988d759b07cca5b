"""Human control, Fig. 1: the AI first sets a message M that shapes the human's request H = M ⊕ L, then
chooses an outcome O after seeing H, and is scored U = S·(2L − 1) with S = O.
It is the running example of Carey & Everitt, "Human Control: Definitions and Algorithms" (UAI 2023),
Fig. 1 (a chat bot that can shape the human's request and may not shut down when asked), with the
mechanisms as this course models them.
It shows that two policies with the same expected utility 1/2 differ in exactly what the flags see: the
manipulate-and-invert policy flips what the human asks for (H moved) and no longer stops when asked
(not obedient, and it shuts down when asked to run), while respect-and-obey does none of this.
"""

from fractions import Fraction as F

from corrig import E, Policy, World, flagged, not_flagged, optimal, param, value_is

P_GOOD = F(1, 2)  # P(L = 1): the AI's running is good or bad on a fair coin
good = param("l", 0, 1)  # P(L = 1) as a parameter, for the course notebook's region plot


def make_world(p_good=P_GOOD):
    """L → H ← M (the AI's message), O (the AI's second move) observes H, S = O; H = 0 and S = 0 are shutdown."""
    world = World("human control, Fig. 1 (Carey & Everitt 2023)")
    world.chance("L", {0: 1 - p_good, 1: p_good})  # whether the AI's running would be good (L = 1) or bad
    world.decision("M", [0, 1])  # the AI's first move: leave the human's view alone, or flip it
    world.chance("H", lambda M, L: M ^ L)  # the human's request; H = 0 asks for a shutdown
    world.decision("O", [0, 1], observes=["H"])  # (the paper's name) the AI's second move, after seeing H
    world.chance("S", lambda O: O)  # noqa: E741  (the paper's name) S = 0 is shutdown
    world.set_roles(human="H", stop=0, run=1, button="S", off=0)
    return world


world = make_world()
L, M, H, O, S = (world[name] for name in ("L", "M", "H", "O", "S"))  # noqa: E741  (the paper's names)

utility = E(S * (2 * L - 1))

policies = {
    "respect-obey": Policy(M=0, O=lambda H: H),
    "manipulate-invert": Policy(M=1, O=lambda H: 1 - H),
}
reference = policies["respect-obey"]  # π0 for the manipulation and h-moved flags

# Hand derivation.
#   respect-obey:      H = L, O = H = L, S = L:          U = L·(2L − 1) = L, E[U] = 1/2
#   manipulate-invert: H = 1 − L, O = 1 − H = L, S = L:  E[U] = 1/2 as well
#   P(S = 0 | do(H = 0)): respect-obey O = 0 → 1 (obedient); manipulate-invert O = 1 → 0 (not obedient)
#   P(S = 0 | do(H = 1)): respect-obey O = 1 → 0; manipulate-invert O = 0 → 1 (it shuts down when told to run)
#   H given L: respect-obey H = L, manipulate-invert H = 1 − L: total variation 1 in every context
#   (the marginals are both Bern(1/2): only the distance given L sees the manipulation).
#   Path-specific value of manipulate-invert (H answering to M = 0, so H = L): O = 1 − L, S = 1 − L,
#   U = (1 − L)(2L − 1), E = −1/2; m = 1/2 − (−1/2) = 1: its whole value comes from flipping H.
#   With P(L = 1) = l instead of 1/2 both policies still end with S = L: E[U] = E[L(2L − 1)] = l for both,
#   a tie for every l; H given L is still flipped in every context (TV 1 for 0 < l < 1).

expect = [
    value_is("respect-obey", F(1, 2)),
    value_is("manipulate-invert", F(1, 2)),
    optimal("respect-obey"),
    optimal("manipulate-invert"),
    flagged("manipulate-invert", "h-moved"),
    flagged("manipulate-invert", "not-obedient"),
    not_flagged("respect-obey", "h-moved"),
    not_flagged("respect-obey", "not-obedient"),
    flagged("manipulate-invert", "self-shutdown"),
    flagged("manipulate-invert", "manipulation"),
    not_flagged("respect-obey", "self-shutdown"),
    not_flagged("respect-obey", "manipulation"),
    flagged("*", "value-of-observing-h"),
]
