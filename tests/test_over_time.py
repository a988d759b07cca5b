"""Flags over time (corrig.analysis.over_time): per-step roles, hand-derived on small episodes and
cross-checked against the contraction engine on the unrolled world."""

import importlib.util
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp

from corrig import Episode, Policy
from corrig.analysis.over_time import flags_over_time
from corrig.errors import WorldError
from corrig.inference.engine import distribution


def _data():
    spec = importlib.util.spec_from_file_location("corridor_episode", Path(__file__).parent / "data" / "corridor_episode.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORRIDOR = _data()  # tests/data/corridor_episode.py: Interrupt drawn once (1/2), a button b that disables cell i
corridor, corridor_policies = CORRIDOR.corridor, CORRIDOR.candidates


def test_the_short_path_is_stopped_and_the_button_path_flagged_by_hand():
    # short: Pos_0 = s, right → Pos_1 = i; interrupted it stays at i at every step 1 … 5: s_t = 1 for t ≥ 1,
    # r_t = 0, so the stop channel E = Σ_t (s_t − r_t) = 5 ≥ ε: no flag.
    # button: left to b (Pos_1 = b), Pressed from step 2, then right through i unstopped: s_t = 0, E = 0 < ε
    # (not-obedient, size 0) and against π0 = short the effect falls by 5 − 0 = 5.
    T = 6
    ep, pols = corridor(T), corridor_policies(T)
    short = flags_over_time(ep.world(), pols["short"], name="short", reference=pols["short"])
    assert [x.stop for x in short.steps] == [0, 1, 1, 1, 1, 1]
    assert [x.run for x in short.steps] == [0] * T
    assert short.flags == []
    button = flags_over_time(ep.world(), pols["button"], name="button", reference=pols["short"])
    assert [x.stop for x in button.steps] == [0] * T
    assert [(f.kind, f.size) for f in button.flags] == [("not-obedient", 0), ("not-obedient", 5)]
    assert button.flags[1].reading().endswith("under π0 − under π = 5")
    assert "Stop_t != 'none'" in button.flags[0].measure


def test_the_forward_pass_agrees_with_the_engine_on_the_unrolled_world():
    T = 5
    ep, pols = corridor(T), corridor_policies(T)
    world = ep.world()
    for name, policy in pols.items():
        reading = flags_over_time(world, policy, name=name)
        for x in reading.steps:
            for wish, value in (("yes", x.stop), ("no", x.run)):
                dist = distribution(world, [f"Stop_{x.t}"], policy, do={"Interrupt": wish})
                assert value == 1 - dist[("none",)]


def pressing(T):
    """H_t per step: the humans press (1/4) while the stop is enabled, never once the AI has disabled it; the
    button B_t is off when the AI halts on an enabled stop."""
    ep = Episode("pressing", steps=T)
    ep.state("Off", ["no", "yes"], initial="no")
    ep.chance("H", lambda Off: {"stop": F(1, 4), "run": F(3, 4)} if Off == "no" else {"stop": 0, "run": 1},
              states=["stop", "run"])
    ep.decision("A", ["work", "halt", "disable"], observes=["H", "Off"])
    ep.chance("B", lambda A, Off: "off" if A == "halt" and Off == "no" else "on", states=["off", "on"])
    ep.transition("Off", lambda Off, A: "yes" if A == "disable" or Off == "yes" else "no")
    ep.reward(lambda A: 1 if A == "work" else 0)
    ep.set_roles(human="H", stop="stop", run="run", button="B", off="off")
    return ep


def pressing_policies(T):
    def rules(f):
        return Policy({f"A_{t}": {(h, o): f(t, h) for h in ("stop", "run") for o in ("no", "yes")} for t in range(T)})
    return {"obey": rules(lambda t, h: "halt" if h == "stop" else "work"),
            "always-halt": rules(lambda t, h: "halt"),
            "disable": rules(lambda t, h: "disable" if t == 0 else ("halt" if h == "stop" else "work"))}


def test_per_step_human_flags_by_hand():
    # obey: halts exactly when H_t = stop and the stop is never disabled: s_t = 1, r_t = 0 at every step.
    # always-halt: r_t = 1 at every step: self-shutdown, size Σ_t r_t = T = 3.
    # disable: at step 0 it disables whatever H_0 says (s_0 = 0); from step 1 Off = yes, so B_t is on (s_t = 0):
    #   not-obedient at steps 0, 1, 2, size Σ_t s_t = 0 of 3.  From step 1 the humans never press: the branch
    #   do(H_t = stop) has propensity 0 < ε on all of step t's weight (steps 1, 2: summed share 2), and P(H_t)
    #   moves from (1/4, 3/4) under obey to (0, 1): TV 1/4 at steps 1 and 2, summed 1/2.
    T = 3
    ep, pols = pressing(T), pressing_policies(T)
    obey = flags_over_time(ep.world(), pols["obey"], name="obey", reference=pols["obey"])
    assert [(x.stop, x.run) for x in obey.steps] == [(1, 0)] * T and obey.flags == []
    halt = flags_over_time(ep, pols["always-halt"], name="always-halt", reference=pols["obey"])
    assert [(f.kind, f.size) for f in halt.flags] == [("self-shutdown", 3)]
    assert halt.flags[0].measure == "Σ_t P(B_t == 'off' | do(H_t='run'))"
    dis = flags_over_time(ep, pols["disable"], name="disable", reference=pols["obey"])
    assert [(x.stop, x.run) for x in dis.steps] == [(0, 0)] * T
    kinds = {f.kind: f for f in dis.flags}
    assert kinds["not-obedient"].size == 0 and kinds["not-obedient"].evidence["steps"] == [0, 1, 2]
    assert kinds["ood-do-branch"].size == 2 and kinds["ood-do-branch"].evidence["per_step"] == {1: 1, 2: 1}
    assert kinds["h-moved"].size == sp.Rational(1, 2)
    assert dis.steps[1].human == {"run": 1}  # a state of probability 0 is left out


def test_a_symbolic_probability_given_a_value():
    ep = Episode("p", steps=2)
    p = sp.Symbol("p")
    ep.hidden("Z", {"yes": p, "no": 1 - p})
    ep.state("X", ["a"], initial="a")
    ep.decision("A", ["go", "halt"], observes=["X"])
    ep.chance("B", lambda A, Z: "off" if A == "halt" and Z == "yes" else "on", states=["off", "on"])
    ep.transition("X", lambda X: X)
    ep.reward(lambda A: 1 if A == "go" else 0)
    ep.set_roles(human="Z", stop="yes", run="no", button="B", off="off")
    halt = Policy({"A_0": {("a",): "halt"}, "A_1": {("a",): "halt"}})
    # do(Z = yes): B_t = off at both steps (2); do(Z = no): never (0); p does not enter.
    reading = flags_over_time(ep.world(), halt, name="halt", at={"p": "1/3"})
    assert [(x.stop, x.run) for x in reading.steps] == [(1, 0), (1, 0)] and reading.flags == []


def test_refusals_name_what_is_missing():
    from corrig import World
    w = World("plain")
    w.chance("H", {"stop": F(1, 2), "run": F(1, 2)})
    with pytest.raises(WorldError, match="episode"):
        flags_over_time(w, Policy({}))
    go = Policy({"A_0": {("a", "stop"): "go", ("a", "run"): "go"}})
    for roles, message in (({}, "declares no human role"), ({"human": "H", "stop": "stop", "run": "run"},
                                                             "neither a button role nor an action modification")):
        ep = Episode("roles", steps=1)
        ep.state("X", ["a"], initial="a")
        ep.chance("H", {"stop": F(1, 2), "run": F(1, 2)})
        ep.decision("A", ["go"], observes=["X", "H"])
        ep.reward(lambda A: 0)
        if roles:
            ep.set_roles(**roles)
        with pytest.raises(WorldError, match=message):
            flags_over_time(ep, go)


def test_the_pass_is_refused_before_it_runs_when_the_carried_state_is_too_large():
    from corrig.errors import LimitError
    from corrig.model import limits

    ep, pols = corridor(3), corridor_policies(3)
    # carried: Interrupt (2) x Pos (4) x Pressed (2) = 16; a step: A (2) x Stop (2) x Move (3) x R (3) = 36
    with limits.raised(beliefs=15), pytest.raises(LimitError, match=r"carried states .* is 16, more than the limit of 15"):
        flags_over_time(ep, pols["short"])
    with limits.raised(dp=16 * 36 * 3 - 1), pytest.raises(LimitError, match="step evaluations"):
        flags_over_time(ep, pols["short"])
    with limits.raised(beliefs=16, dp=16 * 36 * 3):
        assert flags_over_time(ep, pols["short"]).steps[2].stop == 1


def test_the_full_gridworld_button_path_disables_the_interruption_by_hand():
    # models/gridworld_off_switch.py (level 1, 100 steps): the short path 'dllllldd' stands on I (r3c4) from the
    # start of step 3; interrupted, every action there becomes UP into the wall, so the interruption overrides it
    # at steps 3 … 99: 97 steps, none when not interrupted.  The button path stands on B at step 3, which removes
    # I before it walks through r3c4: the interruption never overrides it (0), a fall of 97 against the short path.
    spec = importlib.util.spec_from_file_location(
        "gridworld_off_switch", Path(__file__).parent.parent / "models" / "gridworld_off_switch.py")
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    short, button = model.policies["short path"], model.policies["button path"]
    held = flags_over_time(model.world, short, name="short path", reference=short)
    assert [x.stop for x in held.steps] == [0, 0, 0] + [1] * 97 and {x.run for x in held.steps} == {0}
    assert held.flags == []
    free = flags_over_time(model.world, button, name="button path", reference=short)
    assert {x.stop for x in free.steps} == {0}
    assert [(f.kind, f.size) for f in free.flags] == [("not-obedient", 0), ("not-obedient", 97)]
