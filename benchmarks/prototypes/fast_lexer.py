"""PROTOTYPE, not used by wiring: a drop-in replacement for lark's contextual lexer.

It scans with one compiled master regex and resolves keywords against the terminals the LALR
parser accepts in its current state (what "contextual" means: a mode may be called `train`, a
port `type`), so it keeps the grammar's behaviour. Measured gain (docs/performance.md): small on
its own (0-10 % of lark.parse), 10-20 % more once `propagate_positions` is off, because then the
lexer is a larger share of what is left. Most of the parse time is lark's per-reduction work.

Use (in wiring/parse.py, `parser()`):

    Lark(_grammar_text(), parser="lalr", lexer=FastLexer, postlex=_BracketLexer(),
         propagate_positions=True, maybe_placeholders=False, cache=True)

`python benchmarks/prototypes/fast_lexer.py` checks that it produces exactly the same trees
(token types, values, positions and node metadata) as the current parser on every generated
shape, on the examples and on the diagnostic examples of wiring/codes.py, then times both.
Syntax errors: it raises lark's UnexpectedCharacters/UnexpectedToken as the parser expects, but
the `expected` sets of UnexpectedCharacters differ from lark's; compare the E0001/E0002 messages
before adopting it.
"""

from __future__ import annotations

import re

from lark import Token
from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class FastLexer(Lexer):
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


# ----------------------------------------------------------------------- verification, timing

def _same(a, b, path="") -> str | None:
    from lark import Tree

    if isinstance(a, Tree) != isinstance(b, Tree):
        return f"{path}: {a!r} vs {b!r}"
    if isinstance(a, Tree):
        if a.data != b.data or len(a.children) != len(b.children):
            return f"{path}: {a.data}/{len(a.children)} vs {b.data}/{len(b.children)}"
        for attr in ("line", "column", "end_line", "end_column", "start_pos", "end_pos"):
            if getattr(a.meta, attr, None) != getattr(b.meta, attr, None):
                return f"{path}/{a.data}: meta.{attr} {getattr(a.meta, attr, None)} vs " \
                       f"{getattr(b.meta, attr, None)}"
        for i, (x, y) in enumerate(zip(a.children, b.children)):
            found = _same(x, y, f"{path}/{a.data}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, Token):
        ka = (a.type, str(a), a.start_pos, a.line, a.column, a.end_line, a.end_column, a.end_pos)
        kb = (b.type, str(b), b.start_pos, b.line, b.column, b.end_line, b.end_column, b.end_pos)
        return None if ka == kb else f"{path}: {ka} vs {kb}"
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def main() -> None:
    import gc
    import sys
    import time
    from pathlib import Path

    from lark import Lark

    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    import generate
    from wiring import parse as wparse
    from wiring.codes import CODES

    current = wparse.parser()
    fast = Lark(wparse._grammar_text(), parser="lalr", lexer=FastLexer,
                postlex=wparse._BracketLexer(), propagate_positions=True,
                maybe_placeholders=False)
    texts = {f"{s}-{n}": generate.generate(s, n) for s in generate.SHAPES for n in (10, 1000)}
    texts["symbolic"] = generate.symbolic()
    for example in sorted((here.parent.parent / "examples").glob("*.wd")):
        texts[example.name] = example.read_text(encoding="utf-8")
    texts["prelude"] = wparse.resources.files("wiring").joinpath("prelude.wd").read_text()
    for code, entry in CODES.items():
        if entry.example:
            texts[code] = entry.example
    agree = differ = 0
    for name, text in texts.items():
        try:
            expected = current.parse(text)
        except Exception as exc:
            expected = type(exc).__name__
        try:
            got = fast.parse(text)
        except Exception as exc:
            got = type(exc).__name__
        problem = (None if expected == got else f"{expected} vs {got}") \
            if isinstance(expected, str) or isinstance(got, str) else _same(expected, got)
        if problem:
            differ += 1
            print(f"DIFFERENT {name}: {problem}")
        else:
            agree += 1
    print(f"identical trees: {agree}, different: {differ}")
    variants = {
        "contextual (current)": current,
        "FastLexer": fast,
        "contextual, no positions": Lark(wparse._grammar_text(), parser="lalr",
                                         lexer="contextual", postlex=wparse._BracketLexer(),
                                         propagate_positions=False, maybe_placeholders=False),
        "FastLexer, no positions": Lark(wparse._grammar_text(), parser="lalr", lexer=FastLexer,
                                        postlex=wparse._BracketLexer(),
                                        propagate_positions=False, maybe_placeholders=False),
    }
    print("lark.parse at 10,000 components, min CPU time of 3 runs, gc off:")
    for shape in generate.SHAPES:
        text = generate.generate(shape, 10000)
        best = {}
        for _ in range(3):
            for label, parser in variants.items():
                gc.disable()
                start = time.process_time()
                parser.parse(text)
                elapsed = time.process_time() - start
                gc.enable()
                gc.collect()
                best[label] = min(best.get(label, elapsed), elapsed)
        base = best["contextual (current)"]
        print(f"  {shape:7s} " + "   ".join(f"{label} {t:.2f} s ({t / base:.0%})"
                                            for label, t in best.items()))

if __name__ == "__main__":
    main()
