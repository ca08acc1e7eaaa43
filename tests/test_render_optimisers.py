"""Parameter updates leave their optimiser clear of the training signals coming into it (issue
13): no signal's arrowhead lands on an update's double line where it leaves, and no update runs
back along a signal. Read from the layout of the DOT that `wiring render` writes, as Graphviz
draws it, for the gallery's panel figures (docs/gallery.md's paper commands)."""

from __future__ import annotations

import json
import math
import subprocess

import pytest

import wiring
from wiring.render import fitted_dot

from conftest import ROOT
from render_support import bezier, needs_dot

PAPER = {"style": "paper", "font_size": "7pt", "width": "6.5in", "panels": "modes"}
FIGURES = {"rlhf": {}, "constitutional_ai": {"direction": "TB"},
           "overoptimisation": {"direction": "TB"},
           "overoptimisation_early_stopping": {"direction": "TB"},
           "swiss_cheese": {"direction": "TB"}, "ida": {"panels": None}}
CLEAR_PT = 3.0     # between a signal's arrowhead and an update's strokes, as drawn
NEAR_PT = 5.0      # an update's strokes this near a signal's curve run along it ...
ALONG_PT = 12.0    # ... for no longer than this, heading
ALONG = 30.0       # within this many degrees of its way


def laid_out(name: str) -> dict:
    proposal = wiring.check_file(str(ROOT / "examples" / f"{name}.wd")).proposal
    dot = fitted_dot(proposal, **{**PAPER, **FIGURES[name]})
    return json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True,
                                     text=True, check=True).stdout)


def strokes(edge: dict) -> list:
    """Points every fraction of a point along each curve Graphviz draws for a wire."""
    return [bezier(cp[i:i + 4], k / 48) for op in edge.get("_draw_", []) if op["op"] == "b"
            for cp in [op["points"]] for i in range(0, len(cp) - 3, 3) for k in range(49)]


def arrowhead(edge: dict) -> list:
    """Points along the outline of a wire's arrowheads, as Graphviz draws them."""
    out = []
    for key in ("_hdraw_", "_tdraw_"):
        for op in edge.get(key, []):
            if op["op"] in ("p", "P"):
                corners = [tuple(p) for p in op["points"]]
                out += [(a[0] + (b[0] - a[0]) * k / 8, a[1] + (b[1] - a[1]) * k / 8)
                        for a, b in zip(corners, corners[1:] + corners[:1]) for k in range(8)]
    return out


def at_optimisers(laid: dict):
    """(optimiser's name, an update leaving it, the signals coming into it) for every update."""
    names = {o["_gvid"]: o.get("name") for o in laid["objects"]}
    optimisers = {o["_gvid"] for o in laid["objects"]
                  if "optimiser" in str(o.get("class", "")).split()}
    for optimiser in optimisers:
        wires = [e for e in laid.get("edges", []) if optimiser in (e["tail"], e["head"])
                 and "training" in str(e.get("class", "")).split() and strokes(e)]
        signals = [e for e in wires if e["head"] == optimiser and arrowhead(e)
                   and e.get("dir") != "back"]
        for update in (e for e in wires if e not in signals):
            yield names[optimiser], update, signals


def run_along(update: list, signal: list) -> float:
    """The longest stretch of an update's points within NEAR_PT of a signal's curve, heading
    within ALONG degrees of its way there (a crossing is not a run along)."""
    run = longest = 0.0
    for p, q in zip(update, update[1:]):
        a, b = min(zip(signal, signal[1:]), key=lambda ab: math.dist(p, ab[0]))
        mine, its = math.dist(p, q), math.dist(a, b)
        parallel = mine > 0 and its > 0 and abs(
            (q[0] - p[0]) * (b[0] - a[0]) + (q[1] - p[1]) * (b[1] - a[1])) >= \
            math.cos(math.radians(ALONG)) * mine * its
        run = run + mine if parallel and math.dist(p, a) < NEAR_PT else 0.0
        longest = max(longest, run)
    return longest


@needs_dot
@pytest.mark.parametrize("name", FIGURES)
def test_updates_leave_their_optimiser_clear_of_its_signals(name):
    found = list(at_optimisers(laid_out(name)))
    assert found, "no parameter update drawn"
    for optimiser, update, signals in found:
        mine = strokes(update)
        for signal in signals:
            nearest = min(math.dist(p, q) for p in mine for q in arrowhead(signal))
            assert nearest >= CLEAR_PT, (name, optimiser, signal["tail"], nearest)
            assert run_along(mine, strokes(signal)) <= ALONG_PT, (name, optimiser, signal["tail"])
