"""What a picture shows, as data: boxes, the ports of diagrams, optimisers, wires, the frames
of nested diagrams and what the legend explains. No DOT text is made here (see `draw`).

- a box per instance, its port cells (inputs `i<n>`, outputs `o<n>`, numbered as declared);
- nested diagrams as clusters with their own outer ports (`depth` limits the expansion, deeper
  ones become single boxes; `flatten` dissolves the clusters, and draws the wires that
  `wiring.structure.flatten` joins through their ports, see `joined`);
- copies as several wires leaving one port; feedback (delayed wires, and wires that close a
  cycle and run against the declaration order); training as an optimiser fed by signal wires
  and updating its target's parameters through an update wire.

Which nested diagrams are expanded, and which items exist in the mode drawn, is decided as
everywhere else (`wiring.structure`): an item is drawn when its own modes and those of every
instance around it include the mode. Nesting is walked with explicit stacks, never by
recursion, so any depth can be drawn; without `depth`, expansion stops at AUTO_DEPTH levels, or
fewer when more would draw over AUTO_BOXES boxes (the caption says so), since Graphviz cannot lay
out hundreds of nested frames or tens of thousands of boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import (Attributes, Component, Diagram, Instance, Port, PortRef, Proposal,
                     Training, UnknownType)
from ..structure import Flat, TooLarge, active, fitting_depth, flatten, join
from ..types import names_in, show_expr, show_type
from .joined import joined_wires
from .options import AUTO_BOXES, AUTO_DEPTH, RenderError, RenderOptions
from .style import BORDER_PARTS, FAMILIES, Family, border_of, family_for, family_of


# ---------------------------------------------------------------------------------------- data

@dataclass(slots=True)
class Ref:
    """One end of a wire: a node, and optionally a port cell of it."""

    node: str
    port: str | None = None     # the cell of a box's port (`i0`, `o1`)
    kind: str = "cell"          # "cell" (a port of a box), "pin", "header", "opt", or
                                # "cluster" (the anchor of an expanded diagram)
    name: str = ""              # the port's name, for readers of the scene
    cluster: str | None = None  # with kind "cluster": the id of the expanded diagram's frame

    def key(self) -> tuple:
        return (self.node, self.port)


@dataclass(slots=True)
class Wire:
    src: Ref
    dst: Ref
    style: str                  # data, signal, update
    delayed: bool = False
    feedback: bool = False
    backward: bool = False      # drawn against the ranking (dir=back)
    type_text: str = ""
    tooltip: str = ""
    container: str = ""         # the cluster whose diagram declared it
    lhead: str = ""             # the cluster an update enters (a training of a nested diagram)
    emphasis: bool = False      # on the witness of a highlighted finding


@dataclass(slots=True)
class Box:
    id: str
    instance: Instance
    box_name: str               # the component or diagram it is an instance of
    ins: list[tuple[str, Port]]
    outs: list[tuple[str, Port]]
    family: Family
    border: str
    is_diagram: bool
    modes_note: str
    inner_trainings: int
    tooltip: str
    label: str = ""             # the name shown: the instance's, or its path when flattened
    also: tuple[Family, ...] = ()   # the families of its other kinds, where not its own


@dataclass(slots=True)
class Pin:
    """An outer port of the diagram drawn or of an expanded nested diagram."""

    id: str
    port: Port
    outer: bool                 # a port of the top diagram (else of an expanded cluster)
    path: tuple[str, ...] = ()  # the instance path of the nested diagram it belongs to


@dataclass(slots=True)
class Optimiser:
    id: str
    training: Training
    target_label: str


@dataclass(slots=True)
class Cluster:
    """The frame of the diagram drawn (`frame`) or of an expanded nested diagram."""

    id: str
    items: list = field(default_factory=list)   # Box, Pin, Optimiser, Cluster
    frame: bool = False
    tooltip: str = ""
    instance: Instance | None = None            # the nested diagram's instance
    inner: str = ""                             # the nested diagram's name
    family: Family | None = None
    border: str = "solid"


@dataclass(frozen=True, slots=True)
class TrainingLayout:
    """How the paper style lays out training wires (`untangle` tries several and keeps the one
    whose layout crosses fewest wires): where a parameter update meets the box it updates
    ("corner" of the box, or the whole side "before" or "after" it across the flow: top or
    bottom left to right, left or right top to bottom), how strongly signal wires and updates
    pull their ends together (Graphviz edge weights), and whether each optimiser is set
    `apart`: a rank beyond the boxes that its signals' sources feed, so that its signals do
    not cross the wires into those boxes."""

    update_end: str = "corner"
    signal_weight: int = 1
    update_weight: int = 1
    apart: bool = False


@dataclass(frozen=True, slots=True)
class LoopLayout:
    """How feedback loops are laid out (`untangle` tries several, in both styles, and keeps one
    only where it crosses no more wires and the picture is no larger): how strongly a loop
    pulls its ends and its bends towards one line across the flow (a Graphviz edge weight),
    and where it meets its two ports: on their outer side like any wire (`side` None), or at
    the outer corner on the `side` "before" or "after" across the flow (top or bottom left to
    right, left or right top to bottom), from where a loop that runs past its boxes on that
    side need not turn round them first."""

    weight: int = 1
    side: str | None = None


@dataclass
class Scene:
    proposal: Proposal
    diagram: Diagram | None     # None: a catalogue of the components
    options: RenderOptions
    root: Cluster
    wires: list[Wire] = field(default_factory=list)
    families: set[str] = field(default_factory=set)
    borders: set[str] = field(default_factory=set)
    auto_limited: bool = False  # nesting deeper than `auto_depth` was collapsed
    auto_depth: int = AUTO_DEPTH  # the levels drawn when `depth` was not given
    # what was drawn, for highlighting: instance path -> box or cluster id, and every
    # optimiser as (diagram path, node id, training)
    drawn: dict[tuple[str, ...], str] = field(default_factory=dict)
    optimisers: list[tuple[tuple[str, ...], str, Training]] = field(default_factory=list)
    outer_pins: set[str] = field(default_factory=set)
    inner_pins: set[str] = field(default_factory=set)   # pins of expanded nested diagrams
    emphasis: dict[str, list[str]] = field(default_factory=dict)   # node id -> finding codes
    findings: list | None = None            # highlight.Finding rows; None: not highlighting
    missing: list[str] = field(default_factory=list)   # codes asked for, not found
    focus: set[str] | None = None   # highlighting by code: the nodes drawn unfaded
    training: TrainingLayout = TrainingLayout()    # paper style only (`untangle`)
    loops: LoopLayout = LoopLayout()       # `untangle`
    # the caption of a picture of panels, one a top diagram (`--panels diagrams`): the panels'
    # scenes, whose diagrams the caption names and whose kinds and wires its key explains
    panels: list[Scene] = field(default_factory=list)

    def clusters(self) -> list[Cluster]:
        """Every cluster, outermost first (walked without recursion)."""
        found, stack = [], [self.root]
        while stack:
            cluster = stack.pop()
            found.append(cluster)
            stack += [i for i in reversed(cluster.items) if isinstance(i, Cluster)]
        return found

    def nodes(self) -> dict[str, Box | Pin | Optimiser]:
        return {i.id: i for c in self.clusters() for i in c.items
                if not isinstance(i, Cluster)}

    def names(self) -> dict[str, str]:
        """A readable name for each node and frame id: instance paths (`system.agent`),
        `in:NAME`/`out:NAME` for ports of diagrams (`system.in:obs`), `train X` for
        optimisers; for tests and tools that read the scene rather than the DOT."""
        names = {node: ".".join(path) for path, node in self.drawn.items()}
        for prefix, node, training in self.optimisers:
            names[node] = ".".join(prefix + (f"train {training.target}",))
        for item in self.nodes().values():
            if isinstance(item, Pin):
                side = "in" if item.port.direction == "in" else "out"
                names[item.id] = ".".join(item.path + (f"{side}:{item.port.name}",))
        return names

    def legend(self) -> list[list[str]]:
        """What the legend explains, in four groups: the kind families drawn, the borders,
        the wire styles, and the emphasis of highlighted findings (of every panel's scene, for
        the caption of panels: `shown`)."""
        shown = self.shown()
        drawn = [w for scene in shown for w in scene.wires]
        families = set().union(*(scene.families for scene in shown))
        borders = set().union(*(scene.borders for scene in shown))
        styles = {(w.style, w.feedback) for w in drawn}
        wires = [key for key, used in (
            ("data", ("data", False) in styles),
            ("feedback", ("data", True) in styles),
            ("delayed", any(w.delayed for w in drawn)),
            ("signal", any(s == "signal" for s, _ in styles)),
            ("update", any(s == "update" for s, _ in styles))) if used]
        return [[f.key for f in FAMILIES if f.key in families],
                [b for b in ("double", "dashed", "bold", "dotted") if b in borders],
                wires,
                ["witness box", "witness wire"] if any(s.emphasis for s in shown) else []]

    def shown(self) -> list[Scene]:
        """The scenes whose boxes and wires this picture's key explains: its panels', or its
        own."""
        return self.panels or [self]


# ------------------------------------------------------------------------------------ naming

_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def ident(name: str) -> str:
    """An injective, DOT-safe spelling of one name: identifiers as they are, anything else as
    `_` and the hex of its UTF-8 bytes (no kept name starts with `_`)."""
    if _PLAIN_NAME.match(name):
        return name
    return "_" + name.encode("utf-8", "surrogatepass").hex()


def path_id(prefix: tuple[str, ...], *parts: str) -> str:
    """The node id of something drawn inside the nested diagrams at `prefix`."""
    return "/".join([ident(p) for p in prefix] + list(parts))


# ---------------------------------------------------------------------------------- building

def build_scene(proposal: Proposal, name: str | None, options: RenderOptions) -> Scene:
    """The scene of diagram `name` of `proposal`, or of its components when `name` is None.
    Raises RenderError for a mode the diagram does not have."""
    if name is None:
        if options.mode is not None:
            raise RenderError(f"{proposal.file} has no diagram, so no mode `{options.mode}`")
        return _Builder(proposal, None, options).catalogue()
    diagram = proposal.diagrams[name]
    try:
        depth = _automatic_depth(proposal, diagram) if options.depth is None else options.depth
        flat = flatten(proposal, diagram, depth)
    except TooLarge as exc:
        raise RenderError(f"{exc}; {exc.help}") from None
    builder = _Builder(proposal, diagram, options, flat)
    scene = builder.draw()
    scene.auto_depth = depth
    if options.mode is not None and not builder.mode_seen:
        modes = diagram.modes
        raise RenderError(f"`{name}` has no mode `{options.mode}`; " +
                          (f"its modes: {', '.join(modes)}" if modes else
                           "it declares no modes"))
    if options.flatten:
        scene.wires = joined_wires(flat, options.mode, builder.steps, builder.reads,
                                   builder.plain)
    scene.wires = _deduplicate(scene.wires)
    _mark_feedback(scene.wires, builder.order)
    return scene


def _automatic_depth(proposal: Proposal, diagram: Diagram) -> int:
    """The levels drawn when `depth` is not given: AUTO_DEPTH, or fewer when more would draw
    over AUTO_BOXES boxes (counted without flattening)."""
    return fitting_depth(proposal, diagram, AUTO_BOXES, most=AUTO_DEPTH)


@dataclass
class _Level:
    """One nested diagram being drawn, and where."""

    diagram: Diagram
    prefix: tuple[str, ...]         # the instance path of the diagram
    path: str                       # the same, as `wiring.structure` writes it
    container: Cluster
    id: str = ""                    # path_id(prefix), spelt once per diagram, not per node

    def node(self, *parts: str) -> str:
        """path_id(prefix, *parts)."""
        return "/".join((self.id, *parts) if self.prefix else parts)


class _Builder:
    def __init__(self, proposal: Proposal, diagram: Diagram | None, options: RenderOptions,
                 flat: Flat | None = None):
        self.proposal = proposal
        self.mode = options.mode
        self.flatten = options.flatten
        self.depth = options.depth
        self.flat = flat                     # what is expanded; with `flatten`, the wires
        self.junctions: set[str] = set()     # pins of flattened diagrams
        # With `flatten`, wires are numbered in drawing order and joined after the walk
        # (`joined`): the model's wires by (diagram path, id), the signals that read a
        # junction with the port they read, and the rest.
        self.count = 0
        self.steps: dict[tuple[str, int], tuple[int, Wire]] = {}
        self.reads: list[tuple[int, Wire, tuple[str, str]]] = []
        self.plain: list[tuple[int, Wire]] = []
        self.port_types: dict[tuple, str] = {}
        self.mode_seen = False
        self.order: dict[str, int] = {}      # node -> declaration order, for feedback
        # what every box of a kind, or every port, shares: worked out once, not per copy
        self.families: dict[tuple[str, bool], Family] = {}
        self.shown_types: dict[int, str] = {}   # id(port) -> show_type(port.type)
        self.wire_texts: dict[tuple[int, str], str] = {}   # see _wire_text
        tooltip = "\n".join([f"diagram {diagram.name}"] + diagram.notes) if diagram else ""
        root_id = "cluster_" + (ident(diagram.name) if diagram else "components")
        self.scene = Scene(proposal, diagram, options, Cluster(root_id, frame=True,
                                                               tooltip=tooltip))

    def place(self, node: str) -> None:
        self.order.setdefault(node, len(self.order))

    def shown_type(self, port: Port) -> str:
        shown = self.shown_types.get(id(port))
        if shown is None:
            shown = self.shown_types[id(port)] = show_type(port.type)
        return shown

    def active(self, modes: list[str] | None) -> bool:
        """Whether something restricted to `modes` is drawn (the instances around it are:
        only what is drawn is walked)."""
        return active(modes, self.mode)

    def ports(self, ports: list[Port]) -> list[tuple[int, Port]]:
        return [(i, p) for i, p in enumerate(ports) if self.active(p.modes)]

    def emit(self, wire: Wire, step: tuple[str, int] | None = None,
             read: tuple[str, str] | None = None) -> None:
        """Draw a wire; with `flatten`, number it for `joined`: `step` names a wire of the
        model, `read` the port of a dissolved diagram a signal reads."""
        number, self.count = self.count, self.count + 1
        if not self.flatten:
            self.scene.wires.append(wire)
        elif step is not None:
            self.steps[step] = (number, wire)
        elif read is not None:
            self.reads.append((number, wire, read))
        else:
            self.plain.append((number, wire))

    def catalogue(self) -> Scene:
        """No diagram: the components, one box each."""
        fake = Diagram(name="components")
        for comp in self.proposal.components.values():
            instance = Instance(name=comp.name, of=comp.name, attributes=comp.attributes)
            box = self.box_for(instance, ident(comp.name), fake)
            box.label, box.box_name = comp.name, ""
            self.scene.root.items.append(box)
        return self.scene

    def draw(self) -> Scene:
        """Draw the diagram. Nested diagrams are drawn with an explicit stack, not by
        recursion, so that nesting depth is bounded by memory, not by Python's recursion
        limit: each level is a generator (`_level`) that yields the nested diagram it needs
        drawn and is sent back that diagram's outer ports."""
        diagram = self.scene.diagram
        levels = [self._level(_Level(diagram, (), "", self.scene.root))]
        value: dict[str, Ref] | None = None
        while levels:
            try:
                request = levels[-1].send(value)
            except StopIteration as done:
                levels.pop()
                value = done.value
                continue
            levels.append(self._level(request))
            value = None
        return self.scene

    def _level(self, level: _Level):
        """One level of `draw`: yields a _Level for each nested diagram to expand, receives
        its outer ports, and returns its own."""
        if self.mode is not None and self.mode in level.diagram.modes:
            self.mode_seen = True
        pins = self._pins(level)
        ends: dict[str, dict[str, Ref]] = {}   # instance -> port -> ref
        headers: dict[str, Ref] = {}           # instance -> where its parameters are updated
        for instance in level.diagram.instances:
            if self.active(instance.modes):
                yield from self._instance(level, instance, ends, headers)
        for ref in pins.values():
            self.place(ref.node)

        def resolve(instance: str | None, port: str) -> Ref | None:
            if instance is None:
                return pins.get(port)
            return ends.get(instance, {}).get(port)

        self._wires(level, resolve)
        self._trainings(level, resolve, headers)
        return pins

    def _pins(self, level: _Level) -> dict[str, Ref]:
        """The outer ports of a diagram: pins, or, when flattened, junctions (the wires
        through them are joined, see `joined`)."""
        pins: dict[str, Ref] = {}
        prefix = level.prefix
        for _, port in self.ports(level.diagram.ports):
            pin_id = level.node("@" + ("in" if port.direction == "in" else "out"),
                                ident(port.name))
            ref = Ref(pin_id, None, "pin", port.name)
            pins[port.name] = ref
            self.port_types[ref.key()] = self.shown_type(port)
            if port.direction == "in":
                self.place(pin_id)
            if self.flatten and prefix:
                self.junctions.add(pin_id)
            else:
                level.container.items.append(Pin(pin_id, port, not prefix, prefix))
                (self.scene.inner_pins if prefix else self.scene.outer_pins).add(pin_id)
        return pins

    def _expands(self, path: str, instance: Instance) -> Diagram | None:
        """The nested diagram an instance stands for, if it is drawn expanded: as flattening
        decides (`depth`, or `_automatic_depth`, and never a diagram inside itself)."""
        if path in self.flat.cut and self.depth is None:
            self.scene.auto_limited = True
        return self.proposal.diagrams[instance.of] if path in self.flat.expanded else None

    def _instance(self, level: _Level, instance: Instance, ends: dict, headers: dict):
        """Draw one instance: a box, or (yielding it to `draw`) an expanded nested diagram."""
        path = level.prefix + (instance.name,)
        box_id = level.node(ident(instance.name))
        flat_path = join(level.path, instance.name)
        inner = self._expands(flat_path, instance)
        if inner is not None:
            sub = level.container
            if not self.flatten:
                sub = self.cluster_for(instance, inner, box_id)
                level.container.items.append(sub)
                self.scene.drawn[path] = sub.id
            inner_pins = yield _Level(inner, path, flat_path, sub, box_id)
            ends[instance.name] = inner_pins
            anchor = next(iter(inner_pins.values()), None)
            if anchor is not None and not self.flatten:
                headers[instance.name] = Ref(anchor.node, None, "cluster", cluster=sub.id)
            return
        box = self.box_for(instance, box_id, level.diagram)
        box.label = ".".join(path) if self.flatten else instance.name
        self.scene.drawn[path] = box_id
        self.place(box_id)
        level.container.items.append(box)
        refs: dict[str, Ref] = {}
        for cell, port in box.ins + box.outs:
            ref = Ref(box_id, cell, "cell", port.name)
            refs[port.name] = ref
            self.port_types[ref.key()] = self.shown_type(port)
        ends[instance.name] = refs
        headers[instance.name] = Ref(box_id, "h", "header")

    def _wires(self, level: _Level, resolve) -> None:
        where = "/".join(level.prefix) + ": " if level.prefix else ""
        for wire in level.diagram.wires:
            if not self.active(wire.modes):
                continue
            src = resolve(wire.source.instance, wire.source.port)
            dst = resolve(wire.target.instance, wire.target.port)
            if src is None or dst is None:
                continue
            type_text = self.port_types.get(src.key(), "")
            self.emit(Wire(src, dst, "data", delayed=wire.delayed, type_text=type_text,
                           tooltip=where + self._wire_text(wire, type_text),
                           container=level.container.id),
                      step=(level.path, id(wire)))

    def _wire_text(self, wire, type_text: str) -> str:
        """A wire's tooltip after the path of its diagram (the same for every copy of it)."""
        key = (id(wire), type_text)
        text = self.wire_texts.get(key)
        if text is None:
            text = f"{wire.source} -> {wire.target}" + (f" : {type_text}" if type_text else "")
            if wire.delayed:
                text += " (delayed)"
            for note in wire.notes:
                text += "\n" + note
            self.wire_texts[key] = text
        return text

    def _trainings(self, level: _Level, resolve, headers: dict[str, Ref]) -> None:
        """An optimiser per training, fed by its signal's ports (or the boxes it names, as in
        `kl(pi, ref)`) and updating its target."""
        container = level.container.id
        for number, training in enumerate(level.diagram.trainings):
            if not self.active(training.modes):
                continue
            opt_id = level.node(f"@train{number}")
            level.container.items.append(Optimiser(opt_id, training, training.target))
            self.scene.optimisers.append((level.prefix, opt_id, training))
            opt = Ref(opt_id, None, "opt")
            seen: set[tuple] = set()
            for ref in names_in(training.signal):
                read = None
                if isinstance(ref, PortRef):
                    src = resolve(ref.instance, ref.port)
                    read = (join(level.path, ref.instance) if ref.instance else level.path,
                            ref.port)
                else:
                    src = headers.get(ref.name)
                if src is None or src.key() in seen:
                    continue
                seen.add(src.key())
                self.emit(Wire(src, opt, "signal", type_text=self.port_types.get(src.key(), ""),
                               tooltip=f"signal of `train {training.target}`",
                               container=container),
                          read=read if src.node in self.junctions else None)
            target = headers.get(training.target)
            if target is not None:
                wire = Wire(opt, target, "update",
                            tooltip=f"{training.optimiser} updates the parameters of "
                                    f"{training.target}", container=container)
                if target.kind == "cluster":
                    wire.lhead = target.cluster
                self.emit(wire)

    def _style(self, attributes, frame: bool = False) -> tuple[Family, str]:
        key = (attributes.kind, attributes.trust == "human")
        family = self.families.get(key)
        if family is None:
            family = self.families[key] = family_for(attributes, self.proposal.kinds)
        border = border_of(attributes, family)
        if not (frame and self.scene.options.style == "paper"):   # a paper frame: no fill
            self.scene.families.add(family.key)
        self.scene.borders.update(BORDER_PARTS.get(border, (border,)))
        return family, border

    def cluster_for(self, instance: Instance, inner: Diagram, box_id: str) -> Cluster:
        family, border = self._style(instance.attributes, frame=True)
        return Cluster("cluster_" + box_id,
                       tooltip="\n".join([f"{instance.name} : {inner.name}"] +
                                         instance.notes + inner.notes),
                       instance=instance, inner=inner.name, family=family, border=border)

    def box_for(self, instance: Instance, box_id: str, diagram: Diagram) -> Box:
        box = self.proposal.box(instance.of)
        shown = self.ports(self.proposal.ports_of(instance))
        ins = [(f"i{i}", p) for i, p in shown if p.direction == "in"]
        outs = [(f"o{i}", p) for i, p in shown if p.direction == "out"]
        attributes = instance.attributes
        family, border = self._style(attributes)
        modes_note = ""
        if self.mode is None and instance.modes is not None and diagram.modes \
                and sorted(instance.modes) != sorted(diagram.modes):
            modes_note = "only in " + ", ".join(instance.modes)
        inner_trainings = len(box.trainings) if isinstance(box, Diagram) else 0
        tooltip = [f"{instance.name} : {instance.of} ({', '.join((attributes.kind, *attributes.also))})"]
        if attributes.provenance:
            tooltip.append(f"provenance: {attributes.provenance}")
        tooltip += list(instance.notes) + (list(box.notes) if box is not None else [])
        named = box.name if box is not None else instance.of
        if instance.args:   # `Debater(rounds = 3)`: the values are part of its type
            named += "(" + ", ".join(f"{k} = {show_expr(v)}"
                                     for k, v in instance.args.items()) + ")"
        return Box(box_id, instance, named, ins, outs,
                   family, border, isinstance(box, Diagram), modes_note, inner_trainings,
                   "\n".join(tooltip), also=self._other_families(attributes, family))

    def _other_families(self, attributes, family: Family) -> tuple[Family, ...]:
        """The families of a box's other kinds (`: policy, reward_model`), each once, where
        not its own: the paper style shows each as a band of its fill."""
        others = [family_of(kind, self.proposal.kinds) for kind in attributes.also]
        others = [f for f in dict.fromkeys(others) if f != family]
        self.scene.families.update(f.key for f in others)
        return tuple(others)


