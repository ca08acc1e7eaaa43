"""Feedback loops in a channel of their own (issue 13): a loop that runs back round its boxes
is drawn, once the picture is laid out, out of its output, along a straight run beyond what
it passes and back into its input (`render.channels`), where Graphviz's route lay along
another wire (rl_feedback_tampering: agent -> world on world -> agent.state for 85 pt) or
crossed one twice. Measured on Graphviz's layout of the rendered DOT, as a reader sees it."""

from __future__ import annotations

import json
import math
import subprocess

import pytest

import wiring
from wiring import render as R
from wiring.render import channels

from conftest import ROOT
from render_support import needs_dot

APART_PT = 3.0     # two wires nearer than this read as one line
AWAY_PT = 12.0     # from a loop's own ends, where it meets its ports beside other wires


def _layout(dot_text: str) -> dict:
    run = subprocess.run(["dot", "-Tjson"], input=dot_text.encode(), capture_output=True,
                         check=True)
    return json.loads(run.stdout)


def _drawn(edge: dict, samples: int = 32) -> list[tuple[float, float]]:
    """Points along every curve Graphviz draws for a wire."""
    def at(points, t):
        while len(points) > 1:
            points = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1])
                      for a, b in zip(points, points[1:])]
        return points[0]
    points = [at(op["points"][i:i + 4], k / samples) for op in edge.get("_draw_", [])
              if op["op"] == "b" for i in range(0, len(op["points"]) - 3, 3)
              for k in range(samples + 1)]
    return [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]


def _to_segment(p, a, b) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy)
                                            / length))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def _parallel(p, q, a, b) -> bool:
    """Whether pq and ab are within 30 degrees of parallel: a wire crossed at an angle is not
    run along."""
    u, v = (q[0] - p[0], q[1] - p[1]), (b[0] - a[0], b[1] - a[1])
    norms = math.hypot(*u) * math.hypot(*v)
    return norms > 0 and abs(u[0] * v[0] + u[1] * v[1]) >= norms * math.cos(math.radians(30))


def loops_beside_wires(dot_text: str) -> dict[tuple[str, str], float]:
    """For each feedback loop and each other wire: the longest stretch (points) over which the
    loop runs along that wire (within APART_PT, within 30 degrees of parallel), away from the
    loop's ends. A wire from the same port may run on the loop (under a point): one wire that
    branches."""
    laid = _layout(dot_text)
    names = {o["_gvid"]: o["name"] for o in laid["objects"]}
    found = {}
    for loop in laid["edges"]:
        if "feedback" not in str(loop.get("class", "")).split():
            continue
        mine = _drawn(loop)
        ends = (mine[0], mine[-1])
        for other in laid["edges"]:
            segments = list(zip(_drawn(other), _drawn(other)[1:]))
            if other is loop or not segments:
                continue
            shared = any(loop[end] == other[end] and loop.get(f"{end}port") ==
                         other.get(f"{end}port") for end in ("tail", "head"))
            run = longest = 0.0
            for p, q in zip(mine, mine[1:]):
                near, a, b = min((_to_segment(q, a, b), a, b) for a, b in segments)
                beside = near < APART_PT and not (shared and near < 1.0) and \
                    min(math.dist(q, end) for end in ends) > AWAY_PT and _parallel(p, q, a, b)
                run = run + math.dist(p, q) if beside else 0.0
                longest = max(longest, run)
            found[f"{names[loop['tail']]}-{names[loop['head']]}",
                  f"{names[other['tail']]}-{names[other['head']]}"] = round(longest, 1)
    return found


def _proposal(name: str):
    return wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal


@needs_dot
@pytest.mark.parametrize("name, options, before", [
    ("incentives/rl_feedback_tampering", {"width": "6.5in"}, 84.7),
    ("incentives/rl_direct_learning", {"width": "6.5in"}, 52.1),
    ("incentives/rl_feedback_tampering", {}, 84.7)])
def test_loops_round_their_boxes_lie_along_no_other_wire(name, options, before):
    # `before`: the longest stretch of a loop along another wire on the commit before
    # (points; the gallery's command), where Graphviz's route dipped onto it
    make = R.fitted_dot if "width" in options else R.to_dot
    beside = loops_beside_wires(make(_proposal(name), style="paper", font_size=7, **options))
    assert beside
    assert max(beside.values()) <= 10.0, {k: v for k, v in beside.items() if v > 10}


def _feedback(laid: dict) -> list[dict]:
    return [e for e in laid["edges"] if "feedback" in str(e.get("class", "")).split()]


