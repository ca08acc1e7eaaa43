"""Fewer crossing wires: the order of the ports on a box's side, and the layout of the training
wires, chosen from layouts.

Graphviz orders boxes to cross few wires, but takes the ports of an HTML label in the order they
are written: a box whose inputs come from two sources in the opposite order crosses its own
wires. In the paper style (where a port's place says nothing), each side's ports are sorted by
where the wires at them come from or go to in a first layout (the barycentre heuristic of
Sugiyama et al. 1981), the picture laid out again, and the order with the fewest crossings kept.
Then a few layouts of the training wires (`TRAINING`: where updates meet the box they update,
how strongly signals pull an optimiser towards the boxes they read) are tried with those ports,
and one is kept if it crosses fewer wires without making the picture any wider or taller; a
picture that still crosses more than MOST_CROSSINGS pairs may grow, to the layout of those and
of `APART` (each optimiser a rank beyond the boxes its signals read) that crosses fewest, if
that crosses at most MOST_CROSSINGS. Last, in either style, feedback loops are laid out beside
the boxes they close (`loops`) where that crosses no more wires and makes the picture no larger;
and once the loops are tidied (`pinned`), in the paper style, two inputs of a box whose wires
cross, one a loop's, are swapped where that, tidied again, crosses fewer.
`crossings` counts them as the team's reference tool does (../shared/tools/crossings.py): pairs
of wires whose Bézier curves, sampled 12 points a segment, cross, not counting two wires that
share an end box; and wires through a box not their end.
"""

from __future__ import annotations

import functools
import math

from .effort import spend
from .scene import TrainingLayout

SAMPLES = 12
GRID_PT = 16.0           # the cells `_tracks_cross` finds the segments that may meet by
ROUNDS = 2               # reorderings tried after the first layout
SWAPS = 3                # pairs of crossing outputs, and of inputs, swapped, at most (`_swapped`)
MOST_BOXES = 60          # past this a figure is not read wire by wire: no second layout
MOST_WIRES = 200         # ... nor past this (the examples draw at most 53)
SLACK_PT = 2.0           # a layout this much wider or taller than the first is no larger

# A figure whose wires cross more often than this once its training wires are laid out at its
# size (issue 13's bound for a figure a reader can follow) may grow if that brings it within
# the bound: the layouts of TRAINING that were larger are kept in the running, and those of
# APART tried, each optimiser a rank beyond the boxes that its signals' sources feed, where its
# signals need not cross the wires into those boxes (IDA: H and H' feed X_k, train H' reads
# both).
MOST_CROSSINGS = 5

# The layouts of the training wires tried after the first (`scene.TrainingLayout`), in this
# order: each update on the side after its box (bottom, or right top to bottom) with the
# signals pulling their optimiser towards their sources; on the side before it; at the corner
# with a short update.
TRAINING = (TrainingLayout(update_end="after", signal_weight=3),
            TrainingLayout(update_end="before"),
            TrainingLayout(update_weight=5))
APART = (TrainingLayout(apart=True),
         TrainingLayout(update_end="after", signal_weight=3, apart=True))


def untangled_tree(scene, timeout: float = 120, panel: bool = False, training: bool = True):
    """The DOT tree of a scene (as `fit.scaled_tree`), in the paper style with each box's
    ports in the order, and its training wires in the layout, of those tried, whose layout
    crosses fewest wires; in either style with its feedback loops laid out beside the boxes
    they close where that crosses no more wires (`loops`). Without Graphviz, or for a large
    picture, the ports stay in their declared order, the training wires and loops as drawn by
    default, as they are without `training` (a size measured so is a bound). A `panel` is set
    beside others by the extent of what it draws (`panels._composed`), not by its layout's
    box: that extent may not grow either."""
    from .fit import scaled_tree
    from .graphviz import find_dot
    from .loops import lay_out_loops
    from .scene import Box

    boxes = [b for b in scene.nodes().values() if isinstance(b, Box)]
    if not boxes or len(boxes) > MOST_BOXES or len(scene.wires) > MOST_WIRES \
            or find_dot() is None:
        return scaled_tree(scene)
    if scene.options.style == "paper":
        _untangle_paper(scene, boxes, timeout, panel, training)
    if training and any(w.feedback for w in scene.wires):
        lay_out_loops(scene, timeout, panel)
    sources = [(w.src.node, w.src.port, w.style) for w in scene.wires]
    if training and (len(set(sources)) < len(sources) or
                     any(w.feedback or w.style != "data" for w in scene.wires)):
        from .pinned import roomier, tidied

        # a panel's wires are tidied where its layout is placed beside the others'; a figure
        # with neither loops nor updates may still have copies to draw as one wire (`bundles`)
        if panel:
            return scaled_tree(scene)
        size = (scene.options.width_pt, scene.options.height_pt)
        tree = tidied(scaled_tree(scene), timeout, size)
        if scene.options.style == "paper" and ROUNDS:
            tree = _loop_inputs_swapped(scene, boxes, tree, size, timeout)
            tree = roomier(tree, scaled_tree(scene), timeout, size)
        return tree
    return scaled_tree(scene)


