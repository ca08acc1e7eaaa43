"""Wires that run along each other bent apart (issue 13), in either style.

Graphviz keeps wires apart where it routes them side by side through one gap between boxes;
two wires it routes through neighbouring gaps, or that cross at a shallow angle, may lie
within a stroke's width of each other for a long stretch, where a reader cannot tell which
goes on where (constitutional_ai's sl panel: the principles' wire to the reviser on the
draft's dashed loop for 26 pt); a wire that passes by another's arrowhead reads as going
into its port (debate: the question to b 0.3 pt from the arrowhead into a's choices). Once
every wire is where it will be drawn, each that runs along a wire not sharing one of its ports
(`channels.beside_pieces`: within `channels.APART_PT`, near parallel, away from its ends), or
by such a wire's arrowhead (`channels.past_arrowheads`), for more than `channels.SEEN_PT` is
bent away from it there: its curve, cut into knots every KNOT_PT, has the knots of that
stretch moved by one of AWAY_PT (the least first) along its normal, to the side most of it
lies away from the other wire, else the other side, else each knot to its own side away
from the other (a knot where the two cross kept where it is, so that the crossing steepens); the
move eases off over EASE_PT either side and over EASE_PT beyond END_PT from the wire's ends,
which stay where they are with their arrowheads. Of the bends that keep off every box,
label and arrowhead where they moved, stay within the room the tidying allows, sweep (a
feedback loop) no further from its boxes than `loops` allows, cross no more wires nor any box
and run along others at least SEEN_PT less, the first that leaves no run longer than SEEN_PT
is drawn, else the one that leaves the least (control_trusted_editing's wire to the editor:
25 pt to 3). Graphviz's segments that did not move are kept as they were.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterator

from .channels import (SEEN_PT, arrowheads, beside_pieces, clear_of, past_arrowheads, rewired,
                       same_port, wire_cells)
from .effort import spent
from .ends import GROW_PT, obstacles, pos_text, room_of, samples, subdivided, unit, within
from .loops import BESIDE_PT, END_PT, sweep
from .untangle import MOST_BOXES, _drawn, boxes_of, curve, tangles_of
from .updates import control_points, keeps_off

AWAY_PT = (4.0, 6.0, 9.0)   # how far a stretch is moved, the least first
EASE_PT = 18.0              # over how long a move eases off either side of its stretch
KNOT_PT = 4.0               # the curve is moved by its knots, about this far apart
SMOOTH_PT = 4.0             # how far along the curve each knot's move is averaged
NEAR_KNOT_PT = 2.5          # a knot this near a piece of a stretch lies in it


def wires_apart(laid: dict, grow: float = GROW_PT) -> int:
    """Bend, in a Graphviz layout (`graphviz.drawing`), each wire that runs along another away
    from it (see the module), none more than `grow` beyond the layout's box; how many were.
    A picture of more than MOST_BOXES boxes is not read wire by wire."""
    boxes = boxes_of(laid)
    if len(boxes) > MOST_BOXES:
        return 0
    room, blocks = room_of(laid, grow), obstacles(laid)
    bent, cells = 0, wire_cells(laid)
    for index, edge in enumerate(laid.get("edges", [])):
        if spent():
            break
        was = _drawn(edge)
        if edge.get("pos") and _bent_away(laid, edge, boxes, room, blocks, cells):
            bent += 1
            rewired(cells, laid, index, was)     # read where it now runs
    return bent


def _bent_away(laid: dict, edge: dict, boxes: dict, room: tuple, blocks: list,
               cells: dict) -> bool:
    """Bend one wire away from those it runs along (the layout's wires by `cells`:
    `channels.wire_cells`), as the module says; whether it was."""
    known: dict = {}           # what each piece of the wire runs along (`beside_pieces`)
    pieces = list(_beside_others(laid, edge, cells, known))
    run = sum(math.dist(p, q) for p, q, *_ in pieces)
    if run <= SEEN_PT:
        return False
    marks = [t for t in str(edge["pos"]).split() if t[:2] in ("s,", "e,")]
    points = control_points(edge, "tail")
    was, swept = None, max(_swept(edge, boxes), BESIDE_PT)
    heads = arrowheads(laid, edge)
    own = [boxes[edge["tail"]], boxes[edge["head"]]] if edge["tail"] in boxes \
        and edge["head"] in boxes else []
    shape, best = _shape(points, pieces), None          # best: (how long it still runs, pos)
    for away, toward in ((away, toward) for away in AWAY_PT
                         for toward in (*_away_sides(shape), None)):
        bent = _bent(shape, away, toward)
        if bent is None:
            continue
        new, piece = bent           # what is new is all that needs to keep off things
        if not within(samples(piece), room) or not clear_of(piece, heads) \
                or not keeps_off(piece, blocks, own, (points[0], points[-1]), joins=False):
            continue
        was = was or tangles_of(laid, edge, boxes)       # measured once, if it comes to it
        most = run - SEEN_PT if best is None else best[0] - 0.01
        left = _still_beside(laid, edge, pos_text(marks, new), (cells, known), boxes,
                             (swept, most, was))
        if left is not None:
            best = (left, pos_text(marks, new))
            if left <= SEEN_PT:          # the least move that leaves no run worth a bend
                break
    if best is None:
        return False
    edge["pos"] = best[1]
    edge.pop("_draw_", None)
    return True


def _still_beside(laid: dict, edge: dict, pos: str, cells: tuple, boxes: dict,
                  bounds: tuple) -> float | None:
    """How long a wire drawn as `pos` still runs along others (`cells`: the layout's wires,
    `channels.wire_cells`, and what its pieces were found to run along), where that is no
    more than the most `bounds` allows ((how far a loop may sweep, that most, the wire's
    tangles before: `untangle.tangles_of`), none more); None where it is not. The wire is
    left as it was."""
    swept, most, was = bounds
    before = {key: edge[key] for key in ("pos", "_draw_") if key in edge}
    edge["pos"] = pos
    edge.pop("_draw_", None)
    try:                                 # the cheaper tests first
        if _swept(edge, boxes) > swept:
            return None
        left = _run_beside(laid, edge, cells, most)
        if left is None or any(a > b for a, b in zip(tangles_of(laid, edge, boxes), was)):
            return None
        return left
    finally:
        edge.pop("_draw_", None)
        edge.update(before)


def _swept(edge: dict, boxes: dict) -> float:
    """How far a feedback loop sweeps from the boxes it closes (`loops.sweep`); 0 for any
    other wire."""
    loop = "feedback" in str(edge.get("class", "")).split() and edge["tail"] in boxes \
        and edge["head"] in boxes
    return sweep(edge, curve(edge), boxes) if loop else 0.0


def _beside_others(laid: dict, edge: dict, cells: dict, known: dict) -> Iterator[tuple]:
    """`channels.beside_pieces` but those beside a wire that shares one of its ports (copies,
    `bundles`, may run on each other), and the pieces that pass by another's arrowhead
    (`channels.past_arrowheads`)."""
    yield from (piece for piece in beside_pieces(laid, edge, cells, known)
                if not same_port(edge, piece[3]))
    yield from past_arrowheads(laid, edge)


def _run_beside(laid: dict, edge: dict, cells: tuple, most: float) -> float | None:
    """How long a wire runs along others (`_beside_others`; `cells`: the layout's wires and
    what its pieces were found to run along); None as soon as that is more than `most`."""
    left = 0.0
    for p, q, *_ in _beside_others(laid, edge, *cells):
        left += math.dist(p, q)
        if left > most:
            return None
    return left


def _shape(points: list, pieces: list) -> dict:
    """What bending a wire whose control points are `points` needs, read once: its curve cut
    into knots every KNOT_PT ("finer", each of Graphviz's segments cut alone: "spans", the
    first and last knot of each), how far along it each knot lies ("arc"), each knot's normal,
    and the knots of its stretches along another wire with their sides (`_sides`)."""
    finer, spans = points[:1], []
    for i in range(0, len(points) - 3, 3):
        start = (len(finer) - 1) // 3
        finer += subdivided(points[i:i + 4], KNOT_PT)[1:]
        spans.append((i, start, (len(finer) - 1) // 3))
    knots = finer[::3]
    arc = list(itertools.accumulate((math.dist(p, q) for p, q in zip(knots, knots[1:])),
                                    initial=0.0))
    sides = _sides(finer, pieces)
    return {"points": points, "finer": finer, "spans": spans, "knots": knots, "arc": arc,
            "normals": [_normal(finer, 3 * j) for j in range(len(knots))], "sides": sides,
            "moving": _moving(arc, sides)}


def _moving(arc: list, sides: dict) -> list[tuple] | None:
    """What of a knot's move does not depend on how far or to which side it goes, knot by
    knot of a curve (`arc`: how far along it each lies) whose stretches are `sides`
    (`_sides`): the knot of the stretch nearest it, how much of that stretch's move it
    takes (`_ease`), how much of its own it keeps near the curve's ends, and the weights of
    the knots around it it is averaged with (`_smoothed`). None where no knot moves."""
    if not sides:
        return None
    found = []
    for j, here in enumerate(arc):
        nearest = min(sides, key=lambda i: (abs(here - arc[i]), i))    # the stretch's knot
        kept = min(1.0, max(0.0, (min(here, arc[-1] - here) - END_PT) / EASE_PT))
        found.append((nearest, _ease(abs(here - arc[nearest])), kept, _weights(arc, j)))
    return found


def _bent(shape: dict, away: float, toward: float | None) -> tuple[list, list] | None:
    """A wire's control points (`_shape`) with the knots of the stretches it runs along
    another moved `away` from the other (to the side `toward`, else each knot's own), easing
    off over EASE_PT either side, its ends kept: (the new control points, Graphviz's where a
    segment of its did not move; those of the pieces that moved). None where nothing moves."""
    finer, knots, sides, knot_moves = shape["finer"], shape["knots"], shape["sides"], \
        shape["moving"]
    if knot_moves is None:
        return None
    # how far each knot moves along its normal: a stretch's knots `away`, easing off either
    # side, smoothed so that the curve bends rather than kinks; its ends not at all
    wanted = [away * (sides[nearest] if toward is None else toward) * eased
              for nearest, eased, _, _ in knot_moves]
    moves = [_smoothed(wanted, weights) * kept for _, _, kept, weights in knot_moves]
    moving = [j for j, move in enumerate(moves) if move]
    if not moving:
        return None
    moved = [(k[0] + n[0] * m, k[1] + n[1] * m)
             for k, n, m in zip(knots, shape["normals"], moves)]
    out = moved[:1]
    for j in range(len(moved) - 1):
        out += [_handle(finer, moved, moves, j, 1), _handle(finer, moved, moves, j + 1, -1),
                moved[j + 1]]
    # a knot's handles change where a knot beside it moves: two knots beyond the moves
    first, last = max(moving[0] - 2, 0), min(moving[-1] + 2, len(knots) - 1)
    points, new = shape["points"], out[:1]
    for i, a, b in shape["spans"]:
        same = out[3 * a:3 * b + 1] == finer[3 * a:3 * b + 1]
        new += points[i + 1:i + 4] if same else out[3 * a + 1:3 * b + 1]
    return new, out[3 * first:3 * last + 1]


def _weights(arc: list, j: int) -> tuple[list, float]:
    """The knots (`arc`: how far along the curve each lies) knot `j` is averaged with, each
    with its weight (a Gaussian of SMOOTH_PT along the curve, cut off at three times that),
    and the sum of those weights."""
    lo = bisect.bisect_right(arc, arc[j] - 3 * SMOOTH_PT)
    hi = bisect.bisect_left(arc, arc[j] + 3 * SMOOTH_PT)
    weights = [(i, math.exp(-((arc[i] - arc[j]) / SMOOTH_PT) ** 2 / 2)) for i in range(lo, hi)]
    return weights, sum(w for _, w in weights)


def _smoothed(values: list, weights: tuple) -> float:
    """`values` (one a knot) averaged with `weights` (`_weights`) at one knot."""
    around, total = weights
    return sum(w * values[i] for i, w in around) / total


def _handle(finer: list, moved: list, moves: list, j: int, way: int) -> tuple[float, float]:
    """The handle of knot `j` forwards (`way` 1) or back (-1): as Graphviz drew it where
    neither it nor a knot beside it moves, else as long, along the line through the knots
    beside it (the way a Catmull-Rom spline through the moved knots runs there)."""
    handle, knot = finer[3 * j + way], finer[3 * j]
    if not any(moves[max(j - 1, 0):j + 2]):
        return handle
    before, after = moved[max(j - 1, 0)], moved[min(j + 1, len(moved) - 1)]
    tangent = unit((after[0] - before[0], after[1] - before[1])) or (0.0, 0.0)
    length = math.dist(handle, knot)
    return moved[j][0] + way * length * tangent[0], moved[j][1] + way * length * tangent[1]


def _away_sides(shape: dict) -> tuple[float, float]:
    """The sides (+1, -1: along the curve's normal, or against it) to move a whole stretch
    to, the side most of it lies away from the other wire on first."""
    return (1.0, -1.0) if sum(shape["sides"].values()) >= 0 else (-1.0, 1.0)


def _sides(finer: list, pieces: list) -> dict[int, float]:
    """The knots of a curve (by their number) that lie in a stretch it runs along another
    wire, each with the side to move it to along its normal: +1 or -1 away from the other
    wire, between where it is within a point of it (where the two cross)."""
    found = {}
    for j, knot in enumerate(finer[::3]):
        near = min(((math.dist(knot, p), other) for p, _, other, _ in pieces), default=None)
        if near is None or near[0] > NEAR_KNOT_PT:
            continue
        normal = _normal(finer, 3 * j)
        across = (knot[0] - near[1][0]) * normal[0] + (knot[1] - near[1][1]) * normal[1]
        found[j] = max(-1.0, min(1.0, across))
    return found


def _normal(finer: list, k: int) -> tuple[float, float]:
    """The unit normal of a curve at its knot `k`, from its handles."""
    a = finer[k - 1] if k > 0 else finer[k]
    b = finer[k + 1] if k + 1 < len(finer) else finer[k]
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return -dy / length, dx / length


def _ease(distance: float) -> float:
    """How much of a stretch's move a knot `distance` along the curve from it takes: all of it
    in the stretch, easing off (smoothly) to none EASE_PT away."""
    t = max(0.0, 1.0 - distance / EASE_PT)
    return t * t * (3 - 2 * t)
