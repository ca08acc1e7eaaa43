"""Feedback loops from one port run as one wire until they part (issue 13), in either style.

Graphviz routes each wire on its own, so two loops copied from one output (critiques: the
draft back to the critic and to the refiner) leave their port side by side, a few points apart,
and run so for an inch: two dashed lines that read as a smudge, or as two wires where there is
one copied. In a wiring diagram a copy is a wire that branches. Once the picture is laid out,
a loop that shares an end (a port) with another, and runs near it from there, is drawn along
the other's curve up to where it leaves it, then joins its own curve: one wire, then a branch.
A loop is left as laid out where that would come near a box or label or cross more wires,
unless it lies on the other from their port already: it is then drawn from where it leaves it.
"""

from __future__ import annotations

import math
from collections import defaultdict

from .ends import crosses_an_obstacle, obstacles, pos_text, split_at, unit, xy
from .untangle import bezier, crossings

NEAR_PT = 16.0     # a loop this near another from their shared port runs beside it
SHARED_PT = 18.0   # the least run beside the other worth drawing as one wire
SAMPLES = 12       # points sampled a Bézier segment
# A loop this near another from their shared port lies on it (a pen's width), and is drawn
# from where it leaves it when it runs so for at least TRIM_FROM_PT.
TRIM_PT = 1.0
TRIM_FROM_PT = 8.0


def bundle_loops(laid: dict) -> int:
    """In a Graphviz layout (`graphviz.drawing`), draw each feedback wire that shares a port
    with an earlier one, and runs near it from there, along that one's curve until it parts
    from it; how many were."""
    groups: dict[tuple, list] = defaultdict(list)
    for edge in laid.get("edges", []):
        if "feedback" in str(edge.get("class", "")).split() and edge.get("pos"):
            for end in ("tail", "head"):
                groups[edge[end], edge.get(f"{end}port", ""), end].append(edge)
    blocks, crossed, bundled = obstacles(laid), crossings(laid)[0], 0
    for (_, _, end), edges in sorted(groups.items(), key=lambda item: str(item[0])):
        for edge in edges[1:]:
            # along the first loop, else the first along this one: whichever crosses no more
            for trunk, branch in ((edges[0], edge), (edge, edges[0])):
                now = _bundled(laid, trunk, branch, end, blocks, crossed)
                if now is not None:
                    crossed, bundled = now, bundled + 1
                    break
            else:
                bundled += _trimmed(edges[0], edge, end)
    return bundled


def _trimmed(trunk: dict, branch: dict, end: str) -> int:
    """Where `branch` cannot be drawn along `trunk` but lies on it from their shared port
    (within TRIM_PT: ida's two loops from xk, under a point apart for 40 pt), draw it only
    from where it leaves it, unless it has an arrow there: 1 if it was so drawn, else 0."""
    marks, points = _oriented(branch, end)
    if ("s," if end == "tail" else "e,") in "".join(marks):
        return 0
    on = _samples(_oriented(trunk, end)[1])
    mine = _samples(points)
    leaves = next((i for i, (_, _, at) in enumerate(mine)
                   if min(math.dist(at, s[2]) for s in on) > TRIM_PT), None)
    if leaves is None or sum(math.dist(a[2], b[2]) for a, b in zip(mine, mine[1:leaves])) \
            < TRIM_FROM_PT:
        return 0
    segment, t, _ = mine[leaves - 1]
    rest = split_at(points[3 * segment:3 * segment + 4], t)[1] + points[3 * segment + 4:]
    ordered = rest if end == "tail" else rest[::-1]
    branch["pos"] = pos_text(marks, ordered)
    branch.pop("_draw_", None)
    return 1


