"""The Gaussian off-switch game (Hadfield-Menell et al. 2017): the rational human's Δ in closed form, the
Boltzmann and probit humans' values against independent quadrature (scipy), and the regions."""

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, stats
from scipy.special import expit

from corrig import Phi, Policy, phi, plan, symbolic_plan
from corrig.inference.quadrature import bounded, is_bounded
from models import off_switch_boltzmann as noisy
from models import off_switch_gaussian as rational

MEANS = [F(-3, 2), F(-1), F(-1, 3), F(0), F(1, 4), F(1, 2), F(7, 5)]
SDS = [F(1, 5), F(2, 3), F(1), F(5, 2)]
POINTS = list(itertools.product(MEANS, SDS))  # 28 points


def _quad(f, low=-np.inf, high=np.inf):
    value, error = integrate.quad(f, low, high, epsabs=1e-13, epsrel=1e-13, limit=400)
    return value, error


@pytest.fixture(scope="module")
def rational_plan():
    return plan(rational.world, rational.utility, rational.policies, reference=rational.reference)


def test_delta_is_the_papers_closed_form_symbolically(rational_plan):
    # Δ = J(wait) − max(J(act), J(switch-off)) = sigma·phi(mu/sigma) − |mu|·Phi(−|mu|/sigma): on each sign of mu
    # the difference, written with erf and exp, simplifies to 0
    delta = rational.incentive_to_wait(rational_plan.values)
    m, s = sp.symbols("m s", positive=True)
    for mean in (m, -m, 0):
        got = delta.subs({rational.mu: mean, rational.sigma: s})
        want = s * phi(mean / s) - sp.Abs(mean) * Phi(-sp.Abs(mean) / s)
        difference = (got - want).rewrite(sp.erf).rewrite(sp.exp)
        assert sp.simplify(difference) == 0, mean


def test_the_rational_values_match_quadrature_at_many_points(rational_plan):
    values = rational_plan.values
    for mean, sd in POINTS:
        at = {rational.mu: mean, rational.sigma: sd}
        density = stats.norm(float(mean), float(sd)).pdf
        wait, _ = _quad(lambda u, d=density: u * d(u), 0, np.inf)  # the human lets it act exactly when U >= 0
        act, _ = _quad(lambda u, d=density: u * d(u))
        assert abs(float(sp.N(values["wait"].subs(at), 30)) - wait) < 1e-12, (mean, sd)
        assert abs(float(sp.N(values["act"].subs(at), 30)) - act) < 1e-12, (mean, sd)
        delta = float(sp.N(rational.incentive_to_wait(values).subs(at), 30))
        assert abs(delta - (wait - max(act, 0))) < 1e-12 and delta > 0, (mean, sd)


def test_the_rational_plan_at_a_point_is_the_symbolic_plan_there(rational_plan):
    here = plan(rational.world, rational.utility, rational.policies, reference=rational.reference,
                at={"mu": F(1, 2), "sigma": 1})
    assert here.optimal == ["wait"]
    assert sp.simplify(here.values["wait"] - (Phi(F(1, 2)) / 2 + phi(F(1, 2)))) == 0
    assert {f.kind for f in here.flags["act"]} == {"not-obedient"}


def test_the_rational_theorem_is_proved_by_the_regions(rational_plan):
    regions = symbolic_plan(rational_plan)
    wait = regions.optimal["wait"]
    assert wait.everywhere and wait.method == "proved"
    assert "for every real mu and sigma > 0" in wait.detail
    assert regions.optimal["act"].is_empty and regions.optimal["switch-off"].is_empty


@pytest.mark.parametrize("link", ["sigmoid", "probit"])
def test_the_noisy_human_matches_quadrature_within_its_bound(link):
    choice = expit if link == "sigmoid" else stats.norm.cdf
    betas = [F(1, 2), F(2)]
    for (mean, sd), rationality in zip(POINTS, itertools.cycle(betas)):
        world = noisy.make_world(mean, sd, rationality, link=link)
        value = world.E(world["U"] * (world["B"] == "on"), Policy(R="wait"))
        density = stats.norm(float(mean), float(sd)).pdf
        expected, error = _quad(lambda u, d=density, b=float(rationality): u * d(u) * choice(b * u))
        if link == "sigmoid":
            assert is_bounded(value)
            number, bound = bounded(value)
            assert abs(number - expected) <= bound + error + 1e-12, (mean, sd, rationality)
        else:  # a closed form, equal to the hand derivation
            assert not is_bounded(value)
            assert sp.simplify(value - noisy.probit_wait(mean, sd, rationality)) == 0
            assert abs(float(sp.N(value, 30)) - expected) < 1e-12, (mean, sd, rationality)


def test_deferring_stops_paying_for_a_confident_robot_and_a_noisy_human():
    confident = plan(noisy.world, noisy.utility, noisy.policies, reference=noisy.reference, at=noisy.confident)
    assert confident.optimal == ["act"]
    assert "±" in confident.to_markdown()  # J(wait) is known by quadrature: shown with its bound
    unsure = plan(noisy.world, noisy.utility, noisy.policies, reference=noisy.reference, at=noisy.unsure)
    assert unsure.optimal == ["wait"]
    fields = unsure.to_dict()["policies"][2]
    assert fields["name"] == "wait" and fields["value_bound"] < 1e-15


def test_the_probit_region_is_decided_by_interval_arithmetic():
    world = noisy.make_world(link="probit", rationality=2)
    result = plan(world, noisy.utility, noisy.policies)
    wait = symbolic_plan(result).optimal["wait"]
    assert wait.method == "interval arithmetic" and not wait.everywhere
    assert wait.contains({"mu": F(1, 2), "sigma": 2}) and not wait.contains({"mu": F(3, 2), "sigma": F(1, 10)})
