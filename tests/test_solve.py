"""corrig.analysis.solve: optimal policies by single policy updates, checked against enumeration and pyAgrum.

Random small influence diagrams (hypothesis): 3-7 nodes over int states {0, 1} or {0, 1, 2}, one
to three decisions observing up to two earlier nodes (or, in the perfect-recall variant, every
earlier decision and what it saw), Fraction or float CPDs with zeros, and an objective that is a
random weighted sum of E(X), P(X == s), do(...) on chance nodes and given(...) on events whose
probability the policy cannot move.  References:

* exhaustive enumeration: the largest J(π) over `pure_policies`, each J(π) by the engine
  (exactly equal for Fractions, within 1e-9 for floats), and J(solution.policy) == solution.value;
* pyAgrum 3.3.1's ShaferShenoyLIMIDInference on the same diagram (factual objectives; a utility
  node per additive piece): MEU within 1e-9, on diagrams with perfect recall (no-forgetting arcs
  drawn explicitly on both sides) and on those whose relevance graph corrig finds acyclic.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from corrig import E, P, Policy, World, do, observed
from corrig import given as given_
from corrig.analysis import limid
from corrig.analysis.solve import SolveError, has_perfect_recall, relevance_graph, solve
from corrig.model.errors import QueryError, ZeroProbabilityCondition
from corrig.model.policies import count_pure_policies, pure_policies

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


# random influence diagrams ------------------------------------------------------------------
def random_world(seed: int, *, nodes: int, decisions: int, recall: bool, exact: bool, zeros: bool = True) -> World:
    """A random world: node i may read any earlier node; decisions observe up to two earlier nodes."""
    rng = random.Random(seed)
    names = [f"X{i}" for i in range(nodes)]
    decision_at = set(rng.sample(range(nodes), min(decisions, nodes)))
    w = World(f"random {seed}")
    states: dict[str, tuple[int, ...]] = {}
    earlier_decisions: list[str] = []
    for i, name in enumerate(names):
        k = rng.choice((2, 2, 3))
        states[name] = tuple(range(k))
        before = names[:i]
        if i in decision_at:
            seen = rng.sample(before, min(len(before), rng.randint(0, 2)))
            if recall:
                seen = list(dict.fromkeys([*seen, *earlier_decisions,
                                           *(p for d in earlier_decisions for p in w.nodes[d].parents)]))
                seen = [n for n in before if n in seen]
            w.decision(name, states[name], observes=seen)
            earlier_decisions.append(name)
            continue
        parents = rng.sample(before, min(len(before), rng.randint(0, 2)))
        parents = [n for n in before if n in parents]
        table = {}
        for ctx in itertools.product(*(states[p] for p in parents)):
            table[ctx] = _row(rng, k, exact, zeros)
        w.chance(name, table if parents else table[()], parents=parents, states=states[name])
    return w


def _row(rng: random.Random, k: int, exact: bool, zeros: bool) -> dict[int, object]:
    weights = [rng.choice((0, 1, 2, 3, 5)) if zeros else rng.randint(1, 5) for _ in range(k)]
    if sum(weights) == 0:
        weights[rng.randrange(k)] = 1
    total = sum(weights)
    return {s: (Fraction(x, total) if exact else x / total) for s, x in enumerate(weights)}


def random_objective(seed: int, world: World, *, branches: bool):
    """A weighted sum of 1-4 atoms over the world's chance and decision nodes."""
    rng = random.Random(seed + 1)
    names = list(world.nodes)
    chance = [n for n in names if not world.nodes[n].is_decision]
    decisions = set(world.decisions)
    total = None
    for _ in range(rng.randint(1, 4)):
        weight = rng.choice((1, 2, -1, Fraction(1, 2), 3))
        a, b = rng.sample(names, 2) if len(names) > 1 else (names[0], names[0])
        va, vb = world[a], world[b]
        if rng.random() < 0.5:
            atom_target = va + 2 * vb if rng.random() < 0.5 else va * vb - 1
            make = E
        else:
            atom_target = va == rng.choice(va.states)
            make = P
        parts = []
        if branches and chance and rng.random() < 0.4:
            x = rng.choice(chance)
            parts.append(do({x: rng.choice(world[x].states)}))
        if branches and rng.random() < 0.3:
            free = [n for n in chance if not decisions & set(_ancestors(world, n))]
            if free:
                c = rng.choice(free)
                forced = dict(parts[0].assignment) if parts else {}
                if c not in forced:
                    parts.append(given_(world[c] == rng.choice(world[c].states)))
        term = weight * make(atom_target, *parts)
        total = term if total is None else total + term
    return total


