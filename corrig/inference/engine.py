"""Exact inference: P_π(event | given) and E_π[quantity | given], under do-interventions.

A query becomes one tensor contraction over the nodes it needs (the ancestors of what it
reads), in an elimination order chosen by opt_einsum.  Numbers live in one of two backends:
floats (numpy float64) when any input is a float, otherwise an exact sympy domain: rationals (QQ)
as Scaled tables (integer numerators over a common denominator, corrig.inference.scaled), any
other domain (a rational-function field for parameters, an algebraic field) as object arrays of
its elements, contracted as Python objects.  A conditional query contracts its numerator and
denominator together, except a counterfactual's (the numerator in the twin network, the
denominator once in the factual world).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp
from sympy.polys.constructor import construct_domain
from sympy.polys.domains import QQ

from corrig.inference.compiled import (
    OTHER,
    RATIONAL,
    chance_entry,
    groups,
    join_classes,
    mutilated,
    needed,
    node_array,
    policy_entry,
    rule_entry,
    to_float,
    value_class,
)
from corrig.inference.quadrature import Quadrature
from corrig.inference.scaled import Scaled, follow_path, stack
from corrig.model.errors import QueryError, StateError, ZeroProbabilityCondition
from corrig.model.expr import Expr, State, assignment_event, not_an_event
from corrig.model.links import Phi, phi, sigmoid
from corrig.model.numbers import is_float_valued, to_number
from corrig.model.policies import Policy, as_policy

if TYPE_CHECKING:
    from corrig.model.world import World

Table = Mapping[tuple[State, ...], tuple[Any, ...]]


@dataclass(frozen=True)
class Factor:
    """A table over named variables: `array[i, j, ...]` is the value at the states' indices."""

    variables: tuple[str, ...]
    array: np.ndarray


def as_event(world: World, event: Any, what: str = "event") -> Expr:
    """An event expression from an expression or a {node: state} mapping; its nodes must exist."""
    if isinstance(event, Mapping):
        if not event:
            raise QueryError(f"the {what} is empty")
        return assignment_event(event, world.handles)
    if not isinstance(event, Expr):
        raise QueryError(f"the {what} must be an expression such as B == 'off' or a {{node: state}} dict, got {event!r}")
    reason = not_an_event(event)
    if reason is not None:
        raise QueryError(f"the {what} is not an event: {reason}")
    check_scope(world, event, what)
    return event


def check_scope(world: World, expr: Expr, what: str) -> None:
    """Raise unless every variable the expression reads is a node of the world."""
    for name in expr.scope():
        if name not in world:
            raise QueryError(f"the {what} {expr!r} reads {name!r}, which is not a node of world {world.name!r}")


def probability(world: World, event: Any, policy: Any = None, *, given: Any = None,
                do: Mapping[str, State] | None = None) -> Any:
    """P_π(event | given) in `world` mutilated by `do`: exact unless an input is a float."""
    if world.compiled.continuous is not None:
        lowered, event, given = _integrated_out(world, event, given, do)
        return probability(lowered, event, policy, given=given, do=do)
    mutilated = _mutilate(world, do)
    target = as_event(mutilated, event)
    condition = None if given is None else as_event(mutilated, given, "condition")
    _check_rung2(mutilated, condition, do)
    return _query(mutilated, target, condition, as_policy(policy), indicator=True)


def expectation(world: World, quantity: Any, policy: Any = None, *, given: Any = None,
                do: Mapping[str, State] | None = None) -> Any:
    """E_π[quantity | given] in `world` mutilated by `do`: exact unless an input is a float."""
    if not isinstance(quantity, Expr):
        raise QueryError(f"the quantity must be an expression over the world's nodes (such as V or 2*X - 1), got {quantity!r}")
    if world.compiled.continuous is not None:
        check_scope(world, quantity, "quantity")
        lowered, quantity, given = _integrated_out(world, quantity, given, do)
        return expectation(lowered, quantity, policy, given=given, do=do)
    mutilated = _mutilate(world, do)
    check_scope(mutilated, quantity, "quantity")
    condition = None if given is None else as_event(mutilated, given, "condition")
    _check_rung2(mutilated, condition, do)
    return _query(mutilated, quantity, condition, as_policy(policy), indicator=False)


