"""region_plot: a PNG of the parameter box coloured by the optimal policy, each flag in a small map of its own."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb
from symbolic_worlds import H_SWITCH, C, conditional_world, noisy_off_switch, switch_symbolic

from corrig import plan
from corrig.faces.regionplot import OKABE_ITO, colour, region_plot
from corrig.model.errors import ParameterError


def _colours_present(path, colours, tolerance=0.02, min_pixels=200):
    """The policy colours that fill at least `min_pixels` pixels of the image."""
    pixels = mpimg.imread(path)[..., :3].reshape(-1, 3)
    present = []
    for c in colours:
        close = np.all(np.abs(pixels - np.array(to_rgb(c))) < tolerance, axis=1)
        if close.sum() >= min_pixels:
            present.append(c)
    return present


def _inside_figure(fig, artist) -> bool:
    renderer = fig.canvas.get_renderer()
    box, whole = artist.get_window_extent(renderer), fig.bbox
    return whole.x0 <= box.x0 and box.x1 <= whole.x1 and whole.y0 <= box.y0 and box.y1 <= whole.y1


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
    # policy order act, press, block → the first three Okabe–Ito colours; all three regions have area
    assert len(_colours_present(out, OKABE_ITO[:3])) == 3
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["1. act", "2. press", "3. block"]
    # block is not obedient, press shuts itself down (tests/test_symbolic.py): each has its own small map
    titles = [ax.get_title() for ax in fig.axes[1:]]
    assert "not-obedient" in titles and "self-shutdown" in titles


def test_the_legend_lies_inside_the_figure_and_no_two_policies_share_a_colour(switch_plan, tmp_path):
    for fig in (region_plot(switch_plan, x=C, y=H_SWITCH, resolution=40), region_plot(plan(*noisy_off_switch()),
                                                                                       resolution=40)):
        fig.savefig(tmp_path / "drawn.png", dpi=60)  # lays the figure out
        (legend,) = fig.legends
        assert _inside_figure(fig, legend)
        faces = [to_hex(h.get_facecolor()) for h in legend.legend_handles]
        assert len(set(faces)) == len(faces)
        plt.close(fig)
    # the palette itself never repeats: Okabe–Ito, tab20, then hues of their own
    assert len({colour(i) for i in range(200)}) == 200


def test_a_plot_draws_without_warnings(switch_plan, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fig in (region_plot(switch_plan, x=C, y=H_SWITCH, resolution=40), region_plot(plan(*noisy_off_switch()),
                                                                                           resolution=40)):
            fig.savefig(tmp_path / "quiet.png", dpi=60)
            plt.close(fig)


def test_parameters_by_name_and_a_plan_as_input(tmp_path):
    fig = region_plot(plan(*conditional_world()), x="k_cond", y="h_cond", resolution=40)
    assert fig.axes[0].get_xlabel() == "$k_{cond}$"
    plt.close(fig)


def test_one_parameter_plot_draws_values_and_a_strip_per_flag(tmp_path):
    fig = region_plot(plan(*noisy_off_switch()), resolution=60)
    out = tmp_path / "noisy.png"
    fig.savefig(out, dpi=60)
    plt.close(fig)
    main, strips = fig.axes
    assert [line.get_label() for line in main.get_lines()] == ["J(1. act)", "J(2. off)", "J(3. wait)"]
    assert len(strips.get_yticks()) >= 1
    assert out.stat().st_size > 1000


def test_into_a_given_axes_flags_are_outlines_and_the_legend_stays_inside(switch_plan):
    fig, ax = plt.subplots()
    region_plot(switch_plan, x=C, y=H_SWITCH, resolution=40, ax=ax)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"not-obedient", "self-shutdown"} <= set(labels)
    styles = [h.get_linestyle() for h in ax.get_legend().legend_handles if hasattr(h, "get_linestyle")
              and h.get_label() in ("not-obedient", "self-shutdown")]
    assert len(styles) == 2 and styles[0] != styles[1]
    plt.close(fig)


def test_a_plan_without_parameters_is_drawn_as_values_and_flags(tmp_path):
    from symbolic_worlds import naive_switch

    world, utility, policies = naive_switch(h=0.25, c=0.5)
    fig = region_plot(plan(world, utility, policies))
    bars, grid = fig.axes
    # J(act) = 3/4·2 + 1/4·c = 13/8, J(press) = c = 1/2, J(block) = 3/2 (by hand): act is the one optimum
    widths = [round(p.get_width(), 6) for p in bars.patches]
    assert widths == [1.625, 0.5, 1.5]
    assert [p.get_edgecolor()[3] > 0 for p in bars.patches] == [True, False, False]  # the optimum outlined
    # flags by hand: pressing turns B off even when H wants a run (self-shutdown); blocking keeps B on even when
    # H wants a stop (not-obedient); acting obeys H
    kinds = [t.get_text() for t in grid.get_xticklabels()]
    fired = {(int(line.get_ydata()[0]), kinds[int(line.get_xdata()[0])]) for line in grid.lines
             if line.get_markeredgecolor() == "black"}
    assert {(row, kind) for row, kind in fired if row < 3} == {(1, "self-shutdown"), (2, "not-obedient")}
    plt.close(fig)
    with pytest.raises(ParameterError, match="no parameters"):
        region_plot(plan(world, utility, policies), x="c")


def test_bad_axes_are_named(switch_plan):
    with pytest.raises(ParameterError, match="nope"):
        region_plot(switch_plan, x="nope")
    with pytest.raises(ParameterError, match="both"):
        region_plot(switch_plan, x=C, y=C)


def test_okabe_ito_colours_are_the_published_ones():
    # Okabe & Ito (2008), Color Universal Design: orange, sky blue, bluish green, yellow, blue, vermillion,
    # reddish purple (RGB 230,159,0 · 86,180,233 · 0,158,115 · 240,228,66 · 0,114,178 · 213,94,0 · 204,121,167)
    published = [(230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178), (213, 94, 0),
                 (204, 121, 167)]
    assert [tuple(round(255 * v) for v in to_rgb(c)) for c in OKABE_ITO[:7]] == published
    assert all(a != b for a, b in itertools.combinations(OKABE_ITO, 2))


MODELS = sorted(p for p in (Path(__file__).resolve().parent.parent / "models").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_every_bundled_model_draws_without_warnings_its_legend_inside(path, tmp_path):
    from corrig.scenarios.load import load_scenario

    scenario = load_scenario(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = region_plot(scenario.plan(), resolution=60)
        fig.savefig(tmp_path / f"{path.stem}.png", dpi=50)
    # titles wrap between words, never inside a hyphenated name ("Hadfield-" / "Menell")
    titles = [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]
    assert not [t for t in titles if any(line.endswith("-") for line in t.split("\n"))], titles
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]:
        assert _inside_figure(fig, legend)
        faces = [to_hex(h.get_facecolor()) for h in legend.legend_handles if hasattr(h, "get_facecolor")]
        assert len(set(faces)) == len(faces), path.stem
    plt.close(fig)