@needs_dot
def test_a_loop_round_the_figure_runs_straight_beyond_what_it_passes():
    # rl_direct_learning's agent -> world: Graphviz's route crossed world -> agent.state twice
    # on its way over the top; the channel runs level above every box and wire it passes
    laid = _layout(R.fitted_dot(_proposal("incentives/rl_direct_learning"), style="paper",
                                font_size=7, width="6.5in"))
    (loop,) = _feedback(laid)
    points = _drawn(loop)
    top = max(y for _, y in points)
    run = [p for p in points if abs(p[1] - top) < 0.5]
    assert max(x for x, _ in run) - min(x for x, _ in run) > 200      # one straight run
    others = [p for e in laid["edges"] if e is not loop for p in _drawn(e)
              if min(x for x, _ in run) <= p[0] <= max(x for x, _ in run)]
    assert all(y <= top - APART_PT for _, y in others)
    boxes = [o for o in laid["objects"] if "pos" in o and "nodes" not in o]
    assert all(float(o["pos"].split(",")[1]) + float(o["height"]) * 36 < top for o in boxes)


def _crossed_by(laid: dict, loop: dict) -> list[str]:
    """The wires whose curves the loop's curve crosses, whatever boxes they share."""
    names = {o["_gvid"]: o["name"] for o in laid["objects"]}
    mine = _drawn(loop)
    found = []
    for other in laid["edges"]:
        theirs = _drawn(other)
        if other is loop or not theirs or _ports(loop) & _ports(other):
            continue                    # from the loop's own port: one wire that branches
        if any(_segments_cross(p, q, r, s) for p, q in zip(mine, mine[1:])
               for r, s in zip(theirs, theirs[1:])):
            found.append(f"{names[other['tail']]}-{names[other['head']]}")
    return found


def _ports(edge: dict) -> set[tuple]:
    """The ports a wire meets, by box and port (met at any compass point)."""
    return {(edge[end], str(edge.get(f"{end}port", "")).partition(":")[0])
            for end in ("tail", "head")}


def _segments_cross(a, b, c, d) -> bool:
    def orient(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


@needs_dot
def test_a_loop_met_at_its_ports_corners_runs_in_a_channel_too():
    # open_agency's deployment: switch.action -> predictor.action, laid out to meet its ports
    # at their corners (`loops.CORNERS`), swept round the left of the switch and back over its
    # top, across the four wires into it; as a channel it runs down the right, crossing none
    laid = _layout(R.fitted_dot(_proposal("open_agency"), style="paper", font_size=7,
                                width="6.5in", direction="TB"))
    names = {o["_gvid"]: o["name"] for o in laid["objects"]}
    (loop,) = [e for e in _feedback(laid) if names[e["head"]] == "deployment/switch"]
    assert _crossed_by(laid, loop) == []
    points = _drawn(loop)
    right = max(x for x, _ in points)
    boxes = {o["name"]: float(o["pos"].split(",")[0]) + float(o["width"]) * 36
             for o in laid["objects"] if "pos" in o and "nodes" not in o}
    assert right > max(boxes["deployment/predictor"], boxes["deployment/monitor"])


def _over_titles(laid: dict, edge: dict) -> list[str]:
    """The nested diagrams' frames whose title a wire passes over or runs along (within 3 pt)."""
    found = []
    for o in laid["objects"]:
        if o.get("name", "").startswith("cluster_") and o.get("label") and "lp" in o:
            x, y = (float(v) for v in o["lp"].split(","))
            w, h = float(o["lwidth"]) * 36 + 3, float(o["lheight"]) * 36 + 3
            if any(abs(p[0] - x) < w and abs(p[1] - y) < h for p in _drawn(edge)):
                found.append(o["name"])
    return found


@needs_dot
def test_a_channel_runs_along_no_frame(monkeypatch, fresh_layouts):
    # open_agency: world -> deployment's observation (a port of the nested diagram, just
    # inside its frame), let sweep 9 pt further from its boxes, was drawn as a channel turned
    # into it 2 pt under the frame's top, along it and over its title; a channel keeps off a
    # frame's border (`FRAME_CLEAR_PT`), and this loop is left as Graphviz routes it
    monkeypatch.setattr(channels, "BESIDE_PT", channels.BESIDE_PT + channels.GAP_PT)
    laid = _layout(R.fitted_dot(_proposal("open_agency"), style="paper", font_size=7,
                                width="6.5in", direction="TB"))
    assert {e.get("id"): _over_titles(laid, e) for e in _feedback(laid)
            if _over_titles(laid, e)} == {}


@needs_dot
def test_a_channel_leaves_its_port_from_the_middle():
    # swiss_cheese in the full style: world.harm -> attacker.outcome, laid out to meet its
    # ports at their corners, drawn as a channel from the corner of world's `harm` cell, half
    # a row above the port; it leaves from where the training signal from world.harm does
    laid = _layout(R.to_dot(_proposal("swiss_cheese")))
    names = {o["_gvid"]: o["name"] for o in laid["objects"]}
    world = next(g for g, name in names.items() if name == "world")
    (loop,) = [e for e in _feedback(laid) if world in (e["tail"], e["head"])]
    (signal,) = [e for e in laid["edges"] if e["tail"] == world and e is not loop]
    start = _drawn(loop)[-1 if loop["head"] == world else 0]
    assert math.dist(start, _drawn(signal)[0]) < 1.5, (start, _drawn(signal)[0])
