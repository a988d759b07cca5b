"""Exact rational tables as integer numerators over one common denominator.

A `Scaled` table stands for `numerators / denominator`: the numerators are an int64 array when
every one of them fits in 64 bits, otherwise an object array of Python ints; the denominator is a
positive Python int shared by every entry.  Contracting scaled tables multiplies their
denominators and contracts their numerators, in int64 when a bound on every product and partial
sum the contraction can form (the product of the operands' largest |numerator|, times the number
of terms summed into one entry) is below 2**63, as Python ints otherwise; a result whose numerators
reach 2**31 is divided by the gcd of its numerators and denominator, and kept in int64 whenever it
fits.  Nothing is rounded: the rationals are read back only at the end (`rational`).

Entries of one table compare exactly by their numerators (`argmax`, and limid's Pareto pruning
of a stack of tables).  Functions taking `Table` accept a plain numpy array as well (float64, or
objects of an exact sympy domain) and then do what numpy does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

INT64_MAX = 2**63 - 1
SMALL = 2**31  # numerators below this are not reduced by their gcd


class Scaled:
    """numerators / denominator, entry by entry (see the module docstring)."""

    __slots__ = ("_top", "denominator", "numerators")

    def __init__(self, numerators: np.ndarray, denominator: int = 1, top: int | None = None):
        self.numerators = numerators
        self.denominator = denominator
        self._top = top  # the largest |numerator|, or a bound on it; computed when first needed

    @classmethod
    def of(cls, values: Iterable[Any], shape: tuple[int, ...]) -> Scaled:
        """The rationals `values` (sympy Rationals, Fractions, gmpy2 mpq or ints) as a table of `shape`."""
        pairs = [(int(v.numerator), int(v.denominator)) for v in values]
        denominator = math.lcm(*(q for _, q in pairs)) if pairs else 1
        numerators = [p * (denominator // q) for p, q in pairs]
        return _normal(_array(numerators, shape), denominator)

    @property
    def shape(self) -> tuple[int, ...]:
        """The table's shape."""
        return self.numerators.shape

    @property
    def size(self) -> int:
        """The number of entries."""
        return self.numerators.size

    def top(self) -> int:
        """The largest |numerator| or a bound on it (a part of a table inherits the whole's)."""
        if self._top is None:
            self._top = _top(self.numerators)
        return self._top

    def __getitem__(self, key: Any) -> Scaled:
        return Scaled(np.asarray(self.numerators[key]), self.denominator, self._top)

    def reshape(self, *shape: Any) -> Scaled:
        """The same entries in another shape."""
        return Scaled(self.numerators.reshape(*shape), self.denominator, self._top)

    def min(self) -> Scaled:
        """The smallest entry, as a 0-dimensional table."""
        return Scaled(np.asarray(self.numerators.min()), self.denominator)

    def argmax(self, axis: int | None = None) -> Any:
        """The index of the largest entry along `axis` (all entries when None), the first of ties."""
        return self.numerators.argmax(axis=axis)

    def __add__(self, other: Scaled) -> Scaled:
        return _linear(self, other, 1)

    def __sub__(self, other: Scaled) -> Scaled:
        return _linear(self, other, -1)

    def rational(self) -> tuple[int, int]:
        """A 0-dimensional (or one-entry) table's value as (numerator, denominator), in lowest terms."""
        p = int(self.numerators.reshape(-1)[0])
        g = math.gcd(p, self.denominator)
        return p // g, self.denominator // g

    def __repr__(self) -> str:
        return f"Scaled({self.numerators!r}, {self.denominator})"


Table = np.ndarray | Scaled


def _top(numerators: np.ndarray) -> int:
    if numerators.size == 0:
        return 0
    if numerators.dtype == object:
        return max(abs(int(v)) for v in numerators.reshape(-1))
    return int(np.abs(numerators).max())  # int64 tables never hold -2**63


def _array(numerators: list[int], shape: tuple[int, ...]) -> np.ndarray:
    """Python ints as an int64 array when they all fit, else as an object array."""
    if all(-INT64_MAX <= n <= INT64_MAX for n in numerators):
        return np.array(numerators, dtype=np.int64).reshape(shape)
    out = np.empty(len(numerators), dtype=object)
    out[:] = numerators
    return out.reshape(shape)


