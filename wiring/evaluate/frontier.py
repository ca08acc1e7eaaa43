"""Sweeps over protocol parameters and the Pareto frontier of safety against usefulness."""

from __future__ import annotations

import itertools
import re

MAX_POINTS = 10_000   # settings in one sweep (each is a search for the best response)

_SWEEP = re.compile(r"([A-Za-z_]\w*)=([^:]+):([^:]+):([^:]+)\Z")


class BadSweep(ValueError):
    """A --sweep the command line got wrong; the message says how."""


def parse_sweep(text: str) -> tuple[str, list[float]]:
    """`NAME=LO:HI:STEP` → the name and its values, LO, LO + STEP, ... up to HI."""
    match = _SWEEP.match(text.strip())
    if match is None:
        raise BadSweep(f"--sweep {text!r}: write NAME=LO:HI:STEP, e.g. defer_fraction=0:0.5:0.05")
    name, *numbers = match.groups()
    try:
        low, high, step = (float(n) for n in numbers)
    except ValueError:
        raise BadSweep(f"--sweep {text!r}: LO, HI and STEP must be numbers") from None
    if not step > 0 or not high >= low:
        raise BadSweep(f"--sweep {text!r}: STEP must be positive and HI at least LO")
    count = int((high - low) / step + 1e-9) + 1
    if count > MAX_POINTS:
        raise BadSweep(f"--sweep {text!r}: {count:,} values; at most {MAX_POINTS:,}")
    return name, [round(low + i * step, 12) for i in range(count)]


def settings(sweeps: list[tuple[str, list[float]]]) -> list[dict[str, float]]:
    """Every combination of the swept values (one empty setting without a sweep)."""
    names = [name for name, _ in sweeps]
    if len(set(names)) != len(names):
        raise BadSweep("--sweep names a parameter twice")
    points = [dict(zip(names, values))
              for values in itertools.product(*(values for _, values in sweeps))]
    if len(points) > MAX_POINTS:
        raise BadSweep(f"the sweeps make {len(points):,} settings; at most {MAX_POINTS:,}")
    return points


TIE = 1e-9   # figures closer than this are equal: rounding must not decide the frontier


def pareto(points: list[tuple[float, float]]) -> list[bool]:
    """For each (safety, usefulness), whether no other point is at least as good in both and
    better in one (by more than TIE)."""
    marks = []
    for safety, useful in points:
        dominated = any(s >= safety - TIE and u >= useful - TIE and
                        (s > safety + TIE or u > useful + TIE) for s, u in points)
        marks.append(not dominated)
    return marks
