"""A wire read a step later has its ring behind its arrowhead, where it is read, not on its source
port, where every other wire leaving the port seemed to pass through it (rlhf's policy response
feeds the sampler and the reward model too): read from the layout of the DOT `wiring render`
writes, as Graphviz draws it."""

from __future__ import annotations

import json
import math
import subprocess

import pytest

import wiring
from wiring.render import fitted_dot, fitting_options

from conftest import ROOT
from render_support import needs_dot

DELAYED = ["amplification", "best_of_n", "constitutional_ai", "debate", "ida", "rlhf",
           "incentives/rl_model_based_rewards", "incentives/rl_rf_input_tampering"]
PAPER = {"style": "paper", "font_size": "7pt", "width": "6.5in"}
FIGURES = [(name, PAPER) for name in DELAYED] + [(name, {}) for name in ("rlhf", "debate")] + [
    ("best_of_n", {**PAPER, "panels": "modes"}), ("rlhf", {**PAPER, "panels": "modes"})]


def laid_out(name: str, options: dict) -> dict:
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    fits = fitting_options(proposal, **options) if "width" in options else None
    dot = fitted_dot(proposal, **options, **(fits[1] if fits else {}))
    return json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True,
                                     text=True, check=True).stdout)


def box_of(node: dict) -> tuple[float, float, float, float]:
    x, y = xy(node["pos"])
    w, h = float(node["width"]) * 36, float(node["height"]) * 36
    return x - w, y - h, x + w, y + h


def arrows(edge: dict) -> dict:
    """The arrow drawn at each end of an edge ("tail", "head"), as Graphviz reads `dir`."""
    way = edge.get("dir", "forward")
    return {"tail": edge.get("arrowtail", "normal") if way in ("back", "both") else "none",
            "head": edge.get("arrowhead", "normal") if way in ("forward", "both") else "none"}


@needs_dot
@pytest.mark.parametrize("name,options", FIGURES,
                         ids=[f"{n}-{'-'.join(map(str, o.values())) or 'full'}"
                              for n, o in FIGURES])
def test_a_wire_read_a_step_later_has_its_ring_behind_its_arrowhead(name, options):
    laid = laid_out(name, options)
    boxes = {o["_gvid"]: box_of(o) for o in laid["objects"] if "pos" in o}
    ringed = [e for e in laid["edges"] if "odot" in "".join(arrows(e).values())]
    assert ringed, "every one of these figures draws a wire read a step later"
    for edge in ringed:
        ends = arrows(edge)
        assert sorted(ends.values()) == ["none", "normalodot"], (name, edge["id"], ends)
        tokens = edge["pos"].split()
        marks = [t for t in tokens if t[:2] in ("s,", "e,")]
        points = [t for t in tokens if t[:2] not in ("s,", "e,")]
        assert len(marks) == 1 and marks[0][0] == ("e" if ends["head"] != "none" else "s")
        # the wire is drawn on to its source's port, where the ring was: it starts at its
        # box's border, not a ring's width away (or, bundled with other loops from that
        # port, where it leaves their trunk)
        forward = ends["head"] != "none"
        source, end = (points[0], points[-1]) if forward else (points[-1], points[0])
        node = "tail" if forward else "head"
        trunks = [q for other in laid["edges"] if other is not edge
                  and _source(other) == (edge[node], edge.get(f"{node}port"))
                  for q in curve(other)]
        assert outside_by(xy(source), boxes[edge[node]]) <= 2.0 or \
            min((math.dist(xy(source), q) for q in trunks), default=99) <= 2.0, \
            (name, edge["id"])
        # the arrowhead and its ring, drawn smaller, take the arrowhead's length: the wire's
        # route is its layout's
        size = float(edge["arrowsize"])
        assert size < 0.9 and math.dist(xy(marks[0]), xy(end)) >= 10 * 1.8 * size - 0.5


def _source(edge: dict) -> tuple:
    """The node and port a wire leaves (a wire drawn backwards leaves its edge's head)."""
    end = "head" if edge.get("dir") == "back" else "tail"
    return edge[end], edge.get(f"{end}port")


def curve(edge: dict) -> list[tuple[float, float]]:
    """Points along a wire's drawn curve, 20 a Bezier segment."""
    points = [xy(t) for t in edge.get("pos", "").split() if t[:2] not in ("s,", "e,")]
    out = []
    for i in range(0, len(points) - 3, 3):
        a, b, c, d = points[i:i + 4]
        for k in range(21):
            t = k / 20
            out.append(tuple((1 - t) ** 3 * a[j] + 3 * (1 - t) ** 2 * t * b[j]
                             + 3 * (1 - t) * t * t * c[j] + t ** 3 * d[j] for j in (0, 1)))
    return out


def xy(token: str) -> tuple[float, float]:
    x, y = token.split(",")[-2:]
    return float(x), float(y)


def outside_by(point, box) -> float:
    """How far a point lies outside a box (x0, y0, x1, y1): 0 on or inside it."""
    x0, y0, x1, y1 = box
    return math.hypot(max(x0 - point[0], 0, point[0] - x1), max(y0 - point[1], 0, point[1] - y1))
