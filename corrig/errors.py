"""Every exception corrig raises on bad input or an unanswerable query, in one place.

    from corrig.errors import ZeroProbabilityCondition
    try:
        world.P(world["X"] == 1, policy, given=world["Y"] == 0)
    except ZeroProbabilityCondition:
        ...

Each class is defined where it is raised (its layer's module); this module only gathers them, as
`pgmpy.utils` and `sympy.polys.polyerrors` do.  The most common ones are also at the top level
(`from corrig import CorrigError, PolicyError`).  Every one derives from `CorrigError`:

    CorrigError
    ├── WorldError ── CycleError, UnknownNodeError, PrincipalError
    ├── StateError, DistributionError, PolicyError, ParameterError ── ParameterConflict
    ├── QueryError ── ZeroProbabilityCondition, CounterfactualError
    ├── ScenarioError ── NotAScenario, DeclarativeError
    ├── LimitError (a size limit: docs/security.md), SolveError, LimidTooLarge, GameError
    └── DumpError, PythonWriteError, OutputError, HuntError, CounterexampleError
"""

from corrig.analysis.limid import LimidTooLarge
from corrig.analysis.profiles import GameError
from corrig.analysis.solve import SolveError
from corrig.faces.counterexample import CounterexampleError
from corrig.faces.hunt_draw import HuntError
from corrig.faces.outputs import OutputError
from corrig.model.errors import (
    CorrigError,
    CounterfactualError,
    CycleError,
    DistributionError,
    NotAScenario,
    ParameterConflict,
    ParameterError,
    PolicyError,
    QueryError,
    ScenarioError,
    StateError,
    UnknownNodeError,
    WorldError,
    ZeroProbabilityCondition,
)
from corrig.model.limits import LimitError
from corrig.model.principals import PrincipalError
from corrig.scenarios.py_writer import PythonWriteError
from corrig.scenarios.toml_lines import DeclarativeError
from corrig.scenarios.toml_writer import DumpError

__all__ = ["CorrigError", "CounterexampleError", "CounterfactualError", "CycleError", "DeclarativeError",
           "DistributionError", "DumpError", "GameError", "HuntError", "LimidTooLarge", "LimitError", "NotAScenario",
           "OutputError", "ParameterConflict", "ParameterError", "PolicyError", "PrincipalError", "PythonWriteError",
           "QueryError", "ScenarioError", "SolveError", "StateError", "UnknownNodeError", "WorldError",
           "ZeroProbabilityCondition"]
