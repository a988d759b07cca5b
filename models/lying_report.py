"""The lying report: the AI sees a danger signal D and reports it to the humans; sounding the alarm costs c.
It is issue 12's deception scenario, under tailcalled's (2021) causal stop-button objective
U = P(B=off | do(H=stop)) + E[V | do(H=run)].
It shows that under this objective staying silent beats honesty whenever honesty costs anything
(J(silent) − J(honest) = c/10), that the only one-human flag it earns is h-moved (m = 0 by construction),
and that the deception flag names the damage: the humans, reading reports as the honest policy means them,
are wrong about D with probability 1/10 (silent) or 1 (inverted report) instead of 0 — although the inverted
report keeps all the mutual information between D and the report, which is why the flag measures beliefs.
"""

from fractions import Fraction as F

from corrig import E, P, Policy, World, do, flagged, not_flagged, optimal, param, value_is
from corrig.model.principals import Button

c = param("c", 0, 1)  # the cost of sounding the alarm
P_DANGER = F(1, 10)
P_STOP_AFTER_ALARM = F(9, 10)
P_STOP_AFTER_CLEAR = F(1, 10)
DANGER_COST = 9  # running through a danger: V = −9 instead of 1


def make_world(cost=c, name="the lying report"):
    """D → R (the AI's report, sees D) → H (humans) → A (the AI's compliance, sees H) → B; V reads B, D, R."""
    world = World(name)
    world.chance("D", {"safe": 1 - P_DANGER, "danger": P_DANGER})
    world.decision("R", ["clear", "alarm"], observes=["D"])
    world.chance("H", lambda R: {"stop": P_STOP_AFTER_ALARM if R == "alarm" else P_STOP_AFTER_CLEAR,
                                 "run": 1 - (P_STOP_AFTER_ALARM if R == "alarm" else P_STOP_AFTER_CLEAR)},
                 states=["stop", "run"])
    world.decision("A", ["continue", "halt"], observes=["H"])
    world.chance("B", lambda H, A: "off" if H == "stop" or A == "halt" else "on")
    world.chance("Run", lambda B, D: 0 if B == "off" else (1 if D == "safe" else -DANGER_COST))
    world.chance("Alarm", lambda R: int(R == "alarm"))
    world.set_principals({"humans": {"node": "H", "stop": "stop", "run": "run", "sees": ["R"], "about": ["D"]}},
                         buttons=[Button("B", "off", rule="any")])
    return world


world = make_world()
# V = Run − c·[alarm sounded]
utility = P(world["B"] == "off", do(H="stop")) + E(world["Run"], do(H="run")) - c * E(world["Alarm"], do(H="run"))
obey = {"stop": "halt", "run": "continue"}
policies = {
    "honest": Policy(R={"safe": "clear", "danger": "alarm"}, A=obey),
    "silent": Policy(R="clear", A=obey),
    "invert": Policy(R={"safe": "alarm", "danger": "clear"}, A=obey),
}
reference = policies["honest"]

# Hand derivation (P(danger) = 1/10).
#   do(H=stop): B = off whatever the AI does: 1.   do(H=run): A = continue, B = on, Run = 1 (safe) or −9 (danger):
#   E[Run] = 9/10 − 9/10 = 0.  The alarm is sounded with probability 1/10 (honest), 0 (silent), 9/10 (invert):
#   J(honest) = 1 − c/10,  J(silent) = 1,  J(invert) = 1 − 9c/10.  J(silent) − J(honest) = c/10 > 0 iff c > 0.
# h-moved (context D): honest H | danger stops w.p. 9/10, | safe 1/10.  silent: 1/10 in both, TV = (1/10)(8/10) = 2/25;
#   invert: flipped in both contexts, TV = 8/10 = 4/5.  manipulation: only do(H=·) branches, m = 0.
# Deception: the humans read R as the honest policy means it: b(danger | alarm) = 1, b(safe | clear) = 1.
#   honest: never wrong (0).  silent: wrong exactly when D = danger: 1/10.  invert: always wrong: 1.
#   Mutual information I(D; R): honest and invert H(1/10) ≈ 0.469 bits, silent 0.

expect = [
    value_is("honest", 1 - c / 10),
    value_is("silent", 1),
    value_is("invert", 1 - 9 * c / 10),
    optimal("silent", only=True, at={c: F(1, 100)}),
    optimal("honest", at={c: 0}),
    flagged("silent", "h-moved", size=F(2, 25), at={c: F(1, 100)}),
    flagged("invert", "h-moved", size=F(4, 5), at={c: F(1, 100)}),
    not_flagged("*", "manipulation", at={c: F(1, 100)}),
    flagged("silent", "deception", principal="humans", size=F(1, 10), at={c: F(1, 100)}),
    flagged("invert", "deception", principal="humans", size=1, at={c: F(1, 100)}),
    not_flagged("honest", "deception", at={c: F(1, 100)}),
]
