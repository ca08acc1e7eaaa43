"""`wiring fmt`: one canonical layout of a .wd file, printed from its concrete syntax tree.

The printer walks lark's tree built with every token kept (keywords, punctuation, separators),
so nothing the author wrote can be lost: it only chooses the spaces and line breaks between
tokens. Comments, which the lexer skips, come back through its COMMENT callback and are put
back where they stood: a comment at the end of a line stays at the end of that line, a comment
on a line of its own stays on a line of its own before the same token.

The layout is the one the examples and the standard library were written in:
- one statement a line (`;` between statements becomes a line break), indented two spaces a
  block; a block written on one line (`enum E { a, b }`) stays on one line;
- at most one blank line where the author left one or more, none after `{` or before `}`;
- one space around `:`, `=`, `->`, `~` and operators but `^`, after `,`, none inside brackets or
  around `.`, none before `(` or `[` after a name (`List[Prompt]`, `gated(x)`);
- a line break inside brackets, or after a comma in `modes`, is the author's and is kept; the
  next line lines up after the bracket (after `modes `);
- consecutive ports line up their direction, names, types and options, a record's fields
  their `:`, consecutive instances and an evaluation's bindings their `=` (like gofmt's
  columns: a blank line ends a group, a comment line does not); an instance's note stands two
  spaces after its definition;
- trailing comments of consecutive lines share a column (see `_comment_columns`).

`format_source` is the API (the language server calls it): it raises `CannotFormat`, carrying
the parse stage's diagnostics, for text that does not parse.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from lark import Token, Tree

from .diagnostics import Diagnostic
from .parse import lark_parser, parse

INDENT = 2
# Rules whose `{ ... }` hold statements (or, for an enum, names).
_BLOCKS = frozenset({"component", "diagram", "record_decl", "enum_decl", "behaviour_decl",
                     "evaluation"})
_OPEN, _CLOSE = frozenset({"LPAR", "LSQB"}), frozenset({"RPAR", "RSQB"})
_SEPARATORS = frozenset({"_NL", "SEMICOLON"})
# Consecutive statements of these kinds line up their columns (see `_cell`).
_ALIGNED = frozenset({"port", "instance", "binding", "field"})
# Port options start a column of their own.
_PORT_OPTIONS = frozenset({"default", "merge", "when", "note"})

_COMMENTS: ContextVar[list[Token]] = ContextVar("wiring_fmt_comments")


class CannotFormat(Exception):
    """The text does not parse; `diagnostics` say why (the codes of `wiring check`)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        first = diagnostics[0] if diagnostics else None
        super().__init__(f"{first.code}: {first.message}" if first else "cannot format")


def format_source(text: str, path: str = "<text>") -> str:
    """`text` laid out canonically; raises CannotFormat when it does not parse. `parse` judges
    what is a syntax error, so fmt refuses exactly what `wiring check` reports as one."""
    parsed = parse(path, text)
    if parsed.diagnostics or parsed.syntax is None:
        raise CannotFormat(parsed.diagnostics)
    comments: list[Token] = []
    token = _COMMENTS.set(comments)
    try:
        tree = _parser().parse(text)
    finally:
        _COMMENTS.reset(token)
    printer = _Printer(text, comments)
    printer.walk(tree, ())
    return printer.finish()


def _keep_comment(token: Token) -> None:
    _COMMENTS.get().append(token)


@lru_cache(maxsize=1)
def _parser():
    return lark_parser(keep_all_tokens=True, lexer_callbacks={"COMMENT": _keep_comment})


@dataclass
class _Line:
    indent: int
    cells: list[list[str]] = field(default_factory=lambda: [[]])
    group: str | None = None       # lines of one group in a row line up their cells
    comment: str | None = None     # a trailing comment
    comment_column: int = 0        # where the author put it
    blank_before: bool = False
    continued: bool = False        # the statement goes on on the next line: no alignment
    own_comment: bool = False      # a comment on a line of its own

    def code(self, widths: list[int] | None = None) -> str:
        texts = ["".join(cell) for cell in self.cells]
        while len(texts) > 1 and not texts[-1]:
            texts.pop()
        if widths:
            texts = [t.ljust(w) for t, w in zip(texts[:-1], widths)] + texts[-1:]
        return " " * self.indent + " ".join(t for t in texts if t or widths)


