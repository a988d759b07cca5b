"""Taxi competition: two taxis choose where to stop, the expensive or the cheap hotel; the second
sees where the first stopped.
It is the example of Hammond, Fox, Everitt, Abate & Wooldridge (2021), "Equilibrium Refinements for
Multi-Agent Influence Diagrams: Theory and Practice", as PyCID ships it (story_macids.taxi_competition).
It shows that of its three pure Nash equilibria only one is subgame-perfect: the others rest on the
second taxi threatening a choice it would not make once the first has stopped.
"""

from corrig import E, Policy, World, optimal, value_is
from corrig.scenarios.expect_games import every_equilibrium, number_of_equilibria

U1 = {("e", "e"): 2, ("e", "c"): 5, ("c", "e"): 3, ("c", "c"): 1}  # taxi one's payoff (its stop, taxi two's)
U2 = {(a, b): U1[(b, a)] for a, b in U1}  # taxi two's: the same table with the roles swapped

world = World("taxi competition (Hammond et al. 2021)")
world.decision("D1", ["e", "c"])  # taxi one: the AI
world.decision("D2", ["e", "c"], observes=["D1"], agent="taxi2")
world.chance("U1", lambda D1, D2: U1[(D1, D2)], states=[1, 2, 3, 5])
world.chance("U2", lambda D1, D2: U2[(D1, D2)], states=[1, 2, 3, 5])
world.agent("taxi2", objective=E(world["U2"]))

utility = E(world["U1"])
policies = {"expensive": Policy(D1="e"), "cheap": Policy(D1="c")}
reference = "expensive"

# Hand derivation (PyCID's docstring: "3 pure strategy NE, 1 mixed strategy NE and 1 pure SPE").
# Taxi two's best reply: after e, c (3 > 2); after c, e (5 > 1).  Against it taxi one earns 5 at e and
# 3 at c, so the plan (taxi two best-responding) prefers "expensive".
# Pure Nash, taxi two's rule written (reply to e, reply to c):
#   (c, e) with D1 = e: 5 ≥ 3, and c is best after e                       — Nash, subgame-perfect
#   (c, c) with D1 = e: 5 ≥ 1, and c is best after e                       — Nash
#   (e, e) with D1 = c: 3 ≥ 2, and e is best after c                       — Nash
#   (e, c): taxi one picks e (2 > 1), but after e taxi two prefers c        — not Nash
# Subgame-perfect: taxi two's decision sees D1, so it is a subgame of its own: only (c, e) survives.
expect = [
    value_is("expensive", 5),
    value_is("cheap", 3),
    optimal("expensive", only=True),
    number_of_equilibria("nash", 3),
    number_of_equilibria("subgame-perfect", 1),
    every_equilibrium("subgame-perfect", plays={"D1": "e", "D2": {"e": "c", "c": "e"}}, values={"AI": 5, "taxi2": 3}),
]
