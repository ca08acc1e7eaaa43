"""Several panels in one picture: one per mode of a diagram (`--panels modes`, as InstructGPT
draws its three training steps), or one per top diagram of a file (`--panels diagrams`).

Each panel is the picture of that mode or diagram alone (`to_scene`), titled, and laid out by
Graphviz on its own; mode panels may instead all be cut from one layout of every mode at once
(`_mode_panels`), which keeps a box drawn in several modes at the same place in each panel,
and are when that costs no crossings and not much room (`_chosen`, `ROOM`). The panels are
then placed in rows no wider than the width asked for (one row without `--width`), with the
key below them, and the whole is handed to Graphviz with every node, wire and frame where it
was laid out (`layout=nop2`: Graphviz's `neato -n2`, which draws what it is given where it is
given). So every output format, `--width` and TikZ work on a picture of panels as on any
other. Ids get the panel's title in front (`sft/policy`), so that a box drawn in three panels
is three groups of the SVG.
"""

from __future__ import annotations

import copy
import dataclasses
import statistics
from collections import Counter

from .dot import Assign, Defaults, Edge, Graph, Html, Node, SameRank, Subgraph, html, print_dot
from .graphviz import bounding_box
from .pinned import frame_attrs, moved, place, shift, tidied_layout, walk
from .options import PAGE_PT, RenderError

GAP_PT = 16.0            # between two panels, and between the panels and the key
TITLE_GAP = 6.0          # between a panel's title and the wires and boxes below it
PER_ROW = 4              # panels a row without a width: a grid, not a strip of forty
# The most panels a figure has: each is a Graphviz layout of its own (a file of 149 modes took
# 23 s to draw, one of 5,000 would take half an hour), and a page holds a few rows of a few.
MAX_PANELS = 24
# The shares of the room beside the last row of panels a key is tried in (`_key_place`).
KEY_ROOMS = (1.0, 0.66, 0.5, 0.33)
# Mode panels cut from one layout of every mode (a box at the same place in each) are drawn
# unless they take more than this many times the room of panels each laid out alone: that
# layout has room for every mode's boxes, which is often twice what one mode needs (RLHF's
# four panels would be 16 in tall at 6.5 in, not 8), and a figure taller than a page is not
# worth its panels' agreement.
ROOM = 1.75
# At a width asked for, room is height, and a page's height is short: the agreement is worth
# less (RLHF's four panels at 6.5 in were 13.3 in tall cut from one layout, 8.3 in apart).
ROOM_AT_WIDTH = 1.2


def panel_tree(proposal, diagram: str | None, options, analysis=None,
               timeout: float = 120, training: bool = True) -> Graph:
    """The DOT tree of the panels `options.panels` asks for, every position fixed (`training`:
    see `fit.drawn_tree`)."""
    from . import to_scene
    from .fit import scaled_tree

    whole = dataclasses.replace(options, panels=None, mode=None)

    def composed(placed: list, scenes: list) -> Graph:
        # one caption and key for the figure: of the diagram with every mode, or of every
        # diagram drawn (`Scene.panels`); its key no wider than `room` where one is given
        def caption(room: float | None) -> Graph:
            narrow = whole if room is None else dataclasses.replace(whole, width=f"{room:.2f}pt")
            figure = to_scene(proposal, diagram, analysis=analysis, options=narrow)
            if options.panels == "diagrams":
                _of_panels(figure, scenes)
            return scaled_tree(figure)
        return _composed(placed, caption, options.width_pt, timeout)

    apart = composed(*_separate_panels(proposal, diagram, options, analysis, timeout,
                                       training))
    if options.panels != "modes" or not training:   # measuring a size: apart is the bound
        return apart
    aligned = composed(_mode_panels(proposal, diagram, options, analysis, timeout, training), [])
    return _chosen(aligned, apart, options, timeout)


def _of_panels(figure, scenes: list) -> None:
    """Make `figure`, a scene drawn for its caption, that of panels of `scenes`: the caption
    names their diagrams, its key explains what they draw, and it lists their findings (a
    code asked for is missing when no panel has it)."""
    figure.panels = scenes
    if figure.findings is not None:
        figure.findings = [f for scene in scenes for f in scene.findings or []]
        figure.missing = sorted(set.intersection(*(set(scene.missing) for scene in scenes)))


