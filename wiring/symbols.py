"""Which declaration each name in a proposal's files refers to: the index an editor asks
"what is this name, where is it declared, where else is it used".

Built from the syntax of a `Program` (the parsed files, imports included), not from the model:
it answers for every name written, also in a file whose checking found errors, and its places
are the identifiers' own spans. Names resolve as elaboration resolves them: top-level
declarations share one namespace across the proposal and its imports (elaborate.base); inside a
component or diagram its parameters, ports, instances and modes come first; `inst.port` is a
port of the instance's component or diagram. A name that resolves to nothing is left out.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from . import syntax
from .diagnostics import Span
from .elaborate.base import FORMS
from .sources import Program
from .syntax_behaviours import BehaviourDecl, Binding, Evaluation, Setting

TOP = "top"   # the group of top-level declarations; the others are "port", "instance", ...


@dataclass(frozen=True)
class Symbol:
    """A declared name: `form` is a top-level form (`component`, `type`, ...) or `port`,
    `instance`, `parameter`, `mode`, `field`, `member`; `owner` the declaration it belongs to
    (None at top level)."""

    form: str
    name: str
    owner: str | None
    file: str
    span: Span = field(compare=False, hash=False)
    node: syntax.Node = field(compare=False, hash=False, repr=False)

    @property
    def key(self) -> tuple:
        return (TOP if self.owner is None else self.form, self.owner, self.name)


@dataclass(frozen=True)
class Occurrence:
    """A name as written at `span` (its declaration or a use) and what it refers to."""

    symbol: Symbol
    span: Span
    start: int
    end: int
    declaration: bool = False


class Index:
    """Every declaration and every resolved name of a program's files."""

    def __init__(self, program: Program):
        self.program = program
        self.symbols: dict[tuple, Symbol] = {}
        self.occurrences: dict[str, list[Occurrence]] = {}
        self.blocks: dict[str, list[syntax.Declaration]] = {}   # file -> its declarations
        self._starts: dict[str, list[int]] = {}
        for file, parsed in program.files.items():
            if parsed.syntax is not None:
                self.blocks[file] = [d for d in parsed.syntax.declarations
                                     if type(d) in FORMS]
                for decl in self.blocks[file]:
                    self._declare_top(file, decl)
        for file, decls in self.blocks.items():
            for decl in decls:
                self._declare_members(file, decl)
        for file, parsed in program.files.items():
            if parsed.syntax is not None:
                _Walker(self, file).walk(parsed.syntax)
        for file, found in self.occurrences.items():
            found.sort(key=lambda o: (o.start, o.end))
            self._starts[file] = [o.start for o in found]

    # ------------------------------------------------------------------------ declaring
    def _add(self, form: str, name: syntax.Ident, owner: str | None, file: str,
             node: syntax.Node) -> Symbol:
        symbol = Symbol(form, name.text, owner, file, name.span, node)
        self.symbols.setdefault(symbol.key, symbol)   # the first declaration wins, as in checking
        self.note(file, name, self.symbols[symbol.key], declaration=True)
        return symbol

    def _declare_top(self, file: str, decl: syntax.Declaration) -> None:
        self._add(FORMS[type(decl)], decl.name, None, file, decl)

    def _declare_members(self, file: str, decl: syntax.Declaration) -> None:
        owner = decl.name.text
        for parameter in getattr(decl, "parameters", ()):
            self._add("parameter", parameter.name, owner, file, parameter)
        for member in getattr(decl, "members", ()):
            if type(member) is syntax.Port:
                for name in member.names:
                    self._add("port", name, owner, file, member)
            elif type(member) is syntax.Instance:
                self._add("instance", member.name, owner, file, member)
            elif type(member) is syntax.Modes:
                for name in member.names:
                    self._add("mode", name, owner, file, member)
            elif type(decl) is syntax.EnumDecl:
                self._add("member", member, owner, file, decl)
        for item in getattr(decl, "fields", ()):
            self._add("field", item.name, owner, file, item)

    def note(self, file: str, ident: syntax.Ident, symbol: Symbol,
             declaration: bool = False) -> None:
        self.occurrences.setdefault(file, []).append(
            Occurrence(symbol, ident.span, ident.start_pos, ident.end_pos, declaration))

    # ------------------------------------------------------------------------ asking
    def lookup(self, form: str, owner: str | None, name: str) -> Symbol | None:
        return self.symbols.get((TOP if owner is None else form, owner, name))

    def rival(self, symbol: Symbol, name: str) -> Symbol | None:
        """What already declares `name` where `symbol` is declared (the same top level, or the
        same group of the same owner): renaming `symbol` to `name` would declare it twice."""
        return self.symbols.get((symbol.key[0], symbol.owner, name))

    def declaration(self, name: str) -> Symbol | None:
        """The top-level declaration of `name`."""
        return self.symbols.get((TOP, None, name))

    def at(self, file: str, line: int, column: int) -> Occurrence | None:
        """The name at a place (line and column from 1; the column may be just past the
        name's end, where a cursor stands after typing it)."""
        offset = self.offset(file, line, column)
        found = self.occurrences.get(file, [])
        i = bisect_right(self._starts.get(file, []), offset) - 1
        for occurrence in found[max(i - 1, 0):i + 1][::-1]:
            if occurrence.start <= offset <= occurrence.end:
                return occurrence
        return None

    def offset(self, file: str, line: int, column: int) -> int:
        parsed = self.program.files.get(file)
        if parsed is None:
            return -1
        lines = parsed.text.split("\n")
        return sum(len(text) + 1 for text in lines[:line - 1]) + column - 1

    def references(self, symbol: Symbol) -> list[Occurrence]:
        """Every occurrence of `symbol` in every file, its declaration included."""
        return [o for file in sorted(self.occurrences) for o in self.occurrences[file]
                if o.symbol.key == symbol.key]

    def enclosing(self, file: str, line: int) -> syntax.Declaration | None:
        """The top-level declaration whose text holds `line`."""
        for decl in self.blocks.get(file, []):
            span = decl.span
            if span.line <= line <= span.end_line:
                return decl
        return None

    def members(self, owner: str, form: str) -> list[Symbol]:
        return [s for key, s in sorted(self.symbols.items(), key=lambda kv: kv[1].span.line)
                if key[0] == form and key[1] == owner]

    def ports_of(self, owner: str, instance: str) -> list[Symbol]:
        """The ports of an instance of `owner` (a diagram): those of its component or
        diagram, or of its interface (`as Monitor`)."""
        target = _Walker(self, "").target_of(owner, instance)
        return [] if target is None else self.members(target, "port")

    def top_level(self) -> list[Symbol]:
        return sorted((s for s in self.symbols.values() if s.owner is None),
                      key=lambda s: s.name)


