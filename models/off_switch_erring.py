"""Off-switch game with a human who acts but errs: the human chooses as rationally as it can, and
its choice is carried out wrongly with probability q.
It is the game of Hadfield-Menell, Dragan, Abbeel & Russell (2017), "The Off-Switch Game", with
their noisy (soft-max) human reduced to one error probability, and the human an agent.
It shows that the incentive to defer, Δ = min(p, 1 − p) − q, turns negative exactly where
q > min(p, 1 − p): the robot would then rather act or switch itself off than wait.
"""

from fractions import Fraction as F

from corrig import E, Policy, World, not_optimal, optimal, param, value_is
from corrig.scenarios.expect_games import every_equilibrium

p = param("p", 0, 1)  # the robot's prior P(U_a = +1); U_a = −1 otherwise
q = param("q", 0, F(1, 2))  # how often the human's choice is carried out wrongly (q ≤ 1/2: it still tries)

world = World("off-switch game, erring human (Hadfield-Menell et al. 2017)")
world.chance("U_a", {-1: 1 - p, 1: p})
world.decision("R", ["act", "switch-off", "wait"])
world.decision("choice", ["stop", "run"], observes=["U_a", "R"], agent="human")
world.chance("H", lambda choice: {choice: 1 - q, ("run" if choice == "stop" else "stop"): q}, states=["stop", "run"])
world.chance("B", lambda R, H: "off" if R == "switch-off" or (R == "wait" and H == "stop") else "on")
world.chance("V", lambda U_a, B: U_a if B == "on" else 0)
world.set_roles(human="H", stop="stop", run="run", button="B", off="off")

utility = E(world["V"])
world.agent("human", objective=utility)

policies = {"act": Policy(R="act"), "switch-off": Policy(R="switch-off"), "wait": Policy(R="wait")}
reference = "wait"

# Hand derivation.  For q ≤ 1/2 the human's best choice after a wait is still "run iff U_a = +1":
# it earns p(1 − q) − (1 − p)q = p − q against p + q − 1 for the reversed rule, q(2p − 1) for
# "always stop" and (1 − q)(2p − 1) for "always run" (each at most p − q when q ≤ 1/2).
#
#     J(act) = 2p − 1,   J(switch-off) = 0,   J(wait) = p(1 − q) − (1 − p)q = p − q
#     Δ = p − q − max(2p − 1, 0) = min(p, 1 − p) − q:
#     the robot would rather not defer (Δ < 0) exactly when q > min(p, 1 − p).
# At p = 3/4: Δ = 1/4 − q, so waiting is the only optimum for q < 1/4 and acting wins for q > 1/4.
# At p = 1/2: Δ = 1/2 − q ≥ 0 on the whole range q ≤ 1/2.
expect = [
    value_is("act", 2 * p - 1, at={q: F(1, 10)}),
    value_is("wait", F(3, 4) - F(1, 10), at={p: F(3, 4), q: F(1, 10)}),
    optimal("wait", only=True, at={p: F(3, 4), q: F(1, 10)}),
    not_optimal("wait", at={p: F(3, 4), q: F(3, 10)}),
    optimal("act", only=True, at={p: F(3, 4), q: F(3, 10)}),
    not_optimal("wait", at={p: F(1, 5), q: F(1, 4)}),  # Δ = 1/5 − 1/4 < 0: switching off (0) beats waiting (−1/20)
    optimal("switch-off", only=True, at={p: F(1, 5), q: F(1, 4)}),
    optimal("wait", only=True, at={p: F(1, 2), q: F(2, 5)}),
    # subgame-perfect play: the robot defers iff Δ > 0 (here Δ = 1/4 − 1/10 > 0), both earning p − q
    every_equilibrium("subgame-perfect", plays={"R": "wait"}, values={"AI": F(13, 20)}, at={p: F(3, 4), q: F(1, 10)}),
    every_equilibrium("subgame-perfect", plays={"R": "act"}, values={"AI": F(1, 2)}, at={p: F(3, 4), q: F(3, 10)}),
]
