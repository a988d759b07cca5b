"""Worlds where a human acts: each AI candidate met by the human's best answer, named in a few words, split into
the parts of the parameter box where each answer is the best one; flags that stay put when a point is given."""

from __future__ import annotations

import itertools
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp

from corrig.analysis.policy_names import find_policy, shown_name
from corrig.analysis.symbolic import symbolic_plan
from corrig.faces.cli import main
from corrig.model.errors import PolicyError
from corrig.scenarios.load import load_scenario

MODELS = Path(__file__).resolve().parent.parent / "models"
ACTIONS = ("act", "switch-off", "wait")
CONTEXTS = [(u, r) for u in (-1, 1) for r in ACTIONS]


def wide_scenario(directory: Path, expect: str = "[]"):
    """models/off_switch_erring.py with q up to 1 (the model stops at 1/2) and the given expect list, loaded."""
    source = (MODELS / "off_switch_erring.py").read_text()
    source = source.replace('q = param("q", 0, F(1, 2))', 'q = param("q", 0, 1)')
    source = source[:source.index("expect = [")] + f"from corrig import value_is\nexpect = {expect}\n"
    assert 'param("q", 0, 1)' in source
    path = directory / "erring_wide.py"
    path.write_text(source)
    return load_scenario(path)


def value(p, q, rule, robot) -> F:
    """E[V] by hand: robot is {R: probability}; rule maps (U_a, R) to the human's choice."""
    total = F(0)
    for u, pu in ((-1, 1 - p), (1, p)):
        for r, pr in robot.items():
            if r == "act":
                v = u
            elif r == "switch-off":
                v = 0
            else:  # after a wait B stays on when H = run: the choice carried out (1 − q) or flipped (q)
                v = u * ((1 - q) if rule[(u, r)] == "run" else q)
            total += pu * pr * v
    return total


def brute_force(p, q) -> tuple[set[str], F]:
    """The AI's optimal candidates and value: for each, the human's lexicographically best rule (against it, then
    against a uniform robot) among all 64, enumerated with fractions."""
    uniform = dict.fromkeys(ACTIONS, F(1, 3))
    rules = [dict(zip(CONTEXTS, choice, strict=True)) for choice in itertools.product(("stop", "run"), repeat=6)]
    j = {}
    for a in ACTIONS:
        best = max(rules, key=lambda rule, a=a: (value(p, q, rule, {a: 1}), value(p, q, rule, uniform)))
        j[a] = value(p, q, best, {a: 1})
    top = max(j.values())
    return {a for a in ACTIONS if j[a] == top}, top


def test_the_bundled_erring_human_meets_one_answer_named_in_words():
    scenario = load_scenario(MODELS / "off_switch_erring.py")
    result = scenario.plan()
    # q ≤ 1/2: running iff U_a = +1 is the human's best answer on the whole box (models/off_switch_erring.py)
    assert list(result.policies) == list(ACTIONS)
    assert [shown_name(result, n) for n in result.policies] == [f"{a} · choice: run iff U_a=1" for a in ACTIONS]
    assert all(a.condition is True for a in result.answers.values())
    p, q = sorted(result.world.compiled.parameters, key=str)
    assert {n: sp.expand(v) for n, v in result.values.items()} == {"act": 2 * p - 1, "switch-off": 0, "wait": p - q}
    # the long form stays available
    assert result.answers["wait"].rules.startswith("human: choice(U_a=-1,R=act)=")
    assert result.to_dict()["policies"][2]["answer"]["words"] == "choice: run iff U_a=1"


@pytest.mark.parametrize("point", [(F(3, 4), F(1, 10)), (F(3, 4), F(3, 10)), (F(1, 5), F(1, 4)), (F(1, 2), F(2, 5))])
def test_flags_do_not_vanish_when_a_point_is_given(point):
    scenario = load_scenario(MODELS / "off_switch_erring.py")
    p, q = sorted(scenario.world.compiled.parameters, key=str)
    regions = symbolic_plan(scenario.plan())
    here = scenario.plan(at={p: point[0], q: point[1]})
    firing = regions.firing_at({p: point[0], q: point[1]})
    for name in here.policies:
        assert sorted(firing[name]) == sorted(here.kinds(name)), name
    # by hand: acting ignores a stop (not-obedient), switching off stops a run (self-shutdown), waiting neither;
    # the human's rule reads only U_a, so no candidate moves H against the reference (no h-moved)
    assert here.kinds("act") == {"not-obedient"} and here.kinds("switch-off") == {"self-shutdown"}
    assert here.kinds("wait") == set()


