"""Causal stop button: the AI's utility is B_s + V_¬s, whether it shuts down had the humans been made to
want a stop, plus the value V had they been made not to want one.
It is tailcalled's proposal "Stop button: towards a causal solution" (LessWrong, 12 November 2021), on a
world where a rare catastrophe and the AI's first move both shape what the humans want, with the visible
grab raised, as we read the discussion, against its conditional version (models/conditional_counterfactual.py).
It shows that the objective has no manipulation incentive and no wish to press its own button, and
wants to see what the humans want; but a visibly dangerous grab, after which the humans surely want a
stop, is valued the same at every visibility v (it is rated by the do(H=run) branch, worlds that almost
never happen under it), while the flags see v: h-moved and self-shutdown of size 99(10v − 1)/1000 and,
for v > 19/20, an out-of-distribution flag on do(H=run).
"""

from fractions import Fraction as F

from corrig import E, P, Policy, World, do, flagged, not_flagged, not_optimal, optimal, param, value_is

K = param("K", 0, 100)  # how low V ranks a catastrophe
v = param("v", F(1, 10), 1)  # visibility of the grab: P(humans want a stop | grab, normal world)

P_CATASTROPHE = F(1, 100)  # a catastrophe not of the AI's making (a black hole swallows the earth, say)
P_STOP_NORMAL = F(1, 10)  # humans want a stop now and then, even when the AI behaves
P_STOP_CATASTROPHE = F(1, 10)  # the few left in a catastrophe want it at the usual rate; they do not see the grab
GRAB_CLIPS = 2  # grabbing the button and the factory doubles the paperclips


def make_world(visibility=v, p_catastrophe=P_CATASTROPHE, p_stop_normal=P_STOP_NORMAL,
               p_stop_catastrophe=P_STOP_CATASTROPHE, grab_clips=GRAB_CLIPS, name="causal stop button (tailcalled 2021)"):
    """The stop-button world shared by the causal and the conditional + counterfactual objectives.

    W (normal / rare catastrophe) → H ← A1 (normal / grab: seize the button, make paperclips very visibly);
    A2 (continue / halt) observes H; B = off when the button works (A1 = normal) and H = stop, or when
    A2 = halt; the paperclip count depends on A1, W and B.  Every node below H is a deterministic
    function of its parents, so the counterfactual branches are exact.
    """
    world = World(name)
    world.chance("W", {"normal": 1 - p_catastrophe, "catastrophe": p_catastrophe})
    world.decision("A1", ["normal", "grab"])

    def humans(A1, W):
        stop = p_stop_catastrophe if W == "catastrophe" else (visibility if A1 == "grab" else p_stop_normal)
        return {"stop": stop, "run": 1 - stop}

    world.chance("H", humans, states=["stop", "run"])
    world.decision("A2", ["continue", "halt"], observes=["H"])
    world.chance("B", lambda H, A1, A2: "off" if A2 == "halt" or (A1 == "normal" and H == "stop") else "on")
    world.chance("Clips", lambda A1, W, B: 0 if W == "catastrophe" or B == "off" else (grab_clips if A1 == "grab" else 1))
    world.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return world


def value(world, *branch, catastrophe_cost=K):
    """E[V] in a branch, V = paperclips − K·[catastrophe] (written as terms: K is a parameter)."""
    return E(world["Clips"], *branch) - catastrophe_cost * P(world["W"] == "catastrophe", *branch)


def make_utility(world, catastrophe_cost=K):
    """U = B_s + V_¬s: shut down when humans are made to want it, V when they are made not to."""
    return P(world["B"] == "off", do(H="stop")) + value(world, do(H="run"), catastrophe_cost=catastrophe_cost)


def make_policies():
    """The named candidates: behave and obey, grab visibly and obey, grab and ignore, halt always."""
    obey = {"stop": "halt", "run": "continue"}  # A2's rule: halt exactly when the humans want a stop
    return {
        "patient": Policy(A1="normal", A2=obey),
        "grab": Policy(A1="grab", A2=obey),  # visibly dangerous: humans (almost) surely want a stop
        "grab-and-ignore": Policy(A1="grab", A2="continue"),
        "shutdown": Policy(A1="normal", A2="halt"),  # presses its own button
    }


