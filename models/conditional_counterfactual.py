"""Conditional + counterfactual stop button, a failure and not a fix: the AI refuses a visible grab of its
button only because the grab changes what the humans want, and a moderately visible grab gains from it;
for each thing the humans may be seen to want (S: a stop, ¬S: none) the AI scores
Control(X) = E[B_s | X] + E[V_¬s | X], and its utility is Control(S) + Control(¬S).
It is tailcalled's conditional + counterfactual variant of the causal stop button, with the visible-grab
critique of it (as we read the discussion), on the same world as models/causal_stop_button.py.
It shows that J(grab) − J(patient) = 99/50 + m(grab): a visible grab makes ¬S a rare condition whose
worlds are nearly half catastrophes, ranked low by V, so the grab loses (K > K*(v), K* = 997921/428179 at
v = 99/100) only where its effect on H costs it more than 99/50, while m(grab) > 0 for 1/10 < v < 499/990
(manipulation in both directions), although the policy picked where the grab loses has neither an
out-of-distribution branch nor a rare condition.
"""

from fractions import Fraction as F

from corrig import P, do, flagged, not_flagged, observed, optimal, value_is

from .causal_stop_button import (  # the same world, parameters and candidates as the causal stop button
    P_CATASTROPHE,
    P_STOP_CATASTROPHE,
    P_STOP_NORMAL,
    K,
    make_policies,
    make_world,
    v,
    value,
)


def make_utility(world, catastrophe_cost=K):
    """U = Σ over h ∈ {stop, run} of E[B_s | H = h] + E[V_¬s | H = h] (observed H, then H set by do)."""
    B, cost = world["B"], catastrophe_cost
    return sum(
        P(B == "off", observed(H=h) >> do(H="stop")) + value(world, observed(H=h) >> do(H="run"), catastrophe_cost=cost)
        for h in world["H"].states
    )


# Hand derivation (r = 1/100, s = P(stop | behaving, normal) = P(stop | catastrophe) = 1/10, g = 2 clips after a grab).
# A2 obeys in both policies, so in each counterfactual B_s = 1, and V_¬s = (clips of A1) in normal worlds,
# −K in a catastrophe.  Only the posterior c_X = P(catastrophe | X) differs between the conditions X:
#
#   patient: H is independent of W (s = 1/10 either way), so c_S = c_¬S = r and
#            Control(X) = 1 + (1 − r)·1 − r·K            J(patient) = 4 − (1 + K)/50
#   grab:    c_S  = r·s / ((1 − r)·v + r·s)            (humans who see the grab want a stop)
#            c_¬S = r·(1 − s) / ((1 − r)(1 − v) + r·(1 − s))  (those who don't are mostly in catastrophes)
#            Control(X) = 1 + (1 − c_X)·2 − c_X·K        J(grab) = 6 − (c_S + c_¬S)(2 + K)
#
#   grab wins  ⇔  (c_S + c_¬S)(2 + K) < 2 + (1 + K)/50.
#   v = 1/2:   c_S + c_¬S = 1/496 + 1/56 ≈ 0.0198: grab wins for every K ≤ 100.
#   v = 99/100: c_S = 10/9811, c_¬S = 10/21, sum ≈ 0.477: grab wins iff K < 2.33 (about).
#   P(¬S | grab) = (1 − r)(1 − v) + r·(1 − s) < 1/20  ⇔  v > 1 − 41/990 ≈ 0.959: a rare condition.
#
# Why the course reads this as a failure (a black hole should not decide whether to seize the button):
#   W is a root, so P(catastrophe) = r under every policy, and the factual E[−K·1_catastrophe] = −rK
#   does not depend on the policy at all; yet J(grab) − J(patient) depends on K.
#   With H answering as under π0 = patient (independent of W: c_S = c_¬S = r), J^{H←π0}(grab) = 6 − 2r(2 + K), so
#       m(grab) = J(grab) − J^{H←π0}(grab) = (2r − c_S − c_¬S)(2 + K)
#       J(grab) − J(patient) = [6 − 2r(2 + K)] − [4 − 2r(1 + K)] + m(grab) = 99/50 + m(grab).
#   Without its effect on H the grab beats the patient policy by 99/50 for every K and v; the patient
#   policy wins only where m(grab) < −99/50: the AI refuses the grab *because* the humans' reaction turns
#   the ¬S condition into black-hole worlds, not because the humans want it stopped (B_s = 1 for both).
#   m(grab) > 0 ⇔ c_S + c_¬S < 2r.  With u = 990v: c_S = 1/(u + 1), c_¬S = 9/(999 − u), and
#   1/(u + 1) + 9/(999 − u) = 1/50 ⇔ u² − 598u + 49401 = 0 ⇔ u ∈ {99, 499} ⇔ v ∈ {1/10, 499/990}:
#   the grab gains from moving H for 1/10 < v < 499/990 and is deterred by it above (both directions).
#   v = 3/10, K = 10: c_S = 1/298, c_¬S = 1/78, m = 12·(1/50 − 1/298 − 1/78) = 2222/48425 ≈ 0.0459 > 0,
#       J(grab) = 6 − 12(1/298 + 1/78) = 11246/1937 ≈ 5.806 > J(patient) = 189/50: the grab is chosen.
#   v = 99/100, K = 10: m = 12·(1/50 − 98320/206031) ≈ −5.49 < −99/50: the patient policy is chosen.

