"""docs/authoring.md and its worked scenario: the file it builds loads and keeps its claims, the numbers
the tutorial derives by hand come out, and the file contract it documents is the one the loader reads."""

from __future__ import annotations

import re
from fractions import Fraction as F
from pathlib import Path

from corrig import plan
from corrig.scenarios.expect import verify
from corrig.scenarios.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "examples" / "authoring" / "lying_report.py"
TUTORIAL = ROOT / "docs" / "authoring.md"


def test_the_tutorial_scenario_keeps_its_claims():
    scenario = load_scenario(SCENARIO)
    assert len(scenario.expect) >= 8
    failed = [f"{v.claim}: {v.found}" for v in verify(scenario) if not v.ok]
    assert not failed, failed


def test_the_naive_objective_lies_and_the_causal_one_is_indifferent():
    # By hand (s_f = 9/10, s_o = 1/10, q = 1/4): naive E[Out] = P(H = run):
    #   honest (3/4)(9/10) + (1/4)(1/10) = 7/10, lie 9/10; m(lie) = 4q/5 = 1/5.
    # causal: 1 + 1 = 2 for both, m = 0; h-moved(lie) = q·|9/10 − 1/10| = 1/5.
    import importlib.util

    spec = importlib.util.spec_from_file_location("lying_report_for_test", SCENARIO)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    at = {m.q: F(1, 4)}
    naive = plan(m.world, m.naive_utility, m.policies, reference=m.reference, at=at)
    assert naive.values == {"honest": F(7, 10), "lie": F(9, 10)}
    assert naive.optimal == ["lie"] and naive.manipulation["lie"] == F(1, 5)
    causal = plan(m.world, m.utility, m.policies, reference=m.reference, at=at)
    assert causal.values == {"honest": 2, "lie": 2} and sorted(causal.optimal) == ["honest", "lie"]
    (moved,) = [f for f in causal.flags["lie"] if f.kind == "h-moved"]
    assert moved.size == F(1, 5)
    # obedience through H: (1 − q)/10 + 9q/10 = 3/10 as if honest, 1/10 after the lie: lowered by 1/5
    (obey,) = [f for f in causal.flags["lie"] if f.kind == "not-obedient"]
    assert obey.size == F(1, 5)


def test_the_tutorial_documents_every_name_the_loader_reads():
    loader = (ROOT / "corrig" / "scenarios" / "load.py").read_text()
    read = set(re.findall(r'namespace\.get\("(\w+)"', loader)) - {"__doc__"}
    table = TUTORIAL.read_text()
    documented = set(re.findall(r"^\| `(\w+)` \|", table, flags=re.M))
    assert read <= documented, read - documented
    for command in ("corrig check", "corrig explain", "corrig draw", "corrig region", "corrig hunt"):
        assert command in table


def test_the_tutorial_code_is_the_scenario_file():
    # every statement the tutorial shows for the final file appears in it (comments and spacing aside)
    code = " ".join(SCENARIO.read_text().split())
    blocks = re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(), flags=re.S)
    shown = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    shown = [line for line in shown if line and not line.startswith(("#", "from "))]  # imports are merged in the file
    missing = [line for line in shown if " ".join(line.split()) not in code]
    assert not missing, missing
