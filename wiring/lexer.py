"""The lexer of the parse stage: one compiled master regex, with keywords resolved against the
terminals the LALR parser accepts in its current state.

lark's contextual lexer does the same resolution (a mode may be called `train`, a port `type`)
but compiles one regex per parser state on first use, which costs a start-up of every process
about as much as the rest of the parse. This lexer compiles once and produces the same trees
on every example, generated proposal and diagnostic example (tests/test_lexer.py compares
them); unlike lark's, it never splits a keyword off the front of a word (`typePrompt` is one
word, and an error).
"""

from __future__ import annotations

import re

from lark import Token
from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def literal_terminals(terminals) -> tuple[dict[str, str], dict[str, str]]:
    """The grammar's literal terminals, split into keywords ({"train": "TRAIN"}) and punctuation
    ({"->": "ARROW"}): the one place that tells them apart (the highlighter reads it too)."""
    keywords: dict[str, str] = {}
    punct: dict[str, str] = {}
    for t in terminals:
        if t.pattern.type == "str":
            table = keywords if _WORD.match(t.pattern.value) else punct
            table[t.pattern.value] = t.name
    return keywords, punct


class KeywordLexer(Lexer):
    """Honours lark's `lexer_callbacks` for comments: a callback for COMMENT is given each one."""

    __future_interface__ = 2

    def __init__(self, lexer_conf):
        terminals = lexer_conf.terminals
        self.keywords, self.punct = literal_terminals(terminals)
        names = {t.name for t in terminals}
        assert {"NAME", "NUMBER", "STRING", "COMMENT", "_NL"} <= names, names
        ignore = set(lexer_conf.ignore)
        self.skipped = {"WS", "COMMENT"} if "COMMENT" in ignore else {"WS"}
        self.on_comment = lexer_conf.callbacks.get("COMMENT")
        self.master = self._master_regex(terminals, ignore)

    def _master_regex(self, terminals, ignore) -> re.Pattern:
        pattern = {t.name: t.pattern.to_regexp() for t in terminals}
        ws = [t.pattern.to_regexp() for t in terminals if t.name in ignore and t.name != "COMMENT"]
        # Longest punctuation first, so `->` wins over `-` and `>=` over `>`.
        punct = "|".join(re.escape(p) for p in sorted(self.punct, key=len, reverse=True))
        parts = [
            ("STRING", pattern["STRING"]),
            ("COMMENT", pattern["COMMENT"]),
            ("_NL", pattern["_NL"]),
            ("WS", "|".join(ws) or r"(?!x)x"),
            ("NUMBER", pattern["NUMBER"]),
            ("WORD", pattern["NAME"]),
            ("COMPARE", pattern["COMPARE"]) if "COMPARE" in pattern else None,
            ("PUNCT", punct),
        ]
        # COMPARE (>=, <=, >, <) must not swallow `->`; PUNCT is tried after it, and `-` is not
        # a COMPARE prefix, so the order above is safe.
        return re.compile("|".join(f"(?P<{n}>{p})" for n, p in filter(None, parts)))

    def lex(self, lexer_state, parser_state):
        text_slice, line_ctr = lexer_state.text, lexer_state.line_ctr
        text, pos, end = text_slice.text, text_slice.start, text_slice.end
        line, line_start = line_ctr.line, line_ctr.line_start_pos
        states = parser_state.parse_conf.parse_table.states
        match, keywords, punct, skipped = self.master.match, self.keywords, self.punct, self.skipped
        while pos < end:
            m = match(text, pos)
            if m is None:
                _move(line_ctr, pos, line, line_start)
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1,
                                           allowed=set(states[parser_state.position]),
                                           state=parser_state.position,
                                           token_history=lexer_state.last_token and
                                           [lexer_state.last_token])
            kind, value, start, pos = m.lastgroup, m.group(), pos, m.end()
            column = start - line_start + 1
            if kind in skipped:
                if kind == "COMMENT" and self.on_comment is not None:
                    self.on_comment(Token(kind, value, start, line, column, line,
                                          column + len(value), pos))
                continue
            if kind == "_NL":
                token, line, line_start = _newline(value, start, line, column)
            else:
                if kind == "WORD":
                    kind = keywords.get(value, "NAME")
                    if kind != "NAME":  # a keyword only where the parser accepts it
                        accepted = states[parser_state.position]
                        if kind not in accepted and "NAME" in accepted:
                            kind = "NAME"
                elif kind == "PUNCT":
                    kind = punct[value]
                token = Token(kind, value, start, line, column, line, column + len(value), pos)
            lexer_state.last_token = token
            yield token
        _move(line_ctr, pos, line, line_start)


def _newline(value: str, start: int, line: int, column: int) -> tuple[Token, int, int]:
    """The token of one or more line breaks (and the indentation after them), with the line
    and the offset of the line start after it."""
    line_after = line + value.count("\n")
    line_start_after = start + value.rindex("\n") + 1
    end = start + len(value)
    token = Token("_NL", value, start, line, column, line_after, end - line_start_after + 1, end)
    return token, line_after, line_start_after


def _move(line_ctr, pos: int, line: int, line_start: int) -> None:
    """Leave lark's line counter where lexing stopped, for its error reports."""
    line_ctr.char_pos = pos
    line_ctr.line = line
    line_ctr.line_start_pos = line_start
    line_ctr.column = pos - line_start + 1
