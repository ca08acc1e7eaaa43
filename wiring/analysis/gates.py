"""Untrusted output and the gates on its way (criteria A5 and A8 of docs/analyses.md): S0201
(no trusted gate between an untrusted box and the world), S0202 (only gates that examine part
of it) and S0203 (gates in series that are fewer independent layers than they look: shared
provenance, or one gate's verdict relayed to the next).

Each question about a hazard and a sink reads only the boxes on their paths (`_between`), so
that many agents, each behind its own gate, cost as many small questions.
"""

from __future__ import annotations

from itertools import combinations
from typing import Iterable

import networkx as nx

from ..diagnostics import Diagnostic, report
from .graph import System


def gate_cut(graph: nx.DiGraph, source: str, sink: str, gates: set[str]) -> list[str] | None:
    """A minimum set of gates every path from source to sink passes (Menger's theorem, as a
    minimum cut with unit capacity on gates and no capacity limit elsewhere), or None when some
    path avoids all of them."""
    split = nx.DiGraph()
    for node in graph:
        if node in gates and node not in (source, sink):
            split.add_edge((node, "in"), (node, "out"), capacity=1)
        else:
            split.add_edge((node, "in"), (node, "out"))  # no capacity: cannot be cut
    for a, b in graph.edges:
        split.add_edge((a, "out"), (b, "in"))
    try:
        _, (reachable, _) = nx.minimum_cut(split, (source, "out"), (sink, "in"))
    except nx.NetworkXUnbounded:
        return None
    return [n for n in graph if n in gates and (n, "in") in reachable and (n, "out") not in reachable]


def untrusted_output(system: System) -> Iterable[Diagnostic]:
    full_gates = system.full_gates
    any_gates = frozenset(b.path for b in system.gates)
    # Searches are cached by the set they avoid: where every gate is a full one, the same
    # object, which a cache lookup compares by identity (two equal sets of 5,000 gates were
    # compared element by element for each hazard).
    any_gates = full_gates if len(any_gates) == len(full_gates) else any_gates
    coverage = {g: system.examined(system.boxes[g]) for g in any_gates}
    for hazard in system.hazards:
        for sink in system.sinks:
            if sink.path == hazard.path:
                continue
            # only the deployment modes both exist in: each other one would be searched for
            # nothing, and 500 modes of an agent each made every pair cost 500 searches
            modes = [m for m in system.modes_with(hazard.path, sink.path) if m in system.deployed]
            open_path = system.reaches(hazard.path, sink.path, any_gates, modes)
            if open_path is not None:
                yield report(
                    "S0201", hazard.span,
                    f"untrusted `{hazard.path}` reaches `{sink.path}` with no trusted gate",
                    witness=system.steps(open_path),
                    related=[(sink.span, f"`{sink.path}` is where the output acts")])
                continue
            partial = system.reaches(hazard.path, sink.path, full_gates, modes)
            if partial is not None:
                weak = [p for p in partial if p in any_gates]
                covered = ", ".join(f"`{g}` acts on {coverage[g]:g} of it" for g in weak)
                yield report(
                    "S0202", hazard.span,
                    f"untrusted `{hazard.path}` reaches `{sink.path}` through gates that examine "
                    f"only part of its output ({covered})",
                    witness=system.steps(partial),
                    related=[(system.boxes[g].span, f"`{g}` acts on a fraction {coverage[g]:g}")
                             for g in weak])
                continue
            # The networkx graphs, only here: their weighted paths and cuts need them. Each
            # pair's, only the boxes on its paths: a cut of the whole graph per pair made
            # 300 gated agents take 7 s, 1,200 over two minutes.
            graphs = [_between(system, m, hazard.path, sink.path) for m in modes]
            graphs = [g for g in graphs if hazard.path in g and sink.path in g]
            layered = [p for g in graphs if (p := _fewest_gates(g, hazard.path, sink.path, full_gates))]
            if not layered:
                continue
            route = min(layered, key=lambda p: sum(n in full_gates for n in p))
            layers = [n for n in route if n in full_gates]
            cuts = [c for g in graphs if (c := gate_cut(g, hazard.path, sink.path, full_gates))]
            cut = min(cuts, key=len) if cuts else layers
            effective = _effective_depth(system, route, full_gates)
            if len(effective) < len(layers):
                yield report(
                    "S0203", hazard.span,
                    f"`{hazard.path}` -> `{sink.path}` passes {len(layers)} gates "
                    f"({', '.join(layers)}) but only {len(effective)} are independent",
                    witness=system.steps(route),
                    notes=[f"nominal depth {len(layers)}, effective depth {len(effective)} "
                           f"({', '.join(effective)}); minimum gate cut {len(cut)} "
                           f"({', '.join(cut)})"])


