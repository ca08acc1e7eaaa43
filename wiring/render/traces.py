"""Where the points of a laid-out wire lie, read once for each route it takes (the tidying
reads every other wire again each time it tries one): its curve's points every
ALONG_STEP_PT (`fine_points`), its arrowheads' outlines (`arrow_points`), each with its
extent, so that a wire far from where a question is asked is passed over at once; and
whether a wire comes near a segment (`comes_near`)."""

from __future__ import annotations

import functools

from .ends import mix, samples, subdivided, to_segment, xy
from .untangle import _extent, _meet, traced

ALONG_STEP_PT = 2.0     # how far apart `fine_points` are
# Graphviz's "normal" and "empty" arrowheads are this wide either side of their axis, as a
# share of their length.
ARROW_WIDTH = 0.35


def comes_near(edge: dict, segment: tuple, reach: float) -> bool:
    """Whether a point of a wire's curve (`curve`) comes within `reach` of a segment."""
    points, extent = traced(edge)
    (ax, ay), (bx, by) = segment
    return extent is not None and _meet(extent, (min(ax, bx) - reach, min(ay, by) - reach,
                                                 max(ax, bx) + reach, max(ay, by) + reach)) \
        and any(to_segment(q, *segment) < reach for q in points)


def fine_points(edge: dict) -> tuple:
    """Points about every ALONG_STEP_PT along a wire's curve (its `pos`): however Graphviz
    splits it into segments, the same points (a loop's turn read from a coarse polygon lies
    inside its curve)."""
    return fine_traced(edge)[0]


def fine_traced(edge: dict) -> tuple:
    """(`fine_points`, their extent or None)."""
    return _fine_along(str(edge.get("pos", "")))


@functools.lru_cache(maxsize=256)
def _fine_along(pos: str) -> tuple:
    """(`fine_points` of a wire drawn as `pos`, their extent or None)."""
    control = [xy(t) for t in pos.split() if t[:2] not in ("s,", "e,")]
    return _with_extent(samples(subdivided(control, 12 * ALONG_STEP_PT)))


def _with_extent(points: list) -> tuple:
    return tuple(points), _extent(points) if points else None


def arrow_points(edge: dict, outline: bool = True) -> list:
    """Points along the `outline` of a wire's arrowheads (else along their axes, from each tip
    to its curve's end): Graphviz draws each as wide, either side of its axis, as ARROW_WIDTH
    of its length (an update's hollow one 4.5 pt, a data wire's 2), so two arrowheads side by
    side clash before their axes come near."""
    return list(arrows_traced(edge, outline)[0])


def arrows_traced(edge: dict, outline: bool = True) -> tuple:
    """(`arrow_points`, not copied; their extent or None)."""
    return _arrow_points(str(edge.get("pos", "")), outline)


@functools.lru_cache(maxsize=512)
def _arrow_points(pos: str, outline: bool) -> tuple:
    """(`arrow_points` of a wire drawn as `pos`, their extent or None)."""
    tokens = pos.split()
    points = [xy(t) for t in tokens if t[:2] not in ("s,", "e,")]
    out = []
    for token in tokens:
        if token[:2] in ("s,", "e,") and points:
            tip, base = xy(token), points[0] if token[0] == "s" else points[-1]
            if not outline:
                out += [mix(tip, base, k / 4) for k in range(5)]
                continue
            across = (ARROW_WIDTH * (tip[1] - base[1]), ARROW_WIDTH * (base[0] - tip[0]))
            corners = [(base[0] + sign * across[0], base[1] + sign * across[1])
                       for sign in (1, -1)]
            out += [mix(tip, corner, k / 4) for corner in corners for k in range(5)]
            out += [mix(*corners, k / 4) for k in range(1, 4)]
    return _with_extent(out)