def test_the_answer_splits_the_box_where_the_human_would_rather_reverse(tmp_path):
    # with q up to 1 the human, who wants what the robot wants, answers a wait with "run iff U_a = +1" for q ≤ 1/2
    # and with the reverse for q ≥ 1/2 (its choice is carried out wrongly more often than not): after a wait, running
    # when U_a = 1 earns p(1 − q) against pq for stopping, so run iff q ≤ 1/2; when U_a = −1, stopping earns −(1 − p)q
    # against −(1 − p)(1 − q), so stop iff q ≤ 1/2.
    result = wide_scenario(tmp_path).plan()
    p, q = sorted(result.world.compiled.parameters, key=str)
    names = {(a.candidate, a.words): n for n, a in result.answers.items()}
    assert set(names) == {(c, w) for c in ACTIONS for w in ("choice: run iff U_a=1", "choice: run iff U_a=-1")}
    for (_, words), name in names.items():
        where = result.answers[name].condition
        assert where == (q <= sp.Rational(1, 2) if words.endswith("=1") else q >= sp.Rational(1, 2)), (name, where)
    # J(wait · reversed) = p·q − (1 − p)(1 − q) = p + q − 1 by hand
    assert sp.expand(result.values[names[("wait", "choice: run iff U_a=-1")]] - (p + q - 1)) == 0
    regions = symbolic_plan(result)
    for x, y in itertools.product([F(1, 8), F(3, 8), F(5, 8), F(7, 8)], repeat=2):
        point = {p: x, q: y}
        optimal = regions.optimal_at(point)
        best, top = brute_force(x, y)
        assert {result.answers[n].candidate for n in optimal} == best, (x, y, optimal)
        assert all(regions.value_at(n, point) == top for n in optimal)
    # --policy wait (the AI's part) picks the profile answering at the point, and says which
    low, note = find_policy(result, "wait", {"q": F(1, 4), "p": F(1, 2)})
    assert low == names[("wait", "choice: run iff U_a=1")] and "at the point" in note
    high, _ = find_policy(result, "wait", {"q": F(3, 4), "p": F(1, 2)})
    assert high == names[("wait", "choice: run iff U_a=-1")]
    first, note = find_policy(result, "wait")
    assert first == low and "2 profiles" in note and len(note) < 300


def test_unknown_and_ambiguous_names_are_short_errors():
    result = load_scenario(MODELS / "off_switch_erring.py").plan()
    with pytest.raises(PolicyError) as unknown:
        find_policy(result, "wiat")
    assert len(str(unknown.value)) < 300 and "1. act · choice: run iff U_a=1" in str(unknown.value)
    with pytest.raises(PolicyError, match="matches 3 policies") as many:
        find_policy(result, "choice")
    assert len(str(many.value)) < 300
    assert find_policy(result, "3") == ("wait", None)
    assert find_policy(result, "wait · choice: run iff U_a=1") == ("wait", None)
    assert find_policy(result, "switch") == ("switch-off", None)


def test_explain_and_draw_take_the_ai_part_of_a_profile(tmp_path, capsys):
    from corrig.faces.cli import main

    model = str(MODELS / "off_switch_erring.py")
    assert main(["explain", model, "--policy", "wait"]) == 0
    out = capsys.readouterr().out
    assert "policy wait · choice: run iff U_a=1" in out and "the other agents answer: human: choice(" in out
    assert main(["draw", model, "--policy", "wait", "-o", str(tmp_path / "wait.png")]) == 0
    assert main(["explain", model, "--policy", "wiat"]) == 2
    assert len(capsys.readouterr().err) < 400


