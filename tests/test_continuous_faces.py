"""Every face on the two continuous models: check (text, Markdown, LaTeX, JSON), explain, draw, region, export,
incentives and hunt either work — values known by quadrature always with their bound — or say why not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MODELS = Path(__file__).parent.parent / "models"
GAUSSIAN = str(MODELS / "off_switch_gaussian.py")
BOLTZMANN = str(MODELS / "off_switch_boltzmann.py")
UNSURE = "mu=1/2,sigma=1,beta=2"




def test_check_marks_every_number_known_by_quadrature(cli):
    for fmt, mark in (("--markdown", "± "), ("--latex", r"\pm"), (None, "± ")):
        code, out, err = cli("check", BOLTZMANN, "--at", UNSURE, *([fmt] if fmt else []))
        assert code == 0, err
        assert mark in out, (fmt, out[-800:])
        assert "(quadrature)" in out or fmt == "--latex", (fmt, out[-800:])
    code, out, _ = cli("check", BOLTZMANN, "--at", UNSURE, "--json")
    wait = next(p for p in json.loads(out)["scenarios"][0]["plan"]["policies"] if p["name"] == "wait")
    assert abs(wait["value_float"] - 0.6048596929946793) < wait["value_bound"] + 1e-12  # scipy's value, test_continuous_models
    assert wait["value_bound"] < 1e-12


def test_check_states_how_each_region_was_settled(cli):
    # the rational human (the model's hand derivation): J(act) − J(wait) = sigma·g(mu/sigma) with
    # g(x) = x − x·Phi(x) − phi(x), g' = 1 − Phi ≥ 0, rising from −∞ to 0: acting is never optimal; switching off
    # likewise (g(x) = −x·Phi(x) − phi(x)), so wait is optimal on the whole box.  Each note leads with that verdict
    # in words, and no note says the optimal set depends on where in the box one looks.
    code, out, err = cli("check", GAUSSIAN)
    assert code == 0, err
    words = " ".join(out.split())  # the notes wrap at the console's width
    assert ("note: act is never optimal (proved: J(act) - J(wait) = sigma·g(mu/sigma) < 0 for every real mu and "
            "sigma > 0, since g(x) = -x*Phi(x) + x - phi(x) increases from -oo to 0") in words
    assert "note: switch-off is never optimal (proved: J(switch-off) - J(wait) = sigma·g(mu/sigma) < 0" in words
    assert "note: wait is always optimal (proved:" in words
    assert "region-dependent" not in words
    # observing H adds nothing: with it and without it the best value is J(wait)
    assert "note: value-of-observing-h (plan) never fires (proved: its size is 0 on the box, as each Max is J(wait)" \
        in words


def test_explain_marks_a_policy_optimal_on_the_whole_box(cli):
    code, out, err = cli("explain", GAUSSIAN, "--policy", "wait")
    assert code == 0, err
    words = " ".join(out.split())
    assert "★ optimal" in words and "region-dependent" not in words
    assert "note: wait is always optimal (proved: J(wait) - J(switch-off) = sigma·g(mu/sigma) > 0" in words


def test_explain_shows_bounded_branch_values(cli):
    code, out, err = cli("explain", BOLTZMANN, "--policy", "wait", "--at", UNSURE)
    assert code == 0, err
    assert "± " in out and "(quadrature)" in out


def test_draw_and_region_write_pictures(cli, tmp_path):
    pytest.importorskip("matplotlib")
    code, _, err = cli("draw", GAUSSIAN, "-o", str(tmp_path / "dag.png"))
    assert code == 0 and (tmp_path / "dag.png").stat().st_size > 0, err
    code, _out, err = cli("region", BOLTZMANN, "--x", "mu", "--y", "sigma", "--at", "beta=1", "-o", str(tmp_path / "r.png"))
    assert code == 0 and (tmp_path / "r.png").stat().st_size > 0, err


def test_incentives_skip_continuous_values_with_a_note(cli):
    code, out, err = cli("incentives", GAUSSIAN)
    assert code == 0, err
    assert "VoI(H)" in out and "VoI(U)" not in out
    assert "skipped for the continuous nodes ['U']" in out


def test_export_writes_toml_that_checks_the_same(cli, tmp_path):
    out_path = tmp_path / "g.toml"
    code, _, err = cli("export", GAUSSIAN, "-o", str(out_path))
    assert code == 0, err
    text = out_path.read_text()
    assert 'kind = "continuous"' in text and 'distribution = "Normal(mu, sigma)"' in text
    code, _out, err = cli("check", str(out_path))
    assert code == 0, err


def test_hunt_finds_the_confident_robot_and_writes_a_reproducing_file(cli, tmp_path):
    out_path = tmp_path / "found.py"
    code, out, err = cli("hunt", BOLTZMANN, "--property", "obedient", "--budget", "3", "--jobs", "1",
                         "--at", "sigma=1/10,beta=1,mu=1", "-o", str(out_path))
    assert code == 1, (out, err)  # a counterexample: acting is optimal and ignores the human's stop
    code, out, err = cli("check", str(out_path))
    assert code == 0, (out, err)