def _loop_inputs_swapped(scene, boxes, tree, size: tuple, timeout: float):
    """A tidied tree (`pinned.tidied`) with two inputs of a box swapped where a feedback
    loop into one crosses the wire into the other (`_input_swaps`), kept if, tidied again,
    that crosses fewer wires (`crossings`, then `crossed_beside`) within the size asked.
    The ports are sorted on the first layout, where a loop runs as Graphviz routes it; tidied,
    it comes into its port from behind (`ends`, `channels`), and may cross the wire into the
    port beside it just where it turns in: rl_model_based_rewards' loop from the agent to
    the sensor's `tamper` turned in on world -> `state`, and read as the world feeding it."""
    from .dot import print_dot
    from .fit import scaled_tree
    from .graphviz import DotFailed, drawing
    from .loops import lay_out_loops
    from .pinned import tidied

    orders, loops = _orders(boxes), scene.loops
    try:
        laid = drawing(print_dot(tree), timeout)
        counts = crossings(laid)[0], crossed_beside(laid)
        for node, one, other in _input_swaps(laid, boxes)[:SWAPS]:
            _swap(boxes, "ins", node, one, other)
            lay_out_loops(scene, timeout)           # the loops laid out anew for that order
            trial = tidied(scaled_tree(scene), timeout, size)
            laid = drawing(print_dot(trial), timeout)
            found = crossings(laid)[0], crossed_beside(laid)
            if found < counts and all(most is None or used <= most + SLACK_PT
                                      for most, used in zip(size, size_of(laid))):
                counts, tree, loops = found, trial, scene.loops
                orders = _orders(boxes)
            else:
                _restore(boxes, orders)
                scene.loops = loops
    except DotFailed:          # a layout that fails here fails again when drawn, and says why
        _restore(boxes, orders)
        scene.loops = loops
    return tree


def _input_swaps(laid: dict, boxes) -> list[tuple[str, str, str]]:
    """(box, cell, cell): two inputs of a box whose wires cross (a pair `crossed_beside`
    counts), one of them a feedback loop's."""
    names = {o["_gvid"]: o["name"] for o in laid.get("objects", [])}
    ins = {(b.id, cell) for b in boxes for cell, _ in b.ins}
    swaps = []
    for pair in _beside(laid):
        if not any("feedback" in str(e.get("class", "")).split() for e in pair):
            continue
        (box, one), (other_box, other) = (_input_of(e, names) for e in pair)
        swap = (box, *sorted((one, other)))
        if box == other_box and one != other and {(box, one), (box, other)} <= ins \
                and swap not in swaps:
            swaps.append(swap)
    return swaps


def _input_of(edge: dict, names: dict) -> tuple[str, str]:
    """(box, cell) of the input a laid-out wire comes into: its tail's where it was written
    backwards."""
    end = "tail" if _written_backwards(edge) else "head"
    return names.get(edge[end]), _cell(edge, end)


def _written_backwards(edge: dict) -> bool:
    """Whether a laid-out wire was written from its target to its source (`draw.edge`: a
    feedback loop, an update): `dir=back`, or a ring (`odot`) at its head."""
    return str(edge.get("dir", "")) == "back" or (
        str(edge.get("dir", "")) == "both" and str(edge.get("arrowhead", "")) == "odot")


