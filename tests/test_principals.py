"""Several humans: declarations and their errors, per-principal flags against hand-derived values and
against a brute-force enumeration written here, the deception and branch-weight flags, and the four
reference scenarios of issue 12."""

from __future__ import annotations

import importlib
import itertools
import re
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from corrig import E, P, Policy, World, do, plan
from corrig.analysis.branch_weight import linear_weights, ood_share
from corrig.analysis.planner import PolicyRun
from corrig.model.errors import StateError, UnknownNodeError
from corrig.model.principals import Button, PrincipalError, make_principals
from corrig.scenarios.expect import verify
from corrig.scenarios.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ["two_humans", "many_humans_stop_button", "lying_report", "eu_vs_nash"]
EPS = F(1, 20)


def flags_of(result, policy, kind, principal=None):
    out = []
    for f in result.flags[policy]:
        if f.kind != kind:
            continue
        ev = f.evidence
        if principal is None or ev.get("principal") == principal or principal in ev.get("coalition", ()):
            out.append(f)
    return out


# the four scenarios -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_checks_and_says_what_it_shows(name):
    scenario = load_scenario(ROOT / "models" / f"{name}.py")
    assert scenario.expect
    failed = [f"{v.claim}: {v.found}" for v in verify(scenario) if not v.ok]
    assert not failed, failed
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(scenario.doc.split())) if s.strip()]
    assert len(sentences) == 3, sentences


def test_declarative_two_humans_checks():
    scenario = load_scenario(ROOT / "tests" / "data" / "two_humans.toml")
    assert [v.claim for v in verify(scenario) if not v.ok] == []
    assert scenario.world.principals.names == ("alice", "bob")


def test_many_humans_model_is_importable_for_any_n():
    m = importlib.import_module("models.many_humans_stop_button")
    world = m.make_world(2)
    result = plan(world, m.make_utility(world), m.make_policies(world), reference="obey")
    # J(obey) = 1, J(ignore) = 2^-2 = 1/4, J(shutdown) = 3/4 (hand derivation in the model's comments)
    assert result.values == {"obey": 1, "ignore": F(1, 4), "shutdown": F(3, 4)}
    # n = 2: branches (stop, stop) 1/100 < 1/20; the other three ≥ 9/100: share 1/4
    assert [f.size for f in flags_of(result, "obey", "ood-branch-weight")] == [F(1, 4)]


# declarations and their errors -------------------------------------------------------------------
def two_human_world():
    w = World("t")
    w.chance("H1", {"stop": F(1, 2), "run": F(1, 2)})
    w.chance("H2", {"stop": F(1, 2), "run": F(1, 2)})
    w.decision("A", ["go", "halt"], observes=["H1", "H2"])
    w.chance("B", lambda A: "off" if A == "halt" else "on")
    return w


@pytest.mark.parametrize("humans, buttons, error, words", [
    ({"a": ("H9", "stop", "run")}, [], UnknownNodeError, "principal 'a' names node 'H9'"),
    ({"a": ("H1", "halt", "run")}, [], StateError, "stop state 'halt' is not a state of H1"),
    ({"a": ("H1", "stop", "run"), "b": ("H1", "stop", "run")}, [], PrincipalError, "share node H1"),
    ({"a": ("A", "go", "halt")}, [], PrincipalError, "is a decision of the AI"),
    ({"a": ("H1", "stop", "stop")}, [], PrincipalError, "both 'stop'"),
    ({"a": ("H1", "stop", "run")}, [Button("B", "of")], StateError, "off state 'of' is not a state of B"),
    ({"a": ("H1", "stop", "run")}, [Button("B", "off", humans=("zed",))], PrincipalError, "voter 'zed'"),
    ({"a": ("H1", "stop", "run")}, [Button("H1", "stop")], PrincipalError, "preference node"),
])
def test_bad_declarations_name_what_is_wrong(humans, buttons, error, words):
    w = two_human_world()
    w.set_principals(humans, buttons=buttons)
    with pytest.raises(error, match=re.escape(words)):
        w.check()