class _Walker:
    """Resolves the names of one file's declarations."""

    def __init__(self, index: Index, file: str):
        self.index = index
        self.file = file

    def use(self, ident: syntax.Ident | None, form: str, owner: str | None) -> Symbol | None:
        if ident is None:
            return None
        symbol = self.index.lookup(form, owner, ident.text)
        if symbol is not None:
            self.index.note(self.file, ident, symbol)
        return symbol

    def name(self, ident: syntax.Ident, owner: str | None) -> Symbol | None:
        """A bare name: the owner's parameter, instance, port or mode, else a top-level one."""
        if owner is not None:
            for form in ("parameter", "instance", "port", "mode"):
                symbol = self.use(ident, form, owner)
                if symbol is not None:
                    return symbol
        return self.use(ident, TOP, None)

    def target_of(self, owner: str, instance: str) -> str | None:
        """The component or diagram whose ports `owner`'s `instance` has."""
        symbol = self.index.lookup("instance", owner, instance)
        if symbol is None:
            return None
        node = symbol.node
        if node.interface is not None:
            return node.interface.text
        if node.shared and self.index.lookup("instance", owner, node.target.text) is not None:
            return self.target_of(owner, node.target.text) if node.target.text != instance \
                else None
        return node.target.text

    def walk(self, tree: syntax.File) -> None:
        for item in tree.declarations:
            owner = item.name.text if type(item) in FORMS else None
            if isinstance(item, BehaviourDecl):
                self.use(item.component, TOP, None)
                owner = item.component.text   # its formulas read and set the ports of that
            elif isinstance(item, Evaluation):
                self.use(item.diagram, TOP, None)
                owner = item.diagram.text
                self.use(item.mode, "mode", owner)
            self.node(item, owner)

    def node(self, node, owner: str | None) -> None:
        """Resolve the names under `node`, written inside `owner` (or at top level)."""
        kind = type(node)
        handler = _HANDLERS.get(kind)
        if handler is not None and handler(self, node, owner):
            return
        for slot in _slots(kind):
            value = getattr(node, slot, None)
            for child in value if isinstance(value, tuple) else (value,):
                if isinstance(child, syntax.Node) and type(child) is not syntax.Ident:
                    self.node(child, owner)

    # Each handler resolves what its node names and returns True when it has walked it whole.
    def ref(self, node: syntax.Ref, owner: str | None) -> bool:
        first, *rest = node.parts
        symbol = self.name(first, owner)
        if symbol is not None and symbol.form == "instance" and rest and owner is not None:
            target = self.target_of(owner, first.text)
            if target is not None:
                self.use(rest[0], "port", target)
        return True

    def dotted(self, node: syntax.Dotted, owner: str | None) -> bool:
        """The box an `allow ... on` or an assertion names: in its diagram, or (at top level)
        in the first diagram that has an instance of that name."""
        if owner is None:
            first = node.parts[0].text
            owner = next((s.owner for s in self.index.symbols.values()
                          if s.form == "instance" and s.name == first), None)
        return self.ref(node, owner)

    def instance(self, node: syntax.Instance, owner: str | None) -> bool:
        if node.shared and owner is not None and \
                self.index.lookup("instance", owner, node.target.text) is not None:
            self.use(node.target, "instance", owner)
        else:
            self.use(node.target, TOP, None)
        self.use(node.interface, TOP, None)
        for attr in node.attributes:
            self.attr(attr, owner)
        for argument in node.arguments:
            self.use(argument.name, "parameter", node.target.text)
            self.node(argument.value, owner)
        self.options(node.options, owner)
        return True

    def endpoint(self, node: syntax.Endpoint, owner: str | None) -> bool:
        if node.instance is None:
            self.use(node.port, "port", owner)
        elif self.use(node.instance, "instance", owner) is not None:
            target = self.target_of(owner, node.instance.text)
            if target is not None:
                self.use(node.port, "port", target)
        return True

    def attr(self, node: syntax.Attr, owner: str | None) -> bool:
        self.use(node.name, TOP, None)   # a kind (`: policy`); `learned` and the like are words
        if node.value is not None:
            self.node(node.value, owner)
        return True

    def options(self, options, owner: str | None) -> None:
        for option in options:
            if type(option) is syntax.When:
                for mode in option.modes:
                    self.use(mode, "mode", owner)
            else:
                self.node(option, owner)

    def keyed(self, node, owner: str | None) -> bool:
        """Nodes whose Ident fields name declarations: a kind's parent, a diagram it refines,
        a training's target, a behaviour binding, a setting's parameter."""
        kind = type(node)
        if kind is syntax.KindDecl:
            self.use(node.parent, TOP, None)
        elif kind is syntax.DiagramDecl:
            self.use(node.refines, TOP, None)
        elif kind is syntax.Train:
            self.use(node.target, "instance", owner)
        elif kind is Binding:
            self.use(node.behaviour, TOP, None)
        elif kind is Setting:
            self.name(node.name, None)
        if kind in (syntax.Port, syntax.Wire, syntax.Train, syntax.Instance):
            self.options(getattr(node, "options", ()), owner)
        return False   # walk the rest as usual


_SLOTS: dict[type, tuple[str, ...]] = {}


def _slots(kind: type) -> tuple[str, ...]:
    """A node class's fields (its slots and its bases'), except the place and the comments."""
    if kind not in _SLOTS:
        skip = {"document", "start_pos", "end_pos", "comments", "options"}
        _SLOTS[kind] = tuple(s for cls in reversed(kind.__mro__)
                             for s in getattr(cls, "__slots__", ()) if s not in skip)
    return _SLOTS[kind]


_HANDLERS = {
    syntax.Ref: _Walker.ref, syntax.Dotted: _Walker.dotted,
    syntax.Instance: _Walker.instance, syntax.Endpoint: _Walker.endpoint,
    syntax.Attr: _Walker.attr, syntax.KindDecl: _Walker.keyed,
    syntax.DiagramDecl: _Walker.keyed, syntax.Train: _Walker.keyed, Binding: _Walker.keyed,
    Setting: _Walker.keyed, syntax.Port: _Walker.keyed,
    syntax.Wire: _Walker.keyed,
}
