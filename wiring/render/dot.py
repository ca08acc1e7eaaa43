"""A small syntax tree of Graphviz DOT, and the one printer that writes it as text.

The tree holds what a picture says (graphs, subgraphs, nodes, edges, each with its attributes);
`print_dot` decides how it is spelt. Quoting and escaping live here and nowhere else: every
string from a user's file (names, titles, notes, citations, provenance) reaches the text through
`quote` (a DOT string) or `html` (a line of an HTML-like label), so no text can break the DOT.
The printed text is pure ASCII: other characters become numeric character references.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Union

# ------------------------------------------------------------------------------------ escaping

# Graphviz reads a backslash pair in an HTML label as one backslash (after decoding
# character references), so each backslash is doubled.
_HTML = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
         ord("'"): "&#39;", ord("]"): "&#93;", ord("\\"): "\\\\"}
_HTML.update({c: " " for c in range(32)})
_HTML.update({c: " " for c in range(0x7F, 0xA0)})
_SURROGATE = re.compile(r"[\ud800-\udfff]")

_QUOTE = {ord("\\"): "\\\\", ord('"'): '\\"', ord("&"): "&amp;", ord("\n"): "\\n"}
_QUOTE.update({c: " " for c in range(32) if c != 10})
_QUOTE.update({c: " " for c in range(0x7F, 0xA0)})
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def ascii_text(text: str) -> str:
    """Non-ASCII characters as numeric character references: the DOT text is pure ASCII."""
    if text.isascii():
        return text
    text = _SURROGATE.sub("\ufffd", text)
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def html(text: str) -> str:
    """One line of user text inside an HTML-like label: markup characters become entities and
    control characters (newlines included) spaces."""
    return ascii_text(str(text).translate(_HTML))


def html_lines(text: str, width: int = 0, align: str = "") -> str:
    """Several lines of user text, wrapped at `width` characters, joined with <BR/>."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        if width and len(paragraph) > width:
            lines += textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]
        else:
            lines.append(paragraph)
    br = f'<BR ALIGN="{align}"/>' if align else "<BR/>"
    return br.join(html(line) for line in lines) + (br if align and len(lines) > 0 else "")


def html_text(markup: str) -> str:
    """The characters an HTML-like label shows (tags dropped, entities one character)."""
    return re.sub(r"&[#a-zA-Z0-9]+;", "x", re.sub(r"<[^>]*>", "", markup))


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and `&` escaped, pure ASCII. Characters
    beyond the Basic Multilingual Plane become U+FFFD: Graphviz 2.43 writes their character
    references in plain strings as invalid UTF-8 (they are kept in HTML labels)."""
    text = _ASTRAL.sub("\ufffd", str(text).translate(_QUOTE))
    return '"' + ascii_text(text) + '"'


# ---------------------------------------------------------------------------------------- tree

class Html(str):
    """An HTML-like label (already escaped with `html`), printed between < and >."""


_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z|-?[0-9]+(\.[0-9]+)?\Z")


class Id(str):
    """A keyword or number printed bare (`LR`, `dashed`, `ne`); any other str is quoted."""

    def __new__(cls, text: str):
        if not _BARE.match(text):
            raise ValueError(f"not a bare DOT identifier: {text!r}")
        return super().__new__(cls, text)


Value = Union[str, int, float]           # str (quoted), Id (bare), Html (<...>), a number
Attrs = dict[str, Value]


@dataclass
class Endpoint:
    """An end of an edge: a node, a port of its HTML label, a compass point (`e`, `h:ne`)."""

    node: str
    port: str | None = None              # a quoted name, or an Id such as the header's `h`
    compass: str | None = None


@dataclass
class Node:
    id: str
    attrs: Attrs


@dataclass
class Edge:
    tail: Endpoint
    head: Endpoint
    attrs: Attrs


@dataclass
class Defaults:
    """Default attributes of the graph, of its nodes or of its edges: `graph [...]`."""

    kind: str                            # "graph", "node" or "edge"
    attrs: Attrs


@dataclass
class Assign:
    """One graph attribute as a statement of its own: `label=<...>;`."""

    key: str
    value: Value


@dataclass
class SameRank:
    """Nodes on one rank: `{rank=same; "a"; "b";}` (or min, max)."""

    rank: str
    nodes: list[str]


@dataclass
class Subgraph:
    id: str
    statements: list = field(default_factory=list)


Statement = Union[Node, Edge, Defaults, Assign, SameRank, Subgraph]


@dataclass
class Graph:
    name: str
    statements: list = field(default_factory=list)

    def subgraphs(self) -> list[Subgraph]:
        """Every subgraph, outermost first (walked without recursion)."""
        found: list[Subgraph] = []
        stack = [s for s in reversed(self.statements) if isinstance(s, Subgraph)]
        while stack:
            sub = stack.pop()
            found.append(sub)
            stack += [s for s in reversed(sub.statements) if isinstance(s, Subgraph)]
        return found

    def nodes(self) -> dict[str, Node]:
        return {s.id: s for g in [self, *self.subgraphs()] for s in g.statements
                if isinstance(s, Node)}

    def edges(self) -> list[Edge]:
        return [s for g in [self, *self.subgraphs()] for s in g.statements
                if isinstance(s, Edge)]


# ------------------------------------------------------------------------------------- printer

def print_dot(graph: Graph) -> str:
    """The DOT text of a graph, two spaces per level of nesting. Subgraphs are walked with an
    explicit stack, so nesting depth is not bounded by Python's recursion limit."""
    lines = [f"digraph {Id(graph.name)} {{"]
    stack = [(iter(graph.statements), 1)]
    while stack:
        statements, depth = stack[-1]
        statement = next(statements, None)
        if statement is None:
            stack.pop()
            lines.append("  " * (depth - 1) + "}")
        elif isinstance(statement, Subgraph):
            lines.append("  " * depth + f"subgraph {quote(statement.id)} {{")
            stack.append((iter(statement.statements), depth + 1))
        else:
            lines.append("  " * depth + _statement(statement))
    return ascii_text("\n".join(lines) + "\n")


def _statement(s: Statement) -> str:
    if isinstance(s, Node):
        return f"{quote(s.id)} {_attrs(s.attrs)};"
    if isinstance(s, Edge):
        return f"{_endpoint(s.tail)} -> {_endpoint(s.head)} {_attrs(s.attrs)};"
    if isinstance(s, Defaults):
        return f"{s.kind} {_attrs(s.attrs)};"
    if isinstance(s, Assign):
        return f"{s.key}={_value(s.value)};"
    if isinstance(s, SameRank):
        return f"{{rank={Id(s.rank)}; " + "; ".join(quote(n) for n in s.nodes) + ";}"
    raise TypeError(f"not a DOT statement: {s!r}")


def _value(value: Value) -> str:
    if isinstance(value, Html):
        return f"<{value}>"
    if isinstance(value, Id):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"not a DOT value: {value!r}")


def _attrs(attrs: Attrs) -> str:
    return "[" + ", ".join(f"{key}={_value(value)}" for key, value in attrs.items()) + "]"


def _endpoint(end: Endpoint) -> str:
    text = quote(end.node)
    if end.port is not None:
        text += ":" + _value(end.port)
    if end.compass is not None:
        text += ":" + Id(end.compass)
    return text
