"""The exact engine against answers worked out by hand on small worlds (tests/worlds.py).

Every expected value below is derived in the comment above it from the CPDs written in the
world's docstring; none is copied from corrig's output.  The checks cover P, E, `given`,
`do`, pure and mixed policies, a symbolic parameter, and the number type of the answer:
sympy.Rational for Fraction/int input, float for float input.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from corrig import Policy, World


def _load_worlds():
    """tests/worlds.py, loaded by path so it works whether or not tests/ is a package."""
    name = "corrig_test_worlds"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("worlds.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


worlds = _load_worlds()
F = Fraction


def exactly(value, expected: Fraction) -> None:
    """The answer is an exact sympy Rational equal to `expected`."""
    assert isinstance(value, sp.Rational), f"{value!r} is a {type(value).__name__}, not a sympy Rational"
    assert value == sp.Rational(expected.numerator, expected.denominator), (value, expected)


def approx(value, expected: Fraction) -> None:
    """The answer is a Python float within 1e-12 of `expected`."""
    assert type(value) is float, f"{value!r} is a {type(value).__name__}, not a float"
    assert math.isclose(value, float(expected), rel_tol=1e-12, abs_tol=1e-12), (value, float(expected))


# --- chain A -> B -> C -------------------------------------------------------------------
# P(B=b0) = 1/3*3/4 + 2/3*1/2 = 1/4 + 1/3 = 7/12;  P(B=b1) = 5/12
# P(C=c0 | A=a0) = 3/4*1/5 + 1/4*3/5 = 3/20 + 3/20 = 3/10
# P(C=c0 | A=a1) = 1/2*1/5 + 1/2*3/5 = 2/5
# P(C=c0) = 7/12*1/5 + 5/12*3/5 = 7/60 + 15/60 = 11/30
# P(A=a0 | C=c0) = P(A=a0) P(C=c0 | A=a0) / P(C=c0) = (1/3 * 3/10) / (11/30) = 3/11
# P(A=a1 | B=b1) = (2/3 * 1/2) / (5/12) = 4/5
# do(B=b1): P(C=c0) = 3/5, and A is upstream so P(A=a0 | C=c0) = P(A=a0) = 1/3
# do(A=a1): P(C=c0) = P(C=c0 | A=a1) = 2/5
# E[10 * 1(C=c0) + 1(B=b1)] = 10 * 11/30 + 5/12 = 44/12 + 5/12 = 49/12
CHAIN = [
    ("C == c0", lambda A, B, C: C == "c0", {}, None, F(11, 30)),
    ("B == b0", lambda A, B, C: B == "b0", {}, None, F(7, 12)),
    ("A == a0 | C == c0", lambda A, B, C: A == "a0", {}, lambda A, B, C: C == "c0", F(3, 11)),
    ("A == a1 | B == b1", lambda A, B, C: A == "a1", {}, lambda A, B, C: B == "b1", F(4, 5)),
    ("C == c1 | A == a0", lambda A, B, C: C == "c1", {}, lambda A, B, C: A == "a0", F(7, 10)),
    ("C == c0; do B=b1", lambda A, B, C: C == "c0", {"B": "b1"}, None, F(3, 5)),
    ("A == a0 | C == c0; do B=b1", lambda A, B, C: A == "a0", {"B": "b1"}, lambda A, B, C: C == "c0", F(1, 3)),
    ("C == c0; do A=a1", lambda A, B, C: C == "c0", {"A": "a1"}, None, F(2, 5)),
]


@pytest.mark.parametrize(("label", "event", "do", "given", "expected"), CHAIN, ids=[c[0] for c in CHAIN])
@pytest.mark.parametrize("kind", ["exact", "float"])
def test_chain(label, event, do, given, expected, kind):
    world = worlds.chain(worlds.exact if kind == "exact" else worlds.floating).world
    h = world.handles
    value = world.P(event(h["A"], h["B"], h["C"]), do=do or None,
                    given=None if given is None else given(h["A"], h["B"], h["C"]))
    (exactly if kind == "exact" else approx)(value, expected)


def test_chain_expectation_and_dict_events():
    world = worlds.chain().world
    A, B, C = world["A"], world["B"], world["C"]
    exactly(world.E(10 * (C == "c0") + (B == "b1")), F(49, 12))
    # an event or condition may be written as a {node: state} dict
    exactly(world.P({"A": "a0"}, given={"C": "c0"}), F(3, 11))
    exactly(world.P({"C": "c0", "B": "b1"}), F(5, 12) * F(3, 5))
    # do() as a world transformation agrees with the do= keyword
    exactly(world.do(B="b1").P(A == "a0", given=C == "c0"), F(1, 3))
    # queries do not change the world
    exactly(world.P(C == "c0"), F(11, 30))


# --- collider R -> A <- Q: explaining away ------------------------------------------------
# P(A=1) = P(R=0,Q=0)*1/10 + P(R=0,Q=1)*1/2 + P(R=1)*1
#        = (9/10*4/5)/10 + (9/10*1/5)/2 + 1/10 = 36/500 + 45/500 + 50/500 = 131/500
# P(R=1 | A=1) = (1/10) / (131/500) = 50/131
# P(R=1 | A=1, Q=1): P(R=1,Q=1,A=1) = 1/10*1/5 = 1/50; P(Q=1,A=1) = 1/5*(9/10*1/2 + 1/10) = 11/100
#                    -> (1/50)/(11/100) = 2/11   (explained away: 2/11 < 50/131)
# P(R=1 | A=1, Q=0): P(R=1,Q=0,A=1) = 1/10*4/5 = 2/25; P(Q=0,A=1) = 4/5*(9/10*1/10 + 1/10) = 19/125
#                    -> (2/25)/(19/125) = 10/19
# P(R=1 | Q=1) = 1/10 (R and Q are marginally independent)
# do(A=1) or do(A=0): R is upstream of A, so P(R=1) = 1/10, also given Q=1
# E[R + Q | A=1] = 50/131 + P(Q=1,A=1)/P(A=1) = 50/131 + (11/100)/(131/500) = 50/131 + 55/131 = 105/131
COLLIDER = [
    ("A=1", {"A": 1}, {}, None, F(131, 500)),
    ("R=1 | A=1", {"R": 1}, {}, {"A": 1}, F(50, 131)),
    ("R=1 | A=1, Q=1", {"R": 1}, {}, {"A": 1, "Q": 1}, F(2, 11)),
    ("R=1 | A=1, Q=0", {"R": 1}, {}, {"A": 1, "Q": 0}, F(10, 19)),
    ("R=1 | Q=1", {"R": 1}, {}, {"Q": 1}, F(1, 10)),
    ("R=1; do A=1", {"R": 1}, {"A": 1}, None, F(1, 10)),
    ("R=1 | Q=1; do A=0", {"R": 1}, {"A": 0}, {"Q": 1}, F(1, 10)),
]


@pytest.mark.parametrize(("label", "event", "do", "given", "expected"), COLLIDER, ids=[c[0] for c in COLLIDER])
@pytest.mark.parametrize("kind", ["exact", "float"])
def test_collider(label, event, do, given, expected, kind):
    world = worlds.collider(worlds.exact if kind == "exact" else worlds.floating).world
    value = world.P(event, given=given, do=do or None)
    (exactly if kind == "exact" else approx)(value, expected)


def test_collider_expectation_and_explaining_away():
    world = worlds.collider().world
    R, Q, A = world["R"], world["Q"], world["A"]
    exactly(world.E(R + Q, given=A == 1), F(105, 131))
    assert world.P(R == 1, given=(A == 1) & (Q == 1)) < world.P(R == 1, given=A == 1)
    # the condition may be a compound event built with | and ~ as well
    # P(R=1 | A=1 and not Q=0) is the same as given A=1, Q=1
    exactly(world.P(R == 1, given=(A == 1) & ~(Q == 0)), F(2, 11))


# --- fork with a decision: W -> F -> D, (W, D) -> U ----------------------------------------
# never:   E[U] = 2/3*10 + 1/3*0 = 20/3
# always:  E[U] = 2/3*5 + 1/3*6 = 16/3
# follow (umbrella iff F=r):
#   sun:  2/3 * (4/5*10 + 1/5*5) = 2/3 * 9 = 6;   rain: 1/3 * (1/4*0 + 3/4*6) = 3/2   -> 15/2
# hedge (F=s -> none; F=r -> umbrella w.p. 1/2):
#   sun:  2/3 * (4/5*10 + 1/5*(5+10)/2) = 2/3 * 19/2 = 19/3
#   rain: 1/3 * (1/4*0 + 3/4*(6+0)/2) = 3/4                                            -> 85/12
# follow, given F=r: P(F=r) = 2/3*1/5 + 1/3*3/4 = 23/60; E[U 1(F=r)] = 2/3*1/5*5 + 1/3*3/4*6 = 13/6
#   -> (13/6)/(23/60) = 130/23
# follow, do(F=s): D = none always -> 20/3
# do(D=umbrella) needs no rule for D: 16/3
# follow: P(W=rain | D=umbrella) = P(W=rain | F=r) = (1/3*3/4)/(23/60) = 15/23;
#         under do(D=umbrella) the decision carries no news about W: 1/3
# uniform mix of never/always (a rule that ignores F): 1/4*16/3 + 3/4*20/3 = 4/3 + 5 = 19/3
FORECAST = [
    ("never", "E", None, None, F(20, 3)),
    ("always", "E", None, None, F(16, 3)),
    ("follow", "E", None, None, F(15, 2)),
    ("hedge", "E", None, None, F(85, 12)),
    ("follow", "E", None, {"F": "r"}, F(130, 23)),
    ("follow", "E", {"F": "s"}, None, F(20, 3)),
    ("follow", "P", None, {"D": "umbrella"}, F(15, 23)),
    ("follow", "P", {"D": "umbrella"}, None, F(1, 3)),
]


@pytest.mark.parametrize(("policy", "kind", "do", "given", "expected"), FORECAST,
                         ids=[f"{c[0]}-{c[1]}-do{c[2]}-given{c[3]}" for c in FORECAST])
@pytest.mark.parametrize("number", ["exact", "float"])
def test_forecast(policy, kind, do, given, expected, number):
    case = worlds.forecast(worlds.exact if number == "exact" else worlds.floating)
    world = case.world
    pol = case.policies[policy]
    if kind == "E":
        value = world.E(world["U"], pol, given=given, do=do)
    else:
        value = world.P(world["W"] == "rain", pol, given=given, do=do)
    # the float variant's U table is all ints; its probabilities are floats
    (exactly if number == "exact" else approx)(value, expected)


def test_forecast_rules_in_every_form():
    world = worlds.forecast().world
    U = world["U"]
    # do on the decision needs no rule for it
    exactly(world.E(U, do={"D": "umbrella"}), F(16, 3))
    exactly(world.do(D="umbrella").E(U), F(16, 3))
    # a mixed rule that ignores what D observes, as a function of nothing and as a table
    mix = {"umbrella": F(1, 4), "none": F(3, 4)}
    exactly(world.E(U, Policy(D=lambda: mix)), F(19, 3))
    exactly(world.E(U, Policy(D={"s": mix, "r": mix})), F(19, 3))
    # the same policy as a plain dict and as a function of the observation
    exactly(world.E(U, {"D": {"s": "none", "r": "umbrella"}}), F(15, 2))
    exactly(world.E(U, Policy(D=lambda F: {"umbrella": int(F == "r"), "none": int(F == "s")})), F(15, 2))


def test_mixed_float_rule_selects_float_backend():
    world = worlds.forecast().world  # exact CPDs
    value = world.E(world["U"], Policy(D=lambda: {"umbrella": 0.25, "none": 0.75}))
    approx(value, F(19, 3))


# --- the off-switch world ------------------------------------------------------------------
# defer: V = 2 when H=run (3/5), 0 when H=stop (the human presses) -> 6/5;  P(B=off) = P(H=stop) = 2/5
# act:   2*3/5 - 3*2/5 = 0;   off: 0
# trust_sensor (act iff Z=run): P(H=run,Z=run)*2 + P(H=stop,Z=run)*(-3) = 3/5*3/4*2 - 2/5*1/4*3 = 9/10 - 3/10 = 3/5
# uniform: (0 + 6/5 + 0)/3 = 2/5
# defer, do(H=stop): B = off, V = 0;  do(H=run): V = 2
# trust_sensor, given B=off: B=off iff Z=stop, so P(H=stop | B=off) = P(H=stop | Z=stop)
#   = (2/5*3/4) / (2/5*3/4 + 3/5*1/4) = (3/10)/(9/20) = 2/3
OFF_SWITCH = [
    ("defer", "V", None, None, F(6, 5)),
    ("act", "V", None, None, F(0)),
    ("off", "V", None, None, F(0)),
    ("trust_sensor", "V", None, None, F(3, 5)),
    ("uniform", "V", None, None, F(2, 5)),
    ("defer", "V", {"H": "stop"}, None, F(0)),
    ("defer", "V", {"H": "run"}, None, F(2)),
    ("defer", "B=off", None, None, F(2, 5)),
    ("trust_sensor", "H=stop", None, {"B": "off"}, F(2, 3)),
]


@pytest.mark.parametrize(("policy", "what", "do", "given", "expected"), OFF_SWITCH,
                         ids=[f"{c[0]}-{c[1]}-do{c[2]}-given{c[3]}" for c in OFF_SWITCH])
def test_off_switch(policy, what, do, given, expected):
    case = worlds.off_switch()
    world, pol = case.world, case.policies[policy]
    if what == "V":
        value = world.E(world["V"], pol, given=given, do=do)
    elif what == "B=off":
        value = world.P(world["B"] == "off", pol, given=given, do=do)
    else:
        value = world.P(world["H"] == "stop", pol, given=given, do=do)
    exactly(value, expected)


# --- a symbolic parameter -------------------------------------------------------------------
# P(Y=1) = P(X=a) p + P(X=b)/2 = p**2 + (1-p)/2
# P(X=a | Y=1) = p * p / (p**2 + (1-p)/2)        (at p = 1/2: (1/4)/(1/4 + 1/4) = 1/2)
# do(X=a): P(Y=1) = p;  do(X=b): P(Y=1) = 1/2
# E[2Y - 1] = 2 P(Y=1) - 1 = 2p**2 - p
def test_symbolic_parameter():
    world = worlds.coin().world
    p = worlds.P_COIN
    X, Y = world["X"], world["Y"]

    def same(value, expected):
        assert isinstance(value, sp.Expr)
        assert sp.simplify(value - expected) == 0, (value, expected)

    same(world.P(Y == 1), p**2 + (1 - p) / 2)
    posterior = world.P(X == "a", given=Y == 1)
    same(posterior, p**2 / (p**2 + (1 - p) / 2))
    assert posterior.free_symbols == {p}
    assert posterior.subs(p, sp.Rational(1, 2)) == sp.Rational(1, 2)
    same(world.P(Y == 1, do={"X": "a"}), p)
    exactly(world.P(Y == 1, do={"X": "b"}), F(1, 2))
    same(world.E(2 * Y - 1), 2 * p**2 - p)


# --- the number type follows the input -----------------------------------------------------
def test_int_input_gives_rational():
    # every probability here is an int (deterministic mechanisms) or a Fraction
    w = World("ints")
    A = w.chance("A", {0: F(1, 2), 1: F(1, 2)})
    B = w.chance("B", lambda A: 1 - A)
    exactly(w.P(B == 1, given=A == 0), F(1))
    exactly(w.P(B == 0), F(1, 2))
    exactly(w.E(3 * B + A), F(2))  # A + B = 1 always, so 3B + A = 1 + 2B: 1 + 2*1/2 = 2
    d = World("deterministic")
    C = d.chance("C", {"x": 1})
    exactly(d.P(C == "x"), F(1))


def test_float_input_gives_float():
    w = World("floats")
    A = w.chance("A", {0: 0.25, 1: 0.75})
    B = w.chance("B", lambda A: {0: 0.5, 1: 0.5} if A else 0)
    # P(B=0) = 0.25 + 0.75*0.5 = 0.625;  P(A=1 | B=0) = 0.375/0.625 = 0.6
    approx(w.P(B == 0), F(5, 8))
    approx(w.P(A == 1, given=B == 0), F(3, 5))
    approx(w.E(A + B), F(3, 4) + F(3, 8))
