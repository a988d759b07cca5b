"""The incentive criteria against PyCID's documented results and against re-solving on random worlds.

PyCID = causalincentives/pycid @ 23666f9: its examples (pycid/examples/story_cids.py,
simple_cids.py) and the values its own tests assert (tests/test_analyze.py), cited per test.
Graphical criteria depend only on the graph, so PyCID's structure-only examples get uniform CPDs.
"""

from __future__ import annotations

import itertools
from fractions import Fraction as F
from pathlib import Path

import networkx as nx
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planner_worlds import recommender, stop_button

from corrig import E, World, do
from corrig.analysis.cid import objective_cid, requisite_graph
from corrig.analysis.flags import control_paths
from corrig.analysis.incentives import (
    admits_value_of_information,
    direct_value_of_control_nodes,
    incentives,
    indirect_value_of_control_nodes,
    instrumental_control_nodes,
    response_incentive_nodes,
    value_of_control,
    value_of_control_nodes,
    value_of_information,
    value_of_information_nodes,
)
from corrig.model.errors import CorrigError
from corrig.model.policies import pure_policies


def structural(edges: list[tuple[str, str]], decisions: list[str], utility: str, remove: tuple = ()) -> tuple[World, object]:
    """PyCID's graph as a corrig world: binary nodes, uniform CPDs; the objective is E(utility)."""
    graph = nx.DiGraph(edges)
    graph.remove_edges_from(remove)
    w = World("pycid example")
    half = {0: F(1, 2), 1: F(1, 2)}
    for n in nx.topological_sort(graph):
        parents = sorted(graph.predecessors(n))
        if n in decisions:
            w.decision(n, [0, 1], observes=parents)
        elif parents:
            w.chance(n, {c: half for c in itertools.product([0, 1], repeat=len(parents))}, parents=parents, states=[0, 1])
        else:
            w.chance(n, half)
    return w, E(w[utility])


CONTENT = [("O", "I"), ("O", "M"), ("M", "P"), ("P", "I"), ("I", "C"), ("P", "C")]
MODIFIED_CONTENT = [("O", "I"), ("O", "M"), ("M", "P"), ("P", "I"), ("P", "C"), ("M", "C")]
GRADE = [("R", "HS"), ("HS", "E"), ("HS", "P"), ("E", "Gr"), ("Gr", "Ac"), ("Ge", "P"), ("P", "Ac")]
BIAS = [("A", "X"), ("Z", "X"), ("Z", "Y"), ("X", "D"), ("X", "Y"), ("D", "U"), ("Y", "U")]
TRIM = [("Y1", "D1"), ("Y1", "Y2"), ("Y1", "D2"), ("Y2", "D2"), ("Y2", "U"), ("D1", "Y2"), ("D1", "D2"),
        ("Z1", "D1"), ("Z1", "D2"), ("Z1", "Z2"), ("Z2", "D2"), ("D2", "U")]


# PyCID's documented results -------------------------------------------------------------------
def test_content_recommender_every_incentive_list():
    world = recommender()
    utility = E(world["C"])
    # PyCID tests/test_analyze.py TestAdmitsIciList.test_content_recommender: admits_ici_list(P) == {I, P, C}
    assert set(instrumental_control_nodes(world, utility, "P")) == {"I", "P", "C"}
    # TestAdmitsVocList.test_content_recommender: admits_voc_list == {O, I, M, C}
    assert value_of_control_nodes(world, utility) == ["O", "M", "I", "C"]
    # By hand from PyCID's definitions: M -> P is requisite (M <- O -> I -> C is open given {P}),
    # so O -> M -> P and M -> P are directed paths into P in G*: RI = {O, M}; both O and M are
    # non-descendants of P d-connected to C given the rest of P's family: VoI = {O, M}.
    assert response_incentive_nodes(world, utility, "P") == ["O", "M"]
    assert value_of_information_nodes(world, utility, "P") == ["O", "M"]
    # TestAdmitsIci.test_no_ici_content_recommender: admits_ici(P, O) is False
    assert "O" not in instrumental_control_nodes(world, utility, "P")
    # by hand from PyCID's admits_dir_voc / admits_indir_voc: O -> I -> C and I -> C avoid P (direct);
    # M reaches C only through P, with the backdoor trail M <- O -> I -> C open given {P} (indirect).
    assert direct_value_of_control_nodes(world, utility) == ["O", "I", "C"]
    assert indirect_value_of_control_nodes(world, utility, "P") == ["M"]


