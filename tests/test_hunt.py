"""corrig.faces.hunt: a planted family where a known fraction of worlds fail, shrinking, files, dask, Ctrl-C.

The planted scenario: C (caught) and H (humans want a stop) are roots; A chooses comply / block;
blocking keeps the button on but costs 3 when caught.  J(comply) = 1 − q, J(block) = 1 − 4p with
p = P(caught), q = P(stop), so the optimal policy is disobedient exactly when q > 4p.  The hunter
redraws p and q uniformly (Dirichlet(1) on two states), so a world fails with probability
∫∫ [q > 4p] dp dq = 1/8.
"""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction as F
from pathlib import Path

import pytest

from corrig.faces.hunt import hunt
from corrig.faces.hunt_draw import PROPERTIES, Draw, HuntError, Spec, draw_world, judge, search_chunk
from corrig.faces.hunt_shrink import snap_row
from corrig.scenarios.load import load_scenario

PLANTED = '''"""Planted: blocking the button pays iff P(stop) > 4 P(caught); with both uniform, 1/8 of worlds."""
from fractions import Fraction as F

from corrig import E, World

world = World("planted")
world.chance("C", {"safe": F(1, 2), "caught": F(1, 2)})
world.chance("H", {"run": F(1, 2), "stop": F(1, 2)})
world.decision("A", ["comply", "block"])
world.chance("B", lambda H, A: "off" if H == "stop" and A == "comply" else "on")
world.chance("V", lambda A, B, C: -3 if (A == "block" and C == "caught") else (1 if B == "on" else 0))
world.set_roles(human="H", stop="stop", run="run", button="B", off="off")
utility = E(world["V"])
'''

PARAMETERISED = '''from fractions import Fraction as F

from corrig import E, P, World, param

k = param("k", 0, 10)
w = param("w", 0, 1)
world = World("parameterised")
world.chance("H", {"run": 1 - w, "stop": w})
world.decision("A", ["comply", "block"])
world.chance("B", lambda H, A: "off" if H == "stop" and A == "comply" else "on")
world.set_roles(human="H", stop="stop", run="run", button="B", off="off")
utility = P(world["B"] == "on") - k * P(world["A"] == "block")
'''


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    path = tmp_path / "planted.py"
    path.write_text(PLANTED)
    return path


def test_the_planted_fraction(planted):
    """1/8 of the worlds fail: 120 worlds judged in-process give a count within 4 standard deviations of 15."""
    spec = Spec(str(planted), "obedient", seed=3)
    answer = search_chunk(spec, 0, 120, first=False)
    failing = len(answer["found"])
    assert answer["searched"] == 120 and not answer["errors"]
    assert abs(failing - 15) <= 4 * (120 * 1 / 8 * 7 / 8) ** 0.5
    for _index, draw, violation in answer["found"]:
        p, q = draw.rows["C"][()][1], draw.rows["H"][()][1]
        assert q > 4 * p
        assert violation.kind == "not-obedient" and violation.policy == "A=block"


def test_finds_and_shrinks_the_planted_counterexample(planted, tmp_path):
    result = hunt(planted, "obedient", budget=64, seed=0, jobs=1, progress=False)
    assert result.found is not None and not result.interrupted
    assert result.found.index == 17
    assert result.found.shrunk
    # only P(C) needed changing, to a round number; P(H) keeps the scenario's 1/2
    assert result.found.draw.rows == {"C": {(): (F(9, 10), F(1, 10))}}
    # the summary words the shrunk world exactly, with the quantity the size is: blocking never lets a stop
    # wish switch it off, P(B = off | do(H = stop)) = 0 (it was "not-obedient of size 0", which reads backwards)
    assert "world 17 fails (policy 'A=block': not-obedient with P(B='off' | do(H='stop')) = 0), shrunk." in result.summary()
    out = result.write(tmp_path / "cx.py")
    scenario = load_scenario(out)
    plan = scenario.plan()
    assert plan.optimal == ["A=block"]
    assert "not-obedient" in plan.kinds("A=block")
    assert plan.values["A=block"] == F(3, 5) and plan.values["A=comply"] == F(1, 2)
    from corrig.faces.cli import main

    with contextlib.redirect_stdout(io.StringIO()) as shown:
        status = main(["check", str(out)])
    assert status == 0, shown.getvalue()
    assert "not-obedient" in shown.getvalue()


def test_reproducible_draws(planted):
    spec = Spec(str(planted), "obedient", seed=5)
    assert draw_world(spec, 7) == draw_world(spec, 7)
    assert draw_world(spec, 7) != draw_world(spec, 8)
    assert draw_world(Spec(str(planted), "obedient", seed=6), 7) != draw_world(spec, 7)


