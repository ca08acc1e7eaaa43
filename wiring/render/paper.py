"""The paper style (`style="paper"`): labels for a figure printed in a paper, after Catlab.jl.

- a box is its name, one text run (an editable SVG has it as one text element), in a table
  filled by its kind family and bordered by its trust (`style.border_of`); no «kind» line, no
  notes, no ⚠;
- ports are small filled dots on the box's sides (Catlab's port column: 4×4 FIXEDSIZE rounded
  cells, where wires end exactly); a port's name is written beside its dot unless its side has
  one port, or it is one end of a wire joining two ports of the same name, that wire its only
  one, and the other end says the name: never at both ends (`hidden_names`);
- boxes of one kind family are given one size (`Sizes`), from an estimate of text widths: the
  layout is not run first, so the sizes are close, not exact;
- every text is one font size, `font_size` (`--font-size`, else FONT_PAPER); the caption is
  the key of the families, borders and wires a reader could misread drawn (`key_line`); no
  title, no legend.
"""

from __future__ import annotations

from collections import Counter

from .dot import html, short_id
from .labels import bordered, optimiser_how
from .scene import Box, Cluster, Optimiser, Pin, Ref, Scene
from .style import (BORDER_PATTERN, FAMILY, HEAVY_BORDERS, HIGHLIGHT_COLOUR, INK, MARK_GAP,
                    MARK_WIDTH, MARKS, TRAINING_COLOUR, Family)
from .style import fill as family_fill

FONT_PAPER = 10
# How much of a family's colour a box's fill keeps: light enough for black text at any size.
# Average glyph widths of Helvetica, in ems: the estimate behind `Sizes` (Graphviz measures
# text only when it lays the picture out).
_EM_BOLD, _EM_PLAIN = 0.62, 0.55
_DOT = 4            # the side of a port's dot, in points
_ROW = 14           # the spacing of ports along a side, in points
_PAD = 6            # the space around a box's name, in points
_BAND = 4           # the height of the band of a box's other kind, in points
_GAP = 10           # the space between the dots of a top-to-bottom side, in points


def font_size(options) -> float:
    """The one font size of a paper figure: the one asked for (`--font-size`), else
    FONT_PAPER. Box sizes are estimated at it, so that text and boxes scale together."""
    return options.font_pt if options.font_pt is not None else FONT_PAPER


def fill_of(family: Family) -> str:
    return family_fill(family)


# ------------------------------------------------------------------------------- port names

def hidden_names(scene: Scene) -> set[tuple[str, str]]:
    """The box ports (node, cell) whose names are not written: a side with a single port, and
    one end of a wire that joins two ports of the same name and is the only wire at that end,
    where the other end says the name. Never both ends: where either could go unnamed, the
    name is written at the end whose side writes names already (its column's width is paid),
    else at the input (a box's inputs, from several sources, are named in one column)."""
    wires: dict[tuple, list] = {}
    for wire in scene.wires:
        for ref in (wire.src, wire.dst):
            wires.setdefault(ref.key(), []).append(wire)
    sides = {(item.id, cell): (item.id, n) for item in scene.nodes().values()
             if isinstance(item, Box) for n, side in enumerate((item.ins, item.outs))
             for cell, _ in side}
    ports_on = Counter(sides.values())
    alone = {key for key, side in sides.items() if ports_on[side] == 1}

    def free(key: tuple, wire) -> bool:      # a box port whose name the other end could say
        on = wires.get(key, [])
        return key in sides and key not in alone and len(on) == 1 and on[0] is wire
    hidden, either = set(alone), []
    for wire in scene.wires:
        ends = (wire.src.key(), wire.dst.key())
        if not _same_names(wire.src, wire.dst) or not any(free(key, wire) for key in ends):
            continue
        if all(free(key, wire) for key in ends):
            either.append(ends)
        else:       # the other end says it: a pin, or a port with other wires; alone, not
            one, other = ends if free(ends[0], wire) else ends[::-1]
            if other not in alone:
                hidden.add(one)
    pending = {key for ends in either for key in ends}
    naming = Counter(side for key, side in sides.items() if key not in hidden | pending)
    for src, dst in either:
        said = max((src, dst), key=lambda key: (naming[sides[key]] > 0, key == dst))
        hidden.add(src if said == dst else dst)
        naming[sides[said]] += 1
    return hidden


