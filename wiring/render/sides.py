"""Places on a box's sides where a redrawn wire may meet it, and the turns of its path (issue
13): shared by `updates`, which redraws an update's end at the box it trains, and
`optimisers`, which redraws its end at its optimiser; and the side an arrow comes in by."""

from __future__ import annotations

import math

from .ends import unit

# Where along a side a redrawn end may meet its box (shares of the side).
PLACES = (0.5, 0.35, 0.65, 0.25, 0.75)
# and, on a side long enough that they lie this far from its corners (off a rounded corner, the
# arrowhead's width clear of it), nearer its ends: constitutional_ai's pm, whose optimiser lay
# below the box under pm's right half, was reached only from the left end of pm's bottom
OUTER_PLACES, OUTER_PT = (0.15, 0.85), 14.0
# A place nearer a corner than this puts the arrowhead (about 9 pt wide) on the corner's
# rounding, as a reader sees it: such places are tried last.
ROOMY_PT = 10.0
SIDES = {"n": (0.0, 1.0), "s": (0.0, -1.0), "e": (1.0, 0.0), "w": (-1.0, 0.0)}


def straight_across(box: tuple, side: str, other: tuple) -> list:
    """The place on `side` of `box` (within its middle, clear of a rounded corner) straight
    across from the middle of what it shares with `other`'s extent along that side: a
    straight update, where they share enough; none where they do not."""
    along = 0 if side in ("n", "s") else 1
    low, high = max(box[along], other[along]), min(box[along + 2], other[along + 2])
    share = ((low + high) / 2 - box[along]) / (box[along + 2] - box[along])
    return [on_side(box, side, share)] if low < high and \
        min(PLACES) <= share <= max(PLACES) else []


def entries(box: tuple, point) -> list:
    """Points of the sides of `box` (away from its rounded corners) and each side's outward
    normal, the sides facing `point` first, on each the nearest to it first: the one straight
    across from it, where that is clear of the corners, then its middle and either side."""
    out = []
    for side in sorted(SIDES, key=lambda s: -facing(s, box, point)):
        x0, y0, x1, y1 = box
        across = (point[0] - x0) / (x1 - x0) if side in ("n", "s") else \
            (point[1] - y0) / (y1 - y0)
        shares = ([across] if 0.2 <= across <= 0.8 else []) + [0.5, 0.3, 0.7]
        places = sorted((on_side(box, side, share) for share in shares),
                        key=lambda at: math.dist(at, point))
        out += [(at, SIDES[side]) for at in places]
    return out


def facing(side: str, box: tuple, point) -> float:
    """How far `point` lies beyond the middle of `box` the way `side` faces."""
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    return SIDES[side][0] * (point[0] - centre[0]) + SIDES[side][1] * (point[1] - centre[1])


def turning(points: list) -> float:
    """How far a path turns in all, in degrees (a U-turn is 180)."""
    total = 0.0
    headings = [math.atan2(b[1] - a[1], b[0] - a[0]) for a, b in zip(points, points[1:])
                if math.dist(a, b) > 1e-6]
    for a, b in zip(headings, headings[1:]):
        total += abs((b - a + math.pi) % (2 * math.pi) - math.pi)
    return math.degrees(total)


def near_box(point, box: tuple, margin: float) -> bool:
    return box[0] - margin < point[0] < box[2] + margin and \
        box[1] - margin < point[1] < box[3] + margin


def places(box: tuple, side: str, outer: bool = True) -> list[tuple[float, float]]:
    """The places on `side` of `box` where a redrawn end may meet it (`PLACES`, and with
    `outer` those of `OUTER_PLACES` far enough from its corners)."""
    along = 0 if side in ("n", "s") else 1
    length = box[along + 2] - box[along]
    shares = [share for share in OUTER_PLACES if outer and
              length * min(share, 1 - share) >= OUTER_PT]
    return [on_side(box, side, share) for share in (*PLACES, *shares)]


def nearest_first(places: list, box: tuple, point) -> list:
    """`places` on a side of `box`, those ROOMY_PT or more from its corners first, and among
    them the nearest to `point` first."""
    def cornered(at) -> bool:
        along = 1 if at[0] in (box[0], box[2]) else 0
        return min(at[along] - box[along], box[along + 2] - at[along]) < ROOMY_PT
    return sorted(places, key=lambda at: (cornered(at), math.dist(at, point)))


def on_side(box: tuple, side: str, share: float) -> tuple[float, float]:
    x0, y0, x1, y1 = box
    if side in ("n", "s"):
        return x0 + (x1 - x0) * share, y1 if side == "n" else y0
    return (x1 if side == "e" else x0), y0 + (y1 - y0) * share


def side_of(box: tuple, tip, base) -> str:
    """The side of `box` an arrow from `base` to `tip` comes in by: the one its tip is on
    (within a point), and of two, at a corner, the one it points more squarely into."""
    x0, y0, x1, y1 = box
    away = {"n": abs(tip[1] - y1), "s": abs(tip[1] - y0), "e": abs(tip[0] - x1),
            "w": abs(tip[0] - x0)}
    pointing = unit((tip[0] - base[0], tip[1] - base[1])) or (0.0, -1.0)
    return min(SIDES, key=lambda s: (round(away[s]),
                                     SIDES[s][0] * pointing[0] + SIDES[s][1] * pointing[1]))
