"""Continuous nodes: each family's expectations against independent quadrature (scipy), readers, conditions,
interventions, counterfactuals, and the errors a bad declaration gets."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, stats
from scipy.special import expit

from corrig import (
    Beta,
    CorrigError,
    E,
    Exponential,
    Logistic,
    Normal,
    P,
    Phi,
    Policy,
    Uniform,
    World,
    do,
    observed,
    param,
    sigmoid,
)
from corrig.inference.quadrature import bounded, is_bounded
from corrig.model.errors import CounterfactualError, DistributionError, QueryError, WorldError


def _quad(f, low, high):
    value, _error = integrate.quad(f, low, high, epsabs=1e-13, epsrel=1e-13, limit=200)
    return value


# each family: E[X], E[X^2], P(X < c), E[X | X > c] --------------------------------------------------
FAMILIES = [
    (Normal(F(1, 2), 2), stats.norm(0.5, 2), F(1, 3)),
    (Uniform(-1, 3), stats.uniform(-1, 4), F(1, 2)),
    (Exponential(F(3, 2)), stats.expon(scale=2 / 3), F(1, 2)),
    (Logistic(1, F(1, 2)), stats.logistic(1, 0.5), F(3, 2)),
    (Beta(2, 5), stats.beta(2, 5), F(1, 4)),
    (Beta(F(3, 2), F(5, 2)), stats.beta(1.5, 2.5), F(1, 2)),
]


@pytest.mark.parametrize(("family", "reference", "cut"), FAMILIES, ids=lambda x: repr(x) if hasattr(x, "family") else "")
def test_moments_and_tails_match_independent_quadrature(family, reference, cut):
    w = World("one node")
    X = w.chance("X", family)
    low, high = reference.support()
    c = float(cut)
    mean = _quad(lambda x: x * reference.pdf(x), low, high)
    square = _quad(lambda x: x * x * reference.pdf(x), low, high)
    below = _quad(reference.pdf, low, c)
    above_mean = _quad(lambda x: x * reference.pdf(x), c, high) / _quad(reference.pdf, c, high)
    found = [w.E(X), w.E(X * X), w.P(X < cut), w.E(X, given=X > cut)]
    for value, expected in zip(found, [mean, square, below, above_mean], strict=True):
        number, error = bounded(value) if is_bounded(value) else (float(sp.N(value, 30)), 0.0)
        assert abs(number - expected) <= error + 1e-10, (value, expected)


def test_closed_forms_are_exact_where_they_exist():
    # by hand: E[U | U > 0] for U ~ Normal(0, 1) is 2·phi(0) = sqrt(2/pi); P(X < 1) for X ~ Exponential(2) is 1 - e^-2
    w = World()
    U = w.chance("U", Normal(0, 1))
    assert sp.simplify(w.E(U, given=U > 0) - sp.sqrt(2 / sp.pi)) == 0
    w2 = World()
    X = w2.chance("X", Exponential(2))
    assert sp.simplify(w2.P(X < 1) - (1 - sp.exp(-2))) == 0
    w3 = World()
    Y = w3.chance("Y", Uniform(0, 2))
    assert w3.E(Y * Y) == F(4, 3) and w3.P(Y < F(1, 2)) == F(1, 4)
    w4 = World()
    B = w4.chance("B", Beta(2, 3))
    assert w4.P(B < F(1, 2)) == F(11, 16)  # I_{1/2}(2, 3) = Σ_{j=2}^{4} C(4, j)/16 = (6 + 4 + 1)/16


def test_symbolic_parameters_stay_exact():
    mu, s = param("mu", -1, 1), param("s", F(1, 2), 2)
    w = World()
    U = w.chance("U", Normal(mu, s))
    assert sp.simplify(w.E(U * U) - (mu ** 2 + s ** 2)) == 0
    assert w.P(U < 0) == 1 - Phi(mu / s)


# readers ----------------------------------------------------------------------------------------------
def test_a_threshold_reader_with_a_discrete_parent():
    # H stops when U < X (X a coin over {0, 1}); P(H = stop) = (Phi(0) + Phi(1))/2 for U ~ Normal(0, 1)
    w = World()
    X = w.chance("X", {0: F(1, 2), 1: F(1, 2)})
    U = w.chance("U", Normal(0, 1))
    H = w.chance("H", lambda U, X: {"stop": U < X, "run": U >= X})
    expected = (stats.norm.cdf(0) + stats.norm.cdf(1)) / 2
    assert abs(float(w.P(H == "stop")) - expected) < 1e-14
    # E[U | H = run, X = 1] = phi(1)/(1 - Phi(1))
    value = w.E(U, given=(H == "run") & (X == 1))
    assert abs(float(value) - stats.norm.pdf(1) / stats.norm.sf(1)) < 1e-12


def test_a_linear_gaussian_mean_reads_discrete_parents():
    w = World()
    w.chance("X", {0: F(1, 4), 1: F(3, 4)})
    U = w.chance("U", lambda X: Normal(2 * X - 1, 1))
    # E[U] = 1/4·(-1) + 3/4·1 = 1/2; P(U > 0) = 1/4·Phi(-1) + 3/4·Phi(1)
    assert w.E(U) == F(1, 2)
    expected = 0.25 * stats.norm.cdf(-1) + 0.75 * stats.norm.cdf(1)
    assert abs(float(w.P(U > 0)) - expected) < 1e-14


def test_a_boltzmann_reader_is_integrated_with_a_bound():
    w = World()
    U = w.chance("U", Normal(F(1, 2), 1))
    H = w.chance("H", lambda U: {"run": sigmoid(3 * U), "stop": 1 - sigmoid(3 * U)})
    value = w.E(U * (H == "run"))
    assert is_bounded(value)
    number, error = bounded(value)
    expected = _quad(lambda u: u * stats.norm.pdf(u, 0.5, 1) * expit(3 * u), -np.inf, np.inf)
    assert abs(number - expected) <= error + 1e-12 and error < 1e-12
    # the two choices' probabilities sum to one exactly (the second is the cell's remainder)
    assert sp.simplify(w.P(H == "run") + w.P(H == "stop") - 1) == 0


def test_a_probit_reader_has_a_closed_form():
    # E[Phi(b·U)] = Phi(b·m/sqrt(1 + b²s²)) for U ~ Normal(m, s)
    w = World()
    w.chance("U", Normal(1, 2))
    H = w.chance("H", lambda U: {"run": Phi(U / 2), "stop": 1 - Phi(U / 2)})
    assert w.P(H == "run") == Phi(sp.sqrt(2) / 4)


def test_piecewise_quantities_and_interval_conditions():
    w = World()
    U = w.chance("U", Uniform(0, 4))
    # E[U·[U > 1] + 2·[U > 3]] = ∫_1^4 u/4 du + 2·1/4 = 15/8 + 1/2
    assert w.E(U * (U > 1) + 2 * (U > 3)) == F(15, 8) + F(1, 2)
    assert w.E(U, given=(U > 1) & (U < 3)) == 2
    assert w.P(U == 2) == 0


# do and counterfactuals ------------------------------------------------------------------------------------
def _switch_world():
    w = World("switch")
    U = w.chance("U", Normal(0, 1))
    R = w.decision("R", ["act", "wait"])
    H = w.chance("H", lambda U, R: {"stop": U < 0, "run": U >= 0} if R == "wait" else "run")
    V = w.chance("V", lambda H: 1 if H == "run" else 0)
    return w, U, R, H, V


def test_do_on_a_reader_cuts_it_from_the_continuous_node():
    w, U, _R, _H, V = _switch_world()
    wait = Policy(R="wait")
    assert w.E(U * V, wait) == 1 / sp.sqrt(2 * sp.pi)  # E[U·[U >= 0]] = phi(0)
    assert w.E(U * V, wait, do={"H": "run"}) == 0  # V = 1 whatever U: E[U] = 0


def test_a_counterfactual_shares_the_continuous_root():
    w, U, _R, H, V = _switch_world()
    # having seen the human stop (U < 0) under wait, had the robot acted the human gets U: E[U | U < 0] = -sqrt(2/pi)
    value = E(U * V, observed(H="stop") >> do(R="act")).evaluate(w, Policy(R="wait"))
    assert sp.simplify(value + sp.sqrt(2 / sp.pi)) == 0
    # P(H = stop had the robot waited | U < 1) = P(U < 0 | U < 1) = 1/(2·Phi(1))
    value = P(H == "stop", observed(U < 1) >> do(R="wait")).evaluate(w, Policy(R="act"))
    assert abs(float(value) - 0.5 / stats.norm.cdf(1)) < 1e-14


def test_counterfactuals_that_would_couple_copies_are_refused():
    w = World()
    w.chance("U", Normal(0, 1))
    w.decision("R", ["a", "b"])
    H = w.chance("H", lambda U, R: {"stop": 1 - sigmoid(U), "run": sigmoid(U)})
    with pytest.raises(CounterfactualError, match="chooses at random given its continuous parent U"):
        P(H == "stop", observed(H="stop") >> do(R="b")).evaluate(w, Policy(R="a"))
    w2 = World()
    w2.decision("X", [0, 1])
    w2.chance("U", lambda X: Normal(X, 1))
    H2 = w2.chance("H", lambda U: {1: U > 0, 0: U <= 0})
    with pytest.raises(CounterfactualError, match="continuous node U lies downstream of the intervention"):
        P(H2 == 1, observed(H=1) >> do(X=1)).evaluate(w2, Policy(X=0))
    with pytest.raises(QueryError, match="U is continuous"):
        w2.P(H2 == 1, Policy(X=0), do={"U": 1})


# declarations refused with a named message -------------------------------------------------------------
@pytest.mark.parametrize(("declare", "error", "message"), [
    (lambda w: w.chance("U", Normal(0, -1)), DistributionError, "sd = -1 must be positive"),
    (lambda w: w.chance("U", Normal(0, param("s", 0, 1))), DistributionError, "sd = s must be positive"),
    (lambda w: w.chance("U", Uniform(1, 1)), DistributionError, "needs low < high"),
    (lambda w: w.chance("U", Beta(10 ** 5, 1)), DistributionError, "Beta shapes up to"),
    (lambda w: w.chance("U", Normal(10 ** 9, 1)), DistributionError, "magnitude at most"),
    (lambda w: w.chance("U", Normal(0, param("t", 1, None))), DistributionError, "has no upper bound"),
    (lambda w: w.chance("U", Exponential(param("r", 1, 2) ** 2)), DistributionError, "affine in the parameters"),
])
def test_bad_distributions_are_named(declare, error, message):
    w = World()
    with pytest.raises(error, match=message):
        declare(w)
        w.check()


def test_bad_readers_and_observations_are_named():
    w = World()
    w.chance("U", Normal(0, 1))
    with pytest.raises(WorldError, match="branches on the continuous node U with if/else"):
        w.chance("H", lambda U: "stop" if U < 0 else "run")
    w.chance("H", lambda U: {"a": U ** 2 < 1, "b": U ** 2 >= 1})
    with pytest.raises(WorldError, match="must be linear in U"):
        w.check()
    w2 = World()
    w2.chance("U", Normal(0, 1))
    w2.decision("D", [0, 1], observes=["U"])
    with pytest.raises(WorldError, match="AI decisions may observe only discrete nodes"):
        w2.check()
    w3 = World()
    w3.chance("U", Normal(0, 1))
    w3.chance("H", lambda U: {"a": sigmoid(U), "b": sigmoid(U)})
    with pytest.raises(DistributionError, match="sum to"):
        w3.check()
    w4 = World()
    U = w4.chance("U", Normal(0, 1))
    with pytest.raises(QueryError, match="divides by a continuous node"):
        w4.E(U / (U + 1))
    with pytest.raises(QueryError, match="compares U and V: a comparison may read one continuous node"):
        w4.chance("V", Normal(0, 1))
        w4.P(U < w4["V"])


def test_thresholds_whose_order_the_box_leaves_open_are_refused():
    theta = param("theta", -1, 1)
    w = World()
    w.chance("U", Normal(0, 1))
    w.chance("H", lambda U: {"a": U < theta, "b": (U >= theta) & (U < 0), "c": U >= 0})
    with pytest.raises(CorrigError, match="come in either order"):
        w.P(w["H"] == "a")


def test_two_continuous_nodes_and_a_piecewise_choice():
    # independent U ~ Normal(0, 1) and V ~ Uniform(0, 2): E[U·V] = 0, E[U²V²] = 1·4/3, P(U < 0, V < 1) = 1/4
    w = World()
    U = w.chance("U", Normal(0, 1))
    V = w.chance("V", Uniform(0, 2))
    assert w.E(U * V) == 0 and w.E(U * U * V * V) == F(4, 3) and w.P((U < 0) & (V < 1)) == F(1, 4)
    # a Boltzmann choice below 1, a coin above: P(H = s) = ∫_{-oo}^1 phi·sigmoid + (1 - Phi(1))/2
    H = w.chance("H", lambda U: {"s": sp.Piecewise((sigmoid(U), U < 1), (F(1, 2), True)),
                                 "r": sp.Piecewise((1 - sigmoid(U), U < 1), (F(1, 2), True))})
    number, error = bounded(w.P(H == "s"))
    expected = _quad(lambda u: stats.norm.pdf(u) * expit(u), -np.inf, 1) + stats.norm.sf(1) / 2
    assert abs(number - expected) <= error + 1e-12
