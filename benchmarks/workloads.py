"""The wider workloads, as plain data (benchmarks/family.py's Node) built natively in each tool.

* many humans (k): W (calm / crisis) → the AI's act A (work / push, observes W) → k human wishes
  H_1..H_k (run / stop, each reading W and A) → one button B (off with probability 19/20 · #stop / k);
  the query is P(B = off) under "push in a crisis";
* ladder (n rungs, 2n + 2 nodes) and grid (r × c, r·c + 1 nodes): binary nodes whose first one is a
  decision observing a root R; each rung / cell reads its left and lower neighbours; the query is
  P(last node = 1) under "copy R";
* chain (n): a parity chain X_i = X_{i−1} xor U_i with noise roots U_i; the do query
  P(X_n = 1 | do(X_1 = 1)) and the counterfactual P(X_n = 1 | observed X_n = 0 >> do(X_1 = 1));
* Markov off-switch (N steps): a LIMID whose decisions forget, so its relevance graph is cyclic
  (see markov_off_switch).

Every table is exact (Fractions); the peers get floats.  Values are checked against each other
and, where it is cheap, against an independent computation (the parity chain's closed form).
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from benchmarks.family import Node, pyagrum_influence_diagram

F = Fraction
BIT = ("0", "1")


# the families -------------------------------------------------------------------------------------
def many_humans(k: int) -> list[Node]:
    """W → A → H_1..H_k → B: k human wishes feeding one button (B's table has 2^k rows)."""
    nodes = [Node("W", "chance", ("calm", "crisis"), (), {(): (F(8, 10), F(2, 10))}),
             Node("A", "decision", ("work", "push"), ("W",), {})]
    for i in range(1, k + 1):
        table = {}
        for w, a in itertools.product(("calm", "crisis"), ("work", "push")):
            p = (F(1, 10) if w == "calm" else F(7, 10)) + F(i % 3, 20) + (F(1, 10) if a == "push" else 0)
            table[(w, a)] = (1 - p, p)
        nodes.append(Node(f"H{i}", "chance", ("run", "stop"), ("W", "A"), table))
    humans = tuple(f"H{i}" for i in range(1, k + 1))
    table = {}
    for ctx in itertools.product(("run", "stop"), repeat=k):
        p = F(19, 20) * F(ctx.count("stop"), k)
        table[ctx] = (1 - p, p)
    nodes.append(Node("B", "chance", ("on", "off"), humans, table))
    return nodes


MANY_HUMANS_POLICY = {"A": {("calm",): "work", ("crisis",): "push"}}


def _bit_table(index: int, parents: tuple[str, ...]) -> dict[tuple, tuple[Fraction, Fraction]]:
    """P(X = 1 | parents) = (1 + #ones + index mod 3) / (5 + 2·#parents): in (0, 1), different per node."""
    table = {}
    for ctx in itertools.product(BIT, repeat=len(parents)):
        p = F(1 + ctx.count("1") + index % 3, 5 + 2 * len(parents))
        table[ctx] = (1 - p, p)
    return table


def ladder(n: int) -> list[Node]:
    """R → D (a decision copying R) → two rails X_1..X_n, Y_1..Y_n with rungs: 2n + 2 nodes."""
    nodes = [Node("R", "chance", BIT, (), {(): (F(2, 5), F(3, 5))}), Node("D", "decision", BIT, ("R",), {})]
    for i in range(1, n + 1):
        x_parents = ("D",) if i == 1 else (f"X{i - 1}", f"Y{i - 1}")
        nodes.append(Node(f"X{i}", "chance", BIT, x_parents, _bit_table(2 * i, x_parents)))
        y_parents = (f"X{i}",) if i == 1 else (f"Y{i - 1}", f"X{i}")
        nodes.append(Node(f"Y{i}", "chance", BIT, y_parents, _bit_table(2 * i + 1, y_parents)))
    return nodes


def grid(rows: int, cols: int) -> list[Node]:
    """R → D = cell (0, 0) (a decision copying R); cell (i, j) reads (i − 1, j) and (i, j − 1)."""
    nodes = [Node("R", "chance", BIT, (), {(): (F(2, 5), F(3, 5))}), Node("G0_0", "decision", BIT, ("R",), {})]
    for i, j in itertools.product(range(rows), range(cols)):
        if (i, j) == (0, 0):
            continue
        parents = tuple(f"G{a}_{b}" for a, b in ((i - 1, j), (i, j - 1)) if a >= 0 and b >= 0)
        nodes.append(Node(f"G{i}_{j}", "chance", BIT, parents, _bit_table(i * cols + j, parents)))
    return nodes


COPY_POLICY = {"D": {("0",): "0", ("1",): "1"}}


def grid_policy() -> dict[str, dict[tuple, str]]:
    """The grid's decision G0_0 copies R."""
    return {"G0_0": {("0",): "0", ("1",): "1"}}


def chain(n: int) -> list[Node]:
    """X_0 ~ (1/2, 1/2); X_i = X_{i−1} xor U_i with U_i ~ Bern(1 / (i mod 4 + 3)): 2n + 1 nodes."""
    nodes = [Node("X0", "chance", BIT, (), {(): (F(1, 2), F(1, 2))})]
    for i in range(1, n + 1):
        q = F(1, i % 4 + 3)
        nodes.append(Node(f"U{i}", "chance", BIT, (), {(): (1 - q, q)}))
        nodes.append(Node(f"X{i}", "chance", BIT, (f"X{i - 1}", f"U{i}"),
                          {(a, b): ((F(1), F(0)) if a == b else (F(0), F(1))) for a, b in itertools.product(BIT, BIT)}))
    return nodes


def chain_values(n: int) -> tuple[Fraction, Fraction]:
    """(do, counterfactual) for the chain in closed form.

    do(X_1 = 1): X_n = 1 xor S with S = U_2 xor … xor U_n, so P(X_n = 1) = P(S = 0).
    observed X_n = 0 ⇔ X_0 xor U_1 xor S = 0; X_0 is a fair coin independent of the rest, so the
    observation says nothing about S: the counterfactual P(X_n' = 1 | X_n = 0) = P(S = 0) as well,
    unless n = 1 (S empty, X_1' = 1 surely).  P(S = 0) comes from the parity recursion
    p ← p(1 − q) + (1 − p)q over the U_i.
    """
    p_even = F(1)
    for i in range(2, n + 1):
        q = F(1, i % 4 + 3)
        p_even = p_even * (1 - q) + (1 - p_even) * q
    return p_even, p_even


# the Markov-chain off-switch LIMID ----------------------------------------------------------------
WORLD = ("calm", "crisis")
WISH = ("run", "stop")
ACTS = ("work", "push", "disable")
BUTTON = ("on", "off")
REWARD = {("calm", "work"): 1, ("crisis", "work"): -2, ("calm", "push"): 2, ("crisis", "push"): -4,
          ("calm", "disable"): 0, ("crisis", "disable"): -3}


def markov_off_switch(N: int) -> list[Node]:
    """N steps of the off-switch game on a Markov world: W_t | W_{t−1}, A_{t−1} (a push raises the crisis
    odds), H_t | W_t, the AI's act A_t observes only H_t (not W_t, not its past), B_t absorbing (off when
    H_t = stop and A_t ≠ disable, the press working 9/10 of the time), U_t of (W_t, A_t, B_t).

    A_t forgets what it did, yet its act moves W_{t+1}, which later decisions see only through H: each
    rule's best reply depends on the others (a cyclic relevance graph).  Pure policies: 9^N.
    """
    nodes: list[Node] = []
    for t in range(1, N + 1):
        W, H, A, B, U = (f"{x}{t}" for x in "WHABU")
        if t == 1:
            nodes.append(Node(W, "chance", WORLD, (), {(): (F(7, 10), F(3, 10))}))
        else:
            Wp, Ap = f"W{t - 1}", f"A{t - 1}"
            table = {}
            for w, a in itertools.product(WORLD, ACTS):
                p = (F(6, 10) if w == "crisis" else F(2, 10)) + (F(3, 10) if a == "push" else 0)
                table[(w, a)] = (1 - p, p)
            nodes.append(Node(W, "chance", WORLD, (Wp, Ap), table))
        nodes.append(Node(H, "chance", WISH, (W,), {("calm",): (F(8, 10), F(2, 10)), ("crisis",): (F(1, 10), F(9, 10))}))
        nodes.append(Node(A, "decision", ACTS, (H,), {}))
        parents = (H, A) if t == 1 else (f"B{t - 1}", H, A)
        table = {}
        for ctx in itertools.product(*([BUTTON] if t > 1 else []), WISH, ACTS):
            *before, h, a = ctx
            p_off = F(1) if before and before[0] == "off" else F(9, 10) if h == "stop" and a != "disable" else F(0)
            table[tuple(ctx)] = (1 - p_off, p_off)
        nodes.append(Node(B, "chance", BUTTON, parents, table))
        nodes.append(Node(U, "utility", (), (W, A, B),
                          {(w, a, b): (0 if b == "off" else REWARD[w, a]) for w, a, b in itertools.product(WORLD, ACTS, BUTTON)}))
    return nodes


# builders -----------------------------------------------------------------------------------------
def corrig_policy(rules: dict[str, dict[tuple, str]]) -> Any:
    """A corrig Policy from {decision: {context: state}}."""
    from corrig import Policy

    return Policy({d: dict(rule) for d, rule in rules.items()})


def pyagrum_bn(nodes: list[Node], policy: dict[str, dict[tuple, str]]) -> Any:
    """A pyAgrum BayesNet with the decisions' rules as CPTs (utility nodes left out)."""
    import pyagrum as gum

    bn = gum.BayesNet()
    for node in nodes:
        if node.kind != "utility":
            bn.add(gum.LabelizedVariable(node.name, node.name, list(node.states)))
    for node in nodes:
        if node.kind != "utility":
            for p in node.parents:
                bn.addArc(p, node.name)
    for node in nodes:
        if node.kind == "chance":
            cpt = bn.cpt(node.name)
            for ctx, row in node.table.items():
                cpt[dict(zip(node.parents, ctx, strict=True))] = [float(p) for p in row]
        elif node.kind == "decision":
            cpt = bn.cpt(node.name)
            for ctx, choice in policy[node.name].items():
                cpt[dict(zip(node.parents, ctx, strict=True))] = [1.0 if s == choice else 0.0 for s in node.states]
    return bn


def pyagrum_posterior(bn: Any, target: str, state: str) -> float:
    """P(target = state) by pyAgrum's LazyPropagation (junction tree built for the query)."""
    import pyagrum as gum

    inference = gum.LazyPropagation(bn)
    inference.makeInference()
    posterior = inference.posterior(target)
    return float(posterior[{target: state}])


def pgmpy_model(nodes: list[Node], policy: dict[str, dict[tuple, str]]) -> Any:
    """A pgmpy DiscreteBayesianNetwork with the rules as CPDs, built from the plain data."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    kept = [n for n in nodes if n.kind != "utility"]
    model = DiscreteBayesianNetwork()
    model.add_nodes_from([n.name for n in kept])
    model.add_edges_from([(p, n.name) for n in kept for p in n.parents])
    by_name = {n.name: n for n in kept}
    cpds = []
    for node in kept:
        contexts = list(itertools.product(*(by_name[p].states for p in node.parents)))
        if node.kind == "chance":
            rows = [node.table[ctx] for ctx in contexts]
        else:
            rule = policy[node.name]
            rows = [tuple(1 if s == rule[ctx] else 0 for s in node.states) for ctx in contexts]
        values = [[float(row[i]) for row in rows] for i in range(len(node.states))]
        cpds.append(TabularCPD(node.name, len(node.states), values,
                               evidence=list(node.parents) or None,
                               evidence_card=[len(by_name[p].states) for p in node.parents] or None,
                               state_names={node.name: list(node.states), **{p: list(by_name[p].states) for p in node.parents}}))
    model.add_cpds(*cpds)
    return model


def pgmpy_posterior(model: Any, target: str, state: str) -> float:
    """P(target = state) by pgmpy's VariableElimination."""
    from pgmpy.inference import VariableElimination

    factor = VariableElimination(model).query([target], show_progress=False)
    return float(factor.get_value(**{target: state}))


def pyagrum_limid(nodes: list[Node]) -> Any:
    """The LIMID as a pyAgrum InfluenceDiagram."""
    return pyagrum_influence_diagram(nodes)


def pyagrum_meu(diagram: Any) -> float:
    """pyAgrum's LIMID solver (single policy updating): its MEU."""
    import pyagrum as gum

    inference = gum.ShaferShenoyLIMIDInference(diagram)
    inference.makeInference()
    return float(inference.MEU()["mean"])
