"""Wires: well-typed (subtyping, intervals, indices), every input with exactly one source (or a
declared merge, or a default), and outer ports whose type is inferred from their wires."""

from __future__ import annotations

from collections import defaultdict

from ..diagnostics import report
from ..model import (
    MERGE_OPERATORS,
    CollectionType,
    Diagram,
    Endpoint,
    Merge,
    Name,
    OpaqueType,
    Port,
    PortRef,
    UnknownType,
    Wire,
)
from ..structure import active
from ..types import port_indices, show_type, subtype, value_in
from .context import MERGE_TYPES, Context, DiagramView, PerMode


def check_wire_types(ctx: Context, view: DiagramView) -> None:
    fed = _Feeds(view)
    typed = []      # the wires whose types fit, for the dependencies, once every type is known
    for wire in view.diagram.wires:
        source, target = view.port(wire.source), view.port(wire.target)
        if source is None or target is None:
            continue
        mismatch = subtype(_undepended(source.type), _undepended(target.type), ctx.decide)
        if mismatch is None:
            typed.append((wire, source, target))
            continue
        fed.broken.add(str(wire.target))
        src_kind = "output" if wire.source.instance else "outer input"
        dst_kind = "input" if wire.target.instance else "outer output"
        ctx.report(report(
            mismatch.code,
            wire.span, f"{src_kind} `{wire.source} : {source.written}` cannot feed {dst_kind} "
            f"`{wire.target} : {target.written}`", label=mismatch.reason,
            related=[(source.span, f"`{source.name}` is declared here"),
                     (target.span, f"`{target.name}` is declared here")],
            notes=_alias_notes(source, target)))
    for wire, source, target in typed:
        _check_dependency(ctx, view, wire, source, target, fed)


class _Feeds:
    """The value a port of the diagram stands for, in one mode, as the set of its sources: an
    input of a box (or an outer output) is what the wires into it carry (a copied source is
    one; an input without a wire is its own), an output of a box (or an outer input) is
    itself. A dependent port's index (`Answer[q]`) stands for the value at `q`."""

    def __init__(self, view: DiagramView):
        self.view = view
        self._into: dict[tuple, list[Wire]] | None = None
        self.broken: set[str] = set()    # inputs a mistyped wire enters: reported already

    def __call__(self, instance: str | None, port: str, mode: str | None) -> frozenset[str] | None:
        """The value's sources, or None when it is not known: an input whose wire was
        mistyped, or that no wire enters in `mode` (E0203, E0210 said so)."""
        end = Endpoint(instance=instance, port=port)
        known = self.view.port(end)
        produces = known is not None and (known.direction == "out") == (instance is not None)
        if produces:
            return frozenset([str(end)])
        if str(end) in self.broken:
            return None
        if self._into is None:
            self._into = defaultdict(list)
            for wire in self.view.diagram.wires:
                self._into[wire.target.instance, wire.target.port].append(wire)
        wires = self._into.get((instance, port), [])
        if not wires and known is not None and known.default is not None:
            return frozenset([str(end)])     # its default: a value of its own
        return frozenset(str(w.source) for w in wires if active(w.modes, mode)) or None


def _check_dependency(ctx: Context, view: DiagramView, wire: Wire, source: Port, target: Port,
                      fed: _Feeds) -> None:
    """E0131: a dependent output (`x.a : Answer[x.q]`) feeds a dependent input
    (`y.a : Answer[y.q]`) only when `x.q` and `y.q` stand for the same value in every mode
    the wire is in: wires from one source (up to copies), one outer input, or the output
    the other reads (`user.answer : Answer[user.question]` fed by a box asked
    `user.question`)."""
    pairs = list(zip(port_indices(source.type), port_indices(target.type)))
    modes = view.mode_order.of(wire.modes) if pairs else []
    for have, need in pairs:
        for mode in modes:
            giving = fed(wire.source.instance, have.port, mode)
            taking = fed(wire.target.instance, need.port, mode)
            if giving is None or taking is None or giving == taking:
                continue
            where = f" in mode `{mode}`" if mode is not None and len(modes) > 1 else ""
            here, there = (_what(end, index.port, values) for end, index, values in
                           ((wire.source, have, giving), (wire.target, need, taking)))
            ctx.report(report(
                "E0131", wire.span, f"`{wire.source} : {source.written}` answers {here}, but "
                f"`{wire.target} : {target.written}` must answer {there}{where}",
                related=[(source.span, f"`{source.name}` depends on `{have.port}`"),
                         (target.span, f"`{target.name}` depends on `{need.port}`")],
                help="feed both from one source (copies of one wire), or wire "
                     f"`{wire.target}` from a box that answers that"))
            return


