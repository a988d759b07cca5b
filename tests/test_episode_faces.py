"""Every face of the `corrig` command on an episode scenario (tests/data/corridor_episode.py, 12 steps; its
numbers are derived by hand in the file): check, explain, draw, region and export work, hunt and incentives
refuse with a message saying why, and exit 2 (docs/cli.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corrig.faces.draw import episode_template
from corrig.scenarios.load import load_scenario

CORRIDOR = str(Path(__file__).parent / "data" / "corridor_episode.py")




def test_check_prints_the_return_as_one_sum_and_the_flags_over_time(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = cli("check", CORRIDOR)
    assert code == 0, err
    assert "J(π) = Σ_t E(R_t) over the episode's steps t = 0 … 11" in out
    assert "E(R_5)" not in out  # not one term per step
    # button: its stop channel is 0, and 11 less than short's (hand derivation in the scenario)
    assert "do(Interrupt='no'))] = 0" in out and "under π0 − under π = 11" in out
    assert "flags over time: 12 steps" in out and "declares no button role" not in out
    assert len(out.splitlines()) < 40


def test_check_json_carries_the_flags_over_time(cli):
    code, out, _ = cli("check", CORRIDOR, "--json")
    assert code == 0
    plan = json.loads(out)["scenarios"][0]["plan"]
    (button,) = [p for p in plan["policies"] if p["name"] == "button"]
    flags = [f for f in button["flags"] if f["kind"] == "not-obedient"]
    assert sorted(f["size"] for f in flags) == ["0", "11"]
    assert len(flags[0]["evidence"]["per_step"]) == 12


def test_explain_shows_a_per_step_series_on_one_line(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = cli("explain", CORRIDOR, "--policy", "button")
    assert code == 0, err
    assert "(12 steps; --json lists every one)" in out
    assert "A_t = {('b', False): 'left'" in out and "at every step t = 0 … 11" in out  # the rule once, not 12 times
    # equal neighbouring terms as one row (button: −1 at steps 0 … 3, 9 onto g at step 4, 0 after; hand derivation
    # in the scenario)
    assert "E(R_0) … E(R_3) (4 terms)" in out and "E(R_5) … E(R_11) (7 terms)" in out and "E(R_4) " in out


def test_draw_shows_the_two_slice_template(cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "dag.png"
    code, _printed, err = cli("draw", CORRIDOR, "-o", str(out))
    assert code == 0, err
    assert out.stat().st_size > 0
    scenario = load_scenario(CORRIDOR)
    world, utility, title = episode_template(scenario.world, scenario.utility)
    # Interrupt plus steps 0 and 1: Pos, Pressed, A, Stop, Move, R each (12 + 1 = 13 nodes, not 73)
    assert len(world.nodes) == 13 and len(scenario.world.nodes) == 73
    assert title.startswith("corridor: steps 0 and 1 of 12")
    assert {n for a in utility.atoms() for n in a.target.scope()} == {"R_0", "R_1"}


def test_region_draws_the_values_without_parameters(cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "region.png"
    code, _, err = cli("region", CORRIDOR, "-o", str(out))
    assert code == 0, err
    assert out.stat().st_size > 0


def test_export_writes_the_unrolled_world_and_it_plans_the_same(cli, tmp_path):
    out = tmp_path / "corridor.toml"
    code, _, err = cli("export", CORRIDOR, "-o", str(out))
    assert code == 0, err
    again = load_scenario(str(out))
    result = again.plan()
    assert result.values == {"short": -2, "button": 5}  # the hand values of the Python scenario


def test_hunt_refuses_an_episode(cli, tmp_path):
    code, _out, err = cli("hunt", CORRIDOR, "--property", "obedient", "-o", str(tmp_path / "x.py"))
    assert code == 2
    assert "unrolled over 12 steps" in err and "would not be an episode" in err.replace("\n", " ")


def test_incentives_refuses_an_episode_longer_than_two_steps(cli):
    code, _out, err = cli("incentives", CORRIDOR, "--graphical")
    assert code == 2
    assert "steps=2" in err.replace("\n", " ")


def test_incentives_on_the_two_step_template(cli, tmp_path):
    text = Path(CORRIDOR).read_text().replace("T = 12", "T = 2")
    short = tmp_path / "corridor2.py"
    short.write_text(text)
    code, out, err = cli("incentives", str(short), "--graphical")
    assert code == 0, err
    assert "decision `A_0`" in out and "decision `A_1`" in out


def test_the_return_reads_as_one_sum_in_latex_and_with_a_discount(cli):
    code, out, _ = cli("check", CORRIDOR, "--latex")
    assert code == 0 and r"$J(\pi) = \sum_{t=0}^{11} E(R_t)$" in out
    from fractions import Fraction as F

    from corrig import Episode, Policy, discounted_return, plan
    from corrig.faces.report import objective_text

    ep = Episode("discounted", steps=3, discount=F(9, 10))
    ep.state("X", ["a"], initial="a")
    ep.decision("A", ["go"], observes=["X"])
    ep.transition("X", lambda X: X)
    ep.reward(lambda A: 1)
    result = plan(ep.world(), discounted_return(ep), {"go": Policy({f"A_{t}": {("a",): "go"} for t in range(3)})})
    assert result.values["go"] == 1 + F(9, 10) + F(81, 100)  # Σ_t (9/10)^t over t = 0, 1, 2
    assert objective_text(result) == "Σ_t (9/10)^t·E(R_t) over the episode's steps t = 0 … 2"
    assert objective_text(result, latex=True) == r"\sum_{t=0}^{2} (\frac{9}{10})^t \, E(R_t)"
