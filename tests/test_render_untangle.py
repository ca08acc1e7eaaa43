"""Fewer crossing wires in the paper style: each box side's ports in the order, of those tried
from a first layout, whose layout crosses fewest wires, and the training wires in the layout, of
a few tried, that crosses fewer without a larger picture (`wiring.render.untangle`); and the
crossing count itself, which must agree with the team's reference tool's definition."""

from __future__ import annotations

import json
import math
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wiring
from wiring import render as R
from wiring.render import pinned, untangle

from conftest import ROOT
from render_support import needs_dot


def crossed(dot_text: str) -> int:
    run = subprocess.run(["dot", "-Tjson"], input=dot_text.encode(), capture_output=True,
                         check=True)
    return untangle.crossings(json.loads(run.stdout))[0]


@needs_dot
@pytest.mark.parametrize("name, options", [
    ("control_defer_to_trusted", {"direction": "TB"}),
    ("debate", {"direction": "TB", "mode": "train"})])
def test_ports_are_ordered_so_that_fewer_wires_cross(monkeypatch, fresh_layouts, name,
                                                    options):
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    monkeypatch.setattr(untangle, "TRAINING", ())        # the ports alone
    monkeypatch.setattr(untangle, "MOST_CROSSINGS", 99)
    untangled = R.to_dot(proposal, style="paper", **options)
    R.forget_layouts()
    assert untangled == R.to_dot(proposal, style="paper", **options)      # deterministic
    monkeypatch.setattr(untangle, "ROUNDS", 0)                           # declared order
    declared = R.to_dot(proposal, style="paper", **options)
    assert crossed(untangled) < crossed(declared)


def knots_between_two_boxes(dot_text: str) -> list[tuple[str, str]]:
    """Pairs of wires from one box to another, at different ports, whose curves cross (which
    the reference tool does not count: they share their boxes)."""
    run = subprocess.run(["dot", "-Tjson"], input=dot_text.encode(), capture_output=True,
                         check=True)
    laid = json.loads(run.stdout)
    wires = [e for e in laid["edges"] if untangle.curve(e)]
    found = []
    for i, one in enumerate(wires):
        for other in wires[i + 1:]:
            if (one["tail"], one["head"]) != (other["tail"], other["head"]) or \
                    one.get("tailport") == other.get("tailport") or \
                    one.get("headport") == other.get("headport"):
                continue
            if curves_cross(one, other):
                found.append((one.get("id"), other.get("id")))
    return found


def curves_cross(one: dict, other: dict) -> bool:
    a, b = untangle.curve(one), untangle.curve(other)
    return any(untangle._cross(p, q, r, t) for p, q in zip(a, a[1:]) for r, t in zip(b, b[1:]))


@needs_dot
@pytest.mark.parametrize("name, box, options", [
    ("debate", "b", {"mode": "deploy"}),
    ("control_defer_to_trusted", "audit", {}),
    ("critiques", "rater", {"mode": "train"})])
def test_the_wires_of_two_outputs_do_not_cross_where_swapping_them_untangles(name, box, options):
    # debate's b: `answer`, read by the judge and by pick (its wires down the right of the
    # referee), was sorted left of `argument`, which feeds the referee: the mean places of
    # their readers are within 8 pt, and the two wires met in a U below b.
    # control_defer_to_trusted's audit: `passed` (to defer) and `caught` (to shutdown, below
    # defer) crossed just beneath it, each read by one box. critiques' rater: `rating` and
    # `helpfulness` crossed beneath it on their way to the optimisers, which come to lie where
    # they do only once the training wires are laid out
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    dot_text = R.to_dot(proposal, style="paper", direction="TB", font_size=7, **options)
    run = subprocess.run(["dot", "-Tjson"], input=dot_text.encode(), capture_output=True,
                         check=True)
    laid = json.loads(run.stdout)
    node = next(o["_gvid"] for o in laid["objects"] if o.get("name") == box)
    ports = {}
    for edge in laid["edges"]:
        # (a loop into the box is written backwards, from it: `dir=back`; a training
        # signal leaves it like any wire)
        if edge["tail"] == node and edge.get("dir") != "back":
            ports.setdefault(edge["tailport"].split(":")[0], []).append(edge)
    assert len(ports) == 2, ports.keys()
    one, other = ports.values()
    assert not any(curves_cross(e, f) for e in one for f in other)


