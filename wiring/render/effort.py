"""How much work tidying one figure's wires may take (issue 11).

Tidying (`pinned.tidy_wires`) tries new curves for wire after wire and measures each against
every other wire, box and arrowhead: its cost grows with the wires tried times the wires
measured against. Below `untangle.MOST_BOXES` boxes and `untangle.MOST_WIRES` wires, a
picture whose boxes all close loops with each other grew without bound: a ring of 55
stateful boxes, each closing a loop with the next, took 7.8 s. So each tidying has a budget of
EFFORT units, spent by the measures that are most of its work, about one for each wire,
box or piece of curve a trial is measured against (`untangle.tangles_of`,
`channels.beside_pieces`, a loop's channel tried, `ends.crosses_an_obstacle`,
`updates.runs_along`). Once it is spent, each stage stops before its next wire, and the wires
not yet reached stay as the stages before drew them. The units are counted, not timed, so
the same input gives the same figure on any machine.

The examples' figures spend at most 135,000 units in one tidying (open_agency in the paper
style; constitutional_ai's 82,000, debate's full style 33,000): EFFORT is half as much again,
so that none of them is cut short. The ring above needs 241,000.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

EFFORT = 200_000

_LEFT: contextvars.ContextVar[list | None] = contextvars.ContextVar("tidying_effort",
                                                                    default=None)


@contextlib.contextmanager
def budget(units: int | None = None) -> Iterator[None]:
    """Within it, `spend` counts against `units` (EFFORT by default)."""
    token = _LEFT.set([EFFORT if units is None else units])
    try:
        yield
    finally:
        _LEFT.reset(token)


def spend(units: int) -> None:
    """Count `units` of work against the budget in force (none: nothing counts)."""
    left = _LEFT.get()
    if left is not None:
        left[0] -= units


def spent() -> bool:
    """Whether the budget in force is used up: a stage then tidies no further wire."""
    left = _LEFT.get()
    return left is not None and left[0] <= 0
