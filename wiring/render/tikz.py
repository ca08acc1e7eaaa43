"""TikZ/PGF output: the picture Graphviz lays out, redrawn as a `tikzpicture` whose text is
LaTeX text, so that a paper's own font sets it. Graphviz does the layout only; its drawing
operations (`dot -Tjson`: polygons, Bézier curves, ellipses and text runs, in points) become
TikZ paths in `bp` (PostScript points, Graphviz's unit), in the order Graphviz draws them, so
that both styles, the themes, highlighting and a `--width` come out as in the SVG.

`--standalone` wraps the picture in a document that `pdflatex` compiles to a page exactly the
picture's size (the width asked for, with `--width`), using only LaTeX's base classes and PGF.
"""

from __future__ import annotations

import re

from .style import DOTTED
from .svg import continues_line

# Graphviz's dash patterns, in points; its dots (1 pt dashes, 6 pt apart) made round
# (`style.DOTTED`)
_DASHES = {"dashed": "dash pattern=on 5bp off 2bp",
           "dotted": f"dash pattern=on {DOTTED[0]}bp off {DOTTED[1]}bp, line cap=round"}
# LaTeX's special characters, each typeset as itself (the rest of ASCII is plain text): those
# LaTeX reads as markup, and those it sets as another glyph in OT1: ?` is ¿ and !` is ¡
# (no ligature: a group between), " is ”, ^ and ~ are accents, and < > | come from a math font
# that a sans family lacks. Those are T1's glyphs (see MACROS).
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
            "#": r"\#", "_": r"\_", "%": r"\%", "^": r"\wiringcircum{}",
            "~": r"\wiringtilde{}", "<": r"\wiringless{}", ">": r"\wiringgreater{}",
            "|": r"\wiringbar{}", '"': r"\wiringquote{}", "-": "-{}", "`": "{`}", "'": "{'}"}
# The least room a centred line leaves at either end of its box (bp) before it is scaled down
_MARGIN = 4.0
_ROOM = "\0room\0"   # where a line's room goes once known: no text can hold a NUL
# Characters the drawing uses beyond ASCII, in what pdflatex has without extra packages.
_SYMBOLS = {"\u00b7": r"\textperiodcentered{}",
            "\u00ab": r"\wiringlaquo{}", "\u00bb": r"\wiringraquo{}",     # see MACROS
            "\u25ba": r"\wiringpointer{}", "\u25b6": r"\wiringpointer{}",
            "\u203c": "!!", "\u2014": "---", "\u2013": "--", "\u25cb": r"$\circ$",
            "\u2192": r"$\rightarrow$", "\u2190": r"$\leftarrow$", "\u2026": r"\dots{}",
            "\u2264": r"$\leq$", "\u2265": r"$\geq$", "\u00d7": r"$\times$",
            "\u2260": r"$\neq$", "\u221e": r"$\infty$", "\u2019": "{'}", "\u2018": "{`}",
            "\u201c": "{``}", "\u201d": "{''}", "\u00a0": "~"}


# Each text is set in the paper's font, which may be wider than the one Graphviz measured (bold
# Computer Modern is): a line wider than Graphviz's measure is scaled down, both ways alike, to
# fit its box (never squeezed: a glyph keeps its shape), and LaTeX's log says so (a warning of
# package `wiring`), rather than run over the box's edge. A glyph OT1 lacks (guillemets, " ^ ~
# < > |) is the font's own where the text's encoding has it (T1, TU, ...), else that of the
# same family in T1 (math's \ll is another sign, and math fonts have no sans serif). A pointer
# (the full style's ►) is amssymb's filled triangle where the paper loads it, else an outline.
# The figure loads no package: these are defined where it is set.
_T1_GLYPHS = (("laquo", "guillemotleft"), ("raquo", "guillemotright"),
              ("quote", "textquotedbl"), ("circum", "textasciicircum"),
              ("tilde", "textasciitilde"), ("less", "textless"), ("greater", "textgreater"),
              ("bar", "textbar"))
