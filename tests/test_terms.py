"""Terms: the source objectives in one line each, repr as valid Python, hashing, LaTeX, arithmetic,
parameter substitution and the errors of malformed branches."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp
from planner_worlds import stop_button
from sympy import Rational

from corrig import E, P, Policy, do, given, observed, param
from corrig.model.errors import QueryError
from corrig.objectives.terms import Atom, Branch, Constant, Product, Sum

R = sp.Rational


def obey(H: str) -> str:
    return "halt" if H == "stop" else "continue"


@pytest.fixture(scope="module")
def world():
    w, _ = stop_button()
    return w


def objectives(w):
    H, B, V = w["H"], w["B"], w["V"]
    causal = P(B == "off", do(H="stop")) + E(V, do(H="run"))
    conditional = sum(P(B == "off", observed(H=x) >> do(H="stop")) + E(V, observed(H=x) >> do(H="run")) for x in H.states)
    return causal, conditional


def test_the_source_objectives_evaluate(world):
    causal, conditional = objectives(world)
    honest = Policy(A1="honest", A2=obey)
    # do(H=stop): obey halts, B off: 1.  do(H=run): continue, V = 1.
    assert causal.evaluate(world, honest) == 2
    # each observed H: the twin A2 obeys the forced H, so each Control(x) = 1 + 1: 4 in all.
    assert conditional.evaluate(world, honest) == 4
    assert len(causal.atoms()) == 2 and len(conditional.atoms()) == 4


def test_repr_is_valid_python(world):
    H, B, V, A1 = world["H"], world["B"], world["V"], world["A1"]
    c = param("c_terms", 0, 3)
    honest = Policy(A1="honest", A2=obey)
    terms = [
        *objectives(world),
        R(1, 2) * P(B == "off") - 2 * E(V, given(H == "run")) + c * E(V * 2 + 1, do(A1="honest")),
        -E(V, given(H="stop"), do(A2="continue")) / 4 + F(1, 3),
        P((H == "stop") & ~(B == "on") | A1.isin(["honest", "deceive"])),
        P(B == "off", observed(H == "run") >> do(H="stop", A2="halt")),
        0.25 * E(V),
    ]
    scope = {"H": H, "B": B, "V": V, "A1": A1, "c_terms": c, "P": P, "E": E, "do": do, "given": given,
             "observed": observed, "Rational": Rational, "Fraction": F}
    for term in terms:
        again = eval(repr(term), scope)
        assert again == term and hash(again) == hash(term)
        assert again.evaluate(world, honest) == term.evaluate(world, honest)


def test_terms_are_hashable_and_equal_by_structure(world):
    H, V = world["H"], world["V"]
    a, b = E(V, do(H="run")), E(V, do(H="run"))
    assert a == b and hash(a) == hash(b) and a is not b
    assert len({a, b, E(V, do(H="stop"))}) == 2
    assert {a: 1}[b] == 1
    assert P(H == "stop", given(H="stop")) != P(H == "stop", given(H == "stop"))  # keywords vs event: distinct terms
    assert (a + 1) == (a + 1) and len({a + 1, a + 1, 2 * a}) == 2


def test_latex(world):
    causal, conditional = objectives(world)
    text = causal.to_latex()
    assert r"\mathrm{do}(H = \text{stop})" in text and r"\mathbb{E}\left[V" in text and text.count("+") == 1
    cf = conditional.to_latex()
    assert r"\left(B = \text{off}\right)_{H = \text{stop}} \mid H = \text{stop}" in cf
    assert (R(1, 2) * E(world["V"])).to_latex().startswith(r"\frac{1}{2}")


def test_atoms_are_unique_and_ordered(world):
    V = world["V"]
    a, b = E(V), E(V, do(H="run"))
    assert (a + b + 2 * a - b).atoms() == (a, b)
    assert Constant(3).atoms() == ()


def test_arithmetic_and_weights(world):
    V, B = world["V"], world["B"]
    honest = Policy(A1="honest", A2=obey)
    ev, pb = E(V), P(B == "off")
    # honest-obey: E[V] = P(H=run) = 3/4; P(B=off) = 1/4.
    assert (ev - pb).evaluate(world, honest) == R(1, 2)
    assert (-ev).evaluate(world, honest) == R(-3, 4)
    assert (ev / 3).evaluate(world, honest) == R(1, 4)
    assert (ev * pb).evaluate(world, honest) == R(3, 16)  # a term as a weight
    assert (1 - ev).evaluate(world, honest) == R(1, 4)
    assert isinstance(ev + 1, Sum) and isinstance(2 * ev, Product)
    assert sum([ev, pb]).evaluate(world, honest) == 1
    assert (0.5 * ev).evaluate(world, honest) == pytest.approx(0.375)


def test_evaluate_uses_the_cache(world, monkeypatch):
    V = world["V"]
    honest = Policy(A1="honest", A2=obey)
    calls = []
    original = Atom._compute
    monkeypatch.setattr(Atom, "_compute", lambda self, w, p: calls.append(self) or original(self, w, p))
    cache: dict = {}
    term = E(V) + 2 * E(V) - E(V, do(H="run"))
    assert term.evaluate(world, honest, cache=cache) == R(9, 4) - 1
    assert len(calls) == 2 and set(cache) == {E(V), E(V, do(H="run"))}
    term.evaluate(world, honest, cache=cache)
    assert len(calls) == 2


def test_subs_replaces_parameters_by_symbol_or_name(world):
    V = world["V"]
    k = param("k_terms", 0, 10)
    term = k * E(V) + E(V * k)
    honest = Policy(A1="honest", A2=obey)
    # E[V] = 3/4: k * 3/4 + 3/4 * k = 3k/2.
    assert sp.simplify(term.evaluate(world, honest) - R(3, 2) * k) == 0
    assert term.subs({"k_terms": 2}).evaluate(world, honest) == 3
    assert term.subs({k: F(1, 3)}).evaluate(world, honest) == R(1, 2)
    assert term.subs({"unrelated": 5}) == term


def test_branch_kinds():
    assert Branch.of(()).kind == "factual"
    assert Branch.of((given(H="stop"),)).kind == "conditional"
    assert Branch.of((do(H="stop"),)).kind == "interventional"
    assert Branch.of((given(H="stop"), do(A2="halt"))).kind == "conditional-interventional"
    assert Branch.of((observed(H="run") >> do(H="stop"),)).kind == "counterfactual"


def test_malformed_terms_are_refused(world):
    V = world["V"]
    with pytest.raises(QueryError, match="needs an event"):
        P(3)
    with pytest.raises(QueryError, match=r"follow observed\(...\) with >> do"):
        E(V, observed(H="run"))
    with pytest.raises(QueryError, match="one given part"):
        E(V, given(H="run"), given(H="stop"))
    with pytest.raises(QueryError, match="cannot be combined"):
        E(V, observed(H="run") >> do(H="stop"), do(A2="halt"))
    with pytest.raises(QueryError, match="dividing by a term"):
        E(V) / E(V)
    with pytest.raises(QueryError, match="not a term"):
        E(V) + V
    with pytest.raises(QueryError, match="needs a do"):
        observed(H="run") >> given(H="stop")
    with pytest.raises(QueryError, match="at least one"):
        given()
    # the rung-2 contradiction points at the counterfactual
    with pytest.raises(QueryError, match="counterfactual"):
        E(V, given(H="run"), do(H="stop")).evaluate(world, Policy(A1="honest", A2=obey))
