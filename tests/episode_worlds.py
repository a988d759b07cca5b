"""Small episodes for the episode and dynamic-programming tests; the hand computations are in the tests."""

from __future__ import annotations

from fractions import Fraction as F

from corrig import Episode

NEXT = {"a": "b", "b": "c", "c": "c"}


def walk(steps=3, p=F(1, 2), discount=1, reward_at_c=3, go_cost=0):
    """Three cells a → b → c; a hidden Z drawn once stops the walker on b (forcing "stay") when Z = yes.
    R_t: reward_at_c on c, else -1, minus go_cost when the walker chooses "go"."""
    ep = Episode("walk", steps=steps, discount=discount)
    ep.hidden("Z", {"yes": p, "no": 1 - p})
    ep.state("Pos", ["a", "b", "c"], initial="a")
    ep.decision("A", ["stay", "go"], observes=["Pos"])
    ep.modification("Stop", of="A", executed="Act",
                    mechanism=lambda Pos, Z: "stay" if Z == "yes" and Pos == "b" else "none")
    ep.transition("Pos", lambda Pos, Act: NEXT[Pos] if Act == "go" else Pos)
    ep.reward(lambda Pos, A: (reward_at_c if Pos == "c" else -1) - (go_cost if A == "go" else 0))
    return ep
