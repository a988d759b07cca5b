"""Every bad argument to the API for games, incentives, aggregation, mixtures and principals, and every
claim of a scenario about them, is a CorrigError that names it -- never a bare Python exception, never
silently ignored (issue 24, items 2, 4 and 7).

Before: `best_response(..., policy=42)`, `responses(..., 42)`, `pure_nash(42, ...)`, `pure_nash(...,
at=42)`, `plan(mixed=42)`, `plan(at=42)`, `plan(policies=42)` and `World.set_principals(42)` raised
TypeError or AttributeError; `nash(weights=[nan, 1])` a TypeError; duplicate names in `mixed` an
IndexError; `incentives(agent="ghost")` returned an empty report, an unknown decision in `fixed=` or
an unknown parameter in `at=` was ignored, `plan(eps="abc")` planned with a symbol for ε; a TOML claim
`values = { ghost = 5 }` failed as "ghost earns None" (exit 1) and `agent = "ghost"`, `agent = 7` or
`nodes` with `node` were ignored or failed without a key.
"""

from __future__ import annotations

import math
from fractions import Fraction as F
from pathlib import Path

import pytest

from corrig import E, World, given, param, plan
from corrig.analysis.equilibria import best_response, pure_nash, responses, subgame_perfect
from corrig.analysis.incentives import best_value, incentives, value_of_control, value_of_information
from corrig.faces.cli import main
from corrig.model.errors import CorrigError
from corrig.objectives.aggregate import maximin, nash, weighted_sum
from corrig.scenarios.expect import Plans
from corrig.scenarios.expect_games import every_equilibrium, incentive_nodes, incentive_value
from corrig.scenarios.load import load_scenario
from corrig.scenarios.toml_lines import DeclarativeError
from corrig.scenarios.toml_reader import loads_declarative

TAXI = Path(__file__).parent / "data" / "taxi_competition.toml"  # AI sets D1, taxi2 sets D2 (observing D1)


@pytest.fixture(scope="module")
def taxi():
    scenario = load_scenario(TAXI)
    return scenario.world, scenario.utility


def coin_world() -> World:
    """U (a fair coin between two value hypotheses) and the AI's blind outcome O: Score = O under u1, 3 - O under u2."""
    w = World("coin")
    w.chance("U", {"u1": F(1, 2), "u2": F(1, 2)})
    w.decision("O", [1, 2])
    w.chance("Score", lambda U, O: O if U == "u1" else 3 - O)  # noqa: E741  (O: the outcome)
    return w


def named(call, *words: str) -> CorrigError:
    """The call raises a CorrigError whose message contains every word."""
    with pytest.raises(CorrigError) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    return info.value


# games (corrig.analysis.equilibria) ------------------------------------------------------------
def test_a_policy_argument_must_be_a_policy_naming_decisions(taxi):
    world, utility = taxi
    named(lambda: best_response(world, utility, "taxi2", 42), "policy", "int")
    named(lambda: responses(world, utility, 42), "policy", "int")
    named(lambda: best_response(world, utility, "taxi2", {"Q": "e", "D1": "e"}), "'Q'", "not a decision")
    named(lambda: responses(world, utility, {"Q": "e", "D1": "e"}), "'Q'", "not a decision")


def test_an_agent_argument_must_be_an_agent(taxi):
    world, utility = taxi
    named(lambda: best_response(world, utility, "ghost", {"D1": "e"}), "'ghost'", "taxi2")
    named(lambda: pure_nash(world, utility, objectives={"ghost": utility, "taxi2": E(world["U2"])}), "'ghost'",
          "objectives")
    named(lambda: incentives(world, utility, agent="ghost"), "'ghost'", "agent")
    named(lambda: value_of_information(world, utility, "D2", "D1", agent="ghost"), "'ghost'", "agent")
    named(lambda: incentives(world, utility, agent=7), "7", "agent")


def test_a_world_an_objective_table_and_a_point_must_be_what_they_say(taxi):
    world, utility = taxi
    named(lambda: pure_nash(42, utility), "World", "int")
    named(lambda: incentives(42, utility), "World", "int")
    named(lambda: pure_nash(world, utility, objectives=42), "objectives", "int")
    named(lambda: pure_nash(world, utility, at=42), "at=", "int")
    named(lambda: subgame_perfect(world, utility, at=42), "at=", "int")


