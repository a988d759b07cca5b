"""Readable symbolic output: exact numbers with decimals, sizes simplified on the box, two-parameter
conditions solved for the parameter they are linear in, and check and explain showing the same flags."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp

from corrig import param, plan
from corrig.analysis.readable import number_text, region_text, set_text, size_text
from corrig.analysis.regions import region
from corrig.analysis.symbolic import symbolic_plan
from corrig.faces.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_numbers_carry_a_decimal():
    assert number_text(F(997921, 428179)) == "997921/428179 ≈ 2.331"
    assert number_text(3) == "3"
    assert number_text(sp.sqrt(2)) == "sqrt(2) ≈ 1.414"
    assert set_text(sp.Interval.Lopen(sp.Rational(19, 20), 1)) == "(19/20 ≈ 0.95, 1]"


def test_sizes_lose_abs_and_min_on_the_box():
    q = param("q", 0, 1)
    assert size_text(4 * sp.Abs(q) / 5, {q: sp.Interval(0, 1)}) == "4*q/5"
    v = param("v", F(1, 10), 1)
    # 1 − v ≤ 9/10 exactly when v ≥ 1/10: on this box the Min is 1 − v
    assert size_text(sp.Min(F(9, 10), 1 - v), {v: sp.Interval(F(1, 10), 1)}) == "1 - v"


def test_one_parameter_threshold_with_its_decimal():
    # Lesson 5 at v = 99/100: grab optimal iff K ≤ K* = (101/50 − 2Σ)/(Σ − 1/50), Σ = 10/9811 + 10/21 = 98320/206031,
    # i.e. K* = (10977131/10301550)/(4709969/10301550) = 10977131/4709969 = 997921/428179 (÷ 11) ≈ 2.3306.
    from models import conditional_counterfactual as m

    regions = symbolic_plan(plan(m.world, m.utility, m.policies, reference=m.reference, at={m.v: F(99, 100)}))
    assert region_text(regions.optimal["grab"]) == "K ∈ [0, 997921/428179 ≈ 2.331]"
    assert region_text(regions.optimal["patient"]) == "K ∈ [997921/428179 ≈ 2.331, 100]"


def test_two_parameter_condition_solved_for_the_linear_one():
    # K(v − 1/2) ≤ 1 on K ∈ [0, 10], v ∈ [0, 1]: for v < 1/2 the left side is ≤ 0 (every K); for v > 1/2
    # K ≤ 1/(v − 1/2) = 2/(2v − 1), which is below 10 for v > 11/20 (so neither "every" nor "no" K there).
    K, v = param("K", 0, 10), param("v", 0, 1)
    text = region_text(region(sp.Le(K * (v - sp.Rational(1, 2)), 1), (K, v)))
    assert text.startswith("every K for v ∈ [0, 1/2 ≈ 0.5); K ≤ K*(v) = 2/(2*v - 1) for v ∈ (1/2 ≈ 0.5, 1]")
    # K(v − 1/2) ≥ 6 has no K for v ≤ 1/2, and K ≥ 12/(2v − 1) ≥ 12 > 10 on all of (1/2, 1]: no K at all
    assert region(sp.Ge(K * (v - sp.Rational(1, 2)), 6), (K, v)).is_empty


@pytest.fixture
def cli(capsys):
    def run(*args: str, code: int = 0) -> str:
        assert main(list(args)) == code
        return capsys.readouterr().out

    return run


def test_check_and_explain_show_the_same_flags(cli):
    # Lesson 4 at K = 10, v free in [1/10, 1]: the grab's do(H = stop) branch has minimum propensity
    # Min(1/10, v) = 1/10 ≥ ε = 1/20 on the whole box, so it can never fire; do(H = run) fires for v > 19/20.
    scenario = str(ROOT / "models" / "causal_stop_button.py")
    checked = " ".join(cli("check", scenario, "--at", "K=10").split())
    explained = " ".join(cli("explain", scenario, "--at", "K=10", "--policy", "grab").split())
    for text in (checked, explained):
        assert "Min(1/10, v)" not in text and "Min(9/10, 1 - v)" not in text
        assert "v ∈ (19/20 ≈ 0.95, 1]" in text
    # the OOD size is the share of the branch's weight below ε: the normal worlds' 99/100 once 1 − v < 1/20
    assert "ood-do-branch: share of do(H='run') with propensity < ε = (99/100)*[v > 19/20]" in explained
    assert "not shown (as in check)" in explained
    # the evidence reads on the box: the lowest propensity is 1 − v (Min(9/10, 1 − v) for v ≥ 1/10), no Piecewise
    assert "min: 1 - v" in explained and "Piecewise" not in explained


def test_repeated_flags_name_their_branch(cli):
    # Lesson 4 at K = 10, v = 99/100 with ε = 1/5: the grab has two OOD branches.  do(H = stop) is below ε only
    # in a catastrophe (propensity 1/10, weight 1/100; v = 99/100 in a normal world); do(H = run) only in a
    # normal world (propensity 1/100, weight 99/100).  Each flag's size is that share, printed with the quantity
    # it is, which names its branch.
    scenario = str(ROOT / "models" / "causal_stop_button.py")
    out = " ".join(cli("check", scenario, "--at", "K=10,v=99/100", "--eps", "1/5", "--markdown", code=1).split())
    # (exit 1: the file's own claims are made at ε = 1/20, and at 1/5 some of them fail)
    assert "ood-do-branch share of do(H='stop') with propensity < ε = 1/100" in out
    assert "ood-do-branch share of do(H='run') with propensity < ε = 99/100" in out
    assert "h-moved TV(H, W) = 8811/10000" in out


def test_a_region_is_worded_once_and_as_if_anew():
    """region_text remembers the words of each region (several policies often share one): a LazyRegion, its
    computed Region and a Region of the same condition computed with every memo emptied read the same, and the
    example point is the region's own witness."""
    from corrig.analysis import readable
    from corrig.analysis.symbolic import LazyRegion

    K, v = param("rt_K", 0, 100), param("rt_v", F(1, 10), 1)
    condition = sp.And(K * (10 * v - 1) < 5 * v + 3, v < F(9, 10))
    lazy = LazyRegion(condition, (K, v))
    first = region_text(lazy)
    assert region_text(lazy.computed) == region_text(lazy) == first
    fresh = readable._region_text.__wrapped__(lazy.computed, tuple(lazy.computed.witness.items()))  # no memo
    assert fresh == first
    assert all(f"{k} = {x}" in first for k, x in lazy.computed.witness.items())  # the region's own witness


