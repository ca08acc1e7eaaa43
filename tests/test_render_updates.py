"""Parameter updates (the double lines from an optimiser to the box it trains) come into that box
squarely, from outside, with their arrowheads clear of every other wire (issue 13): read from
the layout of the DOT that `wiring render` writes, as Graphviz draws it."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess

import pytest

import wiring
from wiring.render import fitted_dot, fitting_options

from conftest import ROOT
from render_support import needs_dot

PAPER = {"style": "paper", "font_size": "7pt", "width": "6.5in"}
# Figures whose updates Graphviz landed on a loop, on another update's arrowhead, on a box's
# corner or curled round it (the reviews of the gallery): each is drawn with the option the
# refusal names at a page's width, as in docs/gallery.md.
REDRAWN = ["amplification", "best_of_n", "cyborgism", "incentives/content_recommender_redesign",
           "incentives/grade_predictor", "incentives/grade_predictor_redesign",
           "incentives/rl_current_rf", "incentives/rl_model_based_rewards", "overoptimisation",
           # where Graphviz's curve hugs the box all the way to the optimiser, or the sides
           # across the flow have no room: drawn anew, or into the outputs' side
           "constitutional_ai", "incentives/rl_current_rf_ti_considering",
           "incentives/rl_direct_learning", "incentives/rl_modifiable_reward"]
CLEAR = 4.0          # points between an arrowhead and any other wire
SQUARE = math.cos(math.radians(46))


def laid_out(name: str) -> dict:
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    fits = fitting_options(proposal, **PAPER)
    dot = fitted_dot(proposal, **PAPER, **(fits[1] if fits else {}))
    return json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True,
                                     text=True, check=True).stdout)


def _drawing_helpers():
    """The benchmark's readers of a drawn wire (benchmarks/update_ends.py), one home for both."""
    spec = importlib.util.spec_from_file_location("update_ends",
                                                  ROOT / "benchmarks" / "update_ends.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ink, module.to_segment, module.updates


# updates(laid) yields (the update, the name of the box it trains, its arrow's tip and base,
# that box) of every parameter update
ink, to_segment, updates = _drawing_helpers()


def square_to_its_side(tip, base, box) -> bool:
    x0, y0, x1, y1 = box
    normals = {(0, 1): abs(tip[1] - y1), (0, -1): abs(tip[1] - y0), (1, 0): abs(tip[0] - x1),
               (-1, 0): abs(tip[0] - x0)}
    length = math.dist(tip, base)
    pointing = ((tip[0] - base[0]) / length, (tip[1] - base[1]) / length)
    on = [n for n, away in normals.items() if away <= 1.0]
    return any(-(n[0] * pointing[0] + n[1] * pointing[1]) >= SQUARE for n in on)


@needs_dot
@pytest.mark.parametrize("name", REDRAWN)
def test_updates_come_into_their_box_squarely_with_the_arrowhead_clear(name):
    laid = laid_out(name)
    found = list(updates(laid))
    assert found, "no parameter update drawn"
    for edge, _, tip, base, box in found:
        assert square_to_its_side(tip, base, box), (name, edge.get("id"), tip, base, box)
        nearest = min((to_segment(p, tip, base) for other in laid["edges"] if other is not edge
                       for p in ink(other)), default=math.inf)
        assert nearest >= CLEAR, (name, edge.get("id"), nearest)


def outline(edge: dict) -> list:
    """Points along the outline of an update's arrowhead, as Graphviz draws it."""
    corners = [tuple(p) for key in ("_hdraw_", "_tdraw_") for op in edge.get(key, [])
               if op.get("op") in ("p", "P") for p in op["points"]]
    return [(a[0] + (b[0] - a[0]) * k / 8, a[1] + (b[1] - a[1]) * k / 8)
            for a, b in zip(corners, corners[1:] + corners[:1]) for k in range(8)]


@needs_dot
def test_two_updates_into_one_box_keep_their_arrowheads_apart():
    # ida's x is trained by two optimisers: Graphviz put both arrowheads on x's narrow top,
    # and redrawn, one came in 6.5 pt from the other, their hollow heads 9 pt wide one over
    # the other
    laid = laid_out("ida")
    names = {o["_gvid"]: o.get("name") for o in laid["objects"]}
    into_x = [edge for edge, *_ in updates(laid)
              if "x" in (names[edge["tail"]], names[edge["head"]])]
    assert len(into_x) == 2
    gap = min(math.dist(p, q) for p in outline(into_x[0]) for q in outline(into_x[1]))
    assert gap >= 1.0, gap


def _crosses(one: list, other: list) -> bool:
    def turn(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return any(turn(a, b, c) * turn(a, b, d) < 0 and turn(c, d, a) * turn(c, d, b) < 0
               for a, b in zip(one, one[1:]) for c, d in zip(other, other[1:]))


@needs_dot
def test_an_update_is_drawn_clear_of_the_loop_round_its_box_where_it_can_be():
    # rl_current_rf_ti_considering: the agent's update came in through the agent's own
    # feedback loop, which wraps over it; below the loop it crosses nothing
    laid = laid_out("incentives/rl_current_rf_ti_considering")
    names = {o["_gvid"]: o.get("name") for o in laid["objects"]}
    (update,) = [edge for edge, *_ in updates(laid)
                 if "agent" in (names[edge["tail"]], names[edge["head"]])]
    loops = [edge for edge in laid["edges"] if "feedback" in edge.get("class", "").split()
             and "agent" in (names[edge["tail"]], names[edge["head"]])]
    assert loops
    assert not any(_crosses(one, other) for loop in loops
                   for one in strokes(update) for other in strokes(loop))


def strokes(edge: dict) -> list:
    """Each curve Graphviz draws for a wire (a double line's several), as points along it."""
    return [ink({"_draw_": [op]}) for op in edge.get("_draw_", []) if op.get("op") == "b"]


ROOMY = 10.0         # points from a corner: nearer, the arrowhead sits on the corner's rounding


@needs_dot
@pytest.mark.parametrize("name", ["amplification", "best_of_n", "cyborgism",
                                  "incentives/grade_predictor_redesign"])
def test_updates_come_in_away_from_their_box_corners(name):
    # each of these had an update whose arrowhead met its box within 10 pt of a corner (best_of_n's
    # policy, cyborgism's simulator: square to the side, but on its last few points), where the
    # side had room farther in
    for edge, box_name, tip, _, box in updates(laid_out(name)):
        x0, y0, x1, y1 = box
        from_x = min(abs(tip[0] - x0), abs(tip[0] - x1))
        from_y = min(abs(tip[1] - y0), abs(tip[1] - y1))
        assert max(from_x, from_y) >= ROOMY, (name, box_name, edge.get("id"), tip, box)


@needs_dot
def test_an_update_with_no_room_beside_its_box_comes_round_beneath_it():
    # rlhf's sft panel: the policy's outputs' side holds its signal to the optimiser, the side
    # above it lies under the labelers; the update came into the top's corner askew, and now
    # comes round beneath the policy, square into its bottom, away from its corners
    proposal = wiring.check_file(str(ROOT / "examples" / "rlhf.wd")).proposal
    dot = fitted_dot(proposal, **PAPER, panels="modes")
    laid = json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True,
                                     text=True, check=True).stdout)
    found = [(tip, base, box) for _, name, tip, base, box in updates(laid)
             if name == "sft/policy"]
    assert found
    for tip, base, (x0, y0, x1, y1) in found:
        assert square_to_its_side(tip, base, (x0, y0, x1, y1)), (tip, base)
        assert abs(tip[1] - y0) <= 1.0 and min(tip[0] - x0, x1 - tip[0]) >= ROOMY, tip


