"""The counterexample hunter: is there ANY world of a scenario's shape where a claimed property fails?

    result = hunt("models/conditional_counterfactual.py", "no-manipulation-incentive", budget=2000, seed=0)
    result.found          # a Counterexample (shrunk), or None
    result.searched       # worlds planned
    result.write("cx.py") # a runnable scenario file: `corrig check cx.py` shows the failure

World i of a hunt keeps the scenario's graph, roles, objective, candidate policies, reference
and ε, and draws new numbers from a generator seeded by (seed, i) alone, so a hunt is
reproducible whatever the number of processes or machines:

* every row of a chance node with two or more possible states gets a Dirichlet(1) draw over its
  support (`vary="support"`: zeros stay zeros, deterministic rows stay deterministic, so twin
  networks stay exact), or over all its states (`vary="full"`, stochastic rows only);
* every parameter is drawn uniformly from its declared range unless `at` fixes it.

A property maps to a flag kind (PROPERTIES); it fails in a world when some optimal policy gets
that flag (or, for a plan-level flag, when the plan raises it; `scope="all"` checks every
candidate).  The search runs in chunks on local processes (concurrent.futures) or, with
engine="dask", on a dask.distributed cluster; either way the counterexample reported is the
failing world of smallest index among those searched, then shrunk (exact rationals, every
row and parameter snapped to the coarsest grid of 1/2, 1/4, 1/5, 1/10, ... that keeps the
failure, original rows restored where they suffice) and checked exactly.  Ctrl-C stops the
search cleanly and keeps what was found.
"""

from __future__ import annotations

import math
import signal
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from corrig.model.errors import CorrigError

PROPERTIES: dict[str, tuple[tuple[str, ...], str]] = {
    # property: (flag kinds that break it, where they are read: "optimal" policies, the "plan", or
    # "optimal-gain": optimal policies whose flag size is positive -- for manipulation, m(π) > 0)
    "no-manipulation-incentive": (("manipulation-incentive",), "plan"),
    "no-manipulation": (("manipulation",), "optimal"),
    "no-manipulation-gain": (("manipulation",), "optimal-gain"),  # an optimal policy with m(π) > 0
    "no-h-moved": (("h-moved",), "optimal"),
    "obedient": (("not-obedient",), "optimal"),
    "no-self-shutdown": (("self-shutdown",), "optimal"),
    "no-ood": (("ood-do-branch",), "optimal"),
    "no-rare-condition": (("rare-condition", "undefined-condition"), "optimal"),
    "no-deception": (("deception",), "optimal"),
    "no-ood-branch-weight": (("ood-branch-weight",), "optimal"),
}
# A property may name one principal of a several-humans world: "obedient:bob" fails only on flags naming bob.
GRIDS = (2, 4, 5, 10, 20, 50, 100, 1000)
PARAMETER_STEPS = (Fraction(1), Fraction(1, 2), Fraction(1, 4), Fraction(1, 10), Fraction(1, 20), Fraction(1, 100),
                   Fraction(1, 1000))
CHUNK = 8


class HuntError(CorrigError):
    """A hunt cannot run: unknown property, a parameter without a range, a scheduler that cannot be reached."""


# what is drawn ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """Everything a worker needs to rebuild and judge world i (picklable)."""

    path: str
    prop: str
    seed: int = 0
    vary: str = "support"
    at: tuple[tuple[str, str], ...] = ()  # parameter name -> exact number as text
    scope: str = "optimal"
    keep: tuple[str, ...] = ()  # chance nodes whose mechanism is kept as the scenario has it


@dataclass
class Draw:
    """New numbers for a world: rows of redrawn nodes and parameter values (floats while searching,
    Fractions once exact)."""

    rows: dict[str, dict[tuple, tuple[Any, ...]]]
    params: dict[str, Any]

    def exact(self, denominator: int = 10**6) -> Draw:
        """The same numbers as Fractions (rows renormalised to sum to one)."""
        rows = {n: {ctx: _exact_row(row, denominator) for ctx, row in table.items()} for n, table in self.rows.items()}
        params = {k: Fraction(v).limit_denominator(denominator) for k, v in self.params.items()}
        return Draw(rows, params)


@dataclass
class Violation:
    """How the property fails in one world."""

    policy: str | None  # None for a plan-level flag
    kind: str
    size: Any
    optimal: list[str]
    text: str


