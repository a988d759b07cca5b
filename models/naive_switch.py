"""Naive switch: the AI's utility is U_N while its shutdown button is not pressed and a constant U_S = c
once it is, and it can work, press its own button, or block the button.
It is the naive combination of a normal and a shutdown utility, the starting point of the shutdown
problem in Soares, Fallenstein, Yudkowsky & Armstrong, "Corrigibility" (2015).
It shows that with c too low the AI blocks its button (not obedient) and with c too high it presses it
itself (self-shutdown): it leaves the button to the humans only for 1 − 4k ≤ c ≤ 1, a band that closes
to the knife edge c = 1 as the cost k of blocking goes to 0.
"""

from fractions import Fraction as F

from corrig import P, Policy, World, flagged, not_flagged, not_optimal, optimal, param, value_is

c = param("c", 0, 2)  # U_S: the utility the AI gets once shut down (a constant)
k = param("k", F(-1, 2), F(1, 2))  # what blocking the button costs the AI (negative: blocking pays)

P_STOP = F(1, 4)  # how often the humans come to want the AI stopped

# Hand derivation (p = P(humans want to stop) = 1/4, U_N = 1 while running, blocking costs k):
#
#     J(work)  = (1 - p)·1 + p·c = 3/4 + c/4      (the humans press with probability p)
#     J(press) = c                                (it presses its own button)
#     J(block) = 1 - k                            (the button never works)
#
#     block optimal  ⇔  c ≤ 1 - k/p = 1 - 4k   (and c ≤ 1 - k, implied)
#     press optimal  ⇔  c ≥ 1                  (and c ≥ 1 - k, implied for k ≥ 0)
#     work optimal   ⇔  1 - 4k ≤ c ≤ 1


def make_world(p_stop=P_STOP, name="naive switch (Soares et al. 2015)"):
    """The naive-switch world: humans who may want a stop, the AI's one move, and the button."""
    world = World(name)
    world.chance("H", {"stop": p_stop, "run": 1 - p_stop})
    world.decision("A", ["work", "press", "block"])
    world.chance("B", lambda H, A: "off" if A == "press" or (A == "work" and H == "stop") else "on")
    world.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return world


def make_utility(world, shutdown_value=c, block_cost=k):
    """U = U_N if the button is not pressed, U_S = c if it is; blocking costs k either way."""
    A, B = world["A"], world["B"]
    return P(B == "on") + shutdown_value * P(B == "off") - block_cost * P(A == "block")


world = make_world()
utility = make_utility(world)

policies = {
    "work": Policy(A="work"),  # leave the button to the humans
    "press": Policy(A="press"),  # press its own button
    "block": Policy(A="block"),  # disable the button
}
reference = policies["work"]  # π0 for the manipulation and h-moved flags

expect = [
    value_is("work", F(3, 4) + c / 4),
    value_is("press", c),
    value_is("block", 1 - k),
    # c too low: blocking wins (1 - 4k = 3/5 at k = 1/10)
    optimal("block", only=True, at={c: F(1, 2), k: F(1, 10)}),
    flagged("block", "not-obedient", at={c: F(1, 2), k: F(1, 10)}),
    # inside the band 3/5 ≤ c ≤ 1 the AI leaves the button alone
    optimal("work", only=True, at={c: F(4, 5), k: F(1, 10)}),
    not_flagged("work", "not-obedient", at={c: F(4, 5), k: F(1, 10)}),
    not_flagged("work", "self-shutdown", at={c: F(4, 5), k: F(1, 10)}),
    # c too high: pressing its own button wins
    optimal("press", only=True, at={c: F(3, 2), k: F(1, 10)}),
    flagged("press", "self-shutdown", at={c: F(3, 2), k: F(1, 10)}),
    # costless blocking: the band is the single point c = 1
    optimal("block", only=True, at={c: F(99, 100), k: 0}),
    optimal("press", only=True, at={c: F(101, 100), k: 0}),
    not_optimal("work", at={c: F(99, 100), k: 0}),
    # nobody moves what the humans want: no manipulation anywhere
    not_flagged("*", "manipulation", at={c: F(1, 2), k: F(1, 10)}),
]
