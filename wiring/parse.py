"""Stage 1: source text to syntax nodes (wiring/syntax.py), with syntax errors as diagnostics.

Recovery works per top-level declaration: when a declaration does not parse, it is reported,
blanked out (keeping line numbers) and the file is parsed again, so one run reports the syntax
errors of every declaration. The names of blanked declarations are returned as `damaged`, so
that later stages stay silent about uses of them instead of cascading "unknown name" errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import syntax
from .builder import MAX_EXPRESSION_DEPTH, SyntaxBuilder, attach_comments, building, keep_comment
from .diagnostics import Diagnostic, Span, report
from .lexer import KeywordLexer, literal_terminals

MAX_NESTING = 64  # brackets; deeper input is refused before any recursive stage sees it
MAX_SYNTAX_ERRORS = 50
# Checking costs about 50 us and 3 to 6 KB a line (a 100,000-component proposal is 200,000 to
# 320,000 lines: 16 s and 1.3 GB). An 8 MiB file of one-word lines would be 1.2 million lines
# and 4 GB: past this many lines a file is refused before it is parsed.
MAX_LINES = 400_000

TOP_LEVEL = ("proposal", "cites", "note", "import", "kind", "type", "record", "enum",
             "param", "optimiser", "component", "diagram", "allow", "assert", "adversary",
             "behaviour", "evaluate")
_ITEM_START = re.compile(r"^(?:%s)\b" % "|".join(TOP_LEVEL), re.M)
_ITEM_NAME = re.compile(r"^\w+\s+([A-Za-z_]\w*)")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _grammar_text() -> str:
    # Installed wheels carry the grammar inside the package; a source checkout keeps it in grammar/.
    packaged = resources.files("wiring").joinpath("grammar/wiring.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parent.parent / "grammar" / "wiring.lark").read_text(
        encoding="utf-8")


class _NestingTooDeep(Exception):
    def __init__(self, line: int, column: int, expression: bool = False):
        self.line = line
        self.column = column
        self.expression = expression


def _too_deep(expression: syntax.Node) -> _NestingTooDeep:
    """An expression chaining too many operators, shown at its first operand (or, failing a
    named or numbered one, at the expression itself)."""
    node = expression
    while True:
        kind = type(node)
        if kind is syntax.Paren:
            node = node.inner
        elif kind is syntax.Binary:
            node = node.left
        elif kind is syntax.Neg:
            node = node.operand
        elif kind in (syntax.Call, syntax.Apply):
            node = node.function
        else:
            break
    at = node.parts[0] if kind is syntax.Ref else node if kind is syntax.Number else expression
    span = at.span
    return _NestingTooDeep(span.line, span.column, expression=True)


class _BracketLexer:
    """Drops newlines inside (...) and [...] and bounds bracket nesting."""

    always_accept = ("_NL",)

    def process(self, stream):
        depth = 0
        for token in stream:
            kind = token.type
            if kind in ("LPAR", "LSQB"):
                depth += 1
                if depth > MAX_NESTING:
                    raise _NestingTooDeep(token.line, token.column)
            elif kind in ("RPAR", "RSQB"):
                depth = max(depth - 1, 0)
            elif kind == "_NL" and depth:
                continue
            yield token


def lark_parser(**options) -> Lark:
    """A parser of the grammar with wiring's lexer; `parser()` is the one that makes nodes."""
    return Lark(_grammar_text(), parser="lalr", lexer=KeywordLexer, postlex=_BracketLexer(),
                maybe_placeholders=False, cache=True, **options)


@lru_cache(maxsize=1)
def parser() -> Lark:
    return lark_parser(transformer=SyntaxBuilder(), keep_all_tokens=True,
                       lexer_callbacks={"COMMENT": keep_comment})


def keywords() -> list[str]:
    """The words the grammar spells out (`component`, `train`, `maximising`...), for an
    editor's completion."""
    keywords, _ = literal_terminals(parser().terminals)
    return sorted(keywords)


@dataclass
class ParsedFile:
    path: str
    text: str
    syntax: syntax.File | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    damaged: set[str] = field(default_factory=set)


