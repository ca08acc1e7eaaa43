"""Several panels in one picture: one per mode of a diagram (`--panels modes`, as InstructGPT
draws its three training steps), or one per top diagram of a file (`--panels diagrams`).

Each panel is the picture of that mode or diagram alone (`to_scene`), titled, and laid out by
Graphviz on its own. The panels are then placed in rows no wider than the width asked for (one
row without `--width`), with the key below them, and the whole is handed to Graphviz with every
node, wire and frame where it was laid out (`layout=nop2`: Graphviz's `neato -n2`, which draws
what it is given where it is given). So every output format, `--width` and TikZ work on a
picture of panels as on any other. Ids get the panel's title in front (`sft/policy`), so that
a box drawn in three panels is three groups of the SVG.
"""

from __future__ import annotations

import dataclasses

from .dot import Assign, Defaults, Edge, Graph, Html, Node, SameRank, Subgraph, html, print_dot
from .graphviz import bounding_box
from .options import RenderError

GAP_PT = 24.0            # between two panels, and between the panels and the key
PER_ROW = 4              # panels a row without a width: a grid, not a strip of forty


def panel_tree(proposal, diagram: str | None, options, analysis=None,
               timeout: float = 120, training: bool = True) -> Graph:
    """The DOT tree of the panels `options.panels` asks for, every position fixed (`training`:
    see `fit.drawn_tree`)."""
    from . import to_scene
    from .fit import scaled_tree
    from .graphviz import layout
    from .untangle import untangled_tree

    placed = []
    for title, name, panel_options in panel_list(proposal, diagram, options):
        tree = untangled_tree(to_scene(proposal, name, analysis=analysis if name == diagram
                                       else None, options=panel_options), timeout, panel=True,
                              training=training)
        _retitle(tree, title)
        _key_below(tree)
        _prefix(tree, f"{title}/")
        placed.append((tree, layout(print_dot(tree), timeout)))
    whole = dataclasses.replace(options, panels=None, mode=None,
                                legend=options.legend and options.panels == "modes")
    caption = scaled_tree(to_scene(proposal, diagram, analysis=analysis, options=whole))
    return _composed(placed, caption, options.width_pt, timeout)


def panel_list(proposal, diagram: str | None, options) -> list[tuple[str, str | None, object]]:
    """(title, diagram, options) of each panel."""
    from .. import structure

    alone = dataclasses.replace(options, panels=None, width=None, title=False)
    if options.panels == "diagrams":
        tops = structure.top_diagrams(proposal)
        if not tops:
            raise RenderError("--panels diagrams: the file has no diagram")
        return [(d.name, d.name, alone) for d in tops]
    name = diagram or getattr(structure.default_diagram(proposal), "name", None)
    modes = proposal.diagrams[name].modes if name in proposal.diagrams else []
    if not modes:
        several = len(structure.top_diagrams(proposal)) > 1
        raise RenderError(f"--panels modes: diagram `{name}` has no modes (draw it as it is"
                          + (", or use --panels diagrams for the file's top diagrams)"
                             if several else ")"))
    alone = dataclasses.replace(alone, legend=False)            # one key for all, below
    return [(mode, name, dataclasses.replace(alone, mode=mode)) for mode in modes]


def _retitle(tree: Graph, title: str) -> None:
    """The panel's title, in bold above it, as the label of its outermost frame."""
    frame = next(s for s in tree.statements if isinstance(s, Subgraph))
    attrs = next(s.attrs for s in frame.statements
                 if isinstance(s, Defaults) and s.kind == "graph")
    size = _font_size(tree)
    attrs.update({"label": Html(f'<FONT POINT-SIZE="{size + 1:g}"><B>{html(title)}</B></FONT>'),
                  "labelloc": "t", "labeljust": "l"})


def _key_below(tree: Graph) -> None:
    """A panel's own key (`--panels diagrams`: each diagram has its kinds), moved from the
    graph's label, which the whole picture's caption takes, to a frame round the panel
    without a line, labelled below."""
    key = next((s for s in tree.statements if isinstance(s, Assign) and s.key == "label"), None)
    if key is None:
        return
    kept = [s for s in tree.statements if isinstance(s, Defaults)]
    drawn = [s for s in tree.statements if not isinstance(s, (Defaults, Assign))]
    tree.statements = kept + [Subgraph("cluster_key", [
        Defaults("graph", {"label": key.value, "labelloc": "b", "labeljust": "l",
                           "peripheries": 0, "margin": 0}), *drawn])]


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

    for statement in _walk(tree.statements):
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


def _walk(statements: list):
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