def _chosen(aligned: Graph, apart: Graph, options, timeout: float) -> Graph:
    """The panels cut from one layout, unless they cross more wires than those laid out
    apart, or have more feedback loops swept away from the boxes they close (that layout's
    loops are laid out for every mode at once: best_of_n's filter loop rose 36 pt over its
    panel, 16 pt laid out alone), or take more than ROOM times their room on the page (their
    area; ROOM_AT_WIDTH times their height at a width asked for, unless within a page), or
    are wider or taller than the size asked where those fit (`fit` measures those: they are
    a bound)."""
    from .fit import need
    from .graphviz import drawing
    from .loops import BESIDE_PT, sweeps
    from .untangle import crossings

    width_pt, height_pt = options.width_pt, options.height_pt

    def measure(tree: Graph) -> tuple[tuple[int, int], float, float, float]:
        laid = drawing(print_dot(tree), timeout)
        # sized as `fit` sizes the picture, with its padding: else panels 1 pt within the
        # width here were 3 pt too wide there
        wide, tall = need(tree, laid)
        swept = sum(far > BESIDE_PT for far in sweeps(laid))
        return (crossings(laid)[0], swept), tall * (1 if width_pt is not None else wide), \
            wide, tall

    ((crossed, swept), room, wide, tall), \
        ((crossed_apart, swept_apart), room_apart, wide_apart, tall_apart) = \
        measure(aligned), measure(apart)
    fits = (width_pt is None or wide <= max(width_pt, wide_apart)) and \
        (height_pt is None or tall <= max(height_pt, tall_apart))
    most = (ROOM if width_pt is None else ROOM_AT_WIDTH) * room_apart
    # at a width, within a page (or the height asked) the room is there to spend
    page = width_pt is not None and tall <= (height_pt or PAGE_PT)
    tidy = crossed <= crossed_apart and swept <= swept_apart
    return aligned if fits and tidy and (room <= most or page) else apart


def _separate_panels(proposal, diagram, options, analysis, timeout: float,
                     training: bool) -> tuple[list, list]:
    """Each panel laid out alone: (tree, layout) a panel, and the panels' scenes."""
    from . import to_scene
    from .graphviz import layout
    from .untangle import untangled_tree

    placed, scenes = [], []
    for title, name, panel_options in panel_list(proposal, diagram, options):
        scene = to_scene(proposal, name, analysis=analysis if name == diagram else None,
                         options=panel_options)
        tree = untangled_tree(scene, timeout, panel=True, training=training)
        _retitle(tree, title)
        _prefix(tree, f"{title}/")
        tree, positions = tidied_layout(tree, timeout, options.width_pt,
                                        options.style == "paper") if training else \
            (tree, layout(print_dot(tree), timeout))
        place(tree, positions, 0.0, 0.0)
        _title_clear(tree, positions, _sizes(positions))
        placed.append((tree, positions))
        scenes.append(scene)
    return placed, scenes


def _mode_panels(proposal, diagram, options, analysis, timeout: float, training: bool) -> list:
    """One panel a mode, all cut from one layout: that of every mode at once (the diagram
    drawn without `--mode`), from which each panel keeps the boxes, wires and frames that its
    mode's own drawing has. A box drawn in several modes is so at the same place in each
    panel, and every panel is as large as that layout (`_composed` sets them by its box).
    The layout is titled with the longest title, each panel's title then put where it
    begins."""
    from . import to_scene
    from .fit import scaled_tree
    from .graphviz import layout
    from .scene import Box
    from .untangle import untangled_tree

    panels = panel_list(proposal, diagram, options)
    title, name, panel_options = panels[0]
    union = to_scene(proposal, name, analysis=analysis,
                     options=dataclasses.replace(panel_options, mode=None))
    for box in union.nodes().values():
        if isinstance(box, Box):
            box.modes_note = ""            # each panel is one mode: no "only in" notes
    tree = untangled_tree(union, timeout, panel=True, training=training)
    _retitle(tree, max((t for t, _, _ in panels), key=len))
    tree, positions = tidied_layout(tree, timeout, options.width_pt,
                                    options.style == "paper") if training else \
        (tree, layout(print_dot(tree), timeout))
    place(tree, positions, 0.0, 0.0)
    placed = []
    for title, name, panel_options in panels:
        shown = scaled_tree(to_scene(proposal, name, options=panel_options))
        panel = copy.deepcopy(tree)
        _keep(panel.statements, set(shown.nodes()), {s.id for s in shown.subgraphs()},
              Counter(_wire_key(e) for e in shown.edges()))
        _retitle(panel, title)
        _title_from_left(panel, _title_width(panel, timeout))
        box = {"bb": _cropped(panel, positions)}        # by the layout's (unprefixed) ids
        placed.append((panel, box, title))
    # every title rises as far as the one that must rise most, so that a box keeps its place
    # from the top of each panel's frame
    rise = max(_title_rise(panel, _sizes(positions)) for panel, _, _ in placed)
    for panel, box, title in placed:
        _raise_title(panel, box, rise)
        _prefix(panel, f"{title}/")
    return [(panel, box) for panel, box, _ in placed]