# Words for the grammar's terminals, so syntax errors say what was expected in plain language.
_WORDS = {
    "NAME": "a name", "STRING": 'a string in double quotes', "NUMBER": "a number",
    "_NL": "a new line", "SEMICOLON": "`;`", "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`",
    "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`", "COMMA": "`,`", "COLON": "`:`", "DOT": "`.`",
    "EQUAL": "`=`", "PLUS": "`+`", "MINUS": "`-`", "STAR": "`*`", "SLASH": "`/`",
    "CIRCUMFLEX": "`^`", "COMPARE": "a comparison such as `>=`", "ARROW": "`->`",
    "FROZEN": "`frozen`", "SHARED": "`shared`", "AS": "`as`", "DELAYED": "`delayed`",
    "$END": "the end of the file",
}


def _describe_expected(expected: set[str]) -> str:
    words = []
    for name in sorted(expected):
        word = _WORDS.get(name)
        if word is None:
            literal = parser().get_terminal(name).pattern.value if name in _terminal_names() else None
            word = f"`{literal}`" if isinstance(literal, str) and literal.isprintable() else name
        if word not in words:
            words.append(word)
    # Keywords first reads worse than "a name"; put the general categories first.
    words.sort(key=lambda w: (not w.startswith("a "), w))
    if len(words) > 8:
        words = words[:8] + ["..."]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


@lru_cache(maxsize=1)
def _terminal_names() -> frozenset[str]:
    return frozenset(t.name for t in parser().terminals)


def _describe_token(token: Token) -> str:
    if token.type == "_NL":
        return "end of line"
    if token.type == "$END":
        return "end of file"
    return f"`{token}`"


def _span_at(path: str, line: int, column: int, length: int = 1) -> Span:
    return Span(file=path, line=line, column=column, end_line=line, end_column=column + length)


def _syntax_diagnostic(path: str, text: str, exc: Exception) -> tuple[Diagnostic, int]:
    """The diagnostic for one lark exception and the line it happened on."""
    if isinstance(exc, _NestingTooDeep) and exc.expression:
        return report("E0003", _span_at(path, exc.line, exc.column),
                      f"an expression chains more than {MAX_EXPRESSION_DEPTH} operators",
                      label="this expression",
                      help="split it with parameters, or use sum(...) / mean(...) in a signal"), exc.line
    if isinstance(exc, _NestingTooDeep):
        return report("E0003", _span_at(path, exc.line, exc.column),
                      f"brackets nested more than {MAX_NESTING} levels deep",
                      help="name the inner part with a `type` alias or a "
                      "parameter, or simplify the expression"), exc.line
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        if char == '"':   # a quote that starts no string: the string is not closed on its line
            return report("E0002", _span_at(path, exc.line, exc.column),
                          "this string is not closed", label="the string opens here",
                          help='close it with `"` on the same line (a string does not run on '
                          "to the next line; write `\\n` for a line break)"), exc.line
        shown = repr(char)[1:-1] if not char.isprintable() else char
        help = ("strings are written in double quotes" if char == "'" else
                "names use letters, digits and `_`; comments start with `#`")
        return report("E0002", _span_at(path, exc.line, exc.column),
                      f"unexpected character `{shown}`", help=help), exc.line
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        # The interactive parser knows exactly which tokens would be accepted here; the raw
        # set also lists the post-lexer's always-accepted new line.
        try:
            accepted = set(exc.interactive_parser.accepts()) if exc.interactive_parser else set()
        except Exception:  # noqa: BLE001 - fall back to lark's own list
            accepted = set()
        expected = _describe_expected(accepted or set(exc.expected))
        if token.type == "$END":
            lines = text.split("\n")
            line = len(lines)
            span = _span_at(path, line, len(lines[-1]) + 1)
        else:
            line = token.line
            span = _span_at(path, token.line, token.column, max(len(str(token)), 1)
                            if token.type != "_NL" else 1)
        unclosed = _unclosed_brace(path, text, token, accepted)
        if unclosed is not None:
            return unclosed
        glued = _glued_keyword(str(token), accepted) if token.type == "NAME" else None
        help = (_keyword_help(text, token, glued) if glued else _comment_help(text, token) or
                _continued_help(exc) or _instance_help(exc, token) or
                "see `wiring explain E0001` and the language reference in docs/language.md")
        return report("E0001", span, f"expected {expected}, found {_describe_token(token)}",
                     expected=expected, help=help), line
    assert isinstance(exc, UnexpectedEOF)
    lines = text.split("\n")
    return report("E0001", _span_at(path, len(lines), len(lines[-1]) + 1),
                  "the file ends in the middle of a declaration", label="unfinished",
                  help="close every `{`, `(` and `[`"), len(lines)