# --------------------------------------------------------------------------- post-processing

def _deduplicate(wires: list[Wire]) -> list[Wire]:
    """One wire per pair of ends, style and delay; their tooltips merged."""
    seen: dict[tuple, Wire] = {}
    for wire in wires:
        key = (wire.src.key(), wire.dst.key(), wire.style, wire.delayed)
        if key in seen:
            if wire.tooltip not in seen[key].tooltip:
                seen[key].tooltip += "\n" + wire.tooltip
            continue
        seen[key] = wire
    return list(seen.values())


def _mark_feedback(wires: list[Wire], order: dict[str, int]) -> None:
    """Delayed wires are feedback; so is a data wire that runs backwards in declaration
    order (outer inputs, then the instances, depth first, then outer outputs) between two
    boxes on a common cycle. Removing those leaves no cycle, so the rest ranks the layout
    the way the proposal was written, and each loop is drawn as a loop."""
    data = [w for w in wires if w.style == "data"]
    undelayed = [w for w in data if not w.delayed]
    for wire in data:
        wire.feedback = wire.delayed
    component = _cycles(undelayed, order)
    for wire in undelayed:
        a, b = wire.src.node, wire.dst.node
        if component.get(a) is not None and component.get(a) == component.get(b) \
                and order.get(b, 0) <= order.get(a, 0):
            wire.feedback = wire.backward = True
    # A delayed wire on a loop is that loop's way back, whatever the declaration order.
    loops = _cycles(data, order) if any(w.delayed for w in data) else {}
    for wire in data:
        if wire.delayed:
            a, b = wire.src.node, wire.dst.node
            wire.backward = loops.get(a) is not None and loops.get(a) == loops.get(b)