def _ancestors(world: World, name: str) -> list[str]:
    import networkx as nx

    return list(nx.ancestors(world.compiled.graph, name))


def enumerate_best(world: World, utility):
    best = None
    for policy in pure_policies(world):
        try:
            v = utility.evaluate(world, policy, cache={})
        except ZeroProbabilityCondition:
            continue
        if best is None or v > best:
            best = v
    return best


def same(a, b, exact: bool) -> bool:
    if exact:
        return sp.nsimplify(a) == sp.nsimplify(b) if isinstance(a, float) or isinstance(b, float) else a == b
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))


def defined(world: World, utility) -> bool:
    try:
        utility.evaluate(world, next(iter(pure_policies(world))), cache={})
    except ZeroProbabilityCondition:
        return False
    return True


@given(seed=st.integers(0, 2**31), nodes=st.integers(3, 6), decisions=st.integers(1, 3), recall=st.booleans(),
       exact=st.booleans(), branches=st.booleans())
@settings(max_examples=80, **SETTINGS)
def test_solve_agrees_with_enumeration(seed, nodes, decisions, recall, exact, branches):
    world = random_world(seed, nodes=nodes, decisions=decisions, recall=recall, exact=exact)
    if count_pure_policies(world) > 256:
        event("too many policies to enumerate")
        return
    utility = random_objective(seed, world, branches=branches)
    try:
        solution = solve(world, utility)
    except SolveError as exc:
        assert "undefined" in str(exc)
        return
    except QueryError:
        return  # a random given() that contradicts its do(): not the solver's concern
    best = enumerate_best(world, utility)
    event(f"compared ({solution.method})")
    assert same(solution.value, best, exact), (solution, best)
    assert same(utility.evaluate(world, solution.policy, cache={}), solution.value, exact)
    if has_perfect_recall(world) and solution.method != "enumeration":
        assert solution.method == "backward-induction"


@given(seed=st.integers(0, 2**31), nodes=st.integers(4, 7), decisions=st.integers(2, 3))
@settings(max_examples=40, **SETTINGS)
def test_perfect_recall_is_backward_induction(seed, nodes, decisions):
    world = random_world(seed, nodes=nodes, decisions=decisions, recall=True, exact=True)
    assert has_perfect_recall(world)
    utility = random_objective(seed, world, branches=True)
    try:
        solution = solve(world, utility, method="backward-induction")
    except QueryError:
        return
    except SolveError as exc:
        assert "probability 0" in str(exc)
        return
    assert solution.method == "backward-induction"
    assert all(len(group) == 1 for group in solution.order)
    if count_pure_policies(world) <= 256:
        assert solution.value == enumerate_best(world, utility)