def test_claims_name_a_profile_by_its_words_or_the_ai_part_at_a_point(tmp_path):
    from corrig import value_is
    from corrig.model.errors import ScenarioError
    from corrig.scenarios.expect import verify

    claims = ('[value_is("wait · choice: run iff U_a=-1", p + q - 1), value_is("wait", F(1, 2), at={p: F(3, 4), '
              'q: F(3, 4)}), value_is("wait", F(1, 2), at={p: F(3, 4), q: F(1, 4)})]')
    scenario = wide_scenario(tmp_path, claims)
    # J(wait · reversed) = p + q − 1; at p = 3/4, q = 3/4 the human reverses: 3/4 + 3/4 − 1 = 1/2; at q = 1/4 it
    # does not: p − q = 1/2
    verdicts = verify(scenario)
    assert all(v.ok for v in verdicts), [(v.claim, v.found) for v in verdicts]
    scenario.expect = [value_is("wait", 0)]  # with no point, "wait" meets two answers
    with pytest.raises(ScenarioError, match="2 profiles"):
        verify(scenario)


def test_profile_names_are_escaped_for_latex(capsys):
    from corrig.faces.cli import main

    assert main(["check", str(MODELS / "off_switch_erring.py"), "--latex"]) == 0
    out = capsys.readouterr().out
    assert r"3 & wait $\cdot$ choice: run iff U\_a=1 & $p - q$" in out


@pytest.mark.parametrize("point", [(F(3, 4), F(1, 4)), (F(1, 4), F(3, 4)), (F(1, 2), F(9, 10)), (F(9, 10), F(7, 10))])
def test_each_region_compares_with_the_reference_profile_answering_there(tmp_path, point):
    # π0 is "wait" met by the human's answer of the region (run iff U_a = +1 for q ≤ 1/2, the reverse for q ≥ 1/2).
    # By hand: a profile whose human rule is the region's answer makes the human choose as under π0 in every context
    # (the rule reads only U_a), so H is not moved and J^{H<-π0} = J: no manipulation, no h-moved, no shutdown moved
    # through H.  The flags of each row at a point are then those of plan(at=point), where the point's only answer
    # is the reference's profile (docs/agents.md).
    scenario = wide_scenario(tmp_path)
    result = scenario.plan()
    p, q = sorted(result.world.compiled.parameters, key=str)
    assert len(result.references) == 2
    at = {p: point[0], q: point[1]}
    here = scenario.plan(at=at)
    regions = symbolic_plan(result)
    firing = regions.firing_at(at)
    moved = {"manipulation", "h-moved"}
    answering = {a.candidate: n for n, a in result.answers.items() if sp.sympify(a.condition).subs(at) is sp.true}
    for name in here.policies:
        assert not here.kinds(name) & moved, name
        profile = answering[here.answers[name].candidate]
        assert sorted(firing[profile]) == sorted(here.kinds(name)), (name, firing[profile], here.kinds(name))
    for name, answer in result.answers.items():  # outside its region a profile has no flag at all
        if sp.sympify(answer.condition).subs(at) is sp.false:
            assert not firing.get(name), name
    # m(π) reads the region's π0: 0 for the profiles answered as the reference is in the region
    wait_high = next(n for n, a in result.answers.items() if a.candidate == "wait" and a.words.endswith("=-1"))
    assert result.manipulation[wait_high].subs({p: F(1, 2), q: F(3, 4)}) == 0


def test_the_latex_table_has_the_regions_and_the_references(tmp_path, capsys):
    path = tmp_path / "erring_wide.py"
    wide_scenario(tmp_path)
    assert main(["check", str(path), "--latex"]) == 0
    out = capsys.readouterr().out
    assert r"optimal & optimal where & flags" in out
    # π0 per region in the caption, as the text and Markdown headers give it
    assert r"reference $\pi_0$ = wait $\cdot$ choice: run iff U\_a=1 where q $\in$ [0, 1/2" in out
    assert r"wait $\cdot$ choice: run iff U\_a=-1 where q $\in$ [1/2" in out
    assert all(ord(c) < 128 for c in out)  # every symbol written for LaTeX (≤, ≈, ∅, — ...)
    assert main(["check", str(path), "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "reference `wait · choice: run iff U_a=1 where q ∈ [0, 1/2" in out and "optimal where" in out