def _integrated_out(world: World, target: Any, given: Any, do: Mapping[str, State] | None) -> tuple[World, Expr, Expr | None]:
    """The discrete world of a continuous one for this query (corrig.inference.continuous), and the query read there."""
    from corrig.inference.continuous import discretize

    for name in do or {}:
        if name in world and world.nodes[name].is_continuous:
            raise QueryError(f"do({name}=...): {name} is continuous; do() sets discrete nodes")
    if isinstance(target, Mapping) or (isinstance(target, Expr) and not_an_event(target) is None):
        target = as_event(world, target)
    condition = None if given is None else as_event(world.do(do) if do else world, given, "condition")
    lowering = discretize(world, [target, condition])
    lowered = None if target is None else lowering.expr(target)
    return lowering.world, lowered, None if condition is None else lowering.expr(condition)


def _mutilate(world: World, do: Mapping[str, State] | None) -> World:
    return mutilated(world, do) if do else world


def _check_rung2(world: World, condition: Expr | None, do: Mapping[str, State] | None) -> None:
    if condition is None or not do:
        return
    clash = condition.scope() & set(do)
    if not clash:
        return
    free = sorted(condition.scope() - set(do))
    states = [world.nodes[n].states for n in free]
    for combo in itertools.product(*states):
        if condition.evaluate({**do, **dict(zip(free, combo, strict=True))}):
            return
    scope = sorted(condition.scope())
    if not any(condition.evaluate(dict(zip(scope, combo, strict=True)))
               for combo in itertools.product(*(world.nodes[n].states for n in scope))):
        raise ZeroProbabilityCondition(
            f"the condition {condition!r} is impossible in any world (no assignment of {', '.join(scope)} satisfies it): "
            f"it has probability 0, so the conditional is undefined; the intervention is not at fault")
    names = ", ".join(sorted(clash))
    raise QueryError(
        f"the condition {condition!r} contradicts do({', '.join(f'{k}={v!r}' for k, v in do.items())}) on {names}: "
        f"in the intervened world {names} takes only the forced value, so this asks a rung-2 question with no answer. "
        f"You likely mean the counterfactual 'having observed {condition!r}, what if we set "
        f"{names}?', written observed(...) >> do(...) (docs/semantics.md)"
    )


def needed_nodes(world: World, scope: Iterable[str]) -> list[str]:
    """The nodes a query over `scope` depends on (the scope and its ancestors), topologically."""
    return list(needed(world, scope))


def node_tables(world: World, policy: Policy, nodes: Iterable[str]) -> dict[str, Table]:
    """Each node's table: chance nodes from the world, decisions from the policy's rules."""
    return {name: _entry(world, policy, name)["table"] for name in nodes}


def _entry(world: World, policy: Policy, name: str) -> dict:
    return rule_entry(world, policy, name) if world.nodes[name].is_decision else chance_entry(world, name)


def _query(world: World, target: Expr, condition: Expr | None, policy: Policy, *, indicator: bool,
           condition_world: World | None = None) -> Any:
    """E_π[target | condition] in `world`.

    With `condition_world` (a world in which the condition has the probability it has in `world`,
    such as a twin network's factual part), a numeric query contracts only E_π[target · 1_condition]
    in `world` and takes P_π(condition) from `condition_world`, once per policy and condition.
    """
    prepared = _prepared_query(world, target, condition, indicator)
    _, backend, factors = _network_factors(world, policy, prepared["scope"], prepared["flat"], prepared["class"])
    split = condition is not None and condition_world is not None and (backend is _FLOAT or backend is _EXACT)
    slots = ("numerator",) if split else tuple(prepared["slots"])
    query = prepared.get((backend.domain, slots))
    if query is None:
        query = stack([backend.array(prepared["slots"][slot], prepared["shape"]) for slot in slots])
        if backend.domain is None or backend.domain == QQ:
            prepared[(backend.domain, slots)] = query
    result = contract([*factors, Factor(("__slot__", *prepared["vars"]), query)], ("__slot__",), backend)
    if condition is None:
        return backend.output(result[0])
    if split:
        numerator, denominator = result[0], _condition_mass(condition_world, condition, policy, backend)
    else:
        numerator, denominator = result
    if backend.is_zero(denominator):
        raise ZeroProbabilityCondition(
            f"the condition {condition!r} has probability 0 under policy {policy}: "
            f"the conditional is undefined (nothing to average over)"
        )
    return backend.output(backend.divide(numerator, denominator))


