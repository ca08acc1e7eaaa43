"""Parameter updates come into the box they update from outside, their arrowheads clear (issue 13).

An update (the double line from an optimiser to the box it trains) meets its box at a compass
point chosen before the layout (`draw._UPDATE_ENDS`), and the feedback loops are laid out after
it: Graphviz then often lands the update's arrowhead on a loop that hugs the same side (rlhf's
policy, the agents of the incentive examples), on another update's, or curls the line round the
box's corner to come in sideways (grade_predictor). Once the picture is laid out, each such end
is drawn again: straight into a point of the box's side, from the side the update comes from,
and back into Graphviz's curve where that curve is clear of the box. An end is left as laid out
where every new one would come within `ends.MISS_PT` of a box or label, run over `ends.GROW_PT`
(or the growth asked for) beyond the layout, leave an arrowhead as crowded, or cross more wires;
then, if its arrowhead parts from its line, the line is bent into the arrowhead (`_aligned`).
"""

from __future__ import annotations

import math
from itertools import chain

from .effort import spend, spent
from .ends import (GROW_PT, MISS_PT, crosses_an_obstacle, key_of, lower_key, mix, obstacles,
                   pos_text, room_of, samples, subdivided, to_segment, unit, within, xy)
from .loops import BESIDE_PT, sweep
from .sides import (SIDES, entries, facing, near_box, nearest_first, places, side_of,
                    straight_across, turning)
from .traces import ARROW_WIDTH, arrows_traced, comes_near, fine_points, fine_traced
from .untangle import (MOST_BOXES, _drawn, _ends, _meet, _tracks_cross, bezier,
                       boxes_of, crossings, curve, tangles_of, traced)

# An arrowhead is clear when every other wire keeps this far from it (its half-width, a gap).
CLEAR_PT = 6.0
# Beyond its arrowhead, a redrawn end runs straight out of the box this far before it bends.
STUB_PT = 6.0
# An arrow that meets its side within about 45 degrees of square comes in from outside.
FACING = 0.7
# An end whose arrow points more than 60 degrees away from the way its curve comes in hooks.
HOOK = 0.5
HOOK_PT = 18.0         # how far back along the curve "the way it comes in" is read
# An arrow whose tip is this near two sides of its box meets it at a corner (a rounded one's
# curve): which side it points into is unclear, and it lands on the ports' arrowheads.
CORNER_PT = 5.0
# An arrowhead that parts from the way its line comes in by more than this (degrees) looks
# broken off it.
ALIGNED = 20.0
# A redrawn end turns at most this far in all, from its arrow into Graphviz's curve (degrees):
# more is a U-turn or a curl.
MOST_TURNING = 135.0
# Where no other end passes, one drawn anew into the optimiser may turn round beneath its box
# and up into the optimiser's facing side: a U, not a curl (rlhf's sft policy, whose outputs'
# side and the side above it, under the labelers, have no room).
MOST_TURNING_ROUND = 180.0
# An update is a double line: Graphviz offsets its two strokes from its curve by a point where
# it runs straight and by up to about four on a tight bend, farther than MISS_PT. An end drawn
# anew keeps this much farther from other boxes (rl_model_based_rewards' agent, past reward).
STROKES_PT = 2.5
BENT_STROKES_PT = 4.0  # (how far on a tight bend: a U round beneath its box, over the key)
# An update within CLEAR_PT of a loop, heading within ALONG degrees of its way, for longer than
# ALONG_PT runs along it (read every ALONG_STEP_PT).
ALONG_PT, ALONG = 12.0, 30.0

# The sides of a box across the flow, which updates have to themselves (`draw._UPDATE_ENDS`):
# the data's ports are on the others.
ACROSS = {"LR": ("n", "s"), "TB": ("w", "e")}
# Where neither has room (process_supervision's reward models, a box's width apart at a
# column's size), the side the box's outputs leave by, between their wires: `_crowded` keeps
# the arrowhead clear of them.
AFTER = {"LR": "e", "TB": "s"}
# ... this far from any other wire's end there, or it reads as a wire into that port.
PORT_PT = 10.0


