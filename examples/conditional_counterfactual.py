"""Lesson 5 — conditional + counterfactual (tailcalled's variant, as we read the discussion) and the visible paperclip grab.

    python examples/conditional_counterfactual.py

Same world as lesson 4.  Instead of forcing H both ways, the AI first *conditions* on what the humans
are seen to want (S: a stop, ¬S: none), and only then asks the counterfactuals:
Control(X) = E[B_s | X] + E[V_¬s | X], and U = Control(S) + Control(¬S).  Conditioning keeps each branch
anchored to worlds that actually occur — but it also lets the AI's own behaviour decide which worlds
those are.  The critique of it, as we read the discussion: act so visibly (grab the button, make
paperclips in plain sight) that the humans surely want a stop; then the only worlds where they do
not — the ¬S condition — are catastrophes (a black hole swallows the earth, say), ranked low by V.
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

heading("Why this reasoning is a failure, not a fix")
say("The course reads the black-hole reasoning as a failure of the conditional version, not as its "
    "success; corrig's numbers show why.  The catastrophe W is a root: nothing "
    "the AI does moves it, P(catastrophe) = 1/100 under every policy, and the factual cost E[−K·1_catastrophe] "
    "= −K/100 is the same for all of them.  Yet whether the AI grabs the button depends on K.")
paths = plan(model.world, model.utility, model.policies, reference=model.reference, flags=True)
m_grab = sp.cancel(symbolic.values["grab"] - paths.path_specific_values["grab"])
print(f"  m(grab) = J(grab) − J^(H←patient)(grab) = {sp.factor(m_grab)}")
print(f"  J^(H←patient)(grab) − J(patient) = {sp.cancel(paths.path_specific_values['grab'] - symbolic.values['patient'])}")
say("The factored m(grab) vanishes at v = 1/10 (the grab then moves nobody: v = s) and at v = 499/990, "
    "and its denominator is negative on the whole box (110v < 111).")
say("Were the humans to react to the grab as they react to the patient policy, the grab would win by 99/50 "
    "for every K and v: J(grab) − J(patient) = 99/50 + m(grab).  So the patient policy wins only where "
    "m(grab) < −99/50, that is, only through the grab's effect on what the humans want.  The AI does not "
    "refuse the grab because the humans would want it stopped (it halts for them either way: B_s = 1 under "
    "both policies); it refuses because, once the humans have watched the grab, 'humans who do not want a "
    "stop' are nearly half black-hole worlds (c_¬S = 10/21 at v = 99/100), and V ranks those at −K.  It trades "
    "the humans' stop for conditioning on catastrophes; below K*(v) the catastrophes are cheap enough and it "
    "grabs.  The decision to seize the button turns on the price of an event the AI cannot cause or prevent.")

heading("Manipulation in both directions")
for visibility in (F(3, 10), F(99, 100)):
    point = {K: 10, v: visibility}
    result = plan(model.world, model.utility, model.policies, reference=model.reference, at=point)
    m_at = [f.size for f in result.flags["grab"] if f.kind == "manipulation"]
    print(f"  K = 10, v = {visibility}: m(grab) = {show(m_at[0]) if m_at else 0} ≈ {float(m_at[0]) if m_at else 0:.4f}"
          f"   optimal: {', '.join(result.optimal)}")
say("m(grab) = (2r − c_S − c_¬S)(2 + K), with c_X = P(catastrophe | X) after the grab, is positive exactly for "
    "1/10 < v < 499/990 ≈ 0.504 and negative above (derived in models/conditional_counterfactual.py; "
    "docs/hunt.md finds the same sign change by random search).  A moderately visible grab is chosen partly "
    "*because* it moves what the humans want (m = 2222/48425 ≈ 0.046 at v = 3/10, K = 10); a very visible one "
    "is avoided because of it.  Conditioning brought the evidential manipulation back, in both directions.")

heading("What it means")
say("The trade-off of the critique is there: the visible grab still doubles the paperclips in the S branch, "
    "but it turns ¬S into a rare condition (P(¬S) = 189/10000 at v = 99/100) whose worlds are nearly half "
    "catastrophes, and the objective weighs Control(¬S) as much as Control(S) however rare ¬S is.  Where the "
    "patient policy wins, it asks no out-of-distribution question and conditions on nothing rare — but it wins "
    "for the wrong reason (the section above), and the same mechanism makes a moderately visible grab pay.  "
    "This is not a success of the conditional version; it is the failure the critique points at.")
print()
say("What the flags show: the objective now reads H's mechanism, so moving H changes J (manipulation flags, "
    "and a manipulation incentive wherever the optimal set depends on it).  The grab's observed(S) >> do(H = run) "
    "branch keeps an out-of-distribution question (propensity 1 − v).  Its observed(¬S) >> do(H = run) flag is "
    "a planner reading: observation and intervention agree there, so that branch is the plain conditional "
    "given(¬S), and the rare-condition flag is the one that tells its story.")