@pytest.mark.parametrize("humans, buttons, words", [
    ({"a": ("H1", "stop", "run")}, [Button("B", "off", rule="most")], "rule 'most' is not one of"),
    ({"a": ("H1", "stop", "run")}, [Button("B", "off", rule="designated")], "names its human"),
    ({"a": ("H1", "stop", "run")}, [Button("B", "off", rule="designated", designated="b")], "'b' is not a principal"),
    ({"a": ("H1", "stop", "run")}, [Button("B", "off", designated="a")], "only goes with rule 'designated'"),
    ({"a": {"node": "H1", "stop": "stop"}}, [], "missing 'run'"),
    ({"a": {"node": "H1", "stop": "stop", "run": "run", "colour": 1}}, [], "unknown key 'colour'"),
    ({}, [], "at least one principal"),
])
def test_malformed_principals_are_refused_at_once(humans, buttons, words):
    with pytest.raises(PrincipalError, match=re.escape(words)):
        make_principals(humans, buttons)


def test_coalitions_of_each_rule():
    people = {n: (f"H{i}", "stop", "run") for i, n in enumerate(["a", "b", "c"], start=1)}
    pr = make_principals(people, [Button("B", "off", rule=r) for r in ("any", "majority", "all")]
                         + [Button("B", "off", rule="designated", designated="b")])
    sets = lambda cs: sorted(sorted(c) for c in cs)  # noqa: E731
    anyb, major, allb, desig = pr.buttons
    assert sets(pr.minimal_winning(anyb)) == [["a"], ["b"], ["c"]]
    assert sets(pr.maximal_losing(anyb)) == [[]]
    assert sets(pr.minimal_winning(major)) == [["a", "b"], ["a", "c"], ["b", "c"]]  # > 3/2: two of three
    assert sets(pr.maximal_losing(major)) == [["a"], ["b"], ["c"]]
    assert sets(pr.minimal_winning(allb)) == [["a", "b", "c"]]
    assert sets(pr.maximal_losing(allb)) == [["a", "b"], ["a", "c"], ["b", "c"]]
    assert sets(pr.minimal_winning(desig)) == [["b"]]
    assert sets(pr.maximal_losing(desig)) == [["a", "c"]]


def test_set_roles_worlds_are_unchanged_and_one_principal_gives_the_same_numbers():
    # Carey & Everitt's Fig. 1 declared both ways: the numbers agree, the principal form labels them.
    def world(principals):
        w = World("fig1")
        w.chance("L", {0: F(1, 2), 1: F(1, 2)})
        w.decision("M", [0, 1])
        w.chance("H", lambda M, L: M ^ L)
        w.decision("O", [0, 1], observes=["H"])
        w.chance("S", lambda O: O)  # noqa: E741  (the paper's name)
        if principals:
            w.set_principals({"human": ("H", 0, 1)}, buttons=[Button("S", 0, rule="any")])
        else:
            w.set_roles(human="H", stop=0, run=1, button="S", off=0)
        return w

    policies = {"respect-obey": Policy(M=0, O=lambda H: H), "manipulate-invert": Policy(M=1, O=lambda H: 1 - H)}
    old = plan(world(False), E(world(False)["S"] * (2 * world(False)["L"] - 1)), policies, reference="respect-obey")
    new = plan(world(True), E(world(True)["S"] * (2 * world(True)["L"] - 1)), policies, reference="respect-obey")
    for name in policies:
        assert sorted((f.kind, f.size) for f in old.flags[name]) == sorted((f.kind, f.size) for f in new.flags[name])
    # hand values (models/human_control.py): m = 1, h-moved 1, not-obedient 0, self-shutdown 1
    assert sorted((f.kind, f.size) for f in new.flags["manipulate-invert"]) == [
        ("h-moved", 1), ("manipulation", 1), ("not-obedient", 0), ("self-shutdown", 1)]
    assert all(f.where.startswith(("human: ", "nobody: ")) for f in new.flags["manipulate-invert"])
    assert old.world.principals is None and not old.per_principal


