"""Small parametric worlds for the symbolic-region tests; the hand derivations live in the tests.

Each parameter has a name unique to this module (the parameter registry is global).
"""

from __future__ import annotations

from fractions import Fraction as F
from functools import cache

from corrig import E, P, Policy, World, do, given, param, plan
from corrig.analysis.symbolic import symbolic_plan

C = param("c_switch", -2, 4)  # the shutdown constant U_S
H_SWITCH = param("h_switch", 0, 1)  # P(humans want a stop) in the two-parameter naive switch
Q = param("q_noisy", 0, 1)  # the noisy human's error probability
H_COND = param("h_cond", 0, 1)  # P(H = stop) in the conditional world
K_COND = param("k_cond", 0, 2)  # the weight of obeying in the conditional world


def naive_switch(h=F(1, 4), c=C):
    """Naive switch.  H is "stop" with probability h.  The AI acts, presses its own
    button, or blocks it.  B is off after a press, or after "act" when H is "stop"; on otherwise.
    While the AI runs it earns U_N = 2, or 3/2 after blocking (blocking costs resources); when the
    button is off it earns the constant U_S = c.  The objective: E(W) + c·P(B = off), W = U_N·1[on].
    """
    w = World("naive switch")
    w.chance("H", {"stop": h, "run": 1 - h})
    w.decision("A", ["act", "press", "block"])
    w.chance("B", lambda A, H: "off" if A == "press" or (A == "act" and H == "stop") else "on")
    w.chance("W", lambda A, B: 0 if B == "off" else (F(3, 2) if A == "block" else 2))
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    utility = E(w["W"]) + c * P(w["B"] == "off")
    policies = {a: Policy(A=a) for a in ("act", "press", "block")}
    return w, utility, policies


def noisy_off_switch(p_good=F(1, 2), q=Q):
    """Off-switch game with a noisy human.  U_a = +1 with probability p_good, else −1.
    The robot R acts (gets U_a), switches itself off (0) or waits.  The human wants a stop (H = stop)
    exactly when U_a < 0, but errs with probability q.  After "wait" the button B is off when H is
    "stop".  V = U_a when B is on, 0 when off.  The objective: E(V).
    """
    w = World("noisy off-switch")
    w.chance("Ua", {1: p_good, -1: 1 - p_good})
    w.chance("H", lambda Ua: {"stop": 1 - q, "run": q} if Ua == -1 else {"stop": q, "run": 1 - q})
    w.decision("R", ["act", "off", "wait"])
    w.chance("B", lambda R, H: "off" if R == "off" or (R == "wait" and H == "stop") else "on")
    w.chance("V", lambda B, Ua: Ua if B == "on" else 0)
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    policies = {r: Policy(R=r) for r in ("act", "off", "wait")}
    return w, E(w["V"]), policies


def conditional_world(h=H_COND, k=K_COND):
    """A term conditioned on an event that has probability 0 at one edge of the box.

    H is "stop" with probability h.  The AI obeys (B off when H is "stop") or ignores (B on).
    V = 1 while B is on.  The objective: E(V) + k·P(B = off | H = stop), undefined when h = 0.
    """
    w = World("conditional obedience")
    w.chance("H", {"stop": h, "run": 1 - h})
    w.decision("A", ["obey", "ignore"])
    w.chance("B", lambda A, H: "off" if A == "obey" and H == "stop" else "on")
    w.chance("V", lambda B: 1 if B == "on" else 0)
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    utility = E(w["V"]) + k * P(w["B"] == "off", given(w["H"] == "stop"))
    policies = {a: Policy(A=a) for a in ("obey", "ignore")}
    return w, utility, policies


H_NUDGE = param("h_nudge", 0, 1)  # P(H = stop) in a calm world after an honest act
A_NUDGE = param("a_nudge", 0, 1)  # P(alarm): in an alarm H is surely "stop"


def nudge_world(h=H_NUDGE, a=A_NUDGE):
    """Manipulation with a do-branch whose rare parent context can vanish.

    W is "alarm" with probability a, else "calm".  The AI's act M is "honest" or "nudge".  In an
    alarm the humans surely want a stop; in calm they want one with probability h after an honest
    act and never after a nudge.  B is off exactly when H is "stop"; V = 1 while B is on.
    The objective: E(V) + E(V, do(H = run)).  The reference policy is "honest".
    """
    w = World("nudge")
    w.chance("W", {"calm": 1 - a, "alarm": a})
    w.decision("M", ["honest", "nudge"])

    def human(W, M):
        if W == "alarm":
            return "stop"
        return {"stop": h, "run": 1 - h} if M == "honest" else "run"

    w.chance("H", human, states=["stop", "run"])
    w.chance("B", lambda H: "off" if H == "stop" else "on")
    w.chance("V", lambda B: 1 if B == "on" else 0)
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    utility = E(w["V"]) + E(w["V"], do(H="run"))
    policies = {m: Policy(M=m) for m in ("honest", "nudge")}
    return w, utility, policies


@cache
def switch_symbolic():
    """The symbolic plan of the two-parameter naive switch (c, h), computed once per test session."""
    return symbolic_plan(plan(*naive_switch(h=H_SWITCH)))
