"""Parameter updates leave their optimiser clear of the signals coming into it (issue 13).

The training signals and the updates of an optimiser all meet its node without a compass
point (a fixed one for the updates crossed more wires: the paper gallery's 31 crossings became
41), so Graphviz clips them where their routes meet its border, often at one place: a
signal's arrowhead then lands on the update's double line where it leaves (rlhf's sft and rl
panels), or the update runs back along a signal for a long stretch. Once the picture is
laid out, each update whose start another wire's curve or arrowhead crowds, or that runs
along a wire of its optimiser, has its optimiser end drawn again: out of a place on one of the
optimiser's sides where no arrowhead or wire comes within `updates.CLEAR_PT`, straight out,
then into its old curve where that curve is clear of the optimiser (one knot every
`updates.JOIN_PT` along it). The ends that keep off every box, label and arrowhead, within
the room, turning no more than `updates.MOST_TURNING`, are measured shortest first until
MOST_TRIED of them tangle less than the old end (`_tangles`, the old end counted one more for
being crowded or running along: one crossing may be traded for a start clear of the
signals, as in rlhf's rl panel, whose update now crosses pretrain's signal), or one crosses
nothing; of those, the least tangled, then the shortest, whose new piece runs along no other
wire is drawn.
"""

from __future__ import annotations

import functools
import math

from .channels import arrowheads, clear_of
from .effort import spent
from .ends import (GROW_PT, obstacles, pos_text, room_of, samples, subdivided, to_segment, unit,
                   within)
from .untangle import MOST_BOXES, SAMPLES, boxes_of, tangles_of
from .sides import SIDES, near_box, places, turning
from .traces import arrow_points, fine_points
from .updates import (CLEAR_PT, JOIN_PT, MOST_TURNING, STEP_PT, STROKES_PT, STUB_PT, at_a_table,
                      control_points, crossed_at_its_boxes, keeps_off, runs_along, stub_into,
                      updates_of)


# A new end's curve keeps this far from the axis of every other arrowhead: its strokes lie 1.5
# pt either side of it, a data wire's barbs 2 pt either side of their axis and an update's 4.5
# pt (`traces.ARROW_WIDTH`), the wider then only 1 pt clear.
ARROW_CLEAR_PT = 7.0
# A new end runs straight out of the optimiser this many STUB_PT before it turns: further
# out, it turns clear of the arrowheads beside its start (rlhf's pretrain, under ppo).
STUBS = (1, 2, 3)
# The shortest new ends that keep off every box and arrowhead and tangle less than the old one,
# at most this many, are compared: the least tangled of them is drawn.
MOST_TRIED = 24


def updates_leave_clear(laid: dict, grow: float = GROW_PT) -> int:
    """Redraw, in a Graphviz layout (`graphviz.drawing`) of the paper style, the optimiser end
    of each parameter update that a signal's arrowhead or curve crowds there or that runs
    along another wire from there, none more than `grow` beyond the layout's box; how many
    were. A picture of
    more than MOST_BOXES boxes is not read wire by wire."""
    boxes = boxes_of(laid)
    if len(boxes) > MOST_BOXES:
        return 0
    room, blocks = room_of(laid, grow), obstacles(laid)
    redrawn = 0
    for edge, end in updates_of(laid, boxes):
        if spent():
            break
        start = "head" if end == "tail" else "tail"
        # the full style's updates keep to Graphviz's curves, as `updates` keeps them
        redrawn += not at_a_table(edge, end) and _redrawn(laid, edge, start, boxes, room, blocks)
    return redrawn


