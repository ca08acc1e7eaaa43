"""A picture whose every node, wire and frame is where a layout put it (`layout=nop2`:
Graphviz's `neato -n2` draws what it is given where it is given): panels set side by side
(`panels`), and figures whose feedback loops were tidied after their layout (`ends`,
`bundles`).
"""

from __future__ import annotations

import copy
import pickle

from .apart import wires_apart
from .bundles import bundle_copies
from .channels import loops_in_channels
from .effort import budget
from .dot import Defaults, Edge, Graph, Id, Node, Positions, Subgraph
from .graphviz import DotFailed, Kept, drawing, find_dot
from .ends import GROW_PT, loops_from_outside, pos_text, split_at, xy
from .optimisers import updates_leave_clear
from .options import RenderError
from .rings import rings_to_heads
from .untangle import bezier, boxes_of
from .updates import askew, updates_clear, updates_of


# The attributes of a wire's arrows, which tidying may change as well as its route.
ARROWS = ("dir", "arrowhead", "arrowtail", "arrowsize")
# The room between boxes side by side (Graphviz's `nodesep`, inches) of a picture laid out
# again where an update still comes into its box askew once tidied (`roomier`), above the
# paper style's 0.2: the most that fits. Set for every picture, 0.3 cost one example its fit
# to 6.5 in, so it is tried only where an update needs it, and kept only where it fits.
ROOMY_IN = (0.4, 0.3)
_TIDIED = Kept(16)      # the last tidied layouts, by DOT text (`tidied_drawing`)


def walk(statements: list):
    """Every statement, in the order the DOT text has them (Graphviz numbers its edges so)."""
    stack = [iter(statements)]
    while stack:
        statement = next(stack[-1], None)
        if statement is None:
            stack.pop()
            continue
        yield statement
        if isinstance(statement, Subgraph):
            stack.append(iter(statement.statements))


def place(tree: Graph, positions: dict, dx: float, dy: float) -> None:
    """Give every node, wire and frame of a tree its laid-out place (`positions`), moved by dx, dy."""
    objects = positions.get("objects", [])
    nodes = {o["name"]: o for o in objects if "pos" in o}
    frames = {o["name"]: o for o in objects if "bb" in o}
    for statement in walk(tree.statements):
        if isinstance(statement, Node) and statement.id in nodes:
            statement.attrs["pos"] = moved(nodes[statement.id]["pos"], dx, dy)
        elif isinstance(statement, Subgraph) and statement.id in frames:
            found = frames[statement.id]
            attrs = frame_attrs(statement)
            attrs["bb"] = moved(found["bb"], dx, dy)
            for key in ("lp", "lwidth", "lheight"):
                if key in found:
                    attrs[key] = moved(found[key], dx, dy) if key == "lp" else found[key]
    # Graphviz lists the wires between two nodes together, not in the text's order: each is
    # found by its ends, ports included, the n-th such wire of the text the n-th laid out
    names = {o["_gvid"]: o["name"] for o in objects}
    laid: dict[tuple, list] = {}
    for wire in sorted(positions.get("edges", []), key=lambda e: e["_gvid"]):
        key = (names[wire["tail"]], wire.get("tailport", ""), names[wire["head"]],
               wire.get("headport", ""))
        laid.setdefault(key, []).append(wire)
    for edge in (s for s in walk(tree.statements) if isinstance(s, Edge)):
        same = laid.get((edge.tail.node, port_of(edge.tail), edge.head.node, port_of(edge.head)))
        if not same:
            raise RenderError("a layout does not match its drawing: this is a bug in wiring; "
                              "please report it with the file")
        wire = same.pop(0)
        if "pos" in wire:
            edge.attrs["pos"] = moved(wire["pos"], dx, dy)
        for key in ARROWS:           # as tidied (`rings`): set on the edge, so drawn as set
            if key in wire and key in edge.attrs:
                edge.attrs[key] = Id(str(wire[key]))


def shift(tree: Graph, dx: float, dy: float) -> None:
    """Move every placed node, wire and frame of a tree by dx, dy."""
    for statement in walk(tree.statements):
        attrs = frame_attrs(statement) if isinstance(statement, Subgraph) else \
            statement.attrs if isinstance(statement, (Node, Edge)) else {}
        for key in ("pos", "bb", "lp"):
            if key in attrs:
                attrs[key] = moved(attrs[key], dx, dy)


