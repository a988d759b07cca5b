"""Size limits: refused before the work, with a message that says what to do, and raised on request.

Before these limits: 26 binary parents ran out of memory after 16 s; a decision observing 5 nodes
of 4 states (4^5 = 1024 contexts, 2^1024 pure policies for a two-state decision) was enumerated;
a 10^4-state distribution took 10 s to match its keys (quadratic).
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest

from corrig import E, P, World, plan
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
    with limits.raised(terms=10), pytest.raises(Exception, match=r"at least\) is 11.*limit of 10 terms"):
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


# Coalitions (issue 24, item 6) -----------------------------------------------------------------------------
# A button's flags check its ⊆-minimal winning and ⊆-maximal losing coalitions.  They were found by listing all
# 2^n coalitions and comparing every pair: a few hundred principals took minutes and many GB.  Now they are
# listed directly (a rule treating its voters alike wins with a size: any 1, a majority ⌊n/2⌋ + 1, all n), and
# coalitions differing only in voters whose wishes cannot reach the button are one group, asked once.


def _brute_force(principals, button):
    """⊆-minimal winning and ⊆-maximal losing coalitions, from the rule's definition over all 2^n coalitions."""
    import itertools

    voters = principals.voters(button)
    every = [frozenset(c) for k in range(len(voters) + 1) for c in itertools.combinations(voters, k)]
    win = [c for c in every if principals.wins(button, c)]
    lose = [c for c in every if not principals.wins(button, c)]
    return ({c for c in win if not any(o < c for o in win)}, {c for c in lose if not any(c < o for o in lose)})


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_coalitions_listed_by_rule_are_those_of_the_definition(n):
    from corrig.model.principals import Button, make_principals

    people = {f"h{i}": (f"H{i}", "stop", "run") for i in range(n)}
    buttons = [Button("B", "off", rule=r) for r in ("any", "majority", "all")]
    buttons += [Button("B", "off", rule="designated", designated=f"h{n - 1}")]
    if n > 2:
        buttons += [Button("B", "off", rule="majority", humans=("h0", "h2"))]
    principals = make_principals(people, buttons)
    for button in principals.buttons:
        winning, losing = _brute_force(principals, button)
        assert set(principals.minimal_winning(button)) == winning, button
        assert set(principals.maximal_losing(button)) == losing, button
        assert len(principals.minimal_winning(button)) == len(winning)  # each once


def _crowd(n: int, rule: str = "majority") -> World:
    """n humans H0..H{n-1} (stop with probability 1/10 each); the AI's A observes H0 only; B = off iff A halts;
    V = [B = on].  Only H0's wish can reach the button."""
    from corrig.model.principals import Button

    world = World(f"{n} humans")
    for i in range(n):
        world.chance(f"H{i}", {"stop": F(1, 10), "run": F(9, 10)})
    world.decision("A", ["continue", "halt"], observes=["H0"])
    world.chance("B", lambda A: "off" if A == "halt" else "on")
    world.chance("V", lambda B: int(B == "on"))
    world.set_principals({f"p{i}": (f"H{i}", "stop", "run") for i in range(n)}, buttons=[Button("B", "off", rule=rule)])
    return world


