"""Text from scenario files made safe to print: control characters shown as escapes, not obeyed.

Node, state, policy and world names come from files that may be hostile: an ANSI escape sequence in
a policy name could recolour, hide or rewrite what a terminal shows, and a right-to-left override
could make a name read as another.  `printable()` replaces every control character (Unicode category
Cc: C0, DEL and C1, with ESC among them) and every bidirectional formatting character by its Python
escape (`\\x1b`, `\\u202e`), keeping newlines and tabs where asked; `cleaned()` does it to every
string inside a report (dataclasses, lists, dicts) before a renderer sees it; `json_safe()` escapes
the same characters in a JSON text (as `\\u001b`, still valid JSON that decodes to the same names).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}\\u2028\\u2029]")
_UNSAFE_LINES = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}\\u2028\\u2029]")
_UNSAFE_JSON = re.compile(f"[\\x7f-\\x9f{_BIDI}\\u2028\\u2029]")  # json.dumps already escapes C0


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newlines: bool = True) -> str:
    """`text` with control and bidirectional-formatting characters escaped (newlines and tabs kept when asked)."""
    pattern = _UNSAFE if newlines else _UNSAFE_LINES
    return pattern.sub(_escape, text)


def cleaned(value: Any) -> Any:
    """A copy of a report (dataclasses, lists, tuples, dicts, strings) with every string made printable."""
    if isinstance(value, str):
        return printable(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: cleaned(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, list):
        return [cleaned(v) for v in value]
    if isinstance(value, tuple):
        return tuple(cleaned(v) for v in value)
    if isinstance(value, dict):
        return {cleaned(k): cleaned(v) for k, v in value.items()}
    return value


def json_safe(text: str) -> str:
    """A JSON text with the characters `printable` escapes written as \\uXXXX escapes (same decoded value)."""
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def figure_text(text: str) -> str:
    """User-supplied text for a matplotlib label: printable, and `$` escaped so that it is never read as
    mathtext (an unbalanced `$\\frac{` in a name made saving the figure fail)."""
    return printable(text).replace("$", r"\$")
