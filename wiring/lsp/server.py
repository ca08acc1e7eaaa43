"""`wiring lsp`: the language server, over stdio, built on pygls.

Each open file is checked (and linted) a moment after it last changed (`DEBOUNCE`), with the
unsaved texts of the other open files read in place of those files on disk; a file that imports
a changed one is checked again too. Requests always answer from the current text: one that
arrives before the pending check runs it first.
"""

from __future__ import annotations

import asyncio
import os

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer

from ..sources import STD, PRELUDE, SYNTAX_CODES, confinement, load_program
from ..symbols import Index
from ..version import __version__
from . import features
from .analysis import Analysed, analyse, path_of, project_files
from .completion import complete

DEBOUNCE = 0.05   # seconds of quiet after a change before checking: typing stays fluid


class WiringServer(LanguageServer):
    def __init__(self):
        super().__init__("wiring", __version__)
        self.latest: dict[str, Analysed] = {}   # uri -> the check of its current text
        self.parsed: dict[str, Analysed] = {}   # uri -> the last check whose text parsed
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.project: dict[str, tuple[tuple, Index]] = {}   # path -> (`_stamp`, its index)

    # ------------------------------------------------------------------------ checking
    def overlay(self, skip: str) -> dict[str, str]:
        found = {}
        for uri, document in self.workspace.text_documents.items():
            path = path_of(uri)
            if uri != skip and path is not None:
                found[path] = document.source
        return found

    def refresh(self, uri: str) -> Analysed | None:
        """Check the current text of `uri` and publish its diagnostics."""
        self.pending.pop(uri, None)
        document = self.workspace.text_documents.get(uri)
        path = path_of(uri)
        if document is None or path is None:
            return None
        analysed = analyse(path, document.source, document.version, self.overlay(uri))
        self.latest[uri] = analysed
        if not any(d.code in SYNTAX_CODES and d.span is not None and d.span.file == path
                   for d in analysed.result.diagnostics):
            self.parsed[uri] = analysed
        places = features.Places(analysed.result.sources, path, document.position_codec)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri, features.diagnostics(analysed, places), document.version))
        return analysed

    def schedule(self, uri: str, dependents_only: bool = False) -> None:
        """Check `uri` after DEBOUNCE, and every open file that imports it."""
        path = path_of(uri)
        loop = asyncio.get_running_loop()
        for other, analysed in list(self.latest.items()):
            program = analysed.result.program
            if other == uri or (program is not None and path in program.files):
                if other in self.pending:
                    self.pending[other].cancel()
                self.pending[other] = loop.call_later(DEBOUNCE, self.refresh, other)
        if uri not in self.pending and not dependents_only:
            self.pending[uri] = loop.call_later(DEBOUNCE, self.refresh, uri)

    def current(self, uri: str) -> tuple[Analysed, features.Places]:
        """The check of the text as it is now (running a pending one at once)."""
        document = self.workspace.get_text_document(uri)
        analysed = self.latest.get(uri)
        if analysed is None or analysed.version != document.version or uri in self.pending:
            if uri in self.pending:
                self.pending.pop(uri).cancel()
            analysed = self.refresh(uri)
        if analysed is None:
            raise JsonRpcInvalidRequest(f"{uri} is not a file wiring can check")
        return analysed, features.Places(analysed.result.sources, analysed.path,
                                         document.position_codec)

    # ------------------------------------------------------------------ project-wide
    def indexes(self, analysed: Analysed) -> list[Index]:
        """The index of the open file and of every proposal file of its project (which may
        import it), each read with the open files' unsaved texts."""
        program = analysed.result.program
        found = [analysed.index] if analysed.index is not None else []
        if program is None:
            return found
        overlay = self.overlay("")
        files = project_files(program.boundary)
        for path in files:
            if os.path.realpath(path) != os.path.realpath(analysed.path):
                found.append(self.project_index(path, overlay))
        for gone in set(self.project) - set(files):     # of another project, or deleted
            del self.project[gone]
        return found

    def project_index(self, path: str, overlay: dict[str, str]) -> Index:
        """The index of a project file, read anew only when it, a file it imports, an open
        file's text or its root changed: each request for references reads every file of
        the project."""
        kept = self.project.get(path)
        if kept is not None and kept[0] == _stamp(path, kept[1].program.read, overlay):
            return kept[1]
        index = Index(load_program(path, overlay.get(path), overlay=overlay))
        if not index.program.diagnostics:   # one that could not read an import reads it again
            self.project[path] = (_stamp(path, index.program.read, overlay), index)
        return index

    def places_of(self, analysed: Analysed, indexes: list[Index]) -> features.Places:
        """Places for any file the indexes read."""
        sources = {name: parsed.text for index in indexes
                   for name, parsed in index.program.files.items()}
        return features.Places(sources, analysed.path, self.workspace.position_codec)


def _stamp(path: str, read: list[str], overlay: dict[str, str]) -> tuple:
    """What the index of project file `path` was read from: its root (`confinement`: a
    `wiring.toml` may have moved it), the open files' texts, and the size, inode and times
    of change of each file it read from disk."""
    def changed(name: str) -> tuple:
        try:
            status = os.stat(name)
        except OSError:
            return (name,)
        return name, status.st_size, status.st_ino, status.st_mtime_ns, status.st_ctime_ns
    return confinement(path), tuple(sorted(overlay.items())), tuple(map(changed, read))


server = WiringServer()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: WiringServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: WiringServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: WiringServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    for table in (ls.latest, ls.parsed):
        table.pop(uri, None)
    if uri in ls.pending:
        ls.pending.pop(uri).cancel()
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))
    ls.schedule(uri, dependents_only=True)   # files importing it now read it from disk


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: WiringServer, params: lsp.HoverParams) -> lsp.Hover | None:
    analysed, places = ls.current(params.text_document.uri)
    return features.hover(analysed, places, params.position)


def _named(ls: WiringServer, params):
    """The open file's analysis, its places, and the name at the request's position (None:
    no declared name there)."""
    analysed, places = ls.current(params.text_document.uri)
    return analysed, places, features.at(analysed, places, params.position)


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: WiringServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    analysed, places, occurrence = _named(ls, params)
    if occurrence is None:
        return []
    return features.locations([o for o in analysed.index.references(occurrence.symbol)
                               if o.declaration], places)


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: WiringServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    analysed, places, occurrence = _named(ls, params)
    if occurrence is None:
        return []
    indexes = ls.indexes(analysed)
    found = [o for o in features.project_references(indexes, occurrence.symbol)
             if params.context.include_declaration or not o.declaration]
    return features.locations(found, ls.places_of(analysed, indexes))


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
def rename(ls: WiringServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    analysed, places, occurrence = _named(ls, params)
    if occurrence is None:
        raise JsonRpcInvalidRequest("there is no declared name here to rename")
    symbol = occurrence.symbol
    if symbol.file == PRELUDE or symbol.file.startswith(STD):
        raise JsonRpcInvalidRequest(f"`{symbol.name}` is declared in the library "
                                    f"(`{symbol.file}`), which cannot be renamed from here")
    from ..parse import keywords

    if not features.NAME.match(params.new_name) or params.new_name in keywords():
        raise JsonRpcInvalidParams(f"`{params.new_name}` is not a name: a name is a letter or "
                                   "`_` then letters, digits or `_`, and not a keyword")
    indexes = ls.indexes(analysed)
    rival = next((found for index in indexes
                  if (found := index.rival(symbol, params.new_name)) is not None), None)
    if rival is not None and params.new_name != symbol.name:
        raise JsonRpcInvalidParams(f"`{params.new_name}` is already declared here "
                                   f"({rival.file}:{rival.span.line}): renaming "
                                   f"`{symbol.name}` to it would declare it twice")
    return features.rename_edit(indexes, symbol, params.new_name,
                                ls.places_of(analysed, indexes))


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                lsp.CompletionOptions(trigger_characters=["."]))
def completion(ls: WiringServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    ls.current(uri)
    known = ls.parsed.get(uri)
    if known is None or known.index is None:
        return lsp.CompletionList(is_incomplete=False, items=[])
    position = document.position_codec.position_from_client_units(document.lines,
                                                                  params.position)
    line = document.lines[position.line] if position.line < len(document.lines) else ""
    shift = len(document.lines) - len((known.text(known.path) or "").split("\n"))
    items = complete(known.index, known.path, line[:position.character], position.line + 1,
                     shift)
    return lsp.CompletionList(is_incomplete=False, items=items)


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: WiringServer,
                     params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    analysed, places = ls.current(params.text_document.uri)
    return features.outline(analysed, places)


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: WiringServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
    """The whole text as `wiring fmt` lays it out; nothing while it does not parse (the
    syntax errors are already shown)."""
    from ..fmt import CannotFormat, format_source

    document = ls.workspace.get_text_document(params.text_document.uri)
    try:
        formatted = format_source(document.source, path_of(document.uri) or document.uri)
    except CannotFormat:
        return []
    if formatted == document.source:
        return []
    end = lsp.Position(len(document.lines), 0)
    return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), end), formatted)]


def main() -> int:
    server.start_io()
    return 0
