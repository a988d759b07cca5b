"""Expectations: the claims a scenario makes about its own plan, checked by `corrig check`.

A scenario lists them in `expect`; each is checked against the plan (at a parameter point
when `at=` is given) and yields a Verdict saying what was claimed and what was found.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from corrig.analysis.at_point import plan_at_point
from corrig.analysis.policy_names import find_policy, names_text
from corrig.analysis.principals import concerns
from corrig.model.errors import CorrigError, ParameterError, ScenarioError

if TYPE_CHECKING:
    from corrig.scenarios.scenario import Scenario

EVERY = "*"


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one expectation."""

    ok: bool
    claim: str
    found: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"ok": self.ok, "claim": self.claim, "found": self.found}


class Plans:
    """Plans of one scenario, computed once per parameter point.

    Once the symbolic plan is made, a plan at a point is read from it by substitution
    (corrig.analysis.at_point) wherever that gives the plan at the point; elsewhere it is planned.
    """

    def __init__(self, scenario: Scenario, **options: Any):
        self.scenario = scenario
        self.options = options
        self._plans: dict[tuple, Any] = {}

    def at(self, point: Mapping[Any, Any] | None) -> Any:
        """The plan with the parameters of `point` substituted (the symbolic plan for None)."""
        key = tuple(sorted((str(k), str(v)) for k, v in (point or {}).items()))
        if key not in self._plans:
            symbolic = self._plans.get(())
            read = plan_at_point(symbolic, point) if point and symbolic is not None else None
            self._plans[key] = read if read is not None else \
                self.scenario.plan(at=dict(point) if point else None, **self.options)
        return self._plans[key]


def _at_text(at: Mapping[Any, Any] | None) -> str:
    return "" if not at else " at " + ", ".join(f"{k}={claim_text(v)}" for k, v in at.items())


def claim_text(value: Any, top: bool = True) -> str:
    """A value a claim names, as a person writes it: `13/20` (not `Fraction(13, 20)`), `R=wait, AI=3/4`
    for a mapping, `{e: c, c: e}` for one inside it, a rule function by its name."""
    if isinstance(value, Mapping):
        inner = ", ".join(f"{claim_text(k, False)}{'=' if top else ': '}{claim_text(v, False)}" for k, v in value.items())
        return inner if top else "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(claim_text(v, False) for v in value) + "]"
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return str(value)  # a Fraction or a sympy number reads 13/20


class Expectation:
    """A claim about a scenario's plan."""

    at: Mapping[Any, Any] | None = None

    def check(self, plans: Plans) -> Verdict:
        """Check the claim; a Verdict says whether it holds and what was found."""
        raise NotImplementedError

    def _policies(self, plan: Any, name: str) -> list[str]:
        """The plan's keys the claim is about: every policy, or the one `name` means (corrig.analysis.policy_names:
        where other agents act, the AI's part names the profile answering it — at the claim's point)."""
        if name == EVERY:
            return list(plan.policies)
        if name in plan.policies:
            return [name]
        try:
            found, note = find_policy(plan, name, self.at, loose=False)
        except CorrigError:
            raise ScenarioError(f"expectation {self!r} names policy {name!r}, which the plan does not have: "
                                f"{names_text(plan)}") from None
        if note is not None and not self.at and len([a for a in plan.answers.values() if a.candidate == name]) > 1:
            raise ScenarioError(f"expectation {self!r}: {note.split('; showing')[0]}; give at= or the profile's name")
        return [found]


@dataclass(frozen=True)
class Optimal(Expectation):
    """`policy` is optimal (or, with only=True, the only optimal policy); negate=True claims it is not."""

    policy: str
    only: bool = False
    negate: bool = False
    at: Mapping[Any, Any] | None = None

    def check(self, plans: Plans) -> Verdict:
        plan = plans.at(self.at)
        keys = self._policies(plan, self.policy)  # "*": every policy (optimal, not optimal, or the only ones)
        if plan.symbolic:
            raise ScenarioError(f"{self!r}: the plan is symbolic; give at={{param: value}} to check optimality at a point")
        optimal = list(plan.optimal)
        if self.negate:
            ok = not set(keys) & set(optimal)
        else:
            ok = optimal == keys if self.only else set(keys) <= set(optimal)
        word = "not optimal" if self.negate else ("the only optimal policy" if self.only else "optimal")
        return Verdict(ok, f"{self.policy} is {word}{_at_text(self.at)}", f"optimal: {optimal}")


