"""Where a key stands in a TOML scenario: dotted key paths, their line numbers, and the error that names both.

tomllib reports no positions, so `Locator` reads the text once, line by line, and records the first
line of every key path in a tree of its parts; recording and looking up a key walk its parts once, so
the work is linear in the size of the text (a key of 40 000 dotted parts costs 40 000 steps, not 40 000²).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from corrig.model.errors import ScenarioError

Key = tuple[Any, ...]


class DeclarativeError(ScenarioError):
    """A declarative scenario is malformed; `key` is the dotted key at fault, `line` its line (or None)."""

    def __init__(self, message: str, *, file: Path | str | None = None, key: str = "", line: int | None = None):
        self.file, self.key, self.line, self.reason = file, key, line, message
        where = str(file) if file else "<scenario>"
        if line:
            where += f", line {line}"
        super().__init__(f"{where}: [{key}] {message}" if key else f"{where}: {message}")


def key_text(key: Key) -> str:
    """A key path as TOML would write it: nodes.H.table."0,1", utility[2].do."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if re.fullmatch(r"[A-Za-z0-9_-]+", str(part)) else json.dumps(str(part))
            out += ("." if out else "") + text
    return out


# where a key is written -----------------------------------------------------------------------
_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*")
_HEADER = re.compile(rf"^\s*(\[\[?)({_DOTTED.pattern})(\]\]?)\s*(#.*)?$")
_ASSIGN = re.compile(rf"^({_DOTTED.pattern})=")


def _split_key(text: str) -> list[str]:
    parts = re.findall(_KEY_PART, text)
    return [json.loads(p) if p.startswith('"') else p.strip("'") for p in parts]


class _Place:
    """A node of the key-path tree: the first line its path is written on, its children, and for an
    array of tables the index of its last element (-1 for anything else)."""

    __slots__ = ("children", "count", "line")

    def __init__(self) -> None:
        self.line: int | None = None
        self.children: dict[Any, _Place] = {}
        self.count = -1

    def child(self, part: Any) -> _Place:
        place = self.children.get(part)
        if place is None:
            place = self.children[part] = _Place()
        return place


class Locator:
    """Best-effort line numbers of key paths in a TOML text (tomllib does not report positions).

    One pass over the text (at the first look-up) builds a tree of key paths; recording a key and looking
    one up walk its parts once, so the work is linear in the size of the text and of the key.
    """

    def __init__(self, text: str):
        self.text = text
        self._root: _Place | None = None  # built at the first look-up: a file that loads cleanly never needs it

    @property
    def root(self) -> _Place:
        """The tree of key paths, read from the text once."""
        if self._root is None:
            self._root = _Place()
            self._read(self._root)
        return self._root

    def _read(self, root: _Place) -> None:
        header = root
        for number, line in enumerate(self.text.splitlines(), start=1):
            match = _HEADER.match(line)
            if match:
                parts = _split_key(match.group(2))
                if match.group(1) == "[[" and parts:
                    array = self._walk(parts[:-1], number).child(parts[-1])
                    self._mark(array, number)
                    array.count += 1
                    header = array.child(array.count)
                else:
                    header = self._walk(parts, number)
                self._mark(header, number)
                continue
            match = _ASSIGN.match(line)
            if match:
                place = header
                for part in _split_key(match.group(1)):
                    place = place.child(part)
                    self._mark(place, number)

    def _walk(self, parts: list[str], number: int) -> _Place:
        """The place of a header's key path, stepping into the current element of each array on the way."""
        place = self.root
        for part in parts:
            place = place.child(part)
            self._mark(place, number)
            if place.count >= 0:
                place = place.child(place.count)
        return place

    @staticmethod
    def _mark(place: _Place, number: int) -> None:
        if place.line is None:
            place.line = number

    def line(self, key: Key) -> int | None:
        """The line of the longest prefix of `key` that is written in the text."""
        place, found = self.root, None
        for part in key:
            place = place.children.get(part)
            if place is None:
                break
            if place.line is not None:
                found = place.line
        return found
