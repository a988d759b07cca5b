"""∫_low^high u^k · density(u) · weight(u) du for corrig's distribution families, in closed form where one is known.

The integrals a continuous world needs are all of one shape: a polynomial in u (a quantity's piece) times a
density times a weight (the product of its readers' choice probabilities on one interval, each c0 + c1·L(a·u
+ b)).  Expanded, each term is u^k · density · (a product of links).  Closed forms, derived by hand:

- no link (every family): the truncated moments below, in Phi / phi (Normal), polynomials (Uniform),
  exp (Exponential), sigmoid, log and the dilogarithm (Logistic, k <= 2), regularized incomplete beta
  functions (Beta; a polynomial for whole shapes).
- Normal with one probit link Phi(c·u + d) on the whole line, k <= 2: with z standard normal,
  u = mean + sd·z and A + B·z = c·u + d, t = A/sqrt(1 + B²):
      E[Phi(A + Bz)]     = Phi(t)
      E[z Phi(A + Bz)]   = B/sqrt(1 + B²) · phi(t)                 (d/dB of the first, or Stein's lemma)
      E[z² Phi(A + Bz)]  = Phi(t) − A·B²/(1 + B²)^(3/2) · phi(t)   (Stein: E[z·zΦ] = E[Φ] + B·E[z φ(A+Bz)])

Everything else (a sigmoid weight, a probit weight on a half line, higher moments) is one
corrig.inference.quadrature.Quadrature: exact as a symbol, evaluated numerically with a bound.
Nothing here calls sympy's integrate, so no integral can run away with the time.
"""

from __future__ import annotations

from math import comb

import sympy as sp

from corrig.inference.quadrature import quadrature
from corrig.model.distributions import Beta, Distribution, Exponential, Logistic, Normal, Uniform
from corrig.model.links import Phi, phi, sigmoid
from corrig.model.pieces import LINK_TYPES

BETA_EXPANSION = 400  # whole Beta shapes a + b up to this expand the incomplete beta function into a polynomial
LOGISTIC_MOMENTS = 2  # the logistic's truncated moments have closed forms up to this power


def integral(distribution: Distribution, low: sp.Expr, high: sp.Expr, integrand: sp.Expr, u: sp.Symbol) -> sp.Expr:
    """∫_low^high integrand · density du, with low and high inside the support and `integrand` a polynomial in u
    times links of u (constant coefficients)."""
    if low == high:
        return sp.S.Zero
    total = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(integrand)):
        coefficient, shape = term.as_independent(u, as_Add=False)  # shape = u^k · links
        links = [a for a in shape.atoms(*LINK_TYPES) if u in a.free_symbols]
        power = shape.as_independent(*links, as_Add=False)[0] if links else shape
        k = _power(power, u)
        closed = _closed(distribution, low, high, k, links, shape, u) if k is not None else None
        if closed is None:  # one Quadrature per shape, the constant outside: equal integrals are one atom
            density = distribution.density(u)
            closed = quadrature(shape * density, u, low, high, _points(distribution, shape, u),
                                _centred(distribution, low, high, k, links, shape, density, u))
        total += coefficient * closed
    return total


def _power(power: sp.Expr, u: sp.Symbol) -> int | None:
    """k with power = u^k, or None."""
    if power == 1:
        return 0
    if power == u:
        return 1
    if isinstance(power, sp.Pow) and power.base == u and power.exp.is_Integer and power.exp > 0:
        return int(power.exp)
    return None


def _closed(distribution: Distribution, low: sp.Expr, high: sp.Expr, k: int, links: list[sp.Expr], term: sp.Expr,
            u: sp.Symbol) -> sp.Expr | None:
    """The closed form of ∫ u^k · links · density over [low, high], or None when there is none here."""
    if not links:
        return moment(distribution, low, high, k)
    if len(links) == 1 and isinstance(links[0], Phi) and isinstance(distribution, Normal) \
            and low is sp.S.NegativeInfinity and high is sp.S.Infinity and k <= 2 \
            and sp.degree(term, links[0]) == 1:
        return _normal_probit(distribution, links[0].args[0], k, u)
    return None


def _centred(distribution: Distribution, low: sp.Expr, high: sp.Expr, k: int | None, links: list[sp.Expr],
             shape: sp.Expr, density: sp.Expr, u: sp.Symbol) -> tuple[sp.Expr, sp.Expr] | None:
    """∫ shape · density split exactly as (closed, remainder): each link at its centre L(0) (1/2 for sigmoid and
    Phi) integrated in closed form, plus ∫ remainder du with remainder = (shape − shape at the centres) · density;
    None when the moment has no closed form.  A remainder such as u·(sigmoid(β·u) − 1/2)·density keeps one sign
    at every u, which no closed part hides."""
    if k is None or not links:
        return None
    plain = moment(distribution, low, high, k)
    if plain is None:
        return None
    at_centre = shape.xreplace({link: link.func(0) for link in links})
    return sp.expand(at_centre / u ** k * plain), (shape - at_centre) * density


