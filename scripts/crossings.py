"""How tangled a laid-out picture is: the pairs of wires whose curves cross, and the wires that
pass through a box other than their ends. The definition is that of the team's reference tool
(../shared/tools/crossings.py, which reads `dot -Tjson`): each wire is Graphviz's Bézier curve
sampled 12 points a segment; two wires that share an end box are not counted; frames are not
boxes. scripts/gen_gallery.py puts the counts in docs/gallery.md.

    .venv/bin/python scripts/crossings.py examples/debate.wd [render options...]
"""

from __future__ import annotations

import json
import subprocess
import sys

SAMPLES = 12


def _bezier(points: list, t: float) -> tuple[float, float]:
    while len(points) > 1:
        points = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1])
                  for a, b in zip(points, points[1:])]
    return points[0]


def _curve(edge: dict) -> list[tuple[float, float]]:
    """The sampled points of a wire's drawn curve (its `b` drawing operations)."""
    out: list[tuple[float, float]] = []
    for op in edge.get("_draw_", []):
        if op.get("op") == "b":
            control = op["points"]
            for i in range(0, len(control) - 3, 3):
                out += [_bezier(control[i:i + 4], k / SAMPLES) for k in range(SAMPLES + 1)]
    return out


def _turn(p, q, r) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _cross(a, b, c, d) -> bool:
    return _turn(a, b, c) * _turn(a, b, d) < 0 and _turn(c, d, a) * _turn(c, d, b) < 0


def _extent(points) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def count(layout: dict) -> tuple[int, int]:
    """(pairs of wires that cross, wires through a box not their end) of a `dot -Tjson`."""
    boxes = {}
    for item in layout.get("objects", []):
        if "nodes" in item or "pos" not in item:
            continue
        x, y = (float(v) for v in item["pos"].split(",")[:2])
        w, h = float(item["width"]) * 36, float(item["height"]) * 36
        boxes[item["_gvid"]] = (x - w, y - h, x + w, y + h)
    edges = [e for e in layout.get("edges", []) if _curve(e)]
    curves = [_curve(e) for e in edges]
    segments = [list(zip(c, c[1:])) for c in curves]
    extents = [_extent(c) for c in curves]
    crossings = 0
    for i, one in enumerate(edges):
        for j in range(i + 1, len(edges)):
            other = edges[j]
            if {one["tail"], one["head"]} & {other["tail"], other["head"]}:
                continue
            a, b = extents[i], extents[j]
            if a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]:
                continue
            if any(_cross(p, q, r, s) for p, q in segments[i] for r, s in segments[j]):
                crossings += 1
    through = 0
    for edge, curve in zip(edges, curves):
        for gvid, (x0, y0, x1, y1) in boxes.items():
            if gvid not in (edge["tail"], edge["head"]) and \
                    any(x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1 for x, y in curve):
                through += 1
                break
    return crossings, through


def count_dot(dot_text: str, dot: str = "dot") -> tuple[int, int]:
    """`count` of the layout Graphviz makes of DOT text."""
    run = subprocess.run([dot, "-Tjson"], input=dot_text.encode("ascii"), capture_output=True,
                         check=True, timeout=120)
    return count(json.loads(run.stdout))


def main(argv: list[str]) -> int:
    import shlex

    import wiring
    from wiring.render import to_dot

    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    proposal = wiring.check_file(argv[0]).proposal
    options: dict = {}
    words = shlex.split(" ".join(argv[1:]))
    for key, value in zip(words[::2], words[1::2]):
        options[key.lstrip("-").replace("-", "_")] = value
    crossings, through = count_dot(to_dot(proposal, **options))
    print(f"{crossings} crossings, {through} wires through a box")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
