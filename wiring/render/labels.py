"""The HTML-like labels of a picture: boxes, ports of diagrams, optimisers, frames, and the
caption below the picture (title, diagram and mode, findings, citations, legend).

Each function returns label markup; user text goes through `dot.html`/`dot.html_lines`.

- a box is a table whose header names the instance, its component and kind, and whose port
  cells carry the wires (inputs on the left, outputs on the right, or top and bottom with
  `direction="TB"`); the kind family sets the header colour and the «kind» tag, the border
  says trust and learning (double: human, dashed: learned, bold: trusted or formal, dotted:
  environment), rounded corners mark learned-model families;
- a box on the witness of a highlighted finding sits in a thick magenta frame headed by ‼ and
  the finding codes.
"""

from __future__ import annotations

import textwrap

from ..model import Diagram, Instance, Port
from ..types import show_expr, show_type
from .dot import html, html_lines, html_text, short_id
from .svg import LEGEND_HEADING
from .scene import Box, Cluster, Optimiser, Pin, Scene
from .style import (BORDER_PATTERN, BORDERS, FAMILY, FEEDBACK_COLOUR, FONT_PORT, FONT_SMALL,
                    HEAVY_BORDERS, HIGHLIGHT_COLOUR, INK, MARK_GAP, MARK_WIDTH, MARKER, MARKS,
                    PLAIN, TRAINING_COLOUR, Family, dark, tint)
from .style import fill as family_fill

_BR_LEFT = '<BR ALIGN="LEFT"/>'


def tags(instance: Instance, family: Family) -> str:
    """The «kind» and the attributes worth saying: frozen, learned, trust, state, held out."""
    a = instance.attributes
    out = ["\u00ab" + ", ".join((a.kind, *a.also)) + "\u00bb"]
    if instance.shares:
        out.append(f"same parameters as {instance.shares}")
    if instance.snapshot_of:
        out.append(f"frozen copy of {instance.snapshot_of}")
    elif instance.frozen:
        out.append("frozen")
    if a.learned:
        out.append("learned")
    if a.trust not in ("untrusted", "human", "environment") or \
            (a.trust == "untrusted" and (a.learned or family.key in ("agent", "model"))):
        out.append(a.trust)
    elif a.trust == "human" and family.key != "human":
        out.append("human")
    if a.stateful:
        out.append("stateful")
    if a.heldout:
        out.append("held out")
    return " \u00b7 ".join(out)


# ------------------------------------------------------------------------------------- boxes

_CELL = 'BORDER="1" COLOR="#6E6E6E" BGCOLOR="#FFFFFF" CELLPADDING="2"'


def box_label(box: Box, direction: str, show_types: bool) -> str:
    fam = box.family
    body_fill = tint(fam.colour, 0.12) if fam.key not in PLAIN else "#FFFFFF"
    extra = []
    if box.modes_note:
        extra.append(f'<FONT POINT-SIZE="{FONT_SMALL}"><I>{html(box.modes_note)}</I></FONT>')
    for note in box.instance.notes:
        extra.append(f'<FONT POINT-SIZE="{FONT_SMALL}"><I>{html_lines(note, 36)}</I></FONT>')
    if direction == "LR":
        body = _across(box, extra, show_types)
    else:
        body = _downwards(box, extra, show_types)
    return _table(body, box.border, fam.rounded, body_fill)


def _box_header(box: Box, span: int) -> str:
    """The header cell (port `h`, where parameter updates arrive), `span` columns wide: the
    name, the component, the kind and attributes, in the family's colours."""
    fam = box.family
    fill = family_fill(fam)
    ink = "#FFFFFF" if dark(fill) else INK
    name = f'<B>{html(box.label or box.instance.name)}</B>'
    title = (f'<FONT COLOR="{ink}">{name} : {html(box.box_name)}</FONT>' if box.box_name
             else f'<FONT COLOR="{ink}">{name}</FONT>')
    text = tags(box.instance, fam)
    if box.is_diagram:
        text += " \u00b7 diagram" + (f" \u00b7 {box.inner_trainings} training inside"
                                    if box.inner_trainings else "")
    sub = f'<FONT COLOR="{ink}" POINT-SIZE="{FONT_SMALL}">{html(text)}</FONT>'
    rounded = ' STYLE="rounded"' if fam.rounded else ""
    bars = (f' BORDER="{MARK_WIDTH}" SIDES="{MARKS[fam.key]}" COLOR="{INK}"'
            if fam.key in MARKS else "")
    text, padding = f"{title}<BR/>{sub}", 4
    if bars and box.border in BORDER_PATTERN:
        # beside a dashed or dotted border the bars keep MARK_GAP in from it (on it, each
        # dash ran into a bar and the side read as a comb): they go on a cell inside this
        # one, which pads it by the gap and takes the gap from its own padding (same size)
        text = (f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD{bars} '
                f'CELLPADDING="{padding - MARK_GAP}">{text}</TD></TR></TABLE>')
        bars, padding = "", MARK_GAP
    return (f'<TD PORT="h" BGCOLOR="{fill}"{rounded}{bars} CELLPADDING="{padding}" '
            f'COLSPAN="{span}">{text}</TD>')


