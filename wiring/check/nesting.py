"""Interfaces and nesting: refinements match, nesting is finite and in order, nested modes are
declared, every mode has a phase that agrees with the outer mode's, every instance is used, copies are explicit."""

from __future__ import annotations

import graphlib
from collections import defaultdict

from ..diagnostics import Span, report
from ..model import (
    Copy,
    Diagram,
    Name,
)
from ..structure import how_assumed, phases
from ..types import names_in, subtype
from .context import Context
from .loops import cycles

# ---------------------------------------------------------------------- interfaces, nesting

def check_refinement(ctx: Context, diagram: Diagram) -> None:
    chain, current = [diagram.name], diagram.refines
    while current is not None and current in ctx.proposal.diagrams and current not in chain:
        chain.append(current)
        current = ctx.proposal.diagrams[current].refines
    if current is not None and current in chain:
        ctx.report(report("E0241", diagram.span,
                          f"`{diagram.name}` refines itself: " + " refines ".join(
                          f"`{c}`" for c in chain[chain.index(current):] + [current]),
                          label="circular refinement",
                          help="a refinement implements another box; name the "
                          "component it implements"))
        return
    spec = ctx.box(diagram.refines)
    if spec is None:
        return
    mine = {p.name: p for p in diagram.ports}
    theirs = {p.name: p for p in spec.ports}
    problems: list[tuple[Span | None, str]] = []
    for name, port in theirs.items():
        own = mine.get(name)
        if own is None:
            problems.append((diagram.span, f"lacks {port.direction}put `{name} : {port.written}`"))
        elif own.direction != port.direction:
            problems.append((own.span, f"`{name}` is an {own.direction}put here but an "
                             f"{port.direction}put in `{spec.name}`"))
        else:
            # Substitutability: inputs may accept more, outputs may promise more.
            src, dst = (port, own) if port.direction == "in" else (own, port)
            mismatch = subtype(src.type, dst.type, ctx.decide)
            if mismatch is not None:
                problems.append((own.span, f"`{name} : {own.written}` does not fit "
                                 f"`{port.written}`: {mismatch.reason}"))
    for name, own in mine.items():
        if name not in theirs and not (own.direction == "in" and own.default is not None):
            problems.append((own.span, f"has an extra {own.direction}put `{name}` that "
                             f"`{spec.name}` does not declare"))
    for span, problem in problems:
        ctx.report(report("E0241", span or diagram.span,
                          f"`{diagram.name}` does not match the interface of "
                          f"`{spec.name}` it refines: it {problem}"
                          if not problem.startswith("`") else
                          f"`{diagram.name}` does not match the interface of `{spec.name}`: {problem}",
                          related=[(spec.span, f"`{spec.name}` is declared here")],
                          help="a refinement has the same port names and directions; its inputs "
                          "accept at least, and its outputs produce at most, what the refined box "
                          "declares"))


def nesting_order(ctx: Context) -> list[str]:
    """Diagrams, each after the diagrams it instantiates; diagrams on an instantiation cycle are
    reported, and come last."""
    proposal = ctx.proposal
    uses = {d.name: sorted({i.of for i in d.instances if i.of_diagram and i.of in proposal.diagrams})
            for d in proposal.diagrams.values()}
    sorter = graphlib.TopologicalSorter(uses)
    try:
        return list(sorter.static_order())
    except graphlib.CycleError:
        pass
    import networkx as nx

    graph = nx.DiGraph()
    for name, inner in uses.items():
        graph.add_node(name)
        for other in inner:
            graph.add_edge(name, other)
    cyclic: set[str] = set()
    for component, cycle in cycles(graph):
        chain = [tail for tail, _ in cycle] + [cycle[0][0]]
        last, closing = cycle[-1]
        where = next(i.span for i in proposal.diagrams[last].instances if i.of == closing)
        ctx.report(report("E0240", where, "a diagram contains itself: " +
                          " -> ".join(f"`{c}`" for c in chain)))
        cyclic |= component
    acyclic = graph.subgraph(n for n in graph if n not in cyclic)
    return list(reversed(list(nx.lexicographical_topological_sort(acyclic)))) + sorted(cyclic)