MACROS = ("\\providecommand\\wiringfit[2]{\\setbox0\\hbox{#2}\\ifdim\\wd0>#1\\relax"
          "\\PackageWarning{wiring}{a text is scaled down to fit its box}"
          "\\resizebox{#1}{!}{\\box0}\\else\\box0\\fi}\n"
          + "".join(f"\\providecommand\\wiring{name}{{\\ifcsname\\csname f@encoding\\endcsname"
                    f"\\string\\{glyph}\\endcsname\\{glyph}\\else"
                    f"{{\\fontencoding{{T1}}\\selectfont\\{glyph}}}\\fi}}\n"
                    for name, glyph in _T1_GLYPHS)
          + "\\providecommand\\wiringpointer{\\ifdefined\\blacktriangleright"
          "$\\blacktriangleright$\\else$\\triangleright$\\fi}\n")


def tikz_picture(layout: dict, standalone: bool = False) -> str:
    """The `tikzpicture` of a Graphviz layout (`dot -Tjson`), or with `standalone` a LaTeX
    document of one page the picture's size."""
    drawer = _Drawer()
    box = _bounding_box(layout)
    for ops in _operation_lists(layout):
        drawer.run(ops)
    colours = "".join(f"\\definecolor{{{name}}}{{HTML}}{{{value}}}\n"
                      for value, name in drawer.colours.items())
    (x0, y0), (x1, y1) = box
    picture = (f"\\begin{{tikzpicture}}[x=1bp, y=1bp, line join=round, line cap=butt, "
               f"inner sep=0pt, outer sep=0pt]\n{MACROS}{colours}"
               f"\\useasboundingbox ({_n(x0)},{_n(y0)}) rectangle ({_n(x1)},{_n(y1)});\n"
               # `%`: the file's last line end is no space after the picture, which
               # `\input{fig}` on a line of its own would add to the line (overfull)
               + "".join(drawer.lines) + "\\end{tikzpicture}%\n")
    if not standalone:
        return "% wiring: \\usepackage{tikz} in the preamble, then \\input this file\n" + picture
    return _document(picture, x1 - x0, y1 - y0)


def _document(picture: str, width: float, height: float) -> str:
    """A document whose one page is `width` by `height` points (bp), the picture on it."""
    size = f"{width:.2f}bp"
    tall = f"{height:.2f}bp"
    return (
        # fix-cm (LaTeX's own): Computer Modern at every size the layout asks for (a title's
        # 15 pt, math's 5.5), not the nearest of its design sizes, with a warning, instead
        "\\RequirePackage{fix-cm}\n"
        "\\documentclass{article}\n\\usepackage{tikz}\n\\usepackage{amssymb}\n"
        "\\pagestyle{empty}\n"
        # Computer Modern Sans: of LaTeX's base fonts the nearest to the Helvetica Graphviz
        # measured (no text of rlhf's panels needs scaling down; 18 of 33 in the roman)
        "\\renewcommand\\familydefault{\\sfdefault}\n"
        # which has no italic but its slanted, and no symbols (\{, \textbullet) but those
        # of the roman: taken without a warning, as a sans font's own would be
        "\\DeclareFontShape{OT1}{cmss}{m}{it}{<->ssub*cmss/m/sl}{}\n"
        "\\DeclareFontFamily{OMS}{cmss}{}\n"
        + "".join(f"\\DeclareFontShape{{OMS}}{{cmss}}{{{series}}}{{{shape}}}"
                  f"{{<->ssub*cmsy/{weight}/n}}{{}}\n"
                  for series, weight in (("m", "m"), ("bx", "b")) for shape in ("n", "it"))
        # pdfTeX's page size, or LuaTeX's
        + f"\\ifdefined\\pdfpagewidth\\pdfpagewidth={size}\\pdfpageheight={tall}"
        f"\\else\\pagewidth={size}\\pageheight={tall}\\fi\n"
        f"\\paperwidth={size}\n\\paperheight={tall}\n"
        "\\hoffset=-1in\n\\voffset=-1in\n\\oddsidemargin=0pt\n\\evensidemargin=0pt\n"
        "\\topmargin=0pt\n\\headheight=0pt\n\\headsep=0pt\n\\footskip=0pt\n"
        f"\\textwidth={size}\n\\textheight={tall}\n\\parindent=0pt\n\\topskip=0pt\n"
        "\\begin{document}\n" + picture + "\\end{document}\n")


