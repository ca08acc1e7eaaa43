"""The exit codes of every command, in one table: each command's `--help` lists its own, and the
commands return them by name."""

from __future__ import annotations

OK, PROBLEMS, USAGE, NO_DOT, DOT_FAILED, INTERNAL, INTERRUPTED = 0, 1, 2, 3, 4, 70, 130

_USAGE = "usage or I/O error: a bad option, a file that cannot be read or written"
_ALWAYS = [(INTERNAL, "internal error: a bug in wiring (`--debug` shows the traceback)"),
           (INTERRUPTED, "interrupted (Ctrl-C)")]

EXITS: dict[str, list[tuple[int, str]]] = {
    "check": [(OK, "every file checks (warnings allowed)"),
              (PROBLEMS, "a file has errors"), (USAGE, _USAGE)],
    "lint": [(OK, "no error finding stands in any analysed diagram"),
             (PROBLEMS, "an unacknowledged error finding or a failing assertion, or a file "
              "does not check"),
             (USAGE, _USAGE + ", an unknown --diagram")],
    "analyze": [(OK, "every file was analysed (the report states findings, it does not judge)"),
                (PROBLEMS, "a file does not check"),
                (USAGE, _USAGE + ", an unknown --diagram")],
    "evaluate": [(OK, "every evaluate block was evaluated"),
                 (PROBLEMS, "a file does not check, has no evaluate block, or is outside the "
                  "exact class with --exact"),
                 (USAGE, _USAGE)],
    "export": [(OK, "every file's model was written"), (PROBLEMS, "a file does not check"),
               (USAGE, _USAGE + ", or -o naming an input")],
    "diff": [(OK, "no difference"), (PROBLEMS, "differences (or a file does not check)"),
             (USAGE, _USAGE + ", an unknown or ambiguous diagram")],
    "render": [(OK, "the picture was written"),
               (PROBLEMS, "the proposal has errors (they are reported; nothing is drawn), or "
                "the picture is wider than --width or taller than --height at its font size "
                "(a message names an option that fits)"),
               (USAGE, _USAGE + ", an unknown diagram or mode"),
               (NO_DOT, "Graphviz `dot` is not installed: the DOT text was written instead "
                "(OUT with the suffix .dot; nothing with --panels, which needs a layout) and a "
                "message says how to install Graphviz; `wiring doctor` checks the set-up"),
               (DOT_FAILED, "`dot` ran and failed")],
    "watch": [(OK, "stopped with Ctrl-C once watching (errors in the file are reported each "
               "time, not an exit)"),
              (USAGE, _USAGE + ", watchfiles not installed, or the --serve port taken"),
              (NO_DOT, "Graphviz `dot` is not installed")],
    "doctor": [(OK, "rendering works"), (NO_DOT, "`dot` not found"),
               (DOT_FAILED, "`dot` found, but some format fails")],
    "fmt": [(OK, "every file is formatted (or was rewritten so)"),
            (PROBLEMS, "a file does not parse (it is left untouched), or, with --check or "
             "--diff, a file is not formatted"),
            (USAGE, _USAGE + ", or a read-only file")],
    "new": [(OK, "the starter file was written"),
            (USAGE, _USAGE + ", or the file exists already (it is never overwritten)")],
    "schema": [(OK, "the schema was printed"), (USAGE, _USAGE)],
    "lsp": [(OK, "the editor ended the session"),
            (USAGE, "pygls is not installed (the message says how to install it), or a "
             "usage error")],
    "explain": [(OK, "the code was explained (or every code listed)"),
                (USAGE, "no such code, or a usage error")],
}


def epilog(command: str) -> str:
    """The `exit codes:` section of `command`'s help."""
    width = 78
    lines = ["exit codes:"]
    for code, meaning in EXITS[command] + _ALWAYS:
        words, line = meaning.split(), f"  {code:<4}"
        for word in words:
            if len(line) + len(word) + 1 > width and line.strip() != str(code):
                lines.append(line.rstrip())
                line = " " * 6
            line += word + " "
        lines.append(line.rstrip())
    return "\n".join(lines)