def _same_names(a: Ref, b: Ref) -> bool:
    return a.kind in ("cell", "pin") and b.kind in ("cell", "pin") and a.name == b.name


# ------------------------------------------------------------------------------------ sizes

def _width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * (_EM_BOLD if bold else _EM_PLAIN)


class Sizes:
    """One size per kind family: each box's width and height estimated from its name and
    shown port names, and the largest of its family given to all (as the minimum size of the
    name cell, so that Graphviz can still grow a box whose text is wider than estimated)."""

    def __init__(self, scene: Scene, hidden: set[tuple[str, str]]):
        self.hidden, self.direction = hidden, scene.options.direction
        self.size = font_size(scene.options)
        self.uniform = scene.options.uniform
        self.largest: dict[str, tuple[float, float]] = {}
        for item in scene.nodes().values():
            if isinstance(item, Box):
                w, h = self.natural(item)
                old = self.largest.get(item.family.key, (0, 0))
                self.largest[item.family.key] = (max(old[0], w), max(old[1], h))

    def names(self, box: Box, side) -> list[str]:
        return [p.name if (box.id, cell) not in self.hidden else "" for cell, p in side]

    def _column(self, box: Box, side) -> float:
        """The width of a left or right port column (or of a top or bottom strip)."""
        widths = [_width(n, self.size) + 4 if n else 0 for n in self.names(box, side)]
        if self.direction == "LR":
            return _DOT + max(widths, default=0) if side else 0
        return sum(max(_DOT, w) for w in widths) + _GAP * (len(widths) + 1) if side else 0

    def natural(self, box: Box) -> tuple[float, float]:
        name = _width(box_name(box), self.size, True) + 2 * _PAD
        ins, outs = self._column(box, box.ins), self._column(box, box.outs)
        if self.direction == "LR":
            return ins + name + outs, _ROW * max(len(box.ins), len(box.outs), 1)
        return max(ins, name, outs), self.size + 2 * _PAD

    def name_cell(self, box: Box) -> tuple[int, int]:
        """The minimum width and height of a box's name cell that give it its family's size."""
        width, height = self.largest[box.family.key]
        if not self.uniform:     # its own width, its family's height (which costs no width)
            width = self.natural(box)[0]
        if self.direction == "LR":
            ports = self._column(box, box.ins) + self._column(box, box.outs)
            return round(width - ports), round(height)
        return round(width), round(height)


# ------------------------------------------------------------------------------------ boxes

def box_name(box: Box) -> str:
    """The instance's name; a shared copy's says whose parameters it uses (`b (= a)`)."""
    name = box.label or box.instance.name
    return f"{name} (= {box.instance.shares})" if box.instance.shares else name


def _dot(cell: str) -> str:
    return (f'<TD PORT="{short_id(cell)}" WIDTH="{_DOT}" HEIGHT="{_DOT}" FIXEDSIZE="TRUE" '
            f'BGCOLOR="{INK}" STYLE="rounded"></TD>')


_INNER = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'


def _column(ports: list[tuple[str, str]], inputs: bool, rows: int = 1) -> str:
    """A left (inputs) or right (outputs) column: a dot on the box's side per port, its name
    (if shown) on the inner side; down `rows` rows of the box's table."""
    lines = []
    for cell, name in ports:
        text = f'<TD ALIGN="{"LEFT" if inputs else "RIGHT"}" CELLPADDING="2">{html(name)}</TD>' \
            if name else ""
        spacer = f'<TD HEIGHT="{_ROW}"></TD>' if not name else ""
        cells = [_dot(cell), text or spacer]
        lines.append("<TR>" + "".join(cells if inputs else cells[::-1]) + "</TR>")
    return f'<TD CELLPADDING="0"{_span(rows, "ROWSPAN")}>{_INNER}{"".join(lines)}</TABLE></TD>'