def _condition_mass(world: World, condition: Expr, policy: Policy, backend: Backend) -> Any:
    """P_π(condition) in `world`, in the backend's representation, once per policy and backend."""
    key = ("condition mass", type(condition).__name__, condition._key(), repr(condition), backend.exact)
    cache = policy_entry(world, policy)
    try:
        found = cache.get(key)
    except TypeError:  # an unhashable constant inside the expression: no caching
        key, found = None, None
    if found is None:
        prepared = _prepared_query(world, condition, None, True)
        nodes = needed(world, prepared["scope"])
        factors = [_factor(_entry(world, policy, name), backend.exact) for name in nodes]
        query = backend.array(prepared["slots"]["value"], (1, *prepared["shape"]))
        found = contract([*factors, Factor(("__slot__", *prepared["vars"]), query)], ("__slot__",), backend)[0]
        if key is not None:
            cache[key] = found
    return found


def distribution(world: World, nodes: Iterable[str], policy: Any = None, *, given: Any = None,
                 do: Mapping[str, State] | None = None) -> dict[tuple[State, ...], Any]:
    """P_π(nodes = c | given) for every joint assignment c of `nodes`, in one contraction.

    Keys are state tuples in the order of `nodes` (the empty tuple for no nodes).  Raises
    ZeroProbabilityCondition when the condition has probability 0.
    """
    if world.compiled.continuous is not None:
        continuous = [n for n in nodes if n in world and world.nodes[n].is_continuous]
        if continuous:
            raise QueryError(f"{continuous[0]} is continuous: it has no table of states; ask P({continuous[0]} < c) "
                             f"or E({continuous[0]})")
        lowered, _, given = _integrated_out(world, None, given, do)
        return distribution(lowered, nodes, policy, given=given, do=do)
    mutilated = _mutilate(world, do)
    names = tuple(nodes)
    for name in names:
        if name not in mutilated:
            raise QueryError(f"{name!r} is not a node of world {mutilated.name!r}")
        if names.count(name) > 1:
            raise QueryError(f"the distribution of {list(names)} names {name} twice")
    condition = None if given is None else as_event(mutilated, given, "condition")
    _check_rung2(mutilated, condition, do)
    rules = as_policy(policy)
    cond_vars = tuple(n for n in mutilated.compiled.order if condition is not None and n in condition.scope())
    indicator = [sp.Integer(1 if condition.evaluate(dict(zip(cond_vars, combo, strict=True))) else 0)
                 for combo in itertools.product(*(mutilated.nodes[n].states for n in cond_vars))] if condition is not None else []
    _, backend, factors = _network_factors(mutilated, rules, {*names, *cond_vars}, [*indicator, sp.Integer(1)])
    if condition is not None:
        shape = tuple(len(mutilated.nodes[n].states) for n in cond_vars)
        factors.append(Factor(cond_vars, backend.array(indicator, shape)))
    combos = list(itertools.product(*(mutilated.nodes[n].states for n in names)))
    if not factors:
        return {combo: sp.Integer(1) for combo in combos}
    joint = contract(factors, names, backend)
    flat = backend.entries(joint)
    total = sum(flat[1:], flat[0])
    if backend.is_zero(total):
        raise ZeroProbabilityCondition(
            f"the condition {condition!r} has probability 0 under policy {rules}: "
            f"the distribution of {list(names)} given it is undefined"
        )
    if condition is None:
        return {combo: backend.output(v) for combo, v in zip(combos, flat, strict=True)}
    return {combo: backend.output(backend.divide(v, total)) for combo, v in zip(combos, flat, strict=True)}


