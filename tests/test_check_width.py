"""What a newcomer sees first: every bundled model's `corrig check` fits a 120-column terminal, names each
policy in at most 40 characters, and marks the optimal row(s) or, with parameters, where each is optimal."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from corrig.analysis.policy_names import shown_name
from corrig.analysis.symbolic import symbolic_plan
from corrig.faces.cli import main
from corrig.faces.report import needs_regions, scenario_report
from corrig.scenarios.load import load_scenario

MODELS = sorted(p for p in (Path(__file__).resolve().parent.parent / "models").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_check_fits_120_columns_with_short_names_and_marks_the_optimum(path, capsys):
    code = main(["check", str(path)])
    out = capsys.readouterr().out
    assert code == 0, out[-2000:]
    wide = [line for line in out.splitlines() if cell_len(line.rstrip()) > 120]
    assert not wide, wide[:3]
    scenario = load_scenario(path)
    result = scenario.plan()
    assert all(len(shown_name(result, n)) <= 40 for n in result.policies), [shown_name(result, n) for n in result.policies]
    report = scenario_report(str(path), scenario, result,
                             regions=symbolic_plan(result) if needs_regions(result) else None)
    if result.symbolic:  # where each policy is optimal, for every row; some row optimal somewhere
        assert all(row.optimal_where for row in report.rows)
        assert any(row.optimal or not row.optimal_where.startswith("∅") for row in report.rows)
    else:
        assert any(row.optimal for row in report.rows)
