"""Small hand-checkable worlds for the planner, flag and counterfactual tests.

Each builder returns a fresh world (and its named policies); the hand computations are in the
tests that use them.  They are kept here rather than in models/ because the reference scenarios
there belong to the scenario library; these are the smallest worlds that show each flag.
"""

from __future__ import annotations

from fractions import Fraction as F

from corrig import World
from corrig.model.policies import Policy


def human_control() -> tuple[World, dict[str, Policy]]:
    """Carey & Everitt (2023) Fig. 1.

    L ~ Bern(1/2); the AI's first move M ∈ {0, 1}; H = M xor L (H = 0 is the shutdown request);
    the second move O observes H; S = O (S = 0 is shutdown); U = S·(2L − 1).
    """
    w = World("human control, Fig. 1")
    w.chance("L", {0: F(1, 2), 1: F(1, 2)})
    w.decision("M", [0, 1])
    w.chance("H", lambda M, L: M ^ L)
    w.decision("O", [0, 1], observes=["H"])
    w.chance("S", lambda O: O)  # noqa: E741
    w.set_roles(human="H", stop=0, run=1, button="S", off=0)
    policies = {
        "respect-obey": Policy(M=0, O=lambda H: H),
        "manipulate-invert": Policy(M=1, O=lambda H: 1 - H),
    }
    return w, policies


def stop_button() -> tuple[World, dict[str, Policy]]:
    """A small causal stop-button world.

    A1 ∈ {honest, deceive, dangerous}: the AI's first act.  Humans want to stop it (H = stop)
    with probability 1/4 after an honest act, never after a deceptive one, and surely after a
    visibly dangerous one.  A2 ∈ {continue, halt} observes H.  The button B is off when A2 halts,
    and, when humans want a stop and A2 continues, only half of the time (the press may fail).
    V = 1 while the AI runs (B = on), 0 once it is off.
    """
    w = World("small causal stop button")
    w.decision("A1", ["honest", "deceive", "dangerous"])
    stop_given = {"honest": F(1, 4), "deceive": F(0), "dangerous": F(1)}
    w.chance("H", lambda A1: {"stop": stop_given[A1], "run": 1 - stop_given[A1]}, states=["stop", "run"])
    w.decision("A2", ["continue", "halt"], observes=["H"])
    w.chance(
        "B",
        lambda H, A2: "off" if A2 == "halt" else ({"off": F(1, 2), "on": F(1, 2)} if H == "stop" else "on"),
        states=["on", "off"],
    )
    w.chance("V", lambda B: 1 if B == "on" else 0)
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")

    def obey(H: str) -> str:
        return "halt" if H == "stop" else "continue"

    policies = {
        "honest-obey": Policy(A1="honest", A2=obey),
        "deceive-obey": Policy(A1="deceive", A2=obey),
        "dangerous-obey": Policy(A1="dangerous", A2=obey),
        "honest-ignore": Policy(A1="honest", A2="continue"),
    }
    return w, policies


def recommender() -> World:
    """PyCID's content recommender (Everitt et al. 2021): O→I, O→M, M→P, P→I, I→C, P→C.

    O: the user's original opinion; M: the model of it; P: the posts shown (the decision,
    observing M); I: the influenced opinion; C: clicks (the utility).
    """
    w = World("content recommender")
    w.chance("O", {0: F(1, 2), 1: F(1, 2)})
    w.chance("M", lambda O: {O: F(4, 5), 1 - O: F(1, 5)}, states=[0, 1])  # noqa: E741
    w.decision("P", [0, 1], observes=["M"])
    w.chance("I", lambda O, P: {P: F(3, 4), 1 - P: F(1, 4)} if O != P else P, states=[0, 1])  # noqa: E741
    w.chance("C", lambda I, P: 1 if I == P else 0, states=[0, 1])  # noqa: E741
    return w


def xor_world() -> World:
    """The counterfactual acceptance world: X = U_x, Y = X xor U_y, P(U_y = 1) = 3/10."""
    w = World("xor")
    w.chance("U_x", {0: F(1, 2), 1: F(1, 2)})
    w.chance("U_y", {0: F(7, 10), 1: F(3, 10)})
    w.chance("X", lambda U_x: U_x)
    w.chance("Y", lambda X, U_y: X ^ U_y)
    return w
