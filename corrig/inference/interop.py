"""Export to pgmpy: a world with a policy's rules as CPDs, so users keep their tools."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from corrig.inference.continuous import discretize
from corrig.inference.engine import node_tables
from corrig.model.errors import ParameterError
from corrig.model.expr import State
from corrig.model.policies import as_policy

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

    from corrig.model.world import World


def to_pgmpy(world: World, policy: Any = None, *, do: Mapping[str, State] | None = None) -> DiscreteBayesianNetwork:
    """A pgmpy DiscreteBayesianNetwork of `world` (mutilated by `do`) with the policy's rules as CPDs.

    Every decision needs a rule.  Probabilities become floats; symbolic parameters must be
    substituted first (pgmpy holds numbers only).  A world with continuous nodes is exported as its
    integrated-out discrete world (corrig.inference.continuous): each continuous node's states are its cells.
    """
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    mutilated = world.do(do) if do else world
    if mutilated.compiled.continuous is not None:
        mutilated = discretize(mutilated).world
    compiled = mutilated.compiled
    tables = node_tables(mutilated, as_policy(policy), compiled.order)
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(compiled.order)
    model.add_edges_from(compiled.graph.edges)
    for name in compiled.order:
        node = mutilated.nodes[name]
        contexts = list(itertools.product(*(mutilated.nodes[p].states for p in node.parents)))
        columns = [[_float(v, name) for v in tables[name][c]] for c in contexts]
        values = [[col[i] for col in columns] for i in range(len(node.states))]
        model.add_cpds(
            TabularCPD(
                name,
                len(node.states),
                values,
                evidence=list(node.parents) or None,
                evidence_card=[len(mutilated.nodes[p].states) for p in node.parents] or None,
                state_names={n: list(mutilated.nodes[n].states) for n in (name, *node.parents)},
            )
        )
    model.check_model()
    return model


def _float(value: Any, node: str) -> float:
    if getattr(value, "free_symbols", None):
        names = ", ".join(sorted(str(s) for s in value.free_symbols))
        raise ParameterError(f"node {node}: its CPD depends on parameter(s) {names}; substitute values before exporting to pgmpy")
    return float(value)