def test_modified_content_recommender_value_of_control():
    world, utility = structural(MODIFIED_CONTENT, ["P"], "C")
    # TestAdmitsVocList.test_modified_content_recommender: {O, M, C}; TestAdmitsVoc: M yes, I no
    assert set(value_of_control_nodes(world, utility)) == {"O", "M", "C"}


def test_grade_predictor_value_of_information_and_response():
    world, utility = structural(GRADE, ["P"], "Ac")
    # TestAdmitsVoiList.test_grade_predictor: {HS, E, Gr}; TestAdmitsVoi: Ge does not admit VoI
    assert set(value_of_information_nodes(world, utility, "P")) == {"HS", "E", "Gr"}
    assert not admits_value_of_information(world, utility, "P", "Ge")
    # TestAdmitsRiList.test_grade_predictor: {R, HS}
    assert set(response_incentive_nodes(world, utility, "P")) == {"R", "HS"}
    cut, utility = structural(GRADE, ["P"], "Ac", remove=[("HS", "P")])
    # ... and after removing HS -> P: VoI {R, HS, E, Gr}, RI {}
    assert set(value_of_information_nodes(cut, utility, "P")) == {"R", "HS", "E", "Gr"}
    assert response_incentive_nodes(cut, utility, "P") == []


def test_grade_predictor_as_the_incentives_tutorial_states_it():
    world, utility = structural(GRADE, ["P"], "Ac")
    # PyCID notebooks/CID_Incentives_Tutorial.ipynb, section 1: admits_voi(cid, "P", "HS") is True, ("P", "R") False;
    # section 3: admits_ri(cid, "P", "R") is True (R reaches P through HS in the requisite graph)
    assert admits_value_of_information(world, utility, "P", "HS")
    assert not admits_value_of_information(world, utility, "P", "R")
    assert "R" in response_incentive_nodes(world, utility, "P")


def test_predicted_clicks_recommender_has_no_control_incentive_on_opinions():
    # PyCID notebooks/CID_Incentives_Tutorial.ipynb, section 5: rewarded for predicted clicks PC (edges O->M, O->I,
    # M->P, M->PC, P->I, P->PC), "'PC' still has an instrumental control incentive ... 'I' no longer has this
    # incentive".  By PyCID's criterion (a directed path P -> X -> PC): X in {P, PC}; I has no path to PC.
    edges = [("O", "M"), ("O", "I"), ("M", "P"), ("M", "PC"), ("P", "I"), ("P", "PC")]
    world, utility = structural(edges, ["P"], "PC")
    assert set(instrumental_control_nodes(world, utility, "P")) == {"P", "PC"}
    world, utility = structural(CONTENT, ["P"], "C")  # the original design, for contrast: I is controlled
    assert "I" in instrumental_control_nodes(world, utility, "P")


def test_introduced_bias_value_of_information():
    world, utility = structural(BIAS, ["D"], "U")
    # TestAdmitsVoiList.test_introduced_bias: {A, X, Z, Y}
    assert set(value_of_information_nodes(world, utility, "D")) == {"A", "X", "Z", "Y"}


def test_trim_example_requisite_graph():
    world, utility = structural(TRIM, ["D1", "D2"], "U")
    reduced = requisite_graph(objective_cid(world, utility))
    # TestRequisiteGraph.test_trim_example: 7 edges, Pa*(D2) = {Y2} (corrig adds one edge U -> utility node)
    assert len([e for e in reduced.edges if e[1] in world.nodes]) == 7
    assert set(reduced.predecessors("D2")) == {"Y2"}


