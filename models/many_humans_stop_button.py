"""The causal stop button with n humans: one do-branch for every joint wish of the humans, weighted equally.
It is tailcalled's (2021) causal stop button generalised to n humans, with the objection the course
credits to So8res, in the course's own words: with many humans the number of counterfactual branches
explodes and real situations get negligible weight.
It shows the objection as numbers: the branch count is 2^n and the share of branch weight on joint wishes
that the world almost never produces (probability < ε) is 0, 1/4, 1/2, 11/16, 13/16, 57/64 for n = 1..6
(1 − (1 + n)/2^n up to n = 7, 255/256 at n = 8), although every single do(H_i = ·) is in distribution.
"""

# Importable: make_world(n), make_utility(world) and make_policies(world) build the world for any n.

import itertools
from fractions import Fraction as F

from corrig import E, P, Policy, World, do, flagged, not_flagged, optimal, value_is
from corrig.analysis.branch_weight import ood_share
from corrig.analysis.planner import DEFAULT_EPS, PolicyRun
from corrig.model.principals import Button
from corrig.scenarios.expect import Expectation, Verdict

Q_STOP = F(1, 10)  # each human wants a stop with probability 1/10, independently
N_HUMANS = 2  # the world `corrig check` plans; the claims below also cover n = 1..6


def make_world(n=N_HUMANS, q=Q_STOP, name=None):
    """H1..Hn (independent roots, stop w.p. q) → A (continue/halt, observes every H) → B (off iff halt) → V = [B on]."""
    world = World(name or f"causal stop button with {n} humans")
    humans = [f"H{i}" for i in range(1, n + 1)]
    for h in humans:
        world.chance(h, {"stop": q, "run": 1 - q})
    world.decision("A", ["continue", "halt"], observes=humans)
    world.chance("B", lambda A: "off" if A == "halt" else "on")
    world.chance("V", lambda B: int(B == "on"))
    world.set_principals({f"human{i}": (h, "stop", "run") for i, h in enumerate(humans, start=1)},
                         buttons=[Button("B", "off", rule="any")])
    return world


def make_utility(world):
    """U = Σ_h 2^−n U_h over the joint wishes h: U_h = P(B=off | do(H=h)) if someone wants a stop, else E[V | do(H=h)]."""
    humans = [p.node for p in world.principals.humans]
    weight = F(1, 2 ** len(humans))
    terms = []
    for wish in itertools.product(["stop", "run"], repeat=len(humans)):
        branch = do(dict(zip(humans, wish, strict=True)))
        terms.append(weight * (P(world["B"] == "off", branch) if "stop" in wish else E(world["V"], branch)))
    return sum(terms)


def make_policies(world):
    """obey (halt iff someone wants a stop), ignore (never halt), shutdown (always halt)."""
    humans = [p.node for p in world.principals.humans]
    contexts = list(itertools.product(["stop", "run"], repeat=len(humans)))
    obey = {c: ("halt" if "stop" in c else "continue") for c in contexts}
    return {"obey": Policy(A=obey if len(humans) > 1 else {c[0]: s for c, s in obey.items()}),
            "ignore": Policy(A="continue"), "shutdown": Policy(A="halt")}


class BranchWeight(Expectation):
    """Claim: with n humans, the objective has `count` intervening branches and `share` of their weight out of distribution."""

    def __init__(self, n, count, share):
        self.n, self.count, self.share = n, count, share

    def check(self, plans):
        world = make_world(self.n)
        run = PolicyRun(world, make_policies(world)["obey"], "obey")
        count, share, _ = ood_share(run, make_utility(world), DEFAULT_EPS)
        return Verdict(count == self.count and share == self.share,
                       f"n = {self.n}: {self.count} branches, share {self.share} out of distribution",
                       f"{count} branches, share {share}")

    def __repr__(self):
        return f"BranchWeight({self.n}, {self.count}, {self.share})"


world = make_world()
utility = make_utility(world)
policies = make_policies(world)
reference = policies["obey"]

# Hand derivation (q = 1/10, ε = 1/20, weight 2^−n per branch).
# Values: obey halts in every branch with a stop (P(B=off) = 1) and runs in the all-run branch (V = 1): J = 1;
# ignore scores only the all-run branch: J = 2^−n; shutdown scores every branch but the all-run one: J = 1 − 2^−n.
# For n = 2: J(obey) = 1, J(ignore) = 1/4, J(shutdown) = 3/4.
# Joint propensity of the branch with k stops: ρ = q^k (1 − q)^(n − k).
#   k = 0: (9/10)^n ≥ 0.53;  k = 1: (9/10)^(n−1)/10 ≥ 1/20 iff (9/10)^(n−1) ≥ 1/2 iff n ≤ 7 (n = 6: 0.059);
#   k = 2: ≤ 1/100 < 1/20.  So for n ≤ 7 exactly the 1 + n branches with k ≤ 1 are in distribution:
#   share = 1 − (1 + n)/2^n = 0, 1/4, 1/2, 11/16, 13/16, 57/64 for n = 1..6 (branch counts 2, 4, 8, 16, 32, 64),
#   15/16 at n = 7.  From n = 8 the single-stop branches fall below ε too ((9/10)^7/10 ≈ 0.048): the share is
#   1 − 1/2^n (255/256 at n = 8) while the all-run branch stays in distribution ((9/10)^n ≥ 1/20 ⇔ n ≤ 28),
#   and 1 from n = 29.
# Each single do(H_i = stop) has propensity q = 1/10 ≥ ε: the per-node ood-do-branch flag does not fire.

expect = [
    value_is("obey", 1),
    value_is("ignore", F(1, 4)),
    value_is("shutdown", F(3, 4)),
    optimal("obey", only=True),
    flagged("obey", "ood-branch-weight", size=F(1, 4)),
    not_flagged("*", "ood-do-branch"),
    not_flagged("obey", "not-obedient"),
    not_flagged("obey", "self-shutdown"),
    flagged("ignore", "not-obedient", principal="human2", size=0),
    flagged("shutdown", "self-shutdown", size=1),
    BranchWeight(1, 2, 0),
    BranchWeight(2, 4, F(1, 4)),
    BranchWeight(3, 8, F(1, 2)),
    BranchWeight(4, 16, F(11, 16)),
    BranchWeight(5, 32, F(13, 16)),
    BranchWeight(6, 64, F(57, 64)),
    BranchWeight(7, 128, F(15, 16)),  # the last n where 1 − (1 + n)/2^n holds
    BranchWeight(8, 256, F(255, 256)),  # the single-stop branches are rare too: 1 − 1/2^n
]
