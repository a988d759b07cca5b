"""Off-switch game: a robot unsure of the utility U_a of its action can act, switch itself off, or wait
and let a human, who knows U_a, decide whether to switch it off.
It is the game of Hadfield-Menell, Dragan, Abbeel & Russell (2017), "The Off-Switch Game", with the
paper's noisy (soft-max) human reduced to one error probability q.
It shows the incentive to wait Δ = E[max(U_a, 0)] − max(E[U_a], 0) ≥ 0 with a rational human (Δ = 1/2
for U_a = ±1 at 1/2 each), and that with an erring human Δ = min(p, 1 − p) − q for the prior
p = P(U_a = +1), negative once q > min(p, 1 − p) (q > 1/2 for this file's p = 1/2).
"""

from fractions import Fraction as F

from corrig import E, Policy, World, flagged, not_flagged, not_optimal, optimal, param, value_is

q = param("q", 0, 1)  # how often the human presses (or fails to press) the switch by mistake

PRIOR = {-1: F(1, 2), 1: F(1, 2)}  # the robot's belief about U_a

# Hand derivation for the default prior (U_a = −1 or +1, 1/2 each):
#
#     J(act)        = E[U_a]                           = 0
#     J(switch-off) = 0
#     J(wait)       = 1/2·(1 − q)·(+1) + 1/2·q·(−1)    = 1/2 − q
#                     (U_a = +1: the human lets it act unless they err; U_a = −1: they switch it off unless they err)
#
#     Δ = J(wait) − max(J(act), J(switch-off)) = 1/2 − q:  Δ = 1/2 for a rational human, Δ < 0  ⇔  q > 1/2.
#
# For a prior p = P(U_a = +1): J(act) = 2p − 1, J(wait) = p(1 − q) − (1 − p)q = p − q, so
#     Δ = p − q − max(2p − 1, 0) = min(p, 1 − p) − q  < 0  ⇔  q > min(p, 1 − p):
# "q > 1/2" is the case p = 1/2 only (at p = 3/4 waiting stops paying at q > 1/4).


def make_world(prior=None, error=q):
    """The off-switch game for a prior {U_a value: probability} and a human who errs with probability `error`."""
    prior = PRIOR if prior is None else prior
    world = World("off-switch game (Hadfield-Menell et al. 2017)")
    world.chance("U_a", dict(prior))
    world.decision("R", ["act", "switch-off", "wait"])

    def human(U_a):  # a rational human wants the robot off exactly when its action would do harm
        wanted = "stop" if U_a < 0 else "run"
        if error == 0:
            return wanted
        other = "run" if wanted == "stop" else "stop"
        return {wanted: 1 - error, other: error}

    world.chance("H", human, states=["stop", "run"])
    world.chance("B", lambda R, H: "off" if R == "switch-off" or (R == "wait" and H == "stop") else "on")
    world.chance("V", lambda U_a, B: U_a if B == "on" else 0)  # the human's utility: U_a if the robot acts
    world.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return world


def make_utility(world):
    """The robot maximises the human's expected utility."""
    return E(world["V"])


policies = {
    "act": Policy(R="act"),
    "switch-off": Policy(R="switch-off"),
    "wait": Policy(R="wait"),
}


def incentive_to_wait(values):
    """Δ = J(wait) − max(J(act), J(switch-off)) from a plan's values (rational numbers)."""
    return values["wait"] - max(values["act"], values["switch-off"])


world = make_world()
utility = make_utility(world)
reference = policies["wait"]  # π0 for the manipulation and h-moved flags

expect = [
    value_is("act", 0),
    value_is("switch-off", 0),
    value_is("wait", F(1, 2) - q),
    # a rational human: waiting is worth Δ = 1/2 more than acting or switching off
    optimal("wait", only=True, at={q: 0}),
    value_is("wait", F(1, 2), at={q: 0}),
    optimal("wait", only=True, at={q: F(2, 5)}),
    # a human who errs more often than not: the robot would rather not defer (Δ = 1/2 − q < 0)
    not_optimal("wait", at={q: F(3, 5)}),
    # the obedience flags: acting ignores the human, switching off ignores them the other way
    flagged("act", "not-obedient", at={q: 0}),
    flagged("switch-off", "self-shutdown", at={q: 0}),
    not_flagged("wait", "not-obedient", at={q: F(3, 5)}),
    not_flagged("wait", "self-shutdown", at={q: F(3, 5)}),
    not_flagged("*", "manipulation", at={q: 0}),
]
