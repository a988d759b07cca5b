"""A few hostile bytes in a TOML scenario give a named DeclarativeError (file, line, key), never a hang,
a Python limit (RecursionError, the int-digit ValueError, MemoryError) or a traceback.

Each case below hung, exhausted memory or raised a bare Python exception before these budgets.
"""

from __future__ import annotations

import pytest
import sympy as sp

from corrig.model.limits import LimitError
from corrig.scenarios.toml_lines import DeclarativeError, Locator
from corrig.scenarios.toml_reader import loads_declarative

BASE = """name = "t"

[nodes.X]
states = [0, 1]
distribution = {{ 0 = {d0}, 1 = {d1} }}

[nodes.Y]
states = [0, 1]
parents = ["X"]
formula = {f}

[[utility]]
{u}
{extra}"""


def load(d0: str = '"1/2"', d1: str = '"1/2"', f: str = '"X"', u: str = 'P = "Y == 1"', extra: str = ""):
    return loads_declarative(BASE.format(d0=d0, d1=d1, f=f, u=u, extra=extra), file="t.toml")


def refused(match: str, **parts: str) -> DeclarativeError:
    with pytest.raises(DeclarativeError, match=match) as info:
        load(**parts)
    return info.value


@pytest.mark.parametrize(("text", "match"), [
    ('"((((10**64)**64)**64)**64)**64"', "bits"),  # hung: a number of 64^5 * 3.3 bits
    ('"((10**64)**64)**64"', "bits"),  # ValueError: Exceeds the limit (4300 digits)
    ('"' + "1" * 500 + '/' + "1" * 500 + '"', "digits"),
    ('"' + "-" * 1999 + '1"', "nested"),  # RecursionError
    ('"2**(1/65)"', "small rational"),
    ('"1e999"', "finite"),  # a float literal that is infinity
])
def test_number_budgets(text, match):
    error = refused(match, d0=text)
    assert error.line == 5 and error.key == "nodes.X.distribution.0" and str(error).startswith("t.toml, line 5")


def test_a_long_sum_folds_without_recursion_and_a_longer_one_is_refused():
    # 0 + 0 + ... + 1/2 with 450 terms: loaded (a chain a + b + c is one level, folded in a loop)
    scenario = load(d0='"' + "0+" * 449 + '1/2"')
    assert str(scenario.world.P(scenario.world["X"] == 0)) == "1/2"
    refused("more than 1000 parts", d0='"' + "+".join(["0"] * 999) + '"')  # RecursionError before


def test_toml_integers_past_python_digit_limit_and_deep_arrays():
    refused("integer", d0="1" * 5000)  # ValueError from tomllib before
    refused("nested", extra="z = " + "[" * 5000 + "]" * 5000 + "\n")  # RecursionError from tomllib before


@pytest.mark.parametrize(("formula", "match"), [
    ('"min()"', "at least 2"),
    ('"max()"', "at least 2"),
    ('"min(X)"', "at least 2"),
    ("\"abs('a')\"", "abs needs a number"),
    ('"abs(X, X)"', "exactly 1"),
    ("\"-'a'\"", "state names"),
    ("\"~'a'\"", "integer or an event"),
    ('"' + "not " * 499 + 'X"', "nested"),  # RecursionError before
    ("\"min(X, 'a')\"", "numbers with numbers"),
])
def test_formula_tracebacks_are_named(formula, match):
    error = refused(match, f=formula)
    assert error.key == "nodes.Y.formula" and error.line == 10


def test_an_ordering_between_a_number_node_and_a_name_is_refused_at_load():
    # X < 'a' loaded and failed at planning with a TypeError traceback
    error = refused("compare numbers with numbers", u="P = \"X < 'a'\"")
    assert error.key == "utility[0].P"


@pytest.mark.parametrize("weight", ["nan", "inf", "-inf"])
def test_a_weight_must_be_finite(weight):
    error = refused("finite", u=f'P = "Y == 1"\nweight = {weight}')
    assert error.key == "utility[0].weight"


def test_the_line_lookup_is_linear_in_the_key_depth():
    # "a" + ".a" * 40000 recorded 40 000 prefixes of up to 40 000 parts each (12 s at 20 000, then no memory);
    # now a tree of parts: one step per part
    depth = 40_000
    text = "a" + ".a" * (depth - 1) + " = 1\n"
    locator = Locator(text)
    assert locator.line(("a",) * depth) == 1
    assert locator.line(("a",) * depth + ("b",)) == 1
    assert locator.line(("b",)) is None
    # tomllib's own work grows with the square of a key's parts: such a key is refused before it reads it
    with pytest.raises(DeclarativeError, match="more than 64 dotted parts") as info:
        loads_declarative("# a comment\n" + text, file="deep.toml")
    assert info.value.line == 2