def moment(distribution: Distribution, low: sp.Expr, high: sp.Expr, k: int) -> sp.Expr | None:
    """∫_low^high u^k · density du in closed form (None for a logistic moment above LOGISTIC_MOMENTS)."""
    if isinstance(distribution, Normal):
        mean, sd = distribution.params
        alpha, beta = ((e - mean) / sd if e.is_finite is not False and e not in (sp.oo, -sp.oo) else e
                       for e in (low, high))
        return sp.expand(sum(comb(k, j) * mean ** (k - j) * sd ** j * _normal_moment(j, alpha, beta)
                             for j in range(k + 1)))
    if isinstance(distribution, Uniform):
        a, b = distribution.params
        return (high ** (k + 1) - low ** (k + 1)) / ((k + 1) * (b - a))
    if isinstance(distribution, Exponential):
        rate = distribution.params[0]
        return _exponential_antiderivative(rate, k, high) - _exponential_antiderivative(rate, k, low)
    if isinstance(distribution, Logistic):
        if k > LOGISTIC_MOMENTS:
            return None
        loc, scale = distribution.params
        alpha, beta = ((e - loc) / scale if e not in (sp.oo, -sp.oo) else e for e in (low, high))
        return sp.expand(sum(comb(k, j) * loc ** (k - j) * scale ** j * (_logistic_antiderivative(j, beta)
                                                                        - _logistic_antiderivative(j, alpha))
                             for j in range(k + 1)))
    if isinstance(distribution, Beta):
        a, b = distribution.params
        ratio = sp.Mul(*((a + i) / (a + b + i) for i in range(k)))
        return ratio * (_incomplete_beta(a + k, b, high) - _incomplete_beta(a + k, b, low))
    raise TypeError(f"no moments for {distribution!r}")


def _normal_moment(j: int, alpha: sp.Expr, beta: sp.Expr) -> sp.Expr:
    """∫_alpha^beta z^j phi(z) dz: M0 = Phi(beta) − Phi(alpha), M1 = phi(alpha) − phi(beta),
    Mj = (j−1)·M(j−2) + alpha^(j−1)·phi(alpha) − beta^(j−1)·phi(beta) (by parts; the end terms vanish at ±oo)."""
    if j == 0:
        if beta is sp.S.Infinity:
            return Phi(-alpha)
        if alpha is sp.S.NegativeInfinity:
            return Phi(beta)
        return Phi(beta) - Phi(alpha)
    ends = sp.S.Zero
    for end, sign in ((alpha, 1), (beta, -1)):
        if end not in (sp.oo, -sp.oo):
            ends += sign * end ** (j - 1) * phi(end)
    if j == 1:
        return ends
    return (j - 1) * _normal_moment(j - 2, alpha, beta) + ends


def _exponential_antiderivative(rate: sp.Expr, k: int, x: sp.Expr) -> sp.Expr:
    """F with F' = x^k·rate·exp(−rate·x): −exp(−rate·x)·Σ_j k!/(k−j)!·x^(k−j)/rate^j (0 at +oo)."""
    if x is sp.S.Infinity:
        return sp.S.Zero
    return -sp.exp(-rate * x) * sum(sp.factorial(k) / sp.factorial(k - j) * x ** (k - j) / rate ** j
                                    for j in range(k + 1))


def _logistic_antiderivative(j: int, z: sp.Expr) -> sp.Expr:
    """F_j with F_j' = z^j·sigmoid'(z), fixed by F_j(−oo) = 0:
    F0 = sigmoid(z); F1 = z·sigmoid(z) − log(1 + e^z) (→ 0 at +oo: the mean is 0);
    F2 = z²·sigmoid(z) − 2·(z·log(1 + e^z) + Li2(−e^z)) (→ π²/3 at +oo: the variance)."""
    if z is sp.S.NegativeInfinity:
        return sp.S.Zero
    if z is sp.S.Infinity:
        return (sp.S.One, sp.S.Zero, sp.pi ** 2 / 3)[j]
    if j == 0:
        return sigmoid(z)
    if j == 1:
        return z * sigmoid(z) - sp.log(1 + sp.exp(z))
    return z ** 2 * sigmoid(z) - 2 * (z * sp.log(1 + sp.exp(z)) + sp.polylog(2, -sp.exp(z)))


def _incomplete_beta(a: sp.Expr, b: sp.Expr, x: sp.Expr) -> sp.Expr:
    """I_x(a, b), the regularized incomplete beta function: a polynomial for whole shapes,
    I_x(a, b) = Σ_{j=a}^{a+b−1} C(a+b−1, j) x^j (1−x)^(a+b−1−j)."""
    if x == 0:
        return sp.S.Zero
    if x == 1:
        return sp.S.One
    if a.is_Integer and b.is_Integer and a + b <= BETA_EXPANSION:
        n = int(a + b - 1)
        return sum(comb(n, j) * x ** j * (1 - x) ** (n - j) for j in range(int(a), n + 1))
    return sp.betainc_regularized(a, b, 0, x)


def _normal_probit(distribution: Normal, argument: sp.Expr, k: int, u: sp.Symbol) -> sp.Expr:
    """∫ u^k · Phi(c·u + d) · normal density over the whole line (k <= 2; the module docstring derives it)."""
    mean, sd = distribution.params
    c, d = argument.coeff(u, 1), argument.coeff(u, 0)
    big_a, big_b = c * mean + d, c * sd
    root = sp.sqrt(1 + big_b ** 2)
    t = big_a / root
    z_moments = [Phi(t), big_b / root * phi(t), Phi(t) - big_a * big_b ** 2 / root ** 3 * phi(t)]
    return sp.expand(sum(comb(k, j) * mean ** (k - j) * sd ** j * z_moments[j] for j in range(k + 1)))


def _points(distribution: Distribution, integrand: sp.Expr, u: sp.Symbol) -> list[sp.Expr]:
    """Where the integrand changes fast: the distribution's centre and each link's midpoint."""
    points = []
    if isinstance(distribution, Normal | Logistic):
        points.append(distribution.params[0])
    for link in integrand.atoms(*LINK_TYPES):
        argument = sp.expand(link.args[0])
        slope = argument.coeff(u, 1)
        if slope != 0:
            points.append(-argument.coeff(u, 0) / slope)
    return points