def _redrawn(laid: dict, edge: dict, start: str, boxes: dict, room: tuple,
             blocks: list) -> bool:
    """Redraw one update's optimiser end (`start`) where it is crowded (`_crowded`) or the
    update runs along another wire, and whether it was: the shortest new end that is
    neither and tangles less (`_tangles`)."""
    points = control_points(edge, start)
    near = [q for other in laid.get("edges", []) if other is not edge
            for q in (*fine_points(other), *arrow_points(other))]
    crowded = _crowded(near, points[0], points[1])
    # its own fault here: running along a wire into or out of its optimiser (rlhf's update
    # back along the policy's signal); along others is `updates`' and `channels`' to mend
    along = runs_along(laid, edge, lambda other: other is not edge and edge[start] in (
        other.get("tail"), other.get("head")))
    if not (crowded or along):
        return False
    before = {key: edge[key] for key in ("pos", "_draw_") if key in edge}
    marks = [t for t in str(before["pos"]).split() if t[:2] in ("s,", "e,")]
    was = _tangles(laid, edge, boxes) + crowded + along
    own = [boxes[edge[start]], boxes[edge["head" if start == "tail" else "tail"]]]
    heads = arrowheads(laid, edge)
    tried = []
    for length, new in sorted(_new_starts(points, own[0], room,
                                          functools.partial(_crowded, near))):
        if not (keeps_off(subdivided(new[:7], STEP_PT), blocks, own, (new[0], new[-1]),
                           margin=STROKES_PT) and clear_of(new[:7], heads, ARROW_CLEAR_PT)):
            continue
        edge["pos"] = pos_text(marks, new if start == "tail" else new[::-1])
        edge.pop("_draw_", None)
        tangles = _tangles(laid, edge, boxes)
        edge.update(before)
        if tangles < was:
            tried.append((tangles, length, new))
        if tangles == 0 or len(tried) == MOST_TRIED:   # none longer can tangle less
            break
    # the least tangled first, and of those the shortest whose new piece runs along no wire
    # (the old curve beyond it runs as it did)
    for _, _, new in sorted(tried):
        if not runs_along(laid, {"pos": pos_text([], new[:7])}, lambda other: other is not edge):
            edge["pos"] = pos_text(marks, new if start == "tail" else new[::-1])
            edge.pop("_draw_", None)
            return True
    return False


def _tangles(laid: dict, edge: dict, boxes: dict) -> int:
    """How tangled an update is: the wires it crosses away from its boxes
    (`untangle.tangles_of`), whether it passes through a box, and the wires it crosses at its
    boxes (`updates.crossed_at_its_boxes`). The caller counts an end crowded or running along
    as one more."""
    crossed, through, _ = tangles_of(laid, edge, boxes)    # the third: crossed at its boxes
    return crossed + through + crossed_at_its_boxes(laid, edge)


def _crowded(near: list, at, out) -> bool:
    """Whether a point of another wire's curve or arrowhead (`near`) comes within CLEAR_PT of
    where an update leaves its optimiser: from its point `at` on the border to `out` (its
    first control point, where it is drawn anew; STUB_PT out at least)."""
    way = unit((out[0] - at[0], out[1] - at[1])) or (0.0, 0.0)
    reach = max(math.dist(at, out), STUB_PT)
    tip = (at[0] + way[0] * reach, at[1] + way[1] * reach)
    return any(to_segment(q, at, tip) < CLEAR_PT for q in near
               if abs(q[0] - at[0]) < reach + CLEAR_PT and abs(q[1] - at[1]) < reach + CLEAR_PT)


def _new_starts(points: list, optimiser: tuple, room: tuple, crowded):
    """(length, control points from the optimiser end) of each new optimiser end of an update
    whose old control points are `points`: from a place on a side of the `optimiser` not
    `crowded` (at, out), straight out a number of STUB_PT (`STUBS`) to `out`, then into a
    knot of the old curve (one every JOIN_PT along it) clear of the optimiser, that curve's
    tangent kept there; those within `room` that turn no more than MOST_TURNING. The
    first seven points are the new piece: whether it keeps off the boxes is for the caller
    to ask, of the shortest only."""
    finer = subdivided(points, JOIN_PT)
    along = samples(finer)
    # how far from each knot of `finer` (every third point) to its end: SAMPLES + 1 points a
    # segment, the last at the next one's first
    lengths = [math.dist(p, q) for p, q in zip(along, along[1:])]
    rest = [sum(lengths[(SAMPLES + 1) * k:]) for k in range(len(finer) // 3 + 1)]
    knots = [(i, finer[i]) for i in range(3, len(finer), 3)
             if not near_box(finer[i], optimiser, 2 * STUB_PT)]
    for side, normal, stub in ((s, n, k * STUB_PT) for s, n in SIDES.items() for k in STUBS):
        for at in places(optimiser, side):
            out = (at[0] + normal[0] * stub, at[1] + normal[1] * stub)
            for i, knot in [] if crowded(at, out) else knots:
                ahead = finer[i + 1] if i + 1 < len(finer) else \
                    (2 * knot[0] - finer[i - 1][0], 2 * knot[1] - finer[i - 1][1])
                tangent = unit((ahead[0] - knot[0], ahead[1] - knot[1]))
                if tangent is None:
                    continue
                new = stub_into(at, normal, out, knot, tangent)
                piece = samples(new)
                if turning(piece + samples(finer[i:i + 7])[1:]) > MOST_TURNING or \
                        not within(piece, room):
                    continue
                length = sum(math.dist(p, q) for p, q in zip(piece, piece[1:])) + rest[i // 3]
                yield round(length, 2), new + finer[i + 1:]
