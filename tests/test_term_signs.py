"""Signs read exactly from terms, factors and integrands (corrig.analysis.term_signs): the noisy human's value of
observing H, zero for every belief and every β > 0, is settled exactly instead of sampled "too close to call".

Why it is zero (models/off_switch_boltzmann.py).  H reads U only, so R observing H can choose per H: after
H = run, R's act and wait both let the action happen (B on) and switch-off stops it; after H = stop, act lets
it happen and wait and switch-off stop it.  What R observing H can reach is therefore B on always (J = mu), off
always (0), on iff H = run (exactly wait: J(wait) = E[U·s(βU)], s the sigmoid) and on iff H = stop, the contrarian
rule, worth E[U·(1 − s(βU))] = mu − J(wait).  The last is the only new option, and it is never better than
waiting: J(wait) − (mu − J(wait)) = E[U·(2·s(βU) − 1)] ≥ 0, since 2·s(βU) − 1 has the sign of U for β > 0.  So
VoI(H at R) = max(0, mu, J(wait), mu − J(wait)) − max(0, mu, J(wait)) = 0, for every mu, sigma and beta > 0 —
an exact fact about the integrand that no quadrature needs to see.
"""

import itertools
from fractions import Fraction as F

import numpy as np
import sympy as sp
from scipy import integrate, stats
from scipy.special import expit

from corrig import param, plan, symbolic_plan
from corrig.analysis.signs import NEG, NONNEG, POS, box_of
from corrig.analysis.term_signs import integral_sign, product_class, sum_sign
from corrig.faces.cli import main
from corrig.model.links import Phi, phi, sigmoid
from models import off_switch_boltzmann as noisy


def _box(*symbols):
    return dict(box_of(symbols))


def test_the_noisy_humans_value_of_observing_h_is_settled_zero():
    regions = symbolic_plan(plan(noisy.world, noisy.utility, noisy.policies, reference=noisy.reference))
    (voi,) = [fr for fr in regions.incentives if fr.flag.kind == "value-of-observing-h"]
    assert voi.region.is_empty is True and voi.region.method == "proved"
    # the one argument left out of the Max is the contrarian rule's value, mu − J(wait)
    assert "Integral(U*(2*sigmoid(U*beta) - 1)" in voi.region.detail


def test_the_contrarian_rule_never_beats_waiting_by_independent_quadrature():
    # the fact the proof rests on, checked by scipy at 28 points of the box: E[U·(1 − s(βU))] ≤ max(0, mu, E[U·s(βU)])
    for mean, sd, beta in itertools.product([-2, -F(1, 3), 0, F(1, 2), 2], [F(1, 10), 1, 3], [F(1, 2), 4]):
        if (mean, sd) == (0, 3):
            continue
        density, b = stats.norm(float(mean), float(sd)).pdf, float(beta)
        wait, _ = integrate.quad(lambda u, d=density, b=b: u * d(u) * expit(b * u), -np.inf, np.inf, epsabs=1e-13)
        contrarian, _ = integrate.quad(lambda u, d=density, b=b: u * d(u) * expit(-b * u), -np.inf, np.inf,
                                       epsabs=1e-13)
        assert contrarian <= max(0.0, float(mean), wait) + 1e-12, (mean, sd, beta)


def test_check_reports_the_value_of_observing_h_settled(capsys):
    assert main(["check", "models/off_switch_boltzmann.py"]) == 0
    words = " ".join(capsys.readouterr().out.split())
    assert "too close to call" not in words  # it was sampled at 64 points, all too close to call
    assert "note: value-of-observing-h (plan) never fires (proved: its size is 0 on the box" in words
    assert "the Max's argument mu - J(wait) is at most J(wait)" in words


def test_a_product_with_a_centred_link_reads_as_a_square():
    u = sp.Symbol("u", real=True)
    b = param("b_ts", F(1, 2), 4)
    box = _box(b)
    line = sp.Interval(-sp.oo, sp.oo)
    # u·(2·s(b·u) − 1): both factors change sign at u = 0, their product is ≥ 0 (strict but at u = 0)
    assert product_class(u * (2 * sigmoid(b * u) - 1) * phi(u), box, u, line) == POS
    assert product_class(-u * (1 - 2 * Phi(3 * u)), box, u, line) == POS
    # u·s(b·u) is negative for u < 0: no sign on the line, but ≥ 0 on [0, ∞)
    assert product_class(u * sigmoid(b * u), box, u, line) is None
    assert product_class(u * sigmoid(b * u), box, u, sp.Interval(0, sp.oo)) == POS
    # s(b·u) − 1 is not centred (s − 1 < 0 everywhere, but not read as such): unread, never guessed
    assert product_class(u * (sigmoid(b * u) - 1), box, u, line) is None


def test_a_sum_is_signed_by_its_terms_collected_by_a_parameter():
    # the probit human: 2·J(wait) − mu = mu·(2·Phi(t) − 1) + 2·b·s²·phi(t)/r, t = b·mu/r, r = sqrt(1 + b²s²):
    # the first term has the sign of mu·(b/r)·mu ≥ 0, the second is > 0
    mu, b, s = param("mu_ts", -2, 2), param("b_ts", F(1, 2), 4), param("s_ts", F(1, 10), 3)
    r = sp.sqrt(1 + b ** 2 * s ** 2)
    t = b * mu / r
    assert sum_sign(2 * mu * Phi(t) - mu + 2 * b * s ** 2 * phi(t) / r, _box(mu, b, s)) == POS
    assert sum_sign(mu - 2 * mu * Phi(t), _box(mu, b, s)) == "nonpos"
    assert sum_sign(mu * Phi(t), _box(mu, b, s)) is None  # the sign of mu


def test_the_probit_humans_value_of_observing_h_is_proved_zero_too():
    world = noisy.make_world(link="probit")
    regions = symbolic_plan(plan(world, noisy.utility, noisy.policies, reference=noisy.reference))
    (voi,) = [fr for fr in regions.incentives if fr.flag.kind == "value-of-observing-h"]
    assert voi.region.is_empty is True and voi.region.method == "proved"


def test_an_integral_with_a_closed_part_is_signed_only_when_both_agree():
    regions_plan = plan(noisy.world, noisy.utility, noisy.policies, reference=noisy.reference)
    wait, mu = regions_plan.values["wait"], noisy.mu
    box = _box(noisy.mu, noisy.sigma, noisy.beta)
    never = lambda closed: None  # noqa: E731  (C's sign unknown)
    found = integral_sign(2 * wait - mu, box, never)
    assert found is not None and found[0] == POS
    assert integral_sign(mu - 2 * wait, box, never)[0] == NEG
    # J(wait) − mu = −mu/2 + ∫ u·(s(βu) − 1/2)·density: the closed part has no sign on the box
    assert integral_sign(wait - mu, box, never) is None
    # J(wait) − mu/2 = ∫ u·(s(βu) − 1/2)·density ≥ 0 on its own
    assert integral_sign(wait - mu / 2, box, never)[0] in (POS, NONNEG)
