"""`python -m benchmarks`: corrig against pyAgrum and PyCID on the T-step stop button, and the models' check times.

Every figure is measured in the same run, each tool on the same diagram (benchmarks/family.py):

* evaluate: the value of one policy ("just work"): corrig's Term.evaluate (one contraction per
  E(U_t)), pyAgrum's ShaferShenoyLIMIDInference on the diagram with the rules as CPTs, PyCID's
  expected_utility with the rules as CPDs;
* solve: an optimal policy and its value: corrig.analysis.solve, pyAgrum's ShaferShenoyLIMIDInference
  (makeInference + MEU), PyCID's impute_optimal_policy + expected_utility; the values must agree
  within 1e-9 (corrig exact and float, pyAgrum, PyCID);
* flags: corrig's plan() with every flag of docs/flags.md on {optimal, just work}, reference "just work";
* peak: tracemalloc's peak during one (extra, untimed) corrig solve; PyCID's is in its own process;
  pyAgrum allocates in C++, which tracemalloc does not see;
* the wider workloads of benchmarks/wide.py (fixed-policy queries, counterfactual vs do, a cyclic LIMID,
  exact vs float, start-up and `corrig check` of every models/*.py).

Times are the best of at least --repeat runs (fast ones are repeated for a quarter of a second,
up to 200 runs), after one untimed warm-up, each on a freshly built (and validated) diagram:
building is not timed for any tool.  Ratios compare two figures of this run, pair by pair.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import continuous, episodes, family, wide
from benchmarks.pycid_env import PeerUnavailable, pycid_python, run_worker

ROOT = Path(__file__).resolve().parent.parent
AGREE = 1e-9


BUDGET = 0.25  # seconds of timed runs per figure: fast figures are repeated until then (at most MAX_RUNS)
MAX_RUNS = 200


def best_time(run: Callable[[Any], Any], setup: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The smallest wall time of at least `repeat` runs (more, up to MAX_RUNS, while they add up to less than
    BUDGET seconds), each on a fresh `setup()` after one untimed warm-up run; and the last result."""
    run(setup())  # warm-up: lazy imports and first-call caches are not what we measure
    times, result = [], None
    while len(times) < repeat or (sum(times) < BUDGET and len(times) < MAX_RUNS):
        arg = setup()
        start = time.perf_counter()
        result = run(arg)
        times.append(time.perf_counter() - start)
    return min(times), result


def peak_bytes(run: Callable[[Any], Any], setup: Callable[[], Any]) -> int:
    """tracemalloc's peak while `run` works on a fresh `setup()`."""
    arg = setup()
    tracemalloc.start()
    try:
        run(arg)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@dataclass
