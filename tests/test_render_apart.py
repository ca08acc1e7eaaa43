"""Wires from different ports do not run along each other (issue 13): where Graphviz drew two
within a stroke or two of each other for a stretch, so that a reader cannot tell which goes on
where, one is bent away. Read from the layout of the DOT that `wiring render` writes, as
Graphviz draws it, for gallery figures (docs/gallery.md's paper commands) where it did."""

from __future__ import annotations

import json
import math
import subprocess

import pytest

import wiring
from wiring.render import fitted_dot

from conftest import ROOT
from render_support import bezier, needs_dot

PAPER = {"style": "paper", "font_size": "7pt", "width": "6.5in"}
PANELS = {"panels": "modes", "direction": "TB"}
# Before wires were bent apart, two wires ran along each other for 27 pt (constitutional_ai's
# sl panel: the principles' wire to the reviser on the draft's dashed loop), 25 pt
# (control_trusted_editing: the problems' wire to the editor on the audit's to shutdown), 31 pt
# (critiques' deploy panel: the critic's wire to the rater on the loop from the draft) and 25 pt
# (ida: the human's training signal on the loop from the user).
FIGURES = {"constitutional_ai": PANELS, "control_trusted_editing": {"direction": "TB"},
           "critiques": PANELS, "ida": {}}
NEAR_PT = 3.0      # two wires' curves nearer than this read as one line ...
ALONG = 30.0       # ... heading within this many degrees of each other ...
LONG_PT = 12.0     # ... for longer than this
ENDS_PT = 8.0      # not counted this near a point where both end (neighbouring ports)


def laid_out(name: str, options: dict) -> dict:
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    dot = fitted_dot(proposal, **{**PAPER, **options})
    return json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True,
                                     text=True, check=True).stdout)


def strokes(edge: dict) -> list:
    """Points at most about a point apart along the curve Graphviz draws for a wire (its
    first: an update's two lines lie either side of it)."""
    curves = [op["points"] for op in edge.get("_draw_", []) if op["op"] == "b"]
    control = curves[0] if curves else []
    points = []
    for i in range(0, len(control) - 3, 3):
        segment = control[i:i + 4]
        steps = max(8, math.ceil(sum(math.dist(a, b) for a, b in zip(segment, segment[1:]))))
        points += [bezier(segment, k / steps) for k in range(0 if i == 0 else 1, steps + 1)]
    return points


def run_together(one: list, other: list, ends: list) -> float:
    """The longest stretch of `one` within NEAR_PT of `other`, heading within ALONG degrees of
    it there, away from `ends`."""
    parallel = math.cos(math.radians(ALONG))
    cells: dict = {}
    for k, point in enumerate(other):
        cells.setdefault(cell(point), []).append(k)
    run = longest = 0.0
    for p, q in zip(one, one[1:]):
        step = math.dist(p, q)
        i, j = cell(q)
        near = min((k for di in (-1, 0, 1) for dj in (-1, 0, 1)
                    for k in cells.get((i + di, j + dj), ())),
                   key=lambda k: math.dist(q, other[k]), default=None)
        beside = step > 0 and near is not None and math.dist(q, other[near]) < NEAR_PT and \
            all(math.dist(q, end) > ENDS_PT for end in ends)
        if beside:
            a, b = other[max(near - 1, 0)], other[min(near + 1, len(other) - 1)]
            heading = abs((q[0] - p[0]) * (b[0] - a[0]) + (q[1] - p[1]) * (b[1] - a[1]))
            beside = heading >= parallel * step * math.dist(a, b)
        run = run + step if beside else 0.0
        longest = max(longest, run)
    return longest


def cell(point: tuple) -> tuple[int, int]:
    return math.floor(point[0] / NEAR_PT), math.floor(point[1] / NEAR_PT)


def named(laid: dict, edge: dict) -> str:
    names = {item["_gvid"]: item.get("name") for item in laid.get("objects", [])}
    return f"{names[edge['tail']]}:{edge.get('tailport')} -> {names[edge['head']]}:" \
        f"{edge.get('headport')}"


def ports(edge: dict) -> set:
    return {(edge["tail"], edge.get("tailport")), (edge["head"], edge.get("headport"))}


@needs_dot
@pytest.mark.parametrize("name", FIGURES)
def test_wires_from_different_ports_do_not_run_along_each_other(name):
    laid = laid_out(name, FIGURES[name])
    wires = [(edge, strokes(edge)) for edge in laid.get("edges", []) if strokes(edge)]
    worst = (0.0, None)
    for i, (one, mine) in enumerate(wires):
        for other, theirs in wires[i + 1:]:
            if ports(one) & ports(other):       # copies run as one wire until they part
                continue
            ends = [p for p in (mine[0], mine[-1]) for q in (theirs[0], theirs[-1])
                    if math.dist(p, q) < NEAR_PT]
            run = max(run_together(mine, theirs, ends), run_together(theirs, mine, ends))
            worst = max(worst, (run, named(laid, one), named(laid, other)),
                        key=lambda found: found[0])
    assert worst[0] <= LONG_PT, worst


def arrowheads(edge: dict) -> list[tuple[tuple, tuple]]:
    """(tip, base) of each arrowhead of a laid-out wire: an `e,` or `s,` mark of its `pos` is
    the tip, the curve's end there the base."""
    tokens = edge.get("pos", "").split()
    points = [tuple(float(v) for v in t.split(",")) for t in tokens if t[:2] not in ("s,", "e,")]
    return [(tuple(float(v) for v in t[2:].split(",")), points[0] if t[0] == "s" else points[-1])
            for t in tokens if t[:2] in ("s,", "e,")]


def to_axis(p: tuple, tip: tuple, base: tuple) -> float:
    dx, dy = base[0] - tip[0], base[1] - tip[1]
    t = max(0.0, min(1.0, ((p[0] - tip[0]) * dx + (p[1] - tip[1]) * dy) / (dx * dx + dy * dy)))
    return math.dist(p, (tip[0] + t * dx, tip[1] + t * dy))


HEAD_CLEAR_PT = 3.0    # a wire nearer another's arrowhead than this reads as going into it


@needs_dot
def test_no_wire_passes_by_another_wires_arrowhead():
    # debate's panels: questions.question -> b.question (user's, in deploy) passed 0.3 pt from
    # the arrowhead into a.choices, and read as feeding it; now bent away from it
    laid = laid_out("debate", PANELS)
    wires = [(edge, strokes(edge)) for edge in laid.get("edges", []) if strokes(edge)]
    found = []
    for one, mine in wires:
        for other, _ in wires:
            if other is one or ports(one) & ports(other):
                continue
            for tip, base in arrowheads(other):
                near = min((to_axis(p, tip, base) for p in mine
                            if min(math.dist(p, mine[0]), math.dist(p, mine[-1])) > 12.0),
                           default=math.inf)
                if near < HEAD_CLEAR_PT:
                    found.append((round(near, 1), named(laid, one), named(laid, other)))
    assert not found, found
