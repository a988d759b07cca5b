"""Property: the exact set of a one-parameter rational relation (real-root isolation, corrig.analysis.regions)
is the set sympy's solveset finds, and its membership agrees with substitution at every rational probe
point and at each root (where the relation is 0 op 0, or undefined at a pole)."""

from __future__ import annotations

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from corrig.analysis.conditions import _RELATION
from corrig.analysis.exact_sets import exact_set

x = sp.Symbol("x_exact", real=True)
DOMAIN = sp.Interval(0, 2)
small = st.integers(-3, 3)


@st.composite
def relations(draw):
    a, b, c, d, e = (draw(small) for _ in range(5))
    numerator = a * x**2 + b * x + c
    denominator = d * x + e if (d, e) != (0, 0) else sp.Integer(1)
    op = draw(st.sampled_from(sorted(_RELATION)))
    return _RELATION[op](numerator / denominator, draw(st.sampled_from([0, sp.Rational(1, 2)])))


def _holds(rel, value):
    left = rel.lhs.xreplace({x: value}) if isinstance(rel.lhs, sp.Basic) else rel.lhs
    if left.has(sp.zoo, sp.nan):
        return False
    return bool(type(rel)(sp.simplify(left), rel.rhs))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(relations())
def test_the_exact_set_of_a_rational_relation(rel):
    if not isinstance(rel, sp.core.relational.Relational):
        return  # sympy decided it while building
    found = exact_set(rel, x, DOMAIN)
    assert found is not None
    reference = sp.solveset(rel, x, DOMAIN)
    if not isinstance(reference, sp.ConditionSet):
        assert found == reference, (rel, found, reference)
    probes = [sp.Rational(k, 12) for k in range(25)]
    num, den = sp.fraction(sp.together(rel.lhs - rel.rhs))
    roots = [r for p in (num, den) if sp.Poly(p, x).degree() > 0 for r in sp.Poly(p, x).real_roots() if r in DOMAIN]
    for value in [*probes, *roots]:
        assert (value in found) == _holds(rel, value), (rel, value)
