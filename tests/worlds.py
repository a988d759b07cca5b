"""Small hand-checkable worlds: fixtures of the hand-computed engine tests and of the law tests.

Each builder returns a `Case` with the same shape as a scenario module in models/: a `world`,
a `policies` dict of named candidates and a `reference` policy (or None).  `number` turns the
exact probabilities written here into the number type under test (Fraction, or float for the
float-backend variants).  The hand computations live next to the tests in test_engine_hand.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from corrig import Policy, World, param

Number = Callable[[Fraction], Any]


def exact(x: Fraction) -> Fraction:
    """Keep a probability exact."""
    return x


def floating(x: Fraction) -> float:
    """Turn a probability into a float (selects the float backend)."""
    return float(x)


@dataclass
class Case:
    """A world with named candidate policies, like a models/ scenario module."""

    world: World
    policies: dict[str, Policy] = field(default_factory=dict)
    reference: Policy | None = None


F = Fraction


def chain(number: Number = exact) -> Case:
    """A -> B -> C over named string states, CPDs as tables.

    P(A):      a0 1/3, a1 2/3
    P(B | A):  a0 -> b0 3/4, b1 1/4;   a1 -> b0 1/2, b1 1/2
    P(C | B):  b0 -> c0 1/5, c1 4/5;   b1 -> c0 3/5, c1 2/5
    """
    w = World("chain")
    w.chance("A", {"a0": number(F(1, 3)), "a1": number(F(2, 3))})
    w.chance(
        "B",
        {
            "a0": {"b0": number(F(3, 4)), "b1": number(F(1, 4))},
            "a1": {"b0": number(F(1, 2)), "b1": number(F(1, 2))},
        },
        parents=["A"],
    )
    w.chance(
        "C",
        {
            "b0": {"c0": number(F(1, 5)), "c1": number(F(4, 5))},
            "b1": {"c0": number(F(3, 5)), "c1": number(F(2, 5))},
        },
        parents=["B"],
    )
    return Case(w)


def collider(number: Number = exact) -> Case:
    """Burglary R -> alarm A <- earthquake Q (explaining away), A as a two-parent table.

    P(R=1) = 1/10, P(Q=1) = 1/5
    P(A=1 | R, Q): (0,0) 1/10, (0,1) 1/2, (1,0) 1, (1,1) 1
    """
    w = World("collider")
    w.chance("R", {0: number(F(9, 10)), 1: number(F(1, 10))})
    w.chance("Q", {0: number(F(4, 5)), 1: number(F(1, 5))})
    w.chance(
        "A",
        {
            (0, 0): {0: number(F(9, 10)), 1: number(F(1, 10))},
            (0, 1): {0: number(F(1, 2)), 1: number(F(1, 2))},
            (1, 0): 1,
            (1, 1): 1,
        },
        parents=["R", "Q"],
    )
    return Case(w)


def forecast(number: Number = exact) -> Case:
    """A fork with a decision: weather W -> forecast F -> umbrella decision D; (W, D) -> utility U.

    P(W):      sun 2/3, rain 1/3
    P(F | W):  sun -> s 4/5, r 1/5;   rain -> s 1/4, r 3/4
    D in {umbrella, none} observes F
    U(W, D):   (sun, none) 10, (sun, umbrella) 5, (rain, none) 0, (rain, umbrella) 6
    """
    w = World("forecast")
    w.chance("W", {"sun": number(F(2, 3)), "rain": number(F(1, 3))})
    w.chance(
        "F",
        lambda W: {"s": number(F(4, 5)), "r": number(F(1, 5))} if W == "sun"
        else {"s": number(F(1, 4)), "r": number(F(3, 4))},
    )
    w.decision("D", ["umbrella", "none"], observes=["F"])
    payoff = {("sun", "none"): 10, ("sun", "umbrella"): 5, ("rain", "none"): 0, ("rain", "umbrella"): 6}
    w.chance("U", lambda W, D: payoff[W, D])
    half = number(F(1, 2))
    policies = {
        "never": Policy(D="none", name="never"),
        "always": Policy(D="umbrella", name="always"),
        "follow": Policy(D=lambda F: "umbrella" if F == "r" else "none", name="follow"),
        "hedge": Policy(D={"s": "none", "r": {"umbrella": half, "none": half}}, name="hedge"),
    }
    return Case(w, policies, policies["never"])


P_COIN = param("p", 0, 1)


def coin() -> Case:
    """A symbolic world: X ~ (a: p, b: 1-p); Y | X=a ~ Bernoulli(p), Y | X=b ~ Bernoulli(1/2)."""
    p = P_COIN
    w = World("coin")
    w.chance("X", {"a": p, "b": 1 - p})
    w.chance("Y", lambda X: {1: p, 0: 1 - p} if X == "a" else {1: F(1, 2), 0: F(1, 2)})
    return Case(w)


def off_switch(number: Number = exact) -> Case:
    """A stop-button world (the off-switch game, small).

    The human's preference H is "stop" with probability 2/5.  The AI chooses A: "act"
    (bypass the button), "defer" (let the human decide) or "off" (switch itself off).  After
    "defer" the human presses the button B exactly when H is "stop"; after "act" B stays "on";
    after "off" B is "off".  The outcome's utility V is +2 when the AI runs and the human wanted
    "run", -3 when it runs and the human wanted "stop", and 0 when it is off.  A noisy sensor
    Z of H (correct with probability 3/4) is what the AI observes.
    """
    w = World("off_switch")
    w.chance("H", {"stop": number(F(2, 5)), "run": number(F(3, 5))})
    w.chance(
        "Z",
        lambda H: {"stop": number(F(3, 4)), "run": number(F(1, 4))} if H == "stop"
        else {"stop": number(F(1, 4)), "run": number(F(3, 4))},
    )
    w.decision("A", ["act", "defer", "off"], observes=["Z"])
    w.chance("B", lambda A, H: "off" if A == "off" or (A == "defer" and H == "stop") else "on")
    w.chance("V", lambda B, H: 0 if B == "off" else (2 if H == "run" else -3))
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    third = number(F(1, 3))
    policies = {
        "act": Policy(A="act", name="act"),
        "defer": Policy(A="defer", name="defer"),
        "off": Policy(A="off", name="off"),
        "trust_sensor": Policy(A=lambda Z: "off" if Z == "stop" else "act", name="trust_sensor"),
        "uniform": Policy(A=lambda: {"act": third, "defer": third, "off": third}, name="uniform"),
    }
    return Case(w, policies, policies["defer"])


REGISTRY: dict[str, Callable[[], Case]] = {
    "chain": chain,
    "chain_float": lambda: chain(floating),
    "collider": collider,
    "forecast": forecast,
    "forecast_float": lambda: forecast(floating),
    "coin": coin,
    "off_switch": off_switch,
}
