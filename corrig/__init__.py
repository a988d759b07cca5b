"""corrig: a sandbox for the decision theory of corrigibility (stop-button worlds as causal DAGs)."""

from corrig.errors import CorrigError
from corrig.expr import Var
from corrig.flags import Flag
from corrig.params import param
from corrig.planner import Plan, plan
from corrig.policies import Policy, pure_policies
from corrig.symbolic import region, symbolic_plan
from corrig.terms import E, P, do, given, observed
from corrig.world import World

__all__ = ["CorrigError", "E", "Flag", "P", "Plan", "Policy", "Var", "World", "do", "given", "observed", "param", "plan",
           "pure_policies", "region", "symbolic_plan"]
__version__ = "0.1.0"
