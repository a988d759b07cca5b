"""The course in a browser: serve a lesson's notebook with `marimo run`, open it in headless Chromium
(Debian's `chromium`, driven by Playwright), move a slider across a boundary and watch the optimal policy
change.  A screenshot of each is kept under artifacts/browser/ (CORRIG_ARTIFACTS to move it).

By hand, lesson 5 (models/conditional_counterfactual.py): at v = 99/100 the grab is optimal iff
K < K* = 997921/428179 ≈ 2.331.  The slider starts at K = 1 (grab) and moves in steps of 1/2; three
steps right reach K = 5/2 > K* (patient).

Lesson 9 (models/off_switch_boltzmann.py): the Boltzmann human's robot waits iff |μ| ≤ βσ²/2 (the lesson's
derivation).  At μ = 1/2, β = 2 that is σ ≥ 1/√2 ≈ 0.7071: σ starts at 1 (wait) and moves in steps of 1/10;
three steps left reach σ = 7/10 (βσ²/2 = 49/100 < 1/2: act).

Lesson 10 (models/gridworld_off_switch.py with p free): the reward maximiser presses the button iff
42 − 142p < 38, p > 2/71 ≈ 0.0282.  p starts at the repository's 1/2 (button path); the slider steps 1, 0.9, …,
0.1, 0.05, 0.04, …, 0: eight steps left reach p = 1/50 < 2/71 (short path).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples" / "notebooks"
LESSONS = {"lesson5": "lesson5_conditional_counterfactual.py", "lesson9": "lesson9_off_switch_gaussian.py",
           "lesson10": "lesson10_gridworld_off_switch.py"}
CHROMIUM = os.environ.get("CORRIG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("CORRIG_ARTIFACTS", ROOT / "artifacts")) / "browser"


def _needs(what: str) -> None:
    """Skip on a developer machine without it; in CI (CI=true) a missing piece is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser test needs {what} (.ci/run installs it)")
    pytest.skip(f"needs {what}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=sorted(LESSONS))
def served(request):
    if not Path(CHROMIUM).exists():
        _needs(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _needs("playwright (pip install playwright)")
    marimo = shutil.which("marimo", path=str(Path(sys.executable).parent)) or shutil.which("marimo")
    if marimo is None:
        _needs("marimo (pip install marimo)")
    port = _free_port()
    server = subprocess.Popen([marimo, "run", str(NOTEBOOKS / LESSONS[request.param]), "--headless", "--host", "127.0.0.1",
                               "--port", str(port), "--no-token", "--no-sandbox"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):  # up to a minute for the server to answer
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("marimo run did not answer on " + url)
        yield url, request.param
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


# the optimal set each lesson shows before and after its drive (tests/browser_drive.py), and the screenshot's name
EXPECTED = {
    "lesson5": ("before: 1 optimal: grab", "after: 2.5 optimal: patient", "lesson5-patient.png"),  # K = 5/2 > K*
    "lesson9": ("optimal: wait", "optimal: act", "lesson9-act.png"),  # σ = 7/10 < 1/√2
    "lesson10": ("optimal: button path", "optimal: short path", "lesson10-short.png"),  # p = 1/50 < 2/71
}


def test_moving_a_slider_across_a_boundary_changes_the_optimal_policy(served):
    url, lesson = served
    before, after, name = EXPECTED[lesson]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / name
    done = subprocess.run([sys.executable, str(Path(__file__).parent / "browser_drive.py"), url, CHROMIUM,
                           str(screenshot), lesson], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    shown_before, shown_after = (next(line for line in lines if line.startswith(f"{when}:")) for when in ("before", "after"))
    assert shown_before.endswith(before) and shown_after.endswith(after)
    if lesson == "lesson9":
        assert "point: μ = 1/2, σ = 7/10, β = 2." in lines  # three steps of 1/10 from 1: exactly 7/10
    if lesson == "lesson10":
        assert "point: p = 1/50." in lines  # the slider's 0.02, exactly
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
