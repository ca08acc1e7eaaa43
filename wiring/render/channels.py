"""Feedback loops in a channel of their own (issue 13), in either style.

Graphviz routes a loop round the outside of a figure as it routes any wire: its far run dips
between the boxes it passes, where it may lie along another wire (rl_feedback_tampering:
agent -> world along world -> agent.state for 85 pt) or cross one twice (rl_direct_learning).
Once the picture is laid out and its updates drawn, a loop that runs back against the flow
(met at its ports' sides, or at their corners where `loops` laid it out so) is drawn again
as a channel: straight out of its output, round to a straight run in the nearest
corridor beyond its boxes with nothing within GAP_PT of it, and back into its input from
behind, with rounded turns; the shortest loops first, so that longer ones run round them. The
channel is kept, on the side that tangles it least, where it crosses fewer wires, or runs
along others (within APART_PT, near parallel) at least SEEN_PT less, and none more; comes near
no box, label or arrowhead, nor runs along a nested frame's border; sweeps no further from
its boxes than `loops` allows; and stays within the room the tidying allows. Its turns are
tried a little further out where the least would pass through an arrowhead.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Iterator

from .bundles import CHANNEL, TOGETHER_PT
from .effort import spend, spent
from .ends import (END_PT, GROW_PT, OUTWARD, ROUND_PT, STUB_PT, crosses_an_obstacle,
                   nested_frames, obstacles, pos_text, rounded, room_of, samples, subdivided,
                   to_segment, within, xy)
from .loops import BESIDE_PT, on_border, sweep
from .traces import ARROW_WIDTH
from .untangle import (MOST_BOXES, _drawn, _extent, _meet, _track, boxes_of, curve,
                       tangles_of)
from .untangle import _ends as _ends_of

APART_PT = 3.0     # two wires nearer than this read as one line
# How far a channel keeps beyond what it passes: beyond the distance at which two wires from
# one port are drawn as one (`bundles.TOGETHER_PT`), so that loops nested round each other stay
# two channels.
GAP_PT = TOGETHER_PT + 1.0
STEP_PT = 2.0      # how far apart the points are that measure a run beside another wire
# How much further from its output's and its input's boxes than the least a loop's turns
# are tried, in this order (round the arrowhead of an update into the box it leaves:
# rl_feedback_tampering's agent).
WIDER = ((0.0, 0.0), *((w, 0.0) for w in (3.0, 6.0, 9.0, 12.0)),
         *((0.0, w) for w in (3.0, 6.0, 9.0, 12.0)), (6.0, 6.0), (12.0, 12.0))
ARROW_CLEAR_PT = 4.0   # a loop keeps this far from every arrowhead (as an update's is kept)
BARB_GAP_PT = 2.0      # ... and from a wide one's barbs (`traces.ARROW_WIDTH`) by this much
# A channel this near a frame's border, along it, reads as a second line of the frame (4 pt
# did; 8.5 pt inside open_agency's deployment, round its predictor and monitor, does not).
FRAME_CLEAR_PT = 6.0
SEEN_PT = 6.0      # the least change in how long a loop runs beside others that is redrawn for
ALONG_DEGREES = 30.0   # two wires nearer than APART_PT at no more than this to each other
ON_PT = 1.0        # a wire this near another from its port runs on it (`bundles.TRIM_PT`)
CELL_PT = 2 * APART_PT

# A layout's coordinates turned so that its flow runs along +u (`(u, v)`), and back.
_TO_FLOW = {"LR": lambda x, y: (x, y), "TB": lambda x, y: (-y, x)}
_FROM_FLOW = {"LR": lambda u, v: (u, v), "TB": lambda u, v: (v, -u)}


def loops_in_channels(laid: dict, grow: float = GROW_PT) -> int:
    """Redraw, in a Graphviz layout (`graphviz.drawing`), each feedback wire that runs back
    round its boxes as a channel (see the module), where that tangles it with fewer wires; how
    many were. A picture of more than MOST_BOXES boxes is left as it is."""
    loops = [edge for edge in laid.get("edges", [])
             if "feedback" in str(edge.get("class", "")).split() and "pos" in edge]
    boxes = boxes_of(laid)
    if not loops or len(boxes) > MOST_BOXES:
        return 0
    direction = "TB" if str(laid.get("rankdir", "LR")).upper() == "TB" else "LR"
    room, blocks = room_of(laid, grow), obstacles(laid)
    borders = [tuple(float(v) for v in frame["bb"].split(","))
               for frame in nested_frames(laid) if "bb" in frame]
    centres = _port_centres(laid)
    spans = {id(edge): ends for edge in loops
             if (ends := _ends(edge, boxes, direction, centres)) is not None}
    # the shortest first, so that a longer loop's channel is drawn round a shorter one's;
    # then once more, where a loop's way was blocked by another's route not yet redrawn
    order = sorted((edge for edge in loops if id(edge) in spans),
                   key=lambda edge: _length(spans[id(edge)]))
    redrawn, cells = 0, wire_cells(laid)
    place = {id(edge): index for index, edge in enumerate(laid["edges"])}
    # each loop left as it was, by how many had been redrawn when it was tried: where none
    # has been since, the picture is as it was, and trying it again would find the same
    left: dict = {}
    for edge in order + order:
        if spent():
            break
        ends, was = spans[id(edge)], _drawn(edge)
        if ends.get("done") or left.get(id(edge)) == redrawn:
            continue
        if _redrawn(laid, edge, ends, direction, spans, room, (blocks, borders), cells):
            redrawn, ends["done"] = redrawn + 1, True
            rewired(cells, laid, place[id(edge)], was)
        else:
            left[id(edge)] = redrawn
    return redrawn


def _redrawn(laid: dict, edge: dict, ends: dict, direction: str, spans: dict, room: tuple,
             kept_off: tuple[list, list], cells: dict) -> bool:
    """Draw a loop as a channel on whichever side tangles it least (then is shorter), where
    that tangles it with fewer wires and none more (or, sharing a port with a channel, no
    more), and it keeps off the `obstacles` and runs along no frame's border (`kept_off`),
    the layout's wires read from `cells` (`wire_cells`): whether it was."""
    blocks, borders = kept_off
    before = {key: edge[key] for key in ("pos", "_draw_") if key in edge}
    boxes, heads = boxes_of(laid), arrowheads(laid, edge)
    tangled = _tangles(laid, edge, boxes, cells)
    # a loop from the port of one drawn as a channel is drawn alike where that is no worse:
    # round it, not bent along it (cyborgism's operator.prefix to the loom and the simulator)
    alike = any(other.get(CHANNEL) and same_port(edge, other)
                for other in laid.get("edges", []) if other is not edge)
    if not alike and tangled[:3] == (0, 0, 0) and tangled[3] < SEEN_PT:
        return False           # nothing to untangle
    swept = sweep(edge, curve(edge), boxes)
    marks = [t for t in str(edge["pos"]).split() if t[:2] in ("s,", "e,")]
    best, spanned = None, {}         # spanned: what lies within each span tried (`_channel`)
    for side, wider in ((side, wider) for wider in WIDER for side in (1, -1)):
        if best is not None and side == 1:
            break              # turning no further out than the least that does
        points = _channel(laid, edge, ends, (side, direction), spans, blocks, wider, spanned)
        spend(len(laid["edges"]))          # (kept off every wire's arrowhead, every box)
        if not within(points, room) or crosses_an_obstacle(
                points, blocks, (*ends["tips"], points[0], points[-1]), joined=False) \
                or not clear_of(points, heads) or along_a_border(points, borders):
            continue
        edge["pos"] = pos_text(marks, points)
        edge.pop("_draw_", None)
        if sweep(edge, curve(edge), boxes) > max(swept, BESIDE_PT):
            edge.update(before)     # not swept further from the boxes it closes (`loops`)
            continue
        now = _tangles(laid, edge, boxes, cells, tangled)
        if _untangles(now, tangled, alike) and (best is None or (now, _long(points)) < best[:2]):
            best = (now, _long(points), edge["pos"])
        edge.pop("_draw_", None)
        edge.update(before)
    if best is None:
        return False
    edge["pos"] = best[2]
    edge.pop("_draw_", None)
    edge[CHANNEL] = True       # not bent along another loop from its port (`bundles`)
    return True


