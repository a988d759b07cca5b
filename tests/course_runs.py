"""The narrated lessons of examples/, run once per test process: what each prints, for the tests of
examples/ and of the course's numbers."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COURSE = [
    "naive_switch", "utility_indifference", "off_switch", "causal_stop_button",
    "conditional_counterfactual", "time_delay", "encapsulated_factory", "human_control", "off_switch_gaussian",
    "gridworld_off_switch",
]


def normalise(text: str) -> str:
    """Runs of whitespace as one space (the lessons wrap their paragraphs)."""
    return re.sub(r"\s+", " ", text)


@functools.cache
def narrations() -> dict[str, str]:
    """What each lesson prints, run in-process as `python examples/<name>.py` would run it."""
    printed = {}
    saved = list(sys.path)
    sys.path.insert(0, str(EXAMPLES))
    try:
        for name in COURSE:
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
            printed[name] = buffer.getvalue()
    finally:
        sys.path[:] = saved
    return printed