# pyAgrum ------------------------------------------------------------------------------------
def to_pyagrum(world: World, pieces):
    """The world as a pyAgrum InfluenceDiagram with one utility node per additive piece."""
    gum = pytest.importorskip("pyagrum")
    diagram = gum.InfluenceDiagram()
    for name in world.compiled.order:
        node = world.nodes[name]
        var = gum.LabelizedVariable(name, name, len(node.states))
        if node.is_decision:
            diagram.addDecisionNode(var)
        else:
            diagram.addChanceNode(var)
    for name in world.compiled.order:
        for p in world.nodes[name].parents:
            diagram.addArc(p, name)
    for name, table in world.compiled.tables.items():
        node = world.nodes[name]
        cpt = diagram.cpt(name)
        for ctx, row in table.table.items():
            index = {p: node_states_index(world, p, v) for p, v in zip(node.parents, ctx, strict=True)}
            for s, value in zip(node.states, row, strict=True):
                cpt[{**index, name: node.states.index(s)}] = float(value)
    for i, piece in enumerate(pieces):
        u = f"U{i}"
        diagram.addUtilityNode(gum.LabelizedVariable(u, u, 1))
        for p in piece.scope:
            diagram.addArc(p, u)
        table = diagram.utility(u)
        combos = itertools.product(*(world.nodes[n].states for n in piece.scope))
        for combo, value in zip(combos, piece.values, strict=True):
            index = {p: node_states_index(world, p, v) for p, v in zip(piece.scope, combo, strict=True)}
            table[{**index, u: 0}] = float(value)
    return diagram


def node_states_index(world: World, name: str, state) -> int:
    return world.nodes[name].states.index(state)


def _pyagrum_pieces(world: World, utility):
    from corrig.analysis.linear_pieces import _linear_terms, _pieces

    pairs, constant = _linear_terms(utility)
    pieces = _pieces(world, pairs)
    constant = float(constant) + sum(float(p.values[0]) for p in pieces if not p.scope)
    return [p for p in pieces if p.scope], constant


def pyagrum_meu(world: World, utility) -> float:
    """pyAgrum's MEU (ShaferShenoyLIMIDInference) for a factual objective."""
    gum = pytest.importorskip("pyagrum")
    pieces, constant = _pyagrum_pieces(world, utility)
    inference = gum.ShaferShenoyLIMIDInference(to_pyagrum(world, pieces))
    inference.makeInference()
    return inference.MEU()["mean"] + constant


def pyagrum_policy_value(world: World, utility, policy: Policy) -> float:
    """pyAgrum's expected utility of a fixed policy: decisions become chance nodes with the rules as CPTs
    (a dummy decision keeps the diagram solvable in pyAgrum's eyes)."""
    gum = pytest.importorskip("pyagrum")
    from corrig.inference.counterfactual import apply_policy

    pieces, constant = _pyagrum_pieces(world, utility)
    diagram = to_pyagrum(apply_policy(world, policy), pieces)
    diagram.addDecisionNode(gum.LabelizedVariable("dummy", "dummy", 2))
    diagram.addUtilityNode(gum.LabelizedVariable("dummy_u", "dummy_u", 1))
    diagram.addArc("dummy", "dummy_u")
    inference = gum.ShaferShenoyLIMIDInference(diagram)
    inference.makeInference()
    return inference.MEU()["mean"] + constant


@given(seed=st.integers(0, 2**31), nodes=st.integers(3, 7), decisions=st.integers(1, 3), recall=st.booleans(),
       exact=st.booleans())
@settings(max_examples=100, **SETTINGS)
def test_solve_agrees_with_pyagrum(seed, nodes, decisions, recall, exact):
    """corrig's optimum equals pyAgrum's MEU within 1e-9 -- except where pyAgrum's single policy updates
    return a worse policy (about 1% of these diagrams, see test_pyagrum_misses_the_optimum): there
    pyAgrum's own evaluation of corrig's policy must exceed its MEU."""
    gum = pytest.importorskip("pyagrum")
    world = random_world(seed, nodes=nodes, decisions=decisions, recall=recall, exact=exact)
    utility = random_objective(seed, world, branches=False)
    solution = solve(world, utility)
    try:
        meu = pyagrum_meu(world, utility)
    except gum.FatalError:  # "This LIMID/Influence Diagram is not solvable"
        assert solution.method != "backward-induction"
        return
    value = float(solution.value)
    if abs(value - meu) > 1e-9:
        event("pyAgrum's MEU is below the value of corrig's policy")
        assert value > meu
        assert abs(pyagrum_policy_value(world, utility, solution.policy) - value) <= 1e-9
    else:
        event("agree within 1e-9")


