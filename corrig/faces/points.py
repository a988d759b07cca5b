"""Numbers and parameter points typed on the command line (`--at p=0.3,q=1/4`), read exactly."""

from __future__ import annotations

from typing import Any

from corrig.model.numbers import number_from_text


class UsageError(Exception):
    """A command-line value is malformed (exit 2)."""


def parse_point(text: str | None) -> dict[str, Any]:
    """`p=0.3,q=1/4` as {name: exact number}; decimals stay exact (0.3 is 3/10)."""
    point: dict[str, Any] = {}
    if not text:
        return point
    for item in text.split(","):
        if not item.strip():
            continue
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name.isidentifier() or not value:
            raise UsageError(f"--at takes name=value pairs separated by commas (p=0.3,q=1/4); got {item.strip()!r}")
        point[name] = parse_number(value, f"--at {name}")
    return point


def parse_number(text: str, what: str) -> Any:
    """An exact number from text: 2, 0.3, 1/4, -1e-3 (at most MAX_TEXT_DIGITS digits once the exponent is applied)."""
    try:
        return number_from_text(text)
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from None
