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


# Graphviz's lexer fails the whole picture on a run of label text (or a quoted string) longer
# than 16,384 characters. A label shows at most LABEL_LIMIT characters of one user text (a
# character escapes to at most 10: 1,000 stay under the limit), the rest said in a count: a box
# with a page of notes is unreadable anyway, and the tooltip keeps more (QUOTED_LIMIT).
LABEL_LIMIT = 1000


def shortened(text: str, limit: int) -> str:
    """`text`, or its first characters and how many were left out when longer than `limit`."""
    if len(text) <= limit:
        return text
    keep = max(limit - 30, 1)
    return text[:keep] + f"... ({len(text) - keep} more characters)"


# What `html` changes: without any (most names), a text is written as it is.
_HTML_CHANGES = re.compile(r'[&<>"\'\]\\\x00-\x1f\x7f-\U0010ffff]')


def html(text: str) -> str:
    """One line of user text inside an HTML-like label: markup characters become entities and
    control characters (newlines included) spaces; at most about LABEL_LIMIT characters."""
    text = str(text)
    if len(text) <= LABEL_LIMIT and not _HTML_CHANGES.search(text):
        return text
    return ascii_text(shortened(text, LABEL_LIMIT).translate(_HTML))


def html_lines(text: str, width: int = 0, align: str = "") -> str:
    """Several lines of user text, wrapped at `width` characters, joined with <BR/>; at most
    about LABEL_LIMIT characters in all."""
    lines: list[str] = []
    for paragraph in shortened(str(text), LABEL_LIMIT).splitlines() or [""]:
        if width and len(paragraph) > width:
            lines += textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]
        else:
            lines.append(paragraph)
    br = f'<BR ALIGN="{align}"/>' if align else "<BR/>"
    return br.join(html(line) for line in lines) + (br if align and len(lines) > 0 else "")


def html_text(markup: str) -> str:
    """The characters an HTML-like label shows (tags dropped, entities one character)."""
    return re.sub(r"&[#a-zA-Z0-9]+;", "x", re.sub(r"<[^>]*>", "", markup))


# Graphviz's lexer rejects a quoted string longer than 16,384 characters, and one such string
# (a long note in a tooltip) fails the whole picture: longer text is shortened to fit, with a
# note of how much was left out. Far below the limit too: nobody reads a longer tooltip.
QUOTED_LIMIT = 4000
_NAME_LIMIT = 1000


