"""A scene as a DOT syntax tree: what each box, port, optimiser, frame and wire looks like to
Graphviz, and where wires meet their ports.

- the diagram drawn is one frame; nested diagrams are frames inside it, with their outer ports
  at the frame's left and right edges (top and bottom with `direction="TB"`);
- feedback is dashed and blue, a delayed wire has a small open circle behind its arrowhead
  (laid out at its source, then moved there: `rings`); training is drawn in vermilion: thin
  signal wires into the optimiser, and a double line with a hollow arrowhead from the
  optimiser to the corner of its target's header (Para: parameters enter from above);
- below the frame, like a figure caption: title, diagram and mode, findings, citations and
  legend (Graphviz keeps the graph's own label clear of boxes and wires);
- a node or wire on the witness of a highlighted finding is magenta: nodes in a thick frame
  headed by ‼ and the finding codes, wires thick and dashed (in the paper style, wires in ink
  at 2.5 times their width, each keeping its line: feedback dashed, the rest solid); a finding
  highlighted by its code fades the rest (`Scene.focus`).

With `style="paper"` the labels are those of `paper`, every text one size, the caption its
one-line key, frames thin and white, and no tooltips (each would wrap its node in a link).
"""

from __future__ import annotations

import re
from collections import Counter

from . import labels, paper
from .dot import (Assign, Attrs, Defaults, Edge, Endpoint, Graph, Html, Id, Node, SameRank,
                  Subgraph)
from .scene import Box, Cluster, Optimiser, Pin, Ref, Scene, Wire
from .style import (CLUSTER_STYLE, FEEDBACK_COLOUR, FONT, FONT_PORT, FONT_SMALL, FRAME_MARGIN,
                    FADE, HIGHLIGHT_COLOUR, INK, PLAIN, TRAINING_COLOUR, grey_of, tint)


def tree_of(scene: Scene) -> Graph:
    """The DOT syntax tree of a scene."""
    graph = _Drawer(scene).graph()
    if scene.options.theme == "grey":
        _grey(graph)
    return graph