def _untangle_paper(scene, boxes: list, timeout: float, panel: bool, training: bool) -> None:
    """The paper style's ports' order and training wires' layout (`untangled_tree`)."""
    from .dot import print_dot
    from .fit import scaled_tree
    from .graphviz import DotFailed, drawing

    declared = _orders(boxes)
    first = scene.training
    best, best_orders, best_training = None, declared, first
    try:
        laid = drawing(print_dot(scaled_tree(scene)), timeout)
        best, size = crossings(laid)[0], size_of(laid, panel)
        beside, best_laid = crossed_beside(laid), laid
        # each side of every box sorted at once, then (where wires between the same boxes
        # still cross) one side at a time: sorted together, two boxes' facing sides swap
        # both, and their wires cross the other way
        for sides in [("ins", "outs")] * ROUNDS + [("outs",), ("ins",)] * (ROUNDS > 0):
            if best == 0 and (beside == 0 or len(sides) == 2):
                continue
            _sort_ports(boxes, laid, scene.options.direction, sides)
            laid = drawing(print_dot(scaled_tree(scene)), timeout)
            count, other = crossings(laid)[0], crossed_beside(laid)
            if (count, other) < (best, beside):
                best, beside = count, other
                best_orders = _orders(boxes)
                size = size_of(laid, panel)           # the size the picture would have had
                best_laid = laid
        trained = training and any(w.style != "data" for w in scene.wires)
        if beside and ROUNDS and best <= MOST_CROSSINGS:
            _restore(boxes, best_orders)
            # two inputs only once the training wires are laid out, where they will be: an
            # optimiser's place decides which way its update can come in (critiques' critic
            # update ran along critic -> critique_rm once rater's inputs were swapped early)
            best, beside, best_orders, size = _swapped(scene, boxes, best_laid, (best, beside),
                                                       best_orders, size, panel, timeout,
                                                       inputs=not (trained and best))
        if trained and best:
            _restore(boxes, best_orders)
            best_training, best_orders = _training_layout(scene, boxes, best, best_orders, size,
                                                          panel, timeout)
            if ROUNDS:                  # (none: the declared order, as in the first pass)
                best_orders = _swapped_again(scene, boxes, best_training, best_orders, panel,
                                             timeout)
    except DotFailed:          # a layout that fails here fails again when drawn, and says why
        best_orders, best_training = declared, first
    scene.training = best_training
    _restore(boxes, best_orders)


def _swapped(scene, boxes, laid: dict, counts: tuple[int, int], orders: list, size: tuple,
             panel: bool, timeout: float, inputs: bool = True) -> tuple:
    """Where the wires of two outputs, or two inputs, of a box still cross (`_side_swaps`),
    the two swapped, kept if that crosses fewer wires: the mean places that sort a side
    lean the wrong way when a wire must swing round a box (debate's b: `answer`, read by the
    judge and by pick, its wires down the right of the referee, was sorted left of
    `argument`, which feeds the referee, and the two wires met in a U). At most SWAPS tries
    of each; (crossings, crossed beside), the ports' orders and the size of the layout
    kept; `laid` the layout of `orders`."""
    from .dot import print_dot
    from .fit import scaled_tree
    from .graphviz import drawing

    for side, node, one, other in _side_swaps(laid, boxes, inputs):
        _swap(boxes, side, node, one, other)
        laid = drawing(print_dot(scaled_tree(scene)), timeout)
        found = crossings(laid)[0], crossed_beside(laid)
        if found < counts:
            counts, orders, size = found, _orders(boxes), \
                size_of(laid, panel)
        else:
            _restore(boxes, orders)
    return (*counts, orders, size)


def _swapped_again(scene, boxes, training, orders: list, panel: bool, timeout: float) -> list:
    """The ports' `orders` with two outputs swapped where their wires cross once the training
    wires are laid out (`_swapped`): where the optimisers come to lie decides which way two
    signals from one box should leave it (critiques' rater: `rating` and `helpfulness` crossed
    beneath it on their way to their optimisers)."""
    from .dot import print_dot
    from .fit import scaled_tree
    from .graphviz import drawing

    scene.training = training
    _restore(boxes, orders)
    laid = drawing(print_dot(scaled_tree(scene)), timeout)
    counts = crossings(laid)[0], crossed_beside(laid)
    if not counts[1] or counts[0] > MOST_CROSSINGS:
        return orders
    return _swapped(scene, boxes, laid, counts, orders, size_of(laid, panel), panel, timeout)[2]