def test_pyagrum_misses_the_optimum():
    """A diagram where pyAgrum 3.3.1's LIMID solver returns MEU -4 while the policy corrig finds (and which
    enumeration confirms optimal) is worth -3 -- by pyAgrum's own evaluation too."""
    world = random_world(207, nodes=7, decisions=3, recall=False, exact=False)
    utility = random_objective(207, world, branches=False)
    solution = solve(world, utility)
    assert solution.value == pytest.approx(-3.0, abs=1e-12)
    assert enumerate_best(world, utility) == pytest.approx(-3.0, abs=1e-12)
    assert pyagrum_policy_value(world, utility, solution.policy) == pytest.approx(-3.0, abs=1e-9)
    assert pyagrum_meu(world, utility) == pytest.approx(-4.0, abs=1e-9)


def test_pyagrum_is_not_exact_without_sufficient_recall():
    """Carey & Everitt's Fig. 1 has no perfect recall (O does not observe M) and a cyclic relevance graph;
    pyAgrum reports it solvable yet returns MEU 0, while the optimum (M=0, O=H) is 1/2."""
    gum = pytest.importorskip("pyagrum")
    w = World("fig1")
    w.chance("L", {0: Fraction(1, 2), 1: Fraction(1, 2)})
    w.decision("M", [0, 1])
    w.chance("H", lambda M, L: M ^ L)
    w.decision("O", [0, 1], observes=["H"])
    w.chance("S", lambda O: O)  # noqa: E741
    utility = E(w["S"] * (2 * w["L"] - 1))
    solution = solve(w, utility)
    assert solution.value == Fraction(1, 2)
    assert solution.method == "exact-limid"  # eliminated jointly, not enumerated
    assert set(relevance_graph(w, _pieces_of(w, utility)).edges) == {("M", "O"), ("O", "M")}
    inference = gum.ShaferShenoyLIMIDInference(to_pyagrum(w, _pieces_of(w, utility)))
    inference.makeInference()
    assert inference.MEU()["mean"] == 0.0


def _pieces_of(world, utility):
    from corrig.analysis.linear_pieces import _linear_terms, _pieces

    return _pieces(world, _linear_terms(utility)[0])


# methods and reasons ------------------------------------------------------------------------
def stop_button() -> World:
    w = World("stop button")
    w.decision("A1", ["honest", "dangerous"])
    w.chance("H", lambda A1: {"stop": Fraction(1, 4), "run": Fraction(3, 4)} if A1 == "honest" else "stop",
             states=["stop", "run"])
    w.decision("A2", ["continue", "halt"], observes=["H"])
    w.chance("B", lambda H, A2: "off" if A2 == "halt" or H == "stop" else "on", states=["on", "off"])
    w.chance("V", lambda B: 1 if B == "on" else 0)
    return w


def test_branches_make_a_relevance_graph_without_edges():
    w = stop_button()
    utility = P(w["B"] == "off", do(H="stop")) + E(w["V"], do(H="run"))
    solution = solve(w, utility)
    assert solution.method == "backward-induction"
    assert solution.order == (("A2",), ("A1",))
    assert solution.value == 2
    assert solution.policy.rules["A2"] == {("stop",): "continue", ("run",): "continue"}
    assert "relevance graph is acyclic" in solution.reason
    assert solution.value == enumerate_best(w, utility)