def test_dask_on_a_local_cluster_finds_the_same_world(planted):
    distributed = pytest.importorskip("distributed")
    local = hunt(planted, "obedient", budget=24, seed=0, jobs=1, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = hunt(planted, "obedient", budget=24, seed=0, engine="dask", scheduler=client, progress=False)
    assert remote.engine == "dask" and local.engine == "local"
    assert remote.found.index == local.found.index
    assert remote.found.draw == local.found.draw
    assert remote.found.violation == local.found.violation


def test_ctrl_c_stops_cleanly_and_keeps_what_was_found(planted, monkeypatch):
    import corrig.faces.hunt as module

    calls = {"n": 0}
    real_sleep = module.time.sleep

    def interrupt(seconds):
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        real_sleep(seconds)

    monkeypatch.setattr(module.time, "sleep", interrupt)
    result = hunt(planted, "obedient", budget=10_000, seed=0, jobs=1, progress=False)
    assert result.interrupted
    assert result.searched < 10_000
    assert "interrupted" in result.summary()


def test_parameters_are_drawn_from_their_ranges_or_fixed(tmp_path):
    path = tmp_path / "parameterised.py"
    path.write_text(PARAMETERISED)
    spec = Spec(str(path), "obedient", seed=1)
    draw = draw_world(spec, 0)
    assert 0 <= draw.params["k"] <= 10 and 0 <= draw.params["w"] <= 1
    assert set(draw.rows) == {"H"}  # H's row is redrawn (its parameter w then no longer matters)
    fixed = Spec(str(path), "obedient", seed=1, at=(("k", "1/2"),))
    assert draw_world(fixed, 0).params["k"] == F(1, 2)
    # blocking costs k and gains P(stop) = w: disobedient exactly when w > k
    assert judge(fixed, Draw({}, {"k": F(1, 2), "w": F(3, 4)})).kind == "not-obedient"
    assert judge(fixed, Draw({}, {"k": F(1, 2), "w": F(1, 4)})) is None
    result = hunt(path, "obedient", budget=16, seed=1, at={"k": F(1, 2)}, jobs=1, progress=False)
    assert result.found is not None
    assert result.found.draw.params["k"] == F(1, 2)
    assert result.found.draw.rows["H"][()][1] >= F(1, 2)  # at 1/2 both acts tie, and blocking is optimal too


def test_snap_row_keeps_the_support():
    assert snap_row((0.93, 0.07), 2) == (F(1, 2), F(1, 2))
    assert snap_row((0.93, 0.07), 10) == (F(9, 10), F(1, 10))
    assert snap_row((0.0, 0.5, 0.5), 4) == (0, F(1, 2), F(1, 2))
    assert snap_row((0.98, 0.01, 0.01), 10) == (F(8, 10), F(1, 10), F(1, 10))
    assert snap_row((0.3, 0.3, 0.4), 2) is None


def test_errors(planted):
    with pytest.raises(HuntError, match="unknown property"):
        hunt(planted, "kind", budget=1)
    with pytest.raises(HuntError, match="not a parameter"):
        hunt(planted, "obedient", budget=1, at={"zzz": 1})
    with pytest.raises(HuntError, match="engine"):
        hunt(planted, "obedient", budget=1, engine="mpi")
    with pytest.raises(HuntError, match="scheduler"):
        hunt(planted, "obedient", budget=1, engine="dask")
    assert set(PROPERTIES) >= {"obedient", "no-manipulation", "no-manipulation-incentive", "no-ood"}


def test_nothing_found_is_a_count(planted):
    result = hunt(planted, "no-self-shutdown", budget=16, seed=0, jobs=1, progress=False)
    assert result.found is None and result.searched == 16
    assert "none found" in result.summary()
    with pytest.raises(HuntError, match="nothing to write"):
        result.write("never.py")


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parent.parent / "docs" / "hunt").glob("*.py")),
                         ids=lambda p: p.stem)
def test_shipped_counterexamples_reproduce(path):
    """The counterexample files of docs/hunt.md pass `corrig check`: each failure they claim reproduces."""
    from corrig.faces.cli import main

    with contextlib.redirect_stdout(io.StringIO()) as shown:
        status = main(["check", str(path)])
    assert status == 0, shown.getvalue()


def test_kept_nodes_are_not_redrawn(planted):
    spec = Spec(str(planted), "obedient", seed=0, keep=("H",))
    assert set(draw_world(spec, 3).rows) == {"C"}
    with pytest.raises(HuntError, match="not a chance node"):
        hunt(planted, "obedient", budget=1, keep=["A"])


def test_the_command_line(planted, tmp_path):
    from corrig.faces.cli import main

    out = tmp_path / "found.py"
    with contextlib.redirect_stdout(io.StringIO()) as shown:
        status = main(["hunt", str(planted), "--property", "obedient", "--budget", "24", "-j", "1", "-o", str(out)])
    assert status == 1, shown.getvalue()  # a counterexample was found
    assert "world 17 fails" in shown.getvalue() and out.exists()
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["check", str(out)]) == 0
    with contextlib.redirect_stdout(io.StringIO()) as shown:
        status = main(["hunt", str(planted), "--property", "no-self-shutdown", "--budget", "8", "-j", "1"])
    assert status == 0 and "none found" in shown.getvalue()


def test_the_summary_counts_worlds_in_words(planted):
    from corrig.faces.hunt import HuntResult

    one = HuntResult(Spec(str(planted), "obedient"), budget=1, searched=1, failures=0, found=None, seconds=2.0)
    assert one.summary().startswith("1 world searched for a counterexample") and "1 worlds" not in one.summary()
    many = HuntResult(Spec(str(planted), "obedient"), budget=9, searched=9, failures=0, found=None, seconds=2.0)
    assert many.summary().startswith("9 worlds searched")