def _composed(placed: list, caption: Graph, width_pt: float | None, timeout: float) -> Graph:
    """One graph of the laid-out panels, in rows no wider than `width_pt`, the caption's label
    (the key, and the title when asked) below them."""
    from .graphviz import layout

    label = next((s for s in caption.statements if isinstance(s, Assign) and s.key == "label"),
                 None)
    defaults = [Defaults(s.kind, dict(s.attrs)) for s in caption.statements
                if isinstance(s, Defaults)]
    graph_attrs = next(d.attrs for d in defaults if d.kind == "graph")
    key_w = key_h = 0.0
    if label is not None:
        sized = layout(print_dot(Graph("key", [*defaults, label])), timeout)
        key_w, key_h = float(sized["lwidth"]) * 72, float(sized["lheight"]) * 72
    sizes = [_size(positions) for _, positions in placed]
    rows = _rows(sizes, width_pt)
    row_heights = [max(sizes[i][1] for i in row) for row in rows]
    width = max([key_w] + [sum(sizes[i][0] for i in row) + GAP_PT * (len(row) - 1)
                           for row in rows])
    top = sum(row_heights) + GAP_PT * (len(rows) - 1) + (key_h + GAP_PT if key_h else 0)
    statements: list = [*defaults]
    y = top
    for row, row_height in zip(rows, row_heights):
        x = 0.0
        for index in row:
            tree, positions = placed[index]
            w, h = sizes[index]
            left, bottom = _origin(positions)
            _place(tree, positions, x - left, y - h - bottom)
            statements += [s for s in tree.statements if not isinstance(s, (Defaults, Assign))]
            x += w + GAP_PT
        y -= row_height + GAP_PT
    graph_attrs.update({"layout": "nop2", "bb": f"0,0,{width:.2f},{top:.2f}"})
    if label is not None:
        justify = str(graph_attrs.get("labeljust", "c"))
        graph_attrs.update({"lp": f"{key_w / 2 if justify == 'l' else width / 2:.2f},"
                                  f"{key_h / 2:.2f}",
                            "lwidth": f"{key_w / 72:.4f}", "lheight": f"{key_h / 72:.4f}"})
        statements.append(label)
    return Graph("wiring", statements)


def _size(positions: dict) -> tuple[float, float]:
    x0, y0, x1, y1 = bounding_box(positions)
    return x1 - x0, y1 - y0


def _origin(positions: dict) -> tuple[float, float]:
    return bounding_box(positions)[:2]


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


def _place(tree: Graph, positions: dict, dx: float, dy: float) -> None:
    """Give every node, wire and frame of a panel's tree its laid-out place, moved by dx, dy."""
    objects = positions.get("objects", [])
    nodes = {o["name"]: o for o in objects if "pos" in o}
    frames = {o["name"]: o for o in objects if "bb" in o}
    for statement in _walk(tree.statements):
        if isinstance(statement, Node) and statement.id in nodes:
            statement.attrs["pos"] = _moved(nodes[statement.id]["pos"], dx, dy)
        elif isinstance(statement, Subgraph) and statement.id in frames:
            found = frames[statement.id]
            attrs = _frame_attrs(statement)
            attrs["bb"] = _moved(found["bb"], dx, dy)
            for key in ("lp", "lwidth", "lheight"):
                if key in found:
                    attrs[key] = _moved(found[key], dx, dy) if key == "lp" else found[key]
    # Graphviz lists the wires between two nodes together, not in the text's order: each is
    # found by its ends, ports included, the n-th such wire of the text the n-th laid out
    names = {o["_gvid"]: o["name"] for o in objects}
    laid: dict[tuple, list] = {}
    for wire in sorted(positions.get("edges", []), key=lambda e: e["_gvid"]):
        key = (names[wire["tail"]], wire.get("tailport", ""), names[wire["head"]],
               wire.get("headport", ""))
        laid.setdefault(key, []).append(wire)
    for edge in (s for s in _walk(tree.statements) if isinstance(s, Edge)):
        same = laid.get((edge.tail.node, _port(edge.tail), edge.head.node, _port(edge.head)))
        if not same:
            raise RenderError("a panel's layout does not match its drawing: this is a bug in "
                              "wiring; please report it with the file (render without --panels "
                              "meanwhile)")
        wire = same.pop(0)
        if "pos" in wire:
            edge.attrs["pos"] = _moved(wire["pos"], dx, dy)


def _port(end) -> str:
    """An edge end's port as Graphviz writes it in a layout (`o1:e`, `h:ne`, or "")."""
    return ":".join(str(part) for part in (end.port, end.compass) if part)


def _frame_attrs(frame: Subgraph) -> dict:
    for statement in frame.statements:
        if isinstance(statement, Defaults) and statement.kind == "graph":
            return statement.attrs
    defaults = Defaults("graph", {})
    frame.statements.insert(0, defaults)
    return defaults.attrs


def _moved(points: str, dx: float, dy: float) -> str:
    """Graphviz coordinates ("x,y", a box "x0,y0,x1,y1", a curve "e,x,y x,y ...") moved."""
    out = []
    for token in str(points).split():
        head = ""
        if token[:2] in ("e,", "s,"):
            head, token = token[:2], token[2:]
        numbers = [float(v) for v in token.split(",")]
        moved = [v + (dx if i % 2 == 0 else dy) for i, v in enumerate(numbers)]
        out.append(head + ",".join(f"{v:.2f}" for v in moved))
    return " ".join(out)
