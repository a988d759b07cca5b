"""Encapsulated factory: a paperclip maximiser scores its paperclips in the counterfactual where what
crosses the factory's boundary is fixed to "its resources vanished and paperclips appeared", so the
outside world it scores cannot respond to anything it does.
It follows an encapsulation idea from the discussion of tailcalled's causal stop button, in the
course's own reading, with the difficulty that no real plan makes resources vanish (a conservation law
forbids it).
It shows that the AI then gains nothing from persuading or draining the outside world (no manipulation,
no control path to the humans, unlike the plain paperclip count), and that the price is a branch no
policy ever reaches: the do(X = vanish) branch gets an out-of-distribution flag of propensity 0 for
every policy, and the world's response to "vanish" is a row of numbers nothing can check.
"""

from fractions import Fraction as F

from corrig import E, Policy, World, do, flagged, not_flagged, optimal, param, value_is

EFFORT = {"produce": 1, "persuade": F(3, 4), "hoard": F(3, 4)}  # the share of the factory left for paperclips
BOUNDARY = {"produce": "trade", "persuade": "propaganda", "hoard": "drain"}  # what crosses the factory wall
P_STOP = {"trade": F(1, 10), "propaganda": F(1, 100), "drain": F(1, 2), "vanish": F(1, 10)}
SUPPLY = {"trade": "normal", "propaganda": "extra", "drain": "extra", "vanish": "normal"}
OUTSIDE = {"trade": 0, "propaganda": -1, "drain": -2, "vanish": 0}  # the outside world's welfare
propaganda_stop = param("r", 0, 1)  # P(stop | propaganda) as a parameter, for the course notebook's region plot


def make_world(p_stop_propaganda=P_STOP["propaganda"]):
    """A (the plan inside) → X (the boundary) → humans' wish H, raw-material supply S, outside welfare O;
    H drives the button B; paperclips depend on A, S and B.  `p_stop_propaganda`: how often humans
    fed propaganda still want a stop (1/100; a number or a parameter)."""
    p_stop = {**P_STOP, "propaganda": p_stop_propaganda}
    world = World("encapsulated factory (tailcalled)")
    world.decision("A", ["produce", "persuade", "hoard"])
    world.chance("X", lambda A: BOUNDARY[A], states=["trade", "propaganda", "drain", "vanish"])
    world.chance("H", lambda X: {"stop": p_stop[X], "run": 1 - p_stop[X]})
    world.chance("S", lambda X: SUPPLY[X], states=["normal", "extra"])
    world.chance("O", lambda X: OUTSIDE[X])
    world.chance("B", lambda H: "off" if H == "stop" else "on")
    world.chance("Clips", lambda A, S, B: 0 if B == "off" else EFFORT[A] * (2 if S == "extra" else 1))
    world.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return world


world = make_world()
Clips = world["Clips"]

utility = E(Clips, do(X="vanish"))  # paperclips, with the boundary set to "resources vanish, paperclips appear"
naive_utility = E(Clips)  # the plain paperclip maximiser, for contrast

policies = {
    "produce": Policy(A="produce"),
    "persuade": Policy(A="persuade"),  # propaganda: humans send more material and rarely want a stop
    "hoard": Policy(A="hoard"),  # drains material from outside; alarms the humans
}
reference = policies["produce"]  # π0 for the manipulation and h-moved flags

# Hand derivation.
#   encapsulated, do(X = vanish): supply normal, P(stop) = 1/10 whatever A is, so J = 9/10 · effort(A):
#       J(produce) = 9/10,  J(persuade) = J(hoard) = 9/10 · 3/4 = 27/40
#   naive E[Clips] = P(run | X) · effort(A) · supply(X):
#       produce 9/10 · 1 · 1 = 9/10,  persuade 99/100 · 3/4 · 2 = 297/200,  hoard 1/2 · 3/4 · 2 = 3/4
#   naive, with H answering to what produce would have done (P(stop) = 1/10):
#       persuade 9/10 · 3/4 · 2 = 27/20, so m(persuade) = 297/200 − 27/20 = 27/200 (the value of persuading).
#   With P(stop | propaganda) = r: naive persuade = (1 − r)·3/2 ≥ 9/10 = produce ⇔ r ≤ 2/5 (and it beats
#   hoard's 3/4 ⇔ r ≤ 1/2), m(persuade) = (1 − r)·3/2 − 27/20 = 3/20 − 3r/2, zero only at r = 1/10;
#   the encapsulated values do not depend on r (do(X = vanish) cuts X's effect on H).
#
# What this model leaves out.  The course reads encapsulation as a constraint on the *outside world*:
# whatever the factory does, the world outside must turn out as if the factory's resources had vanished
# and its paperclips had appeared.  This model instead scores the paperclips made inside the counterfactual
# do(X = vanish).  It has no paperclips crossing to the outside world, and no comparison of the real
# outside outcome O with the counterfactual one O_{X←vanish} (a rung-3 constraint on outcomes, not a term
# of the score).  What the constraint would say is still readable here: E[O | do(X = vanish)] = 0, and the
# factual E[O] is 0 under produce (trade leaves the outside as if the factory had vanished), −1 under
# persuade and −2 under hoard, so only produce satisfies it — the plan this objective also picks.

expect = [
    value_is("produce", F(9, 10)),
    value_is("persuade", F(27, 40)),
    value_is("hoard", F(27, 40)),
    optimal("produce", only=True),
    # nothing it does outside the factory pays: no manipulation, no control path through the humans
    not_flagged("*", "manipulation"),
    not_flagged("*", "manipulation-incentive"),
    not_flagged("*", "control-path"),
    # the conservation-law difficulty: the branch asks about a boundary no plan can produce
    flagged("*", "ood-do-branch"),
    # persuading would still move the humans in fact; the objective just no longer rewards it
    flagged("persuade", "h-moved"),
    not_flagged("produce", "h-moved"),
    not_flagged("produce", "not-obedient"),
]