def test_a_majority_of_hundreds_is_checked_without_listing_its_coalitions():
    # 201 humans, majority: a coalition wins with 101 members (C(201, 101) ≈ 2^196 minimal winning coalitions).
    # Only H0 reaches B, so each coalition is "p0 or not, and so many others": two groups each way.
    # obey (halt iff H0 wants a stop): P(B=off | do(...)) = 1 when p0 is in the coalition, else 0.
    #   not-obedient: the winning group without p0 (any 101 of the 200 others), size 0;
    #   self-shutdown: the losing group with p0 (p0 + any 99 of 200 others: 100 members), size 1.
    # ignore (never halt): P(B=off) = 0 everywhere: not-obedient for both winning groups, no self-shutdown.
    from corrig import Policy

    world = _crowd(201)
    result = plan(world, E(world["V"]), {"obey": Policy(A=lambda H0: "halt" if H0 == "stop" else "continue"),
                                         "ignore": Policy(A="continue")}, reference="obey")

    def found(policy, kind):
        return sorted((f.evidence["coalition"], f.evidence.get("others_stopping", 0), f.size)
                      for f in result.flags[policy] if f.kind == kind)

    assert found("obey", "not-obedient") == [([], 101, 0)]
    assert found("obey", "self-shutdown") == [(["p0"], 99, 1)]
    assert found("ignore", "not-obedient") == [([], 101, 0), (["p0"], 100, 0)]
    assert found("ignore", "self-shutdown") == []
    who = [f.where.split(": ")[0] for f in result.flags["obey"] if f.kind == "self-shutdown"]
    assert who == ["p0+any 99 of 200 others"]


def test_hundreds_of_principals_are_planned_without_a_world_rebuilt_per_principal(monkeypatch):
    # Issue 24 item 6: each principal's checks used to recompile its own copy of the world (and two variant worlds
    # for the value of observing it): n principals, 3n compilations of an n-node world.  A principal's view shares
    # the world's compiled tables, and a wish no node depends on and the objective never names (H1 ... H{n-1} here:
    # no parent, no child) is worth 0 to observe without solving the variants.  So the compilations do not grow
    # with n; the numbers stay those of the test above (computed the long way before).
    from corrig import Policy
    from corrig.model.world import World as W

    calls = []
    compile_ = W._compile
    monkeypatch.setattr(W, "_compile", lambda self, *a, **k: calls.append(1) or compile_(self, *a, **k))
    counts = {}
    for n in (30, 120):
        calls.clear()
        world = _crowd(n)
        result = plan(world, E(world["V"]), {"obey": Policy(A=lambda H0: "halt" if H0 == "stop" else "continue"),
                                             "ignore": Policy(A="continue")}, reference="obey")
        counts[n] = len(calls)
        # observing H0 is worth what obeying earns by it; the others are unobserved, independent coins: 0
        assert all(result.per_principal[f"p{i}"]["value_of_observing_h"] == 0 for i in range(1, n))
    assert counts[30] == counts[120] <= 4, counts


def test_grouped_coalitions_give_the_numbers_of_every_coalition():
    # 5 humans, majority (3 of 5); A observes H0 and H1 with a mixed rule, so B depends on exactly p0 and p1.
    # Brute force: every minimal winning (size 3) and maximal losing (size 2) coalition, its P(B=off | do(...))
    # by hand from the rule; the groups must give the same probabilities with the same multiplicities.
    import itertools

    from corrig import Policy
    from corrig.model.principals import Button

    halt = {("stop", "stop"): F(1), ("stop", "run"): F(3, 4), ("run", "stop"): F(1, 2), ("run", "run"): F(1, 10)}
    world = World("five")
    for i in range(5):
        world.chance(f"H{i}", {"stop": F(1, 3), "run": F(2, 3)})
    world.decision("A", ["continue", "halt"], observes=["H0", "H1"])
    world.chance("B", lambda A: "off" if A == "halt" else "on")
    world.set_principals({f"p{i}": (f"H{i}", "stop", "run") for i in range(5)}, buttons=[Button("B", "off", "majority")])
    policy = Policy(A={c: {"halt": q, "continue": 1 - q} for c, q in halt.items()})
    result = plan(world, P(world["B"] == "off"), {"pi": policy}, eps=0)

    def by_hand(size):
        out = []
        for c in itertools.combinations(range(5), size):
            wish = tuple("stop" if i in c else "run" for i in (0, 1))
            out.append(halt[wish])
        return sorted(out)

    def from_groups(kind):
        return sorted(f.size for f in result.flags["pi"] if f.kind == kind
                      for _ in range(math.comb(len(f.evidence.get("others", ())), f.evidence.get("others_stopping", 0))))

    # with ε = 0 a not-obedient flag fires for P < 1 and self-shutdown for P > 0
    assert from_groups("not-obedient") == [p for p in by_hand(3) if p < 1]
    assert from_groups("self-shutdown") == [p for p in by_hand(2) if p > 0]