def _side_swaps(laid: dict, boxes, inputs: bool = True) -> list[tuple[str, str, str, str]]:
    """(side, box, cell, cell): two outputs of a box whose wires cross (a pair
    `crossed_beside` counts), none read by both boxes (swapped, two fans into the same boxes
    cross as often), or two inputs whose wires cross, neither from a box with an update;
    at most SWAPS of each, the outputs' first. The mean places that sort a side lean the wrong way for an output read by
    several boxes (a mean of places its wires may not pass near), for outputs read by one
    box each where the boxes they feed move once the side is sorted
    (control_defer_to_trusted's audit: `passed` and `caught` crossed beneath it), and for an
    input whose one wire must pass round a box on its way and comes in from the other side
    (the same figure's monitor: problems -> `prompt` passed left of u, and crossed
    u -> `response` twice just below u)."""
    names = {o["_gvid"]: o["name"] for o in laid.get("objects", [])}
    sides = {(b.id, cell): side for b in boxes for side in ("ins", "outs")
             for cell, _ in getattr(b, side)}
    reach: dict[tuple, set] = {}
    for edge in laid.get("edges", []):
        tail, head = names.get(edge["tail"]), names.get(edge["head"])
        reach.setdefault((tail, _cell(edge, "tail")), set()).add(head)
        reach.setdefault((head, _cell(edge, "head")), set()).add(tail)
    # boxes with a parameter update (written from the box, `_written_backwards`): where their
    # wires come in moves where their update can (critiques' rater: its `critique` moved
    # under the critic, the critic's update came in at a corner along critic -> critique_rm)
    trained = {names.get(e["tail"]) for e in laid.get("edges", [])
               if "training" in str(e.get("class", "")).split() and _written_backwards(e)}
    swaps = []
    for one, other in _beside(laid):
        for node_key in ("tail", "head"):
            for end_key in ("tail", "head"):
                a = (names.get(one[node_key]), _cell(one, node_key))
                b = (names.get(other[end_key]), _cell(other, end_key))
                side = sides.get(a)
                if a[0] == b[0] and a != b and side is not None and side == sides.get(b) \
                        and not reach[a] & reach[b] \
                        and (side == "outs" or not (reach[a] | reach[b]) & trained):
                    swap = (side, a[0], *sorted((a[1], b[1])))
                    swaps += [swap] if swap not in swaps else []
    return [swap for swap in swaps if swap[0] == "outs"][:SWAPS] + \
        [swap for swap in swaps if swap[0] == "ins" and inputs][:SWAPS]


def _cell(edge: dict, end: str) -> str:
    return str(edge.get(f"{end}port", "")).split(":")[0]


def _training_layout(scene, boxes, best: int, orders: list, size: tuple, panel: bool,
                     timeout: float) -> tuple:
    """The layout of the training wires (of `TRAINING`, and `APART` when the picture stays too
    tangled) and the ports' order that cross fewest wires, `best` the count with the first
    layout and `orders`, in a layout of `size` (`_size`)."""
    from .dot import print_dot
    from .fit import scaled_tree
    from .graphviz import drawing

    best_training, chosen, larger = scene.training, None, []
    for tried in TRAINING:
        scene.training = tried
        laid = drawing(print_dot(scaled_tree(scene)), timeout)
        count = crossings(laid)[0]
        if count < best and within(size_of(laid, panel), size):
            best, best_training, chosen = count, tried, laid
            if best == 0:
                break
        else:
            larger.append((count, _area(laid), tried, laid))
    if best > MOST_CROSSINGS:       # too tangled to read: a larger picture is better
        for tried in APART:
            scene.training = tried
            laid = drawing(print_dot(scaled_tree(scene)), timeout)
            larger.append((crossings(laid)[0], _area(laid), tried, laid))
        count, _, tried, laid = min(larger, key=lambda t: t[:2])
        if count <= MOST_CROSSINGS:            # only to be read: growing to stay tangled is not
            best, best_training, chosen = count, tried, laid
            size = size_of(laid, panel)          # the size it may keep
    scene.training = best_training
    if best and chosen is not None:            # its ports sorted again from its layout
        _sort_ports(boxes, chosen, scene.options.direction)
        laid = drawing(print_dot(scaled_tree(scene)), timeout)
        if crossings(laid)[0] < best and within(size_of(laid, panel), size):
            orders = _orders(boxes)
    return best_training, orders


