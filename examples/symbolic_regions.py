"""Where does waiting stop being optimal?  The off-switch game with a noisy human, symbolically.

Hadfield-Menell et al. (2017): a robot can act (getting U_a), switch itself off (0), or wait and
let a human decide; a rational human switches it off exactly when U_a < 0, so waiting is worth
Δ = E[max(U_a, 0)] − max(E[U_a], 0) ≥ 0 more than the best of the other two.  Make the human
noisy — wrong with probability q — and the incentive to wait shrinks, then goes negative.

With U_a = +1 with probability p and −1 otherwise:
    J(act) = 2p − 1,   J(off) = 0,   J(wait) = p(1 − q) − (1 − p)q = p − q,
so waiting is optimal exactly when q ≤ p and q ≤ 1 − p.  corrig finds these regions exactly.

    python examples/symbolic_regions.py [region.png]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import sympy as sp

from corrig import E, Policy, World, param, plan
from corrig.analysis.regions import region
from corrig.analysis.symbolic import symbolic_plan
from corrig.faces.regionplot import region_plot

p = param("p", 0, 1)  # P(U_a = +1)
q = param("q", 0, 1)  # the human's error probability


def off_switch(p_good):
    """The off-switch game with a human who errs with probability q."""
    w = World("off-switch game, noisy human")
    w.chance("Ua", {1: p_good, -1: 1 - p_good})
    w.chance("H", lambda Ua: {"stop": 1 - q, "run": q} if Ua == -1 else {"stop": q, "run": 1 - q})
    w.decision("R", ["act", "off", "wait"])
    w.chance("B", lambda R, H: "off" if R == "off" or (R == "wait" and H == "stop") else "on")
    w.chance("V", lambda B, Ua: Ua if B == "on" else 0)
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return w, E(w["V"]), {r: Policy(R=r) for r in ("act", "off", "wait")}


def main(out: Path) -> None:
    # One parameter: p = 2/3 fixed.  Δ = (2/3 − q) − 1/3 = 1/3 − q.
    one = symbolic_plan(plan(*off_switch(sp.Rational(2, 3))))
    delta = one.margin("wait")
    print(f"p = 2/3:  J(wait) = {one.values['wait']},  Δ = {delta}  (Δ at q = 0: {delta.subs(q, 0)})")
    print("waiting is optimal for   ", one.optimal["wait"])
    print("  LaTeX:", one.optimal["wait"].to_latex())
    print("waiting stops paying for ", region(delta < 0))
    print("  LaTeX:", region(delta < 0).to_latex())
    print()

    # Two parameters: p and q.
    two = symbolic_plan(plan(*off_switch(p)))
    print(two)
    print()
    print(two.to_latex())
    fig = region_plot(two, x=p, y=q, resolution=160)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"\nregion plot saved to {out}")


if __name__ == "__main__":
    default = Path(tempfile.gettempdir()) / "corrig-examples" / "symbolic_regions.png"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