def _port_text(port: Port, show_types: bool, align: str = "") -> str:
    text = html(port.name)
    if port.merge:
        text += f' <FONT POINT-SIZE="{FONT_SMALL}">({html(port.merge)})</FONT>'
    if show_types:
        # the type of every wire, where it starts (and what each input accepts)
        br = f'<BR ALIGN="{align}"/>' if align else "<BR/>"
        text += (f'{br}<FONT POINT-SIZE="{FONT_SMALL - 1}" COLOR="#555555">'
                 f'{html(show_type(port.type))}</FONT>{br if align else ""}')
    return text


def _across(box: Box, extra: list[str], show_types: bool) -> str:
    """Left to right: the header, then inputs in the left column and outputs in the right."""
    rows = ["<TR>" + _box_header(box, 2) + "</TR>"]
    rows += [f'<TR><TD COLSPAN="2" CELLPADDING="1">{line}</TD></TR>' for line in extra]
    count = max(len(box.ins), len(box.outs))

    def column(ports, row, align):
        if row < len(ports):
            return (f'<TD PORT="{short_id(ports[row][0])}" ALIGN="{align}" {_CELL}>'
                    f'{_port_text(ports[row][1], show_types, align)}</TD>')
        if row == len(ports):
            return f'<TD ROWSPAN="{count - row}"></TD>'
        return ""
    for row in range(count):
        rows.append(f"<TR>{column(box.ins, row, 'LEFT')}{column(box.outs, row, 'RIGHT')}</TR>")
    return "".join(rows)


def _downwards(box: Box, extra: list[str], show_types: bool) -> str:
    """Top to bottom: a strip of inputs above the header, a strip of outputs below."""
    def strip(ports):
        if not ports:
            return ""
        cells = "".join(f'<TD PORT="{short_id(pid)}" {_CELL}>{_port_text(p, show_types)}</TD>'
                        for pid, p in ports)
        return ('<TR><TD CELLPADDING="0"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4">'
                f'<TR>{cells}</TR></TABLE></TD></TR>')
    rows = [strip(box.ins), "<TR>" + _box_header(box, 1) + "</TR>"]
    rows += [f'<TR><TD CELLPADDING="1">{line}</TD></TR>' for line in extra]
    rows.append(strip(box.outs))
    return "".join(rows)


def _table(body: str, border: str, rounded: bool, fill: str) -> str:
    return bordered(body, border, rounded, fill, spacing=2 if rounded else 0)


def bordered(body: str, border: str, rounded: bool, fill: str, *, colour: str = INK,
             padding: int = 3, spacing: int = 0, outer: int = 2) -> str:
    """A box's table with its trust border: double (a table in a table, `outer` points
    apart), dashed, dotted, bold (2 pt) or bold dashed, or solid; rounded corners for the learned-model
    families. The one home of how a border is drawn, in either style."""
    pattern = BORDER_PATTERN.get(border)
    style = (["rounded"] if rounded else []) + ([pattern] if pattern else [])
    width = 2 if border in HEAVY_BORDERS else 1
    attrs = (f'BORDER="{width}" CELLBORDER="0" CELLSPACING="{spacing}" '
             f'CELLPADDING="{padding}" COLOR="{colour}" BGCOLOR="{fill}"')
    if style:
        attrs += f' STYLE="{",".join(style)}"'
    inner = f"<TABLE {attrs}>{body}</TABLE>"
    if border == "double":
        outer_style = ' STYLE="rounded"' if rounded else ""
        return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{outer}" '
                f'COLOR="{colour}" BGCOLOR="#FFFFFF"{outer_style}><TR><TD>{inner}</TD></TR>'
                '</TABLE>')
    return inner


# ------------------------------------------------------------------- other nodes and frames

def optimiser_how(training) -> str:
    """How an optimiser trains, as written: `best_of(n)`, `ppo`."""
    if training.argument is None:
        return training.optimiser
    return f"{training.optimiser}({show_expr(training.argument)})"


