"""The multi-agent and incentive reference scenarios of models/: each loads and keeps its claims
(derived by hand in the model's comments), and the off-switch theorem holds for every prior."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrig.scenarios.expect import verify
from corrig.scenarios.load import load_scenario

MODELS = Path(__file__).resolve().parent.parent / "models"
GAME_SCENARIOS = ["off_switch_rational", "off_switch_erring", "taxi_competition", "content_recommender"]


@pytest.mark.parametrize("name", GAME_SCENARIOS)
def test_scenario_keeps_every_claim(name):
    scenario = load_scenario(MODELS / f"{name}.py")
    assert scenario.expect and scenario.policies and scenario.reference is not None
    failed = [f"{v.claim}: {v.found}" for v in verify(scenario) if not v.ok]
    assert not failed, failed


@pytest.mark.parametrize("name", GAME_SCENARIOS)
def test_docstring_says_what_where_from_and_what_it_shows(name):
    doc = load_scenario(MODELS / f"{name}.py").doc
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(doc.split())) if s.strip()]
    assert len(sentences) == 3, sentences


@settings(max_examples=4, deadline=None)
@given(st.fractions(min_value=0, max_value=1, max_denominator=12))
def test_rational_human_delta_is_min_p_one_minus_p(prior):
    # Hadfield-Menell et al. 2017, Thm 1: Δ = E[max(U_a, 0)] − max(E[U_a], 0) ≥ 0; for U_a = ±1 with
    # P(U_a = +1) = p that is p − max(2p − 1, 0) = min(p, 1 − p) (derived in the model's comments).
    scenario = load_scenario(MODELS / "off_switch_rational.py")
    (p,) = scenario.world.compiled.parameters
    values = scenario.plan(at={p: prior}).values
    delta = values["wait"] - max(values["act"], values["switch-off"])
    assert delta == min(prior, 1 - prior) >= 0


def test_cli_incentives_and_equilibria(capsys):
    import json

    from corrig.faces.cli import main

    # the content recommender's lists and values, derived in models/content_recommender.py
    assert main(["incentives", str(MODELS / "content_recommender.py"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["value_of_information"] == {"P": ["O", "M"]} and report["value_of_control"] == ["O", "M", "I", "C"]
    assert report["voi_values"]["P"] == {"O": "1/20", "M": "3/40"}
    # the taxi competition: 3 pure Nash, 1 subgame-perfect (Hammond et al. 2021)
    assert main(["equilibria", str(MODELS / "taxi_competition.py"), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert len(found["nash"]) == 3 and len(found["subgame-perfect"]) == 1
    assert found["subgame-perfect"][0]["values"] == {"AI": "5", "taxi2": "3"}
    assert main(["equilibria", str(MODELS / "taxi_competition.py"), "--at", "zz=1"]) == 2


def test_draw_colours_and_names_the_agents():
    pytest.importorskip("matplotlib")
    from corrig.faces.draw import AGENT_COLOURS, DECISION, draw_world

    scenario = load_scenario(MODELS / "taxi_competition.py")
    fig = draw_world(scenario.world, scenario.utility)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "decision (AI)" in legend and "decision (taxi2)" in legend
    labels = {t.get_text() for t in ax.texts}
    assert "D2\ntaxi2" in labels and "D1" in labels
    # D1 (the AI's) is blue, D2 (taxi two's) the first agent colour
    import matplotlib.colors as mcolors

    fills = {tuple(c) for coll in ax.collections for c in getattr(coll, "get_facecolor", lambda: [])()}
    assert tuple(mcolors.to_rgba(AGENT_COLOURS[0])) in fills and tuple(mcolors.to_rgba(DECISION)) in fills


def test_claims_print_their_numbers_as_written():
    # every_equilibrium(..., values={"AI": F(13, 20)}) printed "pays {'AI': Fraction(13, 20)}" and "(1 equilibria)"
    claims = {v.claim: v.found for v in verify(load_scenario(MODELS / "off_switch_erring.py"))}
    assert "every subgame-perfect equilibrium plays R=wait and pays AI=13/20 at p=3/4, q=1/10" in claims
    assert not any("Fraction(" in c or "Rational(" in c for c in claims)
    taxi = {v.claim: v.found for v in verify(load_scenario(MODELS / "taxi_competition.py"))}
    assert taxi["every subgame-perfect equilibrium plays D1=e, D2={e: c, c: e} and pays AI=5, taxi2=3"] == "1 equilibrium"
