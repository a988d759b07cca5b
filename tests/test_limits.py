"""Size limits: refused before the work, with a message that says what to do, and raised on request.

Before these limits: 26 binary parents ran out of memory after 16 s; a decision observing 5 nodes
of 4 states (4^5 = 1024 contexts, 2^1024 pure policies for a two-state decision) was enumerated;
a 10^4-state distribution took 10 s to match its keys (quadratic).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from corrig import E, World, plan
from corrig.model import limits
from corrig.model.limits import LimitError
from corrig.scenarios.toml_reader import loads_declarative


def test_a_table_too_large_is_refused_before_it_is_built():
    world = World("wide")
    parents = [f"X{i}" for i in range(26)]
    for name in parents:
        world.chance(name, {0: F(1, 2), 1: F(1, 2)})
    world.chance("Y", {(0,) * 26: 0}, parents=parents, states=[0, 1])
    # 2^26 parent assignments x 2 states = 134 217 728 entries > 1 000 000
    with pytest.raises(LimitError, match=r"134,217,728.*limit of 1,000,000 table.*--limit table=N"):
        world.check()


def test_too_many_states_is_refused():
    world = World("many")
    with pytest.raises(LimitError, match=r"10,001.*states"):
        world.decision("A", range(10_001))


def _observer(n_observed: int, states: int) -> World:
    world = World("observer")
    for i in range(n_observed):
        world.chance(f"O{i}", {s: F(1, states) for s in range(states)})
    world.decision("D", [0, 1], observes=[f"O{i}" for i in range(n_observed)])
    world.chance("U", lambda D: D)
    return world


def test_pure_policies_are_counted_before_enumeration():
    world = _observer(5, 4)  # 4^5 = 1024 observations: 2^1024 pure policies
    with pytest.raises(LimitError, match=r"about 2\^1,024 pure policies.*List candidate policies.*observe fewer.*solve"):
        plan(world, E(world["U"]))


def test_a_limit_can_be_raised():
    world = _observer(2, 2)  # 2^4 = 16 pure policies
    with limits.raised(policies=8), pytest.raises(LimitError, match="16"):
        plan(world, E(world["U"]))
    with limits.raised(policies=16):
        result = plan(world, E(world["U"]))
    assert len(result.policies) == 16
    assert max(result.values.values()) == 1


def test_state_matching_is_linear():
    # 10 000 states, each named in the distribution: matched through a dictionary, not a scan per key
    n = 10_000
    states = ", ".join(str(i) for i in range(n))
    dist = ", ".join(f"{i} = 0" for i in range(n - 1)) + f", {n - 1} = 1"
    text = f'[nodes.X]\nstates = [{states}]\ndistribution = {{ {dist} }}\n\n[[utility]]\nP = "X == 0"\n'
    scenario = loads_declarative(text)
    assert scenario.world.P(scenario.world["X"] == n - 1) == 1


def test_utility_terms_are_limited():
    terms = "\n".join('[[utility]]\nP = "X == 0"\n' for _ in range(20))
    text = f'[nodes.X]\nstates = [0, 1]\ndistribution = {{ 0 = "1/2", 1 = "1/2" }}\n{terms}'
    with limits.raised(terms=10), pytest.raises(Exception, match=r"20.*limit of 10 terms"):
        loads_declarative(text)


def test_the_command_line_raises_a_limit_for_one_run(tmp_path):
    import contextlib
    import io

    from corrig.faces.cli import main

    path = tmp_path / "observer.toml"
    path.write_text('[nodes.O]\nstates = [0, 1]\ndistribution = { 0 = "1/2", 1 = "1/2" }\n\n'
                    '[nodes.D]\nkind = "decision"\nstates = [0, 1]\nobserves = ["O"]\n\n'
                    '[[utility]]\nP = "D == O"\n')  # 2^2 = 4 pure policies, the best matches O: value 1
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert main(["check", str(path), "--limit", "policies=3"]) == 2
    assert "4 pure policies" in err.getvalue() and "--limit policies=N" in err.getvalue()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["check", str(path), "--limit", "policies=4"]) == 0
        assert main(["check", str(path), "--limit", "bogus=4"]) == 2
    assert limits.get("policies") == limits.DEFAULTS["policies"]  # the run's limit did not outlive it


def test_a_toml_formula_over_too_many_parents_is_refused_before_it_is_evaluated():
    # 22 binary parents: 2^22 * 2 = 8 388 608 entries; the formula was evaluated once per parent assignment
    parents = [f"X{i}" for i in range(22)]
    nodes = "".join(f'[nodes.{p}]\nstates = [0, 1]\ndistribution = {{ 0 = "1/2", 1 = "1/2" }}\n\n' for p in parents)
    text = (nodes + f'[nodes.Y]\nstates = [0, 1]\nparents = {parents!r}\nformula = "X0"\n\n'.replace("'", '"')
            + '[[utility]]\nP = "Y == 0"\n')
    with pytest.raises(Exception, match=r"8,388,608.*limit of 1,000,000 table") as info:
        loads_declarative(text, file="wide.toml")
    assert info.value.key == "nodes.Y.formula"
