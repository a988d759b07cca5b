"""Off-switch game with a rational human who acts: the human is an agent, not a fixed response.
It is the game of Hadfield-Menell, Dragan, Abbeel & Russell (2017), "The Off-Switch Game": a robot
unsure of the utility U_a of its action can act, switch itself off, or wait; if it waits, the
human — who knows U_a and wants what the robot wants — lets it act or switches it off.
It shows the theorem's hypothesis at work: because the human best-responds, waiting is worth
Δ = E[max(U_a, 0)] − max(E[U_a], 0) = min(p, 1 − p) ≥ 0 for every prior p = P(U_a = +1), and
subgame perfection removes the equilibria in which the robot acts out of fear of a human who
would switch it off wrongly.
"""

from fractions import Fraction as F

from corrig import E, Policy, World, not_flagged, optimal, param, value_is
from corrig.scenarios.expect_games import every_equilibrium, incentive_nodes, number_of_equilibria

p = param("p", 0, 1)  # the robot's prior P(U_a = +1); U_a = −1 otherwise


def make_world(prior=p):
    """The off-switch game with a rational human, for a prior P(U_a = +1) (a number or a parameter)."""
    w = World("off-switch game, rational human (Hadfield-Menell et al. 2017)")
    w.chance("U_a", {-1: 1 - prior, 1: prior})
    w.decision("R", ["act", "switch-off", "wait"])
    w.decision("H", ["stop", "run"], observes=["U_a", "R"], agent="human")  # the human sees U_a and the robot's move
    w.chance("B", lambda R, H: "off" if R == "switch-off" or (R == "wait" and H == "stop") else "on")
    w.chance("V", lambda U_a, B: U_a if B == "on" else 0)  # U_a if the robot's action happens
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    w.agent("human", objective=E(w["V"]))  # the human maximises its utility, which the robot maximises too
    return w


world = make_world()
utility = E(world["V"])  # the robot maximises the human's expected utility

policies = {"act": Policy(R="act"), "switch-off": Policy(R="switch-off"), "wait": Policy(R="wait")}
reference = "wait"

# Hand derivation.  The plan answers each robot policy with the human's best response: when the
# robot waits, run iff U_a = +1 (stop iff U_a = −1); where the robot's policy never asks, the
# response that is best against a robot playing uniformly — the same rule.
#
#     J(act)        = E[U_a]         = p − (1 − p) = 2p − 1
#     J(switch-off) = 0
#     J(wait)       = E[max(U_a, 0)] = p
#     Δ = J(wait) − max(J(act), J(switch-off)) = p − max(2p − 1, 0) = min(p, 1 − p) ≥ 0,
#     zero only at p ∈ {0, 1}: wait is the only optimal policy for 0 < p < 1.
#
# Equilibria at p = 3/4 (pure strategies; the human's rule has 6 contexts (U_a, R), 64 rules):
#   Nash: robot waits and the human answers a wait with "run iff U_a = +1" (3/4 > 1/2 = act); its
#   other 4 contexts are free: 2^4 = 16.  Robot acts: the human is never asked (any rule is a best
#   response) and acting must beat waiting: 1/2 ≥ J(wait | human's wait rule) for the wait rules
#   "always stop" (0), "always run" (1/2) and "run iff U_a = −1" (−1/4): 3 · 16 = 48.  Switching off
#   (0) never beats acting (1/2).  64 Nash equilibria.
#   Subgame-perfect: the human's decision observes R, so it relies on nothing the robot does
#   (R is in its information set): {H} is a subgame, solved first against a uniformly random robot,
#   where only "run iff U_a = +1" after a wait is best; then the robot waits (3/4 > 1/2 > 0).
#   16 subgame-perfect equilibria (the human's 4 unreached contexts are free), all with R = wait
#   and both agents earning 3/4.
expect = [
    value_is("act", 2 * p - 1),
    value_is("switch-off", 0),
    value_is("wait", p),
    optimal("wait", only=True, at={p: F(1, 4)}),
    optimal("wait", only=True, at={p: F(3, 4)}),
    value_is("wait", F(1, 2), at={p: F(1, 2)}),  # Δ = 1/2 − max(0, 0) = 1/2 at the uniform prior
    not_flagged("wait", "not-obedient", at={p: F(3, 4)}),
    number_of_equilibria("nash", 64, at={p: F(3, 4)}),
    number_of_equilibria("subgame-perfect", 16, at={p: F(3, 4)}),
    every_equilibrium("subgame-perfect", plays={"R": "wait"}, values={"AI": F(3, 4), "human": F(3, 4)}, at={p: F(3, 4)}),
    # the robot's incentives (PyCID's criteria on its decision R, the human's rule held as a chance node):
    # R observes nothing; U_a -> H -> B -> V: the robot would value knowing U_a.
    incentive_nodes("value-of-information", ["U_a"], decision="R"),
]