def arrowheads(laid: dict, edge: dict) -> list[tuple[tuple, tuple]]:
    """(tip, base) of the arrowhead of every wire but `edge`."""
    return [head for other in laid.get("edges", []) if other is not edge
            for head in heads_of(other)]


def heads_of(edge: dict) -> tuple[tuple[tuple, tuple], ...]:
    """(tip, base) of each arrowhead of a laid-out wire."""
    return _heads_in(str(edge.get("pos", "")))


@functools.lru_cache(maxsize=4096)
def _heads_in(pos: str) -> tuple[tuple[tuple, tuple], ...]:
    """`heads_of` a wire drawn as `pos`: read once, for every other wire asks again."""
    tokens = pos.split()
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    return tuple((xy(t), points[0] if t.startswith("s,") else points[-1])
                 for t in tokens if t[:2] in ("s,", "e,")) if points else ()


def past_arrowheads(laid: dict, edge: dict) -> list[tuple]:
    """The pieces (p, q) of a laid-out wire's curve, read every STEP_PT, away from its own
    ends (END_PT), that pass within `_reach` of the axis of the arrowhead of a wire sharing
    no port with it, each with the nearest point of that axis to q, and that wire (as
    `beside_pieces`): a wire by another's arrowhead reads as going into its port (debate's
    question to b, 0.3 pt from the arrowhead into a's choices)."""
    mine = _dense(edge)
    if not mine:
        return []
    ends, found, extent = mine[:1] + mine[-1:], [], _extent(mine)
    for other in laid.get("edges", []):
        if other is edge or same_port(edge, other):
            continue
        for tip, base in heads_of(other):
            reach = _reach(tip, base)
            x0, x1 = min(tip[0], base[0]) - reach, max(tip[0], base[0]) + reach
            y0, y1 = min(tip[1], base[1]) - reach, max(tip[1], base[1]) + reach
            if not _meet(extent, (x0, y0, x1, y1)):
                continue
            found += [(p, q, _foot(q, tip, base), other) for p, q in zip(mine, mine[1:])
                      if x0 <= q[0] <= x1 and y0 <= q[1] <= y1
                      and to_segment(q, tip, base) < reach
                      and min(math.dist(q, end) for end in ends) > END_PT]
    return found


