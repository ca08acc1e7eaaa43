"""Feedback loops come into their ports from outside (issue 13), in either style.

Graphviz routes a wire inside the column of ranks it spans, so a loop that meets a port on the
far side of its box (a feedback wire comes into its input from behind, `loops`) often drops
onto the port from above, or runs along the box's border to reach it: the arrow then seems to
point into the box's corner or along its edge (the world of the incentive examples, best_of_n's
user). Met at a corner of its port (`loops.CORNERS`), it may set off straight into the box
(debate's loop to `b.so_far`, back through b). Once the picture is laid out, each such end
of a loop is drawn again: straight out of its port, round the box's corner at a little
distance, and back into Graphviz's curve where that curve is clear of the box (at one of its
knots, else at a point within one of its segments), its tangent kept, without a hook. An
end is left as laid out where every new one would come within MISS_PT of a box or label, run
over GROW_PT beyond the layout, or cross more wires.
"""

from __future__ import annotations

import math

from .effort import spend, spent
from .loops import BESIDE_PT, END_PT, on_border, sweep
from .untangle import (MOST_BOXES, _extent, boxes_of, crossings, curve, sampled,
                       tangles_of)

CLEAR_PT = 6.0     # how far a redrawn end keeps from its box
STUB_PT = 5.0      # straight out of the port, beyond its arrowhead, before it turns
ROUND_PT = 6.0     # the radius of its turns
# An end whose curve leaves its port within about 45 degrees of straight out comes from outside.
FACING = 0.7
KAPPA = 0.55       # a quarter circle's control points, as a share of its radius
# How far a redrawn end may run beyond the layout's box, on any side: round a box at the edge
# of the picture (the picture grows to hold it), not far out into the margin.
GROW_PT = 12.0
# A redrawn wire keeps this far from every box and label but at its ends (their pens' width,
# and a hair: a branch cut critic's rounded corner within the 1 pt the crossings allow).
MISS_PT = 2.0
_HULL_SLACK = 1e-6   # a sampled point may lie outside its control points' extent by rounding
# Where the old curve has no knot to join clear of the box, points this far apart along it,
# where it passes within NEAR_PT of the box.
FINER_PT = 12.0
NEAR_PT = 40.0

OUTWARD = {"w": (-1.0, 0.0), "e": (1.0, 0.0), "n": (0.0, 1.0), "s": (0.0, -1.0)}
# Each side turned to face west (Graphviz's y grows upwards), and back: one case to draw.
_TO_WEST = {"w": lambda x, y: (x, y), "e": lambda x, y: (-x, y),
            "n": lambda x, y: (-y, x), "s": lambda x, y: (y, -x)}
_FROM_WEST = {"w": lambda u, v: (u, v), "e": lambda u, v: (-u, v),
              "n": lambda u, v: (v, -u), "s": lambda u, v: (-v, u)}


def loops_from_outside(laid: dict, grow: float = GROW_PT) -> int:
    """Redraw, in a Graphviz layout (`graphviz.drawing`, whose wires' drawn strokes the
    crossings are counted on: an update's two), the ends of its feedback
    wires that do not come out of or into their ports from outside, none more than `grow`
    beyond the layout's box; how many were. A picture of more than MOST_BOXES boxes is not
    read wire by wire: it is left as it is."""
    boxes, room = boxes_of(laid), room_of(laid, grow)
    blocks = obstacles(laid)
    if len(boxes) > MOST_BOXES or not any(
            "feedback" in str(e.get("class", "")).split() for e in laid.get("edges", [])):
        return 0
    crossed = crossings(laid)[0]
    redrawn = 0
    for edge in laid.get("edges", []):
        if "feedback" not in str(edge.get("class", "")).split():
            continue
        if spent():
            break
        was = tangles_of(laid, edge, boxes)[0]         # its part of the picture's crossings
        for end in ("tail", "head"):
            before = {key: edge[key] for key in ("pos", "_draw_") if key in edge}
            swept = sweep(edge, curve(edge), boxes)
            if not _redraw(edge, end, boxes, room, blocks):
                continue
            mine = tangles_of(laid, edge, boxes)[0]
            now = crossed - was + mine                  # only this wire's part changed
            # nor swept away from the boxes it closes (`loops.BESIDE_PT`) further than it was
            if now > crossed or sweep(edge, curve(edge), boxes) > max(swept, BESIDE_PT):
                edge.update(before)
            else:
                crossed, was, redrawn = now, mine, redrawn + 1
    return redrawn