def test_nested_arrays_of_tables_are_located_per_element():
    text = "[[utility]]\nP = 'a'\n\n[[utility.times]]\nP = 'b'\n\n[[utility]]\nP = 'c'\n\n[[utility.times]]\nE = 'd'\n"
    locator = Locator(text)
    assert locator.line(("utility", 0, "times", 0, "P")) == 5
    assert locator.line(("utility", 1, "times", 0, "E")) == 11
    assert locator.line(("utility", 1, "P")) == 8


def test_a_numeric_state_with_thousands_of_digits_is_refused():
    # Fraction("1" * 5000) raised Python's int-digit ValueError
    text = ('[nodes.X]\nnumeric = true\nstates = ["' + "1" * 5000 + '", "2"]\ndistribution = { 2 = 1 }\n\n'
            '[[utility]]\nE = "X"\n')
    with pytest.raises(DeclarativeError, match="not an exact number") as info:
        loads_declarative(text, file="n.toml")
    assert info.value.key == "nodes.X.states" and info.value.line == 3


# Aggregated objectives (issue 24): a Nash product is a power of each part's gain, so its weights and its
# number of parts are held to the number budgets like an expression's `**`.
BARGAIN_NODES = """
[nodes.U]
states = ["u1", "u2"]
distribution = {{ u1 = "{prior}", u2 = "1 - {prior}" }}

[nodes.O]
kind = "decision"
states = [1, 2]

[nodes.Score]
states = [1, 2]
parents = ["U", "O"]
formula = "O if U == 'u1' else 3 - O"
"""  # two value hypotheses U and the AI's blind outcome O (models/eu_vs_nash.py), as a str.format template
AGGREGATE = """name = "bargain"

[parameters]
p = [0, 1]
""" + BARGAIN_NODES + """
[utility]
nash = [{parts}]
{extra}"""
GAIN_U1 = '[{ E = "Score", given = { U = "u1" }%s }]'  # E[Score | u1] = O: the gain is 1 under O=1, 2 under O=2


def aggregate(parts: list[str], extra: str = "", prior: str = "1/2") -> str:
    return AGGREGATE.format(parts=", ".join(parts), extra=extra, prior=prior)


def test_a_nash_product_of_thousands_of_parts_is_refused_by_the_number_budget():
    # 5000 parts, each 10 E[Score | u1]: under O=1 the product is 10^5000, 16 610 bits > 4096.  It crashed with
    # exit 3 (ValueError: Exceeds the limit (4300 digits)) when the report printed it.
    scenario = loads_declarative(aggregate([GAIN_U1 % ", weight = 10"] * 5000), file="n.toml")
    with pytest.raises(LimitError, match=r"Nash product.*more than 4096 bits"):
        scenario.plan()


def test_a_huge_nash_weight_is_refused_before_the_power_is_computed():
    # weight 10^64 on a gain of 2 (policy O=2): 2^(10^64) ran past 60 s (in the API: a bare MemoryError)
    scenario = loads_declarative(aggregate([GAIN_U1 % "", GAIN_U1 % ""], 'weights = ["10**64", 1]'), file="w.toml")
    with pytest.raises(LimitError, match=r"Nash product.*more than 4096 bits"):
        scenario.plan()


def test_a_nash_product_of_too_high_a_degree_in_the_parameters_is_refused():
    # E[Score] = p O + (1 - p)(3 - O) is of degree 1 in p; weight 65 makes the product of degree 65 > 64
    scenario = loads_declarative(aggregate(['[{ E = "Score" }]'], "weights = [65]", prior="p"), file="d.toml")
    with pytest.raises(LimitError, match=r"Nash product.*degree more than 64"):
        scenario.plan()


def test_a_nash_product_within_the_budgets_is_exact():
    # 64 parts of 2 E[Score | u1]: under O=2 the product is 4^64 = 2^128 (129 bits); weight 1/2 on one part is a root
    scenario = loads_declarative(aggregate([GAIN_U1 % ", weight = 2"] * 64), file="ok.toml")
    assert scenario.plan().values == {"O=1": 2 ** 64, "O=2": 4 ** 64}
    rooted = loads_declarative(aggregate([GAIN_U1 % "", GAIN_U1 % ""], 'weights = ["1/2", 1]'), file="r.toml")
    assert rooted.plan().values == {"O=1": 1, "O=2": 2 * sp.sqrt(2)}  # 2^(1/2) * 2