@needs_dot
@pytest.mark.parametrize("name, box, options", [
    ("control_defer_to_trusted", "monitor", {"direction": "TB"}),
    ("rlhf", "sampler", {"mode": "reward"}),
    ("constitutional_ai", "pm", {"mode": "feedback", "direction": "TB"}),
    ("constitutional_ai", "feedback_lm", {"mode": "feedback", "direction": "TB"})])
def test_the_wires_into_two_inputs_do_not_cross_where_swapping_them_untangles(name, box, options):
    # each input has one wire, and the sort puts it by where that wire's source lies; but a
    # wire that must pass round a box on its way may come in from the other side.
    # control_defer_to_trusted's monitor: problems -> prompt passed left of u and crossed
    # u -> response twice just below u, and read as u feeding the prompt; rlhf's sampler and
    # constitutional_ai's pm and feedback_lm: two wires crossed in an X just before the box
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    dot_text = R.to_dot(proposal, style="paper", font_size=7, **options)
    run = subprocess.run(["dot", "-Tjson"], input=dot_text.encode(), capture_output=True,
                         check=True)
    laid = json.loads(run.stdout)
    node = next(o["_gvid"] for o in laid["objects"] if o.get("name") == box)
    into = [e for e in laid["edges"] if e["head"] == node and "data" in e["class"]]
    assert len({e["headport"] for e in into}) >= 2
    assert not any(curves_cross(e, f) for i, e in enumerate(into) for f in into[i + 1:])


@needs_dot
@pytest.mark.parametrize("name", ["control_trusted_monitoring", "control_untrusted_monitoring",
                                  "control_upfront_auditing"])
def test_two_wires_between_the_same_boxes_do_not_cross(name):
    # audit's passed and caught went to shutdown's response and trip: with both sides sorted
    # at once each swapped, and the two wires crossed the other way (with countermeasures,
    # untangling them crosses another pair: they stay)
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    assert knots_between_two_boxes(R.to_dot(proposal, style="paper", direction="TB")) == []


def size(dot_text: str) -> tuple[float, float]:
    run = subprocess.run(["dot", "-Tjson0"], input=dot_text.encode(), capture_output=True,
                         check=True)
    x0, y0, x1, y1 = (float(v) for v in json.loads(run.stdout)["bb"].split(","))
    return x1 - x0, y1 - y0


@needs_dot
@pytest.mark.parametrize("name, options", [
    ("incentives/content_recommender", {"direction": "TB"}),
    ("rrm", {"direction": "TB"})])
def test_training_wires_are_laid_out_so_that_fewer_wires_cross(monkeypatch, fresh_layouts,
                                                               name, options):
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    untangled = R.to_dot(proposal, style="paper", **options)
    monkeypatch.setattr(untangle, "TRAINING", ())          # updates at the corner, as before
    monkeypatch.setattr(untangle, "MOST_CROSSINGS", 99)
    monkeypatch.setattr(pinned, "updates_clear", lambda laid, grow: 0)    # nor redrawn after
    monkeypatch.setattr(pinned, "wires_apart", lambda laid, grow: 0)      # nor bent apart
    before = R.to_dot(proposal, style="paper", **options)
    assert crossed(untangled) < crossed(before)
    grown = [a - b for a, b in zip(size(untangled), size(before))]
    assert max(grown) <= untangle.SLACK_PT                # no wider, no taller
    # the update meets its box on a side of its own, not at the corner (a feedback loop may
    # meet its ports at their corners: `loops`)
    def training(dot: str) -> str:
        return "\n".join(line for line in dot.splitlines() if 'class="wire training"' in line)
    assert ':nw -> "' in training(before) and ':nw -> "' not in training(untangled)


