"""A scenario: a world, the AI's utility, candidate policies, the reference, ε and the claims to check."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corrig.model.world import World
from corrig.objectives.terms import Term


@dataclass
class Scenario:
    """What a scenario file declares."""

    name: str
    world: World
    utility: Term
    policies: dict[str, Any] | None = None
    reference: Any = None
    eps: Any = None
    expect: list[Any] = field(default_factory=list)
    doc: str = ""
    path: Path | None = None
    mixed: Any = None  # plan(..., mixed=...): search mixtures of these candidates (True: all)

    def plan(self, at: dict | None = None, **options: Any) -> Any:
        """Plan this scenario (optionally with parameters substituted by `at`)."""
        from corrig.analysis.planner import plan

        if self.eps is not None:
            options.setdefault("eps", self.eps)
        if self.mixed:
            options.setdefault("mixed", self.mixed)
        return plan(self.world, self.utility, self.policies, reference=self.reference, at=at, **options)