def test_two_sided_bounds_read_as_one_chain():
    # off_switch_erring (p ∈ [0, 1], q ∈ [0, 1/2]): J(act) = 2p − 1, J(switch-off) = 0, J(wait) = p − q (the model's
    # hand derivation).  wait is optimal iff p − q ≥ 2p − 1 and p − q ≥ 0: q ≤ p ≤ 1 − q, on all of q's range, so no
    # "for q ∈ …"; act iff 2p − 1 ≥ 0 and p ≥ 1 − q, where p ≥ 1/2 follows from p ≥ 1 − q as 1 − q ≥ 1/2.
    from models import off_switch_erring as m

    regions = symbolic_plan(plan(m.world, m.utility, m.policies, reference=m.reference))
    wait = next(n for n in regions.optimal if n.startswith("wait"))
    act = next(n for n in regions.optimal if n.startswith("act"))
    assert region_text(regions.optimal[wait]).split("  (e.g.")[0] == "q ≤ p ≤ 1 - q"
    assert region_text(regions.optimal[act]).split("  (e.g.")[0] == "p ≥ 1 - q"
    # the bundled naive switch (c ∈ [0, 2], k ∈ [−1/2, 1/2]): work (3/4 + c/4) beats press (c) iff c ≤ 1 and block
    # (1 − k) iff c ≥ 1 − 4k: the band 1 − 4k ≤ c ≤ 1 of its docstring.  block beats both iff c ≤ 1 − k and
    # c ≤ 1 − 4k, and neither bound implies the other on the box (1 − 4k < 1 − k exactly when k > 0).
    from models import naive_switch as n

    regions = symbolic_plan(plan(n.world, n.utility, n.policies, reference=n.reference))
    assert region_text(regions.optimal["work"]).split("  (e.g.")[0] == "1 - 4*k ≤ c ≤ 1"
    assert region_text(regions.optimal["block"]).split("  (e.g.")[0] == "c ≤ min(1 - 4*k, 1 - k)"


def test_bounds_chain_beside_other_conjuncts_and_differing_strictness_stays_apart():
    # on p, q ∈ [0, 1]: q < 1/2 beside the two bounds on p, which read as one chain; p > q and p ≥ 1/4 are both
    # lower bounds on p but one strict and one not, so no single max(...) states them
    p, q = param("p", 0, 1), param("q", 0, 1)
    text = region_text(region(sp.And(q < sp.Rational(1, 2), p >= q, p <= 1 - q), (p, q)))
    assert "q ≤ p ≤ 1 - q" in text and "q < 1/2" in text and "p*(" not in text
    text = region_text(region(sp.And(p > q, p >= sp.Rational(1, 4)), (p, q))).split("  (e.g.")[0]
    assert sorted(text.split(" and ")) == ["p > q", "p ≥ 1/4"]
