"""A picture whose every node, wire and frame is where a layout put it (`layout=nop2`:
Graphviz's `neato -n2` draws what it is given where it is given): panels set side by side
(`panels`), and figures whose feedback loops' ends were redrawn (`ends`).
"""

from __future__ import annotations

from .dot import Defaults, Edge, Graph, Node, Subgraph
from .options import RenderError


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


def moved(points: str, dx: float, dy: float) -> str:
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