def _cropped(panel: Graph, positions: dict) -> str:
    """A panel's box: that of the layout of every mode, its right and bottom brought in to
    what the panel draws (with the layout's margins there). Its top left corner stays, and
    so does every box's place from it."""
    x0, y0, x1, y1 = bounding_box(positions)
    drawn = _extent(panel, _sizes(positions))
    if drawn is None:
        return positions["bb"]
    # a curve's control points may lie beyond the layout's box, which holds the curve: the
    # margins are those of the layout's box beyond its extent, or none
    everything = _extent_of_layout(positions)
    right = min(x1, drawn[2] + max(0.0, x1 - everything[2]))
    bottom = max(y0, drawn[1] - max(0.0, everything[1] - y0))
    frame = frame_attrs(next(s for s in panel.statements if isinstance(s, Subgraph)))
    frame["bb"] = f"{x0:.2f},{bottom:.2f},{right:.2f},{y1:.2f}"
    return frame["bb"]


def _sizes(positions: dict) -> dict[str, tuple[float, float]]:
    """Half the width and height of each laid-out node, in points, by name."""
    return {o["name"]: (float(o["width"]) * 36, float(o["height"]) * 36)
            for o in positions.get("objects", []) if "pos" in o and "width" in o}


def _extent(tree: Graph, sizes: dict) -> tuple[float, float, float, float] | None:
    """Left, bottom, right, top of the placed nodes and wires of a tree (of the wires'
    control points, which hold their curves)."""
    points = _drawn_points(tree, sizes, _points)
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _drawn_points(tree: Graph, sizes: dict, wire_points) -> list[tuple[float, float]]:
    """The corners of the placed nodes of a tree, and `wire_points(pos)` of its wires."""
    points = []
    for statement in walk(tree.statements):
        if isinstance(statement, Node) and "pos" in statement.attrs:
            x, y = (float(v) for v in str(statement.attrs["pos"]).split(","))
            w, h = sizes.get(statement.id, (0.0, 0.0))
            points += [(x - w, y - h), (x + w, y + h)]
        elif isinstance(statement, Edge) and "pos" in statement.attrs:
            points += wire_points(str(statement.attrs["pos"]))
    return points


def _sampled(pos: str) -> list[tuple[float, float]]:
    """The points of a wire's curve as the crossings are counted (`untangle.curve`), and its
    arrows' tips."""
    from .untangle import curve

    return curve({"pos": pos}) + [p for p, token in zip(_points(pos), pos.split())
                                  if token[:2] in ("e,", "s,")]


def _title_clear(panel: Graph, box: dict, sizes: dict) -> None:
    """Raise a panel's title above what it draws under the title (`_title_rise`)."""
    _raise_title(panel, box, _title_rise(panel, sizes))


def _title_rise(panel: Graph, sizes: dict) -> float:
    """How far a panel's title must rise to clear what it draws under the title: 0 when it is
    clear. Graphviz keeps room for a frame's title, but routes wires through it: a loop round
    the top box (into it from above, TB) ran through the title."""
    attrs = frame_attrs(next(s for s in panel.statements if isinstance(s, Subgraph)))
    if "lp" not in attrs:
        return 0.0
    x, y = (float(v) for v in str(attrs["lp"]).split(","))
    half_w, half_h = float(attrs["lwidth"]) * 36, float(attrs["lheight"]) * 36
    # a double or triple line is drawn beside its curve: TITLE_GAP holds it
    top = max((py for px, py in _drawn_points(panel, sizes, _sampled)
               if abs(px - x) <= half_w + TITLE_GAP), default=float("-inf"))
    # a title clear of what is under it by 2 pt (its box holds its letters' descent) stays
    # where Graphviz put it
    if top + 2.0 <= y - half_h:
        return 0.0
    return top + TITLE_GAP - (y - half_h)