_DEPENDENT = Name(name="_")


def _undepended(t):
    """A type with each port index (`Answer[q]`) one placeholder: the types are compared
    without them, and `_check_dependency` compares what the indices receive."""
    if isinstance(t, OpaqueType) and any(isinstance(i, PortRef) for i in t.indices):
        return t.model_copy(update={"indices": [_DEPENDENT if isinstance(i, PortRef) else i
                                                for i in t.indices]})
    if isinstance(t, CollectionType):
        element = _undepended(t.element)
        return t if element is t.element else t.model_copy(update={"element": element})
    return t


def _what(end: Endpoint, port: str, values: frozenset[str]) -> str:
    """What a dependent port answers, in words: `what s.question receives (from a.question)`."""
    name = f"{end.instance}.{port}" if end.instance else port
    if values == {name}:
        return f"`{name}`"
    shown = ", ".join(f"`{s}`" if "." in s else f"outer input `{s}`" for s in sorted(values))
    return f"what `{name}` receives (from {shown})"


def infer_outer_types(ctx: Context, view: DiagramView) -> Diagram:
    """The diagram with its untyped outer ports given the type their wires determine: an
    output takes its source's type; an input takes the most specific of its targets' types, the
    one every target accepts."""
    diagram = view.diagram
    ports = [_inferred_type(ctx, view, port) if port.inferred else port for port in diagram.ports]
    if all(new is old for new, old in zip(ports, diagram.ports)):
        return diagram
    return diagram.model_copy(update={"ports": ports})


def _inferred_type(ctx: Context, view: DiagramView, port: Port) -> Port:
    diagram = view.diagram
    if port.direction == "out":
        found = [view.port(w.source) for w in diagram.wires
                 if w.target.instance is None and w.target.port == port.name]
    else:
        found = [view.port(w.target) for w in diagram.wires
                 if w.source.instance is None and w.source.port == port.name]
    candidates = [p.type for p in found if p is not None and not isinstance(p.type, UnknownType)]
    if not candidates:
        if not found:
            ctx.report(report("E0207", port.span, f"cannot infer the type of `{port.name}`: "
                          "no wire connects it", label="no type and no wire",
                          help=f"write `{port.direction} {port.name} : Type`"))
        return port
    best = next((t for t in candidates
                 if all(subtype(t, other, ctx.decide) is None for other in candidates)), None)
    if best is None:
        shown = ", ".join(dict.fromkeys(f"`{show_type(t)}`" for t in candidates))
        ctx.report(report("E0207", port.span, f"cannot infer the type of `{port.name}`: its "
                          f"wires need {shown}, and none of these fits all of them",
                          help=f"write `{port.direction} {port.name} : "
                          "Type` with a type every target accepts"))
        return port
    if port_indices(best):   # `Answer[q]` of a box inside: which outer port is `q` here?
        ctx.report(report("E0207", port.span, f"cannot infer the type of `{port.name}`: "
                          f"`{show_type(best)}` depends on an input of a box inside",
                          label="a dependent type",
                          help=f"write `{port.direction} {port.name} : {show_type(best)}` with "
                          "the index an outer input of the diagram"))
        return port
    return port.model_copy(update={"type": best, "written": show_type(best)})


def _alias_notes(*ports: Port) -> list[str]:
    notes = []
    for port in ports:
        shown = show_type(port.type)
        if shown != port.written and not isinstance(port.type, UnknownType):
            notes.append(f"`{port.written}` is `{shown}`")
    return list(dict.fromkeys(notes))


