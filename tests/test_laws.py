"""Laws of `do` and `given` (in the style of ChiRho's and Pyro's handler laws) over a registry.

The registry holds every scenario in models/*.py (each file imported by path; its `world`, its
`policies` dict and its `reference` policy) and the small worlds of tests/worlds.py.  For each
world and candidate policy:

* do is idempotent:      do(X=x) applied twice is do(X=x) applied once;
* disjoint dos commute:  do(X=x) then do(Z=z) == do(Z=z) then do(X=x) == do(X=x, Z=z);
* do on a non-ancestor:  intervening on a node that is not an ancestor of the queried nodes
                         (target and condition) changes nothing;
* given + do on disjoint nodes agrees with pgmpy: VariableElimination on the mutilated network
  always, and CausalInference.query(do=..., evidence=...) on the unmutilated one where pgmpy's
  back-door adjustment over pa(X) is valid (one do-target X, evidence among X's parents or X a
  root, positivity; see pgmpy issues #3543 and #1701), on worlds without symbolic parameters.

To keep the run short, each law samples a few interventions and queried nodes per world
(deterministically) and at most three policies.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import logging
import math
import random
import sys
import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
import sympy as sp

from corrig import World, pure_policies
from corrig.analysis.equilibria import with_responses
from corrig.model.agents import has_other_agents
from corrig.model.errors import ZeroProbabilityCondition
from corrig.model.params import range_of
from corrig.model.policies import as_policy

pytestmark = pytest.mark.filterwarnings("ignore")
logging.getLogger("pgmpy").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", module="pgmpy")

ROOT = Path(__file__).resolve().parent.parent
# Worlds over time unrolled to 100 steps (600 nodes) are left out: pgmpy and this file's per-node queries do not
# scale to them; tests/test_episode.py checks their queries against the engine on small episodes.
OVER_TIME = {"gridworld_off_switch", "gridworld_off_switch_learners"}
MODEL_FILES = sorted(p for p in (ROOT / "models").glob("*.py") if not p.name.startswith("_") and p.stem not in OVER_TIME)
MAX_POLICIES = 3
MAX_INTERVENTIONS = 6
MAX_QUERIED = 4
UNDEFINED = "undefined"


def _import(path: Path, name: str) -> Any:
    """A models/ file as a module of the `models` package; another file under `name`."""
    if path.parent.name == "models":
        return importlib.import_module(f"models.{path.stem}")
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return sys.modules[name]


@functools.cache
def load_case(key: str) -> tuple[World, list[Any]]:
    """(world, candidate policies) for a registry key: 'models/<file>' or 'worlds/<builder>'."""
    kind, _, name = key.partition("/")
    if kind == "models":
        module = _import(ROOT / "models" / name, f"corrig_law_model_{Path(name).stem}")
        world = module.world
        named = dict(getattr(module, "policies", None) or {})
        reference = getattr(module, "reference", None)
    else:
        worlds = _import(Path(__file__).with_name("worlds.py"), "corrig_test_worlds")
        case = worlds.REGISTRY[name]()
        world, named, reference = case.world, dict(case.policies), case.reference
    assert isinstance(world, World), f"{key}: `world` is not a corrig World"
    if kind == "models" and has_other_agents(world):  # other agents answer the AI's candidates (docs/agents.md)
        completed, answers = with_responses(world, module.utility, {n: as_policy(p) for n, p in named.items()})
        if isinstance(reference, str):
            reference = next(label for label in completed if answers[label].candidate == reference)
        named = completed
    if isinstance(reference, str):  # a scenario may name its reference policy
        reference = named[reference]
    policies = list(named.values())[:MAX_POLICIES]
    if reference is not None and all(reference is not p for p in policies):
        policies.append(reference)
    if not policies:
        policies = list(itertools.islice(pure_policies(world), MAX_POLICIES)) if world.decisions else [None]
    return world, policies


def registry() -> list[str]:
    worlds = _import(Path(__file__).with_name("worlds.py"), "corrig_test_worlds")
    return [f"models/{p.name}" for p in MODEL_FILES] + [f"worlds/{name}" for name in worlds.REGISTRY]


CASES = registry()


# --- helpers ----------------------------------------------------------------------------------
def marginal(world: World, node: str, policy: Any, **query: Any) -> tuple | str:
    """P(node = s | ...) for each state s, or UNDEFINED when the condition has probability zero."""
    try:
        return tuple(world.P(world[node] == s, policy, **query) for s in world.nodes[node].states)
    except ZeroProbabilityCondition:
        return UNDEFINED


def same(a: Any, b: Any) -> bool:
    """Equal answers: both undefined, floats within 1e-9, or exactly equal (symbolically)."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    difference = sp.sympify(a) - sp.sympify(b)
    return difference == 0 or sp.simplify(sp.cancel(sp.together(difference))) == 0


def sample(items: list, k: int, seed: str) -> list:
    """A deterministic sample of at most k items."""
    items = list(items)
    if len(items) <= k:
        return items
    return random.Random(seed).sample(items, k)


def discrete(world: World) -> list[str]:
    """The nodes with states (a continuous node has none: it is neither set by do nor given a marginal)."""
    return [n for n in world.nodes if not world.nodes[n].is_continuous]


