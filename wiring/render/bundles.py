"""Wires copied from one port run as one wire until they part (issue 13), in either style.

Graphviz routes each wire on its own, so two loops copied from one output (critiques: the
draft back to the critic and to the refiner) leave their port side by side, a few points apart,
and run so for an inch: two dashed lines that read as a smudge, or as two wires where there is
one copied; so do other copies (control_trusted_editing: the problems to the audit and to the
editor, under 8 pt apart for two inches, one thick line). In a wiring diagram a copy is a wire
that branches. Once the picture is laid out, a wire that shares an end (a port) with another of
its kind, and runs near it from there (a loop within NEAR_PT of the first loop from that port;
another wire within TOGETHER_PT of any earlier one, as far as it comes that near but not
within SHARED_PT of the box the other goes to), is drawn along the other's curve up to where it
leaves it, then joins its own curve: one wire, then a branch. A wire is left as laid out where
that would come near a box or label, cross more wires (`crossings`, or `crossed_beside`: wires
into one box) or pass through more boxes, or, for a copy, still run beside the other for
SHARED_PT after it leaves it; a loop that lies on the other from their port already is drawn
from where it leaves it.
"""

from __future__ import annotations

import math
from collections import defaultdict

from .ends import (crosses_an_obstacle, obstacles, pos_text, samples, split_at, subdivided,
                   unit, xy)
from .untangle import bezier, crossed_beside, crossings

CHANNEL = "channel"   # the mark of a loop drawn as a channel (`channels`): none bent along another

NEAR_PT = 16.0     # a loop this near another from their shared port runs beside it
# Other wires copied from one port fan out from it as Graphviz draws them; two that stay this
# near each other read as one thick line (control_trusted_editing: problems to the audit and
# to the editor); a copy is drawn along the other as far as it comes this near it.
TOGETHER_PT = 8.0
STEP_PT = 2.0      # how far apart the points are that measure a run beside another wire
SHARED_PT = 18.0   # the least run beside the other worth drawing as one wire; the most a
                   # copy may run beside it once parted
SAMPLES = 12       # points sampled a Bézier segment
# A loop this near another from their shared port lies on it (a pen's width), and is drawn
# from where it leaves it when it runs so for at least TRIM_FROM_PT.
TRIM_PT = 1.0
TRIM_FROM_PT = 8.0


def bundle_copies(laid: dict, loops_only: bool = False) -> int:
    """In a Graphviz layout (`graphviz.drawing`), draw each wire that shares a port with an
    earlier one of its kind, and runs near it from there (a feedback loop within NEAR_PT of
    the first such loop, another wire within TOGETHER_PT of any earlier one), along that
    one's curve until it parts from it (only the feedback loops, with `loops_only`); how many
    were."""
    groups: dict[tuple, list] = defaultdict(list)
    for edge in laid.get("edges", []):
        if edge.get("pos") and (not loops_only or
                                "feedback" in str(edge.get("class", "")).split()):
            for end in ("tail", "head"):
                groups[edge[end], edge.get(f"{end}port", ""), end,
                       str(edge.get("class", ""))].append(edge)
    blocks, crossed, bundled = obstacles(laid), _tangles(laid), 0
    for (_, _, end, kind), edges in sorted(groups.items(), key=lambda item: str(item[0])):
        for i, edge in enumerate(edges[1:], 1):
            loop = "feedback" in kind.split()
            if loop and _trimmed(edges[0], edge, end, parting=True):
                bundled += 1    # on the first from its port, then apart: a branch
                continue
            for other in edges[:1] if loop else edges[:i]:
                # along the other, else the other along this one: whichever crosses no more
                now = _bundled(laid, other, edge, end, blocks, crossed) or \
                    _bundled(laid, edge, other, end, blocks, crossed)
                if now is not None:
                    crossed, bundled = now, bundled + 1
                    break
            else:
                bundled += loop and _trimmed(edges[0], edge, end)
    return bundled


