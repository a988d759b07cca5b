"""Expressions over nodes: events count as 1/0 in arithmetic; states are checked; reprs evaluate back."""

from fractions import Fraction as F

import pytest
import sympy as sp

from corrig import E, World, param
from corrig.model.errors import StateError


def _button() -> World:
    world = World("button")
    world.chance("B", {"off": F(1, 4), "on": F(3, 4)})
    return world


def test_an_event_times_a_number_counts_as_one_or_zero():
    world = _button()
    B = world["B"]
    # E[3·1{off} + 1{on}] = 3·(1/4) + 3/4 = 3/2
    assert E((B == "off") * 3 + (B == "on")).evaluate(world) == sp.Rational(3, 2)


def test_an_event_times_a_parameter_is_symbolic():
    world = _button()
    B = world["B"]
    c = param("c_expr_test", 0, 2)
    # E[c·1{off}] = c·P(off) = c/4
    assert sp.simplify(E((B == "off") * c).evaluate(world) - c / 4) == 0


def test_comparing_with_a_state_the_node_lacks_names_it():
    B = _button()["B"]
    with pytest.raises(StateError, match="'of' is not a state of B"):
        _ = B == "of"