def _raise_title(panel: Graph, box: dict, rise: float) -> None:
    """Move a panel's title up by `rise`, its frame and its `box` (`bb`) grown by as much."""
    attrs = frame_attrs(next(s for s in panel.statements if isinstance(s, Subgraph)))
    if "lp" not in attrs or rise <= 0:
        return
    attrs["lp"] = moved(attrs["lp"], 0.0, rise)
    for values in (attrs, box):
        x0, y0, x1, y1 = (float(v) for v in str(values["bb"]).split(","))
        values["bb"] = f"{x0:.2f},{y0:.2f},{x1:.2f},{y1 + rise:.2f}"


def _extent_of_layout(positions: dict) -> tuple[float, float, float, float]:
    """Left, bottom, right, top of every node and wire of a layout."""
    points = []
    for o in positions.get("objects", []):
        if "pos" in o and "width" in o:
            x, y = (float(v) for v in o["pos"].split(","))
            w, h = float(o["width"]) * 36, float(o["height"]) * 36
            points += [(x - w, y - h), (x + w, y + h)]
    for edge in positions.get("edges", []):
        points += _points(str(edge.get("pos", "")))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _points(curve: str) -> list[tuple[float, float]]:
    """The points of a wire's `pos` (its control points and arrow tips)."""
    out = []
    for token in curve.split():
        x, y = (float(v) for v in token.split(",")[-2:])
        out.append((x, y))
    return out


def _wire_key(edge: Edge) -> tuple:
    """A wire by its two ends (ports, not compass points), whichever way it is written: a
    wire backward in every mode at once may run forward in one mode alone."""
    return tuple(sorted([(edge.tail.node, str(edge.tail.port or "")),
                         (edge.head.node, str(edge.head.port or ""))]))


def _keep(statements: list, nodes: set[str], frames: set[str], wires: Counter,
          outermost: bool = True) -> None:
    """Keep, in place, only the nodes, frames and wires (as many of each pair of ends as
    `wires` counts) that a mode's drawing has; the outermost frame always (it is titled)."""
    kept = []
    for statement in statements:
        if isinstance(statement, Node) and statement.id not in nodes:
            continue
        if isinstance(statement, Edge):
            key = _wire_key(statement)
            if wires[key] <= 0:
                continue
            wires[key] -= 1
        if isinstance(statement, SameRank):
            statement.nodes = [n for n in statement.nodes if n in nodes]
            if not statement.nodes:
                continue
        if isinstance(statement, Subgraph):
            if not outermost and statement.id not in frames:
                continue
            _keep(statement.statements, nodes, frames, wires, outermost=False)
            outermost = False
        kept.append(statement)
    statements[:] = kept


def _title_width(tree: Graph, timeout: float) -> float:
    """How wide a panel's title is drawn, in points (laid out alone)."""
    from .graphviz import layout

    frame = next(s for s in tree.statements if isinstance(s, Subgraph))
    label = frame_attrs(frame)["label"]
    defaults = [s for s in tree.statements if isinstance(s, Defaults)]
    return float(layout(print_dot(Graph("title", [*defaults, Assign("label", label)])),
                        timeout)["lwidth"]) * 72


def _title_from_left(tree: Graph, width: float) -> None:
    """The outermost frame's title, laid out for the longest, moved to begin where that one
    began."""
    attrs = frame_attrs(next(s for s in tree.statements if isinstance(s, Subgraph)))
    if "lp" not in attrs:
        return
    x, y = (float(v) for v in str(attrs["lp"]).split(","))
    left = x - float(attrs.get("lwidth", 0)) * 36
    attrs.update({"lp": f"{left + width / 2:.2f},{y:.2f}", "lwidth": f"{width / 72:.4f}"})


