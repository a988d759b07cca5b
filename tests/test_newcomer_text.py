"""What a newcomer reads: objectives with rational weights as numbers, Nash with its capital, and another
agent's incentives with the rules it holds fixed given on the command line (issue 23's leftovers)."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest

from corrig import P, World
from corrig.analysis.incentives import incentives
from corrig.faces.cli import main
from corrig.model.errors import PolicyError
from corrig.scenarios.load import load_scenario
from corrig.scenarios.toml_lines import DeclarativeError
from corrig.scenarios.toml_reader import loads_rules

MODELS = Path(__file__).resolve().parent.parent / "models"


def _world() -> World:
    w = World("w")
    w.chance("A", {"a": F(1, 2), "b": F(1, 2)})
    return w


def test_an_objective_prints_its_rational_weights_as_fractions_and_its_negative_ones_as_minus():
    w = _world()
    term = F(1, 4) * P(w["A"] == "a") - P(w["A"] == "b") - F(1, 3) * P(w["A"] == "a")
    assert str(term) == "1/4 · P((A == 'a')) - P((A == 'b')) - 1/3 · P((A == 'a'))"
    assert "Rational" in repr(term)  # repr stays Python that rebuilds the term (tests/test_terms.py)


def test_check_prints_the_objective_with_a_rational_weight_as_a_fraction(tmp_path, capsys):
    path = tmp_path / "quarter.py"
    path.write_text("from fractions import Fraction as F\nfrom corrig import P, Policy, World\n"
                    "world = World('quarter')\nworld.decision('D', ['x', 'y'])\n"
                    "world.chance('B', lambda D: 'on' if D == 'x' else 'off')\n"
                    "utility = F(1, 4) * P(world['B'] == 'on')\n")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1/4 · P((B == 'on'))" in out and "Rational" not in out
    assert main(["check", str(path), "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "1/4 · P((B == 'on'))" in out and "Rational" not in out


def test_equilibria_and_their_claims_write_nash_with_a_capital(capsys):
    assert main(["equilibria", str(MODELS / "off_switch_rational.py"), "--at", "p=3/4"]) == 0
    out = capsys.readouterr().out
    # the model's hand count: 64 Nash and 16 subgame-perfect equilibria at p = 3/4
    assert "64 pure Nash equilibria" in out and "16 pure subgame-perfect equilibria" in out
    assert "nash" not in out
    assert main(["check", str(MODELS / "off_switch_rational.py")]) == 0
    out = capsys.readouterr().out
    assert "pure Nash equilibria" in out and "pure nash" not in out


def test_another_agents_values_need_the_rules_held_fixed_and_say_how_to_give_them(capsys):
    file = str(MODELS / "off_switch_rational.py")
    assert main(["incentives", file, "--agent", "human"]) == 2
    err = capsys.readouterr().err
    assert "--fixed" in err and "['R']" in err and "--graphical" in err
    assert main(["incentives", file, "--agent", "human", "--graphical"]) == 0
    assert "value of information ['U_a', 'R']" in capsys.readouterr().out


def test_another_agents_values_with_the_ai_held_at_wait(capsys):
    # By hand, robot held at R = wait, p = 3/4: the human who sees U_a runs iff U_a = +1, E[V] = p = 3/4; blind to U_a
    # it runs (2p - 1 = 1/2) or stops (0): 1/2.  VoI(U_a) = 1/4.  Choosing U_a = +1 and running: 1, so VoC(U_a) = 1/4.
    # R is held fixed: knowing it adds nothing (VoI(R) = 0).
    file = str(MODELS / "off_switch_rational.py")
    assert main(["incentives", file, "--agent", "human", "--at", "p=3/4", "--fixed", 'R = "wait"']) == 0
    out = capsys.readouterr().out
    assert "VoI(U_a) = 1/4" in out and "VoI(R) = 0" in out and "VoC(U_a) = 1/4" in out


@pytest.mark.parametrize("rules, words", [
    ('R = "nope"', "[R]"),
    ('X = "wait"', "'X' is not a decision"),
    ("R = ", "not rules like"),
    ("x" * 20_000, "characters"),
])
def test_bad_fixed_rules_are_refused_naming_the_option_and_the_decision(rules, words):
    world = load_scenario(MODELS / "off_switch_rational.py").world
    with pytest.raises(DeclarativeError) as info:
        loads_rules(rules, world)
    assert "--fixed" in str(info.value) and words in str(info.value)


def test_a_fixed_rule_for_the_agents_own_decision_is_refused():
    scenario = load_scenario(MODELS / "off_switch_rational.py")
    world = scenario.world
    with pytest.raises(PolicyError, match="H, human's own decision"):
        incentives(world, world.agents["human"].objective, agent="human", fixed={"R": "wait", "H": "stop"})
    assert main(["incentives", str(MODELS / "off_switch_rational.py"), "--agent", "human",
                 "--fixed", 'R = "act", H = "stop"']) == 2
