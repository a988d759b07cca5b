"""Integrating continuous nodes out: a world with continuous nodes as an exact discrete world.

A continuous node U with discrete parents pa(U) is read by discrete nodes (its *readers*) and by the
quantities and events of the queries.  Every comparison of U among them is a threshold; the thresholds
cut U's support into cells (corrig.model.pieces), on each of which every reader's choice probability is
a constant or one link term c0 + c1·L(a·U + b).  The discrete world keeps every node and edge and gives
U finitely many states:

- a *state* of U is a cell, together with (when some reader's choice varies with U on that cell) the
  choice each such reader makes in each context of its other parents — its *profile*;
- P(U = state | pa) = ∫_cell density(u | pa) · Π_profile P(reader = choice | u, context) du, exactly
  (corrig.inference.integrals), the last profile of a cell taking the cell's remaining mass;
- a reader is a function of U's state and its other parents: the constant row on a cell where it does
  not vary, else the choice its profile names.

Given U's state and pa(U), U is independent of every other node (its readers depend on it only through
the state), so a quantity g(U, X) has E[g | everything] = E[g(U, X) | U's state, pa(U)], the integral of
g against the cell's weighted density divided by the state's probability.  `Lowering.expr` rewrites an
expression into one that the discrete engine evaluates on assignments exactly so: an event on U is
decided by the cell (the cells refine every threshold the query names), a quantity is integrated.
Nothing is approximated: the discrete world's joint distribution over the discrete nodes is the
continuous world's, and each value a query computes is the integral it stands for.

The readers' choices in different contexts are independent given U (a product coupling): that is
exact for every factual and interventional query; a counterfactual that would couple a reader's two
copies, or duplicate a continuous node, is refused by corrig.inference.counterfactual.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp

from corrig.inference.integrals import integral
from corrig.model import limits
from corrig.model.continuous import ContinuousPart, Reader, symbolic_value, value_symbol
from corrig.model.errors import QueryError
from corrig.model.expr import Expr, State, not_an_event
from corrig.model.pieces import LINK_TYPES, Partition, link_term, relations, threshold

if TYPE_CHECKING:
    from corrig.model.world import World

Profile = tuple[tuple[tuple[str, tuple], State], ...]  # ((reader, context), choice) pairs
MAX_MOMENT = 8  # the highest power of a continuous node a quantity may integrate


def is_continuous(world: World) -> bool:
    """True for a world with continuous nodes."""
    return world.compiled.continuous is not None


@dataclass(frozen=True)
class CellState:
    """One state of a continuous node in the discrete world: a cell and the readers' choices on it."""

    label: str
    cell: int
    low: sp.Expr
    high: sp.Expr
    profile: Profile