def _area(laid: dict) -> float:
    width, height = size_of(laid)
    return width * height


def _orders(boxes) -> list[tuple[list, list]]:
    """The order of every box's inputs and outputs, to go back to (`_restore`)."""
    return [(list(b.ins), list(b.outs)) for b in boxes]


def _swap(boxes, side: str, node: str, one: str, other: str) -> None:
    """Swap two ports (by cell) on a `side` ("ins", "outs") of the box `node`."""
    ports = getattr(next(b for b in boxes if b.id == node), side)
    cells = [cell for cell, _ in ports]
    i, j = cells.index(one), cells.index(other)
    ports[i], ports[j] = ports[j], ports[i]


def _restore(boxes, orders) -> None:
    for box, (ins, outs) in zip(boxes, orders):
        box.ins[:], box.outs[:] = ins, outs


def within(size: tuple[float, ...], first: tuple[float, ...], slack: float = SLACK_PT) -> bool:
    """Whether a layout of `size` (`_size`) is no wider and no taller than the first (by more
    than `slack` points)."""
    return all(a <= b + slack for a, b in zip(size, first))


def size_of(laid: dict, panel: bool = False) -> tuple[float, ...]:
    """The width and height of a layout, in points; for a panel, also those of what it
    draws, its boxes and wires (a wire may swing into a frame's margin without making the
    layout larger, but the panels are set side by side by what they draw)."""
    x0, y0, x1, y1 = (float(v) for v in str(laid.get("bb", "0,0,0,0")).split(","))
    if not panel:
        return x1 - x0, y1 - y0
    points = [p for edge in laid.get("edges", []) for p in curve(edge)]
    for x0, y0, x1, y1 in boxes_of(laid).values():
        points += [(x0, y0), (x1, y1)]
    if not points:
        return x1 - x0, y1 - y0, 0.0, 0.0
    left, bottom, right, top = _extent(points)
    return x1 - x0, y1 - y0, right - left, top - bottom


def _sort_ports(boxes, laid: dict, direction: str,
                sides: tuple[str, ...] = ("ins", "outs")) -> None:
    """The ports of each of the `sides` ("ins", "outs") of every box by the mean place, across
    the flow, of the other ends of their wires (top first in LR, left first in TB), feedback
    loops and updates left out: a port that only they meet comes last."""
    names = {o["_gvid"]: o["name"] for o in laid.get("objects", [])}
    across, sign = (1, -1) if direction == "LR" else (0, 1)
    into: dict[tuple, list[float]] = {}
    out_of: dict[tuple, list[float]] = {}
    for edge in laid.get("edges", []):
        ends = _ends(edge)
        if ends is None:
            continue
        if _written_backwards(edge):
            # a loop (or an update) is routed once the ports are sorted, round the boxes and
            # into its port from behind (`loops`, `ends`, `channels`): where its far end lies
            # says little of where it will come in. Counted, debate's and ida's tidied
            # figures crossed 7 pairs each, not 2 and 3
            continue
        start, end = ends
        tail = (names.get(edge["tail"]), str(edge.get("tailport", "")).split(":")[0])
        head = (names.get(edge["head"]), str(edge.get("headport", "")).split(":")[0])
        out_of.setdefault(tail, []).append(sign * end[across])
        into.setdefault(head, []).append(sign * start[across])

    def mean(places: dict, box, cell) -> float:
        found = places.get((box.id, cell))
        return sum(found) / len(found) if found else float("inf")
    for box in boxes:
        if "ins" in sides:
            box.ins.sort(key=lambda item: mean(into, box, item[0]))
        if "outs" in sides:
            box.outs.sort(key=lambda item: mean(out_of, box, item[0]))


def boxes_of(laid: dict) -> dict[int, tuple[float, float, float, float]]:
    """Each laid-out node's box (left, bottom, right, top, in points) by its `_gvid`."""
    boxes = {}
    for item in laid.get("objects", []):
        if "nodes" in item or "pos" not in item:        # a cluster, or nothing laid out
            continue
        x, y = (float(v) for v in item["pos"].split(",")[:2])
        w, h = float(item["width"]) * 36, float(item["height"]) * 36
        boxes[item["_gvid"]] = (x - w, y - h, x + w, y + h)
    return boxes


