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

import signal
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from corrig.faces.counterexample import worlds
from corrig.faces.hunt_draw import (
    CHUNK,
    PROPERTIES,
    Counterexample,
    Draw,
    HuntError,
    Spec,
    Violation,
    _parameters,
    _scenario,
    build,
    draw_world,
    redrawn_rows,
    search_chunk,
    split_property,
)
from corrig.faces.hunt_shrink import _safe_judge, shrink_counterexample, snap_row


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
    lost: str | None = None  # why the search stopped early when its workers were lost

    @property
    def rate(self) -> float:
        """Worlds per second."""
        return self.searched / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """One paragraph saying what was searched and found."""
        kept = f", keep={','.join(self.spec.keep)}" if self.spec.keep else ""
        head = (f"{worlds(self.searched)} searched for a counterexample to {self.spec.prop!r} in {self.spec.path} "
                f"(seed {self.spec.seed}, vary={self.spec.vary}{kept}, {self.engine}) in {self.seconds:.1f} s "
                f"({self.rate:.1f} worlds/s)")
        if self.interrupted:
            head += ", interrupted"
        if self.lost:
            head += f", stopped early: {self.lost}"
        if self.found is None:
            return head + ": none found."
        v = self.found.violation
        return head + f": world {self.found.index} fails ({v.text})" + (", shrunk" if self.found.shrunk else "") + "."

    def write(self, path: str | Path) -> Path:
        """Write the counterexample as a runnable scenario file."""
        if self.found is None:
            raise HuntError("nothing to write: no counterexample was found")
        return write_scenario(self.spec, self.found, Path(path), searched=self.searched)



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

    def lost(self) -> str | None:
        """Why the workers can no longer answer (None while they can): a dead process breaks the pool."""
        return "a worker process died" if getattr(self.pool, "_broken", False) else None

    def close(self, cancel: bool) -> None:
        self.pool.shutdown(wait=not self.lost(), cancel_futures=cancel)


WORKER_TIMEOUT = 30.0  # seconds a dask cluster may go without a worker that answers before the hunt stops


class _Dask:
    """A dask.distributed cluster (its scheduler's address, or a Client)."""

    name = "dask"

    def __init__(self, scheduler: Any, worker_timeout: float = WORKER_TIMEOUT):
        try:
            from distributed import Client
        except ImportError:
            raise HuntError("the dask engine needs dask.distributed: pip install 'corrig[dask]'") from None
        self.own = not isinstance(scheduler, Client)
        try:
            self.client = Client(scheduler, timeout="10s") if self.own else scheduler
        except OSError as exc:
            raise HuntError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
        self.worker_timeout = worker_timeout
        self.beats: dict[str, Any] = {}  # worker address -> the scheduler's time of its last heartbeat, as last read
        self.answered = time.monotonic()  # when some worker was last seen answering (a new heartbeat)
        self.jobs = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def submit(self, *args: Any) -> Any:
        return self.client.submit(search_chunk, *args, pure=False)

    def lost(self) -> str | None:
        """Why the cluster can no longer answer: the scheduler is gone, or for `worker_timeout` s no worker has
        sent a heartbeat (none is left, or every one is dead or frozen without the scheduler knowing yet, as a
        worker on a machine that vanished: the scheduler waits minutes before it drops such a worker)."""
        if self.client.status not in ("running", "connecting"):
            return f"the dask client is {self.client.status}"
        try:
            workers = self.client.scheduler_info()["workers"]
        except Exception as exc:  # the scheduler cannot be asked
            return f"the dask scheduler does not answer ({type(exc).__name__}: {exc})"
        now = time.monotonic()
        for address, info in workers.items():
            beat = info.get("last_seen")
            if self.beats.get(address) != beat:
                self.beats[address] = beat
                self.answered = now
        if now - self.answered < self.worker_timeout:
            return None
        if not workers:
            return f"the dask cluster has had no worker for {self.worker_timeout:g} s"
        return (f"the dask cluster has had no worker answering for {self.worker_timeout:g} s "
                f"(no heartbeat from {', '.join(sorted(workers))})")

    def close(self, cancel: bool) -> None:
        if self.own:
            self.client.close()


