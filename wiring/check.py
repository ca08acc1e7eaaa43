"""Stage 3: the wiring rules of DESIGN.md section 2 on an elaborated model.

Per diagram and per mode: every inner input and outer output has exactly one source (or a
declared merge, or a default); wires are well-typed (subtyping, intervals, indices); feedback
passes through a stateful box or a delayed wire. Then: training statements, refinements, nested
modes, and diagrams that contain themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import graphlib

from .diagnostics import Diagnostic, Span, report
from .structure import active
from .model import (MERGE_OPERATORS, BoolType, Call, Chain, CollectionType, Component, Copy, Diagram,
                    Endpoint, Expr, Instance, Merge, Name, NumType, Port, PortRef, Proposal,
                    Training, UnknownType, Wire)
from .types import Decider, is_scalar, names_in, show_type, subtype, value_in

_MERGE_TYPES = {
    "sum": (NumType,), "max": (NumType,), "min": (NumType,), "mean": (NumType,),
    "any": (BoolType,), "all": (BoolType,), "union": (CollectionType,),
    "concat": (CollectionType,),
}


@dataclass
class _Context:
    proposal: Proposal
    decide: Decider
    excused: set[tuple[str, str]]
    broken: set[str]
    diagnostics: list[Diagnostic]
    # The checked diagrams, as they become known (nested ones first): the elaborated ones with
    # their inferred outer types, copies and merges. The elaborated model is never edited.
    checked: dict[str, Diagram]

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def box(self, name: str) -> Component | Diagram | None:
        return self.proposal.components.get(name) or self.checked.get(name) or \
            self.proposal.diagrams.get(name)


class _PerMode:
    """Collects problems found in each mode and reports each once, naming the modes it occurs
    in ("in modes `train`, `eval`"), or none when it occurs in every mode."""

    def __init__(self, ctx: "_Context", all_modes: list[str]):
        self.ctx = ctx
        self.all_modes = all_modes
        self.found: dict[tuple, tuple[list[str | None], object]] = {}

    def add(self, key: tuple, mode: str | None, build) -> None:
        modes, _ = self.found.setdefault(key, ([], build))
        modes.append(mode)

    def flush(self) -> None:
        for modes, build in self.found.values():
            if None in modes or sorted(modes) == sorted(self.all_modes):
                text = ""
            elif len(modes) == 1:
                text = f" in mode `{modes[0]}`"
            else:
                text = " in modes " + ", ".join(f"`{m}`" for m in modes)
            self.ctx.report(build(text))


class _DiagramView:
    """Ports and endpoints of one diagram, with the lookups every rule needs."""

    def __init__(self, ctx: _Context, diagram: Diagram):
        self.ctx = ctx
        self.diagram = diagram
        self.instances = {i.name: i for i in diagram.instances}
        self.outer = {p.name: p for p in diagram.ports}
        self._box_ports: dict[str, dict[str, Port]] = {}

    def box_ports(self, instance: Instance) -> dict[str, Port]:
        ports = self._box_ports.get(instance.of)
        if ports is None:
            box = self.ctx.box(instance.of)
            ports = {p.name: p for p in box.ports} if box else {}
            self._box_ports[instance.of] = ports
        return ports

    def port(self, endpoint: Endpoint) -> Port | None:
        if endpoint.instance is None:
            return self.outer.get(endpoint.port)
        instance = self.instances.get(endpoint.instance)
        return self.box_ports(instance).get(endpoint.port) if instance else None

    def active_port(self, endpoint: Endpoint, mode: str | None) -> tuple[bool, str]:
        """Whether an endpoint exists in `mode`, and if not, why."""
        port = self.port(endpoint)
        if endpoint.instance is not None:
            instance = self.instances[endpoint.instance]
            if not active(instance.modes, mode):
                return False, (f"`{instance.name}` exists only in mode"
                               f"{'s' if len(instance.modes) > 1 else ''} "
                               + ", ".join(f"`{m}`" for m in instance.modes))
        if port is not None and not active(port.modes, mode):
            return False, (f"`{endpoint}` exists only in mode{'s' if len(port.modes) > 1 else ''} "
                           + ", ".join(f"`{m}`" for m in port.modes))
        return True, ""

    def targets(self, mode: str | None):
        """Every endpoint that needs exactly one source in `mode`."""
        for port in self.diagram.ports:
            if port.direction == "out" and active(port.modes, mode):
                yield Endpoint(instance=None, port=port.name, span=port.span), port
        for instance in self.diagram.instances:
            if not active(instance.modes, mode):
                continue
            for port in self.box_ports(instance).values():
                if port.direction == "in" and active(port.modes, mode):
                    yield Endpoint(instance=instance.name, port=port.name, span=instance.span), port


def _check_wire_types(ctx: _Context, view: _DiagramView) -> None:
    for wire in view.diagram.wires:
        source, target = view.port(wire.source), view.port(wire.target)
        if source is None or target is None:
            continue
        mismatch = subtype(source.type, target.type, ctx.decide)
        if mismatch is None:
            continue
        src_kind = "output" if wire.source.instance else "outer input"
        dst_kind = "input" if wire.target.instance else "outer output"
        ctx.report(report(
            mismatch.code,
            wire.span, f"{src_kind} `{wire.source} : {source.written}` cannot feed {dst_kind} "
            f"`{wire.target} : {target.written}`", label=mismatch.reason,
            related=[(source.span, f"`{source.name}` is declared here"),
                     (target.span, f"`{target.name}` is declared here")],
            notes=_alias_notes(source, target),
            help=_type_help(mismatch.code)))


def _infer_outer_types(ctx: _Context, view: _DiagramView) -> Diagram:
    """The diagram with its untyped outer ports given the type their wires determine: an
    output takes its source's type; an input takes the most specific of its targets' types, the
    one every target accepts."""
    diagram = view.diagram
    ports = [_inferred_type(ctx, view, port) if port.inferred else port for port in diagram.ports]
    if all(new is old for new, old in zip(ports, diagram.ports)):
        return diagram
    return diagram.model_copy(update={"ports": ports})


def _inferred_type(ctx: _Context, view: _DiagramView, port: Port) -> Port:
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
                          label="ambiguous type", help=f"write `{port.direction} {port.name} : "
                          "Type` with a type every target accepts"))
        return port
    return port.model_copy(update={"type": best, "written": show_type(best)})


def _alias_notes(*ports: Port) -> list[str]:
    notes = []
    for port in ports:
        shown = show_type(port.type)
        if shown != port.written and not isinstance(port.type, UnknownType):
            notes.append(f"`{port.written}` is `{shown}`")
    return list(dict.fromkeys(notes))


def _type_help(code: str) -> str:
    return {
        "E0203": "connect ports of the same type, or insert a component that converts",
        "E0204": "rescale with an adapter component, or widen the input's interval",
        "E0205": "the indices must be equal for every value of the parameters",
        "E0206": "state the parameters' bounds (`param n : Nat >= 1`) so the comparison can be "
                 "proved, or make the expressions identical",
    }[code]


def _check_sources(ctx: _Context, view: _DiagramView, mode: str | None,
                   merges: dict[str, Merge], per_mode: _PerMode) -> None:
    diagram = view.diagram
    incoming: dict[tuple[str | None, str], list[Wire]] = defaultdict(list)
    for wire in diagram.wires:
        if not active(wire.modes, mode):
            continue
        broken = False
        for end in (wire.source, wire.target):
            ok, why = view.active_port(end, mode)
            if not ok:
                per_mode.add(("E0230", id(wire), str(end)), mode, lambda text, wire=wire, why=why: report(
                    "E0230", wire.span, f"the wire `{wire.source} -> {wire.target}` is used{text}, but {why}", label=f"active{text}",
                    help="restrict the wire with `when ...` to the modes where both ends exist"))
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
                    "E0212", port.span, f"output `{name}` of `{diagram.name}` has no source{text}", label="nothing feeds this",
                    help=f"add a wire `<box>.<output> -> {name}`"))
            else:
                instance = view.instances[endpoint.instance]
                per_mode.add(("E0210", name), mode,
                             lambda text, name=name, port=port, instance=instance: report(
                    "E0210", instance.span, f"input `{name} : {port.written}` has no source{text}", label=f"`{port.name}` is not connected",
                    related=[(port.span, f"`{port.name}` is declared here")],
                    help=f"add a wire `<source> -> {name}`, or give `{port.name}` a default "
                    "(`= value`)"))
            continue
        if port.merge is not None:
            merges[name] = Merge(target=name, op=port.merge,
                                 sources=sorted({str(w.source) for w in wires}))
            continue
        per_mode.add(("E0211", name, tuple(id(w) for w in wires)), mode,
                     lambda text, name=name, port=port, wires=wires: report(
            "E0211", wires[1].span, f"`{name}` has {len(wires)} sources{text}; an input takes exactly one unless "
            "it declares a merge", label="second source",
            related=[(w.span, f"source: `{w.source}`") for w in wires[:1]]
            + [(port.span, f"`{port.name}` is declared here")],
            help=_merge_help(port)))


def _merge_help(port: Port) -> str:
    """How to give an input several sources: the merges its type allows, or, for values that
    do not combine (a response, a transcript), a box that chooses between them."""
    fitting = [m for m in MERGE_OPERATORS if isinstance(port.type, _MERGE_TYPES[m])]
    if fitting:
        return (f"keep one wire, or declare how values combine: `in {port.name} : {port.written} "
                f"merge {fitting[0]}`" + (f" (or {', '.join(fitting[1:])})" if fitting[1:] else ""))
    return (f"keep one wire: values of `{port.written}` do not merge, so route the sources through "
            f"a box that chooses one, e.g. `component Pick : router {{ in a : {port.written}; "
            f"in b : {port.written}; out chosen : {port.written} }}`")


def _check_ports(ctx: _Context, ports: list[Port]) -> None:
    for port in ports:
        if port.merge is not None and not isinstance(port.type, UnknownType):
            allowed = _MERGE_TYPES[port.merge]
            if not isinstance(port.type, allowed):
                ctx.report(report("E0213", port.span, f"`merge {port.merge}` cannot combine values of type "
                                 f"`{port.written}`", label="incompatible merge",
                                 help="sum/max/min/mean merge numbers, any/all merge Bool, "
                                 "union/concat merge List or Set"))
        if port.default is not None:
            mismatch = value_in(port.default, port.type, ctx.decide)
            if mismatch is not None:
                ctx.report(report("E0214", port.default.span or port.span, f"the default of `{port.name}` is not a "
                                 f"`{port.written}`",
                                 label=mismatch.reason,
                                 help="defaults are numbers within the port's type"))


# ------------------------------------------------------------------------- algebraic loops

class _PortGraph:
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


def _instantaneous(ctx: _Context, diagram: Diagram, mode: str | None,
                   relations: dict[str, set[tuple[str, str]]]) -> _PortGraph:
    graph = _PortGraph()
    for wire in diagram.wires:
        if wire.delayed or not active(wire.modes, mode):
            continue
        graph.add((wire.source.instance, wire.source.port),
                  (wire.target.instance, wire.target.port), wire)
    for instance in diagram.instances:
        # A nested diagram's behaviour is computed from its contents, whatever it declares.
        if not active(instance.modes, mode) or (instance.attributes.stateful
                                                  and not instance.of_diagram):
            continue
        box = ctx.box(instance.of)
        if box is None:
            continue
        if instance.of_diagram:
            pairs = relations.get(instance.of, set())
        else:
            inputs = [p.name for p in box.ports if p.direction == "in"]
            outputs = [p.name for p in box.ports if p.direction == "out"]
            pairs = {(i, o) for i in inputs for o in outputs}
        for i, o in pairs:
            tail, head = (instance.name, i), (instance.name, o)
            if tail in graph.successors and head in graph.successors:
                graph.add(tail, head)
    return graph


def _dependency_relation(graph: _PortGraph, order: list[tuple],
                         diagram: Diagram) -> set[tuple[str, str]]:
    """Which outer inputs instantaneously reach which outer outputs: the diagram's behaviour as
    a box, used when it is nested in another diagram. Propagated along a topological order."""
    reaching: dict[tuple, set[str]] = defaultdict(set)
    for port in diagram.ports:
        if port.direction == "in":
            reaching[(None, port.name)].add(port.name)
    pairs = set()
    for node in order:
        sources = reaching.get(node)
        if not sources:
            continue
        if node[0] is None and node[1] in {p.name for p in diagram.ports if p.direction == "out"}:
            pairs |= {(source, node[1]) for source in sources}
        for head in graph.successors[node]:
            reaching[head] |= sources
    return pairs


def _check_loops(ctx: _Context, diagram: Diagram, graph: _PortGraph, mode: str | None,
                 per_mode: _PerMode) -> None:
    import networkx as nx

    instances = {i.name: i for i in diagram.instances}
    full = graph.networkx()
    for component in nx.strongly_connected_components(full):
        if len(component) == 1:
            (node,) = component
            if not full.has_edge(node, node):
                continue
        cycle = nx.find_cycle(full.subgraph(component))
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
            "E0220", first.span, f"algebraic loop{text}: {ring} feeds back with no stateful box or delay", label="this wire closes an instantaneous loop",
            related=[(instances[b].span, f"`{b}` is instantaneous") for b in boxes
                     if b in instances],
            help="mark one box on the loop `stateful`, or mark a wire on it `delayed`"))


# ----------------------------------------------------------------------------- training

_VALUE_FUNCTIONS = {"match", "mse", "cross_entropy", "log_likelihood", "accuracy", "loss"}


SELECTING = ("best_of", "quantilizer", "human_selection")  # choose outputs, not parameters
EVALUATING = ("rl", "best_of", "quantilizer", "selection", "early_stopping", "human_selection")


def _check_training(ctx: _Context, view: _DiagramView, training: Training) -> None:
    diagram = view.diagram
    instance = view.instances[training.target]
    _check_signal_depends_on_target(ctx, view, training)
    if training.family in SELECTING:
        pass  # selecting among a box's outputs needs no parameters: frozen boxes qualify
    elif instance.frozen:
        why = (f"a frozen snapshot of `{instance.snapshot_of}`" if instance.snapshot_of
               else "declared `frozen`")
        ctx.report(report("E0301", training.span, f"`{instance.name}` is {why}; it cannot be trained", label="frozen target",
                         related=[(instance.span, f"`{instance.name}` is declared here")],
                         help=f"train the live instance, not its snapshot"))
    elif not instance.attributes.learned:
        box = ctx.box(instance.of)
        if instance.of_diagram:
            ctx.report(report("E0303", training.span, f"`{instance.name}` is a diagram (`{instance.of}`); "
                             "training statements target learned components",
                             label="not a learned component",
                             related=[(box.span if box else None, f"`{instance.of}` is declared here")],
                             help=f"train the learned boxes inside `{instance.of}`, or declare "
                             f"it `diagram {instance.of} : <kind>, learned`"))
        else:
            ctx.report(report("E0301", training.span, f"`{instance.name}` ({instance.of}) is not learned; only "
                             "learned components have parameters to optimise",
                             label="not learned",
                             related=[(box.span if box else None, f"`{instance.of}` is declared here")],
                             help=f"add `learned` to the attributes of `{instance.of}`"))
    _check_training_modes(ctx, view, training)
    _check_signal(ctx, view, training, training.signal, in_value_function=False)


def _check_signal_depends_on_target(ctx: _Context, view: _DiagramView, training: Training) -> None:
    """W0301: a signal that rewards or selects a box but reads nothing its output can reach is
    almost always a wire or a name gone wrong."""
    if training.family not in EVALUATING:
        return
    reads = {n.instance if isinstance(n, PortRef) else n.name for n in names_in(training.signal)}
    reads.discard(None)
    if training.target in reads:
        return
    following: dict[str, set[str]] = defaultdict(set)
    for wire in view.diagram.wires:
        following[wire.source.instance or ""].add(wire.target.instance or "")
    seen, stack = {training.target}, [training.target]
    while stack:
        for nxt in following.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    if seen & reads or "" in seen and any(r not in view.instances for r in reads):
        return
    ctx.report(report("W0301", training.span, f"the signal that trains `{training.target}` reads nothing its "
                       "output reaches", label="independent of the trained box",
                       help="wire the trained box's output into the evaluator the signal reads, "
                       "or check the names in the signal"))


def _check_training_modes(ctx: _Context, view: _DiagramView, training: Training) -> None:
    """A training statement exists in its modes; so must its target and every box it reads."""
    modes = training.modes if training.modes is not None else (view.diagram.modes or [None])
    used = [training.target] + [n.name if isinstance(n, Name) else n.instance
                                for n in names_in(training.signal)]
    reported: set[str] = set()
    for mode in modes:
        for name in used:
            instance = view.instances.get(name)
            if instance is None or name in reported or active(instance.modes, mode):
                continue
            reported.add(name)
            role = "the training target" if name == training.target else "read by the signal"
            ctx.report(report(
                "E0230", training.span, f"the training of `{training.target}` is active in mode `{mode}`, but "
                f"`{name}` exists only in mode{'s' if len(instance.modes) > 1 else ''} "
                + ", ".join(f"`{m}`" for m in instance.modes),
                label=f"active in `{mode}`",
                related=[(instance.span, f"`{name}`, {role}, is declared here")],
                help="restrict the training statement with `when ...` to the modes where every "
                "box it uses exists"))


def _check_signal(ctx: _Context, view: _DiagramView, training: Training, expr: Expr,
                  in_value_function: bool) -> None:
    if isinstance(expr, Call):
        if expr.function == "kl":
            return
        values = expr.function in _VALUE_FUNCTIONS
        for arg in expr.args:
            _check_signal(ctx, view, training, arg, values)
        if values and len(expr.args) == 2:
            a, b = (_expr_type(view, arg) for arg in expr.args)
            if a is not None and b is not None and subtype(a, b, ctx.decide) and \
                    subtype(b, a, ctx.decide):
                ctx.report(report("E0203", expr.span, f"`{expr.function}` compares values of different types:"
                                 f" `{show_type(a)}` and `{show_type(b)}`",
                                 label="incomparable arguments",
                                 help="compare an output with a target of the same type"))
        return
    if isinstance(expr, PortRef):
        port = view.port(Endpoint(instance=expr.instance, port=expr.port))
        if port is None:
            return
        if expr.instance is not None and port.direction == "in":
            ctx.report(report("E0201", expr.span, f"`{expr.instance}.{expr.port}` is an input; a signal reads "
                             "outputs", label="an input port",
                             related=[(port.span, f"`{port.name}` is declared here")],
                             help="read the output of the box that feeds it"))
            return
        if not in_value_function and not is_scalar(port.type):
            ctx.report(report("E0302", expr.span, f"the signal must be a number, but `{expr.instance + '.' if expr.instance else ''}"
                             f"{expr.port}` is a `{port.written}`",
                             label="not a scalar",
                             related=[(port.span, f"`{port.name}` is declared here")],
                             help="optimise a numeric score, e.g. the output of a reward model or "
                             "judge; compare structured values with `match(a, b)`"))
        return
    if isinstance(expr, Name):
        if expr.name in view.instances and not in_value_function:
            ctx.report(report("E0302", expr.span, f"`{expr.name}` is an instance, not a number",
                             label="not a scalar",
                             help=f"name one of its outputs: `{expr.name}.<port>`"))
        return
    for child in _children(expr):
        _check_signal(ctx, view, training, child, in_value_function)


def _children(expr: Expr) -> list[Expr]:
    if isinstance(expr, Chain):
        return [expr.first] + [link.arg for link in expr.rest]
    return [getattr(expr, a) for a in ("arg", "left", "right") if hasattr(expr, a)]


def _expr_type(view: _DiagramView, expr: Expr):
    if isinstance(expr, PortRef):
        port = view.port(Endpoint(instance=expr.instance, port=expr.port))
        return port.type if port else None
    return None


# ---------------------------------------------------------------------- interfaces, nesting

def _check_refinement(ctx: _Context, diagram: Diagram) -> None:
    chain, current = [diagram.name], diagram.refines
    while current is not None and current in ctx.proposal.diagrams and current not in chain:
        chain.append(current)
        current = ctx.proposal.diagrams[current].refines
    if current is not None and current in chain:
        ctx.report(report("E0241", diagram.span, f"`{diagram.name}` refines itself: " + " refines ".join(
            f"`{c}`" for c in chain[chain.index(current):] + [current]),
            label="circular refinement", help="a refinement implements another box; name the "
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
        ctx.report(report("E0241", span or diagram.span, f"`{diagram.name}` does not match the interface of "
                         f"`{spec.name}` it refines: it {problem}"
                         if not problem.startswith("`") else
                         f"`{diagram.name}` does not match the interface of `{spec.name}`: {problem}", label="interface mismatch",
                         related=[(spec.span, f"`{spec.name}` is declared here")],
                         help="a refinement has the same port names and directions; its inputs "
                         "accept at least, and its outputs produce at most, what the refined box "
                         "declares"))


def _nesting_order(ctx: _Context) -> list[str]:
    """Diagrams, each after the diagrams it instantiates; diagrams on an instantiation cycle are
    reported and left out of the order (they are checked last)."""
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
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            (name,) = component
            if not graph.has_edge(name, name):
                continue
        cycle = nx.find_cycle(graph.subgraph(component))
        chain = [tail for tail, _ in cycle] + [cycle[0][0]]
        last, closing = cycle[-1]
        where = next(i.span for i in proposal.diagrams[last].instances if i.of == closing)
        ctx.report(report("E0240", where, "a diagram contains itself: " +
                         " -> ".join(f"`{c}`" for c in chain),
                         label="this instance closes the cycle",
                         help="nesting must be finite; feedback is written with wires inside "
                         "one diagram, not by instantiating a diagram in itself"))
        cyclic |= component
    acyclic = graph.subgraph(n for n in graph if n not in cyclic)
    return list(reversed(list(nx.lexicographical_topological_sort(acyclic)))) + sorted(cyclic)


def _check_nested_modes(ctx: _Context, diagram: Diagram) -> None:
    for instance in diagram.instances:
        inner = ctx.proposal.diagrams.get(instance.of) if instance.of_diagram else None
        if inner is None or not inner.modes or not diagram.modes:
            continue
        used = instance.modes or diagram.modes
        missing = [m for m in used if m not in inner.modes]
        if missing:
            ctx.report(report("E0242", instance.span, f"`{instance.name}` is used in mode `{missing[0]}`, which "
                             f"`{inner.name}` does not declare",
                             label="mode not declared by the inner diagram",
                             related=[(inner.span, f"`{inner.name}` declares modes "
                                       + ", ".join(inner.modes))],
                             help=f"restrict `{instance.name}` with `when ...`, or declare the "
                             f"mode in `{inner.name}`"))


def _unused_instances(ctx: _Context, diagram: Diagram) -> None:
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
            ctx.report(report("W0201", instance.span, f"`{instance.name}` is not connected to anything", label="no wires",
                               help="wire it, or remove it"))


def _explicit_copies(diagram: Diagram) -> list[Copy]:
    targets: dict[str, list[str]] = defaultdict(list)
    for wire in diagram.wires:
        targets[str(wire.source)].append(str(wire.target))
    return [Copy(source=s, targets=sorted(set(t))) for s, t in sorted(targets.items())
            if len(set(t)) > 1]


@dataclass
class Checked:
    """What `check` returns: the checked proposal (the elaborated one with inferred outer
    types, explicit copies and merges; the input is left as it was) and the problems found."""

    proposal: Proposal
    diagnostics: list[Diagnostic]


def check(proposal: Proposal, excused: set[tuple[str, str]] | None = None,
          broken: set[str] | None = None) -> Checked:
    ctx = _Context(proposal=proposal, decide=Decider(proposal.params), excused=excused or set(),
                   broken=broken or set(), diagnostics=[], checked={})
    for component in proposal.components.values():
        _check_ports(ctx, component.ports)
    relations: dict[str, set[tuple[str, str]]] = {}
    for name in _nesting_order(ctx):
        ctx.checked[name] = _check_diagram(ctx, proposal.diagrams[name], relations)
    diagrams = {name: ctx.checked.get(name, diagram) for name, diagram in proposal.diagrams.items()}
    return Checked(proposal.model_copy(update={"diagrams": diagrams}), ctx.diagnostics)


def _check_diagram(ctx: _Context, diagram: Diagram,
                   relations: dict[str, set[tuple[str, str]]]) -> Diagram:
    """Every rule on one diagram (its nested diagrams checked already); the checked diagram."""
    _check_ports(ctx, diagram.ports)
    diagram = _infer_outer_types(ctx, _DiagramView(ctx, diagram))
    view = _DiagramView(ctx, diagram)
    _check_wire_types(ctx, view)
    merges: dict[str, Merge] = {}
    relation: set[tuple[str, str]] = set()
    per_mode = _PerMode(ctx, diagram.modes)
    for mode in diagram.modes or [None]:
        _check_sources(ctx, view, mode, merges, per_mode)
        graph = _instantaneous(ctx, diagram, mode, relations)
        order = graph.order()
        if order is None:
            _check_loops(ctx, diagram, graph, mode, per_mode)
        else:
            relation |= _dependency_relation(graph, order, diagram)
    per_mode.flush()
    relations[diagram.name] = relation
    for training in diagram.trainings:
        _check_training(ctx, view, training)
    if diagram.refines:
        _check_refinement(ctx, diagram)
    _check_nested_modes(ctx, diagram)
    _unused_instances(ctx, diagram)
    return diagram.model_copy(update={"copies": _explicit_copies(diagram),
                                      "merges": [merges[k] for k in sorted(merges)]})
