"""Where a key stands in a TOML scenario: dotted key paths, their line numbers, and the error that names both.

tomllib reports no positions, so `Locator` reads the text once, line by line, and records the first
line of every key path and of each of its prefixes; a lookup is then a dictionary probe per prefix.
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


class Locator:
    """Best-effort line numbers of key paths in a TOML text (tomllib does not report positions)."""

    def __init__(self, text: str):
        self.lines: dict[Key, int] = {}
        header: list[Any] = []
        arrays: dict[Key, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            match = _HEADER.match(line)
            if match:
                parts = _split_key(match.group(2))
                if match.group(1) == "[[":
                    index = arrays.get(tuple(parts), -1) + 1
                    arrays[tuple(parts)] = index
                    header = [*parts, index]
                else:
                    header = self._indexed(parts, arrays)
                self._record(tuple(header), number)
                continue
            match = _ASSIGN.match(line)
            if match:
                self._record((*header, *_split_key(match.group(1))), number)

    @staticmethod
    def _indexed(parts: list[str], arrays: dict[Key, int]) -> list[Any]:
        out: list[Any] = []
        for part in parts:
            out.append(part)
            if tuple(p for p in out if not isinstance(p, int)) in arrays:
                out.append(arrays[tuple(p for p in out if not isinstance(p, int))])
        return out

    def _record(self, key: Key, number: int) -> None:
        for i in range(1, len(key) + 1):
            self.lines.setdefault(key[:i], number)

    def line(self, key: Key) -> int | None:
        """The line of the longest prefix of `key` that is written in the text."""
        for i in range(len(key), 0, -1):
            if key[:i] in self.lines:
                return self.lines[key[:i]]
        return None