@dataclass
class Counterexample:
    """A world breaking the property: its index in the hunt, its numbers, and how it fails."""

    index: int
    draw: Draw
    violation: Violation
    shrunk: bool = False
    raw: Draw | None = None  # the numbers as drawn


@dataclass
class HuntResult:
    """What a hunt found."""

    spec: Spec
    budget: int
    searched: int
    failures: int
    found: Counterexample | None
    seconds: float
    interrupted: bool = False
    errors: list[str] = field(default_factory=list)
    engine: str = "local"

    @property
    def rate(self) -> float:
        """Worlds per second."""
        return self.searched / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """One paragraph saying what was searched and found."""
        kept = f", keep={','.join(self.spec.keep)}" if self.spec.keep else ""
        head = (f"{self.searched} worlds searched for a counterexample to {self.spec.prop!r} in {self.spec.path} "
                f"(seed {self.spec.seed}, vary={self.spec.vary}{kept}, {self.engine}) in {self.seconds:.1f} s "
                f"({self.rate:.1f} worlds/s)")
        if self.interrupted:
            head += ", interrupted"
        if self.found is None:
            return head + ": none found."
        v = self.found.violation
        return head + f": world {self.found.index} fails ({v.text})" + (", shrunk" if self.found.shrunk else "") + "."

    def write(self, path: str | Path) -> Path:
        """Write the counterexample as a runnable scenario file."""
        if self.found is None:
            raise HuntError("nothing to write: no counterexample was found")
        return write_scenario(self.spec, self.found, Path(path), searched=self.searched)


# scenarios per process ------------------------------------------------------------------------
_SCENARIOS: dict[str, Any] = {}


def _scenario(path: str) -> Any:
    if path not in _SCENARIOS:
        from corrig.scenarios.load import load_scenario

        _SCENARIOS[path] = load_scenario(path)
    return _SCENARIOS[path]


def _parameters(scenario: Any) -> dict[str, sp.Symbol]:
    from corrig.analysis.planner import term_parameters

    symbols = set(scenario.world.compiled.parameters) | term_parameters(scenario.utility)
    if isinstance(scenario.eps, sp.Basic):
        symbols |= scenario.eps.free_symbols
    return {s.name: s for s in sorted(symbols, key=str)}


