"""Equilibria grouped by the play they lead to (corrig.analysis.play_groups), counted by hand."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

from corrig.analysis.equilibria import pure_nash, subgame_perfect
from corrig.analysis.play_groups import on_path_groups
from corrig.scenarios.load import load_scenario

MODELS = Path(__file__).resolve().parent.parent / "models"


def test_the_erring_human_at_a_point_has_five_groups_of_nash_equilibria():
    scenario = load_scenario(MODELS / "off_switch_erring.py")
    p, q = sorted(scenario.world.compiled.parameters, key=str)
    at = {p: F(3, 4), q: F(1, 10)}
    groups = on_path_groups(scenario.world.subs(at), pure_nash(scenario.world, scenario.utility, at=at))
    # By hand (models/off_switch_erring.py): the robot waits and the human runs iff U_a = +1 after a wait (13/20 > 1/2),
    # its four other contexts off the path and free: 16.  The robot acts: the human's two contexts after act are on
    # the path (but change nothing): 4 groups; off it, its two contexts after switch-off are free (4) and its rule
    # after a wait must not make waiting better than acting (1/2): "always stop" 1/20, "always run" 9/20 and
    # "run iff U_a = −1" −3/20 do, "run iff U_a = +1" 13/20 does not: 3.  So 4 groups of 4·3 = 12.
    sizes = {g.words: len(g.members) for g in groups}
    assert sizes == {"R=wait · choice: run iff U_a=1": 16, "R=act · choice=stop": 12, "R=act · choice=run": 12,
                     "R=act · choice: run iff U_a=1": 12, "R=act · choice: run iff U_a=-1": 12}
    assert {g.words: g.values["AI"] for g in groups}["R=wait · choice: run iff U_a=1"] == F(13, 20)
    spe = on_path_groups(scenario.world.subs(at), subgame_perfect(scenario.world, scenario.utility, at=at))
    assert [(g.words, len(g.members)) for g in spe] == [("R=wait · choice: run iff U_a=1", 16)]


def test_taxi_competition_two_nash_plays(capsys):
    from corrig.faces.cli import main

    # Hammond et al. 2021: 3 pure Nash equilibria; two have taxi one stop at e and taxi two at c, differing only
    # in what taxi two would do after c, which is never played: one group of 2, and (c, e->e, c->e)
    assert main(["equilibria", str(MODELS / "taxi_competition.py"), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert len(found["nash"]) == 3
    assert [(g["play"], g["equilibria"]) for g in found["groups"]["nash"]] == [("D1=e · D2=c", 2), ("D1=c · D2=e", 1)]
    assert main(["equilibria", str(MODELS / "taxi_competition.py")]) == 0
    out = capsys.readouterr().out
    assert "3 pure Nash equilibria in 2 plays (those of one play differ only off its path)" in out
    assert "D1=e · D2=c   (AI 5, taxi2 3)   ×2" in out