@needs_dot
@pytest.mark.parametrize("name, box_name", [("incentives/rl_modifiable_reward", "agent"),
                                            ("ida", "x")])
def test_an_update_comes_in_over_the_key_which_moves_down_to_make_room(name, box_name):
    # rl_modifiable_reward's agent: the reward model just above it, the key just below, its
    # outputs' side holding its loop (so was rl_rf_input_tampering's, until its sensor's
    # inputs were swapped and the agent came to lie above the reward model).
    # ida's x: the second update came in sideways at x's corner, where x's loop starts. Each
    # now comes square into the box's bottom, away from its corners, the key lowered for it
    laid = laid_out(name)
    found = [(edge, tip, base, box) for edge, trained, tip, base, box in updates(laid)
             if trained == box_name]
    assert found
    assert any(abs(tip[1] - box[1]) <= 1.0 and square_to_its_side(tip, base, box)
               and min(tip[0] - box[0], box[2] - tip[0]) >= ROOMY
               for _, tip, base, box in found), found
    for edge, tip, base, _ in found:
        nearest = min((to_segment(p, tip, base) for other in laid["edges"] if other is not edge
                       for p in ink(other)), default=math.inf)
        assert nearest >= CLEAR, (edge.get("id"), nearest)
    x, y = (float(v) for v in laid["lp"].split(","))
    key_top = y + float(laid["lheight"]) * 36
    lowest = min(p[1] for edge in laid["edges"] for p in ink(edge))
    assert lowest >= key_top + 1.0, (lowest, key_top)


