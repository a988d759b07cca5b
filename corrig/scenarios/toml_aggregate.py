"""An aggregating utility in a declarative scenario: Nash bargaining, maximin or a weighted sum of parts.

    [utility]
    nash = [[{ E = "Score", given = { U = "u1" } }],    # one list of terms per part
            [{ E = "Score", given = { U = "u2" } }]]
    disagreement = [0, 0]                              # optional (default 0)
    weights = ["51/100", "49/100"]                     # optional (default 1)

`maximin = [...]` takes the parts alone; `weighted_sum = [...]` takes parts and `weights`.  Each part
is a list of terms written exactly like `[[utility]]` entries.  Errors name the key and its line.
"""

from __future__ import annotations

from typing import Any

from corrig.model.errors import CorrigError
from corrig.objectives.aggregate import maximin, nash, weighted_sum
from corrig.objectives.terms import Term

AGGREGATES = ("nash", "maximin", "weighted_sum")
AGGREGATE_KEYS = {*AGGREGATES, "disagreement", "weights"}


def is_aggregate(section: Any) -> bool:
    """True for a [utility] table naming an aggregate (nash, maximin or weighted_sum)."""
    return isinstance(section, dict) and any(k in section for k in AGGREGATES)


def read_aggregate(loader: Any, section: dict, where: tuple) -> Term:
    """The aggregate objective a [utility] table declares."""
    section = loader.table_at(where, section, AGGREGATE_KEYS)
    kinds = [k for k in AGGREGATES if k in section]
    if len(kinds) != 1:
        raise loader.error(where, f"an aggregate utility is exactly one of {list(AGGREGATES)}; got {kinds}")
    kind = kinds[0]
    raw = section[kind]
    if not isinstance(raw, list) or not raw:
        raise loader.error((*where, kind), "expected a list of parts, each a list of terms")
    parts = [loader.utility(part, (*where, kind, i)) for i, part in enumerate(raw)]
    numbers: dict[str, list[Any] | None] = {}
    for key in ("disagreement", "weights"):
        value = section.get(key)
        if value is None:
            numbers[key] = None
            continue
        if kind == "maximin" or (kind == "weighted_sum" and key == "disagreement"):
            raise loader.error((*where, key), f"{kind} takes no {key!r}")
        if not isinstance(value, list) or len(value) != len(parts):
            raise loader.error((*where, key), f"expected one number per part ({len(parts)}), got {value!r}")
        numbers[key] = [loader.number((*where, key, i), v) for i, v in enumerate(value)]
    try:
        if kind == "nash":
            return nash(parts, disagreement=numbers["disagreement"], weights=numbers["weights"])
        if kind == "maximin":
            return maximin(parts)
        return weighted_sum(parts, numbers["weights"])
    except CorrigError as exc:
        raise loader.error((*where, kind), str(exc)) from None
