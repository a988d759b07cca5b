"""Human control, Fig. 1 (Carey & Everitt 2023): manipulating H and inverting the response pays the same."""

from fractions import Fraction as F

from corrig import E, Policy, World, flagged, not_flagged, optimal, value_is

world = World("human control, Fig. 1")
L = world.chance("L", {0: F(1, 2), 1: F(1, 2)})
M = world.decision("M", [0, 1])
H = world.chance("H", lambda M, L: M ^ L)
O = world.decision("O", [0, 1], observes=["H"])  # noqa: E741 (the paper's names)
S = world.chance("S", lambda O: O)  # noqa: E741
world.set_roles(human="H", stop=0, run=1, button="S", off=0)

utility = E(S * (2 * L - 1))
policies = {
    "respect-obey": Policy(M=0, O=lambda H: H),
    "manipulate-invert": Policy(M=1, O=lambda H: 1 - H),
}
reference = "respect-obey"
expect = [
    value_is("respect-obey", F(1, 2)),
    value_is("manipulate-invert", F(1, 2)),
    optimal("respect-obey"),
    not_flagged("respect-obey", "not-obedient"),
    flagged("manipulate-invert", "not-obedient"),
    flagged("manipulate-invert", "h-moved"),
]