def port_of(end) -> str:
    """An edge end's port as Graphviz writes it in a layout (`o1:e`, `h:ne`, or "")."""
    return ":".join(str(part) for part in (end.port, end.compass) if part)


def frame_attrs(frame: Subgraph) -> dict:
    for statement in frame.statements:
        if isinstance(statement, Defaults) and statement.kind == "graph":
            return statement.attrs
    defaults = Defaults("graph", {})
    frame.statements.insert(0, defaults)
    return defaults.attrs


def moved(points: str, dx: float, dy: float) -> Positions:
    """Graphviz coordinates ("x,y", a box "x0,y0,x1,y1", a curve "e,x,y x,y ...") moved."""
    out = []
    for token in str(points).split():
        head = ""
        if token[:2] in ("e,", "s,"):
            head, token = token[:2], token[2:]
        numbers = [float(v) for v in token.split(",")]
        moved = [v + (dx if i % 2 == 0 else dy) for i, v in enumerate(numbers)]
        out.append(head + ",".join(f"{v:.2f}" for v in moved))
    return Positions(" ".join(out))


def tidy_wires(laid: dict, grow: float = GROW_PT) -> int:
    """Tidy the feedback loops and parameter updates of a Graphviz layout
    (`graphviz.drawing`): loops' ends come out of and into their ports from outside
    (`ends`), wires copied from one port run as one wire until they part (`bundles`), updates
    come into their boxes from outside with their arrowheads clear (`updates`), loops that
    run back round their boxes are drawn in a channel of their own (`channels`), updates
    leave their optimisers clear of the signals coming in (`optimisers`), none redrawn more
    than `grow` beyond the layout's box, and the ring of a wire read a step later sits
    behind its arrowhead (`rings`); how many were changed. The stages share a budget of work
    (`effort`): once it is spent, the wires not yet reached stay as they are."""
    with budget():
        return _tidy_stages(laid, grow)


def _tidy_stages(laid: dict, grow: float) -> int:
    tidied = loops_from_outside(laid, grow)
    apart = _loop_routes(laid)
    tidied += bundle_copies(laid) + updates_clear(laid, grow)
    # loops drawn as channels once every other wire is where it will be drawn (an update
    # comes into its box across a loop's way there), from their routes before any was
    # drawn along another, and then drawn along each other again
    bundled = _loop_routes(laid)
    _restore(laid, apart)
    channels = loops_in_channels(laid, grow)
    if channels:   # loops from one port drawn as one wire, and updates clear of them again
        bundle_copies(laid, loops_only=True)
        updates_clear(laid, grow)
    else:
        _restore(laid, bundled)
    # updates leave their optimisers clear of the signals coming in, wherever they now run
    left = updates_leave_clear(laid, grow)
    # and wires that run along each other are bent apart, wherever they now run
    apart = wires_apart(laid, grow)
    return tidied + channels + left + apart + rings_to_heads(laid)


def tidied_drawing(dot_text: str, timeout: float = 120, grow: float = GROW_PT) -> tuple:
    """(layout, changed): Graphviz's drawing of `dot_text` (`graphviz.drawing`) with its
    wires tidied (`tidy_wires`), and how many were changed. A figure is tidied with the same
    text many times over (measured for each option tried, then drawn), and tidying is most
    of its time: the last few are kept (`graphviz.Kept`), and each caller gets a copy of its
    own to change."""
    def made() -> bytes:
        laid = drawing(dot_text, timeout)
        return pickle.dumps((laid, tidy_wires(laid, grow)), pickle.HIGHEST_PROTOCOL)
    return pickle.loads(_TIDIED.get((find_dot(), dot_text, timeout, grow), made))


def _loop_routes(laid: dict) -> dict:
    """The routes (`pos`, `_draw_`) of a layout's feedback wires, by their place in it."""
    return {i: {key: edge[key] for key in ("pos", "_draw_") if key in edge}
            for i, edge in enumerate(laid.get("edges", []))
            if "feedback" in str(edge.get("class", "")).split()}