def optimiser_label(opt: Optimiser) -> str:
    t = opt.training
    how = optimiser_how(t)
    signal = show_expr(t.signal)
    notes = "".join(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{FONT_SMALL}"><I>'
                    f'{html_lines(n, 40)}</I></FONT></TD></TR>' for n in t.notes)
    return (f'<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="rounded" '
            f'COLOR="{TRAINING_COLOUR}" BGCOLOR="{tint(TRAINING_COLOUR, 0.12)}">'
            f'<TR><TD><FONT COLOR="{TRAINING_COLOUR}"><B>train {html(opt.target_label)}</B>'
            f'</FONT> by <B>{html(how)}</B> <FONT POINT-SIZE="{FONT_SMALL}">({html(t.family)})'
            f'</FONT></TD></TR>'
            f'<TR><TD><FONT POINT-SIZE="{FONT_PORT}">{html(t.objective)} '
            f'{html_lines(signal, 44)}</FONT></TD></TR>{notes}</TABLE>')


def pin_label(pin: Pin, show_types: bool, direction: str) -> str:
    arrow = "\u25ba" if direction == "LR" else "\u25bc"    # the way data flows (► ▼: in Liberation Sans)
    text = html(pin.port.name)
    if show_types:
        text += (f'<BR/><FONT POINT-SIZE="{FONT_SMALL - 1}" COLOR="#555555">'
                 f'{html(show_type(pin.port.type))}</FONT>')
    if pin.port.direction == "in":
        text = f"{text} {arrow}"
    else:
        text = f"{arrow} {text}"
    return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" COLOR="{INK}" '
            f'BGCOLOR="#FFFFFF"><TR><TD>{text}</TD></TR></TABLE>')


def cluster_label(cluster: Cluster) -> str:
    """The label of a nested diagram's frame (the diagram drawn has none: the caption)."""
    if cluster.instance is None:
        return ""
    text = html(tags(cluster.instance, cluster.family or FAMILY["system"]))
    return (f'<B>{html(cluster.instance.name)}</B> : {html(cluster.inner)}{_BR_LEFT}'
            f'<FONT POINT-SIZE="9">{text}</FONT>{_BR_LEFT}')


def codes_line(codes: list[str]) -> str:
    """‼ and finding codes, heading a frame on a witness."""
    return (f'<FONT POINT-SIZE="{FONT_SMALL}" COLOR="{HIGHLIGHT_COLOUR}"><B>{MARKER} '
            f'{html(" ".join(codes))}</B></FONT>{_BR_LEFT}')