def _bounding_box(layout: dict) -> tuple[tuple[float, float], tuple[float, float]]:
    """The picture's extent with its padding: the graph's background polygon, which Graphviz
    draws over exactly that; else the layout's box."""
    for op in layout.get("_draw_", ()):
        if op.get("op") in ("P", "p") and op.get("points"):
            xs = [p[0] for p in op["points"]]
            ys = [p[1] for p in op["points"]]
            return (min(xs), min(ys)), (max(xs), max(ys))
    from .graphviz import bounding_box

    x0, y0, x1, y1 = bounding_box(layout) if "bb" in layout else (0.0, 0.0, 0.0, 0.0)
    return (x0, y0), (x1, y1)


def _operation_lists(layout: dict):
    """Every list of drawing operations, in the order the SVG draws them: the graph and its
    label, the frames, the boxes, then the wires (`outputorder=nodesfirst`)."""
    yield layout.get("_draw_", [])[1:]              # [0] sets the pen; the background is white
    yield layout.get("_ldraw_", [])
    objects = layout.get("objects", [])
    # Graphviz lists subgraphs (the frames: clusters) first, then the nodes
    frames = [o for o in objects if "nodes" in o or "subgraphs" in o]
    for item in frames + [o for o in objects if not ("nodes" in o or "subgraphs" in o)]:
        yield item.get("_draw_", [])
        yield item.get("_ldraw_", [])
    for edge in layout.get("edges", []):
        for key in ("_draw_", "_tdraw_", "_hdraw_", "_ldraw_", "_tldraw_", "_hldraw_"):
            yield edge.get(key, [])


