"""Size limits on what a world may declare, checked before the work they bound.

A scenario of a few bytes can ask for a node with 2^26 parent contexts or a decision with 2^32
pure policies.  These limits turn such requests into a named error that says what to do instead,
before any table is built or any policy enumerated:

| limit | default | what it bounds |
|---|---|---|
| `states` | 10 000 | states of one node |
| `table` | 1 000 000 | entries of one node's table (parent assignments x states) |
| `policies` | 100 000 | pure policies enumerated when a scenario lists none |
| `terms` | 10 000 | terms of a declarative scenario's utility, or of any objective a plan, game or incentive reads |
| `coalitions` | 10 000 | coalitions whose obedience a button's flags check (grouped, per button) |
| `beliefs` | 100 000 | beliefs and decision points of an episode's dynamic programming; carried states of its flags |
| `dp` | 50 000 000 | entries of its backward induction (decision points x actions x steps); its flags' step evaluations |
| `steps` | 10 000 | steps of an episode unrolled into a world (`Episode.world()`, a `[gridworld]` section) |

They can be raised for one run (`corrig check --limit policies=1000000 ...`), in the environment
(`CORRIG_LIMITS="policies=1000000,table=5000000"`, which processes started by `corrig hunt` inherit),
or in code (`with corrig.limits.raised(policies=10**6): ...`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from corrig.model.errors import CorrigError

DEFAULTS: dict[str, int] = {"states": 10_000, "table": 1_000_000, "policies": 100_000, "terms": 10_000,
                            "coalitions": 10_000,
                            "beliefs": 100_000, "dp": 50_000_000, "steps": 10_000}
ENVIRONMENT = "CORRIG_LIMITS"


class LimitError(CorrigError):
    """A world or scenario is larger than a size limit; the message says which and what to do."""


def parse(text: str) -> dict[str, int]:
    """`policies=1000000,table=5000000` as {name: value}; unknown names and non-positive values are errors."""
    out: dict[str, int] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, eq, value = (s.strip() for s in item.partition("="))
        if not eq or name not in DEFAULTS:
            raise LimitError(f"a limit is NAME=N with NAME one of {sorted(DEFAULTS)}; got {item.strip()!r}")
        if not value.isdigit() or len(value) > 18 or int(value) < 1:
            raise LimitError(f"the limit {name} must be a positive whole number, got {value!r}")
        out[name] = int(value)
    return out


def _from_environment() -> dict[str, int]:
    try:
        return {**DEFAULTS, **parse(os.environ.get(ENVIRONMENT, ""))}
    except LimitError:
        return dict(DEFAULTS)  # a malformed environment variable is reported by the command line, not at import


_CURRENT: dict[str, int] = _from_environment()


def get(name: str) -> int:
    """The limit in force."""
    return _CURRENT[name]


def current() -> dict[str, int]:
    """Every limit in force."""
    return dict(_CURRENT)


def set_limits(values: Mapping[str, int]) -> None:
    """Change limits for the rest of the process (and for processes it starts, through the environment)."""
    checked = parse(",".join(f"{k}={v}" for k, v in values.items()))
    _CURRENT.update(checked)
    os.environ[ENVIRONMENT] = ",".join(f"{k}={v}" for k, v in _CURRENT.items() if v != DEFAULTS[k])


@contextmanager
def raised(**values: int) -> Iterator[None]:
    """Limits changed inside a `with` block only."""
    saved, saved_env = dict(_CURRENT), os.environ.get(ENVIRONMENT)
    set_limits(values)
    try:
        yield
    finally:
        _CURRENT.clear()
        _CURRENT.update(saved)
        if saved_env is None:
            os.environ.pop(ENVIRONMENT, None)
        else:
            os.environ[ENVIRONMENT] = saved_env


def check(name: str, size: int, what: str, advice: str = "") -> None:
    """Raise LimitError when `size` exceeds the limit `name`; the message says how to raise it."""
    limit = _CURRENT[name]
    if size > limit:
        hint = f" {advice}" if advice else ""
        shown = f"{size:,}" if size.bit_length() <= 64 else f"about 2^{size.bit_length() - 1:,}"
        raise LimitError(f"{what} is {shown}, more than the limit of {limit:,} {name}.{hint} "
                         f"(raise it with --limit {name}=N, or {ENVIRONMENT}=\"{name}=N\")")


def count_text(log2: float, exact: int | None = None) -> str:
    """A count for a message: exact when small, else as a power of two (`about 2^1024`)."""
    if exact is not None and exact.bit_length() <= 64:
        return f"{exact:,}"
    return f"about 2^{log2:,.0f}"


def check_states(node: str, count: int) -> None:
    """Refuse a node with more states than the `states` limit."""
    check("states", count, f"node {node}: its number of states")


def check_table(node: str, parent_sizes: list[int], states: int) -> None:
    """Refuse a node whose table (parent assignments x states) has more entries than the `table` limit,
    before any row of it is built."""
    limit = _CURRENT["table"]
    size = states
    for n in parent_sizes:
        size *= n
        if size > limit:
            break
    if size > limit:
        total = states
        for n in parent_sizes:
            total *= n
        check("table", total, f"node {node}: its table (parent assignments x states)",
              "Give it fewer parents (or parents with fewer states), or merge parents into one node.")
