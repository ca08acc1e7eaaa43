"""Mermaid output (`wiring render -o fig.mmd`): a scene as a Mermaid flowchart, which GitHub and
many Markdown sites draw from a ```` ```mermaid ```` block.

Built from the same scene as the DOT text (`scene`, with `highlight` laid on it), so what is
drawn (mode, depth, flattening, highlighted witnesses) is decided in one place; the looks are
those of `style` (fills of the kind families, borders by trust, vermilion training, magenta
witnesses) and, with `style="paper"`, the paper style's own choices (`paper`: a box is its
name, port names hidden where `paper.hidden_names` hides them, optimisers as
`paper.optimiser_words`, no frame round the diagram drawn, no title).

- a box is a node: rounded for the families drawn rounded, a cylinder for data, a trapezoid
  for gates, a subroutine (double sides) for a nested diagram drawn as a box; its fill is its
  family's, its border dashed (learned), dotted (the world) or heavy (trusted, human);
- ports are words: on each wire, the ports it joins (and its type with `show_types`); in the
  full style each box also lists its ports; a diagram's own ports are stadium nodes;
- nested diagrams are subgraphs, an optimiser a hexagon; signal wires are vermilion, parameter
  updates thick vermilion, feedback dotted, a delayed wire says so;
- panels (`panels`) are subgraphs side by side, one per mode or top diagram;
- with `legend`, a `key` subgraph of sample boxes and wires, in the legend's words (the paper
  key's in the paper style), in rows as long as the paper key's lines.

Every name reaches Mermaid only inside a double-quoted label, its special characters as
Mermaid's numeric entities (`#34;`), so no name can end a label, open a link or be read as a
keyword (`end`); node ids are made here (`n0`, `g1`), never from names.
"""

from __future__ import annotations

import json
import re

from . import labels, paper
from .scene import Box, Cluster, Optimiser, Pin, Ref, Scene, Wire
from .labels import WIRE_WORDS
from .style import (BORDER_PATTERN, BORDERS, FADE, FEEDBACK_COLOUR, FAMILY, HEAVY_BORDERS,
                    HIGHLIGHT_COLOUR, INK, MARKER, TRAINING_COLOUR, dark, fill, grey_of, tint)
from ..types import show_expr, show_type

# Characters that mean something to Mermaid or to the HTML of its labels, and control
# characters: written as numeric entities (`#35;` is `#`), which Mermaid shows as text.
_SPECIAL = re.compile(r'["#&<>;%|`\\\[\]{}()\x00-\x1f\x7f]')
# A box's shape by its kind family (Mermaid's shapes; "[", "]" for the rest, "(", ")" for
# the families drawn rounded).
_SHAPES = {"data": ('[("', '")]'), "gate": ('[/"', '"\\]'), "system": ('[["', '"]]')}
_DASHES = {"dashed": "6 3", "dotted": "1 4"}


def _shape(family: str) -> tuple[str, str]:
    """The opening and closing of a box's label: its shape, by its kind family."""
    if family in _SHAPES:
        return _SHAPES[family]
    return ('("', '")') if FAMILY[family].rounded else ('["', '"]')


def text(value: str) -> str:
    """A name or note as the inside of a Mermaid double-quoted label: special characters as
    entities, line breaks as <br>."""
    lines = str(value).split("\n")
    return "<br>".join(_SPECIAL.sub(lambda m: f"#{ord(m[0])};", line) for line in lines)


def mermaid_text(panels: list[tuple[str | None, Scene]], options) -> str:
    """The Mermaid flowchart of one scene (`panels` of one, titled None), or of several side
    by side, each a subgraph titled by its mode or diagram."""
    writer = _Writer(options)
    for number, (title, scene) in enumerate(panels):
        if title is None:
            writer.scene(scene, "", 1)
        else:
            writer.lines += [f'  subgraph p{number}["<b>{text(title)}</b>"]',
                             f"    direction {options.direction}"]
            writer.scene(scene, f"p{number}_", 2)
            writer.lines.append("  end")
            writer.frames.append((f"p{number}", f"fill:#FFFFFF,stroke:{INK},stroke-width:1px"))
    if len(panels) > 1:     # the panels in their order along the flow
        writer.invisible.append(" ~~~ ".join(f"p{n}" for n in range(len(panels))))
    if options.legend:
        writer.legend([scene for _, scene in panels])
    head = _front_matter(panels[0][1], options) + [f"flowchart {options.direction}"]
    return "\n".join(head + writer.lines + writer.edge_lines()
                     + [f"  {link}" for link in writer.invisible] + writer.style_lines()) + "\n"