def updates_clear(laid: dict, grow: float = GROW_PT) -> int:
    """Redraw, in a Graphviz layout (`graphviz.drawing`), the box ends of its parameter updates
    whose arrowheads other wires crowd, or that come in askew (`askew`), none more than
    `grow` beyond the layout's box; how many were. Twice over: an end redrawn may free the
    place an earlier one had no room for (ida's x, two updates on a narrow box). A picture of
    more than MOST_BOXES boxes is not read wire by wire."""
    boxes = boxes_of(laid)
    if len(boxes) > MOST_BOXES:
        return 0
    updates = updates_of(laid, boxes)
    tidying = {"room": room_of(laid, grow), "blocks": obstacles(laid), "crossed": None,
               "boxes": boxes, "grow": grow}
    # each update left as it was, by how many ends had been redrawn when it was tried: where
    # none has been since, the picture is as it was, and trying it again would find the same
    redrawn, left, changes = set(), {}, 0
    for again in (False, True):
        for edge, end in updates:
            if spent():
                break
            if again and (at_a_table(edge, end)      # kept to Graphviz's curve: tried once
                          or left.get(id(edge)) == changes):
                continue
            if _redrawn(laid, edge, end, boxes, tidying) or \
                    _past_the_key(laid, edge, end, boxes, tidying):
                redrawn.add(id(edge))
                changes += 1
            else:
                left[id(edge)] = changes
    for edge, end in updates:
        if spent():
            break
        if id(edge) not in redrawn and _aligned(laid, edge, end, boxes, tidying):
            redrawn.add(id(edge))
    return len(redrawn)


def _aligned(laid: dict, edge: dict, end: str, boxes: dict, tidying: dict) -> bool:
    """Bend the last stretch of an update left as laid out so that it runs into its arrowhead,
    where the two part by more than ALIGNED degrees, and whether it was: Graphviz aims an
    arrow at a box's compass corner from where it clipped the curve, not along the curve, and
    the head looks broken off its line (overoptimisation_early_stopping's policy, in eval).
    The curve's first handle is turned to the arrow's axis, its length kept; kept where the
    curve then keeps off the obstacles and within the room, and crosses no more wires."""
    tip, points = _split(edge, end)
    base = points[0]
    pointing = unit((tip[0] - base[0], tip[1] - base[1]))
    # a handle within a point of its knot says little of the way the curve comes in (the
    # next handle does): turning it would move nothing a reader sees
    coming = unit((base[0] - points[1][0], base[1] - points[1][1])) \
        if math.dist(points[1], base) > 1.0 else None
    if pointing is None or coming is None:
        return False
    if pointing[0] * coming[0] + pointing[1] * coming[1] >= math.cos(math.radians(ALIGNED)):
        return False
    before = {key: edge[key] for key in ("pos", "_draw_") if key in edge}
    mark = next(t for t in str(edge["pos"]).split() if t[:2] in ("s,", "e,"))
    was = tangles_of(laid, edge, boxes)[:2]
    # the handle's own length first (the gentlest bend), then shorter: the bend nearer the
    # arrowhead, where the curve passes close to another box
    for share in (1.0, 0.5, 0.25):
        reach = math.dist(points[1], base) * share
        turned = [base, (base[0] - pointing[0] * reach, base[1] - pointing[1] * reach)]
        whole = turned + points[2:] if end == "tail" else (turned + points[2:])[::-1]
        edge["pos"] = pos_text([mark], whole)
        edge.pop("_draw_", None)
        if _fits(edge, tidying["blocks"], tidying["room"], boxes) and \
                _alone_no_worse(laid, edge, boxes, was):
            tidying["crossed"] = None            # (counted again when next needed)
            return True
        edge.update(before)
    return False


def at_a_table(edge: dict, end: str) -> bool:
    """Whether an update meets a box of the full style, a table whose sides below the header
    are port rows: its end keeps to Graphviz's curve, on a side across the flow."""
    return str(edge.get(f"{end}port", "")).startswith("h:")