def _restore(laid: dict, routes: dict) -> None:
    edges = laid.get("edges", [])
    for i, route in routes.items():
        edges[i].pop("_draw_", None)
        edges[i].update(route)


def tidied(tree, timeout: float = 120, size: tuple = (None, None), rings_only: bool = False):
    """`tree` with every node, wire and frame where Graphviz laid it out and its feedback
    loops and updates tidied (`tidy_wires`; only its rings with `rings_only`); `tree` as it
    is where none needed it (or Graphviz fails: it fails again when drawn, and says why).
    Where the tidied picture would not fit in `size` (points: width, height, either None),
    its wires are redrawn only within the layout's box: best_of_n at 6.5 in, a loop's end
    redrawn round the user, was 1.4 pt too wide."""
    from .dot import print_dot

    text = print_dot(tree)
    try:
        if rings_only:
            laid = drawing(text, timeout)
            return _pinned(tree, laid) if rings_to_heads(laid) else tree
        laid, changed = tidied_drawing(text, timeout)
    except DotFailed:
        return tree
    if not changed:
        return tree
    if not any(most is not None for most in size):
        return _pinned(tree, laid)
    grown = _pinned(copy.deepcopy(tree), laid)
    if _within(grown, size, timeout):
        return grown
    try:
        return _pinned(tree, tidied_drawing(text, timeout, grow=0.0)[0])
    except DotFailed:     # laid out once already: a timeout the second time
        return grown


def roomier(tree, fresh, timeout: float = 120, size: tuple = (None, None)):
    """`tree`, a picture tidied (`tidied`), or where one of its parameter updates still comes
    into its box askew, `fresh` (the same picture before its layout) laid out with more room
    between boxes and tidied (`_roomiest`), within `size`."""
    from .dot import print_dot
    from .fit import need

    def lay(room: float) -> tuple | None:
        graph_attrs(fresh)["nodesep"] = room
        laid = drawing(print_dot(fresh), timeout)
        return (fresh, laid) if _no_larger(need(fresh, laid), size) else None

    def finish(trial, _) -> tuple | None:
        trial = tidied(trial, timeout, size)
        return (trial, drawing(print_dot(trial), timeout)) \
            if _within(trial, size, timeout) else None
    return _roomiest(tree, drawing(print_dot(tree), timeout), lay, finish)[0]


def tidied_layout(tree, timeout: float = 120, most_width: float | None = None,
                  roomy: bool = False) -> tuple:
    """(tree, layout): the layout of a panel's `tree` (`graphviz.drawing`) with its wires
    tidied (`tidy_wires`), or with `roomy` (the paper style), where one of its updates still
    comes into its box askew, that of a copy of `tree` with more room between boxes
    (`_roomiest`) whose drawing is no wider than `most_width` (points)."""
    from .dot import print_dot
    from .untangle import size_of

    def lay(room: float) -> tuple | None:
        trial = copy.deepcopy(tree)
        graph_attrs(trial)["nodesep"] = room
        laid = drawing(print_dot(trial), timeout)
        return (trial, laid) if _no_larger(size_of(laid, True)[2:3], (most_width,)) else None

    def finish(trial, laid: dict) -> tuple | None:
        tidy_wires(laid)
        return (trial, laid) if _no_larger(size_of(laid, True)[2:3], (most_width,)) else None
    laid = tidied_drawing(print_dot(tree), timeout)[0]
    return _roomiest(tree, laid, lay, finish) if roomy else (tree, laid)


