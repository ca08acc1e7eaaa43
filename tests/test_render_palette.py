"""The palette survives greyscale: every family's fill, as drawn, at its own luminance."""

from __future__ import annotations

from itertools import combinations

import re

import pytest

import wiring
from wiring.render import RenderError, RenderOptions, to_dot
from wiring.render.style import FAMILIES, FAMILY, contrast, fill, grey_of, luminance

from conftest import ROOT

FILLS = {f.key: fill(f) for f in FAMILIES}
PRINTED = {k: luminance(c) for k, c in FILLS.items()}


def test_every_family_fill_prints_as_its_own_grey():
    # the families with a fill, and white (all the unfilled ones), pairwise apart
    levels = sorted({PRINTED[k] for k in PRINTED})
    assert len(levels) == 1 + sum(f.keep is not None for f in FAMILIES)
    for a, b in combinations(levels, 2):
        assert abs(a - b) >= 0.1, (a, b)


def test_black_text_reads_on_every_fill():
    for key, y in PRINTED.items():
        assert contrast(y, luminance("#1A1A1A")) >= 4.5, key


def test_grey_keeps_luminance():
    for colour in FILLS.values():
        grey = grey_of(colour)
        assert grey[1:3] == grey[3:5] == grey[5:7]
        assert abs(luminance(grey) - luminance(colour)) < 0.005


HUMANS = """
component Auditor : auditor, human {
  out x : Real
}
component Tool : auditor {
  out x : Real
}
diagram D {
  a = Auditor
  t = Tool
}
"""


@pytest.mark.parametrize("style", ["full", "paper"])
def test_a_human_box_is_drawn_as_human_whatever_its_kind(style):
    dot = to_dot(wiring.loads(HUMANS, "h.wd"), "D", style=style)
    human, overseer = fill(FAMILY["human"]), fill(FAMILY["overseer"])
    assert human in dot and overseer in dot
    # the human auditor's node is filled as a human
    node = next(line for line in dot.splitlines() if line.lstrip().startswith('"a"'))
    assert human in node and overseer not in node


def test_grey_theme_has_no_hue():
    dot = to_dot(wiring.loads(HUMANS, "h.wd"), "D", theme="grey")
    for colour in re.findall(r"#[0-9A-Fa-f]{6}", dot):
        assert colour[1:3] == colour[3:5] == colour[5:7], colour


def test_theme_is_checked():
    with pytest.raises(RenderError):
        RenderOptions(theme="sepia")


@pytest.mark.parametrize("style", ["full", "paper"])
def test_grey_theme_draws_training_in_ink_as_its_key_says(style):
    # every wire is in ink in grey: the optimisers and the key's samples of their wires too,
    # not the grey of vermilion (a key whose lines are grey beside black wires misleads)
    from wiring.render.style import INK, TRAINING_COLOUR

    rlhf = wiring.check_file(str(ROOT / "examples" / "rlhf.wd")).proposal
    dot = to_dot(rlhf, style=style, theme="grey")
    assert grey_of(TRAINING_COLOUR) not in dot
    optimiser = next(line for line in dot.splitlines() if 'class="optimiser"' in line)
    assert f'COLOR="{INK}"' in optimiser