def _bundled(laid: dict, trunk: dict, branch: dict, end: str, blocks: list,
             crossed: int) -> int | None:
    """Draw `branch` along `trunk` from their shared `end` ("tail" or "head") until it parts
    from it, unless that comes near an obstacle (`blocks`) or makes more than `crossed` pairs
    of wires of the layout cross: the pairs that cross then, or None (the branch left as it
    was)."""
    marks, points = _oriented(branch, end)
    tips = [xy(t) for t in marks]
    shared_arrow = ("s," if end == "tail" else "e,") in "".join(marks)
    if shared_arrow and end == "head":
        # both drawn from their tails: over each other from their heads, their dashes out
        # of step would read as a solid line (an arrow or ring there cannot be left out)
        return None
    before = {key: branch[key] for key in ("pos", "_draw_") if key in branch}
    for joined, shared, new in _along_trunk(_oriented(trunk, end)[1], points):
        junction = joined[shared]
        if not shared_arrow:
            # no arrow at the shared port: the branch begins where it leaves the trunk, so
            # the two dashed lines are not drawn over each other out of step
            joined, new = joined[shared:], new - shared
        # near its ports and where it leaves the trunk (whose route is Graphviz's) it may
        # pass close by a box
        if crosses_an_obstacle(joined[:new], blocks, (points[0], points[-1], *tips),
                               (junction,)):
            continue
        ordered = joined if end == "tail" else joined[::-1]
        branch["pos"] = pos_text(marks, ordered)
        branch.pop("_draw_", None)          # its strokes are drawn from `pos` again
        now = crossings(laid)[0]
        if now <= crossed:
            return now
        branch.update(before)
    return None


def _oriented(edge: dict, end: str) -> tuple[list[str], list]:
    """A wire's arrow marks and control points, the points from its `end` ("tail" or "head")."""
    tokens = str(edge["pos"]).split()
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    return [t for t in tokens if t[:2] in ("s,", "e,")], \
        points if end == "tail" else points[::-1]


def _along_trunk(trunk: list, points: list):
    """Ways to draw a curve (`points`, from the shared port) along `trunk` (from the same
    port) as long as it runs within NEAR_PT of it, then to join its own curve at one of its
    knots (the nearest first), its tangent kept: each the control points, the index of the
    point where it leaves the trunk, and how many points are new (the rest are the curve's
    own). No way where the two part at once, or never do."""
    samples = _samples(trunk)
    mine = _samples(points)
    near = 0
    while near < len(mine) and min(math.dist(mine[near][2], s[2]) for s in samples) <= NEAR_PT:
        near += 1
    run = sum(math.dist(a[2], b[2]) for a, b in zip(mine, mine[1:near]))
    if run < SHARED_PT or near == len(mine):
        return
    # leaving the trunk where the curve last runs near it, or a little before (room to turn)
    for leave in range(near - 1, max(near // 2, 1) - 1, -SAMPLES // 3):
        segment, t, at = min(samples, key=lambda s: math.dist(s[2], mine[leave][2]))
        left = split_at(trunk[3 * segment:3 * segment + 4], t)[0]
        prefix = trunk[:3 * segment] + left
        heading = unit((left[3][0] - left[2][0], left[3][1] - left[2][1]))
        if heading is None:
            continue
        # joining a segment on (room to join), up to the curve's other end
        for knot in sorted({min(k, len(points) - 1)
                            for k in range(3 * (mine[near - 1][0] + 2), len(points) + 2, 3)}):
            q = points[knot]
            after, before = points[min(knot + 1, len(points) - 1)], points[knot - 1]
            onward = unit((after[0] - q[0], after[1] - q[1])) if knot + 1 < len(points) else \
                unit((q[0] - before[0], q[1] - before[1]))
            if onward is None:
                continue
            length = math.dist(at, q) / 3
            joint = [(at[0] + heading[0] * length, at[1] + heading[1] * length),
                     (q[0] - onward[0] * length, q[1] - onward[1] * length), q]
            yield prefix + joint + points[knot + 1:], len(prefix) - 1, len(prefix) + len(joint)


def _samples(points: list) -> list[tuple[int, float, tuple[float, float]]]:
    """(segment, t, point) along a curve of cubic Bézier segments, from its first point."""
    return [(i // 3, k / SAMPLES, bezier(points[i:i + 4], k / SAMPLES))
            for i in range(0, len(points) - 3, 3) for k in range(SAMPLES + 1)]