def quantitative_voi_world(observes=("X",)) -> tuple[World, object]:
    """PyCID get_quantitative_voi_cid: S uniform ±1, X a copy of S w.p. 0.8, D ∈ {-1,0,1}, U = S·D."""
    w = World("quantitative voi")
    w.chance("S", {-1: F(1, 2), 1: F(1, 2)})
    w.chance("X", lambda S: {S: F(4, 5), -S: F(1, 5)}, states=[-1, 1])
    w.decision("D", [-1, 0, 1], observes=list(observes))
    w.chance("U", lambda S, D: S * D)
    return w, E(w["U"])


def test_quantitative_value_of_information():
    world, utility = quantitative_voi_world()
    # TestQuantitativeVoi: admits_voi_list == {X, S}; quantitative_voi(D, X) == 0.6, (D, S) == 0.4.
    # By hand: D = X earns 4/5 − 1/5 = 3/5, nothing observed earns 0 (D = 0); seeing S too earns 1.
    assert set(value_of_information_nodes(world, utility, "D")) == {"X", "S"}
    assert value_of_information(world, utility, "D", "X") == F(3, 5)
    assert value_of_information(world, utility, "D", "S") == F(2, 5)
    with pytest.raises(CorrigError, match="descendants"):
        value_of_information(world, utility, "D", "U")


def test_quantitative_value_of_information_of_s_once_x_is_unobserved():
    # PyCID notebooks/CID_Incentives_Tutorial.ipynb, section 2: after cid.remove_edge("X", "D"),
    # quantitative_voi(cid, "D", "S") == 1.0.  By hand: blind, every action earns 0; seeing S, D = S earns 1.
    world, utility = quantitative_voi_world(observes=())
    assert value_of_information(world, utility, "D", "S") == 1
    assert value_of_information(world, utility, "D", "X") == F(3, 5)  # D = X: 4/5 - 1/5, as in section 2


def three_node(observed: bool) -> tuple[World, object]:
    """PyCID get_3node_cid: S uniform ±1, D ∈ {-1, 1} observing S (or not), U = S·D."""
    w = World("3 node")
    w.chance("S", {-1: F(1, 2), 1: F(1, 2)})
    w.decision("D", [-1, 1], observes=["S"] if observed else [])
    w.chance("U", lambda S, D: S * D)
    return w, E(w["U"])


def test_quantitative_value_of_control():
    world, utility = three_node(observed=True)
    # TestQuantitativeVoc: admits_voc_list == {U, S}; quantitative_voc(S) == 0; 1 once S -> D is removed.
    assert set(value_of_control_nodes(world, utility)) == {"S", "U"}
    assert value_of_control(world, utility, "S") == 0
    blind, utility = three_node(observed=False)
    assert value_of_control(blind, utility, "S") == 1


def test_control_path_flag_is_instrumental_control_on_h():
    world, _ = stop_button()
    V = world["V"]
    flags = control_paths(world, E(V))
    assert [f.where for f in flags] == ["A1 -> H -> B -> V"]
    assert "H" in instrumental_control_nodes(world, E(V), "A1")
    # do(H=...) cuts A1 -> H: H is on no directed path from A1 to what that branch reads.
    assert "H" not in instrumental_control_nodes(world, E(V, do(H="run")), "A1")


def test_report_lists_every_criterion():
    world = recommender()
    report = incentives(world, E(world["C"]))
    assert report.value_of_information == {"P": ["O", "M"]}
    assert set(report.instrumental_control["P"]) == {"P", "I", "C"}
    assert report.value_of_control == ["O", "M", "I", "C"]
    # By hand: P = M earns 1/2·(…); the values are re-solved exactly, so each is a Rational ≥ 0.
    assert all(v >= 0 for v in report.voi_values["P"].values())


