"""The exceptions corrig raises: every one names the node, state, branch or policy at fault."""

from __future__ import annotations

import copy


class CorrigError(Exception):
    """Base class of every error corrig raises on bad input or an unanswerable query."""


class WorldError(CorrigError):
    """A world declaration is malformed (unknown node, duplicate name, bad mechanism)."""


class CycleError(WorldError):
    """The declared parents form a directed cycle; `cycle` lists its nodes in order."""

    def __init__(self, cycle: list[str]):
        self.cycle = cycle
        path = " -> ".join([*cycle, cycle[0]])
        super().__init__(f"the world has a directed cycle: {path}")


class UnknownNodeError(WorldError):
    """A name was used as a node (mechanism argument, event, do, policy) but is not declared."""


class StateError(CorrigError):
    """A state is not in its node's domain."""


class DistributionError(CorrigError):
    """A distribution does not sum to one, or holds a probability outside [0, 1]."""


class PolicyError(CorrigError):
    """A policy is missing a decision rule, or a rule is malformed."""


class QueryError(CorrigError):
    """A query is malformed (e.g. a rung-2 contradiction such as given(X=a) with do(X=b))."""


class ZeroProbabilityCondition(QueryError):
    """A conditional query conditions on an event of probability zero: the answer is undefined."""


class CounterfactualError(QueryError):
    """A counterfactual is not identified by the world's mechanisms (a stochastic descendant)."""


class ParameterError(CorrigError):
    """A parameter is misdeclared, unbounded where a range is needed, or given no value."""


class ParameterConflict(ParameterError):
    """Two different parameters (two declarations with different ranges) share a name in one world or plan."""


class ScenarioError(CorrigError):
    """A scenario file fails to load or lacks what a scenario must define; names the file and line."""


class NotAScenario(ScenarioError):
    """A file defines no `world` at all (a helper module beside the scenarios, a package's `__init__.py`)."""


class SolveError(CorrigError):
    """The optimal policy cannot be found: parameters left, too many policies, or no defined value."""


def with_context(exc: CorrigError, where: str) -> CorrigError:
    """The same error (same class), its message prefixed with the argument, policy or term at fault."""
    new = copy.copy(exc)
    new.args = (f"{where}: {exc}",)
    return new