def _ends(edge: dict) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Where a laid-out wire starts and ends (its arrow's tip, when it has one)."""
    start = end = None
    points = []
    for token in str(edge.get("pos", "")).split():
        x, y = (float(v) for v in token.split(",")[-2:])
        if token.startswith("e,"):
            end = (x, y)
        elif token.startswith("s,"):
            start = (x, y)
        else:
            points.append((x, y))
    if not points:
        return None
    return start or points[0], end or points[-1]


def bezier(points: list, t: float) -> tuple[float, float]:
    """The point at t (0 to 1) of the Bézier curve of control points `points`."""
    if len(points) == 4:
        # a cubic segment, the case of every wire: de Casteljau's steps written out, the same
        # arithmetic in the same order (the same bits) at a third of the cost
        s = 1 - t
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = points
        abx, aby, bcx, bcy = s * ax + t * bx, s * ay + t * by, s * bx + t * cx, s * by + t * cy
        cdx, cdy = s * cx + t * dx, s * cy + t * dy
        abcx, abcy, bcdx, bcdy = s * abx + t * bcx, s * aby + t * bcy, \
            s * bcx + t * cdx, s * bcy + t * cdy
        return s * abcx + t * bcdx, s * abcy + t * bcdy
    while len(points) > 1:
        points = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1])
                  for a, b in zip(points, points[1:])]
    return points[0]


def curve(edge: dict) -> list[tuple[float, float]]:
    """The sampled points of a laid-out wire: of every curve Graphviz draws for it (`-Tjson`:
    a wire of several colours is several parallel curves, taken one after the other as the
    reference tool takes them), else of its control points (`-Tjson0`)."""
    return list(_track(_drawn(edge))[0])


def traced(edge: dict) -> tuple:
    """(the points of `curve`, not copied; their extent, None when there are none)."""
    track = _track(_drawn(edge))
    return track[0], track[3]


def _drawn(edge: dict) -> tuple:
    """The control points of every curve drawn for a wire (see `curve`), as a key."""
    drawn = tuple(tuple(map(tuple, op["points"]))
                  for op in edge.get("_draw_", ()) if op.get("op") == "b")
    return drawn or _pos_drawn(str(edge.get("pos", "")))


@functools.lru_cache(maxsize=1024)
def _pos_drawn(pos: str) -> tuple:
    """`_drawn` of a wire Graphviz has not drawn, from its `pos`; the last 1024 remembered,
    for every wire is read again each time one is redrawn."""
    return (tuple(tuple(float(v) for v in token.split(",")[-2:])
                  for token in pos.split() if token[:2] not in ("e,", "s,")),)


@functools.lru_cache(maxsize=512)
def sampled(drawn: tuple) -> tuple[tuple[float, float], ...]:
    """Points along curves of cubic Bézier segments (each curve its control points, as a
    tuple of tuples), SAMPLES a segment; the last 512 are remembered, for the layouts tried
    re-read the wires they share."""
    points: list[tuple[float, float]] = []
    for control in drawn:
        for i in range(0, len(control) - 3, 3):
            points += [bezier(control[i:i + 4], k / SAMPLES) for k in range(SAMPLES + 1)]
    return tuple(points)


@functools.lru_cache(maxsize=512)
def _track(drawn: tuple) -> tuple:
    """(sampled points, segments, each segment's extent and the cells of GRID_PT it covers,
    the whole extent, the segments by those cells) of a wire's curves (`_drawn`)."""
    points = sampled(drawn)
    segments = list(zip(points, points[1:]))
    extents = [(extent, _cells(extent)) for extent in
               ((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
                for (ax, ay), (bx, by) in segments)]
    grid: dict = {}
    for index, (_, cells) in enumerate(extents):
        for cell in cells:
            grid.setdefault(cell, []).append(index)
    return points, segments, extents, _extent(points) if points else None, grid


def _cells(extent: tuple) -> list[tuple[int, int]]:
    """The cells of GRID_PT an extent covers."""
    x0, y0, x1, y1 = (math.floor(v / GRID_PT) for v in extent)
    return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]


