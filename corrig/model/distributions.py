"""Continuous distributions for chance nodes: Normal, Uniform, Exponential, Logistic and Beta.

    U = world.chance("U", Normal(mu, sigma))                 # a root; mu and sigma numbers or parameters
    V = world.chance("V", lambda X: Normal(2 * X - 1, 1))    # linear-Gaussian: the mean reads discrete parents

A distribution holds its parameters as sympy numbers or expressions in declared parameters.  Its checks
(`check`) are exact: a scale, rate or shape must be positive, and a Uniform's high end above its low end,
at every point of the parameters' box.  Such a parameter is a number or an affine expression in parameters
(its smallest value is then at a corner of the box, so the check is exact); a location may be any real
expression.  Numbers are bounded (MAX_MAGNITUDE, Beta shapes by MAX_BETA_SHAPE) so that no declaration
asks for an integral that cannot be computed in reasonable time.

The densities, supports and standard forms are what corrig.inference.integrals integrates.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

import sympy as sp

from corrig.model.errors import DistributionError
from corrig.model.links import phi, sigmoid
from corrig.model.numbers import to_number
from corrig.model.params import parameters_in, range_of

MAX_MAGNITUDE = sp.Integer(10) ** 6  # |parameter| of any distribution, at every corner of the box
MAX_BETA_SHAPE = sp.Integer(10) ** 4  # a Beta's shapes a and b


class Distribution:
    """A continuous distribution family with sympy parameters (numbers or parameter expressions)."""

    names: ClassVar[tuple[str, ...]] = ()
    positive: ClassVar[tuple[str, ...]] = ()  # parameters that must be > 0 on the whole box

    def __init__(self, *values: Any):
        if len(values) != len(self.names):
            raise DistributionError(f"{type(self).__name__} takes {len(self.names)} parameters "
                                    f"({', '.join(self.names)}), got {len(values)}")
        self.params = tuple(to_number(v, f"{type(self).__name__}'s {n}") for n, v in zip(self.names, values, strict=True))

    @property
    def family(self) -> str:
        """The family's name (Normal, Uniform, ...)."""
        return type(self).__name__

    def __getattr__(self, name: str) -> Any:
        names = type(self).names
        if name in names:
            return self.params[names.index(name)]
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"{self.family}({', '.join(_python(p) for p in self.params)})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.params == self.params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.family, self.params))

    @property
    def parameters(self) -> frozenset[sp.Symbol]:
        """The declared parameters its numbers depend on."""
        return frozenset().union(*(parameters_in(p) for p in self.params))

    def subs(self, mapping: dict[sp.Symbol, Any]) -> Distribution:
        """The same family with parameters replaced by values."""
        return type(self)(*(p.subs(mapping) if isinstance(p, sp.Basic) else p for p in self.params))

    def support(self) -> tuple[sp.Expr, sp.Expr]:
        """The interval (low, high) outside which the density is zero (-oo / oo for unbounded ends)."""
        return sp.S.NegativeInfinity, sp.S.Infinity

    def density(self, u: sp.Symbol) -> sp.Expr:
        """The density at u, inside the support."""
        raise NotImplementedError

    def mean(self) -> sp.Expr:
        """The expectation."""
        raise NotImplementedError

    def to_latex(self) -> str:
        """The distribution in LaTeX, e.g. \\mathcal{N}(\\mu, \\sigma^2)."""
        return rf"\mathrm{{{self.family}}}({', '.join(sp.latex(p) for p in self.params)})"

    def check(self, where: str) -> None:
        """Raise DistributionError unless the parameters are valid at every point of their box."""
        for name, value in zip(self.names, self.params, strict=True):
            label = f"{where}: {self.family}'s {name} = {value}"
            if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.is_real is False:
                raise DistributionError(f"{label} is not a finite real number")
            if not parameters_in(value) and not value.is_number:
                raise DistributionError(f"{label} reads a symbol that is not a declared parameter (use param())")
            low, high = _extremes(value, label)
            if low < -MAX_MAGNITUDE or high > MAX_MAGNITUDE:
                raise DistributionError(f"{label} reaches {low if low < -MAX_MAGNITUDE else high} on its box; "
                                        f"corrig integrates parameters of magnitude at most {MAX_MAGNITUDE}")
            if name in self.positive and not low > 0:
                raise DistributionError(f"{label} must be positive, and it is {low} at "
                                        f"{'a corner of its parameters box' if parameters_in(value) else 'this value'}")
        self._check_more(where)

    def _check_more(self, where: str) -> None:
        """Family-specific checks (a Uniform's ends, a Beta's shapes)."""


