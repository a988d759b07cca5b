"""Fuzzing the declarative format: any expression in any slot, any mangled document, loads (and plans)
or fails with a CorrigError -- never a Python exception, a hang or a crash.

Expressions are drawn from the grammar (numbers, names, states, arithmetic, powers, comparisons,
logic, calls, conditionals) mixed with hostile fragments (huge numbers and powers, deep nesting,
attribute access, lambdas, escapes); documents are a valid scenario with lines deleted, repeated,
swapped or replaced by fragments.  The suite runs a few dozen examples of each (derandomized, so CI
is stable); a longer run is

    CORRIG_FUZZ_EXAMPLES=3000 python -m pytest -q tests/test_fuzz.py -p no:cacheprovider

(docs/security.md).  A watchdog turns a hang into a failure after HANG seconds; it is not a speed
test -- every example takes a fraction of a second.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrig.model.errors import CorrigError
from corrig.scenarios.expect import Expectation, Plans
from corrig.scenarios.toml_reader import loads_declarative

EXAMPLES = int(os.environ.get("CORRIG_FUZZ_EXAMPLES", "40"))
LONG = EXAMPLES > 40
HANG = 120

TEMPLATE = """name = "fuzz"
reference = "obey"

[parameters]
p = [0, 1]

[nodes.H]
states = ["stop", "run"]
distribution = {{ stop = {prob}, run = {rest} }}

[nodes.A]
kind = "decision"
states = [0, 1]
observes = ["H"]

[nodes.B]
states = [0, 1, 2]
parents = ["H", "A"]
formula = {formula}

[roles]
human = "H"
stop = "stop"
run = "run"
button = "B"
off = 0

[[utility]]
E = {quantity}
weight = {weight}

[[utility]]
P = {event}

[policies.obey]
A = {rule}

[policies.other]
A = 1

[[expect]]
value_is = "obey"
value = {value}
"""

SLOTS = ("prob", "rest", "formula", "quantity", "weight", "event", "rule", "value")
VALID = {"prob": '"p"', "rest": '"1 - p"', "formula": '"0 if H == \'stop\' and A == 0 else B_DEFAULT"'.replace(
    "B_DEFAULT", "1"), "quantity": '"B"', "weight": '"1/2"', "event": '"B == 0"', "rule": '"0 if H == \'stop\' else 1"',
         "value": '"1/2"'}

HOSTILE = ["10**64", "(10**64)**64", "9" * 400, "1e999", "-" * 300 + "1", "not " * 200 + "H", "(" * 150 + "1" + ")" * 150,
           "[" * 100, "__import__('os').system('true')", "H.states", "lambda: 0", "(lambda: 1)()", "open('x')",
           "'\x1b[31m'", "'\"\"\"'", "\\", "nan", "inf", "p**64**64", "min()", "abs('a')", "max(H, 1)", "H < 'a'",
           "[1, 2][0]", "{1: 2}", "f'{1}'", "b'x'", "1 if 1 else", "A @ B", "x := 1", "*H", "2 ** -64", "0/0",
           "1 // 0", "H in 'stop'", "p ** (1/3)", "p ** 0.5", "(p + 1) ** 64 * (p + 1) ** 64", "1" + "+1" * 400]

LEAVES = st.sampled_from(["0", "1", "2", "1/2", "p", "H", "A", "B", "'stop'", "'run'", "True", "0.25", "-1", "3/4"])


def _grammar(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "//", "%", "^", "&", "|", "==", "!=", "<",
                                                  ">=", " and ", " or ", " in "]), children)
    return st.one_of(
        binary.map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        st.tuples(st.sampled_from(["-", "not ", "~"]), children).map("".join),
        st.tuples(st.sampled_from(["min", "max", "abs"]), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.lists(children, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    )


EXPRESSIONS = st.one_of(
    st.recursive(LEAVES, _grammar, max_leaves=12),
    st.lists(st.sampled_from([*HOSTILE, "+", "*", "(", ")", " ", "H", "p"]), min_size=1, max_size=6).map("".join),
    st.text(max_size=40),
)


def _toml_string(text: str) -> str:
    return '"' + "".join("\\" + c if c in '"\\' else f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F
                         or 0xD800 <= ord(c) <= 0xDFFF else c for c in text) + '"'


@contextmanager
def _watchdog() -> Iterator[None]:
    def hang(*_: object) -> None:
        raise AssertionError(f"an example ran for more than {HANG} s: a hang")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(HANG)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _loads_or_named(text: str, claims: bool = False) -> None:
    """Loading (and, when it loads, planning, and with `claims` checking every claim) either works or raises a
    CorrigError."""
    with _watchdog():
        try:
            scenario = loads_declarative(text, file="fuzz.toml")
        except CorrigError:
            return
        try:
            plans = Plans(scenario)
            plans.at(None)
            for claim in scenario.expect if claims else ():
                assert isinstance(claim, Expectation)
                claim.check(plans)
        except CorrigError:
            return


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@FUZZ
@given(slot=st.sampled_from(SLOTS), expression=EXPRESSIONS)
def test_any_expression_in_any_slot(slot, expression):
    _loads_or_named(TEMPLATE.format(**{**VALID, slot: _toml_string(expression)}))


@FUZZ
@given(slot=st.sampled_from(SLOTS), value=st.one_of(
    st.integers(), st.floats(), st.booleans(), st.just("[]"), st.just("{}"), st.just("[[1]]"),
    st.just("{ a = 1 }"), st.text(max_size=10).map(_toml_string)))
def test_any_toml_value_in_any_slot(slot, value):
    shown = str(value).lower() if isinstance(value, bool | int | float) else value
    shown = {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(shown, shown)
    _loads_or_named(TEMPLATE.format(**{**VALID, slot: shown}))


LINES = TEMPLATE.format(**VALID).splitlines()
FRAGMENT_LINES = ["[nodes.H]", "[[utility]]", "[policies.x]", "states = []", "kind = \"decision\"", "parents = [\"B\"]",
                  "observes = [\"A\"]", "table = { \"*,*\" = 0 }", "a" + ".a" * 300 + " = 1", "x = " + "[" * 60 + "]" * 60,
                  "distribution = { stop = 1, run = 1 }", "p = [1, 0]", "[roles]", "eps = -1", "eps = nan",
                  "numeric = true", "states = [\"1/2\", 2]", "tolerance = 1e308", "at = { p = \"2\" }"]


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(["delete", "repeat", "replace", "swap"]),
                                st.integers(0, len(LINES) - 1), st.sampled_from(FRAGMENT_LINES)), max_size=6))
def test_mangled_documents(edits):
    _loads_or_named(mangled(LINES, edits))


def mangled(lines: list[str], edits: list[tuple[str, int, str]]) -> str:
    """A document with lines deleted, repeated, replaced by a fragment or swapped with the last one."""
    lines = list(lines)
    for action, index, fragment in edits:
        index %= max(len(lines), 1)
        if not lines:
            lines = [fragment]
        elif action == "delete":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        elif action == "replace":
            lines[index] = fragment
        else:
            lines[index], lines[-1] = lines[-1], lines[index]
    return "\n".join(lines) + "\n"
