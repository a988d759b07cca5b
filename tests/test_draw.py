"""`corrig draw` and `corrig region` write real pictures: size, and a few pixel colours (node kinds,
roles, the flagged path, the legend, at least two regions)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.colors import to_rgb
from matplotlib.image import imread

from corrig.faces import draw
from corrig.faces.cli import main
from corrig.faces.regionplot import COLOURS

DATA = Path(__file__).parent / "data"
FIG1 = str(DATA / "human_control.toml")
SWITCH = str(DATA / "switch.toml")


def corrig(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corrig", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def pixels(image: np.ndarray, colour: str, tolerance: float = 0.04) -> np.ndarray:
    """A mask of the pixels within `tolerance` of `colour` in every channel."""
    rgb = np.array(to_rgb(colour))
    return np.all(np.abs(image[..., :3] - rgb) <= tolerance, axis=-1)


def png(path: Path) -> np.ndarray:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return imread(path)


@pytest.fixture(scope="module")
def dags(tmp_path_factory) -> tuple[np.ndarray, np.ndarray]:
    folder = tmp_path_factory.mktemp("draw")
    plain, flagged = folder / "dag.png", folder / "flagged.png"
    assert corrig("draw", FIG1, "-o", str(plain)).returncode == 0
    run = corrig("draw", FIG1, "-o", str(flagged), "--policy", "manipulate-invert")
    assert run.returncode == 0, run.stderr
    return png(plain), png(flagged)


def test_the_dag_picture_has_its_size_and_node_colours(dags):
    image, _ = dags
    height, width = image.shape[:2]
    assert 400 <= height <= 1200 and 700 <= width <= 2000
    for colour in (draw.DECISION, draw.HUMAN, draw.BUTTON, draw.UTILITY, draw.CHANCE):
        assert pixels(image, colour).sum() > 200, colour
    assert pixels(image, draw.FLAGGED, 0.03).sum() == 0  # no policy: nothing highlighted


def test_the_legend_sits_right_of_the_graph(dags):
    image, _ = dags
    width = image.shape[1]
    legend = image[:, int(width * 0.78):]
    for colour in (draw.DECISION, draw.HUMAN, draw.BUTTON):
        assert pixels(legend, colour).sum() > 20, colour  # the legend's swatches
    assert (legend[..., :3].sum(axis=-1) < 0.6).sum() > 300  # its text


def test_a_policy_highlights_its_flagged_path(dags):
    _, image = dags
    assert pixels(image, draw.FLAGGED, 0.03).sum() > 300  # the red M -> H -> O -> S path


def test_svg_output(tmp_path):
    out = tmp_path / "dag.svg"
    assert main(["draw", FIG1, "-o", str(out)]) == 0
    assert "<svg" in out.read_text()[:1000]


def test_bad_output_names_exit_2(tmp_path, capsys):
    assert main(["draw", FIG1, "-o", str(tmp_path / "dag.gif")]) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err


def test_region_picture_shows_two_regions_and_a_legend(tmp_path):
    out = tmp_path / "region.png"
    run = corrig("region", SWITCH, "--x", "c", "--y", "k", "-o", str(out), "--resolution", "60")
    assert run.returncode == 0, run.stderr
    image = png(out)
    height, width = image.shape[:2]
    assert 400 <= height <= 1200 and 600 <= width <= 2000
    # work, press, block: the first three policy colours fill regions of the plot, and each has a legend swatch
    counts = [int(pixels(image, c).sum()) for c in COLOURS[:3]]
    assert sum(n > 2000 for n in counts) >= 2, counts
    legend = image[int(height * 0.88):, :]  # under the maps
    assert sum(int(pixels(legend, c).sum()) > 20 for c in COLOURS[:3]) >= 2


def test_region_names_unknown_parameters(tmp_path, capsys):
    assert main(["region", SWITCH, "--x", "z", "-o", str(tmp_path / "r.png")]) == 2
    err = capsys.readouterr().err
    assert "'z'" in err and "['c', 'k']" in err


def test_without_matplotlib_the_commands_say_what_to_install(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "from corrig.faces.cli import main\n"
            f"sys.exit(main(['draw', {FIG1!r}, '-o', {str(tmp_path / 'x.png')!r}]))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "pip install 'corrig[plot]'" in run.stderr


def test_flagged_parts_reads_paths_nodes_and_twins():
    class F:
        def __init__(self, where, evidence=None):
            self.where, self.evidence = where, evidence or {}

    nodes, edges = draw.flagged_parts([F("M -> H_cf -> O"), F("P(S=0 | do(H=0))"), F("x", {"node": "L"})],
                                      ["M", "H", "O", "S", "L"])
    assert edges == {("M", "H"), ("H", "O")}
    assert nodes == {"M", "H", "O", "S", "L"}


def test_the_value_of_observing_h_is_not_painted_as_a_failure(tmp_path):
    # In the naive switch, policy "work" raises no flag of its own; the only plan-level flag is the value of
    # observing H (H -> A, an edge the world lacks: A does not observe H).  That marks a good property,
    # so the picture has its purple dotted edge and no red at all.
    out = tmp_path / "work.png"
    assert main(["draw", SWITCH, "-o", str(out), "--policy", "work", "--at", "c=1/2,k=1/10"]) == 0
    image = png(out)
    assert pixels(image, draw.GOOD, 0.03).sum() > 100
    assert pixels(image, draw.FLAGGED, 0.03).sum() == 0