def panel_list(proposal, diagram: str | None, options) -> list[tuple[str, str | None, object]]:
    """(title, diagram, options) of each panel."""
    from .. import structure

    # one key for all, below (`panel_tree`)
    alone = dataclasses.replace(options, panels=None, width=None, title=False, legend=False)
    if options.panels == "diagrams":
        tops = structure.top_diagrams(proposal)
        if not tops:
            raise RenderError("--panels diagrams: the file has no diagram")
        if len(tops) > MAX_PANELS:
            raise RenderError(f"--panels diagrams: the file has {len(tops):,} top diagrams, "
                              f"more panels than a figure holds ({MAX_PANELS}); draw each "
                              "with --diagram NAME")
        return [(d.name, d.name, alone) for d in tops]
    name, modes = _modes_of(proposal, diagram)
    if not modes:
        several = len(structure.top_diagrams(proposal)) > 1
        raise RenderError(f"--panels modes: diagram `{name}` has no modes (draw it as it is"
                          + (", or use --panels diagrams for the file's top diagrams)"
                             if several else ")"))
    if len(modes) > MAX_PANELS:
        raise RenderError(f"--panels modes: diagram `{name}` has {len(modes):,} modes, more "
                          f"panels than a figure holds ({MAX_PANELS}); draw each with "
                          "--mode NAME, or all in one picture without --panels")
    return [(mode, name, dataclasses.replace(alone, mode=mode)) for mode in modes]


def _modes_of(proposal, diagram: str | None) -> tuple[str | None, list[str]]:
    """The diagram `--panels modes` draws (`diagram`, else the default one), and its modes."""
    from .. import structure

    name = diagram or getattr(structure.default_diagram(proposal), "name", None)
    return name, list(proposal.diagrams[name].modes) if name in proposal.diagrams else []


def one_panel(proposal, diagram: str | None, panels: str | None) -> str | None:
    """What to say when `--panels` would draw a figure of one panel (the file has one top
    diagram, the diagram one mode): that it does, and what to ask instead. None otherwise
    (no panel at all is refused: `panel_list`)."""
    from .. import structure

    if panels == "diagrams":
        tops = structure.top_diagrams(proposal)
        if len(tops) != 1:
            return None
        modes = ", or --panels modes for its modes" if len(tops[0].modes) > 1 else ""
        return (f"--panels diagrams: the file has 1 top diagram, `{tops[0].name}`, so the "
                f"figure is one panel (draw it without --panels{modes})")
    if panels == "modes":
        name, modes = _modes_of(proposal, diagram)
        if len(modes) == 1:
            return (f"--panels modes: diagram `{name}` has 1 mode, `{modes[0]}`, so the "
                    "figure is one panel (draw it without --panels)")
    return None


def _retitle(tree: Graph, title: str) -> None:
    """The panel's title, in bold above it, as the label of its outermost frame."""
    frame = next(s for s in tree.statements if isinstance(s, Subgraph))
    attrs = next(s.attrs for s in frame.statements
                 if isinstance(s, Defaults) and s.kind == "graph")
    size = _font_size(tree)
    attrs.update({"label": Html(f'<FONT POINT-SIZE="{size + 1:g}"><B>{html(title)}</B></FONT>'),
                  "labelloc": "t", "labeljust": "l"})


def _font_size(tree: Graph) -> float:
    graph = next(s.attrs for s in tree.statements if isinstance(s, Defaults) and s.kind == "graph")
    return float(graph.get("fontsize", 10))


def _prefix(tree: Graph, prefix: str) -> None:
    """Every node, frame and SVG id of the tree with `prefix` in front."""
    def frame(name: str) -> str:
        return f"cluster_{prefix}{name.removeprefix('cluster').lstrip('_')}"

    def attrs(values: dict) -> None:
        if "id" in values:
            values["id"] = prefix + str(values["id"])
        for key in ("lhead", "ltail"):
            if key in values:
                values[key] = frame(str(values[key]))

    for statement in walk(tree.statements):
        if isinstance(statement, Node):
            statement.id = prefix + statement.id
            attrs(statement.attrs)
        elif isinstance(statement, Edge):
            statement.tail.node = prefix + statement.tail.node
            statement.head.node = prefix + statement.head.node
            attrs(statement.attrs)
        elif isinstance(statement, SameRank):
            statement.nodes = [prefix + n for n in statement.nodes]
        elif isinstance(statement, Subgraph):
            statement.id = frame(statement.id)
        elif isinstance(statement, Defaults) and statement.kind == "graph":
            attrs(statement.attrs)