def _prepared_query(world: World, target: Expr, condition: Expr | None, indicator: bool) -> dict:
    """The query's indicator/value slots over its scope, built once per (compiled world, query)."""
    key = ("query", type(target).__name__, target._key(), repr(target), indicator,
           None if condition is None else (type(condition).__name__, condition._key(), repr(condition)))
    cache = world.compiled.derived
    try:
        found = cache.get(key)
    except TypeError:  # an unhashable constant inside the expression: no caching
        key, found = None, None
    if found is not None:
        return found
    scope = target.scope() | (condition.scope() if condition is not None else frozenset())
    slots = _query_slots(world, target, condition, indicator)
    query_vars = tuple(n for n in world.compiled.order if n in scope)
    flat = [v for slot in slots.values() for v in slot]
    found = {"scope": frozenset(scope), "slots": slots, "flat": flat, "class": value_class(flat),
             "shape": tuple(len(world.nodes[v].states) for v in query_vars), "vars": query_vars}
    if key is not None:
        cache[key] = found
    return found


def _network_factors(world: World, policy: Policy, scope: Iterable[str], extra_values: list[Any],
                     extra_class: str | None = None) -> tuple[list[str], Backend, list[Factor]]:
    """The nodes a query over `scope` needs, the backend for them and `extra_values`, and their factors.

    When every number is rational or a float, the factors come from the compiled world's cache
    (built once per node, rule and backend); otherwise (parameters, irrational numbers) the tables
    are converted into the smallest sympy domain that holds them, for this query.
    """
    nodes = list(needed(world, scope))
    entries = {name: _entry(world, policy, name) for name in nodes}
    kind = join_classes([extra_class or value_class(extra_values), *(e["class"] for e in entries.values())])
    if kind != OTHER:
        exact = kind == RATIONAL and not world.compiled.floats
        backend = _FLOAT if not exact else _EXACT
        return nodes, backend, [_group_factor(world, group, entries, backend) for group in groups(world, scope)]
    entries = list(entries.values())
    values = [v for e in entries for v in e["flat"]] + extra_values
    backend = Backend.for_values(values, floats=world.compiled.floats)
    return nodes, backend, [Factor(e["variables"], _domain_array(e, backend)) for e in entries]


def _domain_array(entry: dict, backend: Backend) -> np.ndarray | Scaled:
    """The entry's table in the backend, kept with the entry per domain (a node's table in one domain is fixed)."""
    key = ("domain array", backend.domain)
    array = entry.get(key)
    if array is None:
        array = entry[key] = backend.array(entry["flat"], entry["shape"])
    return array


def _factor(entry: dict, exact: bool) -> Factor:
    return Factor(entry["variables"], node_array(entry, exact))


def _group_factor(world: World, group: tuple[str, ...], entries: Mapping[str, dict], backend: Backend) -> Factor:
    """The node's factor, or a group's (a shared root and a twin pair) with the root summed out, kept per backend."""
    if len(group) == 1:
        return _factor(entries[group[0]], backend.exact)
    key = ("group factor", group, backend.exact)
    cache = world.compiled.derived
    found = cache.get(key)
    if found is None:
        parts = [_factor(entries[name], backend.exact) for name in group]
        variables = tuple(dict.fromkeys(v for part in parts[1:] for v in part.variables if v != group[0]))
        found = Factor(variables, contract(parts, variables, backend))
        cache[key] = found
    return found