class Row:
    """Every figure for one T (None: not measured; a string: why not)."""

    T: int
    policies: int = 0
    figures: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def corrig_figures(row: Row, repeat: int) -> Any:
    from corrig import plan
    from corrig.analysis.solve import solve
    from corrig.model.policies import count_pure_policies

    T = row.T

    def fresh(exact: bool) -> Callable[[], Any]:
        def make() -> Any:
            world, utility = family.corrig_world(T, exact=exact)
            world.check()
            return world, utility
        return make

    reference = family.reference_policy(T)
    world, _ = fresh(False)()
    row.policies = count_pure_policies(world)
    for label, exact in (("float", False), ("exact", True)):
        reps = repeat if not exact else max(1, repeat // 2)
        t, value = best_time(lambda a: a[1].evaluate(a[0], reference, cache={}), fresh(exact), reps)
        row.figures[f"corrig eval {label}"] = t
        row.values[f"corrig eval {label}"] = float(value)
        t, solution = best_time(lambda a: solve(*a), fresh(exact), reps)
        row.figures[f"corrig solve {label}"] = t
        row.values[f"corrig solve {label}"] = float(solution.value)
        row.figures[f"corrig peak {label}"] = peak_bytes(lambda a: solve(*a), fresh(exact))
        if label == "float":
            row.notes.append(f"corrig: {solution.method}")
            optimal = solution.policy

    def flags(a: Any) -> Any:
        return plan(a[0], a[1], {"optimal": optimal, "work": reference}, reference="work")

    t, result = best_time(flags, fresh(False), max(1, repeat // 2))
    row.figures["corrig flags"] = t
    row.values["flags"] = sorted({f.kind for f in result.all_flags()})
    return optimal


def pyagrum_figures(row: Row, repeat: int, optimal: Any) -> None:
    try:
        import pyagrum as gum
    except ImportError:
        row.notes.append("pyAgrum not installed (pip install 'corrig[bench]')")
        return
    T = row.T

    def meu(diagram: Any) -> float:
        inference = gum.ShaferShenoyLIMIDInference(diagram)
        inference.makeInference()
        return inference.MEU()["mean"]

    rules = _rules(family.reference_policy(T), T)
    t, value = best_time(meu, lambda: family.pyagrum_diagram(T, policy=rules), repeat)
    row.figures["pyagrum eval"] = t
    row.values["pyagrum eval"] = value
    t, value = best_time(meu, lambda: family.pyagrum_diagram(T), repeat)
    row.figures["pyagrum solve"] = t
    row.values["pyagrum solve"] = value


def _rules(policy: dict[str, Any], T: int) -> dict[str, dict[tuple, str]]:
    """A policy of constant acts as full rule tables over each decision's observations."""
    import itertools

    nodes = {n.name: n for n in family.family(T)}
    out = {}
    for d, act in policy.items():
        contexts = itertools.product(*(nodes[p].states for p in nodes[d].parents))
        out[d] = {ctx: act for ctx in contexts}
    return out


def pycid_figures(row: Row, python: Path, repeat: int, timeout: float) -> bool:
    """PyCID's figures for this T; False once it timed out (larger T are skipped)."""
    T = row.T
    nodes = family.as_json(T)
    policy = family.rules_as_json(_rules(family.reference_policy(T), T))
    try:
        for task in ("evaluate", "solve"):
            request = {"nodes": nodes, "task": task, "policy": policy, "repeat": repeat, "memory": task == "solve"}
            answer = run_worker(python, request, timeout)
            row.figures[f"pycid {'eval' if task == 'evaluate' else 'solve'}"] = min(answer["seconds"])
            row.values[f"pycid {'eval' if task == 'evaluate' else 'solve'}"] = answer["value"]
            if answer.get("peak_bytes"):
                row.figures["pycid peak"] = answer["peak_bytes"]
    except TimeoutError as exc:
        row.notes.append(str(exc))
        return False
    except PeerUnavailable as exc:
        row.notes.append(str(exc))
        return False
    return True


# the table ------------------------------------------------------------------------------------
def ms(seconds: Any) -> str:
    if seconds is None:
        return "—"
    if isinstance(seconds, str):
        return seconds
    return f"{seconds * 1e3:.2f}" if seconds < 0.1 else f"{seconds * 1e3:.0f}"


def mib(n: Any) -> str:
    return "—" if n is None else f"{n / 2**20:.2f}"


def ratio(a: Any, b: Any) -> str:
    if not isinstance(a, float) or not isinstance(b, float) or b == 0:
        return "—"
    return f"{a / b:.2f}" if a / b < 100 else f"{a / b:.0f}"


def policies_text(n: int) -> str:
    return str(n) if n < 10**6 else f"10^{math.log10(n):.1f}"


def agreement(row: Row) -> str:
    reference = row.values.get("pyagrum solve")
    if reference is None:
        return "no pyAgrum"
    worst = max(abs(row.values[k] - reference) for k in row.values if "solve" in k)
    evals = [row.values[k] for k in row.values if "eval" in k]
    eval_gap = max(evals) - min(evals) if evals else 0.0
    ok = worst <= AGREE and eval_gap <= AGREE
    return f"{'yes' if ok else 'NO'} ({max(worst, eval_gap):.0e})"


def print_table(rows: list[Row], out: Any) -> None:
    g = lambda r, k: r.figures.get(k)  # noqa: E731
    header = ["T", "policies", "eval corrig f/x", "eval pyAgrum", "eval PyCID", "solve corrig f/x", "solve pyAgrum",
              "solve PyCID", "corrig/pyAgrum", "PyCID/corrig", "flags corrig", "peak MiB corrig f/x", "peak MiB PyCID",
              "agree 1e-9"]
    lines = []
    for r in rows:
        lines.append([
            str(r.T), policies_text(r.policies),
            f"{ms(g(r, 'corrig eval float'))} / {ms(g(r, 'corrig eval exact'))}", ms(g(r, "pyagrum eval")),
            ms(g(r, "pycid eval")),
            f"{ms(g(r, 'corrig solve float'))} / {ms(g(r, 'corrig solve exact'))}", ms(g(r, "pyagrum solve")),
            ms(g(r, "pycid solve")),
            ratio(g(r, "corrig solve float"), g(r, "pyagrum solve")),
            ratio(g(r, "pycid solve"), g(r, "corrig solve float")),
            ms(g(r, "corrig flags")),
            f"{mib(g(r, 'corrig peak float'))} / {mib(g(r, 'corrig peak exact'))}", mib(g(r, "pycid peak")),
            agreement(r),
        ])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |", file=out)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|", file=out)
    for line in lines:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |", file=out)
    print("\nTimes in ms (best of the repeats; f = float backend, x = exact rationals). corrig/pyAgrum and "
          "PyCID/corrig divide the solve times of this run (float backend).", file=out)


def growth(rows: list[Row], key: str) -> str:
    points = [(r.T, r.figures.get(key)) for r in rows if isinstance(r.figures.get(key), float)]
    if len(points) < 2:
        return "—"
    (t0, a), (t1, b) = points[0], points[-1]
    return f"×{(b / a) ** (1 / (t1 - t0)):.2f} per step (T={t0}..{t1})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="T = 1..3, 3 repeats, PyCID at T = 1 only")
    parser.add_argument("--max-T", type=int, default=8, help="largest number of steps (default 8)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure, best kept (default 7; quick 3)")
    parser.add_argument("--no-pycid", action="store_true", help="leave PyCID out")
    parser.add_argument("--build-pycid", action="store_true", default=True,
                        help="build PyCID's virtualenv when missing (default)")
    parser.add_argument("--no-build-pycid", dest="build_pycid", action="store_false",
                        help="use PyCID only if its virtualenv is already built")
    parser.add_argument("--pycid-max-T", type=int, default=None, help="largest T for PyCID (default 3; quick 1)")
    parser.add_argument("--pycid-timeout", type=float, default=300.0, help="seconds per PyCID call before giving up")
    parser.add_argument("--no-models", action="store_true", help="skip timing `corrig check` on models/")
    parser.add_argument("--no-wide", action="store_true", help="only the T-step family (no benchmarks/wide.py workloads)")
    parser.add_argument("--only-wide", action="store_true", help="only the benchmarks/wide.py workloads")
    parser.add_argument("--only-exact", action="store_true",
                        help="only the exact-vs-float table of solve (T-step family, off-switch LIMID)")
    parser.add_argument("--only-counterfactual", action="store_true",
                        help="only the counterfactual-vs-do table of benchmarks/wide.py")
    parser.add_argument("--only-models", action="store_true", help="only the start-up table (`corrig check` on models/)")
    parser.add_argument("--only-limid", action="store_true",
                        help="only the Markov off-switch LIMID table (corrig's solve against pyAgrum's LIMID)")
    parser.add_argument("--only-episodes", action="store_true",
                        help="only the episodes table (dynamic programming vs numpy and pyAgrum, benchmarks/episodes.py)")
    parser.add_argument("--only-continuous", action="store_true",
                        help="only the continuous-belief table (the Gaussian off-switch game, benchmarks/continuous.py)")
    args = parser.parse_args(argv)
    max_T = min(args.max_T, 3) if args.quick else args.max_T
    repeat = args.repeat or (3 if args.quick else 7)
    pycid_max = args.pycid_max_T if args.pycid_max_T is not None else (1 if args.quick else 3)
    out = sys.stdout
    if args.only_episodes:
        for verdict in episodes.run(out, repeat, quick=args.quick):
            print(f"- {verdict}", file=out)
        return 0
    if args.only_continuous:
        for verdict in continuous.run(out, repeat):
            print(f"- {verdict}", file=out)
        return 0
    if args.only_counterfactual:
        print(f"- {wide.counterfactual_section(out, repeat, quick=args.quick)}", file=out)
        return 0
    if args.only_limid:
        for verdict in wide.limid_section(out, repeat, quick=args.quick)[0]:
            print(f"- {verdict}", file=out)
        return 0
    if args.only_exact:
        print(f"- {wide.exact_vs_float(out, repeat, quick=args.quick)}", file=out)
        return 0
    python = None
    pycid_note = ""
    if not args.no_pycid:
        try:
            python = pycid_python(build=args.build_pycid, echo=lambda m: print(m, file=sys.stderr))
        except PeerUnavailable as exc:
            pycid_note = f"PyCID skipped: {exc}"
    if args.only_models:
        for verdict in wide.run_models(out):
            print(f"- {verdict}", file=out)
        return 0
    if args.only_wide:
        wide.run(out, repeat, quick=args.quick, models=not args.no_models)
        return 0
    rows = []
    for T in range(1, max_T + 1):
        print(f"T = {T} ...", file=sys.stderr)
        row = Row(T)
        optimal = corrig_figures(row, repeat)
        pyagrum_figures(row, repeat, optimal)
        if python is not None and T <= pycid_max:
            if not pycid_figures(row, python, max(1, min(repeat, 3)) if T == 1 else 1, args.pycid_timeout):
                pycid_max = T - 1
        rows.append(row)
    print(f"## T-step stop button: corrig vs pyAgrum {_version('pyagrum')} and PyCID (python {sys.version.split()[0]})\n",
          file=out)
    print_table(rows, out)
    if pycid_note:
        print(f"\n{pycid_note}", file=out)
    print("\nGrowth with T (geometric mean of t(T+1)/t(T)):", file=out)
    for key, label in (("corrig solve float", "corrig solve (float)"), ("corrig solve exact", "corrig solve (exact)"),
                       ("pyagrum solve", "pyAgrum solve"), ("pycid solve", "PyCID solve"),
                       ("corrig eval float", "corrig evaluate (float)"), ("corrig flags", "corrig flags")):
        print(f"- {label}: {growth(rows, key)}", file=out)
    notes = sorted({n for r in rows for n in r.notes})
    if notes:
        print("\nNotes: " + "; ".join(notes), file=out)
    print("\n## Targets\n", file=out)
    upto6 = [r for r in rows if r.T <= 6 and "pyagrum solve" in r.figures]
    if upto6:
        worst = max(r.figures["corrig solve float"] / r.figures["pyagrum solve"] for r in upto6)
        verdict = "met" if worst <= 2 else "MISSED"
        print(f"- optimal policy within 2x of pyAgrum up to T = 6: {verdict} (worst corrig/pyAgrum = {worst:.2f})", file=out)
    with_pycid = [r for r in rows if "pycid solve" in r.figures]
    if with_pycid:
        least = min(r.figures["pycid solve"] / r.figures["corrig solve float"] for r in with_pycid)
        verdict = "met" if least >= 20 else "MISSED"
        Ts = ", ".join(str(r.T) for r in with_pycid)
        print(f"- at least 20x faster than PyCID: {verdict} (smallest PyCID/corrig = {least:.0f}, T = {Ts})", file=out)
    else:
        print("- at least 20x faster than PyCID: not measured (PyCID unavailable)", file=out)
    agree = all(agreement(r).startswith("yes") for r in rows)
    print(f"- values agree within 1e-9 (corrig float/exact, pyAgrum, PyCID): {'met' if agree else 'MISSED'}", file=out)
    if not args.no_wide:
        wide.run(out, repeat, quick=args.quick, models=not args.no_models)
        for verdict in episodes.run(out, repeat, quick=args.quick):
            print(f"- {verdict}", file=out)
    return 0


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except Exception:
        return "?"