@dataclass
class Lowering:
    """A continuous world integrated out for a set of expressions: the discrete world and how to read them."""

    world: World
    source: World
    partitions: dict[str, Partition]
    states: dict[str, dict[str, CellState]]
    probabilities: dict[str, dict[tuple, dict[str, sp.Expr]]]  # node -> pa context -> state label -> P
    _moments: dict[tuple, sp.Expr] = field(default_factory=dict)
    _values: dict[tuple, Any] = field(default_factory=dict)

    @property
    def part(self) -> ContinuousPart:
        """The source world's continuous nodes and readers."""
        return self.source.compiled.continuous  # type: ignore[return-value]

    def expr(self, expr: Expr) -> Expr:
        """The expression as the discrete world reads it (unchanged when it reads no continuous node)."""
        read = expr.scope() & set(self.part.nodes)
        if not read:
            return expr
        return Lowered(expr, self, frozenset(read))

    def value(self, expr: Expr, read: frozenset[str], values: Mapping[str, Any]) -> Any:
        """The expression's value given the discrete states: an event decided by the cells, a quantity integrated."""
        key = (expr._key(), tuple(sorted((k, repr(v)) for k, v in values.items())))
        found = self._values.get(key)
        if found is not None:
            return found
        raw = symbolic_value(expr, values, read)
        symbols = {name: value_symbol(name) for name in read}
        for name in read:
            state = self.states[name][values[name]]
            raw = self.partitions[name].decide(raw, state.cell, symbols[name])
        if isinstance(raw, bool | str) or not isinstance(raw, sp.Basic) or not raw.free_symbols & set(symbols.values()):
            result = sp.true if raw is sp.true else sp.false if raw is sp.false else raw
            result = bool(result) if isinstance(result, sp.logic.boolalg.BooleanAtom) else result
        else:
            result = self._integrated(expr, raw, symbols, values)
        self._values[key] = result
        return result

    def _integrated(self, expr: Expr, raw: sp.Expr, symbols: Mapping[str, sp.Symbol], values: Mapping[str, Any]) -> Any:
        if isinstance(raw, sp.logic.boolalg.Boolean) and not isinstance(raw, sp.Expr):
            raise QueryError(f"{expr!r} is not decided on a cell of {sorted(symbols)}")
        expanded = sp.expand(raw)
        gens = list(symbols.values())
        if not expanded.is_polynomial(*gens):
            raise QueryError(f"{expr!r} is {raw} on an interval of {', '.join(sorted(symbols))}: E(...) integrates "
                             f"polynomials in continuous nodes (and comparisons of them)")
        poly = sp.Poly(expanded, *gens)
        if max(poly.degree(g) for g in gens) > MAX_MOMENT:
            raise QueryError(f"{expr!r} is a polynomial of degree {max(poly.degree(g) for g in gens)} in "
                             f"{', '.join(sorted(symbols))}: corrig integrates powers of a continuous node up to "
                             f"{MAX_MOMENT}")
        total = sp.S.Zero
        for powers, coefficient in poly.terms():
            term = coefficient
            for name, k in zip(symbols, powers, strict=True):
                if k:
                    term = term * self.moment(name, values[name], self._context(name, values), k)
            total += term
        return total

    def _context(self, name: str, values: Mapping[str, Any]) -> tuple:
        return tuple(values[p] for p in self.source.nodes[name].parents)

    def moment(self, name: str, label: str, context: tuple, k: int) -> sp.Expr:
        """E[U^k | U's state, pa(U) = context]."""
        key = (name, label, context, k)
        found = self._moments.get(key)
        if found is None:
            probability = self.probabilities[name][context][label]
            if probability == 0:
                found = sp.S.Zero
            else:
                state = self.states[name][label]
                u = value_symbol(name)
                weight = _weight(self.part, state.profile, self.partitions[name], state.cell, u)
                distribution = self.part.nodes[name][context]
                found = integral(distribution, state.low, state.high, u ** k * weight, u) / probability
            self._moments[key] = found
        return found


class Lowered(Expr):
    """An expression over continuous nodes as the discrete world reads it (its repr is the original's)."""

    __slots__ = ("_scope", "is_event", "lowering", "original", "read")

    def __init__(self, original: Expr, lowering: Lowering, read: frozenset[str]):
        parents = {p for name in read for p in lowering.source.nodes[name].parents}
        for key, value in (("original", original), ("lowering", lowering), ("read", read),
                           ("_scope", original.scope() | parents), ("is_event", not_an_event(original) is None)):
            object.__setattr__(self, key, value)

    def scope(self) -> frozenset[str]:
        return self._scope

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return self.lowering.value(self.original, self.read, values)

    def renamed(self, mapping: Mapping[str, str]) -> Expr:
        moved = [n for n in self.read | {p for n in self.read for p in self.lowering.source.nodes[n].parents}
                 if mapping.get(n, n) != n]
        if moved:
            raise QueryError(f"{self.original!r}: the continuous node {sorted(self.read)[0]} would be copied "
                             f"({moved[0]} is downstream of the intervention); corrig shares continuous roots only")
        return Lowered(self.original.renamed(mapping), self.lowering, self.read)

    def to_latex(self) -> str:
        return self.original.to_latex()

    def _key(self) -> tuple:
        return ("lowered", id(self.lowering), type(self.original).__name__, self.original._key())

    def __repr__(self) -> str:
        return repr(self.original)


