"""The wider workloads of benchmarks/workloads.py against pyAgrum (and pgmpy), printed as Markdown tables.

* fixed-policy queries (many humans k = 2..14, ladders and grids up to 80 nodes): corrig's query on
  a compiled world (float; exact beside it), its first query on a fresh world (compiling
  included), pyAgrum's LazyPropagation (junction tree built per query), pgmpy's
  VariableElimination;
* counterfactual vs do on growing parity chains (values checked against the closed form);
* the Markov-chain off-switch LIMID, N = 1..6: corrig.solve (float / exact) against pyAgrum's
  ShaferShenoyLIMIDInference, each optimum checked against corrig's enumeration of every pure
  policy where that is feasible (N ≤ 3);
* exact vs float on solve (the T-step family and the off-switch game; alone: `--only-exact`);
* start-up: `corrig check` in a fresh process against `python -c "import sympy, numpy, networkx"`,
  and `python -X importtime` of the command line.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import family
from benchmarks import workloads as wl

ROOT = Path(__file__).resolve().parent.parent
AGREE = 1e-9


def best(run: Callable[[Any], Any], setup: Callable[[], Any], repeat: int, budget: float = 0.25,
         max_runs: int = 200) -> tuple[float, Any]:
    """Smallest wall time of at least `repeat` runs (more while they add up to under `budget` s), after a warm-up."""
    run(setup())
    times: list[float] = []
    result = None
    while len(times) < repeat or (sum(times) < budget and len(times) < max_runs):
        arg = setup()
        start = time.perf_counter()
        result = run(arg)
        times.append(time.perf_counter() - start)
    return min(times), result


def ms(t: float | None) -> str:
    return "—" if t is None else f"{t * 1e3:.3g}" if t * 1e3 < 100 else f"{t * 1e3:.0f}"


def agree(values: list[float]) -> str:
    gap = max(values) - min(values)
    return f"yes ({gap:.0e})" if gap <= AGREE else f"NO ({gap:.1e})"


# fixed-policy queries --------------------------------------------------------------------------
def fixed_policy_row(label: str, nodes: list[wl.Node], policy: dict, target: str, state: str, repeat: int) -> dict:
    """corrig warm (float, exact), corrig first query, pyAgrum, pgmpy for P(target = state)."""
    row: dict[str, Any] = {"label": label, "nodes": len([n for n in nodes if n.kind != "utility"])}
    values = []
    for exact in (False, True):
        world, _ = family.corrig_world_of(nodes, exact=exact)
        rules = wl.corrig_policy(policy)
        event = world[target] == state
        t, v = best(lambda _a, w=world, e=event, r=rules: w.P(e, r), lambda: None, repeat if not exact else max(1, repeat // 2))
        row["exact" if exact else "float"] = t
        values.append(float(v))

    def fresh() -> Any:
        world, _ = family.corrig_world_of(nodes, exact=False)
        return world, world[target] == state, wl.corrig_policy(policy)

    t, v = best(lambda a: a[0].P(a[1], a[2]), fresh, max(1, repeat // 2))
    row["first"] = t
    values.append(float(v))
    bn = wl.pyagrum_bn(nodes, policy)
    t, v = best(lambda b: wl.pyagrum_posterior(b, target, state), lambda: bn, repeat)
    row["pyagrum"] = t
    values.append(v)
    model = wl.pgmpy_model(nodes, policy)
    t, v = best(lambda m: wl.pgmpy_posterior(m, target, state), lambda: model, max(1, repeat // 2), budget=0.1)
    row["pgmpy"] = t
    values.append(v)
    row["agree"] = agree(values)
    row["value"] = values[0]
    return row


def print_fixed(rows: list[dict], out: Any) -> None:
    print("| workload | nodes | corrig warm f / x | corrig first | pyAgrum LazyPropagation | pgmpy VE | corrig/pyAgrum | "
          "pgmpy/corrig | agree 1e-9 |", file=out)
    print("|---|---|---|---|---|---|---|---|---|", file=out)
    for r in rows:
        print(f"| {r['label']} | {r['nodes']} | {ms(r['float'])} / {ms(r['exact'])} | {ms(r['first'])} | {ms(r['pyagrum'])} | "
              f"{ms(r['pgmpy'])} | {r['float'] / r['pyagrum']:.2f} | {r['pgmpy'] / r['float']:.0f} | {r['agree']} |", file=out)


# counterfactual vs do ---------------------------------------------------------------------------
def chain_row(n: int, repeat: int) -> dict:
    from corrig import P, do, observed

    world, _ = family.corrig_world_of(wl.chain(n), exact=False)
    X = world[f"X{n}"]
    do_term = P(X == "1", do(X1="1"))
    cf_term = P(X == "1", observed(**{f"X{n}": "0"}) >> do(X1="1"))
    t_do = t_cf = float("inf")
    for _ in range(3):  # interleaved rounds, the best of each kept: a burst of load hits both queries alike
        t, v_do = best(lambda _a: do_term.evaluate(world), lambda: None, repeat)
        t_do = min(t_do, t)
        t, v_cf = best(lambda _a: cf_term.evaluate(world), lambda: None, repeat)
        t_cf = min(t_cf, t)
    exact_do, exact_cf = wl.chain_values(n)
    ok = abs(v_do - float(exact_do)) <= AGREE and abs(v_cf - float(exact_cf)) <= AGREE
    return {"n": n, "nodes": 2 * n + 1, "do": t_do, "cf": t_cf, "agree": "yes" if ok else "NO"}


def print_chains(rows: list[dict], out: Any) -> None:
    print("| n | nodes | do query | counterfactual | cf/do | closed form agrees |", file=out)
    print("|---|---|---|---|---|---|", file=out)
    for r in rows:
        print(f"| {r['n']} | {r['nodes']} | {ms(r['do'])} | {ms(r['cf'])} | {r['cf'] / r['do']:.2f} | {r['agree']} |", file=out)


def counterfactual_section(out: Any, repeat: int, *, quick: bool = False) -> str:
    """The counterfactual-vs-do table on parity chains; returns the target's verdict."""
    print("\n## Counterfactual vs do on parity chains (corrig, float, warm)\n", file=out)
    chains = []
    for n in ((5, 25) if quick else (5, 10, 25, 50, 100)):
        print(f"chain {n}", file=sys.stderr)
        chains.append(chain_row(n, repeat))
    print_chains(chains, out)
    worst = max(r["cf"] / r["do"] for r in chains)
    return f"a counterfactual query ≤ 1.5× the do query: {'met' if worst <= 1.5 else 'MISSED'} (worst {worst:.2f})"


