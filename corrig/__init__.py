"""corrig: a sandbox for the decision theory of corrigibility (stop-button worlds as causal DAGs)."""

from corrig.analysis.flags import Flag
from corrig.analysis.learning import learned_policies, learned_policy
from corrig.analysis.planner import Plan, plan
from corrig.analysis.regions import region
from corrig.analysis.symbolic import symbolic_plan
from corrig.errors import (
    CorrigError,
    DistributionError,
    LimitError,
    NotAScenario,
    ParameterError,
    PolicyError,
    QueryError,
    ScenarioError,
    SolveError,
    StateError,
    UnknownNodeError,
    WorldError,
    ZeroProbabilityCondition,
)
from corrig.model.distributions import Beta, Exponential, Logistic, Normal, Uniform
from corrig.model.episode import Episode
from corrig.model.expr import Var
from corrig.model.links import Phi, phi, sigmoid
from corrig.model.params import param
from corrig.model.policies import Policy, pure_policies
from corrig.model.world import World
from corrig.objectives.episodes import discounted_return
from corrig.objectives.terms import E, P, do, given, observed
from corrig.scenarios.expect import flagged, not_flagged, not_optimal, optimal, value_is
from corrig.scenarios.load import load_scenario

__all__ = ["Beta", "CorrigError", "DistributionError", "E", "Episode", "Exponential", "Flag", "LimitError",
           "Logistic", "Normal", "NotAScenario", "P", "ParameterError", "Phi", "Plan", "Policy", "PolicyError",
           "QueryError", "ScenarioError", "SolveError", "StateError", "Uniform", "UnknownNodeError", "Var", "World",
           "WorldError", "ZeroProbabilityCondition", "discounted_return", "do", "flagged", "given",
           "learned_policies", "learned_policy", "load_scenario", "not_flagged", "not_optimal", "observed",
           "optimal", "param", "phi", "plan", "pure_policies", "region", "sigmoid", "symbolic_plan", "value_is"]
__version__ = "0.1.0"