def _between(system: System, mode: str, source: str, sink: str) -> nx.DiGraph:
    """The deployment graph of `mode` cut down to the boxes on some path from `source` to
    `sink`: every path between them, and so their fewest-gates path and minimum gate cut
    (the cut nearest the source, which every maximum flow leaves), is the same as in the
    whole graph. Read off the system's cached searches (the one back from a sink serves
    every hazard)."""
    graph = system.graph_in(mode)
    if source not in graph or sink not in graph:
        return graph
    after = system.search(source, mode, frozenset())
    before = system.search(sink, mode, frozenset(), reverse=True)
    small, large = (after, before) if len(after) < len(before) else (before, after)
    return graph.subgraph(node for node in small if node in large)


def _fewest_gates(graph: nx.DiGraph, source: str, sink: str, gates: set[str]) -> list[str] | None:
    """The path from source to sink that passes the fewest gates (the depth an attacker must
    get through)."""
    if source not in graph or sink not in graph:
        return None
    weight = lambda a, b, data: 1 if b in gates else 0  # noqa: E731 - a cost per entered gate
    try:
        return nx.dijkstra_path(graph, source, sink, weight=weight)
    except nx.NetworkXNoPath:
        return None


def _effective_depth(system: System, path: list[str], gates: set[str]) -> list[str]:
    """The largest set of the path's gates that are pairwise provenance-disjoint and of which
    none informs another (criterion A8). The gated content itself flows from gate to gate
    along the path; a gate informs another when its output reaches it by another route (a
    verdict relayed to the next layer)."""
    layers = [n for n in path if n in gates][:14]
    informs = _informs(system, path, layers)
    for size in range(len(layers), 0, -1):
        for subset in combinations(range(len(layers)), size):
            boxes = [system.boxes[layers[i]] for i in subset]
            if len({b.provenance for b in boxes}) < len(boxes):
                continue
            chosen = sum(1 << i for i in subset)
            if any(informs[i] & chosen for i in subset):
                continue
            return [layers[i] for i in subset]
    return []


def _informs(system: System, path: list[str], layers: list[str]) -> list[int]:
    """For each of the `layers` (gates on `path`), the others its output reaches by another
    route than the path's own wires, as a bit mask of their indices. Such a route ends at a
    layer, which reaches the path's end: the search stays among the boxes that do. Searched
    once a layer, where a copy of the whole graph per pair and a search per two gates made
    1,200 gated agents take minutes."""
    own = set(zip(path, path[1:]))
    onward = system.search(path[-1], None, frozenset(), reverse=True)
    succ = system.graph.succ
    index = {gate: i for i, gate in enumerate(layers)}
    masks = []
    for gate in layers:
        seen, stack = {gate}, [gate]
        while stack:
            node = stack.pop()
            for following in succ[node]:
                if following not in seen and following in onward and (node, following) not in own:
                    seen.add(following)
                    stack.append(following)
        masks.append(sum(1 << index[g] for g in seen if g in index and g != gate))
    return masks