class _Drawer:
    def __init__(self, scene: Scene):
        self.scene = scene
        self.direction = scene.options.direction
        self.show_types = scene.options.show_types
        self.by_container: dict[str, list[Wire]] = {}
        for wire in scene.wires:
            self.by_container.setdefault(wire.container, []).append(wire)
        self._ranked: dict[str, tuple[set[str], set[str]]] | None = None
        self._feeding: set[str] | None = None
        # A nested diagram used many times is drawn many times, with the same labels: each
        # label is made once per drawing, keyed by the model objects it shows.
        self.labels: dict[tuple, str] = {}
        self.font = scene.options.font or FONT
        # ids of the wires in the SVG, for authors editing it: @w1, @w2, ... in scene order ("@":
        # no box is named so, see `scene.ident`)
        self.wire_ids = {id(wire): f"@w{n}" for n, wire in enumerate(scene.wires, 1)}
        self.update_places = _update_places(scene.wires)
        self.paper = None
        if scene.options.style == "paper":
            self.paper = paper.Sizes(scene, paper.hidden_names(scene))
            self.optimiser_words = paper.optimiser_words(scene)
            self.sole_outputs = {item.id: item.outs[0][0] for item in scene.nodes().values()
                                 if isinstance(item, Box) and len(item.outs) == 1}

    def label(self, key: tuple, make, *arguments) -> str:
        label = self.labels.get(key)
        if label is None:
            label = self.labels[key] = make(*arguments)
        return label

    def graph(self) -> Graph:
        if self.paper:
            return self.paper_graph()
        graph = Graph("wiring", [
            Defaults("graph", {
                "rankdir": Id(self.direction), "fontname": self.font, "fontsize": 11,
                "newrank": Id("true"), "compound": Id("true"), "nodesep": 0.25,
                "ranksep": 0.45, "pad": 0.2, "splines": Id("spline"),
                "outputorder": Id("nodesfirst"), "labelloc": Id("b"), "labeljust": Id("l"),
                "bgcolor": "#FFFFFF"}),
            Defaults("node", {"shape": Id("plain"), "fontname": self.font,
                              "fontsize": FONT_PORT + 1, "color": INK, "fontcolor": INK}),
            Defaults("edge", {"fontname": self.font, "fontsize": FONT_SMALL, "color": INK,
                              "arrowsize": 0.7, "penwidth": 1.1})])
        # Title, sources and legend form the graph's label, below the picture like a figure
        # caption: Graphviz keeps the root label clear of nodes and edges (a cluster's label
        # is kept clear of nodes only).
        caption = labels.caption(self.scene)
        if caption:
            graph.statements.append(Assign("label", Html(caption)))
        graph.statements.append(self.frames())
        for wires in self.by_container.values():     # none, unless a container was lost
            graph.statements += [self.edge(wire) for wire in wires]
        return graph

    def paper_graph(self) -> Graph:
        """The graph in the paper style: one font size, thin wires, the key as the caption."""
        size, thin = paper.font_size(self.scene.options), {"arrowsize": 0.6, "penwidth": 0.8}
        graph = Graph("wiring", [
            Defaults("graph", {
                "rankdir": Id(self.direction), "fontname": self.font, "fontsize": size,
                "newrank": Id("true"), "compound": Id("true"), "nodesep": 0.2,
                "ranksep": 0.35, "pad": 0.05, "splines": Id("spline"),
                "outputorder": Id("nodesfirst"), "labelloc": Id("b"), "labeljust": Id("l"),
                "bgcolor": "#FFFFFF"}),
            Defaults("node", {"shape": Id("plain"), "fontname": self.font, "fontsize": size,
                              "color": INK, "fontcolor": INK}),
            Defaults("edge", {"fontname": self.font, "fontsize": size, "color": INK, **thin})])
        key = paper.key_line(self.scene)
        if key:
            graph.statements.append(Assign("label", Html(key)))
        graph.statements.append(self.frames())
        for wires in self.by_container.values():
            graph.statements += [self.edge(wire) for wire in wires]
        return graph

    # frames and nodes -----------------------------------------------------------------------
    def frames(self) -> Subgraph:
        """The root frame and every frame in it, through an explicit stack (`open` yields
        each nested frame where it belongs), so that nesting depth is not bounded by
        Python's recursion limit."""
        root = Subgraph(self.scene.root.id)
        stack = [(self.scene.root, root, self.open(self.scene.root, root))]
        while stack:
            cluster, sub, nested = stack[-1]
            child = next(nested, None)
            if child is None:
                stack.pop()
                self.close(cluster, sub)
                continue
            inner = Subgraph(child.id)
            sub.statements.append(inner)
            stack.append((child, inner, self.open(child, inner)))
        return root

    def open(self, cluster: Cluster, sub: Subgraph):
        """A frame's attributes and nodes; yields each nested frame in its place."""
        sub.statements.append(Defaults("graph", self.frame_attrs(cluster)))
        for item in cluster.items:
            if isinstance(item, Cluster):
                yield item
            else:
                sub.statements.append(self.node(item))

    def frame_attrs(self, cluster: Cluster) -> Attrs:
        attrs = self.paper_frame(cluster) if self.paper else self.full_frame(cluster)
        return self.fade(cluster.id, attrs)

    def fade(self, node: str, attrs: Attrs) -> Attrs:
        """A node's or frame's attributes, faded when a highlighted finding's path is the
        point of the picture and `node` is off it."""
        focus = self.scene.focus
        return attrs if focus is None or node in focus else _faded(attrs)

    def full_frame(self, cluster: Cluster) -> Attrs:
        family = cluster.family
        plain = family is None or family.key in PLAIN
        label = self.label(("frame", id(cluster.instance), cluster.inner), labels.cluster_label,
                           cluster)
        colour = INK if plain else family.colour
        width = 2 if cluster.frame else 1.4
        codes = self.scene.emphasis.get(cluster.id)
        if codes:
            colour, width = HIGHLIGHT_COLOUR, 3
            label = labels.codes_line(codes) + label
        return {
            "label": Html(label) if label else "",
            "style": CLUSTER_STYLE.get(cluster.border, "rounded") if family else "rounded",
            "color": colour,
            "bgcolor": "#FFFFFF" if family is None else "#FAFAFA" if plain
            else tint(family.colour, 0.10),
            "labeljust": _LEFT, "labelloc": _TOP,
            "margin": FRAME_MARGIN if cluster.frame else 12, "penwidth": width,
            "tooltip": self.tip(cluster.id, cluster.tooltip or " "), **_editable(cluster)}

    def paper_frame(self, cluster: Cluster) -> Attrs:
        """A frame in the paper style: none round the diagram drawn (its ports are its
        edges), a thin line round a nested diagram, bordered like its box, named in bold."""
        attrs: Attrs = {"labeljust": _LEFT, "labelloc": _TOP, "bgcolor": "#FFFFFF",
                        "margin": 4 if cluster.frame else 10,
                        **_editable(cluster)}
        if cluster.frame or cluster.instance is None:
            return {**attrs, "label": "", "peripheries": 0}
        codes = self.scene.emphasis.get(cluster.id)
        return {**attrs, "label": Html(paper.cluster_label(cluster)),
                "style": CLUSTER_STYLE.get(cluster.border, "rounded"),
                "color": HIGHLIGHT_COLOUR if codes else INK, "penwidth": 2 if codes else 0.8,
                "peripheries": 1}       # the diagram drawn has none, and frames inherit it

    def paper_node(self, item: Box | Pin | Optimiser) -> Node:
        if isinstance(item, Box):
            label = self.label(("box", id(item.instance), item.label, item.id),
                               paper.box_label, item, self.direction, self.paper)
            rounded = item.family.rounded
        elif isinstance(item, Pin):
            label, rounded = paper.pin_label(item, self.direction), False
        else:
            label, rounded = paper.optimiser_label(self.optimiser_words[item.id]), True
        if self.scene.emphasis.get(item.id):
            label = paper.emphasised(label, rounded)
        return Node(item.id, {"label": Html(label), **_editable(item)})

    def node(self, item: Box | Pin | Optimiser) -> Node:
        made = self.paper_node(item) if self.paper else self.full_node(item)
        return Node(made.id, self.fade(item.id, made.attrs))

    def full_node(self, item: Box | Pin | Optimiser) -> Node:
        if isinstance(item, Box):
            label = self.label(("box", id(item.instance), item.label, item.box_name),
                               labels.box_label, item, self.direction, self.show_types)
            label = self.mark(item.id, label, item.family.rounded)
            tip = item.tooltip
        elif isinstance(item, Pin):
            label = self.label(("pin", id(item.port)), labels.pin_label, item, self.show_types,
                               self.direction)
            label = self.mark(item.id, label)
            tip = item.port.direction + " " + item.port.name
        else:
            label = self.mark(item.id, labels.optimiser_label(item), True)
            tip = "optimisation: " + item.training.optimiser
        return Node(item.id, {"label": Html(label), "tooltip": self.tip(item.id, tip),
                              **_editable(item)})

    def close(self, cluster: Cluster, sub: Subgraph) -> None:
        """What follows a frame's nodes: the ranks of its ports, and its wires."""
        ins = [i for i in cluster.items if isinstance(i, Pin) and i.port.direction == "in"]
        outs = [i for i in cluster.items if isinstance(i, Pin) and i.port.direction == "out"]
        # outer ports of a diagram sit at its left and right edges
        for group, rank in ((ins, "min"), (outs, "max")):
            if len(group) > (0 if cluster.frame else 1):
                sub.statements.append(SameRank(rank if cluster.frame else "same",
                                               [p.id for p in group]))
        sub.statements += self.pin_ranking(cluster, ins, outs)
        # A diagram's wires are written inside its frame (both ends already belong to it),
        # so that Graphviz keeps their routes inside the frame.
        sub.statements += [self.edge(wire) for wire in self.by_container.pop(cluster.id, [])]

    def pin_ranking(self, cluster: Cluster, ins: list[Pin], outs: list[Pin]) -> list[Edge]:
        """Invisible wires that keep a diagram's ports at the edges of its frame: beyond its
        optimisers too (`rank=max` does not outrank them), and inside a nested diagram, where
        `rank=min/max` would mean the whole picture, beyond its boxes: invisible, weightless
        wires rank the inputs before the boxes that nothing inside feeds and the outputs after
        the boxes that feed nothing inside and the optimisers (only those: every invisible
        wire is a chain of virtual nodes to lay out)."""
        boxes = [i.id for i in cluster.items if isinstance(i, Box)]
        optimisers = [i.id for i in cluster.items if isinstance(i, Optimiser)]
        if not boxes or not (ins or outs):
            return []
        fed, feeding = self.ranked().get(cluster.id, (set(), set()))
        invisible = {"style": Id("invis"), "weight": 0}
        wires = []
        if ins and not cluster.frame:
            wires += [Edge(Endpoint(ins[0].id), Endpoint(b), dict(invisible))
                      for b in boxes if b not in fed]
        if outs:
            last = optimisers if cluster.frame else \
                [b for b in boxes if b not in feeding] + optimisers
            wires += [Edge(Endpoint(n), Endpoint(outs[0].id), dict(invisible)) for n in last]
        return wires

    def ranked(self) -> dict[str, tuple[set[str], set[str]]]:
        """Each frame's (fed, feeding): the boxes, optimisers and ports of the frame that a wire
        between two of them enters or leaves, in the direction Graphviz ranks it (backward ones
        are written reversed). Worked out in one pass over the wires, on first use: a pass per
        frame made drawing a nested proposal quadratic."""
        if self._ranked is None:
            owner: dict[str, str] = {}
            stack = [self.scene.root]
            while stack:
                cluster = stack.pop()
                for item in cluster.items:
                    if isinstance(item, Cluster):
                        stack.append(item)
                    else:   # a box, an optimiser or a port (every port is in or out)
                        owner[item.id] = cluster.id
            self._ranked = {}
            for wire in self.scene.wires:
                tail, head = wire.src.node, wire.dst.node
                if wire.backward or wire.style == "update":
                    tail, head = head, tail
                frame = owner.get(tail)
                if tail != head and frame is not None and owner.get(head) == frame:
                    fed, feeding = self._ranked.setdefault(frame, (set(), set()))
                    feeding.add(tail)
                    fed.add(head)
        return self._ranked

    def mark(self, node: str, label: str, rounded: bool = False) -> str:
        """A node's label, framed and headed by its finding codes when it is on a witness."""
        codes = self.scene.emphasis.get(node)
        return labels.emphasised(label, codes, rounded, self.direction) if codes else label

    def tip(self, node: str, tooltip: str) -> str:
        codes = self.scene.emphasis.get(node)
        if not codes or self.scene.findings is None:
            return tooltip
        lines = [f"{f.code}: {f.message}" for f in self.scene.findings if f.code in codes]
        return "\n".join([tooltip, "on the witness of:"] + sorted(set(lines), key=lines.index))

    # wires ----------------------------------------------------------------------------------
    def edge(self, wire: Wire) -> Edge:
        """One edge. Edges that run backwards (feedback, parameter updates) are written from
        head to tail with `dir=back`: Graphviz then routes them around the boxes like any
        ranked edge, which it does not do for `constraint=false` edges. Feedback edges, too,
        meet their ports on the outer side (`anchor`): the loop leaves the output rightwards
        and comes into the input from the left (downwards and from above, top to bottom)."""
        reverse = wire.backward or wire.style == "update"
        head = "arrowtail" if reverse else "arrowhead"     # the end at the wire's target
        kind = "training" if wire.style != "data" else "feedback" if wire.feedback else "data"
        attrs: Attrs = {"id": self.wire_ids[id(wire)], "class": f"wire {kind}"}
        if reverse and not wire.delayed:
            attrs["dir"] = Id("back")
        attrs.update(_WIRE_STYLES[wire.style](wire, reverse, head))
        if wire.emphasis and self.paper:
            # on a finding's witness, in print: ink at 2.5 times the width, each wire keeping
            # its line (an update its double line, feedback its dashes: in the paper key a
            # dashed wire is feedback, so a witness's other wires stay solid)
            attrs.pop("color", None)
            double = wire.style == "update"
            attrs.update(color=_double(INK, reverse) if double else INK,
                         penwidth=0.9 * 2.5 if double else 0.8 * 2.5)
        elif wire.emphasis:
            # on a finding's witness: thick, magenta and dashed, whatever the wire (an update
            # keeps its double line, in magenta)
            h = HIGHLIGHT_COLOUR
            for key in ("color", "penwidth", "style"):
                attrs.pop(key, None)
            if wire.style == "update":
                attrs.update(color=_double(h, reverse), penwidth=1.6, style=Id("dashed"))
            else:
                attrs.update(color=h, penwidth=3, style=Id("dashed"))
        if wire.lhead:
            attrs["ltail" if reverse else "lhead"] = wire.lhead
        if self.paper and wire.style != "data":
            attrs.update(self.training_layout(wire))
        loop = self.scene.loops if wire.style == "data" and wire.feedback else None
        if loop is not None and loop.weight != 1:
            attrs["weight"] = loop.weight
        if wire.tooltip and not self.paper:     # a tooltip wraps the wire in a link
            attrs["tooltip"] = wire.tooltip
        if self.scene.focus is not None and not wire.emphasis:
            attrs = _faded(attrs)
        corner = loop.side if loop is not None else None
        outgoing = self.anchor(wire.src, True, corner)
        incoming = self.anchor(wire.dst, False, corner, self.update_places.get(id(wire), 0))
        if reverse:
            return Edge(incoming, outgoing, attrs)
        return Edge(outgoing, incoming, attrs)

    def training_layout(self, wire: Wire) -> Attrs:
        """The paper style's layout of a training wire (`scene.TrainingLayout`): its weight,
        and for a signal of an optimiser set apart, the two ranks it spans."""
        layout = self.scene.training
        attrs: Attrs = {}
        weight = layout.signal_weight if wire.style == "signal" else layout.update_weight
        if weight != 1:
            attrs["weight"] = weight
        if wire.style == "signal" and layout.apart and wire.src.node in self.feeding():
            attrs["minlen"] = 2
        return attrs

    def feeding(self) -> set[str]:
        """The nodes with a data wire running forward from them to another node."""
        if self._feeding is None:
            self._feeding = {w.src.node for w in self.scene.wires if w.style == "data"
                             and not w.backward and w.src.node != w.dst.node}
        return self._feeding

    def anchor(self, ref: Ref, outgoing: bool, corner: str | None = None,
               nth: int = 0) -> Endpoint:
        """Where a wire ends: a port cell on its outer side (outputs east, inputs west; south
        and north top to bottom), feedback included, so that every wire meets its port where
        the reader looks for it; a signal read from a whole box (`kl(policy, ref)`, its
        distribution over outputs), in the paper style, by its outputs' side, from its output's
        dot where it has one (from anywhere on the border, it left the output bare beside it);
        a parameter update at the corner of the header that faces the
        optimiser (north-east; north-west top to bottom). A corner, not the middle of the top
        edge: from there the double line need not climb over the boxes between target and
        optimiser, which drove it out of the diagram's frame. In the paper style, the box's own
        corner: the header is the whole box there, and its cell's corner lies inside the
        border, where the hollow arrowhead covered it, or the side across the flow that
        `scene.training` names (top or bottom, left or right top to bottom): updates then
        have a side of their own, apart from the data's. A feedback loop laid out on a
        `corner` side (`scene.LoopLayout`) meets a port at the outer corner on that side. The
        `nth` update into one box meets it at the nth point of that side (`_UPDATE_ENDS`): at
        one corner, two updates' arrowheads lay one over the other."""
        end = 0 if outgoing else 1
        side = _LOOP_CORNERS[self.direction][corner][end] if corner else \
            _SIDES[self.direction][end]
        if ref.kind == "cell":
            return Endpoint(ref.node, ref.port, side)
        if ref.kind == "header":
            if outgoing and not self.paper:
                return Endpoint(ref.node, _HEADER)
            if outgoing:
                return Endpoint(ref.node, self.sole_outputs.get(ref.node, _HEADER), side)
            if not self.paper:
                return Endpoint(ref.node, _HEADER, _CORNERS[self.direction])
            places = _UPDATE_ENDS[self.direction][self.scene.training.update_end]
            return Endpoint(ref.node, None, places[nth % len(places)])
        if ref.kind == "pin":
            return Endpoint(ref.node, None, side)
        return Endpoint(ref.node)


