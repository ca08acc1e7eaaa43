"""The work of tidying a figure's wires is bounded (issue 11): a budget of work for each
tidying (`wiring.render.effort`), spent by what it measures, after which each stage tidies no
further wire; and a picture of more than `untangle.MOST_WIRES` wires is not read wire by wire.
Asserted on the DOT text a user gets."""

from __future__ import annotations

import re

import pytest

import wiring
from wiring import render as R
from wiring.render import effort, untangle

from render_support import needs_dot


def _ring(boxes: int) -> str:
    """Stateful boxes in a ring, each feeding the next and closing a loop with it: every
    wire is a loop or a wire a loop may run along, the shape that grew without bound."""
    body = [f"  s{i} = S" for i in range(boxes)]
    for i in range(boxes):
        after = (i + 1) % boxes
        body += [f"  s{i}.x -> s{after}.a", f"  s{after}.y -> s{i}.b"]
    return ("proposal \"ring\"\ntype T\ncomponent S : tool, trusted, stateful {\n"
            "  in a : T\n  in b : T\n  out x : T\n  out y : T\n}\n"
            "diagram D {\n" + "\n".join(body) + "\n}\n")


WHOLE = effort.EFFORT


def _dot(text: str, monkeypatch, units: int, **options) -> str:
    monkeypatch.setattr(effort, "EFFORT", units)
    R.forget_layouts()
    return R.to_dot(wiring.loads(text), **options)


def _routes(dot: str) -> dict[str, str]:
    """Each wire's route (`pos`) in a DOT text, by its id."""
    return dict(re.findall(r'id="(@w\d+)"[^\]]*pos="([^"]*)"', dot))


def _redrawn(one: str, other: str) -> int:
    """How many wires two DOT texts of the same picture route differently."""
    routes = _routes(other)
    return sum(route != routes.get(wire) for wire, route in _routes(one).items())


@needs_dot
def test_tidying_stops_once_its_budget_is_spent(monkeypatch, fresh_layouts):
    text = _ring(10)              # its whole tidying spends about 18,000 units
    tight = _dot(text, monkeypatch, 1_000)
    cut_short = _dot(text, monkeypatch, 3_000)
    whole = _dot(text, monkeypatch, WHOLE)
    # the more it may spend, the more wires are tidied, and no more once it needs no more
    assert 0 < _redrawn(tight, cut_short) < _redrawn(tight, whole)
    assert _redrawn(cut_short, whole) > 0
    assert _dot(text, monkeypatch, 10 ** 12) == whole
    # cut short, the figure is still whole: every wire drawn, and drawn the same each time
    assert len(_routes(cut_short)) == len(_routes(whole)) == 20
    assert _dot(text, monkeypatch, 3_000) == cut_short


@needs_dot
def test_no_example_spends_the_whole_budget(monkeypatch, fresh_layouts):
    # open_agency's paper figure spends the most of any example in one tidying
    text = open("examples/open_agency.wd", encoding="utf-8").read()
    bounded = _dot(text, monkeypatch, WHOLE, style="paper")
    assert _dot(text, monkeypatch, 10 ** 12, style="paper") == bounded


@needs_dot
@pytest.mark.parametrize("most, tidied", [(20, True), (19, False)])
def test_a_picture_of_too_many_wires_is_not_read_wire_by_wire(most, tidied, monkeypatch,
                                                              fresh_layouts):
    monkeypatch.setattr(untangle, "MOST_WIRES", most)
    dot = R.to_dot(wiring.loads(_ring(10)))             # 20 wires
    assert ("nop2" in dot) is tidied                    # (a tidied figure's layout is given)
