"""What the course notebooks share: exact parameter points from slider values, the plan at a point,
and the DAG and region pictures as inline SVG.  The notebooks import their scenarios from models/."""

from __future__ import annotations

import io
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # so that `from models import ...` works wherever the notebook runs from
    sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from corrig import plan  # noqa: E402  (re-exported for the notebooks)
from corrig.faces.draw import draw_world  # noqa: E402
from corrig.faces.regionplot import region_plot  # noqa: E402
from corrig.inference.quadrature import fast_value  # noqa: E402


def exact(value: float | int) -> Fraction:
    """A slider's value as the exact number it shows (0.35 → 7/20)."""
    return Fraction(str(value))


def plan_of(model: Any, at: dict | None = None, **options: Any) -> Any:
    """The scenario module's plan (its world, utility, policies and reference), at a parameter point."""
    return plan(model.world, model.utility, model.policies, reference=model.reference, at=at, **options)


def svg(fig: Any) -> str:
    """A matplotlib figure as an inline SVG string (the figure is closed)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def dag(model: Any, result: Any, policy: str | None = None) -> str:
    """The world's DAG with `policy`'s flags highlighted (default: the first optimal policy), as SVG."""
    policy = policy or (result.optimal[0] if result.optimal else None)
    return svg(draw_world(model.world, model.utility, plan=result if policy else None, policy=policy))


def region(result: Any, x: Any, y: Any = None, at: dict | None = None, resolution: int = 60) -> str:
    """The region plot of a symbolic plan over x (and y), other parameters held at `at`, as SVG."""
    return svg(region_plot(result, x=x, y=y, at=at, resolution=resolution))


def optimal_line(result: Any) -> str:
    """The optimal set as one line of HTML, with an id the browser test looks for."""
    names = ", ".join(result.optimal) or "(depends on the parameters)"
    return f"<p id='corrig-optimal'><b>optimal: {names}</b></p>"


def crossing(value: Any, symbol: Any, low: float, high: float, steps: int = 60) -> float:
    """Where a value of one parameter changes sign between low and high (bisection on its float value: a value
    known by quadrature has no exact root to solve for)."""
    def sign(x: float) -> bool:
        return fast_value(value, {symbol: x})[0] > 0

    below = sign(low)
    if sign(high) == below:
        raise ValueError(f"{value} keeps one sign on [{low}, {high}]")
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if sign(middle) == below else (low, middle)
    return (low + high) / 2