def _query_slots(world: World, target: Expr, condition: Expr | None, indicator: bool) -> dict[str, list[Any]]:
    scope = target.scope() | (condition.scope() if condition is not None else frozenset())
    names = [n for n in world.compiled.order if n in scope]
    numerator: list[Any] = []
    denominator: list[Any] = []
    for combo in itertools.product(*(world.nodes[n].states for n in names)):
        values = dict(zip(names, combo, strict=True))
        holds = True if condition is None else bool(condition.evaluate(values))
        raw = target.evaluate(values)
        if indicator:
            value = sp.Integer(1 if raw else 0)
        elif isinstance(raw, bool):
            value = sp.Integer(int(raw))
        elif isinstance(raw, str):
            raise StateError(f"the quantity {target!r} takes the state {raw!r} at {values}; E(...) needs numbers")
        else:
            value = to_number(raw, f"the quantity {target!r} at {values}")
        numerator.append(value if holds else sp.Integer(0))
        denominator.append(sp.Integer(1 if holds else 0))
    return {"numerator": numerator, "denominator": denominator} if condition is not None else {"value": numerator}


_PATHS: dict[tuple, Any] = {}  # contractions by structure: the same query on another policy or world reuses its plan
_PATHS_LIMIT = 4096


def contract(factors: list[Factor], output: tuple[str, ...], backend: Backend) -> np.ndarray:
    """Sum the product of the factors over every variable not in `output`.

    The contraction (opt_einsum's elimination order, compiled into a ContractExpression) is
    remembered per structure (operand shapes and index lists), so repeated queries of one shape
    (every query of a compiled world, every policy of a plan, every world of a hunt) neither search
    for an order nor parse the equation again.  Scaled tables follow the same order step by step
    (scaled.follow_path), each step bounded and reduced on its own.
    """
    index: dict[str, int] = {}
    arrays = []
    indices = []
    for factor in factors:
        arrays.append(factor.array)
        indices.append(tuple(index.setdefault(v, len(index)) for v in factor.variables))
    out = tuple(index.setdefault(v, len(index)) for v in output)
    key = (tuple((a.shape, i) for a, i in zip(arrays, indices, strict=True)), out)
    found = _PATHS.get(key)
    if found is None:
        import opt_einsum  # only when a new structure is met: `corrig check` may never need it at start-up

        letters = [opt_einsum.get_symbol(i) for i in range(len(index))]
        equation = ",".join("".join(letters[i] for i in ix) for ix in indices) + "->" + "".join(letters[i] for i in out)
        shapes = [a.shape for a in arrays]
        path, _ = opt_einsum.contract_path(equation, *shapes, shapes=True, optimize="auto")
        expression = opt_einsum.contract_expression(equation, *shapes, optimize=path)
        if len(_PATHS) >= _PATHS_LIMIT:
            _PATHS.clear()
        found = _PATHS[key] = (expression, path)
    expression, path = found
    if arrays and isinstance(arrays[0], Scaled):
        return follow_path(arrays, indices, out, path)
    return expression(*arrays, backend=backend.einsum_backend)