@needs_dot
def test_a_figure_too_tangled_at_its_size_may_grow_to_cross_fewer_wires(monkeypatch,
                                                                        fresh_layouts):
    # IDA's optimisers share a rank with X_k, which H and H' feed: at its size no layout
    # tried crosses fewer than 8 pairs; set a rank beyond, they cross far fewer
    proposal = wiring.check_file(str(ROOT / "examples" / "ida.wd")).proposal
    grown = R.to_dot(proposal, style="paper", uniform=False)
    bound = untangle.MOST_CROSSINGS
    assert crossed(grown) <= bound
    assert "minlen=2" in grown
    monkeypatch.setattr(untangle, "MOST_CROSSINGS", 99)       # never grow
    kept = R.to_dot(proposal, style="paper", uniform=False)
    assert crossed(kept) > bound
    assert "minlen" not in kept
    assert size(grown)[1] > size(kept)[1]                    # what it costs: height


@needs_dot
def test_the_full_style_keeps_the_declared_port_order(monkeypatch, fresh_layouts):
    proposal = wiring.check_file(str(ROOT / "examples" / "control_trusted_editing.wd")).proposal
    full = R.to_dot(proposal, direction="TB")
    monkeypatch.setattr(untangle, "ROUNDS", 0)
    assert R.to_dot(proposal, direction="TB") == full


def test_crossings_counts_pairs_that_cross_but_not_pairs_sharing_a_box():
    def box(gvid, x, y):
        return {"_gvid": gvid, "name": f"n{gvid}", "pos": f"{x},{y}", "width": "0.2",
                "height": "0.2"}

    def wire(tail, head, *points):
        return {"tail": tail, "head": head, "_draw_": [{"op": "b", "points": list(points)}]}
    laid = {"objects": [box(0, 0, 0), box(1, 100, 100), box(2, 0, 100), box(3, 100, 0),
                        box(4, 50, 200)],
            "edges": [wire(0, 1, [0, 0], [30, 30], [70, 70], [100, 100]),      # a diagonal
                      wire(2, 3, [0, 100], [30, 70], [70, 30], [100, 0]),      # crossing it
                      wire(0, 4, [0, 0], [10, 60], [40, 150], [50, 200])]}     # shares box 0
    assert untangle.crossings(laid) == (1, 0)
    laid["edges"].append(wire(2, 4, [0, 100], [60, 100], [90, 100], [130, 110]))
    assert untangle.crossings(laid)[1] == 1          # through box 1, which is not its end


def _reference_crossings(laid: dict) -> tuple[int, int]:
    """The reference tool's count (../shared/tools/crossings.py), written out: every pair of
    segments of every pair of wires, every sampled point against every box."""
    def bezier(p, t):
        while len(p) > 1:
            p = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]) for a, b in zip(p, p[1:])]
        return p[0]

    def turn(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def cross(a, b, c, d):
        return turn(a, b, c) * turn(a, b, d) < 0 and turn(c, d, a) * turn(c, d, b) < 0
    curves = [[bezier(op["points"][i:i + 4], k / 12) for op in e["_draw_"]
               for i in range(0, len(op["points"]) - 3, 3) for k in range(13)]
              for e in laid["edges"]]
    ends = [{e["tail"], e["head"]} for e in laid["edges"]]
    crossed = sum(1 for i, a in enumerate(curves) for j in range(i + 1, len(curves))
                  if not ends[i] & ends[j]
                  and any(cross(p, q, r, s) for p, q in zip(a, a[1:])
                          for r, s in zip(curves[j], curves[j][1:])))
    boxes = untangle.boxes_of(laid)
    through = sum(1 for e, c in zip(laid["edges"], curves)
                  if any(g not in (e["tail"], e["head"]) and
                         any(x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1 for x, y in c)
                         for g, (x0, y0, x1, y1) in boxes.items()))
    return crossed, through


coordinate = st.integers(0, 40).map(lambda v: v * 2.5)
point = st.lists(coordinate, min_size=2, max_size=2)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3),
                          st.lists(st.lists(point, min_size=4, max_size=4),
                                   min_size=1, max_size=3)),
                min_size=2, max_size=7))
