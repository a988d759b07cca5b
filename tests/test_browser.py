"""The course in a browser: serve lesson 5's notebook with `marimo run`, open it in headless Chromium
(Debian's `chromium`, driven by Playwright), move the K slider across K* and watch the optimal policy
change from grab to patient.  A screenshot is kept under artifacts/browser/ (CORRIG_ARTIFACTS to move it).

By hand (models/conditional_counterfactual.py): at v = 99/100 the grab is optimal iff
K < K* = 997921/428179 ≈ 2.331.  The slider starts at K = 1 (grab) and moves in steps of 1/2; three
steps right reach K = 5/2 > K* (patient).
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
LESSON = ROOT / "examples" / "notebooks" / "lesson5_conditional_counterfactual.py"
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


@pytest.fixture(scope="module")
def served():
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
    server = subprocess.Popen([marimo, "run", str(LESSON), "--headless", "--host", "127.0.0.1", "--port", str(port),
                               "--no-token", "--no-sandbox"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              cwd=ROOT)
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
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_moving_k_across_k_star_changes_the_optimal_policy(served):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "lesson5-patient.png"
    done = subprocess.run([sys.executable, str(Path(__file__).parent / "browser_drive.py"), served, CHROMIUM,
                           str(screenshot)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    before, after = done.stdout.splitlines()[-2:]
    assert before == "before: 1 optimal: grab"  # K = 1 < K*
    assert after == "after: 2.5 optimal: patient"  # K = 5/2 > K* ≈ 2.331
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