def _unclosed_brace(path: str, text: str, token, accepted: set[str]):
    """A declaration that starts at the beginning of a line where a `}` could close the one
    before: that `{` was never closed. Reported at the brace, with the line of the unclosed
    declaration, so that recovery skips it rather than the declaration that follows."""
    at_end = token.type == "$END"
    start = len(text) if at_end else getattr(token, "start_pos", None)
    if "RBRACE" not in accepted or start is None or not at_end and (
            token.column != 1 or not _ITEM_START.match(text, start)):
        return None
    opening = text.rfind("{", 0, start)
    if opening < 0:
        return None
    line = text.count("\n", 0, opening) + 1
    column = opening - text.rfind("\n", 0, opening)
    owner = text[text.rfind("\n", 0, opening) + 1:opening].strip()   # `component X : policy`
    next_one = [] if at_end else [(_span_at(path, token.line, 1, len(str(token))),
                                   "the next declaration starts here")]
    return report("E0001", _span_at(path, line, column), f"`{owner} {{` is not closed",
                  label="opened here", related=next_one,
                  help="add `}` at the end of the file" if at_end else
                  f"add `}}` before line {token.line}"), line


def _keyword_help(text: str, token, keyword: str) -> str:
    """A word that starts with a keyword: the keyword glued to a name (`typePrompt`), or a word
    used for the keyword (`input a : A`, where a name already follows)."""
    word = str(token)
    after = text[token.end_pos:].split("\n", 1)[0].strip()
    if after[:1].isalpha() or after[:1] == "_":
        return f"did you mean `{keyword}`? write `{keyword} {after}`"
    return f"did you mean `{keyword} {word[len(keyword):]}`? a keyword is followed by a space"


def _continued_help(exc: UnexpectedToken) -> str | None:
    """A `modes` list that goes on after a comma at the end of a line: when the next line is no
    mode (`x = Y`, or `}`), the comma was the mistake."""
    stack = getattr(getattr(exc.interactive_parser, "parser_state", None), "value_stack", [])
    types = [getattr(value, "type", None) for value in stack]
    if "MODES" not in types or "_NL" not in types[-2:]:
        return None
    comma = stack[len(types) - 1 - types[::-1].index("_NL") - 1]
    if getattr(comma, "type", None) != "COMMA" or types.index("MODES") > stack.index(comma):
        return None
    return (f"the `,` at the end of line {comma.line} carries the `modes` list on to the next "
            "line: remove it if the list ends there")


def _instance_help(exc: UnexpectedToken, token) -> str | None:
    """Slips in an instance: a value given by position (`Ref(3)`), values given to a shared
    copy (`shared a(n = 1)`), which has its model's, a snapshot of a shared copy (`frozen
    shared a`), and values after the attributes (`Ref with trusted (n = 1)`)."""
    stack = getattr(getattr(exc.interactive_parser, "parser_state", None), "value_stack", [])
    types = [getattr(value, "type", None) for value in stack]
    if types[-1:] == ["LPAR"] and "EQUAL" in types and token.type != "NAME":
        return "values are given by name: `Name(parameter = value)`"
    if types[-2:] == ["SHARED", "NAME"] and token.type == "LPAR":
        return ("a shared copy has the values of the model it shares; through another "
                "interface, give that one's: `shared a as Component(parameter = value)`")
    if types[-2:] == ["FROZEN", "NAME"] and str(stack[-1]) == "shared":
        return ("a snapshot of a shared copy is a snapshot of the parameters it shares: "
                f"write `frozen {token}`")
    if "WITH" in types and token.type == "LPAR":
        return "parameter values come before the attributes: `Name(parameter = value) with ...`"
    return None


