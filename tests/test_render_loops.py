"""Feedback loops beside the boxes they close (issue 13, item 2): in either style a feedback
wire (delayed, or closing a loop against the flow) is laid out (`render.loops`: pulled towards
one line across the flow, or meeting its ports at their corners on one side) so that it runs
round the boxes it connects instead of sweeping across the figure, where that crosses no more
wires and makes the figure no larger. Measured on Graphviz's layout of the rendered DOT, as a
reader sees the figure."""

from __future__ import annotations

import json
import subprocess

import pytest

import wiring
from wiring import render as R
from wiring.render.ends import GROW_PT
from wiring.render.loops import TURN_PT

from conftest import ROOT
from render_support import needs_dot

# How far a loop may run beyond the boxes at its two ends, across and along the flow: room
# to turn round a box and pass beside it (Graphviz's default gap between boxes is 18 pt).
MARGIN_PT = 24.0


def _layout(dot_text: str) -> dict:
    run = subprocess.run(["dot", "-Tjson"], input=dot_text.encode(), capture_output=True,
                         check=True)
    return json.loads(run.stdout)


def _bezier(points: list, t: float) -> tuple[float, float]:
    while len(points) > 1:
        points = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1])
                  for a, b in zip(points, points[1:])]
    return points[0]


def _boxes(laid: dict) -> dict[int, tuple[float, float, float, float]]:
    """Each laid-out node's box (left, bottom, right, top) by its `_gvid`."""
    boxes = {}
    for o in laid["objects"]:
        if "pos" in o and "nodes" not in o:
            x, y = (float(v) for v in o["pos"].split(","))
            w, h = float(o["width"]) * 36, float(o["height"]) * 36
            boxes[o["_gvid"]] = (x - w, y - h, x + w, y + h)
    return boxes


def _loop_curves(laid: dict, samples: int):
    """Each feedback wire with the points of each curve drawn for it, `samples` a segment."""
    for edge in laid["edges"]:
        if "feedback" in str(edge.get("class", "")).split():
            yield edge, [[_bezier(op["points"][i:i + 4], k / samples)
                          for i in range(0, len(op["points"]) - 3, 3)
                          for k in range(samples + 1)]
                         for op in edge["_draw_"] if op["op"] == "b"]


def loop_overshoots(dot_text: str) -> list[tuple[str, float]]:
    """Each feedback wire's id, with how far (points) its drawn curve runs beyond the box
    spanned by the two boxes it connects."""
    laid = _layout(dot_text)
    boxes = _boxes(laid)
    found = []
    for edge, curves in _loop_curves(laid, 8):
        points = [p for curve in curves for p in curve]
        a, b = boxes[edge["tail"]], boxes[edge["head"]]
        x0, y0 = min(a[0], b[0]), min(a[1], b[1])
        x1, y1 = max(a[2], b[2]), max(a[3], b[3])
        beyond = max(max(x0 - x, x - x1, y0 - y, y - y1) for x, y in points)
        found.append((edge["id"], beyond))
    return found


# The figures whose loops swept across the whole figure (issue 13): in the paper style as the
# gallery draws them at a page's width, and in the default direction; in the full style as
# `wiring render` draws them by default.
FIGURES = [("debate", {"panels": "modes", "direction": "TB", "width": "6.5in"}),
           ("debate", {}),
           ("best_of_n", {"panels": "modes", "direction": "TB", "width": "6.5in"}),
           ("best_of_n", {"diagram": "BestOfN"}),
           ("swiss_cheese", {"panels": "modes", "direction": "TB", "width": "6.5in"}),
           ("swiss_cheese", {"direction": "TB"}),
           # left to right, pulled at the weight that keeps the others beside their boxes, the
           # loop from the world back to the attacker crossed one wire more: it meets its
           # ports at their top corners instead, and weighs nothing
           ("swiss_cheese", {})]
FULL = [("debate", {}), ("debate", {"mode": "deploy"}), ("best_of_n", {"diagram": "BestOfN"}),
        ("best_of_n", {"diagram": "Filtering", "mode": "resample"}), ("swiss_cheese", {}),
        ("swiss_cheese", {"mode": "retrain"}), ("critiques", {"mode": "deploy"}),
        ("incentives/rl_current_rf_ti_considering", {}), ("open_agency", {"depth": 0})]


def _proposal(name: str):
    return wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal


@needs_dot
@pytest.mark.parametrize("name, options", FIGURES)
def test_feedback_loops_stay_beside_the_boxes_they_close(name, options):
    make = R.fitted_dot if "width" in options else R.to_dot
    dot = make(_proposal(name), style="paper", font_size=7, **options)
    loops = loop_overshoots(dot)
    assert loops
    assert all(beyond <= MARGIN_PT for _, beyond in loops), loops


@needs_dot
@pytest.mark.parametrize("name, options", FULL)
def test_the_full_style_keeps_loops_beside_the_boxes_they_close_too(name, options):
    loops = loop_overshoots(R.to_dot(_proposal(name), **options))
    assert loops
    assert all(beyond <= MARGIN_PT for _, beyond in loops), loops


