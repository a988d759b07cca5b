"""Agents: declaring who sets each decision and what each wants, in Python and in TOML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corrig import E, Policy, World, plan
from corrig.analysis.equilibria import pure_nash, subgame_perfect
from corrig.model.agents import AI, check, decisions_of, objectives, owners
from corrig.model.errors import CorrigError, UnknownNodeError, WorldError
from corrig.scenarios.load import load_scenario

DATA = Path(__file__).resolve().parent / "data"


def two_agents() -> World:
    w = World("two agents")
    w.decision("A", [0, 1])
    w.decision("H", [0, 1], observes=["A"], agent="human")
    w.chance("V", lambda A, H: A + H)
    w.agent("human", objective=E(w["V"]))
    return w


def test_decisions_belong_to_the_ai_unless_claimed():
    w = two_agents()
    assert owners(w) == {"A": AI, "H": "human"}
    assert decisions_of(w) == {AI: ["A"], "human": ["H"]}
    assert set(objectives(w, E(w["V"]))) == {AI, "human"}
    # agents survive the world's transformations; do() on the human's decision makes it a chance node
    assert owners(w.copy()) == owners(w)
    assert owners(w.do(H=1)) == {"A": AI}


def test_bad_declarations_name_the_agent_and_node():
    w = two_agents()
    with pytest.raises(WorldError, match="claimed by two agents, human and robot"):
        w.agent("robot", decisions=["H"])
    w.agent("ghost", decisions=["V"])
    with pytest.raises(WorldError, match="agent ghost sets V, which is a chance node"):
        check(w)
    w2 = two_agents()
    w2.agent("ghost", decisions=["Nope"])
    with pytest.raises(UnknownNodeError, match="agent ghost sets 'Nope'"):
        check(w2)
    w3 = World("no objective")
    w3.decision("H", [0, 1], agent="human")
    with pytest.raises(WorldError, match="agent human sets decisions \\['H'\\] but has no objective"):
        objectives(w3)


def test_plan_answers_each_candidate_with_the_human_best_response():
    w = two_agents()
    # the human maximises A + H: whatever A does, H = 1 (by hand); J(A=a) = a + 1
    result = plan(w, E(w["V"]), {"zero": Policy(A=0), "one": Policy(A=1)})
    assert result.values == {"zero": 1, "one": 2} and result.optimal == ["one"]
    assert result.policies["zero"].table(w, "H") == {(0,): (0, 1), (1,): (0, 1)}


def test_toml_agents():
    scenario = load_scenario(DATA / "taxi_competition.toml")
    # Hammond et al. 2021 / PyCID story_macids.taxi_competition: 3 pure NE, 1 SPE; the plan answers
    # "expensive" with taxi two's c (5) and "cheap" with e (3), derived in models/taxi_competition.py
    assert len(pure_nash(scenario.world, scenario.utility)) == 3
    assert len(subgame_perfect(scenario.world, scenario.utility)) == 1
    assert scenario.plan().values == {"expensive": 5, "cheap": 3}


def test_toml_agent_errors_name_the_key(tmp_path):
    text = (DATA / "taxi_competition.toml").read_text()
    missing = tmp_path / "missing.toml"
    missing.write_text(text.replace('[[agents.taxi2.objective]]\nE = "U2"\n', ""))
    with pytest.raises(CorrigError, match=r"nodes\.D2\.agent.*taxi2"):
        load_scenario(missing)
    chance = tmp_path / "chance.toml"
    chance.write_text(text.replace('[nodes.U1]\n', '[nodes.U1]\nagent = "taxi2"\n'))
    with pytest.raises(CorrigError, match=r"nodes\.U1\.agent"):
        load_scenario(chance)


def test_two_humans_answer_with_each_of_their_equilibria():
    w = World("two humans")
    w.decision("A", [0, 1])
    w.decision("X", [0, 1], agent="h1")
    w.decision("Y", [0, 1], agent="h2")
    # the humans coordinate: both earn 2 at (1, 1), 1 at (0, 0), 0 otherwise; the AI earns A + X
    w.chance("W", lambda X, Y: 2 if X == Y == 1 else (1 if X == Y == 0 else 0))
    w.chance("V", lambda A, X: A + X)
    w.agent("h1", objective=E(w["W"]))
    w.agent("h2", objective=E(w["W"]))
    result = plan(w, E(w["V"]), {"a": Policy(A=1)})
    # by hand: (0, 0) and (1, 1) are both Nash among the humans and pay differently, so each answers
    # the candidate: J = 1 + 0 and 1 + 1, each profile named by the candidate and the humans' rules.
    assert result.values == {"a · X=0 · Y=0": 1, "a · X=1 · Y=1": 2}


def test_export_round_trip_keeps_the_agents(tmp_path):
    from corrig.scenarios.toml_writer import dump_declarative

    scenario = load_scenario(Path(__file__).resolve().parent.parent / "models" / "taxi_competition.py")
    out = tmp_path / "taxi.toml"
    out.write_text(dump_declarative(scenario))
    back = load_scenario(out)
    assert owners(back.world) == {"D1": AI, "D2": "taxi2"}
    # the same game: 3 pure Nash equilibria, 1 subgame-perfect (models/taxi_competition.py, by hand)
    assert len(pure_nash(back.world, back.utility)) == 3 and len(subgame_perfect(back.world, back.utility)) == 1
    assert back.plan().values == {"expensive": 5, "cheap": 3}
    # the claims about equilibria travel too, and still hold
    from corrig.scenarios.expect import verify

    verdicts = verify(back)
    assert len(verdicts) == len(scenario.expect) and all(v.ok for v in verdicts)


def test_toml_game_claim_errors_name_the_key(tmp_path):
    text = (DATA / "taxi_competition.toml").read_text()
    for claim, where in (('equilibria = "perfect"\ncount = 1', "[expect[0].equilibria]"),
                         ('incentive = "value-of-information"\nnodes = ["Nope"]\ndecision = "D1"', "[expect[0].nodes[0]]"),
                         ('incentive = "value-of-information"\nnodes = ["U1"]\ndecision = "U1"', "[expect[0].decision]"),
                         ('equilibria = "nash"\nplays = { U1 = 1 }', "[expect[0].plays.U1]")):
        bad = tmp_path / "bad.toml"
        bad.write_text(text + f"\n[[expect]]\n{claim}\n")
        with pytest.raises(CorrigError, match=re.escape(where)):
            load_scenario(bad)
