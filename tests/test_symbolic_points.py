"""Property: a symbolic plan read at a point is the numeric plan at that point.

Random small stop-button worlds whose probabilities are expressions in one or two parameters
(chosen to stay in [0, 1] on the box, and to reach 0 and 1 at its edges), random objectives
mixing factual, conditional, interventional and counterfactual branches, random points of the box
with its edges over-represented.  At each point, `symbolic_plan(plan(...))` substituted there and
`plan(..., at=point)` must agree on every value (None where undefined), the optimal set, every
flag that fires (kind, where, and size) and every plan-level incentive (kind, direction).  The
reference is the numeric plan itself: an independent computation at the point.
"""

from __future__ import annotations

from collections import Counter

import sympy as sp
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from corrig import E, P, Policy, World, do, observed, param, plan
from corrig import given as cond
from corrig.analysis.symbolic import symbolic_plan

R = sp.Rational
PP = param("pt_p", 0, 1)
QQ = param("pt_q", 0, 1)
# probabilities in [0, 1] on the box, several of which hit 0 or 1 on its edges
SHAPES = (
    lambda p, q: p, lambda p, q: 1 - p, lambda p, q: p * q, lambda p, q: p / 2, lambda p, q: 1 - p * q,
    lambda p, q: R(1, 2), lambda p, q: 0, lambda p, q: 1, lambda p, q: (1 - p) * q, lambda p, q: R(1, 50),
)


def _prob(draw, params):
    p, q = params
    return draw(st.sampled_from(SHAPES))(p, q)


@st.composite
def worlds(draw):
    """(world, utility, policies, reference, parameters)."""
    params = (PP, QQ) if draw(st.integers(0, 3)) == 0 else (PP, PP)  # two parameters now and then (slower)
    w = World("random symbolic")
    wp = _prob(draw, params)
    w.chance("W", {"calm": 1 - wp, "alarm": wp})
    w.decision("A", ["a", "b"])
    rows = {(a, s): _prob(draw, params) for a in ("a", "b") for s in ("calm", "alarm")}
    w.chance("H", lambda A, W: {"stop": rows[(A, W)], "run": 1 - rows[(A, W)]}, states=["stop", "run"])
    w.decision("R", ["halt", "go"], observes=["H"])
    leak = _prob(draw, params)  # a stop wish the button carries out even when R goes on
    w.chance("B", lambda H, R: "off" if R == "halt" else ({"off": leak, "on": 1 - leak} if H == "stop" else "on"),
             states=["on", "off"])
    w.chance("V", lambda B, W: (1 if B == "on" else 0) - (1 if W == "alarm" else 0))
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    B, V, D = w["B"], w["V"], w["R"]
    catalogue = [
        E(V),
        P(B == "off", do(H="stop")),
        E(V, do(H="run")),
        P(D == "halt", cond(H="stop")),
        E(V, cond(W="alarm")),
        E(V, observed(H="stop") >> do(H="run")),
        P(B == "off", observed(H="run") >> do(H="stop")),
    ]
    picks = draw(st.lists(st.sampled_from(range(len(catalogue))), min_size=1, max_size=3, unique=True))
    weights = [draw(st.sampled_from([1, -1, R(1, 2), 2])) for _ in picks]
    utility = sum((k * catalogue[i] for k, i in zip(weights, picks, strict=True)), 0 * E(V))
    rules = {"obey": {"stop": "halt", "run": "go"}, "go": "go", "halt": "halt", "defy": {"stop": "go", "run": "halt"}}
    chosen = draw(st.lists(st.sampled_from([(a, o) for a in ("a", "b") for o in rules]), min_size=2, max_size=3,
                           unique=True))
    policies = {f"{a}-{o}": Policy(A=a, R=rules[o]) for a, o in chosen}
    return w, utility, policies, next(iter(policies)), tuple(dict.fromkeys(params))


