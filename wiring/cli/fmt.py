"""`wiring fmt`: rewrite proposals in the canonical layout (wiring/fmt.py), or, for CI, say
which files are not in it (`--check`) or show how they would change (`--diff`)."""

from __future__ import annotations

import os
import stat
import sys

from . import add_command, color_wanted, exits
from .output import write

STDIN = "-"


def add_fmt_command(sub) -> None:
    p = add_command(sub, "fmt", "lay out proposals in the canonical style",
                    "Rewrite each FILE in place in the one canonical layout of .wd files: the "
                    "indentation, spacing, aligned columns and blank lines of the examples; "
                    "comments stay where they stand and formatting twice changes nothing. "
                    "A file that does not parse is left untouched and its syntax errors are "
                    "reported. `wiring fmt -` formats standard input to standard output. "
                    "--check and --diff write nothing, for CI.", diagnostics=False)
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="a proposal (.wd) to rewrite in place, or `-` for standard input")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--check", action="store_true",
                      help="write nothing; list the files that are not formatted (exit 1 if any)")
    what.add_argument("--diff", action="store_true",
                      help="write nothing; print a unified diff of the changes (exit 1 if any)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour in diagnostics (default: when writing to a terminal)")
    p.set_defaults(run=cmd_fmt)


def cmd_fmt(args) -> int:
    code = exits.OK
    for path in args.files:
        code = max(code, _fmt_one(path, args))
    return code


def _fmt_one(path: str, args) -> int:
    """Format one file (or standard input); its exit code."""
    from ..codes import CODES
    from ..fmt import CannotFormat, format_source

    if path.lower().endswith(".json"):   # a model `wiring export` wrote: not .wd text
        print(f"wiring: {path} is an exported JSON model; fmt lays out .wd proposals",
              file=sys.stderr)
        return exits.USAGE
    text, problem = _read(path)
    shown = "<stdin>" if path == STDIN else path
    if problem is not None:
        _report(shown, [problem], text or "", args.color)
        return exits.USAGE if CODES[problem.code].usage else exits.PROBLEMS
    try:
        formatted = format_source(text, shown)
    except CannotFormat as failure:
        _report(shown, failure.diagnostics, text, args.color)
        return exits.PROBLEMS
    if args.check or args.diff:
        return _compare(shown, text, formatted, args.diff)
    if path == STDIN:
        sys.stdout.write(formatted)
        sys.stdout.flush()
        return exits.OK
    if formatted == text:
        return exits.OK
    return _rewrite(path, formatted)


def _read(path: str):
    from ..sources import decode, read_file

    if path != STDIN:
        return read_file(path)
    return decode("<stdin>", sys.stdin.buffer.read())


def _compare(shown: str, text: str, formatted: str, diff: bool) -> int:
    """--check and --diff: exit 1 when the file would change."""
    if formatted == text:
        return exits.OK
    if diff:
        import difflib

        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(keepends=True), formatted.splitlines(keepends=True),
            f"{shown} (as written)", f"{shown} (formatted)"))
    else:
        print(f"{shown}: not formatted (`wiring fmt {shown}` rewrites it)")
    return exits.PROBLEMS


def _rewrite(path: str, formatted: str) -> int:
    """Replace the file, through a link to what it names, keeping its permissions; a file
    without write permission is refused (even for root, who could replace it)."""
    target = os.path.realpath(path) if os.path.islink(path) else path
    mode = stat.S_IMODE(os.stat(target).st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        print(f"wiring: will not rewrite {path}: it is read-only (`chmod u+w {path}` allows it)",
              file=sys.stderr)
        return exits.USAGE
    if not write(target, formatted.encode("utf-8"), mode=mode):
        return exits.USAGE
    return exits.OK


def _report(shown: str, diagnostics, text: str, color: str) -> None:
    from ..diagnostics import render_text, summary

    use_color = color_wanted(sys.stderr, color)
    print(render_text(diagnostics, {shown: text}, color=use_color), file=sys.stderr)
    print(f"\n{shown}: not formatted ({summary(diagnostics)})", file=sys.stderr)