def _redrawn(laid: dict, edge: dict, end: str, boxes: dict, tidying: dict) -> bool:
    """Redraw one update's box `end` if it is askew or crowded, or crosses wires at its own
    boxes, and whether it was: the first of its new ends (`_new_ends`) that clears its
    arrowhead, crosses no more wires than the end as it was (`_alone_no_worse`: the
    picture's counts grow by nothing) and no more at its boxes (fewer, where that was the
    only fault), else the loops moved out of its way (`_make_room`, against the picture's
    counts as tidied so far, `tidying["crossed"]`)."""
    box = boxes[edge[end]]
    slanted = askew(edge, end, box)
    table = at_a_table(edge, end)
    # in the paper style, an update that crosses a wire at its own boxes (the loop over the
    # box it trains, the signals into its optimiser) is redrawn where a new end crosses fewer
    own_crossed = 0 if table else crossed_at_its_boxes(laid, edge)
    # a table's update keeps to Graphviz's curve, its other ends few: it is crowded only by
    # wires on the axis of its arrowhead (the full style's changes were judged no better)
    outline = not table
    crowded = _crowded(laid, edge, end, outline)
    fewer = not (slanted or crowded)
    # an end both askew and crowded may cross one more wire at its boxes: a crossing reads
    # better than an arrowhead on a loop at a corner (swiss_cheese's retrain attacker)
    allowed = own_crossed + (not fewer) + (slanted and crowded)
    if fewer and not own_crossed:
        return False
    room, blocks, was = tidying["room"], tidying["blocks"], tangles_of(laid, edge, boxes)[:2]
    if not fewer and tidying["crossed"] is None:  # the picture's, for loops moved (`_make_room`)
        tidying["crossed"] = crossings(laid)      # (wires crossed, wires through a box)
    before = {key: edge[key] for key in ("pos", "_draw_") if key in edge}
    direction = "TB" if str(laid.get("rankdir", "LR")).upper() == "TB" else "LR"
    sides = (ACROSS[direction],) if table else (ACROSS[direction], (AFTER[direction],))
    # the end as laid out, with the loops moved out of its way, unless it comes in askew;
    # else a new end, as it is or with the loops moved (made one by one, as tried). No end
    # adds a crossing to the picture as tidied so far. First only ends that do not run along
    # a loop (where there are loops), then any.
    own = [box, boxes.get(edge["head" if end == "tail" else "tail"])]
    loops = any("feedback" in str(other.get("class", "")).split()
                for other in laid.get("edges", []))
    for apart in (True, False)[not loops:]:
        ways = chain([] if slanted or fewer else [None],
                     _new_ends(edge, end, own, sides, room, blocks, anew=not table))
        for pos in ways:
            edge["pos"] = pos or before["pos"]
            edge.pop("_draw_", None)
            if (pos is not None and not _crowded(laid, edge, end, outline)
                    and not (apart and _along_a_loop(laid, edge))
                    and _alone_no_worse(laid, edge, boxes, was)
                    and (table or crossed_at_its_boxes(laid, edge) < allowed)
                    and not _at_a_port(laid, edge, end, box, AFTER[direction])) \
                    or (not fewer and _make_room(laid, edge, end, boxes, tidying, outline,
                                                 apart)):
                tidying["crossed"] = None    # a later end may not undo what it gained
                return True
            edge.update(before)
    return not table and _round_beneath(laid, edge, end, own, sides, tidying, direction, was)


def _past_the_key(laid: dict, edge: dict, end: str, boxes: dict, tidying: dict) -> bool:
    """Where no end passed, one redrawn as if the key below the picture lay `grow` lower, and
    the key then lowered as far as that end needs, and whether it was: a picture a little
    taller rather than an arrowhead at a corner (rl_rf_input_tampering's agent, its side
    above under the reward model, its side below over the key)."""
    key = key_of(laid)
    if key is None or tidying["grow"] <= 0 or at_a_table(edge, end):
        return False
    blocks = tidying["blocks"]

    def key_lowered(by: float) -> list:         # the obstacles, the key `by` points lower
        return [(key[0], key[1] - by, key[2], key[3] - by) if block == key else block
                for block in blocks]
    tidying["blocks"] = key_lowered(tidying["grow"])
    was = _lowest_over(laid, key)
    done = _redrawn(laid, edge, end, boxes, tidying)
    tidying["blocks"] = blocks
    if done:     # as far as the wires now come nearer the key than MISS_PT, or than they did
        drop = max(0.0, min(was, key[3] + MISS_PT) - _lowest_over(laid, key))
        lower_key(laid, drop)
        tidying["blocks"] = key_lowered(drop)
    return done


def _lowest_over(laid: dict, key: tuple) -> float:
    """How low the wires come over the key: an update's outer stroke, a loop's curve."""
    return min((y - BENT_STROKES_PT * ("training" in str(wire.get("class", "")).split())
                for wire in laid.get("edges", []) for x, y in fine_points(wire)
                if key[0] - MISS_PT < x < key[2] + MISS_PT), default=math.inf)


def _round_beneath(laid: dict, edge: dict, end: str, own: list, side_groups: tuple,
                   tidying: dict, direction: str, was: tuple[int, int]) -> bool:
    """Last, where no other end passed, an update's end drawn anew into its optimiser turning
    more than MOST_TURNING and up to MOST_TURNING_ROUND (round beneath its box, or above
    it), and whether it was: the first whose arrowhead is clear, that runs along no loop,
    crosses no more wires than the end as it was (`was`), none at its own boxes, and
    comes in beside no port. Tried also for an end that was neither askew nor crowded but
    crossed a wire at its boxes."""
    tip, points = _split(edge, end)
    before = {key: edge[key] for key in ("pos", "_draw_") if key in edge}
    for sides in side_groups:
        for pos in _direct(edge, end, tip, points, own, sides, tidying["room"],
                           tidying["blocks"], (MOST_TURNING, MOST_TURNING_ROUND)):
            edge["pos"] = pos
            edge.pop("_draw_", None)
            if not _crowded(laid, edge, end, dense=True) and not _along_a_loop(laid, edge) \
                    and _alone_no_worse(laid, edge, tidying["boxes"], was) \
                    and not crossed_at_its_boxes(laid, edge) \
                    and not _at_a_port(laid, edge, end, own[0], AFTER[direction]):
                tidying["crossed"] = None
                return True
            edge.update(before)
    return False