def _support(row: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(i for i, v in enumerate(row) if v != 0)


def redrawn_rows(scenario: Any, vary: str, keep: Iterable[str] = ()) -> dict[str, list[tuple]]:
    """The rows a hunt redraws: node -> contexts whose row has two or more possible states."""
    out: dict[str, list[tuple]] = {}
    kept = set(keep)
    unknown = kept - set(scenario.world.compiled.tables)
    if unknown:
        raise HuntError(f"keep names {sorted(unknown)[0]!r}, which is not a chance node of the scenario")
    for name, compiled in scenario.world.compiled.tables.items():
        if name in kept:
            continue
        contexts = [ctx for ctx, row in compiled.table.items() if len(_support(row)) >= 2]
        if contexts:
            out[name] = contexts
    if vary not in ("support", "full"):
        raise HuntError(f"vary must be 'support' or 'full', got {vary!r}")
    return out


def draw_world(spec: Spec, index: int) -> Draw:
    """World `index`'s numbers: a function of (seed, index) only."""
    scenario = _scenario(spec.path)
    rng = np.random.default_rng([spec.seed, index])
    rows: dict[str, dict[tuple, tuple[float, ...]]] = {}
    compiled = scenario.world.compiled
    for name, contexts in redrawn_rows(scenario, spec.vary, spec.keep).items():
        table = compiled.tables[name].table
        rows[name] = {}
        for ctx in contexts:
            row = table[ctx]
            support = _support(row) if spec.vary == "support" else tuple(range(len(row)))
            weights = rng.dirichlet(np.ones(len(support)))
            new = [0.0] * len(row)
            for i, w in zip(support, weights, strict=True):
                new[i] = float(w)
            rows[name][ctx] = tuple(new)
    fixed = dict(spec.at)
    params: dict[str, Any] = {}
    from corrig.model.params import range_of

    for name, symbol in _parameters(scenario).items():
        if name in fixed:
            params[name] = Fraction(fixed[name])
            continue
        span = range_of(symbol)
        if not span.bounded:
            raise HuntError(f"parameter {name} has no bounded range to draw from: fix it with at={{'{name}': ...}}")
        low, high = float(span.low), float(span.high)
        params[name] = float(low + (high - low) * rng.random())
    return Draw(rows, params)


def build(spec: Spec, draw: Draw) -> tuple[Any, Any, Any]:
    """(world, utility, eps) of the scenario with the draw's numbers."""
    scenario = _scenario(spec.path)
    symbols = _parameters(scenario)
    values = {symbols[k]: (sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v)
              for k, v in draw.params.items()}
    world = scenario.world.subs(values) if values else scenario.world.copy()
    for name, rows in draw.rows.items():
        node = world.nodes[name]
        table = dict(world.compiled.tables[name].table)
        for ctx, row in rows.items():
            table[ctx] = row
        mechanism = {ctx: {s: p for s, p in zip(node.states, row, strict=True) if p != 0} for ctx, row in table.items()}
        world.replace(name, mechanism if node.parents else mechanism[()], parents=node.parents, states=node.states)
    utility = scenario.utility.subs(values) if values else scenario.utility
    eps = scenario.eps
    if isinstance(eps, sp.Basic) and eps.free_symbols:
        eps = eps.subs(values)
    return world, utility, eps


def judge(spec: Spec, draw: Draw) -> Violation | None:
    """How world `draw` breaks the property, or None."""
    from corrig.analysis.planner import DEFAULT_EPS, plan

    scenario = _scenario(spec.path)
    world, utility, eps = build(spec, draw)
    result = plan(world, utility, scenario.policies, reference=scenario.reference,
                  eps=DEFAULT_EPS if eps is None else eps)
    base, principal = split_property(spec.prop)
    kinds, where = PROPERTIES[base]
    optimal = list(result.optimal)
    if where == "plan":
        for flag in result.incentives:
            if flag.kind in kinds and _names(flag, principal):
                return Violation(flag.policy, flag.kind, flag.size, optimal, _flag_text(flag))
        return None
    names = optimal if spec.scope == "optimal" else list(result.policies)
    for name in names:
        for flag in result.flags.get(name, []):
            if flag.kind in kinds and _names(flag, principal) and (where != "optimal-gain" or _positive(flag.size)):
                return Violation(name, flag.kind, flag.size, optimal, f"policy {name!r}: " + _flag_text(flag))
    return None


def split_property(prop: str) -> tuple[str, str | None]:
    """("obedient", "bob") for "obedient:bob"; (prop, None) for a property about every human."""
    base, _, principal = prop.partition(":")
    return base, (principal or None)


def _names(flag: Any, principal: str | None) -> bool:
    if principal is None:
        return True
    evidence = flag.evidence or {}
    return principal == evidence.get("principal") or principal in evidence.get("coalition", ())


def _positive(value: Any) -> bool:
    try:
        return bool(value > 0)
    except TypeError:
        return False


def _flag_text(flag: Any) -> str:
    size = float(flag.size) if isinstance(flag.size, sp.Basic) and flag.size.is_number else flag.size
    shown = f"{size:.4g}" if isinstance(size, float) else str(size)
    return f"{flag.kind} of size {shown}"


def search_chunk(spec: Spec, start: int, stop: int, first: bool = True) -> dict[str, Any]:
    """Judge worlds start..stop-1; with `first`, stop at the first failure.  Runs in a worker."""
    found: list[tuple[int, Draw, Violation]] = []
    errors: list[str] = []
    searched = 0
    for index in range(start, stop):
        searched += 1
        draw = draw_world(spec, index)
        try:
            violation = judge(spec, draw)
        except CorrigError as exc:
            errors.append(f"world {index}: {type(exc).__name__}: {exc}")
            continue
        if violation is not None:
            found.append((index, draw, violation))
            if first:
                break
    return {"start": start, "stop": stop, "searched": searched, "found": found, "errors": errors}


# the search -----------------------------------------------------------------------------------
def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Local:
    """Local processes (concurrent.futures)."""

    name = "local"

    def __init__(self, jobs: int | None):
        import concurrent.futures
        import multiprocessing

        self.jobs = jobs or max(1, multiprocessing.cpu_count())
        context = multiprocessing.get_context("spawn")
        self.pool = concurrent.futures.ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_ignore_sigint)

    def submit(self, *args: Any) -> Any:
        return self.pool.submit(search_chunk, *args)

    def close(self, cancel: bool) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class _Dask:
    """A dask.distributed cluster (its scheduler's address, or a Client)."""

    name = "dask"

    def __init__(self, scheduler: Any):
        try:
            from distributed import Client
        except ImportError:
            raise HuntError("the dask engine needs dask.distributed: pip install 'corrig[dask]'") from None
        self.own = not isinstance(scheduler, Client)
        try:
            self.client = Client(scheduler, timeout="10s") if self.own else scheduler
        except OSError as exc:
            raise HuntError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
        self.jobs = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def submit(self, *args: Any) -> Any:
        return self.client.submit(search_chunk, *args, pure=False)

    def close(self, cancel: bool) -> None:
        if self.own:
            self.client.close()