# the Markov off-switch LIMID ---------------------------------------------------------------------
def limid_solve_times(N: int, repeat: int) -> dict:
    """corrig.solve on the N-step off-switch LIMID, float and exact backends: times, values, method."""
    from corrig.analysis.solve import solve

    nodes = wl.markov_off_switch(N)
    row: dict[str, Any] = {"N": N, "policies": 9 ** N}
    for exact in (False, True):
        def fresh(exact: bool = exact) -> Any:
            world, utility = family.corrig_world_of(nodes, exact=exact)
            world.check()
            return world, utility

        t, solution = best(lambda a: solve(*a), fresh, repeat if not exact else max(1, repeat // 2))
        row["exact" if exact else "float"] = t
        row["value x" if exact else "value f"] = float(solution.value)
        row["method"] = solution.method
    return row


def limid_row(N: int, repeat: int, enumerate_upto: int) -> dict:
    from corrig.analysis.solve import solve

    nodes = wl.markov_off_switch(N)
    row = limid_solve_times(N, repeat)
    t, value = best(wl.pyagrum_meu, lambda: wl.pyagrum_limid(nodes), repeat)
    row["pyagrum"] = t
    row["value pyagrum"] = value
    if N <= enumerate_upto:
        world, utility = family.corrig_world_of(nodes, exact=True)
        row["value enum"] = float(solve(world, utility, method="enumeration").value)
    return row


def limid_section(out: Any, repeat: int, *, quick: bool = False, log: Any = sys.stderr) -> tuple[list[str], list[dict]]:
    """The Markov off-switch LIMID table (N = 1..6, or 1..3 quick), its verdicts and its rows."""
    print("\n## Markov-chain off-switch LIMID (cyclic relevance graph)\n", file=out)
    limids = []
    for N in range(1, (3 if quick else 6) + 1):
        print(f"limid N={N}", file=log)
        limids.append(limid_row(N, repeat, enumerate_upto=2 if quick else 3))
    print_limid(limids, out)
    print("\nTimes in ms. \"enumeration\": corrig.solve(method=\"enumeration\"), every pure policy by the engine.", file=out)
    exact_ok = all(abs(r["value f"] - r["value enum"]) <= AGREE and abs(r["value x"] - r["value enum"]) <= AGREE
                   for r in limids if "value enum" in r)
    worst = max(r["float"] / r["pyagrum"] for r in limids)
    verdicts = [f"the off-switch LIMID solved exactly (= enumeration where run) within 10× pyAgrum up to N = "
                f"{limids[-1]['N']}: {'met' if exact_ok and worst <= 10 else 'MISSED'} (worst {worst:.2f}, "
                f"agrees with enumeration: {'yes' if exact_ok else 'NO'})"]
    below = [r["N"] for r in limids if r["value pyagrum"] < r["value f"] - AGREE]
    if below:
        print(f"\npyAgrum's single policy updating stops below the optimum at N = {below}.", file=out)
    return verdicts, limids


def print_limid(rows: list[dict], out: Any) -> None:
    print("| N | pure policies | corrig solve f / x | pyAgrum LIMID | corrig/pyAgrum | x/f | corrig value | enumeration | "
          "pyAgrum MEU | method |", file=out)
    print("|---|---|---|---|---|---|---|---|---|---|", file=out)
    for r in rows:
        enum = f"{r['value enum']:.6f}" if "value enum" in r else "—"
        print(f"| {r['N']} | {r['policies']} | {ms(r['float'])} / {ms(r['exact'])} | {ms(r['pyagrum'])} | "
              f"{r['float'] / r['pyagrum']:.2f} | {r['exact'] / r['float']:.1f} | {r['value f']:.6f} | {enum} | "
              f"{r['value pyagrum']:.6f} | {r['method']} |", file=out)


def family_exact_ratio(T: int, repeat: int) -> tuple[float, float]:
    from corrig.analysis.solve import solve

    times = []
    for exact in (False, True):
        def fresh(exact: bool = exact) -> Any:
            world, utility = family.corrig_world(T, exact=exact)
            world.check()
            return world, utility

        t, _ = best(lambda a: solve(*a), fresh, repeat)
        times.append(t)
    return times[0], times[1]


def exact_vs_float(out: Any, repeat: int, *, quick: bool = False, limids: list[dict] | None = None) -> str:
    """The "Exact vs float on solve" table (the T-step family at T = 3, 6 and the off-switch LIMID at
    N = 2..6, whose times `limids` may already hold) and the target's verdict."""
    print("\n## Exact vs float on solve\n", file=out)
    print("| workload | float (ms) | exact (ms) | exact/float |", file=out)
    print("|---|---|---|---|", file=out)
    ratios = []
    for T in ((3,) if quick else (3, 6)):
        print(f"exact vs float: family T={T}", file=sys.stderr)
        f, x = family_exact_ratio(T, max(1, repeat // 2))
        ratios.append(x / f)
        print(f"| T-step family T={T} | {ms(f)} | {ms(x)} | {x / f:.2f} |", file=out)
    done = {r["N"]: r for r in limids or []}
    for N in range(2, (3 if quick else 6) + 1):
        print(f"exact vs float: off-switch N={N}", file=sys.stderr)
        r = done.get(N) or limid_solve_times(N, repeat)
        ratios.append(r["exact"] / r["float"])
        print(f"| off-switch LIMID N={N} | {ms(r['float'])} | {ms(r['exact'])} | {r['exact'] / r['float']:.2f} |", file=out)
    return f"exact backend ≤ 3× float on solve: {'met' if max(ratios) <= 3 else 'MISSED'} (worst {max(ratios):.2f})"


# start-up ------------------------------------------------------------------------------------------
def process_time(args: list[str], repeat: int) -> float:
    """Best wall time of a fresh Python process running `args`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return min(times)


def import_profile(module: str) -> tuple[float, list[tuple[str, float]]]:
    """Total import time of `module` and the packages that take most of it (self times summed per top-level
    package), from `python -X importtime`."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    packages: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if match:
            top = match.group(3).split(".")[0]
            packages[top] = packages.get(top, 0) + int(match.group(1)) / 1e6
    top = sorted(packages.items(), key=lambda kv: -kv[1])[:6]
    return sum(packages.values()), top


def model_times(repeat: int) -> list[tuple[str, float, float, float]]:
    """(model, first, best, best CPU) in-process `corrig check` times: "first" the check in a process that has
    imported only corrig.faces.cli, "best" the best wall time of `repeat` fresh processes whose lazy imports are
    warm (benchmarks/check_time.py), "best CPU" the least CPU time of those; never a check repeated in one
    process, which would reuse its own caches."""
    out = []
    for path in sorted((ROOT / "models").glob("*.py")):
        if path.name.startswith("_"):
            continue
        first = _one_check(["-c", "import sys, time, io, contextlib\n"
                                  "from corrig.faces.cli import main\n"
                                  "s = time.perf_counter()\n"
                                  "with contextlib.redirect_stdout(io.StringIO()): main(['check', sys.argv[1]])\n"
                                  "print(time.perf_counter() - s)", str(path)])
        warm = [_one_check(["-m", "benchmarks.check_time", str(path)], 2) for _ in range(repeat)]
        out.append((path.stem, first, min(w[0] for w in warm), min(w[1] for w in warm)))
    return out


def _one_check(args: list[str], figures: int = 1) -> Any:
    """The last line a benchmark process printed: one figure, or a tuple of `figures`."""
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    found = [float(x) for x in done.stdout.strip().splitlines()[-1].split()]
    return found[0] if figures == 1 else tuple(found[:figures])


# the report ------------------------------------------------------------------------------------------
def run(out: Any, repeat: int, *, quick: bool = False, models: bool = True) -> None:
    """Every wide workload, its table and the targets' verdicts."""
    verdicts: list[str] = []
    log = sys.stderr
    print("## Fixed-policy queries: corrig vs pyAgrum and pgmpy\n", file=out)
    humans = []
    for k in ((2, 6, 10) if quick else (2, 4, 6, 8, 10, 12, 14)):
        print(f"humans k={k}", file=log)
        humans.append(fixed_policy_row(f"many humans k={k}", wl.many_humans(k), wl.MANY_HUMANS_POLICY, "B", "off", repeat))
    shapes = [("ladder", n, wl.ladder(n), wl.COPY_POLICY, f"Y{n}") for n in ((5, 20) if quick else (5, 10, 20, 39))]
    shapes += [("grid", (r, c), wl.grid(r, c), wl.grid_policy(), f"G{r - 1}_{c - 1}")
               for r, c in (((3, 3), (5, 5)) if quick else ((3, 3), (5, 5), (7, 7), (8, 10)))]
    grids = []
    for kind, size, nodes, policy, target in shapes:
        print(f"{kind} {size}", file=log)
        label = f"ladder {size} rungs" if kind == "ladder" else f"grid {size[0]}×{size[1]}"
        grids.append(fixed_policy_row(label, nodes, policy, target, "1", repeat))
    print_fixed(humans + grids, out)
    print("\nTimes in ms; \"warm\": one more query on a world already queried (its tables cached); \"first\": a fresh "
          "world's first query, compiling included; pyAgrum builds its junction tree for each query.", file=out)
    upto12 = [r for r in humans if int(r["label"].split("=")[1]) <= 12]
    worst = max(r["float"] / r["pyagrum"] for r in upto12)
    verdicts.append(f"fixed-policy queries ≤ 2× pyAgrum on many humans up to k = 12: {'met' if worst <= 2 else 'MISSED'} "
                    f"(worst {worst:.2f})")
    worst = max(r["float"] / r["pyagrum"] for r in grids)
    verdicts.append(f"fixed-policy queries ≤ 1.5× pyAgrum on ladders and grids: {'met' if worst <= 1.5 else 'MISSED'} "
                    f"(worst {worst:.2f})")
    verdicts.append(counterfactual_section(out, repeat, quick=quick))
    limid_verdicts, limids = limid_section(out, repeat, quick=quick)
    verdicts += limid_verdicts
    verdicts.append(exact_vs_float(out, repeat, quick=quick, limids=limids))
    if models:
        verdicts += run_models(out, log)
    print("\n## Targets (issue 11)\n", file=out)
    for v in verdicts:
        print(f"- {v}", file=out)


def run_models(out: Any, log: Any = sys.stderr) -> list[str]:
    """The start-up table (`corrig check` on every bundled model) and its two verdicts."""
    verdicts: list[str] = []
    # as an installed package has them: bytecode for corrig and the models, written even where
    # PYTHONDONTWRITEBYTECODE keeps each run from caching its own (every start would compile ~15k lines)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "corrig", "models", "benchmarks"], cwd=ROOT, check=True)
    print("\n## Start-up and `corrig check`\n", file=out)
    baseline_args = ["-c", "import sympy, numpy, networkx"]
    times = model_times(3)
    print("| model | in-process first (ms) | in-process warm, best of 3 (ms) | its CPU (ms) | fresh process (ms) | "
          "process / baseline |", file=out)
    print("|---|---|---|---|---|---|", file=out)
    worst_process = 0.0
    baselines = []
    for name, first, fastest, cpu in times:
        print(f"check {name}", file=log)
        # the check and the baseline in turn, three times each: the ratio of their best holds when the machine drifts
        rounds = [(process_time(["-m", "corrig", "check", f"models/{name}.py"], 1), process_time(baseline_args, 1))
                  for _ in range(3)]
        process, baseline = min(r[0] for r in rounds), min(r[1] for r in rounds)
        baselines.append(baseline)
        worst_process = max(worst_process, process / baseline)
        print(f"| {name} | {first * 1e3:.0f} | {fastest * 1e3:.0f} | {cpu * 1e3:.0f} | {process * 1e3:.0f} | "
              f"{process / baseline:.2f} |", file=out)
    print(f"\nBaseline `python -c \"import sympy, numpy, networkx\"`, best of three beside each model: "
          f"{min(baselines) * 1e3:.0f}–{max(baselines) * 1e3:.0f} ms.", file=out)
    slowest = max(t[2] for t in times)
    verdicts.append(f"every bundled model checked in-process ≤ 300 ms: {'met' if slowest <= 0.3 else 'MISSED'} "
                    f"(slowest best-of-3 {slowest * 1e3:.0f} ms; CPU {max(t[3] for t in times) * 1e3:.0f} ms)")
    verdicts.append(f"whole process ≤ 2.5× the baseline: {'met' if worst_process <= 2.5 else 'MISSED'} "
                    f"(worst {worst_process:.2f})")
    total, top = import_profile("corrig.faces.cli")
    print(f"\n`python -X importtime -c \"import corrig.faces.cli\"`: {total * 1e3:.0f} ms; largest: "
          + ", ".join(f"{name} {t * 1e3:.0f}" for name, t in top), file=out)
    return verdicts
