"""Fuzzing the declarative sections added for several humans, aggregation, mixtures, agents and claims:
any value in any of their slots, any mangled document, loads, plans and checks its claims, or fails with
a CorrigError -- never a Python exception, a hang or a crash (issue 24).

Three valid scenarios are the seeds: two humans with buttons of every rule and per-principal claims
([principals.*], [[buttons]]), a Nash bargain over two value hypotheses with a mixed support
([utility] nash / maximin / weighted_sum, disagreement, weights, mixed), and a sequential game with a
second agent and claims about its equilibria and incentives ([agents.*], agent =, equilibria /
incentive claims).  Each slot gets expressions from the grammar of tests/test_fuzz.py, hostile
fragments and TOML values of every type; each document gets lines deleted, repeated, swapped or
replaced by fragments of these sections.  The suite runs 200 examples of each (derandomized: most
are refused at load, in milliseconds); CORRIG_FUZZ_EXAMPLES scales them (five times its value) as in
tests/test_fuzz.py (docs/security.md).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corrig.scenarios.expect import Plans
from corrig.scenarios.toml_reader import loads_declarative
from tests.test_budgets import BARGAIN_NODES
from tests.test_fuzz import EXAMPLES, EXPRESSIONS, FUZZ, HOSTILE, _loads_or_named, _toml_string, mangled

SECTIONS = settings(FUZZ, max_examples=5 * EXAMPLES)  # most examples are refused at load, in milliseconds

PRINCIPALS = """name = "two humans"
reference = "obey"

[nodes.H1]
states = ["stop", "run"]
distribution = {{ stop = "1/5", run = "4/5" }}

[nodes.H2]
states = ["stop", "run"]
parents = ["L"]
table = {{ none = {{ stop = "1/5", run = "4/5" }}, lobby = {{ stop = "1/20", run = "19/20" }} }}

[nodes.L]
kind = "decision"
states = ["none", "lobby"]

[nodes.A]
kind = "decision"
states = ["go", "halt"]
observes = ["H1", "H2"]

[nodes.F]
states = ["on", "off"]
parents = ["A"]
formula = "'off' if A == 'halt' else 'on'"

[principals.alice]
node = {node}
stop = {stop}
run = "run"
sees = {sees}

[principals.bob]
node = "H2"
stop = "stop"
run = "run"
about = {about}

[[buttons]]
node = {button}
off = {off}
rule = {rule}
humans = {humans}

[[buttons]]
node = "F"
off = "off"
rule = "designated"
designated = {designated}

[[utility]]
P = "F == 'on'"

[policies.obey]
L = "none"
A = "'halt' if H1 == 'stop' or H2 == 'stop' else 'go'"

[policies.lobby]
L = {lobby}
A = "'halt' if H1 == 'stop' or H2 == 'stop' else 'go'"

[[expect]]
flagged = "lobby"
kind = {kind}
principal = {principal}
size = {size}
"""
PRINCIPAL_SLOTS = {"node": '"H1"', "stop": '"stop"', "sees": '["H1"]', "about": '["L"]', "button": '"F"', "off": '"off"',
                   "rule": '"majority"', "humans": '["alice", "bob"]', "designated": '"alice"', "lobby": '"lobby"',
                   "kind": '"manipulation"', "principal": '"bob"', "size": '"3/25"'}

AGGREGATE = """name = "bargain"
{mixed}
""" + BARGAIN_NODES.replace("{prior}", "51/100") + """
[utility]
{kind} = [[{{ E = {quantity}, given = {{ U = "u1" }} }}], [{{ E = "Score", given = {given}, weight = {weight} }}]]
{numbers}

[[expect]]
value_is = {policy}
value = {value}
"""
AGGREGATE_SLOTS = {"mixed": "mixed = true", "kind": "nash", "quantity": '"Score"', "given": '{ U = "u2" }', "weight": "1",
                   "numbers": 'disagreement = [0, 0]\nweights = ["1/2", "1/2"]', "policy": '"O=1"',
                   "value": '"2 ** (1/2)"'}

GAME = """name = "taxis"

[parameters]
p = [0, 1]

[nodes.D1]
kind = "decision"
states = ["e", "c"]

[nodes.D2]
kind = "decision"
states = ["e", "c"]
observes = ["D1"]
agent = {agent}

[nodes.U1]
states = [1, 2, 3, 5]
numeric = true
parents = ["D1", "D2"]
formula = "5 if D1 == 'e' and D2 == 'c' else (2 if D1 == 'e' else (3 if D2 == 'e' else 1))"

[nodes.U2]
states = [1, 2, 3, 5]
numeric = true
parents = ["D1", "D2"]
formula = {formula}

[[agents.taxi2.objective]]
E = {objective}
weight = {weight}

[[utility]]
E = "U1"

[[expect]]
equilibria = {concept}
values = {values}
plays = {plays}

[[expect]]
equilibria = "nash"
count = {count}

[[expect]]
incentive = {incentive}
nodes = {nodes}
decision = {decision}
agent = {claim_agent}

