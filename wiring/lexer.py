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


class KeywordLexer(Lexer):
    __future_interface__ = 2

    def __init__(self, lexer_conf):
        terminals = lexer_conf.terminals
        self.keywords: dict[str, str] = {}  # "train" -> "TRAIN"
        punct: dict[str, str] = {}           # "->" -> "__ANON_0"
        names = {t.name for t in terminals}
        for t in terminals:
            if t.pattern.type == "str":
                if _WORD.match(t.pattern.value):
                    self.keywords[t.pattern.value] = t.name
                else:
                    punct[t.pattern.value] = t.name
        self.ignore = set(lexer_conf.ignore)
        self.punct = punct
        # Longest punctuation first, so `->` wins over `-` and `>=` over `>`.
        punct_re = "|".join(re.escape(p) for p in sorted(punct, key=len, reverse=True))
        assert {"NAME", "NUMBER", "STRING", "COMMENT", "_NL"} <= names, names
        pattern = {t.name: t.pattern.to_regexp() for t in terminals}
        ws = [t.pattern.to_regexp() for t in terminals if t.name in self.ignore
              and t.name != "COMMENT"]
        self.compare = "COMPARE" in names
        parts = [
            ("STRING", pattern["STRING"]),
            ("COMMENT", pattern["COMMENT"]),
            ("_NL", pattern["_NL"]),
            ("WS", "|".join(ws) or r"(?!x)x"),
            ("NUMBER", pattern["NUMBER"]),
            ("WORD", pattern["NAME"]),
            ("COMPARE", pattern["COMPARE"]) if self.compare else None,
            ("PUNCT", punct_re),
        ]
        # COMPARE (>=, <=, >, <) must not swallow `->`; PUNCT is tried after it, and `-` is not
        # a COMPARE prefix, so the order above is safe.
        self.master = re.compile("|".join(f"(?P<{n}>{p})" for n, p in filter(None, parts)))

    def lex(self, lexer_state, parser_state):
        text_slice = lexer_state.text
        text = text_slice.text
        pos, end = text_slice.start, text_slice.end
        line_ctr = lexer_state.line_ctr
        line, line_start = line_ctr.line, line_ctr.line_start_pos
        keywords, punct = self.keywords, self.punct
        states = parser_state.parse_conf.parse_table.states
        match = self.master.match
        comment_ignored = "COMMENT" in self.ignore
        while pos < end:
            m = match(text, pos)
            if m is None:
                lexer_state.line_ctr.char_pos = pos
                lexer_state.line_ctr.line = line
                lexer_state.line_ctr.column = pos - line_start + 1
                lexer_state.line_ctr.line_start_pos = line_start
                accepts = set(states[parser_state.position])
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1,
                                           allowed=accepts, state=parser_state.position,
                                           token_history=lexer_state.last_token and
                                           [lexer_state.last_token])
            kind = m.lastgroup
            value = m.group()
            start = pos
            pos = m.end()
            if kind == "WS" or (kind == "COMMENT" and comment_ignored):
                continue
            column = start - line_start + 1
            if kind == "_NL":
                newlines = value.count("\n")
                line_after = line + newlines
                line_start_after = start + value.rindex("\n") + 1
                token = Token("_NL", value, start, line, column, line_after,
                              pos - line_start_after + 1, pos)
                line, line_start = line_after, line_start_after
            else:
                if kind == "WORD":
                    kind = "NAME"
                    keyword = keywords.get(value)
                    if keyword is not None:
                        accepted = states[parser_state.position]
                        if keyword in accepted or "NAME" not in accepted:
                            kind = keyword
                elif kind == "PUNCT":
                    kind = punct[value]
                token = Token(kind, value, start, line, column, line, column + len(value), pos)
            lexer_state.last_token = token
            yield token
        line_ctr.char_pos = pos
        line_ctr.line = line
        line_ctr.line_start_pos = line_start
        line_ctr.column = pos - line_start + 1