# What `quote` changes: without any (most ids and values), a string is quoted as it is.
_QUOTED_CHANGES = re.compile(r'[\\"&\x00-\x1f\x7f-\U0010ffff]')


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and `&` escaped, pure ASCII, at most
    about QUOTED_LIMIT characters (longer text is cut, saying how much). Characters beyond the
    Basic Multilingual Plane become U+FFFD: Graphviz 2.43 writes their character references in
    plain strings as invalid UTF-8 (they are kept in HTML labels)."""
    text = str(text)
    if len(text) <= QUOTED_LIMIT and not _QUOTED_CHANGES.search(text):
        return '"' + text + '"'
    escaped = _quoted(text)
    limit = len(text)
    while len(escaped) > QUOTED_LIMIT:
        # cut in proportion to how far over it is (a character escapes to at most 8)
        limit = min(limit - 1, limit * (QUOTED_LIMIT - 40) // len(escaped))
        escaped = _quoted(shortened(text, limit))
    return '"' + escaped + '"'


def _quoted(text: str) -> str:
    if text.isascii():   # nothing astral, nothing to spell as a character reference
        return text.translate(_QUOTE)
    return ascii_text(_ASTRAL.sub("\ufffd", text.translate(_QUOTE)))


def short_id(text: str) -> str:
    """A node, subgraph or port id within Graphviz's limits: a very long one (long names, deep
    nesting) becomes its start and a digest of the whole, so distinct ids stay distinct."""
    if len(text) <= _NAME_LIMIT:
        return text
    import hashlib

    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
    return text[:_NAME_LIMIT - 41] + "~" + digest


def dot_id(text: str) -> str:
    """A node or subgraph id as a quoted string (see `short_id`)."""
    return quote(short_id(text))


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


class Positions(str):
    """Laid-out coordinates (a node's or wire's `pos`), never shortened as a long text is: a
    wire's route of hundreds of points, cut, is one Graphviz cannot read, and it routes the
    wire anew. Printed as quoted pieces joined by `+` (DOT's concatenation), each within
    QUOTED_LIMIT."""


Value = Union[str, int, float]   # str (quoted), Id (bare), Html (<...>), Positions, a number
Attrs = dict[str, Value]


@dataclass(slots=True)
class Endpoint:
    """An end of an edge: a node, a port of its HTML label, a compass point (`e`, `h:ne`)."""

    node: str
    port: str | None = None              # a quoted name, or an Id such as the header's `h`
    compass: str | None = None


@dataclass(slots=True)
class Node:
    id: str
    attrs: Attrs


@dataclass(slots=True)
class Edge:
    tail: Endpoint
    head: Endpoint
    attrs: Attrs


@dataclass(slots=True)
class Defaults:
    """Default attributes of the graph, of its nodes or of its edges: `graph [...]`."""

    kind: str                            # "graph", "node" or "edge"
    attrs: Attrs


@dataclass(slots=True)
class Assign:
    """One graph attribute as a statement of its own: `label=<...>;`."""

    key: str
    value: Value


@dataclass(slots=True)
class SameRank:
    """Nodes on one rank: `{rank=same; "a"; "b";}` (or min, max)."""

    rank: str
    nodes: list[str]


@dataclass(slots=True)
class Subgraph:
    id: str
    statements: list = field(default_factory=list)


Statement = Union[Node, Edge, Defaults, Assign, SameRank, Subgraph]


@dataclass(slots=True)
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
    return _Printer().text(graph)


class _Printer:
    """Prints one graph, spelling each id and each quoted value once: a node's id comes back
    in every edge that meets it, and the same values (colours, styles, the tooltips of ports)
    on many lines."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.quoted: dict[str, str] = {}

    def text(self, graph: Graph) -> str:
        lines = [f"digraph {Id(graph.name)} {{"]
        stack = [(iter(graph.statements), 1)]
        while stack:
            statements, depth = stack[-1]
            indent = "  " * depth
            for statement in statements:
                if isinstance(statement, Subgraph):
                    lines.append(f"{indent}subgraph {self.id(statement.id)} {{")
                    stack.append((iter(statement.statements), depth + 1))
                    break
                lines.append(indent + self.statement(statement))
            else:
                stack.pop()
                lines.append("  " * (depth - 1) + "}")
        return ascii_text("\n".join(lines) + "\n")

    def statement(self, s: Statement) -> str:
        if isinstance(s, Node):
            return f"{self.id(s.id)} {self.attrs(s.attrs)};"
        if isinstance(s, Edge):
            return f"{self.endpoint(s.tail)} -> {self.endpoint(s.head)} {self.attrs(s.attrs)};"
        if isinstance(s, Defaults):
            return f"{s.kind} {self.attrs(s.attrs)};"
        if isinstance(s, Assign):
            return f"{s.key}={self.value(s.value)};"
        if isinstance(s, SameRank):
            return f"{{rank={Id(s.rank)}; " + "; ".join(self.id(n) for n in s.nodes) + ";}"
        raise TypeError(f"not a DOT statement: {s!r}")

    def id(self, text: str) -> str:
        spelt = self.ids.get(text)
        if spelt is None:
            spelt = self.ids[text] = dot_id(text)
        return spelt

    def value(self, value: Value) -> str:
        if isinstance(value, str):
            if isinstance(value, Html):
                return f"<{value}>"
            if isinstance(value, Id):
                return str(value)
            if isinstance(value, Positions):      # digits, signs, commas and spaces only
                return " + ".join(f'"{value[i:i + QUOTED_LIMIT]}"'
                                  for i in range(0, max(len(value), 1), QUOTED_LIMIT))
            spelt = self.quoted.get(value)
            if spelt is None:
                spelt = self.quoted[value] = quote(value)
            return spelt
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise TypeError(f"not a DOT value: {value!r}")

    def attrs(self, attrs: Attrs) -> str:
        return "[" + ", ".join([f"{key}={self.value(value)}" for key, value in attrs.items()]) \
            + "]"

    def endpoint(self, end: Endpoint) -> str:
        text = self.id(end.node)
        if end.port is not None:
            text += ":" + (end.port if isinstance(end.port, Id) else self.id(end.port))
        if end.compass is not None:
            text += ":" + (end.compass if isinstance(end.compass, Id) else Id(end.compass))
        return text