def _composed(placed: list, caption, width_pt: float | None, timeout: float) -> Graph:
    """One graph of the laid-out panels, in rows no wider than `width_pt`, the caption's label
    (the key, and the title when asked) below them, or beside the last row where it fits
    there (`_key_place`) and leaves a box drawn in several rows where it stood
    (`_row_lefts`). `caption(room)` is the caption's tree, its key no wider than `room`
    points where one is given."""
    sizes = [_size(positions) for _, positions in placed]
    rows = _rows(sizes, width_pt)
    row_heights = [max(sizes[i][1] for i in row) for row in rows]
    row_widths = [sum(sizes[i][0] for i in row) + GAP_PT * (len(row) - 1) for row in rows]
    key, keys_beside = _key_place(caption, row_widths, row_heights, width_pt, timeout)
    width = max(row_widths + [key[2][0]])
    lefts, spread = _row_lefts(placed, sizes, rows, row_widths, width)
    beside = False
    for key_beside in keys_beside:
        widths = row_widths[:-1] + [row_widths[-1] + GAP_PT + key_beside[2][0]]
        lefts_beside, spread_beside = _row_lefts(placed, sizes, rows, widths, max(widths))
        if spread_beside <= spread + 0.5:
            key, lefts, width, beside = key_beside, lefts_beside, max(widths), True
            row_heights[-1] = max(row_heights[-1], key[2][1])
            break
    defaults, label, (key_w, key_h) = key
    top = sum(row_heights) + GAP_PT * (len(rows) - 1) + \
        (key_h + GAP_PT if key_h and not beside else 0)
    graph_attrs = next(d.attrs for d in defaults if d.kind == "graph")
    statements: list = [*defaults]
    y = top
    for row, x, row_height in zip(rows, lefts, row_heights):
        for index in row:
            tree, positions = placed[index]
            w, h = sizes[index]
            left, bottom = _origin(positions)
            shift(tree, x - left, y - h - bottom)
            statements += [s for s in tree.statements if not isinstance(s, (Defaults, Assign))]
            x += w + GAP_PT
        y -= row_height + GAP_PT
    graph_attrs.update({"layout": "nop2", "bb": f"0,0,{width:.2f},{top:.2f}"})
    if label is not None:
        justify = str(graph_attrs.get("labeljust", "c"))
        # beside: after the last row's panels (`x` is where a next panel would begin)
        centre = x + key_w / 2 if beside else key_w / 2 if justify == "l" else width / 2
        graph_attrs.update({"lp": f"{centre:.2f},{key_h / 2:.2f}",
                            "lwidth": f"{key_w / 72:.4f}", "lheight": f"{key_h / 72:.4f}"})
        statements.append(label)
    return Graph("wiring", statements)


def _key_place(caption, row_widths: list[float], row_heights: list[float],
               width_pt: float | None, timeout: float) -> tuple[tuple, list[tuple]]:
    """The caption's defaults, label and the label's size (`_key`), and the same of the keys
    that may go beside the last row of panels rather than below them all, widest first:
    those that fit there, in the width asked for (or without one, in the widest row), and
    so make the figure shorter. A key too wide for that room is tried again in as many
    columns as fit in it, and in fewer (a narrow last row leaves most of the width empty;
    below, the key took an inch of a page's height)."""
    below = _key(caption(None), timeout)
    if below[1] is None:
        return below, []
    room = (width_pt if width_pt is not None else max(row_widths)) - row_widths[-1] - GAP_PT
    if below[2][0] <= room:
        return below, [below]
    keys: list[tuple] = []
    for share in KEY_ROOMS:
        if room * share <= 0:
            break
        key = _key(caption(room * share), timeout)
        if key[2][1] >= row_heights[-1] + GAP_PT + below[2][1]:
            break                                   # no shorter than below: narrower is not
        if key[2][0] <= room and all(key[2] != other[2] for other in keys):
            keys.append(key)
    return below, keys


