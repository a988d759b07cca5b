"""The Gauss-Legendre nodes the quadrature check uses (corrig.inference.quadrature), seeded from numpy's float nodes:
against mpmath's own rule at a much higher precision, and integrating polynomials exactly."""

import mpmath
import pytest
from mpmath.calculus.quadrature import GaussLegendre

from corrig.inference.quadrature import _SeededLegendre


@pytest.mark.parametrize("degree", [2, 4, 6])
@pytest.mark.parametrize("prec", [64, 96])
def test_nodes_match_mpmath_to_the_working_precision(degree, prec):
    with mpmath.workprec(prec + 20):
        ours = sorted(_SeededLegendre(mpmath.mp).calc_nodes(degree, prec))
    with mpmath.workprec(400):
        reference = sorted(GaussLegendre(mpmath.mp).calc_nodes(degree, 360))
        assert len(ours) == len(reference) == 3 * 2 ** (degree - 1)
        worst = max(abs(x - y) + abs(v - w) for (x, v), (y, w) in zip(ours, reference, strict=True))
        assert worst < mpmath.ldexp(1, -prec)


def test_polynomials_up_to_degree_2n_minus_1_are_exact():
    # n = 24 nodes integrate x^k exactly for k <= 47: the integral over [-1, 1] is 2/(k + 1) for even k, 0 for odd
    with mpmath.workprec(84):
        nodes = _SeededLegendre(mpmath.mp).calc_nodes(4, 64)
        for k in (0, 2, 10, 46, 47):
            total = mpmath.fsum(w * x ** k for x, w in nodes)
            assert abs(total - (mpmath.mpf(2) / (k + 1) if k % 2 == 0 else 0)) < mpmath.ldexp(1, -60)