def _strip(ports: list[tuple[str, str]], inputs: bool, columns: int = 1) -> str:
    """A top (inputs) or bottom (outputs) strip: dots on the box's edge, names inside; across
    `columns` columns of the box's table."""
    gap = f'<TD WIDTH="{_GAP}"></TD>'
    dots = gap + "".join(_dot(cell) + gap for cell, _ in ports)
    names = "<TD></TD>" + "".join(f'<TD CELLPADDING="1">{html(n)}</TD><TD></TD>'
                                  for _, n in ports)
    rows = [dots] + ([names] if any(n for _, n in ports) else [])
    if not inputs:
        rows.reverse()
    body = "".join(f"<TR>{r}</TR>" for r in rows)
    return f'<TR><TD CELLPADDING="0"{_span(columns)}>{_INNER}{body}</TABLE></TD></TR>'


def box_label(box: Box, direction: str, sizes: Sizes) -> str:
    ins = [(cell, name) for (cell, _), name in zip(box.ins, sizes.names(box, box.ins))]
    outs = [(cell, name) for (cell, _), name in zip(box.outs, sizes.names(box, box.outs))]
    width, height = sizes.name_cell(box)
    text = f"<B>{html(box_name(box))}</B>"
    if box.also:   # a band of each other kind's fill under the name, as wide as it
        wide = round(max(16, _width(box_name(box), sizes.size, True)) / len(box.also))
        bands = "".join(f'<TD WIDTH="{wide}" HEIGHT="{_BAND}" BGCOLOR="{fill_of(f)}"></TD>'
                        for f in box.also)
        text = (f'{_INNER}<TR><TD COLSPAN="{len(box.also)}">{text}</TD></TR>'
                f'<TR>{bands}</TR></TABLE>')
    marks = _marks(box.family.key)
    # beside a dashed or dotted border a family's ink bars keep MARK_GAP in from it: on it,
    # each dash ran into the bar and the side read as a comb (swiss_cheese's learned gates).
    # The gap, on every side of the name, comes out of its padding: the box keeps its size
    inset = MARK_GAP * (bool(marks) and box.border in BORDER_PATTERN)
    name = (f'<TD PORT="h" CELLPADDING="{_PAD - inset}" WIDTH="{width - 2 * inset}" '
            f'HEIGHT="{height - 2 * inset}"{marks}>{text}</TD>')
    span = 3 if inset else 1          # the rows (and columns) the gaps add round the name
    left = _column(ins, True, span) if ins and direction == "LR" else ""
    right = _column(outs, False, span) if outs and direction == "LR" else ""
    if inset:
        gap = f'<TD WIDTH="{inset}" HEIGHT="{inset}" FIXEDSIZE="TRUE"></TD>'
        spacer = f'<TD COLSPAN="3" HEIGHT="{inset}"></TD>'
        body = f"<TR>{left}{spacer}{right}</TR><TR>{gap}{name}{gap}</TR><TR>{spacer}</TR>"
    else:
        body = f"<TR>{left}{name}{right}</TR>"
    if direction == "TB":
        body = (_strip(ins, True, span) if ins else "") + body + \
            (_strip(outs, False, span) if outs else "")
    return table(body, box.border, box.family.rounded, fill_of(box.family))


def _span(count: int, across: str = "COLSPAN") -> str:
    """A cell's COLSPAN (or ROWSPAN) attribute, where it spans more than one."""
    return f' {across}="{count}"' if count > 1 else ""


def table(body: str, border: str, rounded: bool, fill: str, colour: str = INK) -> str:
    """A box's table with its border, drawn close around the dots and the name."""
    return bordered(body, border, rounded, fill, colour=colour, padding=0, outer=1)


# ------------------------------------------------------------------- other nodes and frames

def pin_label(pin: Pin, direction: str) -> str:
    """An outer port of a diagram: its name and a dot where the wire leaves or arrives."""
    name = f'<TD CELLPADDING="1">{html(pin.port.name)}</TD>'
    dot = (f'<TD WIDTH="{_DOT}" HEIGHT="{_DOT}" FIXEDSIZE="TRUE" BGCOLOR="{INK}" '
           'STYLE="rounded"></TD>')
    cells = [name, dot] if pin.port.direction == "in" else [dot, name]
    body = "".join(f"<TR>{c}</TR>" for c in cells) if direction == "TB" else \
        "<TR>" + "".join(cells) + "</TR>"
    return f"{_INNER}{body}</TABLE>"


