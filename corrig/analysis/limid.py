"""Exact joint optimisation of decision rules that rely on each other (a cyclic relevance component).

The method is variable elimination over *sets* of potentials with Pareto pruning, after Mauá, de
Campos & Zaffalon, "Solving limited memory influence diagrams" (JAIR 44, 2012).  Each factor is a
set of (table, partial strategy) pairs: a chance node's CPD or a fixed rule is a one-element set,
a decision of the component the set of its pure rules (as 0/1 tables).  Eliminating a variable
multiplies the sets in its bucket (every combination of their elements), sums the variable out of
each product and keeps only the Pareto-maximal tables: a table that is below another everywhere
can only lead to a smaller expected utility, since every later operation (multiplying by
non-negative tables, summing) is monotone.  After the last variable every table is a number, the
expected utility of the partial strategy it carries; the largest wins.  The answer is exact (the
same optimum as enumerating every joint rule) while the sets stay far smaller than the strategy
space on time-unrolled problems.

Tables are Jensen's pairs (probability part, utility part), so the additive pieces of the objective
need no extra index; each piece's utilities are shifted to be non-negative (a constant per piece
does not move the argmax).  When some pieces run in a do() branch, a selector index over the
pieces is added: piece i's utility lives in slice i, and each intervened node holds the
do-indicator in the slices of the pieces that set it.

A set's elements are stacked into one table; exact tables are corrig.inference.scaled.Scaled, so
the elements of a set share one denominator and Pareto pruning compares integer numerators.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from corrig.inference.scaled import INT64_MAX, Scaled, Table, broadcast_to, einsum, stack
from corrig.model.errors import CorrigError
from corrig.model.expr import State

if TYPE_CHECKING:
    from corrig.analysis.contractor import _Contractor
    from corrig.analysis.linear_pieces import Piece

SELECTOR = "__piece__"
SET_LIMIT = 8_000_000  # float table entries the whole elimination may build before the method gives up
EXACT_SHARE = 4  # an exact entry (an int64 numerator, a Python int past 2**63) costs about this many floats
CONTRACTION_COST = 4096  # table entries one enumerated joint rule costs (its contractions, one per branch, in Python)


class LimidTooLarge(CorrigError):
    """The sets of partial strategies grew beyond SET_LIMIT table entries in all."""


Labels = tuple[tuple[str, int], ...]  # the partial strategy of an element: ((decision, rule index), ...)
SetFactor = tuple[tuple[str, ...], Table, list[Labels]]  # (variables, the elements' pair tables stacked, their labels)


def joint_optimum(engine: _Contractor, group: tuple[str, ...], rules: Mapping[str, Mapping[tuple, State]],
                  relevant: Mapping[tuple, list[Piece]]) -> tuple[dict[str, dict[tuple, State]], int]:
    """The group's jointly optimal pure rules (the other decisions following `rules`, or summed out
    uniformly when they have none yet) and how many table entries were built.

    Every table is a pair (probability part φ, utility part ψ) stacked on a leading axis of two
    (Jensen's potentials): combining multiplies the φs and gives ψ = φ₁ψ₂ + ψ₁φ₂, summing out sums
    both, and the last ψ is the expected utility.
    """
    world = engine.world
    pieces = [(do, piece) for do, ps in relevant.items() for piece in ps]
    candidates: dict[str, list[dict[tuple, State]]] = {}
    for d in group:
        node = world.nodes[d]
        contexts = list(itertools.product(*(world.nodes[p].states for p in node.parents)))
        candidates[d] = [dict(zip(contexts, choice, strict=True))
                         for choice in itertools.product(node.states, repeat=len(contexts))]
    if not pieces:
        return {d: candidates[d][0] for d in group}, 0
    exact = engine.backend.exact
    scopes: set[str] = set()
    for do, ps in relevant.items():
        scopes |= set(engine.dags[do].needed({n for p in ps for n in p.scope}))
    nodes = [n for n in world.compiled.order if n in scopes]
    selector = any(name in dict(do) for name in nodes for do, _ in pieces)
    sets: list[SetFactor] = []
    for name in nodes:
        node = world.nodes[name]
        if node.is_decision and name in group:
            tables = [_probability(engine, engine.rule_factor(name, rule).array) for rule in candidates[name]]
            sets.append(((*node.parents, name), stack(tables), [((name, i),) for i in range(len(tables))]))
        elif node.is_decision:
            factor = engine.rule_factor(name, rules[name]) if name in rules else engine.ones(name)
            sets.append((factor.variables, stack([_probability(engine, factor.array)]), [()]))
        else:
            scope, array = _chance(engine, name, pieces)
            sets.append((scope, stack([_probability(engine, array)]), [()]))
    sets.extend(_utility_sets(engine, pieces, selector))
    rank = dict(engine.rank)
    variables = {v for scope, _, _ in sets for v in scope}
    order = sorted(variables, key=lambda v: rank.get(v, -1), reverse=True)  # latest first, the selector last
    budget = SET_LIMIT // EXACT_SHARE if exact else SET_LIMIT
    joint = 1
    for d in group:
        joint *= len(candidates[d])
    per_evaluation = sum(tables[0].size for _, tables, _ in sets)
    budget = min(budget, joint * (per_evaluation + CONTRACTION_COST))  # never more than enumerating them would take
    built = 0
    for v in order:
        bucket = [s for s in sets if v in s[0]]
        sets = [s for s in sets if v not in s[0]]
        scope, tables, labels, count = _combine(bucket, v, exact, budget - built)
        built += count
        sets.append((scope, tables, labels))
    _, total, labels, count = _combine(sets, None, exact, budget - built)
    built += count
    chosen = dict(labels[int(total[:, 1].argmax())])  # the largest expected utility, the first of ties
    return {d: candidates[d][chosen[d]] if d in chosen else candidates[d][0] for d in group}, built


def _probability(engine: _Contractor, array: Table) -> Table:
    """(φ, ψ) = (array, 0)."""
    return stack([array, engine.filled(engine.zero, array.shape)])


def _chance(engine: _Contractor, name: str, pieces: list[tuple[tuple, Piece]]) -> tuple[tuple[str, ...], Table]:
    """The node's CPD; with the selector index when some piece's do() sets it (its slice the do-indicator)."""
    base = engine.chance_factor(name, {})
    if all(name not in dict(do) for do, _ in pieces):
        return base.variables, base.array
    slices = []
    for do, _ in pieces:
        factor = engine.chance_factor(name, dict(do)) if name in dict(do) else base
        array = factor.array
        if factor.variables != base.variables:  # the do-indicator over `name` alone: broadcast over the parents
            array = broadcast_to(array, base.array.shape)
        slices.append(array)
    return (*base.variables, SELECTOR), stack(slices, axis=-1)


def _utility_sets(engine: _Contractor, pieces: list[tuple[tuple, Piece]], selector: bool) -> list[SetFactor]:
    """Each piece as (φ = 1, ψ = its values shifted to be non-negative); with the selector, ψ lives in its slice."""
    world = engine.world
    k = len(pieces)
    out: list[SetFactor] = []
    for i, (_, piece) in enumerate(pieces):
        shape = tuple(len(world.nodes[n].states) for n in piece.scope)
        values = engine.array(list(piece.values), shape)
        low = values.min() if values.size else None
        if low is not None and (low.numerators if isinstance(low, Scaled) else low) < 0:
            values = values - low  # a constant per piece: the argmax does not move
        if not selector:
            pair = stack([engine.filled(engine.one, shape), values])
            out.append((piece.scope, stack([pair]), [()]))
            continue
        zero = engine.filled(engine.zero, shape)
        utility = stack([values if j == i else zero for j in range(k)], axis=-1)  # ψ in slice i only
        pair = stack([engine.filled(engine.one, (*shape, k)), utility])
        out.append(((*piece.scope, SELECTOR), stack([pair]), [()]))
    return out


def _combine(bucket: list[SetFactor], v: str | None, exact: bool,
             budget: int) -> tuple[tuple[str, ...], Table, list[Labels], int]:
    """Every product of one element per set, `v` summed out (None: nothing), Pareto-pruned; the table
    entries built are counted and may not exceed `budget` (LimidTooLarge).

    The sets are combined two at a time, pruning in between (sound: every later step is monotone);
    each step is a few batched einsums over every pair of elements.
    """
    scope = tuple(dict.fromkeys(u for s, _, _ in bucket for u in s if u != v))
    letters: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for s, tables, _ in bucket:
        for axis, u in enumerate(s):
            letters.setdefault(u, len(letters))
            sizes[u] = tables.shape[axis + 2]
    batch_a, batch_b = len(letters), len(letters) + 1
    partial = sorted(bucket, key=lambda s: len(s[2]))
    current_scope, current, labels = partial[0]
    built = 0
    for other_scope, other, other_labels in partial[1:]:
        joined = tuple(dict.fromkeys((*current_scope, *other_scope)))
        size = 2 * len(labels) * len(other_labels)
        for u in joined:
            size *= sizes[u]
        if built + size > budget:
            raise LimidTooLarge(f"eliminating {v} would build more than {budget} table entries in all")
        spec_a = [batch_a, *(letters[u] for u in current_scope)]
        spec_b = [batch_b, *(letters[u] for u in other_scope)]
        out = [batch_a, batch_b, *(letters[u] for u in joined)]
        phi = einsum(current[:, 0], spec_a, other[:, 0], spec_b, out)
        psi = einsum(current[:, 0], spec_a, other[:, 1], spec_b, out) + \
            einsum(current[:, 1], spec_a, other[:, 0], spec_b, out)
        product = stack([phi, psi], axis=2)
        product = product.reshape(-1, *product.shape[2:])
        pairs = [la + lb for la in labels for lb in other_labels]
        built += size
        keep = _pareto(product, exact)
        current, labels, current_scope = product[keep], [pairs[i] for i in keep], joined
    if v is not None:
        pair_axis = len(letters) + 2
        current = einsum(current, [batch_a, pair_axis, *(letters[u] for u in current_scope)],
                         [batch_a, pair_axis, *(letters[u] for u in scope)])
    keep = _pareto(current, exact)
    return scope, current[keep], [labels[i] for i in keep], built


def _pareto(tables: Table, exact: bool) -> list[int]:
    """Indices (along the first axis) of the Pareto-maximal tables, one of each group of equal ones.

    Tables are visited by decreasing sum, so a table is met after every table that dominates it; a
    scaled stack (one denominator) is compared exactly by its numerators, its sums as Python ints when
    int64 could overflow.
    """
    m = tables.shape[0]
    if m <= 1:
        return list(range(m))
    objects = False  # exact sympy-domain elements: compared exactly after a float pre-filter
    if isinstance(tables, Scaled):
        flat = approx = tables.numerators.reshape(m, -1)
        wide = flat.dtype == object or tables.top() * flat.shape[1] > INT64_MAX
        sums = flat.astype(object).sum(axis=1) if wide else flat.sum(axis=1)
    else:
        flat = tables.reshape(m, -1)
        approx = flat.astype(float)
        sums = approx.sum(axis=1)
        objects = exact
    order = np.argsort(-sums, kind="stable")
    kept: list[int] = []
    rows = np.empty_like(approx)
    for i in order:
        row = approx[i]
        if kept:
            if objects:
                close = np.flatnonzero((rows[:len(kept)] >= row - 1e-9 * (1 + np.abs(row))).all(axis=1))
                if any((flat[kept[j]] >= flat[i]).all() for j in close):
                    continue
            elif (rows[:len(kept)] >= row).all(axis=1).any():
                continue
        rows[len(kept)] = row
        kept.append(i)
    return sorted(kept)