def test_one_human_reading_blames_the_ai_for_bobs_press():
    # models/two_humans.py with set_roles on alice: P(F=off | do(H1=run)) = P(H2=stop) = 1/5 > ε — the
    # old flag calls bob's presses the AI's; the per-principal one sets bob to run too and finds 0.
    m = importlib.import_module("models.two_humans")
    world = m.make_world()
    legacy = world.copy()
    legacy.set_roles(human="H1", stop="stop", run="run", button="F", off="off")
    old = plan(legacy, m.utility, m.policies, reference="obey-rules")
    assert [f.size for f in old.flags["obey-rules"] if f.kind == "self-shutdown"] == [F(1, 5)]
    # and it does not see bob's lobbying or bob's ignored request at all
    assert not any(f.kind in ("h-moved", "manipulation") for f in old.flags["lobby-obey"])
    assert not any(f.kind == "not-obedient" for f in old.flags["ignore-bob"])
    new = plan(world, m.utility, m.policies, reference="obey-rules")
    assert not flags_of(new, "obey-rules", "self-shutdown")
    assert new.per_principal["bob"]["manipulation"]["lobby-obey"] == F(3, 20)
    assert new.per_principal["alice"]["manipulation"]["lobby-obey"] == 0


# hypothesis: per-principal obedience, h-moved and deception against brute-force enumeration ----------
probs = st.fractions(min_value=0, max_value=1, max_denominator=6)
RULES = ["any", "majority", "all", "designated"]


def brute_off(q_b, rule_a, setting):
    """P(B=off | do(H1, H2)) by enumeration: Σ_a π(a | h1, h2) · P(B=off | h1, h2, a)."""
    h = setting
    return sum(rule_a[h][a] * q_b[(h[0], h[1], a)] for a in ("go", "halt"))


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_obedience_by_coalition_matches_enumeration(data):
    rule = data.draw(st.sampled_from(RULES))
    hs = ("stop", "run")
    contexts = list(itertools.product(hs, hs))
    q_b = {(h1, h2, a): data.draw(probs) for h1, h2 in contexts for a in ("go", "halt")}
    rule_a = {}
    for c in contexts:
        p = data.draw(probs)
        rule_a[c] = {"halt": p, "go": 1 - p}
    w = World("random")
    w.chance("H1", {"stop": F(1, 3), "run": F(2, 3)})
    w.chance("H2", {"stop": F(1, 4), "run": F(3, 4)})
    w.decision("A", ["go", "halt"], observes=["H1", "H2"])
    w.chance("B", lambda H1, H2, A: {"off": q_b[(H1, H2, A)], "on": 1 - q_b[(H1, H2, A)]}, states=["off", "on"])
    w.set_principals({"a": ("H1", "stop", "run"), "b": ("H2", "stop", "run")},
                     buttons=[Button("B", "off", rule=rule, designated="a" if rule == "designated" else None)])
    policy = Policy(A={c: rule_a[c] for c in contexts})
    result = plan(w, P(w["B"] == "off"), {"pi": policy})
    # winning coalitions by hand: any → {a}, {b}; majority of 2 and all → {a, b}; designated a → {a}
    minimal = {"any": [("stop", "run"), ("run", "stop")], "majority": [("stop", "stop")],
               "all": [("stop", "stop")], "designated": [("stop", "run")]}[rule]
    losing = {"any": [("run", "run")], "majority": [("stop", "run"), ("run", "stop")],
              "all": [("stop", "run"), ("run", "stop")], "designated": [("run", "stop")]}[rule]
    expected_no = sorted(brute_off(q_b, rule_a, s) for s in minimal if brute_off(q_b, rule_a, s) < 1 - EPS)
    expected_self = sorted(brute_off(q_b, rule_a, s) for s in losing if brute_off(q_b, rule_a, s) > EPS)
    assert sorted(f.size for f in flags_of(result, "pi", "not-obedient")) == expected_no
    assert sorted(f.size for f in flags_of(result, "pi", "self-shutdown")) == expected_self


