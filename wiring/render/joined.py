"""The wires of a flattened drawing (`flatten=True`).

Which wires there are is not decided here: `wiring.structure.flatten` joins the wires of the
model through the boundaries of the nested diagrams it dissolves (`FlatWire.via`), and the
ports a training signal reads through them (`Flat.feeds`). The renderer draws every wire of
the model it walks (its tooltip, its type, where it was declared); this module makes each
joined wire one drawn wire out of those, and puts them in the order flattened drawings have
always had (see `order_key`), so that the DOT text does not change.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..structure import Flat, FlatWire, active

if TYPE_CHECKING:
    from .scene import Wire

Drawn = dict[tuple[str, int], "tuple[int, Wire]"]  # (diagram path, id of a model wire) ->
                                                  # (its number in drawing order, drawn wire)


def joined_wires(flat: Flat, mode: str | None, drawn: Drawn,
                 reads: list[tuple[int, Wire, tuple[str, str]]],
                 plain: list[tuple[int, Wire]]) -> list[Wire]:
    """The wires of the flattened drawing, in order: `plain` ones (numbered wires that meet
    no dissolved boundary: signals and updates), the data wires of `flat` active in `mode`,
    and the signal wires of `reads` (numbered signal wires from a dissolved diagram's port)
    joined to the wires that feed that port."""
    keyed = [((0, number), wire) for number, wire in plain]
    for flat_wire in flat.wires:
        parts = _parts(flat_wire, mode, drawn)
        if parts:
            keyed.append(_joined(parts))
    for number, signal, node in reads:
        for feed in flat.feeds.get(node, []):
            parts = _parts(feed, mode, drawn)
            if parts:
                keyed.append(_joined(parts + [(number, signal)]))
    keyed.sort(key=lambda item: item[0])
    return [wire for _, wire in keyed]


def _parts(flat_wire: FlatWire, mode: str | None, drawn: Drawn) -> list[tuple[int, Wire]]:
    """The drawn wires a joined wire is made of; none when it is not drawn (not active in the
    mode, or one of its wires was not drawn: a port of it is not in the mode)."""
    if not active(flat_wire.modes, mode):
        return []
    parts = [drawn.get((path, id(wire))) for path, wire in flat_wire.via]
    return [] if None in parts else parts


def _joined(parts: list[tuple[int, Wire]]) -> tuple[tuple, Wire]:
    """One wire for wires drawn end to end: from the first's source to the last's target,
    delayed if any is, typed by the first that has a type, its tooltip theirs in order; with
    its sort key."""
    numbers = [number for number, _ in parts]
    wires = [wire for _, wire in parts]
    key = order_key(numbers, [wire.dst.node for wire in wires[:-1]])
    if len(wires) == 1:
        return key, wires[0]
    first, last = wires[0], wires[-1]
    return key, dataclasses.replace(
        first, dst=last.dst, style=last.style, delayed=any(wire.delayed for wire in wires),
        type_text=next((wire.type_text for wire in wires if wire.type_text), ""),
        tooltip="\n".join(wire.tooltip for wire in wires),
        container=last.container if last.style != "data" else first.container,
        lhead=last.lhead)


def order_key(numbers: list[int], junctions: list[str]) -> tuple:
    """Where a joined wire goes among the others. Flattened drawings used to join wires one
    dissolved port (junction) at a time, in the sorted order of the junctions' node ids,
    appending each joined wire after all others; so a wire that meets no junction keeps its
    drawing order (0, its number), and one joined last at junction J from a left part and a
    right part comes after every wire joined at an earlier junction, then in the order of its
    parts: (1, J, left, right), J the greatest of its junctions. The key is that tree written
    out flat, in prefix order (no key is a prefix of another, so tuples compare as the trees
    would); built with a stack, as a wire may cross a thousand boundaries."""
    key: list = []
    todo = [(0, len(numbers) - 1)]       # ranges of parts, junction i between parts i, i+1
    while todo:
        low, high = todo.pop()
        if low == high:
            key += (0, numbers[low])
            continue
        last = max(range(low, high), key=junctions.__getitem__)
        key += (1, junctions[last])
        todo += [(last + 1, high), (low, last)]    # the left part first
    return tuple(key)