def _trimmed(trunk: dict, branch: dict, end: str, parting: bool = False) -> int:
    """Where `branch` lies on `trunk` from their shared port (within TRIM_PT: ida's two loops
    from xk, under a point apart for 40 pt; loops drawn as `channels`), draw it only from
    where it leaves it, unless it has an arrow there (or, `parting`, it then runs beside the
    trunk, within TOGETHER_PT for SHARED_PT: drawn along it instead): 1 if it was so drawn,
    else 0."""
    marks, points = _oriented(branch, end)
    if ("s," if end == "tail" else "e,") in "".join(marks):
        return 0
    on = _samples(_oriented(trunk, end)[1])
    mine = _samples(points)
    leaves = next((i for i, (_, _, at) in enumerate(mine)
                   if min(math.dist(at, s[2]) for s in on) > TRIM_PT), None)
    if leaves is None or sum(math.dist(a[2], b[2]) for a, b in zip(mine, mine[1:leaves])) \
            < TRIM_FROM_PT:
        return 0
    segment, t, _ = mine[leaves - 1]
    rest = split_at(points[3 * segment:3 * segment + 4], t)[1] + points[3 * segment + 4:]
    if parting and _run_beside(_oriented(trunk, end)[1], rest, TOGETHER_PT) > SHARED_PT:
        return 0
    ordered = rest if end == "tail" else rest[::-1]
    branch["pos"] = pos_text(marks, ordered)
    branch.pop("_draw_", None)
    return 1


def _bundled(laid: dict, trunk: dict, branch: dict, end: str, blocks: list,
             crossed: tuple[int, int, int]) -> tuple[int, int, int] | None:
    """Draw `branch` along `trunk` from their shared `end` ("tail" or "head") until it parts
    from it, unless that comes near an obstacle (`blocks`) or tangles the layout more than
    `crossed` (`_tangles`): the tangles then, or None (the branch left as it was)."""
    if branch.get(CHANNEL) or trunk.get(CHANNEL):
        return None        # drawn straight beyond what it passes (`channels`): kept so,
                           # and no loop bent along it (round the turns of its channel)
    marks, points = _oriented(branch, end)
    tips = [xy(t) for t in marks]
    shared_arrow = ("s," if end == "tail" else "e,") in "".join(marks)
    if shared_arrow and end == "head":
        # both drawn from their tails: over each other from their heads, their dashes out
        # of step would read as a solid line (an arrow or ring there cannot be left out)
        return None
    before = {key: branch[key] for key in ("pos", "_draw_") if key in branch}
    loop = "feedback" in str(branch.get("class", "")).split()
    near, along = (NEAR_PT if loop else TOGETHER_PT), _oriented(trunk, end)[1]
    for joined, shared, new in _along_trunk(along, points, near, not loop):
        junction = joined[shared]
        if not shared_arrow:
            # no arrow at the shared port: the branch begins where it leaves the trunk, so
            # the two dashed lines are not drawn over each other out of step
            joined, new = joined[shared:], new - shared
        # near its ports and, a loop, where it leaves the trunk (whose route is Graphviz's)
        # it may pass close by a box; a copy may leave its trunk by the box the trunk goes to
        if crosses_an_obstacle(joined[:new], blocks, (points[0], points[-1], *tips),
                               (junction,) if loop else ()):
            continue
        parted = joined if not shared_arrow else joined[shared:]
        if not loop and _run_beside(along, parted, near) > SHARED_PT:
            continue            # parted too early: still two lines side by side
        ordered = joined if end == "tail" else joined[::-1]
        branch["pos"] = pos_text(marks, ordered)
        branch.pop("_draw_", None)          # its strokes are drawn from `pos` again
        now = _tangles(laid)
        if all(a <= b for a, b in zip(now, crossed)):
            return now
        branch.update(before)
    return None