_NEVER = float("inf")


def _cycles(wires: list[Wire], order: dict[str, int]) -> dict[str, int]:
    """The number of each node's strongly connected component, only for components that
    contain a cycle: several nodes, or one with a loop to itself. Tarjan's algorithm, with an
    explicit stack (no recursion limit), written here rather than taken from networkx: drawing
    to DOT would otherwise import networkx (a sixth of a second) for this alone."""
    # When every wire runs forward in declaration order, there is no cycle: the common case,
    # found without the walk (the costliest step of drawing a big acyclic proposal).
    if all(order.get(w.src.node, _NEVER) < order.get(w.dst.node, -1) for w in wires):
        return {}
    heads: dict[str, list[str]] = {}
    for wire in wires:
        heads.setdefault(wire.src.node, []).append(wire.dst.node)
        heads.setdefault(wire.dst.node, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: dict[str, int] = {}
    for root in heads:
        if root in index:
            continue
        work = [(root, iter(heads[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, todo = work[-1]
            head = next(todo, None)
            if head is not None:
                if head not in index:
                    index[head] = low[head] = len(index)
                    stack.append(head)
                    on_stack.add(head)
                    work.append((head, iter(heads[head])))
                elif head in on_stack:
                    low[node] = min(low[node], index[head])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = [stack.pop()]
                while members[-1] != node:
                    members.append(stack.pop())
                on_stack.difference_update(members)
                if len(members) > 1 or node in heads[node]:
                    for member in members:
                        result[member] = index[node]
    return result


# --------------------------------------------------------------------------------- bare diagrams

def bare_proposal(diagram: Diagram) -> Proposal:
    """A proposal around a diagram drawn on its own: its instances' ports are inferred from
    the wires (their declarations are not part of a Diagram)."""
    ports: dict[str, dict[str, Port]] = {}

    def add(instance: str | None, port: str, direction: str) -> None:
        if instance is None:
            return
        ports.setdefault(instance, {}).setdefault(
            port, Port(name=port, direction=direction, type=UnknownType(), written="?"))
    for wire in diagram.wires:
        add(wire.source.instance, wire.source.port, "out")
        add(wire.target.instance, wire.target.port, "in")
    for training in diagram.trainings:
        for ref in names_in(training.signal):
            if isinstance(ref, PortRef):
                add(ref.instance, ref.port, "out")
    components: dict[str, Component] = {}
    instances = []
    for instance in diagram.instances:
        name = f"{instance.of} "  # cannot clash with a declared name
        found = ports.get(instance.name, {})
        components[name + instance.name] = Component(
            name=instance.of, attributes=instance.attributes or Attributes(kind="system"),
            ports=[found[p] for p in found if found[p].direction == "in"] +
                  [found[p] for p in found if found[p].direction == "out"])
        instances.append(instance.model_copy(update={"of": name + instance.name,
                                                     "of_diagram": False}))
    drawn = diagram.model_copy(update={"instances": instances})
    return Proposal(file="<diagram>", components=components, diagrams={diagram.name: drawn})