def _reach(tip: tuple, base: tuple, clear: float = ARROW_CLEAR_PT) -> float:
    """How far from an arrowhead's axis a wire keeps: `clear`, and BARB_GAP_PT beyond a
    wide one's barbs (`traces.ARROW_WIDTH`)."""
    return max(clear, ARROW_WIDTH * math.dist(tip, base) + BARB_GAP_PT)


def clear_of(points: list, heads: list, clear: float = ARROW_CLEAR_PT) -> bool:
    """Whether a curve (control points) keeps `clear` from the axis of every arrowhead (tip,
    base) of `heads`, and BARB_GAP_PT from its barbs (an update's hollow head is 4.5 pt
    wide either side: a loop 4 pt from its axis ran through it, rl_feedback_tampering's
    agent): a wire through an arrowhead reads as pointing where it does not. Only the
    curve's points in the cells an arrowhead's surroundings cover are measured."""
    cells: dict = {}
    along = samples(subdivided(points, STEP_PT * 12))
    for p in along:
        cells.setdefault(_cell(p), []).append(p)
    if not along:
        return True
    extent = _extent(along)
    for tip, base in heads:
        reach = _reach(tip, base, clear)
        near = (min(tip[0], base[0]) - reach, min(tip[1], base[1]) - reach,
                max(tip[0], base[0]) + reach, max(tip[1], base[1]) + reach)
        if not _meet(near, extent):
            continue                # no point of the curve within its reach
        (i0, j0), (i1, j1) = _cell(near[:2]), _cell(near[2:])
        if any(to_segment(p, tip, base) < reach for i in range(i0, i1 + 1)
               for j in range(j0, j1 + 1) for p in cells.get((i, j), ())):
            return False
    return True


