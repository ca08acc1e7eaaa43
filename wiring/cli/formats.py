"""`--format github` and `--format sarif` of `wiring check` and `wiring lint`: diagnostics for CI.

`github` prints one GitHub Actions workflow command per diagnostic (`::error file=...::...`),
which GitHub shows as an annotation on the line; `sarif` prints one SARIF 2.1.0 log, which
GitHub code scanning (and other SARIF viewers) read. Both take the diagnostics in the order the
command found them, file by file; neither prints anything else on standard output. This module
is imported only when one of the two formats is asked for (`wiring check` start-up stays lean).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterable, Sequence

from ..diagnostics import Diagnostic, Span
from ..model import from_library

# The schema a SARIF log names; tests/data/sarif/ holds its text, against which the tests
# validate the output.
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}

Files = Sequence[tuple[str, Sequence[Diagnostic]]]   # (file as named, its diagnostics)


def render(fmt: str, files: Files) -> str:
    """The diagnostics of `files` in format `fmt`, one of `cli.CI_FORMATS`."""
    return github(files) if fmt == "github" else sarif(files)


def _path(file: str) -> str:
    """A file as the working directory names it, with `/` (GitHub wants paths relative to the
    repository, where CI runs); a file outside the working directory keeps its absolute path."""
    absolute = os.path.abspath(file)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:   # on Windows, another drive than the working directory's
        return Path(absolute).as_posix()
    if relative == ".." or relative.startswith(".." + os.sep):
        return Path(absolute).as_posix()
    return Path(relative).as_posix()


def _uri(file: str) -> str:
    """A file's SARIF URI: relative to the working directory, else an absolute file: URI."""
    path = _path(file)
    return Path(path).as_uri() if os.path.isabs(path) else path


def _placed(span: Span | None) -> bool:
    """Whether `span` is a place in a user's file that a line and column can show: not the
    prelude or the standard library shipped inside wiring, nor a pointer into a JSON model."""
    return span is not None and not from_library(span) and span.pointer is None


def _standing(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.acknowledged is None]


def _text(diagnostic: Diagnostic) -> str:
    """The message, then the lines that help act on it: where a JSON model has it, the diagram
    it was found in, the witness path and the help."""
    lines = [diagnostic.message]
    if diagnostic.span is not None and diagnostic.span.pointer is not None:
        lines[0] += f" (at {diagnostic.span.pointer or '/'})"
    if diagnostic.diagram is not None:
        lines.append(f"in diagram `{diagnostic.diagram}`")
    if diagnostic.witness:
        from ..witness import shown

        lines.append(f"witness: {shown(diagnostic.witness)}")
    if diagnostic.help:
        lines.append(f"help: {diagnostic.help}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# GitHub Actions workflow commands

def _escape_data(text: str) -> str:
    # What GitHub's runner unescapes in a command's message (actions/toolkit, command.ts).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # A property value also ends at `,` and its name at `:`.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(files: Files) -> str:
    """One `::error|warning|notice ...::message` line per standing diagnostic (an acknowledged
    finding is no annotation: the proposal already says why it stays)."""
    lines = []
    for _, diagnostics in files:
        for diagnostic in _standing(diagnostics):
            lines.append(_annotation(diagnostic))
    return "\n".join(lines)


def _annotation(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    properties = []
    if span is not None and not from_library(span):
        properties.append(("file", _path(span.file)))
    if _placed(span):
        properties += [("line", span.line), ("col", span.column), ("endLine", span.end_line),
                       ("endColumn", span.end_column)]
    properties.append(("title", diagnostic.code))
    joined = ",".join(f"{name}={_escape_property(str(value))}" for name, value in properties)
    return f"::{_GITHUB_LEVEL[diagnostic.severity]} {joined}::{_escape_data(_text(diagnostic))}"


# ---------------------------------------------------------------------------------------------
# SARIF 2.1.0

def anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces
    made hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def help_uri(code: str) -> str:
    """Where the documentation of `code` is: docs/diagnostics.md, or docs/analyses.md for the
    findings of `wiring lint` (S codes), at the code's heading (scripts/gen_docs.py writes
    `### CODE: title`)."""
    from ..codes import CODES
    from ..version import REPOSITORY

    page = "analyses.md" if code.startswith("S") else "diagnostics.md"
    return f"{REPOSITORY}/blob/main/docs/{page}#{anchor(f'{code}: {CODES[code].title}')}"


def _rules() -> list[dict]:
    """Every code, as `wiring explain` tells it (with its example)."""
    from ..codes import CODES, explain

    return [{"id": code,
             "shortDescription": {"text": CODES[code].title},
             "fullDescription": {"text": CODES[code].explanation},
             "helpUri": help_uri(code),
             "help": {"text": explain(code)},
             "defaultConfiguration": {"level": CODES[code].severity}}
            for code in sorted(CODES)]


def _location(span: Span) -> dict:
    physical: dict = {"artifactLocation": {"uri": _uri(span.file)}}
    if _placed(span):
        physical["region"] = {"startLine": span.line, "startColumn": span.column,
                              "endLine": span.end_line, "endColumn": span.end_column}
    return {"physicalLocation": physical}


def _related(diagnostic: Diagnostic) -> list[dict]:
    """The declarations a diagnostic points to, and the findings of the same root cause."""
    places = [(r.span, r.message) for r in diagnostic.related]
    places += [(a.span, f"{a.code}: {a.message}") for a in diagnostic.also]
    related = []
    for span, message in places:
        if span is not None and not from_library(span):
            related.append({"id": len(related), **_location(span), "message": {"text": message}})
    return related


def _result(diagnostic: Diagnostic, index: dict[str, int]) -> dict:
    result: dict = {"ruleId": diagnostic.code, "ruleIndex": index[diagnostic.code],
                    "level": diagnostic.severity, "message": {"text": _text(diagnostic)}}
    if diagnostic.span is not None and not from_library(diagnostic.span):
        result["locations"] = [_location(diagnostic.span)]
    related = _related(diagnostic)
    if related:
        result["relatedLocations"] = related
    if diagnostic.acknowledged is not None:
        # `allow CODE because "..."`: kept, and marked as suppressed in the source with its reason
        result["suppressions"] = [{"kind": "inSource", "justification": diagnostic.acknowledged}]
    properties = {}
    if diagnostic.diagram is not None:
        properties["diagram"] = diagnostic.diagram
    if diagnostic.witness:
        from ..witness import texts

        properties["witness"] = texts(diagnostic.witness)   # one step a string, as in JSON
    if properties:
        result["properties"] = properties
    return result


def sarif(files: Files) -> str:
    """One SARIF 2.1.0 log with one run: every code of wiring as a rule, every diagnostic as a
    result (acknowledged findings carry a suppression); the same input gives the same bytes."""
    from ..version import REPOSITORY, __version__

    rules = _rules()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    results = [_result(d, index) for _, diagnostics in files for d in diagnostics]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "wiring", "version": __version__,
                                "semanticVersion": __version__,
                                "informationUri": REPOSITORY, "rules": rules}},
            # Columns count characters, as Python's strings do.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
