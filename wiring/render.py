"""Rendering: a checked proposal as Graphviz DOT text, and DOT as SVG, PNG or PDF.

`to_dot` is a pure function of the model: the same proposal and options give byte-identical
text. Everything that comes from a user's file (names, titles, notes, citations, provenance) goes
through `_html` or `_quote`, so no text can break the DOT or its HTML-like labels.

What a picture shows:

- a box per instance: an HTML table whose header names the instance, its component and kind,
  and whose port cells carry the wires (inputs on the left, outputs on the right, or top and
  bottom with `direction="TB"`); the kind family sets the header colour (Okabe-Ito palette) and
  the «kind» tag, the border says trust and learning (double: human, dashed: learned, bold:
  trusted or formal, dotted: environment), rounded corners mark learned-model families;
- nested diagrams as clusters with their own outer ports, inputs at the frame's left edge and
  outputs at its right, as for the diagram drawn (`depth` limits the expansion, deeper ones become single boxes;
  `flatten` dissolves the clusters and joins the wires);
- copies as several wires leaving one port; feedback (delayed wires, and wires that close a
  cycle and run against the declaration order) dashed and blue; training as an optimiser node
  fed by thin vermilion signal wires and updating its target's parameters through a double
  vermilion wire with a hollow arrowhead (Para: parameters enter from above, at the header's
  corner facing the optimiser);
- below the frame, like a figure caption: the proposal's title, the diagram and mode, the
  citations, and a legend of what the picture uses (Graphviz keeps the graph's own label
  clear of boxes and wires);
- with `highlight`, the findings of the analyses on their witness paths: boxes, optimisers and
  ports in a thick magenta frame with ⚠ and the finding codes, the wires between them thick,
  magenta and dashed, and the findings listed in the caption (see `_Highlighter`).

Nesting is walked with explicit stacks, never by recursion, so any depth can be drawn; without
`depth`, expansion stops at AUTO_DEPTH levels (the caption says so), since Graphviz cannot lay
out hundreds of nested frames.

`render` runs Graphviz `dot` (raising `DotNotFound` with install instructions when it is
missing); `check` never needs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import structure
from .model import Component, Diagram, Instance, Port, PortRef, Proposal, Training
from .structure import active, kind_chain
from .types import names_in, show_expr, show_type

FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "dot")
DIRECTIONS: tuple[str, ...] = ("LR", "TB")
EXIT_NO_DOT = 3          # `wiring render`: Graphviz `dot` missing; the .dot file was written
EXIT_DOT_FAILED = 4      # `wiring render`: `dot` ran and failed
DEFAULT_PNG_DPI = 192
# Without `depth`, nested diagrams are expanded this many levels at most (deeper ones are drawn
# as boxes, and the caption says so): Graphviz cannot lay out hundreds of nested frames.
AUTO_DEPTH = 16

INSTALL_HINT = """\
Install Graphviz, which provides `dot`:
  Debian/Ubuntu  sudo apt-get install graphviz
  Fedora         sudo dnf install graphviz
  macOS          brew install graphviz
  Windows        winget install graphviz
  conda          conda install -c conda-forge graphviz
  elsewhere      https://graphviz.org/download/
then check with `dot -V` (or `wiring doctor`); set WIRING_DOT=/path/to/dot if it is not on PATH."""


# ------------------------------------------------------------------------------------- errors

class RenderError(Exception):
    """A problem with what was asked of the renderer (unknown diagram or mode, bad option)."""


class DotNotFound(RenderError):
    """Graphviz `dot` is not on PATH; the message says how to install it."""

    def __init__(self, message: str = ""):
        super().__init__(message or "Graphviz `dot` was not found on PATH.\n" + INSTALL_HINT)


class DotFailed(RenderError):
    """`dot` ran and failed (or timed out); the message carries its error output."""


# ------------------------------------------------------------------------------------- escaping

# Graphviz reads a backslash pair in an HTML label as one backslash (after decoding
# character references), so each backslash is doubled.
_HTML = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
         ord("'"): "&#39;", ord("]"): "&#93;", ord("\\"): "\\\\"}
_HTML.update({c: " " for c in range(32)})
_HTML.update({c: " " for c in range(0x7F, 0xA0)})
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _ascii(text: str) -> str:
    """Non-ASCII characters as numeric character references: the DOT text is pure ASCII."""
    if text.isascii():
        return text
    text = _SURROGATE.sub("\ufffd", text)
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _html(text: str) -> str:
    """One line of user text inside an HTML-like label: markup characters become entities and
    control characters (newlines included) spaces."""
    return _ascii(str(text).translate(_HTML))


def _html_lines(text: str, width: int = 0, align: str = "") -> str:
    """Several lines of user text, wrapped at `width` characters, joined with <BR/>."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        if width and len(paragraph) > width:
            lines += textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]
        else:
            lines.append(paragraph)
    br = f'<BR ALIGN="{align}"/>' if align else "<BR/>"
    return br.join(_html(line) for line in lines) + (br if align and len(lines) > 0 else "")