@dataclass
class _Block:
    rule: str
    inline: bool
    pending: str | None = None     # a separator written only if another member follows
    started: bool = False          # a member has been written


class _Printer:
    def __init__(self, text: str, comments: list[Token]):
        self.text = text
        self.comments = sorted(comments, key=lambda c: c.start_pos)
        self.next_comment = 0
        self.blank = {n for n, line in enumerate(text.split("\n"), 1) if not line.strip()}
        self.lines: list[_Line] = []
        self.line: _Line | None = None   # the line being written
        self.blocks: list[_Block] = []
        self.brackets: list[int] = []    # the column after each open bracket
        self.last: Token | None = None   # the last token written
        self.last_path: tuple[str, ...] = ()
        self.last_line = 0               # the source line where the last thing written ended
        self.last_written: _Line | None = None   # the line holding the last token
        self.new_statement = True
        self.continuation = False        # a line break the author made inside a statement
        self.group: str | None = None    # the statement being written
        self.cell = 0

    # ------------------------------------------------------------------ the walk

    def walk(self, tree: Tree, path: tuple[str, ...]) -> None:
        path = path + (tree.data,)
        if tree.data in _BLOCKS:
            self._block(tree, path)
            return
        for child in tree.children:
            if isinstance(child, Tree):
                self.walk(child, path)
            else:
                self.token(child, path)

    def _block(self, tree: Tree, path: tuple[str, ...]) -> None:
        children = tree.children
        opening = next(i for i, c in enumerate(children)
                       if isinstance(c, Token) and c.type == "LBRACE")
        inside = children[opening + 1:-1]
        members = [c for c in inside if isinstance(c, Tree) or c.type not in
                   _SEPARATORS | {"COMMA"}]
        start, end = children[opening].start_pos, children[-1].start_pos
        inline = not any(start < c.start_pos < end for c in self.comments) and (
            not members or not any(isinstance(c, Token) and c.type == "_NL" for c in inside))
        for child in children[:opening]:
            self.walk(child, path) if isinstance(child, Tree) else self.token(child, path)
        self._write(children[opening], path)
        self.blocks.append(_Block(tree.data, inline))
        if not inline:
            self.new_statement = True
        for child in inside:
            if isinstance(child, Tree):
                self._member_start(child)
                self.walk(child, path)
            elif child.type in _SEPARATORS or child.type == "COMMA":
                self._separator(child)
            else:   # an enum's name
                self._member_start(child)
                self._write(child, path)
        self._close(children[-1], path)

    def _member_start(self, child) -> None:
        block = self.blocks[-1]
        if block.inline and block.pending and block.started:
            self.line.cells[-1][-1] += block.pending
        block.pending, block.started = None, True
        self.new_statement = self.new_statement or not block.inline

    def _separator(self, token: Token) -> None:
        """Between a block's members: a line break, or in a block kept on one line `;` (`,`
        in an enum), written only if another member follows."""
        block = self.blocks[-1]
        if block.inline:
            block.pending = "," if block.rule == "enum_decl" else ";"
        else:
            self.new_statement = True

    def _close(self, brace: Token, path: tuple[str, ...]) -> None:
        self._comments_before(brace.start_pos)   # inside the block, at its indentation
        block = self.blocks.pop()
        if block.inline:
            # an empty block is `{}`, even if written over lines
            self._write(brace, path, joined=self.last.type == "LBRACE")
        else:
            self._end_line()
            self.new_statement = True
            self._write(brace, path)
        self.new_statement = False

    # ------------------------------------------------------------------ tokens

    def token(self, token: Token, path: tuple[str, ...]) -> None:
        if token.type in _SEPARATORS:
            if path[-1] == "start":
                self.new_statement = True
            else:   # a `modes` list going on after a comma
                self.continuation = True
            return
        self._write(token, path)

    def _write(self, token: Token, path: tuple[str, ...], joined: bool = False) -> None:
        """Write a token: on a line of its own if a statement starts with it, on the next line
        if the author broke the statement before it (unless `joined`), else after a space."""
        self._comments_before(token.start_pos)
        if self.new_statement:
            self._start_line(token, path)
        elif self.line is None or not joined and (
                self.continuation or token.line != self.last.end_line):
            self._continue_line()
        else:
            cell = self._cell(token, path)
            if cell > self.cell:
                self.line.cells.extend([] for _ in range(cell - self.cell))
                self.cell = cell
            else:
                self.line.cells[-1].append(_space(self.last, token, self.last_path, path))
        if token.type in _CLOSE and self.brackets:
            self.brackets.pop()
        self.line.cells[-1].append(token.value)
        if token.type in _OPEN:
            self.brackets.append(len(self.line.code()))
        self.last, self.last_line, self.last_written = token, token.end_line, self.line
        self.last_path = path

    def _start_line(self, token: Token, path: tuple[str, ...]) -> None:
        self._end_line()
        statement = self._statement(path)
        self.group = statement
        self.line = _Line(INDENT * len(self.blocks), blank_before=self._blank_since(token.line),
                          group=statement if statement in _ALIGNED else None)
        self.cell = self._cell(token, path)
        self.line.cells = [[] for _ in range(self.cell + 1)]
        self.new_statement = False
        self.continuation = False

    def _continue_line(self) -> None:
        if self.last_written is not None:
            self.last_written.continued = True
        self._end_line()
        self.line = _Line(self._continuation_column())
        self.cell = 0
        self.continuation = False

    def _continuation_column(self) -> int:
        """Where a line the author broke inside a statement starts: after the innermost open
        bracket, or in a `modes` list under its first mode."""
        if self.brackets:
            return self.brackets[-1]
        return INDENT * len(self.blocks) + len("modes ")

    @staticmethod
    def _statement(path: tuple[str, ...]) -> str:
        """The rule of the statement a token is in (a block's own rule for its header)."""
        inner = max(i for i, rule in enumerate(path) if rule in _BLOCKS or rule == "start")
        return path[inner + 1] if inner + 1 < len(path) else path[inner]

    def _cell(self, token: Token, path: tuple[str, ...]) -> int:
        """Which column of an aligned line the token belongs to."""
        statement = self.group
        if statement not in _ALIGNED or self.line is None:
            return 0
        at = path.index(statement)
        child = path[at + 1] if at + 1 < len(path) else None
        if statement != "port":   # `name = definition`, a record's `name : type`
            return 0 if self._line_is_empty() else 1
        if child in _PORT_OPTIONS:
            return 3
        if child is not None or token.type == "COLON":
            return 2
        return 0 if token.type in ("IN", "OUT") else 1

    def _line_is_empty(self) -> bool:
        return self.line is None or not any(self.line.cells[0])

    # ------------------------------------------------------------------ comments and lines

    def _comments_before(self, position: int) -> None:
        while (self.next_comment < len(self.comments)
               and self.comments[self.next_comment].start_pos < position):
            self._comment(self.comments[self.next_comment])
            self.next_comment += 1

    def _comment(self, comment: Token) -> None:
        text = comment.value.rstrip()
        if self.last_written is not None and comment.line == self.last.end_line:
            self.last_written.comment = text
            self.last_written.comment_column = comment.column - 1
            self.continuation = not self.new_statement
            return
        indent = INDENT * len(self.blocks) if self.new_statement else self._continuation_column()
        self._end_line()
        line = _Line(indent, blank_before=self._blank_since(comment.line), own_comment=True)
        line.cells = [[text]]
        self.lines.append(line)
        self.last_line = comment.line
        if not self.new_statement:
            self.continuation = True

    def _blank_since(self, line: int) -> bool:
        """Whether the author left a blank line before `line` (never at the start of the file
        or of a block)."""
        previous = self.line or (self.lines[-1] if self.lines else None)
        if previous is None or previous.code().endswith("{"):
            return False
        return any(n in self.blank for n in range(self.last_line + 1, line))

    def _end_line(self) -> None:
        if self.line is not None:
            self.lines.append(self.line)
            self.line = None

    def finish(self) -> str:
        self._comments_before(len(self.text) + 1)
        self._end_line()
        for line in self.lines:   # no blank line before a block's `}`
            if line.code().lstrip().startswith("}"):
                line.blank_before = False
        return "\n".join(_render(self.lines)) + "\n"


