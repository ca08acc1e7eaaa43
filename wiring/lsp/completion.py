"""Completion: what may be written at the cursor, from the names of the last version of the file
that parsed (the line being typed usually does not), and the keywords of the grammar."""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from ..elaborate.base import BUILTIN_TYPES
from ..parse import keywords
from ..symbols import Index, Symbol
from .features import SYMBOL_KINDS

_AFTER_DOT = re.compile(r"([A-Za-z_]\w*)\.(\w*)\Z")
_AFTER_BY = re.compile(r"\bby\s+\w*\Z")
_AFTER_EQUALS = re.compile(r"^\s*\w+\s*=\s*(frozen\s+|shared\s+)?\w*\Z")
_AFTER_COLON = re.compile(r"^\s*(component|diagram)\b[^{]*:[^{]*\Z")


def complete(index: Index, path: str, before: str, line: int,
             shift: int) -> list[lsp.CompletionItem]:
    """Completions for a cursor on `line` (from 1) after the text `before` on that line.
    `shift` is how many lines the buffer has gained since `index` was built, so that a block
    being typed into is still found."""
    owner = _enclosing(index, path, line, shift)
    dotted = _AFTER_DOT.search(before)
    if dotted:
        if owner is None:
            return []
        return [_item(s) for s in index.ports_of(owner, dotted.group(1))]
    if _AFTER_BY.search(before):
        return [_item(s) for s in index.top_level() if s.form == "optimiser"]
    if _AFTER_EQUALS.search(before) and owner is not None:
        return [_item(s) for s in index.top_level() if s.form in ("component", "diagram")]
    if _AFTER_COLON.search(before):
        return [_item(s) for s in index.top_level() if s.form == "kind"]
    items = [_item(s) for s in index.top_level()]
    if owner is not None:
        items += [_item(s) for form in ("parameter", "instance", "port", "mode")
                  for s in index.members(owner, form)]
    items += [lsp.CompletionItem(t, kind=lsp.CompletionItemKind.Class, detail="built-in type")
              for t in BUILTIN_TYPES]
    items += [lsp.CompletionItem(k, kind=lsp.CompletionItemKind.Keyword) for k in keywords()]
    return items


def _enclosing(index: Index, path: str, line: int, shift: int) -> str | None:
    for decl in index.blocks.get(path, []):
        span = decl.span
        if span.line <= line <= span.end_line + max(shift, 0):
            return decl.name.text
    return None


_KINDS = {lsp.SymbolKind.Class: lsp.CompletionItemKind.Class,
          lsp.SymbolKind.Interface: lsp.CompletionItemKind.Interface,
          lsp.SymbolKind.Struct: lsp.CompletionItemKind.Struct,
          lsp.SymbolKind.Enum: lsp.CompletionItemKind.Enum,
          lsp.SymbolKind.TypeParameter: lsp.CompletionItemKind.TypeParameter,
          lsp.SymbolKind.Constant: lsp.CompletionItemKind.Constant,
          lsp.SymbolKind.Function: lsp.CompletionItemKind.Function,
          lsp.SymbolKind.Method: lsp.CompletionItemKind.Method,
          lsp.SymbolKind.Object: lsp.CompletionItemKind.Variable,
          lsp.SymbolKind.Field: lsp.CompletionItemKind.Field,
          lsp.SymbolKind.Variable: lsp.CompletionItemKind.Variable,
          lsp.SymbolKind.EnumMember: lsp.CompletionItemKind.EnumMember}


def _item(symbol: Symbol) -> lsp.CompletionItem:
    kind = _KINDS.get(SYMBOL_KINDS.get(symbol.form, lsp.SymbolKind.Variable),
                      lsp.CompletionItemKind.Text)
    detail = symbol.form if symbol.form != "port" else symbol.node.text.split("\n")[0]
    return lsp.CompletionItem(symbol.name, kind=kind, detail=detail)