class Backend:
    """How numbers are stored and contracted: float64, Scaled tables for QQ, or exact elements of another sympy domain."""

    def __init__(self, domain: Any | None, names: Mapping[sp.Basic, sp.Dummy] | None = None):
        self.domain = domain
        self.names = dict(names or {})  # an opaque function value -> the generator standing for it in the domain
        self.back = {d: a for a, d in self.names.items()}

    @classmethod
    def for_values(cls, values: list[sp.Expr], *, floats: bool = False) -> Backend:
        """Floats when the world or any value holds a float (and none is symbolic); else the smallest exact domain."""
        distinct = frozenset(values)
        key = (distinct, floats)
        found = _BACKENDS.get(key)
        if found is None:
            symbolic = any(v.free_symbols for v in distinct)
            if not symbolic and (floats or any(is_float_valued(v) for v in distinct)):
                found = cls(None)
            else:
                found = cls._exact(list(distinct))
            if len(_BACKENDS) >= _PATHS_LIMIT:
                _BACKENDS.clear()
            _BACKENDS[key] = found
        return found

    @classmethod
    def _exact(cls, values: list[sp.Expr]) -> Backend:
        """The smallest exact domain holding the values; where that is sympy's expression domain (whose every
        product is a `cancel`) because the values hold Phi, phi, sigmoid or quadratures, a rational function field
        in the parameters and those values as generators: each is an opaque real number, with no algebraic
        relation sympy would apply to it (Phi(-x) = 1 - Phi(x) holds as the values are built), as `cancel`
        treats it."""
        atoms = set().union(*(v.atoms(*OPAQUE) for v in values))
        if atoms:
            names = {a: sp.Dummy(f"g{i}") for i, a in enumerate(sorted(atoms, key=sp.default_sort_key))}
            field = construct_domain([v.xreplace(names) for v in values], field=True)[0]
            if not field.is_EX:
                return cls(field, names)
        return cls(construct_domain(values, field=True)[0])

    @property
    def exact(self) -> bool:
        """True for the exact backend."""
        return self.domain is not None

    @property
    def einsum_backend(self) -> str:
        """The opt_einsum backend that contracts this representation."""
        return "object" if self.exact else "numpy"

    def array(self, values: list[sp.Expr], shape: tuple[int, ...]) -> np.ndarray | Scaled:
        """A table of the given shape holding `values` in this representation (rationals: Scaled)."""
        if self.domain == QQ:
            return Scaled.of([self.domain.from_sympy(v) for v in values], shape)
        return self.objects(values, shape)

    def objects(self, values: list[sp.Expr], shape: tuple[int, ...]) -> np.ndarray:
        """An array of the given shape holding `values` as floats or as elements of the domain, one by one."""
        if not self.exact:
            return np.array([to_float(v) for v in values], dtype=np.float64).reshape(shape)
        converted = np.empty(len(values), dtype=object)
        converted[:] = [self.element(v) for v in values]
        return converted.reshape(shape)

    def element(self, value: sp.Expr) -> Any:
        """The sympy number or expression as an element of the (exact) domain, converted once per domain."""
        key = (self.domain, value)
        found = _ELEMENTS.get(key)
        if found is None:
            if len(_ELEMENTS) >= _ELEMENTS_LIMIT:
                _ELEMENTS.clear()
            found = _ELEMENTS[key] = self.domain.from_sympy(value.xreplace(self.names) if self.names else value)
        return found

    def entries(self, table: np.ndarray | Scaled) -> list[Any]:
        """The table's entries, flat, as floats or domain elements."""
        if isinstance(table, Scaled):
            return [self.domain(int(n), table.denominator) for n in table.numerators.reshape(-1)]
        return list(np.asarray(table, dtype=object if self.exact else np.float64).reshape(-1))

    def is_zero(self, value: Any) -> bool:
        """True when the value is exactly zero (for floats: exactly 0.0)."""
        if isinstance(value, Scaled):
            return not value.numerators.any()
        return value == 0 if not self.exact else self.domain.is_zero(value)

    def divide(self, numerator: Any, denominator: Any) -> Any:
        """numerator / denominator."""
        if not self.exact:
            return numerator / denominator
        return self.domain.quo(self._element(numerator), self._element(denominator))

    def output(self, value: Any) -> Any:
        """A float, or a sympy number or expression."""
        if not self.exact:
            return float(value)
        return self.to_sympy(self._element(value))

    def to_sympy(self, element: Any) -> sp.Expr:
        """A domain element as a sympy number or expression."""
        value = self.domain.to_sympy(element)
        return value.xreplace(self.back) if self.back else value

    def _element(self, value: Any) -> Any:
        """A one-entry Scaled table as a domain element; a domain element as it is."""
        return self.domain(*value.rational()) if isinstance(value, Scaled) else value


OPAQUE = (Phi, phi, sigmoid, Quadrature)  # values the exact domain holds as generators
_FLOAT = Backend(None)
_EXACT = Backend(QQ)
# the domain of a set of values, and a value's element in a domain: pure functions of immutable sympy objects,
# remembered because every query of a symbolic world and of the worlds derived from it (twin networks, applied
# rules, variants) meets the same tables
_BACKENDS: dict[tuple[frozenset, bool], Backend] = {}
_ELEMENTS: dict[tuple[Any, sp.Expr], Any] = {}
_ELEMENTS_LIMIT = 65536
