"""The functions a continuous world is written in: Φ and φ of the standard normal, and the sigmoid.

    Phi(x)      the standard normal CDF, (1 + erf(x/√2))/2: a probit choice P(run | U) = Phi(beta*U)
    phi(x)      the standard normal density, exp(-x²/2)/√(2π)
    sigmoid(x)  1/(1 + exp(-x)): a Boltzmann (logistic) choice P(run | U) = sigmoid(beta*U)

They are sympy functions: exact (Phi(1/2) stays Phi(1/2)), differentiable, known to be positive at real
points, evaluated by mpmath to any precision, and printed as themselves, so a closed form reads
`mu*Phi(mu/sigma) + sigma*phi(mu/sigma)` rather than a page of erf and exp.  `rewrite(sp.erf)` and
`rewrite(sp.exp)` give sympy's own functions for proofs and limits.
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp


class _Link(sp.Function):
    """A real function of one real argument, positive there, evaluated by mpmath."""

    nargs = 1
    latex_name = ""

    def _eval_is_extended_real(self) -> bool | None:
        return self.args[0].is_extended_real

    def _eval_is_finite(self) -> bool | None:
        return True if self.args[0].is_extended_real else None

    def _eval_is_positive(self) -> bool | None:
        x = self.args[0]
        return True if x.is_extended_real and x.is_finite else None

    def _eval_evalf(self, prec: int) -> sp.Float | None:
        x = self.args[0].evalf(prec)
        if not x.is_Number:
            return None
        with mpmath.workprec(prec + 10):
            return sp.Float(self._mpmath(mpmath.mpf(x._to_mpmath(prec + 10))), precision=prec)

    @staticmethod
    def _mpmath(x: Any) -> Any:
        raise NotImplementedError

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = rf"{self.latex_name}\left({printer._print(self.args[0])}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"


def _canonical(cls: type, x: sp.Expr) -> sp.Expr | None:
    """One form per value for a function with f(-x) = 1 - f(x): the argument expanded, its sign taken out.

    Equal values then have equal expressions, so Phi(x) + Phi(-x) is 1 as written and a table's
    probabilities sum to one term by term."""
    if x.is_zero:
        return sp.S.Half
    if x is sp.S.Infinity:
        return sp.S.One
    if x is sp.S.NegativeInfinity:
        return sp.S.Zero
    expanded = sp.expand(x)
    if expanded.could_extract_minus_sign():
        return 1 - cls(-expanded)
    if expanded != x:
        return cls(expanded)
    return None


class Phi(_Link):
    """Φ(x), the standard normal cumulative distribution function."""

    latex_name = r"\Phi"

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        return _canonical(cls, x)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return phi(self.args[0])

    def _eval_rewrite_as_erf(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return (1 + sp.erf(x / sp.sqrt(2))) / 2

    def _eval_rewrite_as_erfc(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.erfc(-x / sp.sqrt(2)) / 2

    @staticmethod
    def _mpmath(x: Any) -> Any:
        return mpmath.ncdf(x)


class phi(_Link):
    """φ(x), the standard normal density."""

    latex_name = r"\varphi"

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_zero:
            return 1 / sp.sqrt(2 * sp.pi)
        if x in (sp.S.Infinity, sp.S.NegativeInfinity):
            return sp.S.Zero
        expanded = sp.expand(x)
        if expanded.could_extract_minus_sign():
            return cls(-expanded)
        return cls(expanded) if expanded != x else None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return -self.args[0] * phi(self.args[0])

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.exp(-x ** 2 / 2) / sp.sqrt(2 * sp.pi)

    _eval_rewrite_as_erf = _eval_rewrite_as_exp

    @staticmethod
    def _mpmath(x: Any) -> Any:
        return mpmath.npdf(x)


class sigmoid(_Link):
    """σ(x) = 1/(1 + exp(-x)), the logistic (Boltzmann) choice probability."""

    latex_name = r"\sigma"

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        return _canonical(cls, x)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))

    _eval_rewrite_as_erf = _eval_rewrite_as_exp

    @staticmethod
    def _mpmath(x: Any) -> Any:
        return 1 / (1 + mpmath.exp(-x))


LINKS: dict[str, type[_Link]] = {"Phi": Phi, "phi": phi, "sigmoid": sigmoid}


def numpy_functions() -> dict[str, Any]:
    """The functions as numpy ufunc-like callables, for evaluating on grids (plots): {name: function}."""
    import math

    import numpy as np

    erf = np.vectorize(math.erf, otypes=[float])
    erfc = np.vectorize(math.erfc, otypes=[float])
    root2, root2pi = math.sqrt(2), math.sqrt(2 * math.pi)
    return {"Phi": lambda x: erfc(-np.asarray(x, dtype=float) / root2) / 2,
            "phi": lambda x: np.exp(-np.asarray(x, dtype=float) ** 2 / 2) / root2pi,
            "sigmoid": lambda x: 1 / (1 + np.exp(-np.asarray(x, dtype=float))),
            "erf": erf, "erfc": erfc}