def interventions(world: World, seed: str) -> list[tuple[str, Any]]:
    """A few (node, state) pairs to intervene with: each sampled node with one of its states."""
    rng = random.Random(seed)
    nodes = sample(discrete(world), MAX_INTERVENTIONS, seed)
    return [(n, rng.choice(world.nodes[n].states)) for n in nodes]


def queried(world: World, seed: str, exclude: tuple[str, ...] = ()) -> list[str]:
    return sample([n for n in discrete(world) if n not in exclude], MAX_QUERIED, seed + "/queried")


@pytest.fixture(params=CASES)
def case(request) -> tuple[str, World, list[Any]]:
    world, policies = load_case(request.param)
    return request.param, world, policies


# --- the laws ---------------------------------------------------------------------------------
def test_registry_is_not_empty():
    assert CASES, "no world to check the laws on"


def test_do_is_idempotent(case):
    key, world, policies = case
    for policy, (x, value) in itertools.product(policies, interventions(world, key)):
        once = world.do({x: value})
        twice = once.do({x: value})
        for y in queried(world, key):
            expected = marginal(once, y, policy)
            assert same(marginal(twice, y, policy), expected), (key, policy, x, value, y)
            assert same(marginal(once, y, policy, do={x: value}), expected), (key, policy, x, value, y)
            assert same(marginal(world, y, policy, do={x: value}), expected), (key, policy, x, value, y)


def test_disjoint_dos_commute(case):
    key, world, policies = case
    pairs = [(a, b) for a, b in itertools.combinations(interventions(world, key), 2)][:8]
    for policy, ((x, xv), (z, zv)) in itertools.product(policies, pairs):
        xz = world.do({x: xv}).do({z: zv})
        zx = world.do({z: zv}).do({x: xv})
        for y in queried(world, key):
            expected = marginal(world, y, policy, do={x: xv, z: zv})
            assert same(marginal(xz, y, policy), expected), (key, policy, x, z, y)
            assert same(marginal(zx, y, policy), expected), (key, policy, x, z, y)


def test_do_on_a_non_ancestor_changes_nothing(case):
    key, world, policies = case
    graph = world.graph
    checked = 0
    for policy, y in itertools.product(policies, queried(world, key)):
        evidence_nodes = [n for n in discrete(world) if n != y][:1]
        conditions = [None] + [{e: world.nodes[e].states[0]} for e in evidence_nodes]
        for given in conditions:
            read = {y, *(given or {})}
            upstream = set().union(*(nx.ancestors(graph, r) for r in read)) | read
            for x, value in interventions(world, key):
                if x in upstream:
                    continue
                before = marginal(world, y, policy, given=given)
                after = marginal(world, y, policy, given=given, do={x: value})
                assert same(after, before), (key, policy, y, given, x, value)
                checked += 1
    assert checked or len(world.nodes) == 1, f"{key}: every sampled intervention is upstream of every queried node"


def _pgmpy_value(factor, node: str, states: tuple) -> tuple | None:
    values = tuple(float(factor.get_value(**{node: s})) for s in states)
    return values if all(np.isfinite(values)) else None


def test_given_and_do_agree_with_pgmpy(case):
    key, world, policies = case
    if world.compiled.parameters:  # pgmpy holds numbers only: check at the centre of the parameter box
        world = world.subs({s: (range_of(s).low + range_of(s).high) / 2 for s in world.compiled.parameters})
    from pgmpy.inference import CausalInference, VariableElimination

    graph = world.graph
    compared = 0
    for policy in policies:
        model = world.to_pgmpy(policy)
        for x, value in interventions(world, key):
            parents = list(graph.predecessors(x))
            # evidence pgmpy's back-door query handles: one parent of x, or anything when x is a root
            pool = [p for p in parents if p in discrete(world)] if parents else [n for n in discrete(world) if n != x]
            conditions = [{}] + [{e: world.nodes[e].states[0]} for e in sample(pool, 2, f"{key}/{x}")]
            mutilated = VariableElimination(world.to_pgmpy(policy, do={x: value}))
            for given, y in itertools.product(conditions, queried(world, key, exclude=(x,))):
                if y in given:
                    continue
                ours = marginal(world, y, policy, given=given or None, do={x: value})
                if ours == UNDEFINED:
                    continue
                ours = tuple(float(v) for v in ours)
                states = world.nodes[y].states
                ve = _pgmpy_value(mutilated.query([y], evidence=given or None, show_progress=False), y, states)
                assert ve is not None and same(ours, ve), ("VariableElimination", key, policy, x, value, given, y)
                if x in nx.descendants(graph, y):
                    continue  # pgmpy refuses a query upstream of the intervention
                try:
                    factor = CausalInference(model).query([y], do={x: value}, evidence=given or None,
                                                          show_progress=False)
                except (ValueError, ZeroDivisionError, FloatingPointError):
                    continue  # a stratum of the adjustment has probability zero (no positivity)
                ci = _pgmpy_value(factor, y, states)
                if ci is None:
                    continue
                assert same(ours, ci), ("CausalInference", key, policy, x, value, given, y, ours, ci)
                compared += 1
    assert compared, f"{key}: no query could be compared with CausalInference"