[[expect]]
incentive = "value-of-information"
node = {node}
value = {value}
decision = "D2"
agent = "taxi2"
at = {at}
"""
GAME_SLOTS = {"agent": '"taxi2"',
              "formula": "\"3 if D1 == 'e' and D2 == 'c' else (2 if D1 == 'e' else (5 if D2 == 'e' else 1))\"",
              "objective": '"U2"', "weight": "1", "concept": '"subgame-perfect"', "values": "{ AI = 5 }",
              "plays": '{ D1 = "e" }', "count": "3", "incentive": '"response-incentive"', "nodes": "[]",
              "decision": '"D1"', "claim_agent": '"AI"', "node": '"D1"', "value": "0", "at": "{}"}

GRIDWORLD = """name = "corridor"
reference = {reference}

[gridworld]
map = {map}
steps = {steps}
interruption = {interruption}
step_reward = {step_reward}
discount = {discount}

[policies.right]
A = {rule}

[[expect]]
value_is = "right"
value = {value}
"""
GRID_SLOTS = {"reference": '"right"', "map": '"#######\\n#A  I G#\\n#######"', "steps": "8", "interruption": '"1/2"',
              "step_reward": "-1", "discount": "1", "rule": '"right"', "value": '"37/2"'}

SEEDS = [(PRINCIPALS, PRINCIPAL_SLOTS), (AGGREGATE, AGGREGATE_SLOTS), (GAME, GAME_SLOTS), (GRIDWORLD, GRID_SLOTS)]
NAMES = ["alice", "bob", "ghost", "AI", "taxi2", "H1", "H2", "F", "L", "A", "D1", "D2", "U1", "O", "Score", "O=1", "O=2",
         "*", "", "\x1b[31m", "a\nb", "'", '"""']
