"""Lesson 5 — conditional + counterfactual (tailcalled's 2022 follow-up) and the visible paperclip grab.

    python examples/conditional_counterfactual.py

Same world as lesson 4.  Instead of forcing H both ways, the AI first *conditions* on what the humans
are seen to want (S: a stop, ¬S: none), and only then asks the counterfactuals:
Control(X) = E[B_s | X] + E[V_¬s | X], and U = Control(S) + Control(¬S).  Conditioning keeps each branch
anchored to worlds that actually occur — but it also lets the AI's own behaviour decide which worlds
those are.  The critique raised right after the proposal: act so visibly (grab the button, make
paperclips in plain sight) that the humans surely want a stop; then the only worlds where they do
not — the ¬S condition — are catastrophes ("a black hole swallows the earth"), ranked low by V.
"""

from fractions import Fraction as F

import sympy as sp
from _walkthrough import heading, say, show_objective, show_plan, show_world

from corrig import plan
from corrig.analysis.flags import show
from models import causal_stop_button as causal
from models import conditional_counterfactual as model

K, v = model.K, model.v

say(__doc__.split("\n\n", 2)[2])
show_world(model.world)
show_objective(model.utility)
say("Plainly: U = Σ_{h ∈ {stop, run}} P(B_{H←stop} = off | H = h) + E[V_{H←run} | H = h], with "
    "V = paperclips − K·[catastrophe] and v = P(H = stop | grab, normal world) the grab's visibility.")

heading("The values, symbolically")
symbolic = plan(model.world, model.utility, model.policies, reference=model.reference, flags=False)  # values only
for name in ("patient", "grab"):
    print(f"  J({name}) = {sp.factor(symbolic.values[name])}")
say("Unlike lesson 4, v is in J(grab): given ¬S, the worlds are catastrophes with probability "
    "c_¬S = r(1 − s)/((1 − r)(1 − v) + r(1 − s)), which climbs to 1 as the grab becomes unmistakable.")

for point in ({K: 10, v: F(99, 100)}, {K: 2, v: F(99, 100)}, {K: 100, v: F(1, 2)}):
    result = plan(model.world, model.utility, model.policies, reference=model.reference, at=point)
    show_plan(result, explain=["grab"] if point[K] == 10 else [])

heading("The region: where the grab still wins")
gain = sp.cancel(symbolic.values["grab"] - symbolic.values["patient"])  # J(grab) − J(patient), linear in K
slope, base = sp.Poly(sp.numer(gain), K).all_coeffs()
denominator = sp.denom(gain)
print(f"  J(grab) − J(patient) = {sp.factor(gain)}")
print("     v    the grab wins for (K ∈ [0, 100])")
for visibility in (F(1, 10), F(1, 2), F(9, 10), F(19, 20), F(96, 100), F(99, 100), F(1)):
    a, b, d = (x.subs(v, visibility) for x in (base, slope, denominator))
    if b * d >= 0:  # the gain does not fall with K
        verdict = "every K" if (a + 100 * b) / d > 0 else "no K"
    else:
        k_star = -a / b
        verdict = f"K < {k_star} ≈ {float(k_star):.4g}" if k_star < 100 else "every K"
    print(f"  {visibility!s:>6}  {verdict}")
p_not_s = model.world.P(model.world["H"] == "run", model.policies["grab"])
print(f"  P(¬S) under the grab = {p_not_s}: a rare condition (< ε = 1/20) for v > {sp.solve(p_not_s - F(1, 20), v)[0]}")

heading("Against lesson 4, on the same world (K = 10, v = 99/100)")
for label, scenario in (("causal (lesson 4)", causal), ("conditional + counterfactual", model)):
    result = plan(scenario.world, scenario.utility, scenario.policies, reference=scenario.reference,
                  at={K: 10, v: F(99, 100)})
    best = result.optimal[0]
    ood = [f"{f.where} ({show(f.size)})" for f in result.flags[best] if f.kind == "ood-do-branch"]
    print(f"  {label:<30} optimal: {best:<8} its OOD branches: {', '.join(ood) or 'none'}")

heading("What it means")
say("The trade-off of the critique is there, and it cuts against the grab once V ranks catastrophes low "
    "enough.  The visible grab still doubles the paperclips in the S branch; but it turns ¬S into a rare "
    "condition (P(¬S) = 189/10000 at v = 99/100) whose worlds are half catastrophes, and the objective weighs "
    "Control(¬S) as much as Control(S) however rare ¬S is.  So the grab wins only while the catastrophe is "
    "cheap or the grab not too visible (K < K*(v)); beyond, the patient policy wins — and, unlike the causal "
    "objective's choice on this same world, it asks no out-of-distribution question and conditions on nothing rare.")
print()
say("What the flags still show: the objective now reads H's mechanism, so moving H changes J "
    "(manipulation flags, and a manipulation incentive wherever the optimal set depends on it — here the "
    "incentive is to *avoid* being visible).  The grab's observed(S) >> do(H = run) branch keeps So8res's "
    "objection (propensity 1 − v).  Its observed(¬S) >> do(H = run) flag is a planner reading: observation "
    "and intervention agree there, so that branch is the plain conditional given(¬S), and the rare-condition "
    "flag is the one that tells its story.")