def _run_beside(trunk: list, points: list, beside: float) -> float:
    """The longest stretch of a curve (`points`, control points) that runs beside `trunk`:
    within `beside` of it but not on it (TRIM_PT), read every STEP_PT."""
    on = samples(subdivided(trunk, STEP_PT * SAMPLES))
    mine = samples(subdivided(points, STEP_PT * SAMPLES))
    run = longest = 0.0
    for p, q in zip(mine, mine[1:]):
        run = run + math.dist(p, q) if TRIM_PT < min(math.dist(q, t) for t in on) <= beside \
            else 0.0
        longest = max(longest, run)
    return longest


def _tangles(laid: dict) -> tuple[int, int, int]:
    """(pairs of wires that cross, wires through a box, pairs that cross beside a box they
    share): a branch drawn along its trunk may cross a wire into the box its own goes to,
    which `crossings` leaves out (amplification: h's sub1 copied to xk and combine, across
    sub2 into combine)."""
    return (*crossings(laid), crossed_beside(laid))


def _oriented(edge: dict, end: str) -> tuple[list[str], list]:
    """A wire's arrow marks and control points, the points from its `end` ("tail" or "head")."""
    tokens = str(edge["pos"]).split()
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    return [t for t in tokens if t[:2] in ("s,", "e,")], \
        points if end == "tail" else points[::-1]


def _along_trunk(trunk: list, points: list, beside: float = NEAR_PT, to_last: bool = False):
    """Ways to draw a curve (`points`, from the shared port) along `trunk` (from the same
    port) as long as it runs within `beside` of it, then to join its own curve at one of its
    knots (the nearest first), its tangent kept: each the control points, the index of the
    point where it leaves the trunk, and how many points are new (the rest are the curve's
    own). No way where the two part at once, or never do."""
    samples = _samples(trunk)
    mine = _samples(points)
    close = [min(math.dist(at, s[2]) for s in samples) <= beside for _, _, at in mine]
    near = close.index(False) if False in close else len(close)
    if to_last and near:
        # a copy follows the trunk to where it last comes near it: it must not part from it
        # only to run beside it again
        near = max(i + 1 for i, c in enumerate(close) if c)
    run = sum(math.dist(a[2], b[2]) for a, b in zip(mine, mine[1:near]))
    if run < SHARED_PT or near == len(mine):
        return
    # leaving the trunk where the curve last runs near it, or a little before (room to turn)
    for leave in range(near - 1, max(near // 2, 1) - 1, -SAMPLES // 3):
        segment, t, at = min(samples, key=lambda s: math.dist(s[2], mine[leave][2]))
        if to_last and math.dist(at, trunk[-1]) < SHARED_PT:
            continue        # a copy parts from its trunk before the box the trunk goes to
        left = split_at(trunk[3 * segment:3 * segment + 4], t)[0]
        prefix = trunk[:3 * segment] + left
        heading = unit((left[3][0] - left[2][0], left[3][1] - left[2][1]))
        if heading is None:
            continue
        # joining a segment on (room to join), up to the curve's other end
        for knot in sorted({min(k, len(points) - 1)
                            for k in range(3 * (mine[near - 1][0] + 2), len(points) + 2, 3)}):
            q = points[knot]
            after, before = points[min(knot + 1, len(points) - 1)], points[knot - 1]
            onward = unit((after[0] - q[0], after[1] - q[1])) if knot + 1 < len(points) else \
                unit((q[0] - before[0], q[1] - before[1]))
            if onward is None:
                continue
            length = math.dist(at, q) / 3
            joint = [(at[0] + heading[0] * length, at[1] + heading[1] * length),
                     (q[0] - onward[0] * length, q[1] - onward[1] * length), q]
            yield prefix + joint + points[knot + 1:], len(prefix) - 1, len(prefix) + len(joint)


def _samples(points: list) -> list[tuple[int, float, tuple[float, float]]]:
    """(segment, t, point) along a curve of cubic Bézier segments, from its first point."""
    return [(i // 3, k / SAMPLES, bezier(points[i:i + 4], k / SAMPLES))
            for i in range(0, len(points) - 3, 3) for k in range(SAMPLES + 1)]