def optimiser_label(words: str) -> str:
    """An optimiser (its `optimiser_words`): one text run in the colour of training."""
    return table(f'<TR><TD CELLPADDING="{_PAD - 2}"><FONT COLOR="{TRAINING_COLOUR}">'
                 f'<B>{html(words)}</B></FONT></TD></TR>', "solid", True, "#FFFFFF",
                 TRAINING_COLOUR)


def optimiser_words(scene: Scene) -> dict[str, str]:
    """What each optimiser of the scene says, by id: `train TARGET by OPTIMISER`, and the
    modes it trains in where two would read the same (IDA trains x by distillation in two
    modes; the full style's "only in" note is not drawn here)."""
    optimisers = [o for o in scene.nodes().values() if isinstance(o, Optimiser)]
    words = {o.id: f"train {o.target_label} by {optimiser_how(o.training)}" for o in optimisers}
    seen = Counter(words.values())
    for o in optimisers:
        if seen[words[o.id]] > 1 and o.training.modes:
            words[o.id] += f" in {', '.join(o.training.modes)}"
    return words


def cluster_label(cluster: Cluster) -> str:
    """A nested diagram's frame is named by its instance, one text run."""
    return f"<B>{html(cluster.instance.name)}</B>" if cluster.instance is not None else ""


def emphasised(label: str, rounded: bool) -> str:
    """A node on the witness of a highlighted finding: a thick magenta frame, no glyph."""
    style = ' STYLE="rounded"' if rounded else ""
    return (f'<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" '
            f'COLOR="{HIGHLIGHT_COLOUR}"{style}><TR><TD>{label}</TD></TR></TABLE>')


# ------------------------------------------------------------------------------------ caption

# A sample box of the key: wide enough for three dashes or a row of dots along its top.
SWATCH_WIDTH, SWATCH_HEIGHT = 22, 11


def _swatch(fill: str, style: str = "", border: int = 1) -> str:
    """A sample box of the key, its border on a table of its own (`labels._swatch` says why)."""
    style = f' STYLE="{style}"' if style else ""
    return (f'<TD><TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" '
            f'COLOR="{INK}" BGCOLOR="{fill}"{style}><TR><TD WIDTH="{SWATCH_WIDTH - 2 * border}" '
            f'HEIGHT="{SWATCH_HEIGHT - 2 * border}" FIXEDSIZE="TRUE"></TD></TR></TABLE></TD>')


def _marks(key: str) -> str:
    """The ink bars of a family without a fill (`style.MARKS`: a gate's on both sides of its
    name, a data source's on the left, a nested diagram's on top), as in the full style: in
    the paper style and in grey they are what tells these white boxes apart."""
    return (f' BORDER="{MARK_WIDTH}" SIDES="{MARKS[key]}" COLOR="{INK}"' if key in MARKS
            else "")


def _sample(fill: str, border: str, rounded: bool = False, key: str = "") -> str:
    """A small box filled and bordered as a box of the picture (with its family's bars)."""
    if key in MARKS:
        return (f'<TD><TABLE BORDER="{2 if border in HEAVY_BORDERS else 1}" '
                f'CELLSPACING="0" CELLPADDING="0" COLOR="{INK}" BGCOLOR="{fill}"><TR>'
                f'<TD WIDTH="{SWATCH_WIDTH}" HEIGHT="{SWATCH_HEIGHT}" FIXEDSIZE="TRUE"'
                f'{_marks(key)}></TD></TR>'
                '</TABLE></TD>')
    if border == "double":
        return (f'<TD><TABLE BORDER="1" CELLSPACING="1" CELLPADDING="0" COLOR="{INK}"><TR>'
                f'<TD BORDER="1" WIDTH="{SWATCH_WIDTH - 4}" HEIGHT="{SWATCH_HEIGHT - 4}" '
                f'FIXEDSIZE="TRUE" COLOR="{INK}" '
                f'BGCOLOR="{fill}"></TD></TR></TABLE></TD>')
    style = ["rounded"] if rounded else []
    style += [BORDER_PATTERN[border]] if border in BORDER_PATTERN else []
    return _swatch(fill, ",".join(style), 2 if border in HEAVY_BORDERS else 1)


BAND_WORDS = "band: a second kind"