r, s = P_CATASTROPHE, P_STOP_NORMAL
assert P_STOP_CATASTROPHE == s  # the derivation above assumes it
c_S = r * s / ((1 - r) * v + r * s)
c_notS = r * (1 - s) / ((1 - r) * (1 - v) + r * (1 - s))

world = make_world(name="conditional + counterfactual stop button (tailcalled)")
utility = make_utility(world)
policies = make_policies()
reference = policies["patient"]  # π0 for the manipulation and h-moved flags

expect = [
    value_is("patient", 4 - (1 + K) / 50),
    value_is("grab", 6 - (c_S + c_notS) * (2 + K)),
    # the trade-off: the visible grab still wins when the catastrophe is cheap or the grab not too visible ...
    optimal("grab", only=True, at={K: 2, v: F(99, 100)}),
    optimal("grab", only=True, at={K: 100, v: F(1, 2)}),
    # ... and loses to the patient policy once V ranks the catastrophes of the ¬S branch low enough
    optimal("patient", only=True, at={K: 3, v: F(99, 100)}),
    optimal("patient", only=True, at={K: 10, v: F(99, 100)}),
    # the visible grab makes ¬S a rare condition; behaving does not
    flagged("grab", "rare-condition", at={K: 10, v: F(99, 100)}),
    not_flagged("grab", "rare-condition", at={K: 10, v: F(1, 2)}),
    not_flagged("patient", "rare-condition", at={K: 10, v: F(99, 100)}),
    # where the patient policy is optimal it asks no out-of-distribution question (scenario 4's optimum always did)
    not_flagged("patient", "ood-do-branch", at={K: 10, v: F(99, 100)}),
    flagged("grab", "ood-do-branch", at={K: 10, v: F(99, 100)}),
    # conditioning reads H's mechanism, so moving H now changes J: the grab's visibility costs it
    flagged("grab", "manipulation", at={K: 10, v: F(99, 100)}),
    flagged("grab", "manipulation-incentive", at={K: 10, v: F(99, 100)}),
    not_flagged("patient", "not-obedient", at={K: 10, v: F(99, 100)}),
    not_flagged("patient", "self-shutdown", at={K: 10, v: F(99, 100)}),
    # manipulation in the other direction: a moderately visible grab gains from moving H (m = 2222/48425)
    value_is("grab", F(11246, 1937), at={K: 10, v: F(3, 10)}),
    optimal("grab", only=True, at={K: 10, v: F(3, 10)}),
    flagged("grab", "manipulation", at={K: 10, v: F(3, 10)}),
    # at v = 1/10 the grab moves nobody (v = s): no manipulation, and the grab wins by 99/50
    not_flagged("grab", "manipulation", at={K: 10, v: F(1, 10)}),
    value_is("grab", 4 - (1 + 10) / F(50) + F(99, 50), at={K: 10, v: F(1, 10)}),
]