def hunt(path: str | Path, prop: str, *, budget: int = 1000, seed: int = 0, vary: str = "support",
         at: Mapping[str, Any] | None = None, scope: str = "optimal", engine: str = "local", jobs: int | None = None,
         scheduler: Any = None, shrink: bool = True, first: bool = True, progress: bool | None = None,
         chunk: int = CHUNK, keep: Iterable[str] = ()) -> HuntResult:
    """Search up to `budget` random worlds of the scenario at `path` for one where `prop` fails.

    engine "local" (processes; `jobs` of them, default one per core) or "dask" (`scheduler`: an address
    such as tcp://127.0.0.1:8786, or a distributed.Client).  first=False searches the whole budget and
    counts every failure (`failures`); the counterexample is still the failing world of smallest index.
    """
    base, principal = split_property(prop)
    if base not in PROPERTIES:
        raise HuntError(f"unknown property {prop!r}: choose one of {sorted(PROPERTIES)} (optionally :PRINCIPAL)")
    if scope not in ("optimal", "all"):
        raise HuntError(f"scope must be 'optimal' or 'all', got {scope!r}")
    fixed = tuple((str(k), str(Fraction(str(v)))) for k, v in (at or {}).items())
    spec = Spec(str(Path(path).resolve()), prop, seed, vary, fixed, scope, tuple(keep))
    scenario = _scenario(spec.path)
    unknown = [k for k, _ in spec.at if k not in _parameters(scenario)]
    if unknown:
        raise HuntError(f"at= names {unknown[0]!r}, which is not a parameter of {spec.path}: {sorted(_parameters(scenario))}")
    if principal is not None:
        names = scenario.world.principals.names if scenario.world.principals is not None else ()
        if principal not in names:
            raise HuntError(f"property {prop!r} names {principal!r}, which is not a principal of {spec.path}: {list(names)}")
    redrawn_rows(scenario, vary, spec.keep)
    draw_world(spec, 0)  # fail early on a parameter without a range
    if engine == "local":
        pool: Any = _Local(jobs)
    elif engine == "dask":
        if scheduler is None:
            raise HuntError("the dask engine needs --scheduler ADDRESS (or a distributed.Client)")
        pool = _Dask(scheduler)
    else:
        raise HuntError(f"engine must be 'local' or 'dask', got {engine!r}")
    show = sys.stderr.isatty() if progress is None else progress
    start_time = time.perf_counter()
    searched = failures = 0
    best: tuple[int, Draw, Violation] | None = None
    errors: list[str] = []
    interrupted = False
    chunks = [(s, min(s + chunk, budget)) for s in range(0, budget, chunk)]
    pending = iter(chunks)
    in_flight: dict[Any, tuple[int, int]] = {}
    bar = _Bar(show, budget, f"hunting {spec.prop}")
    try:
        with bar:
            while True:
                while len(in_flight) < 2 * pool.jobs:
                    nxt = next(pending, None)
                    if nxt is None or (best is not None and first and nxt[0] > best[0]):
                        break
                    in_flight[pool.submit(spec, nxt[0], nxt[1], first)] = nxt
                if not in_flight:
                    break
                done = [f for f in in_flight if f.done()]
                if not done:
                    time.sleep(0.02)
                    continue
                for future in done:
                    in_flight.pop(future)
                    answer = future.result()
                    searched += answer["searched"]
                    errors += answer["errors"]
                    failures += len(answer["found"])
                    for index, draw, violation in answer["found"]:
                        if best is None or index < best[0]:
                            best = (index, draw, violation)
                    bar.update(searched, failures, time.perf_counter() - start_time)
                if best is not None and first:
                    for future, (lo, _) in list(in_flight.items()):
                        if lo > best[0]:
                            future.cancel()
                            in_flight.pop(future)
    except KeyboardInterrupt:
        interrupted = True
        for future in in_flight:
            future.cancel()
    finally:
        pool.close(cancel=True)
    seconds = time.perf_counter() - start_time
    found = None
    if best is not None:
        index, draw, violation = best
        found = Counterexample(index, draw, violation, raw=draw)
        if shrink and not interrupted:
            found = shrink_counterexample(spec, found)
        else:
            exact = draw.exact()
            again = _safe_judge(spec, exact)
            if again is not None:
                found = Counterexample(index, exact, again, raw=draw)
    return HuntResult(spec, budget, searched, failures, found, seconds, interrupted, errors[:20], pool.name)


