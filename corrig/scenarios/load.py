"""Loading scenario files: a Python module defining `world`, `utility`, and optionally `policies`,
`reference`, `eps` and `expect` (loading one runs its code: it is a program), or a declarative
`.toml` file (data: nothing runs)."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any

from corrig.model.errors import CorrigError, NotAScenario, ScenarioError
from corrig.model.world import World
from corrig.objectives.terms import Term
from corrig.scenarios.expect import Expectation
from corrig.scenarios.scenario import Scenario
from corrig.scenarios.toml_reader import load_declarative


def load_scenario(path: str | Path) -> Scenario:
    """Run a scenario file and collect its declarations; errors name the file and line at fault."""
    file = Path(path)
    if not file.exists():
        raise ScenarioError(f"{file}: no such scenario file")
    if file.is_dir():
        raise ScenarioError(f"{file} is a folder, not a scenario file")
    if not file.is_file():  # a FIFO, socket or device: reading it could block forever
        raise ScenarioError(f"{file} is not a regular file (a pipe, socket or device); a scenario is a .py or .toml file")
    if file.suffix != ".py":
        return load_declarative(file)
    package = _folder_package(file)
    module_name = f"{package}.{file.stem}" if package else f"corrig_scenario_{abs(hash(file.resolve()))}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise ScenarioError(f"{file}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except CorrigError as exc:
        raise ScenarioError(f"{file}{_line_in(exc, file)}: {type(exc).__name__}: {exc}") from exc
    except SystemExit as exc:  # a scenario defines a world; it does not decide how the command ends
        raise ScenarioError(f"{file}{_line_in(exc, file)}: the scenario called sys.exit({exc.code!r}) while loading; "
                            f"a scenario file must define `world` and `utility`, not end the program") from None
    except Exception as exc:
        raise ScenarioError(f"{file}{_line_in(exc, file)}: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.modules.pop(module_name, None)
    return from_namespace(vars(module), name=file.stem, path=file)


def _folder_package(file: Path) -> str | None:
    """A package for the scenario's folder when it has an `__init__.py`, so that the scenario can import its
    siblings relatively (`from .causal_stop_button import make_world`); None for a loose file."""
    folder = file.resolve().parent
    if not (folder / "__init__.py").is_file():
        return None
    name = f"corrig_scenarios_{abs(hash(folder))}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
        if spec is None or spec.loader is None:
            return None
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
    return name


def from_namespace(namespace: dict[str, Any], *, name: str, path: Path | None = None) -> Scenario:
    """A Scenario from a module's globals (or any dict with the same names)."""
    where = str(path) if path else name
    world = namespace.get("world")
    if "world" not in namespace:
        raise NotAScenario(f"{where}: a scenario must define `world` as a corrig World; this file defines no `world`")
    if not isinstance(world, World):
        raise ScenarioError(f"{where}: a scenario must define `world` as a corrig World, not {type(world).__name__}")
    utility = namespace.get("utility")
    if not isinstance(utility, Term):
        raise ScenarioError(f"{where}: a scenario must define `utility` as a term such as P(...) + E(...)")
    expect = namespace.get("expect", [])
    if not isinstance(expect, list | tuple) or not all(isinstance(claim, Expectation) for claim in expect):
        raise ScenarioError(f"{where}: `expect` must be a list of claims such as optimal('name') or value_is('name', 1/2) "
                            f"(from corrig), got {_clip(repr(expect))}")
    return Scenario(
        name=namespace.get("name", name),
        world=world,
        utility=utility,
        policies=namespace.get("policies"),
        reference=namespace.get("reference"),
        eps=namespace.get("eps"),
        mixed=namespace.get("mixed"),
        expect=list(expect),
        doc=(namespace.get("__doc__") or "").strip(),
        path=path,
    )


def _line_in(exc: BaseException, file: Path) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f", line {exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == file.resolve()]
    return f", line {frames[-1].lineno}" if frames else ""


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
