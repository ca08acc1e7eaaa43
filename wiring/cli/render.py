"""`wiring render` and `wiring doctor`: drawing a diagram with Graphviz."""

from __future__ import annotations

import os
import sys

from . import FILE_HELP, add_command, exits, exit_code, print_results
from .output import can_write, write


def cmd_render(args) -> int:
    from ..api import check_file
    from ..render import INSTALL_HINT, DotNotFound, RenderError, to_dot

    highlight = _render_file(args)
    if args.file is None:
        print("wiring render: FILE is required (see `wiring render --help`)", file=sys.stderr)
        return exits.USAGE
    target = _render_target(args)
    if target is None:
        return exits.USAGE
    fmt, out = target
    if not can_write(out):
        return exits.USAGE
    if args.depth is not None and args.depth < 0:
        print("wiring: --depth must be 0 or more", file=sys.stderr)
        return exits.USAGE
    if args.standalone and fmt != "tex":
        print(f"wiring: --standalone is for TikZ output (.tex), not {fmt}", file=sys.stderr)
        return exits.USAGE
    if args.panels == "diagrams" and args.diagram is not None:
        print("wiring: --panels diagrams draws every top diagram, one panel each: leave out "
              "--diagram", file=sys.stderr)
        return exits.USAGE
    result = check_file(args.file, root=args.root)
    if not result.ok or result.proposal is None:
        print_results([(args.file, result)], "text", args.color)
        return exit_code([result])
    if args.panels != "diagrams":
        say_which_diagram(args.file, result.proposal, args.diagram)
    _say_one_panel(result.proposal, args.diagram, args.panels)
    if fmt == MERMAID:
        return _mermaid(args, result, highlight, out)
    _say_font_substitute(args.font)
    try:
        drawing = dict(mode=args.mode, depth=args.depth, flatten=args.flatten,
                       direction=args.direction, show_types=args.types,
                       legend=not args.no_legend, title=not args.no_title,
                       font_size=args.font_size, style=args.style, font=args.font,
                       theme=args.theme, panels=args.panels,
                       **_highlighting(result.proposal, args.diagram, highlight))
        if args.width is None and args.height is None:
            dot_text = to_dot(result.proposal, args.diagram, **drawing)
        else:
            code, dot_text = _fit(result.proposal, args.diagram, args.width, args.height,
                                  drawing)
            if code != exits.OK:
                return code
    except DotNotFound:                  # only panels need Graphviz to make their DOT text
        print(f"wiring: --panels lays each panel out with Graphviz, and `dot` is not installed "
              f"({_where_dot()}); nothing was written.\n{INSTALL_HINT}", file=sys.stderr)
        return exits.NO_DOT
    except RenderError as exc:
        print(f"wiring: {exc}", file=sys.stderr)
        return exits.USAGE
    return _draw(dot_text, fmt, out, args.dpi, [args.file, *result.files], args.width,
                 args.standalone, sized=args.width is not None or args.height is not None)


def _say_one_panel(proposal, diagram: str | None, panels: str | None) -> None:
    """Warn that --panels draws one panel, and say what to use instead (`panels.one_panel`)."""
    from ..render.panels import one_panel

    note = one_panel(proposal, diagram, panels)
    if note is not None:
        print(f"wiring: warning: {note}", file=sys.stderr)


# Mermaid is text laid out by whoever shows it (GitHub, a Markdown site): Graphviz is not run,
# and the sizes on paper are not Mermaid's to set.
MERMAID, MERMAID_SUFFIXES = "mermaid", ("mmd", "mermaid")
_NOT_MERMAID = (("width", "--width"), ("height", "--height"), ("font_size", "--font-size"),
                ("font", "--font"), ("dpi", "--dpi"))


def _mermaid(args, result, highlight: str | None, out: str) -> int:
    """`render --format mermaid` (or `-o fig.mmd`): the Mermaid flowchart, no Graphviz."""
    from ..render import RenderError, to_mermaid

    given = [option for field, option in _NOT_MERMAID if getattr(args, field) is not None]
    if given:
        print(f"wiring: {', '.join(given)} set{'s' * (len(given) == 1)} a size for Graphviz "
              "pictures; a Mermaid chart is sized by the page that shows it: leave "
              f"{'it' if len(given) == 1 else 'them'} out", file=sys.stderr)
        return exits.USAGE
    try:
        text = to_mermaid(result.proposal, args.diagram, mode=args.mode, depth=args.depth,
                          flatten=args.flatten, direction=args.direction,
                          show_types=args.types, legend=not args.no_legend,
                          title=not args.no_title, style=args.style, theme=args.theme,
                          panels=args.panels,
                          **_highlighting(result.proposal, args.diagram, highlight))
    except RenderError as exc:
        print(f"wiring: {exc}", file=sys.stderr)
        return exits.USAGE
    return exits.OK if write(out, text.encode("utf-8"), [args.file, *result.files]) \
        else exits.USAGE