def along_loops(laid: dict) -> int:
    """How many of a layout's parameter updates run along a feedback loop (`_along_a_loop`):
    the paper style's, and the full style's into a nested diagram's frame, but not those into
    a full-style box's header (`at_a_table`), whose ends keep to Graphviz's curve."""
    boxes = boxes_of(laid)
    return sum(_along_a_loop(laid, edge) for edge, end in updates_of(laid, boxes)
               if not at_a_table(edge, end))


def _along_a_loop(laid: dict, edge: dict) -> bool:
    """Whether an update runs along a feedback loop (`runs_along`): rl_current_rf's update over the
    loop lifted round its arrowhead."""
    return runs_along(laid, edge, lambda other: other is not edge
                  and "feedback" in str(other.get("class", "")).split())


def runs_along(laid: dict, edge: dict, which) -> bool:
    """Whether an update runs along one of the wires `which` picks: its strokes within CLEAR_PT
    of it (its curve within STROKES_PT more) and heading within ALONG degrees of its way for
    more than ALONG_PT of its length, where the two read as one wire; a crossing at a wider
    angle is not. Read every `traces.ALONG_STEP_PT` along the update."""
    mine, (x0, y0, x1, y1) = fine_traced(edge)
    spend(len(laid.get("edges", ())))
    margin = CLEAR_PT + STROKES_PT
    box = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    reach = CLEAR_PT + STROKES_PT            # its outer strokes lie this much nearer
    # the other wires' segments near the update, by the cells of side `reach` within `reach`
    # of them: a point of the update is near only those of its own cell
    near: dict = {}
    for other in laid.get("edges", []):
        line, whole = fine_traced(other) if which(other) else ((), None)
        if whole is None or not _meet((whole[0] - reach, whole[1] - reach, whole[2] + reach,
                                       whole[3] + reach), box):
            continue                            # no segment of it comes near the update
        for q, r in zip(line, line[1:]):
            extent = (min(q[0], r[0]) - reach, min(q[1], r[1]) - reach,
                      max(q[0], r[0]) + reach, max(q[1], r[1]) + reach)
            if q != r and _meet(extent, box):
                for i in range(math.floor(extent[0] / reach), math.floor(extent[2] / reach) + 1):
                    for j in range(math.floor(extent[1] / reach),
                                   math.floor(extent[3] / reach) + 1):
                        near.setdefault((i, j), []).append((q, r))
    parallel = math.cos(math.radians(ALONG))
    run = longest = 0.0
    for p, q in zip(mine, mine[1:]):
        way = unit((q[0] - p[0], q[1] - p[1]))
        beside = way is not None and any(      # the cheaper test first
            abs(way[0] * (b[0] - a[0]) + way[1] * (b[1] - a[1])) >= parallel * math.dist(a, b)
            and to_segment(p, a, b) < reach and to_segment(q, a, b) < reach
            for a, b in near.get((math.floor(p[0] / reach), math.floor(p[1] / reach)), ()))
        run = run + math.dist(p, q) if beside else 0.0
        longest = max(longest, run)
    return longest > ALONG_PT


def crossed_at_its_boxes(laid: dict, edge: dict) -> int:
    """How many of the wires at the boxes an update joins its curve crosses: `crossings`
    leaves them out, but an update redrawn across the signal that leaves the box it updates
    for the same optimiser reads as tangled as any other crossing (rlhf's policy)."""
    mine = _drawn({key: value for key, value in edge.items() if key != "_draw_"})
    ends = {edge.get("tail"), edge.get("head")}
    return sum(1 for other in laid.get("edges", []) if other is not edge
               and {other.get("tail"), other.get("head")} & ends
               and any(_tracks_cross(mine, (stroke,)) for stroke in _drawn(other)))


def _at_a_port(laid: dict, edge: dict, end: str, box: tuple, after: str) -> bool:
    """Whether an update's arrow comes into the side its box's outputs leave by (`after`)
    within PORT_PT of where another wire meets that box: it would read as a wire into that
    port (a port row of the full style, a dot of the paper's)."""
    tip, points = _split(edge, end)
    if side_of(box, tip, points[0]) != after:
        return False
    node = edge[end]
    ends = [point for other in laid.get("edges", []) if other is not edge
            for point, at in zip(_ends(other) or (), (other.get("tail"), other.get("head")))
            if at == node]
    return any(math.dist(tip, point) < PORT_PT for point in ends)


def _no_worse(laid: dict, crossed: tuple[int, int]) -> bool:
    """Whether no more wires cross, and no more pass through a box, than `crossed` counted."""
    now = crossings(laid)
    return now[0] <= crossed[0] and now[1] <= crossed[1]