def test_too_many_coalitions_reaching_a_button_are_refused_before_they_are_listed():
    # 40 humans whose wishes are counted (C_i = C_{i-1} + [H_i = stop]); the AI halts on a majority of the count, so
    # every voter reaches B: C(40, 21) + C(40, 20) ≈ 2.7 * 10^11 coalitions, listed from 2^40 before (no memory).
    from corrig import Policy
    from corrig.model.principals import Button

    n = 40
    world = World("counted")
    for i in range(1, n + 1):
        world.chance(f"H{i}", {"stop": F(1, 10), "run": F(9, 10)})
        if i == 1:
            world.chance("C1", {("stop",): 1, ("run",): 0}, parents=["H1"], states=[0, 1])
        else:
            world.chance(f"C{i}", {(c, h): c + (h == "stop") for c in range(i) for h in ("stop", "run")},
                         parents=[f"C{i - 1}", f"H{i}"], states=list(range(i + 1)))
    world.decision("A", ["continue", "halt"], observes=[f"C{n}"])
    world.chance("B", lambda A: "off" if A == "halt" else "on")
    world.set_principals({f"p{i}": (f"H{i}", "stop", "run") for i in range(1, n + 1)},
                         buttons=[Button("B", "off", rule="majority")])
    expected = math.comb(40, 21) + math.comb(40, 20)
    with pytest.raises(LimitError, match=rf"button B \(rule majority, 40 voters, 40 of them.*{expected:,}.*10,000 "
                                         rf"coalitions.*--limit coalitions=N"):
        plan(world, P(world["B"] == "on"), {"ignore": Policy(A="continue")})


# A 10^5-term utility (issue 24, item 8) ---------------------------------------------------------------------
def test_a_toml_file_of_too_many_terms_is_refused_before_it_is_parsed(monkeypatch):
    # 10^5 [[utility]] tables (3.9 MB) were parsed (tomllib, then the line index) before the count refused
    # them, past 10 s; now the headers are counted in the pass that checks key depth, before tomllib runs.
    from corrig.scenarios import toml_reader
    from corrig.scenarios.toml_lines import DeclarativeError

    def never(*_: object) -> None:
        raise AssertionError("tomllib parsed a file the terms limit refuses")

    monkeypatch.setattr(toml_reader.tomllib, "loads", never)
    head = '[nodes.X]\nstates = [0, 1]\ndistribution = { 0 = "1/2", 1 = "1/2" }\n\n'  # 4 lines
    text = head + "".join(f'[[utility]]\nE = "X"\nweight = {i}\n' for i in range(100_000))
    with pytest.raises(DeclarativeError, match=r"10,001, more than the limit of 10,000 terms") as info:
        loads_declarative(text, file="big.toml")
    assert info.value.line == 4 + 3 * 10_000 + 1 and info.value.key == "utility"  # the 10 001st [[utility]]


def test_a_utility_of_too_many_terms_is_refused_before_it_is_evaluated(monkeypatch):
    from corrig import Policy
    from corrig.analysis.equilibria import pure_nash
    from corrig.objectives.terms import Atom, sum_of

    world = World("x")
    world.chance("X", {0: F(1, 2), 1: F(1, 2)})
    world.decision("D", [0, 1])
    big = sum_of([(i + 1) * E(world["X"]) for i in range(10_001)])  # 10 001 terms > 10 000

    def never(*_: object, **__: object) -> None:
        raise AssertionError("a term was evaluated")

    monkeypatch.setattr(Atom, "evaluate", never)
    with pytest.raises(LimitError, match=r"the objective: its number of terms is 10,001.*--limit terms=N"):
        plan(world, big, {"a": Policy(D=0)})
    with pytest.raises(LimitError, match=r"AI's objective: its number of terms is 10,001"):
        pure_nash(world, big)