def test_a_direct_effect_of_the_first_act_couples_the_rules():
    w = World("coupled")
    w.decision("A1", ["honest", "dangerous"])
    w.chance("H", lambda A1: {"stop": Fraction(1, 4), "run": Fraction(3, 4)} if A1 == "honest" else "stop",
             states=["stop", "run"])
    w.decision("A2", ["continue", "halt"], observes=["H"])
    w.chance("B", lambda H, A2: "off" if A2 == "halt" or H == "stop" else "on", states=["on", "off"])
    w.chance("V", lambda A1, B: (2 if A1 == "dangerous" else 1) if B == "on" else 0)
    utility = P(w["B"] == "off", do(H="stop")) + E(w["V"], do(H="run"))
    assert set(relevance_graph(w, _pieces_of(w, utility)).edges) == {("A1", "A2"), ("A2", "A1")}
    solution = solve(w, utility)
    assert solution.method == "exact-limid" and "strongly connected" in solution.reason
    assert solution.value == 3 == enumerate_best(w, utility)


def test_policy_dependent_condition_falls_back_to_enumeration():
    w = stop_button()
    utility = E(w["V"], given_(H="run"))
    solution = solve(w, utility)
    assert solution.method == "enumeration"
    assert "depends on the policy" in solution.reason and "A1" in solution.reason
    assert solution.value == enumerate_best(w, utility)
    with pytest.raises(SolveError, match="backward induction does not apply"):
        solve(w, utility, method="backward-induction")


def test_counterfactual_falls_back_to_enumeration():
    w = stop_button()
    utility = E(w["V"], observed(H="stop") >> do(H="run"))
    solution = solve(w, utility)
    assert solution.method == "enumeration"
    assert "counterfactual" in solution.reason
    assert solution.value == enumerate_best(w, utility)


def test_products_of_terms_and_do_on_decisions_fall_back():
    w = stop_button()
    assert "multiplies two terms" in solve(w, E(w["V"]) * P(w["B"] == "on")).reason
    assert "intervenes on the decision" in solve(w, E(w["V"], do(A1="honest"))).reason


def test_policy_independent_condition_is_linear():
    w = World("conditioned")
    w.chance("C", {0: Fraction(1, 3), 1: Fraction(2, 3)})
    w.decision("D", [0, 1], observes=["C"])
    w.chance("Y", lambda C, D: 1 if C == D else 0)
    utility = E(w["Y"], given_(C=1)) + Fraction(1, 2) * P(w["Y"] == 0, given_(C=0))
    solution = solve(w, utility)
    assert solution.method == "backward-induction"
    assert solution.value == Fraction(3, 2)
    assert solution.policy.rules["D"] == {(0,): 1, (1,): 1}


def test_parameters_need_values():
    from corrig import param

    q = param("q", 0, 1)
    w = World("param")
    w.chance("C", {0: q, 1: 1 - q})
    w.decision("D", [0, 1])
    w.chance("Y", lambda C, D: 1 if C == D else 0)
    with pytest.raises(SolveError, match="parameters"):
        solve(w, E(w["Y"]))
    assert solve(w, E(w["Y"]), at={"q": Fraction(1, 4)}).value == Fraction(3, 4)


def test_errors():
    w = stop_button()
    with pytest.raises(QueryError, match="unknown method"):
        solve(w, E(w["V"]), method="magic")
    bare = World("no decisions")
    bare.chance("C", {0: Fraction(1, 2), 1: Fraction(1, 2)})
    with pytest.raises(SolveError, match="no decision"):
        solve(bare, E(bare["C"]))
    with pytest.raises(SolveError, match="pure policies"):
        solve(w, E(w["V"], given_(H="run")), limit=2)


def test_solution_is_a_policy_the_planner_accepts():
    from corrig import plan

    w = stop_button()
    utility = P(w["B"] == "off", do(H="stop")) + E(w["V"], do(H="run"))
    solution = solve(w, utility)
    result = plan(w, utility, {"best": solution.policy}, flags=False)
    assert result.values["best"] == solution.value
    assert isinstance(solution.policy, Policy)