_QUOTE = {ord("\\"): "\\\\", ord('"'): '\\"', ord("&"): "&amp;", ord("\n"): "\\n"}
_QUOTE.update({c: " " for c in range(32) if c != 10})
_QUOTE.update({c: " " for c in range(0x7F, 0xA0)})


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _quote(text: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and `&` escaped, pure ASCII. Characters
    beyond the Basic Multilingual Plane become U+FFFD: Graphviz 2.43 writes their character
    references in plain strings as invalid UTF-8 (they are kept in HTML labels)."""
    text = _ASTRAL.sub("\ufffd", str(text).translate(_QUOTE))
    return '"' + _ascii(text) + '"'


_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def _ident(name: str) -> str:
    """An injective, DOT-safe spelling of one name: identifiers as they are, anything else as
    `_` and the hex of its UTF-8 bytes (no kept name starts with `_`)."""
    if _PLAIN_NAME.match(name):
        return name
    return "_" + name.encode("utf-8", "surrogatepass").hex()


# --------------------------------------------------------------------------------------- styles

@dataclass(frozen=True)
class Family:
    key: str
    label: str
    roots: tuple[str, ...]
    colour: str
    rounded: bool


# Okabe-Ito colours; the header's lightness differs between neighbours, the «kind» tag and the
# border carry the rest, so the picture survives greyscale and colour blindness. Vermilion
# (#D55E00) is reserved for training, blue dashes for feedback.
FAMILIES: tuple[Family, ...] = (
    Family("human", "human, rater", ("human",), "#E69F00", False),
    Family("agent", "policy, agent", ("agent",), "#0072B2", True),
    Family("overseer", "monitor, overseer", ("monitor", "overseer"), "#F0E442", True),
    Family("verifier", "verifier, spec", ("verifier", "spec"), "#009E73", False),
    Family("evaluator", "reward model, judge", ("evaluator",), "#CC79A7", True),
    Family("gate", "gate, filter", ("gate",), "#222222", False),
    Family("model", "simulator, world model", ("model",), "#56B4E9", True),
    Family("environment", "environment", ("environment",), "#8C8C8C", False),
    Family("data", "dataset, source", ("dataset", "source"), "#D0D0D0", False),
    Family("system", "nested diagram", ("system",), "#FFFFFF", False),
    Family("other", "other kinds", (), "#FFFFFF", False),
)
_BY_ROOT = {root: f for f in FAMILIES for root in f.roots}
_FAMILY = {f.key: f for f in FAMILIES}

TRAINING_COLOUR = "#D55E00"
FEEDBACK_COLOUR = "#0072B2"
INK = "#1A1A1A"
FONT = "Helvetica,Arial,sans-serif"


def _tint(colour: str, amount: float = 0.22) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def _dark(colour: str) -> bool:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5


def family_of(kind: str, kinds: Mapping) -> Family:
    """The style family of a kind: the first kind on its parent chain that roots a family.
    Kinds not in `kinds` take their parent from the prelude's tree (a bare Diagram, or a model
    read from JSON, may lack the prelude's declarations)."""
    for name in kind_chain(ChainMap(kinds, _PRELUDE_PARENTS), kind):
        if name in _BY_ROOT:
            return _BY_ROOT[name]
    return _FAMILY["other"]


# The prelude's kind tree, for diagrams drawn without their proposal (a bare Diagram).
_PRELUDE_PARENTS = {
    "policy": "agent", "debater": "agent", "adversary": "agent", "reward_model": "evaluator",
    "preference_model": "reward_model", "judge": "evaluator", "critic": "evaluator",
    "monitor": "evaluator", "overseer": "evaluator", "auditor": "overseer",
    "verifier": "evaluator", "spec": "evaluator", "filter": "gate", "editor": "gate",
    "sanitizer": "gate", "router": "gate", "shutdown": "gate", "timeout": "gate",
    "simulator": "model", "world_model": "model", "rater": "human", "sink": "environment",
}


def _border(attributes, family: Family) -> str:
    """The border style of a box: double, dashed, bold, dotted or solid."""
    if attributes is None:
        return "solid"
    if attributes.trust == "human" or family.key == "human":
        return "double"
    if attributes.learned:
        return "dashed"
    if attributes.trust in ("trusted", "formal"):
        return "bold"
    if attributes.trust == "environment" or family.key == "environment":
        return "dotted"
    return "solid"


BORDERS = {"double": "human (double border)", "dashed": "learned (dashed border)",
           "bold": "trusted or formal (bold border)", "dotted": "environment (dotted border)",
           "solid": "untrusted, not learned"}


# ------------------------------------------------------------------------------ the graph model

@dataclass
class _Ref:
    """One end of an edge: a node, and optionally a port cell of it."""

    node: str
    port: str | None = None
    kind: str = "cell"          # "cell" (a port of a box), "pin", "header", "opt",
                                # or "cluster:ID" (the anchor of an expanded diagram)

    def key(self) -> tuple:
        return (self.node, self.port)


@dataclass
class _Edge:
    src: _Ref
    dst: _Ref
    style: str                  # data, signal, update
    delayed: bool = False
    feedback: bool = False
    backward: bool = False      # drawn against the ranking (dir=back)
    type_text: str = ""
    tooltip: str = ""
    container: str = ""         # the cluster whose diagram declared it
    lhead: str = ""
    emphasis: bool = False      # on the witness of a highlighted finding


@dataclass
class _Box:
    id: str
    instance: Instance
    box_name: str
    ins: list[tuple[str, Port]]
    outs: list[tuple[str, Port]]
    family: Family
    border: str
    is_diagram: bool
    modes_note: str
    inner_trainings: int
    tooltip: str
    label: str = ""              # the name shown: the instance's, or its path when flattened


@dataclass
class _Pin:
    id: str
    port: Port
    outer: bool                  # a port of the top diagram (else of an expanded cluster)


@dataclass
class _Optimiser:
    id: str
    training: Training
    target_label: str


@dataclass
class _Cluster:
    id: str
    label: str                   # HTML
    style: str
    colour: str
    fill: str
    items: list = field(default_factory=list)   # _Box, _Pin, _Optimiser, _Cluster
    frame: bool = False
    tooltip: str = ""


class _Builder:
    def __init__(self, proposal: Proposal, mode: str | None, depth: int | None, flatten: bool,
                 direction: str, show_types: bool):
        self.proposal = proposal
        self.mode = mode
        self.depth = depth
        self.flatten = flatten
        self.direction = direction
        self.show_types = show_types
        self.edges: list[_Edge] = []
        self.junctions: set[str] = set()     # pins of flattened diagrams, contracted later
        self.families: set[str] = set()
        self.borders: set[str] = set()
        self.port_types: dict[tuple, str] = {}
        self.mode_seen = False
        self.order: dict[str, int] = {}      # node -> declaration order, for feedback
        self.auto_limited = False            # nesting deeper than AUTO_DEPTH was collapsed
        # what was drawn, for highlighting: instance path -> box or cluster id, and every
        # optimiser as (diagram path, node id, training)
        self.drawn: dict[tuple[str, ...], str] = {}
        self.optimisers: list[tuple[tuple[str, ...], str, Training]] = []
        self.outer_pins: set[str] = set()
        self.inner_pins: set[str] = set()    # pins of expanded (framed) nested diagrams
        self.emphasis: dict[str, list[str]] = {}     # node or cluster id -> finding codes

    def place(self, node: str) -> None:
        self.order.setdefault(node, len(self.order))

    # naming ---------------------------------------------------------------------------------
    @staticmethod
    def path_id(prefix: tuple[str, ...], *parts: str) -> str:
        return "/".join([_ident(p) for p in prefix] + list(parts))

    def active(self, modes: list[str] | None, diagram: Diagram) -> bool:
        """Whether something restricted to `modes` is drawn: a nested diagram that does not
        know the drawn mode shows everything."""
        return active(modes, self.mode if self.mode in diagram.modes else None)

    def ports(self, ports: list[Port], diagram: Diagram) -> list[tuple[int, Port]]:
        return [(i, p) for i, p in enumerate(ports) if self.active(p.modes, diagram)]

    # building -------------------------------------------------------------------------------
    def build(self, diagram: Diagram, prefix: tuple[str, ...], container: _Cluster,
              depth_left: int | None, stack: tuple[str, ...]) -> dict[str, _Ref]:
        """Draw `diagram` into `container`; return its outer ports as edge ends.

        Nested diagrams are drawn with an explicit stack, not by recursion, so that nesting
        depth is bounded by memory, not by Python's recursion limit: each level is a generator
        (`_build_level`) that yields the nested diagram it needs drawn and is sent back that
        diagram's outer ports."""
        levels = [self._build_level(diagram, prefix, container, depth_left, stack)]
        value: dict[str, _Ref] | None = None
        while True:
            try:
                request = levels[-1].send(value)
            except StopIteration as done:
                levels.pop()
                value = done.value
                if not levels:
                    return value
                continue
            levels.append(self._build_level(*request))
            value = None

    def _build_level(self, diagram: Diagram, prefix: tuple[str, ...], container: _Cluster,
                     depth_left: int | None, stack: tuple[str, ...]):
        """One level of `build`: yields (diagram, prefix, container, depth_left, stack) for each
        nested diagram to expand, receives its outer ports, and returns its own."""
        if self.mode is not None and self.mode in diagram.modes:
            self.mode_seen = True
        pins: dict[str, _Ref] = {}
        for index, port in self.ports(diagram.ports, diagram):
            pin_id = self.path_id(prefix, "@" + ("in" if port.direction == "in" else "out"),
                                  _ident(port.name))
            ref = _Ref(pin_id, None, "pin")
            pins[port.name] = ref
            self.port_types[ref.key()] = show_type(port.type)
            if port.direction == "in":
                self.place(pin_id)
            if self.flatten and prefix:
                self.junctions.add(pin_id)
            else:
                container.items.append(_Pin(pin_id, port, outer=not prefix))
                (self.inner_pins if prefix else self.outer_pins).add(pin_id)

        ends: dict[str, dict[str, _Ref]] = {}   # instance -> port -> ref
        headers: dict[str, _Ref] = {}
        for instance in diagram.instances:
            if not self.active(instance.modes, diagram):
                continue
            box_id = self.path_id(prefix + (instance.name,))
            inner = self.proposal.diagrams.get(instance.of) if instance.of_diagram else None
            expand = (inner is not None and instance.of not in stack
                      and (depth_left is None or depth_left > 0))
            if expand and depth_left is None and len(prefix) >= AUTO_DEPTH:
                expand = False
                self.auto_limited = True
            path = prefix + (instance.name,)
            if expand:
                assert inner is not None
                sub = container
                if not self.flatten:
                    sub = self.cluster_for(instance, inner, box_id)
                    container.items.append(sub)
                    self.drawn[path] = sub.id
                inner_pins = yield (inner, path, sub,
                                    None if depth_left is None else depth_left - 1,
                                    stack + (instance.of,))
                ends[instance.name] = inner_pins
                anchor = next(iter(inner_pins.values()), None)
                if anchor is not None and not self.flatten:
                    headers[instance.name] = _Ref(anchor.node, None, "cluster:" + sub.id)
                continue
            box = self.box_for(instance, box_id, diagram)
            box.label = ".".join(path) if self.flatten else instance.name
            self.drawn[path] = box_id
            self.place(box_id)
            container.items.append(box)
            refs: dict[str, _Ref] = {}
            for cell, port in box.ins + box.outs:
                ref = _Ref(box_id, cell, "cell")
                refs[port.name] = ref
                self.port_types[ref.key()] = show_type(port.type)
            ends[instance.name] = refs
            headers[instance.name] = _Ref(box_id, "h", "header")

        for ref in pins.values():
            self.place(ref.node)

        def resolve(instance: str | None, port: str) -> _Ref | None:
            if instance is None:
                return pins.get(port)
            return ends.get(instance, {}).get(port)

        for wire in diagram.wires:
            if not self.active(wire.modes, diagram):
                continue
            src = resolve(wire.source.instance, wire.source.port)
            dst = resolve(wire.target.instance, wire.target.port)
            if src is None or dst is None:
                continue
            where = "/".join(prefix) + ": " if prefix else ""
            tooltip = f"{where}{wire.source} -> {wire.target}"
            type_text = self.port_types.get(src.key(), "")
            if type_text:
                tooltip += f" : {type_text}"
            if wire.delayed:
                tooltip += " (delayed)"
            for note in wire.notes:
                tooltip += "\n" + note
            self.edges.append(_Edge(src, dst, "data", delayed=wire.delayed, type_text=type_text,
                                    tooltip=tooltip, container=container.id))

        for number, training in enumerate(diagram.trainings):
            if not self.active(training.modes, diagram):
                continue
            target = headers.get(training.target)
            opt_id = self.path_id(prefix, f"@train{number}")
            container.items.append(_Optimiser(opt_id, training, training.target))
            self.optimisers.append((prefix, opt_id, training))
            opt = _Ref(opt_id, None, "opt")
            seen: set[tuple] = set()
            for ref in names_in(training.signal):
                if isinstance(ref, PortRef):
                    src = resolve(ref.instance, ref.port)
                else:
                    src = headers.get(ref.name)
                if src is None or src.key() in seen:
                    continue
                seen.add(src.key())
                self.edges.append(_Edge(src, opt, "signal",
                                        type_text=self.port_types.get(src.key(), ""),
                                        tooltip=f"signal of `train {training.target}`",
                                        container=container.id))
            if target is not None:
                edge = _Edge(opt, target, "update",
                             tooltip=f"{training.optimiser} updates the parameters of "
                                     f"{training.target}", container=container.id)
                if target.kind.startswith("cluster:"):
                    edge.lhead = target.kind.split(":", 1)[1]
                self.edges.append(edge)
        return pins

    def cluster_for(self, instance: Instance, inner: Diagram, box_id: str) -> _Cluster:
        attributes = instance.attributes
        family = family_of(attributes.kind, self.proposal.kinds)
        border = _border(attributes, family)
        self.families.add(family.key)
        self.borders.add(border)
        style = {"double": "rounded,bold", "dashed": "rounded,dashed", "bold": "rounded,bold",
                 "dotted": "rounded,dotted"}.get(border, "rounded")
        tags = _html(_tags(instance, family, self.proposal))
        label = (f'<B>{_html(instance.name)}</B> : {_html(inner.name)}<BR ALIGN="LEFT"/>'
                 f'<FONT POINT-SIZE="9">{tags}</FONT><BR ALIGN="LEFT"/>')
        colour = INK if family.key in ("system", "other") else family.colour
        cluster = _Cluster("cluster_" + box_id, label, style, colour,
                           _tint(family.colour, 0.10) if family.key not in ("system", "other")
                           else "#FAFAFA",
                           tooltip="\n".join([f"{instance.name} : {inner.name}"] +
                                             instance.notes + inner.notes))
        return cluster

    def box_for(self, instance: Instance, box_id: str, diagram: Diagram) -> _Box:
        box = self.proposal.box(instance.of)
        ports = box.ports if box is not None else []
        active = self.ports(ports, diagram)
        ins = [(f"i{i}", p) for i, p in active if p.direction == "in"]
        outs = [(f"o{i}", p) for i, p in active if p.direction == "out"]
        attributes = instance.attributes
        family = family_of(attributes.kind, self.proposal.kinds)
        border = _border(attributes, family)
        self.families.add(family.key)
        self.borders.add(border)
        modes_note = ""
        if self.mode is None and instance.modes is not None and diagram.modes \
                and sorted(instance.modes) != sorted(diagram.modes):
            modes_note = "only in " + ", ".join(instance.modes)
        inner_trainings = len(box.trainings) if isinstance(box, Diagram) else 0
        tooltip = [f"{instance.name} : {instance.of} ({attributes.kind})"]
        if attributes.provenance:
            tooltip.append(f"provenance: {attributes.provenance}")
        tooltip += list(instance.notes) + (list(box.notes) if box is not None else [])
        return _Box(box_id, instance, box.name if box is not None else instance.of, ins, outs,
                    family, border, isinstance(box, Diagram), modes_note, inner_trainings,
                    "\n".join(tooltip))

    # post-processing ------------------------------------------------------------------------
    def contract_junctions(self) -> None:
        """Join the wires through the outer ports of flattened diagrams: each wire into such a
        port is composed with each wire out of it (ports of nested flattened diagrams chain)."""
        if not self.junctions:
            return
        every: dict[int, _Edge] = dict(enumerate(self.edges))   # by number, never shrinks
        alive: dict[int, _Edge] = dict(every)                     # in creation order
        into: dict[str, list[int]] = {}
        out_of: dict[str, list[int]] = {}

        def add(number: int, edge: _Edge) -> None:
            every[number] = alive[number] = edge
            into.setdefault(edge.dst.node, []).append(number)
            out_of.setdefault(edge.src.node, []).append(number)

        for number, edge in list(every.items()):
            add(number, edge)
        counter = len(every)
        for junction in sorted(self.junctions):
            incoming = [n for n in into.pop(junction, []) if n in alive]
            outgoing = [n for n in out_of.pop(junction, []) if n in alive]
            for n in incoming + outgoing:
                del alive[n]
            for i in incoming:
                first = every[i]
                for o in outgoing:
                    second = every[o]
                    add(counter, _Edge(first.src, second.dst, second.style,
                                       delayed=first.delayed or second.delayed,
                                       type_text=first.type_text or second.type_text,
                                       tooltip=first.tooltip + "\n" + second.tooltip,
                                       container=(second.container if second.style != "data"
                                                  else first.container),
                                       lhead=second.lhead))
                    counter += 1
        self.edges = list(alive.values())

    def deduplicate(self) -> None:
        seen: dict[tuple, _Edge] = {}
        for edge in self.edges:
            key = (edge.src.key(), edge.dst.key(), edge.style, edge.delayed)
            if key in seen:
                if edge.tooltip not in seen[key].tooltip:
                    seen[key].tooltip += "\n" + edge.tooltip
                continue
            seen[key] = edge
        self.edges = list(seen.values())

    def mark_feedback(self) -> None:
        """Delayed wires are feedback; so is a data wire that runs backwards in declaration
        order (outer inputs, then the instances, depth first, then outer outputs) between two
        boxes on a common cycle. Removing those leaves no cycle, so the rest ranks the layout
        the way the proposal was written, and each loop is drawn as a loop."""
        successors: dict[str, list[str]] = {}
        for edge in self.edges:
            if edge.style != "data":
                continue
            if edge.delayed:
                edge.feedback = True
                continue
            successors.setdefault(edge.src.node, []).append(edge.dst.node)
            successors.setdefault(edge.dst.node, [])
        component = _strongly_connected(successors)
        order = self.order
        for edge in self.edges:
            if edge.style != "data" or edge.delayed:
                continue
            a, b = edge.src.node, edge.dst.node
            if component.get(a) is not None and component.get(a) == component.get(b) \
                    and order.get(b, 0) <= order.get(a, 0):
                edge.feedback = edge.backward = True
        # A delayed wire on a loop is that loop's way back, whatever the declaration order.
        everything: dict[str, list[str]] = {}
        for edge in self.edges:
            if edge.style == "data":
                everything.setdefault(edge.src.node, []).append(edge.dst.node)
                everything.setdefault(edge.dst.node, [])
        loops = _strongly_connected(everything)
        for edge in self.edges:
            if edge.delayed and edge.style == "data":
                a, b = edge.src.node, edge.dst.node
                edge.backward = loops.get(a) is not None and loops.get(a) == loops.get(b)


def _strongly_connected(successors: dict[str, list[str]]) -> dict[str, int]:
    """The number of each node's strongly connected component (networkx), only for components
    that contain a cycle: several nodes, or one with a loop to itself."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(successors)
    graph.add_edges_from((a, b) for a, targets in successors.items() for b in targets)
    result: dict[str, int] = {}
    for number, members in enumerate(nx.strongly_connected_components(graph)):
        if len(members) > 1 or any(graph.has_edge(m, m) for m in members):
            for member in members:
                result[member] = number
    return result


# --------------------------------------------------------------------------------- highlighting

HIGHLIGHT_COLOUR = "#DC267F"     # magenta (IBM colour-blind-safe palette): not vermilion
_CODE = re.compile(r"[A-Z][0-9]{4}\Z")
_STEP = re.compile(r"@[0-9]+\Z")
_COPY = re.compile(r"#([0-9]+)\Z")
MARKER = "\u26a0"                # ⚠, before the codes of the findings a box is on


def highlight_codes(highlight) -> frozenset[str] | None:
    """The finding codes asked for: None for every finding (`True`, "all" or ""), else the
    codes of a comma-separated string or an iterable of strings. Raises RenderError for a
    string that is not a code (a letter and four digits)."""
    if highlight is True or highlight is None:
        return None
    if isinstance(highlight, str):
        if highlight.strip().lower() in ("", "all"):
            return None
        items = highlight.split(",")
    else:
        items = list(highlight)
    codes = {str(item).strip().upper() for item in items if str(item).strip()}
    bad = sorted(c for c in codes if not _CODE.match(c))
    if bad:
        raise RenderError(f"--highlight takes finding codes such as S0201 (comma-separated), "
                          f"not {', '.join(bad)}")
    return frozenset(codes) or None


@dataclass
class _Finding:
    code: str
    severity: str
    message: str
    acknowledged: str | None
    drawn: bool = False         # some node of its witness is on the picture
    skipped: bool = False       # acknowledged, and not asked for by its code: not drawn


class _Highlighter:
    """Lays the witnesses of an analysis' findings onto what a builder drew.

    A witness is a list of box paths (`policy`, `deployment.monitor`, `in:prompt`), labels of
    optimisation wires (`[ppo: maximise rm.score]`, `[sgd trains rm]`) and, for incentive
    findings, nodes of the diagram unrolled in time (`policy@0`, `Θ:rm@1`, `U:policy#2@1`).
    Each entry becomes the drawn nodes it stands for: a box path the innermost drawn box or
    frame that contains it (deeper nesting may be collapsed), a label the optimiser of that
    training (or, collapsed, the box that holds it), `Θ:X` (the parameters of X) and `U:X#k`
    (the reward of agent X, by training k) the optimiser that trains X; `@step` is dropped.
    Consecutive entries are joined by the drawn wires between their nodes (through the ports
    of framed nested diagrams); `...` breaks the path. An optimiser on a witness also has its
    update wire emphasised: the path closes there."""

    def __init__(self, builder: "_Builder", analysis):
        self.b = builder
        self.analysis = analysis
        self.successors: dict[str, dict[str, list[_Edge]]] = {}
        for edge in builder.edges:
            if edge.src.node != edge.dst.node:
                self.successors.setdefault(edge.src.node, {}).setdefault(
                    edge.dst.node, []).append(edge)

    # entries -> nodes -----------------------------------------------------------------------
    def box(self, path: str) -> list[str]:
        parts = tuple(path.split("."))
        for end in range(len(parts), 0, -1):
            found = self.b.drawn.get(parts[:end])
            if found is not None:
                return [found]
        return []

    def trainings(self, pressures) -> list[str]:
        nodes: list[str] = []
        for pressure in pressures:
            drawn = [opt for prefix, opt, training in self.b.optimisers
                     if ".".join(prefix) == pressure.diagram_path and training == pressure.training]
            for node in drawn or self.box(pressure.target):
                if node not in nodes:
                    nodes.append(node)
        return nodes

    def resolve(self, entry: str) -> list[str] | None:
        """The drawn nodes of one witness entry; None for a break in the path."""
        from .types import show_expr

        pressures = self.analysis.system.pressures
        entry = entry.strip()
        if entry == "..." or not entry:
            return None
        if entry.startswith("["):
            found = []
            for p in pressures:
                t = p.training
                verb = "maximise" if t.objective == "maximise" else "minimise"
                if entry in (f"[{t.optimiser}: {verb} {show_expr(t.signal)}]",
                             f"[{t.optimiser} trains {p.target}]"):
                    found.append(p)
            return self.trainings(found)
        if entry.startswith("("):
            return []
        entry = _STEP.sub("", entry)
        if entry.startswith(("\u0398:", "U:")):
            name = entry.split(":", 1)[1]
            copy = _COPY.search(name)
            if copy is not None:
                name = name[:copy.start()]
                index = int(copy.group(1))
                found = [pressures[index]] if index < len(pressures) else []
            else:
                found = [p for p in pressures if p.target == name]
            return self.trainings(found) or self.box(name)
        if entry.startswith(("in:", "out:")):
            direction, name = entry.split(":", 1)
            pin = _Builder.path_id((), "@" + direction, _ident(name))
            return [pin] if pin in self.b.outer_pins else []
        return self.box(entry)

    # wires ----------------------------------------------------------------------------------
    def route(self, a: str, b: str) -> list[_Edge]:
        """The drawn wires of a shortest path from node a to node b whose inner nodes are ports
        of framed nested diagrams (a wire between two boxes crosses their frames there)."""
        if a == b:
            return []
        before: dict[str, str] = {a: a}
        queue = [a]
        for node in queue:
            for nxt in self.successors.get(node, {}):
                if nxt in before or (nxt != b and nxt not in self.b.inner_pins):
                    continue
                before[nxt] = node
                if nxt == b:
                    edges: list[_Edge] = []
                    while nxt != a:
                        edges = self.successors[before[nxt]][nxt] + edges
                        nxt = before[nxt]
                    return edges
                queue.append(nxt)
        return []

    def lay(self, witness: list[str]) -> tuple[list[str], list[_Edge]]:
        """The nodes and wires one witness is drawn with."""
        runs: list[list[list[str]]] = [[]]
        for entry in witness:
            nodes = self.resolve(entry)
            if nodes is None:
                runs.append([])
            elif nodes:
                if runs[-1] and runs[-1][-1] == nodes:
                    continue
                runs[-1].append(nodes)
        chosen: list[str] = []
        wires: list[_Edge] = []
        for run in runs:
            # An entry that stands for several nodes keeps those joined to its neighbours.
            for i, nodes in enumerate(run):
                if len(nodes) < 2:
                    continue
                joined = [n for n in nodes
                          if (i > 0 and any(self.route(p, n) for p in run[i - 1])) or
                          (i + 1 < len(run) and any(self.route(n, q) for q in run[i + 1]))]
                run[i] = joined or nodes
            for i, nodes in enumerate(run):
                chosen += [n for n in nodes if n not in chosen]
                if i + 1 < len(run):
                    for a in nodes:
                        for b in run[i + 1]:
                            wires += self.route(a, b)
        optimisers = {opt for _, opt, _ in self.b.optimisers} & set(chosen)
        wires += [e for e in self.b.edges if e.style == "update" and e.src.node in optimisers]
        return chosen, wires

    def apply(self, codes: frozenset[str] | None) -> list[_Finding]:
        """Emphasise the witnesses of the findings asked for (every unacknowledged finding, or
        those with the given codes, acknowledged or not); the findings, for the caption."""
        out: list[_Finding] = []
        for finding in self.analysis.findings:
            if codes is not None and finding.code not in codes:
                continue
            row = _Finding(finding.code, finding.severity, finding.message,
                           finding.acknowledged)
            out.append(row)
            if finding.acknowledged is not None and codes is None:
                row.skipped = True
                continue
            nodes, wires = self.lay(list(finding.witness))
            for node in nodes:
                marks = self.b.emphasis.setdefault(node, [])
                if finding.code not in marks:
                    marks.append(finding.code)
            for edge in wires:
                edge.emphasis = True
            row.drawn = bool(nodes)
        return out


def _html_text(markup: str) -> str:
    """The characters an HTML-like label shows (tags dropped, entities one character)."""
    return re.sub(r"&[#a-zA-Z0-9]+;", "x", re.sub(r"<[^>]*>", "", markup))


def _emphasised(label: str, codes: list[str], rounded: bool, direction: str) -> str:
    """A node's HTML label inside a thick magenta frame, with the codes of its findings (the
    frame's width and the ⚠ codes survive greyscale). The codes go where no wire ends: below
    the box left to right (parameter updates enter from above), beside it top to bottom."""
    style = ' STYLE="rounded"' if rounded else ""
    per_line = 3 if direction == "LR" else 1
    lines = [" ".join(codes[i:i + per_line]) for i in range(0, len(codes), per_line)]
    text = (f'<FONT POINT-SIZE="{_FONT_SMALL}" COLOR="{HIGHLIGHT_COLOUR}"><B>{MARKER} '
            + "<BR/>".join(_html(line) for line in lines) + "</B></FONT>")
    if direction == "LR":
        body = (f'<TR><TD>{label}</TD></TR>'
                f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{text}</TD></TR>')
    else:
        body = f'<TR><TD>{label}</TD><TD VALIGN="TOP" BALIGN="LEFT">{text}</TD></TR>'
    return (f'<TABLE BORDER="3" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
            f'COLOR="{HIGHLIGHT_COLOUR}" BGCOLOR="#FFFFFF"{style}>{body}</TABLE>')


def _tags(instance: Instance, family: Family, proposal: Proposal) -> str:
    a = instance.attributes
    tags = ["\u00ab" + a.kind + "\u00bb"]
    if instance.snapshot_of:
        tags.append(f"frozen copy of {instance.snapshot_of}")
    elif instance.frozen:
        tags.append("frozen")
    if a.learned:
        tags.append("learned")
    if a.trust not in ("untrusted", "human", "environment") or \
            (a.trust == "untrusted" and (a.learned or family.key in ("agent", "model"))):
        tags.append(a.trust)
    elif a.trust == "human" and family.key != "human":
        tags.append("human")
    if a.stateful:
        tags.append("stateful")
    if a.heldout:
        tags.append("held out")
    return " \u00b7 ".join(tags)


# ------------------------------------------------------------------------------------ emission

_FONT_SMALL = 9
_FONT_PORT = 10
# The space inside the diagram's frame around its boxes. Graphviz keeps nodes, not wires,
# inside a cluster: a wire that loops round the outermost boxes (feedback, a parameter
# update, a wire skipping ranks) needs room to stay within the frame.
FRAME_MARGIN = 36


def _box_label(box: _Box, direction: str, proposal: Proposal, show_types: bool) -> str:
    fam = box.family
    header_fill = fam.colour
    ink = "#FFFFFF" if _dark(header_fill) else INK
    body_fill = _tint(fam.colour, 0.12) if fam.key not in ("system", "other") else "#FFFFFF"
    if fam.key in ("system", "other"):
        header_fill, ink = "#FFFFFF", INK
    name = f'<B>{_html(box.label or box.instance.name)}</B>'
    title = (f'<FONT COLOR="{ink}">{name} : {_html(box.box_name)}</FONT>' if box.box_name
             else f'<FONT COLOR="{ink}">{name}</FONT>')
    tags = _tags(box.instance, fam, proposal)
    if box.is_diagram:
        tags += " \u00b7 diagram" + (f" \u00b7 {box.inner_trainings} training inside"
                                    if box.inner_trainings else "")
    sub = f'<FONT COLOR="{ink}" POINT-SIZE="{_FONT_SMALL}">{_html(tags)}</FONT>'
    extra = []
    if box.modes_note:
        extra.append(f'<FONT POINT-SIZE="{_FONT_SMALL}"><I>{_html(box.modes_note)}</I></FONT>')
    for note in box.instance.notes:
        extra.append(f'<FONT POINT-SIZE="{_FONT_SMALL}"><I>{_html_lines(note, 36)}</I></FONT>')

    def port_text(port: Port, align: str = "") -> str:
        text = _html(port.name)
        if port.merge:
            text += f' <FONT POINT-SIZE="{_FONT_SMALL}">({_html(port.merge)})</FONT>'
        if show_types:
            # the type of every wire, where it starts (and what each input accepts)
            br = f'<BR ALIGN="{align}"/>' if align else "<BR/>"
            text += (f'{br}<FONT POINT-SIZE="{_FONT_SMALL - 1}" COLOR="#555555">'
                     f'{_html(show_type(port.type))}</FONT>{br if align else ""}')
        return text

    cell = 'BORDER="1" COLOR="#6E6E6E" BGCOLOR="#FFFFFF" CELLPADDING="2"'
    rows: list[str] = []
    round_header = ' STYLE="rounded"' if fam.rounded else ""
    def header(span: int) -> str:
        return (f'<TD PORT="h" BGCOLOR="{header_fill}"{round_header} CELLPADDING="4" '
                f'COLSPAN="{span}">{title}<BR/>{sub}</TD>')
    if direction == "LR":
        rows.append("<TR>" + header(2) + "</TR>")
        for line in extra:
            rows.append(f'<TR><TD COLSPAN="2" CELLPADDING="1">{line}</TD></TR>')
        count = max(len(box.ins), len(box.outs))

        def column(ports, row, align):
            if row < len(ports):
                return (f'<TD PORT="{ports[row][0]}" ALIGN="{align}" {cell}>'
                        f'{port_text(ports[row][1], align)}</TD>')
            if row == len(ports):
                return f'<TD ROWSPAN="{count - row}"></TD>'
            return ""
        for row in range(count):
            rows.append(f"<TR>{column(box.ins, row, 'LEFT')}{column(box.outs, row, 'RIGHT')}"
                        "</TR>")
        body = "".join(rows)
    else:
        def strip(ports):
            if not ports:
                return ""
            cells = "".join(f'<TD PORT="{pid}" {cell}>{port_text(p)}</TD>' for pid, p in ports)
            return ('<TR><TD CELLPADDING="0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4">'
                    f'<TR>{cells}</TR></TABLE></TD></TR>')
        rows.append(strip(box.ins))
        rows.append("<TR>" + header(1) + "</TR>")
        for line in extra:
            rows.append(f'<TR><TD CELLPADDING="1">{line}</TD></TR>')
        rows.append(strip(box.outs))
        body = "".join(rows)
    return _table(body, box.border, fam.rounded, body_fill)


def _table(body: str, border: str, rounded: bool, fill: str) -> str:
    style = []
    if rounded:
        style.append("rounded")
    width = "1"
    if border == "dashed":
        style.append("dashed")
    elif border == "dotted":
        style.append("dotted")
        width = "2"
    elif border == "bold":
        width = "2"
    attrs = (f'BORDER="{width}" CELLBORDER="0" CELLSPACING="{0 if not rounded else 2}" '
             f'CELLPADDING="3" COLOR="{INK}" BGCOLOR="{fill}"')
    if style:
        attrs += f' STYLE="{",".join(style)}"'
    inner = f"<TABLE {attrs}>{body}</TABLE>"
    if border == "double":
        outer_style = ' STYLE="rounded"' if rounded else ""
        return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
                f'COLOR="{INK}" BGCOLOR="#FFFFFF"{outer_style}><TR><TD>{inner}</TD></TR></TABLE>')
    return inner


def _optimiser_label(opt: _Optimiser) -> str:
    t = opt.training
    how = t.optimiser
    if t.argument is not None:
        how += f"({show_expr(t.argument)})"
    signal = show_expr(t.signal)
    notes = "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{_FONT_SMALL}"><I>'
                    f'{_html_lines(n, 40)}</I></FONT></TD></TR>' for n in t.notes)
    return (f'<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="rounded" '
            f'COLOR="{TRAINING_COLOUR}" BGCOLOR="{_tint(TRAINING_COLOUR, 0.12)}">'
            f'<TR><TD><FONT COLOR="{TRAINING_COLOUR}"><B>train {_html(opt.target_label)}</B>'
            f'</FONT> by <B>{_html(how)}</B> <FONT POINT-SIZE="{_FONT_SMALL}">({_html(t.family)})'
            f'</FONT></TD></TR>'
            f'<TR><TD><FONT POINT-SIZE="{_FONT_PORT}">{_html(t.objective)} '
            f'{_html_lines(signal, 44)}</FONT></TD></TR>{notes}</TABLE>')


def _pin_label(pin: _Pin, show_types: bool, direction: str) -> str:
    arrow = "\u25b6" if direction == "LR" else "\u25bc"    # the way data flows
    text = _html(pin.port.name)
    if show_types:
        text += (f'<BR/><FONT POINT-SIZE="{_FONT_SMALL - 1}" COLOR="#555555">'
                 f'{_html(show_type(pin.port.type))}</FONT>')
    if pin.port.direction == "in":
        text = f"{text} {arrow}"
    else:
        text = f"{arrow} {text}"
    return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="{INK}" '
            f'BGCOLOR="#FFFFFF"><TR><TD>{text}</TD></TR></TABLE>')


def _port_anchor(ref: _Ref, outgoing: bool, direction: str) -> str:
    """Where a wire ends: a port cell on its outer side (outputs east, inputs west; south and
    north top to bottom), feedback included, so that every wire meets its port where the
    reader looks for it; a parameter update at the corner of the header that faces the
    optimiser (north-east; north-west top to bottom). A corner, not the middle of the top
    edge: from there the double line need not climb over the boxes between target and
    optimiser, which drove it out of the diagram's frame."""
    node = _quote(ref.node)
    if ref.kind == "cell":
        side = ("e" if outgoing else "w") if direction == "LR" else ("s" if outgoing else "n")
        return f"{node}:{_quote(ref.port)}:{side}"
    if ref.kind == "header":
        return f"{node}:h:{'ne' if direction == 'LR' else 'nw'}" if not outgoing else f"{node}:h"
    if ref.kind == "pin":
        side = ("e" if outgoing else "w") if direction == "LR" else ("s" if outgoing else "n")
        return f"{node}:{side}"
    return node


class _Emitter:
    def __init__(self, builder: _Builder, proposal: Proposal, frame_label: str,
                 direction: str, show_types: bool, legend: bool, title: bool):
        self.b = builder
        self.proposal = proposal
        self.frame_label = frame_label
        self.direction = direction
        self.show_types = show_types
        self.legend = legend
        self.title = title
        self.out: list[str] = []
        self.findings: list[_Finding] | None = None     # None: not highlighting
        self.missing: list[str] = []                    # codes asked for, not found

    def line(self, depth: int, text: str) -> None:
        self.out.append("  " * depth + text)

    def emit(self, root: _Cluster) -> str:
        rankdir = "LR" if self.direction == "LR" else "TB"
        self.out.append("digraph wiring {")
        self.line(1, f'graph [rankdir={rankdir}, fontname="{FONT}", fontsize=11, '
                  'newrank=true, compound=true, nodesep=0.25, ranksep=0.45, pad=0.2, '
                  'splines=spline, outputorder=nodesfirst, '
                  f'labelloc=b, labeljust=l, bgcolor="#FFFFFF"];')
        self.line(1, f'node [shape=plain, fontname="{FONT}", fontsize={_FONT_PORT + 1}, '
                  f'color="{INK}", fontcolor="{INK}"];')
        self.line(1, f'edge [fontname="{FONT}", fontsize={_FONT_SMALL}, color="{INK}", '
                  'arrowsize=0.7, penwidth=1.1];')
        # Title, sources and legend form the graph's label, below the picture like a figure
        # caption: Graphviz keeps the root label clear of nodes and edges (a cluster's label
        # is kept clear of nodes only).
        caption = self.caption()
        if caption:
            self.line(1, f"label=<{caption}>;")
        self.by_container: dict[str, list[_Edge]] = {}
        for edge in self.b.edges:
            self.by_container.setdefault(edge.container, []).append(edge)
        self.cluster(root, 1)
        for edges in self.by_container.values():     # none, unless a container was lost
            for edge in edges:
                self.line(1, self.edge(edge))
        self.out.append("}")
        return _ascii("\n".join(self.out) + "\n")

    # nodes ----------------------------------------------------------------------------------
    def cluster(self, cluster: _Cluster, depth: int) -> None:
        """Write a cluster and everything in it; nested clusters through an explicit stack of
        generators (`_cluster_lines` yields each nested cluster it needs written), so that
        nesting depth is not bounded by Python's recursion limit."""
        stack = [self._cluster_lines(cluster, depth)]
        while stack:
            try:
                nested, nested_depth = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            stack.append(self._cluster_lines(nested, nested_depth))

    def _cluster_lines(self, cluster: _Cluster, depth: int):
        self.line(depth, f"subgraph {_quote(cluster.id)} {{")
        inner = depth + 1
        label = f"<{cluster.label}>" if cluster.label else '""'
        colour, width = cluster.colour, 2 if cluster.frame else 1.4
        codes = self.b.emphasis.get(cluster.id)
        if codes:
            colour, width = HIGHLIGHT_COLOUR, 3
            label = (f'<<FONT POINT-SIZE="{_FONT_SMALL}" COLOR="{HIGHLIGHT_COLOUR}"><B>{MARKER} '
                     f'{_html(" ".join(codes))}</B></FONT><BR ALIGN="LEFT"/>{cluster.label}>')
        self.line(inner, f'graph [label={label}, style="{cluster.style}", '
                  f'color="{colour}", bgcolor="{cluster.fill}", '
                  f'labeljust=l, labelloc=t, margin={FRAME_MARGIN if cluster.frame else 12}, '
                  f'penwidth={width}, '
                  f'tooltip={_quote(self.tip(cluster.id, cluster.tooltip or " "))}];')
        ins = [i for i in cluster.items if isinstance(i, _Pin) and i.port.direction == "in"]
        outs = [i for i in cluster.items if isinstance(i, _Pin) and i.port.direction == "out"]
        for item in cluster.items:
            if isinstance(item, _Box):
                label = self.mark(item.id, _box_label(item, self.direction, self.proposal,
                                                      self.show_types), item.family.rounded)
                self.line(inner, f"{_quote(item.id)} [label=<{label}>, "
                          f"tooltip={_quote(self.tip(item.id, item.tooltip))}];")
            elif isinstance(item, _Pin):
                label = _pin_label(item, self.show_types, self.direction)
                tip = item.port.direction + " " + item.port.name
                self.line(inner, f"{_quote(item.id)} [label=<{self.mark(item.id, label)}>, "
                          f"tooltip={_quote(self.tip(item.id, tip))}];")
            elif isinstance(item, _Optimiser):
                label = _optimiser_label(item)
                tip = "optimisation: " + item.training.optimiser
                self.line(inner, f"{_quote(item.id)} [label=<{self.mark(item.id, label, True)}>, "
                          f"tooltip={_quote(self.tip(item.id, tip))}];")
            elif isinstance(item, _Cluster):
                yield item, inner
        # outer ports of a diagram sit at its left and right edges
        for group, rank in ((ins, "min"), (outs, "max")):
            if len(group) > (0 if cluster.frame else 1):
                ids = "; ".join(_quote(p.id) for p in group)
                self.line(inner, f"{{rank={rank if cluster.frame else 'same'}; {ids};}}")
        # ...beyond its optimisers, too (`rank=max` does not outrank them), and inside a
        # nested diagram, where `rank=min/max` would mean the whole picture, beyond its boxes:
        # invisible, weightless wires rank the inputs before the boxes that nothing inside
        # feeds and the outputs after the boxes that feed nothing inside and the optimisers
        # (only those: every invisible wire is a chain of virtual nodes to lay out)
        for wire in self.pin_ranking(cluster, ins, outs):
            self.line(inner, wire)
        # A diagram's wires are written inside its cluster (both ends already belong to it),
        # so that Graphviz keeps their routes inside the frame.
        for edge in self.by_container.pop(cluster.id, []):
            self.line(inner, self.edge(edge))
        self.line(depth, "}")

    def pin_ranking(self, cluster: _Cluster, ins: list[_Pin], outs: list[_Pin]) -> list[str]:
        """Invisible wires that keep a diagram's ports at the edges of its frame."""
        boxes = [i.id for i in cluster.items if isinstance(i, _Box)]
        optimisers = [i.id for i in cluster.items if isinstance(i, _Optimiser)]
        if not boxes or not (ins or outs):
            return []
        members = set(boxes) | set(optimisers) | {p.id for p in ins + outs}
        fed: set[str] = set()
        feeding: set[str] = set()
        for edge in self.b.edges:
            # the direction Graphviz ranks the edge in (backward ones are written reversed)
            tail, head = edge.src.node, edge.dst.node
            if edge.backward or edge.style == "update":
                tail, head = head, tail
            if tail != head and tail in members and head in members:
                feeding.add(tail)
                fed.add(head)
        wires = []
        if ins and not cluster.frame:
            pin = _quote(ins[0].id)
            wires += [f"{pin} -> {_quote(b)} [style=invis, weight=0];"
                      for b in boxes if b not in fed]
        if outs:
            last = optimisers if cluster.frame else \
                [b for b in boxes if b not in feeding] + optimisers
            pin = _quote(outs[0].id)
            wires += [f"{_quote(n)} -> {pin} [style=invis, weight=0];" for n in last]
        return wires

    def mark(self, node: str, label: str, rounded: bool = False) -> str:
        """A node's label, framed and headed by its finding codes when it is on a witness."""
        codes = self.b.emphasis.get(node)
        return _emphasised(label, codes, rounded, self.direction) if codes else label

    def tip(self, node: str, tooltip: str) -> str:
        codes = self.b.emphasis.get(node)
        if not codes or self.findings is None:
            return tooltip
        lines = [f"{f.code}: {f.message}" for f in self.findings if f.code in codes]
        return "\n".join([tooltip, "on the witness of:"] + sorted(set(lines), key=lines.index))

    # edges ----------------------------------------------------------------------------------
    def edge(self, edge: _Edge) -> str:
        """One edge statement. Edges that run backwards (feedback, parameter updates) are
        written from head to tail with `dir=back`: Graphviz then routes them around the boxes
        like any ranked edge, which it does not do for `constraint=false` edges. Feedback
        edges, too, meet their ports on the outer side (`_port_anchor`): the loop leaves the
        output rightwards and comes into the input from the left (downwards and from above,
        top to bottom)."""
        reverse = edge.backward or edge.style == "update"
        head = "arrowtail" if reverse else "arrowhead"     # the end at the edge's target
        attrs: list[str] = []
        if reverse and not edge.delayed:
            attrs.append("dir=back")
        if edge.style == "data":
            if edge.feedback:
                attrs += [f'color="{FEEDBACK_COLOUR}"', "style=dashed", "penwidth=1.4"]
            if edge.delayed:
                # a small open circle where the value waits a step (a label would be placed
                # outside the diagram's frame, or over a box)
                source_end = "arrowhead" if reverse else "arrowtail"
                attrs += ["dir=both", f"{source_end}=odot", "arrowsize=0.9"]
            if reverse or edge.delayed:
                attrs.append(f"{head}=normal")
        elif edge.style == "signal":
            attrs += [f'color="{TRAINING_COLOUR}"', "penwidth=1.2", f"{head}=vee"]
        elif edge.style == "update":
            # two strokes, a gap, two strokes: a double line whose second colour (the one
            # Graphviz gives a tail arrow) is visible
            t = TRAINING_COLOUR
            attrs += [f'color="{t}:{t}:invis:{t}:{t}"', "penwidth=0.9", f"{head}=empty",
                      "arrowsize=1.3"]
        if edge.emphasis:
            # on a finding's witness: thick, magenta and dashed, whatever the wire (an update
            # keeps its double line, in magenta)
            h = HIGHLIGHT_COLOUR
            attrs = [a for a in attrs if not a.startswith(("color=", "penwidth=", "style="))]
            if edge.style == "update":
                attrs += [f'color="{h}:{h}:invis:{h}:{h}"', "penwidth=1.6", "style=dashed"]
            else:
                attrs += [f'color="{h}"', "penwidth=3", "style=dashed"]
        if edge.lhead:
            attrs.append(f"{'ltail' if reverse else 'lhead'}={_quote(edge.lhead)}")
        if edge.tooltip:
            attrs.append(f"tooltip={_quote(edge.tooltip)}")
        outgoing = _port_anchor(edge.src, True, self.direction)
        incoming = _port_anchor(edge.dst, False, self.direction)
        if reverse:
            return f"{incoming} -> {outgoing} [{', '.join(attrs)}];"
        return f"{outgoing} -> {incoming} [{', '.join(attrs)}];"

    # caption --------------------------------------------------------------------------------
    def caption(self) -> str:
        """One flat table (Graphviz stretches nested tables to fill their cell): the title,
        the sources, then the legend as (sample, meaning) pairs."""
        rows: list[str] = []
        legend, span = self.legend_rows() if self.legend else ([], 1)
        if self.title and self.proposal.title:
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" COLSPAN="{span}"><FONT '
                        f'POINT-SIZE="15"><B>{_html_lines(self.proposal.title, 80)}</B></FONT>'
                        "</TD></TR>")
        if self.title and self.frame_label:
            rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{span}">{self.frame_label}</TD></TR>')
        if self.b.auto_limited:
            rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{span}"><FONT POINT-SIZE='
                        f'"{_FONT_SMALL + 1}"><I>nested diagrams more than {AUTO_DEPTH} levels deep are drawn as '
                        'boxes (--depth N expands N levels)</I></FONT></TD></TR>')
        rows += self.findings_rows(span, legend)
        if self.title and self.proposal.citations:
            text = "".join(_html_lines(("After " if n == 0 else "") + c, 110, "LEFT")
                           for n, c in enumerate(self.proposal.citations))
            text = text[:-len('<BR ALIGN="LEFT"/>')]
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" COLSPAN="{span}"><FONT POINT-SIZE='
                        f'"{_FONT_SMALL + 1}" COLOR="#333333">{text}</FONT></TD></TR>')
        if legend:
            rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{span}" CELLPADDING="4"><FONT '
                        f'POINT-SIZE="{_FONT_SMALL}"><B>Legend</B></FONT></TD></TR>')
            rows += legend
        if not rows:
            return ""
        return '<TABLE BORDER="0" CELLPADDING="1" CELLSPACING="3">' + "".join(rows) + "</TABLE>"

    def findings_rows(self, span: int, legend: list[str]) -> list[str]:
        """The highlighted findings, one row each: ⚠ code, severity and message, wrapped at
        about the legend's width (a wider row would stretch the legend's columns; a message
        cut short would hide what the finding is about)."""
        if self.findings is None:
            return []
        width = 110
        if legend:
            # a swatch is about as wide as six characters, the gaps between pairs three
            widest = max((len(_html_text(row)) + 9 * row.count('<TD ALIGN="LEFT">')
                          for row in legend), default=0)
            width = max(72, min(width, round(1.2 * widest)))
        head = f'<FONT POINT-SIZE="{_FONT_SMALL + 1}" COLOR="{HIGHLIGHT_COLOUR}"><B>{MARKER} '
        rows: list[str] = []
        ignored = 0
        for f in self.findings:
            if f.skipped:
                ignored += 1
                continue
            status = []
            if f.acknowledged is not None:
                status.append("acknowledged")
            if not f.drawn:
                status.append("not on this picture")
            suffix = f" ({', '.join(status)})" if status else ""
            text = f"{f.severity}: {' '.join(f.message.replace('`', '').split())}{suffix}"
            lines = textwrap.wrap(text, width - 8, break_on_hyphens=False) or [""]
            body = '<BR ALIGN="LEFT"/>'.join(_html(line) for line in lines)
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" COLSPAN="{span}">{head}'
                        f'{_html(f.code)}</B></FONT> <FONT POINT-SIZE="{_FONT_SMALL + 1}">'
                        f'{body}</FONT></TD></TR>')
        notes = []
        if not self.findings and not self.missing:
            notes.append("the analyses find nothing to highlight")
        if self.missing:
            notes.append("no finding " + ", ".join(self.missing))
        if ignored:
            notes.append(f"{ignored} acknowledged finding{'s' if ignored > 1 else ''} not drawn "
                         "(name a code to draw it)")
        notes = [n for n in notes if n]
        if notes:
            rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{span}"><FONT POINT-SIZE='
                        f'"{_FONT_SMALL + 1}"><I>{_html("; ".join(notes))}</I></FONT></TD></TR>')
        return rows

    def legend_rows(self) -> tuple[list[str], int]:
        """Table rows of (sample, meaning) pairs for what this picture uses: kind families,
        border styles, wire styles; and how many columns they take."""
        groups: list[list[tuple[str, str]]] = [[], [], [], []]
        items = groups[0]

        def swatch(attrs: str) -> str:
            return f'<TD WIDTH="30" HEIGHT="14" COLOR="{INK}" {attrs}></TD>'

        for fam in FAMILIES:
            if fam.key not in self.b.families:
                continue
            fill = fam.colour if fam.key not in ("system", "other") else "#FFFFFF"
            rounded = ' STYLE="rounded"' if fam.rounded else ""
            items.append((swatch(f'BORDER="1" BGCOLOR="{fill}"{rounded}'), fam.label))
        items = groups[1]
        for key in ("double", "dashed", "bold", "dotted"):
            if key not in self.b.borders:
                continue
            if key == "double":
                sample = (f'<TD><TABLE BORDER="1" CELLSPACING="2" CELLPADDING="0" COLOR="{INK}">'
                          f'<TR><TD BORDER="1" WIDTH="22" HEIGHT="6" COLOR="{INK}"></TD></TR>'
                          '</TABLE></TD>')
            else:
                sample = swatch({"dashed": 'BORDER="1" STYLE="dashed"',
                                 "dotted": 'BORDER="2" STYLE="dotted"',
                                 "bold": 'BORDER="2"'}[key])
            items.append((sample, BORDERS[key]))
        styles = {(e.style, e.feedback) for e in self.b.edges}
        items = groups[2]

        def line(attrs: str) -> str:
            return f'<TD FIXEDSIZE="TRUE" WIDTH="30" HEIGHT="8" {attrs}></TD>'
        if ("data", False) in styles:
            items.append((line(f'SIDES="B" BORDER="1" COLOR="{INK}"'), "data wire"))
        if ("data", True) in styles:
            items.append((line(f'SIDES="B" BORDER="2" STYLE="dashed" COLOR="{FEEDBACK_COLOUR}"'),
                          "feedback (closing a loop)"))
        if any(e.delayed for e in self.b.edges):
            items.append((f'<TD><FONT COLOR="{FEEDBACK_COLOUR}" POINT-SIZE="11">'
                          '\u25cb\u2014</FONT></TD>', "delayed: read one step later"))
        if any(s == "signal" for s, _ in styles):
            items.append((line(f'SIDES="B" BORDER="1" COLOR="{TRAINING_COLOUR}"'),
                          "training signal"))
        if any(s == "update" for s, _ in styles):
            items.append((f'<TD FIXEDSIZE="TRUE" WIDTH="30" HEIGHT="5" SIDES="TB" BORDER="1" '
                          f'COLOR="{TRAINING_COLOUR}"></TD>', "optimisation of parameters"))
        if self.b.emphasis:
            h = HIGHLIGHT_COLOUR
            groups[3] += [
                (f'<TD WIDTH="30" HEIGHT="14" BORDER="3" COLOR="{h}"></TD>',
                 f"{MARKER} on the witness of a finding"),
                (line(f'SIDES="B" BORDER="3" STYLE="dashed" COLOR="{h}"'),
                 "wire on a witness")]
        per_row = 4
        rows = []
        for items in groups:
            for start in range(0, len(items), per_row):
                cells = "".join(f'{sample}<TD ALIGN="LEFT"><FONT POINT-SIZE="{_FONT_SMALL}">'
                                f'{_html(text)}</FONT></TD>'
                                for sample, text in items[start:start + per_row])
                rows.append(f"<TR>{cells}</TR>")
        columns = 2 * min(per_row, max(len(items) for items in groups))
        return rows, max(columns, 1)