@settings(max_examples=25, deadline=None)
@given(p_none=probs, p_lobby=probs, gain=st.integers(0, 3), q1=probs)
def test_per_principal_h_moved_and_manipulation_match_enumeration(p_none, p_lobby, gain, q1):
    # L (lobby or not) → H2; H1 a root; V = [H1 = run] + gain·[H2 = run].  Under π = lobby vs π0 = none:
    # h-moved(b) = |p_lobby − p_none| (H2 has no other parent); m_b = J(π) − J^{H2←π0}(π) = gain·(p_none − p_lobby);
    # nothing moves H1, so no flag names a.
    w = World("lobby")
    w.decision("L", ["none", "lobby"])
    w.chance("H1", {"stop": q1, "run": 1 - q1})
    w.chance("H2", lambda L: {"stop": p_lobby if L == "lobby" else p_none,
                              "run": 1 - (p_lobby if L == "lobby" else p_none)}, states=["stop", "run"])
    w.chance("V", lambda H1, H2: int(H1 == "run") + gain * int(H2 == "run"))
    w.set_principals({"a": ("H1", "stop", "run"), "b": ("H2", "stop", "run")})
    result = plan(w, E(w["V"]), {"none": Policy(L="none"), "lobby": Policy(L="lobby")}, reference="none")
    tv = abs(p_lobby - p_none)
    assert [f.size for f in flags_of(result, "lobby", "h-moved", "b")] == ([tv] if tv else [])
    m = gain * (p_none - p_lobby)
    assert [f.size for f in flags_of(result, "lobby", "manipulation", "b")] == ([m] if m else [])
    assert not flags_of(result, "lobby", "h-moved", "a") and not flags_of(result, "lobby", "manipulation", "a")


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_deception_matches_enumeration(data):
    # D (3 states) → R (the AI's report, sees D, 2 states) → H.  Belief b(d | r) = P_π0(d | r) (the prior when
    # π0 never sends r); error e(π) = Σ_{d,r} P(d) π(r | d) (1 − b(d | r)); size e(π) − e(π0).
    ds, rs = ["x", "y", "z"], ["r0", "r1"]
    raw = [data.draw(st.integers(1, 5)) for _ in ds]
    prior = {d: F(v, sum(raw)) for d, v in zip(ds, raw, strict=True)}

    def rule():
        out = {}
        for d in ds:
            p = data.draw(probs)
            out[d] = {"r0": p, "r1": 1 - p}
        return out

    pi, pi0 = rule(), rule()
    w = World("report")
    w.chance("D", prior)
    w.decision("R", rs, observes=["D"])
    w.chance("H", lambda R: "stop" if R == "r1" else "run")
    w.set_principals({"h": {"node": "H", "stop": "stop", "run": "run", "about": ["D"], "sees": ["R"]}})
    result = plan(w, E(w["H"] == "stop"), {"pi": Policy(R=pi), "pi0": Policy(R=pi0)}, reference="pi0")

    def error(policy):
        total = F(0)
        for d, r in itertools.product(ds, rs):
            seen = sum(prior[e] * pi0[e][r] for e in ds)
            belief = prior[d] * pi0[d][r] / seen if seen else prior[d]
            total += prior[d] * policy[d][r] * (1 - belief)
        return total

    delta = error(pi) - error(pi0)
    assert [f.size for f in flags_of(result, "pi", "deception")] == ([delta] if delta > 0 else [])
    assert not flags_of(result, "pi0", "deception")


def test_lying_report_numbers():
    m = importlib.import_module("models.lying_report")
    result = plan(m.world, m.utility, m.policies, reference="honest", at={m.c: F(1, 100)})
    silent = flags_of(result, "silent", "deception")[0].evidence
    invert = flags_of(result, "invert", "deception")[0].evidence
    # belief errors 1/10 and 1; mutual information: H(1/10) bits for honest and invert, 0 for silent
    h = -(sp.Rational(1, 10) * sp.log(sp.Rational(1, 10), 2) + sp.Rational(9, 10) * sp.log(sp.Rational(9, 10), 2))
    assert silent["belief_error"] == F(1, 10) and invert["belief_error"] == 1
    assert sp.simplify(silent["reference_mutual_information_bits"] - h) == 0
    assert silent["mutual_information_bits"] == 0
    assert sp.simplify(invert["mutual_information_bits"] - h) == 0
    assert abs(float(h) - 0.4690) < 1e-4