def emphasised(label: str, codes: list[str], rounded: bool, direction: str) -> str:
    """A node's HTML label inside a thick magenta frame, with the codes of its findings (the
    frame's width and the ‼ codes survive greyscale). The codes go where no wire ends: below
    the box left to right (parameter updates enter from above), beside it top to bottom."""
    style = ' STYLE="rounded"' if rounded else ""
    per_line = 3 if direction == "LR" else 1
    lines = [" ".join(codes[i:i + per_line]) for i in range(0, len(codes), per_line)]
    text = (f'<FONT POINT-SIZE="{FONT_SMALL}" COLOR="{HIGHLIGHT_COLOUR}"><B>{MARKER} '
            + "<BR/>".join(html(line) for line in lines) + "</B></FONT>")
    if direction == "LR":
        body = (f'<TR><TD>{label}</TD></TR>'
                f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{text}</TD></TR>')
    else:
        body = f'<TR><TD>{label}</TD><TD VALIGN="TOP" BALIGN="LEFT">{text}</TD></TR>'
    return (f'<TABLE BORDER="3" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
            f'COLOR="{HIGHLIGHT_COLOUR}" BGCOLOR="#FFFFFF"{style}>{body}</TABLE>')


# ------------------------------------------------------------------------------------ caption

def frame_label(diagram: Diagram | None, mode: str | None, panels: list[str] = ()) -> str:
    """What the picture is of: the diagram, its mode, what it refines; or the diagrams drawn
    as `panels`, one each."""
    if panels:
        names = ", ".join(f"<B>{html(name)}</B>" for name in panels)
        return f'<FONT POINT-SIZE="11">diagrams {names}, a panel each</FONT>'
    if diagram is None:
        return '<FONT POINT-SIZE="11">components (no diagram)</FONT>'
    what = f"diagram <B>{html(diagram.name)}</B>"
    if mode is not None:
        what += f" \u00b7 mode <B>{html(mode)}</B>"
    elif diagram.modes:
        what += " \u00b7 all modes: " + html(", ".join(diagram.modes))
    if diagram.refines:
        what += f" \u00b7 refines {html(diagram.refines)}"
    return f'<FONT POINT-SIZE="11">{what}</FONT>'


def _row(span: int, content: str, attrs: str = 'ALIGN="LEFT"') -> str:
    return f'<TR><TD {attrs} COLSPAN="{span}">{content}</TD></TR>'


def caption(scene: Scene) -> str:
    """One flat table (Graphviz stretches nested tables to fill their cell): the title,
    the sources, then the legend as (sample, meaning) pairs."""
    options, proposal = scene.options, scene.proposal
    legend, span = legend_rows(scene) if options.legend else ([], 1)
    small = f'<FONT POINT-SIZE="{FONT_SMALL + 1}"'
    rows: list[str] = []
    if options.title and proposal.title:
        rows.append(_row(span, f'<FONT POINT-SIZE="15"><B>{html_lines(proposal.title, 80)}'
                               '</B></FONT>', 'ALIGN="LEFT" BALIGN="LEFT"'))
    if options.title:
        rows.append(_row(span, frame_label(scene.diagram, options.mode,
                                           [p.diagram.name for p in scene.panels])))
    if scene.auto_limited:
        rows.append(_row(span, f'{small}><I>nested diagrams more than {scene.auto_depth} '
                               'levels deep are drawn as boxes (--depth N expands N levels)'
                               '</I></FONT>'))
    rows += findings_rows(scene, span, legend)
    if options.title and proposal.citations:
        text = "".join(html_lines(("After " if n == 0 else "") + c, 110, "LEFT")
                       for n, c in enumerate(proposal.citations))
        text = text[:-len(_BR_LEFT)]
        rows.append(_row(span, f'{small} COLOR="#333333">{text}</FONT>',
                         'ALIGN="LEFT" BALIGN="LEFT"'))
    if legend:
        rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{span}" CELLPADDING="4"><FONT '
                    f'POINT-SIZE="{FONT_SMALL}"><B>{LEGEND_HEADING}</B></FONT></TD></TR>')
        rows += legend
    if not rows:
        return ""
    return '<TABLE BORDER="0" CELLPADDING="1" CELLSPACING="3">' + "".join(rows) + "</TABLE>"


def findings_rows(scene: Scene, span: int, legend: list[str]) -> list[str]:
    """The highlighted findings, one row each: ‼ code, severity and message, wrapped at
    about the legend's width (a wider row would stretch the legend's columns; a message
    cut short would hide what the finding is about)."""
    if scene.findings is None:
        return []
    width = 110
    if legend:
        # a swatch is about as wide as six characters, the gaps between pairs three
        widest = max((len(html_text(row)) + 9 * row.count('<TD ALIGN="LEFT">')
                      for row in legend), default=0)
        width = max(72, min(width, round(1.2 * widest)))
    small = f'<FONT POINT-SIZE="{FONT_SMALL + 1}"'
    head = f'{small} COLOR="{HIGHLIGHT_COLOUR}"><B>{MARKER} '
    rows: list[str] = []
    for f in scene.findings:
        if f.skipped:
            continue
        status = (["acknowledged"] if f.acknowledged is not None else []) + \
            (["not on this picture"] if not f.drawn else [])
        suffix = f" ({', '.join(status)})" if status else ""
        text = f"{f.severity}: {' '.join(f.message.replace('`', '').split())}{suffix}"
        lines = textwrap.wrap(text, width - 8, break_on_hyphens=False) or [""]
        body = _BR_LEFT.join(html(line) for line in lines)
        rows.append(_row(span, f'{head}{html(f.code)}</B></FONT> {small}>{body}</FONT>',
                         'ALIGN="LEFT" BALIGN="LEFT"'))
    notes = _findings_notes(scene)
    if notes:
        rows.append(_row(span, f'{small}><I>{html("; ".join(notes))}</I></FONT>'))
    return rows


def _findings_notes(scene: Scene) -> list[str]:
    """What the caption says about findings it does not draw."""
    notes = []
    if not scene.findings and not scene.missing:
        notes.append("the analyses find nothing to highlight")
    if scene.missing:
        notes.append("no finding " + ", ".join(scene.missing))
    ignored = sum(1 for f in scene.findings if f.skipped)
    if ignored:
        notes.append(f"{ignored} acknowledged finding{'s' if ignored > 1 else ''} not drawn "
                     "(name a code to draw it)")
    return notes


# ------------------------------------------------------------------------------------- legend