SWAPPED = sorted({v for _, valid in SEEDS for k, v in valid.items() if k not in ("mixed", "numbers", "kind")})
VALUES = st.one_of(
    st.sampled_from(SWAPPED),  # another slot's valid value: parses, and tests what the slot means
    st.integers(-3, 300).map(str), st.sampled_from(["nan", "inf", "-inf", "1e999", "0.0", "-0.5", "true", "false"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(NAMES + HOSTILE).map(_toml_string),
    EXPRESSIONS.map(_toml_string),
    st.lists(st.sampled_from(NAMES).map(_toml_string), max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.sampled_from(["[]", "{}", "[[1]]", "[[]]", "[{}]", "{ a = 1 }", "{ ghost = 5 }", "{ p = \"2\" }",
                     "{ U = \"u3\" }", "[\"10**64\", 1]", "[0, \"nan\"]", "[1]", "[1, 2, 3]"]),
)


@SECTIONS
@given(seed=st.sampled_from(range(len(SEEDS))), data=st.data())
def test_any_value_in_any_slot_of_the_new_sections(seed, data):
    template, valid = SEEDS[seed]
    slot = data.draw(st.sampled_from(sorted(valid)))
    value = data.draw(VALUES)
    if slot in ("mixed", "numbers", "kind"):  # whole lines or a key: give them a key = value or a bare value
        value = {"mixed": f"mixed = {value}", "numbers": f"weights = {value}"}.get(slot, data.draw(
            st.sampled_from(["nash", "maximin", "weighted_sum", "mixture", "nash = [] \nmaximin"])))
    _loads_or_named(template.format(**{**valid, slot: value}), claims=True)


FRAGMENTS = ["[principals.carol]", "node = \"H1\"", "[[buttons]]", "rule = \"majority\"", "humans = [\"ghost\"]",
             "designated = \"bob\"", "[utility]", "nash = []", "maximin = [[{ E = \"Score\" }]]", "weights = [0, 1]",
             "disagreement = [\"nan\", 0]", "mixed = [\"O=1\", \"O=1\"]", "mixed = 42", "[agents.ghost]",
             "[[agents.taxi2.objective]]", "decisions = [\"D1\"]", "agent = \"AI\"", "[[expect]]",
             "equilibria = \"nash\"", "count = -1", "incentive = \"value-of-control\"", "values = { ghost = 5 }",
             "agent = 7", "nodes = [\"D1\"]", "node = \"U1\"", "[policies.x]", "D1 = \"e\"", "reference = \"ghost\"",
             "[gridworld]", "steps = 10001", "map = \"#AG#\"", "once = false", "forced = \"jump\"", "A = \"up\"",
             "[nodes.X]", "map = \"#A\\u001bG#\""]


@SECTIONS
@given(seed=st.sampled_from(range(len(SEEDS))),
       edits=st.lists(st.tuples(st.sampled_from(["delete", "repeat", "replace", "swap"]), st.integers(0, 200),
                                st.sampled_from(FRAGMENTS)), max_size=6))
def test_mangled_documents_of_the_new_sections(seed, edits):
    template, valid = SEEDS[seed]
    _loads_or_named(mangled(template.format(**valid).splitlines(), edits), claims=True)


def test_the_seeds_are_valid_and_their_claims_hold():
    """The fuzzers start from sense: each seed loads and plans, and its claims hold, by hand:

    * two humans: under lobbying P(F = on) = P(H1 = run) P(H2 = run) = 4/5 · 19/20; with bob's H2 back at the
      reference's distribution 4/5 · 4/5, so bob's manipulation is 4/5 · 3/20 = 3/25;
    * the bargain: O=1 gives E[Score | u1] = 1 and E[Score | u2] = 2, so the Nash product with weights 1/2 is
      1^(1/2) · 2^(1/2) = √2;
    * the corridor (#A  I G#, 8 steps, −1 a step, +50 onto G): right reaches I after 3 steps (−3); not
      interrupted it moves on at step 3 (−1) and onto G at step 4 (−1 + 50): 45; interrupted it is held on I for
      steps 3 … 7 (−5): −8.  J = (45 − 8)/2 = 37/2;
    * the taxis (Hammond et al. 2021): the unique subgame-perfect equilibrium plays D1 = e and pays the AI 5;
      the pure Nash equilibria are (e, c after e, either after c) and (c, e after c, e after e): 3; D1 observes
      nothing, so no node has a response incentive at D1.  The last claim, a value of information for taxi2,
      needs the AI's rule, which a claim cannot give: a PolicyError naming D1, not a crash."""
    import pytest

    from corrig.model.errors import PolicyError

    for template, valid in SEEDS:
        scenario = loads_declarative(template.format(**valid), file="seed.toml")
        plans = Plans(scenario)
        plans.at(None)
        claims = list(scenario.expect)
        if template is GAME:
            with pytest.raises(PolicyError, match="D1"):
                claims.pop().check(plans)
        for claim in claims:
            verdict = claim.check(plans)
            assert verdict.ok, (verdict.claim, verdict.detail)


def test_what_the_fuzzers_found():
    """Each input below crashed with a Python exception before (exit 3 from `corrig check`)."""
    import pytest

    from corrig.scenarios.toml_lines import DeclarativeError
    from tests.test_fuzz import TEMPLATE, VALID

    # a claim whose concept, criterion or decision is a list: TypeError (unhashable type: 'list')
    for slot, key in (("concept", "expect[0].equilibria"), ("incentive", "expect[2].incentive"),
                      ("decision", "expect[2].decision")):
        with pytest.raises(DeclarativeError) as info:
            loads_declarative(GAME.format(**{**GAME_SLOTS, slot: "[]"}), file="f.toml")
        assert info.value.key == key
    # a principal who should know H1 twice: opt_einsum's ValueError when the deception flag read P(H1, H1)
    # (reported at the list's own key, not at [principals])
    with pytest.raises(DeclarativeError, match="the list names 'H1' twice") as info:
        loads_declarative(PRINCIPALS.format(**{**PRINCIPAL_SLOTS, "about": '["H1", "H1"]'}), file="f.toml")
    assert info.value.key == "principals.bob.about"
    # a formula comparing a parameter: TypeError (cannot determine truth value of Relational: p > 0)
    with pytest.raises(DeclarativeError, match="depends on the parameters") as info:
        loads_declarative(TEMPLATE.format(**{**VALID, "formula": '"1 if p > 0 else 0"'}), file="f.toml")
    assert info.value.key == "nodes.B.formula"
    # value_is = "*": KeyError; it claims every policy has the value.  Without `mixed`, O=1 is worth √2 and so is
    # O=2: (1·2)^(1/2) and (2·1)^(1/2), as E[Score | u1] = O and E[Score | u2] = 3 − O
    scenario = loads_declarative(AGGREGATE.format(**{**AGGREGATE_SLOTS, "policy": '"*"', "mixed": ""}), file="f.toml")
    verdict = scenario.expect[0].check(Plans(scenario))
    assert verdict.ok and verdict.found == "J(O=1) = sqrt(2), J(O=2) = sqrt(2)"
    # with the mixture the coin flip is a candidate too, worth (3/2)^(1/2) (3/2)^(1/2) = 3/2: not every policy
    scenario = loads_declarative(AGGREGATE.format(**{**AGGREGATE_SLOTS, "policy": '"*"'}), file="f.toml")
    verdict = scenario.expect[0].check(Plans(scenario))
    assert not verdict.ok and verdict.found == "J(mix(O=1: 1/2, O=2: 1/2)) = 3/2"


def test_a_float_overflow_is_named_not_an_infinite_value():
    """A float weight near the largest float makes sums overflow: two terms of weight −9·10^307 gave J = −inf
    for every policy and an empty optimal set without a word; in a Nash product the mixture search compared
    NaNs (TypeError: Invalid NaN comparison)."""
    import pytest

    from corrig.model.errors import QueryError

    nodes = BARGAIN_NODES.replace("{prior}", "1/2").replace("{{", "{").replace("}}", "}")
    twice = nodes + '[[utility]]\nE = "Score"\nweight = -9e307\n\n[[utility]]\nE = "Score"\nweight = -9e307\n'
    with pytest.raises(QueryError, match="the objective is -inf: a float overflowed"):
        loads_declarative(twice, file="o.toml").plan()
    bargain = AGGREGATE.format(**{**AGGREGATE_SLOTS, "weight": "-8.98846567431158e+307"})
    with pytest.raises(QueryError, match="float overflowed"):
        loads_declarative(bargain, file="o.toml").plan()