def check_nested_modes(ctx: Context, diagram: Diagram) -> None:
    for instance in diagram.instances:
        inner = ctx.proposal.diagrams.get(instance.of) if instance.of_diagram else None
        if inner is None or not inner.modes or not diagram.modes:
            continue
        used = instance.modes or diagram.modes
        missing = [m for m in used if m not in inner.modes]
        if missing:
            ctx.report(report("E0242", instance.span,
                              f"`{instance.name}` is used in mode `{missing[0]}`, which "
                              f"`{inner.name}` does not declare",
                              related=[(inner.span, f"`{inner.name}` declares modes "
                              + ", ".join(inner.modes))], instance=instance.name, inner=inner.name))


def check_phases(ctx: Context) -> None:
    """Each mode has a phase: one warning for each mode that neither declares one nor runs in an
    outer mode that has one, and an error where a nested mode declares a phase other than the
    outer mode's it runs in."""
    found = phases(ctx.proposal)
    for diagram in ctx.proposal.diagrams.values():
        # a mode whose phase is misspelt is excused: that is reported already (E0125)
        assumed = [m for m in diagram.modes if found[diagram.name, m].how == "assumed"
                   and (diagram.name, f"mode {m}") not in ctx.excused]
        line = "modes " + ", ".join(f"{m} : {found[diagram.name, m].phase}" for m in diagram.modes)
        for mode in assumed:
            decl = diagram.phases.get(mode)
            ctx.report(report("W0202", decl.span if decl and decl.span else diagram.span,
                              f"mode `{mode}` of `{diagram.name}` declares no phase; the analyses "
                              f"assumed {found[diagram.name, mode].phase}",
                              how=how_assumed(mode), line=line))
    reported: set[tuple[str, str, str]] = set()
    for outer in ctx.proposal.diagrams.values():
        for instance in outer.instances:
            inner = ctx.proposal.diagrams.get(instance.of) if instance.of_diagram else None
            for mode in (instance.modes or outer.modes) if inner is not None else ():
                _check_phase_agrees(ctx, found, inner, instance.span, (outer.name, mode), reported)


def _check_phase_agrees(ctx: Context, found, inner: Diagram, where: Span | None,
                        outer: tuple[str, str], reported: set) -> None:
    """The phase `inner` declares for the mode of `outer` it runs in is that mode's phase."""
    mine, theirs = inner.phases.get(outer[1]), found.get(outer)
    if mine is None or mine.phase is None or theirs is None or theirs.how == "assumed" \
            or theirs.phase == mine.phase or (inner.name, outer[1], theirs.diagram) in reported:
        return
    reported.add((inner.name, outer[1], theirs.diagram))
    declared = ctx.proposal.diagrams[theirs.diagram].phases[theirs.mode]
    related = [(declared.span, f"`{theirs.diagram}` declares `{theirs.mode} : {theirs.phase}`")]
    if where is not None:
        related.append((where, f"`{inner.name}` runs here in mode `{outer[1]}` of `{outer[0]}`"))
    ctx.report(report("E0243", mine.span or inner.span,
                      f"mode `{outer[1]}` of `{inner.name}` declares phase {mine.phase}, but it "
                      f"runs in mode `{outer[1]}` of `{outer[0]}`, whose phase is {theirs.phase}",
                      related=related, phase=theirs.phase, mode=outer[1]))


def unused_instances(ctx: Context, diagram: Diagram) -> None:
    used = {w.source.instance for w in diagram.wires} | {w.target.instance for w in diagram.wires}
    used |= {t.target for t in diagram.trainings}
    for training in diagram.trainings:
        used |= {n.name if isinstance(n, Name) else n.instance for n in names_in(training.signal)}
    used |= {i.snapshot_of for i in diagram.instances}
    for instance in diagram.instances:
        box = ctx.box(instance.of)
        needs_wires = box is not None and any(p.direction == "in" and p.default is None
                                              for p in box.ports)
        if needs_wires:
            continue  # its unconnected inputs are errors already (E0210)
        if instance.name not in used and (diagram.name, instance.name) not in ctx.excused:
            ctx.report(report("W0201", instance.span,
                              f"`{instance.name}` is not connected to anything"))


def explicit_copies(diagram: Diagram) -> list[Copy]:
    targets: dict[str, list[str]] = defaultdict(list)
    for wire in diagram.wires:
        targets[str(wire.source)].append(str(wire.target))
    return [Copy(source=s, targets=sorted(set(t))) for s, t in sorted(targets.items())
            if len(set(t)) > 1]