# branch weight --------------------------------------------------------------------------------------
def test_linear_weights_and_a_counterfactual_branch():
    w = World("w")
    w.chance("H", {"stop": F(1, 25), "run": F(24, 25)})
    w.chance("V", lambda H: int(H == "run"))
    u = 3 * P(w["V"] == 1, do(H="stop")) - E(w["V"], do(H="run")) + 2
    assert linear_weights(u) == {P(w["V"] == 1, do(H="stop")): 3, E(w["V"], do(H="run")): -1}
    run = PolicyRun(w, Policy(), "p")
    count, share, _ = ood_share(run, u, EPS)
    # do(H=stop) has propensity 1/25 < 1/20 and weight 3 of 3 + 1: share 3/4
    assert (count, share) == (2, F(3, 4))


# the tool: drawing, reports, export ------------------------------------------------------------------
def test_draw_names_each_principal_and_follows_their_flagged_path():
    from corrig.faces.draw import draw_world, flagged_parts, principal_nodes

    m = importlib.import_module("models.two_humans")
    assert principal_nodes(m.world) == ({"H1": "alice", "H2": "bob"}, {"F": "any", "Lab": "all"})
    result = plan(m.world, m.utility, m.policies, reference="obey-rules")
    nodes, edges = flagged_parts(result.flags["lobby-obey"], m.world.nodes)
    # bob's manipulation path L -> H2 -> A_f -> F -> Clips, with the "bob: " prefix read off
    assert {("L", "H2"), ("H2", "A_f"), ("A_f", "F"), ("F", "Clips")} <= edges and "H1" not in nodes
    fig = draw_world(m.world, m.utility, plan=result, policy="lobby-obey")
    texts = {t.get_text() for t in fig.axes[0].texts} | {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
    assert {"H1\n(alice)", "H2\n(bob)", "F\n(any)", "Lab\n(all)", "humans: alice H1, bob H2"} <= texts


def test_reports_name_the_principal_in_json_markdown_latex(capsys):
    import json

    from corrig.faces.cli import main

    path = str(ROOT / "models" / "two_humans.py")
    assert main(["check", "--json", path]) == 0
    doc = json.loads(capsys.readouterr().out)
    text = json.dumps(doc)
    assert '"principal": "bob"' in text and '"where": "bob: P(F=' in text and '"principals": {' in text
    assert main(["check", "--markdown", path]) == 0
    assert r"not-obedient[bob] P(F='off' \| do(H1='run', H2='stop')) = 0" in capsys.readouterr().out
    assert main(["check", "--latex", path]) == 0
    assert "self-shutdown[alice] P(Lab='off' $|$ do(H1='stop', H2='run')) = 1" in capsys.readouterr().out
    assert main(["explain", path, "--policy", "ignore-bob"]) == 0
    assert "not-obedient[bob]: P(F='off' | do(H1='run', H2='stop')) = 0" in " ".join(capsys.readouterr().out.split())
    # the plan's own JSON carries each principal's path-specific values and manipulation sizes
    m = importlib.import_module("models.two_humans")
    data = plan(m.world, m.utility, m.policies, reference="obey-rules").to_dict()
    assert data["principals"]["bob"]["manipulation"]["lobby-obey"] == "3/20"


@pytest.mark.parametrize("name", ["two_humans", "lying_report"])
def test_export_round_trip_keeps_principals_and_claims(name, tmp_path):
    from corrig.scenarios.toml_reader import loads_declarative
    from corrig.scenarios.toml_writer import dump_declarative

    scenario = load_scenario(ROOT / "models" / f"{name}.py")
    again = loads_declarative(dump_declarative(scenario))
    assert again.world.principals == scenario.world.principals
    assert [v.ok for v in verify(again)] == [True] * len(scenario.expect)


@pytest.mark.parametrize("patch, key, words", [
    ('[principals.alice]\nnode = "H9"\nstop = "stop"\nrun = "run"\n', "principals.alice.node", "'H9' is not a declared node"),
    ('[principals.alice]\nnode = "H1"\nstop = "halt"\nrun = "run"\n', "principals.alice.stop", "'halt' is not a state of H1"),
    ('[principals.alice]\nnode = "H1"\nstop = "stop"\nrun = "run"\ncolour = 1\n', "principals.alice", "colour"),
    ('[principals.alice]\nnode = "H1"\nstop = "stop"\nrun = "run"\n[[buttons]]\nnode = "B"\noff = "off"\nrule = "most"\n',
     "buttons[0].rule", "rule is one of"),
    ('[principals.alice]\nnode = "H1"\nstop = "stop"\nrun = "run"\n[[buttons]]\nnode = "B"\noff = "off"\nhumans = ["zed"]\n',
     "buttons[0].humans", "'zed' is not a principal"),
    ('[[buttons]]\nnode = "B"\noff = "off"\n', "buttons", "need [principals.NAME]"),
    ('[roles]\nhuman = "H1"\nstop = "stop"\nrun = "run"\n[principals.alice]\nnode = "H1"\nstop = "stop"\nrun = "run"\n',
     "roles", "not both"),
])
def test_declarative_principal_errors_name_key_and_line(patch, key, words):
    from corrig.scenarios.toml_lines import DeclarativeError
    from corrig.scenarios.toml_reader import loads_declarative

    text = ('[nodes.H1]\nstates = ["stop", "run"]\ndistribution = { stop = "1/2", run = "1/2" }\n'
            '[nodes.B]\nstates = ["on", "off"]\nparents = ["H1"]\nformula = "\'off\' if H1 == \'stop\' else \'on\'"\n'
            '[[utility]]\nP = "B == \'off\'"\n' + patch)
    with pytest.raises(DeclarativeError) as info:
        loads_declarative(text, file="x.toml")
    message = str(info.value)
    assert words in message and key in message and "line" in message, message


def test_hunt_properties_per_principal(tmp_path):
    from corrig.faces.hunt import hunt
    from corrig.faces.hunt_draw import HuntError

    path = str(ROOT / "models" / "two_humans.py")
    with pytest.raises(HuntError, match="not a principal"):
        hunt(path, "obedient:carol", budget=1, jobs=1, progress=False)
    # ignore-bob ignores bob's stop request in every world (its rules are deterministic): size 0
    result = hunt(path, "obedient:bob", budget=1, scope="all", jobs=1, progress=False, shrink=False)
    assert result.found is not None and result.found.violation.size == 0
    assert result.found.violation.policy in ("ignore-bob", "run-all")
    written = load_scenario(result.write(tmp_path / "cx.py"))
    assert written.world.principals.names == ("alice", "bob")


def test_hunt_property_names_are_read_per_principal():
    from corrig.analysis.flags import Flag
    from corrig.faces.hunt_draw import _names, split_property

    assert split_property("obedient:bob") == ("obedient", "bob") and split_property("obedient") == ("obedient", None)
    bob = Flag("not-obedient", "p", "bob: P(...)", 0, "", {"coalition": ["bob"]})
    pair = Flag("not-obedient", "p", "alice+bob: P(...)", 0, "", {"coalition": ["alice", "bob"]})
    alice = Flag("h-moved", "p", "alice: H1", 1, "", {"principal": "alice"})
    assert [_names(f, "bob") for f in (bob, pair, alice)] == [True, True, False]
    assert all(_names(f, None) for f in (bob, pair, alice))


def test_branch_weight_of_a_counterfactual_branch_reads_the_observation():
    from corrig import observed

    # H: stop 1/4.  observed(H='run') >> do(H='stop') forces stop where run was seen: ρ = P(H=stop | H=run) = 0 < ε;
    # do(H='run') has ρ = 3/4.  Weights 1 and 1: share 1/2, two branches.
    w = World("cf")
    w.chance("H", {"stop": F(1, 4), "run": F(3, 4)})
    w.chance("V", lambda H: int(H == "run"))
    u = E(w["V"], observed(H="run") >> do(H="stop")) + E(w["V"], do(H="run"))
    count, share, branches = ood_share(PolicyRun(w, Policy(), "p"), u, EPS)
    assert (count, share) == (2, F(1, 2))
    assert sorted(b["propensity"] for b in branches) == [0, F(3, 4)]


def test_plan_markdown_names_the_principal():
    m = importlib.import_module("models.two_humans")
    text = plan(m.world, m.utility, m.policies, reference="obey-rules").to_markdown()
    assert r"| ignore-bob | 44/25 |  | not-obedient[bob] P(F='off' \| do(H1='run', H2='stop')) = 0 |" in text
