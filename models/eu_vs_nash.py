"""Expected utility against Nash bargaining between two value hypotheses that almost tie.
U1(1) = 1, U1(2) = 2, U2(1) = 2, U2(2) = 1, with P(U1) = 51/100: the example of a source discussion on
aggregating value hypotheses (issue 12).
It shows that expected-utility maximisation picks whichever hypothesis is slightly more probable (outcome 2,
151/100 against 149/100, and no mixture does better), while Nash bargaining between the hypotheses
(disagreement point 0) picks the 50–50 coin flip, product 9/4 against 2 for either pure outcome — a mixed
policy the planner finds exactly over the simplex of the two pure policies; maximin agrees with Nash here
(3/2), and the Nash product weighted by the hypotheses' probabilities moves the coin to 53/100.
"""

from fractions import Fraction as F

from corrig import E, World, given, not_optimal, optimal, plan, value_is
from corrig.objectives.aggregate import maximin, nash
from corrig.scenarios.expect import Expectation, Verdict

P_U1 = F(51, 100)


def make_world(p_u1=P_U1, name="EU vs Nash bargaining"):
    """U (which value hypothesis is true) and O (the AI's outcome, chosen blind) → Score = U_i(O)."""
    world = World(name)
    world.chance("U", {"u1": p_u1, "u2": 1 - p_u1})
    world.decision("O", [1, 2])
    world.chance("Score", lambda U, O: (O if U == "u1" else 3 - O))  # noqa: E741  (O: the outcome)
    return world


world = make_world()
score = world["Score"]
u1, u2 = E(score, given(U="u1")), E(score, given(U="u2"))  # each hypothesis' expected utility
expected_utility = E(score)
utility = nash([u1, u2], disagreement=[0, 0])
policies = None  # every pure policy: "O=1" and "O=2"
mixed = True  # and the best mixture of them
COIN = "mix(O=1: 1/2, O=2: 1/2)"


class BestMixture(Expectation):
    """Claim: under `objective`, the best mixture of O=1 and O=2 puts weight `weight` on O=2 and is worth `value`."""

    def __init__(self, label, objective, weight, value=None):
        self.label, self.objective, self.weight, self.value = label, objective, weight, value

    def check(self, plans):
        found = plan(world, self.objective, None, mixed=True, flags=False).mixture
        ok = found.weights["O=2"] == self.weight and (self.value is None or found.value == self.value)
        shown = f" worth {self.value}" if self.value is not None else ""
        return Verdict(ok, f"{self.label}: best mixture puts {self.weight} on O=2{shown}",
                       f"{found.name}, J = {found.value}")

    def __repr__(self):
        return f"BestMixture({self.label!r})"


# Hand derivation.  λ = the weight on outcome 2; E[U1] = 1 + λ, E[U2] = 2 − λ.
#   EU(λ) = (51/100)(1 + λ) + (49/100)(2 − λ) = 149/100 + λ/50: pure O=1 149/100, O=2 151/100, best at λ = 1.
#   Nash (d = 0): (1 + λ)(2 − λ); derivative 1 − 2λ = 0 at λ = 1/2: (3/2)(3/2) = 9/4 > 2 = 1·2 = 2·1 (either pure outcome).
#   Maximin: min(1 + λ, 2 − λ), largest where 1 + λ = 2 − λ: λ = 1/2, value 3/2 (pure outcomes: 1).
#   Weighted Nash (weights 51/100, 49/100): d/dλ [51/100 ln(1 + λ) + 49/100 ln(2 − λ)] = 0
#   ⇔ 51(2 − λ) = 49(1 + λ) ⇔ λ = 53/100.

expect = [
    value_is("O=1", 2),
    value_is("O=2", 2),
    value_is(COIN, F(9, 4)),
    optimal(COIN, only=True),
    not_optimal("O=2"),
    BestMixture("expected utility", expected_utility, 1, F(151, 100)),
    BestMixture("Nash bargaining", utility, F(1, 2), F(9, 4)),
    BestMixture("maximin", maximin([u1, u2]), F(1, 2), F(3, 2)),
    BestMixture("Nash weighted by P(U)", nash([u1, u2], weights=[P_U1, 1 - P_U1]), F(53, 100)),
]
