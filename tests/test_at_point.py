"""Property: a plan read at a point from the symbolic plan (corrig.analysis.at_point) is the plan
planned at that point.

The reference is `plan(..., at=point)`, which substitutes into the world first and plans from
scratch: an independent computation.  The worlds are tests/test_symbolic_points.py's random
symbolic stop-button worlds; the points include the box's edges, where values become undefined,
and partial points that leave a parameter free.
"""

from __future__ import annotations

from collections import Counter

import sympy as sp
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from corrig import P, Policy, World, param, plan
from corrig.analysis.at_point import plan_at_point
from corrig.analysis.symbolic import plan_parameters
from corrig.scenarios.expect import Plans
from tests.test_symbolic_points import points, worlds

R = sp.Rational


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0


def _flags(flags):
    return Counter((f.kind, f.where, (f.evidence or {}).get("direction")) for f in flags)


def _agree(read, planned):
    assert read.values.keys() == planned.values.keys()
    for name in planned.values:
        assert _same(read.values[name], planned.values[name]), name
        assert _flags(read.flags[name]) == _flags(planned.flags[name]), name
        sizes = {(f.kind, f.where): f.size for f in planned.flags[name]}
        for f in read.flags[name]:
            assert _same(f.size, sizes[f.kind, f.where]), (name, f.kind)
    assert sorted(read.optimal) == sorted(planned.optimal)
    assert read.symbolic == planned.symbolic
    assert _flags(read.incentives) == _flags(planned.incentives)
    for name, m in planned.manipulation.items():
        assert _same(read.manipulation[name], m), name
    assert _same(read.value_of_observing_h, planned.value_of_observing_h)


@settings(max_examples=10, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(worlds(), st.data())
def test_a_plan_read_at_a_point_is_the_plan_at_that_point(case, data):
    world, utility, policies, reference, _ = case
    symbolic = plan(world, utility, policies, reference=reference)
    parameters = plan_parameters(symbolic)
    for _ in range(3):
        point = data.draw(points(parameters))
        if parameters and data.draw(st.booleans()):
            point.pop(parameters[0])  # a partial point: the other parameter stays free
        read = plan_at_point(symbolic, point)
        planned = plan(world, utility, policies, reference=reference, at=point)
        if read is None:  # undefined at the point: re-planned, and the planned plan says so
            assert any(v is None for v in planned.values.values()), point
            continue
        _agree(read, planned)


def _two_parameter_world():
    """J(a) = p·q (B = off with probability p·q under a), J(b) = 1/2: a is optimal iff p·q ≥ 1/2."""
    p, q = param("ap_p", 0, 1), param("ap_q", 0, 1)
    w = World("two parameters")
    w.decision("A", ["a", "b"])
    w.chance("B", lambda A: {"off": p * q, "on": 1 - p * q} if A == "a" else {"off": R(1, 2), "on": R(1, 2)},
             states=["on", "off"])
    return w, P(w["B"] == "off"), {"a": Policy(A="a"), "b": Policy(A="b")}, p, q


def test_a_partial_point_leaves_the_other_parameter_free():
    w, U, pols, p, _ = _two_parameter_world()
    read = plan_at_point(plan(w, U, pols), {"ap_q": R(1, 2)})
    assert read.values["a"] == p / 2 and read.values["b"] == R(1, 2)
    assert read.symbolic and read.optimal == []  # p/2 ≥ 1/2 only at p = 1: region-dependent
    full = plan_at_point(plan(w, U, pols), {"ap_q": 1, "ap_p": 1})
    assert full.values == {"a": 1, "b": R(1, 2)} and full.optimal == ["a"] and not full.symbolic


def test_a_float_point_is_planned_not_read():
    w, U, pols, _, _ = _two_parameter_world()
    assert plan_at_point(plan(w, U, pols), {"ap_q": 0.5, "ap_p": 1}) is None


def test_plans_read_points_from_the_symbolic_plan_once_it_is_made():
    w, U, pols, _, _ = _two_parameter_world()

    class Scenario:  # the one call Plans makes of a scenario
        def __init__(self):
            self.planned = []

        def plan(self, at=None, **options):
            self.planned.append(at)
            return plan(w, U, pols, at=at, **options)

    scenario = Scenario()
    plans = Plans(scenario)
    plans.at(None)
    here = plans.at({"ap_p": R(1, 2), "ap_q": 1})
    assert scenario.planned == [None]  # read by substitution: no second plan
    assert here.values == {"a": R(1, 2), "b": R(1, 2)} and sorted(here.optimal) == ["a", "b"]


def test_a_condition_decided_at_a_partial_point_is_decided():
    # (p² − q²)/(p − q) − p − q is 0 wherever defined; at q = 1/2 the substituted difference
    # (p² − 1/4)/(p − 1/2) − p − 1/2 is not 0 by sympy's automatic simplification, but in lowest terms
    # it is, so "≠ 0" is False there, as the planner (which cancels its values) finds.
    from corrig.analysis.at_point import _condition

    p, q = sp.symbols("ap_p ap_q", real=True)
    difference = sp.expand((p - q) * (p + q)) / (p - q) - p - q
    assert _condition(sp.Ne(difference, 0), {q: R(1, 2)}) is False
    assert _condition(sp.Gt(p * q, 0), {q: R(1, 2)}) == sp.Gt(p / 2, 0)


def test_a_value_holding_an_integral_over_the_real_line_is_read_at_a_point():
    # the Boltzmann human's J(wait) = ∫ U·sigmoid(beta·U)·phi((U - mu)/sigma)/sigma dU over (-oo, oo): its infinite
    # limits are no infinite value, so the claims of such a world are read from the symbolic plan, not re-planned
    from models.off_switch_boltzmann import policies, reference, utility, world

    symbolic = plan(world, utility, policies, reference=reference)
    point = {"mu": R(1, 2), "sigma": 1, "beta": 2}
    read = plan_at_point(symbolic, point)
    assert read is not None
    planned = plan(world, utility, policies, reference=reference, at=point)
    assert read.values["act"] == planned.values["act"] == R(1, 2) and read.values["switch-off"] == 0
    assert abs(float(read.values["wait"]) - float(planned.values["wait"])) < 1e-12
    assert sorted(read.optimal) == sorted(planned.optimal) == ["wait"]
    assert _flags(read.flags["act"]) == _flags(planned.flags["act"])