def _python(value: sp.Expr) -> str:
    if isinstance(value, sp.Rational) and not isinstance(value, sp.Integer):
        return f"Rational({value.p}, {value.q})"
    return str(value)


def _extremes(value: sp.Expr, label: str) -> tuple[sp.Expr, sp.Expr]:
    """The smallest and largest value on the box of an affine expression in the parameters (exact: at corners)."""
    symbols = sorted(parameters_in(value), key=str)
    if not symbols:
        number = sp.nsimplify(value, rational=True) if value.has(sp.Float) else value
        return number, number
    if not value.is_polynomial(*symbols) or sp.Poly(value, *symbols).total_degree() > 1:
        raise DistributionError(f"{label}: a distribution's parameter must be a number or affine in the parameters "
                                f"(like 2*s + 1), so that its range on the box is exact")
    ends = []
    for s in symbols:
        r = range_of(s)
        coefficient = value.diff(s)
        if (r.low is None and coefficient != 0) or (r.high is None and coefficient != 0):
            raise DistributionError(f"{label} is unbounded: parameter {s} has no {'lower' if r.low is None else 'upper'} "
                                    f"bound (declare it with param({s.name!r}, low, high))")
        ends.append((r.low, r.high))
    corners = [value.subs(dict(zip(symbols, corner, strict=True))) for corner in itertools.product(*ends)]
    return min(corners), max(corners)


class Normal(Distribution):
    """The normal distribution with mean `mean` and standard deviation `sd` (> 0)."""

    names = ("mean", "sd")
    positive = ("sd",)

    def density(self, u: sp.Symbol) -> sp.Expr:
        mean, sd = self.params
        return phi((u - mean) / sd) / sd

    def mean(self) -> sp.Expr:
        return self.params[0]

    def to_latex(self) -> str:
        mean, sd = self.params
        return rf"\mathcal{{N}}\left({sp.latex(mean)}, {sp.latex(sd ** 2)}\right)"


class Uniform(Distribution):
    """The uniform distribution on [low, high] (low < high)."""

    names = ("low", "high")

    def support(self) -> tuple[sp.Expr, sp.Expr]:
        return self.params[0], self.params[1]

    def density(self, u: sp.Symbol) -> sp.Expr:
        low, high = self.params
        return 1 / (high - low)

    def mean(self) -> sp.Expr:
        return (self.params[0] + self.params[1]) / 2

    def _check_more(self, where: str) -> None:
        low, high = self.params
        width = high - low
        smallest, _ = _extremes(width, f"{where}: Uniform's high - low = {width}")
        if not smallest > 0:
            raise DistributionError(f"{where}: Uniform({low}, {high}) needs low < high on the whole box "
                                    f"(high - low reaches {smallest})")


class Exponential(Distribution):
    """The exponential distribution with rate `rate` (> 0), on [0, oo)."""

    names = ("rate",)
    positive = ("rate",)

    def support(self) -> tuple[sp.Expr, sp.Expr]:
        return sp.S.Zero, sp.S.Infinity

    def density(self, u: sp.Symbol) -> sp.Expr:
        rate = self.params[0]
        return rate * sp.exp(-rate * u)

    def mean(self) -> sp.Expr:
        return 1 / self.params[0]


class Logistic(Distribution):
    """The logistic distribution with location `loc` and scale `scale` (> 0)."""

    names = ("loc", "scale")
    positive = ("scale",)

    def density(self, u: sp.Symbol) -> sp.Expr:
        loc, scale = self.params
        z = (u - loc) / scale
        return sigmoid(z) * (1 - sigmoid(z)) / scale

    def mean(self) -> sp.Expr:
        return self.params[0]


class Beta(Distribution):
    """The beta distribution with shapes `a` and `b` (> 0), on [0, 1]."""

    names = ("a", "b")
    positive = ("a", "b")

    def support(self) -> tuple[sp.Expr, sp.Expr]:
        return sp.S.Zero, sp.S.One

    def density(self, u: sp.Symbol) -> sp.Expr:
        a, b = self.params
        return u ** (a - 1) * (1 - u) ** (b - 1) / sp.beta(a, b)

    def mean(self) -> sp.Expr:
        a, b = self.params
        return a / (a + b)

    def _check_more(self, where: str) -> None:
        for name, value in zip(self.names, self.params, strict=True):
            _, largest = _extremes(value, f"{where}: Beta's {name}")
            if largest > MAX_BETA_SHAPE:
                raise DistributionError(f"{where}: Beta's {name} = {value} reaches {largest}; corrig integrates Beta "
                                        f"shapes up to {MAX_BETA_SHAPE}")


FAMILIES: dict[str, type[Distribution]] = {d.__name__: d for d in (Normal, Uniform, Exponential, Logistic, Beta)}
