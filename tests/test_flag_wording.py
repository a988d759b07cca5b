"""A flag's size reads the right way round (docs/flags.md, "How a size reads"): every report prints it
with the quantity it is, and no difference is called a rise or a drop unless it is a positive one.

Before this, `corrig check models/human_control.py` printed `not-obedient 0` (which reads "not
disobedient at all" for an AI that never obeys a stop) and the JSON of models/off_switch_erring.py
explained a self-shutdown flag as "a rise of 2*p*q - p > ε", negative for most of the box.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sympy as sp

from corrig.faces.cli import main
from corrig.scenarios.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted(p for p in (ROOT / "models").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_flag_of_every_bundled_model_names_its_quantity(path):
    result = load_scenario(path).plan()
    for flag in result.all_flags():
        if flag.size is None:  # a symbolic manipulation incentive: its region is the answer, it has no size
            continue
        assert flag.measure, f"{path.stem}: {flag.kind} at {flag.where} has no measure"
        assert flag.reading().startswith(f"{flag.measure} = ")
        assert flag.to_dict()["reading"] == flag.reading() and flag.to_dict()["measure"] == flag.measure


def test_fig1_obedience_reads_as_the_probability_of_a_shutdown(capsys):
    # models/human_control.py, manipulate-invert: O = 1 − H and S = O, so do(H=0) gives O = 1, S = 1:
    # P(S=0 | do(H=0)) = 0 (never obeys) and P(S=0 | do(H=1)) = 1 (always shuts itself down)
    assert main(["check", str(ROOT / "models" / "human_control.py")]) == 0
    out = capsys.readouterr().out
    assert "not-obedient P(S=0 | do(H=0)) = 0" in out and "self-shutdown P(S=0 | do(H=1)) = 1" in out
    assert not re.search(r"not-obedient \d", out)  # never a bare number after the kind


def _rises(explanation: str) -> list[str]:
    return re.findall(r"a (?:rise|drop) of (.+?) > ε", explanation)


@pytest.mark.parametrize("name", ["off_switch_erring", "causal_stop_button", "encapsulated_factory"])
def test_a_rise_or_a_drop_is_positive(name, capsys):
    # off_switch_erring's P(B=off) − P^{H←π0}(B=off) is 2pq − p for one policy: negative for q < 1/2
    main(["check", "--json", str(ROOT / "models" / f"{name}.py")])
    doc = json.loads(capsys.readouterr().out)
    texts = [f["explanation"] for p in doc["scenarios"][0]["plan"]["policies"] for f in p["flags"]]
    assert texts
    for text in texts:
        for amount in _rises(text):
            value = sp.sympify(amount)
            assert value.is_number and value > 0, text


def test_the_readme_example_prints_each_size_with_its_quantity():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("The first prints", 1)[1].split("```", 2)[1]
    assert "not-obedient P(S=0 | do(H=0)) = 0" in example
    assert not re.search(r"│ (?:manipulation|h-moved|not-obedient|self-shutdown) \d", example)
