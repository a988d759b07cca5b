"""Scenario files: a Python module defining `world`, `utility`, and optionally `policies`,
`reference`, `eps` and `expect`.  Loading one runs its code (by design: it is a program)."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corrig.errors import CorrigError, ScenarioError
from corrig.terms import Term
from corrig.world import World


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

    def plan(self, at: dict | None = None, **options: Any) -> Any:
        """Plan this scenario (optionally with parameters substituted by `at`)."""
        from corrig.planner import plan

        if self.eps is not None:
            options.setdefault("eps", self.eps)
        return plan(self.world, self.utility, self.policies, reference=self.reference, at=at, **options)


def load_scenario(path: str | Path) -> Scenario:
    """Run a scenario file and collect its declarations; errors name the file and line at fault."""
    file = Path(path)
    if not file.is_file():
        raise ScenarioError(f"{file}: no such scenario file")
    if file.suffix != ".py":
        from corrig.declarative import load_declarative

        return load_declarative(file)
    module_name = f"corrig_scenario_{abs(hash(file.resolve()))}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise ScenarioError(f"{file}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except CorrigError as exc:
        raise ScenarioError(f"{file}{_line_in(exc, file)}: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise ScenarioError(f"{file}{_line_in(exc, file)}: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.modules.pop(module_name, None)
    return from_namespace(vars(module), name=file.stem, path=file)


def from_namespace(namespace: dict[str, Any], *, name: str, path: Path | None = None) -> Scenario:
    """A Scenario from a module's globals (or any dict with the same names)."""
    where = str(path) if path else name
    world = namespace.get("world")
    if not isinstance(world, World):
        raise ScenarioError(f"{where}: a scenario must define `world` as a corrig World")
    utility = namespace.get("utility")
    if not isinstance(utility, Term):
        raise ScenarioError(f"{where}: a scenario must define `utility` as a term such as P(...) + E(...)")
    expect = namespace.get("expect", [])
    return Scenario(
        name=namespace.get("name", name),
        world=world,
        utility=utility,
        policies=namespace.get("policies"),
        reference=namespace.get("reference"),
        eps=namespace.get("eps"),
        expect=list(expect),
        doc=(namespace.get("__doc__") or "").strip(),
        path=path,
    )


def _line_in(exc: BaseException, file: Path) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f", line {exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == file.resolve()]
    return f", line {frames[-1].lineno}" if frames else ""
