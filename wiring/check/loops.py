"""Feedback is guarded: a cycle passes through a stateful box or a delayed wire; a cycle through
instantaneous boxes only is an algebraic loop, reported with every box on it."""

from __future__ import annotations

from collections import defaultdict

from ..diagnostics import report
from ..model import (
    Diagram,
    Wire,
)
from .context import Context, DiagramView, PerMode

# ------------------------------------------------------------------------- algebraic loops

class PortGraph:
    """Instantaneous dependencies between ports: an edge means the value at the head is
    computed from the value at the tail within one step. Nodes are (instance or None, port)."""

    def __init__(self):
        self.successors: dict[tuple, set[tuple]] = defaultdict(set)
        self.wires: dict[tuple[tuple, tuple], Wire] = {}

    def add(self, tail: tuple, head: tuple, wire: Wire | None = None) -> None:
        self.successors[tail].add(head)
        self.successors.setdefault(head, set())
        if wire is not None:
            self.wires[(tail, head)] = wire

    def order(self) -> list[tuple] | None:
        """A topological order, or None when the graph has a cycle (Kahn's algorithm: a
        fifth of graphlib's time here, where the graph is already a successor map)."""
        waiting = dict.fromkeys(self.successors, 0)
        for heads in self.successors.values():
            for head in heads:
                waiting[head] += 1
        order = [node for node, count in waiting.items() if count == 0]
        for node in order:   # grows while it is walked
            for head in self.successors[node]:
                waiting[head] -= 1
                if waiting[head] == 0:
                    order.append(head)
        return order if len(order) == len(waiting) else None

    def networkx(self):
        # networkx costs a sixth of a second to import, so it is loaded only for diagrams that
        # actually have a cycle to report.
        import networkx as nx

        graph = nx.DiGraph()
        for tail, heads in self.successors.items():
            graph.add_node(tail)
            for head in heads:
                graph.add_edge(tail, head)
        return graph


def instantaneous(ctx: Context, view: DiagramView, mode: str | None,
                  relations: dict[str, dict[str, set[str]]]) -> PortGraph:
    graph = PortGraph()
    for wire in view.wires_in(mode):
        if wire.delayed:
            continue
        graph.add((wire.source.instance, wire.source.port),
                  (wire.target.instance, wire.target.port), wire)
    for instance in view.instances_in(mode):
        # A nested diagram's behaviour is computed from its contents, whatever it declares.
        if instance.attributes.stateful and not instance.of_diagram:
            continue
        box = ctx.box(instance.of)
        if box is None:
            continue
        name = instance.name
        if instance.of_diagram:
            for o, inputs in relations.get(instance.of, {}).items():
                if (name, o) in graph.successors:
                    for i in inputs:
                        if (name, i) in graph.successors:
                            graph.add((name, i), (name, o))
            continue
        # Every input of a component reaches every output: through one hub node (the port ""
        # no port can be named), so a box with n inputs and m outputs adds n + m edges, not n*m.
        hub = (name, "")
        for port in box.ports:
            node = (name, port.name)
            if node in graph.successors:
                if port.direction == "in":
                    graph.add(node, hub)
                else:
                    graph.add(hub, node)
    return graph


def dependency_relation(graph: PortGraph, order: list[tuple],
                        diagram: Diagram) -> dict[str, set[str]]:
    """Which outer inputs instantaneously reach each outer output: the diagram's behaviour as a
    box, used when it is nested in another diagram. Propagated along a topological order."""
    reaching: dict[tuple, set[str]] = {}
    outputs = set()
    for port in diagram.ports:
        if port.direction == "in":
            reaching[(None, port.name)] = {port.name}
        else:
            outputs.add((None, port.name))
    # A node reached from one predecessor shares that predecessor's set (a set is complete, and
    # never changes, once its node is visited); it gets a set of its own only when a second one
    # arrives. Copying instead is quadratic behind a box with many inputs and outputs.
    own: set[tuple] = set()
    relation: dict[str, set[str]] = {}
    for node in order:
        sources = reaching.get(node)
        if not sources:
            continue
        if node in outputs:
            relation[node[1]] = sources
        for head in graph.successors[node]:
            current = reaching.get(head)
            if current is None:
                reaching[head] = sources
            elif current is not sources and not sources <= current:
                if head not in own:
                    own.add(head)
                    current = reaching[head] = set(current)
                current |= sources
    return relation


def cycles(graph):
    """One cycle (its edges) of each strongly connected part of a networkx graph that has one,
    a node with an edge to itself included: (the part, the cycle)."""
    import networkx as nx

    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            (node,) = component
            if not graph.has_edge(node, node):
                continue
        yield component, nx.find_cycle(graph.subgraph(component))


def check_loops(ctx: Context, diagram: Diagram, graph: PortGraph, mode: str | None,
                per_mode: PerMode) -> None:
    instances = {i.name: i for i in diagram.instances}
    for component, cycle in cycles(graph.networkx()):
        boxes: list[str] = []
        wires: list[Wire] = []
        for tail, head in cycle:
            if (tail, head) in graph.wires:
                wires.append(graph.wires[(tail, head)])
            for node in (tail, head):
                if node[0] is not None and (not boxes or boxes[-1] != node[0]):
                    boxes.append(node[0])
        if len(boxes) > 1 and boxes[0] == boxes[-1]:
            boxes.pop()
        first = min(wires, key=lambda w: (w.span.line, w.span.column) if w.span else (0, 0))
        ring = " -> ".join(f"`{b}`" for b in boxes + boxes[:1])
        per_mode.add(("E0220", frozenset(component)), mode,
                     lambda text, ring=ring, first=first, boxes=boxes: report(
                         "E0220", first.span,
                         f"algebraic loop{text}: {ring} feeds back with no stateful box or delay",
                         related=[(instances[b].span, f"`{b}` is instantaneous")
                                  for b in boxes if b in instances]))