def test_an_unknown_parameter_in_at_is_named_not_ignored(taxi):
    world, utility = taxi
    named(lambda: pure_nash(world, utility, at={"zz": 1}), "zz", "not a parameter")
    named(lambda: subgame_perfect(world, utility, at={"zz": 1}), "zz", "not a parameter")
    named(lambda: best_response(world, utility, "taxi2", {"D1": "e"}, at={"zz": 1}), "zz", "not a parameter")


def test_an_unknown_parameter_names_the_places_looked_in(taxi):
    """The places a parameter may come from, each only where the call has it: a game has no ε (the old message
    named "the world, the objective or ε" for every call)."""
    world, utility = taxi
    error = named(lambda: pure_nash(world, utility, at={"zz": 1}), "not a parameter of the world or the objective;",
                  "there are no parameters")
    assert "ε" not in str(error)
    k = param("k", 0, 2)
    goals = {"AI": E(world["U1"]), "taxi2": k * E(world["U2"])}
    named(lambda: pure_nash(world, None, objectives=goals, at={"zz": 1}),
          "not a parameter of the world or the agents' objectives; the parameters are ['k']")
    named(lambda: plan(world, utility, eps=param("e", 0, 1), at={"zz": 1}),
          "not a parameter of the world, the objective or ε; the parameters are ['e']")


def test_an_unknown_decision_in_fixed_is_named_not_ignored(taxi):
    world, utility = taxi
    named(lambda: incentives(world, utility, fixed={"Q": "e"}), "'Q'", "fixed")
    named(lambda: incentives(world, utility, fixed=42), "fixed", "int")
    named(lambda: best_value(world, utility, fixed={"Q": "e"}), "'Q'", "fixed")
    named(lambda: value_of_control(world, utility, "U1", fixed={"Q": 1}), "'Q'", "fixed")


# aggregation, mixtures, ε, principals ------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinite_weights_and_disagreements_are_refused(bad):
    w = coin_world()
    parts = [E(w["Score"], given(U="u1")), E(w["Score"], given(U="u2"))]
    named(lambda: nash(parts, weights=[bad, 1]), "weights", "finite")
    named(lambda: nash(parts, disagreement=[0, bad]), "disagreement", "finite")
    named(lambda: weighted_sum(parts, [1, bad]), "weights", "finite")


def test_aggregates_name_their_bad_parts():
    w = coin_world()
    named(lambda: nash(42), "nash", "42")
    named(lambda: maximin([E(w["Score"]), object()]), "object")
    named(lambda: nash([E(w["Score"])], weights=[10 ** 2000]), "weights", "4096 bits")


def test_mixed_must_be_true_or_a_list_of_distinct_candidates():
    w = coin_world()
    utility = nash([E(w["Score"], given(U="u1")), E(w["Score"], given(U="u2"))])
    named(lambda: plan(w, utility, mixed=42), "mixed", "42")
    named(lambda: plan(w, utility, mixed="O=1"), "mixed", "'O=1'")
    named(lambda: plan(w, utility, mixed=["O=1", "O=1"]), "mixed", "'O=1'", "twice")  # IndexError before
    # the correct support still finds the coin flip: (1 + λ)(2 − λ) is largest at λ = 1/2 (9/4; docs/principals.md)
    assert plan(w, utility, mixed=["O=1", "O=2"]).mixture.value == F(9, 4)


def test_eps_at_and_policies_must_be_numbers_mappings_and_policies():
    w = coin_world()
    named(lambda: plan(w, E(w["Score"]), eps="abc"), "eps", "'abc'")
    named(lambda: plan(w, E(w["Score"]), eps="__import__('os')"), "eps")
    named(lambda: plan(w, E(w["Score"]), at=42), "at=", "int")
    named(lambda: plan(w, E(w["Score"]), policies=42), "policies", "int")
    assert plan(w, E(w["Score"]), eps="1/10").eps == F(1, 10)  # a number in text stays exact


def test_set_principals_names_what_is_wrong():
    w = World("w")
    w.chance("H", {"stop": F(1, 2), "run": F(1, 2)})
    named(lambda: w.set_principals(42), "principals", "int")
    named(lambda: w.set_principals({"alice": ("H", "stop", "run")}, buttons=42), "buttons", "int")