EDGES = (0, 1, R(1, 2), R(1, 20), R(19, 20), R(1, 40))


@st.composite
def points(draw, parameters):
    return {s: draw(st.one_of(st.sampled_from(EDGES), st.fractions(0, 1, max_denominator=12).map(
        lambda f: R(f.numerator, f.denominator)))) for s in parameters}


def _fired(flags):
    return Counter((f.kind, f.where) for f in flags)


@settings(max_examples=8, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(worlds(), st.data())
def test_symbolic_plan_at_a_point_is_the_plan_at_that_point(case, data):
    world, utility, policies, reference, _ = case
    symbolic = symbolic_plan(plan(world, utility, policies, reference=reference))
    for _ in range(3):
        point = data.draw(points(symbolic.parameters))
        numeric = plan(world, utility, policies, reference=reference, at=point)
        for name in policies:
            assert symbolic.value_at(name, point) == numeric.values[name], (name, point)
        assert sorted(symbolic.optimal_at(point)) == sorted(numeric.optimal), point
        for name in policies:
            here = [fr for fr in symbolic.flags[name] if fr.region.contains(point)]
            assert _fired(fr.flag for fr in here) == _fired(numeric.flags[name]), (name, point)
            sizes = {(f.kind, f.where): f.size for f in numeric.flags[name]}
            for fr in here:
                size = sp.sympify(fr.size).xreplace(point) if isinstance(fr.size, sp.Basic) else fr.size
                assert sp.simplify(size - sizes[fr.flag.kind, fr.flag.where]) == 0, (name, fr.flag.kind, point)
        mine = Counter((fr.flag.kind, (fr.flag.evidence or {}).get("direction"))
                       for fr in symbolic.incentives if fr.region.contains(point))
        theirs = Counter((f.kind, (f.evidence or {}).get("direction")) for f in numeric.incentives)
        assert mine == theirs, point


def test_regions_leave_out_the_points_where_a_value_is_undefined():
    # The reproducer (its O renamed D).  Under b, P(H=stop) = s; under a, 1/2.  D (observing H)
    # plays x in both.
    # J(b) = P(H=run) + P(D=x | H=run) = (1 − s) + 1 = 2 − s, undefined at s = 1 (P(H=run) = 0).
    # With H answering to a's move: J^{H←a}(b) = 1/2 + 1 = 3/2, so m(b) = 1/2 − s: the manipulation flag
    # fires for s ≠ 1/2 where J(b) is defined, i.e. s ∈ [0, 1/2) ∪ (1/2, 1) — not at s = 1.
    from fractions import Fraction as F

    s = param("s_undefined", 0, 1)
    w = World("undefined at an edge")
    w.decision("A", ["a", "b"])
    w.chance("H", lambda A: {"stop": s, "run": 1 - s} if A == "b" else {"stop": F(1, 2), "run": F(1, 2)},
             states=["stop", "run"])
    w.decision("D", ["x", "y"], observes=["H"])
    w.chance("B", lambda H, D: "off" if H == "stop" else "on")
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    U = P(w["H"] == "run") + P(w["D"] == "x", cond(H="run"))
    pols = {"a": Policy(A="a", D="x"), "b": Policy(A="b", D="x")}
    symbolic = symbolic_plan(plan(w, U, pols, reference="a"))
    (manipulation,) = [fr.region for fr in symbolic.flags["b"] if fr.flag.kind == "manipulation"]
    assert manipulation.set == sp.Union(sp.Interval.Ropen(0, R(1, 2)), sp.Interval.open(R(1, 2), 1))
    assert "manipulation" not in symbolic.firing_at({s: 1})["b"]
    at_one = plan(w, U, pols, reference="a", at={s: 1})
    assert at_one.values["b"] is None and "manipulation" not in at_one.kinds("b")
    assert symbolic.value_at("b", {s: 1}) is None and symbolic.value_at("b", {s: R(1, 4)}) == R(7, 4)