def _fit(proposal, diagram, width: str | None, height: str | None,
         drawing: dict) -> tuple[int, str]:
    """`--width`, `--height`: the exit code and the DOT text padded to the width; a layout
    wider or taller than asked is refused (exit 1), saying which option fits. Without
    Graphviz, the DOT text unpadded, for `_draw` to write and say how to install it."""
    from ..render import DoesNotFit, DotFailed, DotNotFound, fitted_dot, to_dot

    notes: list[str] = []
    try:
        dot_text = fitted_dot(proposal, diagram, width=width, height=height, notes=notes,
                              **drawing)
        for note in notes:
            print(f"wiring: {note}", file=sys.stderr)
        return exits.OK, dot_text
    except DoesNotFit as exc:
        print(f"wiring: {exc}", file=sys.stderr)
        return exits.PROBLEMS, ""
    except DotNotFound:
        return exits.OK, to_dot(proposal, diagram, **drawing)
    except DotFailed as exc:
        print(f"wiring: {exc}", file=sys.stderr)
        return exits.DOT_FAILED, ""


def _say_font_substitute(font: str | None) -> None:
    if font is not None:
        from ..render.graphviz import font_substitute

        other = font_substitute(font)
        if other:
            print(f"wiring: warning: no font family {font!r} here; text is measured and drawn "
                  f"with {other!r} instead", file=sys.stderr)


def say_which_diagram(path: str, proposal, diagram: str | None) -> None:
    """A picture shows one diagram: with several top diagrams and no --diagram, say which."""
    from ..structure import top_diagrams

    tops = [d.name for d in top_diagrams(proposal)]
    if diagram is None and len(tops) > 1:
        others = ", ".join(f"`--diagram {n}`" for n in tops[:-1])
        print(f"wiring: {path} has {len(tops)} top diagrams; drawing `{tops[-1]}` ({others} "
              "draws another)", file=sys.stderr)


def _render_file(args) -> str | None:
    """The --highlight value, after moving a FILE it swallowed (`render --highlight FILE`)
    back to args.file."""
    import re

    highlight = getattr(args, "highlight", None)
    if args.file is None and highlight not in (None, "all") and \
            not re.fullmatch(r"[A-Za-z][0-9]{4}(#\S*)?(\s*,\s*[A-Za-z][0-9]{4}(#\S*)?)*,?",
                             highlight.strip()):
        args.file, highlight = highlight, "all"
    return highlight


def _render_target(args) -> tuple[str, str] | None:
    """The picture's format and path: --format, else OUT's suffix, else svg; OUT defaults to
    FILE's stem in the current directory. None (reported) when OUT's suffix is unknown."""
    from ..render import FORMATS

    fmt, out = args.render_format, args.output
    if fmt is None:
        suffix = os.path.splitext(out)[1].lower().lstrip(".") if out and out != "-" else ""
        if suffix in MERMAID_SUFFIXES:
            suffix = MERMAID
        if suffix and suffix not in FORMATS + (MERMAID,):
            print(f"wiring: cannot tell the format from `{out}`; use --format "
                  f"({', '.join(FORMATS + (MERMAID,))})", file=sys.stderr)
            return None
        fmt = suffix or "svg"
    name = os.path.splitext(os.path.basename(args.file))[0] + "." + \
        (MERMAID_SUFFIXES[0] if fmt == MERMAID else fmt)
    if out is None:
        out = name
    elif out != "-" and os.path.isdir(out):
        print(f"wiring: cannot write the picture to {out}: it is a directory; name a file, "
              f"such as -o {os.path.join(out, name)}", file=sys.stderr)
        return None
    return fmt, out


def _highlighting(proposal, diagram: str | None, highlight: str | None) -> dict:
    """The highlight options of `to_dot`, analysing once here so that codes asked for but not
    found are reported. Raises RenderError for a bad code."""
    from ..render import highlight_codes
    from ..render.highlight import select
    from ..structure import default_diagram

    if highlight is None:
        return {}
    codes = highlight_codes(highlight)
    top = None if diagram else default_diagram(proposal)
    name = diagram or (top.name if top is not None else None)
    analysis = None
    if name is not None and name in proposal.diagrams:
        from ..analysis import analyse

        analysis = analyse(proposal, name)
    if analysis is not None and codes:
        for missing in select(analysis, codes)[1]:     # "S0201#3 (there are 2)"
            code, _, count = missing.partition(" ")
            print(f"wiring: no {code} finding in `{name}` to highlight{' ' * bool(count)}{count}",
                  file=sys.stderr)
    return {"highlight": highlight, "analysis": analysis}


