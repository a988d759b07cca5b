"""Numbers and parameter points typed on the command line (`--at p=0.3,q=1/4`), read exactly."""

from __future__ import annotations

import re
from typing import Any

import sympy as sp


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


MAX_DIGITS = 300  # digits of a number typed on the command line, exponent included (1e-99999 has 100 000)


def parse_number(text: str, what: str) -> Any:
    """An exact number from text: 2, 0.3, 1/4, -1e-3 (at most MAX_DIGITS digits once the exponent is applied)."""
    match = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE]([+-]?\d+))?(/\d+)?", text.strip())
    if not match:
        raise UsageError(f"{what}: {text!r} is not a number (write 0.3, 1/4 or 2)")
    exponent = match.group(4) or "0"
    if len(text) > MAX_DIGITS or len(exponent) > 4 or len(text) + abs(int(exponent)) > MAX_DIGITS:
        raise UsageError(f"{what}: {text[:40]!r} has more than {MAX_DIGITS} digits")
    try:
        return sp.Rational(text.strip())
    except (TypeError, ValueError, ZeroDivisionError):
        raise UsageError(f"{what}: {text!r} is not a number") from None
