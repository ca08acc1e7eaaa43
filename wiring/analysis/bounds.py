"""Quantitative bounds: the probability that an untrusted model's output reaches the world,
composed along the diagram from the gates' miss probabilities.

In series, miss probabilities multiply, which holds only for gates whose failures are
independent; across alternative paths the union bound adds. Both are computed by dynamic
programming over the deployment graph (no path enumeration). A second bound treats gates of the
same provenance as failing together (one miss per provenance on a path), which is what shared
blind spots do. Gates without a declared `miss` get a symbol. Expressions are built with sympy
from the model's expression trees and evaluated when every parameter has a value.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from ..model import Name
from ..structure import active
from .graph import Edge, System, per_system


@dataclass
class Bound:
    hazard: str
    sink: str
    independent: str            # symbolic, gates independent
    correlated: str             # symbolic, same-provenance gates fail together
    value: float | None         # independent bound evaluated, when possible
    correlated_value: float | None
    gates: list[str]
    note: str = ""
    # How many paths the sums run over; a bound's expression is "" where it would be too long
    # to write (MAX_WRITTEN) and `correlated` also where its provenance sets are too many
    # (MAX_STATES): the value is then summed in floating point, or not at all.
    paths: int = 0
    valued: bool = True         # every gate's pass probability has a value


def _port_type(system: System, box: str, port: str, direction: str) -> str | None:
    from ..types import show_type

    if system.boxes[box].outer is not None:
        ports = system.diagram.ports
    else:
        declared = system.proposal.box(system.boxes[box].component)
        ports = declared.ports if declared else []
    found = next((p for p in ports if p.name == port and p.direction == direction), None)
    return show_type(found.type) if found else None


def _content_graph(system: System, hazard: str) -> nx.DiGraph:
    """Where the hazard's output itself travels in deployment, within a step: wires that carry
    a value of one of its output types. Verdicts (a suspicion score, an audit flag) steer
    gates but are not the content whose escape is bounded."""
    declared = system.proposal.box(system.boxes[hazard].component)
    carried = frozenset(t for p in (declared.ports if declared else []) if p.direction == "out"
                        for t in [_port_type(system, hazard, p.name, "out")] if t)
    graphs = system.__dict__.setdefault("_content_graphs", {})
    if carried not in graphs:
        graph = graphs[carried] = nx.DiGraph()
        graph.add_edges_from((edge.source, edge.target) for edge, carries in _deployed_wires(system)
                             if carries in carried)
    return graphs[carried]


@per_system
def _deployed_wires(system: System) -> list[tuple[Edge, str | None]]:
    """The wires that act within a step in deployment, with the type of what each carries."""
    deploy = None if None in system.deploy_modes else frozenset(system.deploy_modes)
    wires = []
    for edge in system.edges:
        if edge.delayed or not active(edge.modes, deploy):
            continue
        direction = "in" if system.boxes[edge.source].outer == "in" else "out"
        wires.append((edge, _port_type(system, edge.source, edge.source_port, direction)))
    return wires


def bounds(system: System) -> list[Bound]:
    import sympy

    from ..types import Decider

    decide = Decider(system.proposal.params)
    values = {decide.to_sympy(Name(name=name)): decide.to_sympy(p.default)
              for name, p in system.proposal.params.items() if p.default is not None}
    found = []
    for hazard in system.hazards:
        graph = _content_graph(system, hazard.path)
        if hazard.path not in graph:
            continue
        for sink in system.sinks:
            if sink.path == hazard.path or sink.path not in graph or \
                    not nx.has_path(graph, hazard.path, sink.path):
                continue
            between = (nx.descendants(graph, hazard.path) & nx.ancestors(graph, sink.path)) | \
                {hazard.path, sink.path}
            sub = graph.subgraph(between)
            if not nx.is_directed_acyclic_graph(sub):
                found.append(Bound(hazard.path, sink.path, "", "", None, None, [],
                                   "not computed: the paths between them contain a loop"))
                continue
            gates = system.ordered(g for g in between if system.is_gate(system.boxes[g]))
            passes = {}
            for gate in gates:
                box = system.boxes[gate]
                miss_expr = box.expr("miss")
                miss = (decide.to_sympy(miss_expr) if miss_expr is not None
                        else sympy.Symbol(f"miss_{gate.replace('.', '_')}", nonnegative=True))
                coverage = system.examined(box)
                # An unexamined fraction passes: P(pass) = (1 - c) + c * miss.
                cov = sympy.nsimplify(coverage)
                passes[gate] = sympy.simplify(1 - cov + cov * miss) if coverage < 1 else miss
            provenance = {g: system.boxes[g].provenance for g in gates}
            found.append(_bound(sub, hazard.path, sink.path, passes, provenance, values, gates))
    return found


# A hostile file can make the sums exponential: a ladder of k pairs of gates has 2^k paths,
# whose sum sympy writes out path by path, and as many sets of provenances passed.
MAX_WRITTEN = 500      # the most operations a bound's expression is written with
MAX_STATES = 20_000    # the most (box, provenances passed) states a correlated sum keeps
SIMPLIFIED = 200       # the most operations an expression is simplified with


class _TooLarge(Exception):
    """A sum past MAX_WRITTEN operations or MAX_STATES states."""


def _bound(graph, hazard: str, sink: str, passes: dict, provenance: dict, values: dict,
           gates: list[str]) -> Bound:
    """The two bounds of one hazard and sink: written where their expressions stay short
    (evaluated with the parameters' values), else summed in floating point where every gate's
    pass probability has a value."""
    import sympy

    numbers = {g: _evaluate(p, values) for g, p in passes.items()}
    numeric = None not in numbers.values()
    written, evaluated = [], []
    # Gates of distinct provenances fail together only alone: the second sum is the first.
    alike = len(set(provenance.values())) < len(provenance)
    for by in ((None, provenance) if alike else (None,)):
        try:
            expr = _union_bound(graph, hazard, sink, passes, by, sympy.Integer(1))
            written.append(str(expr))
            evaluated.append(_evaluate(expr, values))
        except _TooLarge:
            written.append("")
            try:
                evaluated.append(_union_bound(graph, hazard, sink, numbers, by, 1.0)
                                 if numeric else None)
            except _TooLarge:
                evaluated.append(None)
    if not alike:
        written.append(written[0])
        evaluated.append(evaluated[0])
    return Bound(hazard, sink, written[0], written[1], evaluated[0], evaluated[1], gates,
                 paths=_paths(graph, hazard, sink), valued=numeric)


def _paths(graph: nx.DiGraph, source: str, sink: str) -> int:
    """How many paths lead from source to sink in an acyclic graph."""
    count = {source: 1}
    for node in nx.topological_sort(graph):
        for head in graph.successors(node):
            count[head] = count.get(head, 0) + count.get(node, 0)
    return count.get(sink, 0)


def _union_bound(graph: nx.DiGraph, source: str, sink: str, passes: dict, provenance, one):
    """Sum over paths of the product of pass probabilities, by dynamic programming; with
    `provenance`, a gate whose provenance was already passed on the path adds no factor.
    `one` sets the arithmetic: sympy's 1 (the expression, simplified where short, raising
    _TooLarge past MAX_WRITTEN operations) or 1.0 (a float). Past MAX_STATES states of
    provenances passed, _TooLarge."""
    import sympy

    symbolic = isinstance(one, sympy.Basic)
    # state: frozenset of provenances passed (only tracked when correlated) -> (mass, the
    # operations it is written with)
    mass: dict[str, dict[frozenset, tuple]] = {source: {frozenset(): (one, 1)}}
    states = steps = 1
    for node in nx.topological_sort(graph):
        for head in graph.successors(node):
            for seen, (value, size) in mass.get(node, {}).items():
                factor, after, extra = one, seen, 0
                if head in passes:
                    key = provenance[head] if provenance is not None else head
                    if key not in seen:
                        factor, extra = passes[head], 2
                        after = seen | {key} if provenance is not None else seen
                target = mass.setdefault(head, {})
                states += after not in target
                old, old_size = target.get(after, (one * 0, 0))
                new = old + value * factor
                # a number is written as one, however many paths summed it
                target[after] = (new, 1 if symbolic and new.is_Number else
                                 old_size + size + extra)
                steps += 1   # sympy's work grows with the expressions: as many as written
                if states > MAX_STATES or symbolic and max(steps, target[after][1]) > MAX_WRITTEN:
                    raise _TooLarge
    total, size = one * 0, 0
    for value, written in mass.get(sink, {}).values():
        total, size = total + value, size + written
    return sympy.simplify(total) if symbolic and size <= SIMPLIFIED else total


def _evaluate(expr, values) -> float | None:
    value = expr.subs(values)
    if value.free_symbols:
        return None
    try:
        return float(value)
    except TypeError:
        return None