def _alone_no_worse(laid: dict, edge: dict, boxes: dict, was: tuple[int, int]) -> bool:
    """Whether a wire redrawn alone crosses no more wires, and passes through no more boxes,
    than it did (`was`: its part of what `crossings` counts, `tangles_of`): the picture's
    counts then grow by nothing, read without counting every other pair again."""
    now = tangles_of(laid, edge, boxes)
    return now[0] <= was[0] and now[1] <= was[1]


def askew(edge: dict, end: str, box: tuple) -> bool:
    """Whether an update comes into its box askew: at a corner (`CORNER_PT`), its arrow
    grazing the side it meets (more than about 45 degrees from square), or hooking round
    (`_hooks`)."""
    tip, points = _split(edge, end)
    if min(abs(tip[0] - box[0]), abs(tip[0] - box[2])) < CORNER_PT and \
            min(abs(tip[1] - box[1]), abs(tip[1] - box[3])) < CORNER_PT:
        return True
    pointing = unit((tip[0] - points[0][0], tip[1] - points[0][1]))
    normal = SIDES[side_of(box, tip, points[0])]
    return pointing is None or -(pointing[0] * normal[0] + pointing[1] * normal[1]) < FACING \
        or _hooks(edge, end)


def _make_room(laid: dict, edge: dict, end: str, boxes: dict, tidying: dict,
               outline: bool = True, apart: bool = False) -> bool:
    """Move the feedback loops, and the data wires passing by that meet neither of its boxes,
    that crowd an update's arrowhead out of its way: each one's stretch over the side the
    update comes in by, round the arrowhead, lifted away from that side (`_lifted`). Kept,
    and True, when the arrowhead is then clear, every wire moved keeps off the obstacles and
    within the room (`tidying`) and sweeps no farther beyond its boxes than it did or
    BESIDE_PT, the update runs along none of the data wires nor (`apart`) a loop, and no
    more wires cross (but a data wire that ran through the arrowhead, which crossed the
    update already as a reader sees it, may now cross its line) or pass through a box."""
    room, blocks = tidying["room"], tidying["blocks"]
    tip, points = _split(edge, end)
    box = boxes[edge[end]]
    side = side_of(box, tip, points[0])
    # not the training wires (a lift kinks their double lines); a data wire through the head
    # (rerank's problems -> prm) may come to cross the update's line, not a loop (ida's
    # x -> user, so moved, bulged across the signals beside it)
    crowding = [other for other in laid.get("edges", []) if other is not edge
                and ("feedback" in (kinds := str(other.get("class", "")).split())
                     or "data" in kinds and not {other.get("tail"), other.get("head")}
                     & {edge["tail"], edge["head"]})
                and comes_near(other, (tip, points[0]), CLEAR_PT)]
    if not crowding:
        return False
    wires = [other for other in crowding if "data" in str(other.get("class", "")).split()]
    reach = ARROW_WIDTH * math.dist(tip, points[0])
    through = sum(comes_near(other, (tip, points[0]), reach) for other in wires)
    crossed = (tidying["crossed"][0] + through, tidying["crossed"][1])
    before = [{key: e[key] for key in ("pos", "_draw_") if key in e} for e in crowding]
    swept = [max(sweep(wire, curve(wire), boxes), BESIDE_PT) for wire in crowding]
    for extra in (0.0, 4.0, 8.0):
        for wire in crowding:
            wire["pos"] = _lifted(wire, box, side, tip, points[0], extra)
            wire.pop("_draw_", None)
        if all(_fits(wire, blocks, room, boxes) and sweep(wire, curve(wire), boxes) <= most
               for wire, most in zip(crowding, swept)) \
                and not _crowded(laid, edge, end, outline) \
                and not (apart and _along_a_loop(laid, edge)) \
                and not runs_along(laid, edge, lambda other: any(other is m for m in wires)) \
                and _no_worse(laid, crossed):
            return True
        for wire, old in zip(crowding, before):
            wire.update(old)
    return False


def _fits(edge: dict, blocks: list, room: tuple, boxes: dict) -> bool:
    """Whether a moved wire keeps off the obstacles (`keeps_off`) and within `room`."""
    tokens = str(edge.get("pos", "")).split()
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    ends = (points[0], points[-1], *(xy(t) for t in tokens if t[:2] in ("s,", "e,")))
    own = [boxes[node] for node in (edge.get("tail"), edge.get("head")) if node in boxes]
    return keeps_off(points, blocks, own, ends) and within(points, room)


