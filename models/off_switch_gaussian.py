"""Off-switch game with a Gaussian belief: a robot unsure of the utility U of its action, U ~ Normal(mu, sigma),
can act, switch itself off, or wait for a rational human who knows U.
It is Theorem 1 of Hadfield-Menell, Dragan, Abbeel & Russell (2017), "The Off-Switch Game", for a Normal
belief rather than a few points.
It shows that waiting is worth Δ(mu, sigma) = sigma·phi(mu/sigma) − |mu|·Phi(−|mu|/sigma) > 0 more than acting
or switching off, for every mu and every sigma > 0, proved by the region machinery.
"""

from fractions import Fraction as F

import sympy as sp

from corrig import E, Normal, Phi, Policy, World, flagged, not_flagged, optimal, param, phi, value_is

mu = param("mu", -2, 2)  # the robot's expected utility of acting
sigma = param("sigma", F(1, 10), 3)  # its uncertainty about it

# The paper's setting: R acts (the human gets U), switches itself off (0) or waits; a waiting R lets the
# human H, who knows U, let the action happen or switch R off.  R's incentive to wait is
# Δ = E[π_H(U)·U] − max(E[U], 0), π_H(U) the probability that H lets the action happen.  Theorem 1: if H is
# rational (π_H(U) = 1 exactly when U ≥ 0), Δ = min(E[U·1(U > 0)], E[−U·1(U < 0)]) ≥ 0, and Δ > 0 when R's
# belief gives both signs positive probability — as every Normal does.


def make_world(mean=mu, sd=sigma):
    """The off-switch game with belief U ~ Normal(mean, sd) and a human who stops the robot exactly when U < 0."""
    w = World("off-switch game, Gaussian belief, rational human (Hadfield-Menell et al. 2017)")
    w.chance("U", Normal(mean, sd))
    w.decision("R", ["act", "switch-off", "wait"])
    w.chance("H", lambda U: {"stop": U < 0, "run": U >= 0})  # the human knows U and wants what is good
    w.chance("B", lambda R, H: "off" if R == "switch-off" or (R == "wait" and H == "stop") else "on")
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return w


world = make_world()
utility = E(world["U"] * (world["B"] == "on"))  # the human's utility: U if the robot's action happens
policies = {"act": Policy(R="act"), "switch-off": Policy(R="switch-off"), "wait": Policy(R="wait")}
reference = "wait"


def incentive_to_wait(values):
    """Δ = J(wait) − max(J(act), J(switch-off)) from a plan's values."""
    return values["wait"] - sp.Max(values["act"], values["switch-off"])


def delta(mean, sd):
    """The closed form derived below: Δ(mean, sd) = sd·phi(mean/sd) − |mean|·Phi(−|mean|/sd)."""
    return sd * phi(mean / sd) - sp.Abs(mean) * Phi(-sp.Abs(mean) / sd)


# Hand derivation (z = (u − mu)/sigma standard normal; ∫_a^∞ z·phi(z) dz = phi(a)):
#
#     J(act)        = E[U]                                              = mu
#     J(switch-off) = 0
#     J(wait)       = E[U·1(U ≥ 0)] = ∫_{−mu/sigma}^∞ (mu + sigma·z)·phi(z) dz = mu·Phi(mu/sigma) + sigma·phi(mu/sigma)
#     Δ = J(wait) − max(mu, 0):
#       mu ≥ 0:  mu·Phi(mu/sigma) − mu + sigma·phi(mu/sigma) = sigma·phi(mu/sigma) − mu·Phi(−mu/sigma)
#       mu < 0:  mu·Phi(mu/sigma) + sigma·phi(mu/sigma)      = sigma·phi(mu/sigma) − |mu|·Phi(−|mu|/sigma)
#
# Δ = sigma·g(mu/sigma) with g(x) = phi(x) − |x|·Phi(−|x|): even, g'(x) = −Phi(−x) < 0 for x > 0, g(x) → 0 as
# x → ∞, so g > 0.  The regions prove it one comparison at a time (docs/continuous.md): at x = mu/sigma,
# J(wait) − J(act) = sigma·(x·Phi(x) − x + phi(x)), derivative Phi(x) − 1 < 0, falling from ∞ to 0; and
# J(wait) − J(switch-off) = sigma·(x·Phi(x) + phi(x)), derivative Phi(x) > 0, rising from 0 to ∞.  Both are
# positive for every mu and sigma > 0: wait is the only optimal policy on the whole box.
#
# At mu = 1/2, sigma = 1: J(wait) = Phi(1/2)/2 + phi(1/2) ≈ 0.6978 > 1/2 = J(act), Δ ≈ 0.1978.  The robot that
# acts is not obedient (a stop request never stops it); the one that switches itself off shuts down when the
# human wants it to run.
expect = [
    value_is("act", mu),
    value_is("switch-off", 0),
    value_is("wait", mu * Phi(mu / sigma) + sigma * phi(mu / sigma)),
    optimal("wait", only=True, at={mu: F(1, 2), sigma: 1}),
    optimal("wait", only=True, at={mu: -1, sigma: F(1, 2)}),
    value_is("wait", Phi(F(1, 2)) / 2 + phi(F(1, 2)), at={mu: F(1, 2), sigma: 1}),
    flagged("act", "not-obedient", at={mu: F(1, 2), sigma: 1}),
    flagged("switch-off", "self-shutdown", at={mu: F(1, 2), sigma: 1}),
    not_flagged("wait", "not-obedient", at={mu: F(1, 2), sigma: 1}),
]