# random worlds: graphical "no" means the re-solved value is 0; the quantitative values re-solve --------
@st.composite
def random_spec(draw):
    n = draw(st.integers(2, 3))
    names = [f"N{i}" for i in range(n)]
    position = draw(st.integers(0, n - 1))  # D comes after names[:position]
    order = [*names[:position], "D", *names[position:]]
    parents = {}
    for i, name in enumerate(order):
        earlier = order[:i]
        limit = 1 if name == "D" else 2
        parents[name] = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=limit)) if earlier else []
    quarters = st.sampled_from([F(0), F(1, 4), F(1, 2), F(3, 4), F(1)])
    cpds = {name: {c: draw(quarters) for c in itertools.product([0, 1], repeat=len(parents[name]))}
            for name in order if name != "D"}
    branch = draw(st.sampled_from([None, *names[:-1]]))
    paired = draw(st.sampled_from([None, *names]))  # the objective also pays D · paired (D matters more often)
    return order, parents, cpds, branch, paired


def build(spec, *, observes=None, decide=None):
    """The random world, with D observing `observes` and (optionally) node `decide` made a decision."""
    order, parents, cpds, branch, paired = spec
    w = World("random")
    for name in order:
        if name == "D":
            w.decision("D", [0, 1], observes=parents["D"] if observes is None else observes)
        elif name == decide:
            w.decision(name, [0, 1], observes=parents[name])
        elif parents[name]:
            w.chance(name, {c: {0: 1 - p, 1: p} for c, p in cpds[name].items()}, parents=parents[name], states=[0, 1])
        else:
            w.chance(name, {0: 1 - cpds[name][()], 1: cpds[name][()]})
    last = w[order[-1]] if order[-1] != "D" else w[order[-2]]
    objective = E(last + w["D"]) if order[-1] == "D" else E(last)
    if branch is not None and branch != last.name:
        objective = objective + E(last, do({branch: 1}))
    if paired is not None:
        objective = objective + E(w["D"] * (2 * w[paired] - 1))
    return w, objective


def best(world, objective):
    return max(objective.evaluate(world, p) for p in pure_policies(world))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_spec())
def test_value_of_information_by_re_solving(spec):
    world, objective = build(spec)
    graph = world.compiled.graph
    candidates = [n for n in world.nodes if n != "D" and n not in nx.descendants(graph, "D")]
    admitted = value_of_information_nodes(world, objective, "D")
    observed = list(world.nodes["D"].parents)
    for x in candidates:
        with_x, _ = build(spec, observes=list(dict.fromkeys([*observed, x])))
        without_x, _ = build(spec, observes=[p for p in observed if p != x])
        brute = best(with_x, objective) - best(without_x, objective)
        assert value_of_information(world, objective, "D", x) == brute
        if x not in admitted:  # soundness of the graphical criterion (Everitt et al. 2021, Thm. 9)
            assert brute == 0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_spec())
def test_value_of_control_by_re_solving(spec):
    world, objective = build(spec)
    admitted = value_of_control_nodes(world, objective)
    for x in [n for n in world.nodes if n != "D"]:
        controlled, _ = build(spec, decide=x)
        brute = best(controlled, objective) - best(world, objective)
        assert value_of_control(world, objective, x) == brute
        if x not in admitted:  # soundness (Everitt et al. 2021, Thm. 18)
            assert brute == 0


@settings(max_examples=20, deadline=None)
@given(random_spec())
def test_instrumental_control_is_every_node_on_a_decision_to_objective_path(spec):
    world, objective = build(spec)
    # brute force: networkx's simple paths in each branch's graph, from D to a node the branch reads
    found = set()
    for atom in objective.atoms():
        graph = world.compiled.graph.copy()
        if atom.branch.do is not None:
            for n in atom.branch.do.as_dict():
                graph.remove_edges_from(list(graph.in_edges(n)))
        for r in atom.target.scope():
            if r == "D":
                found.add("D")
            for path in nx.all_simple_paths(graph, "D", r):
                found.update(path)
    assert set(instrumental_control_nodes(world, objective, "D")) == found


def test_the_diagram_says_when_it_is_not_the_objective():
    from corrig import P, given, observed

    world, _ = stop_button()
    V, B = world["V"], world["B"]
    assert objective_cid(world, E(V)).exact and objective_cid(world, E(V, do(H="run"))).exact
    cf = objective_cid(world, E(V, observed(H="stop") >> do(H="run")))
    assert not cf.exact and any("counterfactual" in n for n in cf.notes)
    # H depends on the decision A1, so P(H = stop) depends on the policy: a ratio of two policy terms
    cond = objective_cid(world, P(B == "off", given(H="stop")))
    assert not cond.exact and any("depends on the policy" in n for n in cond.notes)


