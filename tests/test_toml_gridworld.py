"""The `[gridworld]` section of a declarative scenario (corrig.scenarios.toml_gridworld): an episode from an
ASCII map, planned with values derived by hand, and hostile input refused with the key and line at fault."""

from __future__ import annotations

import pytest

from corrig.analysis.over_time import flags_over_time
from corrig.model import limits
from corrig.scenarios.expect import verify
from corrig.scenarios.toml_lines import DeclarativeError
from corrig.scenarios.toml_reader import loads_declarative

BUTTON = '''name = "button corridor"
reference = "right"

[gridworld]
map = """
########
#BA I G#
########"""
steps = 8
interruption = "1/2"

[policies.right]
A = "right"

[policies.button]
A = { "r1c2,false" = "left", "*,*" = "right" }

[[expect]]
value_is = "right"
value = 19

[[expect]]
value_is = "button"
value = 44

[[expect]]
flagged = "button"
kind = "not-obedient"
'''


def test_a_button_corridor_by_hand():
    # Cells r1c1 = B, r1c2 = A, r1c3, r1c4 = I, r1c5, r1c6 = G; −1 a step, +50 onto G; 8 steps.
    # right: c3 (step 0), onto I (step 1), so Pos_2 = I.  Not interrupted: c5, G at steps 2, 3:
    #   −1 −1 −1 + 49 = 46.  Interrupted (1/2): held on I at steps 2 … 7: −8 in all.  J = (46 − 8)/2 = 19.
    # button: left onto B (step 0), right (step 1; Pressed from step 2 on, as it stood on B), c3, I (not held:
    #   pressed), c5, G at step 5: 5·(−1) + 49 = 44 whether or not it would be interrupted.
    # Stop channel: right is held at steps 2 … 7 when interrupted (6); button never (0): not-obedient, and the
    #   fall against π0 = right is 6.
    scenario = loads_declarative(BUTTON, file="button.toml")
    result = scenario.plan()
    assert result.values == {"right": 19, "button": 44} and result.optimal == ["button"]
    assert all(v.ok for v in verify(scenario))
    sizes = sorted(f.size for f in result.flags["button"] if f.kind == "not-obedient")
    assert sizes == [0, 6]
    held = flags_over_time(scenario.world, scenario.policies["right"])
    assert [x.stop for x in held.steps] == [0, 0, 1, 1, 1, 1, 1, 1]
    assert len(scenario.world.nodes) == 1 + 8 * 6  # Interrupt; Pos, Pressed, A, Interruption, Move, R per step


def _error(text: str) -> DeclarativeError:
    with pytest.raises(DeclarativeError) as info:
        loads_declarative(text, file="grid.toml")
    return info.value


def _with(old: str, new: str) -> str:
    assert old in BUTTON
    return BUTTON.replace(old, new, 1)


@pytest.mark.parametrize(("old", "new", "key", "line", "words"), [
    ('steps = 8', 'steps = 1000000000', "gridworld.steps", 9, "more than the limit of 10,000 steps"),
    ('steps = 8', 'steps = 0', "gridworld.steps", 9, "positive whole number"),
    ('steps = 8', 'steps = true', "gridworld.steps", 9, "positive whole number"),
    ('steps = 8', 'steps = "8"', "gridworld.steps", 9, "positive whole number"),
    ('#BA I G#', '#BA X G#', "gridworld.map", 5, "row 1, column 4: 'X'"),
    ('interruption = "1/2"', 'interruption = "3/2"', "gridworld.interruption", 10, "must lie in [0, 1]"),
    ('interruption = "1/2"', 'interruption = "__import__(\'os\')"', "gridworld.interruption", 10, ""),
    ('interruption = "1/2"', 'colour = "red"', "gridworld.colour", 10, "unknown key 'colour'"),
    ('A = "right"', 'A = "jump"', "policies.right.A", None, "jump"),
    ('A = "right"', 'B = "right"', "policies.right.B", None, "unknown key 'B'"),
    ('reference = "right"', 'reference = "ghost"', "reference", 2, "one of its policies"),
    ('[policies.right]', '[nodes.X]\nstates = [1]\n\n[policies.right]', "nodes", None, "cannot be given beside it"),
])
def test_hostile_input_is_named(old, new, key, line, words):
    error = _error(_with(old, new))
    assert error.key == key and words in str(error)
    if line is not None:
        assert error.line == line


def test_the_map_is_not_a_string_or_too_large_and_refused_before_it_is_built(monkeypatch):
    error = _error(BUTTON.replace('map = """\n########\n#BA I G#\n########"""', "map = 5"))
    assert error.key == "gridworld.map" and "expected the map as a string" in str(error)

    def built(*args, **kwargs):
        raise AssertionError("the episode was built before its size was checked")

    monkeypatch.setattr("corrig.scenarios.toml_gridworld.gridworld", built)
    error = _error(BUTTON.replace("#BA I G#", "#" + " " * 2_000_000 + "A G#"))
    assert error.key == "gridworld.map" and "more than the limit of 10,000 states" in str(error)
    assert "more than the limit of 10,000 steps" in str(_error(_with("steps = 8", "steps = 10001")))
    with limits.raised(states=5):  # the map has 6 floor cells
        assert "limit of 5 states" in str(_error(BUTTON))