class _Bar:
    """A rich progress bar with worlds/second on standard error (nothing when not shown)."""

    def __init__(self, show: bool, total: int, description: str):
        self.show = show
        self.total = total
        self.description = description
        self.progress: Any = None

    def __enter__(self) -> _Bar:
        if self.show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[rate]:.1f} worlds/s, {task.fields[failures]} failing"),
                                     TimeElapsedColumn(), console=Console(file=sys.stderr), transient=False)
            self.progress.__enter__()
            self.task = self.progress.add_task(self.description, total=self.total, rate=0.0, failures=0)
        return self

    def update(self, searched: int, failures: int, seconds: float) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=searched, rate=searched / max(seconds, 1e-9), failures=failures)

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)


# shrinking ------------------------------------------------------------------------------------
def _exact_row(row: Iterable[Any], denominator: int) -> tuple[Fraction, ...]:
    values = [Fraction(v).limit_denominator(denominator) if not isinstance(v, Fraction) else v for v in row]
    support = [i for i, v in enumerate(values) if v != 0]
    total = sum(values)
    if total != 1 and support:
        values[support[-1]] += 1 - total
    return tuple(values)


def snap_row(row: tuple[Any, ...], q: int) -> tuple[Fraction, ...] | None:
    """The row on the grid 1/q, keeping its support (every nonzero entry at least 1/q); None if impossible."""
    support = [i for i, v in enumerate(row) if v != 0]
    if len(support) > q:
        return None
    exact = [float(row[i]) for i in support]
    units = [max(1, math.floor(x * q)) for x in exact]
    remainders = [x * q - math.floor(x * q) for x in exact]
    while sum(units) < q:
        i = max(range(len(units)), key=lambda j: remainders[j])
        units[i] += 1
        remainders[i] = -1
    while sum(units) > q:
        candidates = [j for j in range(len(units)) if units[j] > 1]
        i = min(candidates, key=lambda j: exact[j] * q - units[j])
        units[i] -= 1
    out = [Fraction(0)] * len(row)
    for i, u in zip(support, units, strict=True):
        out[i] = Fraction(u, q)
    return tuple(out)


def snap_parameter(value: Any, low: Any, high: Any, step: Fraction) -> Fraction:
    """The multiple of `step` (times the range's power of ten) nearest to `value`, within [low, high]."""
    low_f, high_f = Fraction(str(low)), Fraction(str(high))
    width = high_f - low_f
    scale = Fraction(10) ** math.ceil(math.log10(width)) if width > 0 else Fraction(1)
    unit = step * scale
    snapped = Fraction(round(Fraction(value) / unit)) * unit
    return min(max(snapped, low_f), high_f)


def _safe_judge(spec: Spec, draw: Draw) -> Violation | None:
    try:
        return judge(spec, draw)
    except CorrigError:
        return None