def _normal(numerators: np.ndarray, denominator: int) -> Scaled:
    """numerators / denominator, in int64 when the numerators fit; in lowest common terms unless every
    numerator is below 2**31 already (the gcd would cost more than it saves)."""
    if numerators.size == 0:
        return Scaled(numerators, 1)
    top = _top(numerators)
    if denominator == 1 or top < SMALL:
        g = 1
    elif numerators.dtype == object:
        g = math.gcd(denominator, *(int(v) for v in numerators.reshape(-1)))
    else:
        g = math.gcd(denominator, int(np.gcd.reduce(numerators, axis=None)))
    if g > 1:  # g divides a non-zero numerator, so it fits wherever the numerators do
        numerators = np.asarray(numerators // g)  # a 0-d array divides into a scalar
        denominator //= g
        top //= g
    if numerators.dtype == object and top <= INT64_MAX:
        numerators = numerators.astype(np.int64)
    return Scaled(numerators, denominator, top)


def _fits(bound: int) -> bool:
    return bound <= INT64_MAX


def _as(numerators: np.ndarray, objects: bool) -> np.ndarray:
    if objects:
        return numerators if numerators.dtype == object else numerators.astype(object)
    return numerators


def _rescaled(tables: Sequence[Scaled]) -> tuple[list[np.ndarray], int]:
    """The tables' numerators over their least common denominator (int64 when every one fits)."""
    denominator = tables[0].denominator
    if all(t.denominator == denominator for t in tables):
        objects = any(t.numerators.dtype == object for t in tables)
        return [_as(t.numerators, objects) for t in tables], denominator
    denominator = math.lcm(*(t.denominator for t in tables))
    factors = [denominator // t.denominator for t in tables]
    objects = not _fits(max(max(t.top(), 1) * f for t, f in zip(tables, factors, strict=True)))  # f itself too
    arrays = []
    for t, f in zip(tables, factors, strict=True):
        n = _as(t.numerators, objects)
        arrays.append(n * f if f != 1 else n)
    return arrays, denominator


def _linear(a: Scaled, b: Scaled, sign: int) -> Scaled:
    (na, nb), denominator = _rescaled([a, b])
    fa, fb = denominator // a.denominator, denominator // b.denominator
    objects = na.dtype == object or not _fits(max(a.top(), 1) * fa + max(b.top(), 1) * fb)
    na, nb = _as(na, objects), _as(nb, objects)
    return _normal(na + nb if sign > 0 else na - nb, denominator)


def product_sum(tables: Sequence[Scaled], summed: int, run: Callable[[list[np.ndarray], bool], np.ndarray]) -> Scaled:
    """A sum of products of the tables' entries, `run(arrays, objects)` computing it on their numerators.

    `summed` is how many products at most are added into one entry (the product of the summed indices'
    sizes); `objects` says the numerators are Python ints in object arrays (run with an object backend)
    rather than int64.
    """
    bound = summed
    denominator = 1
    for t in tables:
        bound *= max(t.top(), 1)
        denominator *= t.denominator
    objects = not _fits(bound)
    result = run([_as(t.numerators, objects) for t in tables], objects)
    return _normal(np.asarray(result), denominator)


def einsum(*operands: Any) -> Table:
    """np.einsum in its sublist form (table, indices, table, indices, ..., output indices), for scaled tables too."""
    tables = operands[0:-1:2]
    if not isinstance(tables[0], Scaled):
        return np.einsum(*operands)
    sublists = operands[1:-1:2]
    output = set(operands[-1])
    sizes: dict[Any, int] = {}
    for t, sub in zip(tables, sublists, strict=True):
        sizes.update(zip(sub, t.shape, strict=True))
    summed = math.prod(n for i, n in sizes.items() if i not in output)

    def run(arrays: list[np.ndarray], _objects: bool) -> np.ndarray:
        args: list[Any] = []
        for array, sub in zip(arrays, sublists, strict=True):
            args += [array, sub]
        return np.einsum(*args, operands[-1])

    return product_sum(tables, summed, run)


def follow_path(tables: Sequence[Scaled], indices: Sequence[Sequence[int]], output: Sequence[int],
                path: Iterable[Sequence[int]]) -> Scaled:
    """Σ of the product of the tables (with their index lists) over every index not in `output`, in
    the order of an opt_einsum path: each step contracts the operands at its positions (removed from
    the list) into one appended at the end, summing the indices no other operand and not the output
    holds; every step is one `einsum`, bounded and reduced on its own."""
    operands = list(zip(tables, (tuple(ix) for ix in indices), strict=True))
    for positions in path:
        picked = [operands.pop(i) for i in sorted(positions, reverse=True)]
        elsewhere = set(output).union(*(ix for _, ix in operands))
        kept = tuple(dict.fromkeys(i for _, ix in picked for i in ix if i in elsewhere))
        compact: dict[int, int] = {}  # np.einsum takes at most 52 distinct indices, numbered from 0
        args: list[Any] = []
        for table, ix in picked:
            args += [table, [compact.setdefault(i, len(compact)) for i in ix]]
        operands.append((einsum(*args, [compact[i] for i in kept]), kept))
    (table, ix), = operands
    if tuple(ix) != tuple(output):  # the last step kept the output's indices in another order
        table = einsum(table, [ix.index(i) for i in ix], [ix.index(i) for i in output])
    return table


def stack(tables: Sequence[Table], axis: int = 0) -> Table:
    """np.stack, for scaled tables too (over their least common denominator)."""
    if not isinstance(tables[0], Scaled):
        return np.stack(tables, axis=axis)
    arrays, denominator = _rescaled(tables)
    tops = [t._top for t in tables]
    top = max(tops) if None not in tops and all(t.denominator == denominator for t in tables) else None
    return Scaled(np.stack(arrays, axis=axis), denominator, top)


def broadcast_to(table: Table, shape: tuple[int, ...]) -> Table:
    """np.broadcast_to, for scaled tables too."""
    if isinstance(table, Scaled):
        return Scaled(np.broadcast_to(table.numerators, shape), table.denominator)
    return np.broadcast_to(table, shape)


__all__ = ["INT64_MAX", "Scaled", "Table", "broadcast_to", "einsum", "follow_path", "product_sum", "stack"]