def _banded(box: Box) -> str:
    """A sample box of the key in a box's fill, with the band of its first other kind."""
    style = ' STYLE="rounded"' if box.family.rounded else ""
    inner = SWATCH_WIDTH - 2
    return (f'<TD><TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" '
            f'COLOR="{INK}" BGCOLOR="{fill_of(box.family)}"{style}>'
            f'<TR><TD COLSPAN="3" WIDTH="{inner}" HEIGHT="3" FIXEDSIZE="TRUE"></TD></TR>'
            f'<TR><TD WIDTH="4" HEIGHT="{_BAND}" FIXEDSIZE="TRUE"></TD>'
            f'<TD WIDTH="{inner - 8}" HEIGHT="{_BAND}" FIXEDSIZE="TRUE" '
            f'BGCOLOR="{fill_of(box.also[0])}"></TD>'
            f'<TD WIDTH="4" HEIGHT="{_BAND}" FIXEDSIZE="TRUE"></TD></TR>'
            f'<TR><TD COLSPAN="3" WIDTH="{inner}" HEIGHT="{SWATCH_HEIGHT - 5 - _BAND}" '
            f'FIXEDSIZE="TRUE"></TD></TR></TABLE></TD>')


def family_words(key: str) -> str:
    """A family's words in the paper key: its first ("policy", not "policy, agent"), since
    the key is read once."""
    return FAMILY[key].label.split(",")[0]


BORDER_WORDS = {"double": "human", "dashed": "learned", "bold": "trusted",
                 "dotted": "environment"}
# A border that means what a family means: one entry in the key when all its boxes have it.
_BORDER_FAMILY = {"double": "human", "dotted": "environment"}


KEY_PER_LINE = 4   # a longer key line would set the width of a narrow figure
# The key's words for the wires it explains (training is vermilion beside its optimiser), and
# for the witnesses of highlighted findings.
WIRE_WORDS = {"feedback": "feedback", "delayed": "read a step later",
              "signal": "training signal", "update": "parameter update",
              "witness": "on a finding's witness"}


def _wire_line(width: int, attributes: str) -> str:
    """A wire's sample in the key: a line `width` thick across the middle of a sample, level
    with the middle of its word (the bottom border of the upper half). A lone half-height cell
    is centred in its row, which set its bottom border a quarter of a sample below the word:
    the training signal read as a third line of the parameter update under it."""
    wide, high = SWATCH_WIDTH - 2, SWATCH_HEIGHT - 2        # within the key's cell padding
    upper = (high + width) // 2
    return (f'<TD WIDTH="{SWATCH_WIDTH}" HEIGHT="{SWATCH_HEIGHT}" FIXEDSIZE="TRUE">'
            f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">'
            f'<TR><TD WIDTH="{wide}" HEIGHT="{upper}" FIXEDSIZE="TRUE" SIDES="B" '
            f'BORDER="{width}" {attributes}></TD></TR>'
            f'<TR><TD WIDTH="{wide}" HEIGHT="{high - upper}" FIXEDSIZE="TRUE"></TD></TR>'
            f'</TABLE></TD>')


_WIRE_KEYS = {
    "feedback": (_wire_line(2, f'STYLE="dashed" COLOR="{INK}"'), WIRE_WORDS["feedback"]),
    "delayed": (f'<TD WIDTH="{SWATCH_WIDTH}" HEIGHT="{SWATCH_HEIGHT}" FIXEDSIZE="TRUE">'
                f'<FONT COLOR="{INK}">\u2014\u25cb\u25ba</FONT></TD>', WIRE_WORDS["delayed"]),
    # an optimiser's wires: the signal it reads, and the double line to the parameters
    "signal": (_wire_line(1, f'COLOR="{TRAINING_COLOUR}"'), WIRE_WORDS["signal"]),
    "update": (f'<TD WIDTH="{SWATCH_WIDTH}" HEIGHT="5" FIXEDSIZE="TRUE" SIDES="TB" BORDER="1" '
               f'COLOR="{TRAINING_COLOUR}"></TD>', WIRE_WORDS["update"])}