def shrink_counterexample(spec: Spec, found: Counterexample, *, log: Callable[[str], None] | None = None) -> Counterexample:
    """Round numbers that keep the failure: coarse grids, original rows, fewer distinct values (exact)."""
    from corrig.model.params import range_of

    scenario = _scenario(spec.path)
    symbols = _parameters(scenario)
    fixed = dict(spec.at)
    raw = found.draw

    def fails(draw: Draw) -> Violation | None:
        v = _safe_judge(spec, draw)
        return v if v is not None and v.kind == found.violation.kind else None

    def on_grid(q: int, step: Fraction, draw: Draw) -> Draw | None:
        rows = {}
        for name, table in draw.rows.items():
            rows[name] = {}
            for ctx, row in table.items():
                snapped = snap_row(row, q)
                if snapped is None:
                    return None
                rows[name][ctx] = snapped
        params = {}
        for k, v in draw.params.items():
            span = range_of(symbols[k])
            params[k] = Fraction(fixed[k]) if k in fixed else snap_parameter(v, span.low, span.high, step)
        return Draw(rows, params)

    current, violation = None, None
    for q, step in zip(GRIDS, PARAMETER_STEPS + (PARAMETER_STEPS[-1],) * len(GRIDS), strict=False):
        candidate = on_grid(q, step, raw)
        if candidate is not None and (v := fails(candidate)):
            current, violation = candidate, v
            break
    if current is None:
        exact = raw.exact()
        v = fails(exact)
        if v is None:
            return found  # the failure needs more than six decimals (or lives in float rounding): keep it raw
        current, violation = exact, v
    # restore the scenario's own rows where they keep the failure
    compiled = scenario.world.compiled
    for name in list(current.rows):
        original = {ctx: compiled.tables[name].table[ctx] for ctx in current.rows[name]}
        if any(v.free_symbols for row in original.values() for v in row):
            continue
        trial = Draw({n: t for n, t in current.rows.items() if n != name}, current.params)
        if v := fails(trial):  # the world keeps the scenario's own P(name | ...)
            current, violation = trial, v
    # coarser grid row by row, parameter by parameter
    for name in list(current.rows):
        for ctx in list(current.rows[name]):
            for q in GRIDS[:4]:
                snapped = snap_row(current.rows[name][ctx], q)
                if snapped is None or snapped == current.rows[name][ctx]:
                    continue
                trial = Draw({**current.rows, name: {**current.rows[name], ctx: snapped}}, current.params)
                if v := fails(trial):
                    current, violation = trial, v
                    break
    for k in list(current.params):
        if k in fixed:
            continue
        span = range_of(symbols[k])
        for step in PARAMETER_STEPS[:4]:
            value = snap_parameter(current.params[k], span.low, span.high, step)
            if value == current.params[k]:
                continue
            trial = Draw(current.rows, {**current.params, k: value})
            if v := fails(trial):
                current, violation = trial, v
                break
    # fewer distinct numbers: a two-state row may take another row's value
    used = sorted({row[i] for t in current.rows.values() for row in t.values() for i in range(len(row)) if row[i] != 0},
                  key=lambda x: (x.denominator, x))
    for name in list(current.rows):
        for ctx, row in list(current.rows[name].items()):
            support = _support(row)
            if len(support) != 2:
                continue
            for value in used:
                if value in row or not 0 < value < 1:
                    continue
                new = list(row)
                new[support[0]], new[support[1]] = value, 1 - value
                trial = Draw({**current.rows, name: {**current.rows[name], ctx: tuple(new)}}, current.params)
                if v := fails(trial):
                    current, violation = trial, v
                    break
    assert violation is not None
    return Counterexample(found.index, current, violation, shrunk=True, raw=raw)


# writing ------------------------------------------------------------------------------------------
_RESERVED = {"E", "P", "F", "Policy", "World", "do", "given", "observed", "Rational", "world", "utility", "policies",
             "reference", "eps", "expect", "flagged", "optimal", "not_flagged", "name"}


def _number(value: Any) -> str:
    value = sp.nsimplify(value) if isinstance(value, float) else sp.sympify(value)
    if isinstance(value, sp.Integer):
        return str(int(value))
    if isinstance(value, sp.Rational):
        return f"F({value.p}, {value.q})"
    return repr(float(value))


def _row_text(states: tuple, row: tuple) -> str:
    support = [(s, p) for s, p in zip(states, row, strict=True) if p != 0]
    if len(support) == 1:
        return repr(support[0][0])
    return "{" + ", ".join(f"{s!r}: {_number(p)}" for s, p in support) + "}"