class _Drawer:
    """Graphviz's drawing state (pen, fill, line style, font) and the TikZ lines made."""

    def __init__(self):
        self.colours: dict[str, str] = {}
        self.lines: list[str] = []

    def run(self, ops: list) -> None:
        self.pen, self.fill, self.width, self.dash = None, None, 1.0, ""
        self.size, self.bold, self.italic = 14.0, False, False
        self.boxes: list[tuple[float, float, float, float]] = []   # shapes drawn so far
        self.line: list[tuple[dict, tuple]] = []     # the text runs of the line being read
        self.sided: list[tuple] = []    # lines aligned to one side of a box, set at the end
        for op in ops:
            kind = op.get("op")
            if kind in ("c", "C"):
                colour = self.colour(op.get("color", ""))
                if kind == "c":
                    self.pen = colour
                else:
                    self.fill = colour
            elif kind == "S":
                self.style(str(op.get("style", "")))
            elif kind == "F":
                self.size = float(op.get("size", self.size))
            elif kind == "t":
                flags = int(op.get("fontchar", 0))
                self.bold, self.italic = bool(flags & 1), bool(flags & 2)
            elif kind == "T":
                self.text(op)
            elif kind in ("p", "P", "L", "b", "B"):   # 2.43 writes an edge's curve as b, a
                #                                     filled rounded frame's as B
                self.set_line()
                self.path(kind, op.get("points", []))
            elif kind in ("e", "E"):
                self.set_line()
                self.ellipse(kind, op.get("rect", [0, 0, 0, 0]))
        self.set_line()
        self.set_sided()

    def colour(self, value: str) -> str | None:
        """A TikZ colour name for a Graphviz colour, or None for a transparent one."""
        value = value.strip().lower()
        names = {"black": "#000000", "white": "#ffffff", "transparent": "#ffffff00",
                 "none": "#ffffff00"}
        value = names.get(value, value)
        if not re.fullmatch(r"#[0-9a-f]{6}([0-9a-f]{2})?", value):
            return "black"
        if len(value) == 9 and value[7:] == "00":
            return None
        rgb = value[1:7].upper()
        return self.colours.setdefault(rgb, f"wd{len(self.colours) + 1}")

    def style(self, text: str) -> None:
        # Graphviz 2.43 may append junk after a style's name ("dashed(dotted,invis,...)"):
        # only setlinewidth takes an argument.
        name, _, rest = text.partition("(")
        name = name.strip()
        if name == "setlinewidth":
            try:
                self.width = float(rest.rstrip(")"))
            except ValueError:
                pass
        elif name == "bold":
            self.width = 2.0
        elif name in _DASHES:
            self.dash = _DASHES[name]
        elif name == "solid":
            self.dash = ""
        elif name in ("invis", "invisible"):
            self.pen = self.fill = None

    def options(self, filled: bool) -> str | None:
        parts = []
        if self.pen is not None:
            parts += [f"draw={self.pen}", f"line width={_n(self.width)}bp"]
            if self.dash:
                parts.append(self.dash)
        if filled and self.fill is not None:
            parts.append(f"fill={self.fill}")
        return ", ".join(parts) if parts else None

    def path(self, kind: str, points: list) -> None:
        options = self.options(kind in ("P", "B"))
        if options is None or len(points) < 2:
            return
        if kind != "L":                 # a cell or a frame, whose text is placed within it
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            self.boxes.append((min(xs), min(ys), max(xs), max(ys)))
        coords = [f"({_n(x)},{_n(y)})" for x, y in points]
        if kind in ("b", "B"):
            steps = [f" .. controls {coords[i]} and {coords[i + 1]} .. {coords[i + 2]}"
                     for i in range(1, len(coords) - 2, 3)]
            body = coords[0] + "".join(steps)
        else:
            body = " -- ".join(coords)
        closed = " -- cycle" if kind in ("p", "P") else ""
        self.lines.append(f"\\path[{options}] {body}{closed};\n")

    def ellipse(self, kind: str, rect: list) -> None:
        options = self.options(kind == "E")
        if options is None:
            return
        x, y, rx, ry = rect
        self.lines.append(f"\\path[{options}] ({_n(x)},{_n(y)}) ellipse "
                          f"[x radius={_n(rx)}, y radius={_n(ry)}];\n")

    def text(self, op: dict) -> None:
        """A text run: the next of the line being read, or the first of a new line."""
        if self.pen is None:
            return
        run = (op, (self.pen, self.size, self.bold, self.italic))
        if not (self.line and continues_line(self.line[-1][0], op)):
            self.set_line()
        self.line.append(run)

    def set_line(self) -> None:
        """The line read, as one node: LaTeX sets its runs one after the other in the paper's
        font (so their spaces are that font's), the line placed as Graphviz aligned it."""
        runs, self.line = self.line, []
        words = "".join(str(op.get("text", "")) for op, _ in runs)
        if not words.strip():
            return
        (first, style), (last, _) = runs[0], runs[-1]
        x0, y = first.get("pt", [0, 0])
        x1 = float(last["pt"][0]) + float(last.get("width", 0))
        measured = sum(float(op.get("width", 0)) for op, _ in runs) + 1   # and a point
        anchor, x, room, reach = _placement(first.get("align"), x0, x1, y, self.boxes, measured)
        pen, size, bold, italic = style
        body = "".join(latex_text(str(op.get("text", ""))) if run == style else
                       f"{{\\color{{{run[0]}}}{_font(*run[1:], reset=True)} "
                       f"{latex_text(str(op.get('text', '')))}}}" for op, run in runs)
        node = (f"\\node[anchor={anchor}, text={pen}, font={{{_font(size, bold, italic)}}}] at "
                f"({_n(x)},{_n(y)}) {{\\wiringfit{{{_ROOM}bp}}{{{body}}}}};\n")
        if reach is not None:    # its room is set with its row's (`set_sided`)
            self.sided.append((len(self.lines), node, anchor, x0, x1, y, room, reach))
        self.lines.append(node.replace(_ROOM, _n(room)))

    def set_sided(self) -> None:
        """Lines aligned to one side of their box (a box's input and output names) may take
        the room up to their box's edge, or to half way to the next line on their row, less
        `_MARGIN`: where the paper's font is wider than Graphviz's measure ("initial" in
        Computer Modern Sans), a name then keeps its size rather than being scaled down."""
        for index, node, anchor, x0, x1, y, room, reach in self.sided:
            row = [(a, b) for _, _, _, a, b, other, *_ in self.sided
                   if abs(other - y) < 0.5 and (a, b) != (x0, x1)]
            if anchor == "base west":
                stop = min([reach] + [(x1 + a) / 2 - _MARGIN / 2 for a, _ in row if a >= x1])
                room = max(room, stop - x0)
            else:
                stop = max([reach] + [(x0 + b) / 2 + _MARGIN / 2 for _, b in row if b <= x0])
                room = max(room, x1 - stop)
            self.lines[index] = node.replace(_ROOM, _n(room))


