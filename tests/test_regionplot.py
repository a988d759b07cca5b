"""region_plot: a PNG of the parameter box coloured by the optimal policy, flags hatched."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from symbolic_worlds import H_SWITCH, C, conditional_world, noisy_off_switch, switch_symbolic

from corrig import plan
from corrig.faces.regionplot import COLOURS, region_plot
from corrig.model.errors import ParameterError


def _colours_present(path, colours, tolerance=0.02, min_pixels=200):
    """The policy colours that fill at least `min_pixels` pixels of the image."""
    pixels = mpimg.imread(path)[..., :3].reshape(-1, 3)
    present = []
    for colour in colours:
        close = np.all(np.abs(pixels - np.array(to_rgb(colour))) < tolerance, axis=1)
        if close.sum() >= min_pixels:
            present.append(colour)
    return present


@pytest.fixture(scope="module")
def switch_plan():
    # naive switch over (c, h): act, press and block each win somewhere (see test_symbolic.py)
    return switch_symbolic()


def test_two_parameter_plot_has_a_colour_per_optimal_region(switch_plan, tmp_path):
    fig = region_plot(switch_plan, x=C, y=H_SWITCH, resolution=80)
    out = tmp_path / "switch.png"
    fig.savefig(out, dpi=60)
    plt.close(fig)
    assert out.stat().st_size > 1000
    # policy order act, press, block → the first three colours; all three regions have area
    assert len(_colours_present(out, COLOURS[:3])) >= 2
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"act optimal", "press optimal", "block optimal"} <= set(labels)
    assert any("not-obedient" in t for t in labels) and any("self-shutdown" in t for t in labels)


def test_parameters_by_name_and_a_plan_as_input(tmp_path):
    fig = region_plot(plan(*conditional_world()), x="k_cond", y="h_cond", resolution=40)
    assert fig.axes[0].get_xlabel() == "$k_{cond}$"
    plt.close(fig)


def test_one_parameter_plot_draws_values(tmp_path):
    fig = region_plot(plan(*noisy_off_switch()), resolution=60)
    out = tmp_path / "noisy.png"
    fig.savefig(out, dpi=60)
    plt.close(fig)
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["J(act)", "J(off)", "J(wait)"]
    assert out.stat().st_size > 1000


def test_bad_axes_are_named(switch_plan):
    with pytest.raises(ParameterError, match="nope"):
        region_plot(switch_plan, x="nope")
    with pytest.raises(ParameterError, match="both"):
        region_plot(switch_plan, x=C, y=C)
