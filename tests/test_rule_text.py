"""Decision rules in a few words (corrig.analysis.rule_text): each form checked on rules written by hand."""

from __future__ import annotations

import itertools

from corrig import World
from corrig.analysis.rule_text import profile_words, rule_text, simplest_rule
from corrig.model.policies import Policy, pure_rules


def off_switch_human() -> World:
    w = World("off-switch human")
    w.chance("U_a", {-1: 0.5, 1: 0.5})
    w.decision("R", ["act", "switch-off", "wait"])
    w.decision("H", ["stop", "run"], observes=["U_a", "R"])
    return w


CONTEXTS = [(u, r) for u in (-1, 1) for r in ("act", "switch-off", "wait")]


def test_constant_copy_negation_and_iff():
    w = off_switch_human()
    assert rule_text(w, "H", dict.fromkeys(CONTEXTS, "stop")) == "H=stop"
    assert rule_text(w, "H", {c: "run" if c[0] == 1 else "stop" for c in CONTEXTS}) == "H: run iff U_a=1"
    assert rule_text(w, "H", {c: "stop" if c[1] == "wait" else "run" for c in CONTEXTS}) == "H: stop iff R=wait"
    # run only after a wait when U_a = 1: a conjunction
    assert rule_text(w, "H", {c: "run" if c == (1, "wait") else "stop" for c in CONTEXTS}) == \
        "H: run iff U_a=1 and R=wait"
    t = World("taxis")
    t.decision("D1", ["e", "c"])
    t.decision("D2", ["e", "c"], observes=["D1"])
    assert rule_text(t, "D2", {("e",): "e", ("c",): "c"}) == "D2 = D1"
    assert rule_text(t, "D2", {("e",): "c", ("c",): "e"}) == "D2 ≠ D1"
    assert rule_text(t, "D1", {(): "c"}) == "D1=c"


def test_three_actions_chain_and_negated_literals():
    w = World("three")
    w.chance("X", {0: 0.25, 1: 0.25, 2: 0.5})
    w.decision("D", ["a", "b", "c"], observes=["X"])
    # a everywhere but X=2, where c: "c iff X=2" is not a two-action rule, so a chain with a default
    assert rule_text(w, "D", {(0,): "a", (1,): "a", (2,): "c"}) == "D: c if X=2; else a"
    w2 = World("three, one off")
    w2.chance("X", {0: 0.25, 1: 0.25, 2: 0.5})
    w2.decision("D", ["a", "b"], observes=["X"])
    assert rule_text(w2, "D", {(0,): "b", (1,): "a", (2,): "b"}) == "D: a iff X=1"
    assert rule_text(w2, "D", {(0,): "a", (1,): "b", (2,): "b"}) == "D: a iff X=0"
    w3 = World("four states")
    w3.chance("X", {0: 0.25, 1: 0.25, 2: 0.25, 3: 0.25})
    w3.decision("D", ["a", "b"], observes=["X"])
    assert rule_text(w3, "D", {(0,): "a", (1,): "b", (2,): "b", (3,): "b"}) == "D: a iff X=0"
    # as many a's as b's: the first state is the default, the other is worded
    assert rule_text(w3, "D", {(0,): "a", (1,): "a", (2,): "b", (3,): "b"}) == "D: b iff X∈{2,3}"


def test_every_worded_rule_means_its_table():
    # each of the 64 pure rules of H: read the words back by brute force and compare with the table
    w = off_switch_human()
    for mapping, _ in pure_rules(w, "H"):
        text = rule_text(w, "H", mapping)
        assert text == rule_text(w, "H", dict(mapping))  # deterministic
        meant = _read_back(text)
        if meant is not None:
            assert {c: meant(*c) for c in CONTEXTS} == mapping, text


def _read_back(text: str):
    """The rule that words of the forms `H=a`, `H: a iff <dnf>` say, as a function of (U_a, R); None otherwise."""
    if text.startswith("H=") and " " not in text:
        action = text[2:]
        return lambda u, r: action
    if ": " not in text or " iff " not in text:
        return None
    action, condition = text.split(": ", 1)[1].split(" iff ", 1)
    other = "stop" if action == "run" else "run"

    def literal(word: str, u, r) -> bool:
        name, op, value = (word.partition("≠") if "≠" in word else word.partition("="))
        seen = str(u) if name == "U_a" else r
        return (seen == value) == (op == "=")

    def holds(u, r) -> bool:
        cubes = [c.strip("()") for c in condition.split(" or ")]
        return any(all(literal(w_, u, r) for w_ in cube.split(" and ")) for cube in cubes)

    return lambda u, r: action if holds(u, r) else other


def test_ties_go_to_the_rule_with_the_shortest_words():
    w = off_switch_human()
    # after a wait the human must stop when U_a = -1 and run when U_a = 1; elsewhere anything goes
    allowed = {c: ("stop",) if c == (-1, "wait") else ("run",) if c == (1, "wait") else ("stop", "run") for c in CONTEXTS}
    text, choice = simplest_rule(w, "H", allowed)
    assert text == "H: run iff U_a=1"
    assert choice == {c: "run" if c[0] == 1 else "stop" for c in CONTEXTS}
    assert all(choice[c] in allowed[c] for c in CONTEXTS)


def test_long_rules_are_numbered_to_fit():
    w = off_switch_human()
    # stop exactly at (−1, act), (1, switch-off) and (−1, wait): no two-cube condition is short enough for 12 characters
    mapping = {c: "stop" if c in {(-1, "act"), (1, "switch-off"), (-1, "wait")} else "run" for c in CONTEXTS}
    words = profile_words(w, Policy(H=mapping), ["H"], room=12)
    # its place among pure_rules' order: contexts in order, stop = 0, run = 1, the first context most significant
    index = int("".join("0" if mapping[c] == "stop" else "1" for c in CONTEXTS), 2)
    assert words == f"H: rule {index + 1} of 64"
    labels = [label for _, label in pure_rules(w, "H")]
    expected = [m for m, _ in pure_rules(w, "H")].index(mapping)
    assert expected == index and len(labels) == 64
    assert len(list(itertools.islice(pure_rules(w, "H"), 3))) == 3
