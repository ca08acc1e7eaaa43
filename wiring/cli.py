"""The `wiring` command: a thin layer over the Python API.

Exit codes: 0 clean (warnings allowed), 1 problems found, 2 usage or I/O error; `render` and
`doctor` add 3 (Graphviz `dot` not installed) and 4 (`dot` failed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with one line, as argparse does
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _color(stream, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def _exit_code(results) -> int:
    from .codes import CODES

    if any(CODES[d.code].usage for r in results for d in r.diagnostics):
        return EXIT_USAGE
    return EXIT_OK if all(r.ok for r in results) else EXIT_PROBLEMS


def _print_results(results, fmt: str, color: str) -> None:
    from .diagnostics import summary

    if fmt == "json":
        payload = [{"file": path, "ok": r.ok,
                    "diagnostics": [d.model_dump(mode="json") for d in r.diagnostics]}
                   for path, r in results]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    use_color = _color(sys.stderr, color)
    for path, result in results:
        if result.diagnostics:
            print(result.report(color=use_color), file=sys.stderr)
            print(file=sys.stderr)
        sys.stderr.flush()
        verdict = summary(result.diagnostics)
        status = "ok" if result.ok else "failed"
        print(f"{path}: {status}" + (f" ({verdict})" if verdict else ""))


def cmd_check(args) -> int:
    from .api import check_file

    results = [(path, check_file(path)) for path in args.files]
    _print_results(results, args.format, args.color)
    return _exit_code([r for _, r in results])


def cmd_export(args) -> int:
    from .api import check_file

    result = check_file(args.file)
    if not result.ok or result.proposal is None:
        _print_results([(args.file, result)], "text", args.color)
        return _exit_code([result])
    text = result.proposal.model_dump_json(indent=2)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    else:
        print(text)
    return EXIT_OK


def cmd_schema(args) -> int:
    from .model import Proposal

    print(json.dumps(Proposal.model_json_schema(), indent=2, sort_keys=True))
    return EXIT_OK


def cmd_explain(args) -> int:
    from .codes import CODES, explain

    code = args.code.upper()
    if code not in CODES:
        import difflib

        close = difflib.get_close_matches(code, CODES, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        print(f"wiring: no diagnostic code {args.code}{hint}; `wiring explain --list` lists them",
              file=sys.stderr)
        return EXIT_USAGE
    print(explain(code))
    return EXIT_OK


def cmd_codes(args) -> int:
    from .codes import CODES

    order = {"E": 0, "W": 1, "S": 2}   # errors, warnings, then the analyses' findings
    for code in sorted(CODES, key=lambda c: (order.get(c[0], 3), c)):
        print(f"{code}  {CODES[code].title}")
    return EXIT_OK


# ------------------------------------------------------------------------------ render, doctor

EXIT_NO_DOT, EXIT_DOT_FAILED = 3, 4   # render: Graphviz `dot` missing (DOT written) / failed

RENDER_EPILOG = """\
The format comes from --format, else from the suffix of OUT (.svg .png .pdf .dot), else svg.
Without -o the picture is written to the current directory as FILE's stem plus the format's
suffix; `-o -` writes to standard output.

exit codes:
  0  the picture was written
  1  the proposal has errors (they are reported; nothing is drawn)
  2  usage or I/O error, unknown diagram or mode
  3  Graphviz `dot` is not installed: the DOT text was written instead (OUT with the suffix
     .dot) and a message says how to install Graphviz; `wiring doctor` checks the set-up
  4  `dot` ran and failed