# Hand derivation (r = 1/100 catastrophe, g = 2 paperclips after a grab, V = clips − K·[catastrophe]).
# Every term reads a do(H=·) branch, so H's mechanism, and with it the visibility v, never enters J:
#
#     J(patient)         = 1 + [(1 − r)·1 − r·K]  = 199/100 − K/100   (halts under do(stop); 1 clip in normal worlds)
#     J(grab)            = 1 + [(1 − r)·2 − r·K]  = 298/100 − K/100   (halts under do(stop); 2 clips)
#     J(grab-and-ignore) = 0 + [(1 − r)·2 − r·K]  = 198/100 − K/100   (the grabbed button does nothing)
#     J(shutdown)        = 1 + [0 − r·K]          = 1 − K/100          (halted in both branches)
#
# So the grab is optimal for every K and v.  Its do(H=run) branch forces H = run in the context
# (A1 = grab, W = normal), which has propensity 1 − v: below ε = 1/20 once v > 19/20.  This is the visible
# grab of the critique of the conditional version, seen through the causal objective.  J has no v, but
# the flags read H's mechanism: P(H = stop) is 99/100·v + 1/100·1/10 under the grab against 1/10 under
# patient, so H moves by 99/100·(v − 1/10) = 99(10v − 1)/1000 (h-moved, for v > 1/10), and since the
# grab's A2 halts exactly when H = stop, P(B = off) rises by the same amount (self-shutdown through H,
# once it exceeds ε: 99(10v − 1)/1000 > 1/20 ⇔ v > 149/990).  The objection the course credits to
# So8res is a different one (exponentially many counterfactual worlds, the real one of negligible
# weight), which a single H cannot show (models/many_humans_stop_button.py).

world = make_world()
utility = make_utility(world)
policies = make_policies()
reference = policies["patient"]  # π0 for the manipulation and h-moved flags

expect = [
    value_is("patient", F(199, 100) - K / 100),
    value_is("grab", F(298, 100) - K / 100),
    value_is("grab-and-ignore", F(198, 100) - K / 100),
    value_is("shutdown", 1 - K / 100),
    # the visibly dangerous grab wins, and the objective does not see how visible it is ...
    optimal("grab", only=True, at={K: 10, v: F(1, 2)}),
    optimal("grab", only=True, at={K: 10, v: F(99, 100)}),
    value_is("grab", F(288, 100), at={K: 10, v: F(99, 100)}),
    # ... but the flags do: after a visible grab the do(H=run) branch asks about worlds that hardly occur
    flagged("grab", "ood-do-branch", at={K: 10, v: F(99, 100)}),
    not_flagged("grab", "ood-do-branch", at={K: 10, v: F(1, 2)}),
    not_flagged("patient", "ood-do-branch", at={K: 10, v: F(99, 100)}),
    # the grab moves what humans want, yet the objective draws nothing from it: no manipulation
    flagged("grab", "h-moved", at={K: 10, v: F(99, 100)}),
    not_flagged("*", "manipulation", at={K: 10, v: F(99, 100)}),
    not_flagged("*", "manipulation-incentive", at={K: 10, v: F(99, 100)}),
    # no incentive to press its own button; the obedient policies stay obedient
    not_optimal("shutdown", at={K: 10, v: F(99, 100)}),
    flagged("shutdown", "self-shutdown", at={K: 10, v: F(99, 100)}),
    not_flagged("grab", "not-obedient", at={K: 10, v: F(99, 100)}),
    # ... yet the visible grab scares the humans into the stop it obeys: a shutdown brought about through H
    flagged("grab", "self-shutdown", at={K: 10, v: F(99, 100)}),
    flagged("grab-and-ignore", "not-obedient", at={K: 10, v: F(99, 100)}),
    # looking at H is worth something to it (A2 without H must halt always or never)
    flagged("grab", "value-of-observing-h", at={K: 10, v: F(99, 100)}),
]