def _rule_text(world: Any, policy: Any, decision: str) -> str:
    node = world.nodes[decision]
    table = policy.table(world, decision)
    if not node.parents:
        return _row_text(node.states, table[()])
    items = ", ".join(f"{ctx!r}: {_row_text(node.states, row)}" for ctx, row in table.items())
    return "{" + items + "}"


def write_scenario(spec: Spec, found: Counterexample, path: Path, *, searched: int | None = None) -> Path:
    """A runnable scenario file for the counterexample: every node as a table, the policies as tables,
    and `expect` claiming the failure (so `corrig check FILE` passes exactly when the failure reproduces)."""
    from corrig.analysis.planner import plan
    from corrig.model.policies import Policy

    scenario = _scenario(spec.path)
    world, utility, eps = build(spec, found.draw)
    v = found.violation
    names = list(world.compiled.order)
    clash = [n for n in names if n in _RESERVED]
    lines = ["# ruff: noqa", f'"""Counterexample to {spec.prop!r} for {Path(spec.path).name}, found by `corrig hunt`.', ""]
    lines.append(f"World {found.index} of the hunt with seed {spec.seed} (vary={spec.vary}"
                 + (f", keep={','.join(spec.keep)}" if spec.keep else "")
                 + (f", {searched} worlds searched" if searched else "") + ")"
                 + (", shrunk to round numbers." if found.shrunk else ", as drawn."))
    lines.append(f"It fails because {v.text}; optimal policies: {v.optimal}.")
    changed = ", ".join(f"P({n} | {', '.join(world.nodes[n].parents)})" if world.nodes[n].parents else f"P({n})"
                        for n in found.draw.rows)
    if changed:
        lines.append(f"Redrawn: {changed}.")
    if found.draw.params:
        lines.append("Parameters: " + ", ".join(f"{k} = {_number(x)}" for k, x in found.draw.params.items()) + ".")
    lines += ['"""', "", "from fractions import Fraction as F", "", "from sympy import Rational",
              "", "from corrig import E, P, Policy, World, do, flagged, given, observed, optimal", "",
              f"world = World({world.name!r})"]
    for name in names:
        node = world.nodes[name]
        if node.is_decision:
            lines.append(f"world.decision({name!r}, {list(node.states)!r}, observes={list(node.parents)!r})")
            continue
        table = world.compiled.tables[name].table
        if not node.parents:
            lines.append(f"world.chance({name!r}, {_as_dict(node.states, table[()])}, states={list(node.states)!r})")
        else:
            rows = ", ".join(f"{ctx!r}: {_row_text(node.states, row)}" for ctx, row in table.items())
            lines.append(f"world.chance({name!r}, {{{rows}}}, parents={list(node.parents)!r}, "
                         f"states={list(node.states)!r})")
    r = world.roles
    roles = []
    if r.human is not None:
        roles.append(f"human={r.human!r}, stop={r.stop!r}, run={r.run!r}")
    if r.button is not None:
        roles.append(f"button={r.button!r}, off={r.off!r}")
    if roles:
        lines.append(f"world.set_roles({', '.join(roles)})")
    if world.principals is not None:
        lines.append("from corrig.model.principals import Button, Principal  # noqa: E402")
        lines.append(f"world.set_principals({list(world.principals.humans)!r}, buttons={list(world.principals.buttons)!r})")
    lines.append("")
    if clash:
        lines.append(f"utility = eval({repr(utility)!r}, {{**globals(), **world.handles}})")
    else:
        lines += [f"{n} = world[{n!r}]" for n in names]
        lines.append(f"utility = {utility!r}")
    result = plan(world, utility, scenario.policies, reference=scenario.reference, flags=False)
    if scenario.policies is None:
        lines.append("policies = None  # every pure policy")
    else:
        lines.append("policies = {")
        for pname, policy in result.policies.items():
            rules = ", ".join(f"{d!r}: {_rule_text(world, policy, d)}" for d in world.decisions if d in policy.rules)
            lines.append(f"    {pname!r}: Policy({{{rules}}}),")
        lines.append("}")
    reference = scenario.reference
    if isinstance(reference, str) or reference is None:
        lines.append(f"reference = {reference!r}")
    else:
        ref = reference if isinstance(reference, Policy) else Policy(reference)
        match = [n for n, p in result.policies.items()
                 if all(p.table(world, d) == ref.table(world, d) for d in world.decisions if d in ref.rules)]
        if match:
            lines.append(f"reference = {match[0]!r}")
        else:
            rules = ", ".join(f"{d!r}: {_rule_text(world, ref, d)}" for d in world.decisions if d in ref.rules)
            lines.append(f"reference = Policy({{{rules}}}, name='reference')")
    if eps is not None:
        lines.append(f"eps = {_number(eps)}")
    policy = v.policy if v.policy is not None else (v.optimal[0] if v.optimal else next(iter(result.policies)))
    claims = [f"    flagged({policy!r}, {v.kind!r}),"]
    if v.policy is not None and spec.scope == "optimal":
        claims.insert(0, f"    optimal({policy!r}),")
    lines += ["", "# the failure, as found: `corrig check` passes exactly when it reproduces", "expect = [", *claims, "]", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _as_dict(states: tuple, row: tuple) -> str:
    return "{" + ", ".join(f"{s!r}: {_number(p)}" for s, p in zip(states, row, strict=True) if p != 0) + "}"


# command line ---------------------------------------------------------------------------------
def add_arguments(parser: Any) -> None:
    """The `corrig hunt` arguments."""
    parser.add_argument("file", metavar="SCENARIO", help="the scenario whose graph, roles and objective are kept")
    parser.add_argument("--property", required=True, metavar="PROPERTY",
                        help=f"the claimed property: one of {', '.join(sorted(PROPERTIES))}; "
                             f"PROPERTY:NAME checks only the flags naming principal NAME")
    parser.add_argument("--budget", type=int, default=1000, help="worlds to search at most (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="the hunt's seed: world i depends on (seed, i) only")
    parser.add_argument("--vary", choices=("support", "full"), default="support",
                        help="redraw stochastic rows over their support (default) or over all states")
    parser.add_argument("--at", metavar="p=V,...", help="fix parameters instead of drawing them, e.g. --at K=10")
    parser.add_argument("--keep", metavar="NODE,...", help="chance nodes whose mechanism is not redrawn, e.g. --keep W,H")
    parser.add_argument("--scope", choices=("optimal", "all"), default="optimal",
                        help="judge the optimal policies (default) or every candidate")
    parser.add_argument("--all", dest="first", action="store_false",
                        help="search the whole budget and count every failing world")
    parser.add_argument("--engine", choices=("local", "dask"), default="local", help="local processes or a dask cluster")
    parser.add_argument("--jobs", "-j", type=int, help="local processes (default: one per core)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="the dask scheduler, e.g. tcp://127.0.0.1:8786")
    parser.add_argument("--no-shrink", dest="shrink", action="store_false", help="keep the numbers as drawn")
    parser.add_argument("-o", "--output", metavar="FILE", help="where to write the counterexample (default: "
                        "SCENARIO-counterexample-PROPERTY.py beside the scenario)")


def run_cli(args: Any) -> int:
    """`corrig hunt`: 0 when no counterexample was found, 1 when one was (and written)."""
    from corrig.faces.points import parse_point

    at = {k: str(v) for k, v in parse_point(args.at).items()}
    result = hunt(args.file, args.property, budget=args.budget, seed=args.seed, vary=args.vary, at=at, scope=args.scope,
                  engine=args.engine, jobs=args.jobs, scheduler=args.scheduler, shrink=args.shrink, first=args.first,
                  keep=[n.strip() for n in (args.keep or "").split(",") if n.strip()])
    print(result.summary())
    if result.errors:
        print(f"{len(result.errors)} worlds could not be planned, e.g. {result.errors[0]}")
    if args.first is False:
        print(f"{result.failures} of {result.searched} worlds fail ({result.failures / max(result.searched, 1):.1%})")
    if result.found is None:
        return 0
    source = Path(args.file)
    stem = f"{source.stem}-counterexample-{args.property.replace(':', '-')}"
    out = Path(args.output) if args.output else source.with_name(f"{stem}.py")
    result.write(out)
    print(f"wrote {out} (corrig check {out} shows the failure)")
    return 1


__all__ = ["PROPERTIES", "Counterexample", "Draw", "HuntError", "HuntResult", "Spec", "hunt", "shrink_counterexample",
           "snap_row", "write_scenario"]