def _space(before: Token, after: Token, before_path: tuple[str, ...],
           after_path: tuple[str, ...]) -> str:
    """The space between two tokens on one line (the paths: the rules around each)."""
    a, b = before.type, after.type
    if a in _OPEN or b in _CLOSE or b == "COMMA" or "DOT" in (a, b) or (a, b) == (
            "LBRACE", "RBRACE"):
        return ""
    if b in _OPEN and a in ("NAME", "GATED", "TRUSTED", "RSQB", "RPAR"):
        return ""   # a call, an application, parameters: `f(x)`, `List[A]`, `gated(x)`
    if a == "MINUS" and before_path[-1] == "neg" or "CIRCUMFLEX" in (a, b):
        return ""   # `-x`, `(a / b)^2`
    if b == "NOTE" and after_path[-2:] == ("instance", "note"):
        return "  "   # an instance's note stands apart from its long definition
    return " "


def _render(lines: list[_Line]) -> list[str]:
    widths = _alignments(lines)
    texts = [line.code(widths[i]) for i, line in enumerate(lines)]
    columns = _comment_columns(lines, texts)
    out: list[str] = []
    for i, (line, text) in enumerate(zip(lines, texts)):
        if line.blank_before and out:
            out.append("")
        if line.comment is not None:
            text = text.ljust(columns[i]) + line.comment
        out.append(text.rstrip())
    return out


