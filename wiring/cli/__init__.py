"""The `wiring` command: a thin layer over the Python API.

Each command's exit codes are in `exits.EXITS` (and in its `--help`): 0 clean (warnings
allowed), 1 problems found, 2 usage or I/O error; `render` and `doctor` add 3 (Graphviz `dot`
not installed) and 4 (`dot` failed). Every file a command writes goes through `output.write`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap

from ..version import install_hint
from . import exits
from .exits import epilog


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with one line, as argparse does
        self.print_usage(sys.stderr)
        self.exit(exits.USAGE, f"{self.prog}: error: {message}\n")


def color_wanted(stream, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def exit_code(results) -> int:
    from ..codes import CODES

    if any(CODES[d.code].usage for r in results for d in r.diagnostics):
        return exits.USAGE
    return exits.OK if all(r.ok for r in results) else exits.PROBLEMS


# The formats for CI of `check` and `lint`, which wiring/cli/formats.py writes: named here so
# that building the parser does not import it.
CI_FORMATS = ("github", "sarif")


def print_ci_format(fmt: str, files) -> None:
    """(file, diagnostics) pairs as GitHub annotations or a SARIF log, on stdout."""
    from .formats import render

    text = render(fmt, files)
    if text:
        print(text)


def print_results(results, fmt: str, color: str, verdicts=None) -> None:
    """Each file's diagnostics (to stderr in text) and its verdict line (to stdout, or to
    `verdicts`: stderr when stdout carries a command's JSON); or every file's diagnostics in
    one of the CI_FORMATS (alone on stdout)."""
    from ..diagnostics import MAX_SHOWN, summary

    if fmt in CI_FORMATS:
        print_ci_format(fmt, [(path, r.diagnostics) for path, r in results])
        return
    if fmt == "json":
        payload = [{"file": path, "ok": r.ok,
                    "diagnostics": [d.model_dump(mode="json") for d in r.diagnostics]}
                   for path, r in results]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    use_color = color_wanted(sys.stderr, color)
    for path, result in results:
        if result.diagnostics:
            print(result.report(color=use_color, limit=MAX_SHOWN), file=sys.stderr)
            print(file=sys.stderr)
        sys.stderr.flush()
        verdict = summary(result.diagnostics)
        status = "ok" if result.ok else "failed"
        print(f"{path}: {status}" + (f" ({verdict})" if verdict else ""), file=verdicts or sys.stdout)


def cmd_check(args) -> int:
    from ..api import check_file

    results = [(path, check_file(path, root=args.root)) for path in args.files]
    print_results(results, args.format, args.color)
    return exit_code([r for _, r in results])


def cmd_schema(args) -> int:
    from ..model import Proposal

    print(json.dumps(Proposal.model_json_schema(), indent=2, sort_keys=True))
    return exits.OK


def cmd_explain(args) -> int:
    from ..codes import CODES, explain

    code = args.code.upper()
    if code not in CODES:
        import difflib

        close = difflib.get_close_matches(code, CODES, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        print(f"wiring: no diagnostic code {args.code}{hint}; `wiring explain --list` lists them",
              file=sys.stderr)
        return exits.USAGE
    print(explain(code))
    return exits.OK


def cmd_codes(args) -> int:
    from ..codes import CODES

    order = {"E": 0, "W": 1, "S": 2}   # errors, warnings, then the analyses' findings
    for code in sorted(CODES, key=lambda c: (order.get(c[0], 3), c)):
        print(f"{code}  {CODES[code].title}")
    return exits.OK


FILE_HELP = "a proposal (.wd), or a model exported with `wiring export` (.json)"
FORMAT_HELP = ("text (default), json, github (GitHub Actions annotations) or sarif (SARIF 2.1.0, "
               "for code scanning): see docs/ci.md")


def whole_number(low: int, high: int | None = None):
    """An argparse type: a whole number from `low` (to `high`), refused with the reason."""
    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low} to {high}")
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below {low}")
        return value
    return read


def add_command(sub, name: str, help: str, description: str, diagnostics: bool = True,
                **more) -> argparse.ArgumentParser:
    """A subcommand whose help ends with its exit codes, and which takes --debug, and --color
    and --root if it reads proposals (and so prints diagnostics)."""
    description = "\n\n".join(textwrap.fill(paragraph, 78)
                                for paragraph in description.split("\n\n"))
    parser = sub.add_parser(name, help=help, description=description, epilog=epilog(name),
                            formatter_class=argparse.RawDescriptionHelpFormatter, **more)
    if diagnostics:
        parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                            help="colour in diagnostics (default: when writing to a terminal)")
        parser.add_argument("--root", metavar="DIR",
                            help="the directory imports must stay inside (default: the "
                            "proposal's directory, or the nearest one above it holding a "
                            "wiring.toml)")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)
    return parser


def _add_check(sub) -> None:
    p = add_command(sub, "check", "type-check proposals and their wiring",
                    "Parse, elaborate and type-check each FILE and what it imports; report every "
                    "problem with its code, place and a help line (diagnostics on stderr, one "
                    "verdict line per file on stdout).")
    p.add_argument("files", nargs="+", metavar="FILE", help=FILE_HELP)
    p.add_argument("--format", choices=("text", "json", *CI_FORMATS), default="text",
                   help=FORMAT_HELP)
    p.set_defaults(run=cmd_check)


def _add_reference_commands(sub) -> None:
    p = add_command(sub, "schema", "print the JSON Schema of exported models",
                    "Print the JSON Schema that `wiring export` documents conform to.",
                    diagnostics=False)
    p.set_defaults(run=cmd_schema)

    p = add_command(sub, "explain", "explain a diagnostic code, e.g. `wiring explain E0203`",
                    "Explain a diagnostic code: what it means, an example that triggers it, "
                    "and how to fix it. Without CODE, or with --list, list every code.",
                    diagnostics=False)
    p.add_argument("code", metavar="CODE", nargs="?")
    p.add_argument("--list", action="store_true", help="list every code")
    p.set_defaults(run=lambda a: cmd_codes(a) if a.list or not a.code else cmd_explain(a))


def cmd_lsp(args) -> int:
    try:   # an optional extra: only this command imports it (pygls 1 lacks this module)
        import pygls.lsp.server  # noqa: F401
    except ImportError:
        print("wiring: the language server needs pygls 2, which is not installed; install it "
              f"with `{install_hint('lsp')}` (scripts/setup.sh does)", file=sys.stderr)
        return exits.USAGE
    from ..lsp.server import main as serve

    return serve()


def _add_lsp(sub) -> None:
    p = add_command(sub, "lsp", "run the language server for editors (LSP over stdio)",
                    "Run the language server: an editor starts it and speaks the Language "
                    "Server Protocol on its standard input and output. It checks and lints "
                    "each open file as it is typed, and answers hover, go to definition, "
                    "find references, completion, rename, outline and formatting requests. "
                    f"Needs pygls: `{install_hint('lsp')}`. See docs/editors.md.",
                    diagnostics=False)
    p.add_argument("--stdio", action="store_true",
                   help="speak over standard input and output (the default and only way; "
                   "accepted because editors pass it)")
    p.set_defaults(run=cmd_lsp)


def build_parser() -> argparse.ArgumentParser:
    from ..version import DISTRIBUTION, __version__
    from .analysis import add_analysis_commands
    from .evaluate import add_evaluate_command
    from .files import add_file_commands
    from .fmt import add_fmt_command
    from .render import add_render_commands
    from .watch import add_watch_command

    parser = _Parser(prog="wiring", description="Typed wiring diagrams for AI-alignment "
                     "proposals: check, analyse and render *.wd files.")
    parser.add_argument("--version", action="version",
                        version=f"wiring {__version__} ({DISTRIBUTION})")
    parser.add_argument("--debug", action="store_true",
                        help="show Python tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_check(sub)
    add_analysis_commands(sub)
    add_evaluate_command(sub)
    add_render_commands(sub)
    add_watch_command(sub)
    add_file_commands(sub)
    add_fmt_command(sub)
    _add_reference_commands(sub)
    _add_lsp(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return exits.USAGE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return exits.INTERRUPTED
    except BrokenPipeError:
        return exits.OK
    except Exception as exc:  # an internal error: a bug in wiring, never the user's fault
        if getattr(args, "debug", False):
            raise
        print(f"wiring: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in wiring. Run again with --debug for the traceback and report it.",
              file=sys.stderr)
        return exits.INTERNAL