def _redraw(edge: dict, end: str, boxes: dict, room: tuple, blocks: list) -> bool:
    """Redraw one end of a laid-out wire (`end`: "tail" or "head") if it meets its port from
    inside its box's sides, and the new end keeps off the `obstacles` and runs no further than
    the box `room` (`room_of`): whether it did."""
    compass = str(edge.get(f"{end}port", "")).rpartition(":")[2]
    box = boxes.get(edge.get(end))
    tokens = str(edge.get("pos", "")).split()
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    tip_mark = "s," if end == "tail" else "e,"
    tips = [xy(t) for t in tokens if t.startswith(tip_mark)]
    if box is None or len(points) < 7:
        return False
    ordered = points if end == "tail" else points[::-1]
    side = _side_met(compass, box, tips[0] if tips else None, ordered)
    if side is None:
        return False
    ends = (points[0], points[-1], *(xy(t) for t in tokens if t[:2] in ("s,", "e,")))
    # at the old curve's knots, else at points within its segments: a loop's long last
    # segment (rl_rf_input_tampering's agent to sensor's tamper, under the sensor) has no
    # knot between the box and the far side of the picture
    def near(segment) -> bool:
        return any(box[0] - NEAR_PT < x < box[2] + NEAR_PT and box[1] - NEAR_PT < y < box[3] +
                   NEAR_PT for x, y in samples(segment))
    for finer in (ordered, subdivided(ordered, FINER_PT, near)):
        found = next((way for way in _ends(finer, tips[0] if tips else None, box, side)
                      if not crosses_an_obstacle(way[0], blocks, ends)
                      and within(way[0], room)), None)
        if found is not None:
            break
    else:
        return False
    new, joined = found
    ordered = finer
    whole = new + ordered[joined + 1:]
    whole = whole if end == "tail" else whole[::-1]
    marks = [t for t in tokens if t[:2] in ("s,", "e,")]
    edge["pos"] = pos_text(marks, whole)
    edge.pop("_draw_", None)
    return True


def _side_met(compass: str, box: tuple, tip, points: list) -> str | None:
    """The side of `box` by which a wire (`points`: its control points from the end at the
    box; `tip`: its arrowhead's, if any) is to meet its port, met at `compass`: that side;
    at a port's corner (`loops.CORNERS` lays loops out to meet their ports so: `sw`, `ne`,
    ...), where the wire sets off into the box, not out of either side, and runs through
    it, the one of the two its port lies on. None where there is none to redraw. Graphviz
    routes from a corner into the box as readily as out of it: debate's loop from the
    referee to `b.so_far`, met at `sw`, ran back through b from its bottom-left corner."""
    if compass in OUTWARD:
        return compass
    if len(compass) != 2 or not all(letter in OUTWARD for letter in compass):
        return None
    start = tip or points[0]
    away = unit(_minus(points[0], tip) if tip else _minus(points[1], points[0]))
    if away is None or any(_dot(away, OUTWARD[letter]) >= FACING for letter in compass):
        return None
    # ... and runs on through it: one that turns out along the border is left to `channels`
    x0, y0, x1, y1 = box[0] + MISS_PT, box[1] + MISS_PT, box[2] - MISS_PT, box[3] - MISS_PT
    if not any(x0 < x < x1 and y0 < y < y1 for x, y in samples(points)):
        return None
    off = {"w": abs(start[0] - box[0]), "e": abs(start[0] - box[2]),
           "s": abs(start[1] - box[1]), "n": abs(start[1] - box[3])}
    return min(compass, key=lambda letter: off[letter])