def _front_matter(scene: Scene, options) -> list[str]:
    """The title (the proposal's, the diagram's name and mode), in the full style with
    `title`: YAML front matter, the text as a JSON string (valid YAML, any character)."""
    if options.style == "paper" or not options.title:
        return []
    words = [scene.proposal.title] if scene.proposal.title else []
    if scene.diagram is not None and not options.panels:
        words.append(f"diagram {scene.diagram.name}" +
                     (f" \u00b7 mode {options.mode}" if options.mode else ""))
    if not words:
        return []
    return ["---", "title: " + json.dumps(" \u00b7 ".join(words), ensure_ascii=False), "---"]


class _Writer:
    def __init__(self, options):
        self.options = options
        self.paper = options.style == "paper"
        self.lines: list[str] = []
        self.edges: list[tuple[str, str]] = []          # (statement, its linkStyle)
        self.classes: dict[str, str] = {}               # class name -> classDef style
        self.members: dict[str, list[str]] = {}         # class name -> node ids
        self.frames: list[tuple[str, str]] = []         # (subgraph id, style)
        # invisible links (`~~~`) that only place things: written after every wire, so that
        # they take no wire's linkStyle number
        self.invisible: list[str] = []
        self.ids: dict[str, str] = {}

    def id(self, key: str, prefix: str) -> str:
        """The Mermaid id of a scene id: made here, in drawing order."""
        made = self.ids.get(key)
        if made is None:
            made = self.ids[key] = f"{prefix}{len(self.ids)}"
        return made

    def colour(self, colour: str, faded: bool = False) -> str:
        colour = tint(colour, FADE) if faded else colour
        return grey_of(colour) if self.options.theme == "grey" else colour

    # nodes and frames -------------------------------------------------------------------------
    def scene(self, scene: Scene, panel: str, depth: int) -> None:
        self.current, self.panel = scene, panel
        self.hidden = paper.hidden_names(scene) if self.paper else set()
        self.words = paper.optimiser_words(scene)
        stack: list[tuple[Cluster | None, int]] = [(scene.root, depth)]
        while stack:
            cluster, depth = stack.pop()
            if cluster is None:             # the end of a frame
                self.lines.append("  " * depth + "end")
                continue
            framed = not (cluster.frame and self.paper)
            indent = "  " * (depth + (1 if framed else 0))
            if framed:
                # a subgraph lays out top to bottom unless told: the diagram's direction
                self.lines += ["  " * depth + self.frame(cluster),
                               f"{indent}direction {self.options.direction}"]
                stack.append((None, depth))
            inner = depth + 1 if framed else depth
            for item in reversed(cluster.items):
                if isinstance(item, Cluster):
                    stack.append((item, inner))
            for item in cluster.items:
                if not isinstance(item, Cluster):
                    self.lines.append(indent + self.node(item))
        for wire in scene.wires:
            self.edge(wire)

    def key(self, scene_id: str) -> str:
        return self.panel + "\0" + scene_id

    def frame(self, cluster: Cluster) -> str:
        ident = self.id(self.key(cluster.id), self.panel + "g")
        codes = self.current.emphasis.get(cluster.id)
        faded = self.faded(cluster.id)
        if cluster.instance is None:
            diagram = self.current.diagram
            label = f"diagram <b>{text(diagram.name)}</b>" if diagram else "components"
        elif self.paper:
            label = f"<b>{text(cluster.instance.name)}</b>"
        else:
            tags = labels.tags(cluster.instance, cluster.family or FAMILY["system"])
            label = (f"<b>{text(cluster.instance.name)}</b> : {text(cluster.inner)}"
                     f"<br>{text(tags)}")
        if codes and not self.paper:
            label = f"{MARKER} {text(' '.join(codes))}<br>" + label
        family = cluster.family
        background = "#FFFFFF" if self.paper or family is None or family.keep is None \
            else tint(family.colour, 0.10)
        stroke = HIGHLIGHT_COLOUR if codes else INK
        style = (f"fill:{self.colour(background, faded)},stroke:{self.colour(stroke, faded)}"
                 + self.border(cluster.border if family else "solid", bool(codes)))
        self.frames.append((ident, style))
        return f'subgraph {ident}["{label}"]'

    def faded(self, scene_id: str) -> bool:
        focus = self.current.focus
        return focus is not None and scene_id not in focus

    def border(self, border: str, witness: bool) -> str:
        width = 3 if witness else 2.5 if border in HEAVY_BORDERS or border == "double" else 1
        dashes = _DASHES.get(BORDER_PATTERN.get(border, ""))
        return f",stroke-width:{width}px" + (f",stroke-dasharray:{dashes}" if dashes else "")

    def node(self, item: Box | Pin | Optimiser) -> str:
        ident = self.id(self.key(item.id), self.panel + "n")
        codes = self.current.emphasis.get(item.id)
        if isinstance(item, Box):
            label, (opening, closing) = self.box_label(item), self.shape(item)
            name = f"{item.family.key}_{item.border}".replace("-", "_")
            background, stroke, border = fill(item.family), INK, item.border
        elif isinstance(item, Pin):
            label, (opening, closing) = self.pin_label(item), ('(["', '"])')
            name, background, stroke, border = "port", "#FFFFFF", INK, "solid"
        else:
            label, (opening, closing) = self.optimiser_label(item), ('{{"', '"}}')
            name, background, stroke, border = ("optimiser", tint(TRAINING_COLOUR, 0.12),
                                                TRAINING_COLOUR, "solid")
        if codes and not self.paper:
            label += f"<br>{MARKER} {text(' '.join(codes))}"
        faded = self.faded(item.id)
        name += "_witness" * bool(codes) + "_faded" * faded
        if codes:
            stroke = HIGHLIGHT_COLOUR
        ink = "#FFFFFF" if dark(background) else INK
        self.classes[name] = (f"fill:{self.colour(background, faded)},"
                              f"stroke:{self.colour(stroke, faded)},"
                              f"color:{self.colour(ink, faded)}"
                              + self.border(border, bool(codes)))
        self.members.setdefault(name, []).append(ident)
        return f"{ident}{opening}{label}{closing}"

    def shape(self, box: Box) -> tuple[str, str]:
        return _shape(box.family.key)

    def box_label(self, box: Box) -> str:
        if self.paper:
            return f"<b>{text(paper.box_name(box))}</b>"
        lines = [f"<b>{text(paper.box_name(box))}</b> : {text(box.box_name)}",
                 text(labels.tags(box.instance, box.family))]
        if box.modes_note:
            lines.append(f"<i>{text(box.modes_note)}</i>")
        for word, side in (("in", box.ins), ("out", box.outs)):
            if side:
                lines.append(f"{word}: " + ", ".join(self.port_text(p) for _, p in side))
        return "<br>".join(lines)

    def port_text(self, port) -> str:
        shown = text(port.name)
        return shown + (f" : {text(show_type(port.type))}" if self.options.show_types else "")

    def pin_label(self, pin: Pin) -> str:
        if self.paper:
            return text(pin.port.name)
        arrow = "\u25ba" if self.options.direction == "LR" else "\u25bc"
        name = self.port_text(pin.port)
        return f"{name} {arrow}" if pin.port.direction == "in" else f"{arrow} {name}"

    def optimiser_label(self, opt: Optimiser) -> str:
        if self.paper:
            return text(self.words[opt.id])
        t = opt.training
        how = t.optimiser + (f"({show_expr(t.argument)})" if t.argument is not None else "")
        return (f"<b>train {text(opt.target_label)}</b> by <b>{text(how)}</b> "
                f"({text(t.family)})<br>{text(t.objective)} {text(show_expr(t.signal))}")

    # wires ------------------------------------------------------------------------------------
    def end(self, ref: Ref) -> str:
        if ref.kind == "cluster" and ref.cluster is not None:
            return self.ids[self.key(ref.cluster)]
        return self.ids[self.key(ref.node)]

    def edge(self, wire: Wire) -> None:
        arrow = {"update": "==>"}.get(wire.style, "-.->" if wire.feedback else "-->")
        label = self.wire_label(wire)
        label = f'|"{label}"|' if label else ""
        self.edges.append((f"  {self.end(wire.src)} {arrow}{label} {self.end(wire.dst)}",
                           self.wire_style(wire)))

    def wire_label(self, wire: Wire) -> str:
        names = [ref.name for ref in (wire.src, wire.dst) if ref.kind == "cell" and ref.name
                 and (ref.node, ref.port) not in self.hidden]
        if wire.style == "update":
            names = []
        words = text(names[0]) if len(set(names)) == 1 else \
            " \u2192 ".join(text(n) for n in names)
        if self.options.show_types and wire.type_text and wire.style == "data":
            words += f" : {text(wire.type_text)}"
        if wire.delayed:
            words += " (a step later)" if words else "a step later"
        return words.strip()

    def wire_style(self, wire: Wire) -> str:
        faded = self.current.focus is not None and not wire.emphasis
        if wire.emphasis:
            colour = INK if self.paper else HIGHLIGHT_COLOUR
            return f"stroke:{self.colour(colour)},stroke-width:3px,stroke-dasharray:6 3"
        if wire.style == "data":
            colour = FEEDBACK_COLOUR if wire.feedback else INK
            return f"stroke:{self.colour(colour, faded)},stroke-width:1.5px"
        colour = INK if self.options.theme == "grey" else TRAINING_COLOUR
        width = 3 if wire.style == "update" else 1.5
        return f"stroke:{self.colour(colour, faded)},stroke-width:{width}px"

    # the key ----------------------------------------------------------------------------------
    def legend(self, scenes: list[Scene]) -> None:
        """What the picture's fills, borders and wires mean (`Scene.legend`, of every panel), as
        a subgraph of sample boxes, and sample wires between small dots: the full style's
        legend words, or the paper style's key words (`paper`). Its ids start with `k`."""
        groups: list[dict] = [{}, {}, {}, {}]
        for scene in scenes:
            for group, keys in zip(groups, scene.legend()):
                group.update(dict.fromkeys(keys))
        families, borders, wires, witness = (list(g) for g in groups)
        if self.paper:
            wires = [k for k in wires if k in paper.WIRE_WORDS]
            witness = witness[:1]
        if not any((families, borders, wires, witness)):
            return
        self.lines += ['  subgraph key["key"]', f"    direction {self.options.direction}"]
        entries: list[tuple[str, str]] = []     # the first and last id of each sample
        for number, family in enumerate(families):
            words = paper.family_words(family) if self.paper else FAMILY[family].label
            entries.append((self.sample(f"kf{number}", words, family, "solid"),) * 2)
        for number, border in enumerate(borders):
            words = paper.BORDER_WORDS[border] if self.paper else BORDERS[border]
            entries.append((self.sample(f"kb{number}", words, None, border),) * 2)
        samples = [(k, Wire(Ref(""), Ref(""), "data", delayed=k == "delayed",
                            feedback=k in ("feedback", "delayed"))) for k in wires] + \
            [(k, Wire(Ref(""), Ref(""), "data", emphasis=True)) for k in witness]
        for number, (name, wire) in enumerate(samples):
            wire.style = name if name in ("signal", "update") else "data"
            words = (paper.WIRE_WORDS["witness" if wire.emphasis else name] if self.paper
                     else WIRE_WORDS[name])
            tail, head = f"kw{number}a", f"kw{number}b"
            self.lines += [f'    {tail}(( )):::dot', f'    {head}(( )):::dot']
            arrow = {"update": "==>"}.get(wire.style, "-.->" if wire.feedback else "-->")
            self.edges.append((f'  {tail} {arrow}|"{text(words)}"| {head}',
                               self.key_wire_style(wire)))
            entries.append((tail, head))
        if samples:
            self.classes["dot"] = f"fill:{self.colour(INK)},stroke:{self.colour(INK)}"
        self.lines.append("  end")
        self.frames.append(("key", f"fill:#FFFFFF,stroke:{self.colour(INK)},stroke-width:1px"))
        # rows of the paper key's length, each entry placed after the one before it
        per_row = paper.KEY_PER_LINE
        for start in range(0, len(entries), per_row):
            row = entries[start:start + per_row]
            self.invisible += [f"{a[1]} ~~~ {b[0]}" for a, b in zip(row, row[1:])]

    def sample(self, ident: str, words: str, family: str | None, border: str) -> str:
        """A sample box of the key: a family's fill and shape, or a border on white."""
        name = f"{family or 'border'}_{border}".replace("-", "_")
        background = fill(FAMILY[family]) if family else "#FFFFFF"
        self.classes.setdefault(name, f"fill:{self.colour(background)},"
                                      f"stroke:{self.colour(INK)},"
                                      f"color:{'#FFFFFF' if dark(background) else INK}"
                                      + self.border(border, False))
        self.members.setdefault(name, []).append(ident)
        opening, closing = _shape(family) if family else ('["', '"]')
        self.lines.append(f"    {ident}{opening}{text(words)}{closing}")
        return ident

    def key_wire_style(self, wire: Wire) -> str:
        focus, self.current.focus = self.current.focus, None     # samples are never faded
        try:
            return self.wire_style(wire)
        finally:
            self.current.focus = focus

    # output -----------------------------------------------------------------------------------
    def edge_lines(self) -> list[str]:
        return [statement for statement, _ in self.edges]

    def style_lines(self) -> list[str]:
        """classDef and class lines for the nodes, style lines for the frames, linkStyle lines
        for the wires (numbered in the order written), grouped by style."""
        lines = [f"  classDef {name} {style}" for name, style in self.classes.items()]
        lines += [f"  class {','.join(ids)} {name}" for name, ids in self.members.items()]
        lines += [f"  style {ident} {style}" for ident, style in self.frames]
        by_style: dict[str, list[str]] = {}
        for number, (_, style) in enumerate(self.edges):
            by_style.setdefault(style, []).append(str(number))
        lines += [f"  linkStyle {','.join(numbers)} {style}"
                  for style, numbers in by_style.items()]
        return lines
