"""Where the parameter updates of the paper figures meet the boxes they train (issue 13).

For each example's default diagram in the paper style at a page's width and 7 pt (with the
option `wiring render` names when it refuses, as in docs/gallery.md), read from Graphviz's
layout of the DOT that `wiring render` writes, each update (a double line with a hollow
arrowhead): whether its arrow meets its box squarely (within 46 degrees of square, its tip on a
side), whether its tip is at a corner (within CORNER_PT of two sides), and how near any other
wire's ink comes to its arrowhead (CLEAR_PT or more is clear). Not a test: it prints a Markdown
report, the figures an update-routing change is measured by.

    .venv/bin/python benchmarks/update_ends.py [EXAMPLE ...]     # default: every example
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wiring  # noqa: E402
from wiring.render import fitted_dot, fitting_options  # noqa: E402
from wiring.render.untangle import bezier  # noqa: E402

PAPER = {"style": "paper", "font_size": "7pt", "width": "6.5in"}
CORNER_PT = 10.0
CLEAR_PT = 4.0
SQUARE = math.cos(math.radians(46))


def ink(edge: dict) -> list:
    """Points along a wire as drawn: its curves and its arrowheads."""
    out = []
    for op in edge.get("_draw_", []):
        if op.get("op") == "b":
            cp = op["points"]
            out += [bezier(cp[i:i + 4], k / 24) for i in range(0, len(cp) - 3, 3)
                    for k in range(25)]
    for key in ("_hdraw_", "_tdraw_"):
        out += [tuple(p) for op in edge.get(key, []) for p in op.get("points", [])]
    return out


def to_segment(p, a, b) -> float:
    ab = (b[0] - a[0], b[1] - a[1])
    length = ab[0] ** 2 + ab[1] ** 2 or 1e-9
    t = max(0.0, min(1.0, ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1]) / length))
    return math.dist(p, (a[0] + ab[0] * t, a[1] + ab[1] * t))


def laid_out(path: Path) -> dict:
    proposal = wiring.check_file(str(path)).proposal
    fits = fitting_options(proposal, **PAPER)
    dot = fitted_dot(proposal, **PAPER, **(fits[1] if fits else {}))
    return json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True,
                                     text=True, check=True).stdout)


def updates(laid: dict):
    """(name of the box it trains, arrow tip, arrow base, box) of each parameter update."""
    boxes, names = {}, {}
    for item in laid.get("objects", []):
        if "nodes" not in item and "pos" in item:
            x, y = (float(v) for v in item["pos"].split(",")[:2])
            w, h = float(item["width"]) * 36, float(item["height"]) * 36
            boxes[item["_gvid"]] = (x - w, y - h, x + w, y + h)
            names[item["_gvid"]] = item.get("name", "?")
    for edge in laid.get("edges", []):
        tokens = edge["pos"].split()
        points = [tuple(float(v) for v in t.split(",")) for t in tokens if t[:2] not in "s,e,"]
        for token in tokens:
            if token[:2] in ("s,", "e,") and "empty" in (edge.get("arrowtail"),
                                                          edge.get("arrowhead")):
                tip = tuple(float(v) for v in token[2:].split(","))
                base, node = (points[0], edge["tail"]) if token[0] == "s" \
                    else (points[-1], edge["head"])
                yield edge, names[node], tip, base, boxes[node]


def verdicts(laid: dict, edge: dict, tip, base, box) -> dict:
    x0, y0, x1, y1 = box
    away = {(0, 1): abs(tip[1] - y1), (0, -1): abs(tip[1] - y0), (1, 0): abs(tip[0] - x1),
            (-1, 0): abs(tip[0] - x0)}
    length = math.dist(tip, base) or 1e-9
    pointing = ((tip[0] - base[0]) / length, (tip[1] - base[1]) / length)
    square = any(-(n[0] * pointing[0] + n[1] * pointing[1]) >= SQUARE
                 for n, gap in away.items() if gap <= 1.0)
    corner = min(away[(1, 0)], away[(-1, 0)]) < CORNER_PT and \
        min(away[(0, 1)], away[(0, -1)]) < CORNER_PT
    nearest = min((to_segment(p, tip, base) for other in laid["edges"] if other is not edge
                   for p in ink(other)), default=math.inf)
    return {"square": square, "corner": corner, "clear": nearest >= CLEAR_PT,
            "nearest": nearest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("examples", nargs="*", help="names under examples/, without .wd")
    args = parser.parse_args()
    paths = [ROOT / "examples" / f"{name}.wd" for name in args.examples] or \
        sorted((ROOT / "examples").rglob("*.wd"))
    totals = {"updates": 0, "square": 0, "corner": 0, "clear": 0}
    print("| example | update into | square | at a corner | nearest other ink |")
    print("|---|---|:---:|:---:|---:|")
    for path in paths:
        laid = laid_out(path)
        name = path.relative_to(ROOT / "examples").with_suffix("").as_posix()
        for edge, box_name, tip, base, box in updates(laid):
            found = verdicts(laid, edge, tip, base, box)
            totals["updates"] += 1
            for key in ("square", "corner", "clear"):
                totals[key] += found[key]
            print(f"| {name} | {box_name} | {'yes' if found['square'] else 'NO'} | "
                  f"{'YES' if found['corner'] else ''} | {found['nearest']:.1f} pt |")
    print(f"\n{totals['updates']} updates: {totals['square']} square to their side, "
          f"{totals['corner']} at a corner, {totals['clear']} with their arrowhead clear "
          f"(other ink {CLEAR_PT:g} pt or more away).")


if __name__ == "__main__":
    main()