def keeps_off(points: list, blocks: list, own: list, ends: tuple, joins: bool = True,
               margin: float = 0.0) -> bool:
    """Whether a new piece of curve keeps off the obstacles: the boxes of its wire's own ends
    (`own`) but near those `ends` (`ends.END_PT`), every other box and label everywhere but
    where it joins Graphviz's curve (its last point, unless it `joins` none), by `margin`
    more."""
    others = [(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
              for x0, y0, x1, y1 in blocks if (x0, y0, x1, y1) not in own]
    nowhere = ((math.inf, math.inf),)
    return not crosses_an_obstacle(points, others, nowhere, joined=joins) and \
        not crosses_an_obstacle(points, own, ends)


# Each side turned to face north (up: Graphviz's y grows upwards), and back: one case to draw.
_TO_NORTH = {"n": lambda x, y: (x, y), "s": lambda x, y: (-x, -y),
             "e": lambda x, y: (-y, x), "w": lambda x, y: (y, -x)}
_FROM_NORTH = {"n": lambda u, v: (u, v), "s": lambda u, v: (-u, -v),
               "e": lambda u, v: (v, -u), "w": lambda u, v: (-v, u)}
RAMP_PT = 36.0       # how far beside the arrowhead a lifted loop comes back to its old line
# How far above an arrowhead's base a lifted loop crosses the update: clear of the arrowhead's
# corners, as a reader sees it, not only of its middle.
LIFT_PT = 9.0
STEP_PT = 6.0        # a lifted loop's control points are this close: it moves as they do
JOIN_PT = 12.0       # a redrawn end may join its old curve at a knot this far apart


def _lifted(loop: dict, box: tuple, side: str, tip, base, extra: float) -> str:
    """A loop's `pos` with its stretch over `side` of `box` near the arrowhead from `base` to
    `tip` lifted (facing north: up) to LIFT_PT above the arrowhead, and `extra` more: every
    control point above the side's line, by the full height across the arrowhead and less
    (a cosine) over RAMP_PT either way; those at or below it stay, so its ends stay at their
    ports."""
    to, back = _TO_NORTH[side], _FROM_NORTH[side]
    corners = [to(x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    line = max(v for _, v in corners)                      # the side, facing north
    (tu, tv), (bu, bv) = to(*tip), to(*base)
    left, right = min(tu, bu) - CLEAR_PT, max(tu, bu) + CLEAR_PT
    top = max(tv, bv) + LIFT_PT + extra
    along = [to(*q) for q in curve(loop)]
    low = min((v for u, v in along if left <= u <= right and v >= line - 1), default=top)
    height = max(0.0, top - low)

    def moved(u: float, v: float) -> tuple[float, float]:
        if v < line - 1:
            return u, v
        beside = max(left - u, u - right, 0.0)
        share = 0.5 * (1 + math.cos(math.pi * beside / RAMP_PT)) if beside < RAMP_PT else 0.0
        rising = min(1.0, (v - line + 1) / CLEAR_PT)        # from the side's line, gently
        return u, v + height * share * rising

    tokens = str(loop.get("pos", "")).split()
    marks = [t for t in tokens if t[:2] in ("s,", "e,")]
    points = subdivided([xy(t) for t in tokens if t[:2] not in ("s,", "e,")], STEP_PT,
                        lambda segment: any(left - RAMP_PT <= to(*q)[0] <= right + RAMP_PT
                                            for q in samples(segment)))
    # its ends stay at their ports; the rest moves with the control points, dense enough
    # that the curve moves with them
    inner = [back(*moved(*to(*q))) for q in points[1:-1]]
    return pos_text(marks, [points[0], *inner, points[-1]])


def updates_of(laid: dict, boxes: dict) -> list[tuple[dict, str]]:
    """(wire, "tail" or "head": its end at the box it updates) of every parameter update of a
    layout whose ends are both laid out among `boxes`."""
    optimisers = {o["_gvid"] for o in laid.get("objects", [])
                  if "optimiser" in str(o.get("class", "")).split()}
    return [(edge, end) for edge in laid.get("edges", [])
            for end in [_box_end(edge, optimisers)]
            if end and edge.get(end) in boxes and edge.get(_OTHER[end]) in boxes]


_OTHER = {"tail": "head", "head": "tail"}


def _box_end(edge: dict, optimisers: set) -> str | None:
    """"tail" or "head": the end of a parameter update at the box it updates (an arrow there,
    the other end at an optimiser); None for any other wire."""
    if "training" not in str(edge.get("class", "")).split():
        return None
    marks = [t[:1] for t in str(edge.get("pos", "")).split() if t[:2] in ("s,", "e,")]
    if marks == ["s"] and edge.get("head") in optimisers:
        return "tail"
    if marks == ["e"] and edge.get("tail") in optimisers:
        return "head"
    return None


def _split(edge: dict, end: str) -> tuple[tuple[float, float], list]:
    """An update's arrow tip and its curve's control points from the box end."""
    tokens = str(edge.get("pos", "")).split()
    tip = xy(next(t for t in tokens if t.startswith("s," if end == "tail" else "e,")))
    return tip, control_points(edge, end)


def control_points(edge: dict, end: str) -> list:
    """A wire's control points (its `pos` without arrow marks), from its `end` ("tail" or
    "head")."""
    points = [xy(t) for t in str(edge.get("pos", "")).split() if t[:2] not in ("s,", "e,")]
    return points if end == "tail" else points[::-1]


def _crowded(laid: dict, edge: dict, end: str, outline: bool = True,
             dense: bool = False) -> bool:
    """Whether another wire, or its arrowhead (its `outline`, else its axis), comes within
    CLEAR_PT of this update's arrowhead (from its tip to its base). `dense`, the wires are
    read every `traces.ALONG_STEP_PT`: a channel's straight run, sampled 12 to a segment, had
    points 17 pt apart either side of an arrowhead round beneath its box it ran through
    (rl_feedback_tampering); read so for every end, the panels of swiss_cheese laid out
    together crossed more wires than apart, and were drawn apart."""
    tip, points = _split(edge, end)
    base = points[0]
    x0, y0 = min(tip[0], base[0]) - CLEAR_PT, min(tip[1], base[1]) - CLEAR_PT
    x1, y1 = max(tip[0], base[0]) + CLEAR_PT, max(tip[1], base[1]) + CLEAR_PT
    return any(_meet(extent, (x0, y0, x1, y1)) and
               any(x0 < x < x1 and y0 < y < y1 and to_segment((x, y), tip, base) < CLEAR_PT
                   for x, y in points)
               for other in laid.get("edges", []) if other is not edge
               for points, extent in (fine_traced(other) if dense else traced(other),
                                      arrows_traced(other, outline))
               if extent is not None)


def _hooks(edge: dict, end: str) -> bool:
    """Whether the arrow points well away from the way its curve comes in (HOOK_PT back): the
    line curls round to come into its box sideways."""
    tip, points = _split(edge, end)
    pointing = unit((tip[0] - points[0][0], tip[1] - points[0][1]))
    along = [bezier(points[i:i + 4], k / 8) for i in range(0, len(points) - 3, 3)
             for k in range(9)]
    back = next((p for p in along if math.dist(p, tip) > HOOK_PT), None)
    coming = unit((tip[0] - back[0], tip[1] - back[1])) if back else None
    return bool(pointing and coming and
                pointing[0] * coming[0] + pointing[1] * coming[1] < HOOK)


def _new_ends(edge: dict, end: str, own: list, side_groups: tuple, room: tuple, blocks: list,
              anew: bool = True):
    """New `pos` values for an update whose box end is redrawn: its arrow's tip at a point of
    one of the sides of its box (`own`: its box and the optimiser's), of each of the
    `side_groups` in turn, the side facing where the curve comes from first and on it the
    place nearest that; straight out beyond the arrowhead and STUB_PT, then one curve into a
    knot of the old one clear of the box, its tangent kept, the nearest knot first: Graphviz's
    knots, then, since a curve it drew as one long segment has none between the box and the
    optimiser, one every JOIN_PT along it; else into the optimiser itself (`_direct`). Only
    Graphviz's knots unless `anew`."""
    tip, points = _split(edge, end)
    graphviz_knots = {tuple(points[i]) for i in range(3, len(points), 3)}
    finer = subdivided(points, JOIN_PT)
    for sides in side_groups:
        yield from _joining(edge, end, tip, points, own, sides, room, blocks, outer=anew)
        if not anew:
            continue
        yield from _direct(edge, end, tip, points, own, sides, room, blocks)
        yield from _joining(edge, end, tip, finer, own, sides, room, blocks,
                            skip=graphviz_knots, onward=6, margin=STROKES_PT)


def _joining(edge: dict, end: str, tip, points: list, own: list, sides: tuple, room: tuple,
             blocks: list, skip: frozenset = frozenset(), onward: int = 0,
             margin: float = 0.0, outer: bool = True):
    """The new ends of `_new_ends` that join the curve of control `points` (from the box end)
    at its first three knots clear of the box, but those in `skip`, turning at most
    MOST_TURNING in all up to `onward` control points beyond the knot (a knot on a bend of
    the old curve would curl the end round), `margin` farther than MISS_PT from other boxes;
    at `_places` (the outer ones with `outer`)."""
    box = own[0]
    arrow = math.dist(tip, points[0])
    knots = [(i, points[i]) for i in range(3, len(points), 3)
             if not near_box(points[i], box, arrow + STUB_PT) and tuple(points[i]) not in skip]
    if not knots:
        return
    far = knots[0][1]
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    sides = sorted(sides, key=lambda s: -(SIDES[s][0] * (far[0] - centre[0]) +
                                          SIDES[s][1] * (far[1] - centre[1])))
    tokens = str(edge.get("pos", "")).split()
    marks = [t for t in tokens if t[:2] in ("s,", "e,")]
    for side in sides:
        # the places nearest where the update comes from first: the shortest new ends
        for at in nearest_first(places(box, side, outer), box, far):
            normal = SIDES[side]
            base = (at[0] + normal[0] * arrow, at[1] + normal[1] * arrow)
            out = (base[0] + normal[0] * STUB_PT, base[1] + normal[1] * STUB_PT)
            for i, knot in knots[:3]:
                # the way the old curve goes on from the knot (at its end: arrives)
                ahead = points[i + 1] if i + 1 < len(points) else (2 * knot[0] - points[i - 1][0],
                                                                   2 * knot[1] - points[i - 1][1])
                tangent = unit((ahead[0] - knot[0], ahead[1] - knot[1]))
                reach = math.dist(out, knot) / 3
                if tangent is None or reach == 0:
                    continue
                new = stub_into(base, normal, out, knot, tangent)
                piece = samples(new)
                beyond = samples(points[i:i + onward + 1])[1:] if onward else []
                if not within(piece, room) or turning(piece + beyond) > MOST_TURNING or \
                        _doubles_back(piece, samples(points[i:]), knot):
                    continue
                # sampled densely: a long curve may graze a box
                if not keeps_off(subdivided(new, STEP_PT), blocks, own, (at, points[-1]),
                                 margin=margin):
                    continue
                whole = new + points[i + 1:]
                whole = whole if end == "tail" else whole[::-1]
                yield pos_text([f"{marks[0][:2]}{at[0]:.2f},{at[1]:.2f}"], whole)


def _direct(edge: dict, end: str, tip, points: list, own: list, sides: tuple, room: tuple,
            blocks: list, turns: tuple = (-math.inf, MOST_TURNING)):
    """The new ends of `_new_ends` that leave Graphviz's curve altogether: from a place on one
    of the `sides` of the box, straight out, then one curve into the middle of a side of the
    optimiser (`own[1]`), square to it, turning more than the first of `turns` (degrees)
    and no more than the second. For an update whose optimiser is near its box, where the
    old curve hugs the box all the way (rl_direct_learning's agent under its loop)."""
    box, optimiser = own
    if optimiser is None:
        return
    arrow = math.dist(tip, points[0])
    centre = ((optimiser[0] + optimiser[2]) / 2, (optimiser[1] + optimiser[3]) / 2)
    mark = next(t for t in str(edge.get("pos", "")).split() if t[:2] in ("s,", "e,"))[:2]
    for side in sorted(sides, key=lambda s: -facing(s, box, centre)):
        normal = SIDES[side]
        spots = nearest_first(places(box, side), box, centre)
        for at in straight_across(box, side, optimiser) + spots:
            base = (at[0] + normal[0] * arrow, at[1] + normal[1] * arrow)
            out = (base[0] + normal[0] * STUB_PT, base[1] + normal[1] * STUB_PT)
            for into, away in entries(optimiser, out):
                new = stub_into(base, normal, out, into, (-away[0], -away[1]))
                piece = samples(new)
                if not within(piece, room) or not turns[0] < turning(piece) <= turns[1] or \
                        not keeps_off(subdivided(new, STEP_PT), blocks, own, (at, into),
                                       joins=False, margin=STROKES_PT):
                    continue
                whole = new if end == "tail" else new[::-1]
                yield pos_text([f"{mark}{at[0]:.2f},{at[1]:.2f}"], whole)


def stub_into(base, normal: tuple, out, knot, tangent: tuple) -> list:
    """The control points of a new end: straight from `base` along `normal` to `out`, then one
    curve into `knot`, arriving along `tangent` (the way the curve it joins goes on), its
    handles a third of the way from `out` to `knot`, the first at most 2 STUB_PT (out of the
    box, not up into the margin)."""
    reach = math.dist(out, knot) / 3
    bend = min(reach, 2 * STUB_PT)
    return [base, mix(base, out, 1 / 3), mix(base, out, 2 / 3), out,
            (out[0] + normal[0] * bend, out[1] + normal[1] * bend),
            (knot[0] - tangent[0] * reach, knot[1] - tangent[1] * reach), knot]


def _doubles_back(new: list, old: list, knot) -> bool:
    """Whether a new end runs along the rest of its own curve (a hairpin whose legs lie one on
    the other), away from the knot where the two join."""
    cells: dict = {}            # the old curve's points by squares of CLEAR_PT: a point
    for q in old:               # nearer than CLEAR_PT lies in a square beside its own
        if math.dist(q, knot) > 2 * CLEAR_PT:
            cells.setdefault((q[0] // CLEAR_PT, q[1] // CLEAR_PT), []).append(q)
    return any(math.dist(p, q) < CLEAR_PT for p in new if math.dist(p, knot) > 2 * CLEAR_PT
               for i in (-1, 0, 1) for j in (-1, 0, 1)
               for q in cells.get((p[0] // CLEAR_PT + i, p[1] // CLEAR_PT + j), ()))
