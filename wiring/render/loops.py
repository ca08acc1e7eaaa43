"""Feedback loops beside the boxes they close (issue 13), in either style.

A feedback wire (delayed, or closing a loop against the flow) is written backwards, so that
Graphviz ranks it like any wire, and meets its ports on their outer sides: the loop leaves
its output forwards and comes into its input from behind. Laid out as Graphviz lays out any
wire, such a loop often swept round the far side of the figure (swiss_cheese: world ->
attacker passed 78 pt beyond both boxes). A few layouts of the loops (`scene.LoopLayout`) are
tried, and one kept where its layout crosses no more wires and is larger than the loose one
by no more than a loop's turn round a box (TURN_PT; `fit` falls back to the loose layout where
that does not fit the size asked): of those, the one with most loops beside their boxes, then
crossing fewest wires, then with fewest parameter updates running along a loop (swiss_cheese's
attacker, trained from the foot of its panel: its update climbed the panel beside the loop,
which no end redrawn mends), then whose loops run least along box borders, then pass least
beyond their boxes.
"""

from __future__ import annotations

import math

from .scene import LoopLayout
from .untangle import boxes_of, crossings, curve, size_of, within

# How strongly a loop pulls its ends, and the chain of bends Graphviz lays it along, towards
# one line across the flow (an edge's weight: Graphviz minimises the weighted sum of its
# wires' lengths across the flow). At the default weight a loop's bends are placed like any
# other wire's, and it may sweep across the figure.
WEIGHT = 5

# The layouts tried, in this order (the first of two equally good is kept): pulled; then, while
# a loop still sweeps, meeting its ports at their outer corners on one side across the flow,
# pulled, loose, or weightless. A pulled loop that runs past its boxes' sides must turn round
# them to reach their outer sides, and the boxes are moved for that turn (swiss_cheese left to
# right: the attacker dropped below its training wire's path, which crossed one wire more);
# from a corner it need not, and weightless it moves no box at all: the boxes are placed as
# without it, and it runs along their side (there, five crossings down to three). A loop
# beside its boxes meets its ports as every wire does, on their outer sides.
PULLED = LoopLayout(weight=WEIGHT)
CORNERS = tuple(LoopLayout(weight=weight, side=side) for weight in (WEIGHT, 1, 0)
                for side in ("before", "after"))

# A loop this close to the boxes it closes (points beyond the box spanning both, across and
# along the flow) is beside them already: room to turn round a box and pass beside it
# (Graphviz's default gap between boxes is 18 pt).
BESIDE_PT = 24.0

# How much larger a layout of the loops may make the picture: a loop's turn round the box it
# comes back to (swiss_cheese's panels at 6.5 in: the loop beside its boxes took 6 to 7 pt more,
# the one kept swept 39 and 70 pt beyond them). `fit` falls back to the loose layout where that
# would not fit the size asked.
TURN_PT = 8.0

# A loop within this of a box's border runs along it, where it reads as a second border (a
# learned box's dashed one above all); where it meets its own port (END_PT) it must.
HUG_PT = 3.0
END_PT = 12.0


def lay_out_loops(scene, timeout: float, panel: bool = False) -> None:
    """`scene.loops`: the best layout (`_score`) of those tried (`PULLED`, and `CORNERS` if a
    loop sweeps) that are at most TURN_PT larger and cross no more wires than the loose one,
    if better than that; else, or when Graphviz fails, the loose one."""
    from .dot import print_dot
    from .fit import scaled_tree
    from .graphviz import DotFailed, drawing

    scene.loops = LoopLayout()
    try:
        laid = drawing(print_dot(scaled_tree(scene)), timeout)
        best, size, crossed = _score(laid), size_of(laid, panel), crossings(laid)[0]
        chosen = LoopLayout()
        for tried in (PULLED, *(CORNERS if best[0] else ())):
            scene.loops = tried
            laid = drawing(print_dot(scaled_tree(scene)), timeout)
            score = _score(laid)
            if score < best and score[1] <= crossed and \
                    within(size_of(laid, panel), size, TURN_PT):
                best, chosen = score, tried
    except DotFailed:          # a layout that fails here fails again when drawn, and says why
        chosen = LoopLayout()
    scene.loops = chosen


def _score(laid: dict) -> tuple[int, int, int, int, float]:
    """What makes a layout of the loops better, least first: its loops that are not beside
    their boxes, the pairs of wires that cross, the parameter updates that run along a loop
    (`updates.along_loops`: no end redrawn mends that), how long its loops run along a box's
    border (whole points), how far they pass beyond their boxes."""
    from .updates import along_loops        # (updates reads loops' sweeps)

    far = sweeps(laid)
    return sum(f > BESIDE_PT for f in far), crossings(laid)[0], along_loops(laid), \
        round(hugs(laid)), sum(far)


def _loops(laid: dict):
    """The feedback wires of a layout, with their sampled points."""
    for edge in laid.get("edges", []):
        points = curve(edge)
        if "feedback" in str(edge.get("class", "")).split() and points:
            yield edge, points


def hugs(laid: dict) -> float:
    """How long (points) the feedback wires of a layout run along the border of a box (within
    HUG_PT of it, inside or out), away from their own ends."""
    boxes = list(boxes_of(laid).values())
    total = 0.0
    for _, points in _loops(laid):
        ends = (points[0], points[-1])
        along = [any(on_border(box, *p) for box in boxes) and
                 min(math.dist(p, e) for e in ends) > END_PT for p in points]
        total += sum(math.dist(p, q) for p, q, a, b in zip(points, points[1:], along, along[1:])
                     if a and b)
    return total


def on_border(box: tuple[float, float, float, float], x: float, y: float,
              near: float = HUG_PT) -> bool:
    """Whether a point is within `near` of a box's border (left, bottom, right, top), inside
    or out."""
    x0, y0, x1, y1 = box
    return x0 - near <= x <= x1 + near and y0 - near <= y <= y1 + near and \
        not (x0 + near < x < x1 - near and y0 + near < y < y1 - near)


def sweeps(laid: dict) -> list[float]:
    """How far (points) each feedback wire of a layout runs beyond the box spanning the two
    boxes it connects, across and along the flow (0 for a loop within it)."""
    boxes = boxes_of(laid)
    return [sweep(edge, points, boxes) for edge, points in _loops(laid)]


def sweep(edge: dict, points: list, boxes: dict) -> float:
    """How far (points) a wire whose sampled `points` these are runs beyond the box spanning
    its two boxes (`boxes_of`)."""
    a, b = boxes[edge["tail"]], boxes[edge["head"]]
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[2], b[2]), max(a[3], b[3])
    return max(0.0, *(max(x0 - x, x - x1, y0 - y, y - y1) for x, y in points))
