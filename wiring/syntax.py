"""The syntax of proposal files as data: one node class per form, built by the parse stage.

Every node knows the document (file) it came from and its extent in it (`start_pos`, `end_pos`:
character offsets, named as lark's tokens name them), so `node.span` is its place for
diagnostics and `node.text` its source text. Every name is an `Ident` with a span of its own.
Comments are kept: each statement (a declaration, or a line inside a `{...}` block) carries the
comments before it and the one at the end of its last line; comments with no statement after them
in a block belong to the block (the file, or the braced declaration). A formatter and a language
server read these nodes; elaboration reads their fields, never the shape of a parse tree.

Parentheses are nodes (`Paren`), so the text can be written back as it was; meaning never depends
on them beyond grouping, and `bare()` sees through them.

The classes are slotted with plain constructors rather than dataclasses: decorating 40 classes
would add 5 % to the start-up of `wiring check`. Each constructor takes `at`, the node's
(document, start_pos, end_pos), then its fields in order.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from .diagnostics import Span
from .names import unquote


class Document:
    """A parsed file: its path as shown to people, its text, and where its lines start."""

    __slots__ = ("path", "text", "_line_starts")

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self._line_starts: list[int] | None = None

    def span(self, start: int, end: int) -> Span:
        starts = self._line_starts or self._count_lines()
        line = bisect_right(starts, start)
        end_line = line if end < starts[line] else bisect_right(starts, end, lo=line)
        return Span(file=self.path, line=line, column=start - starts[line - 1] + 1,
                    end_line=end_line, end_column=end - starts[end_line - 1] + 1)

    def line(self, offset: int) -> int:
        return bisect_right(self._line_starts or self._count_lines(), offset)

    def _count_lines(self) -> list[int]:
        # On first use: most nodes are never asked where they are. The last entry, one past
        # the end of the text, closes the last line.
        self._line_starts = [0, *accumulate(len(line) + 1 for line in self.text.split("\n"))]
        return self._line_starts


At = tuple  # (Document, start_pos, end_pos)


class Node:
    __slots__ = ("document", "start_pos", "end_pos")

    def __init__(self, at: At):
        self.document, self.start_pos, self.end_pos = at

    @property
    def span(self) -> Span:
        return self.document.span(self.start_pos, self.end_pos)

    @property
    def text(self) -> str:
        return self.document.text[self.start_pos:self.end_pos]

    @property
    def file(self) -> str:
        return self.document.path

    def __repr__(self) -> str:
        fields = [f for cls in reversed(type(self).__mro__)
                  for f in getattr(cls, "__slots__", ()) if f not in Node.__slots__]
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in fields) if fields else repr(self.text)
        return f"{type(self).__name__}({shown})"


# ------------------------------------------------------------------------------------ leaves

class Ident(Node):
    """A name as written, with its own span."""

    __slots__ = ("text",)

    def __init__(self, at: At, text: str):
        self.document, self.start_pos, self.end_pos = at
        self.text = text


class String(Node):
    """A string literal; `text` keeps the quotes and escapes, `value` is what it says."""

    __slots__ = ()

    @property
    def value(self) -> str:
        return unquote(self.text)


class Comment(Node):
    """A `#` comment; `text` is the whole comment, `#` included."""

    __slots__ = ()


class Dotted(Node):
    """`a.b.c`: the target of an allow or an assertion; `Ref` in expressions."""

    __slots__ = ("parts",)

    def __init__(self, at: At, parts: tuple[Ident, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.parts = parts

    @property
    def names(self) -> list[str]:
        return [part.text for part in self.parts]

    @property
    def dotted(self) -> str:
        return ".".join(part.text for part in self.parts)


# ------------------------------------------------------------------------------- expressions

class Number(Node):
    __slots__ = ("text",)

    def __init__(self, at: At, text: str):
        self.document, self.start_pos, self.end_pos = at
        self.text = text


class Infinity(Node):
    __slots__ = ()


class Ref(Dotted):
    """A name in an expression: a parameter, a type, a port or `instance.port`."""

    __slots__ = ()


class Call(Node):
    """`f(a, b)`: a function in a training signal, or an optimiser with its argument."""

    __slots__ = ("function", "args")

    def __init__(self, at: At, function: Ref, args: tuple[Node, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.function, self.args = function, args


class Apply(Node):
    """`Name[a, b]`: a type with its index arguments."""

    __slots__ = ("function", "args")

    def __init__(self, at: At, function: Ref, args: tuple[Node, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.function, self.args = function, args


class Neg(Node):
    """`-x`; `depth` counts the operators chained down to here (the parse stage bounds it)."""

    __slots__ = ("operand", "depth")

    def __init__(self, at: At, operand: Node, depth: int):
        self.document, self.start_pos, self.end_pos = at
        self.operand, self.depth = operand, depth


class Binary(Node):
    """`a + b`, `a - b`, `a * b`, `a / b` or `a ^ b`, with `depth` as for `Neg`."""

    __slots__ = ("op", "left", "right", "depth")

    def __init__(self, at: At, op: str, left: Node, right: Node, depth: int):
        self.document, self.start_pos, self.end_pos = at
        self.op, self.left, self.right, self.depth = op, left, right, depth


class Paren(Node):
    __slots__ = ("inner",)

    def __init__(self, at: At, inner: Node):
        self.document, self.start_pos, self.end_pos = at
        self.inner = inner


def bare(expression: Node) -> Node:
    """The expression inside any parentheses around it."""
    while type(expression) is Paren:
        expression = expression.inner
    return expression


# ------------------------------------------------------------------------------------- types

class Type(Node):
    """A type as written after `:` or `=`; `base` is the expression read as a type."""

    __slots__ = ("base",)


class PlainType(Type):
    """`Prompt`, `List[Response]`, `Real`."""

    __slots__ = ()

    def __init__(self, at: At, base: Node):
        self.document, self.start_pos, self.end_pos = at
        self.base = base


class Interval(Node):
    """`[0, 1)`"""

    __slots__ = ("lower", "upper", "lower_open", "upper_open")

    def __init__(self, at: At, lower: Node, upper: Node, lower_open: bool, upper_open: bool):
        self.document, self.start_pos, self.end_pos = at
        self.lower, self.upper, self.lower_open, self.upper_open = (lower, upper, lower_open,
                                                                    upper_open)


class IntervalType(Type):
    """`Real in [0, 1)`."""

    __slots__ = ("interval",)

    def __init__(self, at: At, base: Node, interval: Interval):
        self.document, self.start_pos, self.end_pos = at
        self.base, self.interval = base, interval


class BoundType(Type):
    """`Nat >= 1`."""

    __slots__ = ("op", "bound")

    def __init__(self, at: At, base: Node, op: str, bound: Node):
        self.document, self.start_pos, self.end_pos = at
        self.base, self.op, self.bound = base, op, bound


# ---------------------------------------------------------------------------------- pieces

class Attr(Node):
    """`learned`, `provenance = "gpt-4"` or `cost = 2 * n`."""

    __slots__ = ("name", "value")

    def __init__(self, at: At, name: Ident, value: Node | None):
        self.document, self.start_pos, self.end_pos = at
        self.name, self.value = name, value  # value: a String or an expression


class Default(Node):
    """`= value` after an input port."""

    __slots__ = ("value",)

    def __init__(self, at: At, value: Node):
        self.document, self.start_pos, self.end_pos = at
        self.value = value


class Merge(Node):
    """`merge operator` after an input port."""

    __slots__ = ("operator",)

    def __init__(self, at: At, operator: Ident):
        self.document, self.start_pos, self.end_pos = at
        self.operator = operator


class When(Node):
    """`when train, deploy` after a port, instance, wire or training."""

    __slots__ = ("modes",)

    def __init__(self, at: At, modes: tuple[Ident, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.modes = modes


class Endpoint(Node):
    """`port` or `instance.port`, an end of a wire."""

    __slots__ = ("instance", "port")

    def __init__(self, at: At, instance: Ident | None, port: Ident):
        self.document, self.start_pos, self.end_pos = at
        self.instance, self.port = instance, port


class Claim(Node):
    """What an assertion claims: `no path a -> b avoiding c`, `gated(x)`, `trusted(x)`,
    `no control incentive x on y`."""

    __slots__ = ("kind", "source", "target", "avoiding", "incentive")

    def __init__(self, at: At, kind: str, source: Dotted | None, target: Dotted,
                 avoiding: tuple[Dotted, ...], incentive: str | None):
        self.document, self.start_pos, self.end_pos = at
        self.kind = kind  # no_path, gated, trusted, no_incentive
        self.source, self.target, self.avoiding = source, target, avoiding
        self.incentive = incentive  # control, response, information or None


# ------------------------------------------------------------------------------ statements

class Statement(Node):
    """A declaration, or a line of a `{...}` block; `comments` are the comments beside it."""

    __slots__ = ("comments",)


class Block(Statement):
    """A statement with a `{...}` block of statements (or the file itself)."""

    __slots__ = ()

    @property
    def statements(self) -> tuple[Statement, ...]:
        return ()


class Title(Statement):
    """`proposal "title"`"""

    __slots__ = ("title",)

    def __init__(self, at: At, title: String):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.title = (), title


class Cites(Statement):
    """`cites "a", "b"`"""

    __slots__ = ("works",)

    def __init__(self, at: At, works: tuple[String, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.works = (), works


class Note(Statement):
    """`note "..."`, on its own line or after a port, instance, wire or training."""

    __slots__ = ("note",)

    def __init__(self, at: At, note: String):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.note = (), note


class Import(Statement):
    """`import "path"`"""

    __slots__ = ("path",)

    def __init__(self, at: At, path: String):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.path = (), path


class Allow(Statement):
    """`allow S0101 on pi.out because "..."`"""

    __slots__ = ("code", "target", "reason")

    def __init__(self, at: At, code: Ident, target: Dotted | None, reason: String):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.code, self.target, self.reason = (), code, target, reason


class Assert(Statement):
    """`assert claim`"""

    __slots__ = ("claim",)

    def __init__(self, at: At, claim: Claim):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.claim = (), claim


# ---------------------------------------------------------------------------- declarations

class Declaration(Statement):
    """A statement that declares `name`, for other declarations to use."""

    __slots__ = ("name",)


class KindDecl(Declaration):
    """`kind name : parent "doc"`"""

    __slots__ = ("parent", "doc")

    def __init__(self, at: At, name: Ident, parent: Ident | None, doc: String | None):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.parent, self.doc = (), name, parent, doc


class TypeDecl(Declaration):
    """`type Name`, `type Name[i, j]` or `type Name = type` (an alias)."""

    __slots__ = ("indices", "definition")

    def __init__(self, at: At, name: Ident, indices: tuple[Ident, ...], definition: Type | None):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.indices, self.definition = (), name, indices, definition


class Field(Statement):
    """`name : type`, a line of a record."""

    __slots__ = ("name", "type")

    def __init__(self, at: At, name: Ident, type: Type):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.type = (), name, type


class RecordDecl(Declaration, Block):
    """`record Name { fields }`"""

    __slots__ = ("fields",)

    def __init__(self, at: At, name: Ident, fields: tuple[Field, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.fields = (), name, fields

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.fields


class EnumDecl(Declaration, Block):
    """`enum Name { a, b }`; its members are names, so comments inside belong to it."""

    __slots__ = ("members",)

    def __init__(self, at: At, name: Ident, members: tuple[Ident, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.members = (), name, members


class ParamDecl(Declaration):
    """`param name : type = default`"""

    __slots__ = ("type", "default")

    def __init__(self, at: At, name: Ident, type: Type, default: Node | None):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.type, self.default = (), name, type, default


class OptimiserDecl(Declaration):
    """`optimiser name : family "doc"`"""

    __slots__ = ("family", "doc")

    def __init__(self, at: At, name: Ident, family: Ident, doc: String | None):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.family, self.doc = (), name, family, doc


class Port(Statement):
    """`in a, b : T = 0 merge sum when train "note"`; options (Default, Merge, When, Note) in
    the order written."""

    __slots__ = ("direction", "names", "type", "options")

    def __init__(self, at: At, direction: str, names: tuple[Ident, ...], type: Type | None,
                 options: tuple[Node, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.direction, self.names = (), direction, names
        self.type, self.options = type, options


class Parameter(Node):
    """`rounds : Nat >= 1 = 3` in `component Debater(...)`"""

    __slots__ = ("name", "type", "default")

    def __init__(self, at: At, name: Ident, type: Type, default: Node | None):
        self.document, self.start_pos, self.end_pos = at
        self.name, self.type, self.default = name, type, default


class Argument(Node):
    """`rounds = 3` in `d = Debater(rounds = 3)`"""

    __slots__ = ("name", "value")

    def __init__(self, at: At, name: Ident, value: Node):
        self.document, self.start_pos, self.end_pos = at
        self.name, self.value = name, value


class ComponentDecl(Declaration, Block):
    """`component Name(parameters) : kind, attributes { ports and notes }`"""

    __slots__ = ("attributes", "members", "parameters")

    def __init__(self, at: At, name: Ident, attributes: tuple[Attr, ...],
                 members: tuple[Statement, ...], parameters: tuple[Parameter, ...] = ()):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.attributes, self.members = (), name, attributes, members
        self.parameters = parameters

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.members


class Modes(Statement):
    """`modes sft : training, serve : deployment`: the names, and for each the phase written
    after it (None where none is)."""

    __slots__ = ("names", "phases")

    def __init__(self, at: At, names: tuple[Ident, ...], phases: tuple[Ident | None, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.names, self.phases = (), names, phases


class Instance(Statement):
    """`ref = frozen pi with untrusted when train`, or `mon = shared pi as Monitor`
    (`interface` the component after `as`); `attributes` are those after `with`, options
    (When, Note) in the order written."""

    __slots__ = ("name", "frozen", "target", "attributes", "options", "shared", "interface",
                 "arguments")

    def __init__(self, at: At, name: Ident, frozen: bool, target: Ident,
                 attributes: tuple[Attr, ...], options: tuple[Node, ...], *,
                 shared: bool = False, interface: Ident | None = None,
                 arguments: tuple[Argument, ...] = ()):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.frozen, self.target = (), name, frozen, target
        self.attributes, self.options = attributes, options
        self.shared, self.interface, self.arguments = shared, interface, arguments


class Wire(Statement):
    """`source -> target, target delayed when train`"""

    __slots__ = ("source", "targets", "delayed", "options")

    def __init__(self, at: At, source: Endpoint, targets: tuple[Endpoint, ...], delayed: bool,
                 options: tuple[Node, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.source, self.targets = (), source, targets
        self.delayed, self.options = delayed, options


class Train(Statement):
    """`train pi by ppo maximising rm.score when train`; the optimiser is an expression
    (`ppo`, `best_of(n)`), the objective the keyword as written."""

    __slots__ = ("target", "optimiser", "objective", "signal", "options")

    def __init__(self, at: At, target: Ident, optimiser: Node, objective: str, signal: Node,
                 options: tuple[Node, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.target, self.optimiser = (), target, optimiser
        self.objective, self.signal, self.options = objective, signal, options


class DiagramDecl(Declaration, Block):
    """`diagram Name refines Other : kind, attributes { members }`; `attributes` is None
    without a `:`."""

    __slots__ = ("refines", "attributes", "members", "parameters")

    def __init__(self, at: At, name: Ident, refines: Ident | None,
                 attributes: tuple[Attr, ...] | None, members: tuple[Statement, ...],
                 parameters: tuple[Parameter, ...] = ()):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.name, self.refines = (), name, refines
        self.attributes, self.members, self.parameters = attributes, members, parameters

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.members


class File(Block):
    """A whole file: its declarations and other top-level statements."""

    __slots__ = ("declarations",)

    def __init__(self, at: At, declarations: tuple[Statement, ...]):
        self.document, self.start_pos, self.end_pos = at
        self.comments, self.declarations = (), declarations

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.declarations


OPTIONS = (Default, Merge, When, Note)  # what may follow a port, instance, wire or training