def _runs(lines: list[_Line], same) -> list[list[int]]:
    """Maximal runs of consecutive lines that `same` puts together. A blank line ends a run;
    a comment on a line of its own does not (it heads the lines after it)."""
    runs: list[list[int]] = []
    previous = None   # the last line that is not a comment of its own
    for i, line in enumerate(lines):
        if line.own_comment and not line.blank_before:
            continue
        key = same(line)
        joined = (key is not None and runs and previous is not None and runs[-1][-1] == previous
                  and not line.blank_before and same(lines[previous]) == key)
        if joined:
            runs[-1].append(i)
        elif key is not None:
            runs.append([i])
        previous = None if line.own_comment else i
    return runs


def _alignments(lines: list[_Line]) -> list[list[int] | None]:
    """For each line, the widths its cells are padded to (None: not aligned)."""
    widths: list[list[int] | None] = [None] * len(lines)
    for run in _runs(lines, lambda l: None if l.continued or l.group is None
                     else (l.group, l.indent)):
        count = max(len(lines[i].cells) for i in run)
        run_widths = [max((len("".join(lines[i].cells[k])) for i in run
                           if k < len(lines[i].cells) - 1), default=0)
                      for k in range(count - 1)]
        for i in run:
            widths[i] = run_widths[:len(lines[i].cells) - 1]
    return widths


def _comment_columns(lines: list[_Line], texts: list[str]) -> dict[int, int]:
    """Trailing comments of consecutive lines share a column: the one the first of them was
    written at, or two spaces after the longest of their lines if that is further right. So the
    columns the examples chose by hand stay, and a comment never touches its code."""
    columns: dict[int, int] = {}
    for run in _runs(lines, lambda l: l.indent if l.comment is not None else None):
        column = max([lines[run[0]].comment_column] + [len(texts[i].rstrip()) + 2 for i in run])
        columns.update((i, column) for i in run)
    return columns