# ------------------------------------------------------------------------------------ public API

def top_diagrams(proposal: Proposal) -> list[str]:
    """The names of the top diagrams (`wiring.structure.top_diagrams`), in declaration order."""
    return [d.name for d in structure.top_diagrams(proposal)]


def default_diagram(proposal: Proposal) -> str | None:
    """The name of the diagram drawn when none is named (`wiring.structure.default_diagram`)."""
    found = structure.default_diagram(proposal)
    return found.name if found is not None else None


def _bare(diagram: Diagram) -> Proposal:
    """A proposal around a diagram drawn on its own: its instances' ports are inferred from
    the wires (their declarations are not part of a Diagram)."""
    from .model import Attributes

    ports: dict[str, dict[str, Port]] = {}
    from .model import UnknownType

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
    proposal = Proposal(file="<diagram>", components=components, diagrams={diagram.name: drawn})
    return proposal


def to_dot(proposal: Proposal | Diagram, diagram: str | None = None, *, mode: str | None = None,
           depth: int | None = None, flatten: bool = False, direction: str = "LR",
           show_types: bool = False, legend: bool = True, title: bool = True,
           highlight=None, analysis=None) -> str:
    """The DOT text of one diagram of a proposal (see the module docstring for what it shows).

    `diagram` defaults to `default_diagram(proposal)`; `mode` keeps only the boxes, ports and
    wires active in that mode; `depth` expands nested diagrams that many levels (None: all,
    0: none) and `flatten` draws the expanded ones without their clusters; `direction` is "LR"
    (left to right) or "TB" (top to bottom); `show_types` writes each wire's type on it.

    `highlight` runs the analyses (`wiring.analysis.analyse`, or uses `analysis` when given)
    and draws the witnesses of their findings: True (or "all") for every unacknowledged
    finding, or codes ("S0201,S0101", or a list) for the findings with those codes,
    acknowledged ones included. Boxes and optimisers on a witness get a thick magenta frame
    headed by ⚠ and the finding codes, the wires between them are thick, magenta and dashed,
    and the caption lists the findings (code, severity, message). Acknowledged findings are
    not drawn unless their code is asked for; the caption counts them.
    Raises RenderError for an unknown diagram, mode or option.
    """
    if direction not in DIRECTIONS:
        raise RenderError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if depth is not None and depth < 0:
        raise RenderError(f"depth must be 0 or more, not {depth}")
    if highlight is not None and highlight is not False:
        highlight_codes(highlight)      # a bad code is an error before any work
    if isinstance(proposal, Diagram):
        if diagram not in (None, proposal.name):
            raise RenderError(f"this diagram is `{proposal.name}`, not `{diagram}`")
        return _to_dot(_bare(proposal), proposal.name, mode=mode, depth=depth, flatten=flatten,
                       direction=direction, show_types=show_types, legend=legend, title=title,
                       highlight=highlight, analysis=analysis)
    name = diagram if diagram is not None else default_diagram(proposal)
    if name is not None and name not in proposal.diagrams:
        known = ", ".join(proposal.diagrams) or "none"
        raise RenderError(f"no diagram `{diagram}` in {proposal.file}; its diagrams: {known}")
    return _to_dot(proposal, name, mode=mode, depth=depth, flatten=flatten,
                   direction=direction, show_types=show_types, legend=legend, title=title,
                   highlight=highlight, analysis=analysis)