def _swatch(attrs: str) -> str:
    """A sample box of the legend, its border and fill on a table of its own: on the cell,
    a dotted border crashes Graphviz 2.43 writing `-Tjson` (or xdot) when a filled table
    follows it, and the SVG and TikZ outputs read that."""
    return (f'<TD><TABLE CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" COLOR="{INK}" {attrs}>'
            '<TR><TD WIDTH="28" HEIGHT="12"></TD></TR></TABLE></TD>')


def _line(attrs: str) -> str:
    return f'<TD FIXEDSIZE="TRUE" WIDTH="30" HEIGHT="8" {attrs}></TD>'


def _family_sample(key: str) -> tuple[str, str]:
    fam = FAMILY[key]
    rounded = ' STYLE="rounded"' if fam.rounded else ""
    if key in MARKS:            # a box with its header's ink bars
        return (f'<TD><TABLE BORDER="1" CELLSPACING="0" CELLPADDING="0" COLOR="{INK}"><TR>'
                f'<TD WIDTH="28" HEIGHT="12" BORDER="{MARK_WIDTH}" SIDES="{MARKS[key]}" '
                f'COLOR="{INK}"></TD></TR></TABLE></TD>'), fam.label
    return _swatch(f'BORDER="1" BGCOLOR="{family_fill(fam)}"{rounded}'), fam.label


def _border_sample(key: str) -> tuple[str, str]:
    if key == "double":
        sample = (f'<TD><TABLE BORDER="1" CELLSPACING="2" CELLPADDING="0" COLOR="{INK}">'
                  f'<TR><TD BORDER="1" WIDTH="22" HEIGHT="6" COLOR="{INK}"></TD></TR>'
                  '</TABLE></TD>')
    else:
        sample = _swatch({"dashed": 'BORDER="1" STYLE="dashed"',
                          "dotted": 'BORDER="2" STYLE="dotted"', "bold": 'BORDER="2"'}[key])
    return sample, BORDERS[key]


# What each wire style (and the emphasis of a witness) means, as the legend says it: the
# Graphviz legend draws a sample of each beside these words, and so does the Mermaid key.
WIRE_WORDS = {"data": "data wire", "feedback": "feedback (closing a loop)",
              "delayed": "delayed: read one step later", "signal": "training signal",
              "update": "optimisation of parameters",
              "witness box": f"{MARKER} on the witness of a finding",
              "witness wire": "wire on a witness"}
_WIRE_SAMPLES = {key: (sample, WIRE_WORDS[key]) for key, sample in {
    "data": _line(f'SIDES="B" BORDER="1" COLOR="{INK}"'),
    "feedback": _line(f'SIDES="B" BORDER="2" STYLE="dashed" COLOR="{FEEDBACK_COLOUR}"'),
    "delayed": (f'<TD><FONT COLOR="{FEEDBACK_COLOUR}" POINT-SIZE="11">'
                '\u2014\u25cb\u25ba</FONT></TD>'),
    "signal": _line(f'SIDES="B" BORDER="1" COLOR="{TRAINING_COLOUR}"'),
    "update": (f'<TD FIXEDSIZE="TRUE" WIDTH="30" HEIGHT="5" SIDES="TB" BORDER="1" '
               f'COLOR="{TRAINING_COLOUR}"></TD>'),
    "witness box": f'<TD WIDTH="30" HEIGHT="14" BORDER="3" COLOR="{HIGHLIGHT_COLOUR}"></TD>',
    "witness wire": _line(f'SIDES="B" BORDER="3" STYLE="dashed" COLOR="{HIGHLIGHT_COLOUR}"'),
}.items()}


def legend_rows(scene: Scene) -> tuple[list[str], int]:
    """Table rows of (sample, meaning) pairs for what this picture uses (`Scene.legend`):
    kind families, border styles, wire styles, highlighting; and how many columns they take."""
    families, borders, wires, witness = scene.legend()
    groups = [[_family_sample(k) for k in families], [_border_sample(k) for k in borders],
              [_WIRE_SAMPLES[k] for k in wires], [_WIRE_SAMPLES[k] for k in witness]]
    per_row = 4
    rows = []
    for items in groups:
        for start in range(0, len(items), per_row):
            cells = "".join(f'{sample}<TD ALIGN="LEFT"><FONT POINT-SIZE="{FONT_SMALL}">'
                            f'{html(text)}</FONT></TD>'
                            for sample, text in items[start:start + per_row])
            rows.append(f"<TR>{cells}</TR>")
    columns = 2 * min(per_row, max(len(items) for items in groups))
    return rows, max(columns, 1)
