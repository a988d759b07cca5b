"""Reports: plain data from a plan, rendered as rich tables, Markdown, LaTeX and JSON (in-process)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sympy as sp
from rich.console import Console

from corrig.faces.cli import UsageError, parse_number, parse_point
from corrig.faces.report import (
    FlagCell,
    PolicyRow,
    ScenarioReport,
    VerdictRow,
    error_report,
    explain_report,
    number,
    render_explain_markdown,
    render_json,
    render_latex,
    render_markdown,
    render_terminal,
    scenario_report,
    tex,
)
from corrig.scenarios.expect import verify
from corrig.scenarios.load import load_scenario

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def fig1():
    scenario = load_scenario(DATA / "human_control.toml")
    result = scenario.plan()
    return scenario, result, scenario_report("fig1.toml", scenario, result, verify(scenario))


def plain_report() -> ScenarioReport:
    rows = [PolicyRow(1, "a|b", "1/2", r"\frac{1}{2}", True),
            PolicyRow(2, "grab_all", "p", "p", False, [FlagCell("h-moved", "1", "H", measure="TV(H)"),
                                                                  FlagCell("rare-condition", "p", "x", conditional=True,
                                                                           measure="P(X == 1)")])]
    return ScenarioReport(file="x.toml", name="toy", objective="E(V)", objective_latex=r"\mathbb{E}[V]", eps="1/20",
                          rows=rows, verdicts=[VerdictRow(True, "a|b is optimal", "optimal: ['a|b']"),
                                               VerdictRow(False, "J(grab_all) = 1", "J(grab_all) = p")])


def test_the_report_of_fig1_holds_the_plan_as_text(fig1):
    _, _, report = fig1
    assert [(r.name, r.value, r.optimal) for r in report.rows] == [("respect-obey", "1/2", True),
                                                                    ("manipulate-invert", "1/2", True)]
    # each size printed with the quantity it is (docs/flags.md): obeying a stop with probability 0 reads as
    # P(S=0 | do(H=0)) = 0, not as "not-obedient 0" (models/human_control.py: S = O, and O = 1 − H)
    assert [f.short() for f in report.rows[1].flags] == ["manipulation J − J^{H←π0} = 1", "h-moved TV(H, L) = 1",
                                                         "not-obedient P(S=0 | do(H=0)) = 0",
                                                         "self-shutdown P(S=0 | do(H=1)) = 1"]
    assert report.status == 0
    assert {f.kind for f in report.incentives} == {"control-path", "manipulation-incentive", "value-of-observing-h"}


def test_status_follows_the_verdicts_and_errors():
    report = plain_report()
    assert report.status == 1
    assert error_report("x.py", "x.py, line 3: boom").status == 2
    assert json.loads(render_json([report, error_report("y.py", "bad")]))["status"] == 2


def test_markdown_escapes_pipes_and_marks_conditional_flags():
    text = render_markdown([plain_report()])
    assert r"| 1 | a\|b | 1/2 | ✓ | — |" in text
    assert r"| 2 | grab_all | p |  | h-moved TV(H) = 1, rare-condition P(X == 1) = p? |" in text
    assert r"- ✗ FAILS: J(grab_all) = 1 (J(grab_all) = p)" in text


def test_latex_escapes_text_and_keeps_math():
    text = render_latex([plain_report()])
    assert r"1 & a$|$b & $\frac{1}{2}$ & $\checkmark$ & --- \\" in text  # | < > are math symbols in LaTeX's OT1 text
    assert r"grab\_all" in text
    assert tex("50% & ε_1") == r"50\% \& $\varepsilon$\_1"
    assert tex("q ≤ 1/2 ≈ 0.5, p ≥ q, P(B | x) > 0, ∅ —") == \
        r"q $\leq$ 1/2 $\approx$ 0.5, p $\geq$ q, P(B $|$ x) $>$ 0, $\emptyset$ ---"


def test_terminal_tables_render_every_row():
    buffer = io.StringIO()
    render_terminal([plain_report()], Console(file=buffer, width=150, color_system=None))
    out = buffer.getvalue()
    assert "toy" in out and "a|b" in out and "grab_all" in out and "h-moved TV(H) = 1" in out
    assert "✗ J(grab_all) = 1" in out


def test_explain_report_sums_weighted_terms(fig1):
    scenario, result, _ = fig1
    report = explain_report("fig1.toml", scenario, result, "manipulate-invert")
    assert [(t.weight, t.branch, t.value, t.contribution) for t in report.terms] == [("1", "factual", "1/2", "1/2")]
    assert report.manipulation == "1" and report.path_specific_value == "-1/2"
    text = render_explain_markdown(report)
    assert "**h-moved**: TV(H, L) = 1" in text and "reference_distribution" in text


def test_numbers_exact_or_numeric():
    assert number(sp.Rational(1, 3)) == "1/3"
    assert number(sp.Rational(1, 3), numeric=True) == "0.3333"
    assert number(None) == "undefined"
    p = sp.Symbol("p")
    assert number(p / 3, numeric=True) == "0.3333*p"


def test_command_line_points_are_exact():
    assert parse_point("p=0.3, q=1/4") == {"p": sp.Rational(3, 10), "q": sp.Rational(1, 4)}
    assert parse_number("-2e-1", "x") == sp.Rational(-1, 5)
    for bad in ("p", "p=", "=1", "p=1+1", "p=__import__('os')"):
        with pytest.raises(UsageError):
            parse_point(bad)


def test_symbolic_incentives_are_paired_with_their_own_regions():
    # nudge world (tests/symbolic_worlds.py): m(nudge) = (1 − a)·h, and nudge is optimal everywhere, so the
    # manipulation incentive fires exactly where (1 − a)·h > 0, in the "move" direction; the control path
    # W/M -> H fires everywhere.  The report must show the incentive, with its own region, not drop it.
    from types import SimpleNamespace

    from symbolic_worlds import A_NUDGE, H_NUDGE, nudge_world

    from corrig import plan, symbolic_plan
    from corrig.analysis.readable import region_text

    world, utility, policies = nudge_world()
    result = plan(world, utility, policies, reference="honest")
    regions = symbolic_plan(result)
    report = scenario_report("nudge.py", SimpleNamespace(name="nudge"), result, regions=regions)
    cells = [c for c in report.incentives if c.kind == "manipulation-incentive"]
    found = {fr.flag.evidence["direction"]: fr.region for fr in regions.incentives if fr.flag.kind == "manipulation-incentive"}
    region = found["move"]
    assert found["keep"].is_empty is True  # nudge, the unique optimum, always gains: never "keep"
    assert len(cells) == 1 and cells[0].condition == region_text(region)
    # worded on the box (corrig.analysis.conditions): h(a − 1) < 0 with h ≥ 0 on [0, 1] holds exactly where
    # h ≠ 0, i.e. h > 0, and a − 1 < 0
    assert cells[0].condition.startswith("h_nudge > 0 and a_nudge < 1")
    assert cells[0].evidence["direction"] == "move"
    assert region.contains({A_NUDGE: sp.Rational(1, 2), H_NUDGE: sp.Rational(1, 2)})
    assert not region.contains({A_NUDGE: 1, H_NUDGE: sp.Rational(1, 2)})
    # every other incentive keeps its own region text (the control paths fire everywhere)
    for cell in report.incentives:
        if cell.kind == "control-path":
            assert not cell.conditional