def _to_dot(proposal: Proposal, name: str | None, *, mode, depth, flatten,
            direction, show_types, legend, title, highlight=None, analysis=None) -> str:
    builder = _Builder(proposal, mode, depth, flatten, direction, show_types)
    if name is None:
        # No diagram: a catalogue of the components, one box each.
        if mode is not None:
            raise RenderError(f"{proposal.file} has no diagram, so no mode `{mode}`")
        frame = _frame_label(None, None)
        root = _Cluster("cluster_components", "",
                        "rounded", INK, "#FFFFFF", frame=True)
        fake = Diagram(name="components")
        for comp in proposal.components.values():
            instance = Instance(name=comp.name, of=comp.name, attributes=comp.attributes)
            box = builder.box_for(instance, _ident(comp.name), fake)
            box.label, box.box_name = comp.name, ""
            root.items.append(box)
    else:
        diagram = proposal.diagrams[name]
        frame = _frame_label(diagram, mode)
        root = _Cluster("cluster_" + _ident(name), "",
                        "rounded", INK, "#FFFFFF", frame=True,
                        tooltip="\n".join([f"diagram {diagram.name}"] + diagram.notes))
        builder.build(diagram, (), root, depth, (diagram.name,))
        if mode is not None and not builder.mode_seen:
            modes = diagram.modes
            raise RenderError(f"`{name}` has no mode `{mode}`; " +
                              (f"its modes: {', '.join(modes)}" if modes else
                               "it declares no modes"))
        builder.contract_junctions()
        builder.deduplicate()
        builder.mark_feedback()
    emitter = _Emitter(builder, proposal, frame, direction, show_types, legend, title)
    if highlight is not None and highlight is not False:
        codes = highlight_codes(highlight)
        if analysis is None and name is not None:
            from .analysis import analyse

            analysis = analyse(proposal, name)
        findings = _Highlighter(builder, analysis).apply(codes) if analysis is not None else []
        emitter.findings = findings
        emitter.missing = sorted(codes - {f.code for f in findings}) if codes else []
    return emitter.emit(root)