def _laid_and_loose(proposal, **options) -> tuple[str, str]:
    """The DOT of a picture as drawn, and with its loops laid out as any wire (its ports and
    training wires as drawn)."""
    from wiring.render.dot import print_dot
    from wiring.render.fit import scaled_tree
    from wiring.render.scene import LoopLayout
    from wiring.render.untangle import untangled_tree

    scene = R.to_scene(proposal, options=R.RenderOptions(**options))
    laid = print_dot(untangled_tree(scene))
    scene.loops = LoopLayout()
    return laid, print_dot(scaled_tree(scene))


def _measured(dot_text: str) -> tuple[tuple[int, int], float, float]:
    from wiring.render.untangle import crossings

    laid = _layout(dot_text)
    x0, y0, x1, y1 = (float(v) for v in laid["bb"].split(","))
    return crossings(laid), x1 - x0, y1 - y0


EXAMPLES = sorted(p.relative_to(ROOT / "examples").with_suffix("").as_posix()
                  for p in (ROOT / "examples").rglob("*.wd"))


@needs_dot
@pytest.mark.parametrize("name, style", [(n, "full") for n in EXAMPLES] +
                         [("swiss_cheese", "paper"), ("debate", "paper")])
def test_loops_are_laid_out_at_no_cost(name, style):
    # every example's default picture with a loop: no more crossings, no wire through a box,
    # no larger than by a loop's turn round a box (TURN_PT) and its ends redrawn round the
    # boxes at the picture's edges (GROW_PT each side), than with its loops laid out as any
    # wire
    proposal = _proposal(name)
    if not any(w.feedback for w in R.to_scene(proposal).wires):
        return
    laid, loose = (_measured(t) for t in _laid_and_loose(proposal, style=style))
    more = TURN_PT + 2 * GROW_PT
    assert laid[0][0] <= loose[0][0] and laid[0][1] <= loose[0][1], (laid, loose)
    assert laid[1] <= loose[1] + more and laid[2] <= loose[2] + more, (laid, loose)


@needs_dot
def test_the_measure_catches_a_loop_that_sweeps():
    # the measure can fail: swiss_cheese in the full style, its loops laid out as any wire,
    # sweeps from the world back to the attacker far beyond both boxes
    loose = _laid_and_loose(_proposal("swiss_cheese"))[1]
    assert max(beyond for _, beyond in loop_overshoots(loose)) > 2 * MARGIN_PT


def loop_along_borders(dot_text: str) -> float:
    """How long (points) the feedback wires of a picture run within 3 pt of a box's border,
    inside or out, away from the 12 pt where each meets its own port: a loop there reads as
    a second border of the box."""
    import math

    laid = _layout(dot_text)
    boxes = _boxes(laid).values()

    def on_border(x: float, y: float) -> bool:
        return any(x0 - 3 <= x <= x1 + 3 and y0 - 3 <= y <= y1 + 3
                   and not (x0 + 3 < x < x1 - 3 and y0 + 3 < y < y1 - 3)
                   for x0, y0, x1, y1 in boxes)

    total = 0.0
    for _, curves in _loop_curves(laid, 16):
        for points in curves:
            along = [on_border(*p) and min(math.dist(p, points[0]),
                                           math.dist(p, points[-1])) > 12 for p in points]
            total += sum(math.dist(p, q) for p, q, a, b in
                         zip(points, points[1:], along, along[1:]) if a and b)
    return total


@needs_dot
def test_of_loops_as_good_otherwise_the_one_off_the_box_borders_is_kept():
    # rl_direct_learning at a page's width: its agent's loop ran 48 pt along the borders of
    # the boxes it closes, where a layout as good on every other count runs 21 pt
    proposal = _proposal("incentives/rl_direct_learning")
    dot = R.fitted_dot(proposal, style="paper", font_size=7, width="6.5in")
    assert loop_along_borders(dot) < 35


_OUTWARD = {"w": (-1.0, 0.0), "e": (1.0, 0.0), "n": (0.0, 1.0), "s": (0.0, -1.0)}


def loop_ends_facing(dot_text: str) -> list[tuple[str, str, float]]:
    """Each end of each feedback wire at the side of a box (a port's compass point w, e, n or
    s), with how straight the wire comes out of or into the port there: the cosine of the
    angle between the side's outward direction and the wire's first step away from the port
    (from an arrow's tip to its base, else from the end to its next control point). An end
    away from its box is a branch of another wire from the same port (`bundles`): not an end
    at a port."""
    import math

    laid = _layout(dot_text)
    curves = {edge["_gvid"]: [p for curve in drawn for p in curve]
              for edge, drawn in _loop_curves(laid, 64)}
    found = []
    for edge in laid["edges"]:
        if "feedback" not in str(edge.get("class", "")).split():
            continue
        tokens = edge["pos"].split()
        points = [tuple(float(v) for v in t.split(",")) for t in tokens if t[:2] not in ("s,", "e,")]
        for end, mark, ordered in (("tail", "s,", points), ("head", "e,", points[::-1])):
            side = str(edge.get(f"{end}port", "")).rpartition(":")[2]
            if side not in _OUTWARD:
                continue
            tips = [tuple(float(v) for v in t[2:].split(",")) for t in tokens if t.startswith(mark)]
            start, step = (tips[0], ordered[0]) if tips else (ordered[0], ordered[1])
            if any(min(math.dist(start, p) for p in points) < 1.0
                   for gvid, points in curves.items() if gvid != edge["_gvid"]):
                continue
            dx, dy = step[0] - start[0], step[1] - start[1]
            cosine = (dx * _OUTWARD[side][0] + dy * _OUTWARD[side][1]) / math.hypot(dx, dy)
            found.append((edge["id"], end, cosine))
    return found