# Compass points, made once (an Id checks its spelling when made): the sides where wires leave
# and enter ports, by direction, and the corner of a header where updates arrive.
_SIDES = {"LR": (Id("e"), Id("w")), "TB": (Id("s"), Id("n"))}
_CORNERS = {"LR": Id("ne"), "TB": Id("nw")}
_LOOP_CORNERS = {"LR": {"before": (Id("ne"), Id("nw")), "after": (Id("se"), Id("sw"))},
                 "TB": {"before": (Id("sw"), Id("nw")), "after": (Id("se"), Id("ne"))}}
_UPDATE_ENDS = {"LR": {"corner": (Id("ne"), Id("n"), Id("nw")),
                       "before": (Id("n"), Id("ne"), Id("nw")),
                       "after": (Id("s"), Id("se"), Id("sw"))},
                "TB": {"corner": (Id("nw"), Id("w"), Id("sw")),
                       "before": (Id("w"), Id("nw"), Id("sw")),
                       "after": (Id("e"), Id("ne"), Id("se"))}}
_HEADER = Id("h")
_LEFT, _TOP = Id("l"), Id("t")


_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}\b")
_LABEL_COLOUR = re.compile(r'(COLOR=")(#[0-9A-Fa-f]{6})"')


def _faded(attrs: Attrs) -> Attrs:
    """Attributes with every colour, of lines, fills and text alike, mixed with white."""
    out: Attrs = {"color": INK, "fontcolor": INK, **attrs}
    for key, value in out.items():
        if isinstance(value, Html):
            out[key] = Html(_LABEL_COLOUR.sub(lambda m: f'{m[1]}{tint(m[2], FADE)}"', value))
        elif key in ("color", "fontcolor", "bgcolor"):
            out[key] = _COLOUR.sub(lambda m: tint(m[0], FADE), str(value))
    return out


