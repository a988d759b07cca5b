"""Regions decided by logic between their parts: relations that siblings in a conjunction decide, an
expression pinned to 0 written as an equation, and a conjunction on a curve a(y)·x + b(y) = 0 decided
exactly by eliminating x (corrig.analysis.regions)."""

from __future__ import annotations

import sympy as sp

from corrig import param, region
from corrig.analysis.conditions import simplify_condition
from corrig.analysis.signs import box_of

R = sp.Rational
p, q = param("rl_p", 0, 1), param("rl_q", 0, 1)
BOX = box_of((p, q))


def test_sibling_relations_decide_the_nested_ones():
    # p ≤ q makes the nested p > q false, so (p ≤ q) ∧ (p > q ∨ q > 1/2) is (p ≤ q) ∧ (q > 1/2).
    simplified = simplify_condition(sp.And(p - q <= 0, sp.Or(p - q > 0, q > R(1, 2))), BOX)
    assert not simplified.has(sp.Or)
    assert simplified == sp.And(p <= q, q > R(1, 2))


def test_an_expression_held_at_zero_from_both_sides_is_an_equation():
    simplified = simplify_condition(sp.And(2 * p - q <= 0, 2 * p - q >= 0, q > R(1, 2)), BOX)
    assert any(isinstance(a, sp.Eq) for a in simplified.args) and not simplified.has(sp.Le, sp.Ge)


def test_a_curve_that_misses_the_other_conditions_is_proven_empty():
    # 2p = q with q > 1/2 gives p = q/2 > 1/4, which p < 1/5 excludes: empty (no grid point lies on a curve,
    # so only the elimination can say so).
    found = region(sp.And(sp.Eq(2 * p - q, 0), q > R(1, 2), p < R(1, 5)), (p, q))
    assert found.is_empty is True


def test_a_curve_region_gets_an_exact_witness_on_the_curve():
    # 2p = q, q > 1/2: eliminating p leaves q ∈ (1/2, 1]; its simplest rational is 2/3, so p = 1/3.
    found = region(sp.And(sp.Eq(2 * p - q, 0), q > R(1, 2)), (p, q))
    assert found.is_empty is False
    assert found.witness == {p: R(1, 3), q: R(2, 3)}


def test_a_curve_with_a_free_stretch_is_left_to_the_search():
    # q·(p − 1) = 0 is linear in p with coefficient q: at q = 0 every p solves it, which the elimination leaves
    # to the witness search (it finds q = 0 or p = 1 on the grid).
    found = region(sp.And(sp.Eq(q * (p - 1), 0), q < R(1, 2)), (p, q))
    assert found.is_empty is False
    w = found.witness
    assert w[q] * (w[p] - 1) == 0 and w[q] < R(1, 2)


def test_a_factor_of_one_sign_that_vanishes_on_the_box_is_split_off():
    # p ≥ 0 and p − 1 ≤ 0 on the box, each 0 on an edge: p(2q − 1) ≤ 0 ⇔ p = 0 or q ≤ 1/2, and
    # (p − 1)(2q − 1) > 0 ⇔ p < 1 and q < 1/2 (both factors negative).
    assert simplify_condition(p * (2 * q - 1) <= 0, BOX) == sp.Or(sp.Eq(p, 0), q <= R(1, 2))
    assert simplify_condition((p - 1) * (2 * q - 1) > 0, BOX) == sp.And(p < 1, q < R(1, 2))
    # together: the human's answer "run iff U_a = 1" of tests/test_agent_regions.py, exactly q ≤ 1/2 (p = 0 and
    # p = 1 cannot hold at once)
    both = sp.And(p * (2 * q - 1) <= 0, (p - 1) * (2 * q - 1) >= 0)
    assert simplify_condition(both, BOX) == (q <= R(1, 2))


def test_bounds_on_one_parameter_merge_and_decide_their_siblings():
    assert simplify_condition(sp.And(sp.Eq(p, 0), sp.Eq(p, 1)), BOX) is sp.false
    assert simplify_condition(sp.Or(p < R(1, 2), sp.Eq(p, R(1, 2))), BOX) == (p <= R(1, 2))
    # p ≥ 1/2 makes the nested p = 0 false
    assert simplify_condition(sp.And(p >= R(1, 2), sp.Or(sp.Eq(p, 0), q > R(1, 3))), BOX) == \
        sp.And(p >= R(1, 2), q > R(1, 3))


def test_every_rewrite_keeps_the_truth_at_every_grid_point():
    # brute force on a grid of the box (edges included): each condition and its simplified form agree
    from corrig.analysis.conditions import holds_at

    conditions = [p * (2 * q - 1) <= 0, (p - 1) * (2 * q - 1) > 0, (p - 1) * (2 * q - 1) >= 0,
                  sp.Eq(p * (1 - q), 0), sp.Ne(p * (q - R(1, 3)), 0), p * (1 - p) * (q - R(1, 2)) < 0,
                  sp.And(p * (2 * q - 1) <= 0, (p - 1) * (2 * q - 1) >= 0),
                  sp.Or(sp.And(p >= R(1, 2), sp.Eq(p, 0)), q * (2 * p - 1) >= 0)]
    grid = [R(k, 8) for k in range(9)]
    for condition in conditions:
        simplified = simplify_condition(condition, BOX)
        for x in grid:
            for y in grid:
                point = {p: x, q: y}
                assert holds_at(condition, point) == holds_at(simplified, point), (condition, simplified, x, y)