FITNESS = [("TD", "TF"), ("TF", "SC"), ("TF", "C"), ("EF", "EWD"), ("EWD", "C"), ("C", "F"), ("P", "D"), ("P", "SC"),
           ("P", "F"), ("SC", "C"), ("SC", "EWD")]


def test_fitness_tracker_direct_and_indirect_value_of_control():
    world, utility = structural(FITNESS, ["C"], "F")
    # TestAdmitsDirVocList.test_fitness_tracker: {F, P}; TestAdmitsDirVoc: TF has none
    assert set(direct_value_of_control_nodes(world, utility)) == {"F", "P"}
    # TestAdmitsIndirVocList.test_fitness_tracker: {SC}; TestAdmitsIndirVoc: TF has none
    assert indirect_value_of_control_nodes(world, utility, "C") == ["SC"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_spec())
def test_response_incentive_rests_on_the_requisite_graph(spec):
    # Soundness of the response-incentive criterion (Everitt et al. 2021, Thm. 25): D keeping only its
    # requisite observations loses nothing (re-solved by enumeration), and a node without a path into D
    # in that graph is no ancestor of what D then observes, so the optimal policy found ignores it.
    world, objective = build(spec)
    reduced = requisite_graph(objective_cid(world, objective))
    kept = [p for p in world.nodes["D"].parents if reduced.has_edge(p, "D")]
    trimmed, _ = build(spec, observes=kept)
    assert best(trimmed, objective) == best(world, objective)
    responsive = set(response_incentive_nodes(world, objective, "D"))
    assert responsive == set().union(*({p} | nx.ancestors(world.compiled.graph, p) for p in kept)) if kept else not responsive


# the bundled models: the lists read the world's order, the values come from the solver ----------------
def _bundled(name: str):
    from corrig.scenarios.load import load_scenario

    scenario = load_scenario(ROOT / "models" / f"{name}.py")
    return scenario.world, scenario.utility


ROOT = Path(__file__).resolve().parent.parent
# Worlds over time (100 steps, 600 nodes) are left out: incentives over time read each step (issue 21, flags over
# time), and the whole-world criteria for every node of the unrolled world are beyond this test's time.
OVER_TIME = {"gridworld_off_switch", "gridworld_off_switch_learners"}
MODELS = sorted(p.stem for p in (ROOT / "models").glob("*.py") if p.name != "__init__.py" and p.stem not in OVER_TIME)


@pytest.mark.parametrize("name", MODELS)
def test_value_of_information_never_lists_what_comes_after_the_decision(name):
    # PyCID's admits_voi_list ranges over set(cid.nodes) − descendants(D) − {D}
    # (pycid/analyze/value_of_information.py); a do() branch that cuts an edge into H does not let
    # the first decision observe what it causes.
    from corrig.model.agents import AI, owners

    world, utility = _bundled(name)
    graph = world.compiled.graph
    for decision in [d for d, a in owners(world).items() if a == AI]:
        listed = value_of_information_nodes(world, utility, decision)
        assert decision not in listed and not set(listed) & nx.descendants(graph, decision), (decision, listed)


def test_causal_stop_button_lists_and_values_read_one_graph():
    # models/causal_stop_button.py: W → H ← A1, A2 observes H.  A1 comes before H and A2 (A1 → H → A2),
    # so only W can inform A1 (the list was [W, H, A2], and the value of H "did not apply").
    world, utility = _bundled("causal_stop_button")
    report = incentives(world, utility)
    assert report.value_of_information == {"A1": ["W"], "A2": ["W", "A1", "H"]}
    # By hand: with A2 seeing H, grab and obey earns 1 (do(H=stop): halt) + 2·99/100 (do(H=run): continue
    # in a normal world) − K/100 = 298/100 − K/100; without, the best is patient-and-continue, 1 + 99/100 − K/100.
    assert report.voi_values["A2"]["H"] == F(99, 100)
    assert not [n for n in report.notes if "does not apply" in n or "descendant" in n]


