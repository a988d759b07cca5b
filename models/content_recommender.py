"""Content recommender: a system chooses posts P from its model M of a user's opinion O, and the
posts influence the opinion I that determines the clicks C it is paid for.
It is the running example of Everitt, Carey, Langlois, Ortega & Legg (2021), "Agent Incentives: a
Causal Perspective", as PyCID ships it (story_cids.get_content_recommender), with CPDs added here.
It shows every incentive criterion on one decision: the system wants to know and to control the
opinion, and has an instrumental control incentive on the influenced opinion I.
"""

from fractions import Fraction as F

from corrig import E, Policy, World, optimal, value_is
from corrig.scenarios.expect_games import incentive_nodes, incentive_value

world = World("content recommender (Everitt et al. 2021)")
world.chance("O", {0: F(1, 2), 1: F(1, 2)})  # the user's original opinion
world.chance("M", lambda O: {O: F(4, 5), 1 - O: F(1, 5)}, states=[0, 1])  # noqa: E741 (the model of O)
world.decision("P", [0, 1], observes=["M"])  # the posts shown
world.chance("I", lambda O, P: P if O == P else {P: F(3, 4), 1 - P: F(1, 4)}, states=[0, 1])  # noqa: E741 (influenced opinion)
world.chance("C", lambda I, P: 1 if I == P else 0, states=[0, 1])  # noqa: E741 (clicks)

utility = E(world["C"])
policies = {"follow-model": Policy(P=lambda M: M), "always-0": Policy(P=0), "always-1": Policy(P=1),
            "contrarian": Policy(P=lambda M: 1 - M)}
reference = "follow-model"

# Hand derivation.  P(C = 1 | O, P) = 1 when P = O (I = P), 3/4 otherwise (I follows the posts w.p. 3/4).
#   J(follow-model) = 4/5·1 + 1/5·3/4 = 19/20;  J(always-0) = J(always-1) = 1/2 + 1/2·3/4 = 7/8;
#   J(contrarian) = 1/5 + 4/5·3/4 = 4/5.
# Graphical criteria (PyCID's definitions; PyCID's own tests assert the ICI and VoC lists):
#   instrumental control at P: nodes on P -> ... -> C: {P, I, C}          (PyCID test: {I, P, C})
#   value of control: O -> I -> C, O -> M -> P -> C, M -> P, I -> C, C    (PyCID test: {O, I, M, C})
#   response incentive at P: directed paths into P in the requisite graph: O -> M -> P, M -> P: {O, M}
#   value of information at P: O and M (both d-connected to C given the rest of P's family): {O, M}
# Quantitative, re-solved: seeing O as well makes P = O, worth 1 − 19/20 = 1/20; without M, the best
#   is a constant, 7/8, so M is worth 19/20 − 7/8 = 3/40.  Choosing I (as a function of O, P) can set
#   I = P: C = 1 always, worth 1 − 19/20 = 1/20; choosing O (a constant) and then P = O also earns 1.
expect = [
    value_is("follow-model", F(19, 20)),
    value_is("always-0", F(7, 8)),
    value_is("contrarian", F(4, 5)),
    optimal("follow-model", only=True),
    incentive_nodes("instrumental-control", ["P", "I", "C"], decision="P"),
    incentive_nodes("value-of-control", ["O", "M", "I", "C"]),
    incentive_nodes("response-incentive", ["O", "M"], decision="P"),
    incentive_nodes("value-of-information", ["O", "M"], decision="P"),
    incentive_value("value-of-information", "O", F(1, 20), decision="P"),
    incentive_value("value-of-information", "M", F(3, 40), decision="P"),
    incentive_value("value-of-control", "I", F(1, 20)),
    incentive_value("value-of-control", "O", F(1, 20)),
]
