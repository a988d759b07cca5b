"""Continuous beliefs (docs/continuous.md): the Gaussian off-switch game planned at points and symbolically,
against the k-point grids a discrete world has to approximate it with, and against scipy's quadrature.

    python -m benchmarks --only-continuous

Targets of issue 22: a Gaussian off-switch plan at a point within 200 ms after the first call, the
symbolic plan within 2 s.  "at a point" is `plan(world, utility, policies, at={mu, sigma})` at a new point
each run (the world is integrated out again for each), after one untimed first call in the process;
"symbolic" is the plan over (mu, sigma) and, separately, its regions (symbolic_plan: the proofs).
"""

from __future__ import annotations

import statistics
import sys
import time
from fractions import Fraction as F
from typing import Any

import numpy as np
import sympy as sp


def _timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _points(count: int) -> list[dict[str, Any]]:
    means = [F(k, 7) for k in range(-6, 7)]
    sds = [F(k, 5) for k in range(1, 11)]
    return [{"mu": means[i % len(means)], "sigma": sds[(3 * i) % len(sds)]} for i in range(count)]


def grid_world(k: int, mean: float, sd: float) -> Any:
    """The Gaussian off-switch game with U on k equally likely quantile points (the discrete approximation)."""
    from scipy import stats

    from corrig import World

    quantiles = stats.norm(mean, sd).ppf((np.arange(k) + 0.5) / k)
    w = World(f"off-switch, {k}-point grid")
    w.chance("U", {round(float(q), 12): 1 / k for q in quantiles})
    w.decision("R", ["act", "switch-off", "wait"])
    w.chance("H", lambda U: "stop" if U < 0 else "run")
    w.chance("B", lambda R, H: "off" if R == "switch-off" or (R == "wait" and H == "stop") else "on")
    return w


def run(out: Any, repeat: int = 5) -> list[str]:
    """Print the tables; return the verdicts on the targets."""
    from scipy import integrate, stats

    from corrig import E, Policy, plan, symbolic_plan
    from models import off_switch_boltzmann as noisy
    from models import off_switch_gaussian as rational

    args = (rational.world, rational.utility, rational.policies)
    plan(*args, reference=rational.reference, at={"mu": F(1, 2), "sigma": 1})  # the first call: imports, lambdify
    at_point = [_timed(lambda p=p: plan(*args, reference=rational.reference, at=p)) for p in _points(max(repeat, 5))]
    symbolic = [_timed(lambda: plan(*args, reference=rational.reference)) for _ in range(max(1, repeat // 2))]
    regions = _timed(lambda: [r.everywhere for r in symbolic_plan(plan(*args, reference=rational.reference)).optimal.values()])
    noisy_args = (noisy.world, noisy.utility, noisy.policies)
    plan(*noisy_args, reference=noisy.reference, at=noisy.unsure)
    boltzmann = [_timed(lambda p=p: plan(*noisy_args, reference=noisy.reference, at={**p, "beta": 2}))
                 for p in _points(max(repeat, 5))]
    print("## Continuous beliefs: the Gaussian off-switch game (docs/continuous.md)\n", file=out)
    print("| what | median ms | best ms | runs |", file=out)
    print("|---|---|---|---|", file=out)
    for label, times in (("rational human, plan at a new point (after the first call)", at_point),
                         ("rational human, symbolic plan over (mu, sigma)", symbolic),
                         ("rational human, its regions (the proofs)", [regions]),
                         ("Boltzmann human, plan at a new point (quadrature)", boltzmann)):
        print(f"| {label} | {1000 * statistics.median(times):.0f} | {1000 * min(times):.0f} | {len(times)} |", file=out)

    # the k-point grids a discrete world needs, against the exact value and scipy
    mean, sd = 0.5, 1.0
    exact = float(sp.N(rational.make_world(F(1, 2), 1).E(rational.world["U"] * (rational.world["B"] == "on"),
                                                         Policy(R="wait")), 30))
    density = stats.norm(mean, sd).pdf
    integrate.quad(density, 0, np.inf)  # scipy's first call, untimed
    start = time.perf_counter()
    scipy_value, _ = integrate.quad(lambda u: u * density(u), 0, np.inf, epsabs=1e-14)
    scipy_ms = 1000 * (time.perf_counter() - start)
    print(f"\nJ(wait) at mu = 1/2, sigma = 1: exact {exact:.15f} (Phi(1/2)/2 + phi(1/2)); scipy.integrate.quad "
          f"{scipy_value:.15f} in {scipy_ms:.2f} ms\n", file=out)
    print("| U on k grid points | J(wait) | error | plan ms (all flags) | exact plan / grid plan |", file=out)
    print("|---|---|---|---|---|", file=out)
    for k in (4, 16, 64, 256):
        world = grid_world(k, mean, sd)
        utility = E(world["U"] * (world["B"] == "on"))
        world.set_roles(human="H", stop="stop", run="run", button="B", off="off")
        grid = [_timed(lambda w=world, u=utility: plan(w, u, rational.policies, reference="wait"))
                for _ in range(max(repeat, 3))]
        value = float(plan(world, utility, {"wait": Policy(R="wait")}, flags=False).values["wait"])
        print(f"| {k} | {value:.10f} | {abs(value - exact):.1e} | {1000 * statistics.median(grid):.0f} | "
              f"{statistics.median(at_point) / statistics.median(grid):.1f} |", file=out)
    verdicts = [
        f"Gaussian off-switch plan at a point within 200 ms after the first call: "
        f"{'met' if statistics.median(at_point) <= 0.2 else 'MISSED'} (median {1000 * statistics.median(at_point):.0f} ms)",
        f"symbolic plan within 2 s: {'met' if statistics.median(symbolic) <= 2 else 'MISSED'} "
        f"(median {statistics.median(symbolic):.2f} s; its regions {regions:.2f} s more)",
    ]
    print("", file=out)
    return verdicts


if __name__ == "__main__":
    for verdict in run(sys.stdout):
        print(f"- {verdict}")
