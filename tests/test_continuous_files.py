"""Continuous worlds as declarative files: the two off-switch models survive export and load, and a hostile
TOML file (bad scales, huge numbers, absurd shapes, calls, nonlinear thresholds) is refused naming the file,
line and key, in bounded time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sympy as sp

from corrig.scenarios.expect import verify
from corrig.scenarios.load import load_scenario
from corrig.scenarios.toml_lines import DeclarativeError
from corrig.scenarios.toml_reader import loads_declarative
from corrig.scenarios.toml_writer import dump_declarative
from tests.test_declarative import same_plan

MODELS = Path(__file__).parent.parent / "models"

GAUSSIAN = """
name = "gaussian"
[parameters]
mu = [-2, 2]
[nodes.X]
states = [0, 1]
distribution = { 0 = "1/2", 1 = "1/2" }
[nodes.U]
kind = "continuous"
parents = ["X"]
distribution = "Normal(2*X - 1 + mu, 1)"
[nodes.H]
states = ["stop", "run"]
parents = ["U", "X"]
probability = { stop = "U < X", run = "U >= X" }
[[utility]]
E = "U * (H == 'run')"
"""


@pytest.mark.parametrize("model", ["off_switch_gaussian", "off_switch_boltzmann"])
def test_the_continuous_models_round_trip_through_toml(model, tmp_path):
    original = load_scenario(MODELS / f"{model}.py")
    out = tmp_path / f"{model}.toml"
    out.write_text(dump_declarative(original))
    copy = load_scenario(out)
    point = {"mu": sp.Rational(1, 2), "sigma": 1, **({"beta": 2} if "boltzmann" in model else {})}
    same_plan(original.plan(at=point), copy.plan(at=point))
    assert [(v.ok, v.claim) for v in verify(copy)] == [(v.ok, v.claim) for v in verify(original)]


def test_a_hand_written_continuous_scenario_gives_the_hand_values():
    scenario = loads_declarative(GAUSSIAN, file="g.toml")
    value = scenario.plan(at={"mu": 0}).values["no decisions"]
    # X = 0: U ~ N(-1, 1), runs when U >= 0: E[U·[U >= 0]] = -Phi(-1) + phi(1) (= mean·Phi(mean) + phi(mean), mean -1);
    # X = 1: U ~ N(1, 1), runs when U >= 1: E[U·[U >= 1]] = 1/2 + phi(0)
    from corrig import Phi, phi
    expected = (-Phi(-1) + phi(1) + sp.Rational(1, 2) + phi(0)) / 2
    assert sp.simplify(value - expected) == 0


def _with(replace: str, by: str) -> str:
    assert replace in GAUSSIAN
    return GAUSSIAN.replace(replace, by)


@pytest.mark.parametrize(("text", "key", "message"), [
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Normal(0, 0)"'), "nodes.U.distribution", "sd = 0 must be positive"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Normal(0, -1)"'), "nodes.U.distribution", "must be positive"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Normal(0, mu)"'), "nodes.U.distribution", "must be positive"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Normal(0, 10**400)"'), "nodes.U.distribution", "exponent|bits"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Normal(0, 2**4000)"'), "nodes.U.distribution", "exponent|bits|magnitude"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Beta(10**7, 1/10**7)"'), "nodes.U.distribution", "Beta shapes|magnitude"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Normal(0, 1, 2)"'), "nodes.U.distribution", "takes 2 parameters"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"__import__(\'os\').system(\'x\')"'), "nodes.U.distribution",
     "is one of"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Gamma(1, 2)"'), "nodes.U.distribution", "is one of"),
    (_with('"Normal(2*X - 1 + mu, 1)"', '"Uniform(1, 1)"'), "nodes.U.distribution", "low < high"),
    (_with('stop = "U < X", run = "U >= X"', 'stop = "U*U < 1", run = "U*U >= 1"'), "nodes.H.probability", "linear in U"),
    (_with('stop = "U < X"', 'stop = "exp(U) < 1"'), "nodes.H.probability.stop", "calls are not allowed"),
    (_with('run = "U >= X"', 'run = "sigmoid(U*U)"'), "nodes.H.probability", "linearly"),
    (_with('stop = "U < X", run = "U >= X"', 'stop = "U < X", run = "U > X + 1"'), "nodes.H.probability", "sum to"),
    (_with('stop = "U < X"', 'stop = "V < X"'), "nodes.H.probability.stop", "'V' is not"),
    (_with('[nodes.H]', '[nodes.V]\nkind = "continuous"\ndistribution = "Normal(0, 1)"\n[nodes.H]')
     .replace('parents = ["U", "X"]', 'parents = ["U", "V"]'), "nodes.H.parents", "may read one"),
])
def test_a_hostile_continuous_file_is_refused_with_its_key(text, key, message):
    start = time.perf_counter()
    with pytest.raises(DeclarativeError) as caught:
        loads_declarative(text, file="hostile.toml").world.check()
    assert time.perf_counter() - start < 30  # bounded: refused before any integral
    error = caught.value
    assert key in str(error) and "hostile.toml" in str(error), str(error)
    assert __import__("re").search(message, str(error)), str(error)


def test_a_huge_moment_is_refused():
    text = _with('E = "U * (H == \'run\')"', 'E = "' + " * ".join(["U"] * 40) + '"')
    scenario = loads_declarative(text, file="moment.toml")
    with pytest.raises(Exception, match="powers of a continuous node up to"):
        scenario.plan(at={"mu": 0})
