"""The `wiring` command: a thin layer over the Python API.

Exit codes: 0 clean (warnings allowed), 1 problems found, 2 usage or I/O error.
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
    from .sources import IO_CODES

    if any(d.code in IO_CODES for r in results for d in r.diagnostics):
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

    for code, entry in CODES.items():
        print(f"{code}  {entry.title}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(prog="wiring", description="Typed wiring diagrams for AI-alignment "
                     "proposals: check, analyse and render *.wd files.")
    parser.add_argument("--version", action="version", version=f"wiring {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show Python tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(p):
        p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour in diagnostics (default: when writing to a terminal)")
        p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

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
        if args.debug:
            raise
        print(f"wiring: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in wiring. Run again with --debug for the traceback and report it.",
              file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
