"""Diagnostics: the data every stage reports problems with, and how people and machines read it.

A diagnostic is data (code, severity, message, spans, help); stages return lists of them and never
print. `render_text` draws them the way a good compiler does, with the source line and a caret.
"""

from __future__ import annotations

import functools
from typing import Annotated, Iterable, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer, SkipValidation, model_serializer


Severity = Literal["error", "warning", "note"]


class Span(BaseModel):
    """A region of a source file; lines and columns count from 1, `end_column` is exclusive.

    A place in a JSON document (a model loaded with `wiring.load_json`) is a JSON pointer
    (RFC 6901, `/diagrams/Main/wires/3`) instead, with line and column 0."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    pointer: str | None = None

    @classmethod
    def at_pointer(cls, file: str, pointer: str) -> "Span":
        return cls(file=file, line=0, column=0, end_line=0, end_column=0, pointer=pointer)

    @model_serializer(mode="wrap")
    def _without_pointer(self, handler):
        # Only spans into JSON carry a pointer: the others serialise exactly as before.
        data = handler(self)
        if self.pointer is None:
            data.pop("pointer", None)
        return data

    def __str__(self) -> str:
        if self.pointer is not None:
            return f"{self.file}: {self.pointer or '/'}"
        return f"{self.file}:{self.line}:{self.column}"


class Related(BaseModel):
    """A second place that explains a diagnostic, such as the declaration a use refers to."""

    # Built on first use: a clean check never makes one, and start-up time is a target.
    model_config = ConfigDict(defer_build=True)

    span: Span
    message: str


# Steps of `wiring.witness`, made by the analyses (never read from input); JSON lists them as the
# strings the text shows. Each step prints itself; the witness module is loaded only to print a
# witness, which only the analyses make.
_Witness = Annotated[tuple, SkipValidation,
                     PlainSerializer(lambda steps: [str(s) for s in steps], return_type=list[str])]


class Diagnostic(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    severity: Severity = "error"
    message: str
    span: Span | None = None
    label: str = ""
    related: list[Related] = []
    help: str = ""
    notes: list[str] = []
    # Findings of the analyses also carry:
    why: str = ""                    # why it matters, with the paper it comes from
    witness: _Witness = ()           # the path through the diagram that shows it
    acknowledged: str | None = None  # the reason given by `allow CODE because "..."`
    diagram: str | None = None       # the analysed diagram it was found in
    also: list[Diagnostic] = []      # findings of the same root cause, shown as its notes

    def key(self) -> tuple:
        """Identity used to drop exact repeats (one mistake seen from several modes or uses)."""
        return (self.code, self.span, self.message)


def report(code: str, span: Span | None, message: str, *, label: str | None = None,
           help: str | None = None, why: str | None = None,
           related: Iterable[tuple[Span | None, str]] = (), notes: Iterable[str] = (),
           witness: Iterable = (), **facts) -> Diagnostic:
    """A diagnostic of `code` at `span`. Its severity, and its default label, help and reason
    (`why`), come from the code's entry in CODES; `facts` fill in the label and help templates.
    A site that says something else gives its own `label` or `help`, as does a finding that one
    code reports for a second mechanism (with that mechanism's `why`). A code that CODES lacks
    is a KeyError: a test makes sure the source names none."""
    from .codes import CODES  # only when something is reported: a clean check never loads it

    entry = CODES[code]
    return Diagnostic(
        code=code, severity=entry.severity, message=message, span=span,
        label=entry.label.format(**facts) if label is None else label,
        help=entry.help.format(**facts) if help is None else help,
        related=[Related(span=s, message=m) for s, m in related if s is not None],
        notes=list(notes), why=entry.why if why is None else why, witness=tuple(witness),
    )


def unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple] = set()
    result = []
    for diagnostic in diagnostics:
        if diagnostic.key() not in seen:
            seen.add(diagnostic.key())
            result.append(diagnostic)
    return result


def sort_key(diagnostic: Diagnostic) -> tuple:
    span = diagnostic.span
    where = (span.file, span.line, span.column, span.pointer or "") if span else ("", 0, 0, "")
    return (*where, diagnostic.code, diagnostic.message)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


# ---------------------------------------------------------------------------------------------
# Text rendering

_STYLES = {"error": "bold red", "warning": "bold yellow", "note": "bold cyan", "help": "bold green",
           "gutter": "bold blue", "caret_error": "bold red", "caret_warning": "bold yellow",
           "caret_note": "bold cyan"}


def _source_lines(sources: dict[str, str], span: Span) -> list[str] | None:
    text = sources.get(span.file)
    if text is None:
        return None
    lines = _split(text)
    if not 1 <= span.line <= len(lines):
        return None
    return lines


@functools.lru_cache(maxsize=8)
def _split(text: str) -> list[str]:
    """A file's lines, split once however many diagnostics quote it (splitting per diagnostic
    made 20,000 of them quadratic). Keyed by the text itself: a str caches its hash, so a
    lookup costs nothing once the file has been split. (The list is shared: not modified.)"""
    return text.split("\n")


_MAX_WIDTH = 100


def _excerpt(sources: dict[str, str], span: Span, label: str, caret_style: str,
             width: int) -> list[list[tuple[str, str]]]:
    """The `  |` block: the source line of `span` with carets under it and the label."""
    lines = _source_lines(sources, span) if span.pointer is None else None
    if lines is None:
        return []
    line = lines[span.line - 1].replace("\t", " ").rstrip("\r")
    start = max(span.column - 1, 0)
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    end = max(min(end, len(line)), start + 1)
    if len(line) > _MAX_WIDTH:
        # Show a window around the span of a very long line, marked with ellipses.
        left = max(0, min(start - 20, len(line) - _MAX_WIDTH))
        right = min(len(line), left + _MAX_WIDTH)
        prefix = "..." if left else ""
        line = prefix + line[left:right] + ("..." if right < len(line) else "")
        start, end = start - left + len(prefix), min(end, right) - left + len(prefix)
    number = str(span.line)
    pad = " " * width
    caret = " " * start + "^" * (end - start)
    return [
        [(f"{pad} |", "gutter")],
        [(f"{number:>{width}} | ", "gutter"), (line, "")],
        [(f"{pad} | ", "gutter"), (caret + (" " + label if label else ""), caret_style)],
    ]


def render_lines(diagnostic: Diagnostic, sources: dict[str, str],
                 show_diagram: bool = False) -> list[list[tuple[str, str]]]:
    """A diagnostic as styled lines: each line a list of (text, style) segments. With
    `show_diagram`, the location names the analysed diagram the finding was found in."""
    spans = [diagnostic.span] + [r.span for r in diagnostic.related]
    width = max((len(str(s.line)) for s in spans if s is not None), default=1)
    pad = " " * width
    severity = diagnostic.severity
    tag = " (acknowledged)" if diagnostic.acknowledged is not None else ""
    out: list[list[tuple[str, str]]] = [
        [(f"{severity}[{diagnostic.code}]{tag}", severity), (f": {diagnostic.message}", "bold")]
    ]
    if diagnostic.span is not None:
        where = str(diagnostic.span)
        if show_diagram and diagnostic.diagram is not None:
            where += f" (in diagram `{diagnostic.diagram}`)"
        out.append([(f"{pad}--> ", "gutter"), (where, "")])
        out += _excerpt(sources, diagnostic.span, diagnostic.label, f"caret_{severity}", width)
    for related in diagnostic.related:
        out.append([("note", "note"), (f": {related.message}", "")])
        out.append([(f"{pad}--> ", "gutter"), (str(related.span), "")])
        out += _excerpt(sources, related.span, "", "caret_note", width)
    if diagnostic.witness:
        from .witness import shown

        out.append([("witness", "note"), (": " + shown(diagnostic.witness), "")])
    if diagnostic.why:
        out.append([("why", "note"), (f": {diagnostic.why}", "")])
    for note in diagnostic.notes:
        out.append([("note", "note"), (f": {note}", "")])
    if diagnostic.acknowledged is not None:
        out.append([("acknowledged", "help"), (f": {diagnostic.acknowledged}", "")])
    if diagnostic.help:
        out.append([("help", "help"), (f": {diagnostic.help}", "")])
    return out


# As compilers do: past this many, text output says how many more there are rather than
# printing thousands (JSON output stays complete).
MAX_SHOWN = 200


def render_text(diagnostics: list[Diagnostic], sources: dict[str, str], color: bool = False,
                show_diagram: bool = False, limit: int | None = None) -> str:
    """The diagnostics as text, the first `limit` of them (None: all) and then a line saying
    how many more there are."""
    blocks = []
    shown = diagnostics if limit is None else diagnostics[:limit]
    for diagnostic in shown:
        lines = render_lines(diagnostic, sources, show_diagram)
        if color:
            blocks.append("\n".join("".join(_ansi(text, style) for text, style in line)
                                    for line in lines))
        else:
            blocks.append("\n".join("".join(text for text, _ in line).rstrip() for line in lines))
    if len(shown) < len(diagnostics):
        blocks.append(more_line(len(diagnostics) - len(shown)))
    return "\n\n".join(blocks)


def more_line(hidden: int) -> str:
    """The line that ends a capped list of diagnostics."""
    return (f"... and {hidden} more diagnostic{'s' * (hidden != 1)} not shown "
            f"(`--format json` lists them all)")


_ANSI = {"bold": "1", "red": "31", "yellow": "33", "cyan": "36", "green": "32", "blue": "34"}


def _ansi(text: str, style: str) -> str:
    # Plain SGR codes: a handful of colours does not justify importing a terminal library at
    # start-up, which the 0.3 s budget for `wiring check` cannot afford.
    name = _STYLES.get(style, style)
    if not name or not text:
        return text
    codes = ";".join(_ANSI[word] for word in name.split() if word in _ANSI)
    return f"\x1b[{codes}m{text}\x1b[0m" if codes else text


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' * (errors != 1)}")
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts)