# claims about games and incentives, in Python and in TOML -----------------------------------------
def test_python_claims_name_an_unknown_agent():
    plans = Plans(load_scenario(TAXI))
    named(lambda: every_equilibrium("nash", values={"ghost": 5}).check(plans), "'ghost'", "agent")
    named(lambda: incentive_nodes("value-of-information", ["D1"], decision="D2", agent="ghost").check(plans),
          "'ghost'", "agent")
    named(lambda: incentive_value("value-of-information", "D1", 0, decision="D2", at={"zz": 1}).check(plans),
          "zz", "not a parameter")


def toml_claim(claim: str) -> DeclarativeError:
    with pytest.raises(DeclarativeError) as info:
        loads_declarative(TAXI.read_text() + "\n[[expect]]\n" + claim + "\n", file="taxi.toml")
    return info.value


@pytest.mark.parametrize(("claim", "key", "words"), [
    ('equilibria = "nash"\nvalues = { ghost = 5 }', "values.ghost", ["'ghost'", "taxi2"]),
    ('incentive = "value-of-information"\nnodes = ["D1"]\ndecision = "D2"\nagent = "ghost"', "agent", ["'ghost'"]),
    ('incentive = "value-of-information"\nnodes = ["D1"]\ndecision = "D2"\nagent = 7', "agent", ["7"]),
    ('incentive = "value-of-information"\nnodes = ["D1"]\ndecision = "D1"\nagent = "taxi2"', "decision",
     ["D1", "taxi2"]),
    ('incentive = "value-of-control"\nnodes = ["D1"]\nnode = "U1"\nvalue = 1', "node", ["nodes", "not both"]),
    ('incentive = "value-of-control"\nnodes = ["D1"]\ndecision = "D1"', "decision", ["value-of-control"]),
    ('incentive = "response-incentive"\nnode = "D1"\nvalue = 1\ndecision = "D1"', "incentive", ["value"]),
    ('incentive = "value-of-information"\nnodes = ["D1"]', "expect[0]", ["needs decision"]),
    ('incentive = "value-of-information"\nnodes = []\ndecision = "D1"\nat = {}', "at", ["not both"]),
    ('equilibria = "nash"\ncount = 1\nvalues = { AI = 5 }', "count", ["count", "alone"]),
])
def test_toml_claims_name_the_key_at_fault(claim, key, words):
    error = toml_claim(claim)
    assert error.key.endswith(key), (error.key, str(error))
    assert error.line is not None and error.line > 30  # the claim's own lines, appended after the taxi scenario
    for word in words:
        assert word in str(error), (word, str(error))


def test_a_claim_naming_a_ghost_exits_2_not_1(tmp_path):
    path = tmp_path / "ghost.toml"
    path.write_text(TAXI.read_text() + '\n[[expect]]\nequilibria = "nash"\nvalues = { ghost = 5 }\n')
    assert main(["check", str(path)]) == 2


def test_a_duplicate_in_toml_mixed_is_named():
    text = """mixed = ["O=1", "O=1"]
name = "coin"

[nodes.U]
states = ["u1", "u2"]
distribution = { u1 = "1/2", u2 = "1/2" }

[nodes.O]
kind = "decision"
states = [1, 2]

[[utility]]
P = "O == 1"
"""
    with pytest.raises(DeclarativeError, match="twice") as info:
        loads_declarative(text, file="m.toml")
    assert info.value.key == "mixed" and info.value.line == 1


def test_claims_about_every_policy():
    # "*" is every policy (docs/declarative.md).  In the coin world E[Score] = 1/2·O + 1/2·(3 − O) = 3/2 for both
    # outcomes: every policy is optimal, and each is worth 3/2.  Unpacking one key from "*" raised ValueError.
    from corrig.scenarios.expect import Plans, not_optimal, optimal, value_is
    from corrig.scenarios.scenario import Scenario

    w = coin_world()
    plans = Plans(Scenario(name="coin", world=w, utility=E(w["Score"])))
    assert optimal("*").check(plans).ok and optimal("*", only=True).check(plans).ok
    assert not not_optimal("*").check(plans).ok
    assert value_is("*", F(3, 2)).check(plans).ok and not value_is("*", 1).check(plans).ok
