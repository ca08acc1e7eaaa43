"""The adversary's best response: the values of the `adversary` parameters, each within its
range, that minimise safety.

For one parameter: a grid over its range (evenly spaced, plus points close to each end, where
rare attacks live), then golden-section search between the grid points either side of the best.
For several: coordinate descent, each parameter searched so in turn, three rounds. The report
names the search, so a reader knows the figure is a search's result, not a proof of optimality.
"""

from __future__ import annotations

import math

GRID = 13          # evenly spaced points
NEAR_ENDS = 5      # points at 10^-1 .. 10^-5 of the range from each end
GOLDEN_STEPS = 32
ROUNDS = 3
SHORTLIST = 5      # noisy searches: the best points met, compared again precisely


def best_response(safety, ranges: dict[str, tuple[float, float]], start: dict[str, float],
                  confirm=None) -> tuple[dict[str, float], str]:
    """`confirm`, when the figures are noisy (Monte Carlo): a more precise safety, with which
    the best points the search met are compared again before one is chosen."""
    if not ranges:
        return {}, "no adversary parameters: nothing to search"
    point = dict(start)
    rounds = ROUNDS if len(ranges) > 1 else 1
    met: list[tuple[float, dict]] = []
    for _ in range(rounds):
        for name, (low, high) in ranges.items():
            def along(x, name=name):
                score = safety({**point, name: x})
                met.append((score, {**point, name: x}))
                return score
            point[name] = _line(along, low, high)
    points = GRID + 2 * NEAR_ENDS
    how = (f"grid of {points} points per parameter, then golden-section search "
           f"({GOLDEN_STEPS} steps)")
    if len(ranges) > 1:
        how += f", by coordinate descent over {len(ranges)} parameters ({rounds} rounds)"
    if confirm is not None:
        shortlist = [point] + [p for _, p in sorted(met, key=lambda m: m[0])[:SHORTLIST]]
        point = min(shortlist, key=confirm)
        how += f"; its {len(shortlist)} best points compared again with every episode"
    return {name: point[name] for name in start}, how


def _line(f, low: float, high: float) -> float:
    width = high - low
    grid = sorted({low + width * i / (GRID - 1) for i in range(GRID)} |
                  {low + width * 10.0 ** -k for k in range(1, NEAR_ENDS + 1)} |
                  {high - width * 10.0 ** -k for k in range(1, NEAR_ENDS + 1)})
    scores = [f(x) for x in grid]
    best = min(range(len(grid)), key=lambda i: (scores[i], i))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    x, fx = _golden(f, a, b)
    return x if fx < scores[best] else grid[best]


def _golden(f, a: float, b: float) -> tuple[float, float]:
    ratio = (math.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(GOLDEN_STEPS):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (c, fc) if fc <= fd else (d, fd)