def random_readers(part: ContinuousPart) -> set[str]:
    """The readers whose choice is random given their continuous parent somewhere (not a function of it)."""
    def random(value: sp.Expr) -> bool:
        folded = sp.piecewise_fold(value)
        pieces = [e for e, _ in folded.args] if isinstance(folded, sp.Piecewise) else [folded]
        return any(p.atoms(*LINK_TYPES) or p not in (sp.S.Zero, sp.S.One) for p in pieces)

    return {name for name, reader in part.readers.items()
            if any(random(value) for row in reader.rows.values() for value in row.values())}


def _weight(part: ContinuousPart, profile: Profile, partition: Partition, cell: int, u: sp.Symbol) -> sp.Expr:
    """Π over the profile of P(reader = choice | u, context) on the cell."""
    weight = sp.S.One
    for (reader, context), choice in profile:
        row = part.readers[reader].rows[context]
        weight *= partition.decide(row.get(choice, sp.S.Zero), cell, u)
    return weight


# building the discrete world -------------------------------------------------------------------
def discretize(world: World, exprs: Iterable[Expr | None] = ()) -> Lowering:
    """The world with its continuous nodes integrated out, its cells refined at every threshold of `exprs`."""
    part = world.compiled.continuous
    if part is None:
        raise QueryError(f"world {world.name!r} has no continuous node")
    points: dict[str, set[sp.Expr]] = {name: set() for name in part.nodes}
    for reader in part.readers.values():
        u = value_symbol(reader.source)
        for row in reader.rows.values():
            points[reader.source] |= {threshold(r, u, f"node {reader.name}").at for v in row.values()
                                      for r in relations(v) if u in r.free_symbols}
    for expr in exprs:
        if expr is not None:
            for name, found in _expression_thresholds(world, expr, part).items():
                points[name] |= found
    key = ("discretized", tuple(sorted((n, frozenset(p)) for n, p in points.items())))
    cache = world.compiled.derived
    lowering = cache.get(key)
    if lowering is None:
        lowering = _build(world, part, points)
        cache[key] = lowering
    return lowering


def _expression_thresholds(world: World, expr: Expr, part: ContinuousPart) -> dict[str, set[sp.Expr]]:
    """The thresholds an expression's comparisons put on each continuous node, over every discrete assignment."""
    read = frozenset(expr.scope() & set(part.nodes))
    if not read:
        return {}
    discrete = sorted(expr.scope() - read)
    found: dict[str, set[sp.Expr]] = {name: set() for name in read}
    symbols = {value_symbol(n): n for n in read}
    for combo in itertools.product(*(world.nodes[n].states for n in discrete)):
        value = symbolic_value(expr, dict(zip(discrete, combo, strict=True)), read)
        for relation in relations(value) if isinstance(value, sp.Basic) else []:
            reading = [symbols[s] for s in relation.free_symbols if s in symbols]
            if len(reading) != 1:
                if not reading:
                    continue
                raise QueryError(f"{expr!r} compares {' and '.join(sorted(reading))}: a comparison may read one "
                                 f"continuous node")
            found[reading[0]].add(threshold(relation, value_symbol(reading[0]), repr(expr)).at)
    return found


def _build(world: World, part: ContinuousPart, points: Mapping[str, set[sp.Expr]]) -> Lowering:
    discrete = world.copy(name=world.name)
    discrete._integrated = True  # the tables below are exact integrals, distributions by construction
    partitions: dict[str, Partition] = {}
    states: dict[str, dict[str, CellState]] = {}
    probabilities: dict[str, dict[tuple, dict[str, sp.Expr]]] = {}
    for name, table in part.nodes.items():
        supports = [end for d in table.values() for end in d.support()]
        finite = [e for e in supports if e not in (sp.oo, -sp.oo)]
        partition = Partition.of(name, (sp.S.NegativeInfinity, sp.S.Infinity), [*finite, *points[name]])
        partitions[name] = partition
        readers = [r for r in part.readers.values() if r.source == name]
        states[name] = _cell_states(name, partition, readers)
        probabilities[name] = {ctx: _state_probabilities(name, d, partition, states[name], part)
                               for ctx, d in table.items()}
        node = world.nodes[name]
        rows = {ctx: dict(p) for ctx, p in probabilities[name].items()}
        discrete.replace(name, rows if node.parents else rows[()], parents=node.parents, states=list(states[name]))
    for reader in part.readers.values():
        node = world.nodes[reader.name]
        rows = _reader_table(reader, node.parents, node.states, partitions[reader.source], states[reader.source])
        discrete.replace(reader.name, rows, parents=node.parents, states=node.states)
    return Lowering(discrete, world, partitions, states, probabilities)


