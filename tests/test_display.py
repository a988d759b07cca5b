"""Notebook renderings: World, Plan and flag lists as HTML, Region as LaTeX; and the docs link only to
files that ship."""

from __future__ import annotations

import re
from pathlib import Path

import sympy as sp

from corrig import param, plan
from corrig.analysis.display import FlagList
from corrig.analysis.regions import region

ROOT = Path(__file__).resolve().parent.parent


def test_world_plan_and_flags_render_as_html():
    from models import human_control as m

    world_html = m.world._repr_html_()
    for node in ("L", "M", "H", "O", "S"):
        assert f"<td><b>{node}</b></td>" in world_html
    assert "human = H" in world_html and "button = S" in world_html
    result = plan(m.world, m.utility, m.policies, reference=m.reference)
    html = result._repr_html_()
    # both policies earn 1/2 (Carey & Everitt Fig. 1): both starred, manipulate-invert's flags listed
    assert html.count("★") == 2 and "<td>1/2</td>" in html
    assert "manipulation J − J^{H←π0} = 1" in html and "not-obedient P(S=0 | do(H=0)) = 0" in html
    flags = result.flags["manipulate-invert"]
    assert isinstance(flags, FlagList) and isinstance(flags, list)
    assert flags._repr_html_().count("<li>") == len(flags) == 4
    assert result.flags["respect-obey"] == [] and "no flags" in result.flags["respect-obey"]._repr_html_()


def test_region_renders_as_latex():
    q = param("q", 0, 1)
    r = region(sp.Gt(3 * q, 1), (q,))  # q > 1/3
    assert r._repr_latex_() == r"$q \in \left(\frac{1}{3}, 1\right]$"


def test_docs_link_only_to_files_in_the_repository():
    pages = [ROOT / "README.md", ROOT / "examples" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text()
        assert "DESIGN" not in text, page
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            assert (page.parent / target).exists(), (page.name, target)