def _draw(dot_text: str, fmt: str, out: str, dpi: int | None, inputs: list[str],
          width: str | None = None, standalone: bool = False, sized: bool = False) -> int:
    """Lay out the DOT text with Graphviz and write the picture (at `width`, for DOT text
    fitted to it); without Graphviz, write the DOT text instead and say how to install it."""
    from ..render import INSTALL_HINT, DotFailed, DotNotFound, run_dot, sized_picture

    notes: list[str] = []
    try:
        data = (run_dot(dot_text, fmt, dpi=dpi, notes=notes, standalone=standalone)
                if not sized else
                sized_picture(dot_text, fmt, width, dpi=dpi, notes=notes, standalone=standalone))
    except DotNotFound:
        dot_path = out if out == "-" else os.path.splitext(out)[0] + ".dot"
        if not write(dot_path, dot_text.encode("ascii"), inputs):
            return exits.USAGE
        if dot_path == "-":
            done, later = "wrote the DOT text to standard output", f"dot -T{fmt} FILE.dot"
        else:
            done, later = f"wrote {dot_path} instead", f"dot -T{fmt} {dot_path} -o {out}"
        # TikZ is drawn by wiring from Graphviz's layout: `dot` alone cannot make it
        again = ("Afterwards run this command again." if fmt == "tex" else
                 f"Afterwards run this command again, or: {later}")
        kind = "TikZ" if fmt == "tex" else fmt.upper()
        print(f"wiring: cannot draw {kind}: Graphviz `dot` is not installed ({_where_dot()}); "
              f"{done}.\n{INSTALL_HINT}\n{again}", file=sys.stderr)
        return exits.NO_DOT
    except DotFailed as exc:
        print(f"wiring: {exc}", file=sys.stderr)
        return exits.DOT_FAILED
    for note in notes:
        print(f"wiring: {note}", file=sys.stderr)
    if not write(out, data, inputs):
        return exits.USAGE
    return exits.OK


def _where_dot() -> str:
    """Why `dot` was not found: $WIRING_DOT names no program, or none is on PATH."""
    return (f"$WIRING_DOT={os.environ['WIRING_DOT']} is not a program"
            if os.environ.get("WIRING_DOT") else "not found on PATH")


def _dpi(text: str) -> int:
    """`--dpi N`: Graphviz crashes below 1 dpi and takes minutes and gigabytes far above."""
    import argparse

    from ..render.graphviz import MAX_DPI, MIN_DPI

    try:
        dpi = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise argparse.ArgumentTypeError(f"{dpi} is outside {MIN_DPI} to {MAX_DPI}")
    return dpi


def _size(parser: str):
    """An argparse type for `--width`, `--font-size` or `--font`: the text as given, once it
    parses (with `wiring.render.options.<parser>`, imported only then: `--help` stays fast)."""
    import argparse

    def check(text: str) -> str:
        from ..render import RenderError, options

        try:
            getattr(options, parser)(text)
        except RenderError as exc:
            # argparse names the option already: "argument --width: must be ..."
            raise argparse.ArgumentTypeError(str(exc).split(" ", 1)[1]) from None
        return text
    return check


def cmd_doctor(args) -> int:
    from ..render import doctor

    ok, lines = doctor()
    print("\n".join(lines))
    if ok:
        return exits.OK
    from ..render import find_dot

    return exits.NO_DOT if find_dot() is None else exits.DOT_FAILED


RENDER_HELP = (
    "Draw one diagram of a proposal with Graphviz, or as a Mermaid chart.\n\n"
    "The format comes from --format, else from the suffix of OUT (.svg .png .pdf .tex .dot "
    ".mmd), else svg; .tex is a TikZ picture for LaTeX, its text in the paper's own font (with "
    "--standalone, a document pdflatex compiles to a page the picture's size); .mmd is a "
    "Mermaid flowchart, which GitHub draws from a ```mermaid block of Markdown (no Graphviz "
    "needed; --width, --height, --font, --font-size and --dpi do not apply). Without -o the picture is written to the current directory as FILE's stem plus the "
    "format's suffix; `-o -` writes to standard output. Files are written whole or not at all, "
    "never over an input.")


