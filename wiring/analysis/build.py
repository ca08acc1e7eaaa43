"""The analysed system of a diagram: its boxes, wires and training statements flattened
(`wiring.structure.flatten`: every nested diagram substituted), each box given its kinds and
the parameters it shares."""

from __future__ import annotations

from .. import witness as w
from ..model import Attributes, Diagram, Instance, Proposal
from ..structure import flatten, kind_chain, outer_port
from .graph import Box, Pressure, System


def build(proposal: Proposal, diagram: Diagram, depth: int | None = None) -> System:
    """Flatten `diagram` (with its nested diagrams, down to `depth` levels: below it a nested
    diagram is one opaque box, read through its interface) into a System. Raises
    structure.TooLarge when the flattening would be too large."""
    flat = flatten(proposal, diagram, depth)
    system = System(proposal=proposal, diagram=diagram, modes=list(diagram.modes))
    chains: dict[tuple[str, ...], tuple[str, ...]] = {}   # one per list of kinds
    for leaf in flat.leaves.values():
        instance = leaf.instance
        kind = (instance.attributes.kind, *instance.attributes.also)
        if kind not in chains:   # every kind and its ancestors, the first kind's first
            chains[kind] = tuple(dict.fromkeys(
                name for one in kind for name in kind_chain(proposal.kinds, one)))
        system.boxes[leaf.path] = Box(
            path=leaf.path, instance=instance, component=instance.of,
            attributes=instance.attributes, kinds=chains[kind], modes=leaf.modes,
            span=instance.span, place=w.Box(leaf.path))
    for index, training in enumerate(flat.trainings):
        system.pressures.append(Pressure(target=training.target, training=training.training,
                                         reads=training.reads, anchors=training.anchors,
                                         modes=training.modes, diagram_path=training.prefix,
                                         index=index))
    for port in diagram.ports:
        path = outer_port(port.direction, port.name)
        system.boxes[path] = Box(
            path=path, instance=Instance(name=path, of=diagram.name,
                                         attributes=Attributes(kind="environment",
                                                               trust="environment")),
            component=diagram.name, attributes=Attributes(kind="environment", trust="environment"),
            kinds=("outer_input" if port.direction == "in" else "outer_output", "environment"),
            modes=frozenset(port.modes) if port.modes is not None else None, span=port.span,
            place=w.Port(port.direction, port.name))
    system.edges = flat.wires
    system.flat = flat
    _share_weights(system.boxes)
    return system


def _share_weights(boxes: dict[str, Box]) -> None:
    """Each box's `weights`: the end of its chain of `shared` copies, which lie in the same
    diagram, so at the same path but for the last name (the checker rules out cycles). Each
    chain is walked once: the boxes met on the way get their answer with it."""
    for box in boxes.values():
        if box.weights:   # met on an earlier box's chain
            continue
        if box.instance.shares is None:   # most boxes: their own weights, no chain to walk
            box.weights, box.model = box.path, box.component
            continue
        chain, met = [box], {box.path}
        while not chain[-1].weights and chain[-1].instance.shares is not None:
            last = chain[-1]
            shared = last.path[:len(last.path) - len(last.instance.name)] + last.instance.shares
            if shared not in boxes or shared in met:
                break
            chain.append(boxes[shared])
            met.add(shared)
        end = chain[-1]
        weights, model = (end.weights, end.model) if end.weights else (end.path, end.component)
        for member in chain:
            member.weights, member.model = weights, model
