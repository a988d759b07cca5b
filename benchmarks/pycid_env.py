"""PyCID in its own virtualenv, built on demand, spoken to through a subprocess.

PyCID 0.8.2 pins pgmpy 0.1.17 (corrig needs pgmpy >= 1.0) and pygambit 16.0.2 (a C++ extension
built from source), so it cannot share corrig's environment.  `pycid_python()` returns the
interpreter of a virtualenv under the cache directory that holds it, building it the first time:

    $CORRIG_BENCH_CACHE (default ~/.cache/corrig-bench)/pycid-venv

with a Python 3.10 or 3.11 interpreter ($CORRIG_PYCID_PYTHON, else python3.10, python3.11, then the
current one), numpy < 2 and the other pins pgmpy 0.1.17 still works with, Cython < 3 to compile
pygambit (a C++ compiler is needed: about 4 minutes, once; pip's wheel cache keeps the result),
then pgmpy 0.1.17 and pycid 0.8.2 without their dependencies (pgmpy's optional torch is left out).
The build log is pycid-build.log beside it.  When anything fails, PeerUnavailable says why and the
benchmark prints that and goes on without PyCID.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

PINS = ["numpy<2", "pandas<2.2", "scipy<1.12", "scikit-learn<1.4", "pyparsing", "statsmodels<0.15", "tqdm", "joblib",
        "networkx<3.3", "matplotlib<3.9", "lxml", "Cython<3", "setuptools<70", "wheel"]
GAMBIT = "pygambit==16.0.2"
PEERS = ["pgmpy==0.1.17", "pycid==0.8.2"]
WORKER = Path(__file__).with_name("pycid_worker.py")


class PeerUnavailable(Exception):
    """A peer could not be set up; the message says why."""


def cache_dir() -> Path:
    """Where the benchmark keeps the PyCID virtualenv and its build log."""
    return Path(os.environ.get("CORRIG_BENCH_CACHE", Path.home() / ".cache" / "corrig-bench")).expanduser()


def _base_interpreters() -> list[str]:
    chosen = os.environ.get("CORRIG_PYCID_PYTHON")
    if chosen:
        return [chosen]
    found = [shutil.which(name) for name in ("python3.10", "python3.11")]
    return [p for p in found if p] + [sys.executable]


def _works(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run([str(python), "-c", "import pycid, pygambit"], capture_output=True, timeout=300)
    return probe.returncode == 0


def pycid_python(*, build: bool = True, echo: Any = print) -> Path:
    """The interpreter of PyCID's virtualenv, built first if needed (PeerUnavailable when it cannot be)."""
    venv = cache_dir() / "pycid-venv"
    python = venv / "bin" / "python"
    if _works(python):
        return python
    if not build:
        raise PeerUnavailable(f"no PyCID virtualenv at {venv} (run with --build-pycid to build it)")
    if shutil.which("c++") is None and shutil.which("g++") is None:
        raise PeerUnavailable("building pygambit needs a C++ compiler (c++ / g++), and none was found")
    venv.parent.mkdir(parents=True, exist_ok=True)
    log_path = cache_dir() / "pycid-build.log"
    echo(f"building PyCID's virtualenv in {venv} (once; compiling pygambit takes a few minutes; log: {log_path})")
    errors = []
    with open(log_path, "w") as log:
        for base in _base_interpreters():
            shutil.rmtree(venv, ignore_errors=True)
            pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
            steps = [[base, "-m", "venv", str(venv)], [*pip, *PINS], [*pip, "--no-build-isolation", GAMBIT],
                     [*pip, "--no-deps", *PEERS]]
            for step in steps:
                log.write(f"$ {' '.join(step)}\n")
                log.flush()
                done = subprocess.run(step, stdout=log, stderr=subprocess.STDOUT, timeout=1800)
                if done.returncode != 0:
                    errors.append(f"{base}: `{' '.join(step[:6])} ...` failed")
                    break
            else:
                if _works(python):
                    return python
                errors.append(f"{base}: built, but `import pycid, pygambit` fails")
    raise PeerUnavailable("could not build PyCID's virtualenv (" + "; ".join(errors) + f"); see {log_path}")


def run_worker(python: Path, request: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Send one request to the PyCID worker; PeerUnavailable on failure, TimeoutError past `timeout` seconds."""
    try:
        done = subprocess.run([str(python), str(WORKER)], input=json.dumps(request), capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"PyCID took more than {timeout:g} s") from None
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no message"]
        raise PeerUnavailable(f"the PyCID worker failed: {tail[0]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