def _grey(graph: Graph) -> None:
    """`--theme grey`: every colour as the neutral grey of its luminance (a greyscale print of
    the colour picture), and every wire in ink (dashes, double lines and arrowheads tell them
    apart): the training colour too, on optimisers and in the key's samples of their wires."""
    def greyed(value):
        if not isinstance(value, str) or not _COLOUR.search(value):
            return value                 # numbers and Ids unchanged (an Id prints bare)
        text = _COLOUR.sub(lambda m: INK if m[0].upper() == TRAINING_COLOUR else grey_of(m[0]),
                           value)
        return Html(text) if isinstance(value, Html) else text
    for g in [graph, *graph.subgraphs()]:
        for s in g.statements:
            if isinstance(s, (Node, Edge, Defaults)):
                s.attrs.update({k: greyed(v) for k, v in s.attrs.items()})
            elif isinstance(s, Assign):
                s.value = greyed(s.value)
            if isinstance(s, Edge) and "color" in s.attrs:
                s.attrs["color"] = _COLOUR.sub(INK, str(s.attrs["color"]))


def _data_style(wire: Wire, reverse: bool, head: str) -> Attrs:
    attrs: Attrs = {}
    if wire.feedback:
        attrs.update(color=FEEDBACK_COLOUR, style=Id("dashed"), penwidth=1.4)
    if wire.delayed:
        # a small open circle where the value waits a step (a label would be placed
        # outside the diagram's frame, or over a box); laid out at the source, which the
        # layouts were tuned with, and moved behind the arrowhead once laid out (`rings`)
        source_end = "arrowhead" if reverse else "arrowtail"
        attrs.update({"dir": Id("both"), source_end: Id("odot"), "arrowsize": 0.9})
    if reverse or wire.delayed:
        attrs[head] = Id("normal")
    return attrs


