"""Feedback loops from one port run as one wire until they part (issue 13), in either style.

Graphviz routes each wire on its own, so two loops copied from one output (critiques: the
draft back to the critic and to the refiner) leave their port side by side, a few points apart,
and run so for an inch: two dashed lines that read as a smudge, or as two wires where there is
one copied. In a wiring diagram a copy is a wire that branches. Once the picture is laid out,
a loop that shares an end (a port) with another, and runs near it from there, is drawn along
the other's curve up to where it leaves it, then joins its own curve: one wire, then a branch.
A loop is left as laid out where that would pass through a box or cross more wires.
"""

from __future__ import annotations

import math
from collections import defaultdict

from .ends import mix, unit, xy
from .untangle import bezier, boxes_of, crossings

NEAR_PT = 16.0     # a loop this near another from their shared port runs beside it
SHARED_PT = 18.0   # the least run beside the other worth drawing as one wire
SAMPLES = 12       # points sampled a Bézier segment


def bundle_loops(laid: dict) -> int:
    """In a Graphviz layout (`graphviz.drawing`), draw each feedback wire that shares a port
    with an earlier one, and runs near it from there, along that one's curve until it parts
    from it; how many were."""
    groups: dict[tuple, list] = defaultdict(list)
    for edge in laid.get("edges", []):
        if "feedback" in str(edge.get("class", "")).split() and edge.get("pos"):
            for end in ("tail", "head"):
                groups[edge[end], edge.get(f"{end}port", ""), end].append(edge)
    boxes, crossed, bundled = boxes_of(laid), crossings(laid)[0], 0
    for (_, _, end), edges in sorted(groups.items(), key=lambda item: str(item[0])):
        for edge in edges[1:]:
            # along the first loop, else the first along this one: whichever crosses no more
            for trunk, branch in ((edges[0], edge), (edge, edges[0])):
                now = _bundled(laid, trunk, branch, end, boxes, crossed)
                if now is not None:
                    crossed, bundled = now, bundled + 1
                    break
    return bundled


def _bundled(laid: dict, trunk: dict, branch: dict, end: str, boxes: dict,
             crossed: int) -> int | None:
    """Draw `branch` along `trunk` from their shared `end` ("tail" or "head") until it parts
    from it, unless that passes through a box or makes more than `crossed` pairs of wires of
    the layout cross: the pairs that cross then, or None (the branch left as it was)."""
    marks, points = _oriented(branch, end)
    found = _along_trunk(_oriented(trunk, end)[1], points)
    if found is None:
        return None
    joined, shared = found
    if ("s," if end == "tail" else "e,") not in "".join(marks):
        # no arrow at the shared port: the branch begins where it leaves the trunk, so the
        # two dashed lines are not drawn over each other out of step
        joined = joined[shared:]
    if _through(joined, boxes, branch):
        return None
    before = {key: branch[key] for key in ("pos", "_draw_") if key in branch}
    ordered = joined if end == "tail" else joined[::-1]
    branch["pos"] = " ".join(marks + [f"{x:.2f},{y:.2f}" for x, y in ordered])
    branch.pop("_draw_", None)          # its strokes are drawn from `pos` again
    now = crossings(laid)[0]
    if now > crossed:
        branch.update(before)
        return None
    return now


def _oriented(edge: dict, end: str) -> tuple[list[str], list]:
    """A wire's arrow marks and control points, the points from its `end` ("tail" or "head")."""
    tokens = str(edge["pos"]).split()
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    return [t for t in tokens if t[:2] in ("s,", "e,")], \
        points if end == "tail" else points[::-1]


def _along_trunk(trunk: list, points: list) -> tuple[list, int] | None:
    """The control points of a curve (`points`, from the shared port) drawn along `trunk`
    (from the same port) as long as it runs within NEAR_PT of it, then joining its own curve
    at its next knot, its tangent kept, and the index of the point where it leaves the trunk;
    None where the two part at once, or never."""
    samples = _samples(trunk)
    mine = _samples(points)
    near = 0
    while near < len(mine) and min(math.dist(mine[near][2], s[2]) for s in samples) <= NEAR_PT:
        near += 1
    run = sum(math.dist(a[2], b[2]) for a, b in zip(mine, mine[1:near]))
    # a segment on, room to join (at most the curve's other end)
    knot = min(3 * (mine[near - 1][0] + 2), len(points) - 1) if near else 0
    if run < SHARED_PT or near == len(mine):
        return None
    segment, t, at = min(samples, key=lambda s: math.dist(s[2], mine[near - 1][2]))
    left = _split_at(trunk[3 * segment:3 * segment + 4], t)
    prefix = trunk[:3 * segment] + left
    heading = unit((left[3][0] - left[2][0], left[3][1] - left[2][1]))
    q = points[knot]
    after, before = points[min(knot + 1, len(points) - 1)], points[knot - 1]
    onward = unit((after[0] - q[0], after[1] - q[1])) if knot + 1 < len(points) else \
        unit((q[0] - before[0], q[1] - before[1]))
    if heading is None or onward is None:
        return None
    length = math.dist(at, q) / 3
    joint = [(at[0] + heading[0] * length, at[1] + heading[1] * length),
             (q[0] - onward[0] * length, q[1] - onward[1] * length), q]
    return prefix + joint + points[knot + 1:], len(prefix) - 1


def _samples(points: list) -> list[tuple[int, float, tuple[float, float]]]:
    """(segment, t, point) along a curve of cubic Bézier segments, from its first point."""
    return [(i // 3, k / SAMPLES, bezier(points[i:i + 4], k / SAMPLES))
            for i in range(0, len(points) - 3, 3) for k in range(SAMPLES + 1)]


def _split_at(segment: list, t: float) -> list:
    """The control points of a cubic Bézier segment from its start to t (de Casteljau)."""
    a, b, c, d = segment
    ab, bc, cd = mix(a, b, t), mix(b, c, t), mix(c, d, t)
    abc, bcd = mix(ab, bc, t), mix(bc, cd, t)
    return [a, ab, abc, mix(abc, bcd, t)]


def _through(points: list, boxes: dict, edge: dict) -> bool:
    """Whether a curve passes inside a box other than its wire's ends."""
    ends = (edge["tail"], edge["head"])
    return any(x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1
               for _, _, (x, y) in _samples(points)
               for gvid, (x0, y0, x1, y1) in boxes.items() if gvid not in ends)