"""


def cmd_render(args) -> int:
    from .api import check_file
    from .render import RenderError, to_dot

    highlight = _render_file(args)
    if args.file is None:
        print("wiring render: FILE is required (see `wiring render --help`)", file=sys.stderr)
        return EXIT_USAGE
    target = _render_target(args)
    if target is None:
        return EXIT_USAGE
    fmt, out = target
    if args.depth is not None and args.depth < 0:
        print("wiring: --depth must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    result = check_file(args.file)
    if not result.ok or result.proposal is None:
        _print_results([(args.file, result)], "text", args.color)
        return _exit_code([result])
    try:
        dot_text = to_dot(result.proposal, args.diagram, mode=args.mode, depth=args.depth,
                          flatten=args.flatten, direction=args.direction, show_types=args.types,
                          legend=not args.no_legend, title=not args.no_title,
                          **_highlighting(result.proposal, args.diagram, highlight))
    except RenderError as exc:
        print(f"wiring: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _draw(dot_text, fmt, out, args.dpi)


def _render_file(args) -> str | None:
    """The --highlight value, after moving a FILE it swallowed (`render --highlight FILE`)
    back to args.file."""
    import re

    highlight = getattr(args, "highlight", None)
    if args.file is None and highlight not in (None, "all") and \
            not re.fullmatch(r"[A-Za-z][0-9]{4}(\s*,\s*[A-Za-z][0-9]{4})*,?", highlight.strip()):
        args.file, highlight = highlight, "all"
    return highlight


def _render_target(args) -> tuple[str, str] | None:
    """The picture's format and path: --format, else OUT's suffix, else svg; OUT defaults to
    FILE's stem in the current directory. None (reported) when OUT's suffix is unknown."""
    from .render import FORMATS

    fmt, out = args.render_format, args.output
    if fmt is None:
        suffix = os.path.splitext(out)[1].lower().lstrip(".") if out and out != "-" else ""
        if suffix and suffix not in FORMATS:
            print(f"wiring: cannot tell the format from `{out}`; use --format "
                  f"({', '.join(FORMATS)})", file=sys.stderr)
            return None
        fmt = suffix or "svg"
    if out is None:
        out = os.path.splitext(os.path.basename(args.file))[0] + "." + fmt
    return fmt, out


def _highlighting(proposal, diagram: str | None, highlight: str | None) -> dict:
    """The highlight options of `to_dot`, analysing once here so that codes asked for but not
    found are reported. Raises RenderError for a bad code."""
    from .render import highlight_codes
    from .structure import default_diagram

    if highlight is None:
        return {}
    codes = highlight_codes(highlight)
    top = None if diagram else default_diagram(proposal)
    name = diagram or (top.name if top is not None else None)
    analysis = None
    if name is not None and name in proposal.diagrams:
        from .analysis import analyse

        analysis = analyse(proposal, name)
    if analysis is not None and codes:
        found = {e.code for f in analysis.findings for e in (f, *f.also)}
        for code in sorted(codes - found):
            print(f"wiring: no {code} finding in `{name}` to highlight", file=sys.stderr)
    return {"highlight": highlight, "analysis": analysis}


def _write(path: str, data: bytes) -> bool:
    """Write a picture to `path` (`-`: standard output); False (reported) on failure."""
    try:
        if path == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            with open(path, "wb") as handle:
                handle.write(data)
        return True
    except OSError as exc:
        print(f"wiring: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return False


def _draw(dot_text: str, fmt: str, out: str, dpi: int | None) -> int:
    """Lay out the DOT text with Graphviz and write the picture; without Graphviz, write the
    DOT text instead and say how to install it."""
    from .render import INSTALL_HINT, DotFailed, DotNotFound, run_dot

    try:
        data = run_dot(dot_text, fmt, dpi=dpi)
    except DotNotFound:
        dot_path = out if out == "-" else os.path.splitext(out)[0] + ".dot"
        if not _write(dot_path, dot_text.encode("ascii")):
            return EXIT_USAGE
        if dot_path == "-":
            done, later = "wrote the DOT text to standard output", f"dot -T{fmt} FILE.dot"
        else:
            done, later = f"wrote {dot_path} instead", f"dot -T{fmt} {dot_path} -o {out}"
        where = (f"$WIRING_DOT={os.environ['WIRING_DOT']} is not a program"
                 if os.environ.get("WIRING_DOT") else "not found on PATH")
        print(f"wiring: cannot draw {fmt.upper()}: Graphviz `dot` is not installed ({where}); "
              f"{done}.\n{INSTALL_HINT}\nAfterwards run this command again, or: {later}",
              file=sys.stderr)
        return EXIT_NO_DOT
    except DotFailed as exc:
        print(f"wiring: {exc}", file=sys.stderr)
        return EXIT_DOT_FAILED
    if not _write(out, data):
        return EXIT_USAGE
    if out != "-":
        print(f"wrote {out}")
    return EXIT_OK


def cmd_doctor(args) -> int:
    from .render import doctor

    ok, lines = doctor()
    print("\n".join(lines))
    if ok:
        return EXIT_OK
    from .render import find_dot

    return EXIT_NO_DOT if find_dot() is None else EXIT_DOT_FAILED


def _add_render_commands(sub, common) -> None:
    p = sub.add_parser("render", help="draw a diagram as SVG, PNG, PDF or DOT",
                       description="Draw one diagram of a proposal with Graphviz.",
                       epilog=RENDER_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    # FILE is optional to argparse only so that `render --highlight FILE` works (an optional
    # value would swallow FILE); cmd_render requires it.
    p.add_argument("file", metavar="FILE", nargs="?")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="where to write the picture (`-` for standard output)")
    p.add_argument("--format", dest="render_format", choices=("svg", "png", "pdf", "dot"),
                   help="picture format (default: from OUT's suffix, else svg)")
    p.add_argument("--diagram", metavar="NAME",
                   help="the diagram to draw (default: the top one, i.e. not used inside "
                   "another diagram; the last declared if several)")
    p.add_argument("--mode", metavar="MODE",
                   help="draw only the boxes, ports and wires active in MODE")
    p.add_argument("--depth", type=int, metavar="N",
                   help="expand nested diagrams N levels deep (0: every nested diagram is one "
                   "box; default: all levels)")
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
    p.add_argument("--dpi", type=int, metavar="N",
                   help="resolution of PNG output (default 192)")
    p.add_argument("--highlight", nargs="?", const="all", metavar="CODES",
                   help="run the analyses (as `wiring lint`) and draw the witness paths of their "
                   "findings: boxes on a witness get a thick magenta frame with the finding "
                   "codes, the wires between them are thick, magenta and dashed, and the caption "
                   "lists the findings. Alone: every finding not acknowledged with `allow`; with "
                   "codes (--highlight S0201,S0101): only those, acknowledged ones included")
    common(p)
    p.set_defaults(run=cmd_render)

    p = sub.add_parser("doctor", help="report whether Graphviz is available to render, and how "
                       "to get it",
                       epilog="exit codes: 0 rendering works, 3 `dot` not found, 4 `dot` found "
                       "but some format fails")
    common(p)
    p.set_defaults(run=cmd_doctor)


def _analysed(path: str, args):
    """Check a file, then analyse it: (result, analysis or None, exit code if it stops here)."""
    from .analysis import analyse
    from .api import check_file

    result = check_file(path)
    if not result.ok or result.proposal is None:
        _print_results([(path, result)], "text", args.color)
        return result, None, _exit_code([result])
    if args.diagram and args.diagram not in result.proposal.diagrams:
        print(f"wiring: `{path}` has no diagram `{args.diagram}`; diagrams: "
              + ", ".join(result.proposal.diagrams), file=sys.stderr)
        return result, None, EXIT_USAGE
    analysis = analyse(result.proposal, args.diagram, steps=getattr(args, "steps", None))
    if analysis is None:
        print(f"{path}: no diagram to analyse", file=sys.stderr)
        return result, None, EXIT_OK
    return result, analysis, None


def cmd_lint(args) -> int:
    from .report import lint_json, lint_text

    code = EXIT_OK
    payload = []
    for path in args.files:
        result, analysis, stop = _analysed(path, args)
        if stop is not None:
            code = max(code, stop)
            continue
        if args.format == "json":
            payload.append(lint_json(path, analysis))
        else:
            print(lint_text(path, analysis, result.sources, _color(sys.stdout, args.color)))
        if analysis.failed:
            code = max(code, EXIT_PROBLEMS)
    if args.format == "json":
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    return code


def cmd_analyze(args) -> int:
    from .report import incentives_json, incentives_text

    _, analysis, stop = _analysed(args.file, args)
    if stop is not None:
        return stop
    from .analysis.bounds import bounds
    from .report import bounds_json, bounds_text

    found = bounds(analysis.system)
    if args.format == "json":
        payload = incentives_json(args.file, analysis)
        payload["bounds"] = bounds_json(found)
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(incentives_text(args.file, analysis) + bounds_text(found))
    return EXIT_OK


def cmd_diff(args) -> int:
    from .diff import diff, to_json, to_text

    analyses = []
    for path, diagram in ((args.left, args.diagram), (args.right, args.other_diagram or args.diagram)):
        args.diagram = diagram
        _, analysis, stop = _analysed(path, args)
        if stop is not None:
            return stop if stop != EXIT_OK else EXIT_PROBLEMS
        analyses.append(analysis)
    result = diff(*analyses)
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        print(to_text(result, args.left, args.right))
    return EXIT_OK if result.same else EXIT_PROBLEMS


STARTER = """# {title}: a starter proposal written by `wiring new`.
#
# Replace the boxes and wires below with your proposal's. `wiring check {file}` checks it,
# `wiring lint {file}` runs the alignment analyses, `wiring render {file} -o {stem}.svg` draws
# it. The language is described in docs/language.md; the standard library in wiring/std/.

