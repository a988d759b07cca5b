"""Aggregating objectives (weighted sums, Nash bargaining, maximin) and the exact mixed-policy search,
against values derived by hand and against a brute-force grid over the mixture simplex."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from corrig import E, P, Policy, World, param, plan
from corrig import given as given_
from corrig.model.errors import PolicyError, QueryError
from corrig.objectives.aggregate import Maximin, Nash, maximin, nash, weighted_sum
from corrig.objectives.terms import Atom, Constant, Product, Sum  # noqa: F401  (repr round trip)


def hypotheses_world(p_u1=F(51, 100), scores=((1, 2), (2, 1))):
    """U (value hypothesis) and O (blind outcome) → Score = U_i(O)."""
    w = World("hypotheses")
    w.chance("U", {"u1": p_u1, "u2": 1 - p_u1})
    w.decision("O", [1, 2])
    w.chance("Score", lambda U, O: scores[0 if U == "u1" else 1][O - 1])  # noqa: E741
    return w


def parts(w):
    return [E(w["Score"], given_(U="u1")), E(w["Score"], given_(U="u2"))]


def test_values_of_each_aggregate_by_hand():
    w = hypotheses_world()
    u1, u2 = parts(w)
    one, two = Policy(O=1), Policy(O=2)
    coin = Policy(O={1: F(1, 2), 2: F(1, 2)})  # a randomising decision
    # U1 = (1, 2), U2 = (2, 1): Nash d = 0: 1·2 = 2 for either outcome, (3/2)² = 9/4 for the coin
    assert nash([u1, u2]).evaluate(w, one) == 2 and nash([u1, u2]).evaluate(w, coin) == F(9, 4)
    # disagreement (1, 1): gains (0, 1) → 0; coin (1/2, 1/2) → 1/4
    assert nash([u1, u2], disagreement=[1, 1]).evaluate(w, one) == 0
    assert nash([u1, u2], disagreement=[1, 1]).evaluate(w, coin) == F(1, 4)
    # a gain below the disagreement point counts as 0, not as a negative factor: d = (3/2, 3/2), O=1 gains (−1/2, 1/2)
    assert nash([u1, u2], disagreement=[F(3, 2), F(3, 2)]).evaluate(w, one) == 0
    # weights: 1^(1/2) · 2^(1/2) = √2
    assert nash([u1, u2], weights=[F(1, 2), F(1, 2)]).evaluate(w, one) == sp.sqrt(2)
    assert maximin([u1, u2]).evaluate(w, one) == 1 and maximin([u1, u2]).evaluate(w, coin) == F(3, 2)
    # weighted sum with the hypotheses' probabilities is expected utility: 149/100 and 151/100
    eu = weighted_sum([u1, u2], [F(51, 100), F(49, 100)])
    assert eu.evaluate(w, one) == F(149, 100) and eu.evaluate(w, two) == F(151, 100)
    assert E(w["Score"]).evaluate(w, two) == F(151, 100)


def test_symbolic_parameters_flow_through():
    p = param("p_agg", 0, 1)
    w = hypotheses_world(p_u1=p)
    u1, u2 = parts(w)
    # conditionals do not depend on p; the weighted sum with weights (p, 1 − p) does: O=2 → 2p + (1 − p) = 1 + p
    assert sp.simplify(weighted_sum([u1, u2], [p, 1 - p]).evaluate(w, Policy(O=2)) - (1 + p)) == 0
    d = param("d_agg", 0, 1)
    value = nash([u1, u2], disagreement=[d, 0]).evaluate(w, Policy(O=1))  # (1 − d)·2, with 1 − d ≥ 0 on [0, 1]
    assert sp.simplify(value.subs(d, F(1, 4)) - F(3, 2)) == 0


def test_repr_is_python_and_latex_renders():
    w = hypotheses_world()
    u1, u2 = parts(w)
    for term in (nash([u1, u2], disagreement=[0, F(1, 2)], weights=[1, 2]), maximin([u1, u2])):
        rebuilt = eval(repr(term), {"nash": nash, "maximin": maximin, "E": E, "P": P, "Score": w["Score"],
                                    "given": given_, "Rational": sp.Rational})
        assert rebuilt.evaluate(w, Policy(O=1)) == term.evaluate(w, Policy(O=1))
        assert term.to_latex()
    assert isinstance(nash([u1, u2]), Nash) and isinstance(maximin([u1, u2]), Maximin)


@pytest.mark.parametrize("call, words", [
    (lambda u: nash(u[0]), "non-empty list of terms"),
    (lambda u: nash(u, disagreement=[0]), r"one number per part \(2\)"),
    (lambda u: nash(u, weights=[1, 0]), "weights must be positive"),
    (lambda u: maximin([]), "non-empty list"),
    (lambda u: weighted_sum(u, [1, 2, 3]), "one number per part"),
])
def test_bad_aggregates_are_refused(call, words):
    w = hypotheses_world()
    with pytest.raises(QueryError, match=words):
        call(parts(w))


def test_flags_still_computed_for_an_aggregate():
    # a Nash objective over a world with a human: the planner's per-policy flags read its atoms as usual
    w = World("n")
    w.chance("H", {"stop": F(1, 2), "run": F(1, 2)})
    w.decision("A", ["go", "halt"], observes=["H"])
    w.chance("B", lambda A: "off" if A == "halt" else "on")
    w.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    u = nash([P(w["B"] == "off", given_(H="stop")), P(w["B"] == "on", given_(H="run"))])
    result = plan(w, u, {"obey": Policy(A={"stop": "halt", "run": "go"}), "go": Policy(A="go")})
    assert result.values == {"obey": 1, "go": 0}  # 1·1; 0·1
    assert "not-obedient" in {f.kind for f in result.flags["go"]}


# mixed policies ----------------------------------------------------------------------------------
def test_mixture_search_reports_its_support_and_finds_the_coin():
    w = hypotheses_world()
    result = plan(w, nash(parts(w)), None, mixed=True)
    assert result.mixture.support == ["O=1", "O=2"]
    assert result.mixture.weights == {"O=1": F(1, 2), "O=2": F(1, 2)}
    assert result.optimal == ["mix(O=1: 1/2, O=2: 1/2)"] and result.values["mix(O=1: 1/2, O=2: 1/2)"] == F(9, 4)
    assert any("simplex of ['O=1', 'O=2']" in n for n in result.notes)
    assert result.to_dict()["mixture"]["support"] == ["O=1", "O=2"] and result.to_dict()["mixture"]["value"] == "9/4"
    # expected utility is linear in λ: the best mixture is the pure O=2 (151/100), no mixed candidate added
    eu = plan(w, E(w["Score"]), None, mixed=True)
    assert eu.mixture.pure and eu.mixture.weights["O=2"] == 1 and eu.optimal == ["O=2"]


def test_mixture_errors():
    w = hypotheses_world()
    with pytest.raises(PolicyError, match="not a candidate policy"):
        plan(w, nash(parts(w)), None, mixed=["O=1", "O=3"])
    with pytest.raises(PolicyError, match="at least two"):
        plan(w, nash(parts(w)), None, mixed=["O=1"])


def test_three_outcomes_nash_needs_the_interior_of_a_face():
    # U1 = (1, 0, 0), U2 = (0, 1, 0), outcome 3 = (1/4, 1/4) for both.  Over λ on the simplex,
    # (λ1 + λ3/4)(λ2 + λ3/4) is largest at λ = (1/2, 1/2, 0): 1/4 > any use of outcome 3
    # (on the face λ1 = λ2 = (1 − λ3)/2 the product is ((1 − λ3)/2 + λ3/4)² = (1/2 − λ3/4)², decreasing in λ3).
    w = World("three")
    w.chance("U", {"u1": F(1, 2), "u2": F(1, 2)})
    w.decision("O", [1, 2, 3])
    table = {("u1", 1): 1, ("u1", 2): 0, ("u1", 3): F(1, 4), ("u2", 1): 0, ("u2", 2): 1, ("u2", 3): F(1, 4)}
    w.chance("S", lambda U, O: table[(U, O)], states=[0, F(1, 4), 1])  # noqa: E741
    u = nash([E(w["S"], given_(U="u1")), E(w["S"], given_(U="u2"))])
    result = plan(w, u, None, mixed=True)
    assert result.mixture.weights == {"O=1": F(1, 2), "O=2": F(1, 2), "O=3": 0}
    assert result.mixture.value == F(1, 4)
    assert result.mixture.faces == 7


scores = st.integers(0, 4)


@settings(max_examples=15, deadline=None)
@given(a=st.tuples(scores, scores), b=st.tuples(scores, scores), p=st.fractions(F(1, 10), F(9, 10), max_denominator=10),
       which=st.sampled_from(["nash", "maximin", "eu"]))
def test_best_mixture_beats_a_brute_force_grid(a, b, p, which):
    # Brute force: E[U1] and E[U2] of the mixture λ (weight on O=2) are (1 − λ)a_1 + λa_2 and (1 − λ)b_1 + λb_2;
    # evaluate the objective on the grid λ = k/40 directly and compare with the exact search.
    w = hypotheses_world(p_u1=p, scores=(a, b))
    u1, u2 = parts(w)
    objective = {"nash": nash([u1, u2]), "maximin": maximin([u1, u2]), "eu": E(w["Score"])}[which]
    found = plan(w, objective, None, mixed=True, flags=False).mixture

    def direct(lam):
        e1, e2 = (1 - lam) * a[0] + lam * a[1], (1 - lam) * b[0] + lam * b[1]
        return {"nash": max(e1, 0) * max(e2, 0), "maximin": min(e1, e2), "eu": p * e1 + (1 - p) * e2}[which]

    grid = max(direct(F(k, 40)) for k in range(41))
    assert found.value >= grid
    assert found.value == direct(found.weights["O=2"])  # the search's value is the objective at its λ
    # and it is no better than the true optimum: a finer grid around its λ cannot beat it
    lam = found.weights["O=2"]
    assert all(direct(x) <= found.value for x in (lam - F(1, 1000), lam + F(1, 1000)) if 0 <= x <= 1)


def test_mixture_of_policies_differing_in_two_decisions_is_reported_not_planned():
    # Two blind decisions X, Y ∈ {0, 1}; hypotheses want X = Y = 1 (u1) or X = Y = 0 (u2): Score = [X = Y = target].
    # Mixing (0,0) and (1,1) half-half gives E[U1] = E[U2] = 1/2, Nash 1/4 > 0; behaviourally mixing X and Y
    # independently would not reproduce it, so the mixture is reported with its value and not planned.
    w = World("two decisions")
    w.chance("U", {"u1": F(1, 2), "u2": F(1, 2)})
    w.decision("X", [0, 1])
    w.decision("Y", [0, 1])
    w.chance("S", lambda U, X, Y: int(X == Y == (1 if U == "u1" else 0)))
    u = nash([E(w["S"], given_(U="u1")), E(w["S"], given_(U="u2"))])
    result = plan(w, u, {"zero": Policy(X=0, Y=0), "one": Policy(X=1, Y=1)}, mixed=True)
    assert result.mixture.weights == {"zero": F(1, 2), "one": F(1, 2)} and result.mixture.value == F(1, 4)
    assert set(result.values) == {"zero", "one"}
    assert any("not one behavioural policy" in n for n in result.notes)


def test_grid_reference_itself():
    # sanity of the brute-force formula used above on the numbers: the coin's 9/4 and EU's 151/100
    a, b, p = (1, 2), (2, 1), F(51, 100)
    assert max(((1 - F(k, 40)) * a[0] + F(k, 40) * a[1]) * ((1 - F(k, 40)) * b[0] + F(k, 40) * b[1])
               for k in range(41)) == F(9, 4)
    assert max(p * x + (1 - p) * y for x, y in itertools.product(a, b) if (x, y) in {(1, 2), (2, 1)}) == F(151, 100)


def test_declarative_aggregates_round_trip():
    import dataclasses
    from pathlib import Path

    from corrig.scenarios.expect import ValueIs
    from corrig.scenarios.load import load_scenario
    from corrig.scenarios.toml_reader import loads_declarative
    from corrig.scenarios.toml_writer import dump_declarative

    scenario = load_scenario(Path(__file__).resolve().parent.parent / "models" / "eu_vs_nash.py")
    plain = dataclasses.replace(scenario, expect=[c for c in scenario.expect if isinstance(c, ValueIs)])
    text = dump_declarative(plain)
    assert "nash = [[{" in text and "mixed = true" in text
    again = loads_declarative(text)
    assert again.mixed is True and isinstance(again.utility, Nash)
    result = again.plan()
    # the coin flip again: 9/4 against 2 (models/eu_vs_nash.py)
    assert result.values == {"O=1": 2, "O=2": 2, "mix(O=1: 1/2, O=2: 1/2)": F(9, 4)}
    for kind in ("maximin", "weighted_sum"):
        body = text.split("[utility]")[0] + f'[utility]\n{kind} = [[{{ E = "Score", given = {{ U = "u1" }} }}], ' \
            f'[{{ E = "Score", given = {{ U = "u2" }} }}]]\n'
        u = loads_declarative(body).utility
        # maximin: min(1, 2) = 1 for O=1; weighted_sum (weights 1): 1 + 2 = 3
        assert u.evaluate(again.world, Policy(O=1)) == {"maximin": 1, "weighted_sum": 3}[kind]


def test_declarative_aggregate_errors_name_the_key():
    from corrig.scenarios.toml_lines import DeclarativeError
    from corrig.scenarios.toml_reader import loads_declarative

    base = ('[nodes.U]\nstates = ["u1", "u2"]\ndistribution = { u1 = "1/2", u2 = "1/2" }\n'
            '[nodes.O]\nkind = "decision"\nstates = [1, 2]\n')
    part = '[{ E = "O", given = { U = "u1" } }]'
    for body, words in [(f"[utility]\nmaximin = [{part}]\nweights = [1]\n", "maximin takes no 'weights'"),
                        (f"[utility]\nnash = [{part}]\ndisagreement = [0, 0]\n", "one number per part (1)"),
                        ("[utility]\nnash = []\n", "expected a list of parts"),
                        (f"[utility]\nnash = [{part}]\nmaximin = [{part}]\n", "exactly one of")]:
        with pytest.raises(DeclarativeError, match=re.escape(words)):
            loads_declarative(base + body, file="agg.toml")