def _tracks_cross(one: tuple, other: tuple) -> bool:
    """Whether the curves of two wires (`_drawn`) cross. Two segments cross only within both
    their extents, so only the segments of each that reach into the other's extent, and of
    the other's only those that share a cell with it (`_track`) and whose extents meet it,
    are tested: the same answer as every pair."""
    _, segments, extents, whole, _ = _track(one)
    _, other_segments, other_extents, other_whole, grid = _track(other)
    if whole is None or other_whole is None or not _meet(whole, other_whole):
        return False
    for segment, (extent, cells) in zip(segments, extents):
        if _meet(extent, other_whole) and any(
                _meet(extent, other_extents[k][0]) and _cross(*segment, *other_segments[k])
                for cell in cells for k in grid.get(cell, ())):
            return True
    return False


def _meet(a: tuple, b: tuple) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def crossed_beside(laid: dict) -> int:
    """Pairs of wires that cross and share a box but not a port: the reference tool
    (`crossings`) leaves out every pair that shares a box, but two wires between the same two
    boxes cross only when their ports are in opposite orders, which a reader sees as an
    avoidable knot."""
    return len(_beside(laid))


def _beside(laid: dict) -> list[tuple[dict, dict]]:
    """The pairs of laid-out wires `crossed_beside` counts."""
    edges = [e for e in laid.get("edges", []) if curve(e)]
    ends = [{(e["tail"], _cell(e, "tail")), (e["head"], _cell(e, "head"))} for e in edges]
    drawn = [_drawn(e) for e in edges]
    pairs = []
    for i, one in enumerate(edges):
        for j in range(i + 1, len(edges)):
            other = edges[j]
            if not {one["tail"], one["head"]} & {other["tail"], other["head"]} \
                    or ends[i] & ends[j]:
                continue
            if _tracks_cross(drawn[i], drawn[j]):
                pairs.append((one, other))
    return pairs


def _turn(p, q, r) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _cross(a, b, c, d) -> bool:
    return _turn(a, b, c) * _turn(a, b, d) < 0 and _turn(c, d, a) * _turn(c, d, b) < 0


def _extent(points) -> tuple[float, float, float, float]:
    xs, ys = zip(*points)
    return min(xs), min(ys), max(xs), max(ys)


def crossings(laid: dict) -> tuple[int, int]:
    """(pairs of wires that cross, wires through a box not their end) of a Graphviz layout
    (`dot -Tjson` or `-Tjson0`)."""
    boxes = boxes_of(laid)
    edges = [e for e in laid.get("edges", []) if curve(e)]
    drawn = [_drawn(e) for e in edges]
    boxes_at = [{e["tail"], e["head"]} for e in edges]
    crossed = sum(1 for i in range(len(edges)) for j in range(i + 1, len(edges))
                  if boxes_at[i].isdisjoint(boxes_at[j]) and _tracks_cross(drawn[i], drawn[j]))
    through = sum(_through(edge, key, boxes) for edge, key in zip(edges, drawn))
    return crossed, through


def _through(edge: dict, drawn: tuple, boxes: dict) -> bool:
    """Whether a wire (its curves, `_drawn`) passes through a box not its end."""
    points, _, _, whole, _ = _track(drawn)
    return any(gvid not in (edge["tail"], edge["head"]) and _meet(whole, (x0, y0, x1, y1)) and
               any(x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1 for x, y in points)
               for gvid, (x0, y0, x1, y1) in boxes.items())


def tangles_of(laid: dict, edge: dict, boxes: dict) -> tuple[int, int, int]:
    """One wire's part of what `crossings` and `crossed_beside` count for a whole layout, all
    that changes when only it is redrawn: (the wires it crosses, 1 if it passes through a box,
    the wires it crosses beside a box they share)."""
    mine, at = _drawn(edge), {edge["tail"], edge["head"]}
    ports = {(edge["tail"], _cell(edge, "tail")), (edge["head"], _cell(edge, "head"))}
    crossed = beside = 0
    spend(len(laid.get("edges", ())))
    for other in laid.get("edges", []):
        if other is edge:
            continue
        drawn = _drawn(other)
        if not _track(drawn)[0] or not _tracks_cross(mine, drawn):
            continue
        if at.isdisjoint((other["tail"], other["head"])):
            crossed += 1
        elif ports.isdisjoint({(other["tail"], _cell(other, "tail")),
                               (other["head"], _cell(other, "head"))}):
            beside += 1
    return crossed, int(_through(edge, mine, boxes)), beside