def test_a_cycle_is_optimised_jointly_and_the_rest_updated_singly():
    """Fig. 1's M and O rely on each other; a later decision Z that copies S relies on neither."""
    w = World("fig1 + copy")
    w.chance("L", {0: Fraction(1, 2), 1: Fraction(1, 2)})
    w.decision("M", [0, 1])
    w.chance("H", lambda M, L: M ^ L)
    w.decision("O", [0, 1], observes=["H"])
    w.chance("S", lambda O: O)  # noqa: E741
    w.decision("Z", [0, 1], observes=["S"])
    utility = E(w["S"] * (2 * w["L"] - 1)) + P(w["Z"] == w["S"])
    solution = solve(w, utility)
    assert solution.method == "backward-induction+exact-limid"
    assert solution.order == (("Z",), ("M", "O"))
    assert solution.value == Fraction(3, 2) == enumerate_best(w, utility)
    assert "{M, O}" in solution.reason


@pytest.mark.parametrize("exact", [True, False])
def test_more_than_52_variables(exact):
    # 20 independent steps X_t ~ (1/3, 2/3) → D_t (observes X_t) → U_t = [D_t == X_t]: 60 nodes, more
    # indices than one np.einsum call can name.  Copying X_t earns 1 per step, so the optimum is 20.
    w = World("twenty steps")
    utility = None
    third = Fraction(1, 3) if exact else 1 / 3
    for t in range(20):
        w.chance(f"X{t}", {0: third, 1: 1 - third})
        w.decision(f"D{t}", [0, 1], observes=[f"X{t}"])
        w.chance(f"U{t}", {(x, d): int(x == d) for x in (0, 1) for d in (0, 1)}, parents=[f"X{t}", f"D{t}"], states=[0, 1])
        utility = E(w[f"U{t}"]) if utility is None else utility + E(w[f"U{t}"])
    solution = solve(w, utility)
    assert solution.value == (20 if exact else pytest.approx(20, abs=1e-9))
    assert all(solution.policy.rules[f"D{t}"] == {(0,): 0, (1,): 1} for t in range(20))


@pytest.mark.parametrize("eliminate", [False, True])
def test_irrational_probabilities_are_compared_by_value(eliminate, monkeypatch):
    """P(X = 0) = r = √2/2.  D sees X and earns X + 1 when it copies X: best 1·r + 2·(1 − r) = 2 − r.
    M, O rely on each other (Fig. 1 of Carey & Everitt with an irrational L): M = 1 shows X through H,
    O = H earns S = 1 surely.  Optimum 3 − r = 3 − √2/2 ≈ 2.29; sympy's EX elements do not compare by
    value (EX(√2/2) > EX(1 − √2/2) is False), which made D forget X (value 3 − √2)."""
    if not eliminate:  # sets of one partial strategy: the enumeration fallback
        monkeypatch.setattr(limid, "SET_LIMIT", 1)
    r = sp.sqrt(2) / 2
    w = World("irrational")
    w.chance("X", {0: r, 1: 1 - r})
    w.decision("D", [0, 1], observes=["X"])
    w.chance("U", {(x, d): int(x == d) * (x + 1) for x in (0, 1) for d in (0, 1)}, parents=["X", "D"], states=[0, 1, 2])
    w.decision("M", [0, 1])
    half = Fraction(1, 2)
    w.chance("H", {(m, x): {0: half if m == 0 else 1 - x, 1: half if m == 0 else x} for m in (0, 1) for x in (0, 1)},
             parents=["M", "X"], states=[0, 1])
    w.decision("O", [0, 1], observes=["H"])
    w.chance("S", {(o, x): int(o == x) for o in (0, 1) for x in (0, 1)}, parents=["O", "X"], states=[0, 1])
    solution = solve(w, E(w["U"]) + E(w["S"]))
    assert sp.simplify(solution.value - (3 - r)) == 0
    assert solution.policy.rules["D"] == {(0,): 0, (1,): 1} and solution.policy.rules["M"] == 1