def _ends(points: list, tip, box: tuple, side: str):
    """New starts for a curve (`points`, from the end redrawn) that leave its port on `side`
    of `box` straight outwards, each with the index of the knot of the old curve it ends at:
    one clear of the box where the old curve goes on the way the new one arrives (not back in
    a hook), the nearest first, passing the box on the nearer side first. None where the
    curve leaves outwards already (and runs off the box's border), or never clears the box."""
    start, port = points[0], tip or points[0]
    away = unit(_minus(start, tip) if tip else _minus(points[1], start))
    if away is None:
        return
    to, back = _TO_WEST[side], _FROM_WEST[side]
    corners = [to(x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    x0, x1 = min(c[0] for c in corners) - CLEAR_PT, max(c[0] for c in corners) + CLEAR_PT
    y0, y1 = min(c[1] for c in corners) - CLEAR_PT, max(c[1] for c in corners) + CLEAR_PT
    knots = [to(*p) for p in points[3::3]]
    clear = next((i for i, (u, v) in enumerate(knots)
                  if u <= x0 or u >= x1 or v <= y0 or v >= y1), None)
    if clear is None:
        return
    if _dot(away, OUTWARD[side]) >= FACING and not _hugs(points[:3 * clear + 4], port, box):
        return
    p, arrow = to(*port), math.dist(port, start)
    out = min(p[0] - arrow - STUB_PT, x0)
    for i in range(clear, len(knots)):
        q = knots[i]
        if not (q[0] <= x0 or q[0] >= x1 or q[1] <= y0 or q[1] >= y1):
            continue
        following = to(*points[3 * i + 4]) if 3 * i + 4 < len(points) else None
        tangent = unit(_minus(following, q)) if following else None
        for turns in _turns((out, p[1]), q, (x1, y0, y1)):
            into = unit(_minus(q, turns[-1]))
            if tangent is not None and into is not None and _dot(into, tangent) < 0:
                continue    # the old curve heads back the way the new end came: a hook
            path = rounded([(p[0] - arrow, p[1]), *turns, q], tangent)
            yield [back(u, v) for u, v in path[:-1]] + [points[3 * i + 3]], 3 * i + 3


def _turns(out: tuple, q: tuple, box: tuple) -> list:
    """Where a redrawn end turns (facing west: `out`, straight out of the port) on its way
    to `q` round a box whose right, bottom and top, at a clearance, are `box`: beyond the
    box, over or under it (the nearer side first); above or below it, round its corner."""
    x1, y0, y1 = box
    if q[0] <= out[0]:
        return [[out]]
    if y0 < q[1] < y1:
        sides = (y1, y0) if q[1] >= (y0 + y1) / 2 else (y0, y1)
        return [[out, (out[0], across), (x1, across)] for across in sides]
    return [[out, (out[0], q[1])]]


def _hugs(points: list, port, box: tuple) -> bool:
    """Whether a curve (control points) runs along the border of `box` away from its port
    (END_PT): there it reads as a second border."""
    return any(on_border(box, *xy) and math.dist(xy, port) > END_PT
               for xy in samples(points))


def rounded(corners: list, tangent) -> list:
    """Bézier control points of the path through `corners` with its turns rounded, arriving
    at the last along `tangent` (None: straight)."""
    out = [corners[0]]
    here = corners[0]
    for i in range(1, len(corners) - 1):
        a, v, b = corners[i - 1], corners[i], corners[i + 1]
        u_in, u_out = unit(_minus(v, a)), unit(_minus(b, v))
        if u_in is None or u_out is None:
            continue
        r = min(ROUND_PT, math.dist(a, v) / 2, math.dist(v, b) / 2)
        enter, leave = _along(v, u_in, -r), _along(v, u_out, r)
        out += _straight(here, enter)[1:]
        out += [_along(enter, u_in, KAPPA * r), _along(leave, u_out, -KAPPA * r), leave]
        here = leave
    last = corners[-1]
    heading = unit(_minus(last, here))
    length = math.dist(here, last) / 3
    if heading is None:
        return out + [last] * 3 if out[-1] != last else out
    into = tangent or heading
    return out + [_along(here, heading, length), _along(last, into, -length), last]


def _straight(a, b) -> list:
    return [a, mix(a, b, 1 / 3), mix(a, b, 2 / 3), b] if a != b else [a]


def obstacles(laid: dict) -> list[tuple[float, float, float, float]]:
    """What a redrawn wire must keep off (left, bottom, right, top, in points): every box of
    a layout, and its labels: the key below the picture, a nested frame's title. Not the
    title of the outermost frame: a panel's, which is raised above the wires that loop up
    into its room (`panels._title_clear`)."""
    found = list(boxes_of(laid).values())
    for item in [laid, *nested_frames(laid)]:
        if "lp" in item and "lwidth" in item:
            x, y = xy(item["lp"])
            w, h = float(item["lwidth"]) * 36, float(item["lheight"]) * 36
            found.append((x - w, y - h, x + w, y + h))
    return found


def nested_frames(laid: dict) -> list[dict]:
    """The frames of a layout's nested diagrams (Graphviz's clusters within a cluster): not
    the outermost, a panel's or the diagram's own, which is drawn white."""
    objects = laid.get("objects", [])
    nested = {gvid for item in objects for gvid in item.get("subgraphs", [])}
    return [item for item in objects if "nodes" in item and item.get("_gvid") in nested
            and str(item.get("name", "")).startswith("cluster")]


def key_of(laid: dict) -> tuple[float, float, float, float] | None:
    """The box of a layout's own label: the key (or the full style's legend) below the
    picture (`draw`: labelloc b); None without one."""
    if "lp" not in laid or "lwidth" not in laid:
        return None
    x, y = xy(laid["lp"])
    w, h = float(laid["lwidth"]) * 36, float(laid["lheight"]) * 36
    return x - w, y - h, x + w, y + h


def lower_key(laid: dict, drop: float) -> None:
    """Move a layout's key `drop` points down, the picture's box grown to hold it."""
    x, y = xy(laid["lp"])
    x0, y0, x1, y1 = (float(v) for v in laid["bb"].split(","))
    laid["lp"] = f"{x:.2f},{y - drop:.2f}"
    laid["bb"] = f"{x0:.2f},{y0 - drop:.2f},{x1:.2f},{y1:.2f}"


def crosses_an_obstacle(points: list, obstacles: list, ends: tuple,
                        joints: tuple = (), joined: bool = True) -> bool:
    """Whether a new piece of curve (control points) comes within MISS_PT of an obstacle,
    away from the wire's ends (`ends`, END_PT: where it meets its ports, at their boxes'
    borders) and from the points where it joins another curve (its last unless not
    `joined`, and `joints`: those curves' routes are Graphviz's). A Bézier segment lies
    within its control points' extent, so only the segments whose extent comes near an
    obstacle are sampled (most are far from every one)."""
    joined = (points[-1], *joints) if joined else (*joints, (math.inf, math.inf))
    if len(points) < 4:
        return False
    spend(len(obstacles))
    near = _overlapping([(x0 - MISS_PT, y0 - MISS_PT, x1 + MISS_PT, y1 + MISS_PT)
                         for x0, y0, x1, y1 in obstacles], _extent(points))
    for i in range(0, len(points) - 3, 3) if near else ():
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = points[i:i + 4]       # (most asked here)
        hit = _overlapping(near, (min(ax, bx, cx, dx), min(ay, by, cy, dy),
                                  max(ax, bx, cx, dx), max(ay, by, cy, dy)))
        if not hit:
            continue
        segment = tuple(map(tuple, points[i:i + 4]))
        if any(x0 < x < x1 and y0 < y < y1
                       and min(math.dist((x, y), end) for end in ends) > END_PT
                       and min(math.dist((x, y), joint) for joint in joined) > 2 * MISS_PT
                       for x0, y0, x1, y1 in hit for x, y in sampled((segment,))):
            return True
    return False


def _overlapping(boxes: list, extent: tuple) -> list:
    """The `boxes` that overlap an `extent` of control points (a hair larger: a point of a
    Bézier curve may lie outside its control points' extent by rounding)."""
    left, bottom, right, top = extent
    left, bottom, right, top = left - _HULL_SLACK, bottom - _HULL_SLACK, \
        right + _HULL_SLACK, top + _HULL_SLACK
    return [box for box in boxes if box[0] < right and left < box[2] and box[1] < top
            and bottom < box[3]]


def room_of(laid: dict, grow: float) -> tuple[float, float, float, float]:
    """The box a tidied wire must stay in: the layout's, `grow` larger on every side."""
    x0, y0, x1, y1 = (float(v) for v in laid["bb"].split(","))
    return x0 - grow, y0 - grow, x1 + grow, y1 + grow


def within(points: list, room: tuple) -> bool:
    return all(room[0] <= x <= room[2] and room[1] <= y <= room[3] for x, y in points)


def samples(points: list) -> list[tuple[float, float]]:
    """Points along a curve of cubic Bézier segments (its control points), 12 a segment."""
    return list(sampled((tuple(map(tuple, points)),)))


def xy(token: str) -> tuple[float, float]:
    x, y = (float(v) for v in token.split(",")[-2:])
    return x, y


def pos_text(marks: list[str], points) -> str:
    """A wire's `pos` (what `xy` reads a point of): its arrow marks ("s,x,y", "e,x,y"), then
    its control points."""
    return " ".join([*marks, *(f"{x:.2f},{y:.2f}" for x, y in points)])


def _minus(a, b) -> tuple[float, float]:
    return a[0] - b[0], a[1] - b[1]


def _dot(a, b) -> float:
    return a[0] * b[0] + a[1] * b[1]


def unit(v):
    n = math.hypot(*v)
    return (v[0] / n, v[1] / n) if n > 1e-9 else None


def _along(p, u, d) -> tuple[float, float]:
    return p[0] + u[0] * d, p[1] + u[1] * d


def to_segment(p, a, b) -> float:
    """From point p to the segment a-b."""
    ab = (b[0] - a[0], b[1] - a[1])
    length = ab[0] ** 2 + ab[1] ** 2
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * ab[0] +
                                                    (p[1] - a[1]) * ab[1]) / length))
    return math.dist(p, (a[0] + ab[0] * t, a[1] + ab[1] * t))


