"""A hunt whose workers are lost stops with the results so far: no unbounded wait.

Before, when every dask worker died the hunt polled its futures forever without a word.  The search
now asks its pool every second whether the workers can still answer (`lost()`), and a chunk whose
future fails ends it too.  The pools here are stand-ins with the same three methods, so the test
needs no cluster: one whose futures never finish and whose workers vanish after a first answer, and
one whose chunk fails as a killed dask worker's does.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from corrig.faces import hunt as hunt_module
from corrig.faces.hunt import HuntResult, search_pool
from corrig.faces.hunt_draw import Spec, search_chunk
from tests.test_hunt import PLANTED  # the planted scenario: blocking pays in 1/8 of worlds


class VanishingPool:
    """Answers its first chunk in-process, then its workers are gone: later futures never finish."""

    name = "stand-in"
    jobs = 1

    def __init__(self, fail_with: Exception | None = None):
        self.submitted = 0
        self.looks = 0
        self.fail_with = fail_with
        self.closed = False

    def submit(self, spec, start, stop, first):
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.submitted += 1
        if self.submitted == 1:
            future.set_result(search_chunk(spec, start, stop, first))
        elif self.fail_with is not None:
            future.set_exception(self.fail_with)
        return future  # never resolved: its worker is gone

    def lost(self):
        self.looks += 1
        return "every worker is gone" if self.submitted > 1 else None

    def close(self, cancel):
        self.closed = True


@pytest.fixture
def spec(tmp_path: Path) -> Spec:
    path = tmp_path / "planted.py"
    path.write_text(PLANTED)
    return Spec(str(path), "obedient", seed=5)


def test_lost_workers_end_the_search_with_the_results_so_far(spec, monkeypatch):
    monkeypatch.setattr(hunt_module, "WATCH", 0.0)  # look at the workers at every poll
    pool = VanishingPool()
    search = search_pool(spec, pool, budget=64, first=False, chunk=8)
    assert search.lost == "every worker is gone" and pool.closed
    # the first chunk (worlds 0..7) was judged before the workers vanished, and its results are kept
    expected = search_chunk(spec, 0, 8, first=False)
    assert search.searched == 8 and search.failures == len(expected["found"])


class KilledWorker(Exception):
    """What a dask future raises when the worker running it died (matched by name, like distributed's)."""


def test_a_failed_chunk_ends_the_search(spec, monkeypatch):
    monkeypatch.setattr(hunt_module, "WATCH", 3600.0)  # only the failed future can end it
    pool = VanishingPool(fail_with=KilledWorker("worker tcp://127.0.0.1:1 died"))
    pool.lost = lambda: None  # the pool itself does not know yet
    search = search_pool(spec, pool, budget=64, first=False, chunk=8)
    assert search.lost == "worlds 8..15 failed: KilledWorker: worker tcp://127.0.0.1:1 died"
    assert search.searched == 8 and pool.closed


def test_a_bug_in_a_chunk_is_not_mistaken_for_a_lost_worker(spec, monkeypatch):
    monkeypatch.setattr(hunt_module, "WATCH", 3600.0)
    pool = VanishingPool(fail_with=TypeError("a bug"))
    pool.lost = lambda: None
    with pytest.raises(TypeError, match="a bug"):
        search_pool(spec, pool, budget=64, first=False, chunk=8)
    assert pool.closed


def test_a_lost_hunt_says_so_and_never_exits_0(spec):
    result = HuntResult(spec, budget=64, searched=8, failures=0, found=None, seconds=1.0, lost="every worker is gone")
    assert "stopped early: every worker is gone" in result.summary()


def test_a_dask_cluster_that_loses_every_worker_stops_the_hunt(spec):
    """A real cluster: its only worker is retired mid-hunt; the hunt reports the worlds searched so far."""
    import threading

    distributed = pytest.importorskip("distributed")
    from corrig.faces.hunt import hunt

    # processes=True: a worker thread compiling a scenario beside pytest's own ast.parse trips CPython 3.11's
    # "AST constructor recursion depth mismatch" (compile is not safe across threads there).
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        def retire() -> None:
            while not client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
                pass
            cluster.scale(0)

        threading.Thread(target=retire, daemon=True).start()
        result = hunt(spec.path, "obedient", budget=1_000_000, seed=5, engine="dask", scheduler=client, first=False,
                      progress=False, worker_timeout=1.0)
    # Lost either way: the pool saw no worker for worker_timeout, or a finished chunk's answer went with its worker.
    assert result.lost and ("no worker" in result.lost or "TimeoutError" in result.lost), result.lost
    assert result.searched < 1_000_000
    assert "stopped early" in result.summary()


class AnswerLostWithItsWorker(concurrent.futures.Future):
    """Reports done, but its answer went with its worker: fetching it without a timeout would wait forever
    (a dask future whose data is lost between done() and result())."""

    def done(self):
        return True

    def result(self, timeout=None):
        if timeout is None:
            raise AssertionError("result() without a timeout: an unbounded wait")
        raise TimeoutError(f"no answer within {timeout} s")


def test_an_answer_lost_after_done_does_not_hang_the_search(spec, monkeypatch):
    monkeypatch.setattr(hunt_module, "RESULT_WAIT", 0.01)
    pool = VanishingPool()
    pool.submit = lambda *args: AnswerLostWithItsWorker()
    pool.lost = lambda: None
    search = search_pool(spec, pool, budget=16, first=False, chunk=8)
    assert search.lost == "worlds 0..7 failed: TimeoutError: no answer within 0.01 s"
    assert search.searched == 0 and pool.closed


def test_a_dask_worker_that_stops_answering_ends_the_hunt_with_what_it_found(spec, tmp_path, monkeypatch, capsys):
    """The only worker of a LocalCluster freezes mid-hunt (SIGSTOP: its process lives and its connections stay
    open, as a worker on a machine that vanished).  The scheduler drops a silent worker only after its
    worker-ttl (5 minutes by default, an hour here), and until then the hunt waited for it.  Its watchdog
    now counts heartbeats: after --worker-timeout seconds with none, the hunt stops, writes the counterexample
    it had found and exits non-zero.

    On a loaded machine a live worker's heartbeats can lag past a short timeout before the freeze; such a run
    says nothing about the freeze, so it is run again with a longer timeout (2 s, then 8 s, then 30 s)."""
    update = hunt_module._Bar.update
    for timeout in (2, 8, 30):
        capsys.readouterr()  # only the last run's output counts
        frozen = _hunt_with_a_frozen_worker(spec, tmp_path, monkeypatch, update, timeout)
        if frozen is not None:
            break
    else:
        pytest.fail("the hunt stopped before its worker froze every time, even with a 30 s --worker-timeout")
    status, out, seen = frozen
    # the worlds answered before the freeze are kept: judged in-process, worlds 0..23 of seed 5 hold a failure,
    # and the file written is the first of them (the smallest failing index, whatever else was searched)
    expected = search_chunk(spec, 0, 24, first=False)["found"]
    assert expected and seen[-1] >= 24
    assert status == 1 and out.exists()
    assert f"world {min(i for i, _, _ in expected)} fails" in capsys.readouterr().out


def _hunt_with_a_frozen_worker(spec: Spec, tmp_path: Path, monkeypatch, update, timeout: int):
    """Hunt on a one-worker LocalCluster and SIGSTOP its worker once 24 worlds are answered; (exit status,
    counterexample file, searched counts seen) — or None when the hunt ended before the freeze.  `update` is
    the progress bar's own update method, wrapped here to record the worlds searched."""
    import os
    import signal
    import threading

    distributed = pytest.importorskip("distributed")
    import dask

    from corrig.faces.cli import main

    seen: list[int] = []

    def record(self, searched, failures, seconds):
        seen.append(searched)
        update(self, searched, failures, seconds)

    monkeypatch.setattr(hunt_module._Bar, "update", record)
    out = tmp_path / f"cx{timeout}.py"
    froze = threading.Event()
    ended = threading.Event()

    def hang(*_: object) -> None:
        raise AssertionError("the hunt kept waiting for a frozen worker")

    with dask.config.set({"distributed.scheduler.worker-ttl": "1h"}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        (pid,) = client.run(os.getpid).values()

        def freeze() -> None:
            while not seen or seen[-1] < 24:  # three chunks answered: results the hunt must keep
                if ended.wait(0.05):
                    return
            os.kill(pid, signal.SIGSTOP)
            froze.set()

        watcher = threading.Thread(target=freeze, daemon=True)
        watcher.start()
        previous = signal.signal(signal.SIGALRM, hang)
        signal.alarm(240)
        try:
            status = main(["hunt", spec.path, "--property", "obedient", "--seed", "5", "--all", "--budget", "1000000",
                           "--engine", "dask", "--scheduler", cluster.scheduler_address, "--worker-timeout", str(timeout),
                           "-o", str(out)])
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
            ended.set()
            watcher.join()
            os.kill(pid, signal.SIGCONT)
    return (status, out, seen) if froze.is_set() else None