def along_a_border(points: list, borders: list) -> bool:
    """Whether a curve (control points) runs along the border of a frame of `borders` (within
    FRAME_CLEAR_PT of it, inside or out) for more than SEEN_PT: it would read as a second
    line of the frame (open_agency's world -> deployment's observation, a port just inside
    the frame, turned into it 2 pt under the frame's top, along it and over its title).
    Crossing into a frame is not running along it."""
    points = samples(subdivided(points, STEP_PT * 12))
    for border in borders:
        run = 0.0
        for p, q in zip(points, points[1:]):
            run = run + math.dist(p, q) if on_border(border, *p, FRAME_CLEAR_PT) and \
                on_border(border, *q, FRAME_CLEAR_PT) else 0.0
            if run > SEEN_PT + 2 * FRAME_CLEAR_PT:     # more than across the border's band
                return True
    return False


def _untangles(now: tuple, before: tuple, alike: bool) -> bool:
    """Whether a loop's tangles (`_tangles`) are fewer than `before`: none more, and fewer
    wires crossed, or a run beside one at least SEEN_PT shorter (or, `alike`, none more)."""
    if any(a > b for a, b in zip(now, before)):
        return False
    return alike or now[:3] != before[:3] or now[3] <= before[3] - SEEN_PT


def _tangles(laid: dict, edge: dict, boxes: dict, cells: dict,
             upto: tuple | None = None) -> tuple:
    """What tangles a wire: its part of the layout's crossings (`untangle.tangles_of`), then
    how long it runs beside another wire (the others read from `cells`, `wire_cells`), left
    out (infinite) where the others already exceed `upto`'s."""
    counts = tangles_of(laid, edge, boxes)
    if upto is not None and any(a > b for a, b in zip(counts, upto)):
        return (*counts, math.inf)
    return (*counts, round(alongside(laid, edge, cells), 1))


def _long(points: list) -> float:
    return sum(math.dist(p, q) for p, q in zip(points, points[1:]))


def _port_centres(laid: dict) -> dict:
    """{(box, port): where a wire met at the middle of one of its sides meets it}: the port's
    middle, of the ports some wire so meets."""
    found = {}
    for edge in laid.get("edges", []):
        for end, point in zip(("tail", "head"), _ends_of(edge) or ()):
            port, _, compass = str(edge.get(f"{end}port", "")).rpartition(":")
            if compass in OUTWARD:
                found.setdefault((edge[end], port), point)
    return found


def _ends(edge: dict, boxes: dict, direction: str, centres: dict) -> dict | None:
    """A loop's ends in the flow's coordinates, where it runs back: its output's port facing
    forwards on a box further along the flow than its input's, facing back. {"out", "in":
    (tip, base) of each, the base straight out from the tip by the arrow's length; "first":
    which of the two Graphviz's curve starts at; "tips": the tips as laid out}, else None.
    An output met at its corner (`loops.CORNERS`) is left from its middle where another wire
    shows where that is (`_port_centres`: a full-style port's corner lies half a row off it,
    swiss_cheese's world.harm)."""
    to = _TO_FLOW[direction]
    tokens = str(edge["pos"]).split()
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    marks = {t[:2]: xy(t) for t in tokens if t[:2] in ("s,", "e,")}
    if len(points) < 4 or edge.get("tail") not in boxes or edge.get("head") not in boxes:
        return None
    found: dict = {"tips": tuple(marks.values())}
    for end, point, mark in (("tail", points[0], "s,"), ("head", points[-1], "e,")):
        port, _, compass = str(edge.get(f"{end}port", "")).rpartition(":")
        facing = _facing(compass, to)
        if facing == 0:
            return None
        tip = to(*marks.get(mark, point))
        arrow = math.dist(marks[mark], point) if mark in marks else 0.0
        role = "out" if facing > 0 else "in"
        if role in found:
            return None
        if role == "out" and compass not in OUTWARD and (edge[end], port) in centres:
            tip = (tip[0], to(*centres[edge[end], port])[1])
        found[role] = (tip, (tip[0] + facing * arrow, tip[1]))
        found.setdefault("first", role)
    out_box, in_box = (boxes[edge["tail"]], boxes[edge["head"]])[::1 if found["first"] == "out"
                                                                  else -1]
    if _centre(out_box, to)[0] <= _centre(in_box, to)[0]:
        return None                          # not back against the flow
    return found