def mix(a, b, t) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


def subdivided(points: list, step: float, where=lambda segment: True) -> list:
    """The control points of the same curve, each cubic Bézier segment `where` says split (de
    Casteljau) into pieces no longer than about `step`."""
    out = points[:1]
    for i in range(0, len(points) - 3, 3):
        segment = points[i:i + 4]
        a, b, c, d = segment
        pieces = max(1, math.ceil((math.dist(a, b) + math.dist(b, c) + math.dist(c, d))
                                  / step)) if where(segment) else 1
        for k in range(pieces, 0, -1):            # split off 1/k of what is left
            head, segment = split_at(segment, 1 / k) if k > 1 else (segment, None)
            out += head[1:]
    return out


def split_at(segment: list, t: float) -> tuple[list, list]:
    """The control points of a cubic Bézier segment split at t (de Casteljau): from its start
    to t, and from t to its end."""
    a, b, c, d = segment
    # `mix` written out: the same arithmetic, for every curve measured is split so
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = a, b, c, d
    ab = abx, aby = ax + (bx - ax) * t, ay + (by - ay) * t
    bcx, bcy = bx + (cx - bx) * t, by + (cy - by) * t
    cd = cdx, cdy = cx + (dx - cx) * t, cy + (dy - cy) * t
    abc = abcx, abcy = abx + (bcx - abx) * t, aby + (bcy - aby) * t
    bcd = bcdx, bcdy = bcx + (cdx - bcx) * t, bcy + (cdy - bcy) * t
    at = abcx + (bcdx - abcx) * t, abcy + (bcdy - abcy) * t
    return [a, ab, abc, at], [at, bcd, cd, d]