def _add_paper_options(p) -> None:
    """The options of a figure for a paper: its look, its width and its text."""
    p.add_argument("--style", choices=("full", "paper"), default="full",
                   help="full (default): kinds, trust, notes, title and legend written out; "
                   "paper: a figure for a paper, ports as dots, kind and trust by fill and "
                   "border, a key below (up to four entries a line), no title or legend")
    p.add_argument("--theme", choices=("colour", "grey"), default="colour",
                   help="colour (default); grey: every fill as the grey of its luminance and "
                   "every wire in ink, for black-and-white print")
    p.add_argument("--width", type=_size("parse_width"), metavar="LENGTH",
                   help="the picture's width on paper, such as 3.25in, 6.5in, 17cm, 80mm or "
                   "234pt: a narrower layout is padded to it, never scaled; a wider one is "
                   "refused (exit 1) with an option that fits, such as --direction TB (and "
                   "its height, when taller than a page of text)")
    p.add_argument("--height", type=_size("parse_height"), metavar="LENGTH",
                   help="the most the picture may take down the page, such as 9in (a page "
                   "of text) or 4in: a taller layout is refused (exit 1) with an option that "
                   "fits, such as --panels modes")
    p.add_argument("--font-size", type=_size("parse_font_size"), metavar="PT",
                   help="the smallest text, in points (8pt or 8; 4 to 72), the rest in "
                   "proportion (default: 8 to 9 pt, titles 15)")
    p.add_argument("--font", type=_size("check_font"), metavar="FAMILY",
                   help="the font family of every text, such as \"DejaVu Sans\" (default: "
                   "Helvetica, else Arial, else sans-serif); a warning says when it is not "
                   "installed and another is used")


def add_render_commands(sub) -> None:
    p = add_command(sub, "render", "draw a diagram as SVG, PNG, PDF, TikZ, DOT or Mermaid",
                    RENDER_HELP,
                    usage="wiring render [options] FILE")
    # FILE is optional to argparse only so that `render --highlight FILE` works (an optional
    # value would swallow FILE); cmd_render requires it.
    p.add_argument("file", metavar="FILE", nargs="?", help=FILE_HELP)
    p.add_argument("-o", "--output", metavar="OUT",
                   help="where to write the picture (`-` for standard output)")
    p.add_argument("--format", dest="render_format", choices=("svg", "png", "pdf", "tex", "dot", MERMAID),
                   help="picture format (default: from OUT's suffix, else svg; mermaid: a "
                   "Mermaid flowchart, .mmd)")
    p.add_argument("--standalone", action="store_true",
                   help="with .tex: a whole LaTeX document (pdflatex makes a PDF of one page "
                   "the picture's size), not a tikzpicture to \\input")
    p.add_argument("--diagram", metavar="NAME",
                   help="the diagram to draw (default: the top one, i.e. not used inside "
                   "another diagram; the last declared if several)")
    p.add_argument("--mode", metavar="MODE",
                   help="draw only the boxes, ports and wires active in MODE")
    p.add_argument("--panels", choices=("modes", "diagrams"),
                   help="one picture of several panels side by side (in rows as wide as "
                   "--width): modes, one per mode of the diagram, each with what is active in "
                   "it; diagrams, one per top diagram of the file")
    p.add_argument("--depth", type=int, metavar="N",
                   help="expand nested diagrams N levels deep (0: every nested diagram is one "
                   "box; default: up to 16 levels, as many as fit in 2,000 boxes; the caption "
                   "says when fewer)")
    p.add_argument("--flatten", action="store_true",
                   help="draw expanded nested diagrams without their frames, wires joined")
    p.add_argument("--direction", choices=("LR", "TB"), default="LR",
                   help="left to right (default) or top to bottom")
    p.add_argument("--types", action="store_true",
                   help="show types: each port cell names its type, so every wire's type is "
                   "written where it starts")
    p.add_argument("--no-legend", action="store_true", help="leave out the legend")
    p.add_argument("--no-title", action="store_true",
                   help="leave out the title, diagram name and citations (for a figure whose "
                   "caption is written elsewhere)")
    p.add_argument("--dpi", type=_dpi, metavar="N",
                   help="resolution of PNG output, 10 to 2400 (default 192); a PNG over 100 "
                   "megapixels is scaled down to that, saying so")
    _add_paper_options(p)
    p.add_argument("--highlight", nargs="?", const="all", metavar="CODE[#N]",
                   help="run the analyses (as `wiring lint`) and draw the witness paths of their "
                   "findings: boxes on a witness get a thick magenta frame with the finding "
                   "codes, the wires between them are thick, magenta and dashed (with "
                   "--style paper: thick and in ink, each keeping its line, feedback dashed "
                   "and the rest solid), and the caption lists the findings; a picture or "
                   "panel of one mode draws a finding only if its whole witness is in that "
                   "mode. Alone: every finding "
                   "not acknowledged with `allow`. With a code: its first finding, acknowledged "
                   "or not, and the rest of the picture faded; S0201#2 is the second, in the "
                   "order `wiring lint` lists them; S0201,S0101 one of each")
    p.set_defaults(run=cmd_render)

    p = add_command(sub, "doctor", "report whether Graphviz is available to render, and how "
                    "to get it", "Check that Graphviz `dot` is installed and draws every format "
                    "`wiring render` writes; if not, say how to install it.", diagnostics=False)
    p.set_defaults(run=cmd_doctor)


