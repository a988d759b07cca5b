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


def test_a_solved_relation_is_the_one_sympy_builds_by_evaluating():
    """_solved_form builds `s op rhs` unevaluated (s does not occur in rhs, so sympy could not decide it): the
    result equals the evaluated relation sympy builds, for every relation and a spread of linear forms."""
    from corrig.analysis.conditions import _RELATION, _REVERSED, _solved_form

    K = param("rl_K", 0, 100)
    forms = [2 * p - q, -3 * p + q * K - 1, p + R(1, 3), K - p * q + 7, -K / 5 + q**2, p * (q + 1) - 2 * q]
    for e in forms:
        for op in _RELATION:
            solved = _solved_form(e, op)
            assert solved == _RELATION[solved.rel_op](solved.lhs, solved.rhs)  # what evaluation would build
            if solved.lhs == e and solved.rhs == 0:
                continue  # not solved for a parameter
            # solved for s: it says what e op 0 says, flipped where s's coefficient is negative
            s = solved.lhs
            coeff = sp.Poly(e, s).coeff_monomial(s)
            assert solved.rel_op == (op if coeff > 0 else _REVERSED[op])
            assert sp.expand(coeff * (solved.lhs - solved.rhs) - e) == 0


def test_the_sign_of_a_polynomial_on_rational_ends_is_the_one_its_roots_give():
    """signs._rational_sign (Sturm counts of the square-free factors, no root computed) against the root-based path
    (sympy's real roots in [a, b], the sign at a rational point between each two) on pseudo-random polynomials with
    rational roots of every multiplicity, an irrational pair (x² − 2) and no real root (x² + 1), and intervals that
    start or end at a root."""
    import random

    from corrig.analysis import signs

    x = sp.Symbol("x", real=True)
    rng = random.Random(24)
    compared = 0
    for _ in range(150):
        roots = [R(rng.randint(-4, 8), rng.randint(1, 4)) for _ in range(rng.randint(0, 3))]
        e = R(rng.choice([-3, -1, 1, 2]), rng.randint(1, 3))
        for r in roots:
            e *= (x - r) ** rng.randint(1, 3)
        e *= (x**2 - 2) ** rng.randint(0, 1) * (x**2 + 1) ** rng.randint(0, 1)
        if not sp.expand(e).free_symbols:
            continue
        a = rng.choice([*roots, R(rng.randint(-2, 2), rng.randint(1, 3))])
        b = a + R(rng.randint(1, 6), rng.randint(1, 3))
        poly = sp.Poly(sp.expand(e), x)
        assert signs._rational_sign(poly, a, b) == signs._sign_between_roots(poly, a, b), (e, a, b)
        compared += 1
    assert compared > 100


def test_the_strict_form_holds_where_the_evaluated_one_does():
    """regions._strict leaves its relations unevaluated (the witness search only evaluates it at points): at every
    point of a grid it holds exactly where the strict relations sympy builds by evaluating hold."""
    import itertools

    from corrig.analysis.conditions import holds_at
    from corrig.analysis.regions import _strict

    condition = sp.And(sp.Or(2 * p - q >= 0, q <= R(1, 3)), p * q - R(1, 4) <= 0, sp.Ge(-(p - q) ** 2, 0))
    evaluated = condition.replace(lambda e: isinstance(e, sp.Le | sp.Ge),
                                  lambda e: (sp.Lt if isinstance(e, sp.Le) else sp.Gt)(e.lhs, e.rhs))
    strict = _strict(condition)
    assert strict != evaluated  # −(p − q)² > 0 is decided False by evaluation, kept by _strict
    for x, y in itertools.product([R(k, 6) for k in range(7)], repeat=2):
        point = {p: x, q: y}
        assert holds_at(strict, point) == holds_at(evaluated, point), point


def test_a_relation_is_solved_as_when_every_parameter_is_tried():
    """_solved_form skips powers and products of two parameter-reading factors (no parameter has a numeric
    coefficient there); on pseudo-random sums of products it gives what trying every parameter gives."""
    import random

    from corrig.analysis import conditions as C

    K = param("rl_K", 0, 100)

    def every_parameter(e: sp.Expr, op: str) -> sp.Basic:  # the relation solved by trying each parameter in turn
        if sp.fraction(e)[1] == 1:
            for s in C._sorted(C._symbols_of(e)):
                poly = sp.Poly(e, s) if e.is_polynomial(s) else None
                if poly is None or poly.degree() != 1 or not poly.coeff_monomial(s).is_number:
                    continue
                a = poly.coeff_monomial(s)
                rest = sp.expand(e - a * s)
                rhs = sp.factor(-rest / a) if rest.free_symbols else -rest / a
                return C._RELATION[op if a > 0 else C._REVERSED[op]](s, rhs, evaluate=False)
        return C._RELATION[op](e, 0)

    rng = random.Random(24)
    atoms = [p, q, K, p - q, 2 * p + 1, K - 3 * q, p * q - 1, sp.sqrt(2) * (K - 1), (p - q) ** 2, 1 / (p + 2), R(3, 4)]
    for _ in range(120):
        e = rng.choice([-2, -1, 1, 3]) * sp.Mul(*rng.sample(atoms, rng.randint(1, 3))) + rng.choice([0, p, R(1, 5)])
        if e.free_symbols:
            for op in C._RELATION:
                assert C._solved_form(e, op) == every_parameter(e, op), (e, op)


def test_a_remembered_simplification_is_the_one_computed_anew():
    """simplify_condition remembers each (condition, box, logic) (a plan's conditions share many parts): asked
    again, or through the plain function, it gives the same condition."""
    from corrig.analysis import conditions as C

    shared = sp.Or(sp.Eq(p - q, 0), q > R(1, 2))
    for condition in (sp.And(shared, p > R(1, 3)), sp.And(shared, p < R(1, 4)), sp.Not(sp.And(shared, 2 * p - q >= 0))):
        first = simplify_condition(condition, BOX)
        assert simplify_condition(condition, BOX) is first
        assert C._simplified.__wrapped__(sp.sympify(condition), BOX, True) == first


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


def test_a_difference_and_its_negation_share_their_factors(monkeypatch):
    """_factored_fraction factors a − b and b − a once: the negation's numerator coefficient is the negated one
    and the factors are the ones factoring it anew gives; a relation and its mirror normalize as when each
    is factored on its own."""
    from corrig.analysis import conditions as C

    K = param("rl_K", 0, 100)
    values = [(p - q) / (q + 1), K * (2 * p - 1) - q ** 2, (p * q - R(1, 4)) / ((2 * q - 3) * (K + 1)), 3 - 2 * p,
              (K - 2 * p) ** 2 * (q - R(1, 3)) / (p + 2)]
    for v in values:
        for value in (v, -v):
            (c, factors), (d, denominators) = C._factored_fraction(value)
            (c0, factors0), (d0, denominators0) = C._factored.__wrapped__(value)  # factored on its own
            assert (c / d == c0 / d0) and sorted(map(str, factors)) == sorted(map(str, factors0))
            assert sorted(map(str, denominators)) == sorted(map(str, denominators0))
    box = box_of((p, q, K))
    relations = [rel for v in values for rel in (v >= K * q, K * q >= v, v > K * q, K * q < v, sp.Ne(v, K * q))]
    shared = [simplify_condition(rel, box) for rel in relations]
    monkeypatch.setattr(C, "_factored_fraction", C._factored.__wrapped__)  # each difference factored on its own
    assert shared == [C._normalize_relational.__wrapped__(rel, box) for rel in relations]
