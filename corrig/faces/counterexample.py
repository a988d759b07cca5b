"""Writing a hunt's counterexample as a scenario file that `corrig check` reproduces.

The file keeps the input's format: a `.toml` scenario yields a `.toml` counterexample (data, written
by `corrig.scenarios.toml_writer`), a `.py` scenario a `.py` one (a program, but built only from
`repr()`'d literals by `corrig.scenarios.py_writer`: no name from the scenario is ever code).  Every
node is a table with the counterexample's numbers, the candidate policies are tables, and `expect`
claims the failure, so `corrig check FILE` passes exactly when the failure reproduces.  The text is
written atomically (temporary file, then rename).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from corrig.faces.outputs import write_text
from corrig.model.errors import CorrigError

if TYPE_CHECKING:
    from corrig.faces.hunt_draw import Counterexample, Spec


class CounterexampleError(CorrigError):
    """A counterexample cannot be written in the format asked for (a TOML scenario as Python, ...)."""


def output_suffix(source: str | Path, path: str | Path | None = None) -> str:
    """The counterexample's suffix: the input's kind; a TOML input never yields Python."""
    kind = ".py" if Path(source).suffix.lower() == ".py" else ".toml"
    if path is None:
        return kind
    wanted = Path(path).suffix.lower()
    if wanted not in (".py", ".toml"):
        raise CounterexampleError(f"{path}: a counterexample is a {kind} file (the format of {Path(source).name})")
    if kind == ".toml" and wanted == ".py":
        raise CounterexampleError(f"{path}: the counterexample of a declarative (.toml) scenario is written as .toml, "
                                  f"never as Python")
    return wanted


def describe(spec: Spec, found: Counterexample, world: Any, *, searched: int | None = None) -> str:
    """What the file is and why it fails, as plain text (it becomes a docstring or a TOML string)."""
    v = found.violation
    lines = [f"Counterexample to {spec.prop!r} for {Path(spec.path).name}, found by `corrig hunt`.", "",
             f"World {found.index} of the hunt with seed {spec.seed} (vary={spec.vary}"
             + (f", keep={','.join(spec.keep)}" if spec.keep else "")
             + (f", {worlds(searched)} searched" if searched else "") + ")"
             + (", shrunk to round numbers." if found.shrunk else ", as drawn."),
             f"It fails because {v.text}; optimal policies: {v.optimal}."]
    changed = ", ".join(f"P({n} | {', '.join(world.nodes[n].parents)})" if world.nodes[n].parents else f"P({n})"
                        for n in found.draw.rows)
    if changed:
        lines.append(f"Redrawn: {changed}.")
    if found.draw.params:
        lines.append("Parameters: " + ", ".join(f"{k} = {x}" for k, x in found.draw.params.items()) + ".")
    return "\n".join(lines)


def counterexample_text(spec: Spec, found: Counterexample, suffix: str, *, scenario: Any, world: Any, utility: Any,
                        eps: Any, searched: int | None = None) -> str:
    """The scenario text of a counterexample, as `.py` or `.toml`: `scenario` is the hunted one, `world`,
    `utility` and `eps` are its rebuilt with the counterexample's numbers (corrig.faces.hunt.build)."""
    from corrig.analysis.planner import plan
    from corrig.model.policies import Policy
    from corrig.scenarios import py_writer
    from corrig.scenarios.expect import flagged, optimal
    from corrig.scenarios.scenario import Scenario
    from corrig.scenarios.toml_writer import dump_declarative

    v = found.violation
    result = plan(world, utility, scenario.policies, reference=scenario.reference, flags=False)
    policies = None if scenario.policies is None else dict(result.policies)
    reference = scenario.reference
    if reference is not None and not isinstance(reference, str):
        ref = reference if isinstance(reference, Policy) else Policy(reference)
        match = [n for n, p in result.policies.items()
                 if all(p.table(world, d) == ref.table(world, d) for d in world.decisions if d in ref.rules)]
        reference = match[0] if match else ref
    name = v.policy if v.policy is not None else (v.optimal[0] if v.optimal else next(iter(result.policies)))
    claims: list[tuple[str, tuple]] = [("flagged", (name, v.kind))]
    if v.policy is not None and spec.scope == "optimal":
        claims.insert(0, ("optimal", (name,)))
    doc = describe(spec, found, world, searched=searched)
    if suffix == ".py":
        return py_writer.scenario_text(doc=doc, world=world, utility=utility, policies=policies, reference=reference,
                                       eps=eps, claims=claims)
    expect = [optimal(*args) if kind == "optimal" else flagged(*args) for kind, args in claims]
    return dump_declarative(Scenario(name=world.name, world=world, utility=utility, policies=policies,
                                     reference=reference, eps=eps, expect=expect, doc=doc))


def write_counterexample(path: Path, spec: Spec, found: Counterexample, *, scenario: Any, world: Any, utility: Any,
                         eps: Any, searched: int | None = None) -> Path:
    """Write the counterexample to `path` (its suffix picks the format; see `output_suffix`), atomically."""
    suffix = output_suffix(spec.path, path)
    text = counterexample_text(spec, found, suffix, scenario=scenario, world=world, utility=utility, eps=eps,
                               searched=searched)
    return write_text(path, text)


def worlds(n: int) -> str:
    """'1 world', '40 worlds'."""
    return f"{n} world{'' if n == 1 else 's'}"