def _roomiest(tree, laid: dict, lay, finish) -> tuple:
    """(tree, layout): `tree` and its tidied layout `laid`, or where a parameter update comes
    into its box askew there (`updates.askew`: at a corner, along a side, hooking round), the
    picture with more room between boxes: the first of ROOMY_IN that fits laid out
    (`lay(room)`: a tree and its layout, None where too large), tidied (`finish(tree,
    layout)`: the same, tidied, None where too large), kept where fewer updates come in
    askew and no more wires cross (`crossings`, then `crossed_beside`). Squeezed between a
    box and its neighbour, an update has no room to turn square into its side (open_agency's
    store, whose hollow arrowhead pointed along the box's border). One room tidied, not
    each: tidying is most of a picture's time."""
    from .untangle import crossed_beside, crossings

    def counts(layout: dict) -> tuple[int, int, int]:
        return askew_updates(layout), crossings(layout)[0], crossed_beside(layout)
    if not askew_updates(laid):
        return tree, laid
    try:
        trial = next((t for t in map(lay, ROOMY_IN) if t is not None), None)
        done = trial and finish(*trial)
    except DotFailed:          # a layout that fails here fails again when drawn, and says why
        return tree, laid
    if not done:
        return tree, laid
    before, after = counts(laid), counts(done[1])
    fewer = after[0] < before[0] and after[1] <= before[1] and after[2] <= before[2]
    return done if fewer else (tree, laid)


def _no_larger(used: tuple, most: tuple) -> bool:
    return all(limit is None or value <= limit for value, limit in zip(used, most))


def askew_updates(laid: dict) -> int:
    """How many parameter updates of a layout (`graphviz.drawing`) come into their boxes
    askew (`updates.askew`)."""
    boxes = boxes_of(laid)
    return sum(askew(edge, end, boxes[edge[end]]) for edge, end in updates_of(laid, boxes))


def graph_attrs(tree) -> dict:
    """The attributes of a DOT tree's graph (its first `graph [...]` statement)."""
    return next(s.attrs for s in tree.statements if getattr(s, "kind", "") == "graph")


def _within(tree, size: tuple, timeout: float) -> bool:
    """Whether a DOT tree's layout fits in `size` (`fit.tree_size`)."""
    from .fit import tree_size

    return all(most is None or used <= most
               for most, used in zip(size, tree_size(tree, timeout)))


def _pinned(tree, laid: dict):
    """`tree` with every node, wire and frame where `laid` has it (`layout=nop2`)."""
    for edge in laid.get("edges", []):
        if "pos" in edge:
            edge["pos"] = _tight(edge["pos"])
    place(tree, laid, 0.0, 0.0)
    graph = graph_attrs(tree)
    # a redrawn end may pass a box at the picture's edge: the picture grows to hold it
    x0, y0, x1, y1 = _extent(laid)
    shift(tree, -x0, -y0)
    graph.update(layout="nop2", bb=f"0,0,{x1 - x0:.2f},{y1 - y0:.2f}")
    if "lp" in laid:
        lx, ly = xy(laid["lp"])
        graph.update(lp=f"{lx - x0:.2f},{ly - y0:.2f}", lwidth=laid["lwidth"],
                     lheight=laid["lheight"])
    return tree


def _tight(pos: str) -> str:
    """A wire's `pos` with the same curves, each Bézier segment split (de Casteljau) until its
    control points lie within a point of the curve's extent: Graphviz sizes a picture whose
    positions are given by their control points, which lie far beyond a loop's turn (debate's
    figure grew 50 pt taller)."""
    tokens = pos.split()
    marks = [t for t in tokens if t[:2] in ("s,", "e,")]
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    out = points[:1]
    for i in range(0, len(points) - 3, 3):
        out += _split(points[i:i + 4], 4)[1:]
    return pos_text(marks, out)


def _split(segment: list, depth: int) -> list:
    """The control points (first included) of a cubic Bézier segment, split in halves while its
    control points lie over a point beyond the curve's extent, at most `depth` times."""
    curve = [bezier(segment, k / 12) for k in range(13)]
    xs, ys = [x for x, _ in curve], [y for _, y in curve]
    if depth == 0 or all(min(xs) - 1 <= x <= max(xs) + 1 and min(ys) - 1 <= y <= max(ys) + 1
                         for x, y in segment):
        return list(segment)
    left, right = split_at(segment, 0.5)
    return _split(left, depth - 1) + _split(right, depth - 1)[1:]


def _extent(laid: dict) -> tuple[float, float, float, float]:
    """The box of a layout and of every wire's control points in it."""
    x0, y0, x1, y1 = (float(v) for v in laid["bb"].split(","))
    for edge in laid.get("edges", []):
        for token in str(edge.get("pos", "")).split():
            x, y = xy(token)
            x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    return x0, y0, x1, y1