def _comment_help(text: str, token) -> str | None:
    """`//` or `/*` where a comment was meant."""
    start = getattr(token, "start_pos", None)
    if str(token) == "/" and start is not None and text[start + 1:start + 2] in ("/", "*"):
        return "comments start with `#` and run to the end of the line"
    return None


def _glued_keyword(word: str, accepted: set[str]) -> str | None:
    """An accepted keyword that `word` starts with (`typePrompt`: `type`), the longest one."""
    keywords = [t.pattern.value for t in parser().terminals if t.name in accepted
                and t.pattern.type == "str" and t.pattern.value.isalpha()
                and word.startswith(t.pattern.value) and len(word) > len(t.pattern.value)]
    return max(keywords, key=len, default=None)


def _blank(text: str, start: int, end: int) -> str:
    """Replace text[start:end] by spaces, keeping newlines, so positions stay valid."""
    middle = re.sub(r"[^\n]", " ", text[start:end])
    return text[:start] + middle + text[end:]


def parse(path: str, text: str) -> ParsedFile:
    result = ParsedFile(path=path, text=text, syntax=None)
    if (lines := text.count("\n") + 1) > MAX_LINES:
        result.diagnostics.append(report(
            "E0007", _span_at(path, 1, 1), f"the file has {lines:,} lines; proposals are "
            f"limited to {MAX_LINES:,}", label=""))
        return result
    if not re.sub(r"(?m)^[ \t\f]*#[^\n]*$", "", text).strip("\n\r\t \f"):
        result.diagnostics.append(report("E0004", _span_at(path, 1, 1),
                                         "the file declares nothing" if text.strip() else "the file is empty",
                                         label=""))
        return result
    working = text
    if _SURROGATE.search(text):
        working = _without_surrogates(result, text)
        if not working.strip():
            return result
    document = syntax.Document(path, result.text)
    for _ in range(MAX_SYNTAX_ERRORS):
        try:
            result.syntax = _nodes(working, document)
            return result
        except (UnexpectedInput, _NestingTooDeep) as exc:
            diagnostic, line = _syntax_diagnostic(path, working, exc)
            result.diagnostics.append(diagnostic)
            working = _drop_item(result, working, line)
            if not working.strip():
                return result
    return result


def _drop_item(result: ParsedFile, working: str, line: int) -> str:
    """`working` with the top-level item holding `line` blanked out (its name is damaged), so
    that parsing resumes after a syntax error and reports the next one."""
    starts = [m.start() for m in _ITEM_START.finditer(working)]
    offset = _offset_of_line(working, line)
    before = [s for s in starts if s <= offset]
    after = [s for s in starts if s > offset]
    start = before[-1] if before else 0
    end = after[0] if after else len(working)
    name = _ITEM_NAME.match(working[start:end])
    if name:
        result.damaged.add(name.group(1))
    return _blank(working, start, end)


def _without_surrogates(result: ParsedFile, text: str) -> str:
    """E0002 for each lone surrogate (only a str handed to the API can hold one: files are
    decoded strictly), and the text with each item holding one blanked out. Both lexers then
    see the same surrogate-free text, and nothing downstream (a path, JSON, the terminal) gets
    a string it cannot encode; the kept text shows U+FFFD in its place."""
    working = result.text = _SURROGATE.sub("\ufffd", text)
    for found in list(_SURROGATE.finditer(text))[:MAX_SYNTAX_ERRORS]:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - text.rfind("\n", 0, found.start())
        result.diagnostics.append(report(
            "E0002", _span_at(result.path, line, column),
            f"unexpected character `\\u{ord(found.group()):04x}`: a lone surrogate is not a "
            "character", label="not a character",
            help="remove it; text must be valid Unicode (a surrogate comes only in a pair)"))
        working = _drop_item(result, working, line)
    return working


def _nodes(text: str, document: syntax.Document) -> syntax.File:
    """The syntax of `text` (`document`'s text, perhaps with declarations blanked out)."""
    with building(document) as build:
        file = parser().parse(text)
    # Checked only once the whole file parses, so that a syntax error later in the same
    # declaration is the one reported.
    if build.too_deep is not None:
        raise _too_deep(build.too_deep)
    attach_comments(file, build.comments)
    return file


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset
