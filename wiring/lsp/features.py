"""The language server's answers, as LSP data: diagnostics, hover, definitions, references,
completion, renames and the outline, each computed from an `Analysed` file (see analysis.py).

Places: wiring's spans count lines and columns from 1 in characters; LSP counts from 0 in the
client's code units (UTF-16 by default). `Places` converts with pygls's position codec, using
the text of the file each span points into.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lsprotocol import types as lsp

from .. import syntax
from ..codes import CODES, docs_page
from ..diagnostics import Diagnostic, Related, Span
from ..sources import imported_name
from ..symbols import Index, Occurrence, Symbol
from .analysis import Analysed, uri_of

_SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
             "note": lsp.DiagnosticSeverity.Information}
_DOCS = Path(__file__).resolve().parents[2] / "docs"   # the docs beside a source checkout
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Places:
    """Spans to LSP ranges and back, for files whose texts are `sources` (by the names a
    program gives them); `path` is the file whose positions requests give."""

    def __init__(self, sources: dict[str, str], path: str, codec):
        self.sources = sources
        self.path = path
        self.codec = codec

    def lines(self, display: str) -> list[str]:
        return (self.sources.get(display) or "").splitlines(keepends=True) or [""]

    def range(self, span: Span | None) -> lsp.Range:
        if span is None or span.line < 1:
            return lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
        server = lsp.Range(lsp.Position(span.line - 1, span.column - 1),
                           lsp.Position(span.end_line - 1, max(span.end_column - 1, 0)))
        return self.codec.range_to_client_units(self.lines(span.file), server)

    def location(self, span: Span) -> lsp.Location | None:
        uri = uri_of(span.file)
        return None if uri is None else lsp.Location(uri, self.range(span))

    def position(self, position: lsp.Position) -> tuple[int, int]:
        """A client's position as (line, column) from 1."""
        server = self.codec.position_from_client_units(self.lines(self.path), position)
        return server.line + 1, server.character + 1


# ------------------------------------------------------------------------------ diagnostics

def code_href(code: str) -> str | None:
    page, anchor = docs_page(code)
    path = _DOCS / page
    return f"{path.as_uri()}#{anchor}" if path.is_file() else None


def diagnostics(analysed: Analysed, places: Places) -> list[lsp.Diagnostic]:
    """The file's diagnostics and lint findings. One in an imported file is shown on the
    `import` that brings that file in, pointing to its place."""
    shown = []
    for d in analysed.diagnostics:
        if d.span is not None and d.span.file != analysed.path:
            d = _at_import(analysed, d)
            if d is None:
                continue
        shown.append(_diagnostic(d, places))
    return shown


def _diagnostic(d: Diagnostic, places: Places) -> lsp.Diagnostic:
    href = code_href(d.code)
    lines = [d.message] + [f"help: {d.help}"] * bool(d.help) + [f"note: {n}" for n in d.notes]
    related = [lsp.DiagnosticRelatedInformation(where, r.message) for r in d.related
               if (where := places.location(r.span)) is not None]
    return lsp.Diagnostic(
        range=places.range(d.span), message="\n".join(lines), severity=_SEVERITY[d.severity],
        code=d.code, source="wiring", related_information=related or None,
        code_description=lsp.CodeDescription(href=href) if href else None)


def _at_import(analysed: Analysed, d: Diagnostic) -> Diagnostic | None:
    program = analysed.result.program
    parsed = program.files.get(analysed.path) if program is not None else None
    if parsed is None or parsed.syntax is None:
        return None
    for statement in parsed.syntax.declarations:
        if type(statement) is syntax.Import and _reaches(
                program, imported_name(program, analysed.path, statement.path.value),
                d.span.file):
            return d.model_copy(update={
                "span": statement.path.span, "message": f"in `{d.span.file}`: {d.message}",
                "related": [*d.related, Related(span=d.span, message="the problem is here")]})
    return None


def _reaches(program, first: str, target: str) -> bool:
    """Whether the file `first`, or a file it imports (at any depth), is `target`."""
    seen, todo = set(), [first]
    while todo:
        current = todo.pop()
        if current == target:
            return True
        if current not in seen:
            seen.add(current)
            todo += program.imports.get(current, [])
    return False


# ------------------------------------------------------------------------------------ hover

def hover(analysed: Analysed, places: Places, position: lsp.Position) -> lsp.Hover | None:
    line, column = places.position(position)
    parts = []
    occurrence = analysed.index.at(analysed.path, line, column) if analysed.index else None
    if occurrence is not None:
        parts.append(describe(analysed, occurrence.symbol))
    for d in analysed.diagnostics:
        if d.span is not None and d.span.file == analysed.path and _inside(d.span, line, column):
            parts.append(f"**{d.code}**: {CODES[d.code].title}\n\n{CODES[d.code].explanation}")
    if not parts:
        return None
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, "\n\n---\n\n".join(parts)),
                     places.range(occurrence.span) if occurrence else None)


def _inside(span: Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


def _code(text: str) -> str:
    return f"```wd\n{text}\n```"


def describe(analysed: Analysed, symbol: Symbol) -> str:
    """What a name is: a port's type, an instance's component with its kind and trust, a
    component's or diagram's signature, a declaration's text."""
    proposal = analysed.result.proposal
    shown = os.path.relpath(symbol.file, os.path.dirname(analysed.path)) \
        if os.path.isabs(symbol.file) else symbol.file   # as an import would name it
    where = f"*{symbol.form}*" + (f" of `{symbol.owner}`" if symbol.owner else "") + \
        f", declared in `{shown}`"
    if symbol.form == "port":
        return _code(symbol.node.text) + "\n\n" + where
    if symbol.form == "instance":
        text = _code(symbol.node.text) + "\n\n" + where
        model = proposal.diagrams.get(symbol.owner) if proposal is not None else None
        found = next((i for i in model.instances if i.name == symbol.name), None) \
            if model is not None else None
        if found is not None:
            a = found.attributes
            text += f"\n\nkind `{a.kind}`, trust `{a.trust}`" + \
                (", learned" if a.learned else "") + (", frozen" if found.frozen else "")
        target = analysed.index.declaration(symbol.node.target.text)
        if target is not None and target.form in ("component", "diagram"):
            text += "\n\n" + signature(target)
        return text
    if symbol.form in ("component", "diagram"):
        return signature(symbol) + "\n\n" + where
    return _code(symbol.node.text.split("\n{")[0][:600]) + "\n\n" + where


def signature(symbol: Symbol) -> str:
    """A component's or diagram's header and ports, as declared."""
    node = symbol.node
    header = node.text.split("{", 1)[0].rstrip()
    ports = [m.text for m in node.members if type(m) is syntax.Port]
    return _code("\n".join([header + " {", *("  " + p for p in ports), "}"]))


# -------------------------------------------------------------------------- names and places

def at(analysed: Analysed, places: Places, position: lsp.Position) -> Occurrence | None:
    if analysed.index is None:
        return None
    return analysed.index.at(analysed.path, *places.position(position))


def locations(occurrences: list[Occurrence], places: Places) -> list[lsp.Location]:
    return [where for o in occurrences if (where := places.location(o.span)) is not None]


def project_references(indexes: list[Index], symbol: Symbol) -> list[Occurrence]:
    """The occurrences of `symbol` in every indexed file, each once."""
    found, seen = [], set()
    for index in indexes:
        for o in index.references(symbol):
            if (o.span.file, o.start) not in seen and o.symbol.file == symbol.file:
                seen.add((o.span.file, o.start))
                found.append(o)
    return found


def rename_edit(indexes: list[Index], symbol: Symbol, new: str,
                places: Places) -> lsp.WorkspaceEdit:
    """The edits renaming `symbol` to `new` in every indexed file."""
    changes: dict[str, list[lsp.TextEdit]] = {}
    for o in project_references(indexes, symbol):
        uri = uri_of(o.span.file)
        if uri is not None:
            changes.setdefault(uri, []).append(lsp.TextEdit(places.range(o.span), new))
    return lsp.WorkspaceEdit(changes=changes)


# ------------------------------------------------------------------------------- the outline

SYMBOL_KINDS = {
    "diagram": lsp.SymbolKind.Class, "component": lsp.SymbolKind.Interface,
    "type": lsp.SymbolKind.Struct, "record": lsp.SymbolKind.Struct,
    "enum": lsp.SymbolKind.Enum, "kind": lsp.SymbolKind.TypeParameter,
    "param": lsp.SymbolKind.Constant, "adversary": lsp.SymbolKind.Constant,
    "optimiser": lsp.SymbolKind.Function, "behaviour": lsp.SymbolKind.Method,
    "instance": lsp.SymbolKind.Object, "port": lsp.SymbolKind.Field,
    "parameter": lsp.SymbolKind.Variable, "mode": lsp.SymbolKind.EnumMember,
    "field": lsp.SymbolKind.Field, "member": lsp.SymbolKind.EnumMember,
}


def outline(analysed: Analysed, places: Places) -> list[lsp.DocumentSymbol]:
    """The file's declarations, each diagram with its ports and instances, each component
    with its parameters and ports."""
    index = analysed.index
    if index is None:
        return []
    found = []
    for decl in index.blocks.get(analysed.path, []):
        symbol = index.declaration(decl.name.text)
        if symbol is None or symbol.file != analysed.path:
            continue
        children = [_outline_entry(s, s.node, places, s.form) for form in
                    ("parameter", "port", "instance", "mode", "field", "member")
                    for s in index.members(symbol.name, form)]
        found.append(_outline_entry(symbol, decl, places, symbol.form, children))
    return found


def _outline_entry(symbol: Symbol, node, places: Places, form: str,
                   children=None) -> lsp.DocumentSymbol:
    full = places.range(node.span)
    name = places.range(symbol.span)
    return lsp.DocumentSymbol(name=symbol.name, kind=SYMBOL_KINDS.get(form,
                              lsp.SymbolKind.Variable), range=full, selection_range=name,
                              detail=form, children=children or None)