ALIGNED = 21.0       # degrees between an arrowhead's axis and the way its line comes into it


def parting(tip, base, edge: dict) -> float:
    """Degrees between an update's arrow (base to tip) and the way its curve comes into the
    base: its first control point more than a point away."""
    tokens = edge["pos"].split()
    points = [tuple(float(v) for v in t.split(",")) for t in tokens if t[:2] not in ("s,", "e,")]
    points = points if tokens[0].startswith("s,") else points[::-1]
    handle = next(p for p in points[1:3] if math.dist(p, base) > 1.0)
    arrow = math.atan2(tip[1] - base[1], tip[0] - base[0])
    line = math.atan2(base[1] - handle[1], base[0] - handle[0])
    return abs((math.degrees(arrow - line) + 180) % 360 - 180)


@needs_dot
@pytest.mark.parametrize("name", ["overoptimisation_early_stopping", "process_supervision"])
def test_an_update_runs_into_its_arrowhead(name):
    # Graphviz aimed the policy's update at the box's corner from where it clipped the curve:
    # the hollow head sat 34 degrees off its double line, as if broken off it (the eval and
    # monitored_rl panels), where no end redrawn into a side had room
    for edge, box_name, tip, base, _ in updates(laid_out(name)):
        assert parting(tip, base, edge) <= ALIGNED, (name, box_name, edge.get("id"))


ALONG = 12.0         # points: an update beside a loop, and heading its way, for longer reads
PARALLEL = math.cos(math.radians(30))      # as one wire with it; a crossing does not


def _longest_run_beside(update: dict, loop: dict) -> float:
    """The longest stretch of an update's strokes within CLEAR of a loop's and heading within
    30 degrees of its way."""
    near = [(a, b) for stroke in strokes(loop) for a, b in zip(stroke, stroke[1:]) if a != b]
    longest = 0.0
    for stroke in strokes(update):
        run = 0.0
        for p, q in zip(stroke, stroke[1:]):
            length = math.dist(p, q)
            beside = length > 0 and any(
                to_segment(p, a, b) < CLEAR and to_segment(q, a, b) < CLEAR and
                abs((q[0] - p[0]) * (b[0] - a[0]) + (q[1] - p[1]) * (b[1] - a[1]))
                >= PARALLEL * length * math.dist(a, b) for a, b in near)
            run = run + length if beside else 0.0
            longest = max(longest, run)
    return longest


@needs_dot
@pytest.mark.parametrize("name", ["incentives/rl_current_rf",
                                  "incentives/rl_feedback_tampering"])
def test_an_update_crosses_the_loop_round_its_box_rather_than_run_along_it(name):
    # the trained box's loop runs over its top, where its update came in: lifted round the
    # arrowhead, the loop ran beside the update's double line for 14 to 23 pt
    laid = laid_out(name)
    loops = [edge for edge in laid["edges"] if "feedback" in edge.get("class", "").split()]
    found = list(updates(laid))
    assert loops and found
    runs = {(edge.get("id"), loop.get("id")): round(_longest_run_beside(edge, loop), 1)
            for edge, *_ in found for loop in loops}
    assert max(runs.values()) <= ALONG, runs