def _facing(compass: str, to) -> int:
    """Which way along the flow a port met at `compass` faces: +1 forwards (an output), -1
    back (an input), 0 across it or at no side. A loop laid out to meet its ports at their
    outer corners (`loops.CORNERS`: `nw`, `se`, ...) faces as the side its port is on."""
    return next((facing for side in compass if side in OUTWARD
                 and (facing := round(to(*OUTWARD[side])[0]))), 0) if len(compass) <= 2 else 0


def _length(ends: dict) -> float:
    """How far a loop runs back against the flow."""
    return ends["out"][1][0] - ends["in"][1][0]


def _centre(box: tuple, to) -> tuple[float, float]:
    return to((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def _channel(laid: dict, edge: dict, ends: dict, way: tuple[int, str], spans: dict,
             blocks: list, wider: tuple[float, float], spanned: dict) -> list:
    """The control points (in the order of Graphviz's curve) of a loop drawn as a channel on
    a side across the flow (`way`: +1, towards larger v, or -1, and the flow's direction):
    straight out of its output, round to a run in the nearest corridor beyond its ends with
    nothing within GAP_PT of it (`_level`), and back into its input; its turns `wider` further
    from its output's and its input's boxes than the least. `spanned` keeps what lies within
    each span, for either side."""
    (side, direction), back = way, _FROM_FLOW[way[1]]
    out_base, in_base = ends["out"][1], ends["in"][1]
    u_out = out_base[0] + STUB_PT + ROUND_PT + wider[0]
    u_in = in_base[0] - STUB_PT - ROUND_PT - wider[1]
    if (u_out, u_in) not in spanned:
        spanned[u_out, u_in] = _spanned(laid, edge, ends, direction, spans, blocks,
                                        (u_in, u_out))
    things = spanned[u_out, u_in]
    start = max(out_base[1], in_base[1]) if side > 0 else min(out_base[1], in_base[1])
    level = _level(things, start, side)
    corners = [out_base, (u_out, out_base[1]), (u_out, level), (u_in, level),
               (u_in, in_base[1]), in_base]
    path = [back(u, v) for u, v in rounded(corners, None)]
    return path if ends["first"] == "out" else path[::-1]


def _spanned(laid: dict, edge: dict, ends: dict, direction: str, spans: dict, blocks: list,
             span: tuple[float, float]) -> list[tuple[float, float]]:
    """What lies within a `span` along the flow that a loop's channel must keep clear of:
    each block's extent across the flow, and every point of the other wires (but loops to be
    drawn round it, `_round`)."""
    to, (u_in, u_out) = _TO_FLOW[direction], span
    things = []
    for x0, y0, x1, y1 in blocks:
        (a, b), (c, d) = to(x0, y0), to(x1, y1)
        if min(a, c) <= u_out and u_in <= max(a, c):
            things.append((min(b, d), max(b, d)))
    for other in laid.get("edges", []):
        if other is not edge and not _round(other, spans, ends):
            us, vs = _along_flow(_drawn(other), direction)
            things += [(v, v) for v in vs[bisect.bisect_left(us, u_in):
                                          bisect.bisect_right(us, u_out)]]
    return things


@functools.lru_cache(maxsize=512)
def _along_flow(drawn: tuple, direction: str) -> tuple[list, list]:
    """The points of `_dense_of(drawn)` turned to face the flow (u along it, v across it), in
    order of u: (their u, their v)."""
    turned = sorted(_TO_FLOW[direction](*p) for p in _dense_of(drawn))
    return [u for u, _ in turned], [v for _, v in turned]


def _level(things: list, start: float, side: int) -> float:
    """The nearest level beyond `start` on `side` with no thing (an extent (low, high) across
    the flow) within GAP_PT of it."""
    if side < 0:
        return -_level([(-high, -low) for low, high in things], -start, 1)
    level = start + GAP_PT
    # a thing that ends short of `start` neither raises the level nor lies beyond it
    for low, high in sorted(thing for thing in things if thing[1] > start):
        if low - GAP_PT >= level:
            break              # this and all that follow lie beyond the corridor
        if high + GAP_PT > level:
            level = high + GAP_PT
    return level


def _round(other: dict, spans: dict, ends: dict) -> bool:
    """Whether `other` is a loop to be drawn as a channel round the one whose ends are
    `ends`: not yet so drawn, and running back further on both sides."""
    found = spans.get(id(other))
    return found is not None and not found.get("done") and \
        found["out"][1][0] >= ends["out"][1][0] and found["in"][1][0] <= ends["in"][1][0] \
        and _length(found) > _length(ends)


def alongside(laid: dict, edge: dict, cells: dict | None = None) -> float:
    """How long (points) a laid-out wire runs within APART_PT of another wire, away from its
    own ends (END_PT), where the two read as one line (`beside_pieces`)."""
    return sum(math.dist(p, q) for p, q, *_ in beside_pieces(laid, edge, cells))


def beside_pieces(laid: dict, edge: dict, cells: dict | None = None,
                  known: dict | None = None) -> Iterator[tuple]:
    """The pieces (p, q) of a laid-out wire's curve, read every STEP_PT, that run within
    APART_PT of another wire, near parallel, away from its own ends (END_PT), each with the
    nearest point of that wire to q, and the wire, from the wire's start (found as they are
    asked for); the wires read from `cells` (`wire_cells`), else from the layout. A wire from
    the same port may run on it (within ON_PT): the two are then drawn as one wire that
    branches. `known` keeps what each piece ran along, for the same wire, ends and `cells`
    read again (a wire redrawn in places)."""
    mine = _dense(edge)
    if not mine:
        return
    if cells is None:
        x0, y0, x1, y1 = _extent(mine)
        cells = wire_cells(laid, (x0 - APART_PT, y0 - APART_PT, x1 + APART_PT, y1 + APART_PT))
    edges = laid.get("edges", [])
    on = {index: ON_PT if same_port(edge, other) else -1.0
          for index, other in enumerate(edges) if other is not edge}
    first, last, known = mine[0], mine[-1], {} if known is None else known
    for p, q in zip(mine, mine[1:]):
        if math.dist(q, first) <= END_PT or math.dist(q, last) <= END_PT:
            continue
        if (p, q) not in known:
            known[p, q] = _near(p, q, cells, on)
            spend(1)
        if (near := known[p, q]) is not None:
            yield p, q, near[0], edges[near[1]]


def wire_cells(laid: dict, reach: tuple | None = None) -> dict:
    """The segments of every wire of a layout, read every STEP_PT, each with its extent grown
    by APART_PT, by every cell (CELL_PT) that grown extent covers and, in the cell, by the
    wire's place in the layout (in its order): a point's own cell holds every segment within
    APART_PT of it, and the wires a point is measured against are found without reading the
    segments of the others. Only the wires whose extent meets `reach`, where given."""
    cells: dict = {}
    for index, other in enumerate(laid.get("edges", [])):
        whole = _track(_drawn(other))[3]
        if whole is not None and (reach is None or _meet(whole, reach)):
            for cell, entry in _entries(_dense(other), reach):
                cells.setdefault(cell, {}).setdefault(index, []).append(entry)
    return cells


def rewired(cells: dict, laid: dict, index: int, was: tuple) -> None:
    """`wire_cells` of a whole layout (`cells`) brought up to date for its wire `index`,
    redrawn from the curves `was` (`untangle._drawn`)."""
    for cell, _ in _entries(_dense_of(was)):
        cells.get(cell, {}).pop(index, None)
    added: set = set()
    for cell, entry in _entries(_dense(laid["edges"][index])):
        cells.setdefault(cell, {}).setdefault(index, []).append(entry)
        added.add(cell)
    for cell in added:          # each cell's wires kept in the layout's order (`_near`)
        cells[cell] = dict(sorted(cells[cell].items()))


def _entries(points: list, reach: tuple | None = None) -> Iterator[tuple]:
    """(cell, entry) of `wire_cells` for each piece of a wire drawn through `points` (that
    comes within APART_PT of `reach`, where given): the piece's grown extent, its start, its
    run (dx, dy) and that run's square, and its ends."""
    for p, q in zip(points, points[1:]):
        grown = (min(p[0], q[0]) - APART_PT, min(p[1], q[1]) - APART_PT,
                 max(p[0], q[0]) + APART_PT, max(p[1], q[1]) + APART_PT)
        if reach is not None and not _meet(grown, reach):
            continue
        dx, dy = q[0] - p[0], q[1] - p[1]
        entry = (*grown, p[0], p[1], dx, dy, dx ** 2 + dy ** 2, p, q)
        x0, y0, x1, y1 = (int(v // CELL_PT) for v in grown)       # `_cell`, written out
        for cell in itertools.product(range(x0, x1 + 1), range(y0, y1 + 1)):
            yield cell, entry


def same_port(one: dict, other: dict) -> bool:
    return any(one.get(end) == other.get(end) and one.get(f"{end}port") == other.get(f"{end}port")
               for end in ("tail", "head"))


def _near(here: tuple, point: tuple, cells: dict, on: dict) -> tuple | None:
    """Where the piece of curve from `here` to `point` runs along a wire of `cells`
    (`wire_cells`) that `on` names: that wire's nearest point, within APART_PT of `point`,
    the two within ALONG_DEGREES of parallel there (a wire crossed at an angle is not run
    along), and not within the distance `on` gives it (ON_PT for a wire from the same port,
    which may run on it), and the wire's place in the layout (the first such wire in the
    layout's order); else None."""
    x, y = point
    wires = cells.get((int(x // CELL_PT), int(y // CELL_PT)))
    if not wires:
        return None
    for index, pieces in wires.items():             # in the layout's order (`wire_cells`)
        least = on.get(index)
        if least is None:
            continue
        nearest = None
        for x0, y0, x1, y1, ax, ay, dx, dy, length, p, q in pieces:
            if x0 < x < x1 and y0 < y < y1:                 # else APART_PT or more away
                # `ends.to_segment` written out: the same arithmetic, for it is asked most
                t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy)
                                                         / length))
                found = (math.dist(point, (ax + dx * t, ay + dy * t)), p, q)
                if nearest is None or found < nearest:
                    nearest = found
        if nearest is not None and least < nearest[0] < APART_PT \
                and _parallel((here, point), nearest[1:]):
            return _foot(point, *nearest[1:]), index
    return None


def _foot(point: tuple, a: tuple, b: tuple) -> tuple[float, float]:
    """The point of the segment from `a` to `b` nearest `point`."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((point[0] - a[0]) * dx
                                                  + (point[1] - a[1]) * dy) / length))
    return a[0] + t * dx, a[1] + t * dy


def _parallel(one: tuple, other: tuple) -> bool:
    (a, b), (c, d) = one, other
    u, v = (b[0] - a[0], b[1] - a[1]), (d[0] - c[0], d[1] - c[1])
    norms = math.hypot(*u) * math.hypot(*v)
    return norms > 0 and abs(u[0] * v[0] + u[1] * v[1]) >= norms * math.cos(
        math.radians(ALONG_DEGREES))


def _cell(point: tuple) -> tuple[int, int]:
    return int(point[0] // CELL_PT), int(point[1] // CELL_PT)


def _dense(edge: dict) -> list[tuple[float, float]]:
    """Points about STEP_PT apart along every curve drawn for a wire (no point twice in a row:
    a segment's last is the next one's first)."""
    return _dense_of(_drawn(edge))


@functools.lru_cache(maxsize=512)
def _dense_of(drawn: tuple) -> list[tuple[float, float]]:
    """`_dense` of a wire's curves (`untangle._drawn`); the last 512 are remembered, for each
    channel tried is measured against the same wires."""
    found: list = []
    for control in drawn:
        found += samples(subdivided(list(control), STEP_PT * 12))
    return [p for i, p in enumerate(found) if i == 0 or p != found[i - 1]]
