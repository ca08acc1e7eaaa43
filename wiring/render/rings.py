"""The ring of a wire read a step later sits behind its arrowhead, not on its source port.

A delayed wire is laid out with a small open circle at its source (`draw._data_style`:
Graphviz's `odot` tail), where every other wire leaving the same port seemed to pass through
it (rlhf's policy response feeds the sampler, the reward model and, a step later, the user).
Once the picture is laid out and its loops and updates tidied (`pinned.tidy_wires`), the ring
is moved to the wire's other end, behind its arrowhead (`normalodot`), the two drawn smaller
so that together they are as long as the arrowhead was, and the wire is drawn on to its port
where the ring was. So the route, and every count of crossings made on it, is the layout's.
Drawn there from the start, the longer arrowhead changed which of the layouts tried crossed
fewest wires (rl_model_based_rewards' loops then ran through its sensor), and a loop's end
redrawn round its box needed more room (best_of_n no longer fitted a page's width).
"""

from __future__ import annotations

from .ends import mix, pos_text, xy

# Graphviz's lengths of its `normal` and `dot` arrow shapes, as shares of an arrow's length.
NORMAL, DOT = 1.0, 0.8


def rings_to_heads(laid: dict) -> int:
    """Move, in a Graphviz layout (`graphviz.drawing`), the ring of every delayed wire from
    its source to behind its arrowhead; how many were. The edges' `dir`, `arrowhead`,
    `arrowtail` and `arrowsize` change with their `pos` (`pinned.place` draws them so)."""
    moved = 0
    for edge in laid.get("edges", []):
        ring_end = _ring_end(edge)
        pos = _drawn_on(str(edge.get("pos", "")), ring_end) if ring_end else None
        if pos is None:
            continue
        target = "tail" if ring_end == "head" else "head"
        size = float(edge.get("arrowsize", 1.0)) * NORMAL / (NORMAL + DOT)
        edge.update({"pos": pos, f"arrow{ring_end}": "none", f"arrow{target}": "normalodot",
                     "dir": "back" if target == "tail" else "forward",
                     "arrowsize": f"{size:.2f}"})
        for key in ("_draw_", "_hdraw_", "_tdraw_"):
            edge.pop(key, None)
        moved += 1
    return moved


def _ring_end(edge: dict) -> str | None:
    """"tail" or "head": the end of a laid-out edge drawn with a ring (a wire written from its
    head, `draw.edge`, has it at the edge's head), or None."""
    if str(edge.get("dir", "")) != "both":
        return None
    rings = [end for end in ("tail", "head") if str(edge.get(f"arrow{end}", "")) == "odot"]
    return rings[0] if len(rings) == 1 else None


def _drawn_on(pos: str, ring_end: str) -> str | None:
    """A `pos` with its curve drawn on, straight, to the port at the ring's end, and that
    end's arrow mark gone; None where it has none."""
    mark = "s," if ring_end == "tail" else "e,"
    tokens = pos.split()
    rings = [t for t in tokens if t.startswith(mark)]
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    if len(rings) != 1 or len(points) < 4:
        return None
    if ring_end == "head":
        points = points[::-1]                  # from the ring's end
    port = xy(rings[0])
    points = [port, mix(port, points[0], 1 / 3), mix(port, points[0], 2 / 3), *points]
    if ring_end == "head":
        points = points[::-1]
    return pos_text([t for t in tokens if t[:2] in ("s,", "e,") and t not in rings], points)