def _frame_label(diagram: Diagram | None, mode: str | None) -> str:
    """What the frame shows: the diagram, its mode, what it refines."""
    if diagram is None:
        return '<FONT POINT-SIZE="11">components (no diagram)</FONT>'
    what = f"diagram <B>{_html(diagram.name)}</B>"
    if mode is not None:
        what += f" \u00b7 mode <B>{_html(mode)}</B>"
    elif diagram.modes:
        what += " \u00b7 all modes: " + _html(", ".join(diagram.modes))
    if diagram.refines:
        what += f" \u00b7 refines {_html(diagram.refines)}"
    return f'<FONT POINT-SIZE="11">{what}</FONT>'


# ---------------------------------------------------------------------------------- running dot

def find_dot() -> str | None:
    """The path of Graphviz `dot` (from $WIRING_DOT, else PATH), or None."""
    explicit = os.environ.get("WIRING_DOT")
    if explicit:
        return explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None
    return shutil.which("dot")


def dot_version(dot: str | None = None) -> str | None:
    dot = dot or find_dot()
    if dot is None:
        return None
    try:
        run = subprocess.run([dot, "-V"], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (run.stderr or run.stdout).decode("utf-8", "replace").strip()
    return text or None


def run_dot(dot_text: str, fmt: str, *, dpi: int | None = None, timeout: float = 120) -> bytes:
    """Lay out DOT text with Graphviz `dot` and return the image bytes."""
    if fmt not in FORMATS:
        raise RenderError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "dot":
        return dot_text.encode("ascii")
    dot = find_dot()
    if dot is None:
        raise DotNotFound()
    command = [dot, f"-T{fmt}"]
    if fmt == "png":
        command.append(f"-Gdpi={dpi or DEFAULT_PNG_DPI}")
    elif dpi:
        command.append(f"-Gdpi={dpi}")
    try:
        run = subprocess.run(command, input=dot_text.encode("ascii"), capture_output=True,
                             timeout=timeout)
    except FileNotFoundError as exc:
        raise DotNotFound() from exc
    except subprocess.TimeoutExpired as exc:
        raise DotFailed(f"`dot` did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise DotFailed(f"could not run `{dot}`: {exc}") from exc
    if run.returncode != 0 or not run.stdout:
        message = run.stderr.decode("utf-8", "replace").strip()
        raise DotFailed(f"`dot -T{fmt}` failed (exit {run.returncode})" +
                        (f": {message}" if message else ""))
    return run.stdout


def render(proposal: Proposal | Diagram, fmt: str = "svg", diagram: str | None = None, *,
           dpi: int | None = None, timeout: float = 120, **options) -> bytes:
    """The picture of a diagram as image bytes (`fmt`: svg, png, pdf, or dot for the DOT text).
    `options` are those of `to_dot`. Raises DotNotFound when Graphviz is missing, DotFailed
    when it fails, RenderError for bad options."""
    if fmt not in FORMATS:
        raise RenderError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return run_dot(to_dot(proposal, diagram, **options), fmt, dpi=dpi, timeout=timeout)


def to_svg(proposal: Proposal | Diagram, diagram: str | None = None, **options) -> str:
    return render(proposal, "svg", diagram, **options).decode("utf-8")


def repr_svg(obj: Proposal | Diagram) -> str | None:
    """For Jupyter: the SVG of a proposal's default diagram (or of a diagram), or None when
    Graphviz is missing or the drawing fails, so that the notebook falls back to text."""
    try:
        return to_svg(obj)
    except RenderError:
        return None


def doctor() -> tuple[bool, list[str]]:
    """Whether images can be rendered, and a report of the renderer found (or how to get it)."""
    import sys

    from . import __version__

    lines = [f"wiring {__version__} on Python {sys.version.split()[0]} ({sys.executable})"]
    try:
        from importlib.metadata import version

        lines.append(f"graphviz (Python package) {version('graphviz')}")
    except Exception:  # noqa: BLE001 - reporting only
        lines.append("graphviz (Python package): not installed (not needed for rendering)")
    dot = find_dot()
    if dot is None:
        where = "$WIRING_DOT" if os.environ.get("WIRING_DOT") else "PATH"
        lines.append(f"dot: NOT FOUND on {where}")
        lines.append("`wiring check` works without it; `wiring render` writes only .dot files.")
        lines.append(INSTALL_HINT)
        return False, lines
    version_text = dot_version(dot) or "unknown version"
    lines.append(f"dot: {dot} ({version_text})")
    ok = True
    probe = "digraph{a->b}"
    for fmt in ("svg", "png", "pdf"):
        try:
            run_dot(probe, fmt, timeout=30)
            lines.append(f"  {fmt}: ok")
        except RenderError as exc:
            ok = False
            lines.append(f"  {fmt}: FAILED ({exc})")
    if not ok:
        lines.append("Some formats failed: install Graphviz with its cairo plugins "
                     "(Debian/Ubuntu: `sudo apt-get install graphviz`).")
    return ok, lines
