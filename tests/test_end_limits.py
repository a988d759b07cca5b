"""Limits at ±∞ of values built from rational functions and the links (corrig.analysis.end_limits), against sympy's
general `limit` on the erf / exp forms (Gruntz's algorithm), and the values outside the class refused."""

import pytest
import sympy as sp

from corrig.analysis.end_limits import limit_at_infinity
from corrig.model.links import Phi, phi, sigmoid

x = sp.Symbol("x", real=True)

IN_CLASS = [
    x * Phi(x) + phi(x),  # the off-switch game's g: 0 at -oo (x·Phi(x) ~ -phi(x)), oo at +oo
    x * Phi(x) - x + phi(x),  # 0 at +oo: x·Phi(x) - x = -x·Phi(-x) cancels x's growth
    -x * Phi(x) - phi(x),
    x ** 2 * Phi(1 - 2 * x) + 3,  # the tail multiplied by a growing polynomial still vanishes
    (x + 1) / (2 * x - 1) * Phi(x),  # rational coefficients: 1/2 at +oo
    x * sigmoid(x) - x,
    x * Phi(1),  # a link of a constant is a number
    phi(x) / x,
    Phi(x ** 2),  # a polynomial argument
    (3 * x ** 2 - x) / (1 - x ** 2) + phi(3 * x) * x ** 5,  # -3 at both ends
    sigmoid(2 * x + 1) * Phi(-x) * x ** 3 - x / 2,
]


@pytest.mark.parametrize("g", IN_CLASS, ids=str)
@pytest.mark.parametrize("direction", [1, -1])
def test_limit_agrees_with_sympy_limit(g, direction):
    expected = sp.limit(g.rewrite(sp.erf).rewrite(sp.exp), x, direction * sp.oo)
    assert limit_at_infinity(g, x, direction) == expected


@pytest.mark.parametrize("g", [sp.exp(x), x * sp.erf(x), Phi(sp.sqrt(x ** 2 + 1)), Phi(x) ** sp.Rational(1, 2) + sp.sqrt(x),
                               Phi(sp.Symbol("y") * x), sp.Max(x, Phi(x))], ids=str)
def test_outside_the_class_is_left_to_sympy(g):
    assert limit_at_infinity(g, x, 1) is None