proposal "{title}"
cites "Author et al. YEAR, Title of the paper, arXiv:XXXX.XXXXX"

import "std/core.wd"                      # Prompt, Response, Score, ...

param beta : Real >= 0 = 0.1              # a coefficient of the training signal

component Model : policy, learned, untrusted {{
  in  prompt   : Prompt
  out response : Response
  note "the model being trained"
}}

component Judge : reward_model, learned, untrusted {{
  in  prompt   : Prompt
  in  response : Response
  out score    : Real in [0, 1]
  note "a learned evaluator of the model's responses"
}}

component Filter : filter, trusted {{
  in  response : Response
  in  score    : Real in [0, 1]
  out passed   : Response
  note "blocks responses the judge scores low: a trusted gate before the world"
}}

diagram {name} {{
  modes train, deploy

  in  prompt   : Prompt
  out response : Response when deploy

  model  = Model
  anchor = frozen model when train        # a snapshot: the KL anchor
  judge  = Judge
  filter = Filter when deploy

  prompt -> model.prompt, judge.prompt
  prompt -> anchor.prompt when train
  model.response -> judge.response
  model.response -> filter.response when deploy
  judge.score -> filter.score when deploy
  filter.passed -> response when deploy

  train model by ppo maximising judge.score - beta * kl(model, anchor) when train

  allow S0101 because "the learned judge is the proxy this design optimises against; the KL anchor limits how far"
  assert gated(model)
}}
"""


def cmd_new(args) -> int:
    import re
    from pathlib import Path

    target = Path(args.name if args.name.endswith(".wd") else args.name + ".wd")
    if target.exists():
        print(f"wiring: `{target}` already exists; choose another name", file=sys.stderr)
        return EXIT_USAGE
    stem = target.stem
    words = re.split(r"[^A-Za-z0-9]+", stem)
    name = "".join(w[:1].upper() + w[1:] for w in words if w) or "Proposal"
    if not name[0].isalpha():
        name = "P" + name
    title = " ".join(w for w in words if w) or "My proposal"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(STARTER.format(title=title, file=target, stem=stem, name=name),
                          encoding="utf-8")
    except OSError as exc:
        print(f"wiring: cannot write `{target}`: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {target}; next: wiring check {target}")
    return EXIT_OK


def _add_analysis_commands(sub, common) -> None:
    p = sub.add_parser("lint", help="run the alignment analyses and the proposal's assertions",
                       epilog="exit codes: 0 no error finding stands, 1 an unacknowledged error "
                       "finding or a failing assertion (or the proposal does not check), 2 "
                       "usage or I/O error")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--diagram", metavar="NAME", help="the diagram to analyse (default: the top one)")
    p.add_argument("--steps", type=_steps, default=None, metavar="K",
                   help="time steps to unroll for the incentive findings (default 3; the report "
                   "says when a loop needs more)")
    common(p)
    p.set_defaults(run=cmd_lint)

    p = sub.add_parser("analyze", aliases=["analyse"],
                       help="incentive report per decision on the diagram unrolled in time")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--diagram", metavar="NAME", help="the diagram to analyse (default: the top one)")
    p.add_argument("--steps", type=_steps, default=None, metavar="K",
                   help="time steps to unroll (default 3; the report says when a loop through "
                   "stateful boxes and delayed wires needs more)")
    common(p)
    p.set_defaults(run=cmd_analyze)

    p = sub.add_parser("diff", help="what changed between two proposals: boxes, wires, "
                       "optimisation, trust and findings",
                       epilog="exit codes: 0 no difference, 1 differences (or a file does not "
                       "check), 2 usage or I/O error")
    p.add_argument("left", metavar="A.wd")
    p.add_argument("right", metavar="B.wd")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--diagram", metavar="NAME", help="the diagram to compare (default: the top one)")
    p.add_argument("--other-diagram", metavar="NAME", help="the diagram of B.wd, if named differently")
    common(p)
    p.set_defaults(run=cmd_diff)

    p = sub.add_parser("new", help="write a commented starter proposal NAME.wd",
                       description="Write NAME.wd: a small commented proposal (a policy, a reward "
                       "model, a trusted monitor) that checks, lints and renders, to edit into "
                       "your own. An existing file is never overwritten.")
    p.add_argument("name", metavar="NAME")
    common(p)
    p.set_defaults(run=cmd_new)


def _steps(text: str) -> int:
    """`--steps K`: the unrolled diagram has a copy of every box per step, so K is bounded."""
    from .analysis.incentives import MAX_STEPS

    try:
        steps = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if not 1 <= steps <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"{steps} is outside 1 to {MAX_STEPS}")
    return steps


def build_parser() -> argparse.ArgumentParser:
    from .version import __version__

    parser = _Parser(prog="wiring", description="Typed wiring diagrams for AI-alignment "
                     "proposals: check, analyse and render *.wd files.")
    parser.add_argument("--version", action="version", version=f"wiring {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show Python tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(p):
        p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour in diagnostics (default: when writing to a terminal)")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help=argparse.SUPPRESS)

    p = sub.add_parser("check", help="type-check proposals and their wiring")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    common(p)
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("export", help="write the checked model as JSON")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("json",), default="json")
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
    common(p)
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("schema", help="print the JSON Schema of exported models")
    common(p)
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("explain", help="explain a diagnostic code, e.g. `wiring explain E0203`")
    p.add_argument("code", metavar="CODE", nargs="?")
    p.add_argument("--list", action="store_true", help="list every code")
    common(p)
    p.set_defaults(run=lambda a: cmd_codes(a) if a.list or not a.code else cmd_explain(a))

    _add_render_commands(sub, common)
    _add_analysis_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # an internal error: a bug in wiring, never the user's fault
        if getattr(args, "debug", False):
            raise
        print(f"wiring: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in wiring. Run again with --debug for the traceback and report it.",
              file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