def test_two_humans_every_value_is_solved_and_zero():
    # models/two_humans.py had 8192 pure policies (over the old enumeration limit of 4096).  By hand: the
    # objective E(Clips) is at most 2 and "continue everywhere" earns 2, so nothing the AI could observe
    # or control is worth anything: every VoI and VoC is 0.
    world, utility = _bundled("two_humans")
    report = incentives(world, utility)
    values = [*(v for vs in report.voi_values.values() for v in vs.values()), *report.voc_values.values()]
    assert len(values) == sum(map(len, report.value_of_information.values())) + len(report.value_of_control) > 10
    assert all(v == 0 for v in values) and not [n for n in report.notes if "not computed" in n]


def test_off_switch_with_a_rational_human_holds_the_human_at_their_best_response():
    # models/off_switch_rational.py: the human, answering an AI that plays uniformly, runs iff U_a = +1 after a
    # wait.  By hand (p = P(U_a = +1)): waiting earns p, so knowing U_a (act on +1, switch off on −1, also p)
    # is worth 0 — the human already carries that information; choosing U_a itself (+1) earns 1: VoC = 1 − p;
    # choosing H from (U_a, R) earns p, as the human does: VoC(H) = 0.
    world, utility = _bundled("off_switch_rational")
    report = incentives(world, utility)
    p = next(s for s in world.compiled.parameters if s.name == "p")
    assert report.voi_values == {"R": {"U_a": 0}}
    assert sp.simplify(report.voc_values["U_a"] - (1 - p)) == 0 and report.voc_values["H"] == 0
    assert any("best response" in n for n in report.notes)


def test_another_agents_decision_has_a_value_of_control():
    # models/taxi_competition.py: taxi two answers e with c and c with e, so the AI stopping at e earns 5,
    # U1's largest value: controlling D2 (or U1) adds nothing.
    world, utility = _bundled("taxi_competition")
    report = incentives(world, utility)
    assert report.voc_values == {"D2": 0, "U1": 0}


def test_an_undefined_value_says_why():
    # models/eu_vs_nash.py conditions on U = u1 and on U = u2: an AI that chooses U makes one of them impossible
    world, utility = _bundled("eu_vs_nash")
    report = incentives(world, utility)
    assert report.voc_values["U"] is None and any("VoC(U) is undefined" in n for n in report.notes)
    assert "VoC(U) = undefined" in report.to_markdown()


# Left out for the suite's time (both pass, run by hand: `corrig incentives models/time_delay.py`):
# time_delay re-solves ~60 variant worlds, seven of which LIMID cannot prune (16,384 joint rules
# enumerated each, minutes in all); conditional_counterfactual enumerates symbolic counterfactual values.
HEAVY = {"time_delay", "conditional_counterfactual"}


@pytest.mark.parametrize("name", [m for m in MODELS if m not in HEAVY])
def test_every_bundled_model_gets_its_quantitative_values(name):
    world, utility = _bundled(name)
    report = incentives(world, utility)
    part = world.compiled.continuous  # values of continuous nodes (and of control of their readers) are skipped
    continuous = set(part.nodes) if part is not None else set()
    reading = continuous | (set(part.readers) if part is not None else set())
    for decision, nodes in report.value_of_information.items():  # one value per listed node, on the same graph
        assert list(report.voi_values.get(decision, {})) == [n for n in nodes if n not in continuous]
    assert list(report.voc_values) == [n for n in report.value_of_control if n not in reading]
    missing = [n for vs in report.voi_values.values() for n, v in vs.items() if v is None] + \
        [n for n, v in report.voc_values.items() if v is None]
    for node in missing:  # only where the value is undefined, or the parameters leave too many policies
        assert any(node in note and ("undefined" in note or "--at" in note or "best response depends" in note)
                   for note in report.notes), (node, report.notes)
    if not world.compiled.parameters:
        assert not [n for n in report.notes if "not computed" in n]