@needs_dot
def test_an_update_does_not_climb_a_panel_beside_a_loop_where_a_layout_spares_it():
    # swiss_cheese's deploy panel: the attacker, trained from the foot of the panel, had its
    # update climb the whole panel beside the loop that closes the attacker's episode (no
    # end redrawn mends that) and meet the loop's arrowhead at the attacker's corner (0.4 pt
    # away); of the loops' layouts as good, the one that spares it is kept
    laid = laid_out("swiss_cheese")
    loops = [edge for edge in laid["edges"] if "feedback" in edge.get("class", "").split()]
    edge = _square_clear_and_off_its_corners(laid, "deploy/attacker")
    assert max(_longest_run_beside(edge, loop) for loop in loops) <= ALONG


@needs_dot
def test_an_update_crosses_a_loop_at_its_box_rather_than_land_on_it():
    # swiss_cheese's retrain panel: no layout of its loops spares the attacker's update the
    # climb beside the loop, which comes round into the attacker's top; the update landed at
    # the attacker's corner on the loop's arc, 0.4 pt from it. Askew and crowded, it may now
    # cross the loop once to come square into the attacker's bottom, clear
    _square_clear_and_off_its_corners(laid_out("swiss_cheese"), "retrain/attacker")


def _square_clear_and_off_its_corners(laid: dict, name: str) -> dict:
    """The one update into the box `name`, asserted square to its side, ROOMY from the
    side's corners and CLEAR of every other wire."""
    (found,) = [(edge, tip, base, box) for edge, trained, tip, base, box in updates(laid)
                if trained == name]
    edge, tip, base, (x0, y0, x1, y1) = found
    assert square_to_its_side(tip, base, (x0, y0, x1, y1)), (tip, base)
    assert max(min(abs(tip[0] - x0), abs(tip[0] - x1)),
               min(abs(tip[1] - y0), abs(tip[1] - y1))) >= ROOMY, tip
    nearest = min(to_segment(p, tip, base) for other in laid["edges"] if other is not edge
                  for p in ink(other))
    assert nearest >= CLEAR, nearest
    return edge


@needs_dot
@pytest.mark.parametrize("box_name", ["rerank/policy", "monitored_rl/policy"])
def test_a_data_wire_passing_an_updates_arrowhead_is_bent_round_it(box_name):
    # process_supervision's rerank: problems -> prm ran down beside the policy, through the
    # arrowhead of its update (0.4 pt); in monitored_rl, problems -> monitor crowded the
    # policy's left side, and the update came over it into the policy's top corner. The wire
    # is lifted round the arrowhead, which comes square into the side, clear of it
    laid = laid_out("process_supervision")
    (edge, tip, base, box), = [(edge, tip, base, box) for edge, trained, tip, base, box
                               in updates(laid) if trained == box_name]
    assert square_to_its_side(tip, base, box), (tip, base)
    nearest = min(to_segment(p, tip, base) for other in laid["edges"] if other is not edge
                  for p in ink(other))
    assert nearest >= CLEAR, nearest


@needs_dot
@pytest.mark.parametrize("name", ["incentives/rl_feedback_tampering", "open_agency",
                                  "overoptimisation_early_stopping"])
def test_an_update_with_no_room_to_turn_square_gets_more_room_between_boxes(name):
    # squeezed against its box's neighbour, each of these updates came in along its box's
    # border (open_agency's store, rl_feedback_tampering's reward model) or onto its corner
    # pointing away (overoptimisation_early_stopping's eval policy): the picture is laid out
    # again with more room between boxes, kept where it still fits 6.5 in
    laid = laid_out(name)
    found = list(updates(laid))
    assert found, "no parameter update drawn"
    for edge, box_name, tip, base, (x0, y0, x1, y1) in found:
        assert square_to_its_side(tip, base, (x0, y0, x1, y1)), (box_name, tip, base)
        assert max(min(abs(tip[0] - x0), abs(tip[0] - x1)),
                   min(abs(tip[1] - y0), abs(tip[1] - y1))) >= ROOMY, (box_name, tip)
    assert float(laid["bb"].split(",")[2]) <= 6.5 * 72 + 0.5