def _cell_states(name: str, partition: Partition, readers: list[Reader]) -> dict[str, CellState]:
    """Each cell's states: one per combination of the choices of the readers that vary with U on it."""
    u = value_symbol(name)
    out: dict[str, CellState] = {}
    for cell, low, high in partition.cells():
        varying = []
        for reader in readers:
            for context, row in reader.rows.items():
                decided = {s: partition.decide(v, cell, u) for s, v in row.items()}
                if any(link_term(v, u, f"node {reader.name}")[1] != 0 for v in decided.values()):
                    varying.append(((reader.name, context), [s for s, v in decided.items() if v != 0]))
        choices = list(itertools.product(*(c for _, c in varying)))
        limits.check_states(name, len(out) + len(choices))
        for combo in choices:
            profile = tuple((key, choice) for (key, _), choice in zip(varying, combo, strict=True))
            label = _label(name, low, high, profile)
            out[label] = CellState(label, cell, low, high, profile)
    return out


def _label(name: str, low: sp.Expr, high: sp.Expr, profile: Profile) -> str:
    if low is sp.S.NegativeInfinity and high is sp.S.Infinity:
        text = f"any {name}"
    elif low is sp.S.NegativeInfinity:
        text = f"{name}<{high}"
    elif high is sp.S.Infinity:
        text = f"{name}>={low}"
    else:
        text = f"{low}<={name}<{high}"
    for (reader, context), choice in profile:
        text += f", {reader}={choice}" + (f" at {context}" if context else "")
    return text


def _state_probabilities(name: str, distribution: Any, partition: Partition, states: Mapping[str, CellState],
                         part: ContinuousPart) -> dict[str, sp.Expr]:
    """P(state | this context's distribution): zero off the support, the cell's last profile its remainder."""
    u = value_symbol(name)
    low_end, high_end = distribution.support()
    first, last = (_bound_index(partition, low_end), _bound_index(partition, high_end))
    out: dict[str, sp.Expr] = {}
    by_cell: dict[int, list[CellState]] = {}
    for state in states.values():
        by_cell.setdefault(state.cell, []).append(state)
    for cell, group in by_cell.items():
        if cell < first or cell >= last:
            out.update({s.label: sp.S.Zero for s in group})
            continue
        low, high = group[0].low, group[0].high
        total = integral(distribution, low, high, sp.S.One, u)
        for state in group[:-1]:
            out[state.label] = integral(distribution, low, high, _weight(part, state.profile, partition, cell, u), u)
        out[group[-1].label] = total - sum((out[s.label] for s in group[:-1]), sp.S.Zero)
    return out


def _bound_index(partition: Partition, end: sp.Expr) -> int:
    bounds = partition.bounds
    for i, b in enumerate(bounds):
        if b == end:
            return i
    for i, b in enumerate(bounds[1:-1], start=1):
        if sp.simplify(b - end) == 0:
            return i
    raise QueryError(f"{end} is not a cut of {partition.node}")


def _reader_table(reader: Reader, parents: tuple[str, ...], node_states: tuple[State, ...], partition: Partition,
                  states: Mapping[str, CellState]) -> dict[tuple, dict[State, sp.Expr]]:
    """The reader given U's state and its other parents: the cell's constant row, or the profile's choice."""
    u = value_symbol(reader.source)
    table: dict[tuple, dict[State, sp.Expr]] = {}
    for label, state in states.items():
        chosen = dict(state.profile)
        for context, row in reader.rows.items():
            values = dict(zip(reader.others, context, strict=True))
            values[reader.source] = label
            key = tuple(values[p] for p in parents)
            if (reader.name, context) in chosen:
                table[key] = {chosen[(reader.name, context)]: sp.S.One}
            else:
                table[key] = {s: partition.decide(v, state.cell, u) for s, v in row.items()}
    return table