@needs_dot
@pytest.mark.parametrize("name, options", [
    ("incentives/rl_feedback_tampering", {"style": "paper", "width": "6.5in"}),
    ("incentives/rl_feedback_tampering", {}),
    ("incentives/rl_current_rf", {"style": "paper", "width": "6.5in"}),
    # the step-later wire into the sensor's tamper port, and ida's loop into hp's subanswer,
    # came up from below onto the box's corner: their curves' last segments run under the
    # box with no knot clear of it to join (`ends` now joins within a segment)
    ("incentives/rl_rf_input_tampering", {"style": "paper", "width": "6.5in"}),
    ("ida", {"style": "paper", "width": "6.5in"}),
    ("best_of_n", {"style": "paper", "panels": "modes", "direction": "TB", "width": "6.5in"}),
    ("debate", {"style": "paper", "panels": "modes", "direction": "TB", "width": "6.5in"})])
def test_loops_come_out_of_and_into_their_ports_from_outside(name, options):
    # the world's loop in the incentive examples dropped onto its west port from above, along
    # the world's top border (cosine 0.45 at the arrow): every end now leaves or meets its
    # port within 60 degrees of straight out (`ends` redraws those past 45 unless that
    # crosses more wires: debate's loop into a's last port comes in at 50 degrees)
    make = R.fitted_dot if "width" in options else R.to_dot
    ends = loop_ends_facing(make(_proposal(name), font_size=7, **options))
    assert ends
    assert all(cosine >= 0.5 for _, _, cosine in ends), ends


def loops_through_their_boxes(dot_text: str) -> list[tuple[str, str, int]]:
    """(wire, end, how many of its points) of each feedback loop drawn through a box at one of
    its own ends: more than a pen's width (3 pt) inside it."""
    laid = _layout(dot_text)
    boxes = _boxes(laid)
    found = []
    for edge, curves in _loop_curves(laid, 12):
        for end in ("tail", "head"):
            x0, y0, x1, y1 = boxes[edge[end]]
            inside = sum(x0 + 3 < x < x1 - 3 and y0 + 3 < y < y1 - 3
                         for curve in curves for x, y in curve)
            if inside:
                found.append((edge["id"], end, inside))
    return found


@needs_dot
def test_a_loop_met_at_its_ports_corner_does_not_set_off_through_its_box():
    # `loops` may lay a loop out to meet its ports at their corners (`sw`, `ne`), and
    # Graphviz then routes from the corner into the box as readily as out of it: debate's
    # loop from the referee ran back through b from its `so_far` at b's bottom-left corner
    # (`ends` now redraws such an end out of the side its port is on)
    assert loops_through_their_boxes(R.to_dot(_proposal("debate"), style="paper")) == []


def loops_branching(dot_text: str) -> list[bool]:
    """For each pair of feedback wires that share a port (a box and port, no arrow there):
    whether one of them begins on the other's curve, away from the port (over 12 pt): one
    wire that branches, not two drawn from the port side by side."""
    import math

    laid = _layout(dot_text)
    loops = {edge["_gvid"]: (edge, [p for curve in curves for p in curve])
             for edge, curves in _loop_curves(laid, 64)}

    def at(points, end):      # where a wire's drawn curve ends at its `end` box
        return points[0] if end == "tail" else points[-1]

    found = []
    for i, (one, a) in loops.items():
        for j, (other, b) in loops.items():
            if j <= i:
                continue
            for end in ("tail", "head"):
                if (one[end], one.get(f"{end}port")) != (other[end], other.get(f"{end}port")) \
                        or ("s," if end == "tail" else "e,") in one["pos"] + other["pos"]:
                    continue
                ea, eb = at(a, end), at(b, end)
                found.append(math.dist(ea, eb) > 12 and (
                    min(math.dist(ea, q) for q in b) < 1 or min(math.dist(eb, q) for q in a) < 1))
    return found


@needs_dot
@pytest.mark.parametrize("name, options", [
    ("critiques", {"mode": "deploy", "direction": "TB"}),
    ("constitutional_ai", {"mode": "sl", "direction": "TB"}),
    ("debate", {"mode": "train", "direction": "TB"})])
def test_loops_from_one_port_run_as_one_wire_until_they_part(name, options):
    # critiques' draft fed back to the critic and to the refiner as two dashed lines from the
    # port a few points apart for over an inch (and constitutional_ai's draft, debate's
    # transcript so far): now one wire that branches where they part
    dot = R.to_dot(_proposal(name), style="paper", font_size=7, **options)
    assert loops_branching(dot) and all(loops_branching(dot))