def check_sources(ctx: Context, view: DiagramView, mode: str | None,
                  merges: dict[str, Merge], per_mode: PerMode) -> None:
    diagram = view.diagram
    incoming: dict[tuple[str | None, str], list[Wire]] = defaultdict(list)
    for wire in view.wires_in(mode):
        broken = False
        for end in (wire.source, wire.target):
            ok, why = view.active_port(end, mode)
            if not ok:
                per_mode.add(("E0230", id(wire), str(end)), mode,
                             lambda text, wire=wire, why=why: report(
                                 "E0230", wire.span, f"the wire `{wire.source} -> "
                                 f"{wire.target}` is used{text}, but {why}",
                                 label=f"active{text}", help="restrict the wire with `when ...` "
                                 "to the modes where both ends exist"))
                broken = True
        if not broken:
            incoming[(wire.target.instance, wire.target.port)].append(wire)
    for endpoint, port in view.targets(mode):
        wires = incoming.get((endpoint.instance, endpoint.port), [])
        name = str(endpoint)
        if len(wires) == 1:
            continue
        if not wires:
            if port.default is not None or (diagram.name, name) in ctx.excused or \
                    (diagram.name, f"{endpoint.instance}.*") in ctx.excused:
                continue
            if endpoint.instance is None:
                per_mode.add(("E0212", name), mode, lambda text, name=name, port=port: report(
                    "E0212", port.span, f"output `{name}` of `{diagram.name}` has no source{text}",
                    target=name))
            else:
                instance = view.instances[endpoint.instance]
                per_mode.add(("E0210", name), mode,
                             lambda text, name=name, port=port, instance=instance: report(
                    "E0210", instance.span, f"input `{name} : {port.written}` has no source{text}",
                    related=[(port.span, f"`{port.name}` is declared here")],
                    port=port.name, target=name))
            continue
        if port.merge is not None:
            merges[name] = Merge(target=name, op=port.merge,
                                 sources=sorted({str(w.source) for w in wires}))
            continue
        per_mode.add(("E0211", name, tuple(id(w) for w in wires)), mode,
                     lambda text, name=name, port=port, wires=wires: report(
                         "E0211", wires[1].span, f"`{name}` has {len(wires)} sources{text}; an "
                         "input takes exactly one unless it declares a merge",
                         related=[(w.span, f"source: `{w.source}`") for w in wires[:1]]
                         + [(port.span, f"`{port.name}` is declared here")],
                         help=_merge_help(port, wires, diagram.modes)))


def _merge_help(port: Port, wires: list[Wire], modes: list[str]) -> str:
    """How to give an input several sources: in a diagram with modes, first the modes each wire
    belongs to; then the merges its type allows, or, for values that do not combine (a
    response, a transcript), a box that chooses between them."""
    first = (f"if the sources belong to different modes, restrict each wire to its own: "
             f"`{wires[0].source} -> {wires[0].target} when {modes[0]}`; otherwise "
             if modes else "")
    fitting = [m for m in MERGE_OPERATORS if isinstance(port.type, MERGE_TYPES[m])]
    if fitting:
        return (f"{first}keep one wire, or declare how values combine: `in {port.name} : "
                f"{port.written} merge {fitting[0]}`"
                + (f" (or {', '.join(fitting[1:])})" if fitting[1:] else ""))
    return (f"{first}keep one wire: values of `{port.written}` do not merge, so route the sources "
            f"through a box that chooses one, e.g. `component Pick : router {{ in a : "
            f"{port.written}; in b : {port.written}; out chosen : {port.written} }}`")


def check_ports(ctx: Context, ports: list[Port]) -> None:
    for port in ports:
        if port.merge is not None and not isinstance(port.type, UnknownType):
            allowed = MERGE_TYPES[port.merge]
            if not isinstance(port.type, allowed):
                ctx.report(report("E0213", port.span,
                                  f"`merge {port.merge}` cannot combine values of type "
                                  f"`{port.written}`",
                                  help="sum/max/min/mean merge numbers, any/all merge Bool, "
                                  "union/concat merge List or Set"))
        if port.default is not None:
            mismatch = value_in(port.default, port.type, ctx.decide)
            if mismatch is not None:
                ctx.report(report("E0214", port.default.span or port.span,
                                  f"the default of `{port.name}` is not a "
                                  f"`{port.written}`", label=mismatch.reason,
                                  help="defaults are numbers within the port's type"))