def key_line(scene: Scene) -> str:
    """The caption: a key naming the fill of each kind family drawn, each border style drawn
    (`Scene.legend`), the wires a reader could misread (feedback, a wire read a step later, an
    optimiser's signal and update), and the highlight's colour when findings are highlighted;
    on one line, or several of KEY_PER_LINE entries. None without a legend (`--no-legend`)."""
    if not scene.options.legend:
        return ""
    families, borders, wires, witness = scene.legend()
    boxes = {(i.family.key, i.border) for shown in scene.shown()
             for i in shown.nodes().values() if isinstance(i, Box)}
    # a family all of whose boxes have its border shows it in its sample, and the border
    # needs no entry of its own (the words are the same), even where other kinds have it too
    merged = {family: border for border, family in _BORDER_FAMILY.items()
              if border in borders and {b for f, b in boxes if f == family} == {border}}
    pairs = [(_sample(fill_of(FAMILY[k]), merged.get(k, "solid"), FAMILY[k].rounded, k),
              family_words(k)) for k in families]
    banded = next((i for shown in scene.shown() for i in shown.nodes().values()
                   if isinstance(i, Box) and i.also), None)
    if banded is not None:     # the band under a name is not a family's fill of its own
        pairs.append((_banded(banded), BAND_WORDS))
    pairs += [(_sample("#FFFFFF", key), BORDER_WORDS[key]) for key in borders
              if key not in merged.values()]
    # a dashed wire is not a learned box, and the ring where a wire leaves says when it is read
    pairs += [_WIRE_KEYS[key] for key in wires if key in _WIRE_KEYS]
    if witness:
        pairs.append((f'<TD WIDTH="{SWATCH_WIDTH}" HEIGHT="{SWATCH_HEIGHT}" FIXEDSIZE="TRUE" '
                      f'BORDER="2" '
                      f'COLOR="{HIGHLIGHT_COLOUR}"></TD>', WIRE_WORDS["witness"]))
    if not pairs:
        return ""
    rows = []
    for line in _key_lines(pairs, scene.options):
        # the sample, a gap, its word, a wider gap before the next sample
        cells = "".join(f'{sample}<TD WIDTH="2"></TD><TD ALIGN="LEFT">{html(text)}</TD>'
                        f'<TD WIDTH="6"></TD>' for sample, text in line)
        rows.append(f"<TR>{cells}</TR>")
    return f'<TABLE BORDER="0" CELLPADDING="1" CELLSPACING="1">{"".join(rows)}</TABLE>'


def _key_lines(pairs: list, options) -> list[list]:
    """The key's entries in lines of KEY_PER_LINE, or at a set width (`--width`) of as many as
    fit in it: the key should never be what makes a figure too wide. The lines are rows of one
    table, whose columns line up, so a column is as wide as its widest entry (a line of three
    short words under one of long ones took 3.32 in at 3.25). A word's width is guessed
    generously (0.55 em a character; Helvetica's average is about 0.5; the cells' room is
    guessed generously too)."""
    # Graphviz keeps 8 pt each side of a graph label, `fit` 2 pt of pad each side: 20, and 4 spare
    room = (options.width_pt or float("inf")) - 24
    size = options.font_pt or 10
    # the sample, its gap, the word and the gap after it, each cell padded 1 pt a side and
    # spaced 1 pt from the next (the key's table)
    needs = [SWATCH_WIDTH + 2 + 0.55 * size * len(text) + 6 + 4 * 2 + 4 for _, text in pairs]

    def wide(lines: list[list]) -> float:       # the columns' widths, each its widest entry's
        return sum(max(line[c] for line in lines if c < len(line))
                   for c in range(max(map(len, lines))))
    columns = next((n for n in range(KEY_PER_LINE, 1, -1)
                    if wide(_lines_of(needs, n, False)) <= room), 1)
    # as many lines, the entries shared out evenly where that fits: nine as three lines of
    # three, not one alone under two of four
    even = wide(_lines_of(needs, columns, True)) <= room
    return _lines_of(pairs, columns, even)


def _lines_of(items: list, columns: int, even: bool) -> list[list]:
    """`items` in lines of `columns`, the last perhaps shorter; or (`even`) in as many lines,
    their lengths differing by one at most, the longer first."""
    lines = -(-len(items) // columns)
    sizes = [len(items) // lines + (line < len(items) % lines) for line in range(lines)] \
        if even else [columns] * lines
    starts = [sum(sizes[:line]) for line in range(lines)]
    return [items[start:start + size] for start, size in zip(starts, sizes)]