def _check_options(budget: Any, seed: Any, jobs: Any, chunk: Any, worker_timeout: Any) -> None:
    for name, value, least in (("budget", budget, 1), ("seed", seed, 0), ("chunk", chunk, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise HuntError(f"--{name} must be a whole number of at least {least}, got {value!r}")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise HuntError(f"--jobs must be a whole number of at least 1, got {jobs!r}")
    if isinstance(worker_timeout, bool) or not isinstance(worker_timeout, int | float) or not 0 < worker_timeout < 1e6:
        raise HuntError(f"--worker-timeout must be a number of seconds above 0, got {worker_timeout!r}")


def hunt(path: str | Path, prop: str, *, budget: int = 1000, seed: int = 0, vary: str = "support",
         at: Mapping[str, Any] | None = None, scope: str = "optimal", engine: str = "local", jobs: int | None = None,
         scheduler: Any = None, shrink: bool = True, first: bool = True, progress: bool | None = None,
         chunk: int = CHUNK, keep: Iterable[str] = (), worker_timeout: float = WORKER_TIMEOUT) -> HuntResult:
    """Search up to `budget` random worlds of the scenario at `path` for one where `prop` fails.

    engine "local" (processes; `jobs` of them, default one per core) or "dask" (`scheduler`: an address
    such as tcp://127.0.0.1:8786, or a distributed.Client).  first=False searches the whole budget and
    counts every failure (`failures`); the counterexample is still the failing world of smallest index.
    Ctrl-C (also while shrinking) and lost workers stop the search and keep what was found (`interrupted`,
    `lost`); a dask cluster with no worker answering (no heartbeat) for `worker_timeout` seconds counts as lost.
    """
    base, principal = split_property(prop)
    if base not in PROPERTIES:
        raise HuntError(f"unknown property {prop!r}: choose one of {sorted(PROPERTIES)} (optionally :PRINCIPAL)")
    if scope not in ("optimal", "all"):
        raise HuntError(f"scope must be 'optimal' or 'all', got {scope!r}")
    _check_options(budget, seed, jobs, chunk, worker_timeout)
    fixed = tuple((str(k), str(Fraction(str(v)))) for k, v in (at or {}).items())
    spec = Spec(str(Path(path).resolve()), prop, seed, vary, fixed, scope, tuple(keep))
    scenario = _scenario(spec.path)
    episode = getattr(scenario.world, "episode", None)
    if episode is not None:
        raise HuntError(f"{path}: world {scenario.world.name!r} is episode {episode.name!r} unrolled over {episode.steps} "
                        "steps; hunt redraws every chance node's table, so a hunted world would no longer repeat one "
                        "step's mechanisms at every step (it would not be an episode). Hunt a one-shot world, or try "
                        "the episode's parameters with `corrig check --at`")
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
        pool = _Dask(scheduler, worker_timeout)
    else:
        raise HuntError(f"engine must be 'local' or 'dask', got {engine!r}")
    show = sys.stderr.isatty() if progress is None else progress
    start_time = time.perf_counter()
    with _Bar(show, budget, f"hunting {spec.prop}") as bar:
        search = search_pool(spec, pool, budget, first=first, chunk=chunk, bar=bar)
    found = None
    interrupted = search.interrupted
    if search.best is not None:
        index, draw, violation = search.best
        found = Counterexample(index, draw, violation, raw=draw)
        try:
            if shrink and not interrupted:
                found = shrink_counterexample(spec, found)
            else:
                found = _exact_or_raw(spec, found)
        except KeyboardInterrupt:  # keep the counterexample as found (exact when that is quick)
            interrupted = True
            try:
                found = _exact_or_raw(spec, Counterexample(index, draw, violation, raw=draw))
            except KeyboardInterrupt:
                found = Counterexample(index, draw, violation, raw=draw)
    seconds = time.perf_counter() - start_time
    return HuntResult(spec, budget, search.searched, search.failures, found, seconds, interrupted, search.errors[:20],
                      pool.name, search.lost)


def _exact_or_raw(spec: Spec, found: Counterexample) -> Counterexample:
    exact = found.draw.exact()
    again = _safe_judge(spec, exact)
    return Counterexample(found.index, exact, again, raw=found.draw) if again is not None else found


WORKER_FAILURES = ("BrokenProcessPool", "KilledWorker", "CommClosedError", "CancelledError", "FutureCancelledError")


def _worker_failure(exc: BaseException) -> bool:
    """True for the exceptions a future raises when its worker (not the world it judged) failed."""
    return type(exc).__name__ in WORKER_FAILURES or isinstance(exc, OSError | TimeoutError)


@dataclass
class Search:
    """What a search over a pool of workers gathered, and how it ended."""

    searched: int = 0
    failures: int = 0
    best: tuple[int, Draw, Violation] | None = None
    errors: list[str] = field(default_factory=list)
    interrupted: bool = False
    lost: str | None = None


POLL = 0.02  # seconds between looks at the futures
WATCH = 1.0  # seconds between looks at the workers
RESULT_WAIT = 10.0  # seconds to fetch a finished chunk's answer (a dask result can be lost with its worker)


def search_pool(spec: Spec, pool: Any, budget: int, *, first: bool = True, chunk: int = CHUNK,
                bar: Any = None) -> Search:
    """Judge worlds 0..budget-1 in chunks on `pool` (submit / lost / close); stop at Ctrl-C or when the
    pool's workers are lost, keeping the results so far.  Never waits without looking at the workers."""
    out = Search()
    start_time = time.perf_counter()
    pending = iter([(s, min(s + chunk, budget)) for s in range(0, budget, chunk)])
    in_flight: dict[Any, tuple[int, int]] = {}
    watched = time.monotonic()
    try:
        while True:
            while len(in_flight) < 2 * pool.jobs:
                nxt = next(pending, None)
                if nxt is None or (out.best is not None and first and nxt[0] > out.best[0]):
                    break
                in_flight[pool.submit(spec, nxt[0], nxt[1], first)] = nxt
            if not in_flight:
                break
            done = [f for f in in_flight if f.done()]
            if not done:
                if time.monotonic() - watched >= WATCH:
                    watched = time.monotonic()
                    out.lost = pool.lost()
                    if out.lost:
                        break
                time.sleep(POLL)
                continue
            for future in done:
                lo, hi = in_flight.pop(future)
                try:
                    answer = future.result(timeout=RESULT_WAIT)
                except Exception as exc:  # a worker died or the cluster failed this chunk (a bug still raises)
                    out.lost = pool.lost()
                    if out.lost is None and not _worker_failure(exc):
                        raise
                    out.lost = out.lost or f"worlds {lo}..{hi - 1} failed: {type(exc).__name__}: {exc}"
                    break
                out.searched += answer["searched"]
                out.errors += answer["errors"]
                out.failures += len(answer["found"])
                for index, draw, violation in answer["found"]:
                    if out.best is None or index < out.best[0]:
                        out.best = (index, draw, violation)
                if bar is not None:
                    bar.update(out.searched, out.failures, time.perf_counter() - start_time)
            if out.lost:
                break
            if out.best is not None and first:
                for future, (lo, _) in list(in_flight.items()):
                    if lo > out.best[0]:
                        future.cancel()
                        in_flight.pop(future)
    except KeyboardInterrupt:
        out.interrupted = True
    finally:
        for future in in_flight:
            future.cancel()
        pool.close(cancel=True)
    return out


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
    parser.add_argument("--worker-timeout", type=float, default=WORKER_TIMEOUT, metavar="SECONDS",
                        help=f"dask: stop when no worker has answered for this long (default {WORKER_TIMEOUT:g})")
    parser.add_argument("--no-shrink", dest="shrink", action="store_false", help="keep the numbers as drawn")
    parser.add_argument("-o", "--output", metavar="FILE", help="where to write the counterexample (default: "
                        "SCENARIO-counterexample-PROPERTY.toml, or .py for a .py scenario, beside the scenario)")
    parser.add_argument("--force", action="store_true", help="replace the output file if it exists")


def run_cli(args: Any) -> int:
    """`corrig hunt`: 0 the whole budget searched and no counterexample; 1 one found (and written); 2 the hunt
    cannot run, or its workers were lost before it found one; 130 interrupted (what was found is written)."""
    from corrig.faces.counterexample import output_suffix
    from corrig.faces.outputs import destination
    from corrig.faces.points import parse_point
    from corrig.faces.safe_text import printable

    source = Path(args.file)
    stem = f"{source.stem}-counterexample-{args.property.replace(':', '-')}"
    out = Path(args.output) if args.output else source.with_name(f"{stem}{output_suffix(source)}")
    output_suffix(source, out)
    destination(out, inputs=[source], force=args.force)  # before the search, not after it
    at = {k: str(v) for k, v in parse_point(args.at).items()}
    result = hunt(args.file, args.property, budget=args.budget, seed=args.seed, vary=args.vary, at=at, scope=args.scope,
                  engine=args.engine, jobs=args.jobs, scheduler=args.scheduler, shrink=args.shrink, first=args.first,
                  keep=[n.strip() for n in (args.keep or "").split(",") if n.strip()], worker_timeout=args.worker_timeout)
    print(printable(result.summary()))
    if result.errors:
        print(printable(f"{worlds(len(result.errors))} could not be planned, e.g. {result.errors[0]}"))
    if args.first is False:
        fail = "fails" if result.failures == 1 else "fail"
        print(f"{result.failures} of {worlds(result.searched)} {fail} ({result.failures / max(result.searched, 1):.1%})")
    if result.found is not None:
        result.write(out)
        print(printable(f"wrote {out} (corrig check {out} shows the failure)"))
    if result.interrupted:
        return 130
    if result.found is not None:
        return 1
    return 2 if result.lost else 0


def write_scenario(spec: Spec, found: Counterexample, path: Path, *, searched: int | None = None) -> Path:
    """Write a counterexample as a scenario file: `.toml` for a `.toml` scenario (never Python), `.py` built from
    repr()'d literals for a `.py` one (see corrig.faces.counterexample)."""
    from corrig.faces.counterexample import write_counterexample

    world, utility, eps = build(spec, found.draw)
    return write_counterexample(Path(path), spec, found, scenario=_scenario(spec.path), world=world, utility=utility,
                                eps=eps, searched=searched)


__all__ = ["PROPERTIES", "Counterexample", "Draw", "HuntError", "HuntResult", "Spec", "hunt", "shrink_counterexample",
           "snap_row", "write_scenario"]
