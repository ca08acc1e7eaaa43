"""Generate the TextMate grammar of .wd files (editors/vscode/syntaxes/wiring.tmLanguage.json)
from the language's own grammar, so that highlighting cannot drift from the language.

Everything comes from grammar/wiring.lark through the parser wiring uses (wiring.parse):
the keywords and punctuation are the tables of wiring's lexer (wiring/lexer.py: the parser's
string terminals, split into words and symbols), the comment, number and name patterns are its regex terminals,
and each keyword's scope follows from where the rules use it:

- a keyword that can start a statement (of a file, a component, a diagram, a behaviour or an
  evaluation) is a declaration, `storage.type.wiring`; the name right after it, where a rule
  reads `KEYWORD NAME`, is `entity.name.type.wiring`;
- a keyword of the formulas (`and`, `or`, `not`, `if`, `else`) is `keyword.operator.word.wiring`,
  and one that is a whole value there (`inf`) is `constant.language.wiring`;
- every other keyword is `keyword.other.wiring`.

TextMate cannot know the parser's state, so a word is highlighted as a keyword wherever it
stands (a mode called `train` is coloured as `train`); a word after `.` never is.

    python scripts/gen_textmate.py          # write the grammar
    python scripts/gen_textmate.py --check  # exit 1 if the file is not what would be written
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wiring.lexer import KeywordLexer  # noqa: E402
from wiring.parse import lark_parser  # noqa: E402

OUT = ROOT / "editors" / "vscode" / "syntaxes" / "wiring.tmLanguage.json"
# Where statements stand: a file's items and the members of each kind of block.
STATEMENT_LISTS = ("_item", "_cmember", "_dmember", "_step", "_emember")
FORMULA = "formula"
# The STRING terminal this generator's begin/end rule reproduces (strings stop at a line end).
STRING = '"([^"\\\\\n]|\\\\.)*"'
BRACKETS = {"(": "parens", ")": "parens", "[": "brackets", "]": "brackets",
            "{": "braces", "}": "braces"}


class Grammar:
    """The rules and terminals of the language, as the parser compiles them."""

    def __init__(self):
        parser = lark_parser()
        self.terminals = {t.name: t for t in parser.terminals}
        self.rules: dict[str, list[list[str]]] = {}
        for rule in parser.rules:
            self.rules.setdefault(rule.origin.name, []).append([s.name for s in rule.expansion])
        # The lexer's own tables of keywords and punctuation: what it reads, we colour.
        lexer = KeywordLexer(parser.lexer_conf)
        self.keywords = {name: word for word, name in lexer.keywords.items()}
        self.symbols = {name: text for text, name in lexer.punct.items()}

    def pattern(self, name: str) -> str:
        return self.terminals[name].pattern.to_regexp()

    def first(self, symbol: str, seen: frozenset = frozenset()) -> set[str]:
        """The keyword terminals that can begin `symbol` (separators skipped)."""
        if symbol in self.keywords:
            return {symbol}
        if symbol not in self.rules or symbol in seen:
            return set()
        found: set[str] = set()
        for expansion in self.rules[symbol]:
            body = [s for s in expansion if s not in ("_sep", "_bsep", "_NL")]
            if body:
                found |= self.first(body[0], seen | {symbol})
        return found

    def reachable(self, start: str) -> set[str]:
        todo, seen = [start], {start}
        while todo:
            for expansion in self.rules.get(todo.pop(), []):
                for symbol in expansion:
                    if symbol in self.rules and symbol not in seen:
                        seen.add(symbol)
                        todo.append(symbol)
        return seen


def keyword_scopes(grammar: Grammar) -> dict[str, str]:
    """Each keyword's scope, from where the rules use it (see the module's docstring)."""
    statements = {s for lst in STATEMENT_LISTS for expansion in grammar.rules[lst]
                  for s in expansion}
    declaring = set().union(*(grammar.first(s) for s in statements))
    formula_rules = grammar.reachable(FORMULA)
    in_formulas = {s for r in formula_rules for e in grammar.rules[r] for s in e
                   if s in grammar.keywords}
    values = {e[0] for r in formula_rules for e in grammar.rules[r]
              if len(e) == 1 and e[0] in grammar.keywords}
    scopes = {}
    for name, word in grammar.keywords.items():
        if name in declaring:
            scopes[word] = "storage.type.wiring"
        elif name in values:
            scopes[word] = "constant.language.wiring"
        elif name in in_formulas:
            scopes[word] = "keyword.operator.word.wiring"
        else:
            scopes[word] = "keyword.other.wiring"
    return scopes


def declaring_words(grammar: Grammar, scopes: dict[str, str]) -> list[str]:
    """The statement keywords a rule follows with the name it declares (`component NAME`)."""
    return sorted({grammar.keywords[e[0]] for rules in grammar.rules.values() for e in rules
                   if len(e) > 1 and e[0] in grammar.keywords and e[1] == "NAME"
                   and scopes[grammar.keywords[e[0]]] == "storage.type.wiring"})


def named_before(grammar: Grammar, followers: tuple[str, ...]) -> set[str]:
    """The keywords that a rule follows directly with one of the terminals `followers`."""
    return {e[i] for rules in grammar.rules.values() for e in rules for i in range(len(e) - 1)
            if e[i] in grammar.keywords and e[i + 1] in followers}


def symbol_scope(name: str, text: str) -> str:
    if name == "ARROW":
        return "keyword.operator.arrow.wiring"
    if text in BRACKETS:
        return f"punctuation.section.{BRACKETS[text]}.wiring"
    if text == ".":
        return "punctuation.accessor.wiring"
    if text in (",", ";", ":"):
        return "punctuation.separator.wiring"
    return "keyword.operator.wiring"


def words(alternatives) -> str:
    return "|".join(re.escape(w) for w in sorted(alternatives, key=lambda w: (-len(w), w)))


def tm_grammar(grammar: Grammar) -> dict:
    if grammar.pattern("STRING") != STRING:
        sys.exit(f"gen_textmate: the STRING terminal changed to {grammar.pattern('STRING')}: "
                 "update the string rule of scripts/gen_textmate.py")
    scopes = keyword_scopes(grammar)
    name = grammar.pattern("NAME")
    edge = r"(?<![.\w])"     # not the field after `.`, not inside a longer word
    patterns = [
        {"name": "comment.line.number-sign.wiring", "match": grammar.pattern("COMMENT")},
        {"name": "string.quoted.double.wiring", "begin": '"', "end": '"|$',
         "patterns": [{"name": "constant.character.escape.wiring", "match": r"\\."}]},
        {"match": rf"{edge}({words(declaring_words(grammar, scopes))})\s+({name})",
         "captures": {"1": {"name": "storage.type.wiring"},
                      "2": {"name": "entity.name.type.wiring"}}},
    ]
    # No rule puts `=` or `:` right after a keyword, so a word followed by one is a name being
    # defined or typed (`kind = agent`, `out type : Prompt`), whatever its spelling.
    assert not named_before(grammar, ("EQUAL", "COLON")), named_before(grammar, ("EQUAL", "COLON"))
    after = r"(?!\w)(?!\s*(?:=(?!=)|:))"
    for scope in sorted(set(scopes.values())):
        chosen = [w for w, s in scopes.items() if s == scope]
        patterns.append({"name": scope, "match": rf"{edge}({words(chosen)}){after}"})
    patterns.append({"name": "constant.numeric.wiring",
                     "match": rf"(?<![\w.]){grammar.pattern('NUMBER')}"})
    compare = grammar.pattern("COMPARE")
    by_scope: dict[str, list[str]] = {}
    for term, text in grammar.symbols.items():
        by_scope.setdefault(symbol_scope(term, text), []).append(re.escape(text))
    by_scope["keyword.operator.wiring"].append(compare)
    for scope in sorted(by_scope):   # `->` before `-` and `>=`: the arrow's rule comes first
        alternatives = sorted(by_scope[scope], key=lambda p: (-len(p), p))
        patterns.append({"name": scope, "match": "|".join(alternatives)})
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/"
                   "tmlanguage.json",
        "name": "Wiring",
        "scopeName": "source.wiring",
        "fileTypes": ["wd"],
        "comment": "Generated by scripts/gen_textmate.py from grammar/wiring.lark: do not edit.",
        "patterns": patterns,
    }


def render() -> str:
    return json.dumps(tm_grammar(Grammar()), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the grammar file is missing or out of date")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else None
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python scripts/gen_textmate.py",
                  file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