@dataclass(frozen=True)
class Flagged(Expectation):
    """`policy` (or every policy, "*") gets a flag of `kind` (negate=True: gets none)."""

    policy: str
    kind: str
    negate: bool = False
    at: Mapping[Any, Any] | None = None
    principal: str | None = None  # only flags naming this principal (several-humans worlds)
    size: Any = None  # and (for a positive claim) one of them has exactly this size

    def _matches(self, flag: Any) -> bool:
        if flag.kind != self.kind:
            return False
        if self.principal is None:
            return True
        return concerns(flag.evidence or {}, self.principal)

    def check(self, plans: Plans) -> Verdict:
        plan = plans.at(self.at)
        found = {}
        for name in self._policies(plan, self.policy):
            pool = [*plan.flags.get(name, []), *(f for f in plan.incentives if f.policy in (name, None))]
            found[name] = [f for f in pool if self._matches(f)]
        if self.negate:
            ok = not any(found.values())
        elif self.size is not None:
            ok = all(any(_same(f.size, self.size) for f in fs) for fs in found.values())
        else:
            ok = all(found.values())
        detail = "; ".join(f"{n}: {', '.join(_shown(f) for f in fs) or 'none'}" for n, fs in found.items())
        who = "every policy" if self.policy == EVERY else self.policy
        verb = "gets no" if self.negate else "gets a"
        naming = f" naming {self.principal}" if self.principal else ""
        sized = ""
        if self.size is not None and not self.negate:  # worded with the quantity the size is, when a flag says
            measures = [f.measure for fs in found.values() for f in fs if f.measure and _same(f.size, self.size)]
            sized = f" with {measures[0]} = {self.size}" if measures else f" of size {self.size}"
        return Verdict(ok, f"{who} {verb} {self.kind} flag{naming}{sized}{_at_text(self.at)}", detail)


def _shown(flag: Any) -> str:
    """A found flag as the reports show it: `not-obedient[bob] P(F='off' | do(H1='run', H2='stop')) = 0`."""
    evidence = flag.evidence or {}
    who = f"[{str(flag.where).split(': ', 1)[0]}]" if ("principal" in evidence or "coalition" in evidence) else ""
    return f"{flag.kind}{who} {flag.reading()}"


def _same(value: Any, expected: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) or isinstance(expected, float):
        return abs(float(value) - float(expected)) <= 1e-9
    return sp.simplify(sp.sympify(value) - sp.sympify(expected)) == 0


@dataclass(frozen=True)
class ValueIs(Expectation):
    """`policy`'s value J(π) equals `expected` exactly (or within `tolerance` for floats)."""

    policy: str
    expected: Any
    tolerance: float = 1e-9
    at: Mapping[Any, Any] | None = None

    def __post_init__(self) -> None:
        tolerance = self.tolerance
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not math.isfinite(tolerance) \
                or tolerance < 0:
            raise ParameterError(f"value_is({self.policy!r}, ...): the tolerance is {tolerance!r}; it must be a finite "
                                 f"number >= 0")

    def check(self, plans: Plans) -> Verdict:
        plan = plans.at(self.at)
        keys = self._policies(plan, self.policy)  # "*": every policy has that value
        wrong = [k for k in keys if not self._holds(plan.values[k])]
        shown = (f"J({self.policy}) = {plan.values[keys[0]]}" if len(keys) == 1 else
                 ", ".join(f"J({k}) = {plan.values[k]}" for k in (wrong or keys)[:4]))
        return Verdict(not wrong, f"J({self.policy}) = {self.expected}{_at_text(self.at)}", shown)

    def _holds(self, value: Any) -> bool:
        if value is None or self.expected is None:  # "undefined" matches only an undefined value
            return value is None and self.expected is None
        if isinstance(value, float) or isinstance(self.expected, float):
            for number in (value, self.expected):
                if isinstance(number, sp.Basic) and number.free_symbols:
                    raise ScenarioError(f"{self!r}: {number} depends on the parameters and cannot be compared within a "
                                        f"float tolerance; give at={{param: value}} or an exact expected value")
            return abs(float(value) - float(self.expected)) <= self.tolerance
        return sp.simplify(sp.sympify(value) - sp.sympify(self.expected)) == 0


def optimal(policy: str, *, only: bool = False, at: Mapping[Any, Any] | None = None) -> Optimal:
    """Claim: `policy` is optimal (the only one, with only=True)."""
    return Optimal(policy, only, False, at)


def not_optimal(policy: str, *, at: Mapping[Any, Any] | None = None) -> Optimal:
    """Claim: `policy` is not optimal."""
    return Optimal(policy, False, True, at)


def flagged(policy: str, kind: str, *, at: Mapping[Any, Any] | None = None, principal: str | None = None,
            size: Any = None) -> Flagged:
    """Claim: `policy` ("*" for every policy) gets a flag of `kind` (naming `principal`, of exactly `size`)."""
    return Flagged(policy, kind, False, at, principal, size)


def not_flagged(policy: str, kind: str, *, at: Mapping[Any, Any] | None = None,
                principal: str | None = None) -> Flagged:
    """Claim: `policy` ("*" for every policy) gets no flag of `kind` (naming `principal`)."""
    return Flagged(policy, kind, True, at, principal)


def value_is(policy: str, expected: Any, *, at: Mapping[Any, Any] | None = None, tolerance: float = 1e-9) -> ValueIs:
    """Claim: J(policy) equals `expected`."""
    return ValueIs(policy, expected, tolerance, at)


def verify(scenario: Scenario, **options: Any) -> list[Verdict]:
    """Check every expectation of a scenario."""
    plans = Plans(scenario, **options)
    verdicts = []
    for claim in scenario.expect:
        if not isinstance(claim, Expectation):
            raise ScenarioError(f"{scenario.name}: expect holds {claim!r}, which is not an expectation (see corrig.optimal)")
        verdicts.append(claim.check(plans))
    return verdicts