def _font(size: float, bold: bool, italic: bool, reset: bool = False) -> str:
    """The LaTeX font switches of a text run (`reset`: from another run's font). A line is set
    in the paper's sans serif (`\\sffamily`): the layout was measured in Helvetica, which a
    roman is wider than (Computer Modern's scaled 18 of rlhf's 26 texts down, by up to 14%)."""
    font = ("" if reset else "\\sffamily") + \
        f"\\fontsize{{{_n(size)}}}{{{_n(size * 1.2)}}}\\selectfont"
    font += "\\bfseries" if bold else "\\mdseries" if reset else ""
    font += "\\itshape" if italic else "\\upshape" if reset else ""
    return font


def _placement(align, x0: float, x1: float, y: float, boxes,
               measured: float) -> tuple[str, float, float, float | None]:
    """The anchor, x, room (width it may take before it is scaled down) and, for a line
    aligned to one side of a box, the x it may reach (`set_sided`) of a line Graphviz
    set from `x0` to `x1`, `measured` wide: by its centre where Graphviz centred it, so that a
    font narrower or wider than Graphviz's keeps it centred. Graphviz 2.43 places every line of
    a table by its left end (`align` l), so the alignment is read from the smallest box drawn
    around it: its gaps either side equal (to Graphviz's rounding to whole points) is a
    centred line, else the nearer side is the one it is aligned to. A centred line is alone
    in its box's width, so its room is that width less `_MARGIN` at each end, when that is more
    than Graphviz measured: a wider font takes the room there is. A line aligned to one side
    may have a neighbour on the other (an input's name and an output's): it has what Graphviz
    measured until `set_sided` has seen its whole row."""
    if align == "r":
        return "base east", x0, measured, None
    if align != "l":
        return "base", x0, measured, None
    around = min((box for box in boxes if box[0] - 0.5 <= x0 and x1 <= box[2] + 0.5
                  and box[1] <= y <= box[3]),
                 key=lambda box: (box[2] - box[0]) * (box[3] - box[1]), default=None)
    if around is None:
        return "base west", x0, measured, None
    left, right = x0 - around[0], around[2] - x1
    if abs(left - right) <= 1.5:
        return ("base", (x0 + x1) / 2, max(measured, around[2] - around[0] - 2 * _MARGIN),
                None)
    if left < right:
        return "base west", x0, measured, around[2] - _MARGIN
    return "base east", x1, measured, around[0] + _MARGIN


def latex_text(text: str) -> str:
    """User text as LaTeX typesets it, every special character escaped (nothing in it is read
    as a command). Characters pdflatex cannot set without packages a paper may lack are
    written as their code point, `[U+1F642]`, rather than lost."""
    out = []
    for char in text:
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char in _SYMBOLS:
            out.append(_SYMBOLS[char])
        elif " " <= char <= "~":
            out.append(char)
        elif ("\u00c0" <= char <= "\u00ff" or char in "\u0152\u0153") \
                and char not in "\u00d0\u00de\u00f0\u00fe":
            out.append(char)      # Latin letters LaTeX reads as UTF-8 (Ð Þ ð þ need T1: not)
        elif char in "\t\n\r":
            out.append(" ")
        elif ord(char) < 32 or 0x7f <= ord(char) < 0xa0:
            continue                                # control characters
        else:
            out.append(f"[U+{ord(char):04X}]")
    # a run's spaces at its ends are part of the line (" : Policy" follows "pi", a run " "
    # parts "sgd" and "(gradient)"): TeX would drop them from a node's text or at a group's
    # edge, so they are control spaces
    body = "".join(out)
    stripped = body.strip(" ")
    lead = len(body) - len(body.lstrip(" "))
    trail = len(body) - len(body.rstrip(" "))
    return "\\ " * lead + stripped + "\\ " * trail if stripped else "\\ " * len(body)


def _n(value: float) -> str:
    """A coordinate in bp, to a hundredth (Graphviz's own precision)."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