def _signal_style(wire: Wire, reverse: bool, head: str) -> Attrs:
    return {"color": TRAINING_COLOUR, "penwidth": 1.2, head: Id("vee")}


def _update_style(wire: Wire, reverse: bool, head: str) -> Attrs:
    return {"color": _double(TRAINING_COLOUR, reverse), "penwidth": 0.9, head: Id("empty"),
            "arrowsize": 1.3}


def _double(colour: str, reverse: bool) -> str:
    """A double line of `colour`: two strokes 4 pt apart, as the key draws it. Graphviz draws
    a list of colours as parallel strokes 2 pt apart, the middle one on the wire's path, and
    gives a head arrow the first colour and a tail arrow the second: a wire written backwards
    (`dir=back`) has its arrow at the tail, so there an invisible stroke comes first."""
    return f"{colour}:invis:{colour}" if not reverse else \
        f"invis:{colour}:invis:{colour}:invis"


def _update_places(wires: list[Wire]) -> dict[int, int]:
    """Each parameter update's place among the updates into its box (0, 1, ...), in the
    scene's order, by the wire's id."""
    seen: Counter = Counter()
    places = {}
    for wire in wires:
        if wire.style == "update":
            places[id(wire)] = seen[wire.dst.node]
            seen[wire.dst.node] += 1
    return places


def _editable(item: Box | Pin | Optimiser | Cluster) -> Attrs:
    """The SVG id and class of a node or frame, for authors editing the picture: a box's class
    names its kind family and trust ("box kind-agent trust-untrusted learned")."""
    if isinstance(item, Box):
        attributes = item.instance.attributes
        names = ["box", f"kind-{item.family.key}"]
        if attributes is not None:
            names.append(f"trust-{attributes.trust}")
            names += ["learned"] if attributes.learned else []
    elif isinstance(item, Pin):
        names = ["port", item.port.direction]
    elif isinstance(item, Optimiser):
        names = ["optimiser"]
    else:
        names = ["diagram"]
    return {"id": item.id, "class": " ".join(names)}


_WIRE_STYLES = {"data": _data_style, "signal": _signal_style, "update": _update_style}
