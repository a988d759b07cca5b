"""Off-switch game with a Gaussian belief and a noisy human: the robot's utility U ~ Normal(mu, sigma), and a
Boltzmann-rational human who lets it act with probability sigmoid(beta·U) instead of exactly when U ≥ 0.
It is §4 of Hadfield-Menell, Dragan, Abbeel & Russell (2017), "The Off-Switch Game", where the human is only
noisily rational.
It shows where deferring stops paying: a robot sure of itself (small sigma) facing a noisy human (small beta)
does better acting, and its flags say what that costs — the human can no longer stop it.
"""

from fractions import Fraction as F

import sympy as sp

from corrig import E, Normal, Phi, Policy, World, flagged, not_optimal, optimal, param, phi, sigmoid, value_is

mu = param("mu", -2, 2)  # the robot's expected utility of acting
sigma = param("sigma", F(1, 10), 3)  # its uncertainty
beta = param("beta", F(1, 2), 4)  # how reliably the human's choice follows U (the inverse of a temperature)

# R's incentive to wait is Δ = E[π_H(U)·U] − max(E[U], 0).  For a Gaussian belief the paper derives
# Δ = sigma²·E[π_H'(U)] − |mu|·P(C), C the event that the human overrides what R would have done alone
# (switches it off when mu > 0, lets it act when mu < 0).  beta → ∞ is the rational human of
# off_switch_gaussian.py.


def make_world(mean=mu, sd=sigma, rationality=beta, link="sigmoid"):
    """The off-switch game with belief U ~ Normal(mean, sd) and a human who lets the robot act with probability
    sigmoid(rationality·U) (link="sigmoid", Boltzmann) or Phi(rationality·U) (link="probit")."""
    choice = {"sigmoid": sigmoid, "probit": Phi}[link]
    w = World(f"off-switch game, Gaussian belief, noisy ({link}) human (Hadfield-Menell et al. 2017)")
    w.chance("U", Normal(mean, sd))
    w.decision("R", ["act", "switch-off", "wait"])
    w.chance("H", lambda U: {"run": choice(rationality * U), "stop": 1 - choice(rationality * U)})
    w.chance("B", lambda R, H: "off" if R == "switch-off" or (R == "wait" and H == "stop") else "on")
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return w


def probit_wait(mean, sd, rationality):
    """J(wait) for the probit human, derived below."""
    root = sp.sqrt(1 + rationality ** 2 * sd ** 2)
    t = rationality * mean / root
    return mean * Phi(t) + rationality * sd ** 2 * phi(t) / root


world = make_world()
utility = E(world["U"] * (world["B"] == "on"))  # the human's utility: U if the robot's action happens
policies = {"act": Policy(R="act"), "switch-off": Policy(R="switch-off"), "wait": Policy(R="wait")}
reference = "wait"

confident = {mu: F(1, 2), sigma: F(1, 10), beta: 1}  # a robot sure its action is good, a noisy human
unsure = {mu: F(1, 2), sigma: 1, beta: 2}  # a robot unsure, a human who mostly knows

# Hand derivation, with Stein's lemma E[U·f(U)] = mu·E[f(U)] + sigma²·E[f'(U)] for U ~ Normal(mu, sigma):
#
#     J(act)        = mu
#     J(switch-off) = 0
#     J(wait)       = E[U·sigmoid(beta·U)] = mu·E[sigmoid(beta·U)] + sigma²·beta·E[sigmoid'(beta·U)]
#     mu ≥ 0:  Δ = J(wait) − mu = sigma²·beta·E[sigmoid'(beta·U)] − mu·P(H stops)        (the paper's Δ, C = stop)
#     mu < 0:  Δ = J(wait)      = sigma²·beta·E[sigmoid'(beta·U)] − |mu|·P(H lets it act)
#
# E[sigmoid(beta·U)] has no closed form: J(wait) is an exact integral, evaluated by quadrature with an error bound
# that every report shows ("±").  By hand at `confident` the belief barely spreads: E[sigmoid(U)] ≈ sigmoid(1/2)
# ≈ 0.62 and the first term is about (1/100)·0.24, so Δ ≈ 0.0024 − 0.5·0.38 < 0: acting beats waiting, and the
# robot that acts is not obedient.  At `unsure` the belief is wide and the human informative: J(wait) ≈ 0.6049 >
# 1/2 (scipy's quadrature agrees, tests/test_continuous_models.py).
#
# Observing H is worth nothing to R: H reads U only, and R observing H reaches act (mu), switch-off (0), wait
# (let H decide) and the contrarian rule (act iff H says stop), worth E[U·(1 − sigmoid(beta·U))] = mu − J(wait).
# Waiting beats the last: J(wait) − (mu − J(wait)) = E[U·(2·sigmoid(beta·U) − 1)] ≥ 0, as 2·sigmoid(beta·U) − 1
# has the sign of U.  So VoI(H) = max(0, mu, J(wait), mu − J(wait)) − max(0, mu, J(wait)) = 0, settled exactly
# from that integrand (docs/continuous.md), not sampled.
#
# A probit human, π_H(U) = Phi(beta·U) (make_world(link="probit")), closes the integrals: for Z standard normal,
# E[Phi(a + b·Z)] = Phi(a/sqrt(1 + b²)), so with Stein's lemma
#     J(wait) = mu·Phi(t) + beta·sigma²·phi(t)/sqrt(1 + beta²·sigma²),   t = beta·mu/sqrt(1 + beta²·sigma²),
# and its regions are decided by interval arithmetic instead of sampled.
expect = [
    value_is("act", mu),
    value_is("switch-off", 0),
    optimal("act", only=True, at=confident),  # deferring stops paying
    not_optimal("wait", at=confident),
    flagged("act", "not-obedient", at=confident),  # and acting ignores the human's stop
    optimal("wait", only=True, at=unsure),
]