def test_crossings_agrees_with_every_pair_of_segments_compared(wires):
    # crossings compares only the segments that reach into each other's extent, and reuses
    # the curves of wires it has sampled: it must count what comparing every pair counts
    laid = {"objects": [{"_gvid": g, "name": f"n{g}", "pos": f"{25 + 25 * g},50",
                         "width": "0.3", "height": "0.3"} for g in range(4)],
            "edges": [{"tail": tail, "head": head,
                       "_draw_": [{"op": "b", "points": [p for i, seg in enumerate(segments)
                                                         for p in seg[1 if i else 0:]]}]}
                      for tail, head, segments in wires]}
    assert untangle.crossings(laid) == _reference_crossings(laid)
    assert untangle.crossings(laid) == _reference_crossings(laid)        # and again, cached


def _run_side_by_side(one: list, other: list, beside: float) -> float:
    """The longest stretch (pt) of the points `one` within `beside` of the points `other`
    but not on them (a pen's width)."""
    run = longest = 0.0
    for p, q in zip(one, one[1:]):
        apart = min(math.dist(q, r) for r in other)
        run = run + math.dist(p, q) if 0.75 < apart <= beside else 0.0
        longest = max(longest, run)
    return longest


@needs_dot
def test_copies_of_one_output_run_as_one_wire_until_they_part():
    # control_trusted_editing's problems go to the audit and to the editor: Graphviz drew the
    # two wires down the left under 8 pt apart for almost two inches, which reads as one thick line;
    # now one wire that branches where they part (`bundles`, as loops from one port are)
    proposal = wiring.check_file(str(ROOT / "examples" / "control_trusted_editing.wd")).proposal
    dot_text = R.to_dot(proposal, style="paper", font_size=7, width="6.5in", direction="TB")
    laid = json.loads(subprocess.run(["dot", "-Tjson"], input=dot_text.encode(),
                                     capture_output=True, check=True).stdout)
    problems = next(o["_gvid"] for o in laid["objects"] if o.get("name") == "problems")
    copies = [untangle.curve(e) for e in laid["edges"] if e["tail"] == problems]
    assert len(copies) == 4
    # (a fan of wires leaving one port runs so for up to 18 pt before it opens)
    assert max(_run_side_by_side(a, b, 8.0) for a in copies for b in copies if a is not b) \
        < 24.0                                                   # was 134 pt


EXAMPLES = sorted(p.relative_to(ROOT / "examples").with_suffix("").as_posix()
                  for p in (ROOT / "examples").rglob("*.wd"))


@needs_dot
@pytest.mark.parametrize("name", EXAMPLES)
def test_no_wire_of_a_default_picture_passes_through_a_box(name):
    # tidying may redraw a wire (a copy along the wire it was copied with, a loop's end, an
    # update): never through a box (overoptimisation's prompts to the gold labeller, drawn
    # along the wire into init as far as init's port, then cut across its corner)
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    run = subprocess.run(["dot", "-Tjson"], input=R.to_dot(proposal).encode(),
                         capture_output=True, check=True)
    assert untangle.crossings(json.loads(run.stdout))[1] == 0


@needs_dot
@pytest.mark.parametrize("name", ["rl_model_based_rewards", "rl_rf_input_tampering"])
def test_a_loop_into_a_box_crosses_no_wire_into_the_port_beside_it(name):
    # The sensor's ports were sorted on the first layout, where the loop from the agent to
    # `tamper` ran as Graphviz routed it; tidied, it came into its port from behind, turning in
    # just where it crossed world -> `state`, and read as the world feeding `tamper`. Two
    # inputs of a box whose wires cross so, one a loop's, are swapped where that crosses less.
    proposal = wiring.check_file(str(ROOT / "examples" / "incentives" / f"{name}.wd")).proposal
    run = subprocess.run(["dot", "-Tjson"], capture_output=True, check=True, input=R.fitted_dot(
        proposal, style="paper", font_size=7, width="6.5in").encode())
    laid = json.loads(run.stdout)
    sensor = next(o["_gvid"] for o in laid["objects"] if o.get("name") == "sensor")
    loops = [e for e in laid["edges"] if "feedback" in e["class"] and e["tail"] == sensor]
    into = [e for e in laid["edges"] if "data" in e["class"] and e["head"] == sensor]
    assert loops and into
    assert not any(curves_cross(loop, wire) for loop in loops for wire in into)