def _key(caption: Graph, timeout: float) -> tuple[list, Assign | None, tuple[float, float]]:
    """A caption's defaults, its label and the label's size (points)."""
    from .graphviz import layout

    label = next((s for s in caption.statements if isinstance(s, Assign) and s.key == "label"),
                 None)
    defaults = [Defaults(s.kind, dict(s.attrs)) for s in caption.statements
                if isinstance(s, Defaults)]
    if label is None:
        return defaults, None, (0.0, 0.0)
    sized = layout(print_dot(Graph("key", [*defaults, label])), timeout)
    return defaults, label, (float(sized["lwidth"]) * 72, float(sized["lheight"]) * 72)


def _row_lefts(placed: list, sizes: list, rows: list[list[int]], row_widths: list[float],
               width: float) -> tuple[list[float], float]:
    """Where each row of panels begins: centred, as the key below (a short row is not left
    with the figure's spare width on one side), unless a box drawn in several rows can stand
    at the same x in each. Then the rows that draw the box drawn in the most rows are moved,
    within the figure's width, to put it at one x: the median of where it would stand
    centred, or as near as each row's room allows. And how far apart that box then stands
    in its rows (0 for none)."""
    centred = [(width - row_width) / 2 for row_width in row_widths]
    at = [_boxes_from_left(placed, sizes, row) for row in rows]
    counts = Counter(name for row in at for name in row)
    name, count = max(counts.items(), key=lambda item: item[1], default=("", 0))
    if count < 2:
        return centred, 0.0
    rooms = [(row[name], width - row_width + row[name])
             for row, row_width in zip(at, row_widths) if name in row]
    target = statistics.median(left + row[name] for left, row in zip(centred, at)
                               if name in row)
    target = min(max(target, max(low for low, _ in rooms)), min(high for _, high in rooms))
    lefts = [left if name not in row else min(max(target - row[name], 0.0), width - row_width)
             for left, row, row_width in zip(centred, at, row_widths)]
    xs = [left + row[name] for left, row in zip(lefts, at) if name in row]
    return lefts, max(xs) - min(xs)


def _boxes_from_left(placed: list, sizes: list, row: list[int]) -> dict[str, float]:
    """Where the centre of each box of a row of panels stands from the row's left edge, by
    its name in the panel (the first panel of the row that draws it)."""
    out: dict[str, float] = {}
    left = 0.0
    for index in row:
        tree, positions = placed[index]
        origin = _origin(positions)[0]
        for node in (s for s in walk(tree.statements) if isinstance(s, Node)):
            name = node.id.split("/", 1)[-1]
            # not the optimisers: their ids (@train0) are numbered in each diagram, so two
            # diagrams' panels may give one id to two optimisers
            if "pos" in node.attrs and not name.startswith("@"):
                x = float(str(node.attrs["pos"]).split(",")[0])
                out.setdefault(name, left + x - origin)
        left += sizes[index][0] + GAP_PT
    return out


def _size(positions: dict) -> tuple[float, float]:
    x0, y0, x1, y1 = _box(positions)
    return x1 - x0, y1 - y0


def _origin(positions: dict) -> tuple[float, float]:
    return _box(positions)[:2]


def _box(positions: dict) -> tuple[float, float, float, float]:
    """A panel's box: its layout's, and where a curve's control point lies left or right of
    it, out to that point. Graphviz's box of the figure holds them: a loop's point 37 pt left
    of the debate panels made the figure that much wider than the rows it was placed in, and
    wider than the width asked. (Above and below, a point lies in the gap between rows or
    adds to the height Graphviz measures, which `fit` reads.)"""
    x0, y0, x1, y1 = bounding_box(positions)
    if not positions.get("objects"):
        return x0, y0, x1, y1
    e0, _, e1, _ = _extent_of_layout(positions)
    return min(x0, e0), y0, max(x1, e1), y1


def _rows(sizes: list[tuple[float, float]], width_pt: float | None) -> list[list[int]]:
    """The panels' indices in rows, in order, each row as wide as fits in `width_pt` (at least
    one panel a row), or of PER_ROW panels without a width."""
    rows: list[list[int]] = [[]]
    used = 0.0
    for index, (w, _) in enumerate(sizes):
        need = w + (GAP_PT if rows[-1] else 0)
        full = used + need > width_pt if width_pt is not None else len(rows[-1]) == PER_ROW
        if rows[-1] and full:
            rows.append([])
            used, need = 0.0, w
        rows[-1].append(index)
        used += need
    return rows
