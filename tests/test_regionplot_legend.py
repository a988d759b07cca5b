"""Region plots: hatches that cannot be mistaken for one another, and a legend that names each flag."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from symbolic_worlds import H_SWITCH, C, switch_symbolic

from corrig.faces.regionplot import HATCH_COLOURS, HATCHES, region_plot

# Pairs of hatches whose overlay draws a third pattern: "/" + "\" is "x", "|" + "-" is "+".
CONFUSABLE = [{"/", "\\"}, {"|", "-"}]


def test_no_two_hatches_overlay_into_a_third():
    strokes = [set(h) for h in HATCHES]
    assert all(len(s) == 1 for s in strokes)  # each hatch is one stroke, repeated for density
    for a, b in itertools.combinations(strokes, 2):
        assert a != b and (a | b) not in CONFUSABLE
    assert not {"x", "X", "+"} & set("".join(HATCHES))  # nor a hatch that is itself such an overlay
    assert len(set(HATCH_COLOURS)) == len(HATCH_COLOURS)


def test_the_legend_names_each_hatched_flag():
    # naive switch over (c, h): block is not obedient, press shuts itself down (tests/test_symbolic.py)
    fig = region_plot(switch_symbolic(), x=C, y=H_SWITCH, resolution=40)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    fired = [label for label in labels if label.endswith("fires")]
    assert any(label.startswith("not-obedient") for label in fired)
    assert any(label.startswith("self-shutdown") for label in fired)
    hatches = [h.get_hatch() for h in fig.axes[0].get_legend().legend_handles if h.get_hatch()]
    assert len(hatches) == len(fired) and len(set(hatches)) == len(hatches)
    plt.close(fig)
